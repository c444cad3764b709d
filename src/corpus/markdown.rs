//! Markdown: ATX/Setext headings are sections; paragraphs, list items, block quotes and code blocks
//! are passages. Passages store the text a reader sees (inline markup such as `*emphasis*` removed),
//! so quotes match what people read. A lone leading `# ` heading or front-matter `title:` is the
//! document title. Headings that carry the text's own number (`## 4.1. Powers`, `# Chapter 3`)
//! keep it as their label; items of an ordered list keep theirs, and so do paragraphs opened by a
//! division word and its number (`**Section 2.** Dues are …`).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::heading;
use super::overrides::Overrides;
use super::{Block, Document, Note, assemble};

/// Parses a Markdown document (newlines normalised to `\n`, front matter already split off).
/// Footnotes (`text[^2]` … `[^2]: The note…`) are numbered in the order they are first cited; the
/// marker shows as `[n]` in the passage, which carries the note's text; a definition is never a
/// passage, and a marker never stays in a heading (its note goes with the section's first passage).
pub fn parse(id: &str, fallback_title: &str, body: &str, overrides: &Overrides) -> Document {
    let (meta_title, body) = metadata_block(body);
    let front_title = overrides.title.clone().or(meta_title);
    let mut item_label: Option<String> = None;
    // Each block, its heading level if a heading, and the footnote labels it cites.
    let mut items: Vec<(Block, Option<HeadingLevel>, Vec<String>)> = Vec::new();
    let mut buf = String::new();
    // What we are capturing: a heading, or a top-level block that becomes one passage.
    let mut capture: Option<Capture> = None;
    let mut list_depth = 0usize;
    let mut quote_depth = 0usize;
    let mut ordered_next: Vec<Option<u64>> = Vec::new();
    // Footnotes: the number of each label (first citation order), the labels cited by the block
    // being captured, the definitions' texts, and the definition being read.
    let mut numbers: std::collections::HashMap<String, usize> = Default::default();
    let mut cited: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut definitions: std::collections::HashMap<String, String> = Default::default();
    let mut defining: Option<(String, String)> = None;
    let mut cells: Vec<String> = Vec::new();

    let options = Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES;
    for event in Parser::new_ext(body, options) {
        if let Some((_, text)) = defining.as_mut() {
            match event {
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((label, text)) = defining.take() {
                        definitions.insert(label, text.trim().to_string());
                    }
                }
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                Event::SoftBreak => text.push(' '),
                Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item) => newline(text),
                Event::FootnoteReference(l) => {
                    let n = numbers.len() + 1;
                    let n = *numbers.entry(l.to_string()).or_insert(n);
                    text.push_str(&format!("[{n}]"));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                defining = Some((label.to_string(), String::new()));
            }
            Event::FootnoteReference(label) => {
                let n = numbers.len() + 1;
                let n = *numbers.entry(label.to_string()).or_insert(n);
                match capture {
                    // A heading shows no marker; its note waits for the next passage.
                    Some(Capture::Heading(_)) => pending.push(label.to_string()),
                    Some(_) => {
                        buf.push_str(&format!("[{n}]"));
                        cited.push(label.to_string());
                    }
                    None => {}
                }
            }
            Event::Start(Tag::Heading { level, .. }) if capture.is_none() => {
                buf.clear();
                capture = Some(Capture::Heading(level));
            }
            Event::End(TagEnd::Heading(_)) if matches!(capture, Some(Capture::Heading(_))) => {
                if let Some(Capture::Heading(level)) = capture.take() {
                    let t = collapse(&buf);
                    if !t.is_empty() {
                        items.push((
                            heading_block(t, level as u8, &overrides.heading),
                            Some(level),
                            Vec::new(),
                        ));
                    }
                }
            }
            Event::Start(Tag::Table(_)) => {}
            Event::Start(Tag::TableHead | Tag::TableRow) if capture.is_none() => {
                cells.clear();
            }
            Event::Start(Tag::TableCell) if capture.is_none() => {
                buf.clear();
                capture = Some(Capture::Cell);
            }
            Event::End(TagEnd::TableCell) if matches!(capture, Some(Capture::Cell)) => {
                capture = None;
                cells.push(collapse(&buf));
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) if capture.is_none() => {
                let row = cells.join(" | ");
                let refs = std::mem::take(&mut cited);
                push_labelled(&mut items, &row, None, refs, &mut pending);
            }
            Event::Start(Tag::List(start)) => {
                list_depth += 1;
                ordered_next.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                ordered_next.pop();
            }
            Event::Start(Tag::Item) => {
                if capture.is_none() && list_depth == 1 && quote_depth == 0 {
                    buf.clear();
                    capture = Some(Capture::Item);
                    item_label = None;
                    if let Some(Some(n)) = ordered_next.last_mut() {
                        buf.push_str(&format!("{n}. "));
                        item_label = Some(n.to_string());
                        *n += 1;
                    }
                } else {
                    newline(&mut buf);
                }
            }
            Event::End(TagEnd::Item)
                if list_depth == 1 && matches!(capture, Some(Capture::Item)) =>
            {
                capture = None;
                let refs = std::mem::take(&mut cited);
                push_labelled(&mut items, &buf, item_label.take(), refs, &mut pending);
            }
            Event::Start(Tag::BlockQuote(_)) => {
                quote_depth += 1;
                if capture.is_none() && quote_depth == 1 && list_depth == 0 {
                    buf.clear();
                    capture = Some(Capture::Quote);
                }
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quote_depth = quote_depth.saturating_sub(1);
                if quote_depth == 0 && matches!(capture, Some(Capture::Quote)) {
                    capture = None;
                    let refs = std::mem::take(&mut cited);
                    push_labelled(&mut items, &buf, None, refs, &mut pending);
                }
            }
            Event::Start(Tag::Paragraph) => {
                if capture.is_none() {
                    buf.clear();
                    capture = Some(Capture::Paragraph);
                } else {
                    newline(&mut buf);
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if matches!(capture, Some(Capture::Paragraph)) {
                    capture = None;
                    // `**Section 2.** Dues are …` is item `Section 2`, as in plain text.
                    let label = heading::division_item(buf.trim(), &overrides.heading);
                    let refs = std::mem::take(&mut cited);
                    push_labelled(&mut items, &buf, label, refs, &mut pending);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                if capture.is_none() {
                    buf.clear();
                    capture = Some(Capture::Code);
                } else {
                    newline(&mut buf);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if matches!(capture, Some(Capture::Code)) {
                    capture = None;
                    let refs = std::mem::take(&mut cited);
                    push_labelled(
                        &mut items,
                        buf.trim_end_matches('\n'),
                        None,
                        refs,
                        &mut pending,
                    );
                }
            }
            Event::Text(t) | Event::Code(t) if capture.is_some() => buf.push_str(&t),
            Event::SoftBreak => buf.push(' '),
            Event::HardBreak => buf.push('\n'),
            _ => {}
        }
    }

    // A single level-1 heading is the title when it comes first, or after no more than two
    // stray one-line paragraphs (a word or a comment line before the real title).
    let h1s = items
        .iter()
        .filter(|(_, l, _)| *l == Some(HeadingLevel::H1))
        .count();
    let first_heading = items
        .iter()
        .position(|(b, _, _)| matches!(b, Block::Heading { .. }));
    let stray = |b: &Block| match b {
        Block::Passage { text, .. } => {
            !text.contains('\n')
                && text.chars().count() <= 60
                && text.split_whitespace().count() <= 8
        }
        _ => false,
    };
    let mut title = front_title;
    if h1s == 1
        && let Some(i) = first_heading
        && items[i].1 == Some(HeadingLevel::H1)
        && i <= 2
        && items[..i].iter().all(|(b, _, _)| stray(b))
        && let (Block::Heading { text, .. }, _, _) = items.remove(i)
        && title.is_none()
    {
        title = Some(text);
    }
    let title = title.unwrap_or_else(|| fallback_title.to_string());
    let number_of = |label: &str| {
        numbers
            .get(label)
            .map_or_else(|| label.to_string(), usize::to_string)
    };
    let mut blocks = Vec::with_capacity(items.len());
    for (block, _, refs) in items {
        blocks.push(block);
        let notes: Vec<Note> = refs
            .iter()
            .filter_map(|l| {
                Some(Note {
                    label: number_of(l),
                    text: definitions.get(l)?.clone(),
                })
            })
            .collect();
        if !notes.is_empty() {
            blocks.push(Block::Notes(notes));
        }
    }
    assemble(id, title, blocks, overrides.numbering)
}

/// A MultiMarkdown metadata block at the very top (`Title: Debian Policy`, `Author: …`, then a
/// blank line): its title, and the body after it. Only when every line of the first block is
/// `Key: value` and one of the keys is `Title`.
fn metadata_block(body: &str) -> (Option<String>, &str) {
    let end = body.find("\n\n").unwrap_or(body.len());
    let block = &body[..end];
    let mut title = None;
    for line in block.lines() {
        let Some((key, value)) = line.split_once(':') else {
            return (None, body);
        };
        let key = key.trim();
        if key.is_empty()
            || key.len() > 30
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_')
            || !value.starts_with(' ')
        {
            return (None, body);
        }
        if key.eq_ignore_ascii_case("title") {
            title = Some(value.trim().to_string());
        }
    }
    match title {
        Some(t) if !t.is_empty() => (Some(t), &body[end..]),
        _ => (None, body),
    }
}

/// A heading, with the text's own number split off when it carries one (also read by the HTML
/// reader).
pub(crate) fn heading_block(text: String, level: u8, extra: &[String]) -> Block {
    if let Some(d) = heading::division(&text, extra) {
        return Block::Heading {
            label: Some(d.label),
            title: d.title,
            text,
            level,
        };
    }
    if let Some(m) = heading::marker(&text)
        && !m.rest.is_empty()
        && !matches!(m.style, heading::Style::Paren | heading::Style::Lower)
    {
        return Block::Heading {
            label: Some(m.label.clone()),
            title: Some(m.rest.trim_end_matches('.').to_string()),
            level: level.max(m.depth),
            text,
        };
    }
    Block::Heading {
        label: None,
        title: Some(text.clone()),
        text,
        level,
    }
}

#[derive(Debug, Clone, Copy)]
enum Capture {
    Heading(HeadingLevel),
    Cell,
    Paragraph,
    Item,
    Quote,
    Code,
}

fn newline(buf: &mut String) {
    if !buf.is_empty() && !buf.ends_with('\n') {
        buf.push('\n');
    }
}

fn push_labelled(
    items: &mut Vec<(Block, Option<HeadingLevel>, Vec<String>)>,
    text: &str,
    label: Option<String>,
    mut refs: Vec<String>,
    pending: &mut Vec<String>,
) {
    let t = text.trim();
    if !t.is_empty() {
        // Notes cited by a heading go with the first passage after it.
        let mut all = std::mem::take(pending);
        all.append(&mut refs);
        items.push((
            Block::Passage {
                label,
                text: t.to_string(),
            },
            None,
            all,
        ));
    }
}

/// Heading text on one line.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::corpus::{Document, Format};

    fn parse(id: &str, fallback: &str, text: &str) -> Document {
        crate::corpus::parse(id, fallback, Format::Markdown, text)
    }

    #[test]
    fn front_matter_title_wins() {
        let d = parse("x", "X", "---\ntitle: \"Hello\"\n---\n# Other\n\ntext");
        assert_eq!(d.title, "Hello");
        assert_eq!(d.sections.len(), 1);
        assert_eq!(d.sections[0].passages[0].text, "text");
    }

    #[test]
    fn worded_sections_run_into_paragraphs_are_items() {
        let d = parse(
            "x",
            "X",
            "# Bylaws

## Article I. Name

**Section 1.** The name of the union is the Hill Union.

**Section 2.** It meets monthly.

## Article II. Dues

Dues are one pound.
",
        );
        let labels: Vec<Option<&str>> = d
            .sections
            .iter()
            .flat_map(|s| s.passages.iter().map(|p| p.label.as_deref()))
            .collect();
        assert_eq!(labels, [Some("Section 1"), Some("Section 2"), None]);
    }

    #[test]
    fn several_h1s_are_all_sections() {
        let d = parse("x", "X", "# A\n\none\n\n# B\n\ntwo\n");
        assert_eq!(d.title, "X");
        assert_eq!(d.sections.len(), 2);
    }
}

//! Markdown: ATX/Setext headings are sections; paragraphs, list items, block quotes and code blocks
//! are passages. Passages store the text a reader sees (inline markup such as `*emphasis*` removed),
//! so quotes match what people read. A lone leading `# ` heading or front-matter `title:` is the
//! document title. Headings that carry the text's own number (`## 4.1. Powers`, `# Chapter 3`)
//! keep it as their label; items of an ordered list keep theirs, and so do paragraphs opened by a
//! division word and its number (`**Section 2.** Dues are …`).

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::heading;
use super::overrides::Overrides;
use super::{Block, Document, assemble};

/// Parses a Markdown document (newlines normalised to `\n`, front matter already split off).
pub fn parse(id: &str, fallback_title: &str, body: &str, overrides: &Overrides) -> Document {
    let front_title = overrides.title.clone();
    let mut item_label: Option<String> = None;
    let mut items: Vec<(Block, Option<HeadingLevel>)> = Vec::new();
    let mut buf = String::new();
    // What we are capturing: a heading, or a top-level block that becomes one passage.
    let mut capture: Option<Capture> = None;
    let mut list_depth = 0usize;
    let mut quote_depth = 0usize;
    let mut ordered_next: Vec<Option<u64>> = Vec::new();

    for event in Parser::new_ext(body, Options::empty()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if capture.is_none() => {
                buf.clear();
                capture = Some(Capture::Heading(level));
            }
            Event::End(TagEnd::Heading(_)) if matches!(capture, Some(Capture::Heading(_))) => {
                if let Some(Capture::Heading(level)) = capture.take() {
                    let t = collapse(&buf);
                    if !t.is_empty() {
                        items.push((heading_block(t, level, &overrides.heading), Some(level)));
                    }
                }
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
                push_labelled(&mut items, &buf, item_label.take());
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
                    push_passage(&mut items, &buf);
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
                    push_labelled(&mut items, &buf, label);
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
                    push_passage(&mut items, buf.trim_end_matches('\n'));
                }
            }
            Event::Text(t) | Event::Code(t) if capture.is_some() => buf.push_str(&t),
            Event::SoftBreak => buf.push(' '),
            Event::HardBreak => buf.push('\n'),
            _ => {}
        }
    }

    // A single level-1 heading that comes first is the title, not a section.
    let h1s = items
        .iter()
        .filter(|(_, l)| *l == Some(HeadingLevel::H1))
        .count();
    let first_heading = items
        .iter()
        .position(|(b, _)| matches!(b, Block::Heading { .. }));
    let mut title = front_title;
    if h1s == 1
        && let Some(i) = first_heading
        && items[i].1 == Some(HeadingLevel::H1)
        && items[..i].is_empty()
        && let (Block::Heading { text, .. }, _) = items.remove(i)
        && title.is_none()
    {
        title = Some(text);
    }
    let title = title.unwrap_or_else(|| fallback_title.to_string());
    assemble(
        id,
        title,
        items.into_iter().map(|(b, _)| b).collect(),
        overrides.numbering,
    )
}

/// A heading, with the text's own number split off when it carries one.
fn heading_block(text: String, level: HeadingLevel, extra: &[String]) -> Block {
    let level = level as u8;
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

fn push_passage(items: &mut Vec<(Block, Option<HeadingLevel>)>, text: &str) {
    push_labelled(items, text, None);
}

fn push_labelled(
    items: &mut Vec<(Block, Option<HeadingLevel>)>,
    text: &str,
    label: Option<String>,
) {
    let t = text.trim();
    if !t.is_empty() {
        items.push((
            Block::Passage {
                label,
                text: t.to_string(),
            },
            None,
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

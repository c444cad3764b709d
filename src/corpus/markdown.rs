//! Markdown: ATX/Setext headings are sections; paragraphs, list items, block quotes and code blocks
//! are passages. Passages store the text a reader sees (inline markup such as `*emphasis*` removed),
//! so quotes match what people read. A lone leading `# ` heading or front-matter `title:` is the
//! document title.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Block, Document, assemble};

/// Parses a Markdown document (newlines already normalised to `\n`).
pub fn parse(id: &str, fallback_title: &str, text: &str) -> Document {
    let (front_title, body) = front_matter(text);
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
                        items.push((Block::Heading(t), Some(level)));
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
                    if let Some(Some(n)) = ordered_next.last_mut() {
                        buf.push_str(&format!("{n}. "));
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
                push_passage(&mut items, &buf);
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
                    push_passage(&mut items, &buf);
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
        .position(|(b, _)| matches!(b, Block::Heading(_)));
    let mut title = front_title;
    if h1s == 1
        && let Some(i) = first_heading
        && items[i].1 == Some(HeadingLevel::H1)
        && items[..i].is_empty()
        && let (Block::Heading(t), _) = items.remove(i)
        && title.is_none()
    {
        title = Some(t);
    }
    let title = title.unwrap_or_else(|| fallback_title.to_string());
    assemble(id, title, items.into_iter().map(|(b, _)| b).collect())
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
    let t = text.trim();
    if !t.is_empty() {
        items.push((Block::Passage(t.to_string()), None));
    }
}

/// Heading text on one line.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits off YAML-style front matter (`---` … `---`), returning its `title:` if any.
fn front_matter(text: &str) -> (Option<String>, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return (None, text);
    };
    let Some(end) = rest.find("\n---") else {
        return (None, text);
    };
    let header = &rest[..end];
    let after = &rest[end + 4..];
    let body = after.split_once('\n').map_or("", |(_, b)| b);
    let title = header.lines().find_map(|l| {
        let v = l.strip_prefix("title:")?.trim();
        let v = v.trim_matches(|c| c == '"' || c == '\'').trim();
        (!v.is_empty()).then(|| v.to_string())
    });
    (title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_title_wins() {
        let d = parse("x", "X", "---\ntitle: \"Hello\"\n---\n# Other\n\ntext");
        assert_eq!(d.title, "Hello");
        assert_eq!(d.sections.len(), 1);
        assert_eq!(d.sections[0].passages[0].text, "text");
    }

    #[test]
    fn several_h1s_are_all_sections() {
        let d = parse("x", "X", "# A\n\none\n\n# B\n\ntwo\n");
        assert_eq!(d.title, "X");
        assert_eq!(d.sections.len(), 2);
    }
}

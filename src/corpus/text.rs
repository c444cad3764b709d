//! Plain text: paragraphs are blocks separated by blank lines; headings are short standalone lines
//! that read as titles and are followed by body text. The first line is the document's title when it
//! stands alone.

use super::{Block, Document, assemble};

/// Longest line, in characters, that can still be a heading or a title.
const MAX_HEADING_CHARS: usize = 100;
const MAX_HEADING_WORDS: usize = 14;
const MAX_TITLE_CHARS: usize = 200;

/// Parses a plain-text document (newlines already normalised to `\n`).
pub fn parse(id: &str, fallback_title: &str, text: &str) -> Document {
    let blocks = blocks(text);
    let mut rest = &blocks[..];
    let mut title = fallback_title.to_string();
    if let Some(first) = blocks.first()
        && !first.contains('\n')
        && first.chars().count() <= MAX_TITLE_CHARS
        && blocks.len() > 1
    {
        title = first.trim().to_string();
        rest = &blocks[1..];
    }
    let mut items = Vec::with_capacity(rest.len());
    for (i, block) in rest.iter().enumerate() {
        let next_is_body = rest.get(i + 1).is_some_and(|n| !looks_like_heading(n));
        if next_is_body && looks_like_heading(block) {
            items.push(Block::Heading(block.trim().to_string()));
        } else {
            items.push(Block::Passage(block.to_string()));
        }
    }
    assemble(id, title, items)
}

/// Splits text into blocks separated by lines that are empty or only white space. Each block is
/// trimmed of surrounding blank space but otherwise verbatim.
fn blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if content.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(text[s..end].trim());
            }
        } else {
            if start.is_none() {
                start = Some(offset);
            }
            end = offset + content.len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(text[s..end].trim());
    }
    out.retain(|b| !b.is_empty());
    out
}

/// A short standalone line that reads as a title: no closing period, comma, colon or semicolon; not
/// opening with a quotation mark or bracket; not a list item.
pub(crate) fn looks_like_heading(block: &str) -> bool {
    let line = block.trim();
    if line.is_empty() || line.contains('\n') {
        return false;
    }
    if line.chars().count() > MAX_HEADING_CHARS
        || line.split_whitespace().count() > MAX_HEADING_WORDS
    {
        return false;
    }
    let Some(first) = line.chars().next() else {
        return false;
    };
    if !(first.is_alphanumeric()) || first.is_lowercase() {
        return false;
    }
    if line.ends_with(['.', ',', ':', ';', '…', '-', '–', '—']) {
        return false;
    }
    !is_list_item(line)
}

/// `1. …`, `2) …`, `a. …`, `- …`, `* …`, `• …`
fn is_list_item(line: &str) -> bool {
    if line.starts_with(['-', '*', '•', '+']) {
        return true;
    }
    let marker: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let after = &line[marker.len()..];
    let numeric = !marker.is_empty() && marker.chars().all(|c| c.is_ascii_digit());
    let letter = marker.len() == 1 && marker.chars().all(|c| c.is_ascii_lowercase());
    (numeric || letter) && (after.starts_with(". ") || after.starts_with(") "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_short_standalone_title_lines() {
        assert!(looks_like_heading("Elements of dual power"));
        assert!(looks_like_heading("The working class must take power!"));
        assert!(!looks_like_heading("It is necessary to act."));
        assert!(!looks_like_heading("“There is no saviour high above us,"));
        assert!(!looks_like_heading("1. Free and democratic elections"));
        assert!(!looks_like_heading("Lenin pointed out many times:"));
        assert!(!looks_like_heading("two\nlines"));
    }

    #[test]
    fn heading_needs_body_after_it() {
        let doc = parse(
            "d",
            "D",
            "Title\n\nIntro text here.\n\nA heading\n\nBody.\n\nTrailing line",
        );
        assert_eq!(doc.title, "Title");
        assert_eq!(doc.sections.len(), 2);
        assert_eq!(doc.sections[1].title.as_deref(), Some("A heading"));
        // the last line has no body after it, so it is a passage
        assert_eq!(doc.sections[1].passages.len(), 2);
    }

    #[test]
    fn blocks_split_on_whitespace_only_lines() {
        assert_eq!(blocks("a\n \t\nb\nc\n\n\n"), vec!["a", "b\nc"]);
        assert!(blocks("").is_empty());
    }
}

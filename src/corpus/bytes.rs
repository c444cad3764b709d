//! A text from bytes whose origin says nothing reliable about them (an attachment posted in
//! Discord, a file named on the command line): the content decides the format, never the name or
//! a declared content type. [`sniff`] tells what the bytes are; [`parse_upload`] decodes them and
//! hands them to the reader of that format (the same readers as files on disk, through
//! [`super::format::read_as`], within the same [`Limits`]). Refusals ([`BytesError`]) say what is
//! wrong in words a member can act on.
//!
//! Decoding: UTF-8 (a byte-order mark is dropped); UTF-16 with a byte-order mark (what Windows
//! Notepad calls "Unicode"); text that is not UTF-8 but reads as Windows-1252 with no control
//! characters (an older Spanish or French text saved on Windows). Anything else that is not valid
//! UTF-8 for more than a trace of its bytes, or that holds NUL bytes or control characters, is not
//! a text.

use super::{Document, Format, Limits, Overrides, ReadError, slug};

/// What some bytes are, judged from their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Plain text.
    Text,
    /// Markdown (ATX headings, links, fenced code, emphasis).
    Markdown,
    /// An HTML page.
    Html,
    /// A zip archive that is an EPUB book.
    Epub,
    /// A PDF.
    Pdf,
    /// Some other binary file (an image, an office document, an archive…).
    Binary,
}

impl Sniffed {
    /// The name stored with a text and shown in `/texts list`.
    pub fn name(self) -> &'static str {
        match self {
            Sniffed::Text => "text",
            Sniffed::Markdown => "markdown",
            Sniffed::Html => "html",
            Sniffed::Epub => "epub",
            Sniffed::Pdf => "pdf",
            Sniffed::Binary => "binary",
        }
    }
}

/// Why bytes were not read as a text. The messages are for the member who sent them.
/// The words a member reads are [`crate::render::library`]'s; these are for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BytesError {
    #[error("empty")]
    Empty,
    /// What kind of binary file, when known (`a PNG image`), else empty.
    #[error("binary data {0}")]
    Binary(String),
    /// An HTML page, EPUB or PDF its reader refused (damaged, a scan, past the limits).
    #[error("{0}")]
    Read(ReadError),
    /// Per cent of the text that is not UTF-8.
    #[error("{0}% not UTF-8")]
    Encoding(u32),
    #[error("no paragraphs")]
    NoPassages,
}

/// What the caller knows that the bytes do not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    /// The title to give the document (over what the text says).
    pub title: Option<String>,
    /// The document id; `None`: made from the title, else from the name.
    pub id: Option<String>,
    /// The text's language (over its front matter and what detection would say).
    pub language: Option<crate::language::Language>,
}

/// A text read from bytes.
#[derive(Debug, Clone)]
pub struct FromBytes {
    pub document: Document,
    /// The format the content was read as.
    pub format: Sniffed,
    /// How it was decoded, when it was not plain UTF-8 (for the member: "read as Windows-1252").
    pub note: Option<String>,
}

/// Reads a text from `bytes`. `name` is where they came from (a file name), used only for a
/// document title and id when neither the hints nor the text give one; `limits` bound what an
/// EPUB or PDF may cost. Never panics on any input.
pub fn parse_upload(
    name: &str,
    bytes: &[u8],
    hints: &Hints,
    limits: &Limits,
) -> Result<FromBytes, BytesError> {
    let format = sniff(bytes);
    let parse_as = match format {
        Sniffed::Text => Format::Text,
        Sniffed::Markdown => Format::Markdown,
        Sniffed::Html => Format::Html,
        Sniffed::Epub => Format::Epub,
        Sniffed::Pdf => Format::Pdf,
        Sniffed::Binary => return Err(binary(bytes)),
    };
    // Text formats are decoded here (UTF-16, Windows-1252); a book's bytes go to its reader.
    let (text, note) = match parse_as {
        Format::Epub | Format::Pdf => (None, None),
        _ => {
            let (text, note) = decode(bytes)?;
            if text.trim().is_empty() {
                return Err(BytesError::Empty);
            }
            (Some(text), note)
        }
    };
    let stem = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fallback_title = stem.replace(['-', '_'], " ").trim().to_string();
    let fallback_title = if fallback_title.is_empty() {
        "Untitled".to_string()
    } else {
        fallback_title
    };
    let outside = Overrides {
        title: hints.title.clone().filter(|t| !t.trim().is_empty()),
        language: hints.language,
        ..Overrides::default()
    };
    let id = hints.id.clone().unwrap_or_else(|| slug(&stem));
    let content = text.as_deref().map_or(bytes, str::as_bytes);
    let read = || super::format::read_as(parse_as, &id, &fallback_title, content, &outside, limits);
    let mut document = crate::error::catch_panic(read)
        .map_err(|message| {
            BytesError::Read(ReadError::Panicked {
                format: parse_as.name(),
                message,
            })
        })?
        .map_err(|e| match e {
            ReadError::Empty => BytesError::NoPassages,
            e => BytesError::Read(e),
        })?;
    if document.passage_count() == 0 {
        return Err(BytesError::NoPassages);
    }
    if hints.id.is_none()
        && let Some(title) = hints.title.as_deref().filter(|t| !t.trim().is_empty())
    {
        document.id = slug(title);
    }
    Ok(FromBytes {
        document,
        format,
        note,
    })
}

/// What the bytes are, from their first bytes and the shape of their text.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    // Books are recognised as files on disk are (a PDF header, a zip holding an EPUB).
    match super::format::sniff("", bytes) {
        Ok(Format::Pdf) => return Sniffed::Pdf,
        Ok(Format::Epub) => return Sniffed::Epub,
        _ if bytes.starts_with(b"PK\x03\x04") => return Sniffed::Binary,
        _ => {}
    }
    if utf16_bom(bytes).is_some() {
        return match decode(bytes) {
            Ok((text, _)) => text_kind(&text),
            Err(_) => Sniffed::Binary,
        };
    }
    if looks_binary(bytes) {
        return Sniffed::Binary;
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(256 * 1024)]);
    text_kind(&text)
}

/// HTML, Markdown or plain text, from the text itself.
fn text_kind(text: &str) -> Sniffed {
    let start = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .get(..512)
        .unwrap_or_else(|| text.trim_start_matches('\u{feff}').trim_start())
        .to_ascii_lowercase();
    if start.starts_with("<!doctype html")
        || start.starts_with("<html")
        || (start.starts_with("<?xml") && start.contains("<html"))
    {
        return Sniffed::Html;
    }
    if is_markdown(text) {
        Sniffed::Markdown
    } else {
        Sniffed::Text
    }
}

/// Markdown when the text uses its marks as Markdown does: two or more ATX headings (`# Title`),
/// or one with links, fenced code or strong emphasis beside it. A plain text may have a line
/// opening with `#` or a list of `- ` items; it rarely has all of these.
fn is_markdown(text: &str) -> bool {
    let mut headings = 0;
    let mut other = 0;
    let mut in_fence = false;
    for line in text.lines().take(20_000) {
        let t = line.trim_end();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            other += 1;
            continue;
        }
        if in_fence {
            continue;
        }
        let hashes = t.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes)
            && t[hashes..].starts_with(' ')
            && !t[hashes..].trim().is_empty()
        {
            headings += 1;
        }
        if t.contains("](") || t.contains("**") || t.contains("__") {
            other += 1;
        }
    }
    headings >= 2 || (headings >= 1 && other >= 1)
}

/// NUL bytes, or more than a trace of control characters other than tab, line ends and form
/// feed: not a text (looked for in the first 64 KiB).
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    controls * 100 > head.len().max(1)
}

fn binary(bytes: &[u8]) -> BytesError {
    let kind = if bytes.starts_with(b"\x89PNG") {
        "a PNG image"
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        "a JPEG image"
    } else if bytes.starts_with(b"GIF8") {
        "a GIF image"
    } else if bytes.starts_with(b"PK\x03\x04") {
        "a zip archive or an office document"
    } else if bytes.starts_with(b"\xd0\xcf\x11\xe0") {
        "an old Word or Excel document"
    } else {
        ""
    };
    BytesError::Binary(kind.to_string())
}

/// Little- or big-endian UTF-16, when the bytes open with its byte-order mark.
fn utf16_bom(bytes: &[u8]) -> Option<bool> {
    match bytes {
        [0xff, 0xfe, ..] => Some(true),
        [0xfe, 0xff, ..] => Some(false),
        _ => None,
    }
}

/// The text of the bytes, and a note when it was not read as UTF-8.
fn decode(bytes: &[u8]) -> Result<(String, Option<String>), BytesError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(BytesError::Empty);
    }
    if let Some(little) = utf16_bom(bytes) {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        let text = String::from_utf16_lossy(&units);
        if text.contains('\0') {
            return Err(binary(bytes));
        }
        return Ok((text, Some("read as UTF-16".into())));
    }
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok((t.to_string(), None)),
        Err(_) => {
            let lossy = String::from_utf8_lossy(bytes);
            let bad = lossy.chars().filter(|&c| c == '\u{fffd}').count();
            let wide = lossy
                .chars()
                .filter(|&c| c >= '\u{80}' && c != '\u{fffd}')
                .count();
            let per_mille = bad * 1000 / lossy.chars().count().max(1);
            // A UTF-8 text with a few damaged bytes: kept, the damage shown as `�`.
            if wide > bad && per_mille <= 10 {
                return Ok((
                    lossy.into_owned(),
                    Some(format!("{bad} byte(s) were not UTF-8 and show as �")),
                ));
            }
            // Windows-1252: every byte is a character; accepted when the high bytes are a small
            // share, as accented letters are in a European text.
            let high = bytes.iter().filter(|&&b| b >= 0x80).count();
            if high * 100 <= bytes.len() * 15 {
                return Ok((windows_1252(bytes), Some("read as Windows-1252".into())));
            }
            Err(BytesError::Encoding(
                u32::try_from((per_mille / 10).max(1)).unwrap_or(100),
            ))
        }
    }
}

/// Decodes Windows-1252 (Latin-1 with typographic characters in 0x80–0x9F).
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<FromBytes, BytesError> {
        parse_upload("notes.txt", bytes, &Hints::default(), &Limits::default())
    }

    #[test]
    fn markdown_and_text_are_told_apart_by_content() {
        let md = b"# Notes\n\n## One\n\nFirst paragraph.\n\n## Two\n\nSecond.\n";
        let r =
            parse_upload("notes.txt", md, &Hints::default(), &Limits::default()).expect("reads");
        assert_eq!(r.format, Sniffed::Markdown);
        assert_eq!(r.document.sections.len(), 2);
        let txt = b"Notes\n\nA first paragraph of plain text.\n\n- a list item\n- another\n";
        assert_eq!(
            parse_upload("notes.md", txt, &Hints::default(), &Limits::default())
                .expect("reads")
                .format,
            Sniffed::Text
        );
    }

    #[test]
    fn binary_empty_and_foreign_encodings_are_refused_with_a_reason() {
        assert_eq!(read(b"").unwrap_err(), BytesError::Empty);
        assert_eq!(read(b" \n\n\t ").unwrap_err(), BytesError::Empty);
        assert!(matches!(
            read(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err(),
            BytesError::Binary(k) if k == "a PNG image"
        ));
        assert!(matches!(read(b"abc\0def"), Err(BytesError::Binary(_))));
        assert!(
            matches!(
                read(b"%PDF-1.7\n...").unwrap_err(),
                BytesError::Read(ReadError::Corrupt { format: "PDF", .. })
            ),
            "a PDF with nothing after its header is refused as a damaged PDF"
        );
        let page = read(b"<!DOCTYPE html><html><head><title>Hi</title></head><body><h1>One</h1><p>The assembly decides.</p></body></html>")
            .expect("an HTML page is read");
        assert_eq!(page.format, Sniffed::Html);
        assert!(
            page.document
                .sections
                .iter()
                .flat_map(|s| &s.passages)
                .any(|p| p.text == "The assembly decides.")
        );
        // Mostly invalid UTF-8 that is not a European single-byte text either.
        let noise: Vec<u8> = (0..4000u32).map(|i| 0x80 + (i * 7 % 0x7f) as u8).collect();
        assert!(matches!(read(&noise), Err(BytesError::Encoding(_))));
        assert!(
            read(b"\n\n---\n\n").is_err(),
            "no paragraph of words: nothing to index"
        );
    }

    #[test]
    fn utf16_and_windows_1252_texts_are_read() {
        let text = "Título\n\nLa asamblea decide.\n";
        let mut utf16 = vec![0xff, 0xfe];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let r = read(&utf16).expect("UTF-16 reads");
        assert!(r.document.sections[0].passages[0].text.contains("asamblea"));
        let latin: Vec<u8> = b"T\xedtulo\n\nLa asamblea decide, se\xf1ores.\n".to_vec();
        let r = read(&latin).expect("Windows-1252 reads");
        assert!(
            r.document
                .sections
                .iter()
                .flat_map(|s| &s.passages)
                .any(|p| p.text.contains("señores"))
        );
        assert_eq!(r.note.as_deref(), Some("read as Windows-1252"));
    }

    #[test]
    fn the_title_hint_names_the_document() {
        let r = parse_upload(
            "upload.txt",
            b"Some words here.\n\nMore words.\n",
            &Hints {
                title: Some("Our Reading".into()),
                id: None,
                language: None,
            },
            &Limits::default(),
        )
        .expect("reads");
        assert_eq!(r.document.title, "Our Reading");
        assert_eq!(r.document.id, "our-reading");
    }
}

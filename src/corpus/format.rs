//! What a file is and which reader it goes to: decided from its bytes ([`sniff`]: a PDF header, a
//! zip holding an EPUB, HTML markup, Markdown or plain text by name), never from the name alone, so
//! that a binary file named `notes.txt` is skipped rather than read as text. [`parse_bytes`] is the
//! one entry from bytes to a [`Document`] (for files on disk and texts uploaded from Discord
//! alike): no I/O, limits on what a hostile file can cost ([`Limits`]), and a panic inside a reader
//! caught and reported as a [`ReadError`] instead of reaching a front end.

use std::time::Duration;

pub use super::limits::{Limits, ReadError};
use super::{Document, Overrides, epub, pdf};

/// Which reader a file goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Epub,
    Pdf,
}

impl Format {
    /// The format a file extension names, if cabildo reads it.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" | "info" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "epub" => Some(Format::Epub),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The format's usual name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "Markdown",
            Format::Html => "HTML",
            Format::Epub => "EPUB",
            Format::Pdf => "PDF",
        }
    }
}

/// How much of a text file may be invalid UTF-8 or control characters before it counts as binary.
/// A quarter: random bytes run to about 60 %, while a Latin-1 file read as UTF-8 (one bad
/// byte per accented letter) stays far below, and is read with `�` in their place.
const MAX_BAD_SHARE: f64 = 0.25;
/// How much of a file is looked at to decide.
const SNIFF_BYTES: usize = 64 * 1024;

/// What a file is, from its first bytes and (for text) its name: a PDF (`%PDF-` header), an EPUB
/// (a zip archive with an EPUB `mimetype` or `META-INF/container.xml`), HTML (a `.html` name, or
/// markup at the start), Markdown (a `.md` name), else text. `Err(Binary)` for anything else that
/// is not text: NUL bytes, or more than a quarter invalid UTF-8 or control characters.
pub fn sniff(name: &str, bytes: &[u8]) -> Result<Format, ReadError> {
    let head = &bytes[..bytes.len().min(1024)];
    if find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let probe = &bytes[..bytes.len().min(SNIFF_BYTES)];
        if find(probe, b"application/epub+zip").is_some()
            || find(probe, b"META-INF/container.xml").is_some()
            || extension(name) == Some(Format::Epub)
        {
            return Ok(Format::Epub);
        }
        return Err(ReadError::Binary(
            "a zip archive that is not an EPUB book".into(),
        ));
    }
    // Named a PDF or an EPUB but not one inside: refused as what its name says.
    if let Some(f @ (Format::Pdf | Format::Epub)) = extension(name) {
        return Err(ReadError::Corrupt {
            format: f.name(),
            detail: match f {
                Format::Pdf => "it does not start with a PDF header (`%PDF-`)".into(),
                _ => "it is not a zip archive".into(),
            },
        });
    }
    binary_check(&bytes[..bytes.len().min(SNIFF_BYTES)])?;
    let by_name = extension(name);
    Ok(match by_name {
        Some(Format::Markdown) => Format::Markdown,
        Some(Format::Html) => Format::Html,
        _ if looks_like_html(head) => Format::Html,
        _ => Format::Text,
    })
}

fn extension(name: &str) -> Option<Format> {
    let (_, ext) = name.rsplit_once('.')?;
    Format::from_extension(ext)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `Err` when the bytes are not text: a NUL byte, or too many invalid UTF-8 sequences and control
/// characters (other than tab, line and page breaks, escape and Info's node separators).
fn binary_check(bytes: &[u8]) -> Result<(), ReadError> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(ReadError::Binary(format!("NUL byte at offset {at}")));
    }
    if bytes.is_empty() {
        return Ok(());
    }
    let mut bad = 0usize;
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                bad += s.chars().filter(|&c| is_control(c)).count();
                break;
            }
            Err(e) => {
                let (good, after) = rest.split_at(e.valid_up_to());
                if let Ok(s) = std::str::from_utf8(good) {
                    bad += s.chars().filter(|&c| is_control(c)).count();
                }
                match e.error_len() {
                    Some(n) => {
                        bad += n;
                        rest = &after[n..];
                    }
                    // Cut mid-character at the end of the sample: not an error.
                    None => break,
                }
            }
        }
    }
    let share = bad as f64 / bytes.len() as f64;
    if share > MAX_BAD_SHARE {
        return Err(ReadError::Binary(format!(
            "{:.0}% of its first bytes are not valid UTF-8 text",
            share * 100.0
        )));
    }
    Ok(())
}

fn is_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b' | '\x1f' | '\x7f')
}

/// Markup at the start of a file (after a BOM, white space, an XML declaration or comments):
/// `<!DOCTYPE html`, `<html`, `<head`, `<body`.
fn looks_like_html(head: &[u8]) -> bool {
    let s = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut s = s.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(rest) = s.strip_prefix("<?xml") {
            s = rest.split_once("?>").map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = s.strip_prefix("<!--") {
            s = rest.split_once("-->").map_or("", |(_, r)| r).trim_start();
        } else {
            break;
        }
    }
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// Reads one file's bytes into a document, in the format its content says ([`sniff`]).
/// `name` is the file name (its stem gives the id and the fallback title; its extension tells
/// Markdown from text). Never panics: a reader's panic comes back as [`ReadError::Panicked`].
pub fn parse_bytes(
    name: &str,
    bytes: &[u8],
    outside: Overrides,
    limits: &Limits,
) -> Result<Document, ReadError> {
    let format = sniff(name, bytes)?;
    let stem = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .rsplit_once('.')
        .map_or(name, |(s, _)| s);
    let id = super::slug(stem);
    let fallback = stem.replace(['-', '_'], " ");
    let fallback = fallback.trim();
    let read = || read_as(format, &id, fallback, bytes, &outside, limits);
    let doc = crate::error::catch_panic(read).map_err(|message| ReadError::Panicked {
        format: format.name(),
        message,
    })??;
    if doc.passage_count() == 0 {
        return Err(ReadError::Empty);
    }
    Ok(doc)
}

/// Reads `bytes` with the reader of `format` (no sniffing, no panic guard: see [`parse_bytes`]).
/// Text formats are read as UTF-8, a damaged byte as `�`; their front matter is merged with
/// `outside`.
pub fn read_as(
    format: Format,
    id: &str,
    fallback: &str,
    bytes: &[u8],
    outside: &Overrides,
    limits: &Limits,
) -> Result<Document, ReadError> {
    match format {
        // The HTML reader settles a book's language (once: detection is most of a read's time).
        Format::Epub => epub::parse(id, fallback, bytes, outside, limits),
        Format::Pdf => pdf::parse(id, fallback, bytes, outside, limits).map(|mut doc| {
            doc.settle_language(outside.language);
            doc
        }),
        Format::Html | Format::Markdown | Format::Text => Ok(super::parse_with(
            id,
            fallback,
            format,
            &String::from_utf8_lossy(bytes),
            outside.clone(),
        )),
    }
}

/// Runs a read on a thread of its own, so that a file that takes longer than
/// [`Limits::max_seconds`] (a loop in a hostile PDF that no deadline check reaches) is given up
/// on and reported while the rest of the corpus loads. The thread is left to finish on its own.
/// A panic comes back as [`ReadError::Panicked`].
pub fn guarded<F>(limits: &Limits, read: F) -> Result<Document, ReadError>
where
    F: FnOnce() -> Result<Document, ReadError> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("cabildo-read".into())
        .stack_size(READER_STACK)
        .spawn(move || {
            let result = crate::error::catch_panic(read).unwrap_or_else(|message| {
                Err(ReadError::Panicked {
                    format: "file",
                    message,
                })
            });
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(ReadError::Corrupt {
            format: "file",
            detail: format!("no thread to read it on: {e}"),
        });
    }
    // A little beyond the readers' own deadline, which they check as they go.
    let wait = Duration::from_secs(limits.max_seconds.saturating_add(2));
    match rx.recv_timeout(wait) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(ReadError::TooSlow {
            seconds: limits.max_seconds,
        }),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(ReadError::Panicked {
            format: "file",
            message: "the reader stopped without an answer".into(),
        }),
    }
}

/// Stack of a reader thread: deeply nested markup or PDF objects recurse.
const READER_STACK: usize = 64 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_bytes() {
        assert_eq!(sniff("a.txt", b"%PDF-1.5\n..."), Ok(Format::Pdf));
        assert_eq!(
            sniff("a.txt", b"<!DOCTYPE html><html><p>x</p>"),
            Ok(Format::Html)
        );
        assert_eq!(
            sniff("a", b"<?xml version='1.0'?>\n<html xmlns='x'>"),
            Ok(Format::Html)
        );
        assert_eq!(sniff("a.md", b"# Title\n\ntext"), Ok(Format::Markdown));
        assert_eq!(sniff("a.txt", b"Plain words."), Ok(Format::Text));
        assert!(matches!(
            sniff("a.txt", b"abc\0def"),
            Err(ReadError::Binary(_))
        ));
        assert!(matches!(
            sniff("a.zip", b"PK\x03\x04rest"),
            Err(ReadError::Binary(_))
        ));
        let noise: Vec<u8> = (0..4000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 0x80)
            .collect();
        assert!(matches!(
            sniff("noise.txt", &noise),
            Err(ReadError::Binary(_))
        ));
        // Latin-1 prose: a few bad bytes among many good ones is still text.
        let latin = b"Caf\xe9 con le\xf1a, una canci\xf3n de los a\xf1os pasados para todos.";
        assert_eq!(sniff("a.txt", latin), Ok(Format::Text));
    }
}

//! What every reader's document must be, whatever bytes it was made from: shared by the fuzz
//! targets for the HTML, EPUB and PDF readers and by `tests/fuzz_regressions.rs`, which replays
//! their committed inputs in CI (included there with `#[path]`).

#![allow(dead_code)]

use std::io::Write;

use cabildo::Reference;
use cabildo::corpus::html::{self, BookInfo, Page};
use cabildo::corpus::{Corpus, Document, Format, Limits, Overrides, ReadError, format};

/// Limits small enough for a fuzzer's memory and time (the defaults allow 256 MB and 30 s): what
/// a hostile file may cost is still checked, only sooner.
pub fn limits() -> Limits {
    Limits {
        max_unpacked_bytes: 32 * 1024 * 1024,
        max_entries: 2_000,
        max_seconds: 10,
    }
}

/// `data` read as a file of `format`, within [`limits`], with no panic guard (a panic is a finding).
pub fn read(format: Format, data: &[u8]) -> Result<Document, ReadError> {
    format::read_as(
        format,
        "doc",
        "Fallback",
        data,
        &Overrides::default(),
        &limits(),
    )
}

/// `data` as HTML: the documents of one page and of the same bytes read as a folder of pages
/// ([`pieces`]) put in book order, each book read as one document. Panics unless the book order
/// puts every page in exactly one book.
pub fn html_documents(data: &[u8]) -> Vec<Document> {
    let mut docs: Vec<Document> = read(Format::Html, data).into_iter().collect();
    let pages: Vec<(String, String)> = pieces(data, "html")
        .into_iter()
        .map(|(name, bytes)| (name, String::from_utf8_lossy(&bytes).into_owned()))
        .collect();
    let mut seen = vec![false; pages.len()];
    for group in html::book_order(&pages) {
        let book: Vec<Page> = group
            .iter()
            .map(|&i| {
                assert!(
                    i < pages.len(),
                    "book_order names page {i} of {}",
                    pages.len()
                );
                assert!(!seen[i], "book_order puts page {i} in two books");
                seen[i] = true;
                Page {
                    name: pages[i].0.clone(),
                    html: pages[i].1.clone(),
                }
            })
            .collect();
        let info = BookInfo::default();
        docs.push(html::parse_book(
            "doc",
            "Fallback",
            &book,
            &info,
            &Overrides::default(),
        ));
    }
    assert!(seen.iter().all(|&s| s), "book_order leaves a page out");
    docs
}

/// An EPUB's entries given as [`pieces`], zipped without compression (a name given twice is kept
/// once, the first time), so that mutations land in the XML and XHTML rather than in a zip's
/// checksums. `None` when the zip writer refuses.
pub fn zip_pieces(data: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in pieces(data, "xhtml") {
        if zip.start_file(name, stored).is_ok() {
            zip.write_all(&bytes).ok()?;
        }
    }
    Some(zip.finish().ok()?.into_inner())
}

/// An input read as several named files: pieces separated by NUL bytes, each piece's first line
/// its name (`index.html`, `OEBPS/content.opf`) when that line is short and has no markup; else
/// the piece is named `page{i}.{ext}`. Lets one input carry a whole HTML book or the entries of
/// an EPUB, so that the fuzzer mutates their markup rather than a zip's checksums.
pub fn pieces(data: &[u8], ext: &str) -> Vec<(String, Vec<u8>)> {
    data.split(|&b| b == 0)
        .enumerate()
        .map(|(i, piece)| {
            let named = piece.iter().position(|&b| b == b'\n').and_then(|nl| {
                let name = std::str::from_utf8(&piece[..nl]).ok()?.trim();
                let plain =
                    !name.is_empty() && name.len() <= 100 && !name.contains(['<', '>', ' ', '"']);
                plain.then(|| (name.to_string(), piece[nl + 1..].to_vec()))
            });
            named.unwrap_or_else(|| (format!("page{i}.{ext}"), piece.to_vec()))
        })
        .collect()
}

/// Panics (naming `name`, the input) unless `doc` keeps every promise the corpus model makes:
/// sections and passages numbered 1..=n; titles, passages and notes non-empty and trimmed; no
/// footnote syntax in a title; each note's marker shown in its passage as `[label]`; section
/// labels unique in the document and item labels unique in their section; the corpus built from
/// it sees every passage; every passage's reference, in its human and short forms, parses back to
/// that passage; and a passage's page, when it has one, is a reference that parses.
pub fn check_document(name: &str, doc: &Document) {
    let mut section_labels = std::collections::HashSet::new();
    for (i, section) in doc.sections.iter().enumerate() {
        assert_eq!(section.number as usize, i + 1, "{name}: section numbers");
        if let Some(title) = &section.title {
            assert!(!title.trim().is_empty(), "{name}: empty section title");
            assert_eq!(title.trim(), title, "{name}: title not trimmed");
            assert!(
                !title.contains("[^"),
                "{name}: footnote syntax in {title:?}"
            );
        }
        if let Some(label) = &section.label {
            assert!(
                section_labels.insert(label.as_str()),
                "{name}: section label {label:?} twice"
            );
        }
        let mut item_labels = std::collections::HashSet::new();
        for (j, p) in section.passages.iter().enumerate() {
            assert_eq!(p.number as usize, j + 1, "{name}: passage numbers");
            assert!(!p.text.trim().is_empty(), "{name}: empty passage");
            assert_eq!(p.text.trim(), p.text, "{name}: passage not trimmed");
            if let Some(label) = &p.label {
                assert!(
                    item_labels.insert(label.as_str()),
                    "{name}: item label {label:?} twice in section {}",
                    section.number
                );
            }
            for note in &p.notes {
                assert!(!note.label.is_empty(), "{name}: note without a label");
                assert!(!note.text.trim().is_empty(), "{name}: empty note");
                assert!(
                    p.text.contains(&format!("[{}]", note.label)),
                    "{name}: note [{}] not marked in {:?}",
                    note.label,
                    p.text
                );
            }
        }
    }
    let corpus = Corpus::new(vec![doc.clone()], Vec::new());
    assert_eq!(corpus.len(), doc.passage_count(), "{name}: corpus size");
    for (ord, view) in corpus.passages().enumerate() {
        assert_eq!(view.ord as usize, ord, "{name}: ordinals");
        assert_eq!(corpus.ord_of(view.loc), Some(view.ord), "{name}: ord_of");
        let r = Reference::passage(0, view.section.number, view.passage.number);
        assert!(r.check(&corpus).is_ok(), "{name}: {r:?} does not check");
        for form in [r.human(&corpus), r.short(&corpus)] {
            assert_eq!(
                Reference::parse(&form, &corpus).ok(),
                Some(r),
                "{name}: {form:?} does not parse back to its passage"
            );
        }
        if let Some(page) = &view.passage.page {
            assert!(
                Reference::parse(&format!("p. {page}"), &corpus).is_ok(),
                "{name}: page {page:?} is not a reference"
            );
        }
    }
}

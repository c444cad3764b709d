//! Any bytes as a document, in both formats: the parser never panics and its output is well formed.

#![no_main]

use cabildo::corpus::{self, Document, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    // Passages and titles are the input's own words: only white space may differ (prose is
    // reflowed, indentation dropped).
    // A w3m note mark (`^[1]`) is shown as `[1]` when its note is found.
    let ws = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace("^[", "[")
    };
    let normalised = ws(&corpus::normalize_newlines(&raw));

    let text = corpus::parse("doc", "Fallback", Format::Text, &raw);
    check_numbering(&text);
    for section in &text.sections {
        if let Some(title) = &section.title {
            assert!(
                normalised.contains(&ws(title)),
                "heading {title:?} not in input"
            );
        }
        for p in &section.passages {
            assert!(
                normalised.contains(&ws(&p.text)),
                "plain-text passage {:?} not in the normalised input",
                p.text
            );
        }
    }

    let md = corpus::parse("doc", "Fallback", Format::Markdown, &raw);
    check_numbering(&md);
});

fn check_numbering(doc: &Document) {
    assert_eq!(doc.id, "doc");
    for (i, section) in doc.sections.iter().enumerate() {
        assert_eq!(section.number as usize, i + 1, "section numbers run 1..=n");
        if let Some(title) = &section.title {
            assert!(!title.trim().is_empty(), "empty section title");
        }
        for (j, p) in section.passages.iter().enumerate() {
            assert_eq!(p.number as usize, j + 1, "passage numbers run 1..=n");
            assert!(!p.text.trim().is_empty(), "empty passage");
            assert_eq!(p.text.trim(), p.text, "passage not trimmed");
        }
    }
    // The corpus built from it sees every passage, in reading order.
    let corpus = corpus::Corpus::new(vec![doc.clone()], Vec::new());
    assert_eq!(corpus.len(), doc.passage_count());
    for (ord, view) in corpus.passages().enumerate() {
        assert_eq!(view.ord as usize, ord);
        assert_eq!(corpus.ord_of(view.loc), Some(view.ord));
    }
}

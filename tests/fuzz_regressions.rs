//! The fuzz targets' invariants (see `fuzz/`), replayed in CI on every committed input in
//! `fuzz/corpus/<target>/`: the seeds, and any crash the fuzzers find (drop the artifact there).

use std::path::PathBuf;

use cabildo::corpus::{self, Corpus, Document, Format};
use cabildo::render::{json, text};
use cabildo::{AskOptions, Reference, ask};

use crate::common::essay;

/// The committed inputs of a fuzz target (`fuzz/corpus/<target>/`); there must be some.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let out = files(&format!("fuzz/corpus/{target}"), "");
    assert!(!out.is_empty(), "no inputs in fuzz/corpus/{target}");
    out
}

/// The files of a folder of the repository (none when it does not exist) whose names end in
/// `suffix`, sorted, with their bytes.
fn files(dir: &str, suffix: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file() && p.to_string_lossy().ends_with(suffix))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read(&p).expect("read input"),
            )
        })
        .collect();
    out.sort();
    out
}

fn check_numbering(name: &str, doc: &Document) {
    for (i, section) in doc.sections.iter().enumerate() {
        assert_eq!(section.number as usize, i + 1, "{name}: section numbers");
        for (j, p) in section.passages.iter().enumerate() {
            assert_eq!(p.number as usize, j + 1, "{name}: passage numbers");
            assert!(!p.text.trim().is_empty(), "{name}: empty passage");
            assert_eq!(p.text.trim(), p.text, "{name}: passage not trimmed");
        }
    }
}

/// The committed inputs, and the real plain texts of the shape suite (Info, man pages,
/// changelogs, FAQs, DocBook renderings), which reach every plain-text rule.
#[test]
fn corpus_parse_inputs() {
    let mut all = inputs("corpus_parse");
    all.extend(files("tests/data/corpora/shapes-real", ".txt"));
    all.extend(files("tests/data/corpora/shapes-real", ".info"));
    for (name, data) in all {
        let raw = String::from_utf8_lossy(&data);
        // Passages and titles are the input's words; only white space may differ (reflowed
        // prose, a wrapped question).
        // A w3m note mark (`^[1]`) is shown as `[1]` when its note is found.
        let ws = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace("^[", "[")
        };
        let normalised = ws(&corpus::normalize_newlines(&raw));
        let doc = corpus::parse("doc", "Fallback", Format::Text, &raw);
        check_numbering(&name, &doc);
        for s in &doc.sections {
            if let Some(t) = &s.title {
                assert!(normalised.contains(&ws(t)), "{name}: title {t:?}");
            }
        }
        for p in doc.sections.iter().flat_map(|s| &s.passages) {
            assert!(normalised.contains(&ws(&p.text)), "{name}: {:?}", p.text);
        }
        check_numbering(
            &name,
            &corpus::parse("doc", "Fallback", Format::Markdown, &raw),
        );
    }
}

#[test]
fn reference_parse_inputs() {
    let corpus: &Corpus = &essay().corpus;
    for (name, data) in inputs("reference_parse") {
        let Ok(s) = std::str::from_utf8(&data) else {
            continue;
        };
        let Ok(r) = Reference::parse(s, corpus) else {
            continue;
        };
        assert!(r.check(corpus).is_ok(), "{name}");
        for form in [r.human(corpus), r.short(corpus), r.titled(corpus)] {
            assert_eq!(
                Reference::parse(&form, corpus).ok(),
                Some(r),
                "{name}: {form}"
            );
        }
    }
}

#[test]
fn ask_render_inputs() {
    for (name, data) in inputs("ask_render") {
        let Ok(q) = std::str::from_utf8(&data) else {
            continue;
        };
        let a = ask(essay(), q, &AskOptions::default()).expect("a question never errors");
        let v: serde_json::Value = serde_json::from_str(&json::line(&a)).expect("valid JSON");
        assert_eq!(v["query"].as_str(), Some(q), "{name}");
        assert!(!text::answer(&a, text::Style::plain()).is_empty());
        for hit in &a.results {
            let inner = hit.excerpt.strip_prefix('…').unwrap_or(&hit.excerpt);
            let inner = inner.strip_suffix('…').unwrap_or(inner);
            assert!(hit.passage.contains(inner), "{name}: {:?}", hit.excerpt);
            let chars = hit.excerpt.chars().count();
            for &(s, e) in &hit.highlights {
                assert!(s < e && e <= chars, "{name}: highlight {s}..{e} of {chars}");
            }
        }
    }
}

#[test]
fn interaction_inputs() {
    use cabildo::discord::handler::Bot;
    use cabildo::discord::http::HttpInteractions;
    use cabildo::server::{Interactions, Reply};
    let engine =
        cabildo::engine::Engine::from_corpus(cabildo::corpus::embedded(), None, Default::default())
            .expect("engine");
    let handler = std::sync::Arc::new(HttpInteractions::new(
        std::sync::Arc::new(Bot::new(
            std::sync::Arc::new(engine),
            1,
            std::time::Duration::ZERO,
        )),
        None,
    ));
    let mut answered = 0;
    for (name, data) in inputs("interaction") {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&data) else {
            continue;
        };
        let Some(kind) = value["type"].as_u64() else {
            continue;
        };
        let reply = crate::discord::runtime().block_on(handler.clone().respond(data.into(), kind));
        if let Reply::Json { body, .. } = reply {
            let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON reply");
            if body["type"] != 8 {
                crate::discord::limits_check(&body["data"]);
            }
            answered += 1;
        } else {
            assert_eq!(
                value["type"], 1,
                "{name}: only the PING seed is not a served interaction"
            );
        }
    }
    assert!(answered >= 5);
}

/// The invariants the format fuzz targets check, shared with them.
#[path = "../fuzz/fuzz_targets/common.rs"]
mod invariants;

/// A committed input the fuzzer found (`crash-…`, `timeout-…`, `oom-…`) may be refused; a seed is
/// a real file (or cut from one) and must read.
fn is_seed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    !["crash-", "timeout-", "oom-", "slow-unit-"]
        .iter()
        .any(|p| file.starts_with(p))
}

/// The real HTML pages the `html_read` target also starts from, where they live (fuzz/README.md).
#[test]
fn html_read_inputs() {
    let real = files("tests/data/corpora/shapes-real", ".html");
    assert!(real.len() >= 5, "the shape suite's HTML pages");
    for (name, data) in inputs("html_read").into_iter().chain(real) {
        let docs = invariants::html_documents(&data);
        for doc in &docs {
            invariants::check_document(&name, doc);
        }
        if is_seed(&name) {
            assert!(
                docs.iter().any(|d| d.passage_count() > 5),
                "{name}: a real page gives passages"
            );
        }
    }
}

#[test]
fn epub_and_pdf_inputs() {
    // The EPUB target starts from real books where they live, and keeps only its findings.
    let mut epubs = files("tests/data/corpora/shapes-real", ".epub");
    epubs.extend(files(
        "tests/data/corpora/es/formats/project-history",
        ".epub",
    ));
    assert_eq!(
        epubs.len(),
        2,
        "the two real EPUBs the epub_read target starts from"
    );
    epubs.extend(files("fuzz/corpus/epub_read", ""));
    let pdfs = inputs("pdf_read");
    for (inputs, format) in [(epubs, Format::Epub), (pdfs, Format::Pdf)] {
        for (name, data) in inputs {
            match invariants::read(format, &data) {
                Ok(doc) => invariants::check_document(&name, &doc),
                Err(e) => assert!(!is_seed(&name), "{name}: a real file refused: {e}"),
            }
        }
    }
    for (name, data) in inputs("epub_package") {
        let epub = invariants::zip_pieces(&data).expect("a seed's entries zip");
        match invariants::read(Format::Epub, &epub) {
            Ok(doc) => invariants::check_document(&name, &doc),
            Err(e) => assert!(!is_seed(&name), "{name}: a real book refused: {e}"),
        }
    }
}

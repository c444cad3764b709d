//! One text, the same structure in every format (issue 27): the Debian Policy Manual and the
//! Developer's Reference as their Debian packages ship them — Sphinx plain text, HTML pages, EPUB
//! and PDF. For each book, one table row; for each of its editions: the same numbered sections
//! with the same titles as the text edition, at least 95 % of the text edition's passages found
//! (up to white space) among its passages, the same passage quoted for each typed reference, and
//! the same passage ranked first for each question. Each edition is parsed once and shared.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

use cabildo::config::SearchSettings;
use cabildo::corpus::{self, Corpus};
use cabildo::engine::Engine;
use cabildo::{AskOptions, Reference, ask};

use crate::common::data;

/// One book in every format; the first edition is the plain text the others are compared with.
struct Book {
    name: &'static str,
    editions: &'static [(&'static str, &'static str)],
    /// The PDF numbers the appendices as chapters after the last one (the Policy's appendix 1 is
    /// its chapter 13, SHAPES.md): the text's `Appendix k` is the PDF's chapter `k + offset`.
    pdf_appendix_offset: u32,
    /// Labelled sections every edition must have, as the text edition titles them.
    sections: &'static [(&'static str, &'static str)],
    /// References typed by a reader, which must quote the same passage in every edition.
    refs: &'static [&'static str],
    /// Questions (from the dev set, never the held-out one) whose first answer must be the same
    /// passage in every edition.
    questions: &'static [&'static str],
}

const BOOKS: &[Book] = &[
    Book {
        name: "policy",
        editions: &[
            ("text", "formats/policy/policy.txt"),
            ("html", "formats/policy/html"),
            ("epub", "formats/policy/policy.epub"),
            ("pdf", "formats/policy/policy.pdf"),
        ],
        pdf_appendix_offset: 12,
        sections: &[
            ("1", "About this manual"),
            ("3.1.1", "Packages with potentially offensive content"),
            ("5.6.12.1", "Epochs should be used sparingly"),
            ("12", "Documentation"),
            ("Appendix 10.2", "Version 4.6.2"),
        ],
        refs: &[
            "3.1",
            "§3.1.1",
            "3.1.1 ¶2",
            "chapter 2",
            "section 9.1.1",
            "10.7.3 ¶1",
        ],
        questions: &[
            "package name allowed characters",
            "Which range of user ids is meant for system users that get created dynamically?",
            "where do I put the copyright file",
        ],
    },
    Book {
        name: "devref",
        editions: &[
            ("text", "formats/devref/developers-reference.txt"),
            ("html", "formats/devref/html"),
            ("epub", "formats/devref/developers-reference.epub"),
            ("pdf", "formats/devref/developers-reference.pdf"),
        ],
        pdf_appendix_offset: 8,
        sections: &[
            ("1", "Scope of This Document"),
            ("5.8.5.2", "Confidentiality"),
            ("8", "Internationalization and Translations"),
        ],
        refs: &["2.1", "§5.6", "4.1 ¶1", "chapter 3"],
        questions: &[
            "how do I ask for a package to be removed from the archive",
            "what is a non-maintainer upload",
        ],
    },
];

/// Every edition, parsed once.
fn edition(path: &str) -> &'static Corpus {
    static CACHE: OnceLock<HashMap<String, Corpus>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        let paths: Vec<&str> = BOOKS
            .iter()
            .flat_map(|b| b.editions.iter().map(|(_, p)| *p))
            .collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = paths
                .iter()
                .map(|p| {
                    s.spawn(move || {
                        let full: PathBuf = data().join("corpora").join(p);
                        let c = corpus::load(&full).unwrap_or_else(|e| panic!("{p}: {e}"));
                        (p.to_string(), c)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("an edition loads"))
                .collect()
        })
    });
    &all[path]
}

/// A passage as compared across editions: without white space, without the marks Sphinx's text
/// builder adds for what the other formats show by type (`"literal"`, `*emphasis*`, `* `
/// bullets), and with typographic quotes as plain ones (Sphinx's EPUB and LaTeX builders curl
/// `'` where its text and HTML builders do not).
fn key(s: &str) -> String {
    s.lines()
        .map(|l| {
            let l = l.trim_start();
            ["* ", "• ", "- ", "+ "]
                .iter()
                .find_map(|b| l.strip_prefix(b))
                .unwrap_or(l)
        })
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '*' | '•' | '“' | '”' | '„'))
        .map(|c| {
            if matches!(c, '‘' | '’' | '‛') {
                '\''
            } else {
                c
            }
        })
        .collect()
}

fn title_key(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '"' | '*'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text edition's label for a section of another edition (the PDF's chapters after the
/// last are the text's appendices).
fn text_label(label: &str, format: &str, offset: u32) -> String {
    if format != "pdf" || offset == 0 {
        return label.to_string();
    }
    let (head, rest) = label
        .split_once('.')
        .map_or((label, None), |(h, r)| (h, Some(r)));
    match head.parse::<u32>() {
        Ok(n) if n > offset => match rest {
            Some(r) => format!("Appendix {}.{r}", n - offset),
            None => format!("Appendix {}", n - offset),
        },
        _ => label.to_string(),
    }
}

/// label → title of every labelled section, in the text edition's numbering.
fn numbered(c: &Corpus, format: &str, offset: u32) -> BTreeMap<String, String> {
    c.documents[0]
        .sections
        .iter()
        .filter_map(|s| {
            let label = text_label(s.label.as_deref()?, format, offset);
            Some((label, title_key(s.title.as_deref().unwrap_or(""))))
        })
        .collect()
}

fn passages(c: &Corpus) -> Vec<String> {
    c.passages()
        .map(|p| key(&p.passage.text))
        .filter(|k| !k.is_empty())
        .collect()
}

#[test]
fn every_format_gives_the_same_sections() {
    for book in BOOKS {
        let (_, text_path) = book.editions[0];
        let reference = numbered(edition(text_path), "text", 0);
        for (label, title) in book.sections {
            assert_eq!(
                reference.get(*label).map(String::as_str),
                Some(*title),
                "{}: text edition, section {label}",
                book.name
            );
        }
        for (format, path) in &book.editions[1..] {
            let got = numbered(edition(path), format, book.pdf_appendix_offset);
            let missing: Vec<String> = reference
                .iter()
                .filter(|(l, t)| got.get(*l) != Some(t))
                .map(|(l, t)| format!("{l} {t} (got {:?})", got.get(l)))
                .collect();
            let extra: Vec<&String> = got.keys().filter(|l| !reference.contains_key(*l)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{} {format}: {} sections differ from the text edition: {:?}; extra {:?}",
                book.name,
                missing.len(),
                &missing[..missing.len().min(20)],
                &extra[..extra.len().min(20)]
            );
        }
    }
}

#[test]
fn every_format_has_the_text_editions_passages() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for book in BOOKS {
        let (_, text_path) = book.editions[0];
        let text = passages(edition(text_path));
        for (format, path) in &book.editions[1..] {
            let other: HashSet<String> = passages(edition(path)).into_iter().collect();
            let found = text.iter().filter(|k| other.contains(*k)).count();
            let share = found as f64 / text.len() as f64;
            report.push(format!(
                "{} {format}: {found}/{} = {:.1} %",
                book.name,
                text.len(),
                share * 100.0
            ));
            if std::env::var_os("CABILDO_FORMATS_DEBUG").is_some() {
                for k in text.iter().filter(|k| !other.contains(*k)).take(400) {
                    // The passage of this edition that shares the longest opening with it.
                    let common =
                        |o: &String| k.chars().zip(o.chars()).take_while(|(a, b)| a == b).count();
                    let best = other.iter().max_by_key(|o| common(o));
                    let n = best.map_or(0, common);
                    let at = |s: &str| {
                        s.chars()
                            .skip(n.saturating_sub(20))
                            .take(60)
                            .collect::<String>()
                    };
                    eprintln!(
                        "{} {format} missing: {} || text: …{} || {format}: …{}",
                        book.name,
                        k.chars().take(60).collect::<String>(),
                        at(k),
                        best.map_or(String::new(), |b| at(b))
                    );
                }
            }
            if share < 0.95 {
                failures.push(format!(
                    "{} {format}: only {found} of {} text passages ({:.1} %)",
                    book.name,
                    text.len(),
                    share * 100.0
                ));
            }
        }
    }
    eprintln!(
        "passage overlap with the text edition:\n  {}",
        report.join("\n  ")
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_typed_reference_quotes_the_same_passage_in_every_format() {
    for book in BOOKS {
        let quoted = |path: &str, typed: &str| -> String {
            let c = edition(path);
            let r = Reference::parse(typed, c)
                .unwrap_or_else(|e| panic!("{} {path}: {typed}: {e}", book.name));
            let s = r
                .section(c)
                .unwrap_or_else(|| panic!("{} {path}: {typed}: no section", book.name));
            // The section (its title) and the passage quoted: the first one asked for, or none
            // when a section holds only subsections (`§5.6` of the Developer's Reference).
            let first = r.passages.map_or(1, |(a, _)| a);
            let title = title_key(s.title.as_deref().unwrap_or(""));
            match s.passage(first) {
                Some(p) => format!("{title}: {}", key(&p.text)),
                None if r.passages.is_none() && s.passages.is_empty() => format!("{title}:"),
                None => panic!("{} {path}: {typed}: no passage {first}", book.name),
            }
        };
        for typed in book.refs {
            let want = quoted(book.editions[0].1, typed);
            for (format, path) in &book.editions[1..] {
                assert_eq!(quoted(path, typed), want, "{} {format}: {typed}", book.name);
            }
        }
    }
}

#[test]
fn a_question_ranks_the_same_passage_first_in_every_format() {
    for book in BOOKS {
        let engines: Vec<(&str, Engine)> = book
            .editions
            .iter()
            .map(|(format, path)| {
                let e = Engine::from_corpus(edition(path).clone(), None, SearchSettings::default())
                    .expect("engine");
                (*format, e)
            })
            .collect();
        for q in book.questions {
            let first = |e: &Engine| -> String {
                let a = ask(e, q, &AskOptions::default()).expect("answers");
                key(&a.results.first().expect("a result").passage)
            };
            let want = first(&engines[0].1);
            for (format, e) in &engines[1..] {
                assert_eq!(first(e), want, "{} {format}: {q}", book.name);
            }
        }
    }
}

/// Footnotes of real files (pandoc/GitHub Markdown, Sphinx text and HTML, a DocBook HTML chapter,
/// a PDF): no marker syntax reaches a passage or a title, no note is a passage of its own, and a
/// question answered by a note's words finds the passage that cites it, with the note under it —
/// a `notes` array in JSON and a *Notes* line on Discord.
#[tokio::test]
async fn a_footnote_travels_with_the_passage_that_cites_it() {
    use cabildo::discord::commands::Action;
    use cabildo::discord::handler::Bot;
    use cabildo::render::{discord, json};
    use std::sync::Arc;

    let real = data().join("corpora/shapes-real");
    for (file, notes_at_least) in [
        ("tantivy-basis.md", 2),
        ("nodejs-BUILDING.md", 7),
        ("maint-guide-first.html", 18),
        ("shlex-quoting-warning.md", 4),
    ] {
        let c = corpus::load(&real.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let notes: usize = c.passages().map(|p| p.passage.notes.len()).sum();
        assert!(notes >= notes_at_least, "{file}: {notes} notes");
        for p in c.passages() {
            let t = &p.passage.text;
            assert!(!t.contains("[^"), "{file}: marker syntax in {t:?}");
            assert!(
                !t.trim_start().starts_with('[') || !t.contains("]:"),
                "{file}: a note as a passage: {t:?}"
            );
        }
        for s in c.documents.iter().flat_map(|d| &d.sections) {
            let t = s.title.as_deref().unwrap_or("");
            assert!(
                !t.contains("[^") && !t.ends_with(']'),
                "{file}: title {t:?}"
            );
        }
    }
    // Words only the note has ("garbage collected") find the passage citing it.
    let c = corpus::load(&real.join("tantivy-basis.md")).expect("loads");
    let engine = Engine::from_corpus(c, None, SearchSettings::default()).expect("engine");
    let a = ask(
        &engine,
        "are the files ever garbage collected",
        &AskOptions::default(),
    )
    .expect("answers");
    let first = a.results.first().expect("a result");
    assert!(
        first.passage.contains("functional index.[2]"),
        "{}",
        first.passage
    );
    assert_eq!(first.notes.len(), 1);
    assert!(first.notes[0].text.contains("garbage collected"));
    let v: serde_json::Value = serde_json::from_str(&json::line(&a)).expect("json");
    assert_eq!(v["results"][0]["notes"][0]["label"], "2", "{v}");
    let bot = Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO);
    let reply = bot
        .handle(Action::Ask {
            question: "are the files ever garbage collected".into(),
            document: None,
            private: Some(false),
        })
        .await;
    let shown = serde_json::to_value(discord::response(&reply)).expect("serializes");
    let text = shown["data"]["embeds"][0]["description"]
        .as_str()
        .expect("a description");
    // The marker as a plain (Markdown-escaped) number, the note on a line under the quote.
    assert!(
        text.contains("functional index.\\[2\\]\n*Notes:* \\[2\\] Be careful however"),
        "{text}"
    );
}

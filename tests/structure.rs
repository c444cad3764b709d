//! Parsing: the default essay, kjv.md, and a Markdown fixture.

use cabildo::corpus::{self, Format};

use crate::common::{fixture, kjv_corpus};

#[test]
fn essay_has_title_opening_and_seven_titled_sections() {
    let c = corpus::embedded();
    assert_eq!(c.documents.len(), 1);
    let d = &c.documents[0];
    assert_eq!(
        d.title,
        "Revolution in Bolivia: All Power to the Popular Assemblies!"
    );
    let titles: Vec<Option<&str>> = d.sections.iter().map(|s| s.title.as_deref()).collect();
    assert_eq!(
        titles,
        vec![
            None,
            Some("General strike poses question of power"),
            Some("Elements of dual power"),
            Some("The question of the party"),
            Some("Reformism and the question of power"),
            Some("The Constituent Assembly slogan"),
            Some("The working class must take power!"),
            Some("Join us"),
        ]
    );
    let numbers: Vec<u32> = d.sections.iter().map(|s| s.number).collect();
    assert_eq!(numbers, (1..=8).collect::<Vec<_>>());
    assert!(d.sections.iter().all(|s| !s.passages.is_empty()));
}

#[test]
fn essay_list_and_song_are_passages() {
    let c = corpus::embedded();
    let all: Vec<&str> = c.passages().map(|p| p.passage.text.as_str()).collect();
    let list = all
        .iter()
        .find(|t| t.contains("Free and democratic elections"))
        .expect("the Commune's rules are a passage");
    assert!(list.contains("No standing army but the armed people."));
    let song = all
        .iter()
        .find(|t| t.contains("There is no saviour high above us"))
        .expect("the Internationale is a passage");
    assert!(song.contains("And only we can will our good."));
    // Passages are the file's own words; only white space (the list's indentation) may differ.
    let ws = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let raw = ws(include_str!("../corpus/revolution-in-bolivia.txt"));
    assert!(all.iter().all(|t| raw.contains(&ws(t))));
    assert!(
        list.starts_with("1. Free and democratic elections") && list.contains("\n2. No official")
    );
}

#[test]
fn kjv_has_every_chapter_and_verse() {
    let c = kjv_corpus();
    assert_eq!(c.documents.len(), 1);
    let d = &c.documents[0];
    assert_eq!(d.title, "The Holy Bible (King James Version)");
    assert_eq!(d.sections.len(), 1189);
    assert_eq!(c.len(), 31_102);
    let john3 = d
        .sections
        .iter()
        .find(|s| s.title.as_deref() == Some("John 3"))
        .expect("John 3");
    assert!(
        john3.passages[15]
            .text
            .starts_with("For God so loved the world")
    );
    assert_eq!(john3.passages[15].number, 16);
    assert_eq!(d.sections[0].title.as_deref(), Some("Genesis 1"));
    assert!(
        d.sections[0].passages[0]
            .text
            .starts_with("In the beginning God created")
    );
    assert_eq!(
        d.sections.last().and_then(|s| s.title.as_deref()),
        Some("Revelation 22")
    );
}

#[test]
fn markdown_lists_quotes_code_and_front_matter() {
    let raw = std::fs::read_to_string(fixture("study-notes.md")).expect("fixture");
    let d = corpus::parse("study-notes", "fallback", Format::Markdown, &raw);
    assert_eq!(d.title, "Study notes");
    let titles: Vec<Option<&str>> = d.sections.iter().map(|s| s.title.as_deref()).collect();
    assert_eq!(
        titles,
        vec![
            None,
            Some("Rules of the Commune"),
            Some("Empty section"),
            Some("Last words"),
        ]
    );
    let texts = |i: usize| -> Vec<&str> {
        d.sections[i]
            .passages
            .iter()
            .map(|p| p.text.as_str())
            .collect()
    };
    assert_eq!(
        texts(0),
        vec![
            "Opening paragraph before any section, wrapped over two lines with emphasis and code."
        ]
    );
    assert_eq!(
        texts(1),
        vec![
            "The Commune had four rules:",
            "1. Free elections with right of recall.",
            "2. No official paid more than a worker.\nnot even the mayor",
            "3. No standing army.",
            "A bullet item.",
            "A block quote over two lines.\nIts second paragraph.",
        ]
    );
    assert!(texts(2).is_empty());
    assert_eq!(
        texts(3),
        vec!["code block line 1\ncode block line 2", "Final paragraph."]
    );
}

#[test]
fn plain_text_with_crlf_bom_and_no_title_line() {
    let d = corpus::parse(
        "x",
        "Fallback",
        Format::Text,
        "\u{feff}First paragraph has\r\ntwo lines.\r\n\r\nHeading here\r\n\r\nBody text.\r\n",
    );
    assert_eq!(d.title, "Fallback");
    assert_eq!(d.sections.len(), 2);
    assert_eq!(
        d.sections[0].passages[0].text,
        "First paragraph has\ntwo lines."
    );
    assert_eq!(d.sections[1].title.as_deref(), Some("Heading here"));
}

#[test]
fn loads_a_directory_and_reports_what_it_skips() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.txt"), "Alpha\n\nText of alpha.").expect("write");
    std::fs::write(dir.path().join("b.md"), "# Beta\n\nText of beta.").expect("write");
    std::fs::write(dir.path().join("empty.txt"), "").expect("write");
    std::fs::write(
        dir.path().join("bad.txt"),
        b"Title\n\nBad \xff\xfe bytes here.\n\nstill text",
    )
    .expect("write");
    std::fs::write(dir.path().join("ignored.pdf"), "x").expect("write");
    let c = corpus::load(dir.path()).expect("loads");
    let ids: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["a", "b", "bad"]);
    for name in ["empty.txt", "ignored.pdf"] {
        assert!(
            c.warnings.iter().any(|w| w.contains(name)),
            "{name}: {:?}",
            c.warnings
        );
    }
    assert!(
        c.documents[2].sections[0].passages[0]
            .text
            .contains('\u{fffd}')
    );
}

#[test]
fn missing_corpus_names_the_path() {
    let err = corpus::load(std::path::Path::new("/no/such/corpus")).expect_err("missing");
    assert!(err.to_string().contains("/no/such/corpus"), "{err}");
}

//! Corpus shapes: real texts laid out in different ways (an essay, a Bible, licences with numbered
//! sections, items and appendices, a manifesto with underlined headings, a Gutenberg novel, nested
//! Markdown, a constitution, bylaws of articles and worded sections, house rules, numbered theses), each with its table of contents (insta snapshot), how it numbers
//! itself, its title, and references typed as the text cites itself; every reference shown parses
//! back. Then property tests on arbitrary text.

use std::path::PathBuf;

use cabildo::Reference;
use cabildo::corpus::{self, Corpus, Format, Numbering};
use cabildo::lookup;
use cabildo::render::text::{Style, toc};
use proptest::prelude::*;

use crate::common::{data, fixture, kjv_corpus};

/// One text: where it is, what it should be read as, and references typed back → shown short form.
struct Shape {
    name: &'static str,
    path: fn() -> PathBuf,
    title: &'static str,
    numbering: Numbering,
    refs: &'static [(&'static str, &'static str)],
}

fn shapes_dir(name: &str) -> PathBuf {
    data().join("corpora/shapes").join(name)
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "essay",
        path: || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/revolution-in-bolivia.txt"),
        title: "Revolution in Bolivia: All Power to the Popular Assemblies!",
        numbering: Numbering::Sequential,
        refs: &[
            ("2.3", "2.3"),
            ("§2 ¶3", "2.3"),
            ("§3", "3"),
            ("Join us", "8"),
        ],
    },
    Shape {
        name: "social_contract",
        path: || data().join("corpora/debian/social-contract.txt"),
        title: "social contract",
        numbering: Numbering::Own,
        refs: &[
            ("section 3", "3"),
            ("§1 ¶1", "1 ¶1"),
            ("5", "5"),
            ("#8", "#8"),
        ],
    },
    Shape {
        name: "manifesto",
        path: || data().join("corpora/debian/debian-manifesto.txt"),
        title: "The Debian Linux Manifesto",
        numbering: Numbering::Sequential,
        refs: &[("2.1", "2.1"), ("§4 ¶2", "4.2")],
    },
    Shape {
        name: "apache",
        path: || data().join("corpora/apache-2.0.txt"),
        title: "Apache License",
        numbering: Numbering::Own,
        refs: &[
            ("section 4 item c", "4(c)"),
            ("§4(c)", "4(c)"),
            ("4(c)", "4(c)"),
            ("section 8", "8"),
            ("§2", "2"),
            ("1 ¶2", "1 ¶2"),
        ],
    },
    Shape {
        name: "mpl",
        path: || shapes_dir("mpl-2.0.txt"),
        title: "Mozilla Public License Version 2.0",
        numbering: Numbering::Own,
        refs: &[
            ("§1.5(b)", "1.5(b)"),
            ("1.5 (b)", "1.5(b)"),
            ("section 10.4", "10.4"),
            ("Exhibit A", "Exhibit A"),
            ("exhibit b", "Exhibit B"),
        ],
    },
    Shape {
        name: "gfdl",
        path: || shapes_dir("gfdl-1.3.txt"),
        title: "GNU Free Documentation License",
        numbering: Numbering::Own,
        refs: &[("section 4 item K", "4(K)"), ("§10", "10"), ("0", "0")],
    },
    Shape {
        name: "lgpl",
        path: || shapes_dir("lgpl-2.1.txt"),
        title: "GNU LESSER GENERAL PUBLIC LICENSE",
        numbering: Numbering::Own,
        refs: &[("section 6", "6"), ("§15", "15"), ("2(a)", "2(a)")],
    },
    Shape {
        name: "artistic",
        path: || shapes_dir("artistic.txt"),
        title: "The \"Artistic License\"",
        numbering: Numbering::Own,
        refs: &[("3", "3"), ("section 10", "10")],
    },
    Shape {
        name: "alice",
        path: || shapes_dir("alice-in-wonderland.txt"),
        title: "Alice's Adventures in Wonderland",
        numbering: Numbering::Own,
        refs: &[
            ("chapter IV", "Chapter IV"),
            ("CHAPTER vii ¶3", "Chapter VII ¶3"),
            ("Chapter XII", "Chapter XII"),
        ],
    },
    Shape {
        name: "markdown_nested",
        path: || shapes_dir("tokio-reactor-refactor.md"),
        title: "Refactor I/O driver",
        numbering: Numbering::Sequential,
        refs: &[("3.1", "3.1"), ("Race condition ¶2", "8.2")],
    },
    Shape {
        name: "constitution",
        path: || fixture("constitution.txt"),
        title: "Constitution of the Study Circle",
        numbering: Numbering::Own,
        refs: &[
            ("§4.1(3)", "4.1(3)"),
            ("4.1(3)", "4.1(3)"),
            ("section 4.1 item 3", "4.1(3)"),
            ("s.4.1(3)", "4.1(3)"),
            ("section 9", "9"),
            ("A.5", "A.5"),
            ("4.1 ¶1", "4.1 ¶1"),
        ],
    },
    Shape {
        // Articles of worded sections run into their sentences (`Section 1. The name of …`),
        // paragraphs that carry their section's number (`1.2.`, `A.1.`).
        name: "bylaws",
        path: || fixture("bylaws.txt"),
        title: "BYLAWS OF THE HILLTOP TENANTS' UNION",
        numbering: Numbering::Own,
        refs: &[
            ("Article II, Section 2", "Article II(Section 2)"),
            ("article iii section 3", "Article III(Section 3)"),
            ("Article I (Section 1)", "Article I(Section 1)"),
            ("1.2", "1.2"),
            ("§2 (2.1)", "2.1"),
            ("a.2", "A.2"),
            ("Appendix A", "Appendix A"),
        ],
    },
    Shape {
        // Theses numbered `1.`–`5.` under an opening paragraph, no headings: cited in order, found
        // by their own numbers too.
        name: "theses",
        path: || fixture("theses.txt"),
        title: "Theses on Reading Together",
        numbering: Numbering::Sequential,
        refs: &[
            ("3", "1.4"),
            ("thesis 3", "1.4"),
            ("(5)", "1.6"),
            ("1.3", "1.3"),
        ],
    },
    Shape {
        // House rules: `Rule 3: Tournaments` headings, `Clause 1.` paragraphs under one of them.
        name: "club_rules",
        path: || fixture("club-rules.txt"),
        title: "Riverside Chess Club Rules",
        numbering: Numbering::Own,
        refs: &[
            ("Rule 3", "Rule 3"),
            ("rule 3, clause 2", "Rule 3(Clause 2)"),
            ("Rule 3 (Clause 1)", "Rule 3(Clause 1)"),
            ("Rule 4", "Rule 4"),
        ],
    },
];

fn load(shape: &Shape) -> Corpus {
    corpus::load(&(shape.path)()).unwrap_or_else(|e| panic!("{}: {e}", shape.name))
}

/// Every passage and every section: its human, short and titled forms parse back to it.
fn assert_round_trips(c: &Corpus, step: usize) {
    for p in c.passages().step_by(step) {
        let r = Reference::passage(p.loc.doc, p.section.number, p.passage.number);
        for form in [r.human(c), r.short(c), r.titled(c)] {
            assert_eq!(Reference::parse(&form, c), Ok(r), "{form}");
        }
    }
    for (d, doc) in c.documents.iter().enumerate() {
        for s in &doc.sections {
            let r = Reference {
                doc: d as u32,
                section: s.number,
                passages: None,
            };
            for form in [r.human(c), r.short(c), r.titled(c)] {
                assert_eq!(Reference::parse(&form, c), Ok(r), "{form}");
            }
        }
    }
}

#[test]
fn every_shape_reads_as_its_authors_numbered_it() {
    for shape in SHAPES {
        let c = load(shape);
        let doc = &c.documents[0];
        assert_eq!(doc.title, shape.title, "{}", shape.name);
        assert_eq!(doc.numbering, shape.numbering, "{}", shape.name);
        let contents = lookup::toc(&c, None).expect("toc");
        insta::assert_snapshot!(
            format!("toc_{}", shape.name),
            toc(&contents, Style::plain())
        );
        for (typed, short) in shape.refs {
            let r = Reference::parse(typed, &c)
                .unwrap_or_else(|e| panic!("{}: {typed}: {e}", shape.name));
            assert_eq!(&r.short(&c), short, "{}: {typed}", shape.name);
        }
        assert_round_trips(&c, 1);
    }
}

#[test]
fn the_bible_is_cited_by_book_chapter_and_verse() {
    let c = kjv_corpus();
    assert_eq!(c.documents[0].numbering, Numbering::Chapters);
    let r = Reference::parse("John 11:35", c).expect("John 11:35");
    assert_eq!(r.human(c), "John 11:35");
    assert_eq!(r.short(c), "John 11:35");
    // The sequential number still works when typed.
    assert_eq!(Reference::parse(&format!("{}.35", r.section), c), Ok(r));
    let whole = Reference::parse("John 11", c).expect("John 11");
    assert_eq!(whole.short(c), "John 11");
    let contents = lookup::toc(c, None).expect("toc");
    let head: String = toc(&contents, Style::plain())
        .lines()
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("toc_kjv_head", head);
    assert_round_trips(c, 97);
}

#[test]
fn unknown_own_numbers_say_what_exists() {
    let c = corpus::load(&fixture("constitution.txt")).expect("loads");
    // A bare number is the text's own section of that number, not the 8th heading.
    let e = Reference::parse("8", &c).expect_err("no section 8");
    assert!(e.to_string().contains("4.1"), "{e}");
    let e = Reference::parse("4.1(9)", &c).expect_err("no item 9");
    assert!(!e.to_string().is_empty());
    let e = Reference::parse("4.1 ¶99", &c).expect_err("no passage 99");
    assert!(e.to_string().contains("¶99"), "{e}");
}

#[test]
fn an_item_number_used_twice_is_cited_with_its_section() {
    let rules = "Rules\n\nPart I\n\n1. Alpha\n\n   1.1. The first rule of the first part is written here in full.\n\n   1.2. The second rule of the first part is written here in full.\n\nPart II\n\n1. Beta\n\n   1.1. The first rule of the second part is written here in full.\n\n   1.2. The second rule of the second part is written here in full.\n";
    let c = Corpus::new(
        vec![corpus::parse("rules", "R", Format::Text, rules)],
        vec![],
    );
    let shown: Vec<String> = c
        .passages()
        .filter(|p| p.passage.label.as_deref() == Some("1.2"))
        .map(|p| Reference::passage(p.loc.doc, p.section.number, p.passage.number).short(&c))
        .collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    for form in &shown {
        assert_ne!(form, "1.2");
        assert!(Reference::parse(form, &c).is_ok(), "{form}");
    }
    let e = Reference::parse("1.2", &c).expect_err("ambiguous");
    for form in &shown {
        assert!(e.to_string().contains(form.as_str()), "{e}");
    }
}

#[test]
fn overrides_from_front_matter_and_sidecar() {
    let text = "---\nnumbering: sequential\n---\nRules\n\n1. Definitions\n\nWords.\n\n2. Scope\n\nAll of it.\n";
    let d = corpus::parse("r", "R", Format::Text, text);
    assert_eq!(d.numbering, Numbering::Sequential);
    assert_eq!(d.sections[0].title.as_deref(), Some("1. Definitions"));
    let text = "Lessons\n\nLesson 1 Reading\n\nRead.\n\nLesson 2 Writing\n\nWrite.\n";
    let plain = corpus::parse("l", "L", Format::Text, text);
    assert_eq!(plain.numbering, Numbering::Sequential);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("lessons.txt"), text).expect("write");
    std::fs::write(
        dir.path().join("lessons.cabildo.toml"),
        "heading = \"Lesson\"\ntitle = \"Two lessons\"\n",
    )
    .expect("write");
    let c = corpus::load(dir.path()).expect("loads");
    assert_eq!(c.documents.len(), 1, "the sidecar is not a document");
    let d = &c.documents[0];
    assert_eq!(d.title, "Two lessons");
    assert_eq!(d.numbering, Numbering::Own);
    let r = Reference::parse("lesson 2", &c).expect("lesson 2");
    assert_eq!(r.human(&c), "Lesson 2 Writing");
}

fn ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lines of the shapes detection looks for, with arbitrary Unicode in them.
fn line() -> impl Strategy<Value = String> {
    let words = "\\PC{0,40}";
    prop_oneof![
        3 => words.prop_map(|s| s),
        1 => Just(String::new()),
        1 => ("[0-9]{1,2}(\\.[0-9]{1,2}){0,2}\\.?", words).prop_map(|(m, t)| format!("{m} {t}")),
        1 => ("\\([a-z0-9]\\)|[a-zA-Z][.)]|[IVX]{1,3}\\.", words).prop_map(|(m, t)| format!("{m} {t}")),
        1 => ("(CHAPTER|Article|Part|Section|Act|Book) ([IVX]{1,4}|[0-9]{1,2}|One)", "[.:]? ?\\PC{0,20}")
            .prop_map(|(d, t)| format!("{d}{t}")),
        // Worded sections run into a sentence, and items that carry their section's number.
        1 => ("(Section|Article|Appendix) ([0-9]|[A-C])\\. [A-Z][a-z]{1,8}( [a-z]{1,8}){3,9}\\.")
            .prop_map(|s| s),
        1 => (" {0,4}([A-C]|[1-3])\\.[1-3]\\. [A-Z][a-z]{1,8}( [a-z]{1,8}){5,12}\\.")
            .prop_map(|s| s),
        1 => "[=\\-_*]{3,8}".prop_map(|s| s),
        1 => (" {1,8}|\t", words).prop_map(|(i, t)| format!("{i}{t}")),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..40).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(crate::common::proptest_config(256))]

    /// Any text parses, in either format; plain-text passages are the file's words (only white
    /// space normalised); every reference shown parses back to its passage.
    #[test]
    fn any_text_parses_and_cites_itself(raw in text(), md in any::<bool>()) {
        let format = if md { Format::Markdown } else { Format::Text };
        let doc = corpus::parse("t", "T", format, &raw);
        if format == Format::Text {
            let file = ws(&raw);
            for s in &doc.sections {
                for p in &s.passages {
                    prop_assert!(file.contains(&ws(&p.text)), "{:?} not in {:?}", p.text, raw);
                }
            }
        }
        let c = Corpus::new(vec![doc], vec![]);
        for p in c.passages() {
            let r = Reference::passage(p.loc.doc, p.section.number, p.passage.number);
            for form in [r.human(&c), r.short(&c)] {
                prop_assert_eq!(Reference::parse(&form, &c), Ok(r), "{} in {:?}", form, raw);
            }
        }
    }

    #[test]
    fn any_string_parses(raw in any::<String>(), md in any::<bool>()) {
        let format = if md { Format::Markdown } else { Format::Text };
        let _ = corpus::parse("t", "T", format, &raw);
    }
}

#[test]
fn worded_divisions_are_cited_as_written() {
    let statute = "# Statute\n\n## Article 1. Name\n\nThe association is called the Circle.\n\n## Article 5. Powers\n\nThe assembly may:\n\n1. elect the committee;\n2. change this statute.\n";
    let c = Corpus::new(
        vec![corpus::parse("statute", "S", Format::Markdown, statute)],
        vec![],
    );
    assert_eq!(c.documents[0].numbering, Numbering::Own);
    let r = Reference::parse("Article 5(2)", &c).expect("Article 5(2)");
    assert_eq!(r.human(&c), "Article 5 Powers (2)");
    assert_eq!(Reference::parse("article 5 item 2", &c), Ok(r));
    assert_eq!(Reference::parse("§5 (2)", &c), Ok(r));
    let play = "Hamlet\n\nACT I, SCENE 2\n\nA room of state in the castle.\n\nACT I, SCENE 3\n\nA room in Polonius' house.\n";
    let c = Corpus::new(vec![corpus::parse("play", "P", Format::Text, play)], vec![]);
    let r = Reference::parse("Act I, Scene 3", &c).expect("Act I, Scene 3");
    assert_eq!(r.short(&c), "Act I, Scene 3");
    assert!(
        c.documents[0]
            .section(r.section)
            .is_some_and(|s| s.passages[0].text.starts_with("A room in Polonius"))
    );
}

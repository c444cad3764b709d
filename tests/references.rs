//! References: every form parses, formats and round-trips; unknown ones give clear errors.

use cabildo::corpus::{self, Corpus, Format};
use cabildo::{Reference, UserError};

use crate::common::kjv_corpus;

fn essay() -> Corpus {
    corpus::embedded()
}

#[test]
fn every_form_of_every_essay_passage_round_trips() {
    let c = essay();
    for p in c.passages() {
        let r = Reference::passage(p.loc.doc, p.section.number, p.passage.number);
        for form in [r.human(&c), r.short(&c), r.titled(&c)] {
            assert_eq!(Reference::parse(&form, &c), Ok(r), "{form}");
        }
    }
}

#[test]
fn kjv_forms_round_trip_on_a_sample() {
    let c = kjv_corpus();
    for p in c.passages().step_by(211) {
        let r = Reference::passage(p.loc.doc, p.section.number, p.passage.number);
        for form in [r.human(c), r.short(c), r.titled(c)] {
            assert_eq!(Reference::parse(&form, c), Ok(r), "{form}");
        }
    }
}

#[test]
fn human_and_short_forms_look_as_documented() {
    let c = essay();
    let r = Reference::passage(0, 2, 3);
    assert_eq!(r.human(&c), "§2 General strike poses question of power ¶3");
    assert_eq!(r.short(&c), "2.3");
    assert_eq!(r.titled(&c), "General strike poses question of power ¶3");
    let untitled = Reference::passage(0, 1, 2);
    assert_eq!(untitled.human(&c), "§1 ¶2");
    let range = Reference {
        doc: 0,
        section: 2,
        passages: Some((3, 5)),
    };
    assert_eq!(range.short(&c), "2.3-5");
    assert_eq!(
        range.human(&c),
        "§2 General strike poses question of power ¶3-5"
    );
    let whole = Reference {
        doc: 0,
        section: 3,
        passages: None,
    };
    assert_eq!(whole.short(&c), "3");
    for form in [range.human(&c), range.short(&c), range.titled(&c)] {
        assert_eq!(Reference::parse(&form, &c), Ok(range), "{form}");
    }
    for form in [whole.human(&c), whole.short(&c), whole.titled(&c)] {
        assert_eq!(Reference::parse(&form, &c), Ok(whole), "{form}");
    }
}

#[test]
fn parsing_is_forgiving() {
    let c = essay();
    let r = Reference::passage(0, 2, 3);
    for input in [
        "2.3",
        " 2.3 ",
        "§2 ¶3",
        "§ 2 ¶ 3",
        "§2.3",
        "§2 general STRIKE poses question of power ¶3",
        "general strike poses question of power 3",
        "General strike poses question of power:3",
        "General  strike poses question of power ¶ 3",
    ] {
        assert_eq!(Reference::parse(input, &c), Ok(r), "{input}");
    }
    let range = Reference {
        doc: 0,
        section: 2,
        passages: Some((3, 5)),
    };
    for input in ["2.3-5", "2.3–5", "2.3 - 5", "2.3-2.5", "§2 ¶3—5"] {
        assert_eq!(Reference::parse(input, &c), Ok(range), "{input}");
    }
}

#[test]
fn kjv_verse_forms() {
    let c = kjv_corpus();
    let john = c.documents[0]
        .sections
        .iter()
        .find(|s| s.title.as_deref() == Some("John 3"))
        .map(|s| s.number)
        .expect("John 3");
    let r = Reference::passage(0, john, 16);
    for input in [
        "John 3:16",
        "john 3 16",
        "JOHN 3:16",
        "John 3 ¶16",
        "  john   3:16 ",
    ] {
        assert_eq!(Reference::parse(input, c), Ok(r), "{input}");
    }
    assert_eq!(r.titled(c), "John 3:16");
    let range = Reference {
        doc: 0,
        section: john,
        passages: Some((16, 18)),
    };
    assert_eq!(Reference::parse("John 3:16-18", c), Ok(range));
    // "1 John 3" is a different book from "John 3"
    let first_john = Reference::parse("1 John 3:1", c).expect("1 John");
    assert_ne!(first_john.section, john);
    assert_eq!(Reference::parse("John 3", c).map(|r| r.passages), Ok(None));
}

#[test]
fn unknown_references_say_what_exists() {
    let c = essay();
    let e = Reference::parse("9.1", &c).expect_err("no section 9");
    assert!(matches!(e, UserError::UnknownReference(_)));
    assert!(e.to_string().contains("8 sections"), "{e}");
    let e = Reference::parse("2.99", &c).expect_err("no passage 99");
    assert!(e.to_string().contains("¶99"), "{e}");
    assert!(e.to_string().contains("9 passages"), "{e}");
    let e = Reference::parse("2.5-3", &c).expect_err("backwards");
    assert!(e.to_string().contains("forwards"), "{e}");
    for junk in [
        "",
        "banana",
        "§",
        "¶",
        "99999999999999999999.1",
        "2.",
        ".3",
        "John 99:1",
    ] {
        let e = Reference::parse(junk, &c).expect_err(junk);
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn several_documents_need_a_prefix() {
    let a = corpus::parse(
        "bolivia",
        "Bolivia",
        Format::Text,
        "T\n\nOne.\n\nHead\n\nTwo.",
    );
    let b = corpus::parse("notes", "Notes", Format::Text, "N\n\nUno.");
    let c = Corpus::new(vec![a, b], vec![]);
    let r = Reference::passage(0, 2, 1);
    assert_eq!(r.short(&c), "bolivia:2.1");
    assert_eq!(r.human(&c), "bolivia:§2 Head ¶1");
    for form in [
        r.human(&c),
        r.short(&c),
        r.titled(&c),
        "bol:2.1".into(),
        "BOLIVIA : 2.1".into(),
    ] {
        assert_eq!(Reference::parse(&form, &c), Ok(r), "{form}");
    }
    let e = Reference::parse("2.1", &c).expect_err("ambiguous");
    assert!(e.to_string().contains("bolivia"), "{e}");
    assert_eq!(
        Reference::parse("notes:1.1", &c),
        Ok(Reference::passage(1, 1, 1))
    );
}

/// A text numbered in order whose paragraphs carry numbers of their own (a list of theses): its
/// references stay in order (`§1 ¶4`), and a number typed as the text shows it finds that
/// paragraph — only when nothing else matched and exactly one paragraph is so numbered.
#[test]
fn numbered_paragraphs_of_a_text_in_order_are_found_by_their_own_number() {
    let theses = corpus::parse(
        "theses",
        "Theses",
        Format::Text,
        "Theses\n\nAn opening paragraph.\n\n1. The first thesis, with its own\nsecond line.\n\n\
         2. The second thesis, with its own\nsecond line.\n\n3. The third thesis, with its own\n\
         second line.",
    );
    let one = Corpus::new(vec![theses.clone()], vec![]);
    assert_eq!(one.documents[0].numbering, corpus::Numbering::Sequential);
    let third = Reference::passage(0, 1, 4);
    assert_eq!(third.short(&one), "1.4");
    for typed in ["3", "3.", "(3)", "thesis 3", "Thesis 3"] {
        assert_eq!(Reference::parse(typed, &one), Ok(third), "{typed}");
    }
    // The order's own forms win: `1.3` is the third paragraph, the second thesis.
    assert_eq!(
        Reference::parse("1.3", &one),
        Ok(Reference::passage(0, 1, 3))
    );
    assert!(Reference::parse("thesis 9", &one).is_err());
    // With another text loaded, the text is named first.
    let notes = corpus::parse("notes", "Notes", Format::Text, "N\n\nUno.");
    let two = Corpus::new(vec![theses, notes], vec![]);
    assert_eq!(
        Reference::parse("theses:3", &two),
        Ok(Reference::passage(0, 1, 4))
    );
    assert!(Reference::parse("3", &two).is_err());
    // Two lists that both number a paragraph `2`: neither is guessed.
    let lists = corpus::parse(
        "lists",
        "Lists",
        Format::Text,
        "Lists\n\nFirst\n\n1. One thing, said over\ntwo lines.\n\n2. Another thing, said over\n\
         two lines.\n\nSecond\n\n1. One more thing, said over\ntwo lines.\n\n2. A last thing, said \
         over\ntwo lines.",
    );
    let c = Corpus::new(vec![lists], vec![]);
    assert!(Reference::parse("item 2", &c).is_err());
}

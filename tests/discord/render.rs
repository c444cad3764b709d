//! Rendering of every reply kind: insta snapshots of what is sent to Discord, and property tests
//! that random passages, questions and result counts never break a limit or mention anyone.

use super::Now;
use std::sync::{Arc, OnceLock};

use cabildo::answer::{Answer, Hit};
use cabildo::config::SearchSettings;
use cabildo::corpus;
use cabildo::discord::commands::Action;
use cabildo::discord::handler::Bot;
use cabildo::engine::Engine;
use cabildo::lookup::{self, Quote, QuotedPassage, Toc, TocDocument, TocSection};
use cabildo::reference::Reference;
use cabildo::render::discord::{self as render, block_quote, clip, markdown};
use cabildo::reply::{
    AnswerReply, Body, ButtonId, DocKey, DocKeys, Nav, PassageKey, QuestionKey, QuoteReply, Reply,
};
use proptest::prelude::*;
use serde_json::Value;

use super::limits::{check_choices, check_message};

fn bot() -> &'static Bot {
    static B: OnceLock<Bot> = OnceLock::new();
    B.get_or_init(|| {
        let engine = Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
            .expect("essay engine");
        Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO)
    })
}

/// A made-up passage key (the renderer only encodes it).
fn key(section: u32, passage: u32) -> PassageKey {
    PassageKey {
        doc: DocKey(0x0b01_1b1a),
        version: 0x1234_5678,
        section,
        passage,
    }
}

fn json(reply: &Reply) -> Value {
    serde_json::to_value(render::response(reply)).expect("serializes")
}

fn hit(rank: usize, excerpt: &str, highlights: Vec<(usize, usize)>) -> Hit {
    Hit {
        rank,
        doc_id: "bolivia".into(),
        doc_title: "Revolution in Bolivia".into(),
        section: 3,
        section_title: Some("Elements of dual power".into()),
        paragraph: rank as u32,
        reference: format!("§3 Elements of dual power ¶{rank}"),
        short_ref: format!("3.{rank}"),
        excerpt: excerpt.into(),
        passage: excerpt.into(),
        highlights,
        notes: vec![],
        page: None,
        score: 1.0,
        explain: None,
        at: Reference::passage(0, 3, rank as u32),
    }
}

fn answer(query: &str, hits: Vec<Hit>, more: bool) -> Answer {
    Answer {
        query: query.into(),
        answered: !hits.is_empty(),
        results: hits,
        confidence: 1.0,
        more,
    }
}

fn sample_answer() -> AnswerReply {
    AnswerReply {
        answer: answer(
            "what is dual power?",
            vec![
                hit(
                    1,
                    "The *dual power* of the workers' councils stands beside the state.",
                    vec![(5, 9), (10, 15)],
                ),
                hit(
                    2,
                    "Power to the COB! @everyone <@123> read [this](http://x) 1. not a list",
                    vec![(0, 5)],
                ),
                hit(3, "A short one.", vec![]),
            ],
            true,
        ),
        offset: 0,
        more: Some(ButtonId::More {
            offset: 3,
            doc: None,
            question: QuestionKey::Text("what is dual power?".into()),
        }),
        first: None,
        passages: (1..=3).map(|p| key(3, p)).collect(),
    }
}

#[test]
fn snapshot_answer() {
    let reply = Reply::public(Body::Answer(sample_answer()));
    let v = json(&reply);
    check_message(&v["data"]);
    insta::assert_json_snapshot!("answer", v);
}

#[test]
fn snapshot_answer_private_second_page() {
    let mut a = sample_answer();
    a.offset = 3;
    a.more = None;
    a.first = Some(ButtonId::More {
        offset: 0,
        doc: Some(DocKey(0x0b01_1b1a)),
        question: QuestionKey::Hash(0x1234),
    });
    let v = json(&Reply::private(Body::Answer(a)));
    check_message(&v["data"]);
    assert_eq!(v["data"]["flags"], 64);
    insta::assert_json_snapshot!("answer_page_2_private", v);
}

#[test]
fn snapshot_answer_as_update() {
    let v = json(&Reply::update(Body::Answer(sample_answer())));
    assert_eq!(v["type"], 7);
    check_message(&v["data"]);
}

#[test]
fn snapshot_not_in_the_text() {
    let reply = Reply::public(Body::Answer(AnswerReply {
        answer: answer("who won the 2030 world cup?", vec![], false),
        offset: 0,
        more: None,
        first: None,
        passages: vec![],
    }));
    let v = json(&reply);
    check_message(&v["data"]);
    insta::assert_json_snapshot!("not_in_the_text", v);
}

/// Not confident: the nearest passages, under a warning that comes first and is never cut.
#[test]
fn snapshot_not_sure() {
    let mut a = sample_answer();
    a.answer.answered = false;
    let v = json(&Reply::public(Body::Answer(a)));
    check_message(&v["data"]);
    let description = v["data"]["embeds"][0]["description"]
        .as_str()
        .expect("description");
    assert!(
        description.starts_with("*Nothing in the text clearly answers that;"),
        "{description}"
    );
    assert!(
        description.contains("**1.**") && description.contains("**3.**"),
        "{description}"
    );
    let answered = json(&Reply::public(Body::Answer(sample_answer())));
    assert!(
        !answered["data"]["embeds"][0]["description"]
            .as_str()
            .expect("description")
            .contains("clearly answers")
    );
    insta::assert_json_snapshot!("not_sure", v);
}

#[test]
fn snapshot_quote_and_range() {
    let v = json(&bot().handle_now(Action::Quote {
        reference: "2.3".into(),
    }));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("quote", v);
    let v = json(&bot().handle_now(Action::Quote {
        reference: "2.3-5".into(),
    }));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("quote_range", v);
}

#[test]
fn snapshot_read_with_navigation() {
    let v = json(&bot().handle_now(Action::Read {
        section: "2".into(),
        paragraph: Some(1),
    }));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("read", v);
}

#[test]
fn read_buttons_walk_the_text_and_stop_at_the_ends() {
    // The first passage of the document has no previous one.
    let v = json(&bot().handle_now(Action::Read {
        section: "1".into(),
        paragraph: None,
    }));
    let row = &v["data"]["components"][0]["components"];
    assert_eq!(row[0]["disabled"], true);
    let next = row[1]["custom_id"].as_str().expect("next id").to_string();
    let Some(ButtonId::Read(at)) = ButtonId::parse(&next) else {
        panic!("{next}")
    };
    let v = json(&bot().handle_now(Action::Button(ButtonId::Read(at))));
    assert_eq!(v["type"], 7, "a button press updates the message");
    check_message(&v["data"]);
}

#[test]
fn snapshot_toc_help_notice_cooldown_apology() {
    let v = json(&bot().handle_now(Action::Toc { document: None }));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("toc", v);
    let v = json(&bot().handle_now(Action::Help));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("help", v);
    let v = json(&bot().handle_now(Action::Quote {
        reference: "9.99".into(),
    }));
    check_message(&v["data"]);
    assert_eq!(v["data"]["flags"], 64, "user errors are ephemeral");
    insta::assert_json_snapshot!("unknown_reference", v);
    let v = json(&bot().handle_now(Action::Stale));
    insta::assert_json_snapshot!("stale_button", v);
    let v = json(&Reply::private(Body::Cooldown { seconds: 2 }));
    insta::assert_json_snapshot!("cooldown", v);
    let v = json(&Reply::private(Body::Apology));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("apology", v);
}

#[test]
fn snapshot_autocomplete() {
    let v = json(&bot().handle_now(Action::Complete {
        command: "quote".into(),
        option: "reference".into(),
        partial: "power".into(),
    }));
    assert_eq!(v["type"], 8);
    check_choices(&v["data"]);
    insta::assert_json_snapshot!("autocomplete", v);
}

/// In a text that numbers itself, suggestions show the text's own numbers, not the running count.
#[test]
fn autocomplete_uses_the_texts_own_numbers() {
    let licence =
        corpus::load(&crate::common::data().join("corpora/apache-2.0.txt")).expect("loads");
    let engine = Engine::from_corpus(licence, None, SearchSettings::default()).expect("engine");
    let bot = Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO);
    let v = json(&bot.handle_now(Action::Complete {
        command: "quote".into(),
        option: "reference".into(),
        partial: "redistribution".into(),
    }));
    let choice = &v["data"]["choices"][0];
    assert_eq!(choice["value"], "4", "{v}");
    assert!(
        choice["name"].as_str().is_some_and(|n| n.ends_with("§4")),
        "{v}"
    );
}

#[test]
fn mention_reply_message_has_no_mentions_even_of_the_asker() {
    let reply = Reply::public(Body::Answer(sample_answer()));
    let v = serde_json::to_value(render::message(&reply)).expect("serializes");
    check_message(&v);
    assert_eq!(v["allowed_mentions"]["replied_user"], false);
}

/// The custom id of the "More results" button of a rendered answer.
fn more_button(v: &Value) -> String {
    v["data"]["components"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| r["components"].as_array().expect("buttons"))
        .find_map(|b| b["custom_id"].as_str().filter(|id| id.starts_with("more:")))
        .expect("a more button")
        .to_string()
}

#[test]
fn real_answer_pages_through_more_results() {
    let v = json(&bot().handle_now(Action::Ask {
        question: "what is dual power?".into(),
        document: None,
        private: Some(false),
    }));
    check_message(&v["data"]);
    let more = more_button(&v);
    let b = ButtonId::parse(&more).expect("parses");
    let v = json(&bot().handle_now(Action::Button(b)));
    assert_eq!(v["type"], 7);
    check_message(&v["data"]);
    let d = v["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .expect("footer");
    assert!(d.contains("results 4"), "{d}");
}

#[test]
fn forged_buttons_get_a_polite_ephemeral_error() {
    let keys = DocKeys::new(&bot().library.host().corpus);
    let essay = |section, passage| {
        keys.passage(Reference::passage(0, section, passage))
            .expect("the essay has a key")
    };
    for b in [
        ButtonId::Full(key(1, 1)),
        ButtonId::Near(essay(99, 1)),
        ButtonId::Read(essay(2, 999)),
        ButtonId::More {
            offset: 3,
            doc: Some(DocKey(7)),
            question: QuestionKey::Text("dual power".into()),
        },
        ButtonId::More {
            offset: 3,
            doc: None,
            question: QuestionKey::Hash(42),
        },
    ] {
        let v = json(&bot().handle_now(Action::Button(b)));
        assert_eq!(v["type"], 4);
        assert_stale(&v);
    }
}

/// A private "that button no longer works" (or, for a text no longer loaded, "out of date": a
/// forged document key cannot be told from a removed text's).
fn assert_stale(v: &Value) {
    assert_eq!(v["data"]["flags"], 64, "{v}");
    assert!(
        v["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("no longer works") || c.contains("no longer among")),
        "{v}"
    );
}

/// A question too long for its button's id: the button carries its hash, and the question is read
/// back from the message the button sits on, so a bot that never saw it (another replica, or after a
/// restart) pages the answer. Without the message, the bot says the button no longer works.
#[test]
fn more_results_for_a_long_question_need_no_memory() {
    let question = "What does the essay say about dual power, the popular assemblies, the workers' councils and the question of who holds power in Bolivia?";
    let first = json(&bot().handle_now(Action::Ask {
        question: question.into(),
        document: None,
        private: Some(false),
    }));
    let more = more_button(&first);
    assert!(
        more.contains(":h:"),
        "the question is too long to travel in the id: {more}"
    );
    let press = |embeds: Value| {
        let mut p = super::fake::interaction(
            77,
            3,
            serde_json::json!({"custom_id": more, "component_type": 2}),
        );
        let mut m = super::fake::message("990000000000000077", "1200", "", 1100, "cabildo", true);
        m["embeds"] = embeds;
        p["message"] = m;
        let i: serenity::all::Interaction = serde_json::from_value(p).expect("interaction");
        cabildo::discord::commands::parse(&i).expect("action")
    };
    let fresh = Bot::new(bot().library.host().clone(), 1, std::time::Duration::ZERO);
    let v = json(&fresh.handle_now(press(first["data"]["embeds"].clone())));
    assert_eq!(v["type"], 7, "{v}");
    let footer = v["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .expect("footer");
    assert!(footer.contains("results 4"), "{footer}");
    // A forged title does not hash right: the bot does not take it for the question.
    let forged = serde_json::json!([{"title": "“something else”"}]);
    let other = Bot::new(bot().library.host().clone(), 1, std::time::Duration::ZERO);
    assert_stale(&json(&other.handle_now(press(forged))));
}

/// A button made for an older version of a text says so, instead of quoting what now sits at
/// that number.
#[test]
fn a_button_from_an_older_text_is_out_of_date() {
    let keys = DocKeys::new(&bot().library.host().corpus);
    let now = keys
        .passage(Reference::passage(0, 2, 3))
        .expect("the essay has a key");
    let v = json(&bot().handle_now(Action::Button(ButtonId::Full(now))));
    assert!(
        v["data"]["embeds"][0].is_object(),
        "the current text quotes: {v}"
    );
    for older in [
        ButtonId::Full(PassageKey {
            version: now.version ^ 1,
            ..now
        }),
        ButtonId::Read(PassageKey {
            version: now.version ^ 1,
            ..now
        }),
    ] {
        let v = json(&bot().handle_now(Action::Button(older)));
        assert_eq!(v["data"]["flags"], 64);
        assert!(
            v["data"]["content"]
                .as_str()
                .is_some_and(|c| c.contains("out of date")),
            "{v}"
        );
    }
}

#[test]
fn markdown_is_escaped_and_bold_kept() {
    assert_eq!(markdown("a *b* c", &[(3, 4)], 100), "a \\***b**\\* c");
    assert_eq!(
        block_quote("1. one\n# two", &[], 100),
        "> 1\\. one\n> \\# two"
    );
    assert_eq!(clip("abcdef", 4), "abc…");
    // Offsets count characters of the untrimmed text; touching spans merge.
    assert_eq!(markdown("  dual power", &[(2, 6)], 100), "**dual** power");
    assert_eq!(
        markdown("dualpower", &[(0, 4), (4, 9)], 100),
        "**dualpower**"
    );
    // A highlight ending at a carriage return still closes.
    assert_eq!(
        block_quote("ab\r\ncd", &[(0, 2), (4, 6)], 100),
        "> **ab**\n> **cd**"
    );
    let m = markdown("ab@everyone <@1>", &[], 100);
    assert!(!m.contains("@everyone") && !m.contains("<@"), "{m}");
    let cut = markdown(&"word ".repeat(100), &[(0, 4), (5, 9)], 20);
    assert!(cut.chars().count() <= 20 && cut.ends_with('…'), "{cut}");
    assert_eq!(cut.matches("**").count() % 2, 0, "{cut}");
}

/// Text with Markdown, mentions, long words, line breaks and wide characters.
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("@everyone ".to_string()),
            Just("@here".to_string()),
            Just("<@123456>".to_string()),
            Just("<#99>".to_string()),
            Just("</ask:1>".to_string()),
            Just("**bold** _it_ `code` ~~s~~ ||sp|| > q [l](u) ".to_string()),
            Just("\n1. item\n- dash\n# head\n".to_string()),
            Just("\\".to_string()),
            Just("ñandú 🇧🇴 漢字 ".to_string()),
            "[a-z ]{0,40}",
            "\\PC{0,30}",
        ],
        0..60,
    );
    pieces.prop_map(|p| p.concat())
}

fn random_hit(rank: usize, text: String, spans: Vec<(usize, usize)>, short: String) -> Hit {
    let n = text.chars().count();
    let highlights = spans
        .into_iter()
        .map(|(a, b)| (a % (n + 1), b % (n + 1)))
        .collect();
    let mut h = hit(rank, &text, highlights);
    h.reference = format!("§{rank} {text}");
    h.short_ref = short;
    h.doc_title = text.chars().take(300).collect();
    // Every other result shows a footnote of the same nasty text under its quote.
    if rank % 2 == 1 {
        h.notes = vec![cabildo::lookup::QuotedNote {
            label: rank.to_string(),
            text: text.repeat(3),
        }];
    }
    h
}

proptest! {
    #![proptest_config(crate::common::proptest_config(64))]

    #[test]
    fn answers_never_break_a_limit(
        question in nasty_text(),
        hits in prop::collection::vec(
            (nasty_text(), prop::collection::vec((0usize..2000, 0usize..2000), 0..8), "[a-z]{1,60}:[0-9]{1,4}\\.[0-9]{1,4}"),
            0..11,
        ),
        offset in 0usize..200,
        more in any::<bool>(),
        private in any::<bool>(),
        update in any::<bool>(),
        sure in any::<bool>(),
    ) {
        let results: Vec<Hit> = hits
            .into_iter()
            .enumerate()
            .map(|(i, (t, s, short))| random_hit(i + 1, t, s, short))
            .collect();
        let doc = Some(DocKey(u32::MAX));
        let more = more.then(|| ButtonId::More {
            offset: offset + results.len(),
            doc,
            question: QuestionKey::for_question(&question, offset + results.len(), doc),
        });
        let first = (offset > 0).then(|| ButtonId::More {
            offset: 0,
            doc,
            question: QuestionKey::for_question(&question, 0, doc),
        });
        let passages = (1..=results.len() as u32).map(|p| key(u32::MAX, p)).collect();
        let mut answer = answer(&question, results, more.is_some());
        answer.answered &= sure;
        let reply = Reply {
            body: Body::Answer(AnswerReply { answer, offset, more, first, passages }),
            private,
            update,
            lang: Default::default(),
        };
        check_message(&json(&reply)["data"]);
        check_message(&serde_json::to_value(render::message(&reply)).expect("serializes"));
    }

    #[test]
    fn quotes_and_tocs_never_break_a_limit(
        title in nasty_text(),
        passages in prop::collection::vec(nasty_text(), 1..40),
        nav in any::<(bool, bool, bool)>(),
    ) {
        let quote = Quote {
            reference: title.clone(),
            short_ref: "d:1.1-40".into(),
            doc_id: "d".into(),
            doc_title: title.clone(),
            section: 1,
            section_title: Some(title.clone()),
            passages: passages
                .iter()
                .enumerate()
                .map(|(i, t)| QuotedPassage {
                    paragraph: i as u32 + 1,
                    reference: title.clone(),
                    short_ref: format!("d:1.{}", i + 1),
                    text: t.clone(),
                    notes: if i % 2 == 0 {
                        vec![cabildo::lookup::QuotedNote {
                            label: "1".into(),
                            text: t.repeat(2),
                        }]
                    } else {
                        vec![]
                    },
                    page: None,
                })
                .collect(),
            at: Reference { doc: 0, section: 1, passages: None },
        };
        let nav = nav.0.then_some(Nav {
            prev: nav.1.then(|| key(1, 1)),
            next: nav.2.then(|| key(2, 1)),
        });
        let reply = Reply::public(Body::Quote(QuoteReply { quote, nav }));
        check_message(&json(&reply)["data"]);
        let toc = Toc {
            documents: vec![TocDocument {
                doc_id: "d".into(),
                title: title.clone(),
                language: cabildo::language::Language::ENGLISH,
                passages: 9,
                sections: passages
                    .iter()
                    .enumerate()
                    .map(|(i, t)| TocSection { section: i as u32 + 1, label: None, depth: 0, title: Some(t.clone()), passages: 3, short_ref: format!("{}", i + 1) })
                    .collect(),
            }],
        };
        check_message(&json(&Reply::public(Body::Toc(toc)))["data"]);
        check_message(&json(&Reply::notice(cabildo::i18n::Msg::verbatim(title.repeat(50))))["data"]);
        let choices: Vec<(String, String)> = passages.iter().map(|p| (p.clone(), p.chars().take(120).collect())).collect();
        check_choices(&json(&Reply::private(Body::Choices(choices)))["data"]);
    }
}

#[test]
fn toc_of_the_king_james_bible_fits() {
    let toc = lookup::toc(crate::common::kjv_corpus(), None).expect("toc");
    check_message(&json(&Reply::public(Body::Toc(toc)))["data"]);
}

/// The essay and the Markdown study notes: two documents, so references carry a document prefix.
fn two_texts() -> &'static Bot {
    static B: OnceLock<Bot> = OnceLock::new();
    B.get_or_init(|| {
        let mut documents = corpus::embedded().documents;
        documents.extend(
            corpus::load(&crate::common::fixture("study-notes.md"))
                .expect("notes")
                .documents,
        );
        let corpus = corpus::Corpus::new(documents, Vec::new());
        let engine = Engine::from_corpus(corpus, None, SearchSettings::default()).expect("engine");
        Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO)
    })
}

#[test]
fn two_texts_quote_with_document_prefixes_and_escaped_markdown() {
    let v = json(&two_texts().handle_now(Action::Quote {
        reference: "study-notes:2".into(),
    }));
    check_message(&v["data"]);
    insta::assert_json_snapshot!("quote_markdown_source", v);
    let v = json(&two_texts().handle_now(Action::Complete {
        command: "ask".into(),
        option: "document".into(),
        partial: "stu".into(),
    }));
    assert_eq!(
        v["data"]["choices"],
        serde_json::json!([{"name": "Study notes (study-notes)", "value": "study-notes"}])
    );
}

#[test]
fn two_texts_reading_walks_to_the_end_skipping_empty_sections() {
    let bot = two_texts();
    let mut v = json(&bot.handle_now(Action::Read {
        section: "study-notes:1".into(),
        paragraph: None,
    }));
    let mut titles = Vec::new();
    for _ in 0..50 {
        check_message(&v["data"]);
        titles.push(
            v["data"]["embeds"][0]["title"]
                .as_str()
                .expect("title")
                .to_string(),
        );
        let next = &v["data"]["components"][0]["components"][1];
        if next["disabled"] == true {
            break;
        }
        let id = next["custom_id"].as_str().expect("id");
        let Some(b) = ButtonId::parse(id) else {
            panic!("{id}")
        };
        v = json(&bot.handle_now(Action::Button(b)));
        assert_eq!(v["type"], 7);
    }
    assert!(
        titles.iter().all(|t| t.starts_with("study-notes:")),
        "{titles:?}"
    );
    assert!(
        !titles.iter().any(|t| t.contains("Empty section")),
        "{titles:?}"
    );
    assert!(
        titles.last().is_some_and(|t| t.contains("Last words")),
        "{titles:?}"
    );
}

#[test]
fn two_texts_ask_in_one_document() {
    let v = json(&two_texts().handle_now(Action::Ask {
        question: "standing army".into(),
        document: Some("study".into()),
        private: Some(false),
    }));
    check_message(&v["data"]);
    let d = v["data"]["embeds"][0]["description"]
        .as_str()
        .expect("description");
    assert!(d.contains("`study-notes:2."), "{d}");
    assert!(!d.contains("revolution-in-bolivia:"), "{d}");
    let v = json(&two_texts().handle_now(Action::Ask {
        question: "standing army".into(),
        document: Some("nope".into()),
        private: Some(false),
    }));
    assert_eq!(v["data"]["flags"], 64);
    assert!(
        v["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("no document"))
    );
}

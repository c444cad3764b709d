//! Search quality on the dev sets (floors; the eval command reports the full numbers) and the
//! excerpt contract.

use cabildo::config::SearchSettings;
use cabildo::engine::Engine;
use cabildo::eval::{self, Metrics};
use cabildo::search::excerpt::ELLIPSIS;
use cabildo::{AskOptions, ask};

use crate::common::{data, essay, kjv};

fn run(engine: &cabildo::Engine, set: &str) -> (Vec<cabildo::Answer>, Metrics) {
    let qs = eval::load_questions(&data().join("eval").join(set)).expect("question set");
    eval::run(engine, &qs).expect("eval runs")
}

// Floors at the level measured when they were set (README "Answer quality"): a regression fails
// the build. Raise them when ranking improves; never lower them to let a change through.

#[test]
fn dev_bolivia_meets_the_floor() {
    let (_, m) = run(essay(), "dev-bolivia.jsonl");
    // Measured 0.895 / 0.947 / MRR 0.928, excerpt 0.921, one answerable question refused, after
    // the rules that served single essay questions failed leave-one-text-out and were removed
    // (issue 13; docs/semantic.md); floors one question lower.
    assert!(m.hit1 >= 0.86, "{m:?}");
    assert!(m.hit3 >= 0.92, "{m:?}");
    assert!(m.mrr10 >= 0.90, "{m:?}");
    assert!(m.excerpt_hit3 >= 0.89, "{m:?}");
    assert_eq!(m.abstain_ok, "1/1", "{m:?}");
    assert!(m.false_abstain <= 1, "{m:?}");
}

#[test]
fn dev_kjv_meets_the_floor() {
    let (_, m) = run(kjv(), "dev-kjv.jsonl");
    assert!(m.hit1 >= 0.83, "{m:?}");
    assert!(m.hit3 >= 0.91, "{m:?}");
    assert!(m.excerpt_hit3 >= 0.91, "{m:?}");
    assert_eq!(m.abstain_ok, "1/1", "{m:?}");
    assert_eq!(m.false_abstain, 0, "{m:?}");
}

/// A question whose only words are stop words or words about the asking ("text", "say") has no
/// subject to be sure about: refused, on every text. A stop word of Early Modern English only
/// ("art") is the subject of a modern question, so it is looked for (and here not found).
#[test]
fn questions_with_no_subject_are_refused() {
    // (On kjv.md "art" is the verb of "thou art" everywhere: a lexical search cannot tell.)
    let a = ask(
        essay(),
        "What does the text say about art?",
        &AskOptions::default(),
    )
    .expect("ask");
    assert!(!a.answered, "{:?}", a.results.first().map(|h| &h.reference));
    for engine in [essay(), kjv()] {
        for q in [
            "What does the author say?",
            "What is said in the passage?",
            "What does the article mention?",
        ] {
            let a = ask(engine, q, &AskOptions::default()).expect("ask");
            assert!(
                !a.answered,
                "{q}: {:?}",
                a.results.first().map(|h| &h.reference)
            );
            assert!(a.confidence < 1.0, "{q}");
        }
    }
    // The same words around a subject the text has still answer.
    let a = ask(
        essay(),
        "What does the text say about dual power?",
        &AskOptions::default(),
    )
    .expect("ask");
    assert!(a.answered);
}

/// `cabildo eval` scores exactly like the reference scorer: a fixed set of answers with known
/// outcomes (hit at 1, at 2, at 4, none, excerpt-only miss, abstentions right and wrong).
#[test]
fn scoring_matches_score_py_on_a_fixture() {
    use cabildo::eval::{EvalQuestion, score};
    let q = |id: &str, gold: &[&str]| EvalQuestion {
        id: id.into(),
        kind: String::new(),
        question: id.into(),
        gold: gold.iter().map(|s| s.to_string()).collect(),
    };
    let hit = |passage: &str, excerpt: &str| cabildo::Hit {
        rank: 0,
        doc_id: String::new(),
        doc_title: String::new(),
        section: 1,
        section_title: None,
        paragraph: 1,
        reference: String::new(),
        short_ref: String::new(),
        excerpt: excerpt.into(),
        passage: passage.into(),
        highlights: vec![],
        notes: vec![],
        page: None,
        score: 0.0,
        explain: None,
        at: cabildo::Reference::passage(0, 1, 1),
    };
    let ans = |answered: bool, results: Vec<cabildo::Hit>| cabildo::Answer {
        query: String::new(),
        answered,
        results,
        confidence: 0.0,
        more: false,
    };
    let questions = vec![
        q("a", &["Dual  “power”"]),
        q("b", &["needle"]),
        q("c", &["needle"]),
        q("d", &["needle"]),
        q("e", &[]),
        q("f", &[]),
    ];
    let answers = vec![
        ans(
            true,
            vec![hit("the **dual** \"power\" exists", "the dual \"power\"…")],
        ),
        ans(true, vec![hit("x", "x"), hit("a Needle here", "…")]),
        ans(
            true,
            vec![
                hit("x", "x"),
                hit("x", "x"),
                hit("x", "x"),
                hit("needle", "needle"),
            ],
        ),
        ans(false, vec![]),
        ans(false, vec![]),
        ans(true, vec![hit("x", "x")]),
    ];
    let m = score(&questions, &answers);
    assert_eq!(m.questions, 4);
    assert_eq!(m.hit1, 0.25);
    assert_eq!(m.hit3, 0.5);
    assert_eq!(m.hit5, 0.75);
    assert!((m.mrr10 - (1.0 + 0.5 + 0.25) / 4.0).abs() < 1e-9);
    assert_eq!(m.excerpt_hit3, 0.25);
    assert_eq!(m.abstain_ok, "1/2");
    assert_eq!(m.false_abstain, 1);
    assert_eq!(m.misses, vec!["d".to_string()]);
}

/// Every excerpt, once its `…` marks are removed, is a verbatim substring of its passage, and each
/// highlight span covers a word of the excerpt.
#[test]
fn excerpts_are_verbatim_and_highlights_in_bounds() {
    let (answers, _) = run(essay(), "dev-bolivia.jsonl");
    let mut checked = 0;
    for a in &answers {
        for h in &a.results {
            let inner = h
                .excerpt
                .trim_start_matches(ELLIPSIS)
                .trim_end_matches(ELLIPSIS);
            assert!(h.passage.contains(inner), "not verbatim: {}", h.excerpt);
            assert!(
                h.excerpt.chars().count() <= 402,
                "too long: {}",
                h.excerpt.len()
            );
            let chars: Vec<char> = h.excerpt.chars().collect();
            for &(s, e) in &h.highlights {
                assert!(s < e && e <= chars.len());
                assert!(
                    chars[s..e]
                        .iter()
                        .all(|c| c.is_alphanumeric() || *c == '\'' || *c == '’')
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100);
}

#[test]
fn the_quickstart_question_finds_lozada_and_mesa() {
    let a = ask(
        essay(),
        "Who replaced Lozada as president?",
        &AskOptions::default(),
    )
    .expect("ask");
    assert!(a.answered);
    assert!(a.results[0].passage.contains("replaced Lozada by Mesa"));
    assert_eq!(a.results[0].short_ref, "3.8");
    assert_eq!(a.results[0].reference, "§3 Elements of dual power ¶8");
}

#[test]
fn out_of_scope_questions_are_not_answered() {
    for q in [
        "How do I configure a Kubernetes ingress controller?",
        "best pizza recipe with pineapple",
    ] {
        let a = ask(essay(), q, &AskOptions::default()).expect("ask");
        assert!(
            !a.answered,
            "{q}: {:?}",
            a.results.first().map(|h| &h.reference)
        );
        // Whatever comes nearest is shown under a plain warning, never as an answer.
        let shown = cabildo::render::text::answer(&a, cabildo::render::text::Style::plain());
        if a.results.is_empty() {
            assert!(
                shown.starts_with("Nothing in the text answers that"),
                "{shown}"
            );
        } else {
            assert!(
                shown.starts_with("Nothing in the text clearly answers that"),
                "{shown}"
            );
        }
    }
}

/// A question refused for want of confidence still gets its nearest passages, ranked exactly as
/// they would be if it had been answered (only the verdict differs), and `eval` counts it as
/// refused: on debian/, whose questions are asked in other words than the text's, every refused
/// answerable question carries passages.
#[test]
fn refused_questions_carry_their_nearest_passages() {
    let debian = Engine::from_corpus(
        cabildo::corpus::load(&data().join("corpora/debian")).expect("debian/ loads"),
        None,
        SearchSettings::default(),
    )
    .expect("debian engine");
    let (answers, m) = run(&debian, "dev-debian.jsonl");
    let refused: Vec<_> = answers.iter().filter(|a| !a.answered).collect();
    assert!(
        !refused.is_empty() && refused.len() >= m.false_abstain,
        "{m:?}"
    );
    for a in refused {
        assert!(!a.results.is_empty(), "{}", a.query);
        assert!(a.confidence < debian.search.min_confidence, "{}", a.query);
        for (i, h) in a.results.iter().enumerate() {
            assert_eq!(h.rank, i + 1, "{}", a.query);
        }
        // `cabildo ask` (fewer results by default) refuses it the same way, with the same passages.
        let again = ask(&debian, &a.query, &AskOptions::default()).expect("ask");
        assert!(!again.answered && !again.results.is_empty(), "{}", a.query);
        for (x, y) in again.results.iter().zip(&a.results) {
            assert_eq!(x.reference, y.reference, "{}", a.query);
        }
    }
}

/// A lexical engine over one of `tests/data/corpora` (loaded per test: the texts are small).
fn lexical_engine(corpus: &str) -> Engine {
    Engine::from_corpus(
        cabildo::corpus::load(&data().join(corpus)).expect("corpus loads"),
        None,
        SearchSettings::default(),
    )
    .expect("engine")
}

/// `set` on `engine` has at least hit@1 `floor.0` and hit@3 `floor.1`, and refuses at most
/// `floor.2` answerable questions.
fn meets(engine: &Engine, set: &str, floor: (f64, f64, usize)) {
    let (_, m) = run(engine, set);
    assert!(m.hit1 >= floor.0 && m.hit3 >= floor.1, "{set}: {m:?}");
    assert!(m.false_abstain <= floor.2, "{set}: {m:?}");
}

/// The paraphrase texts lexically (no model): floors one question below the measured level.
#[test]
fn dev_debian_and_apache_meet_the_lexical_floor() {
    meets(
        &lexical_engine("corpora/debian"),
        "dev-debian.jsonl",
        (0.55, 0.73, 8),
    );
    meets(
        &lexical_engine("corpora/apache-2.0.txt"),
        "dev-apache.jsonl",
        (0.63, 0.81, 2),
    );
}

/// The held-out sets (`heldout-*.jsonl`: 66 answerable and 9 out-of-scope questions written after
/// the ranking was chosen and never tuned on; tests/data/README.md), lexically: floors one question
/// below the level measured when they were written (kjv.md 0.500 / 0.500, none refused; debian
/// 0.438 / 0.812 and apache 0.600 / 0.700, one refused each; docs/semantic.md).
#[test]
fn held_out_sets_meet_the_lexical_floor() {
    meets(kjv(), "heldout-kjv.jsonl", (0.47, 0.47, 0));
    meets(
        &lexical_engine("corpora/debian"),
        "heldout-debian.jsonl",
        (0.37, 0.75, 2),
    );
    meets(
        &lexical_engine("corpora/apache-2.0.txt"),
        "heldout-apache.jsonl",
        (0.5, 0.6, 2),
    );
}

#[test]
fn top_offset_and_document_filter() {
    let e = essay();
    let q = "general strike";
    let five = ask(
        e,
        q,
        &AskOptions {
            top: Some(5),
            ..Default::default()
        },
    )
    .expect("ask");
    assert_eq!(five.results.len(), 5);
    let ranks: Vec<usize> = five.results.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, vec![1, 2, 3, 4, 5]);
    let page2 = ask(
        e,
        q,
        &AskOptions {
            top: Some(2),
            offset: 2,
            ..Default::default()
        },
    )
    .expect("ask");
    assert_eq!(page2.results[0].short_ref, five.results[2].short_ref);
    assert_eq!(page2.results[0].rank, 3);
    let doc = ask(
        e,
        q,
        &AskOptions {
            document: Some("bolivia".into()),
            ..Default::default()
        },
    )
    .expect("ask");
    assert!(doc.answered);
    let bad = ask(
        e,
        q,
        &AskOptions {
            document: Some("nope".into()),
            ..Default::default()
        },
    );
    assert!(matches!(
        bad,
        Err(cabildo::Error::User(
            cabildo::UserError::UnknownDocument { .. }
        ))
    ));
}

#[test]
fn typos_and_spelling_variants_still_find_the_passage() {
    let e = essay();
    let a = ask(e, "paris comune", &AskOptions::default()).expect("ask");
    assert!(
        a.results
            .iter()
            .any(|h| h.passage.contains("Paris Commune"))
    );
    // the essay writes "nationalization"; a British spelling finds it
    let a = ask(e, "nationalisation of oil and gas", &AskOptions::default()).expect("ask");
    assert!(a.results[0].passage.to_lowercase().contains("nationali"));
}

/// The explanation of the first result.
fn explain(engine: &cabildo::Engine, q: &str) -> cabildo::answer::Explain {
    let opts = AskOptions {
        explain: true,
        ..Default::default()
    };
    let a = ask(engine, q, &opts).expect("ask");
    let first = a.results.into_iter().next().expect("a result");
    first.explain.expect("explain")
}

#[test]
fn explain_reports_terms_and_fields() {
    let ex = explain(essay(), "dynamite miners");
    assert!(
        ex.terms
            .iter()
            .any(|t| t.typed == "dynamite" && t.fields.contains(&"text"))
    );
    assert!(ex.coverage > 0.9);
}

/// An engine over a small made-up text (not a dev text) written to exercise one method each.
fn methods() -> &'static cabildo::Engine {
    static E: std::sync::OnceLock<cabildo::Engine> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        let corpus =
            cabildo::corpus::load(&crate::common::fixture("methods.txt")).expect("fixture");
        cabildo::Engine::from_corpus(corpus, None, Default::default()).expect("engine")
    })
}

fn first_passage(engine: &cabildo::Engine, q: &str) -> Option<String> {
    let a = ask(engine, q, &AskOptions::default()).expect("ask");
    a.answered.then(|| a.results[0].passage.clone())
}

#[test]
fn lines_of_verse_stay_lines_in_the_terminal() {
    // Lines of verse stay lines, indented under their reference, and the verse's own opening
    // quotation mark is shown once.
    let a = ask(methods(), "Haul away the tide", &AskOptions::default()).expect("ask");
    let shown = cabildo::render::text::answer(&a, cabildo::render::text::Style::plain());
    assert!(
        shown.contains("   “Haul away the morning tide,\n   Haul away the evening,\n")
            && !shown.contains("““"),
        "{shown}"
    );
    // A question about something the text never mentions is refused.
    for q in ["Which song won Eurovision?", "Who wrote the poem Howl?"] {
        assert_eq!(first_passage(methods(), q), None, "{q}");
    }
}

#[test]
fn synonyms_find_a_passage_in_other_words_at_half_weight() {
    // "missing" is not in the text; WordNet's "lacking" is.
    let p = first_passage(methods(), "What was missing in the first year?").unwrap_or_default();
    assert!(p.contains("Money was lacking"), "{p:?}");
    let ex = explain(methods(), "missing money");
    let lacking = ex.terms.iter().find(|t| t.typed == "lacking");
    assert_eq!(lacking.map(|t| t.weight), Some(0.5), "{ex:?}");
}

/// Initials the texts never use but spell out are read as the name, in the ranking and in the
/// confidence; initials the texts use, or in lower case, are searched as typed.
#[test]
fn initials_are_read_as_the_name_the_texts_spell_out() {
    use cabildo::corpus::{self, Corpus, Format};
    let doc = corpus::parse(
        "notes",
        "Notes",
        Format::Text,
        "Notes\n\n\
         Volunteers distribute the system over the network every night.\n\n\
         Mirrors distribute the system to every continent.\n\n\
         The Free Software Foundation will distribute the system on physical media, and the\n\
         Free Software Foundation funds the work.\n\n\
         The OSI reviews licences.",
    );
    let e = Engine::from_corpus(
        Corpus::new(vec![doc], vec![]),
        None,
        SearchSettings::default(),
    )
    .expect("engine");
    let spelled = ask(
        &e,
        "How will the Free Software Foundation distribute it?",
        &AskOptions::default(),
    )
    .expect("ask");
    let initials = ask(
        &e,
        "How will the FSF distribute it?",
        &AskOptions::default(),
    )
    .expect("ask");
    assert!(spelled.answered && initials.answered, "{initials:?}");
    let first = |a: &cabildo::Answer| a.results.first().map(|h| h.passage.clone());
    assert!(
        first(&initials).is_some_and(|p| p.starts_with("The Free Software Foundation")),
        "{initials:?}"
    );
    assert_eq!(first(&initials), first(&spelled));
    assert!((initials.confidence - spelled.confidence).abs() < 1e-6);
    // the question is echoed as typed
    assert_eq!(initials.query, "How will the FSF distribute it?");
    // lower case is a word, not initials: searched as typed, and not found
    let lower = ask(
        &e,
        "How will the fsf distribute it?",
        &AskOptions::default(),
    )
    .expect("ask");
    assert!(lower.confidence < spelled.confidence, "{lower:?}");
    // initials the text uses are searched as they are
    let osi = ask(&e, "What does the OSI do?", &AskOptions::default()).expect("ask");
    assert!(
        first(&osi).is_some_and(|p| p.contains("OSI reviews")),
        "{osi:?}"
    );
}

/// The lexical ranking records the weight of the question words that open each passage (a
/// heading or a defined term), which the fusion reads; its own score leaves it out.
#[test]
fn question_words_opening_a_passage_are_recorded_for_the_fusion() {
    use cabildo::corpus::{self, Corpus, Format};
    use cabildo::search::question::Question;
    use cabildo::search::{Filter, fusion, search};
    let doc = corpus::parse(
        "licence",
        "Licence",
        Format::Text,
        "Licence\n\n\
         Any Contributor may submit a Contribution, and every Contribution is licensed here.\n\n\
         \"Contributor\" shall mean the Licensor and anyone who submits a Contribution.",
    );
    let e = Engine::from_corpus(
        Corpus::new(vec![doc], vec![]),
        None,
        SearchSettings::default(),
    )
    .expect("engine");
    let q = Question::parse(
        "Who counts as a Contributor?",
        cabildo::language::Language::ENGLISH,
    );
    let out = search(&e.index, &q, &Filter::default()).expect("search");
    let text = |ord: u32| {
        e.corpus
            .get(ord)
            .map(|v| v.passage.text.clone())
            .unwrap_or_default()
    };
    let definition = out
        .ranked
        .iter()
        .find(|r| text(r.ord).starts_with("\"Contributor\""))
        .expect("the definition is found");
    let mention = out
        .ranked
        .iter()
        .find(|r| text(r.ord).starts_with("Any Contributor"))
        .expect("the mention is found");
    assert!(definition.lead > 0.0, "{definition:?}");
    // "Contributor" is the second word there: inside the opening words too
    assert!(mention.lead > 0.0, "{mention:?}");
    for r in &out.ranked {
        let plain = (r.bm25 + r.proximity) * r.coverage * r.coverage;
        assert!((r.score - plain).abs() < 1e-4, "{r:?}");
    }
    // the fusion's reading ranks by BM25 plus the opening words
    let read = fusion::with_lead(&out.ranked, fusion::PARAMS.lead_weight);
    assert_eq!(read.len(), out.ranked.len());
    let q = Question::parse(
        "licensed Contribution",
        cabildo::language::Language::ENGLISH,
    );
    let out = search(&e.index, &q, &Filter::default()).expect("search");
    // neither passage opens with these words
    assert!(out.ranked.iter().all(|r| r.lead == 0.0), "{:?}", out.ranked);
}

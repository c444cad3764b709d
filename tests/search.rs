//! Search quality on the dev sets (floors; the eval command reports the full numbers) and the
//! excerpt contract.

use cabildo::eval::{self, Metrics};
use cabildo::excerpt::ELLIPSIS;
use cabildo::{AskOptions, ask};

use crate::common::{essay, kjv, shared};

fn run(engine: &cabildo::Engine, set: &str) -> (Vec<cabildo::Answer>, Metrics) {
    let qs = eval::load_questions(&shared().join("eval").join(set)).expect("question set");
    eval::run(engine, &qs).expect("eval runs")
}

#[test]
fn dev_bolivia_meets_the_floor() {
    let (_, m) = run(essay(), "dev-bolivia.jsonl");
    assert!(m.hit3 >= 0.90, "{m:?}");
    assert_eq!(m.abstain_ok, "1/1", "{m:?}");
}

#[test]
fn dev_kjv_meets_the_floor() {
    let (_, m) = run(kjv(), "dev-kjv.jsonl");
    assert!(m.hit3 >= 0.90, "{m:?}");
    assert_eq!(m.abstain_ok, "1/1", "{m:?}");
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
        assert!(a.results.is_empty());
    }
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

#[test]
fn explain_reports_terms_and_fields() {
    let a = ask(
        essay(),
        "dynamite miners",
        &AskOptions {
            explain: true,
            ..Default::default()
        },
    )
    .expect("ask");
    let ex = a.results[0].explain.as_ref().expect("explain");
    assert!(
        ex.terms
            .iter()
            .any(|t| t.typed == "dynamite" && t.fields.contains(&"text"))
    );
    assert!(ex.coverage > 0.9);
}

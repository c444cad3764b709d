//! Any string as a question: valid JSON, no panic.

use cabildo::render::json;
use cabildo::{AskOptions, ask};
use proptest::prelude::*;

use crate::common::essay;

fn check(q: &str) {
    let a = ask(essay(), q, &AskOptions::default()).expect("a question never errors");
    let line = json::line(&a);
    let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
    assert_eq!(v["query"], serde_json::Value::String(q.to_string()));
    // An answer has passages; a refusal may carry the nearest ones, never more than asked for.
    let answered = v["answered"].as_bool().expect("answered is a boolean");
    let results = v["results"].as_array().expect("results is an array");
    assert_eq!(answered, a.answered);
    assert_eq!(results.len(), a.results.len());
    assert!(!answered || !results.is_empty(), "{line}");
    assert!(results.len() <= essay().search.top, "{line}");
}

#[test]
fn hostile_questions() {
    let long_word = "a".repeat(10_000);
    let long_text = "power ".repeat(2_000);
    for q in [
        "",
        "   ",
        "\"unbalanced quote",
        "(brackets [and] {braces}",
        "power AND OR NOT -dual +strike",
        "title:power section:2",
        "pow* ?ower ~strike^3",
        "🚩✊ 🇧🇴",
        "\u{200b}\u{202e}power\u{0}",
        long_word.as_str(),
        long_text.as_str(),
        "@everyone <@123> **bold** `code`",
        "the of and a to",
        "充ing",
        "xṹed",
        "ééing the 日本's power",
        "e\u{301}\u{301}eth",
        "𝔭𝔬𝔴𝔢𝔯ing 🙂🙂ed",
    ] {
        check(q);
    }
}

/// A word made to reach the English suffix rules with multi-byte characters: letters from every
/// plane, combining marks and doubled letters, then a suffix such as `ing`, `ed`, `'s`, `eth`.
/// (Found in the wild: `充ing` panicked where a suffix rule cut a character in half.)
fn suffixed_word() -> impl Strategy<Value = String> {
    let letter = prop_oneof![
        "[a-z]",
        "[à-ÿ]",
        "[\u{0300}-\u{036f}]",
        "[\u{4e00}-\u{9fff}]",
        "[\u{1d400}-\u{1d7ff}]",
        "[\u{1f600}-\u{1f64f}]",
        "[\u{10000}-\u{10ffff}]",
        any::<char>().prop_map(String::from),
        // Characters whose UTF-8 ends in two equal bytes (`充` is E5 85 85): code that compares
        // bytes where it means letters takes them for a doubled letter.
        (0xe1u8..=0xecu8, 0x80u8..=0xbfu8).prop_filter_map("valid UTF-8", |(lead, cont)| {
            String::from_utf8(vec![lead, cont, cont]).ok()
        }),
    ];
    let suffix = prop::sample::select(vec![
        "ing", "ed", "'s", "’s", "eth", "est", "es", "ies", "s", "ise", "our", "yse", "tre",
        "ation", "ly", "",
    ]);
    (prop::collection::vec(letter, 1..6), any::<bool>(), suffix).prop_map(
        |(letters, double, suffix)| {
            let mut w: String = letters.concat();
            if double && let Some(c) = w.chars().last() {
                w.push(c);
            }
            w + suffix
        },
    )
}

proptest! {
    #![proptest_config(crate::common::proptest_config(200))]
    #[test]
    fn any_string_yields_valid_json(q in any::<String>()) {
        check(&q);
    }

    #[test]
    fn multi_byte_words_before_english_suffixes_yield_valid_json(
        words in prop::collection::vec(suffixed_word(), 1..5)
    ) {
        check(&words.join(" "));
    }

    #[test]
    fn any_words_yield_valid_json(q in "[a-zA-Z ,.?'\"*:()-]{0,80}") {
        check(&q);
    }
}

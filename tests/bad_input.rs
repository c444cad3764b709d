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
    assert_eq!(v["answered"].as_bool(), Some(!a.results.is_empty()));
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
    ] {
        check(q);
    }
}

proptest! {
    #![proptest_config(crate::common::proptest_config(200))]
    #[test]
    fn any_string_yields_valid_json(q in any::<String>()) {
        check(&q);
    }

    #[test]
    fn any_words_yield_valid_json(q in "[a-zA-Z ,.?'\"*:()-]{0,80}") {
        check(&q);
    }
}

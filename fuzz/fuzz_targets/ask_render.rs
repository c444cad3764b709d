//! Any string as a question on the embedded essay: an answer (never an error), valid JSON, text
//! output, excerpts quoted from their passages and highlights inside their excerpts.

#![no_main]

use std::sync::OnceLock;

use cabildo::engine::Engine;
use cabildo::render::{json, text};
use cabildo::{AskOptions, ask, corpus};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::from_corpus(corpus::embedded(), None, Default::default()).expect("essay engine")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let a = ask(engine(), q, &AskOptions::default()).expect("a question never errors");
    // An answer has passages; a refusal may carry the nearest ones.
    assert!(!a.answered || !a.results.is_empty());

    let line = json::line(&a);
    let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
    assert_eq!(v["query"].as_str(), Some(q));
    assert!(!line.contains('\n'), "one line of JSON");

    for style in [
        text::Style::plain(),
        text::Style {
            color: true,
            lang: cabildo::i18n::Lang::Es,
        },
    ] {
        let out = text::answer(&a, style);
        assert!(!out.is_empty());
    }

    for hit in &a.results {
        let inner = hit.excerpt.strip_prefix('…').unwrap_or(&hit.excerpt);
        let inner = inner.strip_suffix('…').unwrap_or(inner);
        assert!(
            hit.passage.contains(inner),
            "excerpt {:?} is not in its passage",
            hit.excerpt
        );
        let chars = hit.excerpt.chars().count();
        let mut last_end = 0;
        for &(s, e) in &hit.highlights {
            assert!(
                s < e && e <= chars,
                "highlight {s}..{e} outside {chars} chars"
            );
            assert!(s >= last_end, "highlights overlap or go backwards");
            last_end = e;
        }
        assert!(hit.at.check(&engine().corpus).is_ok());
    }
});

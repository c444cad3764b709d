//! Any bytes as an HTTP interaction body: through the endpoint's handler (serenity's `Interaction`
//! model → the typed action → the bot → the Discord renderer). It must never panic, and whatever
//! reply it makes must respect Discord's limits and mention no one.

#![no_main]

use std::sync::{Arc, OnceLock};

use cabildo::corpus;
use cabildo::discord::handler::Bot;
use cabildo::discord::http::HttpInteractions;
use cabildo::engine::Engine;
use cabildo::server::{Interactions, Reply};
use libfuzzer_sys::fuzz_target;

fn handler() -> Arc<HttpInteractions> {
    static H: OnceLock<Arc<HttpInteractions>> = OnceLock::new();
    H.get_or_init(|| {
        let engine = Engine::from_corpus(corpus::embedded(), None, Default::default())
            .expect("essay engine");
        Arc::new(HttpInteractions::new(
            Arc::new(Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO)),
            None,
        ))
    })
    .clone()
}

/// The endpoint answers on a runtime; one current-thread runtime serves every input.
fn runtime() -> &'static tokio::runtime::Runtime {
    static R: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    R.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn text_fields(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| text_fields(x, out)),
        // custom ids are never shown to anyone (they may echo a question's words)
        serde_json::Value::Object(o) => o
            .iter()
            .filter(|(k, _)| k.as_str() != "custom_id")
            .for_each(|(_, x)| text_fields(x, out)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Some(kind) = value["type"].as_u64() else {
        return;
    };
    let reply = runtime().block_on(handler().respond(data.to_vec().into(), kind));
    if let Reply::Json { body, .. } = reply {
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON reply");
        let d = &body["data"];
        if body["type"] != 8 {
            assert_eq!(d["allowed_mentions"]["parse"], serde_json::json!([]));
        }
        if let Some(c) = d["content"].as_str() {
            assert!(c.chars().count() <= 2000);
        }
        let mut texts = Vec::new();
        text_fields(d, &mut texts);
        for t in texts {
            assert!(
                !t.contains("@everyone") && !t.contains("<@"),
                "mention in {t:?}"
            );
        }
    }
});

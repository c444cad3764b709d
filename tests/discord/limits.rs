//! Checks a serialized Discord message against every limit, and that nothing in it can mention
//! anyone. Shared by the property tests and the end-to-end tests.

use serde_json::Value;

/// Panics with a description when `message` (the `data` of an interaction response, or a message
/// body) breaks a limit or could mention someone.
pub fn check_message(message: &Value) {
    let parse = &message["allowed_mentions"]["parse"];
    assert_eq!(parse, &serde_json::json!([]), "allowed_mentions: {message}");
    if let Some(content) = message["content"].as_str() {
        assert!(chars(content) <= 2000, "content too long");
        no_mention(content);
    }
    let embeds = message["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10);
    let mut total = 0;
    for e in &embeds {
        for (key, max) in [("title", 256), ("description", 4096)] {
            if let Some(s) = e[key].as_str() {
                assert!(chars(s) <= max, "{key}: {} > {max}", chars(s));
                no_mention(s);
                total += chars(s);
            }
        }
        if let Some(s) = e["footer"]["text"].as_str() {
            assert!(chars(s) <= 2048);
            no_mention(s);
            total += chars(s);
        }
        for f in e["fields"].as_array().into_iter().flatten() {
            let (n, v) = (
                f["name"].as_str().unwrap_or(""),
                f["value"].as_str().unwrap_or(""),
            );
            assert!(chars(n) <= 256 && chars(v) <= 1024);
            no_mention(n);
            no_mention(v);
            total += chars(n) + chars(v);
        }
    }
    assert!(total <= 6000, "embeds total {total}");
    let rows = message["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rows.len() <= 5, "{} rows", rows.len());
    let mut ids = std::collections::HashSet::new();
    for row in &rows {
        let buttons = row["components"].as_array().expect("row components");
        assert!(!buttons.is_empty() && buttons.len() <= 5);
        for b in buttons {
            let id = b["custom_id"].as_str().expect("custom_id");
            assert!(chars(id) <= 100, "custom_id {id}");
            assert!(ids.insert(id.to_string()), "duplicate custom_id {id}");
            let label = b["label"].as_str().expect("label");
            assert!((1..=80).contains(&chars(label)), "label {label}");
            no_mention(label);
        }
    }
}

/// Checks an autocomplete response's `data`.
pub fn check_choices(data: &Value) {
    let choices = data["choices"].as_array().expect("choices");
    assert!(choices.len() <= 25);
    for c in choices {
        let n = c["name"].as_str().expect("name");
        let v = c["value"].as_str().expect("value");
        assert!((1..=100).contains(&chars(n)) && (1..=100).contains(&chars(v)));
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn no_mention(s: &str) {
    for bad in ["@everyone", "@here", "<@", "<#", "</", "<&"] {
        assert!(!s.contains(bad), "mention-like {bad:?} in {s:?}");
    }
}

//! JSON output: the stable contract of `--json` and of batch mode (one object per line).

use serde::Serialize;

/// One value as a single line of JSON.
pub fn line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; if it ever does, say so in valid JSON.
        serde_json::json!({ "error": e.to_string() }).to_string()
    })
}

/// One value as indented JSON.
pub fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
}

/// The line batch mode writes for a question it could not answer (the batch goes on):
/// `{"query": …, "answered": false, "error": …}`.
pub fn error_line(query: &str, error: &impl std::fmt::Display) -> String {
    serde_json::json!({ "query": query, "answered": false, "error": error.to_string() }).to_string()
}

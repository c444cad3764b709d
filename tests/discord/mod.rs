//! The Discord bot: rendering (snapshots and limits under random input), and end-to-end runs of the
//! real serenity client against a fake Discord on 127.0.0.1.

mod cli;
mod e2e;
pub mod fake;
mod hostile;
mod limits;
mod render;
mod settings;
mod study;

/// The Discord limits check, for other test modules.
pub fn limits_check(message: &serde_json::Value) {
    limits::check_message(message);
}

//! The Discord front end: slash commands, buttons and mentions answered with the same use cases the
//! CLI calls ([`crate::answer::ask`], [`crate::lookup`]).
//!
//! - [`commands`]: the command schema registered with Discord, and the one place an interaction is
//!   parsed into a typed [`commands::Action`] (button custom ids included, encoded and parsed back).
//! - [`handler`]: an action in, a [`reply::Reply`] out. Plain data, no Discord connection: the
//!   gateway here and an HTTP interactions endpoint can both call it.
//! - [`texts`]: `/texts add|remove|list`, a server's own texts, with a reply edited as the work
//!   goes on.
//! - [`throttle`]: the per-member rate limit (a token bucket) shared by commands, buttons and
//!   mentions.
//! - The reply model and button ids live in [`crate::reply`], below both this module and
//!   [`crate::render::discord`], which turns replies into Discord's builders.
//! - [`gateway`]: the serenity client behind `cabildo run`: connects, registers the commands on
//!   READY, answers interactions and mentions; also `register` and the invite link.
//! - [`http`]: the same handlers behind the HTTP interactions endpoint (`cabildo serve`).

pub mod bookmarks;
pub mod commands;
pub mod gateway;
pub mod handler;
pub mod http;
pub mod poster;
pub mod study;
pub mod texts;
pub mod throttle;

pub use gateway::{Launch, invite_url, register, run, run_with};

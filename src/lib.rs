//! cabildo answers a study group's questions about its texts with exact, referenced quotes.
//!
//! The data flows one way, one module per step:
//! corpus files → [`corpus`] (documents of numbered sections and passages) → [`index`] (tantivy,
//! with the shared [`analysis`]) → [`search`] (question analysis, lexical and semantic ranking,
//! their fusion, the confidence, the best sentence window of each passage) → [`answer`] (the one use case every front end calls, beside
//! [`lookup`] for quotes and contents) → [`render`] (terminal text, JSON) → [`cli`].
//! [`eval`] measures answer quality and [`bench`] speed; [`reference`] parses and formats every
//! citation form; [`config`] reads settings once; [`engine`] holds the loaded corpus and index.
//! [`discord`] is the Discord bot (gateway), answering with [`reply`] models that
//! [`render::discord`] turns into messages; [`server`] is the HTTP interactions endpoint.
//! [`store`] is the database (SQLite or Postgres): server settings, reading plans, bookmarks,
//! servers' own texts; [`library`] gives each server its engine (the host's texts and its own).

pub mod analysis;
pub mod answer;
pub mod bench;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod discord;
pub mod embed;
pub mod engine;
pub mod error;
pub mod eval;
pub mod index;
pub mod library;
pub mod lookup;
pub mod models;
pub mod prefs;
pub mod progress;
pub mod reference;
pub mod render;
pub mod reply;
pub mod schedule;
pub mod search;
pub mod server;
pub mod store;
pub mod synonyms;

pub use answer::{Answer, AskOptions, Hit, ask};
pub use engine::Engine;
pub use error::{Error, UserError};
pub use reference::Reference;

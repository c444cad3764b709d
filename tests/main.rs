//! Integration tests, one binary: structure of the corpora, references, search quality, bad input,
//! configuration, index lifecycle, and the real `cabildo` binary end to end.

mod architecture;
mod bad_files;
mod bad_input;
mod cli;
mod common;
pub mod config;
mod deploy;
pub mod discord;
mod embed;
mod formats;
mod fuzz_regressions;
mod index;
pub mod library;
mod models;
mod references;
mod robustness;
mod schedule;
mod search;
mod semantic;
mod server;
mod shapes;
mod shapes_real;
mod spanish;
pub mod store;
mod structure;

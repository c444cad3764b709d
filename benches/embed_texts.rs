//! Lab tool for docs/semantic.md (not a test): the Rust side of the speed comparison with
//! sentence-transformers (`benches/st_compare.py` is the Python side), on exactly the same texts.
//!
//! `cargo run --release --example embed_texts -- dump CORPUS > texts.jsonl` writes every passage's
//! text as a JSON string a line; `… -- embed MODEL_DIR texts.jsonl` embeds them as passages, the way
//! the index does (sorted by length, batches of 32, two at a time), and reports the time. Run it
//! under `/usr/bin/time -v` for the peak RSS.

use std::path::PathBuf;

use cabildo::embed::{Embedder, Role};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: first thing in main, before any other thread starts.
    unsafe { cabildo::embed::fix_thread_count() };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: embed_texts dump CORPUS | embed MODEL_DIR TEXTS.jsonl";
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["dump", corpus] => {
            let corpus = cabildo::corpus::load(&PathBuf::from(corpus))?;
            for v in corpus.passages() {
                println!("{}", serde_json::to_string(&v.passage.text)?);
            }
        }
        ["embed", model, texts] => {
            let embedder = Embedder::load(&PathBuf::from(model))?;
            let texts: Vec<String> = std::fs::read_to_string(texts)?
                .lines()
                .map(serde_json::from_str)
                .collect::<Result<_, _>>()?;
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let started = std::time::Instant::now();
            let vectors = embedder.embed(&refs, Role::Passage)?;
            eprintln!(
                "cabildo: {} texts embedded in {:.1} s",
                vectors.len(),
                started.elapsed().as_secs_f64()
            );
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}

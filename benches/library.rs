//! Many servers on one small machine (issue 28, item 7): one process, `SERVERS` servers of
//! `TEXTS` texts of about 100 KB each (slices of kjv.md, each made its own by a line naming its
//! server), stored in a database, loaded when first asked, dropped least recently used first
//! within the memory budget. Measures:
//!
//! - the first answer in a cold server, two ways: no index built yet (another process's first
//!   question after a text was added elsewhere), and index on disk from an earlier run (a
//!   restarted process);
//! - p50 / p99 of answers once warm, asked across every server at random;
//! - the process's resident memory with every server asked, and how many stayed loaded;
//! - `/texts add` of a 1 MB text to its first lexical answer, and (with a model) to vectors ready.
//!
//! `cargo run --release --example library_bench -- [SERVERS] [TEXTS] [BUDGET_MB]`
//! (defaults 200, 3, 1024). `DATABASE_URL` picks Postgres instead of a fresh SQLite file;
//! `CABILDO_MODEL` a model directory for the vectors figure (e.g. `bash .ci/fetch-model`).

use std::sync::Arc;
use std::time::Instant;

use cabildo::answer::{AskOptions, ask};
use cabildo::config::{LibrarySettings, SearchSettings};
use cabildo::engine::Engine;
use cabildo::library::{Library, Upload};
use cabildo::store::{NewText, Quota, Store};

const QUESTIONS: &[&str] = &[
    "Who was the father of Isaac?",
    "a soft answer turneth away wrath",
    "What did the Lord say to Moses in the mount?",
    "love thy neighbour",
    "How many years did Methuselah live?",
    "Where was Jesus born?",
    "the tribe of Judah",
    "blessed are the meek",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rss_mb() -> f64 {
    cabildo::bench::proc_status_mb("VmRSS")
}

/// Slices of about `size` bytes of kjv.md, cut between paragraphs.
fn slices(kjv: &str, size: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for para in kjv.split("\n\n") {
        cur.push_str(para);
        cur.push_str("\n\n");
        if cur.len() >= size {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

/// Answers `q` in `guild` (the engine looked up as a request would), in milliseconds.
async fn answer(lib: &Arc<Library>, guild: u64, q: &str) -> f64 {
    let started = Instant::now();
    let engine = lib.engine(Some(guild)).await;
    let q = q.to_string();
    tokio::task::spawn_blocking(move || ask(&engine, &q, &AskOptions::default()).map(drop))
        .await
        .expect("joins")
        .expect("answers");
    started.elapsed().as_secs_f64() * 1000.0
}

fn summary(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name}: n={} p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0.0)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let servers: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let texts: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let budget: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1024);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let kjv = std::fs::read_to_string(root.join("tests/data/corpora/kjv.md"))?;
    let pieces = slices(&kjv, 100 * 1024);
    let dir = tempfile::tempdir()?;
    let url =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| cabildo::store::url_for(None, dir.path()));
    let store = Store::open(&url)?;
    println!(
        "{servers} servers × {texts} texts of ~100 KB ({} distinct slices of kjv.md), {} database, budget {budget} MB",
        pieces.len(),
        store.kind()
    );
    let started = Instant::now();
    let quota = Quota {
        max_texts: 50,
        max_bytes: 100 << 20,
    };
    for g in 0..servers {
        for t in 0..texts {
            let body = format!(
                "Text {t} of server {g}\n\n{}",
                pieces[(g as usize * texts + t) % pieces.len()]
            );
            store
                .add_text(
                    NewText {
                        guild: 1_000 + g,
                        doc_id: format!("text-{t}"),
                        title: format!("Text {t} of server {g}"),
                        language: None,
                        file_name: format!("text-{t}.md"),
                        format: "markdown".into(),
                        hash: format!("{g}-{t}"),
                        sections: 0,
                        passages: 0,
                        content: body.into_bytes(),
                        added_by: 1,
                    },
                    quota,
                )
                .await?;
        }
    }
    println!(
        "stored in {:.1} s; RSS {:.0} MB",
        started.elapsed().as_secs_f64(),
        rss_mb()
    );
    let host = Arc::new(Engine::from_corpus(
        cabildo::corpus::embedded(),
        None,
        SearchSettings::default(),
    )?);
    let limits = LibrarySettings {
        memory_budget_mb: budget,
        ..LibrarySettings::default()
    };
    let data = dir.path().join("library");
    // 1. Never indexed: each server's first question builds its index from the database.
    let lib = Arc::new(Library::with(
        host.clone(),
        Some(store.clone()),
        limits.clone(),
        Some(data.clone()),
    ));
    let mut cold = Vec::new();
    for g in 0..servers {
        cold.push(answer(&lib, 1_000 + g, QUESTIONS[g as usize % QUESTIONS.len()]).await);
    }
    summary("first answer, cold server, index built now", cold);
    let (loaded, est) = lib.loaded();
    println!(
        "after asking every server once: RSS {:.0} MB, {loaded} servers loaded (estimated {:.0} MB)",
        rss_mb(),
        est as f64 / 1e6
    );
    drop(lib);
    // 2. A restarted process: indexes on disk, nothing loaded.
    let lib = Arc::new(Library::with(
        host.clone(),
        Some(store.clone()),
        limits.clone(),
        Some(data.clone()),
    ));
    let mut restarted = Vec::new();
    for g in 0..servers {
        restarted.push(
            answer(
                &lib,
                1_000 + g,
                QUESTIONS[(g as usize + 1) % QUESTIONS.len()],
            )
            .await,
        );
    }
    summary("first answer, cold server, index on disk", restarted);
    // 3. Warm: questions across every server, in a fixed pseudo-random order.
    let mut warm = Vec::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..(servers as usize * 20).max(2_000) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let g = 1_000 + x % servers;
        warm.push(answer(&lib, g, QUESTIONS[i % QUESTIONS.len()]).await);
    }
    summary("answers once warm (every server, random order)", warm);
    let (loaded, est) = lib.loaded();
    println!(
        "RSS {:.0} MB (peak {:.0} MB), {loaded} of {servers} servers loaded (estimated {:.0} MB)",
        rss_mb(),
        cabildo::bench::proc_status_mb("VmHWM"),
        est as f64 / 1e6
    );
    drop(lib);
    // 4. `/texts add` of a 1 MB text: to its first lexical answer, and to vectors ready.
    let model = std::env::var("CABILDO_MODEL").ok();
    let host = match &model {
        Some(m) => Arc::new(
            Engine::from_corpus(cabildo::corpus::embedded(), None, SearchSettings::default())?
                .with_model(std::path::Path::new(m), None)?,
        ),
        None => host,
    };
    let lib = Arc::new(Library::with(
        host,
        Some(store.clone()),
        LibrarySettings::default(),
        Some(data.clone()),
    ));
    if model.is_some() {
        // The host's texts' vectors, once for all servers, before the clock starts.
        lib.add(
            Upload {
                guild: 1,
                file_name: "warm.txt".into(),
                bytes: b"A first text.\n".to_vec(),
                title: None,
                language: None,
                added_by: 1,
            },
            |_| {},
        )
        .await
        .map_err(|e| format!("{e:?}"))?;
        lib.vectors(1, |_| {}).await;
    }
    let big: String = pieces.iter().take(10).cloned().collect();
    let started = Instant::now();
    lib.add(
        Upload {
            guild: 2,
            file_name: "megabyte.md".into(),
            bytes: big.clone().into_bytes(),
            title: None,
            language: None,
            added_by: 1,
        },
        |_| {},
    )
    .await
    .map_err(|e| format!("{e:?}"))?;
    answer(&lib, 2, "Where was Jesus born?").await;
    println!(
        "/texts add of a {:.2} MB text to its first lexical answer: {:.2} s",
        big.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    if model.is_some() {
        let p = lib.vectors(2, |_| {}).await;
        println!(
            "to vectors ready: {:.1} s ({:?})",
            started.elapsed().as_secs_f64(),
            p
        );
    }
    Ok(())
}

//! Whole-program performance figures a user can reproduce (`cabildo bench`): start-up to a ready
//! index (cold: build; warm: open the persisted one), answer latency percentiles over repeated
//! questions after one warm-up round (the same `answer::ask` the bot calls, excerpts included),
//! and peak memory.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::answer::{AskOptions, ask};
use crate::config::SearchSettings;
use crate::corpus::Corpus;
use crate::engine::Engine;
use crate::error::{Error, Result};

/// The figures of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub passages: usize,
    pub documents: usize,
    pub questions: usize,
    pub repetitions: usize,
    /// Building the index from scratch in the data directory, ms (with a model: and embedding
    /// every passage).
    pub cold_start_ms: f64,
    /// The model's name, when semantic search was measured too.
    pub model: Option<String>,
    /// Of the cold start: embedding the passages (and their sentences), ms.
    pub embed_ms: f64,
    /// Vectors embedded at the cold start (passages and sentences).
    pub vectors: usize,
    /// Opening the persisted index again, ms.
    pub warm_start_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub answers_per_second: f64,
    /// Peak resident memory of this process, MB (Linux; 0 elsewhere).
    pub peak_rss_mb: f64,
}

/// Measures `corpus` with `questions` asked `repetitions` times each, using a fresh data directory
/// (or `reuse`, where the cold start builds only what is missing).
pub fn run(
    corpus: Corpus,
    questions: &[String],
    repetitions: usize,
    search: SearchSettings,
    model: Option<&Path>,
    reuse: Option<&Path>,
) -> Result<Report> {
    let fresh =
        tempfile::tempdir().map_err(|e| Error::io("creating a temporary data directory", e))?;
    let data = reuse.unwrap_or(fresh.path());
    let (passages, documents) = (corpus.len(), corpus.documents.len());
    let started = Instant::now();
    let mut cold = Engine::from_corpus(corpus, Some(data), search.clone())?;
    let mut embed = Duration::ZERO;
    let mut vectors = 0;
    let mut model_name = None;
    if let Some(dir) = model {
        let t = Instant::now();
        cold = cold.with_model(dir, Some(data))?;
        embed = t.elapsed();
        if let Some(sem) = &cold.semantic {
            vectors = sem.len() + sem.sentence_count();
            model_name = Some(sem.embedder.name().to_string());
        }
    }
    let cold_start = started.elapsed();
    let corpus = cold.corpus.clone();
    drop(cold);
    let started = Instant::now();
    let mut engine = Engine::from_corpus(corpus, Some(data), search)?;
    if let Some(dir) = model {
        engine = engine.with_model(dir, Some(data))?;
    }
    let warm_start = started.elapsed();
    let opts = AskOptions::default();
    // One unmeasured round first: the first touch of each part of the mmapped index is a page
    // fault, which a long-running bot pays once.
    for q in questions {
        std::hint::black_box(ask(&engine, q, &opts)?);
    }
    let mut times: Vec<Duration> = Vec::with_capacity(questions.len() * repetitions);
    let all = Instant::now();
    for _ in 0..repetitions {
        for q in questions {
            let t = Instant::now();
            let a = ask(&engine, q, &opts)?;
            times.push(t.elapsed());
            std::hint::black_box(a);
        }
    }
    let total = all.elapsed();
    times.sort_unstable();
    let pct = |p: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let i = ((times.len() as f64 - 1.0) * p).round() as usize;
        ms(times[i.min(times.len() - 1)])
    };
    Ok(Report {
        passages,
        documents,
        questions: questions.len(),
        repetitions,
        cold_start_ms: ms(cold_start),
        model: model_name,
        embed_ms: ms(embed),
        vectors,
        warm_start_ms: ms(warm_start),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: times.last().map_or(0.0, |d| ms(*d)),
        answers_per_second: times.len() as f64 / total.as_secs_f64().max(1e-9),
        peak_rss_mb: peak_rss_mb(),
    })
}

/// The figures of reading a corpus (`cabildo bench --parse`).
#[derive(Debug, Clone, Serialize)]
pub struct ParseReport {
    pub passages: usize,
    pub documents: usize,
    pub repetitions: usize,
    /// The fastest read of the whole corpus (files read, parsed, documents built), ms.
    pub best_ms: f64,
    pub median_ms: f64,
    /// Peak resident memory of this process, MB (Linux; 0 elsewhere).
    pub peak_rss_mb: f64,
}

/// Reads the corpus at `path` `repetitions` times.
pub fn parse(
    path: &Path,
    limits: &crate::corpus::Limits,
    repetitions: usize,
) -> Result<ParseReport> {
    let mut times = Vec::with_capacity(repetitions);
    let mut last = None;
    for _ in 0..repetitions.max(1) {
        let t = Instant::now();
        let c = crate::corpus::load_with(path, limits)?;
        times.push(t.elapsed());
        last = Some(std::hint::black_box(c));
    }
    times.sort_unstable();
    let (passages, documents) = last.map_or((0, 0), |c| (c.len(), c.documents.len()));
    Ok(ParseReport {
        passages,
        documents,
        repetitions: times.len(),
        best_ms: times.first().map_or(0.0, |d| ms(*d)),
        median_ms: ms(times[times.len() / 2]),
        peak_rss_mb: peak_rss_mb(),
    })
}

/// Questions from a file: JSONL question sets (`{"question": …}`) or one question per line.
pub fn load_questions(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| {
                    v.get("question")
                        .and_then(|q| q.as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| l.trim().to_string())
        })
        .collect())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// VmHWM (peak resident memory) of this process, MB.
fn peak_rss_mb() -> f64 {
    proc_status_mb("VmHWM")
}

/// A memory figure of this process from /proc/self/status (`VmRSS`, `VmHWM`, …), in MB; 0 where
/// there is no /proc.
pub fn proc_status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

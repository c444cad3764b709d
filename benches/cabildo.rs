//! criterion benchmarks: index build (essay, kjv.md), answer latency with excerpts (essay, kjv.md,
//! ten distinct copies of kjv.md) over the dev questions, and rendering a reply.
//!
//! Run: `cargo bench` (reads the corpora and question sets in tests/data).

use std::hint::black_box;
use std::path::PathBuf;

use cabildo::config::SearchSettings;
use cabildo::corpus::{self, Corpus, Format};
use cabildo::engine::Engine;
use cabildo::index::SearchIndex;
use cabildo::render::{json, text};
use cabildo::{AskOptions, ask};
use criterion::{Criterion, criterion_group, criterion_main};

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn kjv_text() -> String {
    std::fs::read_to_string(data().join("corpora/kjv.md")).expect("tests/data/corpora/kjv.md")
}

fn kjv() -> Corpus {
    let doc = corpus::parse("kjv", "kjv", Format::Markdown, &kjv_text());
    Corpus::new(vec![doc], vec![])
}

/// Ten copies of kjv.md as ten documents with distinct ids.
fn kjv10() -> Corpus {
    let text = kjv_text();
    let docs = (0..10)
        .map(|i| corpus::parse(&format!("kjv-{i}"), "kjv", Format::Markdown, &text))
        .collect();
    Corpus::new(docs, vec![])
}

fn questions(set: &str) -> Vec<String> {
    let path = data().join("eval").join(set);
    cabildo::bench::load_questions(&path).expect("question set")
}

fn engine(corpus: Corpus) -> Engine {
    Engine::from_corpus(corpus, None, SearchSettings::default()).expect("engine")
}

fn index_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("index_build");
    g.sample_size(10);
    let essay = corpus::embedded();
    g.bench_function("essay", |b| {
        b.iter(|| SearchIndex::build_in_ram(black_box(&essay)))
    });
    let k = kjv();
    g.bench_function("kjv", |b| {
        b.iter(|| SearchIndex::build_in_ram(black_box(&k)))
    });
    g.finish();
}

fn answer_latency(c: &mut Criterion) {
    let mut g = c.benchmark_group("answer");
    let opts = AskOptions::default();
    for (name, e, qs) in [
        (
            "essay",
            engine(corpus::embedded()),
            questions("dev-bolivia.jsonl"),
        ),
        ("kjv", engine(kjv()), questions("dev-kjv.jsonl")),
        ("kjv10", engine(kjv10()), questions("dev-kjv.jsonl")),
    ] {
        // One iteration answers the whole question set; divide by its length for per-answer time.
        g.bench_function(format!("{name} ({} questions)", qs.len()), |b| {
            b.iter(|| {
                for q in &qs {
                    black_box(ask(&e, q, &opts).expect("answer"));
                }
            })
        });
    }
    g.finish();
}

fn render(c: &mut Criterion) {
    let e = engine(corpus::embedded());
    let a = ask(&e, "What is dual power?", &AskOptions::default()).expect("answer");
    let style = text::Style {
        color: true,
        lang: cabildo::i18n::Lang::En,
    };
    c.bench_function("render/text", |b| {
        b.iter(|| text::answer(black_box(&a), style))
    });
    c.bench_function("render/json", |b| b.iter(|| json::line(black_box(&a))));
}

/// Issue 13: one question's embedding with all-MiniLM-L6-v2 (run `.ci/fetch-model` first; skipped
/// when the model is not in target/models).
fn embed_query(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/models/all-MiniLM-L6-v2");
    let Ok(model) = cabildo::embed::Embedder::load(&dir) else {
        eprintln!(
            "embed_query: no model in {} (run .ci/fetch-model)",
            dir.display()
        );
        return;
    };
    let qs = questions("dev-debian.jsonl");
    let mut g = c.benchmark_group("embed_query");
    g.bench_function("all-MiniLM-L6-v2", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % qs.len();
            black_box(model.embed_query(&qs[i]).ok())
        })
    });
    g.finish();
    // Index-time throughput: 64 verses of kjv.md (two batches, both cores).
    let text = kjv_text();
    let verses: Vec<&str> = text
        .lines()
        .filter(|l| l.len() > 20 && !l.starts_with('#'))
        .step_by(97)
        .take(64)
        .collect();
    let mut g = c.benchmark_group("embed_passages");
    g.sample_size(10);
    g.bench_function("64 kjv verses", |b| {
        b.iter(|| black_box(model.embed(&verses, cabildo::embed::Role::Passage).ok()))
    });
    g.finish();
}

/// The dense scan of a question's vector against as many half-float vectors as kjv.md has
/// (31,102 verses and 7,055 sentence vectors, 384 dimensions).
fn dense_scan(c: &mut Criterion) {
    let dim = 384;
    let rows: Vec<half::f16> = (0..38_157 * dim)
        .map(|i| half::f16::from_f32(((i * 7919) % 1000) as f32 / 1000.0 - 0.5))
        .collect();
    let query: Vec<f32> = (0..dim).map(|i| (i as f32).sin() / 14.0).collect();
    let rows = cabildo::embed::Rows::from_f16(&rows, dim);
    c.bench_function("dense_scan/kjv-sized", |b| {
        b.iter(|| black_box(rows.dots(black_box(&query))))
    });
}

criterion_group!(
    benches,
    index_build,
    answer_latency,
    render,
    embed_query,
    dense_scan
);
criterion_main!(benches);

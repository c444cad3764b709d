//! Reading the formats (issue 27's bounds): the Debian Policy Manual as a PDF (≤ 3 s), an EPUB
//! and its folder of HTML pages (≤ 1 s each), the Developer's Reference in the same three, and the
//! whole shape suite read and indexed; each timed over several runs (min / median / max) with the
//! peak heap the read takes above what was allocated before it (a counting allocator), and the
//! process's peak RSS at the end.
//!
//! Run: `cargo bench --bench formats` (release build; `CABILDO_BENCH_RUNS=n`, default 10). Each
//! read goes through `corpus::load`, as `cabildo --corpus FILE` does, file reading included.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cabildo::corpus::{self, Corpus};
use cabildo::index::SearchIndex;

/// The system allocator, counting the bytes in use and their high-water mark.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grown = new_size - layout.size();
                let now = IN_USE.fetch_add(grown, Ordering::Relaxed) + grown;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` once, returning its result, the time it took and the peak heap above the start.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    (
        out,
        took,
        PEAK.load(Ordering::Relaxed).saturating_sub(before),
    )
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpora")
        .join(rel)
}

fn load(path: &Path) -> Corpus {
    corpus::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Times `runs` runs of `f` and prints a row; returns the median.
fn row(label: &str, bound: Option<f64>, runs: usize, f: impl Fn() -> usize) -> Duration {
    let mut times = Vec::with_capacity(runs);
    let mut peak = 0;
    let mut passages = 0;
    for _ in 0..runs {
        let (n, took, heap) = measured(&f);
        passages = n;
        times.push(took);
        peak = peak.max(heap);
    }
    times.sort();
    let median = times[times.len() / 2];
    let verdict = match bound {
        Some(b) if median.as_secs_f64() <= b => format!("≤ {b} s: met"),
        Some(b) => format!("≤ {b} s: NOT MET"),
        None => String::new(),
    };
    println!(
        "| {label} | {passages} | {:.3} / {:.3} / {:.3} | {:.1} | {verdict} |",
        times[0].as_secs_f64(),
        median.as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        mib(peak),
    );
    median
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let runs: usize = std::env::var("CABILDO_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(10);
    println!("{runs} runs each\n");
    println!("| read | passages | seconds min / median / max | peak heap MiB | bound |");
    println!("| --- | ---: | ---: | ---: | --- |");
    let files = [
        ("Debian Policy, PDF", "formats/policy/policy.pdf", 3.0),
        ("Debian Policy, EPUB", "formats/policy/policy.epub", 1.0),
        ("Debian Policy, 26 HTML pages", "formats/policy/html", 1.0),
        ("Debian Policy, txt", "formats/policy/policy.txt", 1.0),
        (
            "Developer's Reference, PDF",
            "formats/devref/developers-reference.pdf",
            3.0,
        ),
        (
            "Developer's Reference, EPUB",
            "formats/devref/developers-reference.epub",
            1.0,
        ),
        (
            "Developer's Reference, HTML pages",
            "formats/devref/html",
            1.0,
        ),
    ];
    let mut over = 0;
    for (label, rel, bound) in files {
        let path = data(rel);
        let median = row(label, Some(bound), runs, || load(&path).len());
        if median.as_secs_f64() > bound {
            over += 1;
        }
    }
    // The suite's files are the folder's own; its COPYRIGHTS/ are licences, not part of it.
    let mut shapes: Vec<PathBuf> = std::fs::read_dir(data("shapes-real"))
        .unwrap_or_else(|e| panic!("shapes-real: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    shapes.sort();
    let label = format!("the shape suite ({} real files), read", shapes.len());
    row(&label, None, runs, || {
        shapes.iter().map(|f| load(f).len()).sum()
    });
    let suite = Corpus::new(
        shapes.iter().flat_map(|f| load(f).documents).collect(),
        Vec::new(),
    );
    row("the shape suite, index build", None, runs, || {
        SearchIndex::build_in_ram(&suite)
            .map(|index| index.num_docs() as usize)
            .unwrap_or_else(|e| panic!("index: {e}"))
    });
    if let Some(hwm) = peak_rss() {
        println!("\npeak RSS of the whole run: {hwm}");
    }
    if over > 0 {
        eprintln!("{over} reads over their bound");
        std::process::exit(1);
    }
}

/// `VmHWM` from /proc/self/status (Linux).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}

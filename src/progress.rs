//! Progress of long work (building an index, embedding passages): a bar on a terminal, and
//! otherwise — a service under systemd or docker, a pipe — a log line when the work starts, every
//! few seconds while it runs, and when it ends, under the log target `cabildo::progress`, which the
//! default log filter shows. No wait of more than a few seconds is silent.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Seconds between two log lines when there is no terminal to draw a bar on.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The log target of progress lines (kept at `info` by the default filter, see `cli`).
pub const TARGET: &str = "cabildo::progress";

/// One piece of long work: `total` items of `unit` (e.g. "passages").
pub struct Progress {
    what: &'static str,
    unit: &'static str,
    total: u64,
    done: AtomicU64,
    started: Instant,
    last_log: Mutex<Instant>,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// Starts reporting `what` (e.g. "embedding") over `total` items; work of fewer than `from`
    /// items is quick and reports nothing.
    pub fn start(what: &'static str, unit: &'static str, total: usize, from: usize) -> Progress {
        let total = total as u64;
        let quiet = total < from as u64;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            let template = format!("{what} {{bar:40}} {{pos}}/{{len}} {unit} ({{eta}} left)");
            if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
                bar.set_style(style);
            }
            bar
        });
        if !quiet && bar.is_none() {
            tracing::info!(target: TARGET, "{what}: {total} {unit} to go");
        }
        Progress {
            what,
            unit,
            total,
            done: AtomicU64::new(0),
            started: Instant::now(),
            last_log: Mutex::new(Instant::now()),
            bar: if quiet {
                Some(indicatif::ProgressBar::hidden())
            } else {
                bar
            },
        }
    }

    /// `n` more items done.
    pub fn inc(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &self.bar {
            bar.inc(n);
            return;
        }
        let Ok(mut last) = self.last_log.lock() else {
            return;
        };
        if last.elapsed() < LOG_EVERY {
            return;
        }
        *last = Instant::now();
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = if done > 0 {
            elapsed * (self.total.saturating_sub(done)) as f64 / done as f64
        } else {
            0.0
        };
        tracing::info!(
            target: TARGET,
            "{}: {done}/{} {} ({:.0} %), about {} left",
            self.what,
            self.total,
            self.unit,
            100.0 * done as f64 / self.total.max(1) as f64,
            human(left)
        );
    }

    /// The work is done.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            return;
        }
        tracing::info!(
            target: TARGET,
            "{}: {} {} done in {}",
            self.what,
            self.total,
            self.unit,
            human(self.started.elapsed().as_secs_f64())
        );
    }
}

/// `2 min 36 s`, `12 s`.
fn human(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 60 {
        format!("{} min {} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(human(12.4), "12 s");
        assert_eq!(human(156.0), "2 min 36 s");
    }

    #[test]
    fn counts_what_is_done_without_a_terminal() {
        let p = Progress::start("embedding", "passages", 10, 1);
        p.inc(3);
        p.inc(4);
        assert_eq!(p.done.load(Ordering::Relaxed), 7);
        p.finish();
    }
}

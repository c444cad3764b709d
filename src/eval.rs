//! Answer quality as a number: runs a question set (JSONL with gold "needles") through the same
//! [`crate::answer::ask`] the bot uses and scores it exactly as `shared/eval/score.py` does:
//! hit@1/3/5 and MRR@10 on passages, excerpt_hit@3 on what users see, abstentions on
//! unanswerable questions and false abstentions on answerable ones.

use std::path::Path;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::answer::{Answer, AskOptions, ask};
use crate::engine::Engine;
use crate::error::{Error, Result};

/// How many results are scored per question (MRR@10).
pub const DEPTH: usize = 10;

/// One question of a set; an empty `gold` means the texts do not answer it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EvalQuestion {
    pub id: String,
    #[serde(default)]
    pub kind: String,
    pub question: String,
    #[serde(default)]
    pub gold: Vec<String>,
}

/// The metrics of one run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Metrics {
    /// Answerable questions.
    pub questions: usize,
    #[serde(rename = "hit@1")]
    pub hit1: f64,
    #[serde(rename = "hit@3")]
    pub hit3: f64,
    #[serde(rename = "hit@5")]
    pub hit5: f64,
    #[serde(rename = "mrr@10")]
    pub mrr10: f64,
    #[serde(rename = "excerpt_hit@3")]
    pub excerpt_hit3: f64,
    /// Unanswerable questions abstained on, out of all unanswerable ones: `"1/1"`.
    pub abstain_ok: String,
    pub false_abstain: usize,
    /// Ids of answerable questions with no hit in the top 10.
    pub misses: Vec<String>,
}

/// Reads a JSONL question set.
pub fn load_questions(path: &Path) -> Result<Vec<EvalQuestion>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::Corpus {
                path: path.to_path_buf(),
                message: format!("line {}: not a question object: {e}", i + 1),
            })
        })
        .collect()
}

/// Asks every question (top 10) and scores the answers.
pub fn run(engine: &Engine, questions: &[EvalQuestion]) -> Result<(Vec<Answer>, Metrics)> {
    let opts = AskOptions {
        top: Some(DEPTH),
        ..AskOptions::default()
    };
    let answers = questions
        .iter()
        .map(|q| ask(engine, &q.question, &opts))
        .collect::<Result<Vec<_>>>()?;
    let metrics = score(questions, &answers);
    Ok((answers, metrics))
}

/// Normalises text as score.py does: NFKC, curly quotes and dashes straightened, `…` as a space,
/// `**`/`__` removed, white space collapsed, lower case.
pub fn norm(s: &str) -> String {
    let s: String = s.nfkc().collect();
    let s: String = s
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2013}' | '\u{2014}' => '-',
            '\u{2026}' => ' ',
            c => c,
        })
        .collect();
    let s = s.replace("**", "").replace("__", "");
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Rank (from 1) of the first of `texts` containing a needle.
fn rank_of<'a>(texts: impl Iterator<Item = &'a str>, needles: &[String]) -> Option<usize> {
    let needles: Vec<String> = needles.iter().map(|n| norm(n)).collect();
    for (i, t) in texts.enumerate() {
        let t = norm(t);
        if needles.iter().any(|n| t.contains(n.as_str())) {
            return Some(i + 1);
        }
    }
    None
}

/// Scores answers against their questions (same order).
pub fn score(questions: &[EvalQuestion], answers: &[Answer]) -> Metrics {
    let (mut n, mut p1, mut p3, mut p5, mut e3) = (0usize, 0usize, 0usize, 0usize, 0usize);
    let (mut mrr, mut abst_n, mut abst_ok, mut false_abst) = (0.0f64, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for (q, a) in questions.iter().zip(answers) {
        if q.gold.is_empty() {
            abst_n += 1;
            abst_ok += usize::from(!a.answered);
            continue;
        }
        n += 1;
        false_abst += usize::from(!a.answered);
        let r = rank_of(
            a.results.iter().take(DEPTH).map(|h| h.passage.as_str()),
            &q.gold,
        );
        let re3 = rank_of(
            a.results.iter().take(3).map(|h| h.excerpt.as_str()),
            &q.gold,
        );
        match r {
            Some(r) => {
                p1 += usize::from(r == 1);
                p3 += usize::from(r <= 3);
                p5 += usize::from(r <= 5);
                mrr += 1.0 / r as f64;
            }
            None => misses.push(q.id.clone()),
        }
        e3 += usize::from(re3.is_some());
    }
    let d = n.max(1) as f64;
    Metrics {
        questions: n,
        hit1: p1 as f64 / d,
        hit3: p3 as f64 / d,
        hit5: p5 as f64 / d,
        mrr10: mrr / d,
        excerpt_hit3: e3 as f64 / d,
        abstain_ok: format!("{abst_ok}/{abst_n}"),
        false_abstain: false_abst,
        misses,
    }
}

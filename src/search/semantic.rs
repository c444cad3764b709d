//! Semantic step of the search: one unit vector per passage (computed at index time with the
//! configured sentence-embedding model, stored beside the tantivy index), the question's vector,
//! and the dense ranking by exact dot product.
//!
//! A passage of several sentences also gets a vector per sentence (of three words or more): a
//! passage's dense score is the mean of its own cosine and the better of that and its best
//! sentence's, so one sentence that answers is not drowned by the rest of a long passage; the
//! excerpt uses the sentences' cosines too (measured: docs/semantic.md).
//!
//! Storage: `embeddings-<model fingerprint>-<corpus fingerprint>-v3.f16` in the data directory: a
//! small header (`CABEMB1\0`, dimensions, passages, sentences as little-endian u32), each passage's
//! first sentence index (passages + 1 u32), each sentence's byte span in its passage (2 u32), then
//! the passage vectors and the sentence vectors as little-endian IEEE half floats (half the disk of
//! f32). In memory they are held as 8-bit integers with a scale per row ([`crate::embed::Rows`]):
//! no measured change in any ranking, and the scan of a large corpus reads half the bytes. Written to a temporary file that is renamed into place, so a crash never
//! leaves a partial file under the final name; files of other models or corpora are removed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use half::f16;

use crate::corpus::Corpus;
use crate::embed::{Embedder, Role, Rows};
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"CABEMB1\0";
/// Bumped when what is embedded for a passage, or how it is stored, changes.
const FORMAT_VERSION: u32 = 3;
/// Corpora with more passages than this show a progress bar while embedding (on a terminal).
const PROGRESS_FROM: usize = 500;

/// The passages' vectors and the model that made them.
#[derive(Debug)]
pub struct Semantic {
    /// Shared: every server's library uses the one model the process loaded.
    pub embedder: Arc<Embedder>,
    dim: usize,
    /// Row `ord` is passage `ord`.
    vectors: Rows,
    /// The sentences of passages of several sentences (their spans; their vectors are in
    /// `sentence_rows`).
    sentences: SentenceVectors,
    sentence_rows: Rows,
    /// Row `ord` is what passage `ord`'s dense score loses in the ranking for being short
    /// ([`short_passage_penalty`]).
    penalties: Vec<f32>,
    /// Where the vectors are stored (None: in memory only).
    pub path: Option<PathBuf>,
    /// Whether they were computed by this process (rather than read).
    pub built: bool,
}

/// Passages shorter than this many words (or than the text's median passage, if that is shorter)
/// lose some of their dense score in the ranking.
const SHORT_WORDS: usize = 24;
/// What a passage of no words at all would lose.
const SHORT_PENALTY: f32 = 0.6;

/// What a passage of `words` words loses from its dense score when the dense ranking is made, in a
/// text where passages are short below `reach` words: `0.6 × (1 − words / reach)²` (with the usual
/// reach of 24: a 4-word heading 0.42, a 7-word byline 0.30, a 12-word sentence 0.15, a 20-word one
/// 0.02; nothing from `reach` on). A mean-pooled vector of a few words — a heading, a byline, a URL
/// — lies close to every question on its topic, so headings outranked the passages under them; a
/// full sentence is barely touched. The best cosine that decides whether a question is answered is
/// the passage's own, unpenalised. Chosen on the four dev texts with a leave-one-text-out check
/// (docs/semantic.md, 2026-12-03).
pub fn short_passage_penalty(words: usize, reach: usize) -> f32 {
    if reach == 0 {
        return 0.0;
    }
    let short = (1.0 - words as f32 / reach as f32).max(0.0);
    SHORT_PENALTY * short * short
}

/// Every passage's [`short_passage_penalty`] (index = ord). The reach is 24 words, or the text's
/// median passage when that is shorter: in a text of short lines (verse, aphorisms) a short line
/// is the norm, not a heading, and the dev texts' medians (24–90 words) leave the reach at 24.
fn penalties(corpus: &Corpus) -> Vec<f32> {
    let words: Vec<usize> = corpus
        .passages()
        .map(|v| passage_text(&v).split_whitespace().count())
        .collect();
    let mut sorted = words.clone();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
    let reach = SHORT_WORDS.min(median);
    words
        .into_iter()
        .map(|w| short_passage_penalty(w, reach))
        .collect()
}

/// What is embedded for a passage: its text (models read its first ~256 tokens).
fn passage_text<'a>(view: &crate::corpus::PassageView<'a>) -> &'a str {
    view.passage.text.as_str()
}

/// The file name for a model and a corpus.
pub fn file_name(embedder: &Embedder, corpus: &Corpus) -> String {
    format!(
        "embeddings-{}-{}-v{FORMAT_VERSION}.f16",
        embedder.fingerprint(),
        &crate::index::fingerprint(corpus)[..16]
    )
}

impl Semantic {
    /// Reads the stored vectors for this model and corpus, computing and storing them first when
    /// they are missing or damaged. In memory only when `data_dir` is None or not writable.
    pub fn open_or_build(
        embedder: Arc<Embedder>,
        corpus: &Corpus,
        data_dir: Option<&Path>,
    ) -> Result<Semantic> {
        let dim = embedder.dim();
        let Some(dir) = data_dir else {
            let (vectors, sentences) = embed_corpus(&embedder, corpus)?;
            return Ok(Semantic::hold(
                embedder, corpus, vectors, sentences, None, true,
            ));
        };
        let path = dir.join(file_name(&embedder, corpus));
        if let Some((vectors, sentences)) = read(&path, dim, corpus.len()) {
            return Ok(Semantic::hold(
                embedder,
                corpus,
                vectors,
                sentences,
                Some(path),
                false,
            ));
        }
        let (vectors, sentences) = embed_corpus(&embedder, corpus)?;
        let path = match write(dir, &path, dim, &vectors, &sentences) {
            Ok(()) => {
                remove_stale(dir, &path);
                Some(path)
            }
            Err(e) => {
                tracing::warn!(
                    "could not store the passage embeddings: {e}; keeping them in memory"
                );
                None
            }
        };
        Ok(Semantic::hold(
            embedder, corpus, vectors, sentences, path, true,
        ))
    }

    /// As [`Semantic::open_or_build`], but the vectors are stored and reused one document at a
    /// time (`doc-<model>-<document fingerprint>-v3.f16` in `dir`): a text shared by several
    /// corpora (the host's texts in every server's library) or left unchanged when another is
    /// added is embedded once. `progress(done, total)` counts the passages and sentences embedded
    /// so far out of those that had no stored vectors. Files of other documents are left alone.
    /// With `compute` false nothing is embedded: `None` when a document has no stored vectors.
    pub fn open_or_build_by_document(
        embedder: Arc<Embedder>,
        corpus: &Corpus,
        dir: &Path,
        compute: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Option<Semantic>> {
        let dim = embedder.dim();
        let mut parts = Vec::with_capacity(corpus.documents.len());
        let mut missing = Vec::new();
        for d in &corpus.documents {
            let one = Corpus::new(vec![d.clone()], Vec::new());
            let path = dir.join(format!(
                "doc-{}-{}-v{FORMAT_VERSION}.f16",
                embedder.fingerprint(),
                &crate::index::fingerprint(&one)[..16]
            ));
            let stored = read(&path, dim, one.len());
            if stored.is_none() {
                missing.push(parts.len());
            }
            parts.push((one, path, stored));
        }
        if !compute && !missing.is_empty() {
            return Ok(None);
        }
        let total: usize = missing
            .iter()
            .map(|&i| parts[i].0.len() + sentence_texts(&parts[i].0).len())
            .sum();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let bar = crate::progress::Progress::start(
            "embedding",
            "passages and sentences",
            total,
            PROGRESS_FROM,
        );
        let mut built = false;
        for i in missing {
            let (one, path, stored) = &mut parts[i];
            let (vectors, sentences) = embed_corpus_with(&embedder, one, &|n| {
                bar.inc(n as u64);
                let now = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
                progress(now, total);
            })?;
            if let Err(e) = write(dir, path, dim, &vectors, &sentences) {
                tracing::warn!(
                    "could not store the passage embeddings: {e}; keeping them in memory"
                );
            }
            *stored = Some((vectors, sentences));
            built = true;
        }
        bar.finish();
        let mut vectors = Vec::with_capacity(corpus.len() * dim);
        let mut sentences = SentenceVectors {
            first: Vec::with_capacity(corpus.len() + 1),
            ..SentenceVectors::default()
        };
        for (_, _, part) in parts {
            let Some((v, s)) = part else { continue };
            let offset = sentences.spans.len() as u32;
            let n = s.first.len().saturating_sub(1);
            sentences
                .first
                .extend(s.first[..n].iter().map(|f| f + offset));
            sentences.spans.extend(s.spans);
            sentences.vectors.extend(s.vectors);
            vectors.extend(v);
        }
        sentences.first.push(sentences.spans.len() as u32);
        Ok(Some(Semantic::hold(
            embedder,
            corpus,
            vectors,
            sentences,
            Some(dir.to_path_buf()),
            built,
        )))
    }

    /// Keeps the vectors in memory as 8-bit integers.
    fn hold(
        embedder: Arc<Embedder>,
        corpus: &Corpus,
        vectors: Vec<f16>,
        mut sentences: SentenceVectors,
        path: Option<PathBuf>,
        built: bool,
    ) -> Semantic {
        let dim = embedder.dim();
        let sentence_rows = Rows::from_f16(&std::mem::take(&mut sentences.vectors), dim);
        Semantic {
            dim,
            vectors: Rows::from_f16(&vectors, dim),
            sentences,
            sentence_rows,
            penalties: penalties(corpus),
            embedder,
            path,
            built,
        }
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The vector of passage `ord` (as stored, widened to f32).
    pub fn vector(&self, ord: u32) -> Option<Vec<f32>> {
        self.vectors.row(ord as usize)
    }

    /// Embeds a question.
    pub fn embed_question(&self, question: &str) -> Result<Vec<f32>> {
        Ok(self.embedder.embed_query(question)?)
    }

    /// The dense score of the question for every passage (index = ord): the passage's cosine, or
    /// for a passage of several sentences the mean of that and the better of it and its best
    /// sentence's cosine.
    pub fn scores(&self, query: &[f32]) -> Vec<f32> {
        if query.len() != self.dim {
            return vec![0.0; self.len()];
        }
        let passages = self.vectors.dots(query);
        let sentences = self.sentence_rows.dots(query);
        passages
            .iter()
            .enumerate()
            .map(|(ord, &p)| {
                let best = self
                    .sentences
                    .range(ord)
                    .filter_map(|i| sentences.get(i).copied())
                    .fold(f32::MIN, f32::max);
                if best == f32::MIN {
                    p
                } else {
                    (best.max(p) + p) / 2.0
                }
            })
            .collect()
    }

    /// What each passage's dense score loses in the dense ranking for being short (index = ord;
    /// [`short_passage_penalty`]).
    pub fn penalties(&self) -> &[f32] {
        &self.penalties
    }

    /// The cosine of the question with each sentence of passage `ord` that has a vector, with its
    /// byte span in the passage's text (empty for a passage of one sentence).
    pub fn sentence_cosines(&self, ord: u32, query: &[f32]) -> Vec<((usize, usize), f32)> {
        if query.len() != self.dim {
            return Vec::new();
        }
        let range = self.sentences.range(ord as usize);
        let (Some(spans), Some(cosines)) = (
            self.sentences.spans.get(range.clone()),
            self.sentence_rows.dots_in(range, query),
        ) else {
            return Vec::new();
        };
        spans
            .iter()
            .zip(cosines)
            .map(|(&(a, b), cos)| ((a as usize, b as usize), cos))
            .collect()
    }

    /// Bytes of the vectors in memory.
    pub fn bytes(&self) -> usize {
        self.vectors.bytes()
            + self.sentence_rows.bytes()
            + self.sentences.spans.len() * 8
            + self.sentences.first.len() * 4
    }

    /// Number of sentence vectors.
    pub fn sentence_count(&self) -> usize {
        self.sentences.spans.len()
    }
}

/// Vectors of the sentences of passages of several sentences.
#[derive(Debug, Default)]
struct SentenceVectors {
    /// Passage `ord`'s sentences are `first[ord]..first[ord + 1]` (passages + 1 entries).
    first: Vec<u32>,
    /// Byte span of each sentence in its passage's text.
    spans: Vec<(u32, u32)>,
    /// `sentences × dim`, as read or computed (moved into [`Rows`] once held).
    vectors: Vec<f16>,
}

impl SentenceVectors {
    fn range(&self, ord: usize) -> std::ops::Range<usize> {
        match (self.first.get(ord), self.first.get(ord + 1)) {
            (Some(&a), Some(&b)) if a <= b => a as usize..b as usize,
            _ => 0..0,
        }
    }
}

/// The sentences of a passage given their own vector: none for a passage of one sentence; else
/// each sentence of at least three words (shorter ones say too little to be compared).
fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let spans: Vec<(usize, usize)> = crate::search::excerpt::sentence_bounds(text)
        .into_iter()
        .filter(|&(a, b)| {
            text.get(a..b)
                .is_some_and(|s| s.split_whitespace().count() >= 3)
        })
        .collect();
    if spans.len() > 1 { spans } else { Vec::new() }
}

/// The ords of the `k` best scores, best first, keeping only those `keep` accepts.
pub fn top_k(scores: &[f32], k: usize, keep: impl Fn(u32) -> bool) -> Vec<(u32, f32)> {
    let mut all: Vec<(u32, f32)> = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| (i as u32, s))
        .filter(|&(i, _)| keep(i))
        .collect();
    let k = k.min(all.len());
    if k == 0 {
        return Vec::new();
    }
    all.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
    all.truncate(k);
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all
}

fn embed_corpus(embedder: &Embedder, corpus: &Corpus) -> Result<(Vec<f16>, SentenceVectors)> {
    let count = corpus.len() + sentence_texts(corpus).len();
    let bar = crate::progress::Progress::start(
        "embedding",
        "passages and sentences",
        count,
        PROGRESS_FROM,
    );
    let out = embed_corpus_with(embedder, corpus, &|n| bar.inc(n as u64));
    bar.finish();
    out
}

/// The sentences embedded beside the passages, in order (each passage's sentences of several).
fn sentence_texts(corpus: &Corpus) -> Vec<&str> {
    corpus
        .passages()
        .flat_map(|v| {
            let text = passage_text(&v);
            sentence_spans(text)
                .into_iter()
                .map(move |(a, b)| text[a..b].trim())
        })
        .collect()
}

/// Embeds every passage and its sentences, calling `progress(n)` after each batch of `n`.
fn embed_corpus_with(
    embedder: &Embedder,
    corpus: &Corpus,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<(Vec<f16>, SentenceVectors)> {
    let started = Instant::now();
    let mut texts: Vec<&str> = corpus.passages().map(|v| passage_text(&v)).collect();
    let passages = texts.len();
    let mut sentences = SentenceVectors {
        first: Vec::with_capacity(passages + 1),
        ..SentenceVectors::default()
    };
    for ord in 0..passages {
        sentences.first.push(sentences.spans.len() as u32);
        let text = texts[ord];
        for (a, b) in sentence_spans(text) {
            sentences.spans.push((a as u32, b as u32));
            texts.push(text[a..b].trim());
        }
    }
    sentences.first.push(sentences.spans.len() as u32);
    let vecs = embedder.embed_with_progress(&texts, Role::Passage, progress)?;
    tracing::info!(
        passages,
        sentences = texts.len() - passages,
        model = embedder.name(),
        "embedded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut flat = Vec::with_capacity(passages * embedder.dim());
    for (i, v) in vecs.into_iter().enumerate() {
        if v.len() != embedder.dim() {
            return Err(Error::Config(format!(
                "semantic search: the model gave a vector of {} dimensions, expected {}",
                v.len(),
                embedder.dim()
            )));
        }
        let into = if i < passages {
            &mut flat
        } else {
            &mut sentences.vectors
        };
        into.extend(v.iter().map(|&x| f16::from_f32(x)));
    }
    Ok((flat, sentences))
}

fn read(path: &Path, dim: usize, count: usize) -> Option<(Vec<f16>, SentenceVectors)> {
    let bytes = std::fs::read(path).ok()?;
    let parsed = parse(&bytes, dim, count);
    if parsed.is_none() {
        tracing::warn!(
            "stored embeddings {} do not fit; recomputing",
            path.display()
        );
    }
    parsed
}

fn parse(bytes: &[u8], dim: usize, count: usize) -> Option<(Vec<f16>, SentenceVectors)> {
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    let u32s = |b: &[u8]| -> Vec<u32> {
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let (header, body) = body.split_at_checked(12)?;
    let header = u32s(header);
    let (d, n, m) = (header[0] as usize, header[1] as usize, header[2] as usize);
    if d != dim || n != count {
        return None;
    }
    let (first, body) = body.split_at_checked((n + 1).checked_mul(4)?)?;
    let (spans, body) = body.split_at_checked(m.checked_mul(8)?)?;
    let (passages, sentences) = body.split_at_checked(n.checked_mul(d)?.checked_mul(2)?)?;
    if sentences.len() != m.checked_mul(d)?.checked_mul(2)? {
        return None;
    }
    let first = u32s(first);
    // Offsets must rise from 0 to the number of sentences.
    if first.first() != Some(&0)
        || first.last() != Some(&(m as u32))
        || first.windows(2).any(|w| w[0] > w[1])
    {
        return None;
    }
    let spans: Vec<(u32, u32)> = u32s(spans).chunks_exact(2).map(|c| (c[0], c[1])).collect();
    let halves = |b: &[u8]| -> Vec<f16> {
        b.chunks_exact(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]))
            .collect()
    };
    Some((
        halves(passages),
        SentenceVectors {
            first,
            spans,
            vectors: halves(sentences),
        },
    ))
}

fn write(
    dir: &Path,
    path: &Path,
    dim: usize,
    vectors: &[f16],
    sentences: &SentenceVectors,
) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".embeddings-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    let n = vectors.len() / dim.max(1);
    let m = sentences.spans.len();
    let mut buf = Vec::with_capacity(
        20 + (n + 1) * 4 + m * 8 + (vectors.len() + sentences.vectors.len()) * 2,
    );
    buf.extend_from_slice(MAGIC);
    for x in [dim, n, m] {
        buf.extend_from_slice(&(x as u32).to_le_bytes());
    }
    for x in &sentences.first {
        buf.extend_from_slice(&x.to_le_bytes());
    }
    for (a, b) in &sentences.spans {
        buf.extend_from_slice(&a.to_le_bytes());
        buf.extend_from_slice(&b.to_le_bytes());
    }
    for f in vectors.iter().chain(&sentences.vectors) {
        buf.extend_from_slice(&f.to_le_bytes());
    }
    tmp.write_all(&buf)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io("writing the passage embeddings", e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(format!("moving embeddings to {}", path.display()), e.error))?;
    Ok(())
}

/// Removes stored embeddings of other models or corpora, and abandoned temporary files.
fn remove_stale(dir: &Path, keep: &Path) {
    crate::index::remove_stale_entries(dir, keep, &["embeddings-", ".embeddings-"], "embeddings");
}

#[cfg(test)]
mod tests {
    use super::short_passage_penalty;

    #[test]
    fn the_short_passage_penalty_falls_with_length_and_stops_at_a_sentence() {
        assert!((short_passage_penalty(0, 24) - 0.6).abs() < 1e-6);
        // A 4-word heading loses more than a 7-word byline, which loses more than a sentence.
        let by_length: Vec<f32> = (0..30).map(|w| short_passage_penalty(w, 24)).collect();
        assert!(by_length.windows(2).all(|w| w[0] >= w[1]), "{by_length:?}");
        assert!(short_passage_penalty(4, 24) > 0.4 && short_passage_penalty(7, 24) > 0.25);
        assert!(short_passage_penalty(20, 24) < 0.05);
        assert_eq!(short_passage_penalty(24, 24), 0.0);
        assert_eq!(short_passage_penalty(10_000, 24), 0.0);
        // A shorter reach spares more; none at all spares everything.
        assert!(short_passage_penalty(6, 8) < short_passage_penalty(6, 24));
        assert_eq!(short_passage_penalty(0, 0), 0.0);
    }
}

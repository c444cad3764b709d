//! Semantic step of the search: one unit vector per passage (computed at index time with the
//! configured sentence-embedding model, stored beside the tantivy index), the question's vector,
//! and the dense ranking by exact dot product.
//!
//! Storage: `embeddings-<model fingerprint>-<corpus fingerprint>-v2.f16` in the data directory, a
//! small header (`CABEMB1\0`, dimensions, count as little-endian u32) and the vectors as
//! little-endian IEEE half floats — half the memory and disk of f32 with no measured change in
//! any ranking (docs/semantic.md); the scan widens each row to f32 before the dot product. Written to a temporary file that is renamed into place, so a crash never
//! leaves a partial file under the final name; files of other models or corpora are removed.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use half::f16;
use half::slice::HalfFloatSliceExt;

use crate::corpus::Corpus;
use crate::embed::{Embedder, Role};
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"CABEMB1\0";
/// Bumped when what is embedded for a passage, or how it is stored, changes.
const FORMAT_VERSION: u32 = 2;
/// Corpora with more passages than this show a progress bar while embedding (on a terminal).
const PROGRESS_FROM: usize = 500;

/// The passages' vectors and the model that made them.
#[derive(Debug)]
pub struct Semantic {
    pub embedder: Embedder,
    dim: usize,
    /// `len × dim`, row `ord` is passage `ord`.
    vectors: Vec<f16>,
    /// Where the vectors are stored (None: in memory only).
    pub path: Option<PathBuf>,
    /// Whether they were computed by this process (rather than read).
    pub built: bool,
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
        embedder: Embedder,
        corpus: &Corpus,
        data_dir: Option<&Path>,
    ) -> Result<Semantic> {
        let dim = embedder.dim();
        let Some(dir) = data_dir else {
            let vectors = embed_corpus(&embedder, corpus)?;
            return Ok(Semantic {
                embedder,
                dim,
                vectors,
                path: None,
                built: true,
            });
        };
        let path = dir.join(file_name(&embedder, corpus));
        if let Some(vectors) = read(&path, dim, corpus.len()) {
            return Ok(Semantic {
                embedder,
                dim,
                vectors,
                path: Some(path),
                built: false,
            });
        }
        let vectors = embed_corpus(&embedder, corpus)?;
        let path = match write(dir, &path, dim, &vectors) {
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
        Ok(Semantic {
            embedder,
            dim,
            vectors,
            path,
            built: true,
        })
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.vectors.len() / self.dim.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The vector of passage `ord` (as stored, widened to f32).
    pub fn vector(&self, ord: u32) -> Option<Vec<f32>> {
        let s = ord as usize * self.dim;
        let row = self.vectors.get(s..s + self.dim)?;
        let mut out = vec![0.0; self.dim];
        row.convert_to_f32_slice(&mut out);
        Some(out)
    }

    /// Embeds a question.
    pub fn embed_question(&self, question: &str) -> Result<Vec<f32>> {
        Ok(self.embedder.embed_query(question)?)
    }

    /// Cosine of the question with every passage (index = ord).
    pub fn scores(&self, query: &[f32]) -> Vec<f32> {
        if query.len() != self.dim {
            return vec![0.0; self.len()];
        }
        let mut row = vec![0.0f32; self.dim];
        self.vectors
            .chunks_exact(self.dim)
            .map(|v| {
                v.convert_to_f32_slice(&mut row);
                crate::embed::dot(&row, query)
            })
            .collect()
    }

    /// Bytes of the vectors in memory.
    pub fn bytes(&self) -> usize {
        self.vectors.len() * 2
    }
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

fn embed_corpus(embedder: &Embedder, corpus: &Corpus) -> Result<Vec<f16>> {
    let started = Instant::now();
    let texts: Vec<&str> = corpus.passages().map(|v| passage_text(&v)).collect();
    let bar = if texts.len() >= PROGRESS_FROM && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(texts.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "embedding {bar:40} {pos}/{len} passages ({eta} left)",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let vecs = embedder.embed_with_progress(&texts, Role::Passage, &|n| bar.inc(n as u64))?;
    bar.finish_and_clear();
    tracing::info!(
        passages = texts.len(),
        model = embedder.name(),
        "embedded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut flat = Vec::with_capacity(texts.len() * embedder.dim());
    for v in vecs {
        if v.len() != embedder.dim() {
            return Err(Error::Config(format!(
                "semantic search: the model gave a vector of {} dimensions, expected {}",
                v.len(),
                embedder.dim()
            )));
        }
        flat.extend(v.iter().map(|&x| f16::from_f32(x)));
    }
    Ok(flat)
}

fn read(path: &Path, dim: usize, count: usize) -> Option<Vec<f16>> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    let (header, body) = body.split_at_checked(8)?;
    let d = u32::from_le_bytes(header.get(0..4)?.try_into().ok()?) as usize;
    let n = u32::from_le_bytes(header.get(4..8)?.try_into().ok()?) as usize;
    if d != dim || n != count || body.len() != d * n * 2 {
        tracing::warn!(
            "stored embeddings {} do not fit; recomputing",
            path.display()
        );
        return None;
    }
    Some(
        body.chunks_exact(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]))
            .collect(),
    )
}

fn write(dir: &Path, path: &Path, dim: usize, vectors: &[f16]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".embeddings-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", dir.display()), e))?;
    let n = vectors.len() / dim.max(1);
    let mut buf = Vec::with_capacity(16 + vectors.len() * 2);
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&(dim as u32).to_le_bytes());
    buf.extend_from_slice(&(n as u32).to_le_bytes());
    for f in vectors {
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

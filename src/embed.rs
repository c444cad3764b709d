//! Sentence embeddings in the process: a BERT-family model in the sentence-transformers layout
//! (`config.json`, `tokenizer.json`, `model.safetensors`, `1_Pooling/config.json`) run with
//! candle, pooled as the model says (mean or CLS) and L2-normalised, so a dot product is a cosine.
//!
//! The interface is small so that other models fit: [`Role`] says whether a text is a question or
//! a passage, and the model's own prompts (`config_sentence_transformers.json` → `prompts`, as
//! E5's `query: `/`passage: ` or BGE's query instruction) are put in front of it. Texts are
//! embedded in batches of similar length (less padding), two batches at a time (both cores).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;
use serde::Deserialize;
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use crate::language::Language;

mod bert;
mod linear;
mod weights;

/// Texts per forward pass.
pub const BATCH: usize = 32;

/// What went wrong loading or running a model. Never a panic: a bad model directory is an error
/// that names the file.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("model directory {0} does not exist")]
    NoDir(PathBuf),
    #[error("model file {0} is missing")]
    Missing(PathBuf),
    #[error("model file {path}: {message}")]
    BadFile { path: PathBuf, message: String },
    #[error("model {path}: {message}")]
    Unsupported { path: PathBuf, message: String },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("model inference: {0}")]
    Inference(#[from] candle_core::Error),
}

/// Whether a text is a question or a passage (models such as E5 and BGE treat them differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Query,
    Passage,
}

/// How token vectors become one sentence vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    Mean,
    Cls,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_cls_token: bool,
}

#[derive(Deserialize, Default)]
struct StConfig {
    #[serde(default)]
    prompts: std::collections::HashMap<String, String>,
}

#[derive(Deserialize)]
struct SbertConfig {
    max_seq_length: Option<usize>,
}

/// The languages a model's card (`README.md`, its YAML front matter's `language:`) says it reads:
/// `None` when the card is missing or names none (then it is trusted with every language), or
/// the languages listed (`multilingual` reads every language).
fn card_languages(dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("README.md")).ok()?;
    let body = text.strip_prefix("---")?;
    let front = &body[..body.find("\n---")?];
    let mut out = Vec::new();
    let mut in_list = false;
    for line in front.lines() {
        let trimmed = line.trim();
        if let Some(rest) = line.strip_prefix("language:") {
            let rest = rest.trim();
            in_list = rest.is_empty();
            let rest = rest.trim_start_matches('[').trim_end_matches(']');
            out.extend(
                rest.split(',')
                    .map(|v| v.trim().trim_matches(['"', '\'']).to_lowercase())
                    .filter(|v| !v.is_empty()),
            );
        } else if in_list && let Some(item) = trimmed.strip_prefix("- ") {
            out.push(item.trim().trim_matches(['"', '\'']).to_lowercase());
        } else if !line.starts_with(' ') && !trimmed.starts_with('-') {
            in_list = false;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A loaded sentence-embedding model.
pub struct Embedder {
    model: bert::Bert,
    tokenizer: Tokenizer,
    pooling: Pooling,
    dim: usize,
    max_tokens: usize,
    query_prompt: String,
    passage_prompt: String,
    /// The languages its card names (None: not said, read as every language).
    languages: Option<Vec<String>>,
    name: String,
    fingerprint: String,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("name", &self.name)
            .field("dim", &self.dim)
            .field("pooling", &self.pooling)
            .field("max_tokens", &self.max_tokens)
            .finish_non_exhaustive()
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, EmbedError> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => EmbedError::Missing(path.to_path_buf()),
        _ => EmbedError::BadFile {
            path: path.to_path_buf(),
            message: e.to_string(),
        },
    })?;
    serde_json::from_str(&text).map_err(|e| EmbedError::BadFile {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn read_optional_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, EmbedError> {
    if path.exists() {
        read_json(path).map(Some)
    } else {
        Ok(None)
    }
}

/// A fingerprint of the files that decide the vectors (weights, tokenizer, config, pooling,
/// prompts): stored embeddings are reused only while it stays the same.
fn model_fingerprint(dir: &Path) -> Result<String, EmbedError> {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for name in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "1_Pooling/config.json",
        "config_sentence_transformers.json",
        "sentence_bert_config.json",
    ] {
        let path = dir.join(name);
        // Read in pieces: the weights are tens of megabytes, and holding them twice while the
        // model is loaded was most of the peak memory of starting with a model.
        let bad = |e: std::io::Error| EmbedError::BadFile {
            path: path.clone(),
            message: e.to_string(),
        };
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(bad(e)),
        };
        let len = file.metadata().map_err(bad)?.len();
        h.update(name.as_bytes());
        h.update(&len.to_le_bytes());
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match std::io::Read::read(&mut file, &mut buf) {
                Ok(0) => break,
                Ok(n) => h.update(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(bad(e)),
            }
        }
    }
    Ok(format!("{:016x}", h.digest()))
}

impl Embedder {
    /// Loads a model directory in the sentence-transformers layout.
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::NoDir(dir.to_path_buf()));
        }
        let config_path = dir.join("config.json");
        let config: bert::Config = read_json(&config_path)?;
        let model_type = config.model_type.as_deref().unwrap_or("");
        if !matches!(model_type, "bert" | "" | "xlm-roberta" | "roberta") {
            return Err(EmbedError::Unsupported {
                path: config_path,
                message: format!(
                    "model_type {model_type:?}: only BERT and XLM-RoBERTa models are supported"
                ),
            });
        }
        if let Some(message) = config.unsupported() {
            return Err(EmbedError::Unsupported {
                path: config_path,
                message,
            });
        }
        let hidden = config.hidden_size;
        let pooling_path = dir.join("1_Pooling").join("config.json");
        let pooling = match read_optional_json::<PoolingConfig>(&pooling_path)? {
            None => Pooling::Mean,
            Some(p) if p.pooling_mode_mean_tokens => Pooling::Mean,
            Some(p) if p.pooling_mode_cls_token => Pooling::Cls,
            Some(_) => {
                return Err(EmbedError::Unsupported {
                    path: pooling_path,
                    message: "only mean or CLS pooling is supported".into(),
                });
            }
        };
        let st: StConfig =
            read_optional_json(&dir.join("config_sentence_transformers.json"))?.unwrap_or_default();
        // RoBERTa models start their positions past the padding id: fewer tokens fit.
        let max_positions = config.max_tokens();
        let max_tokens = read_optional_json::<SbertConfig>(&dir.join("sentence_bert_config.json"))?
            .and_then(|c| c.max_seq_length)
            .unwrap_or(max_positions)
            .min(max_positions)
            .max(2);
        let tok_path = dir.join("tokenizer.json");
        if !tok_path.exists() {
            return Err(EmbedError::Missing(tok_path));
        }
        let mut tokenizer = Tokenizer::from_file(&tok_path).map_err(|e| EmbedError::BadFile {
            path: tok_path.clone(),
            message: e.to_string(),
        })?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..TruncationParams::default()
            }))
            .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None::<PaddingParams>);
        let weights = dir.join("model.safetensors");
        if !weights.exists() {
            return Err(EmbedError::Missing(weights));
        }
        let file = weights::Weights::open(&weights).map_err(|message| EmbedError::BadFile {
            path: weights.clone(),
            message,
        })?;
        let vb = VarBuilder::from_backend(Box::new(file), DType::F32, Device::Cpu);
        let model = bert::Bert::load(vb, &config).map_err(|e| EmbedError::BadFile {
            path: weights.clone(),
            message: e.to_string(),
        })?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        Ok(Embedder {
            model,
            tokenizer,
            pooling,
            dim: hidden,
            max_tokens,
            query_prompt: st.prompts.get("query").cloned().unwrap_or_default(),
            passage_prompt: st.prompts.get("passage").cloned().unwrap_or_default(),
            languages: card_languages(dir),
            fingerprint: model_fingerprint(dir)?,
            name,
        })
    }

    /// Dimensions of a vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The model's name (its directory name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Changes whenever the files that decide the vectors change.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether the model reads texts in `language`: its card names the language (by any code or
    /// name [`Language::parse`] reads) or says `multilingual`, or names no language at all. An
    /// English model's vectors of Spanish passages rank them worse than the lexical search alone
    /// (docs/spanish.md), so the search leaves a language the model does not read to the lexical
    /// ranking.
    pub fn reads(&self, language: Language) -> bool {
        match &self.languages {
            None => true,
            Some(list) => list
                .iter()
                .any(|l| l == "multilingual" || Language::parse(l) == Some(language)),
        }
    }

    /// The languages the model's card names (None when it names none).
    pub fn languages(&self) -> Option<&[String]> {
        self.languages.as_deref()
    }

    /// How many tokens of a text the model reads.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    fn prompt(&self, role: Role) -> &str {
        match role {
            Role::Query => &self.query_prompt,
            Role::Passage => &self.passage_prompt,
        }
    }

    /// Embeds one question.
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut v = self.embed_sequential(&[text], Role::Query, &|_| {})?;
        Ok(v.pop().unwrap_or_default())
    }

    /// Embeds texts (unit vectors, in the order given), two batches at a time.
    pub fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_with_progress(texts, role, &|_| {})
    }

    /// As [`Embedder::embed`], calling `progress(n)` after each batch of `n` texts.
    pub fn embed_with_progress(
        &self,
        texts: &[&str],
        role: Role,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self.tokenize(texts, role)?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encodings[i].len());
        let batches: Vec<&[usize]> = order.chunks(BATCH).collect();
        let done: Vec<Vec<Vec<f32>>> = batches
            .par_iter()
            .map(|batch| {
                let ids: Vec<&[u32]> = batch.iter().map(|&i| encodings[i].as_slice()).collect();
                let out = self.forward(&ids);
                progress(batch.len());
                out
            })
            .collect::<Result<_, _>>()?;
        let mut out = vec![Vec::new(); texts.len()];
        for (batch, vecs) in batches.iter().zip(done) {
            for (&i, v) in batch.iter().zip(vecs) {
                out[i] = v;
            }
        }
        Ok(out)
    }

    fn embed_sequential(
        &self,
        texts: &[&str],
        role: Role,
        progress: &dyn Fn(usize),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self.tokenize(texts, role)?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.as_slice()).collect();
        let out = self.forward(&ids)?;
        progress(texts.len());
        Ok(out)
    }

    fn tokenize(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<u32>>, EmbedError> {
        let prompt = self.prompt(role);
        texts
            .iter()
            .map(|t| {
                let input = if prompt.is_empty() {
                    (*t).to_string()
                } else {
                    format!("{prompt}{t}")
                };
                self.tokenizer
                    .encode(input, true)
                    .map(|e| e.get_ids().to_vec())
                    .map_err(|e| EmbedError::Tokenizer(e.to_string()))
            })
            .collect()
    }

    /// One forward pass over a batch of token id sequences, padded to the longest.
    fn forward(&self, seqs: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let len = seqs.iter().map(|s| s.len()).max().unwrap_or(0).max(1);
        let b = seqs.len();
        let mut ids = vec![0u32; b * len];
        let mut mask = vec![0f32; b * len];
        for (r, s) in seqs.iter().enumerate() {
            ids[r * len..r * len + s.len()].copy_from_slice(s);
            mask[r * len..r * len + s.len()].fill(1.0);
        }
        let dev = Device::Cpu;
        let padded = seqs.iter().any(|s| s.len() < len);
        let ids = Tensor::from_vec(ids, (b, len), &dev)?;
        let mask = Tensor::from_vec(mask, (b, len), &dev)?;
        let hidden = self.model.forward(&ids, padded.then_some(&mask))?; // (b, len, dim)
        let pooled = match self.pooling {
            Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1)?,
            Pooling::Mean => {
                let m = mask.unsqueeze(2)?; // (b, len, 1)
                let sum = hidden.broadcast_mul(&m)?.sum(1)?; // (b, dim)
                let count = m.sum(1)?.clamp(1e-9, f64::MAX)?; // (b, 1)
                sum.broadcast_div(&count)?
            }
        };
        let norm = pooled
            .sqr()?
            .sum_keepdim(1)?
            .sqrt()?
            .clamp(1e-12, f64::MAX)?;
        let unit = pooled.broadcast_div(&norm)?;
        Ok(unit.to_vec2::<f32>()?)
    }
}

/// Fixes the number of threads candle and rayon use, from `RAYON_NUM_THREADS` or else the cores
/// available. candle asks for that number before every matrix product and, when the variable is
/// not set, counts physical cores by reading /proc/cpuinfo each time: measured at 5 % of the CPU
/// time of answering with the model (docs/semantic.md). Setting it once removes that.
///
/// # Safety
/// Sets an environment variable: call it first thing in `main`, before any thread starts.
pub unsafe fn fix_thread_count() {
    let set = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .is_some_and(|n| n > 0);
    if !set {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: the caller guarantees no other thread runs yet.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", cores.to_string()) };
    }
}

/// Dot product of two vectors of the same length (cosine for unit vectors). Eight running sums
/// instead of one, so the compiler can keep them in one SIMD register: a plain `.sum()` of floats
/// must add in order and runs one addition at a time (measured: docs/semantic.md).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut acc = [0.0f32; 8];
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Unit vectors held as 8-bit integers, one scale per row (the row's largest magnitude over
/// 127): a quarter of the memory of f32, and the dense scan reads half the bytes it read from
/// half floats — on a large corpus the scan is bound by memory, not arithmetic. Measured on the
/// four dev sets: every ranking the same as with f16 (docs/semantic.md).
#[derive(Debug, Default, Clone)]
pub struct Rows {
    dim: usize,
    data: Vec<i8>,
    scales: Vec<f32>,
}

impl Rows {
    /// Quantises `values` (row-major, `dim` a row).
    pub fn from_f16(values: &[half::f16], dim: usize) -> Rows {
        if dim == 0 {
            return Rows::default();
        }
        let mut data = Vec::with_capacity(values.len());
        let mut scales = Vec::with_capacity(values.len() / dim);
        for row in values.chunks_exact(dim) {
            let max = row.iter().fold(0.0f32, |m, x| m.max(x.to_f32().abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
            let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
            data.extend(
                row.iter()
                    .map(|x| (x.to_f32() * inv).round().clamp(-127.0, 127.0) as i8),
            );
            scales.push(scale);
        }
        Rows { dim, data, scales }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.data.len() + self.scales.len() * 4
    }

    /// Row `i`, widened to f32.
    pub fn row(&self, i: usize) -> Option<Vec<f32>> {
        let scale = *self.scales.get(i)?;
        let row = self.data.get(i * self.dim..(i + 1) * self.dim)?;
        Some(row.iter().map(|&x| f32::from(x) * scale).collect())
    }

    /// The dot products of `query` with rows `rows` (a few: one thread); None when they are not
    /// all here or the query has the wrong length.
    pub fn dots_in(&self, rows: std::ops::Range<usize>, query: &[f32]) -> Option<Vec<f32>> {
        if query.len() != self.dim || self.dim == 0 {
            return None;
        }
        let scales = self.scales.get(rows.clone())?;
        let data = self
            .data
            .get(rows.start * self.dim..rows.end.checked_mul(self.dim)?)?;
        Some(scan(data, scales, &Query16::new(query)))
    }

    /// The dot product of `query` with every row: the dense scan. The query is rounded to 16-bit
    /// integers once, so each row is an integer dot product — exact, the same on every CPU —
    /// done 32 values at a time with AVX-512 or 16 with AVX2 where the CPU has them; a large
    /// scan is split between the cores.
    pub fn dots(&self, query: &[f32]) -> Vec<f32> {
        if query.len() != self.dim || self.dim == 0 {
            return vec![0.0; self.len()];
        }
        let query = Query16::new(query);
        // Below this many rows, a second thread costs more than it saves.
        const PARALLEL_ROWS: usize = 8192;
        if self.len() < PARALLEL_ROWS {
            return scan(&self.data, &self.scales, &query);
        }
        let per_thread = self.len().div_ceil(rayon::current_num_threads().max(1));
        self.data
            .par_chunks(per_thread * self.dim)
            .zip(self.scales.par_chunks(per_thread))
            .map(|(data, scales)| scan(data, scales, &query))
            .flatten_iter()
            .collect()
    }
}

/// A query vector as 16-bit integers and one scale (its largest magnitude over 32,767): each
/// value is off by at most 1/65,534 of the largest, far below the rows' own 8-bit rounding.
struct Query16 {
    values: Vec<i16>,
    scale: f32,
}

impl Query16 {
    fn new(query: &[f32]) -> Query16 {
        let max = query.iter().fold(
            0.0f32,
            |m, x| if x.is_finite() { m.max(x.abs()) } else { m },
        );
        let scale = if max > 0.0 { max / 32767.0 } else { 0.0 };
        let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
        let values = query
            .iter()
            .map(|x| (x * inv).round().clamp(-32767.0, 32767.0) as i16)
            .collect();
        Query16 { values, scale }
    }
}

/// Up to this many dimensions the SIMD kernels' 32-bit lanes cannot overflow: an AVX2 lane adds
/// dim / 16 pairs of products of at most 127 × 32,767 (4096 / 16 × 2 × 127 × 32,767 < 2³¹); the
/// lanes are then added in 64 bits.
const SIMD_MAX_DIM: usize = 4096;

/// Dot products of `query` with the rows of `data` (row-major, a query's length a row), each
/// times its scale and the query's.
fn scan(data: &[i8], scales: &[f32], query: &Query16) -> Vec<f32> {
    let dim = query.values.len();
    if dim == 0 {
        return vec![0.0; scales.len()];
    }
    #[cfg(target_arch = "x86_64")]
    if dim <= SIMD_MAX_DIM {
        if std::arch::is_x86_feature_detected!("avx512bw") {
            // SAFETY: the CPU has the features the function is compiled for (checked above).
            return unsafe { simd::scan512(data, scales, query) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { simd::scan256(data, scales, query) };
        }
    }
    scan_plain(data, scales, query)
}

/// [`scan`] without SIMD: the same integer sums, so the same results to the last bit.
fn scan_plain(data: &[i8], scales: &[f32], query: &Query16) -> Vec<f32> {
    scan_with(data, scales, query, |row, q| {
        row.iter()
            .zip(q)
            .map(|(&x, &y)| i64::from(x) * i64::from(y))
            .sum()
    })
}

/// Each row's integer dot product with the query (`dot`), times the row's scale and the query's.
/// Inlined into each SIMD variant so that `dot` is inlined with the CPU features it is built for.
#[inline(always)]
fn scan_with(
    data: &[i8],
    scales: &[f32],
    query: &Query16,
    dot: impl Fn(&[i8], &[i16]) -> i64,
) -> Vec<f32> {
    let dim = query.values.len().max(1);
    data.chunks_exact(dim)
        .zip(scales)
        .map(|(row, &scale)| dot(row, &query.values) as f32 * query.scale * scale)
        .collect()
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    use super::{Query16, scan_with};

    /// The products past the last whole block of lanes.
    fn tail(row: &[i8], query: &[i16], from: usize) -> i64 {
        row.iter()
            .zip(query)
            .skip(from)
            .map(|(&x, &q)| i64::from(x) * i64::from(q))
            .sum()
    }

    /// [`super::scan`] for CPUs with AVX-512BW.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub unsafe fn scan512(data: &[i8], scales: &[f32], query: &Query16) -> Vec<f32> {
        scan_with(data, scales, query, |row, q| dot512(row, q))
    }

    /// [`super::scan`] for CPUs with AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn scan256(data: &[i8], scales: &[f32], query: &Query16) -> Vec<f32> {
        scan_with(data, scales, query, |row, q| dot256(row, q))
    }

    /// 32 values widened to 16 bits, multiplied and added in pairs (`vpmaddwd`) at a time.
    #[target_feature(enable = "avx512f,avx512bw")]
    fn dot512(row: &[i8], q: &[i16]) -> i64 {
        let n = row.len().min(q.len());
        let lanes = n / 32 * 32;
        let mut acc = _mm512_setzero_si512();
        let mut i = 0;
        while i < lanes {
            // SAFETY: i + 32 <= n, within both slices: unaligned loads of 32 bytes and of 32
            // 16-bit integers.
            unsafe {
                let x =
                    _mm512_cvtepi8_epi16(_mm256_loadu_si256(row.as_ptr().add(i).cast::<__m256i>()));
                let y = _mm512_loadu_si512(q.as_ptr().add(i).cast::<__m512i>());
                acc = _mm512_add_epi32(acc, _mm512_madd_epi16(x, y));
            }
            i += 32;
        }
        let mut lanes16 = [0i32; 16];
        // SAFETY: writes sixteen 32-bit integers into an array of sixteen.
        unsafe { _mm512_storeu_si512(lanes16.as_mut_ptr().cast::<__m512i>(), acc) };
        lanes16.iter().map(|&x| i64::from(x)).sum::<i64>() + tail(row, q, lanes)
    }

    /// The same with AVX2, 16 values at a time.
    #[target_feature(enable = "avx2")]
    fn dot256(row: &[i8], q: &[i16]) -> i64 {
        let n = row.len().min(q.len());
        let lanes = n / 16 * 16;
        let mut acc = _mm256_setzero_si256();
        let mut i = 0;
        while i < lanes {
            // SAFETY: i + 16 <= n, within both slices: unaligned loads of 16 bytes and of 16
            // 16-bit integers.
            unsafe {
                let x =
                    _mm256_cvtepi8_epi16(_mm_loadu_si128(row.as_ptr().add(i).cast::<__m128i>()));
                let y = _mm256_loadu_si256(q.as_ptr().add(i).cast::<__m256i>());
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, y));
            }
            i += 16;
        }
        let mut lanes8 = [0i32; 8];
        // SAFETY: writes eight 32-bit integers into an array of eight.
        unsafe { _mm256_storeu_si256(lanes8.as_mut_ptr().cast::<__m256i>(), acc) };
        lanes8.iter().map(|&x| i64::from(x)).sum::<i64>() + tail(row, q, lanes)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dot_matches_the_plain_sum_at_every_length() {
        for n in [0usize, 1, 7, 8, 9, 16, 383, 384, 385] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((super::dot(&a, &b) - plain).abs() < 1e-4, "{n}");
        }
        assert_eq!(super::dot(&[1.0, 2.0], &[3.0]), 3.0);
    }

    #[test]
    fn int8_rows_keep_dot_products_within_a_hundredth_small_and_large_scans() {
        for (dim, rows) in [(384usize, 3usize), (20, 9000), (7, 5), (1, 1)] {
            let query: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.11).cos()).collect();
            let exact: Vec<f32> = (0..dim * rows).map(|i| (i as f32 * 0.37).sin()).collect();
            let halves: Vec<half::f16> = exact.iter().map(|&x| half::f16::from_f32(x)).collect();
            let q = super::Rows::from_f16(&halves, dim);
            assert_eq!(q.len(), rows);
            let got = q.dots(&query);
            assert_eq!(got.len(), rows);
            for (r, g) in got.iter().enumerate() {
                let want = super::dot(&exact[r * dim..(r + 1) * dim], &query);
                // Each value is off by at most half a step (max / 254).
                let bound = 0.01 * dim as f32 / 8.0 + 1e-3;
                assert!((g - want).abs() < bound, "dim {dim} row {r}: {g} vs {want}");
                assert_eq!(q.dots_in(r..r + 1, &query), Some(vec![*g]));
            }
            let row = q.row(0).unwrap_or_default();
            assert!(row.iter().zip(&exact).all(|(a, b)| (a - b).abs() < 0.005));
        }
        let empty = super::Rows::from_f16(&[], 4);
        assert!(empty.is_empty() && empty.dots(&[0.0; 4]).is_empty());
        // A query of the wrong length scores 0, never panics.
        let one = super::Rows::from_f16(&[half::f16::ONE; 4], 4);
        assert_eq!(one.dots(&[1.0; 3]), vec![0.0]);
        assert_eq!(one.dots_in(0..2, &[1.0; 4]), None);
        assert_eq!(one.dots_in(0..1, &[1.0; 3]), None);
        assert_eq!(one.dots_in(1..1, &[1.0; 4]), Some(vec![]));
    }

    #[test]
    fn every_scan_kernel_gives_the_same_bits() {
        for dim in [1usize, 15, 16, 17, 31, 32, 33, 384, 400] {
            let rows = 37;
            let values: Vec<half::f16> = (0..dim * rows)
                .map(|i| half::f16::from_f32(((i * 7919) % 1000) as f32 / 1000.0 - 0.5))
                .collect();
            let r = super::Rows::from_f16(&values, dim);
            let query: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.11).cos()).collect();
            let q = super::Query16::new(&query);
            let plain = super::scan_plain(&r.data, &r.scales, &q);
            assert_eq!(super::scan(&r.data, &r.scales, &q), plain, "dim {dim}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (checked).
                let avx2 = unsafe { super::simd::scan256(&r.data, &r.scales, &q) };
                assert_eq!(avx2, plain, "dim {dim}");
            }
        }
        // The largest sums the kernels allow: every value at full scale, 4,096 dimensions.
        let dim = 4096;
        let r = super::Rows::from_f16(&vec![half::f16::ONE; dim * 2], dim);
        let q = super::Query16::new(&vec![1.0; dim]);
        let plain = super::scan_plain(&r.data, &r.scales, &q);
        assert!((plain[0] - 4096.0).abs() < 0.01, "{plain:?}");
        assert_eq!(super::scan(&r.data, &r.scales, &q), plain);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked).
            assert_eq!(
                unsafe { super::simd::scan256(&r.data, &r.scales, &q) },
                plain
            );
        }
        // Extreme values stay within range; NaN in a query counts as zero.
        let q = super::Query16::new(&[f32::NAN, 1.0, -1.0, 0.5]);
        assert_eq!(q.values, vec![0, 32767, -32767, 16384]);
        assert_eq!(super::Query16::new(&[0.0; 3]).values, vec![0; 3]);
    }
}

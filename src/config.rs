//! Settings: built-in defaults → `config/cabildo.toml` (or the file named by `CABILDO_CONFIG` /
//! `--config`) → environment variables (`CABILDO_*`, also read from `.env`) → command-line flags.
//! Validated once; a bad value names the file or variable, the key and what was expected.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The config file used when none is named and it exists.
pub const DEFAULT_CONFIG: &str = "config/cabildo.toml";

/// How questions are answered.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSettings {
    /// Results per answer.
    pub top: usize,
    /// Longest excerpt, in characters (a little more with the `…` marks).
    pub max_excerpt_chars: usize,
    /// Least share of a question (0–1) the best passage must contain for an answer; below it the
    /// answer is "not in the text".
    pub min_confidence: f32,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            top: 3,
            max_excerpt_chars: 400,
            min_confidence: 0.35,
        }
    }
}

/// All settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// A file or directory of `.txt`/`.md` documents; `None` for the embedded essay.
    pub corpus: Option<PathBuf>,
    /// Where persisted indexes live.
    pub data_dir: PathBuf,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `cabildo=debug`.
    pub log: String,
    pub search: SearchSettings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    corpus: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    log: Option<String>,
    #[serde(default)]
    search: FileSearch,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSearch {
    top: Option<usize>,
    max_excerpt_chars: Option<usize>,
    min_confidence: Option<f32>,
}

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub corpus: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
}

impl Settings {
    /// Reads settings from the config file and the process environment.
    pub fn load(overrides: &Overrides) -> Result<Settings> {
        Self::load_with(overrides, |k| std::env::var(k).ok())
    }

    /// Reads settings with a custom environment (for tests).
    pub fn load_with(
        overrides: &Overrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings> {
        let named = overrides.config.clone().or_else(|| {
            env("CABILDO_CONFIG")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        });
        let (file, config_file) = match named {
            Some(path) => (read_file(&path)?, Some(path)),
            None if Path::new(DEFAULT_CONFIG).is_file() => (
                read_file(Path::new(DEFAULT_CONFIG))?,
                Some(PathBuf::from(DEFAULT_CONFIG)),
            ),
            None => (FileConfig::default(), None),
        };
        let defaults = SearchSettings::default();
        let mut s = Settings {
            config_file: config_file.clone(),
            corpus: file.corpus,
            data_dir: file.data_dir.unwrap_or_else(default_data_dir),
            log: file.log.unwrap_or_else(|| "warn".to_string()),
            search: SearchSettings {
                top: file.search.top.unwrap_or(defaults.top),
                max_excerpt_chars: file
                    .search
                    .max_excerpt_chars
                    .unwrap_or(defaults.max_excerpt_chars),
                min_confidence: file
                    .search
                    .min_confidence
                    .unwrap_or(defaults.min_confidence),
            },
        };
        if let Some(v) = env("CABILDO_CORPUS").filter(|v| !v.is_empty()) {
            s.corpus = Some(PathBuf::from(v));
        }
        if let Some(v) = env("CABILDO_DATA_DIR").filter(|v| !v.is_empty()) {
            s.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("CABILDO_LOG").filter(|v| !v.is_empty()) {
            s.log = v;
        }
        if let Some(v) = env("CABILDO_TOP") {
            s.search.top = parse_env("CABILDO_TOP", &v, "a whole number from 1 to 10")?;
        }
        if let Some(v) = env("CABILDO_MAX_EXCERPT_CHARS") {
            s.search.max_excerpt_chars = parse_env(
                "CABILDO_MAX_EXCERPT_CHARS",
                &v,
                "a whole number from 100 to 1000",
            )?;
        }
        if let Some(v) = env("CABILDO_MIN_CONFIDENCE") {
            s.search.min_confidence =
                parse_env("CABILDO_MIN_CONFIDENCE", &v, "a number from 0 to 1")?;
        }
        if let Some(c) = &overrides.corpus {
            s.corpus = Some(c.clone());
        }
        if let Some(d) = &overrides.data_dir {
            s.data_dir = d.clone();
        }
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<()> {
        let fail = |key: &str, expected: &str, found: String| {
            let message = format!("`{key}` must be {expected}, not {found}");
            match &self.config_file {
                Some(path) => Error::ConfigFile {
                    path: path.clone(),
                    message,
                },
                None => Error::Config(message),
            }
        };
        let s = &self.search;
        if !(1..=10).contains(&s.top) {
            return Err(fail(
                "search.top",
                "a whole number from 1 to 10",
                s.top.to_string(),
            ));
        }
        if !(100..=1000).contains(&s.max_excerpt_chars) {
            return Err(fail(
                "search.max_excerpt_chars",
                "a whole number from 100 to 1000",
                s.max_excerpt_chars.to_string(),
            ));
        }
        if !(0.0..=1.0).contains(&s.min_confidence) {
            return Err(fail(
                "search.min_confidence",
                "a number from 0 to 1",
                s.min_confidence.to_string(),
            ));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log) {
            return Err(fail(
                "log",
                "a log filter such as `info` or `cabildo=debug`",
                format!("“{}” ({e})", self.log),
            ));
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::ConfigFile {
        path: path.to_path_buf(),
        message: format!("cannot read it: {e}"),
    })?;
    let de = toml::Deserializer::parse(&text).map_err(|e| Error::ConfigFile {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        Error::ConfigFile {
            path: path.to_path_buf(),
            message: if key.is_empty() || key == "." {
                inner.message().to_string()
            } else {
                format!("key `{key}`: {}", plain_types(inner.message()))
            },
        }
    })
}

/// serde names Rust types; say what a person would write instead.
fn plain_types(message: &str) -> String {
    message
        .replace("expected usize", "expected a whole number")
        .replace("expected f32", "expected a number")
        .replace("expected a string", "expected text in quotes")
}

fn parse_env<T: std::str::FromStr>(var: &str, value: &str, expected: &str) -> Result<T> {
    value.trim().parse().map_err(|_| Error::ConfigEnv {
        var: var.to_string(),
        message: format!("expected {expected}, found “{value}”"),
    })
}

/// `$XDG_CACHE_HOME/cabildo`, `~/.cache/cabildo`, or a folder in the system temp dir.
fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("cabildo");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(h).join(".cache").join("cabildo");
    }
    std::env::temp_dir().join("cabildo")
}

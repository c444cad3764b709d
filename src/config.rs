//! Settings: built-in defaults → `config/cabildo.toml` (or the file named by `CABILDO_CONFIG` /
//! `--config`) → environment variables (`CABILDO_*`, also read from `.env`) → command-line flags.
//! Validated once; a bad value names the file or variable, the key and what was expected.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// Where `cabildo serve` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

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
    /// Semantic search (issue 13): a sentence-embedding model's directory, or the name of one
    /// fetched into `<data_dir>/models/` (copy a model directory there, e.g. from `bash
    /// .ci/fetch-model`). `None`: lexical search only. When no model is named, the default one
    /// (`all-MiniLM-L6-v2`) is used if it is in `<data_dir>/models/`; `"none"` turns it off.
    pub model: Option<String>,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            top: 3,
            max_excerpt_chars: 400,
            min_confidence: 0.35,
            model: None,
        }
    }
}

/// All settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// A file or directory of documents (text, Markdown, HTML, EPUB, PDF); `None` for the embedded essay.
    pub corpus: Option<PathBuf>,
    /// Where persisted indexes live.
    pub data_dir: PathBuf,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `cabildo=debug`.
    pub log: String,
    /// The database (issue 14): a `postgres://` URL, or `sqlite://FILE`; `None`: the SQLite file
    /// `cabildo.db` in the data directory. Redacted in `Debug` (it may hold a password).
    pub database_url: Option<Token>,
    pub search: SearchSettings,
    pub discord: DiscordSettings,
    /// What a hostile file may cost to read (`[formats]`): unpacked bytes, zip entries, seconds.
    pub formats: crate::corpus::Limits,
    pub library: LibrarySettings,
}

/// Each server's own texts (issue 28): what a server may add, and how many servers' indexes a
/// process keeps loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct LibrarySettings {
    /// Largest text a server may add, in bytes (never more than Discord's attachment limit).
    pub max_text_bytes: u64,
    /// Texts one server may keep.
    pub max_texts_per_server: u32,
    /// Bytes of texts one server may keep, in all.
    pub max_bytes_per_server: u64,
    /// Memory the loaded servers' indexes and vectors may take (an estimate); the least recently
    /// asked are dropped first beyond it.
    pub memory_budget_mb: u64,
    /// A text not read and indexed within this many seconds is abandoned.
    pub read_timeout_seconds: f64,
}

impl Default for LibrarySettings {
    fn default() -> Self {
        LibrarySettings {
            max_text_bytes: 10 * 1024 * 1024,
            max_texts_per_server: 50,
            max_bytes_per_server: 100 * 1024 * 1024,
            memory_budget_mb: 1024,
            read_timeout_seconds: 60.0,
        }
    }
}

/// The Discord bot (`cabildo run`, `register`, `invite`). The token comes only from the environment
/// (`DISCORD_TOKEN`, also read from `.env`), never from the config file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiscordSettings {
    /// The bot token; its `Debug` form is redacted.
    pub token: Option<Token>,
    /// Register commands to this server only (instant updates while testing); global otherwise.
    pub guild_id: Option<u64>,
    /// The application id; derived from the token when unset.
    pub application_id: Option<u64>,
    /// Send every REST call to this base URL (a rate-limit proxy such as nirn-proxy) instead of
    /// `https://discord.com`, with serenity's own rate limiter off.
    pub proxy_url: Option<String>,
    /// The rate limit: requests a member may send at once (commands, buttons and mentions).
    pub rate_burst: u32,
    /// The rate limit: seconds until a used request comes back; 0 turns the limit off.
    pub rate_refill_seconds: u64,
    /// The application's public key (hex), for verifying HTTP interactions; from
    /// `DISCORD_PUBLIC_KEY` only. Redacted in `Debug` like the token.
    pub public_key: Option<Token>,
    /// Where `cabildo serve` listens.
    pub listen: String,
    /// The gateway shards `cabildo run` starts; `None`: one shard, as a small bot needs.
    pub shards: Option<Shards>,
}

/// The gateway shards one `cabildo run` process starts: ids `start..end` (end not included) out of
/// `total` shards across every process. Always valid: `start < end <= total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shards {
    pub start: u32,
    pub end: u32,
    pub total: u32,
}

impl Shards {
    /// Checks a range against the total; the message says what is wrong and how to fix it.
    pub fn new(start: u32, end: u32, total: u32) -> std::result::Result<Shards, String> {
        if total == 0 {
            return Err("the shard count must be at least 1 (it is the number of shards across all processes)".into());
        }
        if start >= end {
            return Err(format!(
                "the shard range {start}..{end} is empty: it is START..END with END not included, so END must be greater than START (for example {start}..{})",
                start.saturating_add(1)
            ));
        }
        if end > total {
            return Err(format!(
                "the shard range {start}..{end} goes past the shard count {total}: shard ids run from 0 to {}, so END can be at most {total}",
                total - 1
            ));
        }
        Ok(Shards { start, end, total })
    }
}

impl std::fmt::Display for Shards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{} of {}", self.start, self.end, self.total)
    }
}

/// What a shard range looks like, for error messages.
const SHARD_RANGE_FORM: &str =
    "a range of shard ids START..END (END not included) such as 0..4, or one shard id such as 3";

/// Parses `START..END` (end not included) or a single shard id `N` (`N..N+1`).
fn parse_shard_range(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    let number = |s: &str| -> Option<u32> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match text.split_once("..") {
        Some((a, b)) => Some((number(a)?, number(b)?)),
        None => {
            let n = number(text)?;
            Some((n, n.checked_add(1)?))
        }
    }
}

/// A secret bot token: shown as `Token(<redacted>)` in logs and `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(s: impl Into<String>) -> Self {
        Token(s.into())
    }
    /// The secret itself, for the one place that sends it to Discord.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Default seconds between two commands of one member.
pub const DEFAULT_RATE_BURST: u32 = 5;
pub const DEFAULT_RATE_REFILL_SECONDS: u64 = 3;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    corpus: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    log: Option<String>,
    database_url: Option<String>,
    #[serde(default)]
    search: FileSearch,
    #[serde(default)]
    discord: FileDiscord,
    #[serde(default)]
    formats: FileFormats,
    #[serde(default)]
    library: FileLibrary,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormats {
    max_unpacked_mb: Option<u64>,
    max_entries: Option<usize>,
    max_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLibrary {
    max_text_bytes: Option<u64>,
    max_texts_per_server: Option<u32>,
    max_bytes_per_server: Option<u64>,
    memory_budget_mb: Option<u64>,
    read_timeout_seconds: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDiscord {
    listen: Option<String>,
    guild_id: Option<u64>,
    application_id: Option<u64>,
    proxy_url: Option<String>,
    rate_burst: Option<u32>,
    rate_refill_seconds: Option<u64>,
    /// The older name of `rate_refill_seconds`.
    cooldown_seconds: Option<u64>,
    shards: Option<String>,
    shard_count: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSearch {
    top: Option<usize>,
    max_excerpt_chars: Option<usize>,
    min_confidence: Option<f32>,
    model: Option<String>,
}

/// Overrides from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub corpus: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    /// `cabildo run --shards`, as typed.
    pub shards: Option<String>,
    /// `cabildo run --shard-count`, as typed.
    pub shard_count: Option<String>,
}

impl Settings {
    /// The database URL to open: `database_url`, else `sqlite://<data_dir>/cabildo.db`.
    pub fn store_url(&self) -> String {
        crate::store::url_for(
            self.database_url.as_ref().map(Token::expose),
            &self.data_dir,
        )
    }

    /// Opens the database (creating and migrating it as needed).
    pub fn open_store(&self) -> Result<crate::store::Store> {
        Ok(crate::store::Store::open(&self.store_url())?)
    }

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
            database_url: file
                .database_url
                .filter(|u| !u.trim().is_empty())
                .map(|u| Token::new(u.trim())),
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
                model: file.search.model.clone(),
            },
            discord: DiscordSettings {
                token: None,
                guild_id: file.discord.guild_id,
                application_id: file.discord.application_id,
                proxy_url: file.discord.proxy_url.filter(|u| !u.is_empty()),
                rate_burst: file.discord.rate_burst.unwrap_or(DEFAULT_RATE_BURST),
                rate_refill_seconds: file
                    .discord
                    .rate_refill_seconds
                    .or(file.discord.cooldown_seconds)
                    .unwrap_or(DEFAULT_RATE_REFILL_SECONDS),
                public_key: None,
                listen: file
                    .discord
                    .listen
                    .clone()
                    .unwrap_or_else(|| DEFAULT_LISTEN.to_string()),
                shards: None,
            },
            formats: {
                let d = crate::corpus::Limits::default();
                crate::corpus::Limits {
                    max_unpacked_bytes: file
                        .formats
                        .max_unpacked_mb
                        .map_or(d.max_unpacked_bytes, |mb| mb.saturating_mul(1024 * 1024)),
                    max_entries: file.formats.max_entries.unwrap_or(d.max_entries),
                    max_seconds: file.formats.max_seconds.unwrap_or(d.max_seconds),
                }
            },
            library: {
                let d = LibrarySettings::default();
                let f = &file.library;
                LibrarySettings {
                    max_text_bytes: f.max_text_bytes.unwrap_or(d.max_text_bytes),
                    max_texts_per_server: f.max_texts_per_server.unwrap_or(d.max_texts_per_server),
                    max_bytes_per_server: f.max_bytes_per_server.unwrap_or(d.max_bytes_per_server),
                    memory_budget_mb: f.memory_budget_mb.unwrap_or(d.memory_budget_mb),
                    read_timeout_seconds: f.read_timeout_seconds.unwrap_or(d.read_timeout_seconds),
                }
            },
        };
        // Shards: the range and the total are layered separately (a config file may hold the
        // total and each process name its range), then checked together.
        let file_error = |key: &str, message: String| match &config_file {
            Some(path) => Error::ConfigFile {
                path: path.clone(),
                message: format!("key `discord.{key}`: {message}"),
            },
            None => Error::Config(message),
        };
        let mut shard_range = match &file.discord.shards {
            Some(text) => Some(parse_shard_range(text).ok_or_else(|| {
                file_error(
                    "shards",
                    format!("expected {SHARD_RANGE_FORM}, found “{text}”"),
                )
            })?),
            None => None,
        };
        let mut shard_count = file.discord.shard_count;
        if let Some(v) = env("CABILDO_SHARDS").filter(|v| !v.trim().is_empty()) {
            shard_range = Some(parse_shard_range(&v).ok_or_else(|| Error::ConfigEnv {
                var: "CABILDO_SHARDS".into(),
                message: format!("expected {SHARD_RANGE_FORM}, found “{v}”"),
            })?);
        }
        if let Some(v) = env("CABILDO_SHARD_COUNT").filter(|v| !v.trim().is_empty()) {
            shard_count = Some(parse_env(
                "CABILDO_SHARD_COUNT",
                &v,
                "the total number of shards, a whole number such as 8",
            )?);
        }
        if let Some(v) = &overrides.shards {
            shard_range = Some(parse_shard_range(v).ok_or_else(|| {
                Error::Config(format!(
                    "--shards: expected {SHARD_RANGE_FORM}, found “{v}”"
                ))
            })?);
        }
        if let Some(v) = &overrides.shard_count {
            shard_count = Some(v.trim().parse().map_err(|_| {
                Error::Config(format!(
                    "--shard-count: expected the total number of shards, a whole number such as 8, found “{v}”"
                ))
            })?);
        }
        s.discord.shards = match (shard_range, shard_count) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(Error::Config(
                    "a shard range (--shards, CABILDO_SHARDS or discord.shards) needs the total number of shards too: add --shard-count N (CABILDO_SHARD_COUNT, discord.shard_count), the same N for every process".into(),
                ));
            }
            (None, Some(total)) => {
                Some(Shards::new(0, total.max(1), total).map_err(Error::Config)?)
            }
            (Some((start, end)), Some(total)) => {
                Some(Shards::new(start, end, total).map_err(Error::Config)?)
            }
        };
        if let Some(v) = env("CABILDO_CORPUS").filter(|v| !v.is_empty()) {
            s.corpus = Some(PathBuf::from(v));
        }
        if let Some(v) = env("CABILDO_DATA_DIR").filter(|v| !v.is_empty()) {
            s.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("DATABASE_URL").filter(|v| !v.trim().is_empty()) {
            s.database_url = Some(Token::new(v.trim()));
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
        if let Some(v) = env("CABILDO_MAX_UNPACKED_MB") {
            let mb: u64 = parse_env(
                "CABILDO_MAX_UNPACKED_MB",
                &v,
                "a whole number of megabytes from 1 to 65536",
            )?;
            s.formats.max_unpacked_bytes = mb.saturating_mul(1024 * 1024);
        }
        if let Some(v) = env("CABILDO_MAX_ENTRIES") {
            s.formats.max_entries = parse_env(
                "CABILDO_MAX_ENTRIES",
                &v,
                "a whole number of entries from 1 to 1000000",
            )?;
        }
        if let Some(v) = env("CABILDO_MAX_SECONDS") {
            s.formats.max_seconds = parse_env(
                "CABILDO_MAX_SECONDS",
                &v,
                "a whole number of seconds from 1 to 3600",
            )?;
        }
        if let Some(v) = env("CABILDO_MODEL").filter(|v| !v.trim().is_empty()) {
            s.search.model = Some(v.trim().to_string());
        }
        let model_named = s.search.model.is_some();
        // `model = "none"` (any case) or an empty name: lexical search only.
        if s.search
            .model
            .as_deref()
            .is_some_and(|m| m.trim().is_empty() || m.trim().eq_ignore_ascii_case("none"))
        {
            s.search.model = None;
        }
        if let Some(v) = env("DISCORD_PUBLIC_KEY").filter(|v| !v.trim().is_empty()) {
            s.discord.public_key = Some(Token::new(v.trim()));
        }
        if let Some(v) = env("CABILDO_LISTEN").filter(|v| !v.trim().is_empty()) {
            s.discord.listen = v.trim().to_string();
        }
        if let Some(v) = env("DISCORD_TOKEN").filter(|v| !v.trim().is_empty()) {
            s.discord.token = Some(Token::new(v.trim()));
        }
        if let Some(v) = env("DISCORD_GUILD_ID").filter(|v| !v.trim().is_empty()) {
            s.discord.guild_id = Some(parse_env(
                "DISCORD_GUILD_ID",
                &v,
                "a server id (a number; in Discord: right-click the server → Copy Server ID)",
            )?);
        }
        if let Some(v) = env("DISCORD_APPLICATION_ID").filter(|v| !v.trim().is_empty()) {
            s.discord.application_id = Some(parse_env(
                "DISCORD_APPLICATION_ID",
                &v,
                "an application id (a number, from the Developer Portal)",
            )?);
        }
        if let Some(v) = env("DISCORD_PROXY_URL").filter(|v| !v.trim().is_empty()) {
            s.discord.proxy_url = Some(v.trim().to_string());
        }
        for var in ["DISCORD_COOLDOWN_SECONDS", "DISCORD_RATE_REFILL_SECONDS"] {
            if let Some(v) = env(var) {
                s.discord.rate_refill_seconds =
                    parse_env(var, &v, "a whole number of seconds from 0 to 3600")?;
            }
        }
        if let Some(v) = env("DISCORD_RATE_BURST") {
            s.discord.rate_burst = parse_env(
                "DISCORD_RATE_BURST",
                &v,
                "a whole number of requests from 1 to 100",
            )?;
        }
        if let Some(v) = env("CABILDO_MAX_TEXT_BYTES") {
            s.library.max_text_bytes =
                parse_env("CABILDO_MAX_TEXT_BYTES", &v, "a whole number of bytes")?;
        }
        if let Some(v) = env("CABILDO_MAX_TEXTS_PER_SERVER") {
            s.library.max_texts_per_server = parse_env(
                "CABILDO_MAX_TEXTS_PER_SERVER",
                &v,
                "a whole number of texts",
            )?;
        }
        if let Some(v) = env("CABILDO_MAX_BYTES_PER_SERVER") {
            s.library.max_bytes_per_server = parse_env(
                "CABILDO_MAX_BYTES_PER_SERVER",
                &v,
                "a whole number of bytes",
            )?;
        }
        if let Some(v) = env("CABILDO_LIBRARY_MEMORY_MB") {
            s.library.memory_budget_mb = parse_env(
                "CABILDO_LIBRARY_MEMORY_MB",
                &v,
                "a whole number of megabytes",
            )?;
        }
        if let Some(v) = env("CABILDO_READ_TIMEOUT_SECONDS") {
            s.library.read_timeout_seconds =
                parse_env("CABILDO_READ_TIMEOUT_SECONDS", &v, "a number of seconds")?;
        }
        if let Some(c) = &overrides.corpus {
            s.corpus = Some(c.clone());
        }
        if let Some(d) = &overrides.data_dir {
            s.data_dir = d.clone();
        }
        // No model named: the default one, once `cabildo model fetch` has put it in the data
        // directory; `model = "none"` keeps lexical search only.
        if !model_named {
            let name = crate::models::default_name();
            let dir = crate::models::model_dir(name, &s.data_dir);
            if crate::models::is_installed(&dir) {
                s.search.model = Some(name.to_string());
            }
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
        let f = &self.formats;
        let mb = f.max_unpacked_bytes / (1024 * 1024);
        if !(1..=65_536).contains(&mb) {
            return Err(fail(
                "formats.max_unpacked_mb",
                "a whole number of megabytes from 1 to 65536",
                mb.to_string(),
            ));
        }
        if !(1..=1_000_000).contains(&f.max_entries) {
            return Err(fail(
                "formats.max_entries",
                "a whole number of entries from 1 to 1000000",
                f.max_entries.to_string(),
            ));
        }
        if !(1..=3600).contains(&f.max_seconds) {
            return Err(fail(
                "formats.max_seconds",
                "a whole number of seconds from 1 to 3600",
                f.max_seconds.to_string(),
            ));
        }
        if self.discord.guild_id == Some(0) {
            return Err(fail("discord.guild_id", "a server id", "0".into()));
        }
        if self.discord.application_id == Some(0) {
            return Err(fail(
                "discord.application_id",
                "an application id",
                "0".into(),
            ));
        }
        if self.discord.rate_refill_seconds > 3600 {
            return Err(fail(
                "discord.rate_refill_seconds",
                "a whole number of seconds from 0 to 3600",
                self.discord.rate_refill_seconds.to_string(),
            ));
        }
        if !(1..=100).contains(&self.discord.rate_burst) {
            return Err(fail(
                "discord.rate_burst",
                "a whole number of requests from 1 to 100",
                self.discord.rate_burst.to_string(),
            ));
        }
        if let Some(url) = &self.discord.proxy_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(fail(
                "discord.proxy_url",
                "an http:// or https:// URL such as `http://localhost:8080`",
                format!("“{url}”"),
            ));
        }
        if let Some(url) = &self.database_url {
            let url = url.expose();
            let known = ["sqlite:", "postgres://", "postgresql://"];
            if !known.iter().any(|k| url.starts_with(k)) {
                return Err(fail(
                    "database_url",
                    "a postgres://USER:PASSWORD@HOST/DATABASE or sqlite://FILE URL",
                    format!("“{}”", crate::store::redact(url)),
                ));
            }
        }
        let l = &self.library;
        if l.max_text_bytes == 0 {
            return Err(fail(
                "library.max_text_bytes",
                "a whole number of bytes above 0",
                "0".into(),
            ));
        }
        if l.max_texts_per_server == 0 {
            return Err(fail(
                "library.max_texts_per_server",
                "a whole number of texts above 0",
                "0".into(),
            ));
        }
        if l.max_bytes_per_server == 0 {
            return Err(fail(
                "library.max_bytes_per_server",
                "a whole number of bytes above 0",
                "0".into(),
            ));
        }
        if !(l.read_timeout_seconds > 0.0 && l.read_timeout_seconds <= 3600.0) {
            return Err(fail(
                "library.read_timeout_seconds",
                "a number of seconds above 0 and at most 3600",
                l.read_timeout_seconds.to_string(),
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
        .replace("expected u32", "expected a whole number")
        .replace("expected u64", "expected a whole number")
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

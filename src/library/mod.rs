//! Each server its own reading list (issue 28): the host's texts (the configured corpus, the same
//! for every server) plus the texts a server added itself, kept whole in the database so that any
//! process sharing it answers from them.
//!
//! - [`Library::engine`] gives the engine a request in a server is answered with: the host's
//!   engine in direct messages and in servers without texts of their own; otherwise an engine over
//!   the host's texts and the server's, built from the database into `<data_dir>/library/<id>/`
//!   (kept there and reused while the texts are unchanged, as the index fingerprint says).
//! - Engines are loaded when a server is first asked and dropped, least recently used first, when
//!   the loaded ones pass the memory budget ([`cache`]).
//! - Every server has a version in the database, raised in the transaction that adds or removes a
//!   text. A process reads a loaded server's version at most every [`FRESH`] and reloads it when
//!   it moved, so another process's change is answered within that time (docs/store.md).
//! - [`Library::add`] reads a text from bytes, builds the server's new index, and stores the text
//!   within the server's quota in one transaction; answers work as soon as that is done, and the
//!   passage vectors (with a model) join when computed ([`Library::vectors`]).
//!
//! What goes wrong for the member is a [`Refusal`] (which limit, what to do); what goes wrong
//! inside is an [`Error`], logged.

mod build;
mod cache;
pub mod fetch;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::Digest;
use tokio::sync::watch;

use crate::config::{LibrarySettings, Settings};
use crate::corpus::{BytesError, Hints, Sniffed};
use crate::engine::Engine;
use crate::error::Error;
use crate::language::Language;
use crate::store::{AddedText, NewText, PlanStatus, Quota, Store, TextInfo};

use cache::{Cache, Loaded};

/// How long a server's version read from the database is trusted before it is read again.
pub const FRESH: Duration = Duration::from_secs(2);

/// The id a text added from the host's command line is recorded as added by.
pub const HOST: u64 = 0;

/// Why a text was not added or removed: the member's to act on. Nothing was stored and the
/// server's texts are as they were.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The file is larger than one text may be.
    TooLarge { size: u64, max: u64 },
    /// The bytes are not a text cabildo reads.
    Unreadable(BytesError),
    /// Reading and indexing took longer than the host allows.
    TooSlow { seconds: f64 },
    /// The server has a text with this id already.
    Taken { id: String },
    /// The host's texts have one with this id (every server has them).
    HostHas { id: String },
    /// The server keeps the most texts it may.
    TooMany { count: i64, max: i64 },
    /// The server's texts would take more bytes than it may keep.
    OverQuota { used: i64, size: i64, max: i64 },
    /// No text of the server goes by that name.
    NotFound {
        name: String,
        available: Vec<String>,
    },
    /// Texts need the database, and this bot runs without one.
    NoStore,
    /// The attachment could not be fetched.
    Fetch(fetch::FetchError),
    /// No file came with the command.
    NoFile,
}

/// Adding or removing failed: the member's mistake, or ours.
#[derive(Debug)]
pub enum Failure {
    Refused(Refusal),
    Failed(Error),
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Self {
        Failure::Refused(r)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Failed(e)
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        Failure::Failed(e.into())
    }
}

/// A text to add.
#[derive(Debug, Clone)]
pub struct Upload {
    pub guild: u64,
    /// The file's name (a title and id are made from it when the text has no title).
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The title to give it, over what the text says.
    pub title: Option<String>,
    /// Its language, as the member named it.
    pub language: Option<String>,
    pub added_by: u64,
}

/// How far adding a text has come, for a progress reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Read: its title, id, size in sections and passages, how it was decoded and its language
    /// (given with it, or detected).
    Read {
        title: String,
        id: String,
        format: Sniffed,
        language: Language,
        sections: usize,
        passages: usize,
        note: Option<String>,
    },
    /// Indexed and stored: questions in the server are answered from it.
    Ready,
}

/// A text added.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub text: TextInfo,
    /// From the call to the moment it was answered from.
    pub ready_after: Duration,
}

/// A text removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub text: TextInfo,
    /// The server's reading plan was on it, and is paused.
    pub plan_paused: bool,
}

/// A server's texts, and the host's that every server has.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub texts: Vec<TextInfo>,
    /// (id, title, passages) of each of the host's texts.
    pub host: Vec<(String, String, usize)>,
    pub max_texts: u32,
    pub max_bytes: u64,
}

/// Passage vectors being computed for a server: how many of how many, and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VectorProgress {
    pub done: usize,
    pub total: usize,
    /// `Some(true)`: ready and in use; `Some(false)`: failed (logged), answers stay lexical.
    pub finished: Option<bool>,
}

/// The host's texts and every server's own.
pub struct Library {
    host: Arc<Engine>,
    store: Option<Store>,
    limits: LibrarySettings,
    /// What an uploaded EPUB or PDF may cost to read (`[formats]`).
    read_limits: crate::corpus::Limits,
    /// `<data_dir>/library`: a folder per server, and `vectors/` shared by all. `None`: indexes
    /// in memory.
    dir: Option<PathBuf>,
    cache: Mutex<Cache>,
    /// One load at a time per server.
    loading: Mutex<HashMap<u64, Arc<tokio::sync::Mutex<()>>>>,
    /// Vectors being computed, per server: for which version, and how far.
    vectors: Mutex<HashMap<u64, (i64, watch::Receiver<VectorProgress>)>>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("store", &self.store)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Library {
    /// The library of a process: the host's texts in `host`, servers' texts in `store`, their
    /// indexes in `<data_dir>/library/`.
    pub fn new(host: Arc<Engine>, store: Option<Store>, settings: &Settings) -> Library {
        let mut library = Library::with(
            host,
            store,
            settings.library.clone(),
            Some(settings.data_dir.join("library")),
        );
        library.read_limits = settings.formats;
        library
    }

    /// The host's texts only, for every server (no database).
    pub fn fixed(host: Arc<Engine>) -> Library {
        Library::with(host, None, LibrarySettings::default(), None)
    }

    /// A library with these limits, its indexes in `dir` (`None`: in memory).
    pub fn with(
        host: Arc<Engine>,
        store: Option<Store>,
        limits: LibrarySettings,
        dir: Option<PathBuf>,
    ) -> Library {
        let budget = usize::try_from(limits.memory_budget_mb.saturating_mul(1024 * 1024))
            .unwrap_or(usize::MAX);
        Library {
            host,
            store,
            limits,
            read_limits: crate::corpus::Limits::default(),
            dir,
            cache: Mutex::new(Cache::new(budget)),
            loading: Mutex::default(),
            vectors: Mutex::default(),
        }
    }

    /// The engine over the host's texts.
    pub fn host(&self) -> &Arc<Engine> {
        &self.host
    }

    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    pub fn limits(&self) -> &LibrarySettings {
        &self.limits
    }

    /// How many servers are loaded, and the memory they are estimated to take.
    pub fn loaded(&self) -> (usize, usize) {
        let c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        (c.len(), c.bytes())
    }

    /// The engine that answers in `guild` (`None`: a direct message): the host's texts, plus the
    /// server's own. A database that cannot be reached leaves the server with what this process
    /// last loaded for it (or the host's texts), logged: answering matters more.
    pub async fn engine(self: &Arc<Self>, guild: Option<u64>) -> Arc<Engine> {
        let (Some(guild), Some(store)) = (guild, &self.store) else {
            return self.host.clone();
        };
        let known = {
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            match c.get(guild) {
                Some(l) if l.checked.elapsed() < FRESH => return l.engine.clone(),
                Some(l) => Some((l.engine.clone(), l.version)),
                None => None,
            }
        };
        let version = match store.library_version(guild).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, guild, "could not read the server's texts; answering with those loaded");
                // Tried again in [`FRESH`], not at every request while the database is away.
                if let Some((_, v)) = &known {
                    self.cache
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .checked(guild, *v);
                }
                return known.map_or_else(|| self.host.clone(), |(e, _)| e);
            }
        };
        if let Some((engine, v)) = &known
            && *v == version
        {
            self.cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .checked(guild, version);
            return engine.clone();
        }
        match self.load(guild, version).await {
            Ok(engine) => engine,
            Err(e) => {
                tracing::error!(error = %e, guild, "could not load the server's texts");
                known.map_or_else(|| self.host.clone(), |(e, _)| e)
            }
        }
    }

    /// Loads a server at `version` or later (once, however many requests wait for it).
    async fn load(self: &Arc<Self>, guild: u64, version: i64) -> Result<Arc<Engine>, Error> {
        let lock = {
            let mut all = self.loading.lock().unwrap_or_else(|e| e.into_inner());
            all.entry(guild).or_default().clone()
        };
        let _one = lock.lock().await;
        if let Some(l) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(guild)
            && l.version >= version
        {
            return Ok(l.engine.clone());
        }
        let Some(store) = &self.store else {
            return Ok(self.host.clone());
        };
        let started = Instant::now();
        let (version, texts) = store.library(guild).await?;
        if texts.is_empty() {
            self.install(guild, version, self.host.clone(), 0);
            return Ok(self.host.clone());
        }
        let (host, dir, vectors) = (self.host.clone(), self.server_dir(guild), self.vector_dir());
        let read_limits = self.read_limits;
        let built = tokio::task::spawn_blocking(move || {
            let docs = build::parse_stored(&texts, &read_limits);
            build::engine(&host, docs, dir.as_deref(), vectors.as_deref())
        })
        .await
        .map_err(|e| Error::Panicked(e.to_string()))??;
        let engine = Arc::new(built);
        tracing::info!(
            guild,
            version,
            documents = engine.corpus.documents.len(),
            passages = engine.corpus.len(),
            "loaded the server's texts in {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        self.install(guild, version, engine.clone(), cache::estimate(&engine));
        self.start_vectors(guild, version, &engine);
        Ok(engine)
    }

    fn install(&self, guild: u64, version: i64, engine: Arc<Engine>, bytes: usize) {
        let dropped = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(guild, Loaded::new(engine, version, bytes));
        for (g, freed) in dropped {
            tracing::debug!(
                guild = g,
                bytes = freed,
                "dropped a server's texts from memory (least recently used)"
            );
        }
    }

    fn server_dir(&self, guild: u64) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(guild.to_string()))
    }

    fn vector_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("vectors"))
    }

    /// Starts computing the passage vectors of a server's engine, when the host has a model and
    /// the engine has none yet; the engine with vectors takes its place when done (if the server
    /// has not changed meanwhile).
    fn start_vectors(self: &Arc<Self>, guild: u64, version: i64, engine: &Arc<Engine>) {
        let Some(embedder) = self.host.semantic.as_ref().map(|s| s.embedder.clone()) else {
            return;
        };
        if engine.semantic.is_some() {
            return;
        }
        let (tx, rx) = watch::channel(VectorProgress::default());
        {
            let mut all = self.vectors.lock().unwrap_or_else(|e| e.into_inner());
            if all
                .get(&guild)
                .is_some_and(|(v, r)| *v >= version && r.borrow().finished.is_none())
            {
                return;
            }
            all.insert(guild, (version, rx));
        }
        let (me, engine) = (self.clone(), engine.clone());
        let dir = self.vector_dir();
        tokio::spawn(async move {
            let started = Instant::now();
            let sender = tx.clone();
            let work = engine.clone();
            let computed = tokio::task::spawn_blocking(move || {
                let progress = |done: usize, total: usize| {
                    sender.send_modify(|p| {
                        p.done = done;
                        p.total = total;
                    });
                };
                let semantic = match &dir {
                    Some(dir) => crate::search::semantic::Semantic::open_or_build_by_document(
                        embedder,
                        &work.corpus,
                        dir,
                        true,
                        &progress,
                    )?,
                    None => Some(crate::search::semantic::Semantic::open_or_build(
                        embedder,
                        &work.corpus,
                        None,
                    )?),
                };
                Ok::<_, Error>(semantic.map(|s| work.with_semantic(s)))
            })
            .await;
            let ok = match computed {
                Ok(Ok(Some(with))) => {
                    let with = Arc::new(with);
                    let bytes = cache::estimate(&with);
                    let installed = me
                        .cache
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .replace(guild, version, with, bytes);
                    tracing::info!(
                        guild,
                        installed,
                        "passage vectors ready in {:.1} s",
                        started.elapsed().as_secs_f64()
                    );
                    true
                }
                Ok(Ok(None)) => false,
                Ok(Err(e)) => {
                    tracing::error!(error = %e, guild, "computing passage vectors failed; answers stay lexical");
                    false
                }
                Err(e) => {
                    tracing::error!(error = %e, guild, "computing passage vectors panicked; answers stay lexical");
                    false
                }
            };
            tx.send_modify(|p| p.finished = Some(ok));
        });
    }

    /// Waits for the passage vectors of a server being computed, calling `progress` as they
    /// come; `None` when none are being computed (no model, or they were ready already).
    pub async fn vectors(
        &self,
        guild: u64,
        progress: impl Fn(VectorProgress),
    ) -> Option<VectorProgress> {
        let mut rx = self
            .vectors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&guild)
            .map(|(_, rx)| rx.clone())?;
        loop {
            let now = *rx.borrow_and_update();
            if now.finished.is_some() {
                return Some(now);
            }
            progress(now);
            if rx.changed().await.is_err() {
                return Some(*rx.borrow());
            }
        }
    }

    /// Adds a text to a server: read from its bytes (within the time allowed), indexed with the
    /// server's other texts, then stored within the server's quota. When this returns `Ok`,
    /// questions in the server are answered from it; `progress` hears each step.
    pub async fn add(
        self: &Arc<Self>,
        upload: Upload,
        progress: impl Fn(Step),
    ) -> Result<Added, Failure> {
        let started = Instant::now();
        let store = self.store.as_ref().ok_or(Refusal::NoStore)?;
        let size = upload.bytes.len() as u64;
        if size > self.limits.max_text_bytes {
            return Err(Refusal::TooLarge {
                size,
                max: self.limits.max_text_bytes,
            }
            .into());
        }
        let quota = Quota {
            max_texts: i64::from(self.limits.max_texts_per_server),
            max_bytes: i64::try_from(self.limits.max_bytes_per_server).unwrap_or(i64::MAX),
        };
        // The quota is checked again when the text is stored; this spares reading a text that
        // could not be kept.
        let (version, stored) = store.library(upload.guild).await?;
        let used: i64 = stored.iter().map(|t| t.info.size).sum();
        if let Some(r) = over_quota(&quota, stored.len() as i64, used, size as i64) {
            return Err(r.into());
        }
        let timeout = Duration::try_from_secs_f64(self.limits.read_timeout_seconds)
            .unwrap_or(Duration::from_secs(60));
        let (host, dir, vectors) = (
            self.host.clone(),
            self.server_dir(upload.guild),
            self.vector_dir(),
        );
        let (name, bytes) = (upload.file_name.clone(), upload.bytes.clone());
        let hints = Hints {
            title: upload.title.clone(),
            id: None,
            // A name cabildo does not know (`klingon`) leaves the language to detection.
            language: upload.language.as_deref().and_then(Language::parse),
        };
        let read_limits = self.read_limits;
        let read = tokio::task::spawn_blocking(move || {
            crate::corpus::parse_upload(&name, &bytes, &hints, &read_limits)
        });
        let read = match tokio::time::timeout(timeout, read).await {
            Err(_) => {
                return Err(Refusal::TooSlow {
                    seconds: self.limits.read_timeout_seconds,
                }
                .into());
            }
            Ok(joined) => joined
                .map_err(|e| Error::Panicked(e.to_string()))?
                .map_err(Refusal::Unreadable)?,
        };
        let mut document = read.document;
        document.id = crate::corpus::slug(&document.id);
        let id = document.id.clone();
        if host.corpus.doc_index(&id).is_some() {
            return Err(Refusal::HostHas { id }.into());
        }
        if stored.iter().any(|t| t.info.doc_id == id) {
            return Err(Refusal::Taken { id }.into());
        }
        let (title, sections, passages) = (
            document.title.clone(),
            document.sections.len(),
            document.passage_count(),
        );
        progress(Step::Read {
            title: title.clone(),
            id: id.clone(),
            format: read.format,
            language: document.language,
            sections,
            passages,
            note: read.note.clone(),
        });
        // The server's texts as they are, with the new one: indexed before anything is stored,
        // so that a text that cannot be indexed in time leaves no trace.
        let new_doc = document.clone();
        // The server's documents as this process has them loaded, when they are of this version
        // (no need to read them again); else read from their bytes.
        let loaded = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(upload.guild)
            .filter(|l| l.version == version && !Arc::ptr_eq(&l.engine, &self.host))
            .map(|l| l.engine.clone());
        let building = tokio::task::spawn_blocking(move || {
            let mut docs = match loaded {
                Some(engine) => engine.corpus.documents[host.corpus.documents.len()..].to_vec(),
                None => build::parse_stored(&stored, &read_limits),
            };
            docs.push(new_doc);
            build::engine(&host, docs, dir.as_deref(), vectors.as_deref())
        });
        let engine =
            match tokio::time::timeout(timeout.saturating_sub(started.elapsed()), building).await {
                Err(_) => {
                    return Err(Refusal::TooSlow {
                        seconds: self.limits.read_timeout_seconds,
                    }
                    .into());
                }
                Ok(joined) => Arc::new(joined.map_err(|e| Error::Panicked(e.to_string()))??),
            };
        let hash = hex::encode(sha2::Sha256::digest(&upload.bytes));
        let added = store
            .add_text(
                NewText {
                    guild: upload.guild,
                    doc_id: id.clone(),
                    title,
                    language: upload.language.clone(),
                    file_name: upload.file_name.clone(),
                    format: read.format.name().to_string(),
                    hash,
                    sections: sections as i64,
                    passages: passages as i64,
                    content: upload.bytes,
                    added_by: upload.added_by,
                },
                quota,
            )
            .await?;
        let text = match added {
            AddedText::Added { text, version: now } => {
                if now == version + 1 {
                    // Nobody changed the server's texts meanwhile: this engine is its library.
                    self.install(upload.guild, now, engine.clone(), cache::estimate(&engine));
                    self.start_vectors(upload.guild, now, &engine);
                } else {
                    // Another change came between: the server's texts as the database has them.
                    self.load(upload.guild, now).await?;
                }
                text
            }
            AddedText::Taken => return Err(Refusal::Taken { id }.into()),
            AddedText::TooMany { count, max } => return Err(Refusal::TooMany { count, max }.into()),
            AddedText::TooLarge { used, size, max } => {
                return Err(Refusal::OverQuota { used, size, max }.into());
            }
        };
        progress(Step::Ready);
        tracing::info!(
            guild = upload.guild,
            id = %text.doc_id,
            bytes = text.size,
            "text added; answered from after {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        Ok(Added {
            text,
            ready_after: started.elapsed(),
        })
    }

    /// Removes a server's text, by id or a unique part of it. Its reading plan, if it was on
    /// that text, is paused with `plan_reason(title)`. Bookmarks keep the text they saved.
    pub async fn remove(
        self: &Arc<Self>,
        guild: u64,
        name: &str,
        plan_reason: impl Fn(&str) -> String,
    ) -> Result<Removed, Failure> {
        let store = self.store.as_ref().ok_or(Refusal::NoStore)?;
        let texts = store.texts(guild).await?;
        let wanted = name.trim().to_lowercase();
        let found = texts.iter().find(|t| t.doc_id == wanted).or_else(|| {
            let near: Vec<&TextInfo> = texts
                .iter()
                .filter(|t| t.doc_id.contains(&wanted) || t.title.to_lowercase() == wanted)
                .collect();
            match near[..] {
                [one] => Some(one),
                _ => None,
            }
        });
        let Some(found) = found.filter(|_| !wanted.is_empty()) else {
            return Err(Refusal::NotFound {
                name: name.trim().to_string(),
                available: texts.iter().map(|t| t.doc_id.clone()).collect(),
            }
            .into());
        };
        let Some((text, version)) = store.remove_text(guild, &found.doc_id).await? else {
            return Err(Refusal::NotFound {
                name: name.trim().to_string(),
                available: texts
                    .iter()
                    .filter(|t| t.doc_id != found.doc_id)
                    .map(|t| t.doc_id.clone())
                    .collect(),
            }
            .into());
        };
        let mut plan_paused = false;
        if let Some(plan) = store.open_plan(guild).await?
            && plan.document == text.doc_id
            && plan.status == PlanStatus::Active
        {
            store
                .set_plan_status(
                    guild,
                    PlanStatus::Paused,
                    Some(plan_reason(&text.title)),
                    None,
                )
                .await?;
            plan_paused = true;
        }
        // Answered without it at once here; other processes within [`FRESH`].
        self.load(guild, version).await?;
        tracing::info!(guild, id = %text.doc_id, "text removed");
        Ok(Removed { text, plan_paused })
    }

    /// A server's texts and the host's.
    pub async fn list(&self, guild: u64) -> Result<Listing, Failure> {
        let store = self.store.as_ref().ok_or(Refusal::NoStore)?;
        let texts = store.texts(guild).await?;
        Ok(Listing {
            texts,
            host: self
                .host
                .corpus
                .documents
                .iter()
                .map(|d| (d.id.clone(), d.title.clone(), d.passage_count()))
                .collect(),
            max_texts: self.limits.max_texts_per_server,
            max_bytes: self.limits.max_bytes_per_server,
        })
    }

    /// The ids and titles of a server's own texts (for autocomplete), `partial` in them.
    pub async fn own_texts(&self, guild: u64, partial: &str) -> Vec<(String, String)> {
        let Some(store) = &self.store else {
            return Vec::new();
        };
        let needle = partial.trim().to_lowercase();
        match store.texts(guild).await {
            Ok(texts) => texts
                .into_iter()
                .filter(|t| {
                    needle.is_empty()
                        || t.doc_id.contains(&needle)
                        || t.title.to_lowercase().contains(&needle)
                })
                .map(|t| (t.doc_id, t.title))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, guild, "could not list the server's texts");
                Vec::new()
            }
        }
    }
}

/// Why a server with `count` texts of `used` bytes may not add `size` more.
fn over_quota(quota: &Quota, count: i64, used: i64, size: i64) -> Option<Refusal> {
    if count >= quota.max_texts {
        return Some(Refusal::TooMany {
            count,
            max: quota.max_texts,
        });
    }
    if used.saturating_add(size) > quota.max_bytes {
        return Some(Refusal::OverQuota {
            used,
            size,
            max: quota.max_bytes,
        });
    }
    None
}

//! The database: per-server settings, member preferences, reading plans, bookmarks, and each
//! server's own texts. SQLite (a `cabildo.db` file in the data directory) by default; Postgres
//! when `DATABASE_URL` (or `database_url` in the config file) is a `postgres://` URL, so that
//! several replicas share one state. Every query of the program lives below this module
//! ([`sqlite`], [`postgres`]), written with sqlx's compile-time checked macros; the front ends see
//! only the plain types here.
//!
//! The store runs every query on a small runtime of its own, so that connections always live on
//! the same runtime whoever calls: [`Store`]'s async methods are awaited from any runtime (the
//! bot's handlers await them), and [`Store::block`] waits for one from plain threads (the command
//! line, tests that are not async).

#[cfg(not(feature = "prepare-sqlite"))]
mod postgres;
#[cfg(not(feature = "prepare-postgres"))]
mod sqlite;

use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The SQLite file's name in the data directory.
pub const DB_FILE: &str = "cabildo.db";

/// Errors of the store. Never shown to members as they are (they get the apology); the message
/// names what failed for the log and the CLI, with any password in a URL redacted.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("the database URL {url} is not one cabildo can use: {message}")]
    BadUrl { url: String, message: String },
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("{0}")]
    Unsupported(String),
    #[error("the database task stopped: {0}")]
    Stopped(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "Postgres",
        })
    }
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Calls the same-named function of the backend's query module. The `prepare-*` features (used
/// only by `.ci/sqlx-prepare`) leave one backend's queries out, so that each pass of the
/// prepare script compiles against one live database.
macro_rules! dispatch {
    ($backend:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $backend {
            #[cfg(not(feature = "prepare-postgres"))]
            Backend::Sqlite(p) => sqlite::$f(&p, $($arg),*).await,
            #[cfg(not(feature = "prepare-sqlite"))]
            Backend::Postgres(p) => postgres::$f(&p, $($arg),*).await,
            #[allow(unreachable_patterns)]
            _ => Err(StoreError::Unsupported(
                "this build leaves that database out (a `prepare-*` feature is on)".into(),
            )),
        }
    };
}

/// The store's own runtime; shut down without waiting when the last handle goes.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    url: String,
    runtime: Arc<Runtime>,
    handle: tokio::runtime::Handle,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
    }
}

/// The database URL to use: the configured one, else the SQLite file in the data directory.
pub fn url_for(database_url: Option<&str>, data_dir: &Path) -> String {
    match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => u.to_string(),
        None => format!("sqlite://{}", data_dir.join(DB_FILE).display()),
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(pair) => pair,
        None => return url.to_string(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl Store {
    /// Opens (creating a SQLite file and its directory when needed) and migrates.
    pub fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url)?;
        // SQLite has no migration lock: one at a time in this process, and another try when a
        // second process migrated the same file at the same moment.
        static MIGRATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = MIGRATING.lock().unwrap_or_else(|e| e.into_inner());
        let mut tries = 0;
        loop {
            match store.block(store.migrate()) {
                Err(e) if store.kind() == Kind::Sqlite && tries < 3 => {
                    tries += 1;
                    tracing::debug!(error = %e, "migrating again");
                    std::thread::sleep(Duration::from_millis(200));
                }
                other => return other.map(|()| store),
            }
        }
    }

    /// Opens without migrating (for `cabildo db status`).
    pub fn connect(url: &str) -> Result<Store> {
        let shown = redact(url);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cabildo-store")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Stopped(format!("starting the store's runtime: {e}")))?;
        let handle = runtime.handle().clone();
        // The pools start their maintenance tasks on the runtime they are made in: the store's.
        let entered = runtime.enter();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
                url: shown.clone(),
                message: e.to_string(),
            })?;
            // Interactions must be answered within 3 s: a server that cannot be reached fails
            // fast, and the bot answers with its defaults (or an apology) instead of timing out.
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(2))
                .connect_lazy_with(options);
            Backend::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl {
                    url: shown.clone(),
                    message: e.to_string(),
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if let Some(dir) = options.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                    url: shown.clone(),
                    source: sqlx::Error::Io(e),
                })?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(options);
            Backend::Sqlite(pool)
        } else {
            return Err(StoreError::BadUrl {
                url: shown,
                message: "expected sqlite://FILE or postgres://USER@HOST/DATABASE".into(),
            });
        };
        drop(entered);
        let store = Store {
            backend,
            url: shown.clone(),
            runtime: Arc::new(Runtime(Some(runtime))),
            handle,
        };
        // Connect now, so that a wrong URL or a server that is down is reported at start.
        store
            .block(store.run(|b| async move {
                match b {
                    Backend::Sqlite(p) => p.acquire().await.map(drop),
                    Backend::Postgres(p) => p.acquire().await.map(drop),
                }
                .map_err(StoreError::from)
            }))
            .map_err(|e| match e {
                StoreError::Query(source) => StoreError::Open { url: shown, source },
                e => e,
            })?;
        Ok(store)
    }

    /// SQLite or Postgres.
    pub fn kind(&self) -> Kind {
        match self.backend {
            Backend::Sqlite(_) => Kind::Sqlite,
            Backend::Postgres(_) => Kind::Postgres,
        }
    }

    /// The URL, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `f` on the store's runtime (where the connections live) and waits for it from any
    /// runtime.
    async fn run<T, F>(&self, f: impl FnOnce(Backend) -> F) -> Result<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T>> + Send + 'static,
    {
        let _keep = self.runtime.clone();
        self.handle
            .spawn(f(self.backend.clone()))
            .await
            .map_err(|e| StoreError::Stopped(e.to_string()))?
    }

    /// Waits for one of the store's futures on this thread (for synchronous callers: the
    /// command line, tests; never a request path). The work itself runs on the store's runtime,
    /// so this may be called from a plain thread, a blocking task, or briefly from an async
    /// worker.
    pub fn block<T>(&self, future: impl Future<Output = T>) -> T {
        block_on(future)
    }

    /// Applies the migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        self.run(|b| async move {
            match b {
                Backend::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(&p).await?,
                Backend::Postgres(p) => sqlx::migrate!("migrations/postgres").run(&p).await?,
            }
            Ok(())
        })
        .await
    }

    /// Every migration this build knows, and whether (and when) it was applied.
    pub async fn status(&self) -> Result<Vec<MigrationStatus>> {
        self.run(|b| async move {
            let known = match &b {
                Backend::Sqlite(_) => sqlx::migrate!("migrations/sqlite"),
                Backend::Postgres(_) => sqlx::migrate!("migrations/postgres"),
            };
            let applied = applied(&b).await?;
            Ok(known
                .iter()
                .map(|m| MigrationStatus {
                    version: m.version,
                    description: m.description.to_string(),
                    applied: applied.contains(&m.version),
                })
                .collect())
        })
        .await
    }

    /// Copies a SQLite database to `file`, consistently while it is in use (`VACUUM INTO`). The
    /// file must not exist yet. Postgres has its own tools (`pg_dump`).
    pub async fn backup(&self, file: &Path) -> Result<()> {
        if self.kind() == Kind::Postgres {
            return Err(StoreError::Unsupported(
                "backups of a Postgres database are made with pg_dump, not cabildo".into(),
            ));
        }
        if file.exists() {
            return Err(StoreError::Unsupported(format!(
                "{} exists already: name a new file",
                file.display()
            )));
        }
        let path = file.to_string_lossy().into_owned();
        self.run(|b| async move {
            match b {
                Backend::Sqlite(p) => sqlx::query("VACUUM INTO ?")
                    .bind(path)
                    .execute(&p)
                    .await
                    .map(drop)
                    .map_err(StoreError::from),
                Backend::Postgres(_) => Err(StoreError::Unsupported("no backup".into())),
            }
        })
        .await
    }

    // --- settings -------------------------------------------------------------------------

    /// A server's settings (all `None` when never set).
    pub async fn guild_settings(&self, guild: u64) -> Result<GuildSettings> {
        let g = id(guild);
        self.run(move |b| async move { dispatch!(b, guild_settings(g)) })
            .await
    }

    /// Replaces a server's settings.
    pub async fn set_guild_settings(&self, guild: u64, s: GuildSettings) -> Result<()> {
        let (g, now) = (id(guild), now());
        self.run(move |b| async move { dispatch!(b, set_guild_settings(g, s, now)) })
            .await
    }

    /// A member's preferences in a server (all `None` when never set).
    pub async fn member_settings(&self, guild: u64, user: u64) -> Result<MemberSettings> {
        let (g, u) = (id(guild), id(user));
        self.run(move |b| async move { dispatch!(b, member_settings(g, u)) })
            .await
    }

    /// Replaces a member's preferences in a server.
    pub async fn set_member_settings(
        &self,
        guild: u64,
        user: u64,
        s: MemberSettings,
    ) -> Result<()> {
        let (g, u, now) = (id(guild), id(user), now());
        self.run(move |b| async move { dispatch!(b, set_member_settings(g, u, s, now)) })
            .await
    }

    // --- reading plans -------------------------------------------------------------------

    /// Starts a plan; `Ok(None)` when the server has one open (active or paused) already.
    pub async fn create_plan(&self, plan: NewPlan) -> Result<Option<Plan>> {
        let now = now();
        self.run(move |b| async move { dispatch!(b, create_plan(plan, now)) })
            .await
    }

    /// The server's open plan (active or paused), if any.
    pub async fn open_plan(&self, guild: u64) -> Result<Option<Plan>> {
        let g = id(guild);
        self.run(move |b| async move { dispatch!(b, open_plan(g)) })
            .await
    }

    /// A plan by id, whatever its status.
    pub async fn plan(&self, plan: i64) -> Result<Option<Plan>> {
        self.run(move |b| async move { dispatch!(b, plan(plan)) })
            .await
    }

    /// Pauses (with why), resumes (due at `next_due_at`) or ends the server's open plan. Returns
    /// the plan as it is now, `None` when the server has no open plan.
    pub async fn set_plan_status(
        &self,
        guild: u64,
        status: PlanStatus,
        reason: Option<String>,
        next_due_at: Option<i64>,
    ) -> Result<Option<Plan>> {
        let g = id(guild);
        self.run(move |b| async move {
            dispatch!(b, set_plan_status(g, status.as_str(), reason, next_due_at))
        })
        .await
    }

    /// Moves the server's open plan to another passage (`/plan skip`).
    pub async fn move_plan(&self, guild: u64, section: u32, passage: u32) -> Result<Option<Plan>> {
        let g = id(guild);
        self.run(move |b| async move {
            dispatch!(b, move_plan(g, i64::from(section), i64::from(passage)))
        })
        .await
    }

    /// Claims one active plan due at `now` for `owner`, until `now + lease` seconds: atomically,
    /// so that of several schedulers (replicas, or a restart) exactly one gets it. A claim whose
    /// lease ran out (its holder died) can be claimed again.
    pub async fn claim_due(&self, now: i64, owner: &str, lease: i64) -> Result<Option<Plan>> {
        let owner = owner.to_string();
        self.run(move |b| async move { dispatch!(b, claim_due(now, owner, now + lease)) })
            .await
    }

    /// After a post: moves the plan on (or ends it) and releases the claim, only if `owner`
    /// still holds it. `false` when it did not (the lease ran out and another took it).
    pub async fn finish_post(&self, owner: &str, done: Posted) -> Result<bool> {
        let owner = owner.to_string();
        self.run(move |b| async move { dispatch!(b, finish_post(owner, done)) })
            .await
    }

    /// After a post failed for good (the channel is gone or forbidden): pauses the plan with why,
    /// releasing the claim. Never deletes it.
    pub async fn pause_claimed(&self, plan: i64, owner: &str, reason: &str) -> Result<bool> {
        let (owner, reason) = (owner.to_string(), reason.to_string());
        self.run(move |b| async move { dispatch!(b, pause_claimed(plan, owner, reason)) })
            .await
    }

    /// After a post failed for now (Discord down): releases the claim so a later tick retries.
    pub async fn release(&self, plan: i64, owner: &str, retry_at: i64) -> Result<bool> {
        let owner = owner.to_string();
        self.run(move |b| async move { dispatch!(b, release(plan, owner, retry_at)) })
            .await
    }

    /// Records that the admins were told a plan is paused; `true` for the one caller that
    /// records it first (so they are told once).
    pub async fn mark_admins_told(&self, plan: i64) -> Result<bool> {
        self.run(move |b| async move { dispatch!(b, mark_admins_told(plan)) })
            .await
    }

    // --- questions behind "more results" buttons --------------------------------------------

    /// Remembers a question by its hash, for any replica to page its answer; now and then
    /// forgets the ones older than `keep` seconds.
    pub async fn remember_question(&self, hash: u64, text: &str, keep: i64) -> Result<()> {
        let (h, text, now) = (hash as i64, text.to_string(), now());
        self.run(move |b| async move {
            if hash.is_multiple_of(256) {
                dispatch!(b.clone(), forget_questions(now - keep))?;
            }
            dispatch!(b, remember_question(h, text, now))
        })
        .await
    }

    /// A question remembered within the last `keep` seconds.
    pub async fn question(&self, hash: u64, keep: i64) -> Result<Option<String>> {
        let (h, since) = (hash as i64, now() - keep);
        self.run(move |b| async move { dispatch!(b, question(h, since)) })
            .await
    }

    // --- bookmarks -----------------------------------------------------------------------

    /// Adds (or, for a passage already bookmarked, updates the note of) a bookmark.
    pub async fn add_bookmark(&self, bookmark: NewBookmark) -> Result<Bookmark> {
        let now = now();
        self.run(move |b| async move { dispatch!(b, add_bookmark(bookmark, now)) })
            .await
    }

    /// A member's bookmarks, oldest first: `limit` after the first `offset`.
    pub async fn bookmarks(&self, user: u64, offset: i64, limit: i64) -> Result<Vec<Bookmark>> {
        let u = id(user);
        self.run(move |b| async move { dispatch!(b, bookmarks(u, offset, limit)) })
            .await
    }

    /// How many bookmarks a member has.
    pub async fn count_bookmarks(&self, user: u64) -> Result<i64> {
        let u = id(user);
        self.run(move |b| async move { dispatch!(b, count_bookmarks(u)) })
            .await
    }

    /// Deletes one of a member's bookmarks; `false` when it was not theirs or is gone.
    pub async fn delete_bookmark(&self, user: u64, bookmark: i64) -> Result<bool> {
        let u = id(user);
        self.run(move |b| async move { dispatch!(b, delete_bookmark(u, bookmark)) })
            .await
    }

    // --- each server's texts (issue 28) -------------------------------------------------------

    /// Adds a server's text, within `quota`, unless the server has a text with its id already;
    /// the server's version goes up in the same transaction.
    pub async fn add_text(&self, text: NewText, quota: Quota) -> Result<AddedText> {
        let now = now();
        self.run(move |b| async move { dispatch!(b, add_text(text, quota, now)) })
            .await
    }

    /// Removes a server's text by its id: what it was and the server's new version, `None` when
    /// the server has no such text.
    pub async fn remove_text(&self, guild: u64, doc_id: &str) -> Result<Option<(TextInfo, i64)>> {
        let (g, d, now) = (id(guild), doc_id.to_string(), now());
        self.run(move |b| async move { dispatch!(b, remove_text(g, d, now)) })
            .await
    }

    /// A server's texts, oldest first, without their bytes.
    pub async fn texts(&self, guild: u64) -> Result<Vec<TextInfo>> {
        let g = id(guild);
        self.run(move |b| async move { dispatch!(b, texts(g)) })
            .await
    }

    /// A server's version and its texts with their bytes, as one consistent read.
    pub async fn library(&self, guild: u64) -> Result<(i64, Vec<StoredText>)> {
        let g = id(guild);
        self.run(move |b| async move { dispatch!(b, library(g)) })
            .await
    }

    /// A server's version: 0 when it never had a text of its own, one more with every text added
    /// or removed.
    pub async fn library_version(&self, guild: u64) -> Result<i64> {
        let g = id(guild);
        self.run(move |b| async move { dispatch!(b, library_version(g)) })
            .await
    }
}

/// The versions of the migrations applied (sqlx's own bookkeeping, created when missing).
async fn applied(b: &Backend) -> Result<Vec<i64>> {
    use sqlx::migrate::Migrate;
    let list = match b {
        Backend::Sqlite(p) => {
            let mut c = p.acquire().await?;
            c.ensure_migrations_table().await?;
            c.list_applied_migrations().await?
        }
        Backend::Postgres(p) => {
            let mut c = p.acquire().await?;
            c.ensure_migrations_table().await?;
            c.list_applied_migrations().await?
        }
    };
    Ok(list.into_iter().map(|m| m.version).collect())
}

/// One migration and whether it has been applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

/// A server's settings; `None`: not set (the config file decides).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildSettings {
    /// The default document of `/ask` and `/read`.
    pub document: Option<String>,
    /// Answers private by default.
    pub private: Option<bool>,
    /// Results per answer, 1–10.
    pub top: Option<u32>,
    /// Rate limit: requests at once.
    pub rate_burst: Option<u32>,
    /// Rate limit: seconds until a used request comes back (0: no limit).
    pub rate_refill_seconds: Option<u32>,
}

/// A member's own preferences in one server; `None`: the server's setting applies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberSettings {
    pub document: Option<String>,
    pub private: Option<bool>,
    pub top: Option<u32>,
}

/// Whether a plan posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    Active,
    Paused,
    Ended,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Active => "active",
            PlanStatus::Paused => "paused",
            PlanStatus::Ended => "ended",
        }
    }
    fn parse(s: &str) -> PlanStatus {
        match s {
            "active" => PlanStatus::Active,
            "paused" => PlanStatus::Paused,
            _ => PlanStatus::Ended,
        }
    }
}

/// A plan to start.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlan {
    pub guild: u64,
    pub channel: u64,
    pub created_by: u64,
    pub document: String,
    /// The first passage to post.
    pub section: u32,
    pub passage: u32,
    pub passages_per_day: u32,
    /// Local time `HH:MM`.
    pub local_time: String,
    /// IANA time zone name.
    pub timezone: String,
    /// The first post, Unix seconds.
    pub next_due_at: i64,
}

/// A reading plan as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: i64,
    pub guild: u64,
    pub channel: u64,
    pub created_by: u64,
    pub document: String,
    /// The next passage to post.
    pub section: u32,
    pub passage: u32,
    pub passages_per_day: u32,
    pub local_time: String,
    pub timezone: String,
    pub status: PlanStatus,
    pub pause_reason: Option<String>,
    pub admins_told: bool,
    /// When the next post is due, Unix seconds.
    pub next_due_at: i64,
    /// The local day (`YYYY-MM-DD`) of the last post.
    pub last_posted_day: Option<String>,
    /// Posts made so far.
    pub posts: i64,
}

/// What a post did, to move its plan on.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub plan: i64,
    /// The next passage to post.
    pub section: u32,
    pub passage: u32,
    pub next_due_at: i64,
    /// The local day the post was for.
    pub day: String,
    /// The document is finished: the plan ends.
    pub ended: bool,
}

/// A bookmark to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBookmark {
    pub user: u64,
    pub document: String,
    /// The short reference within the document (`2.3`).
    pub reference: String,
    /// [`text_hash`] of the passage's text.
    pub text_hash: String,
    pub quoted: String,
    pub note: Option<String>,
}

/// A stored bookmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    pub id: i64,
    pub user: u64,
    pub document: String,
    pub reference: String,
    pub text_hash: String,
    pub quoted: String,
    pub note: Option<String>,
    pub created_at: i64,
}

/// The hash stored with a bookmark to notice that its passage's text changed (xxh3, hex).
pub fn text_hash(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// A Discord id as stored (the same 64 bits, signed).
fn id(v: u64) -> i64 {
    v as i64
}

/// A stored id back.
fn unid(v: i64) -> u64 {
    v as u64
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn small(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

/// The columns of `plans`, as both backends decode them.
#[derive(Debug)]
struct PlanRow {
    id: i64,
    guild_id: i64,
    channel_id: i64,
    created_by: i64,
    document: String,
    section: i64,
    passage: i64,
    passages_per_day: i64,
    local_time: String,
    timezone: String,
    status: String,
    pause_reason: Option<String>,
    admins_told: bool,
    next_due_at: i64,
    last_posted_day: Option<String>,
    posts: i64,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Plan {
        Plan {
            id: r.id,
            guild: unid(r.guild_id),
            channel: unid(r.channel_id),
            created_by: unid(r.created_by),
            document: r.document,
            section: u32::try_from(r.section).unwrap_or(0),
            passage: u32::try_from(r.passage).unwrap_or(0),
            passages_per_day: u32::try_from(r.passages_per_day).unwrap_or(1),
            local_time: r.local_time,
            timezone: r.timezone,
            status: PlanStatus::parse(&r.status),
            pause_reason: r.pause_reason,
            admins_told: r.admins_told,
            next_due_at: r.next_due_at,
            last_posted_day: r.last_posted_day,
            posts: r.posts,
        }
    }
}

/// The columns of `bookmarks`.
#[derive(Debug)]
struct BookmarkRow {
    id: i64,
    user_id: i64,
    document: String,
    reference: String,
    text_hash: String,
    quoted: String,
    note: Option<String>,
    created_at: i64,
}

impl From<BookmarkRow> for Bookmark {
    fn from(r: BookmarkRow) -> Bookmark {
        Bookmark {
            id: r.id,
            user: unid(r.user_id),
            document: r.document,
            reference: r.reference,
            text_hash: r.text_hash,
            quoted: r.quoted,
            note: r.note,
            created_at: r.created_at,
        }
    }
}

/// A server's text to store (issue 28).
#[derive(Debug, Clone, PartialEq)]
pub struct NewText {
    pub guild: u64,
    /// The document id references use in the server.
    pub doc_id: String,
    pub title: String,
    /// As given by the member; `None`: read from the text.
    pub language: Option<String>,
    pub file_name: String,
    /// The format the bytes were read as.
    pub format: String,
    /// SHA-256 of `content`, hex.
    pub hash: String,
    pub sections: i64,
    pub passages: i64,
    pub content: Vec<u8>,
    pub added_by: u64,
}

/// A stored text, without its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct TextInfo {
    pub id: i64,
    pub guild: u64,
    pub doc_id: String,
    pub title: String,
    pub language: Option<String>,
    pub file_name: String,
    pub format: String,
    pub hash: String,
    /// Bytes.
    pub size: i64,
    pub sections: i64,
    pub passages: i64,
    pub added_by: u64,
    /// Unix seconds.
    pub added_at: i64,
}

/// A stored text with its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredText {
    pub info: TextInfo,
    pub content: Vec<u8>,
}

/// How much one server may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub max_texts: i64,
    pub max_bytes: i64,
}

impl Quota {
    /// Why a server with `count` texts of `bytes` in all may not add one of `size` bytes.
    fn refuses(&self, count: i64, bytes: i64, size: i64) -> Option<AddedText> {
        if count >= self.max_texts {
            return Some(AddedText::TooMany {
                count,
                max: self.max_texts,
            });
        }
        if bytes.saturating_add(size) > self.max_bytes {
            return Some(AddedText::TooLarge {
                used: bytes,
                size,
                max: self.max_bytes,
            });
        }
        None
    }
}

/// What adding a text did.
#[derive(Debug, Clone, PartialEq)]
pub enum AddedText {
    /// Stored; the server's library is now at `version`.
    Added { text: TextInfo, version: i64 },
    /// The server has a text with that id already (it may have been added a moment ago).
    Taken,
    /// The server has `count` texts, the most it may keep.
    TooMany { count: i64, max: i64 },
    /// The server's texts take `used` bytes; `size` more would pass `max`.
    TooLarge { used: i64, size: i64, max: i64 },
}

/// The columns of `texts` but the bytes.
#[derive(Debug)]
struct TextRow {
    id: i64,
    guild_id: i64,
    doc_id: String,
    title: String,
    language: Option<String>,
    file_name: String,
    format: String,
    hash: String,
    size: i64,
    sections: i64,
    passages: i64,
    added_by: i64,
    added_at: i64,
}

impl From<TextRow> for TextInfo {
    fn from(r: TextRow) -> TextInfo {
        TextInfo {
            id: r.id,
            guild: unid(r.guild_id),
            doc_id: r.doc_id,
            title: r.title,
            language: r.language,
            file_name: r.file_name,
            format: r.format,
            hash: r.hash,
            size: r.size,
            sections: r.sections,
            passages: r.passages,
            added_by: unid(r.added_by),
            added_at: r.added_at,
        }
    }
}

/// Polls a future to completion on this thread, parking between polls. The store's futures only
/// wait for tasks on the store's runtime, so no runtime is needed here.
fn block_on<F: Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}

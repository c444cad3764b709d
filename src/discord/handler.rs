//! An [`Action`] in, a [`Reply`] out: the bot's behaviour as plain data. It calls the shared use
//! cases ([`crate::answer::ask`], [`crate::lookup`]) and knows nothing of the connection to
//! Discord, so the gateway and an HTTP interactions endpoint share it.
//!
//! Asynchronous from end to end: the database is awaited, and the CPU-bound work (searching,
//! embedding a question, reading and indexing a text) runs on blocking threads where it happens.
//! Every request is answered from its server's texts ([`crate::library`]): the host's and the
//! server's own. A reply may come with later edits ([`Edits`]) when the work goes on after the
//! first answer (a text being added).

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use lru::LruCache;

use crate::answer::{AskOptions, ask};
use crate::discord::commands::{Action, Origin};
use crate::discord::throttle::Throttle;
use crate::engine::Engine;
use crate::error::{Error, catch_panic_async};
use crate::i18n::{Lang, Msg};
use crate::library::Library;
use crate::lookup;
use crate::reference::{Reference, find_document};
use crate::reply::ids::{Gone, question_hash};
use crate::reply::{
    AnswerReply, Body, ButtonId, DocKeys, Help, Nav, PassageKey, QuestionKey, QuoteReply, Reply,
};

/// How many long questions are remembered for their "more results" buttons (least recently
/// used first out), and for how long.
const REMEMBERED_QUESTIONS: NonZeroUsize = NonZeroUsize::new(10_000).unwrap();
const REMEMBER_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// Shown for "Find in the text" on a message without text.
const NO_TEXT: Msg = Msg::new("find-no-text");

/// Deepest page a "more results" button may ask for.
const MAX_OFFSET: usize = 200;

/// Shown when a button's custom id is not one this bot made, or points at text that is gone.
pub const STALE: Msg = Msg::new("button-stale");

/// Shown when a button quotes a passage of a text that has changed since the button was made.
pub const OUT_OF_DATE: Msg = Msg::new("button-out-of-date");

/// Shown when a button quotes a text that is no longer among the server's texts.
pub const TEXT_GONE: Msg = Msg::new("button-text-gone");

/// Later versions of a reply (a text being added reports each step by editing its reply).
pub type Edits = tokio::sync::mpsc::UnboundedReceiver<Reply>;

/// A reply, and the edits that follow it.
pub struct Response {
    pub reply: Reply,
    pub edits: Option<Edits>,
}

impl Response {
    /// The reply and every edit, their own words in `lang`.
    pub fn in_lang(self, lang: Lang) -> Response {
        let edits = self.edits.map(|mut edits| {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            tokio::spawn(async move {
                while let Some(r) = edits.recv().await {
                    if tx.send(r.in_lang(lang)).is_err() {
                        break;
                    }
                }
            });
            rx
        });
        Response {
            reply: self.reply.in_lang(lang),
            edits,
        }
    }
}

impl From<Reply> for Response {
    fn from(reply: Reply) -> Self {
        Response { reply, edits: None }
    }
}

/// What a request is answered from: its server's engine and that engine's button keys.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub engine: Arc<Engine>,
    pub keys: Arc<DocKeys>,
}

/// The bot's state shared by every request: the texts, remembered questions, the rate limit.
#[derive(Debug)]
pub struct Bot {
    /// The host's texts and every server's own.
    pub library: Arc<Library>,
    /// Button keys of recently used engines (an engine's keys hash all of its texts once).
    keys: Mutex<Vec<(Weak<Engine>, Arc<DocKeys>)>>,
    questions: Mutex<LruCache<u64, (String, Instant)>>,
    throttle: Throttle,
    /// Server settings, member preferences, reading plans, bookmarks (issue 14). `None`: the
    /// commands that need it say it is not set up.
    pub(crate) store: Option<crate::store::Store>,
    /// The config file's values, under server settings and member preferences.
    pub(crate) defaults: crate::prefs::Defaults,
    /// Rate limits that servers set for themselves, one bucket set per (burst, refill).
    server_throttles: Mutex<std::collections::HashMap<(u32, u32), Arc<Throttle>>>,
    /// Server settings read in the last [`SETTINGS_FRESH`], so that a busy server's requests do
    /// not each read them (another replica's change shows within that time; this one's at once).
    server_settings: Mutex<LruCache<u64, (crate::store::GuildSettings, Instant)>>,
    /// The HTTP client attachments (`/texts add`) are downloaded with.
    pub(crate) attachments: reqwest::Client,
}

/// How long server settings read from the database are used before being read again.
pub const SETTINGS_FRESH: Duration = Duration::from_secs(2);

/// Servers whose settings are kept at once.
const CACHED_SERVERS: NonZeroUsize = NonZeroUsize::new(4096).unwrap();

/// Engines whose button keys are kept.
const CACHED_KEYS: usize = 64;

impl Bot {
    /// A bot whose members may each send `burst` requests at once, one more every `refill`
    /// (a zero `refill` turns the rate limit off), answering every server from `engine`.
    pub fn new(engine: Arc<Engine>, burst: u32, refill: Duration) -> Self {
        Bot {
            defaults: crate::prefs::Defaults {
                top: u32::try_from(engine.search.top).unwrap_or(3),
                rate_burst: burst,
                rate_refill_seconds: u32::try_from(refill.as_secs()).unwrap_or(u32::MAX),
            },
            library: Arc::new(Library::fixed(engine)),
            keys: Mutex::default(),
            questions: Mutex::new(LruCache::new(REMEMBERED_QUESTIONS)),
            throttle: Throttle::new(burst, refill),
            store: None,
            server_throttles: Mutex::default(),
            server_settings: Mutex::new(LruCache::new(CACHED_SERVERS)),
            attachments: crate::library::fetch::client(),
        }
    }

    /// The bot for these settings (its rate limit), answering from `engine`.
    pub fn from_settings(engine: Arc<Engine>, settings: &crate::config::DiscordSettings) -> Self {
        Bot::new(
            engine,
            settings.rate_burst,
            Duration::from_secs(settings.rate_refill_seconds),
        )
    }

    /// The same bot with a database: server settings, preferences, plans, bookmarks and each
    /// server's own texts (indexed in memory, with the default limits) work.
    pub fn with_store(self, store: crate::store::Store) -> Self {
        let host = self.library.host().clone();
        self.with_library(Arc::new(Library::with(
            host,
            Some(store),
            crate::config::LibrarySettings::default(),
            None,
        )))
    }

    /// The same bot answering from `library` (and using its database).
    pub fn with_library(mut self, library: Arc<Library>) -> Self {
        self.store = library.store().cloned();
        self.library = library;
        self
    }

    /// The same bot downloading attachments with `client` (tests trust a local certificate).
    pub fn with_attachment_client(mut self, client: reqwest::Client) -> Self {
        self.attachments = client;
        self
    }

    /// What a request in `guild` is answered from.
    pub(crate) async fn ctx(&self, guild: Option<u64>) -> Ctx {
        let engine = self.library.engine(guild).await;
        let keys = self.keys_of(&engine);
        Ctx { engine, keys }
    }

    fn keys_of(&self, engine: &Arc<Engine>) -> Arc<DocKeys> {
        let mut all = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, k)) = all
            .iter()
            .find(|(w, _)| w.upgrade().is_some_and(|e| Arc::ptr_eq(&e, engine)))
        {
            return k.clone();
        }
        let keys = Arc::new(DocKeys::new(&engine.corpus));
        all.retain(|(w, _)| w.strong_count() > 0);
        if all.len() >= CACHED_KEYS {
            all.remove(0);
        }
        all.push((Arc::downgrade(engine), keys.clone()));
        keys
    }

    /// [`Bot::respond`] for an interaction from `origin` (its server, channel and member).
    pub async fn respond_in(&self, origin: Origin, action: Action) -> Reply {
        self.respond_with_edits(origin, action).await.reply
    }

    /// Answers one action of `member`, within their rate limit. A reply that only reports the
    /// member's own mistake (a bad reference, an unknown document, an old button) costs nothing,
    /// so a typo can be corrected at once; autocomplete (every keystroke) is not limited.
    pub async fn respond(&self, member: u64, action: Action) -> Reply {
        self.respond_in(
            Origin {
                user: member,
                ..Origin::default()
            },
            action,
        )
        .await
    }

    /// [`Bot::respond_in`], with the edits that follow the reply (a text being added). A bug that
    /// panics while answering is caught here, logged, and answered with the one-line apology, so
    /// no front end loses the request.
    ///
    /// The reply (and its edits) speak the server's language when it set one, else the member's
    /// own (`origin.lang`, from Discord's locale).
    pub async fn respond_with_edits(&self, origin: Origin, action: Action) -> Response {
        let (member, lang) = (origin.lang, self.lang_for(origin).await);
        let origin = Origin { lang, ..origin };
        let settings = matches!(action, Action::Settings(_));
        let response = catch_panic_async(self.respond_from(origin, action))
            .await
            .unwrap_or_else(|message| {
                tracing::error!(panic = %message, "answering an interaction panicked");
                Reply::private(Body::Apology).into()
            });
        // A server that has just chosen its language is answered in it.
        let lang = if settings {
            self.lang_for(Origin {
                lang: member,
                ..origin
            })
            .await
        } else {
            lang
        };
        response.in_lang(lang)
    }

    /// The language of a reply to `origin`: the server's setting (`/settings set language:`),
    /// else the member's Discord language. A database failure is logged and the member's used.
    pub async fn lang_for(&self, origin: Origin) -> Lang {
        let (Some(store), Some(guild)) = (&self.store, origin.guild) else {
            return origin.lang;
        };
        match self.server_settings(store, guild).await {
            Ok(s) => s
                .language
                .and_then(|l| Lang::from_tag(&l))
                .unwrap_or(origin.lang),
            Err(e) => {
                tracing::warn!(error = %e, "reading a server's language");
                origin.lang
            }
        }
    }

    async fn respond_from(&self, origin: Origin, action: Action) -> Response {
        if matches!(action, Action::Complete { .. } | Action::Stale) {
            return self.dispatch(origin, action).await;
        }
        if self.searches(&action) {
            // Check what can be checked without searching, then pay, then search.
            let ctx = self.ctx(origin.guild).await;
            if let Some(mistake) = self.mistake(&ctx, &action).await {
                return mistake.into();
            }
            if let Err(seconds) = self.take(origin).await {
                return Reply::private(Body::Cooldown { seconds }).into();
            }
            return self.dispatch(origin, action).await;
        }
        // Lookups are cheap: answer, and pay only for what is not a mistake.
        let response = self.dispatch(origin, action).await;
        if response.reply.is_mistake() {
            return response;
        }
        match self.take(origin).await {
            Ok(()) => response,
            Err(seconds) => Reply::private(Body::Cooldown { seconds }).into(),
        }
    }

    /// Takes one request from the member's bucket: the server's own rate limit when it set one
    /// (`/settings`), else the process's. Per process either way.
    async fn take(&self, origin: Origin) -> Result<(), u64> {
        let Some(limit) = self.server_limit(origin).await else {
            return self.throttle.take(origin.user);
        };
        let throttle = {
            let mut all = self
                .server_throttles
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            all.entry(limit)
                .or_insert_with(|| {
                    Arc::new(Throttle::new(
                        limit.0,
                        Duration::from_secs(u64::from(limit.1)),
                    ))
                })
                .clone()
        };
        throttle.take(origin.user)
    }

    /// A server's settings, read at most every [`SETTINGS_FRESH`].
    pub(crate) async fn server_settings(
        &self,
        store: &crate::store::Store,
        guild: u64,
    ) -> Result<crate::store::GuildSettings, crate::store::StoreError> {
        {
            let mut cache = self
                .server_settings
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some((s, at)) = cache.get(&guild)
                && at.elapsed() < SETTINGS_FRESH
            {
                return Ok(s.clone());
            }
        }
        let s = store.guild_settings(guild).await?;
        self.server_settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(guild, (s.clone(), Instant::now()));
        Ok(s)
    }

    /// Saves a server's settings (and uses them at once here).
    pub(crate) async fn save_server_settings(
        &self,
        store: &crate::store::Store,
        guild: u64,
        s: crate::store::GuildSettings,
    ) -> Result<(), crate::store::StoreError> {
        self.server_settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop(&guild);
        store.set_guild_settings(guild, s).await
    }

    /// The rate limit a server set for itself, if any (a database failure falls back to the
    /// process's limit, logged).
    async fn server_limit(&self, origin: Origin) -> Option<(u32, u32)> {
        let (store, guild) = (self.store.as_ref()?, origin.guild?);
        let s = self
            .server_settings(store, guild)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "reading a server's rate limit"))
            .ok()?;
        if s.rate_burst.is_none() && s.rate_refill_seconds.is_none() {
            return None;
        }
        Some((
            s.rate_burst.unwrap_or(self.defaults.rate_burst),
            s.rate_refill_seconds
                .unwrap_or(self.defaults.rate_refill_seconds),
        ))
    }

    /// The action runs a search (a question, or its next page).
    fn searches(&self, action: &Action) -> bool {
        matches!(
            action,
            Action::Ask { .. } | Action::Find { .. } | Action::Button(ButtonId::More { .. })
        )
    }

    /// The member's own mistake in a searching action, found without searching.
    async fn mistake(&self, ctx: &Ctx, action: &Action) -> Option<Reply> {
        let corpus = &ctx.engine.corpus;
        match action {
            Action::Ask {
                document: Some(d), ..
            } if find_document(corpus, d).is_none() => {
                Some(Reply::notice(crate::error::UserError::UnknownDocument {
                    name: d.clone(),
                    available: crate::reference::doc_list(corpus),
                }))
            }
            Action::Find { text } if text.trim().is_empty() => Some(Reply::notice(NO_TEXT)),
            Action::Button(ButtonId::More {
                offset,
                doc,
                question,
            }) => {
                let doc_gone = doc.is_some_and(|d| ctx.keys.position(d).is_none());
                let question_gone = match question {
                    QuestionKey::Hash(h) => self.remembered(*h).await.is_none(),
                    QuestionKey::Text(_) => false,
                };
                (*offset > MAX_OFFSET || doc_gone || question_gone).then(|| Reply::notice(STALE))
            }
            _ => None,
        }
    }

    /// Answers one action from anywhere (a direct message).
    pub async fn handle(&self, action: Action) -> Reply {
        self.handle_in(Origin::default(), action).await
    }

    /// Answers one action of `origin`, without the rate limit. A panic is caught and answered
    /// with the apology.
    pub async fn handle_in(&self, origin: Origin, action: Action) -> Reply {
        let lang = self.lang_for(origin).await;
        let origin = Origin { lang, ..origin };
        catch_panic_async(self.dispatch(origin, action))
            .await
            .map(|r| r.reply)
            .unwrap_or_else(|message| {
                tracing::error!(panic = %message, "answering an interaction panicked");
                Reply::private(Body::Apology)
            })
            .in_lang(lang)
    }

    async fn dispatch(&self, origin: Origin, action: Action) -> Response {
        if let Action::Texts(c) = action {
            return self.texts(origin, c).await;
        }
        let ctx = self.ctx(origin.guild).await;
        let reply = match action {
            Action::Ask {
                question,
                document,
                private,
            } => {
                let asked = crate::prefs::Asked {
                    document,
                    private,
                    top: None,
                };
                let effective = self.effective(origin, &asked).await;
                // Without a database nothing but the config decides: the engine's own default.
                let top = (self.store.is_some() && origin.guild.is_some())
                    .then_some(effective.top.value as usize);
                // A default text (a preference or the server's setting) that is no longer among
                // the server's texts is set aside: every text is searched.
                let document = effective.document.value.filter(|d| {
                    effective.document.source == crate::prefs::Source::Command
                        || find_document(&ctx.engine.corpus, d).is_some()
                });
                self.ask(
                    &ctx,
                    &question,
                    document.as_deref(),
                    0,
                    effective.private.value,
                    false,
                    top,
                )
                .await
            }
            Action::Find { text } => {
                if text.trim().is_empty() {
                    Reply::notice(NO_TEXT)
                } else {
                    self.ask(&ctx, &text, None, 0, true, false, None).await
                }
            }
            Action::Settings(c) => self.settings(&ctx, origin, c).await,
            Action::Preferences(c) => self.preferences(&ctx, origin, c).await,
            Action::Plan(c) => self.plan(&ctx, origin, c).await,
            Action::Bookmark(c) => self.bookmarks(&ctx, origin, c).await,
            Action::Button(ButtonId::Mark(key)) => self.bookmark_button(&ctx, origin, key).await,
            Action::Quote { reference } => match lookup::quote(&ctx.engine.corpus, &reference) {
                Ok(quote) => Reply::public(Body::Quote(QuoteReply { quote, nav: None })),
                Err(e) => Reply::notice(e),
            },
            Action::Read { section, paragraph } => {
                // The default document (member › server › config) decides which text a bare
                // reference such as `3` points into when several are loaded.
                let effective = self
                    .effective(origin, &crate::prefs::Asked::default())
                    .await;
                self.read(
                    &ctx,
                    &section,
                    paragraph,
                    effective.document.value.as_deref(),
                )
            }
            Action::Toc { document } => {
                match lookup::toc(&ctx.engine.corpus, document.as_deref()) {
                    Ok(toc) => Reply::public(Body::Toc(toc)),
                    Err(e) => Reply::notice(e),
                }
            }
            Action::Help => Reply::private(Body::Help(self.help(&ctx))),
            Action::Complete {
                command,
                option,
                partial,
            } => Reply::private(Body::Choices(
                self.complete(&ctx, origin, &command, &option, &partial)
                    .await,
            )),
            Action::Button(b) => self.button(&ctx, b).await,
            Action::Stale => Reply::notice(STALE),
            Action::Texts(_) => Reply::notice(STALE),
        };
        reply.into()
    }

    /// Answers a question; `top`: results per answer (`None`: the engine's default).
    #[allow(clippy::too_many_arguments)]
    async fn ask(
        &self,
        ctx: &Ctx,
        question: &str,
        document: Option<&str>,
        offset: usize,
        private: bool,
        update: bool,
        top: Option<usize>,
    ) -> Reply {
        let opts = AskOptions {
            top,
            offset,
            document: document.map(str::to_string),
            explain: false,
        };
        let (engine, q) = (ctx.engine.clone(), question.to_string());
        // Searching (and embedding the question) is CPU work: on a blocking thread.
        let answered = tokio::task::spawn_blocking(move || ask(&engine, &q, &opts))
            .await
            .unwrap_or_else(|e| Err(Error::Panicked(e.to_string())));
        let answer = match answered {
            Ok(a) => a,
            Err(Error::User(u)) => return Reply::notice(u),
            Err(e) => {
                tracing::error!(error = %e, question, "answering a question failed");
                return Reply::private(Body::Apology);
            }
        };
        let corpus = &ctx.engine.corpus;
        let doc = document
            .and_then(|d| find_document(corpus, d))
            .and_then(|d| ctx.keys.doc(d));
        let shown = answer.results.len();
        let more = if answer.more {
            let next = offset + shown;
            let key = QuestionKey::for_question(question, next, doc);
            if let QuestionKey::Hash(h) = key {
                self.remember(h, question).await;
            }
            Some(ButtonId::More {
                offset: next,
                doc,
                question: key,
            })
        } else {
            None
        };
        let first = (offset > 0).then(|| ButtonId::More {
            offset: 0,
            doc,
            question: QuestionKey::for_question(question, 0, doc),
        });
        if let Some(ButtonId::More {
            question: QuestionKey::Hash(h),
            ..
        }) = &first
        {
            self.remember(*h, question).await;
        }
        let passages = answer
            .results
            .iter()
            .filter_map(|h| ctx.keys.passage(h.at))
            .collect();
        let body = Body::Answer(AnswerReply {
            answer,
            offset,
            more,
            first,
            passages,
        });
        Reply {
            body,
            private,
            update,
            lang: Lang::En,
        }
    }

    /// Remembers a long question here, and in the database when there is one (so that any
    /// replica can page its answer).
    async fn remember(&self, hash: u64, question: &str) {
        {
            let mut q = self.questions.lock().unwrap_or_else(|e| e.into_inner());
            q.put(hash, (question.to_string(), Instant::now()));
        }
        if let Some(store) = &self.store
            && let Err(e) = store
                .remember_question(hash, question, REMEMBER_FOR.as_secs() as i64)
                .await
        {
            tracing::warn!(error = %e, "could not remember a question in the database");
        }
    }

    /// A long question behind a "more results" button, if still remembered.
    async fn remembered(&self, hash: u64) -> Option<String> {
        {
            let mut q = self.questions.lock().unwrap_or_else(|e| e.into_inner());
            match q.get(&hash) {
                Some((t, at)) if at.elapsed() < REMEMBER_FOR && question_hash(t) == hash => {
                    return Some(t.clone());
                }
                Some(_) => {
                    q.pop(&hash);
                    return None;
                }
                None => {}
            }
        }
        let store = self.store.as_ref()?;
        store
            .question(hash, REMEMBER_FOR.as_secs() as i64)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "could not read a question"))
            .ok()
            .flatten()
            .filter(|t| question_hash(t) == hash)
    }

    /// The passage a button names, or the notice to show when it is gone.
    pub(crate) fn resolve(&self, ctx: &Ctx, key: PassageKey) -> Result<Reference, Msg> {
        ctx.keys.resolve(key).map_err(|gone| match gone {
            Gone::Changed => OUT_OF_DATE,
            // Removed from the server's texts (or from the host's).
            Gone::Missing => TEXT_GONE,
        })
    }

    async fn button(&self, ctx: &Ctx, b: ButtonId) -> Reply {
        let corpus = &ctx.engine.corpus;
        match b.clone() {
            ButtonId::More {
                offset,
                doc,
                question,
            } => {
                if offset > MAX_OFFSET {
                    return Reply::notice(STALE);
                }
                let question = match question {
                    QuestionKey::Text(t) => t,
                    QuestionKey::Hash(h) => match self.remembered(h).await {
                        Some(t) => t,
                        None => return Reply::notice(STALE),
                    },
                };
                let document = match doc {
                    Some(d) => match ctx
                        .keys
                        .position(d)
                        .and_then(|i| corpus.documents.get(i as usize))
                    {
                        Some(d) => Some(d.id.clone()),
                        None => return Reply::notice(TEXT_GONE),
                    },
                    None => None,
                };
                self.ask(
                    ctx,
                    &question,
                    document.as_deref(),
                    offset,
                    false,
                    true,
                    None,
                )
                .await
            }
            ButtonId::Mark(_) => Reply::notice(STALE),
            ButtonId::Full(key) | ButtonId::Near(key) | ButtonId::Read(key) => {
                let at = match self.resolve(ctx, key) {
                    Ok(at) => at,
                    Err(notice) => return Reply::notice(notice),
                };
                match b {
                    ButtonId::Near(_) => self.around(ctx, at),
                    ButtonId::Read(_) => match self.reading(ctx, at) {
                        Some(body) => Reply::update(body),
                        None => Reply::notice(STALE),
                    },
                    _ => match lookup::quote_at(corpus, at) {
                        Ok(quote) => Reply::private(Body::Quote(QuoteReply { quote, nav: None })),
                        Err(_) => Reply::notice(STALE),
                    },
                }
            }
        }
    }

    /// A passage with its neighbours, privately.
    fn around(&self, ctx: &Ctx, at: Reference) -> Reply {
        let corpus = &ctx.engine.corpus;
        let Some(section) = at.section(corpus) else {
            return Reply::notice(STALE);
        };
        let p = at.passages.map_or(1, |(a, _)| a);
        let last = section.passages.len() as u32;
        if p == 0 || p > last {
            return Reply::notice(STALE);
        }
        let around = Reference {
            passages: Some((p.saturating_sub(1).max(1), (p + 1).min(last))),
            ..at
        };
        match lookup::quote_at(corpus, around) {
            Ok(quote) => Reply::private(Body::Quote(QuoteReply { quote, nav: None })),
            Err(_) => Reply::notice(STALE),
        }
    }

    fn read(
        &self,
        ctx: &Ctx,
        section: &str,
        paragraph: Option<u32>,
        document: Option<&str>,
    ) -> Reply {
        let corpus = &ctx.engine.corpus;
        // In the default document first (a reference that names its own document, or that the
        // default document does not have, is read as typed).
        let in_default = document
            .filter(|_| corpus.is_multi())
            .and_then(|d| Reference::parse(&format!("{d}:{section}"), corpus).ok());
        let at = match in_default.map_or_else(|| Reference::parse(section, corpus), Ok) {
            Ok(r) => r,
            Err(e) => return Reply::notice(e),
        };
        let p = paragraph.unwrap_or_else(|| at.passages.map_or(1, |(a, _)| a));
        let at = Reference::passage(at.doc, at.section, p);
        if let Err(e) = at.check(corpus) {
            return Reply::notice(e);
        }
        match self.reading(ctx, at) {
            Some(body) => Reply::public(body),
            None => Reply::notice(STALE),
        }
    }

    /// One passage with the references before and after it in the document.
    fn reading(&self, ctx: &Ctx, at: Reference) -> Option<Body> {
        let corpus = &ctx.engine.corpus;
        let quote = lookup::quote_at(corpus, at).ok()?;
        let document = at.document(corpus)?;
        let p = at.passages.map_or(1, |(a, _)| a);
        let prev = if p > 1 {
            Some(Reference::passage(at.doc, at.section, p - 1))
        } else {
            document
                .sections
                .iter()
                .rev()
                .filter(|s| s.number < at.section)
                .find(|s| !s.passages.is_empty())
                .map(|s| Reference::passage(at.doc, s.number, s.passages.len() as u32))
        };
        let last = at.section(corpus)?.passages.len() as u32;
        let next = if p < last {
            Some(Reference::passage(at.doc, at.section, p + 1))
        } else {
            document
                .sections
                .iter()
                .filter(|s| s.number > at.section)
                .find(|s| !s.passages.is_empty())
                .map(|s| Reference::passage(at.doc, s.number, 1))
        };
        Some(Body::Quote(QuoteReply {
            quote,
            nav: Some(Nav {
                prev: prev.and_then(|r| ctx.keys.passage(r)),
                next: next.and_then(|r| ctx.keys.passage(r)),
            }),
        }))
    }

    fn help(&self, ctx: &Ctx) -> Help {
        let corpus = &ctx.engine.corpus;
        let example_ref = corpus
            .documents
            .first()
            .and_then(|d| {
                let s = d.sections.iter().find(|s| !s.passages.is_empty())?;
                Some(Reference::passage(0, s.number, 1).short(corpus))
            })
            .unwrap_or_else(|| "1.1".to_string());
        Help {
            documents: corpus
                .documents
                .iter()
                .map(|d| (d.id.clone(), d.title.clone(), d.passage_count()))
                .collect(),
            example_ref,
        }
    }

    /// Autocomplete: documents for `document` (the server's own for `/texts remove`), section
    /// titles for references.
    async fn complete(
        &self,
        ctx: &Ctx,
        origin: Origin,
        command: &str,
        option: &str,
        partial: &str,
    ) -> Vec<(String, String)> {
        let corpus = &ctx.engine.corpus;
        let needle = partial.trim().to_lowercase();
        if command == "texts" && option == "document" {
            let Some(guild) = origin.guild else {
                return Vec::new();
            };
            return self
                .library
                .own_texts(guild, partial)
                .await
                .into_iter()
                .take(25)
                .map(|(id, title)| (format!("{title} ({id})"), id))
                .collect();
        }
        if option == "document" {
            return corpus
                .documents
                .iter()
                .filter(|d| {
                    needle.is_empty()
                        || d.id.contains(&needle)
                        || d.title.to_lowercase().contains(&needle)
                })
                .take(25)
                .map(|d| (format!("{} ({})", d.title, d.id), d.id.clone()))
                .collect();
        }
        if option == "timezone" {
            return chrono_tz::TZ_VARIANTS
                .iter()
                .map(|z| z.name())
                .filter(|n| needle.is_empty() || n.to_lowercase().contains(&needle))
                .take(25)
                .map(|n| (n.to_string(), n.to_string()))
                .collect();
        }
        if !matches!(command, "quote" | "read" | "bookmark") {
            return Vec::new();
        }
        let mut out: Vec<(String, String)> = Vec::new();
        'documents: for (i, d) in corpus.documents.iter().enumerate() {
            for s in &d.sections {
                let at = Reference {
                    doc: i as u32,
                    section: s.number,
                    passages: None,
                };
                // The section's own number when the text has one (`§4.1`, `§Article 5`).
                let number = s.label.clone().unwrap_or_else(|| s.number.to_string());
                let name = match &s.title {
                    Some(t) if s.label.as_ref() == Some(t) => t.clone(),
                    Some(t) => format!("{t} — §{number}"),
                    None => Msg::new("complete-opening")
                        .arg("number", number.clone())
                        .text(origin.lang),
                };
                let name = if corpus.is_multi() {
                    format!("{}: {}", d.id, name)
                } else {
                    name
                };
                let value = at.short(corpus);
                if needle.is_empty()
                    || name.to_lowercase().contains(&needle)
                    || value.starts_with(&needle)
                {
                    out.push((name, value));
                    if out.len() == 25 {
                        break 'documents;
                    }
                }
            }
        }
        // What was typed, when it is a reference no title matched (`chapter II`, `III.1.A`,
        // `p. 12`): first, by its full name.
        if !needle.is_empty()
            && let Ok(r) = Reference::parse(partial, corpus)
        {
            let value = r.short(corpus);
            if !out.iter().any(|(_, v)| *v == value) {
                out.insert(0, (r.human(corpus), value));
                out.truncate(25);
            }
        }
        out
    }
}

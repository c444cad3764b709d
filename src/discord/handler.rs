//! An [`Action`] in, a [`Reply`] out: the bot's behaviour as plain data. It calls the shared use
//! cases ([`crate::answer::ask`], [`crate::lookup`]) and knows nothing of the connection to
//! Discord, so the gateway and an HTTP interactions endpoint share it.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;

use crate::answer::{AskOptions, ask};
use crate::discord::commands::{Action, Origin};
use crate::discord::throttle::Throttle;
use crate::engine::Engine;
use crate::error::{Error, catch_panic};
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
const NO_TEXT: &str = "That message has no text to search for.";

/// Deepest page a "more results" button may ask for.
const MAX_OFFSET: usize = 200;

/// Shown when a button's custom id is not one this bot made, or points at text that is gone.
pub const STALE: &str = "That button no longer works (the bot was updated or restarted, or the texts changed). Please run the command again.";

/// Shown when a button quotes a passage of a text that has changed since the button was made.
pub const OUT_OF_DATE: &str = "That button is out of date: the text it quotes has changed since. Please run the command again.";

/// The bot's state shared by every request: the engine, the documents' button keys, remembered
/// questions, the rate limit.
#[derive(Debug)]
pub struct Bot {
    pub engine: Arc<Engine>,
    keys: DocKeys,
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
}

/// How long server settings read from the database are used before being read again.
pub const SETTINGS_FRESH: Duration = Duration::from_secs(2);

/// Servers whose settings are kept at once.
const CACHED_SERVERS: NonZeroUsize = NonZeroUsize::new(4096).unwrap();

impl Bot {
    /// A bot whose members may each send `burst` requests at once, one more every `refill`
    /// (a zero `refill` turns the rate limit off).
    pub fn new(engine: Arc<Engine>, burst: u32, refill: Duration) -> Self {
        Bot {
            keys: DocKeys::new(&engine.corpus),
            defaults: crate::prefs::Defaults {
                top: u32::try_from(engine.search.top).unwrap_or(3),
                rate_burst: burst,
                rate_refill_seconds: u32::try_from(refill.as_secs()).unwrap_or(u32::MAX),
            },
            engine,
            questions: Mutex::new(LruCache::new(REMEMBERED_QUESTIONS)),
            throttle: Throttle::new(burst, refill),
            store: None,
            server_throttles: Mutex::default(),
            server_settings: Mutex::new(LruCache::new(CACHED_SERVERS)),
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

    /// The same bot with a database: server settings, preferences, plans and bookmarks work.
    pub fn with_store(mut self, store: crate::store::Store) -> Self {
        self.store = Some(store);
        self
    }

    /// [`Bot::respond`] for an interaction from `origin` (its server, channel and member).
    pub fn respond_in(&self, origin: Origin, action: Action) -> Reply {
        self.respond_from(origin, action)
    }

    /// Answers one action of `member`, within their rate limit. A reply that only reports the
    /// member's own mistake (a bad reference, an unknown document, an old button) costs nothing,
    /// so a typo can be corrected at once; autocomplete (every keystroke) is not limited.
    pub fn respond(&self, member: u64, action: Action) -> Reply {
        self.respond_from(
            Origin {
                user: member,
                ..Origin::default()
            },
            action,
        )
    }

    fn respond_from(&self, origin: Origin, action: Action) -> Reply {
        if matches!(action, Action::Complete { .. } | Action::Stale) {
            return self.handle_in(origin, action);
        }
        if self.searches(&action) {
            // Check what can be checked without searching, then pay, then search.
            if let Some(mistake) = self.mistake(&action) {
                return mistake;
            }
            if let Err(seconds) = self.take(origin) {
                return Reply::private(Body::Cooldown { seconds });
            }
            return self.handle_in(origin, action);
        }
        // Lookups are cheap: answer, and pay only for what is not a mistake.
        let reply = self.handle_in(origin, action);
        if reply.is_mistake() {
            return reply;
        }
        match self.take(origin) {
            Ok(()) => reply,
            Err(seconds) => Reply::private(Body::Cooldown { seconds }),
        }
    }

    /// Takes one request from the member's bucket: the server's own rate limit when it set one
    /// (`/settings`), else the process's. Per process either way.
    fn take(&self, origin: Origin) -> Result<(), u64> {
        let Some(limit) = self.server_limit(origin) else {
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
    pub(crate) fn server_settings(
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
        let s = store.block(store.guild_settings(guild))?;
        self.server_settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(guild, (s.clone(), Instant::now()));
        Ok(s)
    }

    /// Saves a server's settings (and uses them at once here).
    pub(crate) fn save_server_settings(
        &self,
        store: &crate::store::Store,
        guild: u64,
        s: crate::store::GuildSettings,
    ) -> Result<(), crate::store::StoreError> {
        self.server_settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop(&guild);
        store.block(store.set_guild_settings(guild, s))
    }

    /// The rate limit a server set for itself, if any (a database failure falls back to the
    /// process's limit, logged).
    fn server_limit(&self, origin: Origin) -> Option<(u32, u32)> {
        let (store, guild) = (self.store.as_ref()?, origin.guild?);
        let s = self
            .server_settings(store, guild)
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
    fn mistake(&self, action: &Action) -> Option<Reply> {
        match action {
            Action::Ask {
                document: Some(d), ..
            } if find_document(&self.engine.corpus, d).is_none() => Some(Reply::notice(
                crate::error::UserError::UnknownDocument {
                    name: d.clone(),
                    available: crate::reference::doc_list(&self.engine.corpus),
                }
                .to_string(),
            )),
            Action::Find { text } if text.trim().is_empty() => Some(Reply::notice(NO_TEXT)),
            Action::Button(ButtonId::More {
                offset,
                doc,
                question,
            }) => {
                let doc_gone = doc.is_some_and(|d| self.keys.position(d).is_none());
                let question_gone =
                    matches!(question, QuestionKey::Hash(h) if self.remembered(*h).is_none());
                (*offset > MAX_OFFSET || doc_gone || question_gone).then(|| Reply::notice(STALE))
            }
            _ => None,
        }
    }

    /// Answers one action. A bug that panics while answering is caught here, logged, and answered
    /// with the one-line apology, so no front end loses the request.
    pub fn handle(&self, action: Action) -> Reply {
        self.handle_in(Origin::default(), action)
    }

    /// [`Bot::handle`] for an interaction from `origin`.
    pub fn handle_in(&self, origin: Origin, action: Action) -> Reply {
        catch_panic(|| self.dispatch(origin, action)).unwrap_or_else(|message| {
            tracing::error!(panic = %message, "answering an interaction panicked");
            Reply::private(Body::Apology)
        })
    }

    fn dispatch(&self, origin: Origin, action: Action) -> Reply {
        match action {
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
                let effective = self.effective(origin, &asked);
                // Without a database nothing but the config decides: the engine's own default.
                let top = (self.store.is_some() && origin.guild.is_some())
                    .then_some(effective.top.value as usize);
                self.ask(
                    &question,
                    effective.document.value.as_deref(),
                    0,
                    effective.private.value,
                    false,
                    top,
                )
            }
            Action::Find { text } => {
                if text.trim().is_empty() {
                    Reply::notice(NO_TEXT)
                } else {
                    self.ask(&text, None, 0, true, false, None)
                }
            }
            Action::Settings(c) => self.settings(origin, c),
            Action::Preferences(c) => self.preferences(origin, c),
            Action::Plan(c) => self.plan(origin, c),
            Action::Bookmark(c) => self.bookmarks(origin, c),
            Action::Button(ButtonId::Mark(key)) => self.bookmark_button(origin, key),
            Action::Quote { reference } => match lookup::quote(&self.engine.corpus, &reference) {
                Ok(quote) => Reply::public(Body::Quote(QuoteReply { quote, nav: None })),
                Err(e) => Reply::notice(e.to_string()),
            },
            Action::Read { section, paragraph } => {
                // The default document (member › server › config) decides which text a bare
                // reference such as `3` points into when several are loaded.
                let effective = self.effective(origin, &crate::prefs::Asked::default());
                self.read(&section, paragraph, effective.document.value.as_deref())
            }
            Action::Toc { document } => match lookup::toc(&self.engine.corpus, document.as_deref())
            {
                Ok(toc) => Reply::public(Body::Toc(toc)),
                Err(e) => Reply::notice(e.to_string()),
            },
            Action::Help => Reply::private(Body::Help(self.help())),
            Action::Complete {
                command,
                option,
                partial,
            } => Reply::private(Body::Choices(self.complete(&command, &option, &partial))),
            Action::Button(b) => self.button(b),
            Action::Stale => Reply::notice(STALE),
        }
    }

    /// Answers a question; `top`: results per answer (`None`: the engine's default).
    fn ask(
        &self,
        question: &str,
        document: Option<&str>,
        offset: usize,
        private: bool,
        update: bool,
        top: Option<usize>,
    ) -> Reply {
        let corpus = &self.engine.corpus;
        let opts = AskOptions {
            top,
            offset,
            document: document.map(str::to_string),
            explain: false,
        };
        let answer = match ask(&self.engine, question, &opts) {
            Ok(a) => a,
            Err(Error::User(u)) => return Reply::notice(u.to_string()),
            Err(e) => {
                tracing::error!(error = %e, question, "answering a question failed");
                return Reply::private(Body::Apology);
            }
        };
        let doc = document
            .and_then(|d| find_document(corpus, d))
            .and_then(|d| self.keys.doc(d));
        let shown = answer.results.len();
        let more = answer.more.then(|| {
            let next = offset + shown;
            let key = QuestionKey::for_question(question, next, doc);
            if let QuestionKey::Hash(h) = key {
                self.remember(h, question);
            }
            ButtonId::More {
                offset: next,
                doc,
                question: key,
            }
        });
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
            self.remember(*h, question);
        }
        let passages = answer
            .results
            .iter()
            .filter_map(|h| self.keys.passage(h.at))
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
        }
    }

    /// Remembers a long question here, and in the database when there is one (so that any
    /// replica can page its answer).
    fn remember(&self, hash: u64, question: &str) {
        {
            let mut q = self.questions.lock().unwrap_or_else(|e| e.into_inner());
            q.put(hash, (question.to_string(), Instant::now()));
        }
        if let Some(store) = &self.store
            && let Err(e) =
                store.block(store.remember_question(hash, question, REMEMBER_FOR.as_secs() as i64))
        {
            tracing::warn!(error = %e, "could not remember a question in the database");
        }
    }

    /// A long question behind a "more results" button, if still remembered.
    fn remembered(&self, hash: u64) -> Option<String> {
        let mut q = self.questions.lock().unwrap_or_else(|e| e.into_inner());
        match q.get(&hash) {
            Some((t, at)) if at.elapsed() < REMEMBER_FOR && question_hash(t) == hash => {
                Some(t.clone())
            }
            Some(_) => {
                q.pop(&hash);
                None
            }
            None => {
                drop(q);
                let store = self.store.as_ref()?;
                store
                    .block(store.question(hash, REMEMBER_FOR.as_secs() as i64))
                    .inspect_err(|e| tracing::warn!(error = %e, "could not read a question"))
                    .ok()
                    .flatten()
                    .filter(|t| question_hash(t) == hash)
            }
        }
    }

    /// The passage a button names, or the notice to show when it is gone.
    pub(crate) fn resolve(&self, key: PassageKey) -> Result<Reference, &'static str> {
        self.keys.resolve(key).map_err(|gone| match gone {
            Gone::Changed => OUT_OF_DATE,
            Gone::Missing => STALE,
        })
    }

    fn button(&self, b: ButtonId) -> Reply {
        let corpus = &self.engine.corpus;
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
                    QuestionKey::Hash(h) => match self.remembered(h) {
                        Some(t) => t,
                        None => return Reply::notice(STALE),
                    },
                };
                let document = match doc {
                    Some(d) => match self
                        .keys
                        .position(d)
                        .and_then(|i| corpus.documents.get(i as usize))
                    {
                        Some(d) => Some(d.id.clone()),
                        None => return Reply::notice(STALE),
                    },
                    None => None,
                };
                self.ask(&question, document.as_deref(), offset, false, true, None)
            }
            ButtonId::Mark(_) => Reply::notice(STALE),
            ButtonId::Full(key) | ButtonId::Near(key) | ButtonId::Read(key) => {
                let at = match self.resolve(key) {
                    Ok(at) => at,
                    Err(notice) => return Reply::notice(notice),
                };
                match b {
                    ButtonId::Near(_) => self.around(at),
                    ButtonId::Read(_) => match self.reading(at) {
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
    fn around(&self, at: Reference) -> Reply {
        let corpus = &self.engine.corpus;
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

    fn read(&self, section: &str, paragraph: Option<u32>, document: Option<&str>) -> Reply {
        let corpus = &self.engine.corpus;
        // In the default document first (a reference that names its own document, or that the
        // default document does not have, is read as typed).
        let in_default = document
            .filter(|_| corpus.is_multi())
            .and_then(|d| Reference::parse(&format!("{d}:{section}"), corpus).ok());
        let at = match in_default.map_or_else(|| Reference::parse(section, corpus), Ok) {
            Ok(r) => r,
            Err(e) => return Reply::notice(e.to_string()),
        };
        let p = paragraph.unwrap_or_else(|| at.passages.map_or(1, |(a, _)| a));
        let at = Reference::passage(at.doc, at.section, p);
        if let Err(e) = at.check(corpus) {
            return Reply::notice(e.to_string());
        }
        match self.reading(at) {
            Some(body) => Reply::public(body),
            None => Reply::notice(STALE),
        }
    }

    /// One passage with the references before and after it in the document.
    fn reading(&self, at: Reference) -> Option<Body> {
        let corpus = &self.engine.corpus;
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
                prev: prev.and_then(|r| self.keys.passage(r)),
                next: next.and_then(|r| self.keys.passage(r)),
            }),
        }))
    }

    fn help(&self) -> Help {
        let corpus = &self.engine.corpus;
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

    /// Autocomplete: documents for `document`, section titles for references.
    fn complete(&self, command: &str, option: &str, partial: &str) -> Vec<(String, String)> {
        let corpus = &self.engine.corpus;
        let needle = partial.trim().to_lowercase();
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
                    None => format!("§{number} (opening)"),
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

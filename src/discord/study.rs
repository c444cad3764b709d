//! The study tools that remember (issue 14), as [`Bot`] handlers: `/settings` (server settings),
//! `/preferences` (a member's own), `/plan` (reading plans), and the settings every `/ask`
//! resolves. They read and write through [`crate::store`] and answer with plain replies, like the
//! rest of the handler; every mistake gets a private, polite explanation.

use chrono::Utc;

use crate::discord::commands::{
    LANGUAGE_AUTO, Origin, PlanCommand, SettingsChange, SettingsCommand, StartPlan,
};
use crate::discord::handler::{Bot, Ctx};
use crate::i18n::{Lang, Msg};
use crate::prefs::{self, Asked, Effective};
use crate::reference::{Reference, find_document};
use crate::reply::{Body, Reply};
use crate::schedule::{self, MAX_PER_DAY};
use crate::store::{GuildSettings, MemberSettings, NewPlan, Plan, PlanStatus, Store, StoreError};

/// Shown when the bot runs without a database.
pub const NO_STORE: Msg = Msg::new("no-store");

/// Shown for server-only commands in direct messages.
pub const SERVER_ONLY: Msg = Msg::new("server-only");

/// The value `document` takes to mean every text.
const ALL: &str = "all";

/// Discord's permission bits the bot needs to post a plan in a channel.
const VIEW_CHANNEL: u64 = 1 << 10;
const SEND_MESSAGES: u64 = 1 << 11;
const CREATE_PUBLIC_THREADS: u64 = 1 << 35;

/// A store failure: logged, the member gets the apology.
fn failed(e: StoreError, what: &str) -> Reply {
    tracing::error!(error = %e, what, "the database failed");
    Reply::private(Body::Apology)
}

impl Bot {
    fn store_in(&self, origin: Origin) -> Result<(&Store, u64), Box<Reply>> {
        let store = self
            .store
            .as_ref()
            .ok_or_else(|| Box::new(Reply::notice(NO_STORE)))?;
        let guild = origin
            .guild
            .ok_or_else(|| Box::new(Reply::notice(SERVER_ONLY)))?;
        Ok((store, guild))
    }

    /// The settings that apply to a request: its own options › the member's preferences › the
    /// server's settings › the config file.
    pub(crate) async fn effective(&self, origin: Origin, asked: &Asked) -> Effective {
        let (member, server) = match (&self.store, origin.guild) {
            (Some(store), Some(guild)) => {
                let read = async {
                    let server = self.server_settings(store, guild).await?;
                    let member = store.member_settings(guild, origin.user).await?;
                    Ok::<_, StoreError>((member, server))
                }
                .await;
                // Answering matters more than the settings: without the database, the config
                // file's apply (logged).
                read.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "could not read settings; using the bot's defaults");
                    Default::default()
                })
            }
            _ => Default::default(),
        };
        prefs::resolve(asked, &member, &server, &self.defaults)
    }

    /// A document name as typed, checked and made canonical (`None` for `all`).
    fn document_id(&self, ctx: &Ctx, typed: &str) -> Result<Option<String>, Msg> {
        let typed = typed.trim();
        if typed.eq_ignore_ascii_case(ALL) {
            return Ok(None);
        }
        let corpus = &ctx.engine.corpus;
        match find_document(corpus, typed) {
            Some(i) => Ok(Some(corpus.documents[i as usize].id.clone())),
            None => Err(crate::error::UserError::UnknownDocument {
                name: typed.to_string(),
                available: crate::reference::doc_list(corpus),
            }
            .msg()),
        }
    }

    /// A change, checked; the document it names, made canonical. `Err`: the notice.
    fn check_change(&self, ctx: &Ctx, c: &SettingsChange) -> Result<Option<Option<String>>, Msg> {
        if let Some(v) = c.results {
            prefs::check_range(Msg::new("range-results"), v, prefs::TOP_RANGE)?;
        }
        if let Some(v) = c.rate_burst {
            prefs::check_range(Msg::new("range-burst"), v, prefs::BURST_RANGE)?;
        }
        if let Some(v) = c.rate_refill_seconds {
            prefs::check_range(Msg::new("range-refill"), v, prefs::REFILL_RANGE)?;
        }
        if let Some(l) = &c.language
            && l != LANGUAGE_AUTO
            && l.parse::<Lang>().is_err()
        {
            return Err(Msg::new("language-unknown").arg("typed", l.clone()));
        }
        c.document
            .as_deref()
            .map(|d| self.document_id(ctx, d))
            .transpose()
    }

    pub(crate) async fn settings(
        &self,
        ctx: &Ctx,
        origin: Origin,
        command: SettingsCommand,
    ) -> Reply {
        let (store, guild) = match self.store_in(origin) {
            Ok(x) => x,
            Err(reply) => return *reply,
        };
        let current = match self.server_settings(store, guild).await {
            Ok(s) => s,
            Err(e) => return failed(e, "reading server settings"),
        };
        let (saved, heading, write) = match command {
            SettingsCommand::Show => (current, "settings-heading", false),
            SettingsCommand::Reset => (
                GuildSettings {
                    discord_locale: current.discord_locale,
                    ..GuildSettings::default()
                },
                "settings-heading-reset",
                true,
            ),
            SettingsCommand::Set(c) => {
                let document = match self.check_change(ctx, &c) {
                    Ok(d) => d,
                    Err(notice) => return Reply::notice(notice),
                };
                let num = |v: Option<i64>, old: Option<u32>| v.map(|v| v as u32).or(old);
                let language = match c.language.as_deref() {
                    None => current.language,
                    Some(LANGUAGE_AUTO) => None,
                    Some(l) => l.parse::<Lang>().ok().map(|l| l.code().to_string()),
                };
                let next = GuildSettings {
                    document: document.unwrap_or(current.document),
                    private: c.private.or(current.private),
                    top: num(c.results, current.top),
                    rate_burst: num(c.rate_burst, current.rate_burst),
                    rate_refill_seconds: num(c.rate_refill_seconds, current.rate_refill_seconds),
                    language,
                    discord_locale: current.discord_locale,
                };
                (next, "settings-heading-saved", true)
            }
        };
        if write && let Err(e) = self.save_server_settings(store, guild, saved.clone()).await {
            return failed(e, "saving server settings");
        }
        let effective = prefs::resolve(
            &Asked::default(),
            &MemberSettings::default(),
            &saved,
            &self.defaults,
        );
        let mut lines = vec![Msg::new(heading)];
        lines.extend(bullets(effective.lines()));
        lines.push(Msg::new("settings-footer"));
        Reply::private(Body::Notice(Msg::lines(lines)))
    }

    pub(crate) async fn preferences(
        &self,
        ctx: &Ctx,
        origin: Origin,
        command: SettingsCommand,
    ) -> Reply {
        let (store, guild) = match self.store_in(origin) {
            Ok(x) => x,
            Err(reply) => return *reply,
        };
        let current = match store.member_settings(guild, origin.user).await {
            Ok(s) => s,
            Err(e) => return failed(e, "reading preferences"),
        };
        let (saved, heading, write) = match command {
            SettingsCommand::Show => (current, "preferences-heading", false),
            SettingsCommand::Reset => {
                (MemberSettings::default(), "preferences-heading-reset", true)
            }
            SettingsCommand::Set(c) => {
                if c.rate_burst.is_some() || c.rate_refill_seconds.is_some() {
                    return Reply::notice(Msg::new("preferences-rate-is-servers"));
                }
                if c.language.is_some() {
                    return Reply::notice(Msg::new("preferences-language-is-servers"));
                }
                let document = match self.check_change(ctx, &c) {
                    Ok(d) => d,
                    Err(notice) => return Reply::notice(notice),
                };
                (
                    MemberSettings {
                        document: document.unwrap_or(current.document),
                        private: c.private.or(current.private),
                        top: c.results.map(|v| v as u32).or(current.top),
                    },
                    "preferences-heading-saved",
                    true,
                )
            }
        };
        if write
            && let Err(e) = store
                .set_member_settings(guild, origin.user, saved.clone())
                .await
        {
            return failed(e, "saving preferences");
        }
        let server = match self.server_settings(store, guild).await {
            Ok(s) => s,
            Err(e) => return failed(e, "reading server settings"),
        };
        let effective = prefs::resolve(&Asked::default(), &saved, &server, &self.defaults);
        let mut lines = vec![Msg::new(heading)];
        lines.extend(bullets(effective.lines()));
        Reply::private(Body::Notice(Msg::lines(lines)))
    }

    pub(crate) async fn plan(&self, ctx: &Ctx, origin: Origin, command: PlanCommand) -> Reply {
        let (store, guild) = match self.store_in(origin) {
            Ok(x) => x,
            Err(reply) => return *reply,
        };
        let now = Utc::now();
        let result = match command {
            PlanCommand::Start(start) => {
                return self.start_plan(ctx, store, origin, guild, start).await;
            }
            PlanCommand::Status => store.open_plan(guild).await,
            PlanCommand::Pause => {
                store
                    .set_plan_status(
                        guild,
                        PlanStatus::Paused,
                        Some(PAUSED_BY_COMMAND.into()),
                        None,
                    )
                    .await
            }
            PlanCommand::Resume => match store.open_plan(guild).await {
                Ok(Some(p)) => {
                    self.remember_guild_locale(store, guild, origin).await;
                    let due = match (
                        schedule::parse_time(&p.local_time),
                        schedule::parse_zone(&p.timezone),
                    ) {
                        (Ok(t), Ok(z)) => schedule::next_due(now, t, z).timestamp(),
                        _ => now.timestamp(),
                    };
                    // A plan paused because its text was removed stays paused until the text
                    // is back.
                    if !ctx
                        .engine
                        .corpus
                        .documents
                        .iter()
                        .any(|d| d.id == p.document)
                    {
                        return Reply::notice(
                            Msg::new("plan-text-gone").arg("document", p.document.clone()),
                        );
                    }
                    store
                        .set_plan_status(guild, PlanStatus::Active, None, Some(due))
                        .await
                }
                other => other,
            },
            PlanCommand::Skip => match store.open_plan(guild).await {
                Ok(Some(p)) => {
                    let corpus = &ctx.engine.corpus;
                    let Some(doc) = corpus.documents.iter().position(|d| d.id == p.document) else {
                        return Reply::notice(Msg::new("plan-text-not-loaded"));
                    };
                    let (_, next) = schedule::passages_from(
                        corpus,
                        doc as u32,
                        p.section,
                        p.passage,
                        p.passages_per_day,
                    );
                    match next {
                        Some((s, n)) => store.move_plan(guild, s, n).await,
                        None => {
                            return Reply::notice(Msg::new("plan-skip-past-end"));
                        }
                    }
                }
                other => other,
            },
            PlanCommand::Stop => {
                store
                    .set_plan_status(guild, PlanStatus::Ended, None, None)
                    .await
            }
        };
        match result {
            Err(e) => failed(e, "a reading plan"),
            Ok(None) => Reply::notice(Msg::new("plan-none")),
            Ok(Some(p)) => Reply::private(Body::Notice(self.describe(ctx, &p))),
        }
    }

    async fn start_plan(
        &self,
        ctx: &Ctx,
        store: &Store,
        origin: Origin,
        guild: u64,
        s: StartPlan,
    ) -> Reply {
        let corpus = &ctx.engine.corpus;
        let doc = match find_document(corpus, &s.document) {
            Some(d) => d,
            None => {
                return Reply::notice(crate::error::UserError::UnknownDocument {
                    name: s.document,
                    available: crate::reference::doc_list(corpus),
                });
            }
        };
        let document = &corpus.documents[doc as usize];
        let start = match &s.from {
            None => document
                .sections
                .iter()
                .find(|s| !s.passages.is_empty())
                .map(|s| (s.number, s.passages[0].number)),
            Some(typed) => {
                let at = match Reference::parse(typed, corpus) {
                    Ok(r) => r,
                    Err(e) => return Reply::notice(e),
                };
                if at.doc != doc {
                    return Reply::notice(
                        Msg::new("plan-from-elsewhere")
                            .arg("typed", typed.clone())
                            .arg("document", document.id.clone()),
                    );
                }
                if let Err(e) = at.check(corpus) {
                    return Reply::notice(e);
                }
                Some((at.section, at.passages.map_or(1, |(a, _)| a)))
            }
        };
        let Some((section, passage)) = start else {
            return Reply::notice(Msg::new("plan-no-passages"));
        };
        let per_day = match s.passages_per_day {
            None => 1,
            Some(n) => match prefs::check_range(Msg::new("range-per-day"), n, 1..=MAX_PER_DAY) {
                Ok(n) => n,
                Err(m) => return Reply::notice(m),
            },
        };
        let time_text = s.time.unwrap_or_else(|| "08:00".into());
        let time = match schedule::parse_time(&time_text) {
            Ok(t) => t,
            Err(m) => return Reply::notice(m),
        };
        let zone = match schedule::parse_zone(s.timezone.as_deref().unwrap_or("UTC")) {
            Ok(z) => z,
            Err(m) => return Reply::notice(m),
        };
        let channel = s.channel.unwrap_or(origin.channel);
        // Discord tells what the bot may do in the channel the command was run in; another channel
        // is checked by the first post (which pauses the plan and says why).
        if channel == origin.channel
            && let Some(bits) = origin.bot_permissions
        {
            let needed = VIEW_CHANNEL | SEND_MESSAGES | CREATE_PUBLIC_THREADS;
            if bits & needed != needed {
                return Reply::notice(Msg::new("plan-cannot-post"));
            }
        }
        let due = schedule::next_due(Utc::now(), time, zone);
        self.remember_guild_locale(store, guild, origin).await;
        let created = store
            .create_plan(NewPlan {
                guild,
                channel,
                created_by: origin.user,
                document: document.id.clone(),
                section,
                passage,
                passages_per_day: per_day,
                local_time: time.format("%H:%M").to_string(),
                timezone: zone.name().to_string(),
                next_due_at: due.timestamp(),
            })
            .await;
        match created {
            Err(e) => failed(e, "starting a reading plan"),
            Ok(None) => Reply::notice(Msg::new("plan-exists")),
            Ok(Some(p)) => Reply::private(Body::Notice(Msg::lines([
                Msg::new("plan-started"),
                self.describe(ctx, &p),
            ]))),
        }
    }

    /// Remembers the server's locale as this interaction says it (`guild_locale`), for the
    /// plan's posts (a failure is logged: the posts are then in the server's set language, or
    /// English).
    async fn remember_guild_locale(&self, store: &Store, guild: u64, origin: Origin) {
        let Some(lang) = origin.guild_lang else {
            return;
        };
        if let Err(e) = store.set_guild_locale(guild, lang.code()).await {
            tracing::warn!(error = %e, "could not remember the server's locale");
        }
    }

    /// A plan in words: what, where, when, what comes next.
    fn describe(&self, ctx: &Ctx, p: &Plan) -> Msg {
        let corpus = &ctx.engine.corpus;
        let doc = corpus.documents.iter().position(|d| d.id == p.document);
        let title = doc.map_or(p.document.clone(), |d| corpus.documents[d].title.clone());
        let next = doc.map_or_else(
            || format!("§{} ¶{}", p.section, p.passage),
            |d| Reference::passage(d as u32, p.section, p.passage).short(corpus),
        );
        let state = match p.status {
            PlanStatus::Active => {
                Msg::new("plan-state-active").arg("due", p.next_due_at.to_string())
            }
            PlanStatus::Paused => Msg::new("plan-state-paused").arg(
                "reason",
                match p.pause_reason.as_deref() {
                    None => Msg::new("plan-no-reason"),
                    Some(PAUSED_BY_COMMAND) => Msg::new("plan-paused-by-command"),
                    Some(r) => Msg::verbatim(r),
                },
            ),
            PlanStatus::Ended => Msg::new("plan-state-ended"),
        };
        Msg::new("plan-describe")
            .arg("title", crate::render::discord::markdown(&title, &[], 200))
            .arg("channel", p.channel.to_string())
            .arg("count", p.passages_per_day)
            .arg("time", p.local_time.clone())
            .arg("timezone", p.timezone.clone())
            .arg("posts", p.posts)
            .arg("next", next)
            .arg("state", state)
    }
}

/// The reason stored for a plan paused with `/plan pause` (shown in each language).
const PAUSED_BY_COMMAND: &str = "paused with /plan pause";

/// Settings lines as a Markdown list.
fn bullets(lines: Vec<Msg>) -> impl Iterator<Item = Msg> {
    lines
        .into_iter()
        .map(|l| Msg::Join(vec![Msg::verbatim("- "), l]))
}

//! The study tools that remember (issue 14), as [`Bot`] handlers: `/settings` (server settings),
//! `/preferences` (a member's own), `/plan` (reading plans), and the settings every `/ask`
//! resolves. They read and write through [`crate::store`] and answer with plain replies, like the
//! rest of the handler; every mistake gets a private, polite explanation.

use chrono::Utc;

use crate::discord::commands::{Origin, PlanCommand, SettingsChange, SettingsCommand, StartPlan};
use crate::discord::handler::{Bot, Ctx};
use crate::prefs::{self, Asked, Effective};
use crate::reference::{Reference, find_document};
use crate::reply::{Body, Reply};
use crate::schedule::{self, MAX_PER_DAY};
use crate::store::{GuildSettings, MemberSettings, NewPlan, Plan, PlanStatus, Store, StoreError};

/// Shown when the bot runs without a database.
pub const NO_STORE: &str = "This bot runs without a database, so settings and reading plans are off. Its admin can turn them on (see `cabildo db status`).";

/// Shown for server-only commands in direct messages.
pub const SERVER_ONLY: &str = "That works only in a server: run it in one of its channels.";

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
    fn document_id(&self, ctx: &Ctx, typed: &str) -> Result<Option<String>, String> {
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
            .to_string()),
        }
    }

    /// A change, checked; the document it names, made canonical. `Err`: the notice.
    fn check_change(
        &self,
        ctx: &Ctx,
        c: &SettingsChange,
    ) -> Result<Option<Option<String>>, String> {
        if let Some(v) = c.results {
            prefs::check_range("The number of results", v, prefs::TOP_RANGE)?;
        }
        if let Some(v) = c.rate_burst {
            prefs::check_range("The rate limit's burst", v, prefs::BURST_RANGE)?;
        }
        if let Some(v) = c.rate_refill_seconds {
            prefs::check_range("The rate limit's refill time", v, prefs::REFILL_RANGE)?;
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
            SettingsCommand::Show => (current, "This server's settings:", false),
            SettingsCommand::Reset => (
                GuildSettings::default(),
                "Settings reset to the bot's defaults:",
                true,
            ),
            SettingsCommand::Set(c) => {
                let document = match self.check_change(ctx, &c) {
                    Ok(d) => d,
                    Err(notice) => return Reply::notice(notice),
                };
                let num = |v: Option<i64>, old: Option<u32>| v.map(|v| v as u32).or(old);
                let next = GuildSettings {
                    document: document.unwrap_or(current.document),
                    private: c.private.or(current.private),
                    top: num(c.results, current.top),
                    rate_burst: num(c.rate_burst, current.rate_burst),
                    rate_refill_seconds: num(c.rate_refill_seconds, current.rate_refill_seconds),
                };
                (next, "Saved. This server's settings:", true)
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
        let mut lines = vec![heading.to_string()];
        lines.extend(effective.lines().into_iter().map(|l| format!("- {l}")));
        lines.push(
            "Members may choose their own with `/preferences`; an option in a command always wins."
                .into(),
        );
        Reply::private(Body::Notice(lines.join("\n")))
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
            SettingsCommand::Show => (current, "The settings that apply to you here:", false),
            SettingsCommand::Reset => (
                MemberSettings::default(),
                "Your preferences are forgotten; the server's settings apply:",
                true,
            ),
            SettingsCommand::Set(c) => {
                if c.rate_burst.is_some() || c.rate_refill_seconds.is_some() {
                    return Reply::notice("The rate limit is the server's to set (`/settings`).");
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
                    "Saved. The settings that apply to you here:",
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
        let mut lines = vec![heading.to_string()];
        lines.extend(effective.lines().into_iter().map(|l| format!("- {l}")));
        Reply::private(Body::Notice(lines.join("\n")))
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
                        Some("paused with /plan pause".into()),
                        None,
                    )
                    .await
            }
            PlanCommand::Resume => match store.open_plan(guild).await {
                Ok(Some(p)) => {
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
                        return Reply::notice(format!(
                            "The plan's text `{}` is no longer among this server's texts: add it again with `/texts add`, or stop the plan (`/plan stop`) and start another.",
                            p.document
                        ));
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
                        return Reply::notice(
                            "The plan's text is no longer loaded: stop the plan (`/plan stop`) and start another.",
                        );
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
                            return Reply::notice(
                                "Skipping would pass the end of the text: the next post is the last one.",
                            );
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
            Ok(None) => {
                Reply::notice("This server has no reading plan. Start one with `/plan start`.")
            }
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
                return Reply::notice(
                    crate::error::UserError::UnknownDocument {
                        name: s.document,
                        available: crate::reference::doc_list(corpus),
                    }
                    .to_string(),
                );
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
                    Err(e) => return Reply::notice(e.to_string()),
                };
                if at.doc != doc {
                    return Reply::notice(format!(
                        "{typed} is not in {}: give a reference in the plan's text.",
                        document.id
                    ));
                }
                if let Err(e) = at.check(corpus) {
                    return Reply::notice(e.to_string());
                }
                Some((at.section, at.passages.map_or(1, |(a, _)| a)))
            }
        };
        let Some((section, passage)) = start else {
            return Reply::notice("That text has no passages to read.");
        };
        let per_day = match s.passages_per_day {
            None => 1,
            Some(n) => match prefs::check_range("Passages per day", n, 1..=MAX_PER_DAY) {
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
                return Reply::notice(
                    "I cannot post in this channel: I need View Channel, Send Messages and Create Public Threads here. Give me those, or pick another channel with the `channel` option.",
                );
            }
        }
        let due = schedule::next_due(Utc::now(), time, zone);
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
            Ok(None) => Reply::notice(
                "This server already has a reading plan: see it with `/plan status`, or end it with `/plan stop` before starting another.",
            ),
            Ok(Some(p)) => Reply::private(Body::Notice(format!(
                "Reading plan started.\n{}",
                self.describe(ctx, &p)
            ))),
        }
    }

    /// A plan in words: what, where, when, what comes next.
    fn describe(&self, ctx: &Ctx, p: &Plan) -> String {
        let corpus = &ctx.engine.corpus;
        let doc = corpus.documents.iter().position(|d| d.id == p.document);
        let title = doc.map_or(p.document.clone(), |d| corpus.documents[d].title.clone());
        let next = doc.map_or_else(
            || format!("§{} ¶{}", p.section, p.passage),
            |d| Reference::passage(d as u32, p.section, p.passage).short(corpus),
        );
        let state = match p.status {
            PlanStatus::Active => format!(
                "next post <t:{}:F> (<t:{}:R>)",
                p.next_due_at, p.next_due_at
            ),
            PlanStatus::Paused => format!(
                "paused ({}); `/plan resume` continues from where it stopped",
                p.pause_reason.as_deref().unwrap_or("no reason given")
            ),
            PlanStatus::Ended => "ended".to_string(),
        };
        format!(
            "**{}** in <#{}>: {} passage{} a day at {} ({}), {} posted so far.\nNext: {next}; {state}.",
            crate::render::discord::markdown(&title, &[], 200),
            p.channel,
            p.passages_per_day,
            if p.passages_per_day == 1 { "" } else { "s" },
            p.local_time,
            p.timezone,
            p.posts,
        )
    }
}

//! Reading plans on schedule: when a plan's next post is due, claim it in the database, post the
//! next passages, open a thread on the post, then move the plan on.
//!
//! Guarantees, and how:
//! - **Never the same day twice.** A scheduler (a `cabildo run`, or any `cabildo serve` replica with
//!   a bot token) first *claims* a due plan with one atomic statement that sets `claimed_by` and a
//!   short lease ([`LEASE_SECONDS`]); only the holder posts, and only the holder's
//!   [`Store::finish_post`] moves the plan on. Should the holder die between the post and the
//!   update, the lease runs out and another scheduler posts again: that post carries the same
//!   Discord `nonce` (plan and day) with `enforce_nonce`, so Discord returns the first message
//!   instead of creating a second one (it keeps nonces for a few minutes, longer than the lease).
//! - **Nothing silently lost.** The next due instant is stored, not computed from "now", so a post
//!   due while no scheduler ran is found on the next tick and sent once, marked late; the plan then
//!   continues from the next day at its local time (missed days are not sent in a burst).
//! - **Failures are visible.** A channel that is gone (404) or forbidden (403) pauses the plan with
//!   the reason (never deletes it) and tells the member who started it once; a passing failure
//!   (Discord down) releases the claim and is retried a minute later.
//! - **Local time.** Due instants follow the plan's IANA time zone: a time that does not exist on
//!   the day clocks go forward posts at the first instant after the gap; a time that happens twice
//!   when they go back posts at the first.
//!
//! Discord is behind [`Poster`] so the scheduler can be driven by a controllable [`Clock`] in tests;
//! [`crate::discord::poster`] is the real one (serenity's HTTP client).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::corpus::Corpus;
use crate::reference::Reference;
use crate::render::discord::{block_quote, clip, markdown};
use crate::store::{Plan, Posted, Store, StoreError};

/// How long a claim holds before another scheduler may take the plan (the holder died).
pub const LEASE_SECONDS: i64 = 60;
/// How late a post may be before it says so.
pub const LATE_AFTER_SECONDS: i64 = 10 * 60;
/// How often the scheduler looks for due plans.
pub const TICK: Duration = Duration::from_secs(20);
/// Most passages a plan may post per day (one message of 2,000 characters holds them).
pub const MAX_PER_DAY: u32 = 10;
/// Discord's limit on a message's content, in characters.
const CONTENT_LIMIT: usize = 2000;

/// The time now; tests use [`TestClock`].
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn at(now: DateTime<Utc>) -> Self {
        TestClock(Mutex::new(now))
    }
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses a local time `HH:MM` (24-hour). The error is for the member who typed it.
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "“{}” is not a time I understand: use 24-hour `HH:MM`, such as `07:30` or `19:00`.",
            clip(t, 20)
        )
    };
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (h, m) = (number(h).ok_or_else(bad)?, number(m).ok_or_else(bad)?);
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| {
        format!(
            "{t} is not a time of day: hours go from 00 to 23 and minutes from 00 to 59 (for example `07:30`)."
        )
    })
}

/// Parses an IANA time zone name (`Europe/Madrid`, `America/La_Paz`, `UTC`), case-insensitively.
pub fn parse_zone(text: &str) -> Result<Tz, String> {
    let t = text.trim();
    t.parse::<Tz>()
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .copied()
                .find(|z| z.name().eq_ignore_ascii_case(t))
        })
        .ok_or_else(|| {
            format!(
                "“{}” is not a time zone I know: use an IANA name such as `Europe/Madrid`, `America/La_Paz` or `UTC` (see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones).",
                clip(t, 60)
            )
        })
}

/// The instant local `time` falls on `date` in `tz`: the first of two when clocks go back, the
/// first instant after the gap when clocks go forward over it.
pub fn local_instant(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: the first local minute after it that exists (gaps are at most a few hours).
            let mut probe = naive;
            for _ in 0..(24 * 60) {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    // Back to the top of the minute the gap ends at.
                    return t.with_timezone(&Utc).with_second(0).unwrap_or(t.to_utc());
                }
            }
            naive.and_utc()
        }
    }
}

/// The first instant strictly after `after` at local `time` in `tz`.
pub fn next_due(after: DateTime<Utc>, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let mut date = after.with_timezone(&tz).date_naive();
    loop {
        let t = local_instant(date, time, tz);
        if t > after {
            return t;
        }
        date = date.checked_add_days(Days::new(1)).unwrap_or(date);
        if date == NaiveDate::MAX {
            return t;
        }
    }
}

/// The local day (`YYYY-MM-DD`) of an instant.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).date_naive().to_string()
}

/// The passages a post holds: from `(section, passage)` on, in reading order, `count` of them;
/// and where the next post starts (`None`: the document ends).
pub fn passages_from(
    corpus: &Corpus,
    doc: u32,
    section: u32,
    passage: u32,
    count: u32,
) -> (Vec<Reference>, Option<(u32, u32)>) {
    let Some(document) = corpus.documents.get(doc as usize) else {
        return (Vec::new(), None);
    };
    let mut all = document.sections.iter().flat_map(|s| {
        s.passages
            .iter()
            .map(move |p| Reference::passage(doc, s.number, p.number))
    });
    let mut out = Vec::new();
    for r in all.by_ref() {
        let key = (r.section, r.passages.map_or(0, |(a, _)| a));
        if key < (section, passage) {
            continue;
        }
        out.push(r);
        if out.len() as u32 >= count {
            break;
        }
    }
    let next = all
        .next()
        .map(|r| (r.section, r.passages.map_or(1, |(a, _)| a)));
    (out, next)
}

/// Why a post could not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostError {
    /// 404: the channel is gone.
    Gone,
    /// 403: the bot may not post there.
    Forbidden,
    /// Anything else (Discord down, a time-out): try again later.
    Passing(String),
}

/// A message to post.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub channel: u64,
    pub content: String,
    /// Discord's idempotency key: a retry of the same post returns the first message.
    pub nonce: String,
    /// Name of the thread to open on the post (`None`: no thread).
    pub thread: Option<String>,
}

/// Boxed future, so that [`Poster`] can be a trait object.
pub type PostFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the scheduler posts: Discord, or a test's recorder.
pub trait Poster: Send + Sync {
    /// Posts the message (and opens its thread); the message id.
    fn post(&self, post: Post) -> PostFuture<'_, Result<u64, PostError>>;
    /// Tells `user` (the member who started the plan) privately.
    fn tell(&self, user: u64, text: String) -> PostFuture<'_, Result<(), PostError>>;
}

/// What one post of a plan did, for logs and tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Posted {
        plan: i64,
        late: bool,
        ended: bool,
    },
    Paused {
        plan: i64,
        reason: String,
    },
    Retry {
        plan: i64,
    },
    /// Another scheduler took the plan over (this one's lease ran out).
    Lost {
        plan: i64,
    },
}

/// A server's texts, shared with whoever is reading them.
pub type TextsOf = Arc<dyn AsRef<Corpus> + Send + Sync>;

/// Where the scheduler finds the texts a plan reads: the server's own library (the host's texts
/// and the server's), or the same texts for every server.
pub trait Texts: Send + Sync {
    fn of(&self, guild: u64) -> PostFuture<'_, TextsOf>;
}

/// The same texts for every server.
pub struct Everywhere(pub Arc<Corpus>);

impl Texts for Everywhere {
    fn of(&self, _guild: u64) -> PostFuture<'_, TextsOf> {
        let corpus: TextsOf = self.0.clone();
        Box::pin(async move { corpus })
    }
}

/// Posts due reading plans.
pub struct Scheduler {
    pub store: Store,
    pub texts: Arc<dyn Texts>,
    pub poster: Arc<dyn Poster>,
    pub clock: Arc<dyn Clock>,
    /// This scheduler's name in claims (host, process and a random part).
    pub owner: String,
}

impl Scheduler {
    pub fn new(
        store: Store,
        corpus: Arc<Corpus>,
        poster: Arc<dyn Poster>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Scheduler::with_texts(store, Arc::new(Everywhere(corpus)), poster, clock)
    }

    /// A scheduler that reads each plan in its server's texts.
    pub fn with_texts(
        store: Store,
        texts: Arc<dyn Texts>,
        poster: Arc<dyn Poster>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let owner = format!(
            "{}-{:x}",
            std::process::id(),
            xxhash_rust::xxh3::xxh3_64(format!("{:?}", std::time::Instant::now()).as_bytes())
        );
        Scheduler {
            store,
            texts,
            poster,
            clock,
            owner,
        }
    }

    /// Posts every plan due now; what each did.
    pub async fn tick(&self) -> Result<Vec<Outcome>, StoreError> {
        let mut done = Vec::new();
        loop {
            let now = self.clock.now().timestamp();
            let Some(plan) = self
                .store
                .claim_due(now, &self.owner, LEASE_SECONDS)
                .await?
            else {
                return Ok(done);
            };
            done.push(self.post(plan).await?);
        }
    }

    /// Ticks every `tick` ([`TICK`] in production) until `shutdown`.
    pub async fn run(self, tick: Duration, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut every = tokio::time::interval(tick);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // A tick runs to its end (post, then move the plan on) before shutdown is looked at.
            tokio::select! {
                biased;
                () = &mut shutdown => return,
                _ = every.tick() => match self.tick().await {
                    Ok(done) => for o in done {
                        tracing::info!(outcome = ?o, "reading plan");
                    },
                    Err(e) => tracing::warn!(error = %e, "reading plans: could not reach the database"),
                },
            }
        }
    }

    async fn post(&self, plan: Plan) -> Result<Outcome, StoreError> {
        let now = self.clock.now();
        let Ok(tz) = parse_zone(&plan.timezone) else {
            return self
                .pause(&plan, format!("its time zone {} is unknown", plan.timezone))
                .await;
        };
        let time = parse_time(&plan.local_time).unwrap_or(NaiveTime::MIN);
        let texts = self.texts.of(plan.guild).await;
        let corpus: &Corpus = (*texts).as_ref();
        let Some(doc) = corpus.documents.iter().position(|d| d.id == plan.document) else {
            return self
                .pause(
                    &plan,
                    format!("the document {} is no longer loaded", plan.document),
                )
                .await;
        };
        let due = DateTime::from_timestamp(plan.next_due_at, 0).unwrap_or(now);
        let day = local_day(due, tz);
        let (refs, next) = passages_from(
            corpus,
            doc as u32,
            plan.section,
            plan.passage,
            plan.passages_per_day.clamp(1, MAX_PER_DAY),
        );
        let late = now.timestamp() - plan.next_due_at > LATE_AFTER_SECONDS;
        let day_number = plan.posts + 1;
        let ended = next.is_none();
        let ending = ended.then(|| {
            format!(
                "That was the last passage of {}: the reading plan is finished. Thank you for reading together!",
                markdown(&corpus.documents[doc].title, &[], 200)
            )
        });
        let content = render_post(
            corpus,
            &refs,
            day_number,
            late.then_some((due, tz)),
            ending.as_deref(),
        );
        let thread = (!refs.is_empty()).then(|| {
            let first = refs[0].short(corpus);
            let last = refs[refs.len() - 1].short(corpus);
            let span = if first == last {
                first
            } else {
                format!("{first} – {last}")
            };
            clip(&format!("Day {day_number}: {span}"), 100)
        });
        let post = Post {
            channel: plan.channel,
            content,
            nonce: clip(&format!("p{}d{}", plan.id, day.replace('-', "")), 25),
            thread,
        };
        match self.poster.post(post).await {
            Ok(_) => {
                let (section, passage) = next.unwrap_or((plan.section, plan.passage));
                // From the later of now and the due instant, so a late post is not followed by
                // another one the same day.
                let next_due = next_due(now.max(due), time, tz);
                let posted = Posted {
                    plan: plan.id,
                    section,
                    passage,
                    next_due_at: next_due.timestamp(),
                    day,
                    ended,
                };
                if !self.store.finish_post(&self.owner, posted).await? {
                    return Ok(Outcome::Lost { plan: plan.id });
                }
                Ok(Outcome::Posted {
                    plan: plan.id,
                    late,
                    ended,
                })
            }
            Err(PostError::Gone) => {
                self.pause(&plan, "its channel is gone (deleted, or the bot was removed from the server)".into())
                    .await
            }
            Err(PostError::Forbidden) => {
                self.pause(
                    &plan,
                    "the bot may not post in its channel (it needs View Channel, Send Messages and Create Public Threads there)".into(),
                )
                .await
            }
            Err(PostError::Passing(why)) => {
                tracing::warn!(plan = plan.id, error = %why, "a reading plan post failed; retrying in a minute");
                self.store
                    .release(plan.id, &self.owner, now.timestamp() + 60)
                    .await?;
                Ok(Outcome::Retry { plan: plan.id })
            }
        }
    }

    /// Pauses a claimed plan and tells its starter once.
    async fn pause(&self, plan: &Plan, reason: String) -> Result<Outcome, StoreError> {
        if !self
            .store
            .pause_claimed(plan.id, &self.owner, &reason)
            .await?
        {
            return Ok(Outcome::Lost { plan: plan.id });
        }
        if self.store.mark_admins_told(plan.id).await? {
            let text = format!(
                "The reading plan in <#{}> is paused: {reason}. Fix that, then run `/plan resume` in the server (or `/plan stop` to end it). Nothing is lost: it continues where it stopped.",
                plan.channel
            );
            if let Err(e) = self.poster.tell(plan.created_by, text).await {
                tracing::warn!(plan = plan.id, error = ?e, "could not tell the plan's starter it is paused");
            }
        }
        Ok(Outcome::Paused {
            plan: plan.id,
            reason,
        })
    }
}

/// A scheduler running on its own task. [`Running::stop`] lets a post in progress finish; dropping
/// it without stopping aborts the task (a claim it held then waits out its lease).
pub struct Running {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops after the post in progress, if any.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Starts a scheduler on the system clock, ticking every `tick` until stopped.
pub fn spawn(
    store: Store,
    texts: Arc<dyn Texts>,
    poster: Arc<dyn Poster>,
    tick: Duration,
) -> Running {
    let scheduler = Scheduler::with_texts(store, texts, poster, Arc::new(SystemClock));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(scheduler.run(tick, async {
        let _ = stopped.await;
    }));
    Running {
        stop: Some(stop),
        task: Some(task),
    }
}

/// The post: a heading, then each passage quoted with its reference, then `ending` (the plan is
/// finished), within Discord's 2,000 characters.
pub fn render_post(
    corpus: &Corpus,
    refs: &[Reference],
    day: i64,
    late: Option<(DateTime<Utc>, Tz)>,
    ending: Option<&str>,
) -> String {
    let mut head = format!("📖 **Reading plan, day {day}**");
    if let Some((due, tz)) = late {
        head.push_str(&format!(
            " (late: this was due {})",
            due.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
        ));
    }
    let tail = ending.map_or(0, |e| e.chars().count() + 2);
    let room = CONTENT_LIMIT.saturating_sub(head.chars().count() + tail);
    let share = room / refs.len().max(1);
    let mut out = head;
    for r in refs {
        let text = r
            .section(corpus)
            .and_then(|s| {
                let n = r.passages.map_or(1, |(a, _)| a);
                s.passages.iter().find(|p| p.number == n)
            })
            .map(|p| p.text.as_str())
            .unwrap_or("");
        let label = format!("**{}**\n", markdown(&r.human(corpus), &[], 150));
        let quote = block_quote(text, &[], share.saturating_sub(label.chars().count() + 2));
        out.push_str("\n\n");
        out.push_str(&label);
        out.push_str(&quote);
    }
    if let Some(e) = ending {
        out.push_str("\n\n");
        out.push_str(e);
    }
    clip(&out, CONTENT_LIMIT)
}

//! Reading plans on schedule, with a clock the tests move: due and not due, daylight-saving jumps
//! both ways, catch-up after downtime (marked late, sent once), schedulers racing for one post,
//! 403 and 404 pausing the plan, the end of the document. On SQLite and on Postgres (see
//! [`crate::store`]). Discord is a recorder here; tests/discord/e2e.rs posts through the fake
//! Discord.

use std::sync::{Arc, Mutex};

use cabildo::corpus::Corpus;
use cabildo::schedule::{
    Clock, Outcome, Post, PostError, PostFuture, Poster, Scheduler, TestClock, local_instant,
    next_due, parse_time, parse_zone,
};
use cabildo::store::{NewPlan, PlanStatus, Store};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::store::backends;

/// Records what would be posted; answers with `fail` while it is set.
#[derive(Default)]
pub struct Recorder {
    pub posts: Mutex<Vec<Post>>,
    pub told: Mutex<Vec<(u64, String)>>,
    pub fail: Mutex<Option<PostError>>,
}

impl Poster for Recorder {
    fn post(&self, post: Post) -> PostFuture<'_, Result<u64, PostError>> {
        Box::pin(async move {
            if let Some(e) = self.fail.lock().expect("lock").clone() {
                return Err(e);
            }
            let mut posts = self.posts.lock().expect("lock");
            posts.push(post);
            Ok(posts.len() as u64)
        })
    }
    fn tell(&self, user: u64, text: String) -> PostFuture<'_, Result<(), PostError>> {
        Box::pin(async move {
            self.told.lock().expect("lock").push((user, text));
            Ok(())
        })
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid")
}

fn corpus() -> Arc<Corpus> {
    Arc::new(cabildo::corpus::embedded())
}

/// A plan of the essay from 2.1, two passages a day, in channel 77, started by member 5.
fn new_plan(store: &Store, due: DateTime<Utc>, time: &str, tz: &str) -> i64 {
    plan_from(store, due, time, tz, (2, 1, 2))
}

/// The same from `(section, passage)` with `per_day` passages a day.
fn plan_from(
    store: &Store,
    due: DateTime<Utc>,
    time: &str,
    tz: &str,
    (section, passage, per_day): (u32, u32, u32),
) -> i64 {
    store
        .block(store.create_plan(NewPlan {
            guild: 1,
            channel: 77,
            created_by: 5,
            document: corpus().documents[0].id.clone(),
            section,
            passage,
            passages_per_day: per_day,
            local_time: time.into(),
            timezone: tz.into(),
            next_due_at: due.timestamp(),
        }))
        .expect("create")
        .expect("created")
        .id
}

fn scheduler(store: &Store, clock: Arc<TestClock>, poster: Arc<Recorder>) -> Scheduler {
    Scheduler::new(store.clone(), corpus(), poster, clock)
}

fn tick(s: &Scheduler) -> Vec<Outcome> {
    s.store.block(s.tick()).expect("tick")
}

#[test]
fn times_and_zones_are_checked_with_clear_messages() {
    assert_eq!(
        parse_time("07:30").expect("valid"),
        chrono::NaiveTime::from_hms_opt(7, 30, 0).expect("t")
    );
    assert!(parse_time("7:05").is_ok());
    let e = parse_time("25:99").expect_err("no such time").to_string();
    assert!(e.contains("hours go from 00 to 23"), "{e}");
    let e = parse_time("noon").expect_err("not a time").to_string();
    assert!(e.contains("HH:MM"), "{e}");
    assert_eq!(
        parse_zone("europe/madrid").expect("any case").name(),
        "Europe/Madrid"
    );
    let e = parse_zone("Mars/Olympus_Mons")
        .expect_err("unknown")
        .to_string();
    assert!(e.contains("IANA") && e.contains("Europe/Madrid"), "{e}");
}

#[test]
fn next_due_follows_local_time_across_daylight_saving_changes() {
    let madrid = parse_zone("Europe/Madrid").expect("zone");
    let t = |s| parse_time(s).expect("time");
    // A normal winter day: 07:00 in Madrid is 06:00 UTC, and the next one is a day later.
    assert_eq!(
        next_due(utc(2026, 1, 10, 5, 0), t("07:00"), madrid),
        utc(2026, 1, 10, 6, 0)
    );
    assert_eq!(
        next_due(utc(2026, 1, 10, 6, 0), t("07:00"), madrid),
        utc(2026, 1, 11, 6, 0)
    );
    // Clocks go forward on 29 March 2026 at 02:00 → 03:00: 02:30 does not exist that day and
    // posts at the first instant after the gap (03:00 CEST = 01:00 UTC); 07:00 is 05:00 UTC.
    assert_eq!(
        next_due(utc(2026, 3, 28, 12, 0), t("02:30"), madrid),
        utc(2026, 3, 29, 1, 0)
    );
    assert_eq!(
        next_due(utc(2026, 3, 28, 12, 0), t("07:00"), madrid),
        utc(2026, 3, 29, 5, 0)
    );
    // Clocks go back on 25 October 2026 at 03:00 → 02:00: 02:30 happens twice; the first
    // (CEST, 00:30 UTC) counts, and the second is not a second post that day.
    let first = next_due(utc(2026, 10, 24, 12, 0), t("02:30"), madrid);
    assert_eq!(first, utc(2026, 10, 25, 0, 30));
    assert_eq!(
        next_due(first, t("02:30"), madrid),
        utc(2026, 10, 26, 1, 30)
    );
    assert_eq!(
        local_instant(
            NaiveDate::from_ymd_opt(2026, 10, 25).expect("d"),
            t("07:00"),
            madrid
        ),
        utc(2026, 10, 25, 6, 0)
    );
}

#[test]
fn posts_when_due_and_not_before_then_moves_to_the_next_day() {
    for db in backends("due") {
        let store = &db.store;
        let due = utc(2026, 1, 10, 6, 0);
        let plan = new_plan(store, due, "07:00", "Europe/Madrid");
        let clock = Arc::new(TestClock::at(due - chrono::Duration::minutes(1)));
        let rec = Arc::new(Recorder::default());
        let s = scheduler(store, clock.clone(), rec.clone());
        assert!(tick(&s).is_empty(), "posted a minute early");
        clock.set(due);
        assert_eq!(
            tick(&s),
            vec![Outcome::Posted {
                plan,
                late: false,
                ended: false
            }]
        );
        let posts = rec.posts.lock().expect("lock").clone();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].channel, 77);
        assert!(posts[0].content.contains("day 1"), "{}", posts[0].content);
        assert!(!posts[0].content.contains("(late"), "{}", posts[0].content);
        assert!(posts[0].content.chars().count() <= 2000);
        assert!(
            posts[0]
                .thread
                .as_deref()
                .is_some_and(|t| t.starts_with("Day 1"))
        );
        // Ticking again the same minute (or a restart) posts nothing more.
        assert!(tick(&s).is_empty());
        let fresh = scheduler(store, clock.clone(), rec.clone());
        assert!(
            tick(&fresh).is_empty(),
            "{}: a restart posted again",
            store.kind()
        );
        let p = store.block(store.plan(plan)).expect("read").expect("plan");
        assert_eq!(p.next_due_at, utc(2026, 1, 11, 6, 0).timestamp());
        assert_eq!(p.last_posted_day.as_deref(), Some("2026-01-10"));
        assert_eq!((p.section, p.passage), (2, 3), "two passages a day");
        clock.set(utc(2026, 1, 11, 6, 0));
        assert_eq!(tick(&s).len(), 1);
        assert!(rec.posts.lock().expect("lock")[1].content.contains("day 2"));
    }
}

#[test]
fn a_post_missed_while_down_is_sent_once_marked_late() {
    for db in backends("catchup") {
        let store = &db.store;
        let due = utc(2026, 1, 10, 6, 0);
        let plan = new_plan(store, due, "07:00", "Europe/Madrid");
        // Down for three days: on start, one post (not three), marked late.
        let clock = Arc::new(TestClock::at(utc(2026, 1, 13, 9, 0)));
        let rec = Arc::new(Recorder::default());
        let s = scheduler(store, clock.clone(), rec.clone());
        assert_eq!(
            tick(&s),
            vec![Outcome::Posted {
                plan,
                late: true,
                ended: false
            }]
        );
        let content = rec.posts.lock().expect("lock")[0].content.clone();
        assert!(
            content.contains("(late") && content.contains("2026-01-10 07:00"),
            "{content}"
        );
        assert!(tick(&s).is_empty());
        // The plan goes on at its local time, the next day.
        let p = store.block(store.plan(plan)).expect("read").expect("plan");
        assert_eq!(p.next_due_at, utc(2026, 1, 14, 6, 0).timestamp());
    }
}

#[test]
fn two_schedulers_racing_post_exactly_once() {
    for db in backends("racing") {
        let store = &db.store;
        let due = utc(2026, 2, 1, 6, 0);
        new_plan(store, due, "07:00", "Europe/Madrid");
        let clock = Arc::new(TestClock::at(due));
        let rec = Arc::new(Recorder::default());
        // Two replicas, each with its own pool, ticking at the same moment on threads.
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (url, clock, rec, barrier) =
                    (db.url.clone(), clock.clone(), rec.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let replica = Store::open(&url).expect("replica");
                    let s = scheduler(&replica, clock, rec);
                    barrier.wait();
                    tick(&s).len()
                })
            })
            .collect();
        let total: usize = handles.into_iter().map(|h| h.join().expect("thread")).sum();
        assert_eq!(total, 1, "{}", store.kind());
        assert_eq!(rec.posts.lock().expect("lock").len(), 1, "{}", store.kind());
    }
}

#[test]
fn forbidden_or_missing_channels_pause_the_plan_and_tell_once() {
    for (error, word) in [
        (PostError::Forbidden, "may not post"),
        (PostError::Gone, "gone"),
    ] {
        for db in backends("pause") {
            let store = &db.store;
            let due = utc(2026, 1, 10, 6, 0);
            let plan = new_plan(store, due, "07:00", "Europe/Madrid");
            let clock = Arc::new(TestClock::at(due));
            let rec = Arc::new(Recorder::default());
            *rec.fail.lock().expect("lock") = Some(error.clone());
            let s = scheduler(store, clock.clone(), rec.clone());
            let out = tick(&s);
            assert!(
                matches!(&out[..], [Outcome::Paused { plan: p, reason }] if *p == plan && reason.contains(word)),
                "{out:?}"
            );
            let p = store.block(store.plan(plan)).expect("read").expect("kept");
            assert_eq!(p.status, PlanStatus::Paused);
            let told = rec.told.lock().expect("lock").clone();
            assert_eq!(told.len(), 1);
            assert_eq!(told[0].0, 5, "the member who started the plan");
            assert!(told[0].1.contains("/plan resume"), "{}", told[0].1);
            // Paused: later ticks neither post nor tell again.
            clock.advance(chrono::Duration::days(2));
            assert!(tick(&s).is_empty());
            assert_eq!(rec.told.lock().expect("lock").len(), 1);
            // Resumed after the fix: it posts from where it stopped.
            *rec.fail.lock().expect("lock") = None;
            store
                .block(store.set_plan_status(
                    1,
                    PlanStatus::Active,
                    None,
                    Some(clock.now().timestamp()),
                ))
                .expect("resume");
            assert_eq!(tick(&s).len(), 1);
            let posted = store.block(store.plan(plan)).expect("read").expect("plan");
            assert_eq!((posted.section, posted.passage, posted.posts), (2, 3, 1));
        }
    }
}

#[test]
fn a_passing_failure_is_retried_not_lost() {
    for db in backends("retry") {
        let store = &db.store;
        let due = utc(2026, 1, 10, 6, 0);
        let plan = new_plan(store, due, "07:00", "Europe/Madrid");
        let clock = Arc::new(TestClock::at(due));
        let rec = Arc::new(Recorder::default());
        *rec.fail.lock().expect("lock") = Some(PostError::Passing("503".into()));
        let s = scheduler(store, clock.clone(), rec.clone());
        assert_eq!(tick(&s), vec![Outcome::Retry { plan }]);
        *rec.fail.lock().expect("lock") = None;
        assert!(tick(&s).is_empty(), "retried at once");
        clock.advance(chrono::Duration::minutes(2));
        assert_eq!(tick(&s).len(), 1);
        assert_eq!(rec.posts.lock().expect("lock").len(), 1);
    }
}

#[test]
fn the_plan_ends_with_a_message_at_the_end_of_the_document() {
    for db in backends("end") {
        let store = &db.store;
        let c = corpus();
        let doc = &c.documents[0];
        let last = doc
            .sections
            .iter()
            .rev()
            .find(|s| !s.passages.is_empty())
            .expect("a section");
        let due = utc(2026, 1, 10, 6, 0);
        let plan = plan_from(
            store,
            due,
            "07:00",
            "UTC",
            (last.number, last.passages.len() as u32, 3),
        );
        let clock = Arc::new(TestClock::at(due));
        let rec = Arc::new(Recorder::default());
        let s = scheduler(store, clock.clone(), rec.clone());
        assert_eq!(
            tick(&s),
            vec![Outcome::Posted {
                plan,
                late: false,
                ended: true
            }]
        );
        let content = rec.posts.lock().expect("lock")[0].content.clone();
        assert!(
            content.contains("the reading plan is finished"),
            "{content}"
        );
        let p = store.block(store.plan(plan)).expect("read").expect("kept");
        assert_eq!(p.status, PlanStatus::Ended);
        clock.advance(chrono::Duration::days(3));
        assert!(tick(&s).is_empty());
    }
}

#[test]
fn a_plan_keeps_its_local_time_through_both_daylight_saving_changes() {
    for db in backends("dst") {
        let store = &db.store;
        let madrid = parse_zone("Europe/Madrid").expect("zone");
        let time = parse_time("02:30").expect("time");
        // Due on 28 March 2026 at 02:30 CET (01:30 UTC); clocks go forward the next night.
        let first = next_due(utc(2026, 3, 27, 12, 0), time, madrid);
        assert_eq!(first, utc(2026, 3, 28, 1, 30));
        let plan = new_plan(store, first, "02:30", "Europe/Madrid");
        let clock = Arc::new(TestClock::at(first));
        let rec = Arc::new(Recorder::default());
        let s = scheduler(store, clock.clone(), rec.clone());
        assert_eq!(tick(&s).len(), 1);
        // 02:30 does not exist on 29 March: the post comes at 03:00 CEST (01:00 UTC), once.
        let due = store
            .block(store.plan(plan))
            .expect("read")
            .expect("plan")
            .next_due_at;
        assert_eq!(due, utc(2026, 3, 29, 1, 0).timestamp());
        clock.set(utc(2026, 3, 29, 1, 0));
        assert_eq!(tick(&s).len(), 1);
        clock.set(utc(2026, 3, 29, 1, 30));
        assert!(tick(&s).is_empty());
        let due = store
            .block(store.plan(plan))
            .expect("read")
            .expect("plan")
            .next_due_at;
        assert_eq!(
            due,
            utc(2026, 3, 30, 0, 30).timestamp(),
            "back to 02:30, now CEST"
        );
        // Clocks go back on 25 October: 02:30 happens at 00:30 and 01:30 UTC; one post.
        store
            .block(store.set_plan_status(
                1,
                PlanStatus::Active,
                None,
                Some(utc(2026, 10, 25, 0, 30).timestamp()),
            ))
            .expect("move to October");
        clock.set(utc(2026, 10, 25, 0, 30));
        assert_eq!(tick(&s).len(), 1);
        clock.set(utc(2026, 10, 25, 1, 30));
        assert!(
            tick(&s).is_empty(),
            "{}: the second 02:30 posted again",
            store.kind()
        );
        assert_eq!(rec.posts.lock().expect("lock").len(), 3);
    }
}

#[test]
fn a_scheduler_that_dies_mid_post_is_replaced_with_the_same_nonce() {
    for db in backends("died") {
        let store = &db.store;
        let due = utc(2026, 1, 10, 6, 0);
        let plan = new_plan(store, due, "07:00", "Europe/Madrid");
        let clock = Arc::new(TestClock::at(due));
        let rec = Arc::new(Recorder::default());
        let s = scheduler(store, clock.clone(), rec.clone());
        // Another scheduler claimed the post and died before finishing it (it may have posted).
        store
            .block(store.claim_due(due.timestamp(), "died", cabildo::schedule::LEASE_SECONDS))
            .expect("claim")
            .expect("due");
        assert!(tick(&s).is_empty(), "taken over while the lease held");
        clock.advance(chrono::Duration::seconds(cabildo::schedule::LEASE_SECONDS));
        assert_eq!(tick(&s).len(), 1);
        let posts = rec.posts.lock().expect("lock").clone();
        // The retry carries the nonce the first attempt used (plan and local day), so Discord
        // returns the first message instead of posting it twice.
        assert_eq!(posts[0].nonce, format!("p{plan}d20260110"));
        assert_eq!(tick(&s).len(), 0);
    }
}

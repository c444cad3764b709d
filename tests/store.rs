//! The store on a real SQLite file and a real Postgres server: every test runs on both. Postgres
//! comes from `CABILDO_TEST_DATABASE_URL` (`bash .ci/with-postgres cargo test` starts a throwaway
//! server and sets it); each test gets a database of its own, so tests run in parallel. Without it
//! the Postgres half is skipped with a loud message, unless `CABILDO_REQUIRE_POSTGRES=1` (set by
//! `.ci/run`), which makes its absence a failure.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};

use cabildo::store::{
    GuildSettings, Kind, MemberSettings, NewBookmark, NewPlan, PlanStatus, Posted, Store,
    StoreError, text_hash,
};

/// A store and what keeps it alive (the SQLite file's directory).
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// The Postgres server for tests, if there is one.
pub fn postgres_url() -> Option<String> {
    match std::env::var("CABILDO_TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            let required = std::env::var("CABILDO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "CABILDO_REQUIRE_POSTGRES=1 but CABILDO_TEST_DATABASE_URL is not set: run the tests through `bash .ci/with-postgres cargo test`"
            );
            eprintln!(
                "\n*** SKIPPING the Postgres half of the store tests: CABILDO_TEST_DATABASE_URL is not set. Run `bash .ci/with-postgres cargo test` to include it. ***\n"
            );
            None
        }
    }
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database on the Postgres server: its URL.
pub fn fresh_postgres(base: &str, name: &str) -> String {
    use sqlx::Connection;
    let db = format!(
        "t_{}_{}_{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    );
    // On a thread of its own, so that async tests may call it too.
    let (base_url, name) = (base.to_string(), db.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut c = sqlx::PgConnection::connect(&base_url)
                .await
                .expect("connect to the test Postgres server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .await
                .expect("create a test database");
        });
    })
    .join()
    .expect("created");
    let (head, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{head}/{db}")
}

/// A migrated store on a new SQLite file, and one on a new Postgres database when there is a
/// server.
pub fn backends(name: &str) -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = cabildo::store::url_for(None, dir.path());
    let mut all = vec![TestDb {
        store: Store::open(&url).expect("open SQLite"),
        url,
        _dir: Some(dir),
    }];
    if let Some(base) = postgres_url() {
        let url = fresh_postgres(&base, name);
        all.push(TestDb {
            store: Store::open(&url).expect("open Postgres"),
            url,
            _dir: None,
        });
    }
    all
}

fn plan(guild: u64, due: i64) -> NewPlan {
    NewPlan {
        guild,
        channel: 500,
        created_by: 7,
        document: "bolivia".into(),
        section: 2,
        passage: 1,
        passages_per_day: 2,
        local_time: "07:00".into(),
        timezone: "Europe/Madrid".into(),
        next_due_at: due,
    }
}

#[test]
fn migrations_apply_once_and_report() {
    for db in backends("migrations") {
        let s = &db.store;
        let status = s.block(s.status()).expect("status");
        assert!(!status.is_empty());
        assert!(
            status.iter().all(|m| m.applied),
            "{:?}: {status:?}",
            s.kind()
        );
        // Opening again (a restart, or a second replica) migrates nothing and keeps the data.
        s.block(s.set_guild_settings(
            1,
            GuildSettings {
                top: Some(4),
                ..Default::default()
            },
        ))
        .expect("write");
        let again = Store::open(&db.url).expect("reopen");
        assert_eq!(
            again.block(again.guild_settings(1)).expect("read").top,
            Some(4)
        );
    }
}

#[test]
fn settings_round_trip_and_stay_per_server_and_member() {
    for db in backends("settings") {
        let s = &db.store;
        assert_eq!(
            s.block(s.guild_settings(42)).expect("read"),
            GuildSettings::default()
        );
        let set = GuildSettings {
            document: Some("kjv".into()),
            private: Some(true),
            top: Some(5),
            rate_burst: Some(2),
            rate_refill_seconds: Some(0),
        };
        s.block(s.set_guild_settings(42, set.clone())).expect("set");
        assert_eq!(s.block(s.guild_settings(42)).expect("read"), set);
        assert_eq!(
            s.block(s.guild_settings(43)).expect("other server"),
            GuildSettings::default()
        );
        // Replacing clears what is no longer set.
        s.block(s.set_guild_settings(
            42,
            GuildSettings {
                top: Some(1),
                ..Default::default()
            },
        ))
        .expect("replace");
        assert_eq!(
            s.block(s.guild_settings(42)).expect("read"),
            GuildSettings {
                top: Some(1),
                ..Default::default()
            }
        );
        let mine = MemberSettings {
            document: None,
            private: Some(false),
            top: Some(10),
        };
        // Ids above i64::MAX survive (stored as the same 64 bits).
        let big = u64::MAX - 5;
        s.block(s.set_member_settings(42, big, mine.clone()))
            .expect("member");
        assert_eq!(s.block(s.member_settings(42, big)).expect("read"), mine);
        assert_eq!(
            s.block(s.member_settings(43, big)).expect("other server"),
            MemberSettings::default()
        );
    }
}

#[test]
fn one_open_plan_per_server() {
    for db in backends("one_plan") {
        let s = &db.store;
        let p = s
            .block(s.create_plan(plan(9, 1000)))
            .expect("create")
            .expect("created");
        assert_eq!(p.status, PlanStatus::Active);
        assert_eq!((p.section, p.passage, p.posts), (2, 1, 0));
        assert!(
            s.block(s.create_plan(plan(9, 1000)))
                .expect("second")
                .is_none(),
            "{}: a second open plan in one server",
            s.kind()
        );
        let paused = s
            .block(s.set_plan_status(9, PlanStatus::Paused, Some("test".into()), None))
            .expect("pause")
            .expect("a plan");
        assert_eq!(paused.status, PlanStatus::Paused);
        assert_eq!(paused.pause_reason.as_deref(), Some("test"));
        let stopped = s
            .block(s.set_plan_status(9, PlanStatus::Ended, None, None))
            .expect("stop")
            .expect("a plan");
        assert_eq!(stopped.status, PlanStatus::Ended);
        assert!(s.block(s.open_plan(9)).expect("open").is_none());
        // The ended plan is kept; a new one may start.
        assert!(s.block(s.plan(p.id)).expect("old").is_some());
        assert!(
            s.block(s.create_plan(plan(9, 2000)))
                .expect("new")
                .is_some()
        );
    }
}

#[test]
fn a_due_plan_is_claimed_once_and_moved_on_only_by_its_holder() {
    for db in backends("claim") {
        let s = &db.store;
        let p = s
            .block(s.create_plan(plan(1, 1000)))
            .expect("create")
            .expect("created");
        assert!(
            s.block(s.claim_due(999, "a", 60))
                .expect("not due")
                .is_none(),
            "claimed before it was due"
        );
        let claimed = s
            .block(s.claim_due(1000, "a", 60))
            .expect("claim")
            .expect("due");
        assert_eq!(claimed.id, p.id);
        assert!(
            s.block(s.claim_due(1001, "b", 60))
                .expect("claimed")
                .is_none(),
            "{}: claimed twice while the lease holds",
            s.kind()
        );
        // The holder died: after the lease another scheduler takes it, and the first one's late
        // update is refused.
        let taken = s
            .block(s.claim_due(1060, "b", 60))
            .expect("reclaim")
            .expect("lease ran out");
        assert_eq!(taken.id, p.id);
        let done = |owner: &str| {
            s.block(s.finish_post(
                owner,
                Posted {
                    plan: p.id,
                    section: 2,
                    passage: 3,
                    next_due_at: 1000 + 86_400,
                    day: "1970-01-01".into(),
                    ended: false,
                },
            ))
            .expect("finish")
        };
        assert!(!done("a"), "a lapsed claim moved the plan on");
        assert!(done("b"));
        assert!(!done("b"), "finished twice");
        let after = s.block(s.plan(p.id)).expect("read").expect("plan");
        assert_eq!(
            (after.section, after.passage, after.posts),
            (2, 3, 1),
            "{}",
            s.kind()
        );
        assert_eq!(after.last_posted_day.as_deref(), Some("1970-01-01"));
        assert!(
            s.block(s.claim_due(2000, "c", 60))
                .expect("not due")
                .is_none()
        );
        // Paused plans are never claimed, even when due.
        s.block(s.set_plan_status(1, PlanStatus::Paused, None, None))
            .expect("pause");
        assert!(
            s.block(s.claim_due(200_000, "c", 60))
                .expect("paused")
                .is_none()
        );
    }
}

#[test]
fn replicas_racing_for_one_due_plan_claim_it_exactly_once() {
    for db in backends("race") {
        let s = &db.store;
        s.block(s.create_plan(plan(1, 1000))).expect("create");
        // Eight "replicas", each with its own connection pool, claim at the same moment.
        let replicas = 8;
        let barrier = Arc::new(Barrier::new(replicas));
        let handles: Vec<_> = (0..replicas)
            .map(|i| {
                let url = db.url.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let store = Store::open(&url).expect("replica opens");
                    barrier.wait();
                    store
                        .block(store.claim_due(5000, &format!("replica-{i}"), 60))
                        .expect("claim")
                        .is_some()
                })
            })
            .collect();
        let won = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .filter(|&w| w)
            .count();
        assert_eq!(won, 1, "{}: {won} replicas claimed the same post", s.kind());
    }
}

#[test]
fn admins_are_told_once_per_pause() {
    for db in backends("told") {
        let s = &db.store;
        let p = s
            .block(s.create_plan(plan(3, 10)))
            .expect("create")
            .expect("created");
        s.block(s.claim_due(10, "a", 60)).expect("claim");
        assert!(
            s.block(s.pause_claimed(p.id, "a", "forbidden"))
                .expect("pause")
        );
        assert!(s.block(s.mark_admins_told(p.id)).expect("first"));
        assert!(!s.block(s.mark_admins_told(p.id)).expect("second"));
        let paused = s.block(s.plan(p.id)).expect("read").expect("plan");
        assert_eq!(paused.status, PlanStatus::Paused);
        assert_eq!(paused.pause_reason.as_deref(), Some("forbidden"));
        // Resuming re-arms the message for a later pause.
        let resumed = s
            .block(s.set_plan_status(3, PlanStatus::Active, None, Some(99)))
            .expect("resume")
            .expect("plan");
        assert!(!resumed.admins_told);
        assert_eq!(resumed.next_due_at, 99);
    }
}

fn bookmark(user: u64, reference: &str, note: Option<&str>) -> NewBookmark {
    let text = format!("the text of {reference}");
    NewBookmark {
        user,
        document: "bolivia".into(),
        reference: reference.into(),
        text_hash: text_hash(&text),
        quoted: text,
        note: note.map(str::to_string),
    }
}

#[test]
fn bookmarks_are_per_member_one_per_passage_and_page() {
    for db in backends("bookmarks") {
        let s = &db.store;
        let a = s
            .block(s.add_bookmark(bookmark(1, "2.3", None)))
            .expect("add");
        let again = s
            .block(s.add_bookmark(bookmark(1, "2.3", Some("a note"))))
            .expect("again");
        assert_eq!(
            a.id,
            again.id,
            "{}: a second bookmark of one passage",
            s.kind()
        );
        assert_eq!(again.note.as_deref(), Some("a note"));
        // Bookmarking again without a note keeps the note.
        let kept = s
            .block(s.add_bookmark(bookmark(1, "2.3", None)))
            .expect("again");
        assert_eq!(kept.note.as_deref(), Some("a note"));
        s.block(s.add_bookmark(bookmark(2, "2.3", None)))
            .expect("other member");
        assert_eq!(s.block(s.count_bookmarks(1)).expect("count"), 1);
        assert!(!s.block(s.delete_bookmark(2, a.id)).expect("not theirs"));
        assert!(s.block(s.delete_bookmark(1, a.id)).expect("delete"));
        assert_eq!(s.block(s.count_bookmarks(1)).expect("count"), 0);
    }
}

#[test]
fn ten_thousand_bookmarks_page_without_loss() {
    for db in backends("many") {
        let s = &db.store;
        let n = 10_000;
        s.block(async {
            for i in 0..n {
                s.add_bookmark(bookmark(
                    5,
                    &format!("{}.{}", i / 100 + 1, i % 100 + 1),
                    None,
                ))
                .await
                .expect("add");
            }
        });
        assert_eq!(s.block(s.count_bookmarks(5)).expect("count"), n);
        let mut seen = std::collections::HashSet::new();
        let mut offset = 0;
        loop {
            let page = s.block(s.bookmarks(5, offset, 500)).expect("page");
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            seen.extend(page.into_iter().map(|b| b.reference));
        }
        assert_eq!(seen.len() as i64, n, "{}", s.kind());
    }
}

#[test]
fn backup_copies_sqlite_and_declines_postgres() {
    for db in backends("backup") {
        let s = &db.store;
        s.block(s.set_guild_settings(
            8,
            GuildSettings {
                document: Some("kjv".into()),
                ..Default::default()
            },
        ))
        .expect("write");
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("copy.db");
        match s.kind() {
            Kind::Sqlite => {
                s.block(s.backup(&file)).expect("backup");
                let copy = Store::open(&format!("sqlite://{}", file.display())).expect("open copy");
                assert_eq!(
                    copy.block(copy.guild_settings(8))
                        .expect("read")
                        .document
                        .as_deref(),
                    Some("kjv")
                );
                // Never over an existing file.
                assert!(matches!(
                    s.block(s.backup(&file)),
                    Err(StoreError::Unsupported(_))
                ));
            }
            Kind::Postgres => {
                let e = s.block(s.backup(&file)).expect_err("no backup");
                assert!(e.to_string().contains("pg_dump"), "{e}");
            }
        }
    }
}

#[test]
fn bad_urls_are_explained_and_passwords_never_shown() {
    let e = Store::open("mysql://root:hunter2@localhost/x").expect_err("unsupported");
    let text = e.to_string();
    assert!(text.contains("postgres://"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    // A server that is not there: a clear error at start, password redacted.
    let e = Store::open("postgres://me:hunter2@127.0.0.1:1/db").expect_err("nothing listens");
    let text = e.to_string();
    assert!(text.contains("cannot open the database"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

// --- each server's texts (issue 28) ----------------------------------------------------------

fn text(guild: u64, id: &str, bytes: &[u8]) -> cabildo::store::NewText {
    cabildo::store::NewText {
        guild,
        doc_id: id.into(),
        title: format!("Title of {id}"),
        language: None,
        file_name: format!("{id}.txt"),
        format: "text".into(),
        hash: format!("{:x}", bytes.len()),
        sections: 1,
        passages: 2,
        content: bytes.to_vec(),
        added_by: 7,
    }
}

const QUOTA: cabildo::store::Quota = cabildo::store::Quota {
    max_texts: 3,
    max_bytes: 100,
};

#[test]
fn texts_are_kept_whole_per_server_with_a_version_that_moves() {
    use cabildo::store::AddedText;
    for db in backends("texts") {
        let s = &db.store;
        assert_eq!(s.block(s.library_version(1)).expect("version"), 0);
        let bytes = b"\xff\x00 any bytes at all, kept as they came".to_vec();
        let AddedText::Added { text: a, version } = s
            .block(s.add_text(text(1, "notes", &bytes), QUOTA))
            .expect("add")
        else {
            panic!("{:?}: refused", s.kind())
        };
        assert_eq!(version, 1);
        assert_eq!((a.guild, a.doc_id.as_str(), a.added_by), (1, "notes", 7));
        assert_eq!(a.size, bytes.len() as i64);
        // Another server's library is its own: same id, its own version.
        assert!(matches!(
            s.block(s.add_text(text(u64::MAX, "notes", b"x"), QUOTA)),
            Ok(AddedText::Added { version: 1, .. })
        ));
        let (v, stored) = s.block(s.library(1)).expect("library");
        assert_eq!(v, 1);
        assert_eq!(stored.len(), 1);
        assert_eq!(
            stored[0].content,
            bytes,
            "{:?}: bytes as they came",
            s.kind()
        );
        assert_eq!(stored[0].info, a);
        // The same id again in the same server: taken, and nothing moved.
        assert_eq!(
            s.block(s.add_text(text(1, "notes", b"other"), QUOTA))
                .expect("add"),
            AddedText::Taken
        );
        assert_eq!(s.block(s.library_version(1)).expect("version"), 1);
        // Removing: its info back, the version moves, the bytes are gone.
        let (gone, v) = s
            .block(s.remove_text(1, "notes"))
            .expect("remove")
            .expect("it was there");
        assert_eq!((gone.doc_id.as_str(), v), ("notes", 2));
        assert!(s.block(s.texts(1)).expect("texts").is_empty());
        assert_eq!(s.block(s.remove_text(1, "notes")).expect("remove"), None);
        assert_eq!(s.block(s.library_version(1)).expect("version"), 2);
        assert_eq!(s.block(s.texts(u64::MAX)).expect("texts").len(), 1);
    }
}

#[test]
fn a_server_quota_refuses_without_storing() {
    use cabildo::store::AddedText;
    for db in backends("quota") {
        let s = &db.store;
        for id in ["a", "b"] {
            assert!(matches!(
                s.block(s.add_text(text(5, id, &[b'x'; 40]), QUOTA)),
                Ok(AddedText::Added { .. })
            ));
        }
        // 80 bytes kept: 21 more would pass 100.
        assert_eq!(
            s.block(s.add_text(text(5, "c", &[b'x'; 21]), QUOTA))
                .expect("add"),
            AddedText::TooLarge {
                used: 80,
                size: 21,
                max: 100
            }
        );
        assert!(matches!(
            s.block(s.add_text(text(5, "c", &[b'x'; 20]), QUOTA)),
            Ok(AddedText::Added { .. })
        ));
        assert_eq!(
            s.block(s.add_text(text(5, "d", b"x"), QUOTA)).expect("add"),
            AddedText::TooMany { count: 3, max: 3 }
        );
        assert_eq!(s.block(s.texts(5)).expect("texts").len(), 3);
        assert_eq!(s.block(s.library_version(5)).expect("version"), 3);
    }
}

/// Replicas adding at the same moment: the same id (one wins, the others are told it is taken),
/// and more texts than the quota leaves room for (exactly the room is used).
#[test]
fn racing_adds_end_in_one_consistent_library() {
    use cabildo::store::AddedText;
    for db in backends("text_race") {
        let kind = db.store.kind();
        let race = |ids: Vec<String>| -> Vec<AddedText> {
            let barrier = Arc::new(Barrier::new(ids.len()));
            let handles: Vec<_> = ids
                .into_iter()
                .map(|id| {
                    let (url, barrier) = (db.url.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        let store = Store::open(&url).expect("replica opens");
                        barrier.wait();
                        store
                            .block(store.add_text(text(9, &id, b"ten bytes!"), QUOTA))
                            .expect("add")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        };
        let same = race(vec!["notes".to_string(); 6]);
        let won = same
            .iter()
            .filter(|r| matches!(r, AddedText::Added { .. }))
            .count();
        assert_eq!(won, 1, "{kind}: {same:?}");
        assert!(
            same.iter()
                .all(|r| matches!(r, AddedText::Added { .. } | AddedText::Taken)),
            "{kind}: {same:?}"
        );
        // Two places left; six try.
        let many = race((0..6).map(|i| format!("t{i}")).collect());
        let added = many
            .iter()
            .filter(|r| matches!(r, AddedText::Added { .. }))
            .count();
        assert_eq!(added, 2, "{kind}: {many:?}");
        let s = &db.store;
        let texts = s.block(s.texts(9)).expect("texts");
        assert_eq!(texts.len(), 3, "{kind}");
        // Every add that stored moved the version once, and only those.
        assert_eq!(s.block(s.library_version(9)).expect("version"), 3, "{kind}");
    }
}

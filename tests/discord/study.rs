//! `/settings`, `/preferences` and `/plan` through the bot's handler, on a real database (SQLite and
//! Postgres, see tests/store.rs): the resolution order changing what `/ask` does, and every bad
//! input answered with a clear private notice.

use super::Now;
use std::sync::Arc;

use cabildo::config::SearchSettings;
use cabildo::corpus;
use cabildo::discord::commands::{
    Action, BookmarkCommand, Origin, PlanCommand, SettingsChange, SettingsCommand, StartPlan,
};
use cabildo::discord::handler::Bot;
use cabildo::engine::Engine;
use cabildo::reply::{Body, ButtonId, QuestionKey, Reply};
use cabildo::store::{NewBookmark, PlanStatus, text_hash};

use crate::store::backends;

const GUILD: u64 = 1_000;
const ADMIN: u64 = 7;
const MEMBER: u64 = 8;

fn bot(store: &cabildo::store::Store) -> Bot {
    let engine = Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
        .expect("essay engine");
    Bot::new(Arc::new(engine), 100, std::time::Duration::ZERO).with_store(store.clone())
}

fn from(user: u64) -> Origin {
    Origin {
        guild: Some(GUILD),
        channel: 55,
        user,
        bot_permissions: None,
        // Admins and members alike: `/settings` and `/plan` are left to Discord's permissions.
        member_permissions: Some(1 << 5),
        attachment_size_limit: None,
    }
}

fn results(reply: &Reply) -> usize {
    match &reply.body {
        Body::Answer(a) => a.answer.results.len(),
        other => panic!("not an answer: {other:?}"),
    }
}

fn notice(reply: &Reply) -> String {
    assert!(reply.private, "{reply:?}");
    match &reply.body {
        Body::Notice(t) => t.clone(),
        other => panic!("not a notice: {other:?}"),
    }
}

fn ask(question: &str, private: Option<bool>) -> Action {
    Action::Ask {
        question: question.into(),
        document: None,
        private,
    }
}

fn set(change: SettingsChange) -> Action {
    Action::Settings(SettingsCommand::Set(change))
}

#[test]
fn settings_change_what_ask_does_in_the_resolution_order() {
    for db in backends("ask_settings") {
        let bot = bot(&db.store);
        let q = "What is dual power?";
        let before = bot.respond_in_now(from(MEMBER), ask(q, None));
        assert_eq!(results(&before), 3, "the config file's default");
        assert!(!before.private);
        // The server: one result, private.
        let saved = notice(&bot.respond_in_now(
            from(ADMIN),
            set(SettingsChange {
                results: Some(1),
                private: Some(true),
                ..Default::default()
            }),
        ));
        assert!(
            saved.contains("Results per answer: 1 (server setting)"),
            "{saved}"
        );
        let server = bot.respond_in_now(from(MEMBER), ask(q, None));
        assert_eq!(results(&server), 1);
        assert!(server.private);
        // The member's preference beats the server's setting.
        let mine = notice(&bot.respond_in_now(
            from(MEMBER),
            Action::Preferences(SettingsCommand::Set(SettingsChange {
                results: Some(2),
                ..Default::default()
            })),
        ));
        assert!(
            mine.contains("Results per answer: 2 (your preference)"),
            "{mine}"
        );
        assert!(
            mine.contains("Private replies by default: yes (server setting)"),
            "{mine}"
        );
        assert_eq!(results(&bot.respond_in_now(from(MEMBER), ask(q, None))), 2);
        // Other members still get the server's.
        assert_eq!(results(&bot.respond_in_now(from(ADMIN), ask(q, None))), 1);
        // The command's own option beats them all.
        assert!(
            !bot.respond_in_now(from(MEMBER), ask(q, Some(false)))
                .private
        );
        // Outside the server (a direct message) nothing of it applies.
        let dm = Origin {
            guild: None,
            ..from(MEMBER)
        };
        assert_eq!(results(&bot.respond_in_now(dm, ask(q, None))), 3);
        // Reset: back to the config file.
        bot.respond_in_now(from(MEMBER), Action::Preferences(SettingsCommand::Reset));
        bot.respond_in_now(from(ADMIN), Action::Settings(SettingsCommand::Reset));
        assert_eq!(results(&bot.respond_in_now(from(MEMBER), ask(q, None))), 3);
        let shown =
            notice(&bot.respond_in_now(from(ADMIN), Action::Settings(SettingsCommand::Show)));
        assert!(
            shown.contains("Results per answer: 3 (bot default)"),
            "{shown}"
        );
    }
}

#[test]
fn the_default_document_decides_where_read_starts_when_several_texts_are_loaded() {
    let texts = tempfile::tempdir().unwrap();
    std::fs::write(
        texts.path().join("alpha.md"),
        "# Alpha\n\n## First of alpha\n\nThe alpha text begins here.\n",
    )
    .unwrap();
    std::fs::write(
        texts.path().join("beta.md"),
        "# Beta\n\n## First of beta\n\nThe beta text begins here.\n",
    )
    .unwrap();
    for db in backends("read_default") {
        let engine = Engine::from_corpus(
            corpus::load(texts.path()).unwrap(),
            None,
            SearchSettings::default(),
        )
        .unwrap();
        let bot =
            Bot::new(Arc::new(engine), 100, std::time::Duration::ZERO).with_store(db.store.clone());
        let read = |r: &str| Action::Read {
            section: r.into(),
            paragraph: None,
        };
        // Two texts numbered in order: a bare `1` is ambiguous, and says so.
        let ambiguous = notice(&bot.respond_in_now(from(MEMBER), read("1")));
        assert!(ambiguous.contains("say which one"), "{ambiguous}");
        bot.respond_in_now(
            from(ADMIN),
            set(SettingsChange {
                document: Some("beta".into()),
                ..Default::default()
            }),
        );
        let quoted = |reply: Reply| match reply.body {
            Body::Quote(q) => q.quote.doc_id,
            other => panic!("not a quote: {other:?}"),
        };
        assert_eq!(quoted(bot.respond_in_now(from(MEMBER), read("1"))), "beta");
        // A reference naming its own document is read as typed.
        assert_eq!(
            quoted(bot.respond_in_now(from(MEMBER), read("alpha:1"))),
            "alpha"
        );
    }
}

#[test]
fn bad_settings_are_explained_and_change_nothing() {
    for db in backends("bad_settings") {
        let bot = bot(&db.store);
        let e = notice(&bot.respond_in_now(
            from(ADMIN),
            set(SettingsChange {
                results: Some(11),
                ..Default::default()
            }),
        ));
        assert!(e.contains("from 1 to 10"), "{e}");
        let e = notice(&bot.respond_in_now(
            from(ADMIN),
            set(SettingsChange {
                document: Some("no-such-text".into()),
                ..Default::default()
            }),
        ));
        assert!(e.contains("no document called"), "{e}");
        let e = notice(&bot.respond_in_now(
            from(MEMBER),
            Action::Preferences(SettingsCommand::Set(SettingsChange {
                rate_burst: Some(50),
                ..Default::default()
            })),
        ));
        assert!(e.contains("server's to set"), "{e}");
        assert_eq!(
            db.store
                .block(db.store.guild_settings(GUILD))
                .expect("read"),
            Default::default()
        );
        let dm = Origin {
            guild: None,
            ..from(ADMIN)
        };
        assert!(
            notice(&bot.respond_in_now(dm, Action::Settings(SettingsCommand::Show)))
                .contains("only in a server")
        );
    }
}

fn start(time: Option<&str>, zone: Option<&str>) -> Action {
    Action::Plan(PlanCommand::Start(StartPlan {
        document: "bolivia".into(),
        from: Some("2.1".into()),
        passages_per_day: Some(2),
        channel: None,
        time: time.map(str::to_string),
        timezone: zone.map(str::to_string),
    }))
}

#[test]
fn a_plan_is_started_paused_resumed_skipped_and_stopped() {
    for db in backends("plan_commands") {
        let bot = bot(&db.store);
        let s = &db.store;
        let started =
            notice(&bot.respond_in_now(from(ADMIN), start(Some("07:30"), Some("Europe/Madrid"))));
        assert!(started.starts_with("Reading plan started."), "{started}");
        assert!(
            started.contains("<#55>") && started.contains("07:30 (Europe/Madrid)"),
            "{started}"
        );
        let plan = s.block(s.open_plan(GUILD)).expect("read").expect("plan");
        assert_eq!(
            (plan.section, plan.passage, plan.passages_per_day),
            (2, 1, 2)
        );
        assert_eq!(plan.created_by, ADMIN);
        assert!(plan.next_due_at > chrono::Utc::now().timestamp());
        let again = notice(&bot.respond_in_now(from(ADMIN), start(None, None)));
        assert!(again.contains("already has a reading plan"), "{again}");
        let paused = notice(&bot.respond_in_now(from(ADMIN), Action::Plan(PlanCommand::Pause)));
        assert!(paused.contains("paused"), "{paused}");
        let resumed = notice(&bot.respond_in_now(from(ADMIN), Action::Plan(PlanCommand::Resume)));
        assert!(resumed.contains("next post <t:"), "{resumed}");
        bot.respond_in_now(from(ADMIN), Action::Plan(PlanCommand::Skip));
        let skipped = s.block(s.open_plan(GUILD)).expect("read").expect("plan");
        assert_eq!((skipped.section, skipped.passage), (2, 3));
        let status = notice(&bot.respond_in_now(from(MEMBER), Action::Plan(PlanCommand::Status)));
        assert!(status.contains("Next: 2.3"), "{status}");
        bot.respond_in_now(from(ADMIN), Action::Plan(PlanCommand::Stop));
        let ended = s.block(s.plan(plan.id)).expect("read").expect("kept");
        assert_eq!(ended.status, PlanStatus::Ended);
        let none = notice(&bot.respond_in_now(from(ADMIN), Action::Plan(PlanCommand::Status)));
        assert!(none.contains("no reading plan"), "{none}");
    }
}

#[test]
fn bad_plan_input_is_a_clear_private_error() {
    for db in backends("bad_plan") {
        let bot = bot(&db.store);
        let e = notice(&bot.respond_in_now(from(ADMIN), start(Some("25:99"), None)));
        assert!(e.contains("hours go from 00 to 23"), "{e}");
        let e = notice(&bot.respond_in_now(from(ADMIN), start(None, Some("Mars/Olympus"))));
        assert!(e.contains("time zone"), "{e}");
        // The bot lacks Send Messages in this channel (Discord's app_permissions says so).
        let forbidden = Origin {
            bot_permissions: Some(1 << 10),
            ..from(ADMIN)
        };
        let e = notice(&bot.respond_in_now(forbidden, start(None, None)));
        assert!(e.contains("cannot post in this channel"), "{e}");
        let e = notice(&bot.respond_in_now(
            from(ADMIN),
            Action::Plan(PlanCommand::Start(StartPlan {
                document: "bolivia".into(),
                from: Some("99.1".into()),
                passages_per_day: None,
                channel: None,
                time: None,
                timezone: None,
            })),
        ));
        assert!(!e.is_empty());
        assert!(
            db.store
                .block(db.store.open_plan(GUILD))
                .expect("read")
                .is_none(),
            "nothing was started"
        );
    }
}

#[test]
fn without_a_database_the_commands_say_so() {
    let engine = Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
        .expect("essay engine");
    let bot = Bot::new(Arc::new(engine), 100, std::time::Duration::ZERO);
    let e = notice(&bot.respond_in_now(from(ADMIN), Action::Plan(PlanCommand::Status)));
    assert!(e.contains("without a database"), "{e}");
    // /ask still works, with the config file's settings.
    assert_eq!(
        results(&bot.respond_in_now(from(MEMBER), ask("What is dual power?", None))),
        3
    );
}

fn add(reference: &str, note: Option<&str>) -> Action {
    Action::Bookmark(BookmarkCommand::Add {
        reference: reference.into(),
        note: note.map(str::to_string),
    })
}

fn list(page: i64) -> Action {
    Action::Bookmark(BookmarkCommand::List { page: Some(page) })
}

#[test]
fn bookmarks_from_a_reference_or_the_answer_button_with_notes() {
    for db in backends("bookmark_add") {
        let bot = bot(&db.store);
        let ok = notice(&bot.respond_in_now(from(MEMBER), add("2.3", Some("the general strike"))));
        assert!(
            ok.starts_with("🔖 Bookmarked") && ok.contains("the general strike"),
            "{ok}"
        );
        // The 🔖 button under an answer's first passage.
        let answer = bot.respond_in_now(from(MEMBER), ask("What is dual power?", None));
        let Body::Answer(a) = &answer.body else {
            panic!("an answer")
        };
        let key = a.passages[0];
        let pressed =
            notice(&bot.respond_in_now(from(MEMBER), Action::Button(ButtonId::Mark(key))));
        assert!(pressed.starts_with("🔖 Bookmarked"), "{pressed}");
        let shown = notice(&bot.respond_in_now(from(MEMBER), list(1)));
        assert!(shown.contains("page 1 of 1, 2 in all"), "{shown}");
        assert!(shown.contains("the general strike"), "{shown}");
        assert!(
            shown.contains(&format!("`{}`", a.answer.results[0].short_ref)),
            "{shown}"
        );
        // Only the member's own.
        let other = notice(&bot.respond_in_now(from(ADMIN), list(1)));
        assert!(other.contains("no bookmarks yet"), "{other}");
        // Bad input: a note over the limit, a range, a reference that does not exist.
        let long = "x".repeat(501);
        let e = notice(&bot.respond_in_now(from(MEMBER), add("2.4", Some(&long))));
        assert!(
            e.contains("501 characters") && e.contains("at most 500"),
            "{e}"
        );
        let e = notice(&bot.respond_in_now(from(MEMBER), add("2.3-5", None)));
        assert!(e.contains("one passage at a time"), "{e}");
        let e = notice(&bot.respond_in_now(from(MEMBER), add("99.1", None)));
        assert!(!e.is_empty());
        let e = notice(&bot.respond_in_now(from(MEMBER), list(9)));
        assert!(e.contains("no page 9"), "{e}");
        assert_eq!(
            db.store
                .block(db.store.count_bookmarks(MEMBER))
                .expect("count"),
            2,
            "nothing saved by the mistakes"
        );
    }
}

#[test]
fn bookmarks_survive_a_change_of_the_texts_and_say_so() {
    for db in backends("bookmark_changed") {
        let bot = bot(&db.store);
        let s = &db.store;
        let doc = bot.library.host().corpus.documents[0].id.clone();
        // Bookmarked before the texts changed: 2.3 with other words then, and a passage now gone.
        for (reference, text) in [
            ("2.3", "the words as they were"),
            ("99.9", "a passage now gone"),
        ] {
            s.block(s.add_bookmark(NewBookmark {
                user: MEMBER,
                document: doc.clone(),
                reference: reference.into(),
                text_hash: text_hash(text),
                quoted: text.into(),
                note: None,
            }))
            .expect("add");
        }
        bot.respond_in_now(from(MEMBER), add("2.4", None));
        let shown = notice(&bot.respond_in_now(from(MEMBER), list(1)));
        assert!(shown.contains("3 in all"), "{shown}");
        assert!(shown.contains("`2.3` ⚠ text changed since"), "{shown}");
        assert!(shown.contains("`99.9` ⚠ no longer in the texts"), "{shown}");
        assert!(shown.contains("a passage now gone"), "kept: {shown}");
        let export = bot.respond_in_now(
            from(MEMBER),
            Action::Bookmark(BookmarkCommand::Export { part: None }),
        );
        let Body::Files { files, .. } = &export.body else {
            panic!("files: {export:?}")
        };
        let md = String::from_utf8(files[0].1.clone()).expect("utf-8");
        assert!(md.contains("has changed since it was bookmarked"), "{md}");
        assert!(md.contains("no longer in the texts"), "{md}");
        assert!(md.contains("> the words as they were"), "{md}");
    }
}

#[test]
fn ten_thousand_bookmarks_page_and_export_in_parts_without_loss() {
    for db in backends("bookmark_many") {
        let bot = bot(&db.store);
        let s = &db.store;
        let long = "A passage long enough to make the export take several files. ".repeat(9);
        s.block(async {
            for i in 0..10_000 {
                s.add_bookmark(NewBookmark {
                    user: MEMBER,
                    document: "bolivia".into(),
                    reference: format!("{}.{}", i / 100 + 1, i % 100 + 1),
                    text_hash: text_hash(&long),
                    quoted: long.clone(),
                    note: Some(format!("note {i}")),
                })
                .await
                .expect("add");
            }
        });
        let first = notice(&bot.respond_in_now(from(MEMBER), list(1)));
        assert!(first.contains("page 1 of 1000, 10000 in all"), "{first}");
        assert!(first.chars().count() <= 2000);
        let last = notice(&bot.respond_in_now(from(MEMBER), list(1000)));
        assert!(
            last.contains("note 9999") && !last.contains("for the next page"),
            "{last}"
        );
        assert!(notice(&bot.respond_in_now(from(MEMBER), list(1001))).contains("no page 1001"));
        // The export: parts of at most ten files of at most 512 KiB, every bookmark once.
        let mut seen = 0;
        let mut part = 1;
        loop {
            let reply = bot.respond_in_now(
                from(MEMBER),
                Action::Bookmark(BookmarkCommand::Export { part: Some(part) }),
            );
            let Body::Files { text, files } = &reply.body else {
                assert!(notice(&reply).contains("no part"), "{reply:?}");
                break;
            };
            assert!(reply.private);
            assert!(text.contains("10000 bookmarks"), "{text}");
            assert!(!files.is_empty() && files.len() <= 10);
            for (name, bytes) in files {
                assert!(name.ends_with(".md"));
                assert!(bytes.len() <= 512 * 1024 + 64, "{name}: {}", bytes.len());
                seen += String::from_utf8_lossy(bytes).matches("\n## ").count()
                    + usize::from(String::from_utf8_lossy(bytes).starts_with("## "));
            }
            part += 1;
        }
        assert!(part > 2, "the export was split");
        assert_eq!(seen, 10_000, "{}", s.kind());
    }
}

#[test]
fn a_servers_own_rate_limit_is_the_one_in_force() {
    for db in backends("rate") {
        let bot = bot(&db.store);
        let q = "What is dual power?";
        // The process allows 100 at once; this server allows one an hour.
        for _ in 0..3 {
            assert!(matches!(
                bot.respond_in_now(from(MEMBER), ask(q, None)).body,
                Body::Answer(_)
            ));
        }
        bot.respond_in_now(
            from(ADMIN),
            set(SettingsChange {
                rate_burst: Some(1),
                rate_refill_seconds: Some(3600),
                ..Default::default()
            }),
        );
        assert!(matches!(
            bot.respond_in_now(from(MEMBER), ask(q, None)).body,
            Body::Answer(_)
        ));
        assert!(
            matches!(
                bot.respond_in_now(from(MEMBER), ask(q, None)).body,
                Body::Cooldown { .. }
            ),
            "{}",
            db.store.kind()
        );
        // In a direct message the process's limit applies.
        let dm = Origin {
            guild: None,
            ..from(MEMBER)
        };
        assert!(matches!(
            bot.respond_in_now(dm, ask(q, None)).body,
            Body::Answer(_)
        ));
    }
}

#[test]
fn any_replica_pages_the_answer_to_a_long_question() {
    for db in backends("replicas") {
        // Two replicas of the HTTP endpoint sharing one database.
        let (a, b) = (bot(&db.store), bot(&db.store));
        let long = format!(
            "What is dual power, {}?",
            "and what should the workers and the peasants of Bolivia do about it ".repeat(5)
        );
        let reply = a.respond_in_now(from(MEMBER), ask(&long, None));
        let Body::Answer(answer) = &reply.body else {
            panic!("an answer: {reply:?}")
        };
        let more = answer.more.clone().expect("a more-results button");
        assert!(
            matches!(
                &more,
                ButtonId::More {
                    question: QuestionKey::Hash(_),
                    ..
                }
            ),
            "too long for the button: {more:?}"
        );
        let paged = b.respond_in_now(from(MEMBER), Action::Button(more));
        assert!(
            matches!(&paged.body, Body::Answer(p) if p.offset > 0),
            "{}: {paged:?}",
            db.store.kind()
        );
    }
}

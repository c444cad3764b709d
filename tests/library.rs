//! Each server its own reading list (issue 28), through [`cabildo::library::Library`] on a real
//! SQLite file and a real Postgres database (tests/store.rs): a server's text answered in that
//! server and nowhere else; another process sharing the database seeing it come and go within
//! seconds; every bad file and limit refused with nothing stored; servers dropped from memory
//! least recently used first.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cabildo::answer::{AskOptions, ask};
use cabildo::config::{LibrarySettings, SearchSettings};
use cabildo::corpus;
use cabildo::engine::Engine;
use cabildo::library::{Failure, Library, Refusal, Upload};
use cabildo::store::Store;

use crate::store::backends;

pub const BAKERY: &str = "The Cooperative Bakery\n\n\
How the bakery began\n\n\
In 1921 the bakers of Tlaxcala pooled their ovens and founded a cooperative that sold bread at \
cost to the striking miners.\n\n\
The assembly of bakers\n\n\
Every baker had one vote in the assembly, which met on the first Monday of each month to set the \
price of flour.\n";

pub fn host() -> Arc<Engine> {
    Arc::new(
        Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
            .expect("essay engine"),
    )
}

pub fn library(store: &Store, limits: LibrarySettings, dir: &std::path::Path) -> Arc<Library> {
    Arc::new(Library::with(
        host(),
        Some(store.clone()),
        limits,
        Some(dir.to_path_buf()),
    ))
}

pub fn upload(guild: u64, name: &str, bytes: &[u8]) -> Upload {
    Upload {
        guild,
        file_name: name.into(),
        bytes: bytes.to_vec(),
        title: None,
        language: None,
        added_by: 42,
    }
}

/// The ids of the documents an engine answers from.
pub fn ids(engine: &Arc<Engine>) -> Vec<String> {
    engine
        .corpus
        .documents
        .iter()
        .map(|d| d.id.clone())
        .collect()
}

/// The document the best answer to `question` quotes, when it is answered.
pub fn answered_from(engine: &Arc<Engine>, question: &str) -> Option<String> {
    let a = ask(engine, question, &AskOptions::default()).expect("asks");
    a.answered
        .then(|| a.results.first().map(|h| h.doc_id.clone()))
        .flatten()
}

const A: u64 = 1_001;
const B: u64 = 1_002;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_answers_from_its_texts_and_never_from_anothers() {
    for db in backends("library_servers") {
        let dir = tempfile::tempdir().expect("dir");
        let lib = library(&db.store, LibrarySettings::default(), dir.path());
        let added = lib
            .add(upload(A, "bakery.txt", BAKERY.as_bytes()), |_| {})
            .await
            .unwrap_or_else(|e| panic!("{:?}: {e:?}", db.store.kind()));
        assert_eq!(added.text.doc_id, "bakery");
        assert_eq!(added.text.title, "The Cooperative Bakery");
        let q = "Who founded a cooperative in Tlaxcala?";
        let a = lib.engine(Some(A)).await;
        assert_eq!(ids(&a), ["revolution-in-bolivia", "bakery"]);
        assert_eq!(answered_from(&a, q).as_deref(), Some("bakery"));
        // The host's texts are still there.
        assert_eq!(
            answered_from(&a, "Who replaced Lozada as president?").as_deref(),
            Some("revolution-in-bolivia")
        );
        // Another server, and direct messages: the host's texts only.
        for other in [Some(B), None] {
            let e = lib.engine(other).await;
            assert_eq!(ids(&e), ["revolution-in-bolivia"], "{other:?}");
            assert_ne!(answered_from(&e, q).as_deref(), Some("bakery"));
        }
        // Its index is kept in the server's own folder and reused by a fresh process.
        assert!(dir.path().join(A.to_string()).is_dir());
        let again = library(&db.store, LibrarySettings::default(), dir.path());
        let e = again.engine(Some(A)).await;
        assert!(
            !e.index.built,
            "the stored index is opened, not built again"
        );
        assert_eq!(answered_from(&e, q).as_deref(), Some("bakery"));
    }
}

/// Two processes on one database (two libraries, each with its own connections and data folder):
/// what one adds the other answers from within seconds, and what one removes the other stops
/// answering from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_sees_a_text_come_and_go_within_five_seconds() {
    for db in backends("library_replicas") {
        let (d1, d2) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let one = library(&db.store, LibrarySettings::default(), d1.path());
        let other_store = Store::open(&db.url).expect("second connection");
        let two = library(&other_store, LibrarySettings::default(), d2.path());
        // The second process has loaded the server (no texts of its own yet).
        assert_eq!(ids(&two.engine(Some(A)).await), ["revolution-in-bolivia"]);
        one.add(upload(A, "bakery.txt", BAKERY.as_bytes()), |_| {})
            .await
            .expect("added");
        let waited = until(&two, |ids| ids.contains(&"bakery".to_string())).await;
        assert!(
            waited <= Duration::from_secs(5),
            "{:?}: seen after {waited:?}",
            db.store.kind()
        );
        one.remove(A, "bakery", |t| format!("removed {t}"))
            .await
            .expect("removed");
        let waited = until(&two, |ids| !ids.contains(&"bakery".to_string())).await;
        assert!(waited <= Duration::from_secs(5), "gone after {waited:?}");
    }
}

/// Two adds racing in one process: the same title (one added, the other told it is taken), and
/// two titles (both added, both answered from).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adds_racing_in_one_process_end_in_a_consistent_library() {
    for db in backends("library_race") {
        let dir = tempfile::tempdir().expect("dir");
        let lib = library(&db.store, LibrarySettings::default(), dir.path());
        let (a, b) = tokio::join!(
            lib.add(upload(A, "bakery.txt", BAKERY.as_bytes()), |_| {}),
            lib.add(upload(A, "bakery.txt", BAKERY.as_bytes()), |_| {}),
        );
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|&&ok| ok).count(), 1, "{outcomes:?}");
        let lost = if outcomes[0] { b } else { a };
        assert!(matches!(lost, Err(Failure::Refused(Refusal::Taken { .. }))));
        let (c, d) = tokio::join!(
            lib.add(upload(A, "one.txt", b"The first of two texts.\n"), |_| {}),
            lib.add(upload(A, "two.txt", b"The second of two texts.\n"), |_| {}),
        );
        c.expect("one added");
        d.expect("two added");
        let mut own = ids(&lib.engine(Some(A)).await).split_off(1);
        own.sort();
        assert_eq!(own, ["bakery", "one", "two"], "{:?}", db.store.kind());
    }
}

/// How long until the second library's engine for server A satisfies `cond` (at most 10 s).
async fn until(lib: &Arc<Library>, cond: impl Fn(&Vec<String>) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if cond(&ids(&lib.engine(Some(A)).await)) {
            return start.elapsed();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "never seen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn refusal(r: Result<cabildo::library::Added, Failure>) -> Refusal {
    match r {
        Err(Failure::Refused(r)) => r,
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_and_limits_are_refused_and_nothing_changes() {
    use cabildo::corpus::BytesError;
    for db in backends("library_limits") {
        let dir = tempfile::tempdir().expect("dir");
        let limits = LibrarySettings {
            max_text_bytes: 4_000,
            max_texts_per_server: 2,
            max_bytes_per_server: 3_000,
            ..LibrarySettings::default()
        };
        let lib = library(&db.store, limits, dir.path());
        let s = &db.store;
        lib.add(upload(A, "bakery.txt", BAKERY.as_bytes()), |_| {})
            .await
            .expect("the first text fits");
        let before = (
            s.texts(A).await.expect("texts"),
            s.library_version(A).await.expect("version"),
        );
        let prose = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|i| format!("Paragraph {i} says something about the assembly.\n\n"))
                .collect::<String>()
                .into_bytes()
        };
        type Expected = fn(&Refusal) -> bool;
        let cases: Vec<(Upload, Expected)> = vec![
            (upload(A, "empty.txt", b""), |r| {
                matches!(r, Refusal::Unreadable(BytesError::Empty))
            }),
            (
                upload(A, "photo.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0"),
                |r| matches!(r, Refusal::Unreadable(BytesError::Binary(_))),
            ),
            (
                upload(A, "paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
                |r| matches!(r, Refusal::Unreadable(BytesError::Read(_))),
            ),
            (
                upload(A, "noise.txt", &[0xc3u8; 2000].map(|b| b ^ 0x2a)),
                |r| matches!(r, Refusal::Unreadable(_)),
            ),
            (upload(A, "long.txt", &prose(100)), |r| {
                matches!(r, Refusal::TooLarge { max: 4_000, .. })
            }),
            // 3.4 KB more would pass the server's 3,000 bytes.
            (upload(A, "more.txt", &prose(70)), |r| {
                matches!(r, Refusal::OverQuota { max: 3_000, .. })
            }),
            // The same title as the first: taken.
            (
                upload(A, "bakery.md", BAKERY.as_bytes()),
                |r| matches!(r, Refusal::Taken { id } if id == "bakery"),
            ),
            // The name of one of the host's texts.
            (
                Upload {
                    title: Some("Revolution in Bolivia".into()),
                    ..upload(A, "x.txt", b"Some words.\n")
                },
                |r| matches!(r, Refusal::HostHas { .. }),
            ),
        ];
        for (u, expected) in cases {
            let name = u.file_name.clone();
            let r = refusal(lib.add(u, |_| {}).await);
            assert!(expected(&r), "{:?} {name}: {r:?}", s.kind());
            let after = (
                s.texts(A).await.expect("texts"),
                s.library_version(A).await.expect("version"),
            );
            assert_eq!(after, before, "{name}: the library changed");
        }
        lib.add(upload(A, "two.txt", b"Second text.\n"), |_| {})
            .await
            .expect("the second text fits");
        let r = refusal(lib.add(upload(A, "three.txt", b"Third.\n"), |_| {}).await);
        assert_eq!(r, Refusal::TooMany { count: 2, max: 2 });
        // The server still answers from its texts.
        assert_eq!(
            answered_from(
                &lib.engine(Some(A)).await,
                "Who founded a cooperative in Tlaxcala?"
            )
            .as_deref(),
            Some("bakery")
        );
    }
}

/// A text that takes longer to read than allowed is abandoned; the server's other texts answer
/// as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_too_slow_to_read_is_abandoned() {
    let db = backends("library_slow").remove(0);
    let dir = tempfile::tempdir().expect("dir");
    let lib = library(
        &db.store,
        LibrarySettings {
            // Reading a megabyte takes hundreds of times this.
            read_timeout_seconds: 0.001,
            ..LibrarySettings::default()
        },
        dir.path(),
    );
    let big: String = (0..20_000)
        .map(|i| format!("Paragraph {i} of a long text about bread and bakers.\n\n"))
        .collect();
    let r = refusal(lib.add(upload(A, "big.txt", big.as_bytes()), |_| {}).await);
    assert!(matches!(r, Refusal::TooSlow { .. }), "{r:?}");
    assert!(db.store.texts(A).await.expect("texts").is_empty());
    assert_eq!(ids(&lib.engine(Some(A)).await), ["revolution-in-bolivia"]);
}

/// Loaded servers past the memory budget are dropped, least recently asked first, and load again
/// when asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_past_the_memory_budget_are_dropped_least_recently_used_first() {
    let db = backends("library_lru").remove(0);
    let dir = tempfile::tempdir().expect("dir");
    let lib = library(
        &db.store,
        LibrarySettings {
            memory_budget_mb: 1,
            ..LibrarySettings::default()
        },
        dir.path(),
    );
    // Each server: the essay (34 KB) and a text of its own of about 60 KB, estimated at more
    // than a third of a megabyte with its index.
    for g in 0..6u64 {
        let text: String = (0..1_000)
            .map(|i| format!("Server {g} paragraph {i} about the bakers' assembly.\n\n"))
            .collect();
        lib.add(upload(100 + g, "own.txt", text.as_bytes()), |_| {})
            .await
            .expect("added");
    }
    let (loaded, bytes) = lib.loaded();
    assert!(loaded < 6, "{loaded} servers loaded, {bytes} bytes");
    assert!(bytes <= 1024 * 1024, "{bytes} bytes loaded");
    // The last one added is the most recently used: kept. The first was dropped and loads again.
    assert_eq!(ids(&lib.engine(Some(105)).await)[1], "own");
    assert_eq!(ids(&lib.engine(Some(100)).await)[1], "own");
}

/// With a model: a text answers lexically as soon as it is added, then its passage vectors are
/// computed (progress heard as they come) and the server's engine searches by meaning too. The
/// vectors are kept per document, so another server's library with the same host texts computes
/// only its own text's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_model_the_vectors_join_when_ready() {
    let db = backends("library_vectors").remove(0);
    let dir = tempfile::tempdir().expect("dir");
    let host = Arc::new(
        Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
            .expect("essay")
            .with_model(&crate::embed::real_model_dir(), None)
            .expect("model"),
    );
    let lib = Arc::new(Library::with(
        host,
        Some(db.store.clone()),
        LibrarySettings::default(),
        Some(dir.path().to_path_buf()),
    ));
    lib.add(upload(A, "bakery.txt", BAKERY.as_bytes()), |_| {})
        .await
        .expect("added");
    let lexical = lib.engine(Some(A)).await;
    assert_eq!(ids(&lexical)[1], "bakery");
    let end = lib
        .vectors(A, |_| {})
        .await
        .expect("vectors were being computed");
    assert_eq!(end.finished, Some(true), "{end:?}");
    let with = lib.engine(Some(A)).await;
    let semantic = with.semantic.as_ref().expect("vectors in use");
    assert_eq!(semantic.len(), with.corpus.len());
    // A second server: the host's texts' vectors are read, only its own text is embedded (the
    // files of the first server's documents are left as they were, one more appears).
    let files = || -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
        let mut all: Vec<_> = std::fs::read_dir(dir.path().join("vectors"))
            .expect("vectors folder")
            .map(|e| {
                let e = e.expect("entry");
                (
                    e.path(),
                    e.metadata().expect("meta").modified().expect("mtime"),
                )
            })
            .collect();
        all.sort();
        all
    };
    let before = files();
    assert_eq!(before.len(), 2, "the essay's and the bakery's: {before:?}");
    lib.add(upload(B, "notes.txt", b"Notes on the assembly.\n"), |_| {})
        .await
        .expect("added");
    lib.vectors(B, |_| {}).await;
    assert!(lib.engine(Some(B)).await.semantic.is_some());
    let after = files();
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(
        before.iter().all(|f| after.contains(f)),
        "{before:?} {after:?}"
    );
}

/// A real second process: `cabildo texts add --guild` run as its own program on the same
/// database; this process's library answers from the text within seconds, `cabildo --guild … ask`
/// (a third process) answers from it too, and `cabildo texts remove` takes it away again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_added_by_the_cli_process_is_answered_here() {
    use std::process::Command;
    for db in backends("library_cli_process") {
        let (here, there) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let file = there.path().join("bakery.txt");
        std::fs::write(&file, BAKERY).expect("write");
        let cabildo = |args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_cabildo"))
                .args(args)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env_remove("CABILDO_CONFIG")
                .env_remove("CABILDO_CORPUS")
                .env_remove("CABILDO_MODEL")
                .env("DATABASE_URL", &db.url)
                .env("CABILDO_DATA_DIR", there.path())
                .output()
                .expect("cabildo runs");
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let lib = library(&db.store, LibrarySettings::default(), here.path());
        assert_eq!(ids(&lib.engine(Some(A)).await), ["revolution-in-bolivia"]);
        let guild = A.to_string();
        cabildo(&[
            "texts",
            "add",
            "--guild",
            &guild,
            file.to_str().expect("path"),
        ]);
        let waited = until(&lib, |ids| ids.contains(&"bakery".to_string())).await;
        assert!(waited <= Duration::from_secs(5), "seen after {waited:?}");
        let q = "Who set the price of flour?";
        assert_eq!(
            answered_from(&lib.engine(Some(A)).await, q).as_deref(),
            Some("bakery")
        );
        let asked = cabildo(&["--guild", &guild, "ask", "--json", q]);
        assert!(asked.contains("\"bakery\""), "{asked}");
        // Another server's members are not answered from it, by either process.
        let other = cabildo(&["--guild", &B.to_string(), "ask", "--json", q]);
        assert!(!other.contains("\"bakery\""), "{other}");
        cabildo(&["texts", "remove", "--guild", &guild, "bakery"]);
        let waited = until(&lib, |ids| !ids.contains(&"bakery".to_string())).await;
        assert!(waited <= Duration::from_secs(5), "gone after {waited:?}");
    }
}

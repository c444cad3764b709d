//! The real `cabildo` binary, end to end, through a small builder.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::kjv_path;

/// Runs `cabildo` with arguments, optional stdin, and an isolated environment.
struct Run {
    args: Vec<String>,
    stdin: Option<String>,
    env: Vec<(String, String)>,
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn new(args: &[&str]) -> Self {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: None,
            env: Vec::new(),
        }
    }
    fn stdin(mut self, s: &str) -> Self {
        self.stdin = Some(s.to_string());
        self
    }
    fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }
    fn run(self) -> Output {
        let data = std::env::temp_dir().join(format!("cabildo-cli-test-{}", std::process::id()));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cabildo"));
        cmd.args(&self.args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("CABILDO_CONFIG")
            .env_remove("CABILDO_CORPUS")
            .env_remove("RUST_LOG")
            .env_remove("DATABASE_URL")
            .env("CABILDO_DATA_DIR", &data)
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("cabildo runs");
        if let Some(input) = &self.stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(input.as_bytes()).expect("write stdin");
        }
        let out = child.wait_with_output().expect("cabildo exits");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    fn success(self) -> Output {
        let o = self.run();
        assert_eq!(o.code, 0, "stderr: {}", o.stderr);
        o
    }
}

#[test]
fn ask_prints_quoted_passage_with_reference() {
    let o = Run::new(&["ask", "Who replaced Lozada as president?"]).success();
    let first = o.stdout.lines().next().expect("a line");
    assert!(
        first.starts_with("1. §3 Elements of dual power ¶8"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("replaced Lozada by Mesa"));
    assert!(
        !o.stdout.contains("\x1b["),
        "no colour when not on a terminal"
    );
}

#[test]
fn ask_json_follows_the_contract() {
    let o = Run::new(&["ask", "--json", "--top", "2", "What is dual power?"]).success();
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v["query"], "What is dual power?");
    assert_eq!(v["answered"], true);
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let keys = [
        "rank",
        "doc_id",
        "doc_title",
        "section",
        "section_title",
        "paragraph",
        "reference",
        "short_ref",
        "excerpt",
        "passage",
        "highlights",
        "score",
    ];
    for r in results {
        let obj = r.as_object().expect("object");
        for k in keys {
            assert!(obj.contains_key(k), "missing {k}");
        }
        assert_eq!(obj.len(), keys.len(), "no extra keys: {obj:?}");
        assert!(
            r["highlights"]
                .as_array()
                .expect("array")
                .iter()
                .all(|h| h.as_array().map(|p| p.len()) == Some(2))
        );
    }
    assert_eq!(results[0]["rank"], 1);
    assert_eq!(results[0]["doc_id"], "revolution-in-bolivia");
}

#[test]
fn batch_mode_answers_each_line_in_order() {
    let o = Run::new(&["ask", "-"])
        .stdin("Who replaced Lozada as president?\n\nWhat is the best GPU for machine learning?\nstormed heaven\n")
        .success();
    let lines: Vec<serde_json::Value> = o
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["query"], "Who replaced Lozada as president?");
    assert_eq!(lines[0]["answered"], true);
    assert_eq!(lines[1]["answered"], false);
    assert_eq!(lines[2]["answered"], false);
    assert_eq!(lines[3]["answered"], true);
    assert!(
        lines[3]["results"][0]["passage"]
            .as_str()
            .expect("text")
            .contains("stormed heaven")
    );
}

#[test]
fn batch_mode_writes_an_error_line_and_goes_on() {
    let o = Run::new(&["ask", "--document", "nosuch", "-"])
        .stdin("what is dual power?\n充ing\n")
        .run();
    assert_eq!(
        o.code, 1,
        "a failed question makes the batch exit 1: {}",
        o.stderr
    );
    let lines: Vec<serde_json::Value> = o
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "one line per question: {}", o.stdout);
    assert_eq!(lines[1]["query"], "充ing");
    for l in &lines {
        assert_eq!(l["answered"], false);
        assert!(
            l["error"].as_str().expect("error").contains("nosuch"),
            "{l}"
        );
    }
}

#[test]
fn questions_with_multi_byte_letters_before_suffixes_are_answered() {
    for q in ["充ing", "xṹed"] {
        let o = Run::new(&["ask", "--", q]).success();
        assert!(
            o.stdout.starts_with("Nothing in the text answers that") || o.stdout.contains("¶"),
            "{q}: {}",
            o.stdout
        );
    }
}

#[test]
fn quote_kjv_verse() {
    let kjv = kjv_path();
    let o = Run::new(&[
        "quote",
        "--corpus",
        kjv.to_str().expect("path"),
        "John 3:16",
    ])
    .success();
    assert!(
        o.stdout.contains("For God so loved the world"),
        "{}",
        o.stdout
    );
    // kjv.md numbers itself by book and chapter: the reference is shown as a Bible group cites it.
    assert!(o.stdout.contains("John 3:16"), "{}", o.stdout);
    assert!(!o.stdout.contains('§'), "{}", o.stdout);
}

#[test]
fn quote_range_and_json() {
    let o = Run::new(&["quote", "--json", "2.3-4"]).success();
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v["short_ref"], "2.3-4");
    assert_eq!(v["passages"].as_array().map(|a| a.len()), Some(2));
    assert!(
        v["passages"][0]["text"]
            .as_str()
            .expect("text")
            .starts_with("Yes, the general strike")
    );
}

#[test]
fn unknown_reference_is_a_clear_error() {
    let o = Run::new(&["quote", "12.1"]).run();
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("no section 12"), "{}", o.stderr);
    assert!(!o.stderr.contains("panicked"));
    let o = Run::new(&["quote", "what?"]).run();
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("not a reference"), "{}", o.stderr);
}

#[test]
fn toc_lists_sections() {
    let o = Run::new(&["toc"]).success();
    assert!(
        o.stdout
            .contains("§2    General strike poses question of power  9 passages"),
        "{}",
        o.stdout
    );
    let o = Run::new(&["toc", "--json"]).success();
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(
        v["documents"][0]["sections"].as_array().map(|a| a.len()),
        Some(8)
    );
}

#[test]
fn index_builds_then_reports_up_to_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).expect("mkdir");
    std::fs::write(
        texts.join("a.md"),
        "# A\n\n## One\n\nSome text about assemblies.",
    )
    .expect("write");
    let data: PathBuf = dir.path().join("data");
    let run = || {
        Run::new(&["index", "--corpus", texts.to_str().expect("p")])
            .env("CABILDO_DATA_DIR", data.to_str().expect("p"))
            .success()
    };
    assert!(run().stdout.starts_with("index built"));
    assert!(run().stdout.starts_with("index up to date"));
    let o = Run::new(&["ask", "--corpus", texts.to_str().expect("p"), "assemblies"])
        .env("CABILDO_DATA_DIR", data.to_str().expect("p"))
        .success();
    assert!(o.stdout.contains("§1 One ¶1"), "{}", o.stdout);
}

#[test]
fn bad_config_is_reported_with_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[search]\ntop = \"many\"\n").expect("write");
    let o = Run::new(&["ask", "x"])
        .env("CABILDO_CONFIG", cfg.to_str().expect("p"))
        .run();
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("bad.toml") && o.stderr.contains("search.top"),
        "{}",
        o.stderr
    );
}

#[test]
fn eval_matches_its_json() {
    let qs = crate::common::data().join("eval/dev-bolivia.jsonl");
    let o = Run::new(&["eval", "--json", qs.to_str().expect("p")]).success();
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v["questions"], 38);
    assert!(v["hit@3"].as_f64().expect("number") >= 0.9);
}

#[test]
fn bench_reports_every_figure() {
    let o = Run::new(&["bench", "--json", "--repetitions", "2"]).success();
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v["repetitions"], 2);
    assert!(v["questions"].as_u64().expect("n") >= 5);
    for k in [
        "cold_start_ms",
        "warm_start_ms",
        "p50_ms",
        "p99_ms",
        "answers_per_second",
    ] {
        assert!(v[k].as_f64().expect(k) > 0.0, "{k}: {}", v[k]);
    }
    assert!(v["p99_ms"].as_f64() >= v["p50_ms"].as_f64());
}

/// `check` validates every secret's shape and never prints a secret, even when it is malformed;
/// neither does any other command (searched in all output, logs included).
#[test]
fn secrets_never_appear_in_any_output() {
    // a well-formed fake token (id 123456789012345678 in base64) and a malformed one
    let good = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhXkZq.SECRETsecretSECRETsecretSECRETsecret12";
    let bad = "not-a-token-SECRETVALUE";
    let key = "SECRETKEY".repeat(7);
    let o = Run::new(&["check"])
        .env("DISCORD_TOKEN", good)
        .env("DISCORD_PUBLIC_KEY", &"ab".repeat(32))
        .env("CABILDO_SHARDS", "4..8")
        .env("CABILDO_SHARD_COUNT", "8")
        .run();
    assert!(
        o.stdout
            .contains("DISCORD_TOKEN: set, well formed (bot id 123456789012345678)")
            && o.stdout.contains("gateway shards: 4..8 of 8"),
        "{}",
        o.stdout
    );
    let mut all = o.stdout + &o.stderr;
    let o = Run::new(&["check"])
        .env("DISCORD_TOKEN", bad)
        .env("DISCORD_PUBLIC_KEY", &key)
        .run();
    assert_eq!(o.code, 1);
    assert!(
        o.stdout
            .contains("problem: config: DISCORD_TOKEN does not look like a bot token"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("problem: config: DISCORD_PUBLIC_KEY"),
        "{}",
        o.stdout
    );
    all += &(o.stdout + &o.stderr);
    for args in [
        &["-vv", "ask", "dual power"][..],
        &["-vv", "invite"][..],
        &["-vv", "toc"][..],
    ] {
        let o = Run::new(args)
            .env("DISCORD_TOKEN", good)
            .env("DISCORD_PUBLIC_KEY", &key)
            .run();
        all += &(o.stdout + &o.stderr);
    }
    for secret in ["SECRETsecret", "SECRETVALUE", "SECRETKEY"] {
        assert!(!all.contains(secret), "a secret leaked: {all}");
    }
}

/// `cabildo db …` and `cabildo settings show` on a database of its own.
fn db_commands(data: &str, url: Option<&str>) {
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", data]);
        let r = Run::new(&all);
        match url {
            Some(u) => r.env("DATABASE_URL", u),
            None => r,
        }
        .run()
    };
    let kind = if url.is_some() { "Postgres" } else { "SQLite" };
    let status = run(&["db", "status"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status.stdout.starts_with(&format!("{kind} database ")),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("pending"), "{}", status.stdout);
    let migrated = run(&["db", "migrate"]);
    assert_eq!(migrated.code, 0, "{}", migrated.stderr);
    assert!(
        migrated.stdout.contains("3 migration(s) applied, 3 in all"),
        "{}",
        migrated.stdout
    );
    let status = run(&["db", "status"]);
    assert!(
        status.stdout.contains("1 applied store"),
        "{}",
        status.stdout
    );
    assert!(!status.stdout.contains("pending"), "{}", status.stdout);
    let again = run(&["db", "migrate"]);
    assert!(
        again.stdout.contains("0 migration(s) applied"),
        "{}",
        again.stdout
    );
    let shown = run(&["settings", "show", "--guild", "42"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.starts_with("server 42 ("), "{}", shown.stdout);
    assert!(
        shown.stdout.contains("Results per answer: 3 (bot default)"),
        "{}",
        shown.stdout
    );
}

#[test]
fn db_migrate_status_and_settings_show_on_sqlite() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().to_str().expect("utf-8");
    db_commands(data, None);
    assert!(dir.path().join("cabildo.db").is_file());
    // A consistent copy, never over an existing file.
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_str().expect("utf-8");
    let out = Run::new(&["db", "backup", copy_arg, "--data-dir", data]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("backed up "), "{}", out.stdout);
    assert!(copy.is_file());
    let out = Run::new(&["db", "backup", copy_arg, "--data-dir", data]).run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("exists already"), "{}", out.stderr);
}

#[test]
fn db_migrate_status_and_settings_show_on_postgres() {
    let Some(base) = crate::store::postgres_url() else {
        return;
    };
    let url = crate::store::fresh_postgres(&base, "cli");
    let dir = tempfile::tempdir().expect("dir");
    db_commands(dir.path().to_str().expect("utf-8"), Some(&url));
    let out = Run::new(&["db", "backup", "x.db"])
        .env("DATABASE_URL", &url)
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("pg_dump"), "{}", out.stderr);
}

#[test]
fn a_bad_database_url_is_explained_without_its_password() {
    let out = Run::new(&["db", "status"])
        .env("DATABASE_URL", "mysql://root:hunter2@localhost/cabildo")
        .run();
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("postgres://"), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

/// The host's `cabildo texts` (issue 28), each command its own process on one database (a SQLite
/// file; and a Postgres database when the tests have a server): a text added by one process is
/// answered by the next with `--guild`, in that server only, until it is removed.
#[test]
fn texts_added_by_the_host_are_answered_in_that_server_only() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("bakery.txt");
    std::fs::write(&file, crate::library::BAKERY).expect("write");
    let png = dir.path().join("scan.txt");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let mut databases = vec![None];
    if let Some(base) = crate::store::postgres_url() {
        databases.push(Some(crate::store::fresh_postgres(&base, "cli_texts")));
    }
    for db in databases {
        let data = tempfile::tempdir().expect("data dir");
        let run = |args: &[&str]| {
            let mut r = Run::new(args)
                .env("CABILDO_DATA_DIR", &data.path().display().to_string())
                .env("CABILDO_MODEL", "none");
            if let Some(url) = &db {
                r = r.env("DATABASE_URL", url);
            }
            r
        };
        let q = "Who founded a cooperative in Tlaxcala?";
        let first_doc = |args: &[&str]| -> String {
            let o = run(args).success();
            let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
            v["results"][0]["doc_id"].as_str().unwrap_or("").to_string()
        };
        let o = run(&["texts", "add", "--guild", "77", &file.display().to_string()]).success();
        assert!(o.stdout.contains("added bakery"), "{}", o.stdout);
        let o = run(&["texts", "list", "--guild", "77"]).success();
        assert!(
            o.stdout.contains("bakery") && o.stdout.contains("added by host"),
            "{}",
            o.stdout
        );
        assert_eq!(first_doc(&["--guild", "77", "ask", "--json", q]), "bakery");
        let o = run(&["--guild", "77", "quote", "bakery:1.1"]).success();
        assert!(o.stdout.contains("Tlaxcala"), "{}", o.stdout);
        assert_ne!(first_doc(&["--guild", "78", "ask", "--json", q]), "bakery");
        assert_ne!(first_doc(&["ask", "--json", q]), "bakery");
        // Not a text: refused, named, nothing stored.
        let o = run(&["texts", "add", "--guild", "77", &png.display().to_string()]).run();
        assert_eq!(o.code, 1);
        assert!(o.stderr.contains("not a text"), "{}", o.stderr);
        let o = run(&["texts", "remove", "--guild", "77", "bakery"]).success();
        assert!(o.stdout.contains("removed bakery"), "{}", o.stdout);
        assert_ne!(first_doc(&["--guild", "77", "ask", "--json", q]), "bakery");
        // Without --guild, `texts` says what it needs.
        let o = run(&["texts", "list"]).run();
        assert_eq!(o.code, 1);
        assert!(o.stderr.contains("--guild"), "{}", o.stderr);
    }
}

//! The real `cabildo` binary's Discord commands: `invite`, a missing or malformed token, and
//! `register` and `run` against the fake Discord.

use std::process::{Child, Command, Output, Stdio};

use super::fake::{self, APP_ID, Fake};

/// `cabildo` in an empty directory (no `.env`, no config file) with only these variables set.
fn cabildo(args: &[&str], env: &[(&str, &str)]) -> Command {
    let dir = std::env::temp_dir().join(format!("cabildo-discord-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cabildo"));
    cmd.args(args)
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("CABILDO_DATA_DIR", dir.join("data"))
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn output(args: &[&str], env: &[(&str, &str)]) -> Output {
    cabildo(args, env).output().expect("runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn invite_prints_the_oauth_link_with_least_permissions() {
    let out = output(&["invite"], &[("DISCORD_TOKEN", &fake::token())]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let url = text(&out.stdout);
    assert_eq!(
        url.trim(),
        format!(
            "https://discord.com/oauth2/authorize?client_id={APP_ID}&scope=bot+applications.commands&permissions=274877992000"
        )
    );
    let out = output(&["invite"], &[("DISCORD_APPLICATION_ID", "42")]);
    assert!(text(&out.stdout).contains("client_id=42&"));
    let out = output(&["invite"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("DISCORD_APPLICATION_ID"));
}

#[test]
fn a_missing_or_malformed_token_is_a_clear_error_never_printed() {
    let out = output(&["run"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("DISCORD_TOKEN is not set") && err.contains(".env"),
        "{err}"
    );
    for bad in [
        "not-a-token",
        "abc.def",
        "bm90IGFuIGlk.GfAkE0.secretpart",
        "MTIz.x.y.z",
    ] {
        for cmd in ["run", "register"] {
            let out = output(&[cmd], &[("DISCORD_TOKEN", bad)]);
            assert_eq!(out.status.code(), Some(1), "{cmd} {bad}");
            let all = text(&out.stderr) + &text(&out.stdout);
            assert!(all.contains("does not look like a bot token"), "{all}");
            assert!(!all.contains(bad), "the token was printed: {all}");
            assert!(!all.contains("panicked"), "{all}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_registers_through_the_proxy() {
    let fake = Fake::start().await;
    let url = fake.url();
    let out = tokio::task::spawn_blocking(move || {
        output(
            &["register"],
            &[
                ("DISCORD_TOKEN", &fake::token()),
                ("DISCORD_PROXY_URL", &url),
                ("DISCORD_GUILD_ID", "42"),
            ],
        )
    })
    .await
    .expect("joins");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "registered 12 commands to server 42 (available now)"
    );
    let put = fake.request(5, |r| r.method == "PUT").await;
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{APP_ID}/guilds/42/commands")
    );
}

/// Kills the child when the test ends, however it ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cabildo_run_connects_registers_and_answers() {
    let fake = Fake::start().await;
    let child = cabildo(
        &["run"],
        &[
            ("DISCORD_TOKEN", &fake::token()),
            ("DISCORD_PROXY_URL", &fake.url()),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("starts");
    let _guard = Kill(child);
    let put = fake
        .request(20, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    assert_eq!(put.path, format!("/api/v10/applications/{APP_ID}/commands"));
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::interaction(
            2001,
            2,
            serde_json::json!({"id": "903", "name": "help", "type": 1}),
        ),
    );
    let body = fake
        .request(10, |r| {
            r.path == "/api/v10/interactions/2001/itoken2001/callback"
        })
        .await
        .body;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(body["data"]["embeds"][0]["title"], "cabildo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_discord_refuses_stops_run_with_a_clear_error() {
    let fake = Fake::start().await;
    fake.refuse_token();
    let url = fake.url();
    let out = tokio::task::spawn_blocking(move || {
        output(
            &["run"],
            &[
                ("DISCORD_TOKEN", &fake::token()),
                ("DISCORD_PROXY_URL", &url),
            ],
        )
    });
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), out)
        .await
        .expect("exits")
        .expect("joins");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("Discord refused the token"), "{err}");
    assert!(!err.contains("fake-secret"), "the token was printed: {err}");
}

/// Flags after `run`, environment variables, and what the error must say.
type RunCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn bad_shard_settings_are_refused_politely() {
    let token = fake::token();
    let cases: &[RunCase] = &[
        (
            &["--shards", "4..2", "--shard-count", "8"],
            &[],
            "the shard range 4..2 is empty",
        ),
        (
            &["--shards", "4..4", "--shard-count", "8"],
            &[],
            "END must be greater than START",
        ),
        (
            &["--shards", "4..10", "--shard-count", "8"],
            &[],
            "the shard range 4..10 goes past the shard count 8: shard ids run from 0 to 7",
        ),
        (
            &["--shards", "0..1", "--shard-count", "0"],
            &[],
            "the shard count must be at least 1",
        ),
        (&["--shard-count", "0"], &[], "must be at least 1"),
        (
            &["--shards", "zero..four", "--shard-count", "8"],
            &[],
            "--shards: expected a range of shard ids START..END",
        ),
        (
            &["--shards", "0..=3", "--shard-count", "8"],
            &[],
            "--shards: expected",
        ),
        (
            &["--shards", "-1..3", "--shard-count", "8"],
            &[],
            "--shards: expected",
        ),
        (
            &["--shards", "", "--shard-count", "8"],
            &[],
            "--shards: expected",
        ),
        (
            &["--shards", "99999999999", "--shard-count", "8"],
            &[],
            "--shards: expected",
        ),
        (
            &["--shard-count", "eight"],
            &[],
            "--shard-count: expected the total",
        ),
        (&["--shard-count", "-8"], &[], "--shard-count: expected"),
        (
            &["--shards", "0..4"],
            &[],
            "needs the total number of shards too",
        ),
        (
            &[],
            &[("CABILDO_SHARDS", "0..4"), ("CABILDO_SHARD_COUNT", "2")],
            "goes past the shard count 2",
        ),
        (
            &[],
            &[("CABILDO_SHARDS", "first half")],
            "CABILDO_SHARDS: expected a range",
        ),
        (
            &[],
            &[("CABILDO_SHARD_COUNT", "many")],
            "CABILDO_SHARD_COUNT: expected",
        ),
    ];
    for (flags, vars, expected) in cases {
        let mut args = vec!["run"];
        args.extend_from_slice(flags);
        let mut env = vec![("DISCORD_TOKEN", token.as_str())];
        env.extend_from_slice(vars);
        let out = output(&args, &env);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} {vars:?}: {err}");
        assert!(err.contains(expected), "{args:?} {vars:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(text(&out.stdout).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cabildo_run_shards_flags_override_the_environment() {
    let fake = Fake::start().await;
    let child = cabildo(
        &["run", "--shards", "1", "--shard-count", "2"],
        &[
            ("DISCORD_TOKEN", &fake::token()),
            ("DISCORD_PROXY_URL", &fake.url()),
            ("CABILDO_SHARDS", "0..4"),
            ("CABILDO_SHARD_COUNT", "8"),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("starts");
    let _guard = Kill(child);
    fake.until(20, "an IDENTIFY", |f| f.identifies() >= 1).await;
    assert_eq!(fake.identified_shards(), vec![Some([1, 2])]);
    // It answers, though it leaves registering the commands to the process with shard 0.
    fake.dispatch(
        "INTERACTION_CREATE",
        fake::interaction(
            2002,
            2,
            serde_json::json!({"id": "903", "name": "help", "type": 1}),
        ),
    );
    let first = fake
        .request(10, |r| r.method == "PUT" || r.path.ends_with("/callback"))
        .await;
    assert_eq!(
        first.path, "/api/v10/interactions/2002/itoken2002/callback",
        "{first:?}"
    );
}

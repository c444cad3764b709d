//! End to end: the real serenity client, started by the same code as `cabildo run`
//! ([`cabildo::discord::run`], configured by environment variables through `Settings`), against
//! the fake Discord in [`super::fake`] on 127.0.0.1.

use std::collections::HashMap;
use std::sync::{Arc, Once, OnceLock};

use cabildo::config::{Overrides, SearchSettings, Settings};
use cabildo::corpus;
use cabildo::engine::Engine;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::fake::{self, APP_ID, CHANNEL_ID, Fake, GUILD_ID, USER_ID};
use super::limits::check_message;

fn engine() -> Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| {
        Arc::new(
            Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
                .expect("essay engine"),
        )
    })
    .clone()
}

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Tests talk only to 127.0.0.1; keep any configured HTTP proxy out of the way. Set once,
        // before any client exists.
        // SAFETY: done once, before this test binary builds any HTTP client reading it.
        unsafe { std::env::set_var("NO_PROXY", "127.0.0.1,localhost") };
        // serenity drops malformed events with only a WARN: show them.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn")
            .with_test_writer()
            .try_init();
    });
}

/// A bot running against a fake Discord; stopped when dropped.
struct Running {
    fake: Fake,
    stop: Option<oneshot::Sender<()>>,
    /// The data directory (the bot's database is in it).
    data: tempfile::TempDir,
    /// The bot's task.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops the bot and waits until it has (its scheduler included).
    async fn stop(mut self) {
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
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Starts the fake, then the bot as `cabildo run` does, configured through the environment.
async fn start(extra: &[(&str, &str)]) -> Running {
    init();
    let fake = Fake::start().await;
    let url = fake.url();
    let mut vars: Vec<(&str, &str)> = vec![("DISCORD_PROXY_URL", url.as_str())];
    vars.extend_from_slice(extra);
    launch(fake, &vars, None)
}

/// Runs the bot against `fake` with these variables (and an HTTP client, when given).
fn launch(fake: Fake, extra: &[(&str, &str)], client: Option<reqwest::Client>) -> Running {
    let data = tempfile::tempdir().expect("data dir");
    let mut env: HashMap<String, String> = HashMap::from([
        ("DISCORD_TOKEN".to_string(), fake::token()),
        ("DISCORD_RATE_REFILL_SECONDS".to_string(), "0".to_string()),
        (
            "CABILDO_DATA_DIR".to_string(),
            data.path().display().to_string(),
        ),
    ]);
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings =
        Settings::load_with(&Overrides::default(), |k| env.get(k).cloned()).expect("settings");
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        let launch = cabildo::discord::Launch {
            http_client: client,
            plan_tick: Some(std::time::Duration::from_millis(100)),
            ..Default::default()
        };
        if let Err(e) = cabildo::discord::run_with(&settings, engine(), shutdown, launch).await {
            panic!("bot stopped: {e}");
        }
    });
    Running {
        fake,
        stop: Some(stop),
        data,
        task: Some(task),
    }
}

/// Starts and waits for the commands to be registered (READY handled).
async fn ready(extra: &[(&str, &str)]) -> (Running, fake::Request) {
    let bot = start(extra).await;
    let put = bot
        .fake
        .request(10, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    (bot, put)
}

fn ask(id: u64, question: &str, private: bool) -> Value {
    fake::interaction(
        id,
        2,
        json!({"id": "900", "name": "ask", "type": 1, "options": [
            {"name": "question", "type": 3, "value": question},
            {"name": "private", "type": 5, "value": private}
        ]}),
    )
}

/// A message in the server channel that mentions the bot.
fn mention(id: &str, text: &str) -> Value {
    let mut m = fake::message(
        id,
        &CHANNEL_ID.to_string(),
        &format!("<@{APP_ID}> {text}"),
        USER_ID,
        "reader",
        false,
    );
    m["guild_id"] = json!(GUILD_ID.to_string());
    m["mentions"] = json!([{"id": APP_ID.to_string(), "username": "cabildo", "discriminator": "0", "bot": true, "avatar": null, "global_name": null}]);
    m
}

async fn callback(fake: &Fake, id: u64) -> Value {
    let path = format!("/api/v10/interactions/{id}/itoken{id}/callback");
    fake.request(10, |r| r.method == "POST" && r.path == path)
        .await
        .body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_registers_the_commands_globally() {
    let (bot, put) = ready(&[]).await;
    assert_eq!(put.path, format!("/api/v10/applications/{APP_ID}/commands"));
    assert_eq!(put.auth, Some(format!("Bot {}", fake::token())));
    insta::assert_json_snapshot!("registered_commands", put.body);
    // No shard settings: one connection, shard 0 of 1, as serenity's `start()` makes it.
    assert_eq!(bot.fake.identified_shards(), vec![Some([0, 1])]);
}

/// A range that leaves out shards at both ends: exactly its shards identify, each with the total,
/// and the process that does not run shard 0 leaves command registration to the one that does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_range_identifies_exactly_its_shards() {
    let bot = start(&[("CABILDO_SHARDS", "1..3"), ("CABILDO_SHARD_COUNT", "4")]).await;
    // serenity starts one shard every 5 s.
    bot.fake
        .until(20, "two IDENTIFYs", |f| f.identifies() >= 2)
        .await;
    // Wait out one more 5-second gap between shard starts: a shard past the range (3) would
    // identify by then.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    assert_eq!(
        bot.fake.identified_shards(),
        vec![Some([1, 4]), Some([2, 4])]
    );
    // Not shard 0: no registration (it would have followed the first READY seconds ago).
    let mut seen = Vec::new();
    while let Ok(r) = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        bot.fake.request(1, |_| true),
    )
    .await
    {
        seen.push(format!("{} {}", r.method, r.path));
    }
    assert!(!seen.iter().any(|p| p.starts_with("PUT ")), "{seen:?}");
    // The shards answer interactions.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        ask(3101, "What is dual power?", false),
    );
    assert_eq!(callback(&bot.fake, 3101).await["type"], 4);
}

/// `--shard-count` alone runs every shard in this process; the one with shard 0 registers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shard_count_alone_runs_every_shard() {
    let (bot, put) = ready(&[("CABILDO_SHARD_COUNT", "2")]).await;
    assert_eq!(put.path, format!("/api/v10/applications/{APP_ID}/commands"));
    bot.fake
        .until(20, "two IDENTIFYs", |f| f.identifies() >= 2)
        .await;
    assert_eq!(
        bot.fake.identified_shards(),
        vec![Some([0, 2]), Some([1, 2])]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_id_registers_to_that_server() {
    let guild = GUILD_ID.to_string();
    let (_bot, put) = ready(&[("DISCORD_GUILD_ID", &guild)]).await;
    assert_eq!(
        put.path,
        format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_then_press_more_results() {
    let (bot, _) = ready(&[]).await;
    bot.fake
        .dispatch("INTERACTION_CREATE", ask(1001, "what is dual power?", true));
    let body = callback(&bot.fake, 1001).await;
    assert_eq!(body["type"], 4, "{body}");
    let data = &body["data"];
    check_message(data);
    assert_eq!(data["flags"], 64, "private: true is ephemeral");
    let description = data["embeds"][0]["description"]
        .as_str()
        .expect("description");
    assert!(
        description.contains("**"),
        "matched words in bold: {description}"
    );
    assert!(
        description.contains("· `"),
        "short references: {description}"
    );
    let more = data["components"]
        .as_array()
        .expect("rows")
        .iter()
        .flat_map(|r| r["components"].as_array().expect("buttons").clone())
        .find_map(|b| {
            b["custom_id"]
                .as_str()
                .filter(|id| id.starts_with("more:"))
                .map(str::to_string)
        })
        .expect("a more-results button");

    // Press it: the same message is updated with the next page.
    bot.fake.dispatch("INTERACTION_CREATE", press(1002, &more));
    let body = callback(&bot.fake, 1002).await;
    assert_eq!(body["type"], 7, "update message: {body}");
    check_message(&body["data"]);
    let footer = body["data"]["embeds"][0]["footer"]["text"]
        .as_str()
        .expect("footer");
    assert!(footer.contains("results 4"), "{footer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_reference_gets_an_ephemeral_error() {
    let (bot, _) = ready(&[]).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        fake::interaction(
            1003,
            2,
            json!({"id": "901", "name": "quote", "type": 1, "options": [
                {"name": "reference", "type": 3, "value": "9.99"}
            ]}),
        ),
    );
    let body = callback(&bot.fake, 1003).await;
    assert_eq!(body["type"], 4);
    check_message(&body["data"]);
    assert_eq!(body["data"]["flags"], 64);
    let content = body["data"]["content"].as_str().expect("content");
    assert!(content.contains("no section 9"), "{content}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_gets_a_reply_in_the_channel() {
    let (bot, _) = ready(&[]).await;
    bot.fake.dispatch(
        "MESSAGE_CREATE",
        mention("990000000000000100", "what is dual power?"),
    );
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let sent = bot
        .fake
        .request(10, |r| r.method == "POST" && r.path == path)
        .await
        .body;
    check_message(&sent);
    assert_eq!(
        sent["message_reference"]["message_id"],
        "990000000000000100"
    );
    assert_eq!(sent["allowed_mentions"]["replied_user"], false);
    assert!(
        sent["embeds"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("**"))
    );

    // A message that does not mention the bot is ignored; the next request is for the next mention.
    let mut other = fake::message(
        "990000000000000101",
        &CHANNEL_ID.to_string(),
        "just chatting",
        USER_ID,
        "reader",
        false,
    );
    other["guild_id"] = json!(GUILD_ID.to_string());
    bot.fake.dispatch("MESSAGE_CREATE", other);
    let mut again = fake::message(
        "990000000000000102",
        &CHANNEL_ID.to_string(),
        "what is the general strike?",
        USER_ID,
        "reader",
        false,
    );
    // No guild: a direct message.
    again["channel_id"] = json!(CHANNEL_ID.to_string());
    bot.fake.dispatch("MESSAGE_CREATE", again);
    let sent = bot
        .fake
        .request(10, |r| r.method == "POST" && r.path == path)
        .await
        .body;
    assert_eq!(
        sent["message_reference"]["message_id"],
        "990000000000000102"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_after_a_dropped_connection_and_after_op_7() {
    let (bot, _) = ready(&[]).await;
    bot.fake.drop_connection();
    bot.fake.until(15, "a RESUME", |f| f.resumes() >= 1).await;
    assert_eq!(bot.fake.identifies(), 1, "resumed, not re-identified");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        ask(1004, "what is dual power?", false),
    );
    let body = callback(&bot.fake, 1004).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 0);
    check_message(&body["data"]);

    // Discord's "reconnect" (op 7): resume again.
    bot.fake.ask_to_reconnect();
    bot.fake
        .until(15, "a second RESUME", |f| f.resumes() >= 2)
        .await;
    bot.fake
        .dispatch("INTERACTION_CREATE", ask(1006, "the general strike", false));
    assert_eq!(callback(&bot.fake, 1006).await["type"], 4);
    assert_eq!(bot.fake.identifies(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_with_retry_after_is_honoured() {
    init();
    // serenity's own rate limiter only runs without a proxy: talk HTTPS to "discord.com",
    // resolved to the fake, which the test client trusts.
    let (fake, client) = Fake::start_tls().await;
    let bot = launch(fake, &[], Some(client));
    bot.fake
        .request(10, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    bot.fake.throttle_callbacks(1);
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        ask(1005, "what is dual power?", false),
    );
    let path = "/api/v10/interactions/1005/itoken1005/callback";
    let refused = bot
        .fake
        .request(10, |r| r.path == format!("{path}#429"))
        .await;
    let retried = bot.fake.request(10, |r| r.path == path).await;
    let waited = retried.at.duration_since(refused.at);
    assert!(
        waited >= std::time::Duration::from_millis(190),
        "retried after {waited:?}, before Retry-After"
    );
    assert_eq!(retried.body["type"], 4);
    check_message(&retried.body["data"]);
}

fn press(id: u64, custom_id: &str) -> Value {
    let mut press = fake::interaction(id, 3, json!({"custom_id": custom_id, "component_type": 2}));
    press["message"] = fake::message(
        "990000000000000009",
        &CHANNEL_ID.to_string(),
        "",
        APP_ID,
        "cabildo",
        true,
    );
    press
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_moves_with_the_arrows_and_forged_ids_are_refused() {
    let (bot, _) = ready(&[]).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        fake::interaction(
            1010,
            2,
            json!({"id": "902", "name": "read", "type": 1, "options": [
                {"name": "section", "type": 3, "value": "Elements of dual power"},
                {"name": "paragraph", "type": 4, "value": 2}
            ]}),
        ),
    );
    let body = callback(&bot.fake, 1010).await;
    assert_eq!(body["type"], 4);
    check_message(&body["data"]);
    assert_eq!(
        body["data"]["embeds"][0]["title"],
        "§3 Elements of dual power ¶2"
    );
    let next = body["data"]["components"][0]["components"][1]["custom_id"]
        .as_str()
        .expect("next")
        .to_string();
    bot.fake.dispatch("INTERACTION_CREATE", press(1011, &next));
    let body = callback(&bot.fake, 1011).await;
    assert_eq!(body["type"], 7, "the arrow updates the message");
    assert_eq!(
        body["data"]["embeds"][0]["title"],
        "§3 Elements of dual power ¶3"
    );
    for (id, forged) in [
        (1012, "read:0.3.999"),
        (1013, "rm -rf /"),
        (1014, "more:1:-:h:00000000000000ff"),
    ] {
        bot.fake.dispatch("INTERACTION_CREATE", press(id, forged));
        let body = callback(&bot.fake, id).await;
        assert_eq!(body["type"], 4, "{forged}");
        assert_eq!(body["data"]["flags"], 64, "{forged}");
        check_message(&body["data"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_and_find_in_the_text() {
    let (bot, _) = ready(&[]).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        fake::interaction(
            1020,
            4,
            json!({"id": "901", "name": "quote", "type": 1, "options": [
                {"name": "reference", "type": 3, "value": "dual", "focused": true}
            ]}),
        ),
    );
    let body = callback(&bot.fake, 1020).await;
    assert_eq!(body["type"], 8);
    assert_eq!(
        body["data"]["choices"],
        json!([{"name": "Elements of dual power — §3", "value": "3"}])
    );

    let target = "990000000000000200";
    let mut data = json!({"id": "905", "name": "Find in the text", "type": 3, "target_id": target});
    data["resolved"] = json!({"messages": {target: fake::message(
        target,
        &CHANNEL_ID.to_string(),
        "the general strike poses the question of power",
        USER_ID,
        "reader",
        false,
    )}});
    bot.fake
        .dispatch("INTERACTION_CREATE", fake::interaction(1021, 2, data));
    let body = callback(&bot.fake, 1021).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    check_message(&body["data"]);
    assert!(
        body["data"]["embeds"][0]["description"]
            .as_str()
            .is_some_and(|d| d.contains("**")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_spares_mistakes_and_answers_a_throttled_mention_with_a_reaction() {
    let (bot, _) = ready(&[
        ("DISCORD_RATE_BURST", "2"),
        ("DISCORD_RATE_REFILL_SECONDS", "60"),
    ])
    .await;
    let quote = |id, reference: &str| {
        fake::interaction(
            id,
            2,
            json!({"id": "901", "name": "quote", "type": 1, "options": [
                {"name": "reference", "type": 3, "value": reference}]}),
        )
    };
    // A mistake, then its correction at once: the mistake costs nothing.
    bot.fake
        .dispatch("INTERACTION_CREATE", quote(1030, "99.99"));
    let wrong = callback(&bot.fake, 1030).await;
    assert!(
        wrong["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("no section 99")),
        "{wrong}"
    );
    bot.fake.dispatch("INTERACTION_CREATE", quote(1031, "2.3"));
    assert!(callback(&bot.fake, 1031).await["data"]["embeds"][0].is_object());
    // The same member from a server (`member` instead of `user`) uses the same bucket.
    let mut from_guild = quote(1032, "2.4");
    let user = from_guild
        .as_object_mut()
        .and_then(|o| o.remove("user"))
        .expect("user");
    from_guild["guild_id"] = json!(GUILD_ID.to_string());
    from_guild["member"] = json!({
        "user": user, "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "permissions": "0"
    });
    bot.fake.dispatch("INTERACTION_CREATE", from_guild);
    assert!(callback(&bot.fake, 1032).await["data"]["embeds"][0].is_object());
    // The bucket is empty: a command is told when to ask again, privately.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        ask(1033, "what is dual power?", false),
    );
    let throttled = callback(&bot.fake, 1033).await;
    assert_eq!(throttled["data"]["flags"], 64);
    let content = throttled["data"]["content"].as_str().expect("content");
    assert!(content.contains("you can ask again in"), "{content}");
    // A mention now gets a ⏳ reaction, not silence and not a message.
    bot.fake.dispatch(
        "MESSAGE_CREATE",
        mention("990000000000000200", "what is dual power?"),
    );
    let reacted = bot
        .fake
        .request(10, |r| r.method == "PUT" && r.path.contains("/reactions/"))
        .await;
    assert!(
        reacted.path.starts_with(&format!(
            "/api/v10/channels/{CHANNEL_ID}/messages/990000000000000200/reactions/"
        )),
        "{}",
        reacted.path
    );
    assert!(
        reacted.path.contains("%E2%8F%B3") || reacted.path.contains('⏳'),
        "{}",
        reacted.path
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_the_bot_even_when_the_gateway_is_unreachable() {
    init();
    for broken in [false, true] {
        let fake = Fake::start().await;
        if broken {
            fake.break_gateway();
        }
        let data = tempfile::tempdir().expect("data dir");
        let env: HashMap<&str, String> = HashMap::from([
            ("DISCORD_TOKEN", fake::token()),
            ("DISCORD_PROXY_URL", fake.url()),
            ("CABILDO_DATA_DIR", data.path().display().to_string()),
        ]);
        let settings =
            Settings::load_with(&Overrides::default(), |k| env.get(k).cloned()).expect("settings");
        let (stop, stopped) = oneshot::channel::<()>();
        let bot = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            cabildo::discord::run(&settings, engine(), shutdown).await
        });
        if broken {
            fake.request(10, |r| r.path == "/api/v10/gateway").await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        } else {
            fake.request(10, |r| r.method == "PUT").await;
        }
        let _ = stop.send(());
        let ended = tokio::time::timeout(std::time::Duration::from_secs(7), bot)
            .await
            .expect("stopped in time")
            .expect("joins");
        assert!(ended.is_ok(), "{ended:?}");
    }
}

/// A slash command from a member of the server, in `CHANNEL_ID`, where the bot has `permissions`.
fn in_guild(id: u64, data: Value, permissions: u64) -> Value {
    let mut i = fake::interaction(id, 2, data);
    i["guild_id"] = json!(GUILD_ID.to_string());
    i["app_permissions"] = json!(permissions.to_string());
    i
}

/// View Channel, Send Messages, Create Public Threads.
const CAN_POST: u64 = (1 << 10) | (1 << 11) | (1 << 35);

fn plan_start(id: u64, channel: Option<&str>) -> Value {
    let mut options = vec![
        json!({"name": "document", "type": 3, "value": "bolivia"}),
        json!({"name": "from", "type": 3, "value": "2.1"}),
        json!({"name": "passages_per_day", "type": 4, "value": 2}),
        json!({"name": "time", "type": 3, "value": "07:30"}),
        json!({"name": "timezone", "type": 3, "value": "America/La_Paz"}),
    ];
    let mut resolved = json!({});
    if let Some(c) = channel {
        options.push(json!({"name": "channel", "type": 7, "value": c}));
        resolved =
            json!({"channels": {c: {"id": c, "name": "reading", "type": 0, "permissions": "0"}}});
    }
    in_guild(
        id,
        json!({"id": "903", "name": "plan", "type": 1, "resolved": resolved,
               "options": [{"name": "start", "type": 1, "options": options}]}),
        CAN_POST,
    )
}

/// Makes the server's plan due now, as if its time had come (the bot's database, opened beside it).
fn make_due(bot: &Running) {
    let store = cabildo::store::Store::open(&cabildo::store::url_for(None, bot.data.path()))
        .expect("the bot's database");
    let now = chrono::Utc::now().timestamp();
    store
        .block(store.set_plan_status(
            GUILD_ID,
            cabildo::store::PlanStatus::Active,
            None,
            Some(now),
        ))
        .expect("update")
        .expect("a plan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_start_then_the_post_arrives_with_its_thread() {
    let (bot, _) = ready(&[]).await;
    bot.fake
        .dispatch("INTERACTION_CREATE", plan_start(7101, None));
    let reply = bot
        .fake
        .request(10, |r| r.path.contains("/interactions/7101/"))
        .await;
    let data = &reply.body["data"];
    assert_eq!(data["flags"], 64, "private");
    let text = data["content"].as_str().unwrap_or_default();
    assert!(text.starts_with("Reading plan started."), "{reply:?}");
    assert!(text.contains("07:30 (America/La_Paz)"), "{text}");
    make_due(&bot);
    let channel = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let post = bot
        .fake
        .request(10, |r| r.method == "POST" && r.path == channel)
        .await;
    let content = post.body["content"].as_str().unwrap_or_default();
    assert!(content.contains("Reading plan, day 1"), "{content}");
    assert!(
        content.contains("¶1") && content.contains("¶2"),
        "{content}"
    );
    assert!(content.chars().count() <= 2000);
    assert_eq!(post.body["enforce_nonce"], true);
    assert!(post.body["nonce"].as_str().is_some_and(|n| n.len() <= 25));
    assert_eq!(post.body["allowed_mentions"]["parse"], json!([]));
    let thread = bot
        .fake
        .request(10, |r| r.method == "POST" && r.path.ends_with("/threads"))
        .await;
    assert_eq!(
        thread.path,
        format!("/api/v10/channels/{CHANNEL_ID}/messages/990000000000000001/threads")
    );
    assert!(
        thread.body["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Day 1: ")),
        "{:?}",
        thread.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_in_a_channel_the_bot_cannot_post_in_pauses_and_tells_its_starter() {
    let (bot, _) = ready(&[]).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        plan_start(7201, Some(fake::FORBIDDEN_CHANNEL)),
    );
    bot.fake
        .request(10, |r| r.path.contains("/interactions/7201/"))
        .await;
    make_due(&bot);
    bot.fake
        .request(10, |r| {
            r.method == "POST" && r.path.contains(fake::FORBIDDEN_CHANNEL)
        })
        .await;
    let dm = format!("/api/v10/channels/{}/messages", fake::DM_CHANNEL);
    let told = bot
        .fake
        .request(10, |r| r.method == "POST" && r.path == dm)
        .await;
    let text = told.body["content"].as_str().unwrap_or_default();
    assert!(
        text.contains("is paused") && text.contains("/plan resume"),
        "{text}"
    );
    // The plan is kept, paused, with the reason.
    let store =
        cabildo::store::Store::open(&cabildo::store::url_for(None, bot.data.path())).expect("db");
    let plan = store
        .block(store.open_plan(GUILD_ID))
        .expect("read")
        .expect("kept");
    assert_eq!(plan.status, cabildo::store::PlanStatus::Paused);
    assert!(
        plan.pause_reason
            .is_some_and(|r| r.contains("may not post"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bookmark_button_then_the_export_arrives_as_a_file() {
    let (bot, _) = ready(&[]).await;
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        in_guild(
            7301,
            json!({"id": "900", "name": "ask", "type": 1, "options": [
                {"name": "question", "type": 3, "value": "What is dual power?"}
            ]}),
            CAN_POST,
        ),
    );
    let answer = callback(&bot.fake, 7301).await;
    check_message(&answer["data"]);
    let mark = answer["data"]["components"][0]["components"]
        .as_array()
        .expect("buttons")
        .iter()
        .find_map(|b| b["custom_id"].as_str().filter(|id| id.starts_with("mark:")))
        .expect("a bookmark button under the first passage")
        .to_string();
    bot.fake.dispatch("INTERACTION_CREATE", press(7302, &mark));
    let marked = callback(&bot.fake, 7302).await;
    assert_eq!(marked["data"]["flags"], 64);
    let text = marked["data"]["content"].as_str().unwrap_or_default();
    assert!(text.starts_with("🔖 Bookmarked"), "{marked}");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        in_guild(
            7303,
            json!({"id": "911", "name": "bookmarks", "type": 1,
                   "options": [{"name": "export", "type": 1, "options": []}]}),
            CAN_POST,
        ),
    );
    let export = callback(&bot.fake, 7303).await;
    assert_eq!(export["data"]["flags"], 64, "private");
    let files = export["_files"].as_array().expect("attachments");
    assert_eq!(files.len(), 1, "{export}");
    assert_eq!(files[0]["name"], "bookmarks.md");
    let md = files[0]["content"].as_str().unwrap_or_default();
    assert!(md.starts_with("# Bookmarks") && md.contains("\n> "), "{md}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_setting_changes_what_ask_answers() {
    let (bot, _) = ready(&[]).await;
    let ask_in_guild = |id: u64| {
        in_guild(
            id,
            json!({"id": "900", "name": "ask", "type": 1, "options": [
                {"name": "question", "type": 3, "value": "What is dual power?"}
            ]}),
            CAN_POST,
        )
    };
    let marks = |body: &Value| {
        body["data"]["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().into_iter().flatten())
            .filter(|b| {
                b["custom_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("mark:"))
            })
            .count()
    };
    bot.fake.dispatch("INTERACTION_CREATE", ask_in_guild(7401));
    let before = callback(&bot.fake, 7401).await;
    assert_eq!(marks(&before), 3, "{before}");
    assert_ne!(before["data"]["flags"], 64, "public by default");
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        in_guild(
            7402,
            json!({"id": "910", "name": "settings", "type": 1, "options": [
                {"name": "set", "type": 1, "options": [
                    {"name": "results", "type": 4, "value": 1},
                    {"name": "private", "type": 5, "value": true}
                ]}
            ]}),
            CAN_POST,
        ),
    );
    let saved = callback(&bot.fake, 7402).await;
    assert_eq!(saved["data"]["flags"], 64);
    assert!(
        saved["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("Results per answer: 1 (server setting)")),
        "{saved}"
    );
    bot.fake.dispatch("INTERACTION_CREATE", ask_in_guild(7403));
    let after = callback(&bot.fake, 7403).await;
    assert_eq!(marks(&after), 1, "{after}");
    assert_eq!(after["data"]["flags"], 64, "private, as the server set");
}

/// Makes a server's plan due at `when` (Unix seconds), in the database at `url`.
fn due_at(url: &str, guild: u64, when: i64) {
    let store = cabildo::store::Store::open(url).expect("the bot's database");
    store
        .block(store.set_plan_status(guild, cabildo::store::PlanStatus::Active, None, Some(when)))
        .expect("update")
        .expect("a plan");
}

/// Makes a server's plan due now.
fn due_now(url: &str, guild: u64) {
    due_at(url, guild, chrono::Utc::now().timestamp());
}

/// The bot as `cabildo run` runs it, on the database at `url` (with its data in `data`).
async fn bot_on(url: &str, data: &std::path::Path) -> Running {
    let fake = Fake::start().await;
    let proxy = fake.url();
    let data = data.display().to_string();
    let mut vars = vec![
        ("DISCORD_PROXY_URL", proxy.as_str()),
        ("CABILDO_DATA_DIR", data.as_str()),
    ];
    if url.starts_with("postgres") {
        vars.push(("DATABASE_URL", url));
    }
    let bot = launch(fake, &vars, None);
    bot.fake
        .request(10, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    bot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_schedule_loses_and_repeats_nothing() {
    let data = tempfile::tempdir().expect("data");
    let sqlite = cabildo::store::url_for(None, data.path());
    let postgres =
        crate::store::postgres_url().map(|b| crate::store::fresh_postgres(&b, "restart"));
    let plan_channel = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    const OTHER_GUILD: u64 = 444_000_000_000_000_002;
    const OTHER_CHANNEL: &str = "555000000000000777";
    for url in std::iter::once(sqlite).chain(postgres) {
        // Day 1, posted by the first run.
        let first = bot_on(&url, data.path()).await;
        first
            .fake
            .dispatch("INTERACTION_CREATE", plan_start(7501, None));
        first
            .fake
            .request(10, |r| r.path.contains("/interactions/7501/"))
            .await;
        due_now(&url, GUILD_ID);
        let day1 = first
            .fake
            .request(10, |r| r.method == "POST" && r.path == plan_channel)
            .await;
        assert!(
            day1.body["content"]
                .as_str()
                .is_some_and(|c| c.contains("day 1"))
        );
        // A second server's plan, to show later that the new run has ticked.
        let mut other = plan_start(7502, Some(OTHER_CHANNEL));
        other["guild_id"] = json!(OTHER_GUILD.to_string());
        first.fake.dispatch("INTERACTION_CREATE", other);
        first
            .fake
            .request(10, |r| r.path.contains("/interactions/7502/"))
            .await;
        first.stop().await;
        // Day 2 fell due an hour ago, while the bot was down (set once the new run is up, so that
        // its post is not mistaken for start-up traffic): posted once, late, never day 1 again.
        let second = bot_on(&url, data.path()).await;
        due_at(&url, GUILD_ID, chrono::Utc::now().timestamp() - 3600);
        let day2 = second
            .fake
            .request(10, |r| r.method == "POST" && r.path == plan_channel)
            .await;
        let content = day2.body["content"].as_str().unwrap_or_default();
        assert!(
            content.contains("day 2") && content.contains("(late"),
            "{url}: {content}"
        );
        due_now(&url, OTHER_GUILD);
        second
            .fake
            .request(10, |r| {
                assert!(
                    !(r.method == "POST" && r.path == plan_channel),
                    "{url}: the plan posted twice: {:?}",
                    r.body["content"]
                );
                r.method == "POST" && r.path.contains(OTHER_CHANNEL)
            })
            .await;
        let store = cabildo::store::Store::open(&url).expect("db");
        let plan = store
            .block(store.open_plan(GUILD_ID))
            .expect("read")
            .expect("plan");
        assert_eq!(plan.posts, 2, "{url}");
        assert!(plan.next_due_at > chrono::Utc::now().timestamp(), "{url}");
    }
}

//! `/texts` end to end (issue 28): the real serenity client started as `cabildo run` starts it,
//! the fake Discord on 127.0.0.1, and the fake's file server serving the attachment over HTTPS as
//! Discord's CDN does. A server adds a text and sees its reply edited as it is read; members then
//! get answers from it, another server does not; removing it leaves its buttons out of date; a
//! member without Manage Server is refused; a file that is not a text is refused with nothing
//! stored.

use std::collections::HashMap;

use cabildo::config::{Overrides, Settings};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::fake::{self, APP_ID, Attachments, Fake, GUILD_ID, USER_ID};

const OTHER_GUILD: u64 = 444_000_000_000_000_002;
/// Manage Server.
const MANAGE_GUILD: u64 = 1 << 5;

struct Bot {
    fake: Fake,
    cdn: Attachments,
    data: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start() -> Bot {
    // SAFETY: set before any client of this test reads it (the same value every test sets).
    unsafe { std::env::set_var("NO_PROXY", "127.0.0.1,localhost") };
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_test_writer()
        .try_init();
    let fake = Fake::start().await;
    let cdn = Attachments::start().await;
    let data = tempfile::tempdir().expect("data dir");
    let env: HashMap<&str, String> = HashMap::from([
        ("DISCORD_TOKEN", fake::token()),
        ("DISCORD_PROXY_URL", fake.url()),
        ("DISCORD_RATE_REFILL_SECONDS", "0".to_string()),
        ("CABILDO_DATA_DIR", data.path().display().to_string()),
        ("CABILDO_MODEL", "none".to_string()),
    ]);
    let settings =
        Settings::load_with(&Overrides::default(), |k| env.get(k).cloned()).expect("settings");
    let (stop, stopped) = oneshot::channel::<()>();
    let client = cdn.client.clone();
    tokio::spawn(async move {
        let engine = std::sync::Arc::new(
            cabildo::engine::Engine::from_corpus(
                cabildo::corpus::embedded(),
                None,
                Default::default(),
            )
            .expect("essay"),
        );
        let launch = cabildo::discord::Launch {
            attachment_client: Some(client),
            ..Default::default()
        };
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(e) = cabildo::discord::run_with(&settings, engine, shutdown, launch).await {
            panic!("bot stopped: {e}");
        }
    });
    fake.request(10, |r| r.method == "PUT" && r.path.ends_with("/commands"))
        .await;
    Bot {
        fake,
        cdn,
        data,
        stop: Some(stop),
    }
}

/// A command from a member of `guild` with these permissions.
fn command(id: u64, guild: u64, permissions: u64, data: Value) -> Value {
    let mut i = fake::interaction(id, 2, data);
    let user = i
        .as_object_mut()
        .and_then(|o| o.remove("user"))
        .expect("user");
    i["guild_id"] = json!(guild.to_string());
    i["member"] = json!({
        "user": user, "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
        "deaf": false, "mute": false, "flags": 0, "permissions": permissions.to_string()
    });
    i
}

fn texts_add(id: u64, permissions: u64, url: &str, name: &str, size: usize) -> Value {
    command(
        id,
        GUILD_ID,
        permissions,
        json!({"id": "904", "name": "texts", "type": 1,
            "options": [{"name": "add", "type": 1, "options": [
                {"name": "file", "type": 11, "value": "1400"}]}],
            "resolved": {"attachments": {"1400": {
                "id": "1400", "filename": name, "size": size, "url": url,
                "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
                "content_type": "text/plain; charset=utf-8"}}}}),
    )
}

fn texts_remove(id: u64, document: &str) -> Value {
    command(
        id,
        GUILD_ID,
        MANAGE_GUILD,
        json!({"id": "904", "name": "texts", "type": 1,
            "options": [{"name": "remove", "type": 1, "options": [
                {"name": "document", "type": 3, "value": document}]}]}),
    )
}

fn ask(id: u64, guild: u64, question: &str) -> Value {
    command(
        id,
        guild,
        0,
        json!({"id": "900", "name": "ask", "type": 1, "options": [
            {"name": "question", "type": 3, "value": question}]}),
    )
}

async fn callback(fake: &Fake, id: u64) -> Value {
    let path = format!("/api/v10/interactions/{id}/itoken{id}/callback");
    fake.request(10, |r| r.method == "POST" && r.path == path)
        .await
        .body
}

/// The edits of interaction `id`'s reply, until one contains `until`; their contents in order.
async fn edits_until(fake: &Fake, id: u64, until: &str) -> Vec<String> {
    let path = format!("/api/v10/webhooks/{APP_ID}/itoken{id}/messages/@original");
    let mut seen = Vec::new();
    loop {
        let r = fake
            .request(20, |r| r.method == "PATCH" && r.path == path)
            .await;
        let content = r.body["content"].as_str().unwrap_or_default().to_string();
        super::limits_check(&r.body);
        let done = content.contains(until);
        seen.push(content);
        if done {
            return seen;
        }
    }
}

/// What an answer quotes (its embeds' descriptions).
fn shown(reply: &Value) -> String {
    reply["data"]["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["description"].as_str())
        .collect()
}

const QUESTION: &str = "Who founded a cooperative in Tlaxcala?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_adds_a_text_asks_from_it_and_removes_it() {
    let bot = start().await;
    let text = super::super::library::BAKERY.as_bytes();
    let url = bot.cdn.put("bakery.txt", text);
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        texts_add(8001, MANAGE_GUILD, &url, "bakery.txt", text.len()),
    );
    // At once: the text is being read (only the admin sees it).
    let first = callback(&bot.fake, 8001).await;
    assert_eq!(first["data"]["flags"], 64);
    let content = first["data"]["content"].as_str().expect("content");
    assert!(
        content.contains("Reading") && content.contains("bakery.txt"),
        "{content}"
    );
    // Then edited in place: read (its language, sections and passages), then ready to answer.
    let edits = edits_until(&bot.fake, 8001, "Ready to answer").await;
    let last = edits.last().expect("an edit");
    assert!(
        last.contains("The Cooperative Bakery")
            && last.contains(", English):")
            && last.contains("passages"),
        "{edits:#?}"
    );
    assert_eq!(bot.cdn.fetched(), 1, "fetched once, from the file server");
    // A member's question in the server is answered from it.
    bot.fake
        .dispatch("INTERACTION_CREATE", ask(8002, GUILD_ID, QUESTION));
    let answer = callback(&bot.fake, 8002).await;
    assert!(shown(&answer).contains("pooled their ovens"), "{answer}");
    super::limits_check(&answer["data"]);
    let button = answer["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .expect("a button")
        .to_string();
    // Another server does not see it.
    bot.fake
        .dispatch("INTERACTION_CREATE", ask(8003, OTHER_GUILD, QUESTION));
    let elsewhere = callback(&bot.fake, 8003).await;
    assert!(
        !shown(&elsewhere).contains("pooled their ovens"),
        "{elsewhere}"
    );
    // `/texts list` shows it, with who added it.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        command(
            8004,
            GUILD_ID,
            MANAGE_GUILD,
            json!({"id": "904", "name": "texts", "type": 1,
                "options": [{"name": "list", "type": 1, "options": []}]}),
        ),
    );
    let list = callback(&bot.fake, 8004).await;
    let listed = list["data"]["content"].as_str().expect("content");
    assert!(
        listed.contains("`bakery`") && listed.contains(&format!("<@{USER_ID}>")),
        "{listed}"
    );
    // Removed: no longer answered from, and its button says it is out of date.
    bot.fake
        .dispatch("INTERACTION_CREATE", texts_remove(8005, "bakery"));
    let removed = callback(&bot.fake, 8005).await;
    assert!(
        removed["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("Removed")),
        "{removed}"
    );
    bot.fake
        .dispatch("INTERACTION_CREATE", ask(8006, GUILD_ID, QUESTION));
    assert!(!shown(&callback(&bot.fake, 8006).await).contains("pooled their ovens"));
    let mut press = fake::interaction(8007, 3, json!({"custom_id": button, "component_type": 2}));
    press["guild_id"] = json!(GUILD_ID.to_string());
    press["message"] = fake::message("990000000000000001", "1", "", APP_ID, "cabildo", true);
    bot.fake.dispatch("INTERACTION_CREATE", press);
    let pressed = callback(&bot.fake, 8007).await;
    assert!(
        pressed["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("out of date")),
        "{pressed}"
    );
    // The text's bytes are gone from the database too.
    let store =
        cabildo::store::Store::open(&cabildo::store::url_for(None, bot.data.path())).expect("db");
    assert!(store.texts(GUILD_ID).await.expect("texts").is_empty());
}

/// Books as groups have them, sent from Discord: a real PDF, EPUB and HTML page (Debian's
/// documentation) are read by the same readers as files on disk, said to be what they are, and
/// answered from, quoted as the book prints them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_an_epub_and_a_web_page_are_added_and_answered() {
    let bot = start().await;
    let real =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpora/shapes-real");
    let books = [
        (
            "fhs-3.0.pdf",
            "pdf",
            "Where should the system administrator install software locally?",
            "is for use by the system administrator when installing software locally",
        ),
        (
            "live-manual.epub",
            "epub",
            "What are the system requirements for building live system images?",
            "Building live system images has very few system requirements",
        ),
        (
            "debian-faq-basic-defs.html",
            "html",
            "What distinguishes Debian from other Linux distributions?",
            "These key features distinguish Debian from other Linux distributions",
        ),
    ];
    for (n, (file, format, question, quoted)) in books.into_iter().enumerate() {
        let id = 8300 + 10 * n as u64;
        let bytes = std::fs::read(real.join(file)).expect("test book");
        let url = bot.cdn.put(file, &bytes);
        bot.fake.dispatch(
            "INTERACTION_CREATE",
            texts_add(id, MANAGE_GUILD, &url, file, bytes.len()),
        );
        callback(&bot.fake, id).await;
        let edits = edits_until(&bot.fake, id, "Ready to answer").await;
        assert!(
            edits.iter().any(|e| e.contains(&format!("`, {format}"))),
            "{file} is said to be read as {format}: {edits:#?}"
        );
        bot.fake
            .dispatch("INTERACTION_CREATE", ask(id + 1, GUILD_ID, question));
        let answer = callback(&bot.fake, id + 1).await;
        assert!(
            shown(&answer).replace("**", "").contains(quoted),
            "{question} is answered from {file}: {answer}"
        );
        super::limits_check(&answer["data"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_manage_server_and_a_binary_file_are_refused() {
    let bot = start().await;
    let text = super::super::library::BAKERY.as_bytes();
    let url = bot.cdn.put("bakery.txt", text);
    // Discord would hide the command from them; the bot refuses it anyway, fetching nothing.
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        texts_add(8101, 0, &url, "bakery.txt", text.len()),
    );
    let refused = callback(&bot.fake, 8101).await;
    assert_eq!(refused["data"]["flags"], 64);
    assert!(
        refused["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("Manage Server")),
        "{refused}"
    );
    assert_eq!(bot.cdn.fetched(), 0);
    // An image named `.txt`: its content decides, and it is not a text.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    let url = bot.cdn.put("notes.txt", png);
    bot.fake.dispatch(
        "INTERACTION_CREATE",
        texts_add(8102, MANAGE_GUILD, &url, "notes.txt", png.len()),
    );
    callback(&bot.fake, 8102).await;
    let edits = edits_until(&bot.fake, 8102, "Nothing was added").await;
    assert!(
        edits.last().is_some_and(|e| e.contains("PNG")),
        "{edits:#?}"
    );
    // Larger than Discord says the interaction may carry: refused before any download.
    let mut big = texts_add(8103, MANAGE_GUILD, &url, "big.txt", 9_000_000);
    big["attachment_size_limit"] = json!(8_388_608);
    bot.fake.dispatch("INTERACTION_CREATE", big);
    let too_big = callback(&bot.fake, 8103).await;
    assert!(
        too_big["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("more than the 8.0 MB")),
        "{too_big}"
    );
    assert_eq!(bot.cdn.fetched(), 1, "only the PNG was fetched");
    let store =
        cabildo::store::Store::open(&cabildo::store::url_for(None, bot.data.path())).expect("db");
    assert!(store.texts(GUILD_ID).await.expect("texts").is_empty());
    assert_eq!(store.library_version(GUILD_ID).await.expect("version"), 0);
}

/// Removing a text, through the bot's handler on both databases: a member without Manage Server
/// cannot; the reading plan on it pauses and says why; bookmarks keep the passage they saved
/// (marked as no longer in the texts); its buttons say they are out of date; the server's default
/// text falling away leaves every text searched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_text_pauses_its_plan_and_keeps_its_bookmarks() {
    use cabildo::discord::commands::{
        Action, BookmarkCommand, Origin, PlanCommand, SettingsChange, SettingsCommand, StartPlan,
        TextsCommand,
    };
    use cabildo::discord::handler::{Bot, TEXT_GONE};
    use cabildo::reply::{Body, ButtonId, TextsReply};
    const G: u64 = 3_003;
    let origin = |user: u64, permissions: u64| Origin {
        guild: Some(G),
        channel: 55,
        user,
        member_permissions: Some(permissions),
        ..Default::default()
    };
    let (admin, member) = (origin(7, MANAGE_GUILD), origin(8, 0));
    let notice = |r: &cabildo::reply::Reply| match &r.body {
        Body::Notice(t) => t.clone(),
        other => panic!("not a notice: {other:?}"),
    };
    for db in crate::store::backends("texts_removal") {
        let dir = tempfile::tempdir().expect("dir");
        let lib = crate::library::library(
            &db.store,
            cabildo::config::LibrarySettings::default(),
            dir.path(),
        );
        lib.add(
            crate::library::upload(G, "bakery.txt", crate::library::BAKERY.as_bytes()),
            |_| {},
        )
        .await
        .expect("added");
        let bot = Bot::new(crate::library::host(), 100, std::time::Duration::ZERO)
            .with_library(lib.clone());
        let started = bot
            .respond_in(
                admin,
                Action::Plan(PlanCommand::Start(StartPlan {
                    document: "bakery".into(),
                    from: None,
                    passages_per_day: None,
                    channel: None,
                    time: None,
                    timezone: None,
                })),
            )
            .await;
        assert!(
            notice(&started)
                .to_string()
                .contains("Reading plan started"),
            "{started:?}"
        );
        let marked = bot
            .respond_in(
                member,
                Action::Bookmark(BookmarkCommand::Add {
                    reference: "bakery:1.1".into(),
                    note: None,
                }),
            )
            .await;
        assert!(
            notice(&marked).to_string().contains("Bookmarked"),
            "{marked:?}"
        );
        bot.respond_in(
            admin,
            Action::Settings(SettingsCommand::Set(SettingsChange {
                document: Some("bakery".into()),
                ..Default::default()
            })),
        )
        .await;
        let answer = bot
            .respond_in(
                member,
                Action::Ask {
                    question: QUESTION.into(),
                    document: None,
                    private: None,
                },
            )
            .await;
        let Body::Answer(a) = &answer.body else {
            panic!("{answer:?}")
        };
        assert_eq!(a.answer.results[0].doc_id, "bakery");
        let key = a.passages[0];
        // A member without Manage Server cannot remove it.
        let refused = bot
            .respond_in(
                member,
                Action::Texts(TextsCommand::Remove {
                    document: "bakery".into(),
                }),
            )
            .await;
        assert!(
            matches!(refused.body, Body::Texts(TextsReply::NotAllowed)),
            "{refused:?}"
        );
        let removed = bot
            .respond_in(
                admin,
                Action::Texts(TextsCommand::Remove {
                    document: "bakery".into(),
                }),
            )
            .await;
        let Body::Texts(TextsReply::Removed(r)) = &removed.body else {
            panic!("{removed:?}")
        };
        assert!(r.plan_paused);
        let plan = db.store.open_plan(G).await.expect("read").expect("kept");
        assert_eq!(plan.status, cabildo::store::PlanStatus::Paused);
        assert!(
            plan.pause_reason
                .as_deref()
                .is_some_and(|why| why.contains("was removed")),
            "{plan:?}"
        );
        let status = notice(
            &bot.respond_in(admin, Action::Plan(PlanCommand::Status))
                .await,
        )
        .to_string();
        assert!(status.contains("was removed"), "{status}");
        let list = notice(
            &bot.respond_in(
                member,
                Action::Bookmark(BookmarkCommand::List { page: None }),
            )
            .await,
        )
        .to_string();
        assert!(
            list.contains("no longer in the texts") && list.contains("pooled their ovens"),
            "{list}"
        );
        let pressed = bot
            .respond_in(member, Action::Button(ButtonId::Full(key)))
            .await;
        assert_eq!(notice(&pressed), TEXT_GONE);
        // The server's default text is gone: every text is searched, nothing fails.
        let again = bot
            .respond_in(
                member,
                Action::Ask {
                    question: "Who replaced Lozada as president?".into(),
                    document: None,
                    private: None,
                },
            )
            .await;
        assert!(
            matches!(&again.body, Body::Answer(a) if a.answer.answered),
            "{again:?}"
        );
    }
}

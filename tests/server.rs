//! The interactions endpoint over real HTTP on 127.0.0.1, signed with a test-only Ed25519 key.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cabildo::server::{self, Endpoint, Interactions, Reply};
use ed25519_dalek::{Signer, SigningKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Echoes the command name; rejects unknown interaction types like the real handler. A command
/// named `panic` panics, as a bug in a handler would.
struct Echo;

impl Interactions for Echo {
    fn respond(self: Arc<Self>, raw: axum::body::Bytes, kind: u64) -> server::Answering {
        Box::pin(async move { echo(&raw, kind) })
    }
}

fn echo(raw: &[u8], kind: u64) -> Reply {
    let v: serde_json::Value = serde_json::from_slice(raw).expect("the server checked it");
    let name = v["data"]["name"].as_str().unwrap_or("?").to_string();
    if name == "panic" {
        panic!("a bug in the handler");
    }
    match kind {
        2..=5 => Reply::Json {
            label: name.clone(),
            outcome: "ok",
            body: serde_json::to_vec(&serde_json::json!({"type": 4, "data": {"content": name}}))
                .expect("serialises"),
        },
        _ => Reply::Rejected {
            label: "-".into(),
            message: "unknown interaction type".into(),
        },
    }
}

pub struct Server {
    pub addr: std::net::SocketAddr,
    pub key: SigningKey,
    pub endpoint: Arc<Endpoint>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn start(handler: Option<Arc<dyn Interactions>>) -> Server {
        Server::deferring_after(handler, server::DEFER_AFTER).await
    }

    pub async fn deferring_after(
        handler: Option<Arc<dyn Interactions>>,
        defer_after: std::time::Duration,
    ) -> Server {
        let key = SigningKey::generate(&mut rand_core::OsRng);
        let endpoint = Endpoint::deferring_after(key.verifying_key(), defer_after);
        if let Some(h) = handler {
            endpoint.set_handler(h);
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, endpoint.clone(), async move {
            let _ = rx.await;
        }));
        Server {
            addr,
            key,
            endpoint,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }

    pub fn sign(&self, ts: &str, body: &[u8]) -> String {
        let mut msg = ts.as_bytes().to_vec();
        msg.extend_from_slice(body);
        hex::encode(self.key.sign(&msg).to_bytes())
    }

    /// A signed POST /interactions.
    pub async fn post(&self, body: &[u8]) -> (u16, String) {
        let ts = now().to_string();
        let sig = self.sign(&ts, body);
        request(
            self.addr,
            "POST",
            "/interactions",
            &[
                ("X-Signature-Ed25519", &sig),
                ("X-Signature-Timestamp", &ts),
            ],
            body,
        )
        .await
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A minimal HTTP/1.1 client: one request per connection.
pub async fn request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    // A server may refuse before reading the whole body; ignore a broken pipe here.
    let _ = s.write_all(body).await;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn command(name: &str) -> Vec<u8> {
    serde_json::to_vec(
        &serde_json::json!({"type": 2, "id": "1", "application_id": "2", "token": "t",
        "version": 1, "data": {"id": "3", "name": name, "type": 1}}),
    )
    .expect("json")
}

#[tokio::test]
async fn ping_gets_pong() {
    let s = Server::start(Some(Arc::new(Echo))).await;
    let (status, body) = s.post(b" \n{\"id\": \"1\", \"type\": 1}").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).expect("json"),
        serde_json::json!({"type": 1})
    );
    s.stop().await;
}

#[tokio::test]
async fn refusals_have_their_status_and_do_no_work() {
    let s = Server::start(Some(Arc::new(Echo))).await;
    let body = command("ask");
    let ts = now().to_string();
    let good_sig = s.sign(&ts, &body);
    // no signature headers
    assert_eq!(
        request(s.addr, "POST", "/interactions", &[], &body).await.0,
        401
    );
    // a signature over other bytes (what Discord sends when the URL is saved)
    let other = s.sign(&ts, b"something else");
    assert_eq!(
        request(
            s.addr,
            "POST",
            "/interactions",
            &[
                ("X-Signature-Ed25519", &other),
                ("X-Signature-Timestamp", &ts)
            ],
            &body
        )
        .await
        .0,
        401
    );
    // not hex, wrong length
    assert_eq!(
        request(
            s.addr,
            "POST",
            "/interactions",
            &[
                ("X-Signature-Ed25519", "zz"),
                ("X-Signature-Timestamp", &ts)
            ],
            &body
        )
        .await
        .0,
        401
    );
    // signed by another key
    let stranger = SigningKey::generate(&mut rand_core::OsRng);
    let mut msg = ts.as_bytes().to_vec();
    msg.extend_from_slice(&body);
    let forged = hex::encode(stranger.sign(&msg).to_bytes());
    assert_eq!(
        request(
            s.addr,
            "POST",
            "/interactions",
            &[
                ("X-Signature-Ed25519", &forged),
                ("X-Signature-Timestamp", &ts)
            ],
            &body
        )
        .await
        .0,
        401
    );
    // a valid signature over a stale timestamp (replay)
    let old = (now() - 3600).to_string();
    let old_sig = s.sign(&old, &body);
    assert_eq!(
        request(
            s.addr,
            "POST",
            "/interactions",
            &[
                ("X-Signature-Ed25519", &old_sig),
                ("X-Signature-Timestamp", &old)
            ],
            &body
        )
        .await
        .0,
        401
    );
    // the right signature with the timestamp changed
    assert_eq!(
        request(
            s.addr,
            "POST",
            "/interactions",
            &[
                ("X-Signature-Ed25519", &good_sig),
                ("X-Signature-Timestamp", &(now() + 1).to_string())
            ],
            &body
        )
        .await
        .0,
        401
    );
    // too large
    let big = vec![b' '; server::MAX_BODY_BYTES + 1];
    assert_eq!(s.post(&big).await.0, 413);
    // signed but not JSON / no type / unknown type
    assert_eq!(s.post(b"{not json").await.0, 400);
    assert_eq!(s.post(br#"{"id":"1"}"#).await.0, 400);
    assert_eq!(s.post(br#"{"type":99}"#).await.0, 400);
    // JSON, but not an object with a whole-number type
    for body in [
        &b"[1]"[..],
        b"2",
        br#"{"type":"2"}"#,
        br#"{"type":2.5}"#,
        b"{}",
    ] {
        let (status, text) = s.post(body).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(text, "the interaction has no type");
    }
    assert_eq!(s.post(br#"{"type":2"#).await.1, "the body is not JSON");
    // none of these reached the handler as a command
    let m = s.endpoint.metrics.render();
    assert!(m.contains(r#"outcome="unauthorized""#), "{m}");
    assert!(!m.contains(r#"command="ask""#), "{m}");
    s.stop().await;
}

#[tokio::test]
async fn health_turns_ready_and_metrics_count() {
    let s = Server::start(None).await;
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").await.0, 503);
    assert_eq!(s.post(&command("ask")).await.0, 503);
    s.endpoint.set_handler(Arc::new(Echo));
    assert_eq!(request(s.addr, "GET", "/healthz", &[], b"").await.0, 200);
    let (status, body) = s.post(&command("ask")).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"ask\""));
    s.endpoint.metrics.index_passages.set(64);
    let (status, m) = request(s.addr, "GET", "/metrics", &[], b"").await;
    assert_eq!(status, 200);
    assert!(
        m.contains(r#"cabildo_interactions_total{command="ask",outcome="ok"} 1"#),
        "{m}"
    );
    assert!(
        m.contains("cabildo_interaction_duration_seconds_bucket"),
        "{m}"
    );
    assert!(m.contains("cabildo_index_passages 64"), "{m}");
    s.stop().await;
}

#[tokio::test]
async fn a_panicking_handler_still_answers_with_the_apology() {
    let s = Server::start(Some(Arc::new(Echo))).await;
    let (status, body) = s.post(&command("panic")).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["type"], 4);
    assert_eq!(v["data"]["flags"], 64, "private");
    assert!(
        v["data"]["content"]
            .as_str()
            .unwrap_or("")
            .starts_with("Sorry"),
        "{v}"
    );
    // The server goes on answering, and counts the panic.
    assert_eq!(s.post(&command("ask")).await.0, 200);
    let m = s.endpoint.metrics.render();
    assert!(m.contains(r#"outcome="panic"} 1"#), "{m}");
    s.stop().await;
}

/// A handler that may be slow: `slow` takes 2.5 s, anything else answers at once. Late answers
/// are collected instead of being sent to Discord.
struct Slow {
    late: tokio::sync::mpsc::UnboundedSender<(serde_json::Value, serde_json::Value)>,
}

impl Interactions for Slow {
    fn respond(self: Arc<Self>, raw: axum::body::Bytes, kind: u64) -> server::Answering {
        Box::pin(async move {
            let v: serde_json::Value = serde_json::from_slice(&raw).expect("the server checked it");
            if v["data"]["name"] == "slow" {
                tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
            }
            echo(&raw, kind)
        })
    }
    fn defer(&self, _raw: &[u8], kind: u64) -> Option<Vec<u8>> {
        (kind == 2).then(|| br#"{"type":5}"#.to_vec())
    }
    fn follow_up(&self, raw: axum::body::Bytes, response: Vec<u8>) -> server::FollowUp {
        let raw: serde_json::Value = serde_json::from_slice(&raw).expect("json");
        let response: serde_json::Value = serde_json::from_slice(&response).expect("json");
        let _ = self.late.send((raw, response));
        Box::pin(async {})
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_answer_is_deferred_then_follows() {
    let (late, mut followed) = tokio::sync::mpsc::unbounded_channel();
    let s = Server::deferring_after(
        Some(Arc::new(Slow { late })),
        // Far from both the fast answer (microseconds) and the slow one, so a loaded machine
        // cannot turn the fast one into a deferral.
        std::time::Duration::from_millis(1000),
    )
    .await;
    // Fast enough: answered at once, nothing follows.
    let (status, body) = s.post(&command("fast")).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"fast\""), "{body}");
    // Too slow: "thinking…" now, the answer after.
    let (status, body) = s.post(&command("slow")).await;
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"type":5}"#);
    let (raw, response) = tokio::time::timeout(std::time::Duration::from_secs(20), followed.recv())
        .await
        .expect("the answer follows")
        .expect("sent");
    assert_eq!(raw["data"]["name"], "slow");
    assert_eq!(response["data"]["content"], "slow");
    let m = s.endpoint.metrics.render();
    assert!(m.contains(r#"outcome="deferred"} 1"#), "{m}");
    assert!(m.contains(r#"command="slow",outcome="ok"} 1"#), "{m}");
    assert!(
        followed.try_recv().is_err(),
        "the fast answer did not follow"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_requests_are_all_answered() {
    let s = Arc::new(Server::start(Some(Arc::new(Echo))).await);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("cmd{}", i % 7);
            let (status, body) = s.post(&command(&name)).await;
            (status, body.contains(&format!("\"{name}\"")))
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), (200, true));
    }
    if let Ok(s) = Arc::try_unwrap(s) {
        s.stop().await;
    }
}

#[test]
fn public_key_parsing_is_strict() {
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let hex_key = hex::encode(key.verifying_key().to_bytes());
    assert!(server::parse_public_key(&hex_key).is_ok());
    for bad in ["", "abc", &hex_key[..62], "zz".repeat(32).as_str()] {
        let e = server::parse_public_key(bad).expect_err(bad);
        assert!(e.to_string().contains("DISCORD_PUBLIC_KEY"));
    }
}

mod discord_over_http {
    //! The real Discord handlers behind the endpoint: the same reply as gateway mode.
    use std::sync::Arc;

    use cabildo::discord::commands;
    use cabildo::discord::handler::Bot;
    use cabildo::discord::http::HttpInteractions;
    use cabildo::render::discord as render;
    use serde_json::json;

    use super::Server;

    fn ask(id: u64, question: &str, private: bool) -> serde_json::Value {
        json!({
            "id": id.to_string(), "application_id": "1100", "type": 2,
            "data": {"id": "900", "name": "ask", "type": 1, "options": [
                {"name": "question", "type": 3, "value": question},
                {"name": "private", "type": 5, "value": private}]},
            "channel_id": "1200", "token": format!("itoken{id}"), "version": 1, "locale": "en-US",
            "entitlements": [], "attachment_size_limit": 8_388_608,
            "user": {"id": "1300", "username": "reader", "discriminator": "0", "avatar": null, "global_name": null}
        })
    }

    fn bot() -> Arc<Bot> {
        let engine = cabildo::engine::Engine::from_corpus(
            cabildo::corpus::embedded(),
            None,
            Default::default(),
        )
        .expect("engine");
        Arc::new(Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_signed_ask_gets_the_gateway_reply() {
        let bot = bot();
        let s = Server::start(Some(Arc::new(HttpInteractions::new(bot.clone(), None)))).await;
        let interaction = ask(1, "Who replaced Lozada as president?", true);
        let (status, body) = s.post(interaction.to_string().as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let got: serde_json::Value = serde_json::from_str(&body).expect("json");
        // What the gateway sends for the same interaction: parse → handle → render.
        let parsed: serenity::all::Interaction =
            serde_json::from_value(interaction).expect("interaction");
        let action = commands::parse(&parsed).expect("action");
        let expected =
            serde_json::to_value(render::response(&bot.handle(action).await)).expect("json");
        assert_eq!(got, expected);
        assert_eq!(got["type"], 4);
        assert_eq!(got["data"]["flags"], 64, "private");
        assert_eq!(got["data"]["allowed_mentions"]["parse"], json!([]));
        assert_eq!(got["data"]["allowed_mentions"]["users"], json!([]));
        assert!(got.to_string().contains("3.8"), "{got}");
        let m = s.endpoint.metrics.render();
        assert!(m.contains(r#"command="ask",outcome="ok""#), "{m}");
        s.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn questions_with_multi_byte_letters_before_english_suffixes_are_answered() {
        let s = Server::start(Some(Arc::new(HttpInteractions::new(bot(), None)))).await;
        for (i, q) in ["充ing", "xṹed", "日本's power", "éééeth"]
            .into_iter()
            .enumerate()
        {
            let (status, body) = s
                .post(ask(10 + i as u64, q, false).to_string().as_bytes())
                .await;
            assert_eq!(status, 200, "{q}: {body}");
            let v: serde_json::Value = serde_json::from_str(&body).expect("json");
            assert_eq!(v["type"], 4, "{q}: {v}");
            assert!(!body.contains("Sorry, something went wrong"), "{q}: {v}");
        }
        let m = s.endpoint.metrics.render();
        assert!(!m.contains("apology") && !m.contains("panic"), "{m}");
        s.stop().await;
    }

    /// A late answer: the deferred response matches what the answer will be (private or not, a
    /// new message or an update), and the answer replaces it through Discord's webhook.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_late_answer_goes_to_the_original_response() {
        use cabildo::server::Interactions;
        let fake = crate::discord::fake::Fake::start().await;
        let h = Arc::new(HttpInteractions::new(bot(), Some(&fake.url())));
        let private = ask(5, "what is dual power?", true);
        let deferred = h
            .defer(private.to_string().as_bytes(), 2)
            .expect("deferrable");
        assert_eq!(deferred, br#"{"type":5,"data":{"flags":64}}"#);
        let public = ask(6, "what is dual power?", false);
        assert_eq!(
            h.defer(public.to_string().as_bytes(), 2)
                .expect("deferrable"),
            br#"{"type":5}"#
        );
        let mut complete = ask(7, "dual", false);
        complete["type"] = json!(4);
        complete["data"]["options"][0]["focused"] = json!(true);
        assert_eq!(
            h.defer(complete.to_string().as_bytes(), 4),
            None,
            "autocomplete cannot wait"
        );
        let cabildo::server::Reply::Json { body, .. } = h
            .clone()
            .respond(private.to_string().into_bytes().into(), 2)
            .await
        else {
            panic!("an answer")
        };
        h.follow_up(private.to_string().into_bytes().into(), body.clone())
            .await;
        let sent = fake.request(10, |r| r.method == "PATCH").await;
        assert_eq!(
            sent.path,
            "/api/v10/webhooks/1100/itoken5/messages/@original"
        );
        let expected: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(sent.body, expected["data"]);
        assert!(
            sent.body["embeds"][0]["description"]
                .as_str()
                .is_some_and(|d| d.contains("3."))
        );
    }

    /// `/bookmarks export` over HTTP: files cannot ride on the response, so it is deferred
    /// (privately) and the files follow as a multipart edit of the deferred response.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_export_is_deferred_then_its_file_follows() {
        use cabildo::discord::commands::{Action, BookmarkCommand, Origin};
        use cabildo::server::{Interactions, Reply};
        let fake = crate::discord::fake::Fake::start().await;
        let dir = tempfile::tempdir().expect("dir");
        let store =
            cabildo::store::Store::open(&cabildo::store::url_for(None, dir.path())).expect("store");
        let engine = cabildo::engine::Engine::from_corpus(
            cabildo::corpus::embedded(),
            None,
            Default::default(),
        )
        .expect("engine");
        let bot =
            Arc::new(Bot::new(Arc::new(engine), 1, std::time::Duration::ZERO).with_store(store));
        let user = ask(1, "x", false)["user"]["id"]
            .as_str()
            .and_then(|u| u.parse().ok())
            .expect("the test user's id");
        bot.respond_in(
            Origin {
                user,
                ..Default::default()
            },
            Action::Bookmark(BookmarkCommand::Add {
                reference: "2.3".into(),
                note: Some("strike".into()),
            }),
        )
        .await;
        let h = Arc::new(HttpInteractions::new(bot, Some(&fake.url())));
        let mut export = ask(8, "x", false);
        export["data"] = json!({"id": "911", "name": "bookmarks", "type": 1,
            "options": [{"name": "export", "type": 1, "options": []}]});
        let Reply::Json { body, outcome, .. } =
            h.respond(export.to_string().into_bytes().into(), 2).await
        else {
            panic!("a response")
        };
        assert_eq!(outcome, "deferred");
        assert_eq!(body, br#"{"type":5,"data":{"flags":64}}"#);
        let sent = fake.request(10, |r| r.method == "PATCH").await;
        assert_eq!(
            sent.path,
            "/api/v10/webhooks/1100/itoken8/messages/@original"
        );
        assert!(
            sent.body["content"]
                .as_str()
                .is_some_and(|c| c.contains("1 bookmark")),
            "{}",
            sent.body
        );
        let files = sent.body["_files"].as_array().expect("files");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["name"], "bookmarks.md");
        assert!(
            files[0]["content"]
                .as_str()
                .is_some_and(|md| md.contains("**Note:** strike")),
            "{}",
            files[0]
        );
    }

    /// `/texts add` over HTTP (issue 28): the response says at once that the file is being read;
    /// the steps follow as edits of the original response, as the gateway sends them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_text_added_over_http_is_answered_at_once_then_edited() {
        use cabildo::server::{Interactions, Reply};
        let fake = crate::discord::fake::Fake::start().await;
        let cdn = crate::discord::fake::Attachments::start().await;
        let text = crate::library::BAKERY.as_bytes();
        let url = cdn.put("bakery.txt", text);
        let dir = tempfile::tempdir().expect("dir");
        let store =
            cabildo::store::Store::open(&cabildo::store::url_for(None, dir.path())).expect("store");
        let lib = crate::library::library(&store, Default::default(), dir.path());
        let bot = Arc::new(
            Bot::new(crate::library::host(), 1, std::time::Duration::ZERO)
                .with_library(lib.clone())
                .with_attachment_client(cdn.client.clone()),
        );
        let h = Arc::new(HttpInteractions::new(bot, Some(&fake.url())));
        let mut add = ask(20, "x", false);
        let user = add
            .as_object_mut()
            .and_then(|o| o.remove("user"))
            .expect("user");
        add["guild_id"] = json!("1500");
        add["member"] = json!({"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0, "permissions": "32"});
        add["data"] = json!({"id": "904", "name": "texts", "type": 1,
            "options": [{"name": "add", "type": 1, "options": [
                {"name": "file", "type": 11, "value": "1400"}]}],
            "resolved": {"attachments": {"1400": {"id": "1400", "filename": "bakery.txt",
                "size": text.len(), "url": url, "proxy_url": url}}}});
        let Reply::Json { body, .. } = h.respond(add.to_string().into_bytes().into(), 2).await
        else {
            panic!("a response")
        };
        let first: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            (first["type"].clone(), first["data"]["flags"].clone()),
            (json!(4), json!(64))
        );
        assert!(
            first["data"]["content"]
                .as_str()
                .is_some_and(|c| c.contains("Reading")),
            "{first}"
        );
        loop {
            let edit = fake
                .request(20, |r| {
                    r.method == "PATCH"
                        && r.path == "/api/v10/webhooks/1100/itoken20/messages/@original"
                })
                .await;
            let content = edit.body["content"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if content.contains("Ready to answer") {
                break;
            }
        }
        let engine = lib.engine(Some(1500)).await;
        assert!(engine.corpus.doc_index("bakery").is_some());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn unknown_reference_and_forged_button_get_private_errors() {
        let s = Server::start(Some(Arc::new(HttpInteractions::new(bot(), None)))).await;
        let mut quote = ask(2, "", false);
        quote["data"] = json!({"id": "901", "name": "quote", "type": 1, "options": [
            {"name": "reference", "type": 3, "value": "99.1"}]});
        let (status, body) = s.post(quote.to_string().as_bytes()).await;
        assert_eq!(status, 200);
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["data"]["flags"], 64);
        let mut press = ask(3, "", false);
        press["type"] = json!(3);
        press["data"] = json!({"custom_id": "more:forged:::", "component_type": 2});
        press["message"] =
            crate::discord::fake::message("990000000000000009", "1200", "", 1100, "cabildo", true);
        let (status, body) = s.post(press.to_string().as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["data"]["flags"], 64, "{v}");
        s.stop().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_concurrent_asks_are_all_answered() {
        let s = Arc::new(Server::start(Some(Arc::new(HttpInteractions::new(bot(), None)))).await);
        let questions = [
            "What is dual power?",
            "stormed heaven",
            "Who replaced Lozada as president?",
            "general strike",
        ];
        let mut tasks = Vec::new();
        for i in 0..64u64 {
            let s = s.clone();
            let q = questions[i as usize % questions.len()];
            tasks.push(tokio::spawn(async move {
                let (status, body) = s.post(ask(100 + i, q, false).to_string().as_bytes()).await;
                (
                    status,
                    serde_json::from_str::<serde_json::Value>(&body)
                        .map(|v| v["type"] == 4)
                        .unwrap_or(false),
                )
            }));
        }
        for t in tasks {
            assert_eq!(t.await.expect("task"), (200, true));
        }
    }
}

/// `cabildo serve` as a real process: ready on /healthz, answers a signed PING, stops on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_process_starts_answers_and_stops_gracefully() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cabildo"))
        .args(["serve", "--listen", &addr.to_string()])
        .env(
            "DISCORD_PUBLIC_KEY",
            hex::encode(key.verifying_key().to_bytes()),
        )
        .env("CABILDO_DATA_DIR", data.path())
        .env_remove("CABILDO_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut ready = false;
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(addr).await.is_ok()
            && request(addr, "GET", "/healthz", &[], b"").await.0 == 200
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ready, "never became ready");
    let ts = now().to_string();
    let mut msg = ts.as_bytes().to_vec();
    msg.extend_from_slice(br#"{"type":1}"#);
    let sig = hex::encode(key.sign(&msg).to_bytes());
    let (status, body) = request(
        addr,
        "POST",
        "/interactions",
        &[
            ("X-Signature-Ed25519", &sig),
            ("X-Signature-Timestamp", &ts),
        ],
        br#"{"type":1}"#,
    )
    .await;
    assert_eq!((status, body.trim()), (200, r#"{"type":1}"#));
    let pid = child.id().expect("pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("stops")
        .expect("status");
    assert!(out.success(), "graceful exit: {out:?}");
}

#[test]
fn serve_without_a_public_key_says_what_to_do() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cabildo"))
        .args(["serve"])
        .env_remove("DISCORD_PUBLIC_KEY")
        .env_remove("CABILDO_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DISCORD_PUBLIC_KEY"), "{err}");
}

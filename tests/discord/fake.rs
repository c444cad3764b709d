//! A fake Discord on 127.0.0.1 for end-to-end tests of the real serenity client: an axum REST
//! server (records every request) and a tokio-tungstenite gateway (HELLO, READY on IDENTIFY,
//! heartbeat ACKs, RESUME with replay) on ports chosen by the OS. Nothing leaves the machine.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc};
use tokio_tungstenite::tungstenite::Message as Ws;

/// The bot's application (and user) id in the fake.
pub const APP_ID: u64 = 123_456_789_012_345_678;
/// The member who asks.
pub const USER_ID: u64 = 777_000_000_000_000_001;
pub const CHANNEL_ID: u64 = 555_000_000_000_000_001;
pub const GUILD_ID: u64 = 444_000_000_000_000_001;
/// A channel where posting answers 403, and one that answers 404.
pub const FORBIDDEN_CHANNEL: &str = "555000000000000403";
pub const GONE_CHANNEL: &str = "555000000000000404";
/// The direct-message channel the fake opens with any member.
pub const DM_CHANNEL: u64 = 666_000_000_000_000_001;

/// A token in Discord's shape whose first part is the application id in base64.
pub fn token() -> String {
    use base64::Engine as _;
    let id = base64::engine::general_purpose::STANDARD_NO_PAD.encode(APP_ID.to_string());
    format!("{id}.GfAkE0.fake-secret-for-tests_only")
}

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub auth: Option<String>,
    pub body: Value,
    /// When it arrived.
    pub at: std::time::Instant,
}

enum GatewayCmd {
    Dispatch(String, Value),
    /// Any raw payload (e.g. op 7, "reconnect").
    Raw(Value),
    /// Drop the TCP connection without a close frame.
    Drop,
}

struct Shared {
    gateway_url: Mutex<String>,
    requests: mpsc::UnboundedSender<Request>,
    seq: AtomicU64,
    history: Mutex<Vec<Value>>,
    identifies: AtomicUsize,
    /// The `shard` field (`[id, total]`) of each IDENTIFY, in order; `None` when it had none.
    identified_shards: Mutex<Vec<Option<[u64; 2]>>>,
    resumes: AtomicUsize,
    /// Answer this many interaction callbacks with 429 first.
    throttle: AtomicUsize,
    /// Close the gateway with 4004 (authentication failed) on IDENTIFY.
    refuse: std::sync::atomic::AtomicBool,
}

/// A running fake Discord.
pub struct Fake {
    pub rest: SocketAddr,
    shared: Arc<Shared>,
    requests: tokio::sync::Mutex<mpsc::UnboundedReceiver<Request>>,
    commands: broadcast::Sender<Arc<GatewayCmdBox>>,
}

/// `broadcast` needs `Clone`; commands are shared.
struct GatewayCmdBox(Mutex<Option<GatewayCmd>>);

impl Fake {
    /// REST over plain HTTP, reached through `DISCORD_PROXY_URL`.
    pub async fn start() -> Fake {
        Fake::start_with(None).await
    }

    /// REST over HTTPS with a certificate for `discord.com` signed by a fresh CA; returns the fake
    /// and a client that resolves `discord.com` to it and trusts that CA (serenity's rate limiter
    /// stays on: the proxy setting is not used).
    pub async fn start_tls() -> (Fake, reqwest::Client) {
        let (acceptor, ca) = tls_for(&["discord.com"]);
        let fake = Fake::start_with(Some(acceptor)).await;
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_der(&ca).expect("ca der"))
            .resolve("discord.com", fake.rest)
            .no_proxy()
            .build()
            .expect("client");
        (fake, client)
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Fake {
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let gw_addr = gateway.local_addr().expect("addr");
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind rest");
        let rest_addr = rest.local_addr().expect("addr");
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            gateway_url: Mutex::new(format!("ws://{gw_addr}")),
            requests: tx,
            seq: AtomicU64::new(0),
            history: Mutex::new(Vec::new()),
            identifies: AtomicUsize::new(0),
            identified_shards: Mutex::new(Vec::new()),
            resumes: AtomicUsize::new(0),
            throttle: AtomicUsize::new(0),
            refuse: std::sync::atomic::AtomicBool::new(false),
        });
        let (commands, _) = broadcast::channel(64);
        let app = Router::new()
            .fallback(rest_handler)
            .with_state(shared.clone());
        match tls {
            None => {
                tokio::spawn(async move {
                    let _ = axum::serve(rest, app).await;
                });
            }
            Some(acceptor) => {
                let listener = TlsListener {
                    tcp: rest,
                    acceptor,
                };
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app).await;
                });
            }
        }
        let gw_shared = shared.clone();
        let gw_commands = commands.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = gateway.accept().await {
                let shared = gw_shared.clone();
                let rx = gw_commands.subscribe();
                tokio::spawn(connection(stream, shared, rx));
            }
        });
        Fake {
            rest: rest_addr,
            shared,
            requests: tokio::sync::Mutex::new(rx),
            commands,
        }
    }

    /// The base URL the bot's REST calls go to (its `DISCORD_PROXY_URL`).
    pub fn url(&self) -> String {
        format!("http://{}", self.rest)
    }

    /// Refuse the token as Discord does: close code 4004 on IDENTIFY.
    pub fn refuse_token(&self) {
        self.shared.refuse.store(true, Ordering::SeqCst);
    }

    /// Hand out a gateway URL nobody listens on (a closed local port).
    pub fn break_gateway(&self) {
        *self.shared.gateway_url.lock().expect("url") = "ws://127.0.0.1:1".to_string();
    }

    pub fn identifies(&self) -> usize {
        self.shared.identifies.load(Ordering::SeqCst)
    }

    /// The `shard` (`[id, total]`) each IDENTIFY so far asked for, in order.
    pub fn identified_shards(&self) -> Vec<Option<[u64; 2]>> {
        self.shared
            .identified_shards
            .lock()
            .expect("shards")
            .clone()
    }

    pub fn resumes(&self) -> usize {
        self.shared.resumes.load(Ordering::SeqCst)
    }

    /// Answer the next `n` interaction callbacks with 429 Too Many Requests.
    pub fn throttle_callbacks(&self, n: usize) {
        self.shared.throttle.store(n, Ordering::SeqCst);
    }

    /// Sends a dispatch to the connected bot.
    pub fn dispatch(&self, event: &str, data: Value) {
        let _ = self.commands.send(Arc::new(GatewayCmdBox(Mutex::new(Some(
            GatewayCmd::Dispatch(event.to_string(), data),
        )))));
    }

    /// Asks the bot to reconnect (op 7), as Discord does before moving a session.
    pub fn ask_to_reconnect(&self) {
        let op7 = json!({"op": 7, "d": null, "s": null, "t": null});
        let _ = self
            .commands
            .send(Arc::new(GatewayCmdBox(Mutex::new(Some(GatewayCmd::Raw(
                op7,
            ))))));
    }

    /// Drops the bot's gateway connection (no close frame).
    pub fn drop_connection(&self) {
        let _ = self
            .commands
            .send(Arc::new(GatewayCmdBox(Mutex::new(Some(GatewayCmd::Drop)))));
    }

    /// The next recorded request matching `pick`, within `secs` seconds (others are discarded).
    pub async fn request(&self, secs: u64, pick: impl Fn(&Request) -> bool) -> Request {
        let mut rx = self.requests.lock().await;
        let found = tokio::time::timeout(Duration::from_secs(secs), async {
            while let Some(r) = rx.recv().await {
                if pick(&r) {
                    return Some(r);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(r)) => r,
            _ => panic!("no matching request within {secs} s"),
        }
    }

    /// Waits until `cond` holds (polling), or panics after `secs` seconds.
    pub async fn until(&self, secs: u64, what: &str, cond: impl Fn(&Fake) -> bool) {
        let end = tokio::time::Instant::now() + Duration::from_secs(secs);
        while !cond(self) {
            if tokio::time::Instant::now() > end {
                panic!("timed out waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A TLS acceptor with a certificate for `names`, signed by a fresh CA; and that CA (DER).
fn tls_for(names: &[&str]) -> (tokio_rustls::TlsAcceptor, Vec<u8>) {
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca");
    let leaf_key = rcgen::KeyPair::generate().expect("leaf key");
    let leaf =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("leaf params")
            .signed_by(&leaf_key, &ca)
            .expect("leaf");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .expect("server config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    (
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        ca.der().to_vec(),
    )
}

/// Discord's file server as the fake serves it: attachments over HTTPS at
/// `https://cdn.discordapp.com/attachments/…`, with a certificate only [`Attachments::client`]
/// trusts, and a record of what was fetched.
pub struct Attachments {
    files: Arc<Mutex<std::collections::HashMap<String, Vec<u8>>>>,
    fetched: Arc<AtomicUsize>,
    /// The client that reaches it (cdn.discordapp.com resolves to 127.0.0.1 and its CA is
    /// trusted); give it to the bot.
    pub client: reqwest::Client,
}

impl Attachments {
    pub async fn start() -> Attachments {
        let (acceptor, ca) = tls_for(&["cdn.discordapp.com", "media.discordapp.net"]);
        let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind cdn");
        let addr = tcp.local_addr().expect("addr");
        let files: Arc<Mutex<std::collections::HashMap<String, Vec<u8>>>> = Arc::default();
        let fetched = Arc::new(AtomicUsize::new(0));
        let (f, n) = (files.clone(), fetched.clone());
        let app = Router::new().fallback(move |uri: Uri| {
            let (f, n) = (f.clone(), n.clone());
            async move {
                n.fetch_add(1, Ordering::SeqCst);
                match f.lock().expect("files").get(uri.path()) {
                    Some(bytes) => (StatusCode::OK, bytes.clone()).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(TlsListener { tcp, acceptor }, app).await;
        });
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_der(&ca).expect("ca der"))
            .resolve("cdn.discordapp.com", addr)
            .resolve("media.discordapp.net", addr)
            .no_proxy()
            .build()
            .expect("client");
        Attachments {
            files,
            fetched,
            client,
        }
    }

    /// Serves `bytes` as an attachment named `name`; its URL.
    pub fn put(&self, name: &str, bytes: &[u8]) -> String {
        let mut files = self.files.lock().expect("files");
        let path = format!("/attachments/{GUILD_ID}/{}/{name}", files.len() + 1);
        files.insert(path.clone(), bytes.to_vec());
        format!("https://cdn.discordapp.com{path}")
    }

    /// How many requests it answered.
    pub fn fetched(&self) -> usize {
        self.fetched.load(Ordering::SeqCst)
    }
}

/// TLS on top of a TCP listener, for axum.
struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

async fn rest_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: Value = match content_type.split_once("boundary=") {
        Some((kind, boundary)) if kind.starts_with("multipart/form-data") => {
            multipart(&body, boundary.trim_matches('"'))
        }
        _ => serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let request = Request {
        method: method.to_string(),
        path: path.clone(),
        auth,
        body: body.clone(),
        at: std::time::Instant::now(),
    };
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let response = match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) | ("GET", ["gateway", "bot"]) => json_response(json!({
            "url": shared.gateway_url.lock().expect("url").clone(),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        })),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let guild = parts.get(3).copied();
            let echoed: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    let o = c.as_object_mut().expect("command object");
                    o.insert("id".into(), json!((900 + i).to_string()));
                    o.insert("application_id".into(), json!(APP_ID.to_string()));
                    o.insert("version".into(), json!("1"));
                    o.entry("type").or_insert(json!(1));
                    o.entry("description").or_insert(json!(""));
                    if let Some(g) = guild {
                        o.insert("guild_id".into(), json!(g));
                    }
                    c
                })
                .collect();
            json_response(Value::Array(echoed))
        }
        ("POST", ["interactions", _, _, "callback"]) => {
            let left = shared.throttle.load(Ordering::SeqCst);
            if left > 0 {
                shared.throttle.store(left - 1, Ordering::SeqCst);
                let _ = shared.requests.send(Request {
                    path: format!("{path}#429"),
                    ..request.clone()
                });
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [
                        ("retry-after", "0.2"),
                        ("x-ratelimit-limit", "1"),
                        ("x-ratelimit-remaining", "0"),
                        ("x-ratelimit-reset-after", "0.2"),
                        ("x-ratelimit-bucket", "fake"),
                        ("content-type", "application/json"),
                    ],
                    json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false}).to_string(),
                )
                    .into_response();
            }
            StatusCode::NO_CONTENT.into_response()
        }
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) => {
            json_response(sent("990000000000000002", &CHANNEL_ID.to_string(), &body))
        }
        ("PUT", ["channels", _, "messages", _, "reactions", _, "@me"]) => {
            StatusCode::NO_CONTENT.into_response()
        }
        // Channels the bot may not post in, and channels that are gone (reading-plan tests).
        ("POST", ["channels", FORBIDDEN_CHANNEL, "messages"]) => (
            StatusCode::FORBIDDEN,
            [("content-type", "application/json")],
            json!({"message": "Missing Permissions", "code": 50013}).to_string(),
        )
            .into_response(),
        ("POST", ["channels", GONE_CHANNEL, "messages"]) => (
            StatusCode::NOT_FOUND,
            [("content-type", "application/json")],
            json!({"message": "Unknown Channel", "code": 10003}).to_string(),
        )
            .into_response(),
        ("POST", ["channels", channel, "messages"]) => {
            json_response(sent("990000000000000001", channel, &body))
        }
        ("POST", ["channels", channel, "messages", _, "threads"]) => json_response(json!({
            "id": "990000000000000010",
            "type": 11,
            "guild_id": GUILD_ID.to_string(),
            "parent_id": channel,
            "name": body["name"].clone(),
            "owner_id": APP_ID.to_string(),
            "permission_overwrites": [],
            "nsfw": false,
            "position": 0,
            "thread_metadata": {"archived": false, "auto_archive_duration": 1440, "archive_timestamp": "2026-01-01T00:00:00.000000+00:00", "locked": false}
        })),
        ("POST", ["users", "@me", "channels"]) => json_response(json!({
            "id": DM_CHANNEL.to_string(),
            "type": 1,
            "recipients": [{"id": body["recipient_id"].clone(), "username": "admin", "discriminator": "0", "avatar": null, "global_name": null}]
        })),
        _ => (
            StatusCode::NOT_FOUND,
            [("content-type", "application/json")],
            json!({"message": "Unknown", "code": 0}).to_string(),
        )
            .into_response(),
    };
    let _ = shared.requests.send(request);
    response
}

/// A multipart body as Discord reads it: the `payload_json` part, with the files it carried listed
/// under `_files` as `{"name", "content"}` (content as text).
fn multipart(body: &[u8], boundary: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        if head.contains("name=\"payload_json\"") {
            payload = serde_json::from_str(content).unwrap_or(Value::Null);
        } else if let Some((_, rest)) = head.split_once("filename=\"") {
            let name = rest.split('"').next().unwrap_or_default();
            files.push(json!({"name": name, "content": content}));
        }
    }
    if let Some(o) = payload.as_object_mut() {
        o.insert("_files".into(), Value::Array(files));
    }
    payload
}

/// The message the bot's request `body` creates (or edits into).
fn sent(id: &str, channel: &str, body: &Value) -> Value {
    let mut m = message(
        id,
        channel,
        body["content"].as_str().unwrap_or(""),
        APP_ID,
        "cabildo",
        true,
    );
    m["embeds"] = body["embeds"].clone();
    m
}

fn json_response(v: Value) -> Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

/// A message object with every field serenity insists on.
pub fn message(
    id: &str,
    channel: &str,
    content: &str,
    author: u64,
    name: &str,
    bot: bool,
) -> Value {
    json!({
        "id": id,
        "channel_id": channel,
        "author": {"id": author.to_string(), "username": name, "discriminator": "0", "bot": bot, "avatar": null, "global_name": null},
        "content": content,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0
    })
}

/// The fields every INTERACTION_CREATE carries.
pub fn interaction(id: u64, kind: u8, data: Value) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "data": data,
        "channel_id": CHANNEL_ID.to_string(),
        "token": format!("itoken{id}"),
        "version": 1,
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8_388_608,
        "user": {"id": USER_ID.to_string(), "username": "reader", "discriminator": "0", "avatar": null, "global_name": null}
    })
}

async fn connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut commands: broadcast::Receiver<Arc<GatewayCmdBox>>,
) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 1000}, "s": null, "t": null});
    if ws.send(Ws::text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(frame)) = frame else { return };
                let text = match frame {
                    Ws::Text(t) => t.to_string(),
                    Ws::Close(_) => return,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let ack = json!({"op": 11, "d": null, "s": null, "t": null});
                        if ws.send(Ws::text(ack.to_string())).await.is_err() { return; }
                    }
                    Some(2) if shared.refuse.load(Ordering::SeqCst) => {
                        use tokio_tungstenite::tungstenite::protocol::{CloseFrame, frame::coding::CloseCode};
                        let close = CloseFrame { code: CloseCode::Library(4004), reason: "Authentication failed.".into() };
                        let _ = ws.send(Ws::Close(Some(close))).await;
                        return;
                    }
                    Some(2) => {
                        let shard = v["d"]["shard"].as_array().and_then(|a| match a[..] {
                            [ref id, ref total] => Some([id.as_u64()?, total.as_u64()?]),
                            _ => None,
                        });
                        shared.identified_shards.lock().expect("shards").push(shard);
                        shared.identifies.fetch_add(1, Ordering::SeqCst);
                        shared.history.lock().expect("history").clear();
                        let url = shared.gateway_url.lock().expect("url").clone();
                        let ready = json!({
                            "v": 10,
                            "user": {"id": APP_ID.to_string(), "username": "cabildo", "discriminator": "0", "bot": true, "avatar": null, "global_name": null},
                            "guilds": [],
                            "session_id": "fake-session",
                            "resume_gateway_url": url,
                            "application": {"id": APP_ID.to_string(), "flags": 0},
                            "shard": shard.unwrap_or([0, 1])
                        });
                        if send_dispatch(&mut ws, &shared, "READY", ready).await.is_err() { return; }
                    }
                    Some(6) => {
                        shared.resumes.fetch_add(1, Ordering::SeqCst);
                        let after = v["d"]["seq"].as_u64().unwrap_or(0);
                        let replay: Vec<Value> = shared
                            .history
                            .lock()
                            .expect("history")
                            .iter()
                            .filter(|p| p["s"].as_u64().is_some_and(|s| s > after))
                            .cloned()
                            .collect();
                        for p in replay {
                            if ws.send(Ws::text(p.to_string())).await.is_err() { return; }
                        }
                        if send_dispatch(&mut ws, &shared, "RESUMED", json!({})).await.is_err() { return; }
                    }
                    _ => {}
                }
            }
            cmd = commands.recv() => {
                let Ok(cmd) = cmd else { return };
                let Some(cmd) = cmd.0.lock().expect("cmd").take() else { continue };
                match cmd {
                    GatewayCmd::Dispatch(t, d) => {
                        if send_dispatch(&mut ws, &shared, &t, d).await.is_err() { return; }
                    }
                    GatewayCmd::Raw(v) => {
                        if ws.send(Ws::text(v.to_string())).await.is_err() { return; }
                    }
                    GatewayCmd::Drop => return,
                }
            }
        }
    }
}

async fn send_dispatch(
    ws: &mut tokio_tungstenite::WebSocketStream<TcpStream>,
    shared: &Shared,
    event: &str,
    data: Value,
) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let s = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let payload = json!({"op": 0, "t": event, "s": s, "d": data});
    shared
        .history
        .lock()
        .expect("history")
        .push(payload.clone());
    ws.send(Ws::text(payload.to_string())).await
}

//! The HTTP side of the interactions endpoint (axum): `POST /interactions` with Discord's Ed25519
//! signature check, body-size and clock-skew limits, PING → PONG; `GET /healthz` and `GET /metrics`
//! (Prometheus text); graceful shutdown. What an interaction *means* is not decided here: verified
//! interactions go to an [`Interactions`] implementation (the same handlers the gateway uses).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ed25519_dalek::{Signature, VerifyingKey};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::error::{Error, Result};

/// Largest request body accepted; Discord's interactions are a few kilobytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How far `X-Signature-Timestamp` may be from this machine's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// Interaction types (Discord): 1 PING, 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT,
/// 4 AUTOCOMPLETE, 5 MODAL_SUBMIT.
pub const PING: u64 = 1;

/// The response sent when answering failed on our side (a bug, already logged): a private
/// one-line apology, the same words the gateway sends.
pub const APOLOGY_RESPONSE: &str = r#"{"type":4,"data":{"content":"Sorry, something went wrong on my side.","flags":64,"allowed_mentions":{"parse":[]}}}"#;

/// What a verified interaction gets back.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// 200 with this JSON body (an interaction response, serialised); `label` names the command
    /// and `outcome` how it went (`ok`, `apology`), for metrics.
    Json {
        label: String,
        outcome: &'static str,
        body: Vec<u8>,
    },
    /// The interaction is well signed but not something we serve (e.g. an unknown type): 400.
    Rejected { label: String, message: String },
}

/// Discord waits 3 seconds for a response; an answer not ready after this long is deferred.
pub const DEFER_AFTER: Duration = Duration::from_secs(2);

/// Sending a late answer.
pub type FollowUp = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Answering one interaction.
pub type Answering = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// Turns a verified interaction into a response.
pub trait Interactions: Send + Sync + 'static {
    /// `raw` is the body exactly as signed, a JSON object; `kind` its interaction `type`. The
    /// answer runs on a task of its own; one that is not ready within the endpoint's deferral
    /// time is deferred ([`Interactions::defer`]) and sent later ([`Interactions::follow_up`]).
    fn respond(self: Arc<Self>, raw: Bytes, kind: u64) -> Answering;

    /// The deferred response ("thinking…") for an interaction whose answer is late, or `None`
    /// when it cannot be deferred (autocomplete must answer at once).
    fn defer(&self, _raw: &[u8], _kind: u64) -> Option<Vec<u8>> {
        None
    }

    /// Sends a late answer: `response` is the interaction response [`Reply::Json`] held, to be
    /// shown in place of the deferred one.
    fn follow_up(&self, _raw: Bytes, _response: Vec<u8>) -> FollowUp {
        Box::pin(async {})
    }
}

/// The one field of an interaction the endpoint reads itself; the rest of the body is checked to
/// be JSON and skipped, and parsed once more by the handler into its own model.
#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: Option<serde_json::Value>,
}

/// An interaction's `type`, or why there is none.
fn interaction_type(body: &[u8]) -> Result<u64, &'static str> {
    const NOT_JSON: &str = "the body is not JSON";
    const NO_TYPE: &str = "the interaction has no type";
    // Only an object has fields (serde would also read an array as a struct).
    if body.trim_ascii_start().first() != Some(&b'{') {
        return match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => Err(NO_TYPE),
            Err(_) => Err(NOT_JSON),
        };
    }
    let head: Head = serde_json::from_slice(body).map_err(|_| NOT_JSON)?;
    head.kind.and_then(|k| k.as_u64()).ok_or(NO_TYPE)
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    command: String,
    outcome: String,
}

/// Counters and histograms served at `/metrics`.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Histogram,
    /// Passages in the index.
    pub index_passages: Gauge,
    /// Bytes of the index on disk.
    pub index_bytes: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("cabildo");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        let index_passages = Gauge::default();
        let index_bytes = Gauge::default();
        registry.register(
            "interactions",
            "Interactions received, by command and outcome",
            requests.clone(),
        );
        registry.register(
            "interaction_duration_seconds",
            "Time to answer an interaction, from a verified request to its response",
            latency.clone(),
        );
        registry.register(
            "index_passages",
            "Passages in the index",
            index_passages.clone(),
        );
        registry.register(
            "index_bytes",
            "Size of the index on disk",
            index_bytes.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            index_passages,
            index_bytes,
        }
    }
}

impl Metrics {
    fn count(&self, command: &str, outcome: &str) {
        self.requests
            .get_or_create(&RequestLabels {
                command: command.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// The endpoint's shared state.
pub struct Endpoint {
    key: VerifyingKey,
    handler: OnceLock<Arc<dyn Interactions>>,
    ready: AtomicBool,
    defer_after: Duration,
    pub metrics: Metrics,
}

impl Endpoint {
    /// An endpoint that verifies with `key`; it answers 503 until [`Endpoint::set_handler`].
    pub fn new(key: VerifyingKey) -> Arc<Endpoint> {
        Endpoint::deferring_after(key, DEFER_AFTER)
    }

    /// The same, deferring answers of a slow handler after `defer_after` instead of
    /// [`DEFER_AFTER`].
    pub fn deferring_after(key: VerifyingKey, defer_after: Duration) -> Arc<Endpoint> {
        Arc::new(Endpoint {
            key,
            handler: OnceLock::new(),
            ready: AtomicBool::new(false),
            defer_after,
            metrics: Metrics::default(),
        })
    }

    /// Installs the handler once the index is open; `/healthz` turns ready.
    pub fn set_handler(&self, handler: Arc<dyn Interactions>) {
        let _ = self.handler.set(handler);
        self.ready.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}

/// Parses the application's public key as shown in the developer portal (64 hex characters).
pub fn parse_public_key(hex_key: &str) -> Result<VerifyingKey> {
    let bad = |why: &str| Error::Config(format!("DISCORD_PUBLIC_KEY: {why}"));
    let bytes =
        hex::decode(hex_key.trim()).map_err(|_| bad("expected 64 hexadecimal characters"))?;
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| bad("expected 64 hexadecimal characters (32 bytes)"))?;
    VerifyingKey::from_bytes(&arr).map_err(|_| bad("not a valid Ed25519 public key"))
}

/// The routes: `POST /interactions`, `GET /healthz`, `GET /metrics`.
pub fn router(endpoint: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/interactions", post(interactions))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(endpoint)
}

/// Serves until `shutdown` resolves, then stops accepting and finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    endpoint: Arc<Endpoint>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(endpoint))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn healthz(State(ep): State<Arc<Endpoint>>) -> Response {
    if ep.is_ready() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: the index is not open yet\n",
        )
            .into_response()
    }
}

async fn metrics(State(ep): State<Arc<Endpoint>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        ep.metrics.render(),
    )
        .into_response()
}

/// Answers on a task of its own. A panic in the handler must not drop the request (Discord would
/// show "The application did not respond"): it gets the apology, counted as a panic. Not ready
/// within the endpoint's deferral time: `Err` with the deferred response to send now, while the
/// answer follows when ready.
async fn answer_or_defer(
    ep: &Arc<Endpoint>,
    handler: Arc<dyn Interactions>,
    body: Bytes,
    kind: u64,
) -> Result<Reply, Response> {
    let joined = move |r: Result<Reply, tokio::task::JoinError>| {
        r.unwrap_or_else(|e| {
            tracing::error!(error = %e, kind, "answering an interaction failed");
            Reply::Json {
                label: "-".into(),
                outcome: "panic",
                body: APOLOGY_RESPONSE.as_bytes().to_vec(),
            }
        })
    };
    let mut work = tokio::spawn(handler.clone().respond(body.clone(), kind));
    match tokio::time::timeout(ep.defer_after, &mut work).await {
        Ok(done) => Ok(joined(done)),
        Err(_) => match handler.defer(&body, kind) {
            None => Ok(joined(work.await)),
            Some(deferred) => {
                ep.metrics.count("-", "deferred");
                let ep = ep.clone();
                tokio::spawn(async move {
                    if let Reply::Json {
                        label,
                        outcome,
                        body: response,
                    } = joined(work.await)
                    {
                        ep.metrics.count(&label, outcome);
                        handler.follow_up(body, response).await;
                    }
                });
                Err(json_response(deferred))
            }
        },
    }
}

fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn refuse(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}

/// Checks the signature headers: `X-Signature-Ed25519` over `X-Signature-Timestamp` + body.
fn verify(key: &VerifyingKey, headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
    let sig = headers
        .get("x-signature-ed25519")
        .and_then(|v| v.to_str().ok())
        .ok_or("missing signature")?;
    let ts = headers
        .get("x-signature-timestamp")
        .and_then(|v| v.to_str().ok())
        .ok_or("missing timestamp")?;
    let when: u64 = ts.parse().map_err(|_| "bad timestamp")?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if now.abs_diff(when) > MAX_CLOCK_SKEW_SECS {
        return Err("timestamp too far from now");
    }
    let mut sig_bytes = [0u8; 64];
    hex::decode_to_slice(sig, &mut sig_bytes).map_err(|_| "bad signature")?;
    let signature = Signature::from_bytes(&sig_bytes);
    let mut message = Vec::with_capacity(ts.len() + body.len());
    message.extend_from_slice(ts.as_bytes());
    message.extend_from_slice(body);
    key.verify_strict(&message, &signature)
        .map_err(|_| "invalid signature")
}

async fn interactions(
    State(ep): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    if let Err(why) = verify(&ep.key, &headers, &body) {
        ep.metrics.count("-", "unauthorized");
        tracing::debug!("refused an interaction: {why}");
        return refuse(StatusCode::UNAUTHORIZED, "invalid request signature");
    }
    let kind = match interaction_type(&body) {
        Ok(kind) => kind,
        Err(why) => {
            ep.metrics.count("-", "malformed");
            return refuse(StatusCode::BAD_REQUEST, why);
        }
    };
    if kind == PING {
        ep.metrics.count("ping", "ok");
        return json_response(br#"{"type":1}"#.to_vec());
    }
    let Some(handler) = ep.handler.get().cloned() else {
        ep.metrics.count("-", "not_ready");
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: the index is not open yet",
        );
    };
    let reply = match answer_or_defer(&ep, handler, body, kind).await {
        Ok(reply) => reply,
        Err(deferred) => {
            ep.metrics.latency.observe(started.elapsed().as_secs_f64());
            return deferred;
        }
    };
    ep.metrics.latency.observe(started.elapsed().as_secs_f64());
    match reply {
        Reply::Json {
            label,
            outcome,
            body,
        } => {
            ep.metrics.count(&label, outcome);
            json_response(body)
        }
        Reply::Rejected { label, message } => {
            ep.metrics.count(&label, "rejected");
            (StatusCode::BAD_REQUEST, message).into_response()
        }
    }
}

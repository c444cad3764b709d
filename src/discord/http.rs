//! The Discord side of the HTTP interactions endpoint (`cabildo serve`): a verified interaction body
//! is parsed into serenity's `Interaction`, then goes through the very same
//! [`commands::parse`] → [`Bot::respond`] → [`render::response`] path as the gateway. Stateless apart
//! from the rate-limit buckets and questions too long for a message title behind "more results"
//! buttons, so replicas can run behind any load balancer.

use std::sync::Arc;

use axum::body::Bytes;
use serenity::all::Interaction;

use crate::config::Settings;
use crate::discord::commands;
use crate::discord::handler::{Bot, Edits, Response};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::render::discord as render;
use crate::reply::Body;
use crate::server::{self, Endpoint, FollowUp, Interactions, Reply as HttpReply};

/// Answers interactions that arrive over HTTP.
pub struct HttpInteractions {
    pub bot: Arc<Bot>,
    /// Where late answers go: Discord's API (`https://discord.com`, or the configured proxy).
    api_base: String,
    client: reqwest::Client,
    /// Where files are sent from after a deferred response (the runtime it was made on).
    runtime: Option<tokio::runtime::Handle>,
}

impl HttpInteractions {
    /// Answers with `bot`; late answers go to `api_base` (Discord, or `DISCORD_PROXY_URL`).
    pub fn new(bot: Arc<Bot>, api_base: Option<&str>) -> Self {
        HttpInteractions {
            bot,
            api_base: api_base
                .unwrap_or("https://discord.com")
                .trim_end_matches('/')
                .to_string(),
            client: reqwest::Client::new(),
            runtime: tokio::runtime::Handle::try_current().ok(),
        }
    }
}

/// The fields of an interaction a late answer needs.
#[derive(serde::Deserialize)]
struct Webhook {
    application_id: String,
    token: String,
}

impl Interactions for HttpInteractions {
    /// A command shows "thinking…" (privately when the answer will be private); a button keeps its
    /// message until the update comes. Autocomplete cannot wait.
    fn defer(&self, raw: &[u8], kind: u64) -> Option<Vec<u8>> {
        let interaction: Interaction = serde_json::from_slice(raw).ok()?;
        let deferred = match (kind, commands::parse(&interaction)?) {
            (2, action) if commands::defers_privately(&action) => {
                r#"{"type":5,"data":{"flags":64}}"#
            }
            (2, _) => r#"{"type":5}"#,
            (3, _) => r#"{"type":6}"#,
            _ => return None,
        };
        Some(deferred.as_bytes().to_vec())
    }

    /// Edits the deferred response into the answer (`PATCH /webhooks/{app}/{token}/messages/@original`;
    /// the interaction token in the path is the credential, and is never logged).
    fn follow_up(&self, raw: Bytes, response: Vec<u8>) -> FollowUp {
        let (client, base) = (self.client.clone(), self.api_base.clone());
        Box::pin(async move {
            let Ok(hook) = serde_json::from_slice::<Webhook>(&raw) else {
                return;
            };
            let data = serde_json::from_slice::<serde_json::Value>(&response)
                .map(|mut v| v["data"].take())
                .unwrap_or_default();
            let url = format!(
                "{base}/api/v10/webhooks/{}/{}/messages/@original",
                hook.application_id, hook.token
            );
            let sent = client
                .patch(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(data.to_string())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => tracing::warn!(status = %r.status(), "Discord refused a late answer"),
                Err(e) => tracing::warn!(error = %e.without_url(), "could not send a late answer"),
            }
        })
    }

    fn respond(self: Arc<Self>, raw: Bytes, kind: u64) -> server::Answering {
        Box::pin(async move { self.answer(&raw, kind).await })
    }
}

impl HttpInteractions {
    async fn answer(&self, raw: &Bytes, kind: u64) -> HttpReply {
        let interaction: Interaction = match serde_json::from_slice(raw) {
            Ok(i) => i,
            Err(e) => {
                tracing::debug!(error = %e, kind, "not an interaction we serve");
                return HttpReply::Rejected {
                    label: "-".into(),
                    message: "unsupported interaction".into(),
                };
            }
        };
        let label = match &interaction {
            Interaction::Command(c) => c.data.name.clone(),
            Interaction::Autocomplete(_) => "autocomplete".to_string(),
            Interaction::Component(_) => "button".to_string(),
            _ => {
                return HttpReply::Rejected {
                    label: "-".into(),
                    message: "unsupported interaction".into(),
                };
            }
        };
        let Some(action) = commands::parse(&interaction) else {
            return HttpReply::Rejected {
                label,
                message: "unsupported interaction".into(),
            };
        };
        let Response { reply, edits } = self
            .bot
            .respond_with_edits(commands::Origin::of(&interaction), action)
            .await;
        if let Some(edits) = edits {
            self.edits_later(raw, edits);
        }
        // Files cannot ride on the HTTP response itself (Discord takes them only as multipart on
        // the callback endpoint or a follow-up): defer privately, then send them as an edit of
        // the deferred response.
        if let Body::Files { text, files } = reply.body {
            return self.files_later(raw, label, text, files);
        }
        let outcome = match reply.body {
            Body::Apology => "apology",
            _ => "ok",
        };
        match serde_json::to_vec(&render::response(&reply)) {
            Ok(body) => HttpReply::Json {
                label,
                outcome,
                body,
            },
            Err(e) => {
                tracing::error!(error = %e, "could not serialise a reply");
                HttpReply::Json {
                    label,
                    outcome: "apology",
                    body: server::APOLOGY_RESPONSE.as_bytes().to_vec(),
                }
            }
        }
    }
}

impl HttpInteractions {
    /// Sends each later version of a reply as an edit of the original response, once Discord has
    /// it (the first edit is retried a few times, as it may come before Discord took the
    /// response).
    fn edits_later(&self, raw: &[u8], mut edits: Edits) {
        let Ok(hook) = serde_json::from_slice::<Webhook>(raw) else {
            return;
        };
        let (client, base) = (self.client.clone(), self.api_base.clone());
        let send = async move {
            let url = format!(
                "{base}/api/v10/webhooks/{}/{}/messages/@original",
                hook.application_id, hook.token
            );
            while let Some(reply) = edits.recv().await {
                let body = match serde_json::to_string(&render::edit(&reply)) {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::error!(error = %e, "could not serialise an edit");
                        continue;
                    }
                };
                for attempt in 0..5u32 {
                    let sent = client
                        .patch(&url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => break,
                        Ok(r) => {
                            tracing::warn!(status = %r.status(), attempt, "Discord refused an edit")
                        }
                        Err(e) => {
                            tracing::warn!(error = %e.without_url(), attempt, "could not send an edit")
                        }
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(300 << attempt)).await;
                }
            }
        };
        match &self.runtime {
            Some(rt) => {
                rt.spawn(send);
            }
            None => tracing::error!("no runtime to send edits on"),
        }
    }

    /// Answers "thinking…" (privately) now, and edits it into `text` with `files` attached.
    fn files_later(
        &self,
        raw: &[u8],
        label: String,
        text: String,
        files: Vec<(String, Vec<u8>)>,
    ) -> HttpReply {
        let Ok(hook) = serde_json::from_slice::<Webhook>(raw) else {
            return HttpReply::Rejected {
                label,
                message: "unsupported interaction".into(),
            };
        };
        let (client, base) = (self.client.clone(), self.api_base.clone());
        let send = async move {
            let url = format!(
                "{base}/api/v10/webhooks/{}/{}/messages/@original",
                hook.application_id, hook.token
            );
            let payload = serde_json::json!({
                "content": render::defuse(&text),
                "allowed_mentions": {"parse": []},
                "attachments": files.iter().enumerate()
                    .map(|(i, (name, _))| serde_json::json!({"id": i, "filename": name}))
                    .collect::<Vec<_>>(),
            });
            // Discord may not have the deferred response yet when the first try arrives.
            for attempt in 0..5u32 {
                let mut form =
                    reqwest::multipart::Form::new().text("payload_json", payload.to_string());
                for (i, (name, bytes)) in files.iter().enumerate() {
                    form = form.part(
                        format!("files[{i}]"),
                        reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.clone()),
                    );
                }
                match client.patch(&url).multipart(form).send().await {
                    Ok(r) if r.status().is_success() => return,
                    Ok(r) => {
                        tracing::warn!(status = %r.status(), attempt, "Discord refused an export")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e.without_url(), attempt, "could not send an export")
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(300 << attempt)).await;
            }
        };
        match &self.runtime {
            Some(rt) => {
                rt.spawn(send);
            }
            None => tracing::error!("no runtime to send an export on"),
        }
        HttpReply::Json {
            label,
            outcome: "deferred",
            body: br#"{"type":5,"data":{"flags":64}}"#.to_vec(),
        }
    }
}

/// `cabildo serve`: binds `listen`, answers 503 until the index is open, then serves until
/// `shutdown`, finishing requests in flight.
pub async fn serve(
    settings: &Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with(settings, listener, shutdown, None).await
}

/// [`serve`], downloading attachments (`/texts add`) with `attachment_client` when given (tests
/// pass one that trusts a local certificate for Discord's file server).
pub async fn serve_with(
    settings: &Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    attachment_client: Option<reqwest::Client>,
) -> Result<()> {
    let key = settings.discord.public_key.as_ref().ok_or_else(|| {
        Error::Config(
            "DISCORD_PUBLIC_KEY is not set: copy the application's public key from the Developer Portal (General Information) into .env".into(),
        )
    })?;
    let key = server::parse_public_key(key.expose())?;
    let endpoint = Endpoint::new(key);
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("reading the listening address", e))?;
    tracing::info!(%addr, "listening for interactions at POST /interactions");
    let server = tokio::spawn(server::serve(listener, endpoint.clone(), shutdown));
    let opened = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || Engine::open(&settings))
            .await
            .map_err(|e| Error::Discord(format!("opening the index failed: {e}")))?
    };
    let engine = Arc::new(opened?);
    endpoint
        .metrics
        .index_passages
        .set(engine.corpus.len() as i64);
    endpoint
        .metrics
        .index_bytes
        .set(i64::try_from(engine.index.disk_bytes()).unwrap_or(i64::MAX));
    let store = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || settings.open_store())
            .await
            .map_err(|e| Error::Discord(format!("opening the database failed: {e}")))??
    };
    tracing::info!(database = %store.url(), "database open");
    // With a bot token, this replica posts due reading plans too (claims keep replicas from
    // posting the same day twice); without one, another process (`cabildo run`) must.
    let library = Arc::new(crate::library::Library::new(
        engine.clone(),
        Some(store.clone()),
        settings,
    ));
    let scheduler = match crate::discord::gateway::http(settings) {
        Ok(http) if settings.discord.token.is_some() => Some(crate::schedule::spawn(
            store.clone(),
            Arc::new(crate::discord::texts::ServerTexts(library.clone())),
            Arc::new(crate::discord::poster::HttpPoster(Arc::new(http))),
            crate::schedule::TICK,
        )),
        _ => {
            tracing::info!("no DISCORD_TOKEN: this replica does not post reading plans");
            None
        }
    };
    let mut bot = Bot::from_settings(engine, &settings.discord).with_library(library);
    if let Some(client) = attachment_client {
        bot = bot.with_attachment_client(client);
    }
    let bot = Arc::new(bot);
    endpoint.set_handler(Arc::new(HttpInteractions::new(
        bot,
        settings.discord.proxy_url.as_deref(),
    )));
    tracing::info!("ready");
    let served = server
        .await
        .map_err(|e| Error::Discord(format!("the server task failed: {e}")));
    // A reading-plan post in progress finishes (and is recorded) before the process ends.
    if let Some(s) = scheduler {
        s.stop().await;
    }
    served?.map_err(|e| Error::io("serving HTTP", e))
}

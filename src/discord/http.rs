//! The Discord side of the HTTP interactions endpoint (`cabildo serve`): a verified interaction body
//! is parsed into serenity's `Interaction`, then goes through the very same
//! [`commands::parse`] → [`Bot::respond`] → [`render::response`] path as the gateway. Stateless apart
//! from the rate-limit buckets and questions too long for a message title behind "more results"
//! buttons, so replicas can run behind any load balancer.

use std::sync::Arc;

use serenity::all::Interaction;

use crate::config::Settings;
use crate::discord::commands;
use crate::discord::handler::Bot;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::render::discord as render;
use crate::reply::Body;
use crate::server::{self, Endpoint, Interactions, Reply as HttpReply};

/// Answers interactions that arrive over HTTP.
pub struct HttpInteractions {
    pub bot: Arc<Bot>,
}

impl Interactions for HttpInteractions {
    fn respond(&self, raw: &[u8], kind: u64) -> HttpReply {
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
        let (user, label) = match &interaction {
            Interaction::Command(c) => (c.user.id.get(), c.data.name.clone()),
            Interaction::Autocomplete(c) => (c.user.id.get(), "autocomplete".to_string()),
            Interaction::Component(c) => (c.user.id.get(), "button".to_string()),
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
        let reply = self.bot.respond(user, action);
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

/// `cabildo serve`: binds `listen`, answers 503 until the index is open, then serves until
/// `shutdown`, finishing requests in flight.
pub async fn serve(
    settings: &Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
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
    let bot = Arc::new(settings.discord.bot(engine));
    endpoint.set_handler(Arc::new(HttpInteractions { bot }));
    tracing::info!("ready");
    server
        .await
        .map_err(|e| Error::Discord(format!("the server task failed: {e}")))?
        .map_err(|e| Error::io("serving HTTP", e))
}

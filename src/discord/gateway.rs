//! The gateway bot behind `cabildo run`: a serenity client with the minimum intents (no privileged
//! one) that registers the commands on READY, answers interactions through the
//! [`handler`](crate::discord::handler) and [`render`](crate::render::discord), and answers messages
//! that mention it (or direct messages) with the same answer as a reply. Also `cabildo register`
//! (registration only) and `cabildo invite` (the OAuth2 link).
//!
//! REST calls go to `DISCORD_PROXY_URL` when it is set (a rate-limit proxy such as nirn-proxy),
//! with serenity's own rate limiter off; the tests use the same switch to reach a fake Discord.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use serenity::all::{
    ApplicationId, Command, Context, EventHandler, GatewayIntents, GuildId, Interaction, Message,
    Permissions, ReactionType, Ready, UserId,
};
use serenity::async_trait;
use serenity::http::{Http, HttpBuilder};

use crate::config::{Settings, Token};
use crate::discord::commands::{self, Action};
use crate::discord::handler::{Bot, Edits, Response};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::library::Library;
use crate::render::discord as render;
use crate::reply::{Body, Reply};

/// The reaction on a mention that came before the member's rate limit allowed another request.
pub const RATE_LIMITED_REACTION: &str = "⏳";

/// Gateway intents: guild and direct messages (not privileged: Discord still delivers the content
/// of messages that mention the bot, and of direct messages).
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES
}

/// What the bot needs in a channel: see it, post, embed, read history (to reply to a message),
/// post in threads, add a reaction (⏳ on a mention that came too soon).
pub fn permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::ADD_REACTIONS
        | Permissions::SEND_MESSAGES
        | Permissions::SEND_MESSAGES_IN_THREADS
        | Permissions::EMBED_LINKS
        | Permissions::READ_MESSAGE_HISTORY
}

/// The token, checked: set, and shaped like a bot token. The message never contains it.
pub fn token(settings: &Settings) -> Result<&Token> {
    let token = settings.discord.token.as_ref().ok_or_else(|| {
        Error::Config(
            "DISCORD_TOKEN is not set. Put your bot's token (Developer Portal → your application → Bot → Reset Token) in .env as DISCORD_TOKEN=… — see .env.example.".into(),
        )
    })?;
    token_id(token.expose()).ok_or_else(|| {
        Error::Config(
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots, the first being the bot's id in base64). Copy it again from the Developer Portal → Bot → Reset Token.".into(),
        )
    })?;
    Ok(token)
}

/// The id encoded in a bot token's first part (base64 of the decimal id), if the token is well
/// formed.
pub fn token_id(token: &str) -> Option<u64> {
    let token = token.trim().strip_prefix("Bot ").unwrap_or(token.trim());
    let parts: Vec<&str> = token.split('.').collect();
    let [first, second, third] = parts[..] else {
        return None;
    };
    let ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
    };
    if !(ok(first) && ok(second) && ok(third)) {
        return None;
    }
    let first = first.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(first)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(first))
        .ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&id| id != 0)
}

/// The application id: configured, or read from the token.
pub fn application_id(settings: &Settings) -> Result<u64> {
    if let Some(id) = settings.discord.application_id {
        return Ok(id);
    }
    match &settings.discord.token {
        Some(_) => token(settings).map(|t| token_id(t.expose()).unwrap_or_default()),
        None => Err(Error::Config(
            "the invite link needs the application id: set DISCORD_APPLICATION_ID (Developer Portal → General Information → Application ID), or DISCORD_TOKEN, which contains it.".into(),
        )),
    }
}

/// The OAuth2 link that adds the bot to a server, with the commands and the least permissions.
pub fn invite_url(settings: &Settings) -> Result<String> {
    let id = application_id(settings)?;
    Ok(format!(
        "https://discord.com/oauth2/authorize?client_id={id}&scope=bot+applications.commands&permissions={}",
        permissions().bits()
    ))
}

/// Start-up options that are not settings.
#[derive(Debug, Default)]
pub struct Launch {
    /// The HTTP client for REST calls (default: serenity's own). Tests pass one that trusts a
    /// local certificate for `discord.com`, to exercise serenity's rate limiter against a fake.
    pub http_client: Option<reqwest::Client>,
    /// How often due reading plans are looked for (default [`crate::schedule::TICK`]); tests
    /// shorten it.
    pub plan_tick: Option<Duration>,
    /// The HTTP client attachments (`/texts add`) are downloaded with (default: a plain one).
    /// Tests pass one that trusts a local certificate for Discord's file server.
    pub attachment_client: Option<reqwest::Client>,
}

/// The REST client: through the proxy (rate limiter off) when one is configured.
pub fn http(settings: &Settings) -> Result<Http> {
    http_with(settings, None)
}

fn http_with(settings: &Settings, client: Option<reqwest::Client>) -> Result<Http> {
    let token = token(settings)?;
    let mut b = HttpBuilder::new(token.expose());
    if let Some(client) = client {
        b = b.client(client);
    }
    if let Some(id) = settings.discord.application_id.filter(|&i| i != 0) {
        b = b.application_id(ApplicationId::new(id));
    } else if let Some(id) = token_id(token.expose()) {
        b = b.application_id(ApplicationId::new(id));
    }
    if let Some(proxy) = &settings.discord.proxy_url {
        b = b
            .proxy(proxy.trim_end_matches('/').to_string())
            .ratelimiter_disabled(true);
    }
    Ok(b.build())
}

/// Registers the commands (to `guild_id` when set, else globally) and returns how many.
pub async fn register(settings: &Settings) -> Result<usize> {
    let http = http(settings)?;
    register_with(&http, settings.discord.guild_id).await
}

async fn register_with(http: &Http, guild: Option<u64>) -> Result<usize> {
    let registered = match guild.filter(|&g| g != 0) {
        Some(g) => GuildId::new(g).set_commands(http, commands::schema()).await,
        None => Command::set_global_commands(http, commands::schema()).await,
    }
    .map_err(|e| Error::Discord(format!("registering the commands failed: {e}")))?;
    Ok(registered.len())
}

/// Runs the bot until `shutdown` completes (Ctrl-C in `cabildo run`) or the connection fails for
/// good (for example, Discord refused the token).
pub async fn run(
    settings: &Settings,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    run_with(settings, engine, shutdown, Launch::default()).await
}

/// [`run`] with start-up options.
pub async fn run_with(
    settings: &Settings,
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    launch: Launch,
) -> Result<()> {
    let http = http_with(settings, launch.http_client)?;
    let store = settings.open_store()?;
    tracing::info!(database = %store.url(), "database open");
    let library = Arc::new(Library::new(engine.clone(), Some(store.clone()), settings));
    let mut bot = Bot::from_settings(engine, &settings.discord).with_library(library.clone());
    if let Some(client) = launch.attachment_client {
        bot = bot.with_attachment_client(client);
    }
    let handler = Gateway {
        bot: Arc::new(bot),
        guild: settings.discord.guild_id,
        me: OnceLock::new(),
        registered: AtomicBool::new(false),
    };
    let mut client = serenity::all::ClientBuilder::new_with_http(http, intents())
        .event_handler(handler)
        .await
        .map_err(|e| Error::Discord(format!("could not start the client: {e}")))?;
    let manager = client.shard_manager.clone();
    // Reading plans: this process posts the due ones (claims keep replicas from posting twice).
    let scheduler = crate::schedule::spawn(
        store,
        Arc::new(crate::discord::texts::ServerTexts(library)),
        Arc::new(crate::discord::poster::HttpPoster(client.http.clone())),
        launch.plan_tick.unwrap_or(crate::schedule::TICK),
    );
    let start = async {
        match settings.discord.shards {
            None => {
                tracing::info!("connecting to Discord (Ctrl-C to stop)");
                client.start().await
            }
            Some(shards) => {
                tracing::info!(
                    "connecting to Discord with shards {shards}, one every 5 s (Ctrl-C to stop)"
                );
                // serenity 0.12.5 starts the END of this range too (it is inclusive there), so
                // pass the last shard id; tests/discord/e2e.rs checks which shards identify.
                client
                    .start_shard_range(shards.start..shards.end - 1, shards.total)
                    .await
            }
        }
    };
    // Stop on `shutdown` even while the gateway cannot be reached (serenity keeps retrying).
    let ended = tokio::select! {
        started = start => started.map_err(|e| match e {
            serenity::Error::Gateway(serenity::gateway::GatewayError::InvalidAuthentication) => {
                Error::Discord("Discord refused the token (DISCORD_TOKEN): reset it in the Developer Portal and copy it again.".into())
            }
            serenity::Error::Gateway(serenity::gateway::GatewayError::DisallowedGatewayIntents) => {
                Error::Discord("Discord refused the gateway intents.".into())
            }
            e => Error::Discord(format!("the gateway connection failed: {e}")),
        }),
        () = shutdown => {
            tracing::info!("shutting down");
            if tokio::time::timeout(Duration::from_secs(5), manager.shutdown_all()).await.is_err() {
                tracing::warn!("the gateway did not close within 5 s; exiting anyway");
            }
            Ok(())
        }
    };
    // A reading-plan post in progress finishes (and is recorded) before the process ends.
    scheduler.stop().await;
    ended
}

struct Gateway {
    bot: Arc<Bot>,
    guild: Option<u64>,
    me: OnceLock<UserId>,
    registered: AtomicBool,
}

/// An interaction not answered within this long is deferred ("thinking…"), then edited in:
/// Discord waits 3 seconds for the first response.
pub const DEFER_AFTER: Duration = Duration::from_secs(2);

impl Gateway {
    /// Starts answering on a task of its own (a panic there is an apology, not a lost request).
    fn start(&self, origin: commands::Origin, action: Action) -> tokio::task::JoinHandle<Response> {
        let bot = self.bot.clone();
        tokio::spawn(async move { bot.respond_with_edits(origin, action).await })
    }
}

/// The response of a finished task.
fn joined(done: Result<Response, tokio::task::JoinError>) -> Response {
    done.unwrap_or_else(|e| {
        tracing::error!(error = %e, "the handler panicked");
        Reply::private(Body::Apology).into()
    })
}

/// Edits an interaction's response as each later version of the reply comes.
async fn send_edits(ctx: &Context, interaction: &Interaction, edits: Option<Edits>) {
    let Some(mut edits) = edits else { return };
    while let Some(reply) = edits.recv().await {
        let edit = render::edit(&reply);
        let sent = match interaction {
            Interaction::Command(c) => c.edit_response(&ctx.http, edit).await.map(drop),
            Interaction::Component(c) => c.edit_response(&ctx.http, edit).await.map(drop),
            _ => return,
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not edit a reply");
        }
    }
}

#[async_trait]
impl EventHandler for Gateway {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        let sharded = ready.shard.filter(|s| s.total > 1);
        match sharded {
            Some(s) => tracing::info!(
                user = %ready.user.name,
                guilds = ready.guilds.len(),
                shard = %format_args!("{} of {}", s.id.0, s.total),
                "connected to Discord"
            ),
            None => tracing::info!(
                user = %ready.user.name,
                guilds = ready.guilds.len(),
                "connected to Discord"
            ),
        }
        if ready.guilds.is_empty() && sharded.is_none() {
            tracing::info!(
                "the bot is in no server yet: add it with the link `cabildo invite` prints"
            );
        }
        // With several processes sharing the shards, only the one running shard 0 registers.
        if ready.shard.is_some_and(|s| s.id.0 != 0) {
            return;
        }
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        match register_with(&ctx.http, self.guild).await {
            Ok(n) => tracing::info!(
                commands = n,
                scope = if self.guild.is_some() {
                    "guild"
                } else {
                    "global"
                },
                "commands registered"
            ),
            Err(e) => {
                self.registered.store(false, Ordering::SeqCst);
                tracing::error!(error = %e, "could not register the commands");
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Some(action) = commands::parse(&interaction) else {
            return;
        };
        let (user, kind) = match &interaction {
            Interaction::Command(c) => (c.user.id, "command"),
            Interaction::Autocomplete(c) => (c.user.id, "autocomplete"),
            Interaction::Component(c) => (c.user.id, "button"),
            _ => return,
        };
        tracing::debug!(%user, kind, ?action, "interaction");
        let private = commands::defers_privately(&action);
        let mut work = self.start(commands::Origin::of(&interaction), action);
        let on_time = match &interaction {
            // Autocomplete cannot be deferred: it waits.
            Interaction::Autocomplete(_) => Some(joined((&mut work).await)),
            _ => tokio::time::timeout(DEFER_AFTER, &mut work)
                .await
                .ok()
                .map(joined),
        };
        if let Some(done) = on_time {
            let response = render::response(&done.reply);
            let sent = match &interaction {
                Interaction::Command(c) | Interaction::Autocomplete(c) => {
                    c.create_response(&ctx.http, response).await
                }
                Interaction::Component(c) => c.create_response(&ctx.http, response).await,
                _ => return,
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, kind, "could not send the reply");
                return;
            }
            send_edits(&ctx, &interaction, done.edits).await;
            return;
        }
        // Late: "thinking…" now (a button keeps its message), the answer when it is ready.
        let deferred = match &interaction {
            Interaction::Command(c) => {
                let m = serenity::all::CreateInteractionResponseMessage::new().ephemeral(private);
                c.create_response(
                    &ctx.http,
                    serenity::all::CreateInteractionResponse::Defer(m),
                )
                .await
            }
            Interaction::Component(c) => {
                c.create_response(
                    &ctx.http,
                    serenity::all::CreateInteractionResponse::Acknowledge,
                )
                .await
            }
            _ => return,
        };
        if let Err(e) = deferred {
            tracing::warn!(error = %e, kind, "could not defer the reply");
        }
        let done = joined(work.await);
        let sent = match &interaction {
            Interaction::Component(c) if !done.reply.update => c
                .create_followup(&ctx.http, render::follow_up(&done.reply))
                .await
                .map(drop),
            Interaction::Component(c) => c
                .edit_response(&ctx.http, render::edit(&done.reply))
                .await
                .map(drop),
            Interaction::Command(c) => c
                .edit_response(&ctx.http, render::edit(&done.reply))
                .await
                .map(drop),
            _ => return,
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, kind, "could not send a late reply");
        }
        send_edits(&ctx, &interaction, done.edits).await;
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.author.bot {
            return;
        }
        let Some(me) = self.me.get().copied() else {
            return;
        };
        let direct = msg.guild_id.is_none();
        let mentioned = msg.mentions.iter().any(|u| u.id == me);
        if !direct && !mentioned {
            return;
        }
        let action = commands::from_mention(&msg.content, me.get()).unwrap_or(Action::Help);
        // Answered from the server's texts (the host's in a direct message).
        let origin = commands::Origin {
            guild: msg.guild_id.map(|g| g.get()),
            channel: msg.channel_id.get(),
            user: msg.author.id.get(),
            ..Default::default()
        };
        let reply = joined(self.start(origin, action).await).reply;
        if let Body::Cooldown { seconds } = reply.body {
            // A throttled mention gets a quiet ⏳ reaction: visible, never silence, no message.
            tracing::debug!(user = %msg.author.id, seconds, "mention rate-limited");
            let wait = ReactionType::Unicode(RATE_LIMITED_REACTION.to_string());
            if let Err(e) = msg.react(&ctx.http, wait).await {
                tracing::warn!(error = %e, channel = %msg.channel_id, "could not react to a message");
            }
            return;
        }
        let out = render::message(&reply).reference_message(&msg);
        if let Err(e) = msg.channel_id.send_message(&ctx.http, out).await {
            tracing::warn!(error = %e, channel = %msg.channel_id, "could not reply to a message");
        }
    }
}

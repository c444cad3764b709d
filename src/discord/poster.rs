//! The reading-plan scheduler's way to Discord ([`crate::schedule::Poster`]) over serenity's HTTP
//! client: posts a plan's message with an idempotency nonce, opens its thread, and writes to a
//! member directly. 404 and 403 from Discord become [`PostError::Gone`] and
//! [`PostError::Forbidden`]; anything else is passing.

use std::sync::Arc;

use serenity::all::{
    AutoArchiveDuration, ChannelId, CreateAllowedMentions, CreateMessage, CreateThread, Nonce,
    UserId,
};
use serenity::http::Http;

use crate::schedule::{Post, PostError, PostFuture, Poster};

/// Posts through serenity's REST client (the gateway's, or one built for `cabildo serve`).
pub struct HttpPoster(pub Arc<Http>);

fn classify(e: serenity::Error) -> PostError {
    match &e {
        serenity::Error::Http(h) => match h.status_code().map(|s| s.as_u16()) {
            Some(404) => PostError::Gone,
            Some(403) => PostError::Forbidden,
            _ => PostError::Passing(e.to_string()),
        },
        _ => PostError::Passing(e.to_string()),
    }
}

impl Poster for HttpPoster {
    fn post(&self, post: Post) -> PostFuture<'_, Result<u64, PostError>> {
        Box::pin(async move {
            let channel = ChannelId::new(post.channel.max(1));
            let message = CreateMessage::new()
                .content(post.content)
                .nonce(Nonce::String(post.nonce))
                .enforce_nonce(true)
                .allowed_mentions(CreateAllowedMentions::new());
            let sent = channel
                .send_message(&*self.0, message)
                .await
                .map_err(classify)?;
            if let Some(name) = post.thread {
                // The thread is for the discussion; a post without it is still the post (and a
                // retried post already has its thread).
                let thread =
                    CreateThread::new(name).auto_archive_duration(AutoArchiveDuration::OneDay);
                if let Err(e) = channel
                    .create_thread_from_message(&*self.0, sent.id, thread)
                    .await
                {
                    tracing::warn!(error = %e, channel = %channel, "could not open the thread on a reading-plan post");
                }
            }
            Ok(sent.id.get())
        })
    }

    fn tell(&self, user: u64, text: String) -> PostFuture<'_, Result<(), PostError>> {
        Box::pin(async move {
            let dm = UserId::new(user.max(1))
                .create_dm_channel(&*self.0)
                .await
                .map_err(classify)?;
            dm.id
                .send_message(
                    &*self.0,
                    CreateMessage::new()
                        .content(text)
                        .allowed_mentions(CreateAllowedMentions::new()),
                )
                .await
                .map_err(classify)?;
            Ok(())
        })
    }
}

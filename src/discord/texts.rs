//! `/texts add|remove|list` (issue 28) as [`Bot`] handlers: a server's organiser adds the text the
//! group starts next week from a file posted with the command. The reply says at once that the
//! file is being read, then is edited in place as it is read, indexed (answers work from then on)
//! and, with a model, as its passage vectors are computed. The work is [`crate::library`]'s, the
//! words [`crate::render::library`]'s; this module connects them to an interaction.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::discord::commands::{Attachment, Origin, TextsCommand};
use crate::discord::handler::{Bot, Response};
use crate::library::fetch::{self, DISCORD_HOSTS};
use crate::library::{Failure, Refusal, Step, Upload};
use crate::reply::{Adding, Body, Reply, TextsReply};

/// How often vector progress edits the reply, at most.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);

fn refused(file_name: Option<String>, refusal: Refusal) -> Response {
    Reply::private(Body::Texts(TextsReply::Refused { file_name, refusal })).into()
}

impl Bot {
    pub(crate) async fn texts(&self, origin: Origin, command: TextsCommand) -> Response {
        let Some(guild) = origin.guild else {
            return Reply::notice(crate::discord::study::SERVER_ONLY).into();
        };
        if self.store.is_none() {
            return refused(None, Refusal::NoStore);
        }
        let changes = !matches!(command, TextsCommand::List);
        // Discord shows the command only to members with Manage Server unless a server changes
        // that; the bot checks again.
        if changes && !origin.manages_server() {
            return Reply::private(Body::Texts(TextsReply::NotAllowed)).into();
        }
        match command {
            TextsCommand::List => match self.library.list(guild).await {
                Ok(listing) => Reply::private(Body::Texts(TextsReply::List(listing))).into(),
                Err(f) => failure(None, f),
            },
            TextsCommand::Remove { document } => {
                let removed = self
                    .library
                    .remove(guild, &document, crate::render::library::plan_paused_reason)
                    .await;
                match removed {
                    Ok(r) => Reply::private(Body::Texts(TextsReply::Removed(r))).into(),
                    Err(f) => failure(None, f),
                }
            }
            TextsCommand::Add {
                file,
                title,
                language,
            } => self.add_text(origin, guild, file, title, language),
        }
    }

    /// Says "reading" now; fetches, reads, indexes and stores on a task of its own, editing the
    /// reply at each step.
    fn add_text(
        &self,
        origin: Origin,
        guild: u64,
        file: Option<Attachment>,
        title: Option<String>,
        language: Option<String>,
    ) -> Response {
        let Some(file) = file else {
            return refused(None, Refusal::NoFile);
        };
        let max = self
            .library
            .limits()
            .max_text_bytes
            .min(origin.attachment_size_limit.unwrap_or(u64::MAX));
        if file.size > max {
            return refused(
                Some(file.file_name),
                Refusal::TooLarge {
                    size: file.size,
                    max,
                },
            );
        }
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let state = Adding {
            file_name: file.file_name.clone(),
            ..Adding::default()
        };
        let first = Reply::private(Body::Texts(TextsReply::Adding(state.clone())));
        let (library, client) = (self.library.clone(), self.attachments.clone());
        tokio::spawn(async move {
            let name = file.file_name.clone();
            let job = async {
                let bytes =
                    match fetch::fetch(&client, &file.url, file.size, max, DISCORD_HOSTS).await {
                        Ok(b) => b,
                        Err(fetch::FetchError::TooLarge { size, max }) => {
                            return Err(Failure::Refused(Refusal::TooLarge { size, max }));
                        }
                        Err(e) => return Err(Failure::Refused(Refusal::Fetch(e))),
                    };
                let state = Mutex::new(state);
                let send = |s: &Adding| {
                    let _ = tx.send(Reply::private(Body::Texts(TextsReply::Adding(s.clone()))));
                };
                let upload = Upload {
                    guild,
                    file_name: file.file_name.clone(),
                    bytes,
                    title,
                    language,
                    added_by: origin.user,
                };
                let added = library
                    .add(upload, |step| {
                        if matches!(step, Step::Read { .. }) {
                            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                            s.read = Some(step);
                            send(&s);
                        }
                    })
                    .await?;
                {
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.ready = Some(added.ready_after);
                    send(&s);
                }
                let last = Mutex::new(Instant::now());
                let ended = library
                    .vectors(guild, |p| {
                        let mut at = last.lock().unwrap_or_else(|e| e.into_inner());
                        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                        let first = s.vectors.is_none();
                        s.vectors = Some(p);
                        if first || at.elapsed() >= PROGRESS_EVERY {
                            *at = Instant::now();
                            send(&s);
                        }
                    })
                    .await;
                if let Some(end) = ended {
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.vectors = Some(end);
                    send(&s);
                }
                Ok(())
            };
            let last = match crate::error::catch_panic_async(job).await {
                Ok(Ok(())) => None,
                Ok(Err(f)) => Some(failure(Some(name), f).reply),
                Err(panic) => {
                    tracing::error!(%panic, "adding a text panicked");
                    Some(Reply::private(Body::Apology))
                }
            };
            if let Some(reply) = last {
                let _ = tx.send(reply);
            }
        });
        Response {
            reply: first,
            edits: Some(rx),
        }
    }
}

/// The reading-plan scheduler reads each plan in its server's texts.
pub struct ServerTexts(pub std::sync::Arc<crate::library::Library>);

impl crate::schedule::Texts for ServerTexts {
    fn of(&self, guild: u64) -> crate::schedule::PostFuture<'_, crate::schedule::TextsOf> {
        Box::pin(async move {
            let engine: crate::schedule::TextsOf = self.0.engine(Some(guild)).await;
            engine
        })
    }
}

/// A refusal for the member, or the apology for ours (logged).
fn failure(file_name: Option<String>, f: Failure) -> Response {
    match f {
        Failure::Refused(refusal) => refused(file_name, refusal),
        Failure::Failed(e) => {
            tracing::error!(error = %e, "a /texts command failed");
            Reply::private(Body::Apology).into()
        }
    }
}

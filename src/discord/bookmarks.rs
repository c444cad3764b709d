//! Bookmarks and notes (issue 14), as [`Bot`] handlers: the 🔖 button on an answer's passages,
//! `/bookmark add reference [note]`, `/bookmarks list [page]` (private, ten to a page) and
//! `/bookmarks export [part]` (Markdown files, split to stay within Discord's upload limits).
//!
//! A bookmark stores the document id, the reference and a hash of the passage's text, plus the
//! text itself: after the texts change, a bookmark whose passage still has the same text is as
//! good as new, one whose text changed is marked (and shows the text as it was), and one whose
//! passage is gone still shows the stored text. Nothing is lost.
//!
//! A server's own text (issue 28) is named in a bookmark as `id@server`, since two servers may
//! each have a text called `notes`; it is looked up in that server's texts. The host's texts keep
//! their bare id.

use crate::discord::commands::{BookmarkCommand, MAX_NOTE, Origin};
use crate::discord::handler::{Bot, Ctx};
use crate::lookup;
use crate::reference::{Reference, find_document};
use crate::render::discord::{block_quote, clip, markdown};
use crate::reply::{Body, PassageKey, Reply};
use crate::store::{Bookmark, NewBookmark, StoreError, text_hash};

/// Bookmarks on one page of `/bookmarks list`.
pub const PAGE: i64 = 10;
/// Largest export file, in bytes; several go in one message.
pub const FILE_BYTES: usize = 512 * 1024;
/// Files in one message (Discord's limit is 10).
pub const FILES_PER_MESSAGE: usize = 10;
/// Bookmarks a member may keep.
pub const MAX_BOOKMARKS: i64 = 50_000;

const NO_STORE: &str = crate::discord::study::NO_STORE;

/// How a bookmark's passage stands in today's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The same text as when it was bookmarked.
    Same,
    /// The passage exists but its text changed.
    Changed,
    /// The document or passage is gone.
    Gone,
}

fn failed(e: StoreError) -> Reply {
    tracing::error!(error = %e, "the database failed (bookmarks)");
    Reply::private(Body::Apology)
}

impl Bot {
    pub(crate) async fn bookmarks(
        &self,
        ctx: &Ctx,
        origin: Origin,
        command: BookmarkCommand,
    ) -> Reply {
        if self.store.is_none() {
            return Reply::notice(NO_STORE);
        }
        match command {
            BookmarkCommand::Add { reference, note } => {
                let at = match Reference::parse(&reference, &ctx.engine.corpus) {
                    Ok(r) => r,
                    Err(e) => return Reply::notice(e.to_string()),
                };
                self.bookmark(ctx, origin, at, note).await
            }
            BookmarkCommand::List { page } => self.list(origin, page.unwrap_or(1)).await,
            BookmarkCommand::Export { part } => self.export(origin, part.unwrap_or(1)).await,
        }
    }

    /// The 🔖 button on an answer.
    pub(crate) async fn bookmark_button(
        &self,
        ctx: &Ctx,
        origin: Origin,
        key: PassageKey,
    ) -> Reply {
        if self.store.is_none() {
            return Reply::notice(NO_STORE);
        }
        match self.resolve(ctx, key) {
            Ok(at) => self.bookmark(ctx, origin, at, None).await,
            Err(notice) => Reply::notice(notice),
        }
    }

    async fn bookmark(
        &self,
        ctx: &Ctx,
        origin: Origin,
        at: Reference,
        note: Option<String>,
    ) -> Reply {
        let Some(store) = &self.store else {
            return Reply::notice(NO_STORE);
        };
        if let Some(n) = &note {
            let len = n.chars().count();
            if len > usize::from(MAX_NOTE) {
                return Reply::notice(format!(
                    "Your note is {len} characters long; a note can hold at most {MAX_NOTE}. Shorten it and bookmark again (nothing was saved)."
                ));
            }
        }
        let corpus = &ctx.engine.corpus;
        let quote = match lookup::quote_at(corpus, at) {
            Ok(q) => q,
            Err(e) => return Reply::notice(e.to_string()),
        };
        let [passage] = &quote.passages[..] else {
            return Reply::notice(
                "Bookmark one passage at a time, such as `2.3` (not a range or a whole section).",
            );
        };
        match store.count_bookmarks(origin.user).await {
            Ok(n) if n >= MAX_BOOKMARKS => {
                return Reply::notice(format!(
                    "You have {n} bookmarks, the most one member can keep. Export them (`/bookmarks export`) and remove some first."
                ));
            }
            Ok(_) => {}
            Err(e) => return failed(e),
        }
        // A server's own text is named with its server; the host's by its id alone.
        let own = origin.guild.filter(|_| {
            self.library
                .host()
                .corpus
                .doc_index(&quote.doc_id)
                .is_none()
        });
        let document = match own {
            Some(g) => format!("{}@{g}", quote.doc_id),
            None => quote.doc_id.clone(),
        };
        let saved = store.add_bookmark(NewBookmark {
            user: origin.user,
            document,
            reference: passage.short_ref.clone(),
            text_hash: text_hash(&passage.text),
            quoted: passage.text.clone(),
            note: note.map(|n| n.trim().to_string()),
        });
        match saved.await {
            Ok(b) => Reply::notice(format!(
                "🔖 Bookmarked {}{}. `/bookmarks list` shows yours, `/bookmarks export` sends them as a file.",
                markdown(&passage.reference, &[], 200),
                b.note
                    .as_deref()
                    .map(|n| format!(" with your note “{}”", markdown(n, &[], 100)))
                    .unwrap_or_default()
            )),
            Err(e) => failed(e),
        }
    }

    /// The texts a bookmark's document is among (its server's, or the host's), and its id there.
    async fn texts_of(&self, b: &Bookmark) -> (std::sync::Arc<crate::engine::Engine>, String) {
        match b.document.rsplit_once('@') {
            Some((id, guild)) if guild.parse::<u64>().is_ok() => (
                self.library.engine(guild.parse().ok()).await,
                id.to_string(),
            ),
            _ => (self.library.host().clone(), b.document.clone()),
        }
    }

    /// Whether a bookmark's passage still has the text it had, and the title of its text.
    pub async fn standing(&self, b: &Bookmark) -> (Standing, Option<String>) {
        let (engine, id) = self.texts_of(b).await;
        let corpus = &engine.corpus;
        let Some(doc) = corpus.doc_index(&id) else {
            return (Standing::Gone, None);
        };
        let title = Some(corpus.documents[doc].title.clone());
        (standing_in(corpus, doc as u32, b), title)
    }

    async fn list(&self, origin: Origin, page: i64) -> Reply {
        let Some(store) = &self.store else {
            return Reply::notice(NO_STORE);
        };
        let total = match store.count_bookmarks(origin.user).await {
            Ok(n) => n,
            Err(e) => return failed(e),
        };
        if total == 0 {
            return Reply::notice(
                "You have no bookmarks yet: press 🔖 under a quoted passage, or use `/bookmark add`.",
            );
        }
        let pages = (total + PAGE - 1) / PAGE;
        if page < 1 || page > pages {
            return Reply::notice(format!(
                "There is no page {page}: you have {total} bookmark{} on {pages} page{}.",
                if total == 1 { "" } else { "s" },
                if pages == 1 { "" } else { "s" }
            ));
        }
        let items = match store.bookmarks(origin.user, (page - 1) * PAGE, PAGE).await {
            Ok(v) => v,
            Err(e) => return failed(e),
        };
        let head = format!("**Your bookmarks** (page {page} of {pages}, {total} in all)");
        let next = if page < pages {
            format!("\n`/bookmarks list page:{}` for the next page.", page + 1)
        } else {
            String::new()
        };
        // Discord's 2,000 characters, shared by the items.
        let room = 2000 - head.chars().count() - next.chars().count() - 4;
        let each = room / items.len().max(1);
        let mut out = head;
        for (i, b) in items.iter().enumerate() {
            let mark = match self.standing(b).await.0 {
                Standing::Same => "",
                Standing::Changed => " ⚠ text changed since",
                Standing::Gone => " ⚠ no longer in the texts",
            };
            let n = (page - 1) * PAGE + i as i64 + 1;
            let label = format!("\n{n}. {}{mark}", code(&b.reference));
            let note = b
                .note
                .as_deref()
                .map(|t| format!(" — {}", markdown(t, &[], 80)))
                .unwrap_or_default();
            let used = label.chars().count() + note.chars().count() + 3;
            let text = markdown(&b.quoted, &[], each.saturating_sub(used).max(4));
            out.push_str(&clip(&format!("{label}{note}: {text}"), each));
        }
        out.push_str(&next);
        Reply::notice(clip(&out, 2000))
    }

    async fn export(&self, origin: Origin, part: i64) -> Reply {
        let Some(store) = &self.store else {
            return Reply::notice(NO_STORE);
        };
        let mut all = Vec::new();
        let mut offset = 0;
        loop {
            match store.bookmarks(origin.user, offset, 1000).await {
                Ok(page) if page.is_empty() => break,
                Ok(page) => {
                    offset += page.len() as i64;
                    all.extend(page);
                }
                Err(e) => return failed(e),
            }
        }
        if all.is_empty() {
            return Reply::notice("You have no bookmarks to export yet.");
        }
        let mut standings = Vec::with_capacity(all.len());
        for b in &all {
            standings.push(self.standing(b).await);
        }
        let files = export_files(&all, &standings);
        let parts = files.len().div_ceil(FILES_PER_MESSAGE);
        let Some(chunk) = usize::try_from(part)
            .ok()
            .filter(|p| (1..=parts).contains(p))
            .map(|p| &files[(p - 1) * FILES_PER_MESSAGE..(p * FILES_PER_MESSAGE).min(files.len())])
        else {
            return Reply::notice(format!(
                "There is no part {part}: your export has {parts} part{}.",
                if parts == 1 { "" } else { "s" }
            ));
        };
        let mut text = format!(
            "Your {} bookmark{} as Markdown.",
            all.len(),
            if all.len() == 1 { "" } else { "s" }
        );
        if parts > 1 {
            text.push_str(&format!(
                " This is part {part} of {parts}: `/bookmarks export part:{}` for the next.",
                part + 1
            ));
        }
        Reply::private(Body::Files {
            text,
            files: chunk.to_vec(),
        })
    }
}

/// How a bookmark's passage stands in document `doc` of `corpus`: its reference is read within
/// that document (`2.3`, or `notes:2.3` when it was saved among several texts).
fn standing_in(corpus: &crate::corpus::Corpus, doc: u32, b: &Bookmark) -> Standing {
    let id = &corpus.documents[doc as usize].id;
    let local = match b.reference.split_once(':') {
        Some((d, rest)) if find_document(corpus, d) == Some(doc) => rest,
        _ => b.reference.as_str(),
    };
    let typed = if corpus.is_multi() {
        format!("{id}:{local}")
    } else {
        local.to_string()
    };
    let Ok(at) = Reference::parse(&typed, corpus) else {
        return Standing::Gone;
    };
    match lookup::quote_at(corpus, at) {
        Ok(q) if q.doc_id == *id => match &q.passages[..] {
            [p] if text_hash(&p.text) == b.text_hash => Standing::Same,
            [_] => Standing::Changed,
            _ => Standing::Gone,
        },
        _ => Standing::Gone,
    }
}

/// A reference as inline code (as a member would type it back).
fn code(reference: &str) -> String {
    format!("`{}`", clip(&reference.replace('`', "'"), 60))
}

/// The Markdown of every bookmark, cut between bookmarks into files of at most [`FILE_BYTES`]
/// (one bookmark larger than that has a file to itself, trimmed to fit). `standings`: how each
/// bookmark stands, and the title of its text when it is still there.
pub fn export_files(
    all: &[Bookmark],
    standings: &[(Standing, Option<String>)],
) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<String> = Vec::new();
    let mut current = String::new();
    for (b, (standing, title)) in all.iter().zip(standings) {
        let title = title.as_deref().unwrap_or_else(|| {
            b.document
                .rsplit_once('@')
                .map_or(b.document.as_str(), |(id, _)| id)
        });
        let mark = match standing {
            Standing::Same => "",
            Standing::Changed => {
                "\n\n*The text of this passage has changed since it was bookmarked; this is the text as it was.*"
            }
            Standing::Gone => {
                "\n\n*This passage is no longer in the texts; this is the text as it was.*"
            }
        };
        let note = b
            .note
            .as_deref()
            .map(|n| format!("\n\n**Note:** {}", markdown(n, &[], 1000)))
            .unwrap_or_default();
        let entry = format!(
            "## {} — {}\n\n{}{note}{mark}\n\n",
            markdown(&b.reference, &[], 200),
            markdown(title, &[], 300),
            block_quote(&b.quoted, &[], 100_000),
        );
        if !current.is_empty() && current.len() + entry.len() > FILE_BYTES {
            files.push(std::mem::take(&mut current));
        }
        if entry.len() > FILE_BYTES {
            let cut: String = entry.chars().take(FILE_BYTES / 4).collect();
            current.push_str(&cut);
        } else {
            current.push_str(&entry);
        }
    }
    if !current.is_empty() {
        files.push(current);
    }
    let n = files.len();
    files
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let name = if n == 1 {
                "bookmarks.md".to_string()
            } else {
                format!("bookmarks-{}-of-{n}.md", i + 1)
            };
            let head = if n == 1 {
                "# Bookmarks\n\n".to_string()
            } else {
                format!("# Bookmarks ({} of {n})\n\n", i + 1)
            };
            (name, (head + &body).into_bytes())
        })
        .collect()
}

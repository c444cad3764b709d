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
use crate::i18n::{Lang, Msg};
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

const NO_STORE: Msg = crate::discord::study::NO_STORE;

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
                    Err(e) => return Reply::notice(e),
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
                return Reply::notice(
                    Msg::new("bookmark-note-too-long")
                        .arg("length", len)
                        .arg("most", MAX_NOTE),
                );
            }
        }
        let corpus = &ctx.engine.corpus;
        let quote = match lookup::quote_at(corpus, at) {
            Ok(q) => q,
            Err(e) => return Reply::notice(e),
        };
        let [passage] = &quote.passages[..] else {
            return Reply::notice(Msg::new("bookmark-one-passage"));
        };
        match store.count_bookmarks(origin.user).await {
            Ok(n) if n >= MAX_BOOKMARKS => {
                return Reply::notice(Msg::new("bookmark-too-many").arg("count", n));
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
            Ok(b) => Reply::notice(match b.note.as_deref() {
                Some(n) => Msg::new("bookmark-saved-note")
                    .arg("reference", markdown(&passage.reference, &[], 200))
                    .arg("note", markdown(n, &[], 100)),
                None => Msg::new("bookmark-saved")
                    .arg("reference", markdown(&passage.reference, &[], 200)),
            }),
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
            return Reply::notice(Msg::new("bookmarks-none"));
        }
        let pages = (total + PAGE - 1) / PAGE;
        if page < 1 || page > pages {
            return Reply::notice(
                Msg::new("bookmarks-no-page")
                    .arg("page", page)
                    .arg("total", total)
                    .arg("pages", pages),
            );
        }
        let items = match store.bookmarks(origin.user, (page - 1) * PAGE, PAGE).await {
            Ok(v) => v,
            Err(e) => return failed(e),
        };
        let head = Msg::new("bookmarks-head")
            .arg("page", page)
            .arg("pages", pages)
            .arg("total", total);
        let next = (page < pages).then(|| Msg::new("bookmarks-next-page").arg("page", page + 1));
        // Discord's 2,000 characters, shared by the items (the words around them are short; the
        // renderer cuts the whole to 2,000 whatever the language).
        let room = 2000 - 160;
        let each = room / items.len().max(1);
        let mut out = vec![head];
        for (i, b) in items.iter().enumerate() {
            let mark = match self.standing(b).await.0 {
                Standing::Same => None,
                Standing::Changed => Some(Msg::new("bookmark-changed-mark")),
                Standing::Gone => Some(Msg::new("bookmark-gone-mark")),
            };
            let n = (page - 1) * PAGE + i as i64 + 1;
            let label = format!("{n}. {}", code(&b.reference));
            let note = b
                .note
                .as_deref()
                .map(|t| format!(" — {}", markdown(t, &[], 80)))
                .unwrap_or_default();
            let used = label.chars().count() + note.chars().count() + 30;
            let text = markdown(&b.quoted, &[], each.saturating_sub(used).max(4));
            let mut item = vec![Msg::verbatim(label)];
            item.extend(mark.map(|m| Msg::Join(vec![Msg::verbatim(" "), m])));
            item.push(Msg::verbatim(clip(&format!("{note}: {text}"), each)));
            out.push(Msg::Join(item));
        }
        out.extend(next);
        Reply::notice(Msg::lines(out))
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
            return Reply::notice(Msg::new("bookmarks-export-none"));
        }
        let mut standings = Vec::with_capacity(all.len());
        for b in &all {
            standings.push(self.standing(b).await);
        }
        let files = export_files(&all, &standings, origin.lang);
        let parts = files.len().div_ceil(FILES_PER_MESSAGE);
        let Some(chunk) = usize::try_from(part)
            .ok()
            .filter(|p| (1..=parts).contains(p))
            .map(|p| &files[(p - 1) * FILES_PER_MESSAGE..(p * FILES_PER_MESSAGE).min(files.len())])
        else {
            return Reply::notice(
                Msg::new("bookmarks-no-part")
                    .arg("part", part)
                    .arg("parts", parts),
            );
        };
        let mut text = vec![Msg::new("bookmarks-export").arg("count", all.len())];
        if parts > 1 {
            text.push(Msg::verbatim(" "));
            text.push(
                Msg::new("bookmarks-export-part")
                    .arg("part", part)
                    .arg("parts", parts)
                    .arg("next", part + 1),
            );
        }
        let text = Msg::Join(text);
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
    lang: Lang,
) -> Vec<(String, Vec<u8>)> {
    let changed = format!("\n\n*{}*", Msg::new("export-changed").text(lang));
    let gone = format!("\n\n*{}*", Msg::new("export-gone").text(lang));
    let note_label = Msg::new("export-note").text(lang);
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
            Standing::Changed => &changed,
            Standing::Gone => &gone,
        };
        let note = b
            .note
            .as_deref()
            .map(|n| format!("\n\n**{note_label}** {}", markdown(n, &[], 1000)))
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
                format!("# {}\n\n", Msg::new("export-title").text(lang))
            } else {
                format!(
                    "# {}\n\n",
                    Msg::new("export-title-part")
                        .arg("part", i + 1)
                        .arg("parts", n)
                        .text(lang)
                )
            };
            (name, (head + &body).into_bytes())
        })
        .collect()
}

//! The reply model: what the bot answers, as plain data, with the button ids it carries
//! ([`ids`]) and Discord's [`limits`]. The Discord handlers build replies; only
//! [`crate::render::discord`] turns them into Discord messages. Both depend on this module and
//! never on each other.

pub mod ids;
pub mod limits;

pub use ids::{ButtonId, DocKey, DocKeys, PassageKey, QuestionKey};

use crate::answer::Answer;
use crate::library::{Listing, Refusal, Removed, Step, VectorProgress};
use crate::lookup::{Quote, Toc};

/// One reply to an interaction or a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub body: Body,
    /// Only the asker sees it (ephemeral). Ignored when updating a message.
    pub private: bool,
    /// Replace the message a button sits on instead of sending a new one.
    pub update: bool,
}

/// What a reply says.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Quoted results for a question (or "not in the text").
    Answer(AnswerReply),
    /// Passages by reference; with ◀ ▶ buttons when reading.
    Quote(QuoteReply),
    /// Sections with numbers and passage counts.
    Toc(Toc),
    /// What the bot does, its commands, the loaded texts.
    Help(Help),
    /// Autocomplete suggestions: (shown name, value).
    Choices(Vec<(String, String)>),
    /// Something the user can act on (bad reference, unknown document, expired button).
    Notice(String),
    /// A member used up their requests for now (the rate limit); one more in `seconds`.
    Cooldown { seconds: u64 },
    /// Something went wrong on our side (already logged).
    Apology,
    /// Text with files attached (`/bookmarks export`): (file name, contents).
    Files {
        text: String,
        files: Vec<(String, Vec<u8>)>,
    },
    /// What `/texts` says: a text being added (edited in place as it goes), one removed, the
    /// list, or why not (issue 28).
    Texts(TextsReply),
}

/// What `/texts` says.
#[derive(Debug, Clone, PartialEq)]
pub enum TextsReply {
    /// A text on its way in; the reply is edited as each step is done.
    Adding(Adding),
    /// It was not added (or removed): which limit, what to do. Nothing changed.
    Refused {
        /// The file the member sent, when there was one.
        file_name: Option<String>,
        refusal: Refusal,
    },
    Removed(Removed),
    List(Listing),
    /// Adding and removing texts needs Manage Server.
    NotAllowed,
}

/// How far a text being added has come.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Adding {
    pub file_name: String,
    /// Read: title, id, sections, passages, how it was decoded.
    pub read: Option<Step>,
    /// Indexed and stored, after this long: questions are answered from it.
    pub ready: Option<std::time::Duration>,
    /// Passage vectors (with a model): how far, and how it ended.
    pub vectors: Option<VectorProgress>,
}

/// An answer and how to page it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerReply {
    pub answer: Answer,
    /// Results skipped before these (0 for the first page).
    pub offset: usize,
    /// The "more results" button, when there are more.
    pub more: Option<ButtonId>,
    /// The "first results" button, on later pages.
    pub first: Option<ButtonId>,
    /// The key of each result's passage, for its buttons (same order as the results).
    pub passages: Vec<PassageKey>,
}

/// Quoted passages, optionally with reading navigation.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteReply {
    pub quote: Quote,
    /// Reading mode: the passages before and after (`None` at either end of the document).
    pub nav: Option<Nav>,
}

/// ◀ ▶ targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nav {
    pub prev: Option<PassageKey>,
    pub next: Option<PassageKey>,
}

/// The `/help` content.
#[derive(Debug, Clone, PartialEq)]
pub struct Help {
    /// (id, title, passages) of each loaded document.
    pub documents: Vec<(String, String, usize)>,
    /// An example reference that exists, for the examples.
    pub example_ref: String,
}

impl Reply {
    /// A new public message.
    pub fn public(body: Body) -> Self {
        Reply {
            body,
            private: false,
            update: false,
        }
    }
    /// A new message only the asker sees.
    pub fn private(body: Body) -> Self {
        Reply {
            body,
            private: true,
            update: false,
        }
    }
    /// Replaces the message the pressed button sits on.
    pub fn update(body: Body) -> Self {
        Reply {
            body,
            private: false,
            update: true,
        }
    }
    /// A user-facing error, shown only to them.
    pub fn notice(text: impl Into<String>) -> Self {
        Reply::private(Body::Notice(text.into()))
    }
    /// The reply only reports the member's own mistake (a bad reference, an unknown document, an
    /// old button): it does not use up their rate limit.
    pub fn is_mistake(&self) -> bool {
        matches!(
            self.body,
            Body::Notice(_) | Body::Texts(TextsReply::Refused { .. } | TextsReply::NotAllowed)
        )
    }
}

//! Typed errors. [`UserError`] is what a person typed wrong and may be shown to them as is;
//! [`Error`] is everything else, logged with context and shown only as a short apology.

use std::path::PathBuf;

/// A mistake in what a user asked for: safe to show, and they can act on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// A reference that does not parse in any accepted form.
    #[error(
        "“{input}” is not a reference I understand. Try a form like `2.3`, `2.3-5`, `§2 ¶3` or a section title such as `John 3:16`."
    )]
    BadReference { input: String },
    /// A reference that parses but points outside the texts.
    #[error("{0}")]
    UnknownReference(String),
    /// A document name that matches no loaded document.
    #[error("There is no document called “{name}”. Loaded: {available}.")]
    UnknownDocument { name: String, available: String },
}

/// Everything that can go wrong inside cabildo.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    User(#[from] UserError),
    #[error("config file {path}: {message}")]
    ConfigFile { path: PathBuf, message: String },
    #[error("environment variable {var}: {message}")]
    ConfigEnv { var: String, message: String },
    #[error("config: {0}")]
    Config(String),
    #[error("corpus {path}: {message}")]
    Corpus { path: PathBuf, message: String },
    #[error("index in {path}: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("semantic search: {0}")]
    Model(#[from] crate::embed::EmbedError),
    #[error("discord: {0}")]
    Discord(String),
    /// A command that failed in a way its own module describes in full (`model fetch`).
    #[error("{0}")]
    Command(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A bug: answering panicked. The panic was caught so the process (and the other requests)
    /// go on; the message is for the log.
    #[error("an internal error stopped this answer (a bug; details in the log): {0}")]
    Panicked(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// The user-facing part of this error, if it is one.
    pub fn as_user(&self) -> Option<&UserError> {
        match self {
            Error::User(u) => Some(u),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Runs `f`, turning a panic into `Err(message)` so that one bad request cannot take down a
/// front end. Every request path that calls into the search goes through this.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string())
    })
}

/// [`catch_panic`] for a future: a panic while it is polled becomes `Err(message)`. Every
/// asynchronous request path (the Discord handlers) goes through this.
pub async fn catch_panic_async<F: std::future::Future>(
    future: F,
) -> std::result::Result<F::Output, String> {
    CatchUnwind(Box::pin(future)).await
}

struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = std::result::Result<F::Output, String>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_panic(move || inner.poll(cx)) {
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Err(message) => std::task::Poll::Ready(Err(message)),
        }
    }
}

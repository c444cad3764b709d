//! What reading a file may cost and why it may give no document: the limits on a hostile file
//! ([`Limits`], `[formats]` in the config file), the deadline a reader checks ([`Deadline`]) and
//! the typed reasons a file is refused ([`ReadError`]), shared by every format's reader.

use std::time::{Duration, Instant};

/// What a hostile file may cost before it is refused. Configurable (`[formats]` in the config
/// file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes a file may unpack to: an EPUB's entries together, a PDF's decompressed streams.
    pub max_unpacked_bytes: u64,
    /// Entries an EPUB (a zip archive) may hold.
    pub max_entries: usize,
    /// Time one file may take to read (a PDF whose content loops, a pathological page).
    pub max_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked_bytes: 256 * 1024 * 1024,
            max_entries: 10_000,
            max_seconds: 30,
        }
    }
}

impl Limits {
    /// When reading must stop.
    pub fn deadline(&self) -> Deadline {
        Deadline {
            at: Instant::now() + Duration::from_secs(self.max_seconds),
            seconds: self.max_seconds,
        }
    }
}

/// The moment a read must give up by ([`Limits::max_seconds`] from its start).
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    seconds: u64,
}

impl Deadline {
    /// `Err(TooSlow)` once the time is up.
    pub fn check(&self) -> Result<(), ReadError> {
        if Instant::now() > self.at {
            Err(ReadError::TooSlow {
                seconds: self.seconds,
            })
        } else {
            Ok(())
        }
    }
}

/// Why a file gives no document. Shown to the operator after the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("it is not text ({0})")]
    Binary(String),
    #[error("it is not a readable {format} file: {detail}")]
    Corrupt {
        format: &'static str,
        detail: String,
    },
    #[error("it unpacks to more than {limit_mb} MB (raise formats.max_unpacked_mb to read it)")]
    TooLarge { limit_mb: u64 },
    #[error("it has more than {limit} entries (raise formats.max_entries to read it)")]
    TooManyEntries { limit: usize },
    #[error("reading it took longer than {seconds} s (raise formats.max_seconds to allow more)")]
    TooSlow { seconds: u64 },
    #[error(
        "this PDF has no text layer (a scan?): cabildo reads only the text a PDF carries and does no OCR"
    )]
    NoTextLayer,
    #[error("it has no text")]
    Empty,
    #[error("the {format} reader failed on it (a bug; please report it): {message}")]
    Panicked {
        format: &'static str,
        message: String,
    },
}

impl ReadError {
    /// A `format` file (`"PDF"`, `"EPUB"`) its reader could not make sense of, and why.
    pub fn corrupt(format: &'static str, detail: impl std::fmt::Display) -> ReadError {
        ReadError::Corrupt {
            format,
            detail: detail.to_string(),
        }
    }
}

//! The servers whose engines this process holds: least recently asked first out, within a memory
//! budget. Sizes are estimates (the texts, their index on disk, their vectors), measured against
//! the process's resident memory in docs/speed.md.

use std::sync::Arc;
use std::time::Instant;

use lru::LruCache;

use crate::engine::Engine;

/// A server's engine as loaded.
pub(super) struct Loaded {
    pub engine: Arc<Engine>,
    /// The server's version the engine was built from.
    pub version: i64,
    /// When the version was last read from the database.
    pub checked: Instant,
    /// Estimated memory.
    pub bytes: usize,
}

impl Loaded {
    pub fn new(engine: Arc<Engine>, version: i64, bytes: usize) -> Loaded {
        Loaded {
            engine,
            version,
            checked: Instant::now(),
            bytes,
        }
    }
}

pub(super) struct Cache {
    servers: LruCache<u64, Loaded>,
    bytes: usize,
    budget: usize,
}

impl Cache {
    pub fn new(budget: usize) -> Cache {
        Cache {
            servers: LruCache::unbounded(),
            bytes: 0,
            budget,
        }
    }

    pub fn len(&self) -> usize {
        self.servers.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// A server's engine, marked as just used.
    pub fn get(&mut self, guild: u64) -> Option<&Loaded> {
        self.servers.get(&guild)
    }

    /// The server's version was read again and has not moved.
    pub fn checked(&mut self, guild: u64, version: i64) {
        if let Some(l) = self.servers.get_mut(&guild)
            && l.version == version
        {
            l.checked = Instant::now();
        }
    }

    /// Keeps a server's engine (unless a newer version is kept already); drops the least recently
    /// used others while the budget is passed. The servers dropped, with their sizes.
    pub fn put(&mut self, guild: u64, loaded: Loaded) -> Vec<(u64, usize)> {
        // Never back to an older version (two adds racing: the later one may load first).
        if self
            .servers
            .peek(&guild)
            .is_some_and(|l| l.version > loaded.version)
        {
            return Vec::new();
        }
        self.bytes += loaded.bytes;
        if let Some(old) = self.servers.put(guild, loaded) {
            self.bytes -= old.bytes;
        }
        let mut dropped = Vec::new();
        while self.bytes > self.budget && self.servers.len() > 1 {
            match self.servers.pop_lru() {
                Some((g, l)) => {
                    self.bytes -= l.bytes;
                    dropped.push((g, l.bytes));
                }
                None => break,
            }
        }
        dropped
    }

    /// Puts an engine with vectors in place of the one of the same version; `false` when the
    /// server moved on (or was dropped) meanwhile.
    pub fn replace(&mut self, guild: u64, version: i64, engine: Arc<Engine>, bytes: usize) -> bool {
        let Some(l) = self.servers.peek_mut(&guild) else {
            return false;
        };
        if l.version != version {
            return false;
        }
        self.bytes = self.bytes - l.bytes + bytes;
        l.engine = engine;
        l.bytes = bytes;
        true
    }
}

/// What an engine is estimated to hold in memory: its texts (about three times their bytes, as
/// parsed documents and in the index's store), its index files (mapped, read as asked) and its
/// vectors. The host's texts count in every server's engine that holds them.
pub(super) fn estimate(engine: &Engine) -> usize {
    let text: usize = engine.corpus.passages().map(|v| v.passage.text.len()).sum();
    let index = usize::try_from(engine.index.disk_bytes()).unwrap_or(usize::MAX);
    let vectors = engine.semantic.as_ref().map_or(0, |s| s.bytes());
    text.saturating_mul(3)
        .saturating_add(index)
        .saturating_add(vectors)
}

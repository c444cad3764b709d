//! The loaded texts and their index, opened once per process and shared by every front end.

use std::path::Path;
use std::time::Instant;

use crate::config::{SearchSettings, Settings};
use crate::corpus::{self, Corpus};
use crate::error::Result;
use crate::excerpt::Sentences;
use crate::index::SearchIndex;

/// Everything a question needs: the corpus (text and references), the index, the search settings.
#[derive(Debug)]
pub struct Engine {
    pub corpus: Corpus,
    pub index: SearchIndex,
    pub search: SearchSettings,
    /// Sentence boundaries of the passages quoted so far (for excerpts).
    pub sentences: Sentences,
}

impl Engine {
    /// Loads the configured corpus (the embedded essay when none is set) and opens its index:
    /// persisted in the data directory for a corpus on disk, in memory for the embedded essay.
    pub fn open(settings: &Settings) -> Result<Engine> {
        let started = Instant::now();
        let (corpus, persist) = match &settings.corpus {
            Some(path) => (corpus::load(path)?, true),
            None => (corpus::embedded(), false),
        };
        let data_dir = persist.then_some(settings.data_dir.as_path());
        let engine = Engine::from_corpus(corpus, data_dir, settings.search.clone())?;
        tracing::debug!(
            "ready in {:.1} ms ({} passages)",
            started.elapsed().as_secs_f64() * 1000.0,
            engine.corpus.len()
        );
        Ok(engine)
    }

    /// Opens (or builds) the index for an already loaded corpus; in memory when `data_dir` is None.
    pub fn from_corpus(
        corpus: Corpus,
        data_dir: Option<&Path>,
        search: SearchSettings,
    ) -> Result<Engine> {
        let index = match data_dir {
            Some(dir) => SearchIndex::open_or_build(&corpus, dir)?,
            None => SearchIndex::build_in_ram(&corpus)?,
        };
        Ok(Engine {
            corpus,
            index,
            search,
            sentences: Sentences::default(),
        })
    }
}

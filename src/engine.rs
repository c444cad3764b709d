//! The loaded texts and their index, opened once per process and shared by every front end.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use crate::config::{SearchSettings, Settings};
use crate::corpus::{self, Corpus};
use crate::embed::Embedder;
use crate::error::Result;
use crate::index::SearchIndex;
use crate::search::accents::Accents;
use crate::search::acronyms::Acronyms;
use crate::search::excerpt::Sentences;
use crate::search::semantic::Semantic;

/// Everything a question needs: the corpus (text and references), the index, the search settings.
#[derive(Debug)]
pub struct Engine {
    pub corpus: Corpus,
    pub index: SearchIndex,
    pub search: SearchSettings,
    /// Sentence boundaries of the passages quoted so far (for excerpts).
    pub sentences: Sentences,
    /// Semantic search (issue 13): the model and the passages' vectors; None for lexical only.
    pub semantic: Option<Semantic>,
    /// Names of the texts by their initials, read on the first question typed with initials.
    acronyms: OnceLock<Acronyms>,
    /// The accented spellings of the texts not in English, read on the first question the model
    /// embeds.
    accents: OnceLock<Accents>,
}

impl Engine {
    /// Loads the configured corpus (the embedded essay when none is set) and opens its index:
    /// persisted in the data directory for a corpus on disk, in memory for the embedded essay.
    pub fn open(settings: &Settings) -> Result<Engine> {
        let started = Instant::now();
        let (corpus, persist) = match &settings.corpus {
            Some(path) => (corpus::load_with(path, &settings.formats)?, true),
            None => (corpus::embedded(), false),
        };
        let data_dir = persist.then_some(settings.data_dir.as_path());
        let mut engine = Engine::from_corpus(corpus, data_dir, settings.search.clone())?;
        if let Some(model) = &settings.search.model {
            let dir = crate::models::model_dir(model, &settings.data_dir);
            engine = engine.with_model(&dir, data_dir)?;
        }
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
            semantic: None,
            acronyms: OnceLock::new(),
            accents: OnceLock::new(),
        })
    }

    /// Adds semantic search with the model in `model_dir`: the passages' vectors are read from
    /// `data_dir` or computed (and stored there when it is given).
    pub fn with_model(mut self, model_dir: &Path, data_dir: Option<&Path>) -> Result<Engine> {
        let embedder = std::sync::Arc::new(Embedder::load(model_dir)?);
        self.semantic = Some(Semantic::open_or_build(embedder, &self.corpus, data_dir)?);
        Ok(self)
    }

    /// The question as the model reads it: words typed without accents spelled as the texts
    /// spell them (see [`crate::search::accents`]; English texts, which have few, are not read).
    pub fn for_model<'q>(&self, question: &'q str) -> Cow<'q, str> {
        let accents = self.accents.get_or_init(|| {
            Accents::read(
                self.corpus
                    .passages()
                    .filter(|v| v.document.language != crate::language::Language::ENGLISH)
                    .map(|v| v.passage.text.as_str()),
            )
        });
        match accents.restore(question) {
            Some(restored) => {
                tracing::debug!(%restored, "accents restored for the model");
                Cow::Owned(restored)
            }
            None => Cow::Borrowed(question),
        }
    }

    /// The languages of the documents searched: of document `doc_id`, or of the whole corpus,
    /// in order, each once.
    pub fn languages(&self, doc_id: Option<&str>) -> Vec<crate::language::Language> {
        let mut out: Vec<crate::language::Language> = self
            .corpus
            .documents
            .iter()
            .filter(|d| doc_id.is_none_or(|id| d.id == id))
            .map(|d| d.language)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// This engine's texts and index with `semantic` beside them (a server's library once its
    /// passage vectors are ready).
    pub fn with_semantic(&self, semantic: Semantic) -> Engine {
        Engine {
            corpus: self.corpus.clone(),
            index: self.index.share(),
            search: self.search.clone(),
            sentences: Sentences::default(),
            semantic: Some(semantic),
            acronyms: OnceLock::new(),
            accents: OnceLock::new(),
        }
    }

    /// The question as searched: initials the texts never use but spell out read as the name
    /// (`FSF` → `Free Software Foundation`, see [`crate::search::acronyms`]).
    pub fn read_initials<'q>(&self, question: &'q str) -> Cow<'q, str> {
        if !Acronyms::may_expand(question) {
            return Cow::Borrowed(question);
        }
        let acronyms = self.acronyms.get_or_init(|| {
            let titles = self
                .corpus
                .documents
                .iter()
                .flat_map(|d| d.sections.iter().filter_map(|s| s.title.as_deref()));
            Acronyms::read(
                self.corpus
                    .passages()
                    .map(|v| v.passage.text.as_str())
                    .chain(titles),
            )
        });
        match acronyms.expand(question, |w| self.index.vocabulary().contains(w)) {
            Some(expanded) => {
                tracing::debug!(%expanded, "initials read as names");
                Cow::Owned(expanded)
            }
            None => Cow::Borrowed(question),
        }
    }
}

impl AsRef<Corpus> for Engine {
    fn as_ref(&self) -> &Corpus {
        &self.corpus
    }
}

/// One line telling how to turn semantic search on (for `check` and `ask -v`).
pub const SEMANTIC_HINT: &str = "semantic search is off: run `cabildo model fetch` (it is used from then on) to find answers asked in other words";

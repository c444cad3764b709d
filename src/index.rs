//! The tantivy index of the passages: schema, analyzers, building (atomically, into a temporary
//! directory that is renamed into place), opening, and the corpus fingerprint that decides when a
//! persisted index is stale.
//!
//! Languages: every passage is analysed by its document's language ([`crate::analysis`]) and
//! given to tantivy already tokenized, so one set of fields holds the terms of every language;
//! the `language` field tags each passage with its document's language, so a question analysed
//! in one language is searched only against passages of that language when a corpus mixes them
//! ([`crate::search`]).
//!
//! Layout of the data directory: `index-<fingerprint>/` holds one complete index (a `READY` marker
//! is written before the directory gets its final name, so a crash mid-build never leaves a broken
//! index under that name); `build.lock` serialises builders across processes.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, doc};

use crate::analysis::{ANALYZER, CabildoTokenizer, SURFACE_ANALYZER};
use crate::corpus::Corpus;
use crate::error::{Error, Result};
use crate::language::Language;

/// Bumped whenever the schema changes, so persisted indexes are rebuilt.
const SCHEMA_VERSION: u32 = 4;
const READY: &str = "READY";
const LOCK: &str = "build.lock";
/// Corpora with more passages than this show a progress bar while indexing (on a terminal).
const PROGRESS_FROM: usize = 2_000;

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Passage ordinal in the corpus (fast field; joins a hit back to its text and reference).
    pub ord: Field,
    pub doc_id: Field,
    pub section: Field,
    pub paragraph: Field,
    /// Section title, analysed.
    pub title: Field,
    /// Passage text, analysed with positions (the text itself is the corpus's: `ord` finds it).
    pub text: Field,
    /// The neighbouring passages of the same section, analysed (not stored).
    pub context: Field,
    /// Unstemmed words of the passage: the vocabulary typos are corrected against.
    pub surface: Field,
    /// The language of the passage's document (its code: `en`, `es`).
    pub language: Field,
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let analysed = |positions: bool| {
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(if positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                })
        };
        let ord = b.add_u64_field("ord", INDEXED | FAST | STORED);
        let doc_id = b.add_text_field("doc_id", STRING | STORED);
        let section = b.add_u64_field("section", INDEXED | STORED);
        let paragraph = b.add_u64_field("paragraph", STORED);
        // Not stored: given pre-tokenized, a stored value would keep every token beside the text.
        let title = b.add_text_field(
            "section_title",
            TextOptions::default().set_indexing_options(analysed(true)),
        );
        let text = b.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(analysed(true)),
        );
        let context = b.add_text_field(
            "context",
            TextOptions::default().set_indexing_options(analysed(false)),
        );
        let surface = b.add_text_field(
            "surface",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(SURFACE_ANALYZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        );
        let language = b.add_text_field("language", STRING);
        (
            b.build(),
            Fields {
                ord,
                doc_id,
                section,
                paragraph,
                title,
                text,
                context,
                surface,
                language,
            },
        )
    }
}

/// Where an index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Ram,
    Dir(PathBuf),
}

/// An open index with the one reader the process uses; take a fresh searcher per request.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub location: Location,
    /// Whether this process built the index (false: opened an existing one).
    pub built: bool,
    /// The unstemmed vocabulary, read from the index the first time a typo needs correcting.
    vocabulary: std::sync::OnceLock<Vocabulary>,
}

/// Every distinct word of the texts as written (folded, unstemmed), with the number of passages
/// that use it, grouped by first letter and sorted by length: typo correction looks only at words
/// of the same first letter and nearly the same length.
#[derive(Debug, Default)]
pub struct Vocabulary {
    by_first: std::collections::HashMap<char, Vec<(Box<str>, u32)>>,
}

impl Vocabulary {
    fn read(searcher: &tantivy::Searcher, surface: Field) -> Vocabulary {
        let mut counts: std::collections::HashMap<Box<str>, u32> = Default::default();
        for reader in searcher.segment_readers() {
            let Ok(inverted) = reader.inverted_index(surface) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    *counts.entry(word.into()).or_default() += stream.value().doc_freq;
                }
            }
        }
        let mut by_first: std::collections::HashMap<char, Vec<(Box<str>, u32)>> =
            Default::default();
        for (word, df) in counts {
            if let Some(first) = word.chars().next() {
                by_first.entry(first).or_default().push((word, df));
            }
        }
        for words in by_first.values_mut() {
            words.sort_by_key(|(w, _)| w.chars().count());
        }
        Vocabulary { by_first }
    }

    /// Whether the texts use `word` (folded, unstemmed).
    pub fn contains(&self, word: &str) -> bool {
        let (Some(first), len) = (word.chars().next(), word.chars().count()) else {
            return false;
        };
        self.near(first, len..=len).any(|(w, _)| w == word)
    }

    /// Words starting with `first` whose length in characters is within `lengths`, with their
    /// passage counts.
    pub fn near(
        &self,
        first: char,
        lengths: std::ops::RangeInclusive<usize>,
    ) -> impl Iterator<Item = (&str, u32)> {
        let words = self.by_first.get(&first).map_or(&[][..], |v| v.as_slice());
        let from = words.partition_point(|(w, _)| w.chars().count() < *lengths.start());
        words[from..]
            .iter()
            .take_while(move |(w, _)| w.chars().count() <= *lengths.end())
            .map(|(w, df)| (&**w, *df))
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("location", &self.location)
            .field("built", &self.built)
            .finish()
    }
}

/// A content fingerprint of the corpus and of everything that shapes the index.
pub fn fingerprint(corpus: &Corpus) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&SCHEMA_VERSION.to_le_bytes());
    h.update(&crate::analysis::VERSION.to_le_bytes());
    for d in &corpus.documents {
        h.update(d.id.as_bytes());
        h.update(&[0]);
        h.update(d.language.code().as_bytes());
        h.update(&[0]);
        for s in &d.sections {
            h.update(&[1]);
            h.update(s.title.as_deref().unwrap_or("").as_bytes());
            for p in &s.passages {
                h.update(&[2]);
                h.update(p.text.as_bytes());
                for n in &p.notes {
                    h.update(&[3]);
                    h.update(n.text.as_bytes());
                }
            }
        }
    }
    format!("{:032x}", h.digest128())
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(
        ANALYZER,
        TextAnalyzer::from(CabildoTokenizer::terms(Language::UNDETERMINED)),
    );
    index.tokenizers().register(
        SURFACE_ANALYZER,
        TextAnalyzer::from(CabildoTokenizer::surface()),
    );
}

impl SearchIndex {
    /// Builds an index in memory.
    pub fn build_in_ram(corpus: &Corpus) -> Result<SearchIndex> {
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_ram(schema);
        register_analyzers(&index);
        write_documents(&index, fields, corpus)?;
        Self::from_index(index, fields, Location::Ram, true)
    }

    /// Opens the persisted index for this corpus in `data_dir`, building it first when it is missing,
    /// stale or damaged. Falls back to memory, with a warning, when the directory is not writable.
    pub fn open_or_build(corpus: &Corpus, data_dir: &Path) -> Result<SearchIndex> {
        let fp = fingerprint(corpus);
        let final_dir = data_dir.join(format!("index-{fp}"));
        if let Some(idx) = try_open(&final_dir, corpus) {
            return Ok(idx);
        }
        if let Err(e) = std::fs::create_dir_all(data_dir) {
            tracing::warn!(
                "cannot create data directory {}: {e}; using an in-memory index (it is rebuilt at every start)",
                data_dir.display()
            );
            return Self::build_in_ram(corpus);
        }
        let lock_path = data_dir.join(LOCK);
        let lock = match std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
        {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(
                    "data directory {} is not writable ({e}); using an in-memory index",
                    data_dir.display()
                );
                return Self::build_in_ram(corpus);
            }
        };
        if lock.try_lock().is_err() {
            tracing::info!("another process is building the index; waiting for it");
            lock.lock()
                .map_err(|e| Error::io(format!("locking {}", lock_path.display()), e))?;
        }
        // Someone may have finished the build while we waited.
        if let Some(idx) = try_open(&final_dir, corpus) {
            return Ok(idx);
        }
        let built = build_dir(corpus, data_dir, &final_dir);
        let result = match built {
            Ok(()) => {
                remove_stale(data_dir, &final_dir);
                open_dir(&final_dir, corpus).map(|mut i| {
                    i.built = true;
                    i
                })
            }
            Err(e) => {
                tracing::warn!(
                    "could not persist the index in {}: {e}; using an in-memory index",
                    data_dir.display()
                );
                Self::build_in_ram(corpus)
            }
        };
        drop(lock);
        result
    }

    fn from_index(index: Index, fields: Fields, location: Location, built: bool) -> Result<Self> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            location,
            built,
            vocabulary: std::sync::OnceLock::new(),
        })
    }

    /// The same open index, for another engine over the same corpus (one with passage vectors
    /// added): the files and the reader are shared, nothing is read again.
    pub fn share(&self) -> SearchIndex {
        SearchIndex {
            index: self.index.clone(),
            reader: self.reader.clone(),
            fields: self.fields,
            location: self.location.clone(),
            built: false,
            vocabulary: std::sync::OnceLock::new(),
        }
    }

    /// The vocabulary typos are corrected against (read once, on first use).
    pub fn vocabulary(&self) -> &Vocabulary {
        self.vocabulary
            .get_or_init(|| Vocabulary::read(&self.reader.searcher(), self.fields.surface))
    }

    /// Number of indexed passages.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the index takes on disk (0 in memory).
    pub fn disk_bytes(&self) -> u64 {
        match &self.location {
            Location::Ram => 0,
            Location::Dir(d) => std::fs::read_dir(d)
                .map(|it| {
                    it.flatten()
                        .filter_map(|e| e.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0),
        }
    }
}

/// Opens `dir` if it holds a complete, undamaged index of this corpus; removes it when damaged.
fn try_open(dir: &Path, corpus: &Corpus) -> Option<SearchIndex> {
    if !dir.join(READY).is_file() {
        return None;
    }
    match open_dir(dir, corpus) {
        Ok(i) => Some(i),
        Err(e) => {
            tracing::warn!("index in {} is damaged ({e}); rebuilding it", dir.display());
            if let Err(e) = std::fs::remove_dir_all(dir) {
                tracing::warn!("could not remove {}: {e}", dir.display());
            }
            None
        }
    }
}

fn open_dir(dir: &Path, corpus: &Corpus) -> Result<SearchIndex> {
    let err = |source| Error::Index {
        path: dir.to_path_buf(),
        source,
    };
    let index = Index::open_in_dir(dir).map_err(err)?;
    register_analyzers(&index);
    let damaged = index.validate_checksum().map_err(err)?;
    if !damaged.is_empty() {
        return Err(Error::Index {
            path: dir.to_path_buf(),
            source: tantivy::TantivyError::InternalError(format!(
                "checksum mismatch in {} file(s)",
                damaged.len()
            )),
        });
    }
    let (_, fields) = Fields::schema();
    if index.schema() != Fields::schema().0 {
        return Err(err(tantivy::TantivyError::SchemaError(
            "schema differs from this version of cabildo".into(),
        )));
    }
    let idx = SearchIndex::from_index(index, fields, Location::Dir(dir.to_path_buf()), false)?;
    if idx.num_docs() != corpus.len() as u64 {
        return Err(err(tantivy::TantivyError::InternalError(format!(
            "it holds {} passages, the corpus has {}",
            idx.num_docs(),
            corpus.len()
        ))));
    }
    Ok(idx)
}

/// Builds into a temporary directory next to `final_dir`, then renames it into place.
fn build_dir(corpus: &Corpus, data_dir: &Path, final_dir: &Path) -> Result<()> {
    let tmp = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(data_dir)
        .map_err(|e| {
            Error::io(
                format!("creating a build directory in {}", data_dir.display()),
                e,
            )
        })?;
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(tmp.path(), schema).map_err(|source| Error::Index {
        path: tmp.path().to_path_buf(),
        source,
    })?;
    register_analyzers(&index);
    write_documents(&index, fields, corpus)?;
    drop(index);
    std::fs::write(tmp.path().join(READY), fingerprint(corpus))
        .map_err(|e| Error::io("writing the index marker", e))?;
    if final_dir.exists() {
        std::fs::remove_dir_all(final_dir)
            .map_err(|e| Error::io(format!("removing {}", final_dir.display()), e))?;
    }
    let tmp_path = tmp.keep();
    std::fs::rename(&tmp_path, final_dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp_path);
        Error::io(
            format!("moving the new index to {}", final_dir.display()),
            e,
        )
    })?;
    Ok(())
}

/// Removes indexes of other fingerprints and abandoned build directories.
fn remove_stale(data_dir: &Path, keep: &Path) {
    remove_stale_entries(data_dir, keep, &["index-", ".build-"], "index");
}

/// Removes the files or directories in `dir` whose names start with one of `prefixes`, except
/// `keep`: what other fingerprints or abandoned builds left behind. `what` names them in the log.
pub(crate) fn remove_stale_entries(dir: &Path, keep: &Path, prefixes: &[&str], what: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if path == keep || !prefixes.iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(err) = removed {
            tracing::debug!("could not remove old {what} {}: {err}", path.display());
        }
    }
}

/// Adds every passage of the corpus to the index and commits.
fn write_documents(index: &Index, f: Fields, corpus: &Corpus) -> Result<()> {
    let started = Instant::now();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let mut writer =
        index.writer_with_num_threads::<TantivyDocument>(threads, 40_000_000 * threads)?;
    let bar = crate::progress::Progress::start("indexing", "passages", corpus.len(), PROGRESS_FROM);
    for view in corpus.passages() {
        let section = view.section;
        let i = view.loc.passage as usize;
        let mut context = String::new();
        // Neighbours in the section; at its edges, in a text that numbers its own sections, the
        // nearest passage of the neighbouring section of the same level (one commitment of a list
        // is read with the ones around it, as it was when the list was one passage).
        let sibling = |delta: i64| -> Option<&str> {
            if view.document.numbering != crate::corpus::Numbering::Own {
                return None;
            }
            let j = usize::try_from(i64::from(view.loc.section) + delta).ok()?;
            let s = view.document.sections.get(j)?;
            if s.level != section.level || s.title.is_none() {
                return None;
            }
            let p = if delta < 0 {
                s.passages.last()
            } else {
                s.passages.first()
            };
            p.map(|p| p.text.as_str())
        };
        if i > 0 {
            context.push_str(&section.passages[i - 1].text);
        } else if let Some(prev) = sibling(-1) {
            context.push_str(prev);
        }
        if let Some(next) = section.passages.get(i + 1) {
            context.push('\n');
            context.push_str(&next.text);
        } else if let Some(next) = sibling(1) {
            context.push('\n');
            context.push_str(next);
        }
        // The section's title, then the titles of the sections it sits in.
        let mut title = section.title.clone().unwrap_or_default();
        for t in view.document.ancestor_titles(section.number) {
            title.push('\n');
            title.push_str(t);
        }
        let language = view.document.language;
        // A passage's notes are searched as part of it (after its own words, so phrases and
        // proximity in the passage are unchanged).
        let mut text = view.passage.text.clone();
        for n in &view.passage.notes {
            text.push('\n');
            text.push_str(&n.text);
        }
        let analysed = |text: String, surface: bool| PreTokenizedString {
            tokens: crate::analysis::tokens(&text, language, surface),
            text,
        };
        let mut doc = doc!(
            f.ord => u64::from(view.ord),
            f.doc_id => view.document.id.as_str(),
            f.section => u64::from(section.number),
            f.paragraph => u64::from(view.passage.number),
            f.language => language.code(),
        );
        doc.add_pre_tokenized_text(f.title, analysed(title, false));
        doc.add_pre_tokenized_text(f.text, analysed(text.clone(), false));
        doc.add_pre_tokenized_text(f.context, analysed(context, false));
        doc.add_pre_tokenized_text(f.surface, analysed(text, true));
        writer.add_document(doc)?;
        bar.inc(1);
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    bar.finish();
    tracing::info!(
        passages = corpus.len(),
        documents = corpus.documents.len(),
        "indexed in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

//! Building a server's engine (blocking work: run it on a blocking thread): its stored texts
//! read back from their bytes, put after the host's texts, indexed into the server's folder (or
//! in memory), with the passage vectors attached when every text's are stored already.

use std::path::Path;
use std::sync::Arc;

use crate::corpus::{Corpus, Document, Hints, Limits};
use crate::engine::Engine;
use crate::error::Result;
use crate::language::Language;
use crate::search::semantic::Semantic;
use crate::store::StoredText;

/// The documents of stored texts, read again from their bytes with the title and id they were
/// stored under, within the same `limits` as when they were added. One that no longer reads (a
/// reader changed) is left out, logged.
pub(super) fn parse_stored(texts: &[StoredText], limits: &Limits) -> Vec<Document> {
    texts
        .iter()
        .filter_map(|t| {
            let hints = Hints {
                title: Some(t.info.title.clone()),
                id: Some(t.info.doc_id.clone()),
                language: t.info.language.as_deref().and_then(Language::parse),
            };
            match crate::error::catch_panic(|| {
                crate::corpus::parse_upload(&t.info.file_name, &t.content, &hints, limits)
            }) {
                Ok(Ok(read)) => Some(read.document),
                Ok(Err(e)) => {
                    tracing::error!(guild = t.info.guild, id = %t.info.doc_id, "a stored text no longer reads: {e}");
                    None
                }
                Err(panic) => {
                    tracing::error!(guild = t.info.guild, id = %t.info.doc_id, %panic, "reading a stored text panicked");
                    None
                }
            }
        })
        .collect()
}

/// The engine over the host's texts and `own` (in that order; an id the host's texts use already
/// gets a `-2`). Its index goes in `dir`, its vectors are taken from `vectors` when every
/// document has them there.
pub(super) fn engine(
    host: &Engine,
    own: Vec<Document>,
    dir: Option<&Path>,
    vectors: Option<&Path>,
) -> Result<Engine> {
    let mut documents = host.corpus.documents.clone();
    for mut d in own {
        let base = d.id.clone();
        let mut n = 2;
        while documents.iter().any(|h| h.id == d.id) {
            d.id = format!("{base}-{n}");
            n += 1;
        }
        documents.push(d);
    }
    let corpus = Corpus::new(documents, Vec::new());
    let engine = Engine::from_corpus(corpus, dir, host.search.clone())?;
    let (Some(embedder), Some(vectors)) = (
        host.semantic.as_ref().map(|s| Arc::clone(&s.embedder)),
        vectors,
    ) else {
        return Ok(engine);
    };
    match Semantic::open_or_build_by_document(embedder, &engine.corpus, vectors, false, &|_, _| {})
    {
        Ok(Some(semantic)) => Ok(engine.with_semantic(semantic)),
        Ok(None) => Ok(engine),
        Err(e) => {
            tracing::warn!(error = %e, "could not read stored passage vectors; they are computed again");
            Ok(engine)
        }
    }
}

//! The one use case every front end calls: a question in, an [`Answer`] out — ranked passages with
//! references, excerpts and highlight spans; `answered: false` when cabildo is not confident the
//! texts cover it (the nearest passages, if any, still come back for the reader to judge).

use std::collections::HashMap;

use serde::Serialize;

use crate::engine::Engine;
use crate::error::{Error, Result, UserError, catch_panic};
use crate::language::Language;
use crate::reference::{Reference, find_document};
use crate::search::question::Question;
use crate::search::{self, Filter};

/// Options for one question.
#[derive(Debug, Clone, Default)]
pub struct AskOptions {
    /// How many results (default from settings when `None`).
    pub top: Option<usize>,
    /// Skip this many results (for "more results").
    pub offset: usize,
    /// Restrict to one document (id, or a unique part of it).
    pub document: Option<String>,
    /// Attach the score breakdown of each result.
    pub explain: bool,
}

/// The answer to one question (its JSON form is the CLI's and the API's contract).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub query: String,
    /// Whether cabildo is confident the texts answer the question. When not, `results` holds the
    /// nearest passages (possibly none), to be shown as such.
    pub answered: bool,
    pub results: Vec<Hit>,
    /// Share of the question found in the best passage (0–1); below the configured minimum the
    /// question is not answered.
    #[serde(skip)]
    pub confidence: f32,
    /// Results beyond these exist (for paging).
    #[serde(skip)]
    pub more: bool,
}

/// One quoted passage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub rank: usize,
    pub doc_id: String,
    pub doc_title: String,
    pub section: u32,
    pub section_title: Option<String>,
    pub paragraph: u32,
    /// Human form: `§2 General strike poses question of power ¶3`.
    pub reference: String,
    /// Short form a user can type back: `2.3` (or `doc:2.3`).
    pub short_ref: String,
    pub excerpt: String,
    pub passage: String,
    /// `[start, end)` in characters of `excerpt`.
    pub highlights: Vec<(usize, usize)>,
    /// The footnotes whose markers (`[2]`) the excerpt shows, to be shown under it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<crate::lookup::QuotedNote>,
    /// The printed page the passage starts on (PDF), for `p. 12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
    /// The passage's reference as data, for front ends (buttons, neighbours).
    #[serde(skip)]
    pub at: Reference,
}

/// Why a passage ranked where it did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explain {
    pub bm25: f32,
    pub proximity: f32,
    pub coverage: f32,
    pub confidence: f32,
    /// Cosine of the passage with the question (semantic search only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosine: Option<f32>,
    pub terms: Vec<ExplainTerm>,
}

/// One question term and where it matched.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExplainTerm {
    pub typed: String,
    pub analysed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrected_from: Option<String>,
    pub weight: f32,
    pub idf: f32,
    pub fields: Vec<&'static str>,
}

/// Answers a question. Any text is accepted: nothing searchable gives `answered: false` and no
/// results; a question below the confidence threshold gives `answered: false` and its nearest
/// passages.
/// Errors are internal (the index could not be read, or a bug panicked — caught here, so every
/// front end survives it) or a user's unknown document name.
pub fn ask(engine: &Engine, question: &str, opts: &AskOptions) -> Result<Answer> {
    catch_panic(|| answer(engine, question, opts)).unwrap_or_else(|message| {
        tracing::error!(question, panic = %message, "answering a question panicked");
        Err(Error::Panicked(message))
    })
}

fn answer(engine: &Engine, question: &str, opts: &AskOptions) -> Result<Answer> {
    let top = opts.top.unwrap_or(engine.search.top).clamp(1, 50);
    let mut answer = Answer {
        query: question.to_string(),
        answered: false,
        results: Vec::new(),
        confidence: 0.0,
        more: false,
    };
    let filter = match &opts.document {
        Some(name) => {
            let d =
                find_document(&engine.corpus, name).ok_or_else(|| UserError::UnknownDocument {
                    name: name.clone(),
                    available: crate::reference::doc_list(&engine.corpus),
                })?;
            Filter {
                doc_id: engine
                    .corpus
                    .documents
                    .get(d as usize)
                    .map(|d| d.id.clone()),
                language: None,
            }
        }
        None => Filter::default(),
    };
    // The question is analysed in the language of each document searched (initials are read as
    // names only in English, where that rule was made).
    let languages = engine.languages(filter.doc_id.as_deref());
    let english = languages.contains(&Language::ENGLISH);
    let searched = if english {
        engine.read_initials(question)
    } else {
        std::borrow::Cow::Borrowed(question)
    };
    let questions: Vec<Question> = languages
        .iter()
        .map(|&l| {
            Question::parse(
                if l == Language::ENGLISH {
                    &searched
                } else {
                    question
                },
                l,
            )
        })
        .collect();
    if questions.iter().all(Question::is_empty) {
        return Ok(answer);
    }
    // The model is used for the documents in a language it reads (its model card says which).
    let semantic = engine
        .semantic
        .as_ref()
        .filter(|sem| languages.iter().any(|&l| sem.embedder.reads(l)));
    // With a model, the question's embedding (milliseconds of matrix products) runs while the
    // lexical search runs on the other core.
    let (mut found, question_vector) = match semantic {
        Some(sem) => {
            let (found, vector) = rayon::join(
                || search::search_languages(&engine.index, &questions, &filter),
                || sem.embed_question(&engine.for_model(&searched)),
            );
            (found?, Some(vector?))
        }
        None => (
            search::search_languages(&engine.index, &questions, &filter)?,
            None,
        ),
    };
    // Issue 13: with a model, the dense ranking is fused with the lexical one (search::fusion).
    let mut cosines: HashMap<u32, f32> = HashMap::new();
    if let (Some(sem), Some(q)) = (semantic, &question_vector) {
        let all = sem.scores(q);
        let keep = |ord: u32| {
            engine.corpus.get(ord).is_some_and(|v| {
                filter.doc_id.as_ref().is_none_or(|id| &v.document.id == id)
                    && sem.embedder.reads(v.document.language)
            })
        };
        // A question with no word about its subject has nothing for the model to vouch for
        // either: a multilingual model finds every question close to some passage (E5's cosines
        // lie between 0.7 and 1).
        let params = search::fusion::Params {
            min_cosine: if questions.iter().any(Question::has_subject) {
                search::fusion::PARAMS.min_cosine
            } else {
                f32::INFINITY
            },
            ..search::fusion::PARAMS
        };
        let (fused, confidence) = search::fusion::fuse(
            &found.ranked,
            &all,
            sem.penalties(),
            keep,
            &params,
            engine.search.min_confidence,
        );
        found.ranked = fused
            .into_iter()
            .map(|f| {
                cosines.insert(f.ranked.ord, f.cosine);
                search::Ranked {
                    score: f.fused,
                    ..f.ranked
                }
            })
            .collect();
        answer.confidence = confidence;
    } else if let Some(best) = found.ranked.first() {
        answer.confidence = best.confidence;
    }
    if found.ranked.is_empty() {
        return Ok(answer);
    }
    // Below the confidence threshold the question is not answered, but the nearest passages
    // still come back, marked as such by `answered: false`: a reader who asked in other words
    // than the text's can often see the answer among them, and every front end says plainly
    // that they are not a confident match.
    answer.answered = search::confidence::answered(answer.confidence, engine.search.min_confidence);
    // The weight of each question term, per language (excerpts are chosen with the terms of the
    // passage's language).
    let weights: HashMap<Language, HashMap<String, f32>> = found
        .outcomes
        .iter()
        .map(|o| {
            let w = o
                .terms
                .iter()
                .zip(&o.idf)
                .map(|(t, idf)| (t.term.clone(), t.weight * idf))
                .collect();
            (o.language, w)
        })
        .collect();
    let no_weights = HashMap::new();
    answer.more = found.ranked.len() > opts.offset + top;
    for (i, r) in found.ranked.iter().enumerate().skip(opts.offset).take(top) {
        let Some(view) = engine.corpus.get(r.ord) else {
            tracing::warn!(
                ord = r.ord,
                "index points at a passage the corpus does not have"
            );
            continue;
        };
        let at = Reference::passage(view.loc.doc, view.section.number, view.passage.number);
        let language = view.document.language;
        let outcome = found.outcome(language);
        // With a model: the passage's sentence nearest the question in meaning, if near enough.
        let similar = match (semantic, &question_vector) {
            (Some(sem), Some(q)) if sem.embedder.reads(language) => sem
                .sentence_cosines(r.ord, q)
                .into_iter()
                .filter(|&(_, c)| c >= search::fusion::PARAMS.min_cosine)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(span, _)| span),
            _ => None,
        };
        let ex = engine.sentences.excerpt(
            r.ord,
            &view.passage.text,
            language,
            weights.get(&language).unwrap_or(&no_weights),
            similar,
            engine.search.max_excerpt_chars,
        );
        let explain = opts.explain.then(|| Explain {
            bm25: r.bm25,
            proximity: r.proximity,
            coverage: r.coverage,
            confidence: r.confidence,
            cosine: cosines.get(&r.ord).copied(),
            terms: outcome
                .map(|o| {
                    o.terms
                        .iter()
                        .zip(&o.idf)
                        .enumerate()
                        .map(|(k, (t, idf))| ExplainTerm {
                            typed: t.surface.clone(),
                            analysed: t.term.clone(),
                            corrected_from: t.corrected_from.clone(),
                            weight: t.weight,
                            idf: *idf,
                            fields: r.matched.get(k).cloned().unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
        let notes = crate::lookup::notes_shown(&view.passage.notes, &ex.text);
        answer.results.push(Hit {
            rank: i + 1,
            doc_id: view.document.id.clone(),
            doc_title: view.document.title.clone(),
            section: view.section.number,
            section_title: view.section.title.clone(),
            paragraph: view.passage.number,
            reference: at.human(&engine.corpus),
            short_ref: at.short(&engine.corpus),
            excerpt: ex.text,
            passage: view.passage.text.clone(),
            notes,
            page: view.passage.page.clone(),
            highlights: ex.highlights,
            score: r.score,
            explain,
            at,
        });
    }
    Ok(answer)
}

//! The search, one file per step: [`question`] (what the question asks: its words, their weights,
//! stop words in context, by the rules of a language — [`spanish`] holds Spanish's words;
//! [`acronyms`] reads initials the texts spell out; [`accents`] spells a question typed without
//! accents as the texts do, for the model) → [`lexical`] (tantivy candidates reranked by
//! coverage and proximity; [`search_languages`] runs a question once per language of the
//! documents searched and merges the rankings) →
//! [`semantic`] (with a model: the question's vector against every passage's) → [`fusion`] (both
//! rankings into one) → [`confidence`] (answer, or "not in the text") → [`excerpt`] (the sentences
//! of each passage that answer). [`crate::answer`] runs them in that order.

pub mod accents;
pub mod acronyms;
pub mod confidence;
pub mod excerpt;
pub mod fusion;
pub mod lexical;
pub mod question;
pub mod semantic;
pub mod spanish;

pub use lexical::{Filter, Ranked, SearchOutcome, search, weights};

use crate::error::Result;
use crate::index::SearchIndex;
use question::Question;

/// What a question found in a corpus of one or several languages.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// One outcome per language searched (its question's terms and their weights).
    pub outcomes: Vec<SearchOutcome>,
    /// Every candidate of every language in one ranking, best first.
    pub ranked: Vec<Ranked>,
}

impl Found {
    /// The outcome of the search in `language`.
    pub fn outcome(&self, language: crate::language::Language) -> Option<&SearchOutcome> {
        self.outcomes.iter().find(|o| o.language == language)
    }
}

/// Searches each question (the same question analysed in each language of the documents searched)
/// against the passages of its language, and merges the rankings by score: each language's
/// passages are ranked by the same method, with its own terms. One question searches the whole
/// filter as it is (a corpus of one language needs no language filter).
pub fn search_languages(
    index: &SearchIndex,
    questions: &[Question],
    filter: &Filter,
) -> Result<Found> {
    let mut found = Found::default();
    for q in questions {
        let f = Filter {
            language: (questions.len() > 1).then_some(q.language),
            ..filter.clone()
        };
        let outcome = search(index, q, &f)?;
        found.ranked.extend(outcome.ranked.iter().cloned());
        found.outcomes.push(outcome);
    }
    if found.outcomes.len() > 1 {
        found
            .ranked
            .sort_by(|a, b| b.score.total_cmp(&a.score).then(a.ord.cmp(&b.ord)));
    }
    Ok(found)
}

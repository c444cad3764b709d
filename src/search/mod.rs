//! The search, one file per step: [`question`] (what the question asks: its words, their weights,
//! stop words in context; [`acronyms`] reads initials the texts spell out) → [`lexical`] (tantivy candidates reranked by coverage and proximity) →
//! [`semantic`] (with a model: the question's vector against every passage's) → [`fusion`] (both
//! rankings into one) → [`confidence`] (answer, or "not in the text") → [`excerpt`] (the sentences
//! of each passage that answer). [`crate::answer`] runs them in that order.

pub mod acronyms;
pub mod confidence;
pub mod excerpt;
pub mod fusion;
pub mod lexical;
pub mod question;
pub mod semantic;

pub use lexical::{Filter, Ranked, SearchOutcome, search, weights};

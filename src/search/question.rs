//! Question analysis: a question in plain language (never query syntax) → weighted terms and the
//! word sequence used for phrase matching. Any input is accepted; the worst case is no terms.

use crate::analysis::{self, Term};

/// Questions longer than this (in characters) are read only up to here.
pub const MAX_QUESTION_CHARS: usize = 2_000;
/// At most this many distinct terms are searched (the rarest are kept).
pub const MAX_TERMS: usize = 24;
/// Weight of words that describe the asking rather than the subject ("author", "say", "passage").
pub const META_WEIGHT: f32 = 0.3;

/// One distinct term of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub term: String,
    /// The word as typed (folded).
    pub surface: String,
    /// 1.0 for content words, [`META_WEIGHT`] for words about the asking.
    pub weight: f32,
    /// First position in the question.
    pub position: u32,
    /// Set when the word was not in the texts and a near spelling was used instead.
    pub corrected_from: Option<String>,
    /// Added as a synonym, not typed.
    pub expanded: bool,
    /// For a synonym: the term of the question word it stands in for.
    pub synonym_of: Option<String>,
}

/// An analysed question.
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub text: String,
    /// Distinct content terms, in question order.
    pub terms: Vec<QueryTerm>,
    /// Every analysed word including stop words, in order (for phrases).
    pub sequence: Vec<Term>,
}

impl Question {
    /// Analyses a question. Stop words and question words are dropped from `terms` unless nothing
    /// else is left ("to be or not to be").
    pub fn parse(text: &str) -> Question {
        let clipped: String = text.chars().take(MAX_QUESTION_CHARS).collect();
        let sequence = analysis::analyze(&clipped);
        let stop = stop_words_in(&sequence);
        let mut terms: Vec<QueryTerm> = Vec::new();
        for only_content in [true, false] {
            for (t, &stop) in sequence.iter().zip(&stop) {
                if only_content && stop {
                    continue;
                }
                if terms.iter().any(|q| q.term == t.term) {
                    continue;
                }
                let weight = if is_meta_word(&t.surface) {
                    META_WEIGHT
                } else {
                    1.0
                };
                terms.push(QueryTerm {
                    term: t.term.clone(),
                    surface: t.surface.clone(),
                    weight,
                    position: t.position,
                    corrected_from: None,
                    expanded: false,
                    synonym_of: None,
                });
            }
            if !terms.is_empty() {
                break;
            }
        }
        Question {
            text: clipped,
            terms,
            sequence,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Function words, question words and archaic pronouns: they carry no subject.
pub fn is_stop_word(surface: &str) -> bool {
    STOP_WORDS.binary_search(&surface).is_ok()
}

/// Which words of a question are stop words, in context. Two kinds of words are function words
/// only in some sentences, and a subject in others:
/// - stop words of Early Modern English only ([`ARCHAIC_ONLY`]: `art` as in "thou art") are
///   stop words only in a question that speaks that English (`thou`, `hath`, …); in "What does
///   the text say about art?" the word is the subject;
/// - modal verbs that are also nouns ([`MODAL_NOUNS`]: `will`) are nouns after a determiner, a
///   possessive or an adjective ("the will of the people", "free will", "God's will").
pub fn stop_words_in(sequence: &[Term]) -> Vec<bool> {
    let archaic = sequence
        .iter()
        .any(|t| ARCHAIC_MARKERS.contains(&t.surface.as_str()));
    sequence
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let w = t.surface.as_str();
            if ARCHAIC_ONLY.contains(&w) {
                return archaic;
            }
            if MODAL_NOUNS.contains(&w) {
                let before = i.checked_sub(1).and_then(|j| sequence.get(j));
                let noun = before.is_some_and(|b| {
                    b.position + 1 == t.position
                        && (NOUN_MARKERS.contains(&b.surface.as_str()) || b.surface.ends_with("'s"))
                });
                return !noun;
            }
            is_stop_word(w)
        })
        .collect()
}

/// Stop words only in Early Modern English.
const ARCHAIC_ONLY: &[&str] = &["art"];
/// Words that show a question is asked in Early Modern English.
const ARCHAIC_MARKERS: &[&str] = &[
    "dost", "doth", "hast", "hath", "shalt", "thee", "thine", "thou", "thy", "wilt", "ye",
];
/// Modal verbs that are nouns after a determiner, a possessive or an adjective.
const MODAL_NOUNS: &[&str] = &["will"];
/// Words before which a modal verb is a noun.
const NOUN_MARKERS: &[&str] = &[
    "a", "an", "free", "good", "her", "his", "ill", "its", "last", "my", "own", "our", "the",
    "their", "thine", "this", "thy", "whose", "your",
];

/// Words about the asking ("what does the author say about…").
pub fn is_meta_word(surface: &str) -> bool {
    META_WORDS.binary_search(&surface).is_ok()
}

// Sorted, for binary search (a unit test checks).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "aren't",
    "art",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "can't",
    "cannot",
    "could",
    "couldn't",
    "did",
    "didn't",
    "do",
    "does",
    "doesn't",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "hadn't",
    "has",
    "hasn't",
    "hast",
    "hath",
    "have",
    "haven't",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "itself",
    "just",
    "let's",
    "me",
    "might",
    "more",
    "most",
    "must",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "shalt",
    "she",
    "should",
    "shouldn't",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "thee",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "thine",
    "this",
    "those",
    "thou",
    "through",
    "thy",
    "to",
    "too",
    "under",
    "until",
    "unto",
    "up",
    "upon",
    "very",
    "was",
    "wasn't",
    "we",
    "were",
    "weren't",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "won't",
    "would",
    "wouldn't",
    "ye",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

const META_WORDS: &[&str] = &[
    "according",
    "article",
    "author",
    "authors",
    "book",
    "chapter",
    "describe",
    "described",
    "describes",
    "discuss",
    "discussed",
    "discusses",
    "essay",
    "explain",
    "explained",
    "explains",
    "mean",
    "meaning",
    "means",
    "mention",
    "mentioned",
    "mentions",
    "paragraph",
    "passage",
    "quote",
    "quoted",
    "quotes",
    "said",
    "say",
    "says",
    "section",
    "talk",
    "talks",
    "tell",
    "tells",
    "text",
    "verse",
    "writer",
    "writes",
    "written",
    "wrote",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(META_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn question_words_drop_and_meta_words_weigh_less() {
        let q = Question::parse("What does the author say about dual power?");
        let surfaces: Vec<&str> = q.terms.iter().map(|t| t.surface.as_str()).collect();
        assert_eq!(surfaces, ["author", "say", "dual", "power"]);
        assert_eq!(q.terms[0].weight, META_WEIGHT);
        assert_eq!(q.terms[2].weight, 1.0);
    }

    #[test]
    fn archaic_stop_words_are_subjects_in_modern_questions() {
        let terms = |q: &str| -> Vec<String> {
            Question::parse(q)
                .terms
                .into_iter()
                .map(|t| t.surface)
                .collect()
        };
        assert!(terms("What does the text say about art?").contains(&"art".to_string()));
        assert!(!terms("Who art thou, Lord?").contains(&"art".to_string()));
        assert!(terms("What is the will of the people?").contains(&"will".to_string()));
        assert!(terms("Is there free will?").contains(&"will".to_string()));
        assert!(!terms("Will Debian remain free?").contains(&"will".to_string()));
        assert!(!terms("What will happen to the workers?").contains(&"will".to_string()));
    }

    #[test]
    fn all_stop_words_are_kept_when_nothing_else_is_left() {
        let q = Question::parse("to be or not to be");
        assert!(!q.terms.is_empty());
    }

    #[test]
    fn empty_and_symbol_only_questions_have_no_terms() {
        assert!(Question::parse("").is_empty());
        assert!(Question::parse("?!* :: ()").is_empty());
    }
}

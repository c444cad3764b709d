//! Question analysis: a question in plain language (never query syntax) → weighted terms and the
//! word sequence used for phrase matching, by the rules of one language (a question is analysed
//! in the language of each document it is searched against). Any input is accepted; the worst
//! case is no terms.
//!
//! Per language: English drops its function and question words (with the Early Modern ones only
//! in a question that speaks that English, and `will` kept as a noun), and weighs words about the
//! asking ("what does the author say…") less; Spanish does the same with its own words
//! ([`super::spanish`]: `¿qué?`, `cuándo`, `por qué`, `dice el texto`); any other language drops
//! Snowball's stop words for it where tantivy ships them, and has no words about the asking.

use tantivy::tokenizer::{RawTokenizer, StopWordFilter, TextAnalyzer, TokenStream};

use crate::analysis::{self, Term};
use crate::language::Language;
use crate::search::spanish;

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
    /// The language it was analysed in.
    pub language: Language,
    /// Distinct content terms, in question order.
    pub terms: Vec<QueryTerm>,
    /// Every analysed word including stop words, in order (for phrases).
    pub sequence: Vec<Term>,
}

impl Question {
    /// Analyses a question in `language`. Stop words and question words are dropped from `terms`
    /// unless nothing else is left ("to be or not to be").
    pub fn parse(text: &str, language: Language) -> Question {
        let clipped: String = text.chars().take(MAX_QUESTION_CHARS).collect();
        let sequence = analysis::analyze(&clipped, language);
        let stop = stop_words_in(&clipped, &sequence, language);
        let mut terms: Vec<QueryTerm> = Vec::new();
        for only_content in [true, false] {
            for (t, &stop) in sequence.iter().zip(&stop) {
                if only_content && stop {
                    continue;
                }
                if terms.iter().any(|q| q.term == t.term) {
                    continue;
                }
                let weight = if is_meta_word_in(&t.surface, language) {
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
            language,
            terms,
            sequence,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the question has a word about its subject: a term at full weight, not only
    /// words about the asking ("What does the text say?", `¿Qué dice el texto?`).
    pub fn has_subject(&self) -> bool {
        self.terms.iter().any(|t| t.weight >= 1.0)
    }

    /// Which words of [`Question::sequence`] are stop words (see [`stop_words_in`]).
    pub fn stop_words(&self) -> Vec<bool> {
        stop_words_in(&self.text, &self.sequence, self.language)
    }
}

/// English function words, question words and archaic pronouns: they carry no subject.
pub fn is_stop_word(surface: &str) -> bool {
    STOP_WORDS.binary_search(&surface).is_ok()
}

/// Which words of a question (`sequence`, analysed from `text` in `language`) are stop words.
/// English: see [`english_stop_words_in`]; Spanish: [`spanish::is_stop_word`], but for the few
/// that are nouns after a determiner; any other language: Snowball's list for it when tantivy
/// has one (none otherwise).
pub fn stop_words_in(text: &str, sequence: &[Term], language: Language) -> Vec<bool> {
    if language == Language::ENGLISH {
        return english_stop_words_in(sequence);
    }
    if language == Language::SPANISH {
        return sequence
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let before = i.checked_sub(1).and_then(|j| sequence.get(j));
                let noun = before.is_some_and(|b| {
                    b.position + 1 == t.position && spanish::is_noun_after(&t.surface, &b.surface)
                });
                spanish::is_stop_word(&t.surface) && !noun
            })
            .collect();
    }
    let Some(filter) = snowball_stop_words(language) else {
        return vec![false; sequence.len()];
    };
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(filter)
        .build();
    sequence
        .iter()
        .map(|t| {
            let word = text.get(t.start..t.end).unwrap_or_default().to_lowercase();
            let mut stream = analyzer.token_stream(&word);
            !stream.advance()
        })
        .collect()
}

/// tantivy's copy of Snowball's stop words for a language, where it has one.
fn snowball_stop_words(language: Language) -> Option<StopWordFilter> {
    use tantivy::tokenizer::Language as T;
    let t = match language.code() {
        "ar" => T::Arabic,
        "da" => T::Danish,
        "nl" => T::Dutch,
        "fi" => T::Finnish,
        "fr" => T::French,
        "de" => T::German,
        "el" => T::Greek,
        "hu" => T::Hungarian,
        "it" => T::Italian,
        "nb" => T::Norwegian,
        "pt" => T::Portuguese,
        "ro" => T::Romanian,
        "ru" => T::Russian,
        "sv" => T::Swedish,
        "ta" => T::Tamil,
        "tr" => T::Turkish,
        _ => return None,
    };
    StopWordFilter::new(t)
}

/// Which words of an English question are stop words, in context. Two kinds of words are function words
/// only in some sentences, and a subject in others:
/// - stop words of Early Modern English only ([`ARCHAIC_ONLY`]: `art` as in "thou art") are
///   stop words only in a question that speaks that English (`thou`, `hath`, …); in "What does
///   the text say about art?" the word is the subject;
/// - modal verbs that are also nouns ([`MODAL_NOUNS`]: `will`) are nouns after a determiner, a
///   possessive or an adjective ("the will of the people", "free will", "God's will").
pub fn english_stop_words_in(sequence: &[Term]) -> Vec<bool> {
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

/// English words about the asking ("what does the author say about…").
pub fn is_meta_word(surface: &str) -> bool {
    META_WORDS.binary_search(&surface).is_ok()
}

/// Words about the asking in `language` (English and Spanish have them).
pub fn is_meta_word_in(surface: &str, language: Language) -> bool {
    if language == Language::ENGLISH {
        is_meta_word(surface)
    } else if language == Language::SPANISH {
        spanish::is_meta_word(surface)
    } else {
        false
    }
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
        let q = Question::parse(
            "What does the author say about dual power?",
            Language::ENGLISH,
        );
        let surfaces: Vec<&str> = q.terms.iter().map(|t| t.surface.as_str()).collect();
        assert_eq!(surfaces, ["author", "say", "dual", "power"]);
        assert_eq!(q.terms[0].weight, META_WEIGHT);
        assert_eq!(q.terms[2].weight, 1.0);
        assert!(q.has_subject());
        for (text, language) in [
            ("What does the author say?", Language::ENGLISH),
            ("¿Qué dice el texto?", Language::SPANISH),
            ("que explica el capitulo", Language::SPANISH),
        ] {
            assert!(!Question::parse(text, language).has_subject(), "{text}");
        }
        assert!(
            Question::parse("¿Qué dice el texto del doble poder?", Language::SPANISH).has_subject()
        );
    }

    #[test]
    fn archaic_stop_words_are_subjects_in_modern_questions() {
        let terms = |q: &str| -> Vec<String> {
            Question::parse(q, Language::ENGLISH)
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
        let q = Question::parse("to be or not to be", Language::ENGLISH);
        assert!(!q.terms.is_empty());
    }

    #[test]
    fn empty_and_symbol_only_questions_have_no_terms() {
        for l in [Language::ENGLISH, Language::SPANISH, Language::UNDETERMINED] {
            assert!(Question::parse("", l).is_empty());
            assert!(Question::parse("?!* :: ()", l).is_empty());
        }
    }

    fn surfaces(q: &str, l: Language) -> Vec<String> {
        Question::parse(q, l)
            .terms
            .into_iter()
            .map(|t| t.surface)
            .collect()
    }

    #[test]
    fn spanish_questions_drop_their_question_words_typed_with_or_without_accents() {
        let es = Language::SPANISH;
        assert_eq!(
            surfaces("¿Por qué se construye el paquete?", es),
            ["construye", "paquete"]
        );
        assert_eq!(
            surfaces("¿Cuándo y dónde nació Debian?", es),
            surfaces("cuando y donde nacio Debian", es)
        );
        assert_eq!(surfaces("¿Cómo puedo instalarlo?", es), ["instalarlo"]);
        // words about the asking weigh less
        let q = Question::parse("¿Qué dice el texto sobre las contraseñas?", es);
        let meta: Vec<f32> = q.terms.iter().map(|t| t.weight).collect();
        assert_eq!(meta, [META_WEIGHT, META_WEIGHT, 1.0]);
        // `estado` is a noun after a determiner, a form of `estar` elsewhere
        assert!(surfaces("¿Cuál es el estado del paquete?", es).contains(&"estado".into()));
        assert!(!surfaces("¿Ha estado roto?", es).contains(&"estado".into()));
        // English rules do not apply: `will` and `art` are not Spanish words
        assert_eq!(surfaces("the will", es), ["the", "will"]);
    }

    #[test]
    fn other_languages_get_their_own_stop_words_and_no_english_ones() {
        let fr = Language::parse("fr").unwrap_or_default();
        let terms = surfaces("La révolution avec les ouvriers ?", fr);
        assert_eq!(terms, ["revolution", "ouvriers"]);
        // no stop words known: every word is kept, English ones included
        assert_eq!(
            surfaces("what is the", Language::UNDETERMINED),
            ["what", "is", "the"]
        );
    }
}

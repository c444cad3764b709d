//! Confidence step of the search: how sure cabildo is that the texts answer a question, from
//! 0 to 1, compared with `min_confidence` to decide between an answer and "not in the text".
//!
//! Lexically, the best passage's coverage of the question (weighted by rarity) times the share of
//! the question's subject words the texts contain at all. With a model, a best cosine at or above
//! the model's threshold also answers: each signal can vouch for the question on its own (measured
//! on the four dev texts; docs/semantic.md).

/// The share of the question's subject words the texts contain. A question with no word about its
/// subject ("What does the text say?") has nothing to be sure about.
pub fn known_share(subject_words: usize, unknown_words: usize) -> f32 {
    if subject_words == 0 {
        0.0
    } else {
        1.0 - unknown_words.min(subject_words) as f32 / subject_words as f32
    }
}

/// The lexical confidence of one passage.
pub fn lexical(coverage: f32, known_share: f32) -> f32 {
    coverage * known_share
}

/// The confidence of an answer with a model: the lexical confidence, raised to at least
/// `min_confidence` when the best cosine reaches `min_cosine`.
pub fn with_model(lexical: f32, best_cosine: f32, min_cosine: f32, min_confidence: f32) -> f32 {
    if best_cosine >= min_cosine {
        lexical.max(min_confidence)
    } else {
        lexical
    }
}

/// Whether an answer is given.
pub fn answered(confidence: f32, min_confidence: f32) -> bool {
    confidence >= min_confidence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_signal_can_answer_and_neither_lowers_the_other() {
        assert!(!answered(with_model(0.2, 0.1, 0.26, 0.35), 0.35));
        assert!(answered(with_model(0.2, 0.3, 0.26, 0.35), 0.35));
        assert!(answered(with_model(0.8, 0.1, 0.26, 0.35), 0.35));
        assert_eq!(with_model(0.8, 0.9, 0.26, 0.35), 0.8);
    }

    #[test]
    fn a_question_without_subject_words_has_no_confidence() {
        assert_eq!(known_share(0, 0), 0.0);
        assert_eq!(known_share(4, 1), 0.75);
        assert_eq!(known_share(2, 5), 0.0);
    }
}

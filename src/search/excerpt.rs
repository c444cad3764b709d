//! Excerpts: the window of whole sentences of a passage that holds most of what the question asks
//! about (at most about `max_chars` characters), marked `…` where trimmed, with the character spans
//! of matched words for highlighting. Text inside the excerpt is always the passage's own text.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use unicode_segmentation::UnicodeSegmentation;

use crate::analysis;
use crate::language::Language;

/// The ellipsis put where a passage is trimmed.
pub const ELLIPSIS: char = '…';

/// A quotable part of a passage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Excerpt {
    pub text: String,
    /// `[start, end)` of matched words, in characters of `text`.
    pub highlights: Vec<(usize, usize)>,
}

/// Chooses the excerpt of `passage`, written in `language`, for question terms with their
/// weights (`term → weight`, terms analysed in that language).
pub fn excerpt(
    passage: &str,
    language: Language,
    weights: &HashMap<String, f32>,
    max_chars: usize,
) -> Excerpt {
    excerpt_with(passage, language, weights, None, max_chars, || {
        sentence_bounds(passage).into()
    })
}

/// The sentence of a passage most similar in meaning to the question (its byte span), when a
/// model found one: the excerpt's window counts it as much as the question's weightiest word, so
/// a question asked in other words is quoted at the sentence that answers it.
pub type Similar = Option<(usize, usize)>;

/// Byte ranges of a passage's sentences, by Unicode's sentence boundary rules.
pub(crate) fn sentence_bounds(passage: &str) -> Vec<(usize, usize)> {
    passage
        .split_sentence_bound_indices()
        .map(|(i, s)| (i, i + s.len()))
        .collect()
}

/// The sentences of the passages quoted so far, by passage ordinal: finding sentence boundaries
/// was the dearest step of an excerpt after analysis, and a passage is quoted again and again.
/// One per [`Engine`](crate::engine::Engine); it never holds more than one entry per passage.
#[derive(Debug, Default)]
pub struct Sentences(RwLock<HashMap<u32, Bounds>>);

/// Byte ranges of a passage's sentences, shared.
type Bounds = Arc<[(usize, usize)]>;

impl Sentences {
    /// The excerpt of passage `ord`, whose text is `passage` in `language`: the same as
    /// [`excerpt`] gives.
    pub fn excerpt(
        &self,
        ord: u32,
        passage: &str,
        language: Language,
        weights: &HashMap<String, f32>,
        similar: Similar,
        max_chars: usize,
    ) -> Excerpt {
        excerpt_with(passage, language, weights, similar, max_chars, || {
            self.of(ord, passage)
        })
    }

    fn of(&self, ord: u32, passage: &str) -> Bounds {
        // The last sentence ends where the passage does: a cheap check that `ord` is this text.
        let fits = |s: &Bounds| s.last().map(|l| l.1) == Some(passage.len());
        let known = self
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&ord)
            .cloned();
        if let Some(s) = known.filter(fits) {
            return s;
        }
        let bounds: Bounds = sentence_bounds(passage).into();
        if fits(&bounds) {
            let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
            all.insert(ord, bounds.clone());
        }
        bounds
    }
}

/// [`excerpt`], given a way to the passage's sentences (only needed when it is too long to quote
/// whole).
fn excerpt_with(
    passage: &str,
    language: Language,
    weights: &HashMap<String, f32>,
    similar: Similar,
    max_chars: usize,
    sentences: impl FnOnce() -> Bounds,
) -> Excerpt {
    let max_chars = max_chars.max(40);
    let matches = matches(passage, language, weights);
    let (start, end) = if passage.chars().count() <= max_chars {
        (0, passage.len())
    } else {
        let sentences = sentences();
        // The sentence holding the most similar span, worth the weightiest question word.
        let heaviest = weights.values().copied().fold(1.0f32, f32::max);
        let bonus: Vec<f32> = sentences
            .iter()
            .map(|&(a, b)| match similar {
                Some((s, e)) if s < b && e > a => heaviest,
                _ => 0.0,
            })
            .collect();
        choose_window(passage, &sentences, &matches, &bonus, max_chars)
    };
    let slice = passage[start..end].trim();
    let lead = passage[start..end].len() - passage[start..end].trim_start().len();
    let start_trimmed = start + lead;
    let end_trimmed = start_trimmed + slice.len();
    let mut text = String::with_capacity(slice.len() + 8);
    let prefix = start_trimmed > 0 && !passage[..start_trimmed].trim().is_empty();
    let suffix = end_trimmed < passage.len() && !passage[end_trimmed..].trim().is_empty();
    if prefix {
        text.push(ELLIPSIS);
    }
    text.push_str(slice);
    if suffix {
        text.push(ELLIPSIS);
    }
    let base_chars = usize::from(prefix);
    let highlights = matches
        .iter()
        .filter(|(s, e, _, _)| *s >= start_trimmed && *e <= end_trimmed)
        .map(|(s, e, _, _)| {
            let cs = base_chars + passage[start_trimmed..*s].chars().count();
            (cs, cs + passage[*s..*e].chars().count())
        })
        .collect();
    Excerpt { text, highlights }
}

/// Most words ever remembered by [`matches`]; past it the memory is emptied and starts again.
const MAX_REMEMBERED_WORDS: usize = 100_000;

/// The term of each word met so far in each language (`None`: the word has no term, e.g. it is
/// too long), shared by every excerpt. Analysing a word (folding, lemmas, stemming) was most of an
/// excerpt's cost, and the texts' words recur from answer to answer; a word's term depends on
/// nothing but the word and its language.
static TERMS: LazyLock<RwLock<HashMap<Language, WordTerms>>> = LazyLock::new(Default::default);

/// A word → its term, or `None` when it has none.
type WordTerms = HashMap<Box<str>, Option<Box<str>>>;

/// Byte ranges of the passage's words that are question terms, in order, with the term and its
/// weight. A word analysed alone has the term it has in its passage (tested below).
fn matches<'w>(
    passage: &str,
    language: Language,
    weights: &'w HashMap<String, f32>,
) -> Vec<(usize, usize, &'w str, f32)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    analysis::words(passage, |start, end, _| spans.push((start, end)));
    let weighed = |term: &Option<Box<str>>| {
        let term = term.as_deref()?;
        weights.get_key_value(term).map(|(t, w)| (t.as_str(), *w))
    };
    // Usually every word is known: one shared read lock. New words are analysed under the write
    // lock (each once, however many passages meet it at the same time).
    let mut found: Vec<Option<Option<(&'w str, f32)>>> = {
        let all = TERMS.read().unwrap_or_else(|e| e.into_inner());
        let known = all.get(&language);
        spans
            .iter()
            .map(|&(s, e)| match &passage[s..e] {
                // Too long to be a term: not worth remembering.
                word if word.len() > analysis::MAX_WORD_BYTES => Some(None),
                word => known.and_then(|k| k.get(word)).map(weighed),
            })
            .collect()
    };
    if found.iter().any(Option::is_none) {
        let mut all = TERMS.write().unwrap_or_else(|e| e.into_inner());
        if all.values().map(HashMap::len).sum::<usize>() + spans.len() > MAX_REMEMBERED_WORDS {
            all.clear();
        }
        let known = all.entry(language).or_default();
        for (&(s, e), f) in spans.iter().zip(found.iter_mut()) {
            if f.is_none() {
                let word = &passage[s..e];
                let term = known.entry(word.into()).or_insert_with(|| {
                    analysis::analyze(word, language)
                        .pop()
                        .map(|t| t.term.into_boxed_str())
                });
                *f = Some(weighed(term));
            }
        }
    }
    spans
        .into_iter()
        .zip(found)
        .filter_map(|((s, e), f)| f.flatten().map(|(term, w)| (s, e, term, w)))
        .collect()
}

/// Byte range of the best window: whole sentences when they fit, else a cut around the matches.
fn choose_window(
    passage: &str,
    sentences: &[(usize, usize)],
    matches: &[(usize, usize, &str, f32)],
    bonus: &[f32],
    max_chars: usize,
) -> (usize, usize) {
    let chars: Vec<usize> = sentences
        .iter()
        .map(|(s, e)| passage[*s..*e].chars().count())
        .collect();
    // matches per sentence (indices into `matches`), in order
    let mut per_sentence: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
    let mut si = 0;
    for (mi, m) in matches.iter().enumerate() {
        while si + 1 < sentences.len() && m.0 >= sentences[si].1 {
            si += 1;
        }
        if let Some(v) = per_sentence.get_mut(si) {
            v.push(mi);
        }
    }
    // Two pointers over sentences: windows that fit, scored by distinct matched terms (weighted),
    // plus a little for repeated matches. Linear in the number of sentences and matches.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let (mut distinct, mut repeats, mut len) = (0.0f32, 0.0f32, 0usize);
    let mut similar = 0.0f32;
    let bonus_of = |i: usize| bonus.get(i).copied().unwrap_or(0.0);
    let mut best: Option<(f32, usize, usize)> = None;
    let mut lo = 0;
    for hi in 0..sentences.len() {
        len += chars[hi];
        similar += bonus_of(hi);
        for &mi in &per_sentence[hi] {
            let (_, _, term, w) = matches[mi];
            let c = counts.entry(term).or_insert(0);
            if *c == 0 {
                distinct += w;
            } else {
                repeats += 0.1 * w;
            }
            *c += 1;
        }
        while len > max_chars && lo < hi {
            len -= chars[lo];
            similar -= bonus_of(lo);
            for &mi in &per_sentence[lo] {
                let (_, _, term, w) = matches[mi];
                if let Some(c) = counts.get_mut(term) {
                    *c -= 1;
                    if *c == 0 {
                        distinct -= w;
                    } else {
                        repeats -= 0.1 * w;
                    }
                }
            }
            lo += 1;
        }
        if len <= max_chars {
            let score = distinct + repeats + similar;
            // On a tie the later window wins: it starts nearer the matches and reads on after
            // them, where answers usually follow.
            if best.is_none_or(|(b, _, _)| score > b - 1e-6) {
                best = Some((score, lo, hi));
            }
        }
    }
    if let Some((score, lo, hi)) = best
        && (score > 1e-6 || matches.is_empty())
    {
        let (start, end) = (sentences[lo].0, sentences[hi].1);
        // A window of less than half the room (a heading, one short sentence) before a sentence
        // too long to add whole reads on into it, cut at a word: "3. Grant of Patent License."
        // alone quotes nothing of the grant.
        if hi + 1 < sentences.len() && passage[start..end].chars().count() < max_chars / 2 {
            return (start, cut_end(passage, start, max_chars));
        }
        return (start, end);
    }
    if matches.is_empty() {
        // No sentence fits: the opening, cut at a word boundary.
        return cut(passage, 0, max_chars);
    }
    // The best sentence is longer than the limit: a window of words around its densest matches.
    let mut best_at = matches[0].0;
    let mut best_score = f32::MIN;
    for (i, m) in matches.iter().enumerate() {
        let limit = m.0 + max_chars; // bytes ≥ chars, so this is generous; trimmed in `cut`
        let mut seen: Vec<&str> = Vec::new();
        let mut score = 0.0;
        for n in &matches[i..] {
            if n.1 > limit {
                break;
            }
            if !seen.contains(&n.2) {
                seen.push(n.2);
                score += n.3;
            }
        }
        if score > best_score {
            best_score = score;
            best_at = m.0;
        }
    }
    // start a little before the first match, at a word boundary
    let lead: usize = passage[..best_at]
        .char_indices()
        .rev()
        .take(max_chars / 5)
        .last()
        .map_or(best_at, |(i, _)| i);
    cut(passage, lead, max_chars)
}

/// `max_chars` characters from byte `from`, moved to word boundaries.
fn cut(passage: &str, from: usize, max_chars: usize) -> (usize, usize) {
    let mut start = from;
    if start > 0 {
        // move forward to the start of a word
        if let Some((i, _)) = passage[start..]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
        {
            let s = start + i;
            start = passage[s..]
                .char_indices()
                .find(|(_, c)| !c.is_whitespace())
                .map_or(s, |(j, _)| s + j);
        }
    }
    (start, cut_end(passage, start, max_chars))
}

/// The end of `max_chars` characters from byte `start` (a word's start), moved back to the end of a
/// word unless the window is one giant word.
fn cut_end(passage: &str, start: usize, max_chars: usize) -> usize {
    let end = passage[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(passage.len(), |(i, _)| start + i);
    if end >= passage.len() {
        return passage.len();
    }
    let back = passage[start..end]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| start + i);
    match back {
        Some(b) if b > start + max_chars / 2 => b,
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Language = Language::ENGLISH;

    #[test]
    fn a_sentence_similar_in_meaning_is_quoted_when_no_word_matches() {
        let filler = "Nothing of interest is said in this sentence at all. ".repeat(6);
        let answer = "We will never make the system require a non-free component.";
        let passage = format!("{filler}{answer} {filler}");
        let start = passage.find(answer).unwrap();
        let weights: HashMap<String, f32> = [("proprietari".to_string(), 3.0)].into();
        let without = excerpt(&passage, EN, &weights, 200);
        assert!(!without.text.contains(answer), "{without:?}");
        let with = excerpt_with(
            &passage,
            EN,
            &weights,
            Some((start, start + answer.len())),
            200,
            || sentence_bounds(&passage).into(),
        );
        assert!(with.text.contains(answer), "{with:?}");
        // Still the passage's own words, marked where trimmed.
        assert!(with.text.starts_with(ELLIPSIS) && with.text.ends_with(ELLIPSIS));
    }

    fn w(words: &[&str]) -> HashMap<String, f32> {
        words
            .iter()
            .flat_map(|s| analysis::analyze(s, EN))
            .map(|t| (t.term, 1.0))
            .collect()
    }

    /// `excerpt` analyses each word on its own: that must give the term the word has when its
    /// whole passage is analysed, in every language's rules.
    #[test]
    fn a_word_analysed_alone_has_the_term_it_has_in_its_passage() {
        for language in [
            EN,
            Language::SPANISH,
            Language::UNDETERMINED,
            Language::parse("de").unwrap_or_default(),
        ] {
            alone_as_in_passage(language);
        }
    }

    fn alone_as_in_passage(language: Language) {
        let corpus = crate::corpus::embedded();
        let tricky = [
            "Don't, people’s, workers' and the COB's: l'homme; naïve Café’s œuvre ÆON STRASSE Straße",
            "1.5 million, 2003-2005, x2 — «comités» ¿qué? 'quoted' ‘single’ hath spake goeth",
            &format!("{} short {}", "x".repeat(70), "é".repeat(40)),
            "labour nationalisation centre, Knowest thou? ’Tis o’er. rock'n'roll",
            "¿Cómo configuró la contraseña? Ñandú, pingüino, l'ordinateur d'Ángel; Häuser",
        ];
        let texts = corpus
            .passages()
            .map(|p| p.passage.text.as_str())
            .chain(tricky.iter().map(|s| s.as_ref()));
        for text in texts {
            let whole: Vec<(usize, usize, String)> = analysis::analyze(text, language)
                .into_iter()
                .map(|t| (t.start, t.end, t.term))
                .collect();
            let mut alone = Vec::new();
            analysis::words(text, |s, e, _| {
                if let Some(t) = analysis::analyze(&text[s..e], language).pop() {
                    alone.push((s, e, t.term));
                }
            });
            assert_eq!(whole, alone, "{text}");
        }
    }

    #[test]
    fn remembered_sentences_give_the_same_excerpts() {
        let corpus = crate::corpus::embedded();
        let sentences = Sentences::default();
        let weights = w(&["power", "workers", "assembly", "strike", "Lozada"]);
        for _ in 0..2 {
            for p in corpus.passages() {
                let text = &p.passage.text;
                assert_eq!(
                    sentences.excerpt(p.ord, text, EN, &weights, None, 150),
                    excerpt(text, EN, &weights, 150)
                );
            }
        }
        // Another text under a remembered ordinal does not get that passage's sentences.
        let other = "A sentence about workers. ".repeat(30);
        assert_eq!(
            sentences.excerpt(1, &other, EN, &weights, None, 150),
            excerpt(&other, EN, &weights, 150)
        );
    }

    #[test]
    fn short_passages_are_whole() {
        let e = excerpt("Dual power exists.", EN, &w(&["power"]), 400);
        assert_eq!(e.text, "Dual power exists.");
        assert_eq!(e.highlights, vec![(5, 10)]);
    }

    #[test]
    fn long_passages_show_the_sentences_that_match() {
        let filler = "This sentence is about nothing at all. ".repeat(12);
        let p = format!("{filler}The miners carry dynamite. {filler}");
        let e = excerpt(&p, EN, &w(&["dynamite"]), 120);
        assert!(e.text.contains("The miners carry dynamite."), "{}", e.text);
        assert!(e.text.starts_with('…') && e.text.ends_with('…'));
        assert!(e.text.chars().count() <= 122);
        let (s, en) = e.highlights[0];
        let hl: String = e.text.chars().skip(s).take(en - s).collect();
        assert_eq!(hl, "dynamite");
    }

    #[test]
    fn a_heading_before_a_long_sentence_reads_on_into_it() {
        let grant = format!(
            "Subject to the terms of this License, each Contributor grants a patent license to make, use and sell the Work, {}.",
            "where such license applies only to those patent claims ".repeat(8)
        );
        let p = format!("3. Grant of Patent License. {grant} Another sentence follows.");
        let e = excerpt(&p, EN, &w(&["grant", "patent", "license"]), 400);
        assert!(
            e.text
                .starts_with("3. Grant of Patent License. Subject to the terms"),
            "{}",
            e.text
        );
        assert!(
            e.text.contains("a patent license to make, use and sell"),
            "{}",
            e.text
        );
        assert!(
            e.text.ends_with('…') && e.text.chars().count() <= 401,
            "{}",
            e.text
        );
        // Cut after a whole word, and every highlight inside the text.
        let inner = e.text.trim_end_matches('…');
        assert!(
            p.starts_with(inner) && p[inner.len()..].starts_with(' '),
            "{inner}"
        );
        assert!(
            e.highlights
                .iter()
                .all(|&(a, b)| a < b && b <= e.text.chars().count())
        );
    }

    #[test]
    fn one_giant_sentence_is_cut_around_the_match() {
        let p = format!("{} dynamite {}", "word ".repeat(300), "word ".repeat(300));
        let e = excerpt(&p, EN, &w(&["dynamite"]), 100);
        assert!(e.text.contains("dynamite"));
        assert!(e.text.chars().count() <= 102);
    }
}

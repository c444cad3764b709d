//! Excerpts: the window of whole sentences of a passage that holds most of what the question asks
//! about (at most about `max_chars` characters), marked `…` where trimmed, with the character spans
//! of matched words for highlighting. Text inside the excerpt is always the passage's own text.

use std::collections::HashMap;

use unicode_segmentation::UnicodeSegmentation;

use crate::analysis;

/// The ellipsis put where a passage is trimmed.
pub const ELLIPSIS: char = '…';

/// A quotable part of a passage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Excerpt {
    pub text: String,
    /// `[start, end)` of matched words, in characters of `text`.
    pub highlights: Vec<(usize, usize)>,
}

/// Chooses the excerpt of `passage` for question terms with their weights (`term → weight`).
pub fn excerpt(passage: &str, weights: &HashMap<String, f32>, max_chars: usize) -> Excerpt {
    let max_chars = max_chars.max(40);
    let tokens = analysis::analyze(passage);
    // byte ranges of matched words, with the term index they match
    let matches: Vec<(usize, usize, &str, f32)> = tokens
        .iter()
        .filter_map(|t| {
            weights
                .get(&t.term)
                .map(|w| (t.start, t.end, t.term.as_str(), *w))
        })
        .collect();
    let (start, end) = if passage.chars().count() <= max_chars {
        (0, passage.len())
    } else {
        choose_window(passage, &matches, max_chars)
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

/// Byte range of the best window: whole sentences when they fit, else a cut around the matches.
fn choose_window(
    passage: &str,
    matches: &[(usize, usize, &str, f32)],
    max_chars: usize,
) -> (usize, usize) {
    let sentences: Vec<(usize, usize)> = passage
        .split_sentence_bound_indices()
        .map(|(i, s)| (i, i + s.len()))
        .collect();
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
    let mut best: Option<(f32, usize, usize)> = None;
    let mut lo = 0;
    for hi in 0..sentences.len() {
        len += chars[hi];
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
            let score = distinct + repeats;
            // On a tie the later window wins: it starts nearer the matches and reads on after
            // them, where answers usually follow.
            if best.is_none_or(|(b, _, _)| score > b - 1e-6) {
                best = Some((score, lo, hi));
            }
        }
    }
    if let Some((score, lo, hi)) = best
        && (score > 0.0 || matches.is_empty())
    {
        return (sentences[lo].0, sentences[hi].1);
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
    let end = passage[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(passage.len(), |(i, _)| start + i);
    if end >= passage.len() {
        return (start, passage.len());
    }
    // back to the end of a word, unless the window is one giant word
    let back = passage[start..end]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| start + i);
    match back {
        Some(b) if b > start + max_chars / 2 => (start, b),
        _ => (start, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(words: &[&str]) -> HashMap<String, f32> {
        words
            .iter()
            .flat_map(|s| analysis::analyze(s))
            .map(|t| (t.term, 1.0))
            .collect()
    }

    #[test]
    fn short_passages_are_whole() {
        let e = excerpt("Dual power exists.", &w(&["power"]), 400);
        assert_eq!(e.text, "Dual power exists.");
        assert_eq!(e.highlights, vec![(5, 10)]);
    }

    #[test]
    fn long_passages_show_the_sentences_that_match() {
        let filler = "This sentence is about nothing at all. ".repeat(12);
        let p = format!("{filler}The miners carry dynamite. {filler}");
        let e = excerpt(&p, &w(&["dynamite"]), 120);
        assert!(e.text.contains("The miners carry dynamite."), "{}", e.text);
        assert!(e.text.starts_with('…') && e.text.ends_with('…'));
        assert!(e.text.chars().count() <= 122);
        let (s, en) = e.highlights[0];
        let hl: String = e.text.chars().skip(s).take(en - s).collect();
        assert_eq!(hl, "dynamite");
    }

    #[test]
    fn one_giant_sentence_is_cut_around_the_match() {
        let p = format!("{} dynamite {}", "word ".repeat(300), "word ".repeat(300));
        let e = excerpt(&p, &w(&["dynamite"]), 100);
        assert!(e.text.contains("dynamite"));
        assert!(e.text.chars().count() <= 102);
    }
}

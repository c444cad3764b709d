//! Passage form: what a passage *is*, besides the words in it — lines of verse, or a quotation —
//! and which question words ask for a form ("which song is quoted…", "what poem…"). The index
//! stores each passage's forms as tokens of their own field, so a question can find a passage by
//! its form even when the passage never names it (a quoted anthem never says "song").

/// Lines of verse (a song, poem, hymn): several short lines.
pub const VERSE: &str = "verse";
/// A passage that is, for the most part, a quotation.
pub const QUOTATION: &str = "quotation";

/// A passage needs at least this many lines to be verse…
const VERSE_MIN_LINES: usize = 3;
/// …none longer than this (in characters).
const VERSE_MAX_LINE: usize = 80;
/// Share of a passage's characters inside quotation marks for it to be a quotation.
const QUOTATION_SHARE: f32 = 0.6;

/// The forms of a passage.
pub fn of_passage(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() >= VERSE_MIN_LINES && lines.iter().all(|l| l.chars().count() <= VERSE_MAX_LINE) {
        out.push(VERSE);
    }
    let total = text.chars().filter(|c| !c.is_whitespace()).count();
    if total > 0 && quoted_chars(text) as f32 >= QUOTATION_SHARE * total as f32 {
        out.push(QUOTATION);
    }
    out
}

/// Non-space characters inside quotation marks (“…”, «…», "…"), marks included.
fn quoted_chars(text: &str) -> usize {
    let mut inside: Option<char> = None;
    let mut count = 0;
    for c in text.chars() {
        match inside {
            None => {
                inside = match c {
                    '“' => Some('”'),
                    '«' => Some('»'),
                    '"' => Some('"'),
                    _ => None,
                };
                if inside.is_some() {
                    count += 1;
                }
            }
            Some(close) => {
                if !c.is_whitespace() {
                    count += 1;
                }
                if c == close {
                    inside = None;
                }
            }
        }
    }
    count
}

/// The form a question word asks for, if any (`song` → verse, `quoted` → quotation). Takes the
/// folded word as typed.
pub fn asked(word: &str) -> Option<&'static str> {
    if VERSE_WORDS.binary_search(&word).is_ok() {
        Some(VERSE)
    } else if QUOTATION_WORDS.binary_search(&word).is_ok() {
        Some(QUOTATION)
    } else {
        None
    }
}

// Sorted, for binary search (a unit test checks).
const VERSE_WORDS: &[&str] = &[
    "anthem", "anthems", "ballad", "ballads", "chant", "chants", "hymn", "hymns", "lyrics", "poem",
    "poems", "poetry", "rhyme", "rhymes", "sang", "sing", "sings", "song", "songs", "stanza",
    "stanzas", "sung",
];
const QUOTATION_WORDS: &[&str] = &[
    "citation",
    "citations",
    "cite",
    "cited",
    "cites",
    "quotation",
    "quotations",
    "quote",
    "quoted",
    "quotes",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_verse_and_quoted_passages_are_quotations() {
        let song = "“Arise, ye workers from your slumber,\nArise, ye prisoners of want.\nFor reason in revolt now thunders.”";
        assert_eq!(of_passage(song), [VERSE, QUOTATION]);
        let prose = "In the words of the song: “Arise”. Then the speaker went on at length about the strike.";
        assert!(of_passage(prose).is_empty());
        assert!(of_passage("").is_empty());
        assert!(of_passage("“unclosed quotation that runs to the end").contains(&QUOTATION));
    }

    #[test]
    fn question_words_ask_for_forms() {
        assert!(VERSE_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(QUOTATION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(asked("song"), Some(VERSE));
        assert_eq!(asked("quoted"), Some(QUOTATION));
        assert_eq!(asked("strike"), None);
    }
}

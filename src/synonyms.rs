//! Synonyms for question words, so a question can find a passage that says the same thing in other
//! words ("what is missing" → "lacking"). The table is WordNet's (compiled in by `src/build.rs` from
//! the `thesaurus-wordnet` crate): single words, links WordNet gives in both directions.
//!
//! Words with many synonyms are ambiguous (`take`, `good`, `power`): expanding them finds more noise
//! than answers, so only words with at most [`MAX_SENSES_SYNONYMS`] synonyms are expanded.
//!
//! The table is derived from WordNet 3.0, under its licence:
//!
//! > WordNet Release 3.0. This software and database is being provided to you, the LICENSEE, by
//! > Princeton University under the following license. By obtaining, using and/or copying this
//! > software and database, you agree that you have read, understood, and will comply with these
//! > terms and conditions: Permission to use, copy, modify and distribute this software and
//! > database and its documentation for any purpose and without fee or royalty is hereby granted,
//! > provided that you agree to comply with the following copyright notice and statements,
//! > including the disclaimer, and that the same appear on ALL copies of the software, database
//! > and documentation, including modifications that you make for internal use or for
//! > distribution. WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.
//! > THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO
//! > REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION,
//! > PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR
//! > ANY PARTICULAR PURPOSE OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION
//! > WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS. The name of
//! > Princeton University or Princeton may not be used in advertising or publicity pertaining to
//! > distribution of the software and/or database. Title to copyright in this software, database
//! > and any associated documentation shall at all times remain with Princeton University and
//! > LICENSEE agrees to preserve same.

include!(concat!(env!("OUT_DIR"), "/synonyms.rs"));

/// `word<TAB>synonym synonym…` lines, sorted by word; [`LINE_STARTS`] holds their byte offsets.
static TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/synonyms.txt"));

/// Words listing more synonyms than this are too ambiguous to expand.
pub const MAX_SENSES_SYNONYMS: usize = 8;

/// Line `i` of the table as (word, synonyms separated by spaces).
fn line(i: usize) -> (&'static str, &'static str) {
    let start = LINE_STARTS[i] as usize;
    let end = LINE_STARTS.get(i + 1).map_or(TABLE.len(), |&e| e as usize);
    let line = TABLE.get(start..end).unwrap_or_default().trim_end();
    line.split_once('\t').unwrap_or((line, ""))
}

/// Number of words in the table.
pub fn len() -> usize {
    LINE_STARTS.len()
}

/// WordNet synonyms of a (folded) word, trying its plain forms too (`replaced` → `replace`).
/// Empty for unknown or too ambiguous words.
pub fn of(word: &str) -> Vec<&'static str> {
    let lookup = |w: &str| {
        let head_at = |start: u32| {
            let rest = TABLE.get(start as usize..).unwrap_or_default();
            rest.split('\t').next().unwrap_or_default()
        };
        let i = LINE_STARTS.partition_point(|&start| head_at(start) < w);
        (i < len() && line(i).0 == w).then(|| line(i).1)
    };
    let found = lookup(word).or_else(|| forms(word).iter().find_map(|f| lookup(f)));
    let list: Vec<&'static str> = found.map_or_else(Vec::new, |l| l.split(' ').collect());
    if list.len() <= MAX_SENSES_SYNONYMS {
        list
    } else {
        Vec::new()
    }
}

/// The forms a word may be an inflection of (`walls` → `wall`, `quoted` → `quote`, `tumbling` →
/// `tumble`).
fn forms(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if s.len() >= 3 && s != word && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some(b) = word.strip_suffix("ies") {
        add(format!("{b}y"));
    }
    if let Some(b) = word.strip_suffix("es") {
        add(b.to_string());
    }
    if let Some(b) = word.strip_suffix('s').filter(|b| !b.ends_with('s')) {
        add(b.to_string());
    }
    for suffix in ["ed", "ing"] {
        if let Some(b) = word.strip_suffix(suffix) {
            add(format!("{b}e"));
            add(b.to_string());
            // A doubled final letter (`stopped` → `stop`): compare characters, not bytes, so a
            // multi-byte letter is never cut in half.
            let mut last = b.char_indices().rev();
            if let (Some((i, c)), Some((_, d))) = (last.next(), last.next())
                && c == d
            {
                add(b[..i].to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(len() > 10_000);
        assert!((1..len()).all(|i| line(i - 1).0 < line(i).0));
        assert!((0..len()).all(|i| !line(i).1.is_empty()));
    }

    #[test]
    fn finds_synonyms_of_inflected_words_and_skips_ambiguous_ones() {
        assert!(of("missing").contains(&"lacking"));
        assert!(of("replaced").contains(&"substitute"));
        assert!(of("take").is_empty(), "too many senses to expand");
        assert!(of("zzzz").is_empty());
        assert!(of("").is_empty());
    }

    #[test]
    fn inflections_of_multi_byte_words_keep_whole_characters() {
        // `充` is E5 85 85: its last two bytes are equal, which a byte comparison took for a
        // doubled letter and cut in half.
        for w in ["充ing", "充ed", "xṹed", "日本ed", "🙂🙂ed"] {
            assert!(
                forms(w)
                    .iter()
                    .all(|f| w.starts_with(f.as_str()) || f.ends_with('e'))
            );
            assert!(of(w).is_empty());
        }
        // A doubled multi-byte letter is still undoubled, by whole characters.
        assert!(forms("aßßing").contains(&"aß".to_string()));
        assert!(forms("stopped").contains(&"stop".to_string()));
    }
}

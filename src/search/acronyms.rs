//! Acronyms, a part of question analysis that reads the texts: a reader may name something by
//! its initials (`FSF`) where the texts only spell it out (`Free Software Foundation`). Neither
//! ranking can meet the two: the initials are no word of the texts, and a small sentence model
//! knows few of them.
//!
//! The names are read once from the texts (on the first question that needs them): every run of
//! capitalised words that are not function words ("the Free Software Foundation plays…" gives
//! `Free Software Foundation`; "And Isaac said" gives only `Isaac`), and each stretch of
//! [`MIN_LETTERS`]–[`MAX_LETTERS`] of its words is a name for its initials. A question word
//! typed in capitals, of that many letters, that the texts never use, is read as the name whose
//! initials it is — the most frequent such name, and only if no other name is as frequent.
//! Two-letter initials are not read: too many pairs of names share them (on kjv.md `MS` would be
//! "Michal Saul's").

use std::collections::HashMap;

use crate::analysis;
use crate::search::question::is_stop_word;

/// Fewest letters of initials that are read as a name.
pub const MIN_LETTERS: usize = 3;
/// Most letters of initials that are read as a name.
pub const MAX_LETTERS: usize = 6;

/// Names of the texts by their initials.
#[derive(Debug, Default)]
pub struct Acronyms {
    /// Lower-case initials → the name, as the texts write it, when one name is the most frequent.
    names: HashMap<String, String>,
}

impl Acronyms {
    /// Reads the names of `texts`.
    pub fn read<'a>(texts: impl IntoIterator<Item = &'a str>) -> Acronyms {
        let mut counts: HashMap<String, HashMap<String, u32>> = HashMap::new();
        for text in texts {
            let mut run: Vec<&str> = Vec::new();
            let mut last_end = 0;
            analysis::words(text, |start, end, _| {
                let word = &text[start..end];
                let joined = text.get(last_end..start).is_some_and(is_blank_gap);
                if !joined {
                    count_names(&run, &mut counts);
                    run.clear();
                }
                if is_name_word(word) {
                    run.push(word);
                } else {
                    count_names(&run, &mut counts);
                    run.clear();
                }
                last_end = end;
            });
            count_names(&run, &mut counts);
        }
        let names = counts
            .into_iter()
            .filter_map(|(initials, by_name)| {
                let mut ranked: Vec<(String, u32)> = by_name.into_iter().collect();
                ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let tied = ranked.get(1).is_some_and(|second| second.1 == ranked[0].1);
                (!tied).then(|| (initials, ranked.swap_remove(0).0))
            })
            .collect();
        Acronyms { names }
    }

    /// The name the texts give for `initials`.
    pub fn name(&self, initials: &str) -> Option<&str> {
        self.names.get(&initials.to_lowercase()).map(String::as_str)
    }

    /// Whether `question` has a word typed as initials (only then are the names read).
    pub fn may_expand(question: &str) -> bool {
        let mut any = false;
        analysis::words(question, |start, end, _| {
            any |= is_typed_initials(split_possessive(&question[start..end]).0);
        });
        any
    }

    /// `question` with each word typed in capitals that names something of the texts replaced by
    /// the name (`FSF` → `Free Software Foundation`, `FSF's` → `Free Software Foundation's`),
    /// unless `in_texts` says the texts use that word themselves (given it lower-cased); None
    /// when no word is replaced.
    pub fn expand(&self, question: &str, in_texts: impl Fn(&str) -> bool) -> Option<String> {
        let mut out = String::with_capacity(question.len() + 32);
        let mut copied = 0;
        analysis::words(question, |start, end, _| {
            let word = &question[start..end];
            let (initials, rest) = split_possessive(word);
            if !is_typed_initials(initials) {
                return;
            }
            if in_texts(&initials.to_lowercase()) {
                return;
            }
            if let Some(name) = self.name(initials) {
                out.push_str(&question[copied..start]);
                out.push_str(name);
                out.push_str(rest);
                copied = end;
            }
        });
        (copied > 0).then(|| {
            out.push_str(&question[copied..]);
            out
        })
    }
}

/// Counts the names of one run of capitalised words: each stretch of enough of its words.
fn count_names(run: &[&str], counts: &mut HashMap<String, HashMap<String, u32>>) {
    for len in MIN_LETTERS..=MAX_LETTERS.min(run.len()) {
        for stretch in run.windows(len) {
            let initials: String = stretch
                .iter()
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_lowercase)
                .collect();
            *counts
                .entry(initials)
                .or_default()
                .entry(stretch.join(" "))
                .or_default() += 1;
        }
    }
}

/// A word that can be part of a name: a capital, then lower-case letters (`Foundation`, not
/// `GNU`, `And` or `1997`).
fn is_name_word(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.clone().next().is_some()
        && chars.all(|c| c.is_lowercase() || c == '\'' || c == '’')
        && !is_stop_word(&analysis::fold(word))
}

/// Words of one name are separated by spaces, or by a line break where the text is wrapped.
fn is_blank_gap(gap: &str) -> bool {
    !gap.is_empty() && gap.chars().all(char::is_whitespace) && gap.matches('\n').count() <= 1
}

/// Initials as a reader types them: capital letters only.
fn is_typed_initials(word: &str) -> bool {
    (MIN_LETTERS..=MAX_LETTERS).contains(&word.chars().count())
        && word.chars().all(|c| c.is_ascii_uppercase())
}

/// `FSF's` → (`FSF`, `'s`).
fn split_possessive(word: &str) -> (&str, &str) {
    for suffix in ["'s", "’s"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            return (stem, &word[stem.len()..]);
        }
    }
    (word, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The Free Software Foundation plays an important role. By the simple fact\n\
        that the Free Software\nFoundation distributes it, a message is sent. And Isaac Newton\n\
        said so. The GNU General Public License is one licence; the Debian Free Software\n\
        Guidelines, or DFSG, are another.";

    /// Whether `TEXT` uses `word` (lower-cased), as the index's vocabulary tells the engine.
    fn in_text(word: &str) -> bool {
        let mut found = false;
        analysis::words(TEXT, |s, e, _| found |= TEXT[s..e].to_lowercase() == word);
        found
    }

    impl Acronyms {
        fn expand_in(&self, question: &str) -> Option<String> {
            self.expand(question, in_text)
        }
    }

    #[test]
    fn initials_the_texts_spell_out_are_read_as_the_name() {
        let a = Acronyms::read([TEXT]);
        assert_eq!(
            a.expand_in("Why does it matter that the FSF will hand it out?")
                .as_deref(),
            Some("Why does it matter that the Free Software Foundation will hand it out?")
        );
        assert_eq!(
            a.expand_in("What is the FSF's role?").as_deref(),
            Some("What is the Free Software Foundation's role?")
        );
        // a name across a wrapped line counts too: the full name is the most frequent
        assert_eq!(a.name("FSF"), Some("Free Software Foundation"));
        // capitals inside a run break it: `GNU` is no name word, the rest is
        assert_eq!(a.name("GPL"), Some("General Public License"));
    }

    #[test]
    fn other_words_are_left_as_they_are() {
        let a = Acronyms::read([TEXT]);
        // typed in lower case, or the texts use the initials themselves (though they also
        // spell them out)
        assert_eq!(a.expand_in("what does the fsf do?"), None);
        assert_eq!(a.name("DFSG"), Some("Debian Free Software Guidelines"));
        assert_eq!(a.expand_in("What does the DFSG say?"), None);
        // no name has these initials; function words start no name ("And Isaac Newton")
        assert_eq!(a.expand_in("What is the best GPU?"), None);
        assert_eq!(a.name("AIN"), None);
        assert_eq!(a.name("IN"), None);
        // two letters are too few
        assert_eq!(a.name("SF"), None);
        assert_eq!(a.expand_in(""), None);
    }

    #[test]
    fn tied_names_are_not_guessed() {
        let a = Acronyms::read(["Public Relations Office and Press Release Oversight."]);
        assert_eq!(a.name("PRO"), None);
        let b = Acronyms::read([
            "Public Relations Office, Public Relations Office, Press Release Oversight.",
        ]);
        assert_eq!(b.name("PRO"), Some("Public Relations Office"));
    }
}

//! Accents a question was typed without, restored from the texts' own spelling, for the model: a
//! part of question analysis that reads the texts. The lexical search folds accents on both
//! sides, so `contrasena` already finds `contraseña`; a sentence-embedding model reads the
//! question as typed, and `como se configura la contrasena` is, to it, a different sentence from
//! `cómo se configura la contraseña`.
//!
//! So the model reads every question in one spelling, the texts': each word is written as the
//! texts most often write the words that fold as it does (`contrasena` and `contraseña` →
//! `contraseña`; `como` and `cómo` → `como`, far more frequent in running Spanish; `esta`/`está`
//! by what the texts write more), a word the texts never write accented is folded, and the
//! opening `¿`/`¡` are dropped. A question typed with accents and the same question typed
//! without them are then the same text to the model, as they are to the lexical search: they
//! score the same. Case is kept for the first letter.

use std::collections::HashMap;

use crate::analysis::{fold, words};

/// The spellings of the texts, by folded form, for forms that have an accented spelling.
#[derive(Debug, Default)]
pub struct Accents {
    /// Folded word → its most frequent spelling (lower case), when that has accents.
    best: HashMap<String, String>,
}

impl Accents {
    /// Reads the spellings of `texts`.
    pub fn read<'a>(texts: impl IntoIterator<Item = &'a str>) -> Accents {
        // folded → (spelling → count), only for classes with an accented spelling
        let mut counts: HashMap<String, HashMap<String, u32>> = HashMap::new();
        let mut plain: HashMap<String, u32> = HashMap::new();
        for text in texts {
            words(text, |s, e, _| {
                let lower = text[s..e].to_lowercase();
                let folded = fold(&lower);
                if folded == lower {
                    *plain.entry(folded).or_default() += 1;
                } else {
                    *counts.entry(folded).or_default().entry(lower).or_default() += 1;
                }
            });
        }
        let best = counts
            .into_iter()
            .filter_map(|(folded, spellings)| {
                let (spelling, n) = spellings
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))?;
                let unaccented = plain.get(&folded).copied().unwrap_or(0);
                (n > unaccented).then_some((folded, spelling))
            })
            .collect();
        Accents { best }
    }

    /// Whether no word of the texts has accents.
    pub fn is_empty(&self) -> bool {
        self.best.is_empty()
    }

    /// `question` in the texts' spelling (see the module docs); None when nothing changes.
    pub fn restore(&self, question: &str) -> Option<String> {
        if self.best.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(question.len() + 8);
        let mut last = 0;
        words(question, |s, e, _| {
            let word = &question[s..e];
            let lower = word.to_lowercase();
            let folded = fold(&lower);
            let spelling = self.best.get(&folded).unwrap_or(&folded);
            if *spelling == lower {
                return;
            }
            out.push_str(&question[last..s]);
            let mut letters = spelling.chars();
            if word.chars().next().is_some_and(char::is_uppercase)
                && let Some(first) = letters.next()
            {
                out.extend(first.to_uppercase());
            }
            out.push_str(letters.as_str());
            last = e;
        });
        out.push_str(&question[last..]);
        let out: String = out.chars().filter(|c| !matches!(c, '¿' | '¡')).collect();
        (out != question).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_typed_without_accents_get_the_texts_spelling() {
        let a = Accents::read([
            "¿Cómo se cambia la contraseña? Como root, cambie la contraseña con passwd.",
            "Como se ve, la configuración de red está en /etc. Esta red y está otra: está.",
        ]);
        assert_eq!(
            a.restore("como cambio la contrasena de la configuracion? Esta")
                .as_deref(),
            Some("como cambio la contraseña de la configuración? Está")
        );
        // the same question typed with accents (capital kept) is the same text
        let restored = Some("Como cambio la contraseña de la configuración? Está");
        assert_eq!(
            a.restore("¿Cómo cambio la contraseña de la configuración? Está")
                .as_deref(),
            restored
        );
        assert_eq!(
            a.restore("Como cambio la contrasena de la configuracion? Esta")
                .as_deref(),
            restored
        );
        assert_eq!(a.restore("Rápido"), Some("Rapido".to_string()));
        assert_eq!(a.restore("root passwd"), None);
        assert!(Accents::read(["plain English text"]).is_empty());
        assert_eq!(Accents::default().restore("contrasena"), None);
    }
}

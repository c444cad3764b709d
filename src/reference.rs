//! References: where a passage is, in every form a reader writes or is shown.
//!
//! - human: `§2 General strike poses question of power ¶3` (`§1 ¶3` for an untitled section)
//! - short: `2.3`, a range `2.3-5`, a whole section `2`; `bolivia:2.3` when several documents are loaded
//! - section title: `John 3:16`, `john 3 16`, `Elements of dual power ¶1`
//!
//! Parsing is forgiving about spaces, case, `§`/`¶` and dashes, and every form round-trips:
//! `Reference::parse(&r.human(c), c) == Ok(r)`.

use crate::corpus::{Corpus, Document, Section};
use crate::error::UserError;

/// A resolved reference: a whole section, or a range of its passages. Always points at text that
/// exists in the corpus it was parsed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Index of the document in the corpus.
    pub doc: u32,
    /// Section number, from 1.
    pub section: u32,
    /// Passage range (first, last), both from 1; `None` for the whole section.
    pub passages: Option<(u32, u32)>,
}

impl Reference {
    /// A reference to one passage.
    pub fn passage(doc: u32, section: u32, passage: u32) -> Self {
        Reference {
            doc,
            section,
            passages: Some((passage, passage)),
        }
    }

    /// `§2 General strike poses question of power ¶3`, prefixed `doc: ` when several documents are loaded.
    pub fn human(&self, corpus: &Corpus) -> String {
        let mut out = self.prefix(corpus);
        out.push('§');
        out.push_str(&self.section.to_string());
        if let Some(title) = self.section_title(corpus) {
            out.push(' ');
            out.push_str(title);
        }
        if let Some(range) = self.range_text() {
            out.push_str(" ¶");
            out.push_str(&range);
        }
        out
    }

    /// `2.3`, `2.3-5`, `2`; prefixed `doc:` when several documents are loaded.
    pub fn short(&self, corpus: &Corpus) -> String {
        let mut out = self.prefix(corpus);
        out.push_str(&self.section.to_string());
        if let Some(range) = self.range_text() {
            out.push('.');
            out.push_str(&range);
        }
        out
    }

    /// `John 3:16` when the title ends in a number, `Elements of dual power ¶1` otherwise; the
    /// human form for untitled sections.
    pub fn titled(&self, corpus: &Corpus) -> String {
        let Some(title) = self.section_title(corpus) else {
            return self.human(corpus);
        };
        let mut out = self.prefix(corpus);
        out.push_str(title);
        if let Some(range) = self.range_text() {
            if title.ends_with(|c: char| c.is_ascii_digit()) {
                out.push(':');
            } else {
                out.push_str(" ¶");
            }
            out.push_str(&range);
        }
        out
    }

    fn prefix(&self, corpus: &Corpus) -> String {
        match corpus.documents.get(self.doc as usize) {
            Some(d) if corpus.is_multi() => format!("{}:", d.id),
            _ => String::new(),
        }
    }

    fn range_text(&self) -> Option<String> {
        let (a, b) = self.passages?;
        Some(if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        })
    }

    fn section_title<'c>(&self, corpus: &'c Corpus) -> Option<&'c str> {
        corpus
            .documents
            .get(self.doc as usize)?
            .section(self.section)?
            .title
            .as_deref()
    }

    /// The document this points into.
    pub fn document<'c>(&self, corpus: &'c Corpus) -> Option<&'c Document> {
        corpus.documents.get(self.doc as usize)
    }

    /// The section this points into.
    pub fn section<'c>(&self, corpus: &'c Corpus) -> Option<&'c Section> {
        self.document(corpus)?.section(self.section)
    }

    /// Parses any accepted form and checks it against the corpus.
    pub fn parse(input: &str, corpus: &Corpus) -> Result<Reference, UserError> {
        let bad = || UserError::BadReference {
            input: truncate(input, 80),
        };
        let text = normalize(input);
        if text.is_empty() {
            return Err(bad());
        }
        // A `doc:` prefix, when the part before the colon names a document.
        let mut doc_filter: Option<u32> = None;
        let mut rest = text.as_str();
        if let Some((head, tail)) = text.split_once(':') {
            let head = head.trim();
            if !head.contains(' ')
                && let Some(d) = find_document(corpus, head)
            {
                doc_filter = Some(d);
                rest = tail.trim();
            }
        }
        let (section_spec, range) = parse_numeric(rest)
            .or_else(|| parse_human(rest))
            .map_or_else(
                || parse_titled(rest, corpus, doc_filter).map(|(d, s, r)| (Spec::Found(d, s), r)),
                |(s, r)| Some((Spec::Number(s), r)),
            )
            .ok_or_else(bad)?;
        let (doc, section) = match section_spec {
            Spec::Found(d, s) => (d, s),
            Spec::Number(s) => {
                let doc = match doc_filter {
                    Some(d) => d,
                    None if corpus.documents.len() == 1 => 0,
                    None => {
                        return Err(UserError::UnknownReference(format!(
                            "Several texts are loaded; say which one, e.g. `{}:{}`. Loaded: {}.",
                            corpus.documents.first().map_or("doc", |d| d.id.as_str()),
                            rest,
                            doc_list(corpus)
                        )));
                    }
                };
                (doc, s)
            }
        };
        let reference = Reference {
            doc,
            section,
            passages: range,
        };
        reference.check(corpus)?;
        Ok(reference)
    }

    /// Checks that the section and passages exist, with a message a reader can act on.
    pub fn check(&self, corpus: &Corpus) -> Result<(), UserError> {
        let document = self.document(corpus).ok_or_else(|| {
            UserError::UnknownReference("That reference points at no loaded text.".into())
        })?;
        let count = document.sections.len();
        let Some(section) = document.section(self.section) else {
            return Err(UserError::UnknownReference(format!(
                "There is no section {} in “{}”: it has {} section{}, numbered 1 to {}. See the table of contents.",
                self.section,
                document.title,
                count,
                if count == 1 { "" } else { "s" },
                count
            )));
        };
        if let Some((a, b)) = self.passages {
            let n = section.passages.len() as u32;
            let name = match &section.title {
                Some(t) => format!("§{} {}", section.number, t),
                None => format!("§{}", section.number),
            };
            if a == 0 || b < a {
                return Err(UserError::UnknownReference(format!(
                    "Passages are numbered from 1 and a range runs forwards, e.g. `{}.1-{}`.",
                    section.number,
                    n.max(1)
                )));
            }
            if b > n {
                return Err(UserError::UnknownReference(format!(
                    "{name} has {n} passage{}; there is no ¶{}.",
                    if n == 1 { "" } else { "s" },
                    if a > n { a } else { b }
                )));
            }
        }
        Ok(())
    }
}

/// A passage range (first, last), or `None` for a whole section.
type PassageRange = Option<(u32, u32)>;

enum Spec {
    Number(u32),
    Found(u32, u32),
}

/// Collapses white space, unifies dashes, trims.
fn normalize(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| match c {
            '–' | '—' | '‐' | '‑' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    s.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn truncate(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

fn number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `3`, `3-5`, `3 - 5`
fn parse_range(s: &str) -> Option<(u32, u32)> {
    match s.split_once('-') {
        Some((a, b)) => {
            let a = number(a)?;
            // `2.3-2.5` (same section written out again) is accepted too
            let b = b.trim();
            let b = match b.split_once('.') {
                Some((_, p)) => number(p)?,
                None => number(b)?,
            };
            Some((a, b))
        }
        None => number(s).map(|a| (a, a)),
    }
}

/// `2`, `2.3`, `2.3-5`
fn parse_numeric(s: &str) -> Option<(u32, Option<(u32, u32)>)> {
    let s = s.trim();
    match s.split_once('.') {
        Some((sec, para)) => Some((number(sec)?, Some(parse_range(para)?))),
        None => Some((number(s)?, None)),
    }
}

/// `§2`, `§2 Some title ¶3`, `§ 2 ¶ 3-5`, `§2.3`
fn parse_human(s: &str) -> Option<(u32, Option<(u32, u32)>)> {
    let s = s.trim().strip_prefix('§')?.trim_start();
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let section = number(&digits)?;
    let after = &s[digits.len()..];
    if let Some(para) = after.strip_prefix('.') {
        return Some((section, Some(parse_range(para)?)));
    }
    match after.rfind('¶') {
        Some(i) => Some((section, Some(parse_range(&after[i + '¶'.len_utf8()..])?))),
        None => Some((section, None)),
    }
}

/// `John 3:16`, `john 3 16`, `John 3`, `Elements of dual power ¶1`
fn parse_titled(
    s: &str,
    corpus: &Corpus,
    doc_filter: Option<u32>,
) -> Option<(u32, u32, PassageRange)> {
    let s = s.trim().trim_start_matches('§').trim();
    if let Some((d, sec)) = find_title(corpus, s, doc_filter) {
        return Some((d, sec, None));
    }
    // Split a trailing passage number (range) off: `title:16`, `title 16`, `title ¶16`, `title 16-18`.
    let cut = s.rfind([':', ' ', '¶'])?;
    let (title, tail) = (&s[..cut], &s[cut..]);
    let tail = tail.trim_start_matches([':', ' ', '¶']);
    let range = parse_range(tail)?;
    let title = title.trim().trim_end_matches(['¶', ':']).trim();
    let (d, sec) = find_title(corpus, title, doc_filter)?;
    Some((d, sec, Some(range)))
}

fn title_key(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '§' | '¶'))
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn find_title(corpus: &Corpus, title: &str, doc_filter: Option<u32>) -> Option<(u32, u32)> {
    let key = title_key(title);
    if key.is_empty() {
        return None;
    }
    corpus
        .documents
        .iter()
        .enumerate()
        .filter(|(d, _)| doc_filter.is_none_or(|f| f as usize == *d))
        .find_map(|(d, doc)| {
            doc.sections
                .iter()
                .find(|s| s.title.as_deref().is_some_and(|t| title_key(t) == key))
                .map(|s| (d as u32, s.number))
        })
}

/// A document by id: exact, then unique prefix, then unique substring (case-insensitive).
pub fn find_document(corpus: &Corpus, name: &str) -> Option<u32> {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return None;
    }
    let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
    if let Some(i) = ids.iter().position(|id| *id == name) {
        return Some(i as u32);
    }
    let prefix: Vec<usize> = (0..ids.len())
        .filter(|&i| ids[i].starts_with(&name))
        .collect();
    if let [only] = prefix[..] {
        return Some(only as u32);
    }
    let inner: Vec<usize> = (0..ids.len()).filter(|&i| ids[i].contains(&name)).collect();
    if let [only] = inner[..] {
        return Some(only as u32);
    }
    None
}

/// `a, b, c` of the loaded document ids.
pub fn doc_list(corpus: &Corpus) -> String {
    corpus
        .documents
        .iter()
        .map(|d| d.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

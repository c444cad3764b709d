//! Button custom ids: what a button does, in at most 100 characters, parsed back when it is
//! pressed — possibly days later, after the texts changed, or by another replica.
//!
//! Documents are named by a stable [`DocKey`] (a short hash of the document's id, its file name),
//! never by their position among the loaded files, so adding a text renumbers nothing. A button
//! that quotes a passage also carries the [`version`](PassageKey::version) of its document's text
//! (a short hash of it): when the text has changed since, the button says it is out of date
//! instead of quoting whatever now sits at that number.
//!
//! - `more:<offset>:<doc key or ->:t:<question>`: the next page of an answer (the question itself
//!   when it fits, otherwise `h:<hash>` of a question the bot remembers);
//! - `full:<doc key>.<version>.<section>.<passage>`: the whole passage, privately;
//! - `near:…`: the passage with its neighbours, privately;
//! - `read:…`: reading mode, go to that passage.
//!
//! Anything that does not parse is `None`, never a panic; the handler checks what parses against
//! the corpus, so a forged id gets a polite error.

use std::collections::HashMap;

use crate::corpus::{Corpus, Document};
use crate::reference::Reference;
use crate::reply::limits;

/// A document, named stably: a hash of its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocKey(pub u32);

impl DocKey {
    pub fn of(doc: &Document) -> DocKey {
        DocKey(xxhash_rust::xxh3::xxh3_64(doc.id.as_bytes()) as u32)
    }
}

/// A hash of a document's text (title, section titles, passages): its version.
pub fn version(doc: &Document) -> u32 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(doc.title.as_bytes());
    for s in &doc.sections {
        h.update(&s.number.to_le_bytes());
        h.update(s.title.as_deref().unwrap_or_default().as_bytes());
        for p in &s.passages {
            h.update(&p.number.to_le_bytes());
            h.update(p.text.as_bytes());
        }
    }
    h.digest() as u32
}

/// One passage of one version of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PassageKey {
    pub doc: DocKey,
    /// The document's [`version`] when the button was made.
    pub version: u32,
    pub section: u32,
    pub passage: u32,
}

/// Why a passage key no longer resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// No loaded document has that key (removed or renamed), or the passage is not in it.
    Missing,
    /// The document is there, but its text changed since the button was made.
    Changed,
}

/// The keys of the loaded documents, computed once (hashing all of kjv.md takes about a
/// millisecond), to make and resolve passage keys.
#[derive(Debug, Clone, Default)]
pub struct DocKeys {
    /// (key, version) by document index.
    keys: Vec<(DocKey, u32)>,
    index: HashMap<DocKey, u32>,
}

impl DocKeys {
    pub fn new(corpus: &Corpus) -> DocKeys {
        let keys: Vec<(DocKey, u32)> = corpus
            .documents
            .iter()
            .map(|d| (DocKey::of(d), version(d)))
            .collect();
        let mut index = HashMap::with_capacity(keys.len());
        for (i, (k, _)) in keys.iter().enumerate() {
            if index.insert(*k, i as u32).is_some() {
                tracing::warn!(
                    document = %corpus.documents[i].id,
                    "two documents share a button key: buttons of one open the other"
                );
            }
        }
        DocKeys { keys, index }
    }

    /// The stable key of the document at `index` (its position among the loaded files).
    pub fn doc(&self, index: u32) -> Option<DocKey> {
        self.keys.get(index as usize).map(|(k, _)| *k)
    }

    /// The position of the document with this key.
    pub fn position(&self, key: DocKey) -> Option<u32> {
        self.index.get(&key).copied()
    }

    /// The key of the passage `at` (its first passage, for a range).
    pub fn passage(&self, at: Reference) -> Option<PassageKey> {
        let (doc, version) = *self.keys.get(at.doc as usize)?;
        Some(PassageKey {
            doc,
            version,
            section: at.section,
            passage: at.passages.map_or(1, |(a, _)| a),
        })
    }

    /// The passage a key names, if its document is loaded and unchanged.
    pub fn resolve(&self, key: PassageKey) -> Result<Reference, Gone> {
        let d = self.position(key.doc).ok_or(Gone::Missing)?;
        if self.keys[d as usize].1 != key.version {
            return Err(Gone::Changed);
        }
        Ok(Reference::passage(d, key.section, key.passage))
    }
}

/// What a button does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonId {
    More {
        offset: usize,
        doc: Option<DocKey>,
        question: QuestionKey,
    },
    Full(PassageKey),
    Near(PassageKey),
    Read(PassageKey),
    /// Bookmark the passage (issue 14).
    Mark(PassageKey),
}

/// A question carried by a "more results" button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKey {
    Text(String),
    Hash(u64),
}

impl QuestionKey {
    /// The question itself when it fits a custom id with this offset and document, else its hash.
    pub fn for_question(question: &str, offset: usize, doc: Option<DocKey>) -> QuestionKey {
        let text = ButtonId::More {
            offset,
            doc,
            question: QuestionKey::Text(question.to_string()),
        };
        if text.encode().chars().count() <= limits::CUSTOM_ID {
            QuestionKey::Text(question.to_string())
        } else {
            QuestionKey::Hash(question_hash(question))
        }
    }
}

/// The hash that stands for a question too long for a custom id.
pub fn question_hash(question: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(question.as_bytes())
}

impl ButtonId {
    /// The custom id.
    pub fn encode(&self) -> String {
        let at = |k: &PassageKey| {
            format!(
                "{:08x}.{:08x}.{}.{}",
                k.doc.0, k.version, k.section, k.passage
            )
        };
        match self {
            ButtonId::More {
                offset,
                doc,
                question,
            } => {
                let doc = doc.map_or_else(|| "-".to_string(), |d| format!("{:08x}", d.0));
                match question {
                    QuestionKey::Text(t) => format!("more:{offset}:{doc}:t:{t}"),
                    QuestionKey::Hash(h) => format!("more:{offset}:{doc}:h:{h:016x}"),
                }
            }
            ButtonId::Full(k) => format!("full:{}", at(k)),
            ButtonId::Near(k) => format!("near:{}", at(k)),
            ButtonId::Read(k) => format!("read:{}", at(k)),
            ButtonId::Mark(k) => format!("mark:{}", at(k)),
        }
    }

    /// Parses a custom id; `None` for anything this version did not make.
    pub fn parse(id: &str) -> Option<ButtonId> {
        if id.chars().count() > limits::CUSTOM_ID {
            return None;
        }
        let hex32 = |s: &str| -> Option<u32> {
            (s.len() == 8 && s.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u32::from_str_radix(s, 16).ok())
                .flatten()
        };
        let (kind, rest) = id.split_once(':')?;
        let at = |s: &str| -> Option<PassageKey> {
            let mut it = s.split('.');
            let doc = DocKey(hex32(it.next()?)?);
            let version = hex32(it.next()?)?;
            let section = it.next()?.parse().ok()?;
            let passage = it.next()?.parse().ok()?;
            if it.next().is_some() {
                return None;
            }
            Some(PassageKey {
                doc,
                version,
                section,
                passage,
            })
        };
        match kind {
            "more" => {
                let mut it = rest.splitn(4, ':');
                let offset = it.next()?.parse().ok()?;
                let doc = match it.next()? {
                    "-" => None,
                    d => Some(DocKey(hex32(d)?)),
                };
                let question = match (it.next()?, it.next()?) {
                    ("t", t) if !t.trim().is_empty() => QuestionKey::Text(t.to_string()),
                    ("h", h) if h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        QuestionKey::Hash(u64::from_str_radix(h, 16).ok()?)
                    }
                    _ => return None,
                };
                Some(ButtonId::More {
                    offset,
                    doc,
                    question,
                })
            }
            "full" => at(rest).map(ButtonId::Full),
            "near" => at(rest).map(ButtonId::Near),
            "read" => at(rest).map(ButtonId::Read),
            "mark" => at(rest).map(ButtonId::Mark),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(doc: u32, section: u32, passage: u32) -> PassageKey {
        PassageKey {
            doc: DocKey(doc),
            version: 0xfeed_beef,
            section,
            passage,
        }
    }

    #[test]
    fn button_ids_round_trip() {
        let ids = [
            ButtonId::More {
                offset: 3,
                doc: None,
                question: QuestionKey::Text("what is dual: power?".into()),
            },
            ButtonId::More {
                offset: 6,
                doc: Some(DocKey(0xdead_beef)),
                question: QuestionKey::Hash(0xdead_beef),
            },
            ButtonId::Full(key(0, 2, 3)),
            ButtonId::Near(key(u32::MAX, 12, 30)),
            ButtonId::Read(key(7, 8, 1)),
        ];
        for id in ids {
            let s = id.encode();
            assert!(s.chars().count() <= limits::CUSTOM_ID, "{s}");
            assert_eq!(ButtonId::parse(&s), Some(id), "{s}");
        }
    }

    #[test]
    fn forged_ids_are_rejected() {
        for s in [
            "",
            "more",
            "more:x:-:t:q",
            "more:1:-:t:",
            "more:1:-:h:zz",
            "more:1:0:t:q",
            "full:1.2",
            "full:0.2.3",
            "full:00000000.00000000.1.2.3",
            "full:-0000001.00000000.2.3",
            "full:+0000001.00000000.2.3",
            "read:a.b.c.d",
            "boom:00000000.00000000.2.3",
        ] {
            assert_eq!(ButtonId::parse(s), None, "{s}");
        }
        assert_eq!(ButtonId::parse(&"x".repeat(101)), None);
    }

    #[test]
    fn keys_survive_a_new_document_and_notice_a_changed_one() {
        use crate::corpus::{Format, parse};
        let doc = |id: &str, body: &str| parse(id, id, Format::Markdown, body);
        let notes = doc("notes", "# Notes\n\n## One\n\nFirst.\n\nSecond.\n");
        let old = Corpus::new(vec![notes.clone()], vec![]);
        let before = DocKeys::new(&old);
        let at = Reference::passage(0, 1, 2);
        let k = before.passage(at).expect("key");
        // A new text sorted before it moves the document to position 1: the key still finds it.
        let grown = Corpus::new(vec![doc("annex", "# Annex\n\nA.\n"), notes], vec![]);
        let after = DocKeys::new(&grown);
        assert_eq!(after.resolve(k), Ok(Reference::passage(1, 1, 2)));
        // The same document with other words: out of date, not another passage.
        let edited = Corpus::new(
            vec![doc("notes", "# Notes\n\n## One\n\nFirst.\n\nChanged.\n")],
            vec![],
        );
        assert_eq!(DocKeys::new(&edited).resolve(k), Err(Gone::Changed));
        // Removed: missing.
        let other = Corpus::new(vec![doc("annex", "# Annex\n\nA.\n")], vec![]);
        assert_eq!(DocKeys::new(&other).resolve(k), Err(Gone::Missing));
    }

    #[test]
    fn long_questions_are_hashed() {
        let long = "why ".repeat(40);
        assert!(matches!(
            QuestionKey::for_question(&long, 3, None),
            QuestionKey::Hash(_)
        ));
        assert!(matches!(
            QuestionKey::for_question("what is dual power?", 3, Some(DocKey(1))),
            QuestionKey::Text(_)
        ));
    }
}

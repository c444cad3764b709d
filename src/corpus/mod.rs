//! The texts: documents made of numbered sections made of numbered passages.
//!
//! Loading (files, directories, the embedded default) lives in [`load`]; turning one text into a
//! [`Document`] lives in [`text`] (plain text) and [`markdown`], which do no I/O.

pub mod load;
pub mod markdown;
pub mod text;

pub use load::{DEFAULT_ID, embedded, load};

/// One passage: a paragraph of the text, stored character for character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Number within its section, from 1.
    pub number: u32,
    pub text: String,
}

/// A section: the text under one heading (or before the first heading, untitled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Number within its document, from 1, in reading order.
    pub number: u32,
    pub title: Option<String>,
    pub passages: Vec<Passage>,
}

/// One document of the corpus (one file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable id from the file name (lower-case, no extension), used in references like `bolivia:2.3`.
    pub id: String,
    pub title: String,
    pub sections: Vec<Section>,
}

impl Document {
    pub fn passage_count(&self) -> usize {
        self.sections.iter().map(|s| s.passages.len()).sum()
    }

    /// The section numbered `number` (from 1).
    pub fn section(&self, number: u32) -> Option<&Section> {
        let i = usize::try_from(number).ok()?.checked_sub(1)?;
        self.sections.get(i)
    }
}

impl Section {
    /// The passage numbered `number` (from 1).
    pub fn passage(&self, number: u32) -> Option<&Passage> {
        let i = usize::try_from(number).ok()?.checked_sub(1)?;
        self.passages.get(i)
    }
}

/// Where a passage sits: indices into `documents`, `sections` and `passages` (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub doc: u32,
    pub section: u32,
    pub passage: u32,
}

/// A passage with everything needed to cite it.
#[derive(Debug, Clone, Copy)]
pub struct PassageView<'a> {
    pub ord: u32,
    pub loc: Loc,
    pub document: &'a Document,
    pub section: &'a Section,
    pub passage: &'a Passage,
}

/// All loaded documents, with a flat numbering of passages (the "ordinal") shared with the index.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub documents: Vec<Document>,
    /// Files that were skipped, each with the reason, for the operator.
    pub warnings: Vec<String>,
    locs: Vec<Loc>,
}

impl Corpus {
    /// Builds a corpus from parsed documents.
    pub fn new(documents: Vec<Document>, warnings: Vec<String>) -> Self {
        let mut locs = Vec::new();
        for (d, doc) in documents.iter().enumerate() {
            for (s, sec) in doc.sections.iter().enumerate() {
                for p in 0..sec.passages.len() {
                    locs.push(Loc {
                        doc: d as u32,
                        section: s as u32,
                        passage: p as u32,
                    });
                }
            }
        }
        Corpus {
            documents,
            warnings,
            locs,
        }
    }

    /// Number of passages in all documents.
    pub fn len(&self) -> usize {
        self.locs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.locs.is_empty()
    }

    /// True when references need a document prefix (`bolivia:2.3`).
    pub fn is_multi(&self) -> bool {
        self.documents.len() > 1
    }

    /// The passage with ordinal `ord`.
    pub fn get(&self, ord: u32) -> Option<PassageView<'_>> {
        let loc = *self.locs.get(ord as usize)?;
        self.view(ord, loc)
    }

    fn view(&self, ord: u32, loc: Loc) -> Option<PassageView<'_>> {
        let document = self.documents.get(loc.doc as usize)?;
        let section = document.sections.get(loc.section as usize)?;
        let passage = section.passages.get(loc.passage as usize)?;
        Some(PassageView {
            ord,
            loc,
            document,
            section,
            passage,
        })
    }

    /// The ordinal of a location, if it exists.
    pub fn ord_of(&self, loc: Loc) -> Option<u32> {
        self.locs.binary_search(&loc).ok().map(|i| i as u32)
    }

    /// Every passage in reading order.
    pub fn passages(&self) -> impl Iterator<Item = PassageView<'_>> {
        self.locs
            .iter()
            .enumerate()
            .filter_map(|(i, loc)| self.view(i as u32, *loc))
    }

    /// Index of the document with this id.
    pub fn doc_index(&self, id: &str) -> Option<usize> {
        self.documents.iter().position(|d| d.id == id)
    }
}

/// Turns a file stem into a document id: lower case, words joined by `-`.
pub fn slug(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("document");
    }
    out
}

/// Prepares raw text for parsing: drops a byte-order mark and turns CRLF/CR line ends into LF.
pub fn normalize_newlines(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Which parser a file goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
}

impl Format {
    /// The format for a file extension, if cabildo reads it.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// Parses one document in the given format. Never fails: odd input yields a best-effort document.
pub fn parse(id: &str, fallback_title: &str, format: Format, raw: &str) -> Document {
    let raw = normalize_newlines(raw);
    match format {
        Format::Text => text::parse(id, fallback_title, &raw),
        Format::Markdown => markdown::parse(id, fallback_title, &raw),
    }
}

/// Groups passages under headings, numbering both. `items` is the document in reading order.
pub(crate) fn assemble(id: &str, title: String, items: Vec<Block>) -> Document {
    let mut sections: Vec<Section> = Vec::new();
    for item in items {
        match item {
            Block::Heading(t) => sections.push(Section {
                number: sections.len() as u32 + 1,
                title: Some(t),
                passages: Vec::new(),
            }),
            Block::Passage(text) => {
                if sections.is_empty() {
                    sections.push(Section {
                        number: 1,
                        title: None,
                        passages: Vec::new(),
                    });
                }
                if let Some(sec) = sections.last_mut() {
                    let number = sec.passages.len() as u32 + 1;
                    sec.passages.push(Passage { number, text });
                }
            }
        }
    }
    Document {
        id: id.to_string(),
        title,
        sections,
    }
}

/// A parsed block before numbering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Heading(String),
    Passage(String),
}

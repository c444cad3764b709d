//! The texts: documents made of numbered sections made of numbered passages.
//!
//! Loading (files, directories, the embedded default) lives in [`load`]; turning one text into a
//! [`Document`] lives in [`text`] (plain text) and [`markdown`], which do no I/O; [`heading`] reads
//! the text's own numbers and division words, [`overrides`] what a document says about itself.
//! [`html`], [`epub`] and [`pdf`] read the other formats people have into the same model, and
//! [`format`] decides which reader a file goes to from its bytes ([`format::sniff`],
//! [`format::parse_bytes`]); [`notes`] ties footnotes to the passages that cite them. Bytes of
//! unknown origin (a text added from Discord) are judged by their content alone, decoded from the
//! encodings people save texts in, and read by [`bytes::parse_upload`], which hands HTML, EPUB and
//! PDF to the same readers.
//! [`assemble`] numbers sections and passages and decides whether references use the text's own
//! numbering ([`Numbering`]).

pub mod bytes;
mod conventions;
pub mod epub;
pub mod format;
pub mod heading;
pub mod html;
pub mod limits;
pub mod load;
pub mod markdown;
pub mod notes;
pub mod overrides;
pub mod pdf;
mod standard_fonts;
pub mod text;

pub use format::{Format, parse_bytes, sniff};
pub use limits::{Limits, ReadError};
pub use overrides::Overrides;

pub use bytes::{BytesError, FromBytes, Hints, Sniffed, parse_upload};
pub use load::{DEFAULT_ID, embedded, load, load_with};

use crate::language::Language;

/// One passage: a paragraph of the text, stored character for character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Number within its section, from 1.
    pub number: u32,
    /// The item's own number when the text numbers it (`3` of rule `3.`, `a` of `(a)`), unique in
    /// its section.
    pub label: Option<String>,
    pub text: String,
    /// The footnotes this passage cites, in the order it cites them (its text shows each marker
    /// as `[label]`). Searched with the passage and shown under its quote; never passages.
    pub notes: Vec<Note>,
    /// The printed page it starts on (a PDF's page label: `12`, `iv`), when the file has pages.
    pub page: Option<String>,
}

/// A footnote, endnote or margin note, kept with the passage that cites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The marker as the passage shows it, without brackets: `2`, `*`, `python`.
    pub label: String,
    /// The note's text (paragraphs separated by a blank line).
    pub text: String,
}

/// A section: the text under one heading (or before the first heading, untitled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Number within its document, from 1, in reading order.
    pub number: u32,
    /// The text's own number for it, unique in the document: `4.1`, `A.3`, `Chapter IV`,
    /// `Article 5`; for [`Numbering::Chapters`] the title itself (`John 11`).
    pub label: Option<String>,
    pub title: Option<String>,
    /// Nesting: 1 outermost (part, `1.`, `#`), deeper for chapters, `1.1`, `##`.
    pub level: u8,
    pub passages: Vec<Passage>,
}

/// How a document's references are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Numbering {
    /// Sections numbered 1, 2, 3 … in reading order: `2.3`, `§2 Title ¶3`.
    #[default]
    Sequential,
    /// The text's own numbers: `§4.1 Powers (3)`, `Article 5 ¶2`, `Chapter IV ¶3`.
    Own,
    /// Titles that carry a book and chapter number: `John 11:35`.
    Chapters,
}

/// One document of the corpus (one file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Stable id from the file name (lower-case, no extension), used in references like `bolivia:2.3`.
    pub id: String,
    pub title: String,
    /// The author, when the file says (EPUB `dc:creator`, PDF `/Author`, HTML `<meta name=author>`).
    pub author: Option<String>,
    /// The language the file declares (EPUB `dc:language`, HTML `lang`), as written (`en`, `es-AR`).
    pub declared_language: Option<String>,
    pub numbering: Numbering,
    /// The text's language (detected from its passages, or as its front matter or sidecar says):
    /// its words are analysed by that language's rules.
    pub language: Language,
    pub sections: Vec<Section>,
}

impl Document {
    /// The language of the document's passages, as [`crate::language::detect`] tells it.
    pub fn detect_language(&self) -> Language {
        crate::language::detect(
            self.sections
                .iter()
                .flat_map(|s| s.passages.iter().map(|p| p.text.as_str())),
        )
    }

    /// Sets the language the document's words are analysed by: the one its front matter, sidecar
    /// or uploader told (`told`), else the one detected from its passages, else the one the file
    /// declares (`lang`, `dc:language`; often a template's default, so detection comes first).
    pub fn settle_language(&mut self, told: Option<Language>) {
        self.language = told
            .or_else(|| Some(self.detect_language()).filter(|l| l.is_determined()))
            .or_else(|| self.declared_language.as_deref().and_then(Language::parse))
            .unwrap_or(Language::UNDETERMINED);
    }

    pub fn passage_count(&self) -> usize {
        self.sections.iter().map(|s| s.passages.len()).sum()
    }

    /// The titles of the sections that contain section `number` (by level), innermost first:
    /// `The Debian Free Software Guidelines (DFSG)` for its item `Example Licenses`.
    pub fn ancestor_titles(&self, number: u32) -> Vec<&str> {
        let Some(i) = usize::try_from(number).ok().and_then(|n| n.checked_sub(1)) else {
            return Vec::new();
        };
        let Some(mut level) = self.sections.get(i).map(|s| s.level) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for s in self.sections[..i].iter().rev() {
            if s.level < level {
                level = s.level;
                if let Some(t) = s.title.as_deref() {
                    out.push(t);
                }
            }
        }
        out
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

impl AsRef<Corpus> for Corpus {
    fn as_ref(&self) -> &Corpus {
        self
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

/// Parses one document in the given format. Never fails: odd input yields a best-effort document.
pub fn parse(id: &str, fallback_title: &str, format: Format, raw: &str) -> Document {
    parse_with(id, fallback_title, format, raw, Overrides::default())
}

/// [`parse`], with settings from outside the text (a sidecar file); front matter in the text is
/// read too, and `outside` wins where both say something.
pub fn parse_with(
    id: &str,
    fallback_title: &str,
    format: Format,
    raw: &str,
    outside: Overrides,
) -> Document {
    let raw = normalize_newlines(raw);
    let (front, body) = overrides::front_matter(&raw);
    let o = front.merged(outside);
    let mut doc = match format {
        Format::Markdown => markdown::parse(id, fallback_title, body, &o),
        // The HTML reader settles the language itself (once: detection is most of a read's time).
        Format::Html => return html::parse(id, fallback_title, body, &o),
        // EPUB and PDF are not text: they go through `parse_bytes`; as text they read as text.
        Format::Text | Format::Epub | Format::Pdf => text::parse(id, fallback_title, body, &o),
    };
    doc.settle_language(o.language);
    doc
}

/// Appends a passage to the last section (an untitled first section when there is none yet).
fn push_passage(
    sections: &mut Vec<Section>,
    texts: &mut Vec<Option<String>>,
    label: Option<String>,
    text: String,
    page: Option<String>,
) {
    if sections.is_empty() {
        sections.push(Section {
            number: 1,
            label: None,
            title: None,
            level: 1,
            passages: Vec::new(),
        });
        texts.push(None);
    }
    if let Some(sec) = sections.last_mut() {
        let number = sec.passages.len() as u32 + 1;
        sec.passages.push(Passage {
            number,
            label,
            text,
            notes: Vec::new(),
            page,
        });
    }
}

/// Groups passages under headings, numbering both, and decides the document's [`Numbering`]
/// (unless `numbering` forces it): its own when at least two sections (or half of them) carry the
/// text's numbers, chapters when every title ends in a chapter number (`John 11`), else sequential.
/// Own labels that repeat are told apart by their parent's (`Part II Chapter I`) or dropped.
pub(crate) fn assemble(
    id: &str,
    title: String,
    items: Vec<Block>,
    numbering: Option<Numbering>,
) -> Document {
    let items = without_echoed_headings(items);
    let mut sections: Vec<Section> = Vec::new();
    // Full heading text of each section, used as its title when numbering is sequential.
    let mut texts: Vec<Option<String>> = Vec::new();
    let mut page: Option<String> = None;
    for item in items {
        match item {
            Block::Page(label) => page = Some(label),
            Block::NoteDef(note) => {
                let text = format!("[{}] {}", note.label, note.text);
                push_passage(&mut sections, &mut texts, None, text, page.clone());
            }
            Block::Notes(notes) => {
                if let Some(p) = sections.last_mut().and_then(|s| s.passages.last_mut()) {
                    p.notes.extend(notes);
                }
            }
            Block::Heading {
                label,
                title,
                text,
                level,
            } => {
                sections.push(Section {
                    number: sections.len() as u32 + 1,
                    label,
                    title: title.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
                    level: level.max(1),
                    passages: Vec::new(),
                });
                texts.push(Some(text.split_whitespace().collect::<Vec<_>>().join(" ")));
            }
            Block::Passage { label, text } => {
                push_passage(&mut sections, &mut texts, label, text, page.clone());
            }
        }
    }
    // The untitled opening stands at the level of the outermost heading after it, so that a text
    // of `Article I`, `Article II`… does not show its articles indented under nothing.
    if texts.first().is_some_and(Option::is_none)
        && let Some(outer) = sections.iter().skip(1).map(|s| s.level).min()
        && let Some(opening) = sections.first_mut()
    {
        opening.level = outer;
    }
    for sec in &mut sections {
        let mut seen = std::collections::HashSet::new();
        for p in &mut sec.passages {
            if let Some(l) = &p.label
                && !seen.insert(l.to_lowercase())
            {
                p.label = None;
            }
        }
    }
    let labelled = sections.iter().filter(|s| s.label.is_some()).count();
    let numbering =
        numbering.unwrap_or(if labelled >= 2 || (labelled == 1 && sections.len() <= 2) {
            Numbering::Own
        } else if chapter_titles(&sections) {
            Numbering::Chapters
        } else {
            Numbering::Sequential
        });
    match numbering {
        Numbering::Sequential => {
            for (sec, text) in sections.iter_mut().zip(texts) {
                if sec.label.take().is_some() {
                    sec.title = text;
                }
                // Passages keep their own numbers (`3.` of a list of theses): cited in order,
                // they can still be typed as the text numbers them.
            }
        }
        Numbering::Chapters => {
            for sec in &mut sections {
                sec.label = sec.title.clone();
            }
            unique_labels(&mut sections);
        }
        Numbering::Own => {
            appendix_series(&mut sections);
            unique_labels(&mut sections);
        }
    }
    Document {
        id: id.to_string(),
        title,
        author: None,
        declared_language: None,
        numbering,
        // Set by the caller: from the document's own settings, or detected.
        language: Language::UNDETERMINED,
        sections,
    }
}

/// Drops an unnumbered heading with nothing under it that the next heading repeats with its
/// number (SiSU's EPUBs open every chapter with a page holding only `About this manual`, then
/// the chapter's own `1. About this manual`).
fn without_echoed_headings(items: Vec<Block>) -> Vec<Block> {
    let flat = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut drop = vec![false; items.len()];
    for (i, b) in items.iter().enumerate() {
        let Block::Heading {
            label: None, text, ..
        } = b
        else {
            continue;
        };
        let next = items[i + 1..]
            .iter()
            .find(|b| matches!(b, Block::Heading { .. } | Block::Passage { .. }));
        if let Some(Block::Heading {
            label: Some(_),
            title: Some(t),
            ..
        }) = next
        {
            drop[i] = flat(t) == flat(text);
        }
    }
    items
        .into_iter()
        .zip(drop)
        .filter_map(|(b, d)| (!d).then_some(b))
        .collect()
}

/// A second run of the outermost numbers (`1.`–`12.`, then `1.` again): the appendices of a
/// book that numbers them afresh (the Debian Policy Manual's). Its labels are prefixed with the
/// division word of the heading that announces it (`Appendices` → `Appendix 4.1`), or with
/// `Appendix` when nothing announces it; a run after a heading of several words (a second list
/// under its own title) is left to [`unique_labels`].
fn appendix_series(sections: &mut [Section]) {
    let Some(top) = sections
        .iter()
        .filter(|s| s.label.as_deref().is_some_and(|l| !l.contains([' ', '.'])))
        .map(|s| s.level)
        .min()
    else {
        return;
    };
    let mut seen = 0usize;
    let mut prefix: Option<String> = None;
    let mut announced: Option<Option<String>> = None;
    for sec in sections.iter_mut() {
        let Some(label) = sec.label.clone() else {
            if sec.level <= top {
                let title = sec.title.as_deref().unwrap_or("");
                announced = Some(heading::series_word(title));
            }
            continue;
        };
        if label.contains(' ') {
            continue;
        }
        if sec.level == top && !label.contains('.') {
            if seen >= 2 && matches!(label.as_str(), "0" | "1" | "A" | "I") {
                prefix = match announced.take() {
                    None => Some("Appendix".to_string()),
                    Some(Some(word)) => Some(word),
                    Some(None) => None,
                };
                if prefix.is_none() {
                    return;
                }
            }
            seen += 1;
            announced = None;
        }
        if let Some(p) = &prefix {
            sec.label = Some(format!("{p} {label}"));
        }
    }
}

/// Every title reads `Name N` (a book and its chapter), they are all different, at least two.
fn chapter_titles(sections: &[Section]) -> bool {
    let titled: Vec<&str> = sections.iter().filter_map(|s| s.title.as_deref()).collect();
    let untitled = sections.len() - titled.len();
    let mut seen = std::collections::HashSet::new();
    titled.len() >= 2
        && untitled <= 1
        && titled.iter().all(|t| {
            t.rsplit_once(' ').is_some_and(|(name, n)| {
                !name.trim().is_empty()
                    && n.len() <= 4
                    && !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit())
            }) && seen.insert(t.to_lowercase())
        })
}

/// Makes labels unique: a repeated one is prefixed by the label of the section it sits in
/// (`Part II Chapter I`); one still repeated is dropped (its section is then cited `#n`).
/// A run is the stretch of sections after one unnumbered heading: when one of its labels cannot be
/// told apart, the whole run is cited `#n`, so that a second list numbered from 1 (the Debian Free
/// Software Guidelines after the Social Contract) is not half own numbers, half `#n`.
fn unique_labels(sections: &mut [Section]) {
    let key = |l: &str| l.to_lowercase();
    let mut seen = std::collections::HashSet::new();
    let mut parents: Vec<(u8, String)> = Vec::new();
    let mut run = 0usize;
    let mut runs = Vec::with_capacity(sections.len());
    let mut broken = std::collections::HashSet::new();
    for sec in sections.iter_mut() {
        parents.retain(|(lv, _)| *lv < sec.level);
        let Some(label) = sec.label.clone() else {
            run += 1;
            runs.push(run);
            continue;
        };
        runs.push(run);
        if !seen.insert(key(&label)) {
            // `III` then `1` → `III.1` (a nested number typed as its path); words keep a space
            // (`Part II Chapter I`).
            let qualified = parents.last().map(|(_, p)| {
                if p.contains(' ') || label.contains(' ') {
                    format!("{p} {label}")
                } else {
                    format!("{p}.{label}")
                }
            });
            sec.label = qualified.filter(|q| seen.insert(key(q)));
            if sec.label.is_none() {
                broken.insert(run);
            }
        }
        if let Some(l) = &sec.label {
            parents.push((sec.level, l.clone()));
        }
    }
    for (sec, r) in sections.iter_mut().zip(runs) {
        if broken.contains(&r) {
            sec.label = None;
        }
    }
}

/// A parsed block before numbering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading: the text's own number (if any), the title without it, the whole heading as
    /// written (the title when numbering is sequential), its level.
    Heading {
        label: Option<String>,
        title: Option<String>,
        text: String,
        level: u8,
    },
    /// A passage, with the item's own number if it is one of a numbered list.
    Passage { label: Option<String>, text: String },
    /// The notes the passage just before cites.
    Notes(Vec<Note>),
    /// A note's text where the file has it (the foot of a chapter), not yet tied to the passage
    /// that cites it ([`notes::attach`] does that; one never tied is kept as a passage).
    NoteDef(Note),
    /// The passages after this start on the page with this label.
    Page(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_told_language_beats_detection_which_beats_what_the_file_declares() {
        let spanish = "La asamblea popular decide sobre todos los asuntos de la comunidad y sus \
                       delegados rinden cuentas ante ella cada semana, sin excepción alguna.";
        let mut doc = parse("d", "D", Format::Text, spanish);
        assert_eq!(doc.language, Language::SPANISH, "detected");
        doc.declared_language = Some("en".into());
        doc.settle_language(None);
        assert_eq!(doc.language, Language::SPANISH, "a template's lang= loses");
        doc.settle_language(Some(Language::ENGLISH));
        assert_eq!(doc.language, Language::ENGLISH, "told");
        let mut short = parse("s", "S", Format::Text, "¡Hola!");
        short.declared_language = Some("es-AR".into());
        short.settle_language(None);
        assert_eq!(
            short.language,
            Language::SPANISH,
            "declared, when detection cannot tell"
        );
    }
}

//! The other use cases every front end shares: quoting passages by reference, and the table of
//! contents. Plain data out; rendering is elsewhere.

use serde::Serialize;

use crate::corpus::Corpus;
use crate::error::UserError;
use crate::reference::{Reference, find_document};

/// Passages quoted by reference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quote {
    pub reference: String,
    pub short_ref: String,
    pub doc_id: String,
    pub doc_title: String,
    pub section: u32,
    pub section_title: Option<String>,
    pub passages: Vec<QuotedPassage>,
    #[serde(skip)]
    pub at: Reference,
}

/// One passage of a quote.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuotedPassage {
    pub paragraph: u32,
    pub reference: String,
    pub short_ref: String,
    pub text: String,
    /// The passage's footnotes, shown under it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<QuotedNote>,
    /// The printed page it starts on (PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// A footnote shown under a quote: its marker's label (`2` for `[2]`) and its text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuotedNote {
    pub label: String,
    pub text: String,
}

/// The notes of a passage whose markers `text` (the whole passage or an excerpt of it) shows.
pub fn notes_shown(notes: &[crate::corpus::Note], text: &str) -> Vec<QuotedNote> {
    notes
        .iter()
        .filter(|n| text.contains(&format!("[{}]", n.label)))
        .map(|n| QuotedNote {
            label: n.label.clone(),
            text: n.text.clone(),
        })
        .collect()
}

/// Looks a reference up and returns its passages (a whole section when no passage is given).
pub fn quote(corpus: &Corpus, input: &str) -> Result<Quote, UserError> {
    let at = Reference::parse(input, corpus)?;
    quote_at(corpus, at)
}

/// The passages of an already resolved reference.
pub fn quote_at(corpus: &Corpus, at: Reference) -> Result<Quote, UserError> {
    at.check(corpus)?;
    let (Some(document), Some(section)) = (at.document(corpus), at.section(corpus)) else {
        return Err(UserError::UnknownReference(crate::i18n::Msg::new(
            "ref-no-text",
        )));
    };
    let (first, last) = at.passages.unwrap_or((1, section.passages.len() as u32));
    let passages = section
        .passages
        .iter()
        .filter(|p| p.number >= first && p.number <= last)
        .map(|p| {
            let r = Reference::passage(at.doc, section.number, p.number);
            QuotedPassage {
                paragraph: p.number,
                reference: r.human(corpus),
                short_ref: r.short(corpus),
                text: p.text.clone(),
                notes: notes_shown(&p.notes, &p.text),
                page: p.page.clone(),
            }
        })
        .collect();
    Ok(Quote {
        reference: at.human(corpus),
        short_ref: at.short(corpus),
        doc_id: document.id.clone(),
        doc_title: document.title.clone(),
        section: section.number,
        section_title: section.title.clone(),
        passages,
        at,
    })
}

/// The table of contents of one or all documents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Toc {
    pub documents: Vec<TocDocument>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocDocument {
    pub doc_id: String,
    pub title: String,
    /// The document's language (`en`, `es`): detected, or as the document says.
    pub language: crate::language::Language,
    pub passages: usize,
    pub sections: Vec<TocSection>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocSection {
    pub section: u32,
    /// The text's own number for the section, when the document numbers itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Nesting depth from 0 (outermost level of the document).
    pub depth: u8,
    pub title: Option<String>,
    pub passages: usize,
    pub short_ref: String,
}

/// Sections with their numbers and passage counts, for one document (id or unique part) or all.
pub fn toc(corpus: &Corpus, document: Option<&str>) -> Result<Toc, UserError> {
    let only = match document {
        Some(name) => {
            Some(
                find_document(corpus, name).ok_or_else(|| UserError::UnknownDocument {
                    name: name.to_string(),
                    available: crate::reference::doc_list(corpus),
                })?,
            )
        }
        None => None,
    };
    let documents = corpus
        .documents
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o as usize == *i))
        .map(|(i, d)| (i, d, d.sections.iter().map(|s| s.level).min().unwrap_or(1)))
        .map(|(i, d, top)| TocDocument {
            doc_id: d.id.clone(),
            title: d.title.clone(),
            language: d.language,
            passages: d.passage_count(),
            sections: d
                .sections
                .iter()
                .map(|s| TocSection {
                    section: s.number,
                    label: s.label.clone(),
                    depth: s.level.saturating_sub(top),
                    title: s.title.clone(),
                    passages: s.passages.len(),
                    short_ref: Reference {
                        doc: i as u32,
                        section: s.number,
                        passages: None,
                    }
                    .short(corpus),
                })
                .collect(),
        })
        .collect();
    Ok(Toc { documents })
}

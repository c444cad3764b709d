//! References: where a passage is, in every form a reader writes or is shown.
//!
//! - human: `§2 General strike poses question of power ¶3` (`§1 ¶3` for an untitled section)
//! - short: `2.3`, a range `2.3-5`, a whole section `2`; `bolivia:2.3` when several documents are loaded
//! - section title: `John 3:16`, `john 3 16`, `Elements of dual power ¶1`
//!
//! Documents that number themselves ([`Numbering::Own`]) are cited by their own numbers: shown
//! `§4.1 Powers (3)` / `4.1(3)` (item 3, as the text numbers it), `§4.1 Powers ¶2` / `4.1 ¶2` (the
//! second passage), `Chapter IV Title ¶3`, `Article 5(2)`; typed back also as `section 4.1 item 3`,
//! `§10`, `section 8`, `A.5`, `chapter IV`. A bare number there is the text's own section of that
//! number. Their sections without a number of their own are `#n` (the n-th section). Documents whose
//! headings are book and chapter ([`Numbering::Chapters`]) show `John 11:35` and still accept the
//! sequential `1008.35`.
//!
//! Chapters and parts are typed either way (`chapter 2`, `chapter II`, `II`, `part 3` for a text
//! that writes `Part III`), nested numbers through their path (`III.1.A`, `§III.1.A ¶2`), and the
//! printed pages of a PDF (`p. 12`, `page 12`: the passages that begin on that page).
//!
//! Parsing is forgiving about spaces, case, `§`/`¶` and dashes, and every form round-trips:
//! `Reference::parse(&r.human(c), c) == Ok(r)`.

use crate::corpus::heading::{self, to_roman};
use crate::corpus::{Corpus, Document, Numbering, Section};
use crate::error::UserError;
use crate::i18n::Msg;

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

    /// `§2 General strike poses question of power ¶3` (own numbering: `§4.1 Powers (3)`,
    /// chapters: `John 11:35`), prefixed `doc: ` when several documents are loaded.
    pub fn human(&self, corpus: &Corpus) -> String {
        match self.numbering(corpus) {
            Numbering::Sequential => self.sequential_human(corpus),
            Numbering::Own | Numbering::Chapters => self.own_form(corpus, true),
        }
    }

    /// `2.3`, `2.3-5`, `2` (own numbering: `4.1(3)`, `4.1 ¶2`, `Article 5`, `A.1` for an item
    /// numbered `A.1` in section `A`; chapters:
    /// `John 11:35`); prefixed `doc:` when several documents are loaded.
    pub fn short(&self, corpus: &Corpus) -> String {
        match self.numbering(corpus) {
            Numbering::Sequential => self.sequential_short(corpus),
            Numbering::Own | Numbering::Chapters => self.own_form(corpus, false),
        }
    }

    /// `John 3:16` when the title ends in a number, `Elements of dual power ¶1` otherwise; the
    /// human form for untitled sections and for documents with their own numbering.
    pub fn titled(&self, corpus: &Corpus) -> String {
        if self.numbering(corpus) != Numbering::Sequential {
            return self.human(corpus);
        }
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

    fn numbering(&self, corpus: &Corpus) -> Numbering {
        self.document(corpus)
            .map_or(Numbering::Sequential, |d| d.numbering)
    }

    fn sequential_human(&self, corpus: &Corpus) -> String {
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

    fn sequential_short(&self, corpus: &Corpus) -> String {
        let mut out = self.prefix(corpus);
        out.push_str(&self.section.to_string());
        if let Some(range) = self.range_text() {
            out.push('.');
            out.push_str(&range);
        }
        out
    }

    /// Own numbering and chapters: the section's label (or `#n`), the title in the human form,
    /// then `(x)` for a numbered item, `:v` for a verse, ` ¶p` for any other passage.
    fn own_form(&self, corpus: &Corpus, human: bool) -> String {
        let mut out = self.prefix(corpus);
        let section = self.section(corpus);
        let chapters = self.numbering(corpus) == Numbering::Chapters;
        let label = section.and_then(|s| s.label.as_deref());
        match label {
            Some(l) if chapters => out.push_str(l),
            Some(l) => {
                if human && !l.contains(' ') {
                    out.push('§');
                }
                out.push_str(l);
            }
            None => {
                out.push('#');
                out.push_str(&self.section.to_string());
            }
        }
        let title = section.and_then(|s| s.title.as_deref());
        if human
            && !(chapters && label.is_some())
            && let Some(t) = title
        {
            out.push(' ');
            out.push_str(t);
        }
        let Some(range) = self.range_text() else {
            return out;
        };
        let item = match self.passages {
            Some((a, b)) if a == b => section
                .and_then(|s| s.passage(a))
                .and_then(|p| p.label.as_deref()),
            _ => None,
        };
        if let Some(x) = item {
            // `1.2`, not `1(1.2)`, when the item's own number says where it is.
            if !human
                && section.is_some_and(|s| carries_section(x, s))
                && let Some(doc) = self.document(corpus)
                && full_item(x, doc) == Some((self.section, self.passages))
            {
                return format!("{}{x}", self.prefix(corpus));
            }
            if human {
                out.push(' ');
            }
            out.push('(');
            out.push_str(x);
            out.push(')');
        } else if chapters && label.is_some() {
            out.push(':');
            out.push_str(&range);
        } else {
            out.push_str(" ¶");
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
        Self::parse_forms(input, corpus).or_else(|err| {
            // A text numbered in order whose paragraphs carry numbers of their own (theses, a
            // numbered list): `3` or `thesis 3`, when nothing else matched, is the one so numbered.
            let text = normalize(input);
            sequential_item(&text, corpus).ok_or(err)
        })
    }

    fn parse_forms(input: &str, corpus: &Corpus) -> Result<Reference, UserError> {
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
        // `p. 12`: the passages that begin on a printed page.
        if let Some(label) = page_label(rest) {
            return parse_page(label, corpus, doc_filter).ok_or_else(|| {
                UserError::UnknownReference(
                    Msg::new("ref-no-page").arg("label", truncate(label, 20)),
                )
            });
        }
        // `3` with several texts loaded, some numbered in order: ask which one, as before.
        let ambiguous = doc_filter.is_none()
            && corpus.is_multi()
            && parse_numeric(rest).is_some()
            && corpus
                .documents
                .iter()
                .any(|d| d.numbering == Numbering::Sequential);
        if !ambiguous && let Some(found) = parse_own_any(rest, corpus, doc_filter)? {
            found.check(corpus)?;
            return Ok(found);
        }
        let numeric = parse_numeric(rest).or_else(|| parse_human(rest));
        let own_doc = match doc_filter {
            Some(d) => Some(d),
            None if corpus.documents.len() == 1 => Some(0),
            None => None,
        }
        .and_then(|d| Some((d, corpus.documents.get(d as usize)?)))
        .filter(|(_, d)| d.numbering == Numbering::Own);
        if let (Some(_), Some((doc, d))) = (&numeric, own_doc) {
            // `1.2` where several items are numbered so (the numbering restarts in each part).
            let several: Vec<String> = items_numbered(rest, d)
                .into_iter()
                .map(|(section, passages)| {
                    Reference {
                        doc,
                        section,
                        passages,
                    }
                    .short(corpus)
                })
                .collect();
            if several.len() > 1 {
                return Err(UserError::UnknownReference(
                    Msg::new("ref-several-items")
                        .arg("title", &d.title)
                        .arg("typed", truncate(rest, 40))
                        .arg("items", several.join(", ")),
                ));
            }
            return Err(UserError::UnknownReference(no_such_own(d, rest)));
        }
        let (section_spec, range) = numeric
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
                        return Err(UserError::UnknownReference(
                            Msg::new("ref-which-text")
                                .arg(
                                    "example",
                                    format!(
                                        "{}:{}",
                                        corpus.documents.first().map_or("doc", |d| d.id.as_str()),
                                        rest
                                    ),
                                )
                                .arg("loaded", doc_list(corpus)),
                        ));
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
        let document = self
            .document(corpus)
            .ok_or_else(|| UserError::UnknownReference(Msg::new("ref-no-text")))?;
        let count = document.sections.len();
        let Some(section) = document.section(self.section) else {
            return Err(UserError::UnknownReference(
                Msg::new("ref-no-section")
                    .arg("section", self.section)
                    .arg("title", &document.title)
                    .arg("count", count),
            ));
        };
        if let Some((a, b)) = self.passages {
            let n = section.passages.len() as u32;
            let whole = Reference {
                passages: None,
                ..*self
            };
            let name = whole.human(corpus);
            if a == 0 || b < a {
                let example = match document.numbering {
                    Numbering::Sequential => format!("{}.1-{}", section.number, n.max(1)),
                    _ => format!("{} ¶1-{}", whole.short(corpus), n.max(1)),
                };
                return Err(UserError::UnknownReference(
                    Msg::new("ref-bad-range").arg("example", example),
                ));
            }
            if b > n {
                return Err(UserError::UnknownReference(
                    Msg::new("ref-no-passage")
                        .arg("name", name)
                        .arg("count", n)
                        .arg("passage", if a > n { a } else { b }),
                ));
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

/// What a document with its own numbering has, when a typed number is not one of its sections.
fn no_such_own(doc: &Document, typed: &str) -> Msg {
    let labels: Vec<&str> = doc
        .sections
        .iter()
        .filter_map(|s| s.label.as_deref())
        .collect();
    let shown = if labels.len() > 12 {
        format!(
            "{}, … {}",
            labels[..10].join(", "),
            labels.last().copied().unwrap_or_default()
        )
    } else {
        labels.join(", ")
    };
    Msg::new("ref-no-such-own")
        .arg("typed", truncate(typed, 40))
        .arg("title", &doc.title)
        .arg("sections", shown)
}

/// A reference in a document's own numbering, in the one document named or in any loaded one
/// that numbers itself; `#n` (the n-th section) in any document. `Ok(None)` when nothing matches;
/// an error when several documents match and none was named.
fn parse_own_any(
    s: &str,
    corpus: &Corpus,
    doc_filter: Option<u32>,
) -> Result<Option<Reference>, UserError> {
    let mut found = Vec::new();
    for (d, doc) in corpus.documents.iter().enumerate() {
        let d = d as u32;
        if doc_filter.is_some_and(|f| f != d) {
            continue;
        }
        let sequential = doc.numbering == Numbering::Sequential;
        let by_number = parse_hash(s, doc, d, '#')
            .or_else(|| sequential.then(|| parse_hash(s, doc, d, '§'))?);
        if let Some(r) = by_number {
            if doc_filter.is_some() || corpus.documents.len() == 1 {
                return Ok(Some(r));
            }
            continue;
        }
        if sequential {
            continue;
        }
        if let Some((section, passages)) = parse_own(s, doc) {
            found.push(Reference {
                doc: d,
                section,
                passages,
            });
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(UserError::UnknownReference(
            Msg::new("ref-several-texts-have")
                .arg("typed", truncate(s, 40))
                .arg(
                    "example",
                    format!(
                        "{}:{}",
                        corpus
                            .documents
                            .get(found[0].doc as usize)
                            .map_or("doc", |d| d.id.as_str()),
                        s
                    ),
                )
                .arg("loaded", doc_list(corpus)),
        )),
    }
}

/// `#12`, `#12 ¶3`, `#12 Title ¶3`: the 12th section, whatever the document's numbering (with
/// `sign` `§`: the human form of sequential documents, `§2 Title ¶3`, whatever the title holds).
fn parse_hash(s: &str, doc: &Document, d: u32, sign: char) -> Option<Reference> {
    let s = s.trim().strip_prefix(sign)?.trim_start();
    let digits_end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(s.len(), |(i, _)| i);
    let number = number(&s[..digits_end])?;
    let section = doc.section(number)?;
    let rest = &s[digits_end..];
    let rest = rest
        .strip_prefix('.')
        .map_or(rest.to_string(), |r| format!(" ¶{r}"));
    let passages = passage_part(&rest, section, doc.numbering == Numbering::Chapters)?;
    Some(Reference {
        doc: d,
        section: number,
        passages,
    })
}

/// `rest` with `prefix` cut off its start, compared without regard to case; `None` when it does
/// not start so. Always cuts on a character boundary.
fn strip_prefix_ci<'a>(rest: &'a str, prefix: &str) -> Option<&'a str> {
    let mut it = rest.char_indices();
    for p in prefix.chars() {
        let (_, c) = it.next()?;
        if !c.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
    }
    Some(it.next().map_or("", |(i, _)| &rest[i..]))
}

/// After a section's label: nothing, a space, `(`, `¶`, `:` or `,` (`Article 3, Section 2`).
fn at_boundary(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with([' ', '(', '¶', ':', ','])
}

/// A reference in one document's own numbering: the longest section label the input starts with
/// (after an optional `§` or `section`), then the passage part.
fn parse_own(s: &str, doc: &Document) -> Option<(u32, PassageRange)> {
    let s = s.trim();
    let chapters = doc.numbering == Numbering::Chapters;
    let mut starts: Vec<&str> = vec![s];
    let unsigned = s.strip_prefix('§').map(str::trim_start);
    if let Some(u) = unsigned {
        starts.push(u);
    }
    for base in [s, unsigned.unwrap_or(s)] {
        for word in [
            "section ", "sect. ", "sec. ", "s.", "clause ", "§ ", "chapter ", "chap. ", "ch. ",
            "part ", "book ",
        ] {
            if let Some(r) = strip_prefix_ci(base, word) {
                starts.push(r.trim_start());
            }
        }
    }
    // A numeral typed the other way (`chapter II` for `2`, `part 3` for `Part III`), tried only
    // when the numeral as typed names no section (`§2 (2.1)` is section 2, not Article II).
    let other: Vec<String> = starts.iter().filter_map(|st| other_numeral(st)).collect();
    let best = best_label(&starts, doc, chapters).or_else(|| {
        let converted: Vec<&str> = other.iter().map(String::as_str).collect();
        best_label(&converted, doc, chapters)
    });
    starts.extend(other.iter().map(String::as_str));
    let Some((number, rest)) = best else {
        return starts
            .iter()
            .find_map(|s| full_item(s, doc))
            .or_else(|| starts.iter().find_map(|s| parse_path(s, doc)));
    };
    let section = doc.section(number)?;
    Some((number, passage_part(rest, section, chapters)?))
}

/// The section whose label (or its number without the division word) opens one of `starts`
/// the longest: its number and the rest of what was typed.
fn best_label<'a>(starts: &[&'a str], doc: &Document, chapters: bool) -> Option<(u32, &'a str)> {
    // (matched length, section number, rest)
    let mut best: Option<(usize, u32, &str)> = None;
    for sec in &doc.sections {
        let Some(label) = sec.label.as_deref() else {
            continue;
        };
        let bare = label.split_once(' ').map(|(_, b)| b).filter(|_| !chapters);
        for start in starts {
            for candidate in std::iter::once(label).chain(bare) {
                if let Some(rest) = strip_prefix_ci(start, candidate)
                    && at_boundary(rest)
                {
                    let matched = start.len() - rest.len();
                    let full = candidate.len() == label.len();
                    let score = matched * 2 + usize::from(full);
                    if best.is_none_or(|(b, _, _)| score > b) {
                        best = Some((score, sec.number, rest));
                    }
                }
            }
        }
    }
    best.map(|(_, n, rest)| (n, rest))
}

/// The same reference with its leading numeral written the other way: a Roman numeral as digits
/// (`II ¶3` → `2 ¶3`), digits as a Roman numeral (`3` → `III`), keeping any word before it
/// (`part 3` → `part III`) and the rest after it.
fn other_numeral(s: &str) -> Option<String> {
    let (word, rest) = match s.split_once(' ') {
        Some((w, r)) if w.chars().all(char::is_alphabetic) && !is_roman(w) => {
            (format!("{w} "), r.trim_start())
        }
        _ => (String::new(), s),
    };
    let end = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(rest.len(), |(i, _)| i);
    let (num, after) = rest.split_at(end);
    if num.is_empty() {
        return None;
    }
    let converted = if num.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = num.parse().ok()?;
        if n == 0 || n > 3999 {
            return None;
        }
        to_roman(n)
    } else if is_roman(num) {
        roman_value(num)?.to_string()
    } else {
        return None;
    };
    Some(format!("{word}{converted}{after}"))
}

fn is_roman(s: &str) -> bool {
    !s.is_empty()
        && (s.chars().all(|c| "IVXLCDM".contains(c)) || s.chars().all(|c| "ivxlcdm".contains(c)))
}

/// Value of a Roman numeral written the canonical way (`XIV`, not `XIIII`).
fn roman_value(s: &str) -> Option<u32> {
    heading::roman_value(s).filter(|&v| to_roman(v).eq_ignore_ascii_case(s))
}

/// A nested number typed as its path, `III.1.A` (or `III.1.A ¶2`): the section numbered `III`,
/// then, among the sections inside it, the one numbered `1`, then `A`, whatever their labels
/// look like once made unique (`III 1`, `III.1`).
fn parse_path(s: &str, doc: &Document) -> Option<(u32, PassageRange)> {
    let end = s.find([' ', '(', '¶', ':']).unwrap_or(s.len());
    let (path, rest) = s.split_at(end);
    let parts: Vec<&str> = path.trim_end_matches('.').split('.').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let own = |sec: &Section| -> Option<String> {
        let l = sec.label.as_deref()?;
        Some(l.rsplit([' ', '.']).next().unwrap_or(l).to_lowercase())
    };
    let mut within: (usize, usize) = (0, doc.sections.len());
    let mut found: Option<usize> = None;
    for part in &parts {
        let part = part.to_lowercase();
        let (from, to) = within;
        let level = found.map(|f| doc.sections[f].level);
        let i = (from..to).find(|&i| {
            let sec = &doc.sections[i];
            level.is_none_or(|l| sec.level > l) && own(sec).as_deref() == Some(part.as_str())
        })?;
        // The section's extent: up to the next one at its level or above.
        let lvl = doc.sections[i].level;
        let stop = (i + 1..to)
            .find(|&j| doc.sections[j].level <= lvl)
            .unwrap_or(to);
        within = (i + 1, stop);
        found = Some(i);
    }
    let sec = &doc.sections[found?];
    Some((sec.number, passage_part(rest, sec, false)?))
}

/// `p. 12`, `p.12`, `page 12`, `pg 12`, `pp. 12`: the page's label (`12`, `iv`).
fn page_label(s: &str) -> Option<&str> {
    for prefix in [
        "pages ", "page ", "pp. ", "pp.", "pg. ", "pg ", "p. ", "p.", "p ",
    ] {
        if let Some(rest) = strip_prefix_ci(s, prefix) {
            let label = rest.trim();
            if !label.is_empty()
                && label.len() <= 12
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                && label.chars().any(|c| c.is_alphanumeric())
            {
                return Some(label);
            }
        }
    }
    None
}

/// The passages that begin on page `label`: in the first section that has one, from the first
/// to the last of them there.
fn parse_page(label: &str, corpus: &Corpus, doc_filter: Option<u32>) -> Option<Reference> {
    let mut found = Vec::new();
    for (d, doc) in corpus.documents.iter().enumerate() {
        if doc_filter.is_some_and(|f| f as usize != d) {
            continue;
        }
        let hit = doc.sections.iter().find_map(|sec| {
            let on: Vec<u32> = sec
                .passages
                .iter()
                .filter(|p| {
                    p.page
                        .as_deref()
                        .is_some_and(|pg| pg.eq_ignore_ascii_case(label))
                })
                .map(|p| p.number)
                .collect();
            Some((sec.number, (*on.first()?, *on.last()?)))
        });
        if let Some((section, range)) = hit {
            found.push(Reference {
                doc: d as u32,
                section,
                passages: Some(range),
            });
        }
    }
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// `3`, `(3)`, `3.` or `thesis 3` (`doc:` first when several texts are loaded): the one passage of
/// a text numbered in order whose own label that is.
fn sequential_item(text: &str, corpus: &Corpus) -> Option<Reference> {
    let (docs, typed): (Vec<usize>, &str) = match text.split_once(':') {
        Some((head, tail)) if !head.trim().contains(' ') => (
            vec![find_document(corpus, head.trim())? as usize],
            tail.trim(),
        ),
        _ if corpus.documents.len() == 1 => (vec![0], text.trim()),
        _ => return None,
    };
    let typed = typed.trim_end_matches('.');
    let typed = typed
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(typed);
    // A word before the number (`thesis 3`, `point 3`): the number is what the text shows.
    let bare = typed
        .split_once(' ')
        .filter(|(w, n)| w.chars().all(char::is_alphabetic) && !n.contains(' '))
        .map(|(_, n)| n);
    let mut found = Vec::new();
    for d in docs {
        let doc = corpus.documents.get(d)?;
        if doc.numbering != Numbering::Sequential {
            continue;
        }
        for sec in &doc.sections {
            for p in &sec.passages {
                if p.label.as_deref().is_some_and(|l| {
                    l.eq_ignore_ascii_case(typed) || bare.is_some_and(|b| l.eq_ignore_ascii_case(b))
                }) {
                    found.push(Reference {
                        doc: d as u32,
                        section: sec.number,
                        passages: Some((p.number, p.number)),
                    });
                }
            }
        }
    }
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// An item whose label carries its section's number (`1.2` under `1`, `A.1` under `A`), typed
/// alone as the text numbers it; only when no other item of the document has that label.
fn full_item(typed: &str, doc: &Document) -> Option<(u32, PassageRange)> {
    match items_numbered(typed, doc).as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The items whose label is `typed` and carries their section's number.
fn items_numbered(typed: &str, doc: &Document) -> Vec<(u32, PassageRange)> {
    let typed = typed.trim().trim_end_matches('.');
    doc.sections
        .iter()
        .flat_map(|s| {
            s.passages.iter().filter_map(move |p| {
                let label = p.label.as_deref()?;
                (label.eq_ignore_ascii_case(typed) && carries_section(label, s))
                    .then_some((s.number, Some((p.number, p.number))))
            })
        })
        .collect()
}

/// Whether an item's label begins with its section's number and a dot: `1.2` in section `1`,
/// `A.1` in `Appendix A`.
fn carries_section(item: &str, section: &Section) -> bool {
    let number = section.label.as_deref().and_then(|l| l.rsplit(' ').next());
    number.is_some_and(|l| {
        item.len() > l.len() + 1
            && item.is_char_boundary(l.len())
            && item[..l.len()].eq_ignore_ascii_case(l)
            && item[l.len()..].starts_with('.')
    })
}

/// What follows a section in a reference: nothing (the whole section), the section's title (in
/// the human form, after a space), then `(3)` / `item 3` / `, Section 3` (an item as the text
/// numbers it), `¶2`, `:16`, `paragraph 2`, or a bare `16` (passages in order, ranges allowed).
fn passage_part(rest: &str, section: &Section, chapters: bool) -> Option<PassageRange> {
    if rest.starts_with(' ')
        && let Some(title) = section.title.as_deref().map(normalize)
        && let Some(after) = strip_prefix_ci(rest.trim_start(), &title)
        && (after.is_empty() || after.starts_with(' '))
        && let Some(r) = passage_tail(after, section, chapters)
    {
        return Some(r);
    }
    passage_tail(rest, section, chapters)
}

fn passage_tail(rest: &str, section: &Section, chapters: bool) -> Option<PassageRange> {
    let t = rest.trim();
    if t.is_empty() {
        return Some(None);
    }
    // An item the text numbers with a word, typed as cited: `Article 3, Section 2`.
    let worded = t.trim_start_matches([',', ' ']).trim_end_matches('.');
    if let Some(p) = section.passages.iter().find(|p| {
        p.label
            .as_deref()
            .is_some_and(|l| l.contains(' ') && l.eq_ignore_ascii_case(worded))
    }) {
        return Some(Some((p.number, p.number)));
    }
    let item = t
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .or_else(|| strip_prefix_ci(t, "item ").map(str::trim))
        .or_else(|| strip_prefix_ci(t, "rule ").map(str::trim));
    if let Some(x) = item {
        let x = x.trim().trim_end_matches('.');
        if let Some(p) = section.passages.iter().find(|p| {
            p.label
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(x))
        }) {
            return Some(Some((p.number, p.number)));
        }
        return None;
    }
    let range = t
        .strip_prefix('¶')
        .or_else(|| t.strip_prefix(':'))
        .or_else(|| strip_prefix_ci(t, "paragraph "))
        .or_else(|| strip_prefix_ci(t, "para "))
        .or_else(|| strip_prefix_ci(t, "verse "))
        .or_else(|| chapters.then_some(t))
        .or_else(|| t.starts_with(|c: char| c.is_ascii_digit()).then_some(t))?;
    Some(Some(parse_range(range.trim())?))
}

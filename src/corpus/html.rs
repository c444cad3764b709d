//! HTML pages (and the XHTML inside EPUB books): headings `h1`–`h6` are sections, paragraphs, list
//! items, block quotes, table rows and definitions (term with its first paragraph) are passages,
//! `pre` keeps its lines. Only the page's content is read: the main element when there is one
//! (`[role=main]`, `main`, `article`…), and never navigation, headers and footers, sidebars, tables
//! of contents, scripts, styles or permalink marks (`¶`, `#`). Footnotes linked by anchors (Sphinx,
//! DocBook, pandoc, EPUB `noteref`s) travel with the passage that cites them ([`super::notes`]).
//! A book split into pages ([`parse_book`]) is read in the order given, as one document; [`book_order`]
//! finds that order in a folder of pages (a contents page linking the others, or `rel=next` links).
//! Parsing is html5ever's (through `scraper`), which accepts anything; no I/O here.

use std::collections::{HashMap, HashSet};

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node};

use super::overrides::Overrides;
use super::{Block, Document, Note, assemble, heading, markdown};

/// One page of a book: its path inside the book (used to resolve links between pages) and its
/// markup.
#[derive(Debug, Clone)]
pub struct Page {
    pub name: String,
    pub html: String,
}

/// What a book says about itself outside its pages (EPUB package metadata and navigation).
#[derive(Debug, Clone, Default)]
pub struct BookInfo {
    pub title: Option<String>,
    pub author: Option<String>,
    pub language: Option<String>,
    /// Titles the navigation gives pages (by page name), for pages without a heading of their own.
    pub nav_titles: HashMap<String, String>,
}

/// Parses one HTML page.
pub fn parse(id: &str, fallback_title: &str, html: &str, o: &Overrides) -> Document {
    let pages = [Page {
        name: String::new(),
        html: html.to_string(),
    }];
    parse_book(id, fallback_title, &pages, &BookInfo::default(), o)
}

/// Parses a book split into pages, in the order given, as one document.
pub fn parse_book(
    id: &str,
    fallback_title: &str,
    pages: &[Page],
    info: &BookInfo,
    o: &Overrides,
) -> Document {
    let trees: Vec<Html> = pages
        .iter()
        .map(|p| Html::parse_document(&p.html))
        .collect();
    let names: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    let found = find_notes(&trees, pages, &names);
    let mut items: Vec<Item> = Vec::new();
    let mut page_title: Option<String> = None;
    let mut author = info.author.clone();
    let mut language = info.language.clone();
    for (i, tree) in trees.iter().enumerate() {
        let root = content_root(tree);
        if navigation_page(root) {
            continue;
        }
        if page_title.is_none() {
            page_title = title_element(tree);
        }
        if author.is_none() {
            author = meta(tree, "author");
        }
        if language.is_none() {
            language = tree.root_element().attr("lang").map(str::to_string);
        }
        let mut w = Walker {
            page: i,
            notes: &found,
            out: Vec::new(),
            inline: String::new(),
            refs: Vec::new(),
            term: None,
        };
        w.block(root);
        w.flush();
        let has_heading = w.out.iter().any(|it| matches!(it, Item::Heading { .. }));
        if !has_heading
            && let Some(t) = info.nav_titles.get(&pages[i].name)
            && !w.out.is_empty()
        {
            items.push(Item::Heading {
                level: 1,
                text: t.clone(),
            });
        }
        items.extend(w.out);
    }
    let metadata_title = info
        .title
        .clone()
        .filter(|t| !is_slug(t))
        .or_else(|| o.title.clone());
    let title = take_title(&mut items, metadata_title, page_title, &o.heading);
    let title = o
        .title
        .clone()
        .or(title)
        .unwrap_or_else(|| fallback_title.to_string());
    let mut blocks = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Heading { level, text } => {
                blocks.push(markdown::heading_block(text, level, &o.heading));
            }
            Item::Para { text, notes, label } => {
                blocks.push(Block::Passage { label, text });
                if !notes.is_empty() {
                    blocks.push(Block::Notes(notes));
                }
            }
        }
    }
    let mut doc = assemble(id, title, blocks, o.numbering);
    doc.author = author;
    doc.declared_language = language;
    doc.settle_language(o.language);
    doc
}

/// A metadata title that is a file or project name (`developers-reference`), not a title.
fn is_slug(t: &str) -> bool {
    !t.contains(' ') && t.contains(['-', '_']) && !t.chars().any(char::is_uppercase)
}

/// The document title: metadata, else a lone first heading (taken out of the sections when it
/// carries no number of its own), else the page's `<title>` without the site's name after ` | `,
/// ` — ` or ` - `. A first heading that repeats the title is taken out too.
fn take_title(
    items: &mut Vec<Item>,
    metadata: Option<String>,
    page_title: Option<String>,
    extra: &[String],
) -> Option<String> {
    let headings: Vec<(usize, u8, &str)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| match it {
            Item::Heading { level, text } => Some((i, *level, text.as_str())),
            Item::Para { .. } => None,
        })
        .collect();
    let numbered = |t: &str| {
        heading::division(t, extra).is_some()
            || heading::marker(t).is_some_and(|m| {
                !m.rest.is_empty()
                    && !matches!(m.style, heading::Style::Paren | heading::Style::Lower)
            })
    };
    let Some(&(first, level, text)) = headings.first() else {
        return metadata.or_else(|| page_title.map(|t| site_stripped(&t)));
    };
    let top = headings.iter().map(|h| h.1).min().unwrap_or(level);
    let alone_on_top = level == top && headings.iter().filter(|h| h.1 == top).count() == 1;
    let same = |t: &Option<String>| t.as_deref().is_some_and(|t| key(t) == key(text));
    let first_text = text.to_string();
    let opens = first == 0;
    let page_title = page_title.map(|t| site_stripped(&t));
    if !numbered(text)
        && (same(&metadata) || (opens && alone_on_top) || (opens && same(&page_title)))
    {
        items.remove(first);
        return metadata.or(Some(first_text));
    }
    if let Some(m) = metadata {
        return Some(m);
    }
    if alone_on_top {
        return Some(first_text);
    }
    page_title
}

fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `About this documentation | Node.js v20 Documentation` → `About this documentation`.
fn site_stripped(t: &str) -> String {
    for sep in [" | ", " — ", " – ", " · ", " - "] {
        if let Some((head, _)) = t.split_once(sep)
            && !head.trim().is_empty()
        {
            return head.trim().to_string();
        }
    }
    t.trim().to_string()
}

fn title_element(tree: &Html) -> Option<String> {
    let head = tree
        .root_element()
        .child_elements()
        .find(|e| e.value().name() == "head")?;
    let t = head
        .child_elements()
        .find(|e| e.value().name() == "title")?;
    let t = collapse(&t.text().collect::<String>());
    (!t.is_empty()).then_some(t)
}

fn meta(tree: &Html, name: &str) -> Option<String> {
    tree.root_element()
        .descendent_elements()
        .filter(|e| e.value().name() == "meta")
        .find(|e| e.attr("name").is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .and_then(|e| e.attr("content"))
        .map(collapse)
        .filter(|c| !c.is_empty())
}

/// The element holding the page's content: the first of `[role=main]`, `main`, `#apicontent`,
/// `article`, `div.body` found, else `body`, else the whole document.
fn content_root(tree: &Html) -> ElementRef<'_> {
    let all: Vec<ElementRef<'_>> = tree.root_element().descendent_elements().collect();
    let tests: [&dyn Fn(&ElementRef<'_>) -> bool; 5] = [
        &|e| e.attr("role") == Some("main"),
        &|e| e.value().name() == "main",
        &|e| e.value().id() == Some("apicontent"),
        &|e| e.value().name() == "article",
        &|e| e.value().name() == "div" && has_class(e, "body"),
    ];
    for test in tests {
        if let Some(e) = all.iter().find(|e| test(e)) {
            return *e;
        }
    }
    all.iter()
        .find(|e| e.value().name() == "body")
        .copied()
        .unwrap_or_else(|| tree.root_element())
}

fn has_class(e: &ElementRef<'_>, class: &str) -> bool {
    e.value().classes().any(|c| c.eq_ignore_ascii_case(class))
}

/// Elements never read: not content, or navigation around it.
fn skipped(e: &ElementRef<'_>) -> bool {
    let el = e.value();
    let name = el.name();
    if matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "head"
            | "title"
            | "form"
            | "button"
            | "select"
            | "input"
            | "textarea"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "video"
            | "audio"
            | "canvas"
    ) {
        return true;
    }
    if matches!(name, "header" | "footer") && !e.ancestors().any(|a| is_named(&a, "article")) {
        return true;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(role) = el.attr("role")
        && matches!(
            role,
            "navigation" | "banner" | "contentinfo" | "search" | "doc-toc" | "complementary"
        )
    {
        return true;
    }
    if el.attr("epub:type").is_some_and(|t| {
        t.split_whitespace()
            .any(|t| matches!(t, "toc" | "landmarks"))
    }) {
        return true;
    }
    if let Some(id) = el.id()
        && (matches!(id, "banner" | "toc" | "sidebar" | "column2")
            || (name == "p" && id == "title"))
    {
        return true;
    }
    const CLASSES: &[&str] = &[
        "navheader",
        "navfooter",
        "docnav",
        "related",
        "sphinxsidebar",
        "sphinxsidebarwrapper",
        "toctree-wrapper",
        "toc",
        "list-of-tables",
        "list-of-figures",
        "list-of-examples",
        "breadcrumbs",
        "skip-to-content",
        "genindex-jumpbox",
        "headerlink",
        "footer",
        "indextable",
        // Sphinx's EPUB builder prints external links' addresses after them.
        "link-target",
    ];
    if el.classes().any(|c| CLASSES.contains(&c)) {
        return true;
    }
    // The label a stylesheet prints over an admonition (DocBook's `<th>Note</th>` in a
    // `div.note`, Sphinx's `p.admonition-title`): the rendering's word, not the author's.
    if !matches!(name, "div" | "table" | "tr" | "tbody")
        && e.ancestors().filter_map(ElementRef::wrap).any(|a| {
            a.value().classes().any(|c| {
                matches!(
                    c,
                    "note" | "tip" | "warning" | "caution" | "important" | "admonition"
                )
            })
        })
        && {
            let t: String = e.text().collect();
            super::text::ADMONITIONS.contains(&t.trim().to_lowercase().as_str())
        }
    {
        return true;
    }
    // A paragraph's number set beside it (SiSU's object citation numbers,
    // `<label class="ocn"><a …>69</a></label>`): not text.
    if name == "label" && {
        let t: String = e.text().collect();
        let t = t.trim();
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
    } {
        return true;
    }
    // A permalink: a link to this page whose text is only a mark (`¶`, `#`, `§`, `🔗`).
    if name == "a" && el.attr("href").is_some_and(|h| h.starts_with('#')) {
        let t: String = e.text().collect();
        let t = t.trim();
        if matches!(t, "¶" | "#" | "§" | "🔗" | "⚓" | "link") {
            return true;
        }
    }
    false
}

/// A paragraph set in bold that opens with a section number (SiSU's
/// `<p class="bold">4.1 What is a live system?</p>`): a heading as deep as its number.
fn bold_numbered(p: ElementRef<'_>) -> Option<u8> {
    let bold = has_class(&p, "bold")
        || p.children().all(|c| match c.value() {
            Node::Text(t) => t.trim().is_empty(),
            Node::Element(el) => matches!(el.name(), "b" | "strong" | "a"),
            _ => true,
        }) && p.descendants().any(|d| {
            d.value()
                .as_element()
                .is_some_and(|el| matches!(el.name(), "b" | "strong"))
        });
    if !bold {
        return None;
    }
    let text = collapse(&p.text().collect::<String>());
    let m = super::heading::marker(&text)?;
    let ok = m.style == super::heading::Style::Decimal
        && m.depth >= 2
        && text.chars().count() <= 120
        && super::heading::title_like(m.rest);
    ok.then_some(m.depth.min(6))
}

fn is_named(n: &NodeRef<'_, Node>, name: &str) -> bool {
    n.value().as_element().is_some_and(|e| e.name() == name)
}

/// Elements that break the flow of text (everything else is inline).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hgroup"
            | "hr"
            | "html"
            | "li"
            | "main"
            | "menu"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "caption"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "ul"
            | "listing"
            | "xmp"
            | "plaintext"
    )
}

/// A page that is navigation rather than text: a general index or site map (most of its words
/// are links), or a search page (a form and a few words).
fn navigation_page(root: ElementRef<'_>) -> bool {
    let (mut words, mut linked, mut form) = (0usize, 0usize, false);
    count_words(root, false, &mut words, &mut linked, &mut form);
    (words >= 8 && linked * 10 >= words * 7) || (form && words < 60)
}

fn count_words(
    e: ElementRef<'_>,
    in_link: bool,
    words: &mut usize,
    linked: &mut usize,
    form: &mut bool,
) {
    for child in e.children() {
        match child.value() {
            Node::Text(t) => {
                let n = t.split_whitespace().count();
                *words += n;
                if in_link {
                    *linked += n;
                }
            }
            Node::Element(el) => {
                if el.name() == "form" {
                    *form = true;
                }
                if let Some(ce) = ElementRef::wrap(child)
                    && !skipped(&ce)
                {
                    let link = in_link || (el.name() == "a" && el.attr("href").is_some());
                    count_words(ce, link, words, linked, form);
                }
            }
            _ => {}
        }
    }
}

/// What a page gives before numbering.
#[derive(Debug, Clone)]
enum Item {
    Heading {
        level: u8,
        text: String,
    },
    Para {
        text: String,
        notes: Vec<Note>,
        label: Option<String>,
    },
}

/// Footnotes found across the pages of a book.
#[derive(Debug, Default)]
struct FoundNotes {
    /// Note references: (page, node of the `<a>`) → the note it points to (index into `notes`).
    refs: HashMap<(usize, NodeId), usize>,
    notes: Vec<Note>,
    /// Nodes that belong to a note's body (and the note's label), not to the running text.
    skip: HashSet<(usize, NodeId)>,
    /// Back-links inside note bodies, dropped from the note's text.
    backlinks: HashSet<(usize, NodeId)>,
}

/// Finds every link that is a note reference and the note it points to.
fn find_notes(trees: &[Html], pages: &[Page], names: &HashMap<&str, usize>) -> FoundNotes {
    let mut found = FoundNotes::default();
    // Element ids of each page, built when a page is first the target of a link.
    let mut ids: HashMap<usize, HashMap<String, NodeId>> = HashMap::new();
    let mut by_target: HashMap<(usize, NodeId), usize> = HashMap::new();
    for (p, tree) in trees.iter().enumerate() {
        for a in tree.root_element().descendent_elements() {
            if a.value().name() != "a" || !looks_like_note_ref(&a) {
                continue;
            }
            let Some(href) = a.value().attr("href") else {
                continue;
            };
            let Some((target_page, frag)) = resolve(href, &pages[p].name, p, names) else {
                continue;
            };
            let page_ids = ids
                .entry(target_page)
                .or_insert_with(|| element_ids(&trees[target_page]));
            let Some(&target) = page_ids.get(frag) else {
                continue;
            };
            let Some(target_ref) = trees[target_page].tree.get(target) else {
                continue;
            };
            let Some(target_el) = ElementRef::wrap(target_ref) else {
                continue;
            };
            // A link to a heading or to a whole section is a cross-reference, not a note.
            if matches!(
                target_el.value().name(),
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "section" | "body"
            ) || target_el.ancestors().any(|n| n.id() == a.id())
            {
                continue;
            }
            let Some(body) = note_body(target_el) else {
                continue;
            };
            if body.descendent_elements().any(|e| e.id() == a.id()) {
                continue;
            }
            let label = note_label(&a);
            let index = match by_target.get(&(target_page, body.id())) {
                Some(&i) => i,
                None => {
                    mark_backlinks(&body, target_page, &mut found.backlinks);
                    let mut skip_nodes: Vec<NodeId> = body.descendants().map(|n| n.id()).collect();
                    // Sphinx: the label (`dt`) sits before the body (`dd`).
                    if target_el.id() != body.id() && target_el.value().name() == "dt" {
                        skip_nodes.extend(target_el.descendants().map(|n| n.id()));
                    }
                    let text = note_text(&body, target_page, &found.backlinks);
                    for n in skip_nodes {
                        found.skip.insert((target_page, n));
                    }
                    let i = found.notes.len();
                    found.notes.push(Note {
                        label: label.clone(),
                        text,
                    });
                    by_target.insert((target_page, body.id()), i);
                    i
                }
            };
            found.refs.insert((p, a.id()), index);
        }
    }
    found
}

/// A link that reads as a note marker: a short label (`1`, `[4]`, `*`, `a`) in a link marked as a
/// footnote reference (class, `epub:type="noteref"`, `role="doc-noteref"`) or set as a superscript.
fn looks_like_note_ref(a: &ElementRef<'_>) -> bool {
    let el = a.value();
    let Some(href) = el.attr("href") else {
        return false;
    };
    if !href.contains('#') {
        return false;
    }
    let label = note_label(a);
    if label.is_empty()
        || label.chars().count() > 6
        || !label
            .chars()
            .all(|c| c.is_alphanumeric() || "*†‡§¶".contains(c))
    {
        return false;
    }
    let marked = el.classes().any(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("footnote") || c.contains("noteref") || c == "fn" || c.contains("fnref")
    }) || el.attr("epub:type").is_some_and(|t| t.contains("noteref"))
        || el.attr("role") == Some("doc-noteref");
    let superscript = a
        .parent()
        .is_some_and(|p| is_named(&p, "sup") || is_named(&p, "small"))
        || a.child_elements().any(|c| c.value().name() == "sup");
    // Back-links inside a note (`fn-backref`, `footnote-back`) are not references.
    let back = el.classes().any(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("backref") || c.contains("back") || c == "para"
    }) || el.attr("role") == Some("doc-backlink");
    (marked || superscript) && !back
}

/// The marker's label: its text without brackets or spaces (`[4]` → `4`).
fn note_label(a: &ElementRef<'_>) -> String {
    let t: String = a.text().collect();
    t.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim()
        .to_string()
}

/// `#x` on this page, or `page.html#x` on another page of the book.
fn resolve<'h>(
    href: &'h str,
    from: &str,
    here: usize,
    names: &HashMap<&str, usize>,
) -> Option<(usize, &'h str)> {
    let (file, frag) = href.split_once('#')?;
    if frag.is_empty() {
        return None;
    }
    if file.is_empty() {
        return Some((here, frag));
    }
    let path = join(from, file);
    names.get(path.as_str()).map(|&p| (p, frag))
}

/// `dir/page.html` + `../other.html` → `other.html`.
pub(crate) fn join(from: &str, rel: &str) -> String {
    if rel.contains("://") || rel.starts_with('/') {
        return rel.trim_start_matches('/').to_string();
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn element_ids(tree: &Html) -> HashMap<String, NodeId> {
    let mut out = HashMap::new();
    for e in tree.root_element().descendent_elements() {
        for key in [e.value().id(), e.value().attr("name")]
            .into_iter()
            .flatten()
        {
            out.entry(key.to_string()).or_insert(e.id());
        }
    }
    out
}

/// The element that holds a note, from the element its reference points to: the `dd` after a
/// Sphinx `dt` label; the nearest note container (a class or role naming a footnote, a list item,
/// an `aside`); or the nearest block.
fn note_body(target: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let name = target.value().name();
    if name == "dt" {
        let mut next = target.next_sibling();
        while let Some(n) = next {
            if let Some(e) = ElementRef::wrap(n) {
                return (e.value().name() == "dd").then_some(e);
            }
            next = n.next_sibling();
        }
        return None;
    }
    let container = |e: &ElementRef<'_>| {
        let el = e.value();
        el.classes().any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("footnote") || c.contains("endnote") || c == "note"
        }) || el.attr("epub:type").is_some_and(|t| {
            t.contains("footnote") || t.contains("endnote") || t.contains("rearnote")
        }) || el
            .attr("role")
            .is_some_and(|r| r == "doc-footnote" || r == "doc-endnote")
            || matches!(el.name(), "li" | "aside" | "dd")
    };
    let mut at = Some(target);
    for _ in 0..4 {
        let Some(e) = at else { break };
        if container(&e) && !matches!(e.value().name(), "a" | "sup" | "span") {
            return Some(e);
        }
        at = e.parent().and_then(ElementRef::wrap);
    }
    let mut at = Some(target);
    while let Some(e) = at {
        if is_block(e.value().name()) {
            return Some(e);
        }
        at = e.parent().and_then(ElementRef::wrap);
    }
    None
}

fn mark_backlinks(body: &ElementRef<'_>, page: usize, out: &mut HashSet<(usize, NodeId)>) {
    for e in body.descendent_elements() {
        if e.value().name() != "a" {
            continue;
        }
        let el = e.value();
        let back = el.classes().any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("backref") || c.contains("back") || c == "para"
        }) || el.attr("role") == Some("doc-backlink")
            || {
                // A link out of the note whose text is its label or an arrow.
                let t: String = e.text().collect();
                let t = t
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .trim();
                el.attr("href").is_some_and(|h| h.contains('#'))
                    && (t.chars().all(|c| "↩↑^⮌".contains(c))
                        || (t.chars().count() <= 4 && t.chars().all(char::is_alphanumeric)))
                    && !t.is_empty()
            };
        if back {
            out.insert((page, e.id()));
        }
    }
}

/// A note's text: its paragraphs, each on a line of its own.
fn note_text(body: &ElementRef<'_>, page: usize, backlinks: &HashSet<(usize, NodeId)>) -> String {
    let found = FoundNotes {
        backlinks: backlinks.clone(),
        ..FoundNotes::default()
    };
    let mut w = Walker {
        page,
        notes: &found,
        out: Vec::new(),
        inline: String::new(),
        refs: Vec::new(),
        term: None,
    };
    w.block(*body);
    w.flush();
    let parts: Vec<String> = w
        .out
        .into_iter()
        .map(|i| match i {
            Item::Heading { text, .. } | Item::Para { text, .. } => text,
        })
        .filter(|t| !t.trim().is_empty())
        .collect();
    parts.join("\n")
}

/// Walks a page's content, turning blocks into items.
struct Walker<'n> {
    page: usize,
    notes: &'n FoundNotes,
    out: Vec<Item>,
    /// Inline text of the block being read (white space not yet collapsed).
    inline: String,
    /// Notes cited by the inline text so far.
    refs: Vec<Note>,
    /// A definition list's term, waiting for the first paragraph of its definition.
    term: Option<String>,
}

impl Walker<'_> {
    fn skip(&self, e: &ElementRef<'_>) -> bool {
        self.notes.skip.contains(&(self.page, e.id()))
            || self.notes.backlinks.contains(&(self.page, e.id()))
            || skipped(e)
    }

    /// Reads a block element's children.
    fn block(&mut self, e: ElementRef<'_>) {
        for child in e.children() {
            match child.value() {
                Node::Text(t) => self.inline.push_str(t),
                Node::Element(el) => {
                    let Some(ce) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if self.skip(&ce) {
                        continue;
                    }
                    let name = el.name();
                    if is_block(name) {
                        self.flush();
                        self.element(ce, name);
                        self.flush();
                    } else {
                        self.inline_element(ce);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, e: ElementRef<'_>, name: &str) {
        let level = match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Some(name.as_bytes()[1] - b'0'),
            "p" => bold_numbered(e),
            _ => None,
        };
        match name {
            _ if level.is_some() => {
                let level = level.unwrap_or(1);
                self.inline_children(e);
                let text = collapse(&std::mem::take(&mut self.inline));
                // A note cited in a heading goes with the section's first passage; the marker
                // leaves the title.
                let text = strip_markers(&text, &self.refs);
                if let Some(term) = self.term.take() {
                    self.push_para(term, None);
                }
                if !text.is_empty() {
                    self.out.push(Item::Heading { level, text });
                }
            }
            "pre" | "listing" | "xmp" | "plaintext" => {
                self.inline_children(e);
                let raw = std::mem::take(&mut self.inline).replace(BREAK, "\n");
                let text = raw.trim_matches('\n').trim_end().to_string();
                // Lines of white space only are blank lines (found by fuzzing: a block opening
                // with indented empty lines became a passage opening with them).
                let text = text
                    .lines()
                    .map(str::trim_end)
                    .collect::<Vec<_>>()
                    .join("\n");
                // Blank lines split a code block into passages, as they split a text file's; each
                // loses the indentation all its lines share.
                let mut first = true;
                for part in text.split("\n\n") {
                    let part = dedent(part.trim_matches('\n'));
                    let part = part.trim();
                    if part.is_empty() {
                        continue;
                    }
                    let part = match self.term.take().filter(|_| first) {
                        Some(t) => format!("{t}\n{part}"),
                        None => part.to_string(),
                    };
                    first = false;
                    let notes = std::mem::take(&mut self.refs);
                    self.out.push(Item::Para {
                        text: part,
                        notes,
                        label: None,
                    });
                }
            }
            "dt" => {
                self.inline_children(e);
                let t = collapse(&std::mem::take(&mut self.inline));
                if !t.is_empty() {
                    self.term = Some(match self.term.take() {
                        Some(prev) => format!("{prev}\n{t}"),
                        None => t,
                    });
                }
            }
            "dl" => {
                self.block(e);
                self.flush();
                if let Some(t) = self.term.take() {
                    self.push_para(t, None);
                }
            }
            "tr" => {
                let mut cells = Vec::new();
                for c in e.child_elements() {
                    if self.skip(&c) || !matches!(c.value().name(), "td" | "th") {
                        continue;
                    }
                    self.inline_children(c);
                    let t = collapse(&std::mem::take(&mut self.inline));
                    // An empty cell adds no words, and no dangling ` | ` (found by fuzzing).
                    if !t.is_empty() {
                        cells.push(t);
                    }
                }
                let text = cells.join(" | ");
                if text.chars().any(char::is_alphanumeric) {
                    self.push_para(text, None);
                }
            }
            "ol" | "ul" | "menu" => {
                let ordered = name == "ol";
                let mut n: i64 = e.attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
                for c in e.children() {
                    let Some(ce) = ElementRef::wrap(c) else {
                        if let Some(t) = c.value().as_text() {
                            self.inline.push_str(t);
                        }
                        continue;
                    };
                    if self.skip(&ce) {
                        continue;
                    }
                    if ce.value().name() == "li" && ordered {
                        self.flush();
                        let label = n.to_string();
                        n += 1;
                        self.item(ce, Some(label));
                    } else if is_block(ce.value().name()) {
                        self.flush();
                        self.element(ce, ce.value().name());
                        self.flush();
                    } else {
                        self.inline_element(ce);
                    }
                }
            }
            "hr" | "br" => {}
            _ => self.block(e),
        }
    }

    /// An item of an ordered list: its first paragraph carries its number (`3. …`).
    fn item(&mut self, li: ElementRef<'_>, label: Option<String>) {
        let before = self.out.len();
        self.block(li);
        self.flush();
        if let Some(l) = label
            && let Some(Item::Para { text, label, .. }) = self.out.get_mut(before)
        {
            *text = format!("{l}. {text}");
            *label = Some(l);
        }
    }

    fn push_para(&mut self, text: String, label: Option<String>) {
        let notes = std::mem::take(&mut self.refs);
        self.out.push(Item::Para { text, notes, label });
    }

    /// Ends the inline text so far: one passage (after a waiting definition term).
    fn flush(&mut self) {
        let text = collapse(&std::mem::take(&mut self.inline));
        if text.is_empty() {
            return;
        }
        let text = match self.term.take() {
            Some(t) => format!("{t}\n{text}"),
            None => text,
        };
        self.push_para(text, None);
    }

    fn inline_children(&mut self, e: ElementRef<'_>) {
        for child in e.children() {
            match child.value() {
                Node::Text(t) => self.inline.push_str(t),
                Node::Element(_) => {
                    if let Some(ce) = ElementRef::wrap(child)
                        && !self.skip(&ce)
                    {
                        self.inline_element(ce);
                    }
                }
                _ => {}
            }
        }
    }

    fn inline_element(&mut self, e: ElementRef<'_>) {
        let name = e.value().name();
        if name == "br" {
            self.inline.push(BREAK);
            return;
        }
        if name == "img" {
            return;
        }
        if let Some(&i) = self.notes.refs.get(&(self.page, e.id()))
            && let Some(note) = self.notes.notes.get(i)
        {
            self.inline.push_str(&format!("[{}]", note.label));
            if !self.refs.iter().any(|n| n == note) {
                self.refs.push(note.clone());
            }
            return;
        }
        self.inline_children(e);
    }
}

/// Removes `[label]` markers of the given notes from a title.
fn strip_markers(text: &str, notes: &[Note]) -> String {
    let mut t = text.to_string();
    for n in notes {
        t = t.replace(&format!("[{}]", n.label), "");
    }
    collapse(&t)
}

/// A line break the markup asks for (`<br>`), kept through white-space collapsing.
const BREAK: char = '\u{2028}';

/// Collapses runs of white space (no-break spaces too) into one space, as a browser shows them;
/// line breaks the markup asked for (`<br>`) stay line breaks.
pub(crate) fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c == BREAK {
            while out.ends_with(' ') {
                out.pop();
            }
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            space = false;
        } else if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    while out.ends_with(['\n', ' ']) {
        out.pop();
    }
    out
}

/// Removes the indentation every line of a code block shares.
fn dedent(s: &str) -> String {
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    s.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The order of a folder's pages as books: each contents page (one linking to at least two other
/// pages of the folder) with the pages it links, in the order of their first link; then chains of
/// `rel=next` links; every other page alone. `pages` are (name, markup); the result lists groups
/// of indices into it, the contents page first in its group.
pub fn book_order(pages: &[(String, String)]) -> Vec<Vec<usize>> {
    let names: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.as_str(), i))
        .collect();
    // For each page, the other pages its content links to (in order), and its rel=next.
    let mut links: Vec<Vec<usize>> = Vec::with_capacity(pages.len());
    let mut next: Vec<Option<usize>> = Vec::with_capacity(pages.len());
    for (i, (name, html)) in pages.iter().enumerate() {
        let tree = Html::parse_document(html);
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        let root = content_root(&tree);
        let toc_links = root.descendent_elements().filter(|e| {
            e.value().name() == "a"
                && e.ancestors().any(|a| {
                    a.value().as_element().is_some_and(|el| {
                        el.classes().any(|c| {
                            matches!(c, "toctree-wrapper" | "toc" | "contents")
                                || c.starts_with("toctree")
                        }) || el.name() == "nav"
                            || el.attr("epub:type") == Some("toc")
                    })
                })
        });
        for a in toc_links {
            let Some(href) = a.attr("href") else { continue };
            let file = href.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains("://") {
                continue;
            }
            if let Some(&j) = names.get(join(name, file).as_str())
                && j != i
                && seen.insert(j)
            {
                order.push(j);
            }
        }
        links.push(order);
        let rel_next = tree
            .root_element()
            .descendent_elements()
            .find(|e| {
                matches!(e.value().name(), "link" | "a")
                    && e.attr("rel")
                        .is_some_and(|r| r.split_whitespace().any(|r| r == "next"))
            })
            .and_then(|e| e.attr("href"))
            .and_then(|h| names.get(join(name, h.split('#').next().unwrap_or("")).as_str()))
            .copied()
            .filter(|&j| j != i);
        next.push(rel_next);
    }
    let mut used = vec![false; pages.len()];
    let mut groups = Vec::new();
    // Contents pages, the one linking most pages first.
    let mut contents: Vec<usize> = (0..pages.len()).filter(|&i| links[i].len() >= 2).collect();
    contents.sort_by_key(|&i| std::cmp::Reverse(links[i].len()));
    for c in contents {
        if used[c] {
            continue;
        }
        let mut group = vec![c];
        used[c] = true;
        for &j in &links[c] {
            if !used[j] {
                used[j] = true;
                group.push(j);
            }
        }
        if group.len() >= 3 {
            groups.push(group);
        } else {
            for &j in &group {
                used[j] = false;
            }
        }
    }
    // Chains of rel=next from pages nothing points to.
    let pointed: HashSet<usize> = next.iter().flatten().copied().collect();
    for start in 0..pages.len() {
        if used[start] || pointed.contains(&start) || next[start].is_none() {
            continue;
        }
        let mut group = vec![start];
        used[start] = true;
        let mut at = next[start];
        while let Some(j) = at {
            if used[j] {
                break;
            }
            used[j] = true;
            group.push(j);
            at = next[j];
        }
        groups.push(group);
    }
    for (i, u) in used.iter().enumerate() {
        if !u {
            groups.push(vec![i]);
        }
    }
    groups.sort_by_key(|g| g[0]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every passage's text, in order.
    fn texts(d: &Document) -> Vec<&str> {
        d.sections
            .iter()
            .flat_map(|s| s.passages.iter().map(|p| p.text.as_str()))
            .collect()
    }

    fn doc(html: &str) -> Document {
        parse("p", "Fallback", html, &Overrides::default())
    }

    #[test]
    fn content_without_navigation_and_permalinks() {
        let d = doc(
            r##"<html><head><title>Guide | Site</title><script>var x;</script></head>
<body><nav><a href="/">Home</a></nav><div class="related"><a href="a.html">next</a></div>
<div role="main"><h1>Guide<a class="headerlink" href="#g">¶</a></h1>
<p>Opening   words.</p>
<h2><span class="section-number">1. </span>Scope<a class="headerlink" href="#s">¶</a></h2>
<p>It covers <em>this</em>.</p><ul><li><p>One item.</p></li><li>Two</li></ul>
<pre>  code line 1
    code line 2</pre>
<dl><dt>term</dt><dd><p>Its meaning.</p><p>More.</p></dd></dl>
</div><footer>Copyright</footer></body></html>"##,
        );
        assert_eq!(d.title, "Guide");
        let texts = texts(&d);
        assert_eq!(
            texts,
            [
                "Opening words.",
                "It covers this.",
                "One item.",
                "Two",
                "code line 1\n  code line 2",
                "term\nIts meaning.",
                "More."
            ]
        );
        assert_eq!(d.sections[1].label.as_deref(), Some("1"));
        assert_eq!(d.sections[1].title.as_deref(), Some("Scope"));
    }

    #[test]
    fn code_blocks_split_at_blank_lines_of_white_space_too() {
        let d = doc(
            "<html><body><pre>  \n    \n    first line\n      indented\n   \n    second</pre></body></html>",
        );
        let texts = texts(&d);
        assert_eq!(texts, ["first line\n  indented", "second"]);
    }

    #[test]
    fn citation_numbers_are_not_text_and_bold_numbered_paragraphs_are_headings() {
        let d = doc("<html><body><h1>1. About</h1>\
            <div><label class=\"ocn\"><a href=\"#o5\">5</a></label><p>Intro text.</p></div>\
            <div><label class=\"ocn\">8</label><p class=\"bold\"><a name=\"h1.1\"></a>1.1 For the impatient</p></div>\
            <div><p>Body text.</p></div>\
            <p><b>2.5 per cent of users</b> said so.</p></body></html>");
        let toc: Vec<(Option<&str>, Option<&str>)> = d
            .sections
            .iter()
            .map(|s| (s.label.as_deref(), s.title.as_deref()))
            .collect();
        assert_eq!(
            toc,
            [
                (Some("1"), Some("About")),
                (Some("1.1"), Some("For the impatient"))
            ]
        );
        let texts = texts(&d);
        assert_eq!(
            texts,
            [
                "Intro text.",
                "Body text.",
                "2.5 per cent of users said so."
            ]
        );
    }

    #[test]
    fn admonition_labels_are_not_passages_but_their_words_are() {
        let d = doc("<html><body><h1>Locale</h1><p>Intro.</p>\
            <div class=\"tip\"><table><tr><td><img alt=\"[Tip]\"></td><th>Tip</th></tr>\
            <tr><td>Use C.UTF-8.</td></tr></table></div>\
            <div class=\"admonition note\"><p class=\"admonition-title\">Note</p><p>Mind the gap.</p></div>\
            <div class=\"admonition\"><p class=\"admonition-title\">See also</p></div></body></html>");
        let texts = texts(&d);
        assert_eq!(
            texts,
            ["Intro.", "Use C.UTF-8.", "Mind the gap.", "See also"]
        );
    }

    #[test]
    fn table_rows_join_their_non_empty_cells() {
        let d = doc(
            "<html><body><table><tr><td>Path</td><td>(2) Stable</td></tr>\
            <tr><td></td><td>Net</td><td> </td><td>OS</td><td></td></tr></table></body></html>",
        );
        let texts = texts(&d);
        assert_eq!(texts, ["Path | (2) Stable", "Net | OS"]);
    }

    #[test]
    fn notes_travel_with_the_passage_that_cites_them() {
        let d = doc(r##"<html><body><div role="main"><h1>T</h1>
<p>Words that need a note.<a class="footnote-reference brackets" href="#n1" id="r1">1</a></p>
<p>Other words.</p>
<dl class="footnote brackets"><dt class="label" id="n1"><span class="brackets"><a class="fn-backref" href="#r1">1</a></span></dt>
<dd><p>The note's text.</p></dd></dl></div></body></html>"##);
        let all: Vec<_> = d.sections.iter().flat_map(|s| &s.passages).collect();
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].text, "Words that need a note.[1]");
        assert_eq!(all[0].notes.len(), 1);
        assert_eq!(all[0].notes[0].label, "1");
        assert_eq!(all[0].notes[0].text, "The note's text.");
    }
}

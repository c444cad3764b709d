//! EPUB books (2 and 3): the zip archive (`zip`), its package document (`quick-xml`): title,
//! author and language from the metadata, the reading order from the spine, page titles from the
//! navigation document or the NCX; then every XHTML page of the spine, once each and in order,
//! through the HTML reader as one book ([`super::html::parse_book`]), so footnotes, headings and
//! passages read as they do in HTML. Hostile archives are bounded ([`Limits`]): entries, unpacked
//! bytes, time. No I/O beyond the bytes given.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::html::{self, BookInfo, Page};
use super::limits::{Limits, ReadError};
use super::{Document, Overrides};

const FORMAT: &str = "EPUB";

fn corrupt(detail: impl std::fmt::Display) -> ReadError {
    ReadError::corrupt(FORMAT, detail)
}

/// Parses an EPUB file's bytes.
pub fn parse(
    id: &str,
    fallback_title: &str,
    bytes: &[u8],
    o: &Overrides,
    limits: &Limits,
) -> Result<Document, ReadError> {
    let deadline = limits.deadline();
    let mut book = Archive::open(bytes, limits)?;
    let container = book.text("META-INF/container.xml")?;
    let opf_path = rootfile(&container)
        .ok_or_else(|| corrupt("META-INF/container.xml names no package document"))?;
    let opf = book.text(&opf_path)?;
    let package = Package::read(&opf).map_err(corrupt)?;
    let base = |href: &str| html::join(&opf_path, &percent_decode(href));
    let mut info = BookInfo {
        title: package.title.clone(),
        author: package.creator.clone(),
        language: package.language.clone(),
        nav_titles: HashMap::new(),
    };
    // Page titles from the EPUB 3 navigation document, else the NCX.
    let nav = package
        .manifest
        .values()
        .find(|m| m.properties.split_whitespace().any(|p| p == "nav"))
        .map(|m| (base(&m.href), true))
        .or_else(|| {
            let ncx = package
                .toc
                .as_ref()
                .and_then(|t| package.manifest.get(t))
                .or_else(|| {
                    package
                        .manifest
                        .values()
                        .find(|m| m.media_type == "application/x-dtbncx+xml")
                })?;
            Some((base(&ncx.href), false))
        });
    if let Some((path, xhtml)) = nav
        && let Ok(text) = book.text(&path)
    {
        let entries = if xhtml {
            nav_entries(&text)
        } else {
            ncx_entries(&text)
        };
        for (href, label) in entries {
            let file = href.split('#').next().unwrap_or("");
            if file.is_empty() {
                continue;
            }
            info.nav_titles
                .entry(html::join(&path, &percent_decode(file)))
                .or_insert(label);
        }
    }
    // The spine: each file once, in the order it first appears (SiSU points several entries
    // into one file with `#fragment`s).
    let mut seen = HashSet::new();
    let mut pages = Vec::new();
    for idref in &package.spine {
        deadline.check()?;
        let Some(item) = package.manifest.get(idref) else {
            continue;
        };
        let file = item.href.split('#').next().unwrap_or("");
        let path = base(file);
        if !seen.insert(path.clone()) {
            continue;
        }
        if !(item.media_type.contains("html") || item.media_type.is_empty()) {
            continue;
        }
        let markup = book.text(&path)?;
        pages.push(Page {
            name: path,
            html: xhtml_for_html5(&markup),
        });
    }
    if pages.is_empty() {
        return Err(corrupt("its spine lists no readable pages"));
    }
    deadline.check()?;
    Ok(html::parse_book(id, fallback_title, &pages, &info, o))
}

/// The zip archive, with a budget of bytes it may still unpack.
struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    budget: u64,
    limit: u64,
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, ReadError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
        if zip.len() > limits.max_entries {
            return Err(ReadError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        Ok(Archive {
            zip,
            budget: limits.max_unpacked_bytes,
            limit: limits.max_unpacked_bytes,
        })
    }

    /// An entry's text (UTF-8, invalid bytes replaced), counted against the budget.
    fn text(&mut self, name: &str) -> Result<String, ReadError> {
        let too_large = ReadError::TooLarge {
            limit_mb: self.limit / (1024 * 1024),
        };
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(corrupt(format!("it has no entry {name}")));
            }
            Err(e) => return Err(corrupt(format!("{name}: {e}"))),
        };
        if file.size() > self.budget {
            return Err(too_large);
        }
        let mut out = Vec::new();
        (&mut file)
            .take(self.budget + 1)
            .read_to_end(&mut out)
            .map_err(|e| corrupt(format!("{name}: {e}")))?;
        if out.len() as u64 > self.budget {
            return Err(too_large);
        }
        self.budget -= out.len() as u64;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// `%20` and other escapes in an href, as the zip entry names them.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(h) = std::str::from_utf8(h)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The package document's path, from `META-INF/container.xml`.
fn rootfile(container: &str) -> Option<String> {
    let mut reader = Reader::from_str(container);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "rootfile" => {
                if let Some(p) = attr(&e, "full-path") {
                    return Some(p);
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

#[derive(Debug, Clone, Default)]
struct Item {
    href: String,
    media_type: String,
    properties: String,
}

/// What the package document says.
#[derive(Debug, Default)]
struct Package {
    title: Option<String>,
    creator: Option<String>,
    language: Option<String>,
    manifest: HashMap<String, Item>,
    spine: Vec<String>,
    /// The NCX's manifest id (`<spine toc="ncx">`).
    toc: Option<String>,
}

impl Package {
    fn read(opf: &str) -> Result<Package, String> {
        let mut reader = Reader::from_str(opf);
        let mut p = Package::default();
        // The metadata element whose text is being read.
        let mut field: Option<&'static str> = None;
        let mut text = String::new();
        loop {
            let event = reader
                .read_event()
                .map_err(|e| format!("its package document is not XML: {e}"))?;
            match event {
                Event::Start(e) => match e.local_name().as_ref() {
                    "title" => field = Some("title"),
                    "creator" => field = Some("creator"),
                    "language" => field = Some("language"),
                    _ => item(&e, &mut p),
                },
                Event::Empty(e) => item(&e, &mut p),
                Event::Text(t) if field.is_some() => text.push_str(&t.xml10_content()),
                Event::CData(t) if field.is_some() => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if field.is_some() => push_ref(&mut text, &r),
                Event::End(e) => {
                    if let Some(f) = field
                        && e.local_name().as_ref() == f
                    {
                        let value = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        let slot = match f {
                            "title" => &mut p.title,
                            "creator" => &mut p.creator,
                            _ => &mut p.language,
                        };
                        if slot.is_none() && !value.is_empty() {
                            *slot = Some(value);
                        }
                        text.clear();
                        field = None;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if p.spine.is_empty() {
            return Err("its package document has no spine".into());
        }
        Ok(p)
    }
}

fn item(e: &BytesStart<'_>, p: &mut Package) {
    match e.local_name().as_ref() {
        "item" => {
            if let (Some(id), Some(href)) = (attr(e, "id"), attr(e, "href")) {
                p.manifest.insert(
                    id,
                    Item {
                        href,
                        media_type: attr(e, "media-type").unwrap_or_default(),
                        properties: attr(e, "properties").unwrap_or_default(),
                    },
                );
            }
        }
        "itemref" => {
            if let Some(id) = attr(e, "idref")
                && attr(e, "linear").as_deref() != Some("no")
            {
                p.spine.push(id);
            }
        }
        "spine" => p.toc = attr(e, "toc"),
        _ => {}
    }
}

/// A character or entity reference inside text (`&#x27;`, `&amp;`).
fn push_ref(text: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        text.push(c);
        return;
    }
    text.push_str(match &**r {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        _ => "",
    });
}

/// (href, label) of the NCX's navPoints, in order.
fn ncx_entries(ncx: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(ncx);
    let mut out = Vec::new();
    let mut label = String::new();
    let mut in_text = false;
    // Labels waiting for their navPoint's `content src` (which follows the label).
    let mut waiting: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "text" => {
                in_text = true;
                label.clear();
            }
            Ok(Event::Text(t)) if in_text => label.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_text => push_ref(&mut label, &r),
            Ok(Event::End(e)) if e.local_name().as_ref() == "text" => {
                in_text = false;
                waiting = Some(label.split_whitespace().collect::<Vec<_>>().join(" "));
            }
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "content" => {
                if let (Some(src), Some(l)) = (attr(&e, "src"), waiting.take())
                    && !l.is_empty()
                {
                    out.push((src, l));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// (href, label) of the links in an EPUB 3 navigation document's table of contents.
fn nav_entries(nav: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(nav);
    let mut out = Vec::new();
    let mut in_toc = 0usize;
    let mut depth = 0usize;
    let mut link: Option<(String, String)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = e.local_name();
                if name.as_ref() == "nav"
                    && attr(&e, "type").is_some_and(|t| t.split_whitespace().any(|t| t == "toc"))
                {
                    in_toc = depth;
                }
                if in_toc > 0
                    && name.as_ref() == "a"
                    && let Some(h) = attr(&e, "href")
                {
                    link = Some((h, String::new()));
                }
            }
            Ok(Event::Text(t)) => {
                if let Some((_, l)) = link.as_mut() {
                    l.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some((_, l)) = link.as_mut() {
                    push_ref(l, &r);
                }
            }
            Ok(Event::End(e)) => {
                if e.local_name().as_ref() == "a"
                    && let Some((h, l)) = link.take()
                {
                    let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !l.is_empty() {
                        out.push((h, l));
                    }
                }
                if depth == in_toc {
                    in_toc = 0;
                }
                depth = depth.saturating_sub(1);
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// HTML elements that never have content (`<br/>` is fine as it is).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// XHTML as an HTML5 parser reads it: `<a id="x"/>` and other self-closed elements that are not
/// void in HTML become `<a id="x"></a>` (an HTML parser would take `<a/>` as an open tag and swallow
/// the text after it). Markup that is not well-formed XML is left as it is from that point on.
fn xhtml_for_html5(markup: &str) -> String {
    let mut reader = Reader::from_str(markup);
    let mut ends: Vec<(usize, String)> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e)) => {
                let name = e.name().as_ref().to_string();
                let local = name
                    .rsplit(':')
                    .next()
                    .unwrap_or(&name)
                    .to_ascii_lowercase();
                if !VOID.contains(&local.as_str()) {
                    let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                    ends.push((pos, name));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    if ends.is_empty() {
        return markup.to_string();
    }
    let mut out = String::with_capacity(markup.len() + ends.len() * 8);
    let mut at = 0;
    for (pos, name) in ends {
        // The event ends just after `/>`.
        if pos < 2 || pos > markup.len() || !markup.is_char_boundary(pos - 2) || pos - 2 < at {
            continue;
        }
        if &markup[pos - 2..pos] != "/>" {
            continue;
        }
        out.push_str(&markup[at..pos - 2]);
        out.push_str("></");
        out.push_str(&name);
        out.push('>');
        at = pos;
    }
    out.push_str(&markup[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_closed_elements_are_closed_for_html5() {
        assert_eq!(
            xhtml_for_html5("<p><a id=\"x\"/>text<br/></p>"),
            "<p><a id=\"x\"></a>text<br/></p>"
        );
        assert_eq!(percent_decode("a%20b.xhtml"), "a b.xhtml");
    }

    #[test]
    fn a_zip_that_is_not_an_epub_is_refused() {
        assert!(matches!(
            parse(
                "x",
                "X",
                b"PK\x03\x04garbage",
                &Overrides::default(),
                &Limits::default()
            ),
            Err(ReadError::Corrupt { .. })
        ));
    }
}

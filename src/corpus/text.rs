//! Plain text: paragraphs are blocks separated by blank lines. Headings are short standalone lines
//! that read as titles and are followed by body text; lines underlined with `===`/`---` (Setext);
//! numbered headings (`1. Definitions.`, `4.1 Powers`, `A.3.`, `IV.`), headings run into their
//! paragraph (`2. Grant of Copyright License. Subject to …`) or set above an indented body
//! (`1. Debian will remain 100% free` + body); and division words (`CHAPTER IV`, `Article 5`).
//! Numbered paragraphs become sections when they carry the text's own numbering, and passages of
//! their own (labelled items) when they are a list of rules; a list of one-line items stays one
//! passage. Hard-wrapped prose is stored as flowing text ([`reflow`]). The title is the first
//! title-like line ([`find_title`]). Texts in a tradition that marks its own headings (GNU Info,
//! outline NEWS files, Debian changelogs, rendered man pages: [`super::conventions`]) take those
//! headings, and only those, as sections.

use super::conventions::{self, Kind, Marks};
use super::heading::{self, Style};
use super::overrides::Overrides;
use super::{Block, Document, assemble};

/// Longest line, in characters, that can still be a heading or a title.
const MAX_HEADING_CHARS: usize = 100;
const MAX_HEADING_WORDS: usize = 14;
const MAX_TITLE_CHARS: usize = 200;
/// Blocks at the top of a text searched for a title.
const TITLE_SEARCH_BLOCKS: usize = 12;

/// One line: as written, its text without surrounding spaces, its indentation in columns.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    indent: usize,
}

impl<'a> Line<'a> {
    fn new(raw: &'a str) -> Self {
        let mut indent = 0;
        for c in raw.chars() {
            match c {
                ' ' => indent += 1,
                '\t' => indent = (indent / 8 + 1) * 8,
                c if c.is_whitespace() => indent += 1,
                _ => break,
            }
        }
        Line {
            text: raw.trim(),
            indent,
        }
    }
    fn len(&self) -> usize {
        self.text.chars().count()
    }
}

/// A block before it is read: lines between blank or decoration lines, a heading underlined
/// (Setext, reStructuredText), or a footnote's text (`[2] …` and the indented paragraphs under
/// it).
#[derive(Debug, Clone)]
enum Raw<'a> {
    Lines(Vec<Line<'a>>),
    Setext(Line<'a>, u8),
    Note(String, String),
    /// A heading its tradition marks ([`conventions`]).
    Marked(Head),
}

/// A block once read; numbered paragraphs wait for the second pass to become sections or items.
#[derive(Debug, Clone)]
enum Unit<'a> {
    Heading(Head),
    Para(Vec<Line<'a>>),
    /// A body under the numbered title line set above it: the passage keeps the title line.
    Titled(Line<'a>, Vec<Line<'a>>),
    Numbered {
        label: String,
        style: Style,
        depth: u8,
        lines: Vec<Line<'a>>,
    },
    /// A footnote's label and text.
    Note(String, String),
}

#[derive(Debug, Clone)]
struct Head {
    label: Option<String>,
    style: Option<Style>,
    title: Option<String>,
    text: String,
    level: u8,
}

/// Parses a plain-text document (newlines normalised to `\n`, front matter already split off).
pub fn parse(id: &str, fallback_title: &str, text: &str, overrides: &Overrides) -> Document {
    if let Some(marks) = conventions::read(text) {
        return parse_marked(id, fallback_title, text, marks, overrides);
    }
    let mut raws = raw_blocks(text);
    let found = find_title(&mut raws);
    let title = overrides
        .title
        .clone()
        .or(found)
        .unwrap_or_else(|| fallback_title.to_string());
    let strict = underlined_depth(&raws);
    let units = units(&raws, &overrides.heading, strict);
    let captions = captions(&units);
    let units = merge_captions(units, &captions, text);
    let items = decide(units, strict);
    let items = drop_repeated_entries(drop_contents(super::notes::attach(items)));
    assemble(id, title, items, overrides.numbering)
}

/// A text whose tradition marks its headings: those are its sections, every other block is a
/// paragraph, lines the tradition says are not text are left out.
fn parse_marked(
    id: &str,
    fallback_title: &str,
    text: &str,
    marks: Marks,
    overrides: &Overrides,
) -> Document {
    let mut raws = Vec::new();
    let mut cur: Vec<Line<'_>> = Vec::new();
    for (raw, kind) in text.split('\n').zip(marks.kinds) {
        let line = Line::new(raw);
        match kind {
            Kind::Text if !line.text.is_empty() => {
                cur.push(line);
                continue;
            }
            Kind::Text | Kind::Skip => {}
            Kind::Heading(h) => {
                if !cur.is_empty() {
                    raws.push(Raw::Lines(std::mem::take(&mut cur)));
                }
                raws.push(Raw::Marked(Head {
                    label: h.label,
                    style: None,
                    title: h.title,
                    text: h.text,
                    level: h.level,
                }));
                continue;
            }
        }
        if !cur.is_empty() {
            raws.push(Raw::Lines(std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        raws.push(Raw::Lines(cur));
    }
    let title = overrides
        .title
        .clone()
        .or(marks.title)
        .unwrap_or_else(|| fallback_title.to_string());
    let units = raws
        .into_iter()
        .map(|raw| match raw {
            Raw::Marked(h) => Unit::Heading(h),
            Raw::Lines(lines) => Unit::Para(lines),
            Raw::Setext(line, level) => Unit::Heading(plain_heading(line.text, level)),
            Raw::Note(label, text) => Unit::Note(label, text),
        })
        .collect();
    let items = super::notes::attach(decide(units, 0));
    tracing::debug!(
        tradition = marks.tradition,
        "headings marked by the text's tradition"
    );
    assemble(id, title, items, overrides.numbering)
}

/// A line made only of one repeated punctuation mark (`-----`, `====`, `* * *`, `____`).
fn decoration(line: &str) -> Option<char> {
    let mut chars = line.chars().filter(|c| !c.is_whitespace());
    let first = chars.next()?;
    if !"-_=*#~+.·^\"`".contains(first) {
        return None;
    }
    let mut n = 1;
    for c in chars {
        if c != first {
            return None;
        }
        n += 1;
    }
    (n >= 3).then_some(first)
}

fn raw_blocks(text: &str) -> Vec<Raw<'_>> {
    let mut out = Vec::new();
    let mut cur: Vec<Line<'_>> = Vec::new();
    // Underline styles in the order they first appear: the first is level 1 (reStructuredText's
    // rule, which Markdown's `===` before `---` also follows).
    let mut styles: Vec<char> = Vec::new();
    for raw in text.split('\n') {
        let line = Line::new(raw);
        if line.text.is_empty() {
            if !cur.is_empty() {
                out.push(Raw::Lines(std::mem::take(&mut cur)));
            }
            continue;
        }
        if let Some(mark) = decoration(line.text) {
            let setext = !line.text.contains(' ')
                && cur.last().is_some_and(|l| {
                    let (title, under) = (l.len(), line.len());
                    // An underline as long as its title marks a heading however long.
                    let exact = under + 1 >= title && under <= title + 4;
                    (title <= MAX_HEADING_CHARS || (exact && title <= 2 * MAX_HEADING_CHARS))
                        // A sentence over a rule far longer than it ends a passage (`Don't
                        // feel bad: almost everyone gets it wrong at first.` over 72 dashes).
                        && (exact || !l.text.ends_with('.') || l.text.ends_with(".."))
                        && decoration(l.text).is_none()
                        && !l.text.ends_with([',', ';'])
                        && if matches!(mark, '=' | '-') {
                            under * 2 >= title
                        } else {
                            // Other marks underline a title exactly (reStructuredText).
                            cur.len() == 1 && under + 1 >= title && under <= title + 4
                        }
                });
            if setext && let Some(head) = cur.pop() {
                if !cur.is_empty() {
                    out.push(Raw::Lines(std::mem::take(&mut cur)));
                }
                let level = match styles.iter().position(|&c| c == mark) {
                    Some(i) => i + 1,
                    None => {
                        styles.push(mark);
                        styles.len()
                    }
                };
                out.push(Raw::Setext(head, u8::try_from(level).unwrap_or(u8::MAX)));
            } else if !cur.is_empty() {
                out.push(Raw::Lines(std::mem::take(&mut cur)));
            }
            continue;
        }
        cur.push(line);
    }
    if !cur.is_empty() {
        out.push(Raw::Lines(cur));
    }
    footnotes(out, text)
}

/// `[2] text` or `^[2] text` (w3m's rendering of a superscript reference), or the label alone on
/// its line: the note's label and the text after it.
fn note_label(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let t = t.strip_prefix('^').unwrap_or(t);
    let rest = t.strip_prefix('[')?;
    let end = rest.find(']')?;
    let label = &rest[..end];
    let after = &rest[end + 1..];
    let ok = !label.is_empty()
        && label.chars().count() <= 4
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '#' || c == '*')
        && (after.is_empty() || after.starts_with(char::is_whitespace));
    ok.then(|| (label, after.trim()))
}

/// Footnote texts: a block opening with `[2] ` (Sphinx, docutils) or `^[2] ` (w3m), its label at
/// the block's own indentation, and the blocks after it indented deeper (the note's further
/// paragraphs). They become notes, found again by [`super::notes::attach`] for the passage that
/// cites them.
fn footnotes<'a>(raws: Vec<Raw<'a>>, source: &'a str) -> Vec<Raw<'a>> {
    // Where a line ends and starts in the source (lines are slices of it): a note goes on only
    // over white space, never across a rule or anything else left out.
    let start = |l: &Line<'_>| (l.text.as_ptr() as usize).saturating_sub(source.as_ptr() as usize);
    let mut last_end = 0usize;
    let mut out: Vec<Raw<'a>> = Vec::with_capacity(raws.len());
    // The open note: its indentation, label, text so far, and the block that opened it.
    let mut open: Option<(usize, String, String)> = None;
    let mut opened: Option<Raw<'a>> = None;
    let close = |open: &mut Option<(usize, String, String)>,
                 opened: &mut Option<Raw<'a>>,
                 out: &mut Vec<Raw<'a>>| {
        let block = opened.take();
        if let Some((_, label, text)) = open.take() {
            match block {
                // A mark alone with no text after it (`^[8]`, a reference wrapped onto a line
                // of its own, or a note cut off) is not a note: it stays as written.
                Some(b) if text.trim().is_empty() => out.push(b),
                _ => out.push(Raw::Note(label, text.trim().to_string())),
            }
        }
    };
    for raw in raws {
        let Raw::Lines(lines) = &raw else {
            close(&mut open, &mut opened, &mut out);
            out.push(raw);
            continue;
        };
        let first = lines[0];
        if let Some((label, after)) = note_label(first.text) {
            close(&mut open, &mut opened, &mut out);
            let mut text = after.to_string();
            for l in &lines[1..] {
                text.push(' ');
                text.push_str(l.text);
            }
            open = Some((first.indent, label.to_string(), text.trim().to_string()));
            opened = Some(raw.clone());
            last_end = lines.last().map_or(0, |l| start(l) + l.text.len());
            continue;
        }
        // A centred line after a note (`Chapter 3. Locally Installed Modules`) opens what
        // follows; it does not continue the note.
        let centred = lines.len() == 1
            && open
                .as_ref()
                .is_some_and(|(indent, _, _)| first.indent >= indent + 8)
            && looks_like_heading(first.text);
        let adjacent = source
            .get(last_end..start(&first))
            .is_some_and(|gap| gap.trim().is_empty());
        if let Some((indent, _, text)) = open.as_mut()
            && !centred
            && adjacent
            && lines.iter().all(|l| l.indent > *indent)
        {
            last_end = lines.last().map_or(last_end, |l| start(l) + l.text.len());
            text.push('\n');
            text.push_str(&lines.iter().map(|l| l.text).collect::<Vec<_>>().join(" "));
            continue;
        }
        close(&mut open, &mut opened, &mut out);
        out.push(raw);
    }
    close(&mut open, &mut opened, &mut out);
    out
}

/// Lines that sit around a title but are not one: versions, dates, copyright, addresses, bylines.
fn skip_line(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    const STARTS: &[&str] = &[
        "version",
        "copyright",
        "(c)",
        "©",
        "revised",
        "last updated",
        "[last updated",
        "updated",
        "posting date",
        "release date",
        "release ",
        "written by",
        "by ",
        "http",
        "www.",
        "<http",
        "supersedes",
        "ratified",
        "date:",
        "author:",
        "language:",
    ];
    if STARTS.iter().any(|s| l.starts_with(s)) || l.contains("http://") || l.contains("https://") {
        return true;
    }
    const MONTHS: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may ",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let has_year = l
        .split(|c: char| !c.is_ascii_digit())
        .any(|d| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")));
    let short = l.split_whitespace().count() <= 6;
    // `11 Apr 2022`, `Sept. 3, 2019`
    let abbreviated = l
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.len() >= 3 && w.len() <= 4 && MONTHS.iter().any(|m| m.starts_with(w)));
    short && has_year && (MONTHS.iter().any(|m| l.contains(m)) || abbreviated || l.contains('/'))
}

/// A line that can be a title: heading-like, or a short line in quotation marks.
fn title_line(line: &str) -> bool {
    let t = line.trim();
    !skip_line(t)
        && decoration(t).is_none()
        && (looks_like_heading(t)
            || (t.starts_with(['"', '“', '\''])
                && t.chars().count() <= MAX_HEADING_CHARS
                && !t.ends_with([',', ';', ':'])))
}

/// The document's title from the top of the text: a `Title:` line (Project Gutenberg's header);
/// the first block when it is one line, or a title line over version/date/address lines
/// (version/date/copyright blocks before it are skipped); else the first centred title-like line.
/// A title line standing alone is taken out of the text (the essay's first line); one over
/// version and address lines stays in its block.
fn find_title(raws: &mut Vec<Raw<'_>>) -> Option<String> {
    for raw in raws.iter().take(TITLE_SEARCH_BLOCKS) {
        if let Raw::Lines(lines) = raw
            && let Some(t) = lines
                .iter()
                .find_map(|l| l.text.strip_prefix("Title:").map(str::trim))
            && !t.is_empty()
        {
            return Some(t.to_string());
        }
    }
    if raws.len() < 2 {
        return None;
    }
    // First block, past blocks made only of version/date/copyright lines.
    let mut i = 0;
    while let Some(Raw::Lines(lines)) = raws.get(i) {
        if i < 3 && lines.iter().all(|l| skip_line(l.text)) {
            i += 1;
            continue;
        }
        break;
    }
    match raws.get(i) {
        Some(Raw::Setext(line, 1)) if i == 0 => {
            let t = line.text.to_string();
            raws.remove(i);
            return Some(t);
        }
        Some(Raw::Lines(lines)) => {
            let first = lines[0].text;
            if lines.len() == 1
                && first.chars().count() <= MAX_TITLE_CHARS
                && !skip_line(first)
                && (i == 0 || title_line(first))
                && i + 1 < raws.len()
            {
                raws.remove(i);
                return Some(first.to_string());
            }
            // A title over its version and address lines: the block stays a passage, whole.
            if lines.len() > 1 && title_line(first) && lines[1..].iter().all(|l| skip_line(l.text))
            {
                return Some(first.to_string());
            }
        }
        _ => {}
    }
    // A centred title-like line near the top, before any heading.
    for (j, raw) in raws.iter().enumerate().take(TITLE_SEARCH_BLOCKS) {
        match raw {
            Raw::Setext(..) | Raw::Marked(..) => break,
            Raw::Note(..) => {}
            Raw::Lines(lines) => {
                if lines.len() == 1 && lines[0].indent >= 8 && title_line(lines[0].text) {
                    let t = lines[0].text.to_string();
                    raws.remove(j);
                    return Some(t);
                }
            }
        }
    }
    None
}

/// A heading from a marker line whose words read as a title (`1. Definitions.`, `4.1 Powers`).
fn numbered_heading(line: &str) -> Option<Head> {
    let m = heading::marker(line)?;
    if matches!(m.style, Style::Paren | Style::Lower) || m.rest.is_empty() {
        return None;
    }
    let bare = m.rest.trim_end_matches('.');
    let ok = if m.rest.ends_with('.') {
        heading::title_case(bare)
    } else {
        heading::title_like(m.rest) && !m.rest.ends_with(['!', '?'])
    };
    ok.then(|| Head {
        label: Some(m.label.clone()),
        style: Some(m.style),
        title: Some(bare.to_string()),
        text: line.trim().to_string(),
        level: m.depth,
    })
}

/// How deep a text numbers its headings by underlining them (reStructuredText, Sphinx's text
/// builder, Markdown's Setext, with three underlined headings or more): a numbered line not
/// underlined, at that depth or above, is not a heading, whatever it looks like (`1. Russ
/// Allbery` in a list, `4.9. However, you may…` wrapped to a line's start); deeper ones may be
/// (the MPL underlines `1. Definitions` and sets `1.1. "Contributor"` above its body). 0: the
/// text does not underline its headings; `u8::MAX`: it underlines headings without numbers, so
/// every numbered line is an item.
fn underlined_depth(raws: &[Raw<'_>]) -> u8 {
    let underlined: Vec<&Line<'_>> = raws
        .iter()
        .filter_map(|r| match r {
            Raw::Setext(l, _) => Some(l),
            _ => None,
        })
        .collect();
    if underlined.len() < 3 {
        return 0;
    }
    underlined
        .iter()
        .filter_map(|l| heading::marker(l.text))
        .filter(|m| !m.rest.is_empty() && !matches!(m.style, Style::Paren | Style::Lower))
        .map(|m| m.depth)
        .max()
        .unwrap_or(u8::MAX)
}

/// An underlined heading that carries a number (`7.2. Binary Dependencies - "Depends", …`):
/// the underline already says it is a heading, so its words need not read as a title.
fn underlined_heading(line: &str) -> Option<Head> {
    let m = heading::marker(line)?;
    if matches!(m.style, Style::Paren | Style::Lower) || m.rest.is_empty() {
        return None;
    }
    Some(Head {
        label: Some(m.label.clone()),
        style: Some(m.style),
        title: Some(m.rest.trim_end_matches('.').to_string()),
        text: line.trim().to_string(),
        level: m.depth,
    })
}

fn division_heading(line: &str, extra: &[String]) -> Option<Head> {
    let d = heading::division(line, extra)?;
    Some(Head {
        label: Some(d.label),
        style: None,
        title: d.title,
        text: line.trim().to_string(),
        level: d.rank,
    })
}

fn plain_heading(text: &str, level: u8) -> Head {
    Head {
        label: None,
        style: None,
        title: Some(text.trim().to_string()),
        text: text.trim().to_string(),
        level,
    }
}

/// A heading that opens with a quoted name: `"Social Contract" with the Free Software Community`.
fn quoted_heading(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(['"', '“']) else {
        return false;
    };
    rest.contains(['"', '”'])
        && line.chars().count() <= MAX_HEADING_CHARS
        && heading::title_like(line)
        && !line.ends_with(['.', '!', '?', '"', '”', '\''])
}

/// Reads the blocks into headings, paragraphs and numbered paragraphs.
/// `strict`: the depth to which the text underlines its numbered headings
/// ([`underlined_depth`]); a line that is not underlined is then not a heading at that depth,
/// nor a plain heading (`In addition, the packages in *main*`).
fn units<'a>(raws: &[Raw<'a>], extra: &[String], strict: u8) -> Vec<Unit<'a>> {
    let mut out = Vec::new();
    let is_plain_heading = |r: Option<&Raw<'_>>| match r {
        Some(Raw::Lines(l)) => l.len() == 1 && looks_like_heading(l[0].text),
        Some(Raw::Setext(..) | Raw::Marked(..)) => true,
        Some(Raw::Note(..)) | None => false,
    };
    // The indentation of the last numbered paragraph: a line indented a little deeper sits in
    // its body and is not a heading (`    If "make test" produces something like` under ` 9.`);
    // one far deeper is centred (`NO WARRANTY`).
    let mut numbered_indent: Option<usize> = None;
    // Inside a DocBook `List of Tables` (or Figures, Examples): its entries are navigation.
    let mut in_list_of = false;
    // Inside a `Table of Contents` (DocBook's plain-text renderings put one at the top and one
    // under every chapter heading): the first entry's indentation and the titles seen.
    let mut contents: Option<(Option<usize>, std::collections::HashSet<String>)> = None;
    let numbered = |l: &Line<'_>| {
        heading::marker(l.text).is_some() || heading::division(l.text, extra).is_some()
    };
    // An entry's number and title (`3.4.1. Purpose` and `3.5.1. Purpose` differ; `1. Intro`
    // and `Chapter 1. Intro` do not).
    let entry_key = |t: &str| {
        let number = heading::division(t, extra)
            .map(|d| d.label)
            .or_else(|| heading::marker(t).map(|m| m.label))
            .unwrap_or_default();
        let number = number.rsplit(' ').next().unwrap_or_default().to_string();
        format!("{number}|{}", title_key(t))
    };
    for (i, raw) in raws.iter().enumerate() {
        if let Raw::Lines(lines) = raw {
            let caption = lines[0].text.to_lowercase();
            if caption == "table of contents" || caption == "contents" {
                let seen = lines[1..].iter().map(|l| entry_key(l.text)).collect();
                contents = Some((lines.get(1).map(|l| l.indent), seen));
                continue;
            }
            if let Some((indent, seen)) = contents.as_mut() {
                // Entries (wrapped ones too), at the first entry's indentation or deeper; the
                // text starts where a line is shallower or repeats an entry's title.
                let first = lines[0];
                let marked = lines.iter().filter(|l| numbered(l)).count();
                let at = *indent.get_or_insert(first.indent);
                if numbered(&first)
                    && marked * 3 >= lines.len()
                    && first.indent >= at
                    && !seen.contains(&entry_key(first.text))
                {
                    seen.extend(lines.iter().map(|l| entry_key(l.text)));
                    continue;
                }
                contents = None;
            }
        } else {
            contents = None;
        }
        if let Raw::Lines(lines) = raw {
            let t = lines[0].text;
            let caption = lines.len() == 1
                && ["List of Tables", "List of Figures", "List of Examples"].contains(&t);
            let entry = in_list_of && lines.len() <= 2 && heading::marker(t).is_some();
            in_list_of = caption || entry;
            if in_list_of {
                continue;
            }
        } else {
            in_list_of = false;
        }
        if let Raw::Lines(lines) = raw
            && let Some(question) = faq_question(lines, raws.get(i + 1))
        {
            out.push(Unit::Heading(question));
            continue;
        }
        if let Raw::Lines(lines) = raw
            && heading::marker(lines[0].text).is_some()
        {
            numbered_indent = Some(lines[0].indent);
        }
        let lines = match raw {
            // An underlined line inside an indented body, at its indentation (a sample file's
            // `gentoo for Debian` / `-----------------`), is part of the body.
            Raw::Setext(line, _)
                if line.indent > 0
                    && [i.checked_sub(1), Some(i + 1)].iter().all(|j| {
                        matches!(j.and_then(|j| raws.get(j)),
                            Some(Raw::Lines(l)) if l[0].indent == line.indent)
                    }) =>
            {
                out.push(Unit::Para(vec![*line]));
                continue;
            }
            Raw::Setext(line, level) => {
                let head = division_heading(line.text, extra)
                    .or_else(|| underlined_heading(line.text))
                    .unwrap_or_else(|| plain_heading(line.text, *level));
                out.push(Unit::Heading(head));
                continue;
            }
            Raw::Marked(head) => {
                out.push(Unit::Heading(head.clone()));
                continue;
            }
            Raw::Note(label, text) => {
                out.push(Unit::Note(label.clone(), text.clone()));
                continue;
            }
            Raw::Lines(lines) => lines,
        };
        let first = lines[0];
        let deeper = heading::marker(first.text).is_some_and(|m| m.depth > strict);
        if strict > 0 && lines.len() == 1 && !deeper {
            if let Some(h) = division_heading(first.text, extra) {
                out.push(Unit::Heading(h));
            } else if let Some(m) = heading::marker(first.text)
                && !m.rest.is_empty()
            {
                out.push(Unit::Numbered {
                    label: m.label,
                    style: m.style,
                    depth: m.depth,
                    lines: lines.clone(),
                });
            } else {
                out.push(Unit::Para(lines.clone()));
            }
            continue;
        }
        if lines.len() == 1 {
            if let Some(h) = division_heading(first.text, extra) {
                out.push(Unit::Heading(h));
            } else if let Some(h) = numbered_heading(first.text)
                && i + 1 < raws.len()
            {
                out.push(Unit::Heading(h));
            } else if (looks_like_heading(first.text) || quoted_heading(first.text))
                && !skip_line(first.text)
                && !first.text.ends_with(['\'', '"', '’', '”'])
                && !first
                    .text
                    .split_once(": ")
                    .is_some_and(|(k, _)| !k.contains(' ') && k.chars().any(char::is_lowercase))
                && heading::marker(first.text).is_none()
                && numbered_indent.is_none_or(|n| first.indent <= n || first.indent >= n + 8)
                && !byline(raws.get(i + 1))
                && raws.get(i + 1).is_some()
                && !is_plain_heading(raws.get(i + 1))
            {
                out.push(Unit::Heading(plain_heading(first.text, 1)));
            } else if let Some(m) = heading::marker(first.text)
                && !m.rest.is_empty()
            {
                out.push(Unit::Numbered {
                    label: m.label,
                    style: m.style,
                    depth: m.depth,
                    lines: lines.clone(),
                });
            } else if let Some(label) = heading::division_item(first.text, extra) {
                out.push(word_numbered(label, lines));
            } else {
                out.push(Unit::Para(lines.clone()));
            }
            continue;
        }
        // `CHAPTER I.` over its title
        if lines.len() == 2
            && let Some(mut h) = division_heading(first.text, extra)
            && h.title.is_none()
            && heading::title_like(lines[1].text)
        {
            h.title = Some(lines[1].text.trim_end_matches('.').to_string());
            h.text = format!("{} {}", first.text, lines[1].text);
            out.push(Unit::Heading(h));
            continue;
        }
        if heading::marker(first.text).is_none() {
            out.push(match heading::division_item(first.text, extra) {
                Some(label) => word_numbered(label, lines),
                None => Unit::Para(lines.clone()),
            });
            continue;
        }
        // Split at the markers of the first one's style on the block's own indentation.
        let first_style = heading::marker(first.text).map(|m| m.style);
        let mut items: Vec<Vec<Line<'a>>> = Vec::new();
        for line in lines {
            // A marker of another style is a wrapped line (`… Contributor Version; 2)` /
            // `3)  for infringements…` inside item `(d)`), not an item of this list.
            let starts = line.indent <= first.indent
                && heading::marker(line.text).is_some_and(|m| {
                    // `i.` reads as a letter, `ii.` as a numeral: one list.
                    let family = |s: Style| match s {
                        Style::Lower | Style::Roman | Style::Upper => Style::Roman,
                        s => s,
                    };
                    first_style.is_some_and(|f| family(f) == family(m.style))
                });
            match items.last_mut() {
                Some(item) if !starts => item.push(*line),
                _ => items.push(vec![*line]),
            }
        }
        if items.iter().all(|it| it.len() == 1) {
            // A list of one-line items (rules, verse-like lines) stays one passage.
            out.push(Unit::Para(lines.clone()));
            continue;
        }
        for item in items {
            let start = item[0];
            let Some(m) = heading::marker(start.text) else {
                out.push(Unit::Para(item));
                continue;
            };
            let cont = &item[1..];
            let headable = !matches!(m.style, Style::Paren | Style::Lower);
            let longest = cont.iter().map(Line::len).max().unwrap_or(0);
            let headable = headable && m.depth > strict;
            // `1.2. Where does the name "Valgrind" come from?` over its answer.
            let question = headable && !cont.is_empty() && m.rest.ends_with('?');
            let set_above = question
                || headable
                    && !cont.is_empty()
                    && ((cont[0].indent > start.indent
                        && (start.len() < longest
                            || heading::title_case(m.rest.trim_end_matches('.'))))
                        || start.len() * 4 < longest * 3)
                    && if m.rest.ends_with('.') {
                        heading::title_case(m.rest.trim_end_matches('.'))
                    } else {
                        heading::title_like(m.rest)
                    };
            if set_above {
                out.push(Unit::Heading(Head {
                    label: Some(m.label.clone()),
                    style: Some(m.style),
                    title: Some(m.rest.trim_end_matches('.').to_string()),
                    text: start.text.to_string(),
                    level: m.depth,
                }));
                out.push(Unit::Titled(start, cont.to_vec()));
            } else if headable && let Some(t) = heading::run_in_title(m.rest) {
                out.push(Unit::Heading(Head {
                    label: Some(m.label.clone()),
                    style: Some(m.style),
                    title: Some(t.to_string()),
                    text: format!("{}. {t}", m.label),
                    level: m.depth,
                }));
                out.push(Unit::Para(item));
            } else {
                out.push(Unit::Numbered {
                    label: m.label,
                    style: m.style,
                    depth: m.depth,
                    lines: item,
                });
            }
        }
    }
    // FAQ questions sit one level below the heading before them.
    let mut above = 0;
    for u in &mut out {
        if let Unit::Heading(h) = u {
            if h.level == 0 {
                h.level = above + 1;
            } else {
                above = h.level;
            }
        }
    }
    out
}

/// A name's address under it (`Josip Rodin` over `original contents <joy-mg@debian.org>`): the
/// line above is an author, not a heading.
fn byline(next: Option<&Raw<'_>>) -> bool {
    matches!(next, Some(Raw::Lines(l)) if l.len() <= 2 && l.iter().any(|l| {
        l.text.split_once('<').is_some_and(|(_, r)| r.contains('@') && r.contains('>'))
    }))
}

/// A question of a `Q:` / `A:` FAQ (`Q:  What do the letters XZ mean?`, wrapped over up to
/// four lines) before its answer: a heading one level below the heading above it (level 0 until
/// [`units`] knows it).
fn faq_question(lines: &[Line<'_>], next: Option<&Raw<'_>>) -> Option<Head> {
    let rest = lines[0].text.strip_prefix("Q:")?;
    let answer = matches!(next, Some(Raw::Lines(a)) if a[0].text.starts_with("A:"));
    if !answer || lines.len() > 4 {
        return None;
    }
    let mut title = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    for l in &lines[1..] {
        title.push(' ');
        title.push_str(&l.text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    (!title.is_empty()).then(|| Head {
        label: None,
        style: None,
        title: Some(title),
        text: lines.iter().map(|l| l.text).collect::<Vec<_>>().join(" "),
        level: 0,
    })
}

/// A paragraph numbered by a division word (`Section 2. Dues are …`), labelled as the text cites it.
fn word_numbered<'a>(label: String, lines: &[Line<'a>]) -> Unit<'a> {
    Unit::Numbered {
        label,
        style: Style::Word,
        depth: 1,
        lines: lines.to_vec(),
    }
}

/// Second pass: a numbered paragraph is a section when it continues the numbering of a section
/// above it, or when, outside any numbered section, its run of numbers holds other paragraphs
/// (`0. This License applies …` followed by its definitions); otherwise it is an item of a list,
/// a passage labelled with its number.
fn decide(units: Vec<Unit<'_>>, strict: u8) -> Vec<Block> {
    let mut out = Vec::with_capacity(units.len());
    // Open numbered sections, outermost first: (level, style, label).
    let mut stack: Vec<(u8, Option<Style>, String)> = Vec::new();
    let mut current_labelled = false;
    let mut item_run: Option<(Style, String)> = None;
    // Numbered sections after an unnumbered heading (`TERMS AND CONDITIONS`, `The Debian Free
    // Software Guidelines (DFSG)`) or a worded division (`Article IV`) sit inside it: their level
    // counts from its level.
    let mut under: u8 = 0;
    // The level of the outermost worded division so far (`Article I`): an appendix stands beside
    // it, not above it, whatever the words' usual ranks.
    let mut outermost: Option<u8> = None;
    for i in 0..units.len() {
        match &units[i] {
            Unit::Heading(h) => {
                let mut h = h.clone();
                if h.style.is_none()
                    && let Some(label) = &h.label
                {
                    if heading::is_appendix(label) {
                        if let Some(top) = outermost {
                            h.level = top;
                        }
                    } else {
                        outermost = Some(outermost.map_or(h.level, |o| o.min(h.level)));
                    }
                }
                if h.style.is_some() {
                    h.level = h.level.saturating_add(under);
                } else {
                    // An unnumbered heading or a worded division (`Article IV`): numbered
                    // sections after it sit inside it.
                    under = h.level;
                }
                let h = &h;
                if let Some(l) = &h.label {
                    stack.retain(|(lv, _, _)| *lv < h.level);
                    stack.push((h.level, h.style, l.clone()));
                }
                current_labelled = h.label.is_some();
                item_run = None;
                out.push(head_block(h));
            }
            Unit::Para(lines) => out.push(Block::Passage {
                label: None,
                text: reflow(lines),
            }),
            Unit::Note(label, text) => out.push(Block::NoteDef(super::Note {
                label: label.clone(),
                text: text.clone(),
            })),
            Unit::Titled(title, body) => out.push(Block::Passage {
                label: None,
                text: format!("{}\n{}", title.text, reflow(body)),
            }),
            Unit::Numbered {
                label,
                style,
                depth,
                lines,
            } => {
                let continues_items = item_run
                    .as_ref()
                    .is_some_and(|(s, l)| s == style && heading::follows(l, label));
                let sibling = stack
                    .iter()
                    .any(|(_, s, l)| *s == Some(*style) && heading::follows(l, label));
                // `9.2.` under `Chapter 9.`, `3.1.1.` under `3.1.`: the first level below a
                // section.
                let child = *style == Style::Decimal
                    && lines.len() <= 3
                    && matches!(units.get(i + 1), Some(Unit::Para(_) | Unit::Titled(..)))
                    && stack.iter().any(|(_, s, l)| {
                        // `Chapter 9` → `9`
                        let l = l.rsplit(' ').next().unwrap_or(l);
                        matches!(s, None | Some(Style::Decimal))
                            && label.strip_prefix(l).is_some_and(|r| {
                                r.starts_with('.') && r[1..].bytes().all(|b| b.is_ascii_digit())
                            })
                    });
                let section = *depth > strict
                    && !continues_items
                    && (sibling
                        || child
                        || (!current_labelled && holds_paragraphs(&units[i..], *style)));
                // A short numbered paragraph over a body indented deeper is the section's
                // title (a FAQ's ` 9. Why do I get "undefined reference to gzputc"?`).
                let text = reflow(lines);
                let child = |l: &str| {
                    l.strip_prefix(label.as_str())
                        .is_some_and(|r| r.starts_with('.'))
                };
                let over_body = match units.get(i + 1) {
                    // Indented as a body is, not centred (`The End`).
                    Some(Unit::Para(body)) => {
                        (lines[0].indent + 1..lines[0].indent + 8).contains(&body[0].indent)
                    }
                    // `3.4. /bin : Essential user command binaries (for use by all` / `users)`
                    // over `3.4.1. Purpose`
                    Some(Unit::Numbered { label: l, .. }) => child(l),
                    Some(Unit::Heading(h)) => h.label.as_deref().is_some_and(child),
                    _ => false,
                };
                let title =
                    (section && over_body && lines.len() <= 3 && text.chars().count() <= 250)
                        .then(|| heading::marker(&text).map(|m| m.rest.to_string()))
                        .flatten()
                        .filter(|t| !t.is_empty());
                if section {
                    let level = depth.saturating_add(under);
                    let h = Head {
                        label: Some(label.clone()),
                        style: Some(*style),
                        title: title.clone(),
                        text: if title.is_some() {
                            text.clone()
                        } else {
                            label.clone()
                        },
                        level,
                    };
                    stack.retain(|(lv, _, _)| *lv < level);
                    stack.push((level, Some(*style), label.clone()));
                    current_labelled = true;
                    item_run = None;
                    out.push(head_block(&h));
                } else {
                    item_run = Some((*style, label.clone()));
                }
                if title.is_none() {
                    out.push(Block::Passage {
                        label: (!section).then(|| label.clone()),
                        text,
                    });
                }
            }
        }
    }
    out
}

/// Whether, up to the next heading, a numbered paragraph of this style is followed by a plain one.
fn holds_paragraphs(units: &[Unit<'_>], style: Style) -> bool {
    for (j, u) in units.iter().enumerate() {
        match u {
            Unit::Heading(_) => return false,
            Unit::Numbered { style: s, .. } if *s == style => {
                if matches!(units.get(j + 1), Some(Unit::Para(_) | Unit::Titled(..))) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn head_block(h: &Head) -> Block {
    Block::Heading {
        label: h.label.clone(),
        title: h.title.clone().filter(|t| !t.is_empty()),
        text: h.text.clone(),
        level: h.level,
    }
}

/// Drops a table of contents: a run of passages and headings that repeat the headings after
/// them, at least five entries. Passages count when half their lines are later titles (`* 1.
/// About this manual`, `  * 1.1. Scope`, or lynx's `   1.1. What is this FAQ?` with wrapped
/// entries between); headings when their title is a later one (a contents line read as a
/// heading: `1. Introduction` before the body's `Chapter 1. Introduction`) or a short caption
/// (`Table of Contents`, `Appendices`).
/// A title without its number, quotes, dashes and white space: contents and headings may
/// number, quote and dash differently (`1.`, `Chapter 1.`; `"dotfiles"`, `“dotfiles”`).
fn title_key(s: &str) -> String {
    let s = s.trim().trim_start_matches(['*', '-', '+', '•']).trim();
    let s = heading::division(s, &[])
        .and_then(|d| d.title)
        .or_else(|| heading::marker(s).map(|m| m.rest.to_string()))
        .unwrap_or_else(|| s.to_string());
    s.replace("--", "-")
        .chars()
        .filter(|c| !"\"“”'‘’".contains(*c))
        .map(|c| if matches!(c, '–' | '—') { '-' } else { c })
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches('.')
        .to_lowercase()
}

/// Admonition labels a DocBook stylesheet prints over a note (`Note`, `Warning`; in Spanish
/// `Nota`, `Aviso`…): captions however often they come, and left out of the passage they
/// label, as the HTML reader leaves out the `¶` of a permalink — they are the rendering's words,
/// not the author's (the HTML reader leaves them out too).
pub(crate) const ADMONITIONS: &[&str] = &[
    "note",
    "tip",
    "warning",
    "caution",
    "important",
    "nota",
    "aviso",
    "atención",
    "sugerencia",
    "consejo",
    "importante",
    "advertencia",
];

/// Titles repeated over paragraphs all through a numbered text (`Rationale`, `Note` in the
/// Filesystem Hierarchy Standard, three times or more; an admonition's `Note` or `Warning`
/// once): a paragraph's own caption, not a section
/// — kept at the head of the passage it introduces ([`merge_captions`]).
fn captions(units: &[Unit<'_>]) -> std::collections::HashSet<String> {
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut labelled = 0;
    for u in units {
        match u {
            Unit::Heading(h) if h.label.is_none() => {
                *counts.entry(title_key(&h.text)).or_default() += 1;
            }
            Unit::Heading(_) => labelled += 1,
            // A caption indented with the body it sits in is read as a line of its own.
            Unit::Para(lines) if lines.len() == 1 && caption_like(lines[0].text) => {
                *counts.entry(title_key(lines[0].text)).or_default() += 1;
            }
            _ => {}
        }
    }
    if labelled < 3 {
        return Default::default();
    }
    counts
        .into_iter()
        .filter_map(|(k, n)| {
            ((n >= 3 || ADMONITIONS.contains(&k.as_str())) && !k.is_empty()).then_some(k)
        })
        .collect()
}

/// A line that can caption a paragraph: a few words, capitalised, with no closing punctuation.
fn caption_like(text: &str) -> bool {
    let t = text.trim();
    !t.contains('\n')
        && (1..=4).contains(&t.split_whitespace().count())
        && t.chars().next().is_some_and(char::is_uppercase)
        && !t.ends_with(['.', ',', ';', ':', '!', '?'])
}

/// Puts each caption ([`captions`]) at the head of the paragraph right after it (nothing but
/// white space between them in the text, so that the passage is still the text's own words); a
/// caption with no paragraph right after it stays as it was read; an admonition's label is left
/// out.
fn merge_captions<'a>(
    units: Vec<Unit<'a>>,
    captions: &std::collections::HashSet<String>,
    source: &'a str,
) -> Vec<Unit<'a>> {
    if captions.is_empty() {
        return units;
    }
    // Where a line of the source starts, as an offset (lines are slices of `source`).
    let offset = |l: &Line<'_>| (l.text.as_ptr() as usize).checked_sub(source.as_ptr() as usize);
    let caption_text = |u: &Unit<'_>| -> Option<String> {
        match u {
            Unit::Heading(h) if h.label.is_none() && captions.contains(&title_key(&h.text)) => {
                Some(h.text.clone())
            }
            Unit::Para(lines)
                if lines.len() == 1
                    && caption_like(lines[0].text)
                    && captions.contains(&title_key(lines[0].text)) =>
            {
                Some(lines[0].text.to_string())
            }
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(units.len());
    let mut units = units.into_iter().peekable();
    while let Some(u) = units.next() {
        let Some(caption) = caption_text(&u) else {
            out.push(u);
            continue;
        };
        if ADMONITIONS.contains(&title_key(&caption).as_str()) {
            continue;
        }
        // The caption as a slice of the source, right before the next paragraph.
        let title = match units.peek() {
            Some(Unit::Para(body)) => offset(&body[0])
                .and_then(|at| source.get(..at))
                .map(str::trim_end)
                .filter(|before| before.ends_with(caption.as_str()))
                .and_then(|before| source.get(before.len() - caption.len()..before.len())),
            _ => None,
        };
        match (title, units.peek().cloned()) {
            (Some(t), Some(Unit::Para(body))) => {
                units.next();
                out.push(Unit::Titled(Line { text: t, indent: 0 }, body));
            }
            // Nothing right after it: as it was read.
            _ => out.push(u),
        }
    }
    out
}

/// Drops the entries of a short contents list (a chapter's own, DocBook's `Table of Contents`
/// under each chapter heading): a numbered heading with no text before the next heading, whose
/// number and title come again later as a heading.
fn drop_repeated_entries(items: Vec<Block>) -> Vec<Block> {
    let key = |b: &Block| match b {
        Block::Heading {
            label: Some(l),
            title,
            text,
            ..
        } => Some((l.clone(), title_key(title.as_deref().unwrap_or(text)))),
        _ => None,
    };
    let keys: Vec<_> = items.iter().map(key).collect();
    let mut later = std::collections::HashSet::new();
    let mut drop = vec![false; items.len()];
    for i in (0..items.len()).rev() {
        let Some(k) = &keys[i] else { continue };
        let empty = items[i + 1..]
            .iter()
            .find(|b| matches!(b, Block::Heading { .. } | Block::Passage { .. }))
            .is_none_or(|b| matches!(b, Block::Heading { .. }));
        drop[i] = empty && later.contains(k);
        later.insert(k.clone());
    }
    items
        .into_iter()
        .zip(drop)
        .filter_map(|(b, d)| (!d).then_some(b))
        .collect()
}

fn drop_contents(items: Vec<Block>) -> Vec<Block> {
    let title_of = |b: &Block| match b {
        Block::Heading { title, text, .. } => Some(title_key(title.as_deref().unwrap_or(text))),
        _ => None,
    };
    // The heading titles after each position.
    let mut later: Vec<std::collections::HashSet<String>> =
        vec![Default::default(); items.len() + 1];
    for i in (0..items.len()).rev() {
        let mut set = later[i + 1].clone();
        if let Some(t) = title_of(&items[i]) {
            set.insert(t);
        }
        later[i] = set;
    }
    let mut drop = vec![false; items.len()];
    let mut i = 0;
    while i < items.len() {
        let mut j = i;
        let mut matched = 0usize;
        while j < items.len() {
            match &items[j] {
                Block::Passage { text, .. } => {
                    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
                    let hits = lines
                        .iter()
                        .filter(|l| later[j + 1].contains(&title_key(l)))
                        .count();
                    if lines.is_empty() || hits * 2 < lines.len() {
                        break;
                    }
                    matched += hits;
                }
                Block::Heading { text, .. } => {
                    let repeated = title_of(&items[j]).is_some_and(|t| later[j + 1].contains(&t));
                    if repeated {
                        matched += 1;
                    } else if text.split_whitespace().count() > 3 {
                        break;
                    }
                }
                _ => break,
            }
            j += 1;
        }
        // Do not end a run on a caption (it may open what follows).
        while j > i
            && matches!(items[j - 1], Block::Heading { .. })
            && !title_of(&items[j - 1]).is_some_and(|t| !t.is_empty() && later[j].contains(&t))
        {
            j -= 1;
        }
        if matched >= 5 {
            for d in &mut drop[i..j] {
                *d = true;
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    items
        .into_iter()
        .zip(drop)
        .filter_map(|(b, d)| (!d).then_some(b))
        .collect()
}

/// The stored text of a paragraph. Hard-wrapped prose (lines of similar length, same indentation
/// after the first) flows: lines joined with spaces, runs of white space made one. Anything else
/// (verse, lists of short lines, code) keeps its lines, minus their common indentation.
fn reflow(lines: &[Line<'_>]) -> String {
    if lines.len() == 1 {
        return lines[0].text.to_string();
    }
    let longest = lines.iter().map(Line::len).max().unwrap_or(0);
    let body = &lines[1..];
    let body_indent_min = body.iter().map(|l| l.indent).min().unwrap_or(0);
    let body_indent_max = body.iter().map(|l| l.indent).max().unwrap_or(0);
    let list = lines.iter().all(|l| heading::marker(l.text).is_some());
    let wrapped = lines[..lines.len() - 1]
        .iter()
        .all(|l| l.len() * 10 >= longest * 6);
    let prose = !list && longest >= 40 && wrapped && body_indent_max - body_indent_min <= 2;
    if prose {
        let mut out = String::new();
        for w in lines.iter().flat_map(|l| l.text.split_whitespace()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
        return out;
    }
    let base = lines.iter().map(|l| l.indent).min().unwrap_or(0);
    lines
        .iter()
        .map(|l| {
            let pad = l.indent.saturating_sub(base);
            format!("{}{}", " ".repeat(pad), l.text)
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// A short standalone line that reads as a title: no closing period, comma, colon or semicolon; not
/// opening with a quotation mark or bracket; not a list item.
pub(crate) fn looks_like_heading(block: &str) -> bool {
    let line = block.trim();
    if line.is_empty() || line.contains('\n') {
        return false;
    }
    if line.chars().count() > MAX_HEADING_CHARS
        || line.split_whitespace().count() > MAX_HEADING_WORDS
    {
        return false;
    }
    let Some(first) = line.chars().next() else {
        return false;
    };
    if !(first.is_alphanumeric()) || first.is_lowercase() {
        return false;
    }
    // A footnote mark after the sentence it ends (`… data files. [10]`) hides its full stop;
    // so does a bracket closing after one (`… are possible.)`).
    let bare = match line.rsplit_once(' ') {
        Some((before, mark)) if note_label(mark).is_some() => before.trim_end(),
        _ => line,
    };
    if bare.ends_with(['.', ',', ':', ';', '…', '-', '–', '—']) || bare.ends_with(".)") {
        return false;
    }
    // A number alone (a footnote mark on its own line) names nothing; a line ending on `and`
    // or `of` is a sentence broken off, not a title.
    if !line.chars().any(char::is_alphabetic) || heading::ends_mid_sentence(line) {
        return false;
    }
    !is_list_item(line)
}

/// `1. …`, `2) …`, `a. …`, `- …`, `* …`, `• …`
fn is_list_item(line: &str) -> bool {
    if line.starts_with(['-', '*', '•', '+']) {
        return true;
    }
    let marker: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let after = &line[marker.len()..];
    let numeric = !marker.is_empty() && marker.chars().all(|c| c.is_ascii_digit());
    let letter = marker.len() == 1 && marker.chars().all(|c| c.is_ascii_lowercase());
    (numeric || letter) && (after.starts_with(". ") || after.starts_with(") "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        parse("d", "D", text, &Overrides::default())
    }

    #[test]
    fn headings_are_short_standalone_title_lines() {
        assert!(looks_like_heading("Elements of dual power"));
        assert!(looks_like_heading("The working class must take power!"));
        assert!(!looks_like_heading("It is necessary to act."));
        assert!(!looks_like_heading("“There is no saviour high above us,"));
        assert!(!looks_like_heading("1. Free and democratic elections"));
        assert!(!looks_like_heading("Lenin pointed out many times:"));
        assert!(!looks_like_heading("two\nlines"));
    }

    #[test]
    fn heading_needs_body_after_it() {
        let d = doc("Title\n\nIntro text here.\n\nA heading\n\nBody.\n\nTrailing line");
        assert_eq!(d.title, "Title");
        assert_eq!(d.sections.len(), 2);
        assert_eq!(d.sections[1].title.as_deref(), Some("A heading"));
        // the last line has no body after it, so it is a passage
        assert_eq!(d.sections[1].passages.len(), 2);
    }

    #[test]
    fn setext_numbered_and_run_in_headings() {
        let d = doc(
            "Rules\n=====\n\nIntro.\n\n1. Definitions.\n\nWords mean things here.\n\n2. Grant of Licence. Subject to the terms, you may\n   copy the work as long as you keep this notice intact.\n\n   (a) You must keep the notice in every copy that you\n       make of the work or any part of it.\n\n   (b) You must say what you changed in the work when\n       you give it to someone else.\n",
        );
        assert_eq!(d.title, "Rules");
        let labels: Vec<_> = d.sections.iter().map(|s| s.label.as_deref()).collect();
        assert_eq!(labels, vec![None, Some("1"), Some("2")]);
        assert_eq!(d.sections[2].title.as_deref(), Some("Grant of Licence"));
        let items: Vec<_> = d.sections[2]
            .passages
            .iter()
            .map(|p| p.label.as_deref())
            .collect();
        assert_eq!(items, vec![None, Some("a"), Some("b")]);
        assert_eq!(
            d.sections[2].passages[1].text,
            "(a) You must keep the notice in every copy that you make of the work or any part of it."
        );
    }

    #[test]
    fn verse_keeps_its_lines_and_prose_flows() {
        let d = doc(
            "T\n\n    How doth the little crocodile\n      Improve his shining tail,\n    And pour the waters of the Nile\n\nThis paragraph was wrapped by an editor at a fixed\nwidth so that it reads   well in a terminal window\nand ends here.",
        );
        let p = &d.sections[0].passages;
        assert_eq!(
            p[0].text,
            "How doth the little crocodile\n  Improve his shining tail,\nAnd pour the waters of the Nile"
        );
        assert_eq!(
            p[1].text,
            "This paragraph was wrapped by an editor at a fixed width so that it reads well in a terminal window and ends here."
        );
    }

    #[test]
    fn title_skips_versions_and_takes_centred_lines() {
        let d = doc(
            "   Version 1.2 ratified on October 1st, 2022.\n\n\t\t\tThe Manifesto\n\nWhat it is\n\nBody text.",
        );
        assert_eq!(d.title, "The Manifesto");
        let d = doc("Apache License\nVersion 2.0, January 2004\n\nBody text here.");
        assert_eq!(d.title, "Apache License");
    }
}

//! PDF with a text layer. `lopdf` parses the file (objects, streams, fonts' encodings, the
//! outline); the layout is ours: every glyph is placed by following the page's text operators
//! (text matrix, font size and widths, spacing, `cm`, form XObjects), glyphs on one baseline make a
//! line and gaps between them make spaces, lines make paragraphs (a line that stops short of the
//! margin though the next line's first word would have fitted ends its paragraph; a vertical gap,
//! a change of size, a bullet start one). Running headers and footers (first and last lines that
//! repeat or carry the page number), contents lines with dot leaders and page numbers are dropped;
//! line-end hyphens are rejoined when the whole word occurs elsewhere in the text; superscript
//! numbers become note markers `[n]`, and the small-type notes at a page's foot travel with the
//! passage that cites them. Headings come from the outline (bookmarks) when there is one, placed
//! on the line of their page that carries their title (with the number printed there); without an
//! outline the text goes to the plain-text reader. Every passage keeps the printed label of the page
//! it starts on (`/PageLabels`), so `p. 12` can quote it. A file with no text on any page has no
//! text layer: refused, since cabildo does no OCR.

use std::collections::{HashMap, HashSet};

use lopdf::Encoding;
use lopdf::content::Content;
use lopdf::{Dictionary, Object, ObjectId};

use super::limits::{Deadline, Limits, ReadError};
use super::{Block, Document, Note, Overrides, assemble, heading, text};

const FORMAT: &str = "PDF";
/// Form XObjects nested deeper than this are not followed.
const MAX_FORM_DEPTH: usize = 8;
/// Operations per page before a page counts as hostile.
const MAX_OPERATIONS: usize = 2_000_000;

fn corrupt(detail: impl std::fmt::Display) -> ReadError {
    ReadError::corrupt(FORMAT, detail)
}

/// Parses a PDF file's bytes.
pub fn parse(
    id: &str,
    fallback_title: &str,
    bytes: &[u8],
    o: &Overrides,
    limits: &Limits,
) -> Result<Document, ReadError> {
    let deadline = limits.deadline();
    let per_stream = usize::try_from(limits.max_unpacked_bytes).unwrap_or(usize::MAX);
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(per_stream),
        ..lopdf::LoadOptions::default()
    };
    let pdf = lopdf::Document::load_mem_with_options(bytes, options).map_err(corrupt)?;
    if pdf.is_encrypted() {
        return Err(corrupt("it is encrypted"));
    }
    deadline.check()?;
    let page_ids: Vec<ObjectId> = pdf.get_pages().values().copied().collect();
    if page_ids.is_empty() {
        return Err(corrupt("it has no pages"));
    }
    let labels = page_labels(&pdf, page_ids.len());
    let font_dicts = font_dictionaries(&pdf);
    let mut extractor = Extractor {
        pdf: &pdf,
        font_dicts: &font_dicts,
        fonts: HashMap::new(),
        budget: limits.max_unpacked_bytes,
        limit_mb: limits.max_unpacked_bytes / (1024 * 1024),
        deadline,
        placement: 0,
    };
    let mut pages: Vec<Vec<Line>> = Vec::with_capacity(page_ids.len());
    let mut failed = 0usize;
    for &pid in &page_ids {
        deadline.check()?;
        match extractor.page(pid) {
            Ok(glyphs) => pages.push(lines(glyphs)),
            Err(e @ (ReadError::TooLarge { .. } | ReadError::TooSlow { .. })) => return Err(e),
            Err(_) => {
                failed += 1;
                pages.push(Vec::new());
            }
        }
    }
    if pages.iter().all(Vec::is_empty) {
        if failed == page_ids.len() {
            return Err(corrupt("no page could be read"));
        }
        return Err(ReadError::NoTextLayer);
    }
    if let Ok(v) = std::env::var("CABILDO_PDF_DEBUG_PAGE")
        && let Ok(n) = v.parse::<usize>()
        && let Some(page) = pages.get(n.saturating_sub(1))
    {
        for l in page {
            eprintln!(
                "{:7.1} {:6.1}-{:6.1} {:4.1}{} {}",
                l.y,
                l.x0,
                l.x1,
                l.size,
                if l.mono { " mono" } else { "" },
                l.text
            );
        }
    }
    let info = info(&pdf);
    let outline = outline(&pdf, page_ids.len());
    deadline.check()?;
    let mut layout = Layout::new(pages, labels);
    layout.drop_running_lines();
    layout.drop_contents_lines();
    let notes = layout.take_notes();
    let words = layout.vocabulary();
    let known = o
        .title
        .clone()
        .or_else(|| info.title.clone().filter(|t| !t.trim().is_empty()));
    let mut doc = if outline.len() >= 2 {
        let blocks = layout.blocks(&outline, &notes, &words);
        let title = known.unwrap_or_else(|| fallback_title.to_string());
        assemble(id, title, blocks, o.numbering)
    } else {
        // Without metadata, the title is read from the first page as in a plain text.
        let mut o = o.clone();
        o.title = known;
        layout.as_text(id, fallback_title, &words, &o)
    };
    doc.author = info.author;
    Ok(doc)
}

/// The document information dictionary's title and author.
#[derive(Debug, Default)]
struct Info {
    title: Option<String>,
    author: Option<String>,
}

fn info(pdf: &lopdf::Document) -> Info {
    let dict = pdf
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| pdf.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let field = |key: &[u8]| {
        let obj = dict?.get(key).ok()?;
        let (_, obj) = pdf.dereference(obj).ok()?;
        let s = lopdf::decode_text_string(obj).ok()?;
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        (!s.is_empty()).then_some(s)
    };
    Info {
        title: field(b"Title"),
        author: field(b"Author"),
    }
}

/// One outline entry: level (1 outermost), title, page index (from 0).
#[derive(Debug, Clone)]
struct Entry {
    level: u8,
    title: String,
    page: usize,
}

fn outline(pdf: &lopdf::Document, pages: usize) -> Vec<Entry> {
    let Ok(toc) = pdf.get_toc() else {
        return Vec::new();
    };
    toc.toc
        .into_iter()
        .filter_map(|t| {
            let title = t.title.split_whitespace().collect::<Vec<_>>().join(" ");
            let page = t.page.checked_sub(1)?;
            (page < pages && !title.is_empty()).then_some(Entry {
                level: u8::try_from(t.level).unwrap_or(u8::MAX).max(1),
                title,
                page,
            })
        })
        .collect()
}

/// The printed label of every page, from the catalog's `/PageLabels` number tree (`i`, `ii`, …
/// `1`, `2`, or a prefix); the physical number where there is none.
fn page_labels(pdf: &lopdf::Document, count: usize) -> Vec<String> {
    let mut out: Vec<String> = (1..=count).map(|n| n.to_string()).collect();
    let Some(tree) = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get(b"PageLabels").ok())
        .and_then(|o| pdf.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return out;
    };
    let mut ranges: Vec<(usize, Dictionary)> = Vec::new();
    collect_labels(pdf, tree, &mut ranges, 0);
    ranges.sort_by_key(|(start, _)| *start);
    for (i, (start, dict)) in ranges.iter().enumerate() {
        let end = ranges.get(i + 1).map_or(count, |(s, _)| *s).min(count);
        let style = dict.get(b"S").and_then(Object::as_name).ok();
        let prefix = dict
            .get(b"P")
            .ok()
            .and_then(|p| lopdf::decode_text_string(p).ok())
            .unwrap_or_default();
        let first = dict
            .get(b"St")
            .and_then(Object::as_i64)
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(1);
        for (k, page) in (*start..end).enumerate() {
            let n = first + k;
            let number = match style {
                Some(b"D") => n.to_string(),
                Some(b"r") => roman(n).to_lowercase(),
                Some(b"R") => roman(n),
                Some(b"a") => letters(n).to_lowercase(),
                Some(b"A") => letters(n),
                _ => String::new(),
            };
            if let Some(slot) = out.get_mut(page) {
                *slot = format!("{prefix}{number}");
                if slot.is_empty() {
                    *slot = (page + 1).to_string();
                }
            }
        }
    }
    out
}

fn collect_labels(
    pdf: &lopdf::Document,
    node: &Dictionary,
    out: &mut Vec<(usize, Dictionary)>,
    depth: usize,
) {
    if depth > 16 || out.len() > 100_000 {
        return;
    }
    if let Ok(nums) = node.get(b"Nums").and_then(Object::as_array) {
        for pair in nums.chunks(2) {
            if let [k, v] = pair
                && let Ok(k) = k.as_i64()
                && let Ok(k) = usize::try_from(k)
                && let Ok((_, v)) = pdf.dereference(v)
                && let Ok(d) = v.as_dict()
            {
                out.push((k, d.clone()));
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            if let Ok((_, k)) = pdf.dereference(kid)
                && let Ok(d) = k.as_dict()
            {
                collect_labels(pdf, d, out, depth + 1);
            }
        }
    }
}

fn roman(n: usize) -> String {
    match u32::try_from(n) {
        Ok(n @ 1..=100_000) => super::heading::to_roman(n),
        _ => n.to_string(),
    }
}

/// `A`…`Z`, `AA`…`ZZ`, … as PDF page labels count.
fn letters(n: usize) -> String {
    if n == 0 || n > 26 * 100 {
        return n.to_string();
    }
    let c = char::from(b'A' + ((n - 1) % 26) as u8);
    std::iter::repeat_n(c, (n - 1) / 26 + 1).collect()
}

/// A 2-D affine matrix `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` × `other` (apply `self` first).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from(operands: &[Object]) -> Option<Matrix> {
        let v: Vec<f32> = operands.iter().filter_map(num).collect();
        let m: [f32; 6] = v.get(..6)?.try_into().ok()?;
        m.iter().all(|x| x.is_finite()).then_some(Matrix(m))
    }
}

fn num(o: &Object) -> Option<f32> {
    o.as_float().ok().filter(|x| x.is_finite())
}

/// One glyph placed on the page (device space, y upwards).
#[derive(Debug, Clone)]
struct Glyph {
    x: f32,
    y: f32,
    /// Advance width in device space.
    w: f32,
    /// Font size in device space.
    size: f32,
    text: String,
    mono: bool,
    /// The positioning it was shown after ([`Extractor::placement`]) and its place in the
    /// content stream: a run's glyphs keep their stream order even when the font's widths are
    /// unknown (a standard font without `/Widths`) and their estimated places overlap the next run.
    run: u32,
    seq: u32,
}

/// What a page's text needs to know about a font.
struct Font<'a> {
    encoding: Option<Encoding<'a>>,
    /// Codes are two bytes (a composite, Type0, font).
    wide: bool,
    /// Width of each code in thousandths of the font size.
    widths: HashMap<u32, f32>,
    default_width: f32,
    /// Type3 fonts scale glyph widths by their FontMatrix, not by 1/1000.
    scale: f32,
    mono: bool,
}

impl<'a> Font<'a> {
    fn read(pdf: &'a lopdf::Document, dict: &'a Dictionary, budget: usize) -> Font<'a> {
        let subtype = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let wide = subtype == b"Type0";
        let encoding = dict.get_font_encoding_with_limit(pdf, budget).ok();
        let base = dict
            .get(b"BaseFont")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).to_lowercase())
            .unwrap_or_default();
        let deref = |o: &'a Object| pdf.dereference(o).ok().map(|(_, o)| o);
        // Fixed pitch: the descriptor's flag, or a typewriter face by name (`t1xtt`, `LMMono9`).
        let name = base.rsplit('+').next().unwrap_or(&base);
        let fixed_flag = dict
            .get(b"FontDescriptor")
            .ok()
            .and_then(deref)
            .and_then(|o| o.as_dict().ok())
            .and_then(|d| d.get(b"Flags").ok())
            .and_then(|f| f.as_i64().ok())
            .is_some_and(|f| f & 1 == 1);
        let mono = fixed_flag
            || [
                "mono",
                "courier",
                "cursor",
                "typewriter",
                "consol",
                "cmtt",
                "sftt",
                "lmtt",
            ]
            .iter()
            .any(|m| name.contains(m))
            || name
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
                .ends_with("tt");
        let mut widths = HashMap::new();
        let mut default_width = 500.0;
        let mut scale = 1.0 / 1000.0;
        if wide {
            default_width = 1000.0;
            let descendant = dict
                .get(b"DescendantFonts")
                .ok()
                .and_then(deref)
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(deref)
                .and_then(|o| o.as_dict().ok());
            if let Some(cid) = descendant {
                if let Some(dw) = cid.get(b"DW").ok().and_then(num) {
                    default_width = dw;
                }
                if let Some(w) = cid
                    .get(b"W")
                    .ok()
                    .and_then(deref)
                    .and_then(|o| o.as_array().ok())
                {
                    cid_widths(w, pdf, &mut widths);
                }
            }
        } else {
            let first = dict
                .get(b"FirstChar")
                .ok()
                .and_then(num)
                .map_or(0, |f| f as u32);
            if let Some(ws) = dict
                .get(b"Widths")
                .ok()
                .and_then(deref)
                .and_then(|o| o.as_array().ok())
            {
                for (i, w) in ws.iter().enumerate().take(65_536) {
                    if let Some(w) = deref(w).and_then(num) {
                        widths.insert(first + i as u32, w);
                    }
                }
            }
            if let Some(m) = dict
                .get(b"FontDescriptor")
                .ok()
                .and_then(deref)
                .and_then(|o| o.as_dict().ok())
                .and_then(|d| d.get(b"MissingWidth").ok())
                .and_then(num)
                && m > 0.0
            {
                default_width = m;
            }
            // A standard font named without its widths: the standard widths, by character.
            if widths.is_empty()
                && let Some(enc) = &encoding
            {
                for code in 0u8..=255 {
                    let c = enc
                        .bytes_to_string(&[code])
                        .ok()
                        .and_then(|t| t.chars().next());
                    if let Some(w) = c.and_then(|c| super::standard_fonts::width(name, c)) {
                        widths.insert(u32::from(code), w);
                    }
                }
            }
            if subtype == b"Type3"
                && let Some(m) = dict
                    .get(b"FontMatrix")
                    .ok()
                    .and_then(deref)
                    .and_then(|o| o.as_array().ok())
                    .and_then(|a| a.first())
                    .and_then(num)
            {
                scale = m;
            }
        }
        Font {
            encoding,
            wide,
            widths,
            default_width,
            scale,
            mono,
        }
    }

    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            * self.scale
    }

    fn text(&self, bytes: &[u8]) -> String {
        match &self.encoding {
            Some(e) => e.bytes_to_string(bytes).unwrap_or_default(),
            None => bytes
                .iter()
                .filter(|b| b.is_ascii_graphic() || **b == b' ')
                .map(|&b| char::from(b))
                .collect(),
        }
    }
}

/// A CID font's `/W` array: `c [w1 w2 …]` or `c_first c_last w`.
fn cid_widths(w: &[Object], pdf: &lopdf::Document, out: &mut HashMap<u32, f32>) {
    let deref = |o: &Object| pdf.dereference(o).ok().map(|(_, o)| o.clone());
    let mut i = 0;
    while i < w.len() && out.len() < 200_000 {
        let Some(first) = deref(&w[i]).as_ref().and_then(num).map(|f| f as u32) else {
            break;
        };
        match w.get(i + 1).and_then(deref) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    if let Some(v) = num(v) {
                        out.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) = (
                    num(&last).map(|l| l as u32),
                    w.get(i + 2).and_then(deref).as_ref().and_then(num),
                ) else {
                    break;
                };
                for c in first..=last.min(first.saturating_add(65_535)) {
                    out.insert(c, v);
                }
                i += 3;
            }
            None => break,
        }
    }
}

/// Every font dictionary of the file, by id; those with a `/ToUnicode` map lose their
/// `/Encoding`, so that decoding follows the map (which says what each glyph means) rather than
/// the encoding (which only names glyphs, and falls back to the standard encoding for unnamed
/// ones: `©` read as `'`).
fn font_dictionaries(pdf: &lopdf::Document) -> HashMap<ObjectId, Dictionary> {
    let mut out = HashMap::new();
    for (id, obj) in &pdf.objects {
        let Ok(d) = obj.as_dict() else { continue };
        if !d.has_type(b"Font") {
            continue;
        }
        let mut d = d.clone();
        let simple = d.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Type0");
        if simple && d.has(b"ToUnicode") {
            d.remove(b"Encoding");
        }
        out.insert(*id, d);
    }
    out
}

/// Text state that `q`/`Q` save and restore.
#[derive(Debug, Clone)]
struct State {
    ctm: Matrix,
    font: Option<ObjectId>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

impl Default for State {
    fn default() -> Self {
        State {
            ctm: Matrix::IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Places the glyphs of pages, caching fonts across them.
struct Extractor<'a> {
    pdf: &'a lopdf::Document,
    font_dicts: &'a HashMap<ObjectId, Dictionary>,
    fonts: HashMap<ObjectId, Font<'a>>,
    budget: u64,
    limit_mb: u64,
    deadline: Deadline,
    /// Counts the text positionings (`BT`, `Td`, `Tm`, `T*`, …) so far: glyphs shown since the
    /// last one form a run whose order the content stream gives.
    placement: u32,
}

/// Where a page or form looks its resources up: a direct dictionary and referenced ones.
#[derive(Clone)]
struct Resources<'a> {
    dicts: Vec<&'a Dictionary>,
}

impl<'a> Resources<'a> {
    /// The object named `name` in the `kind` sub-dictionary (`Font`, `XObject`).
    fn lookup(&self, pdf: &'a lopdf::Document, kind: &[u8], name: &[u8]) -> Option<&'a Object> {
        for d in &self.dicts {
            let Ok(sub) = d.get(kind) else { continue };
            let Ok((_, sub)) = pdf.dereference(sub) else {
                continue;
            };
            if let Ok(sub) = sub.as_dict()
                && let Ok(o) = sub.get(name)
            {
                return Some(o);
            }
        }
        None
    }
}

impl<'a> Extractor<'a> {
    fn page(&mut self, page: ObjectId) -> Result<Vec<Glyph>, ReadError> {
        let (direct, ids) = self.pdf.get_page_resources(page).map_err(corrupt)?;
        let mut dicts: Vec<&Dictionary> = direct.into_iter().collect();
        for id in ids {
            if let Ok(d) = self.pdf.get_dictionary(id) {
                dicts.push(d);
            }
        }
        let content = self.page_content(page)?;
        let mut glyphs = Vec::new();
        let mut ops = 0usize;
        self.run(
            &content,
            &Resources { dicts },
            State::default(),
            0,
            &mut glyphs,
            &mut ops,
            &mut HashSet::new(),
        )?;
        Ok(glyphs)
    }

    /// The page's content streams, decompressed within the budget.
    fn page_content(&mut self, page: ObjectId) -> Result<Vec<u8>, ReadError> {
        let max = usize::try_from(self.budget).unwrap_or(usize::MAX);
        let content = self
            .pdf
            .get_page_content_with_limit(page, max)
            .map_err(|e| match e {
                lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                }) => ReadError::TooLarge {
                    limit_mb: self.limit_mb,
                },
                e => corrupt(e),
            })?;
        self.spend(content.len())?;
        Ok(content)
    }

    fn spend(&mut self, n: usize) -> Result<(), ReadError> {
        let n = n as u64;
        if n > self.budget {
            return Err(ReadError::TooLarge {
                limit_mb: self.limit_mb,
            });
        }
        self.budget -= n;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        content: &[u8],
        res: &Resources<'a>,
        start: State,
        depth: usize,
        out: &mut Vec<Glyph>,
        ops: &mut usize,
        forms: &mut HashSet<ObjectId>,
    ) -> Result<(), ReadError> {
        let content = Content::decode(content).map_err(corrupt)?;
        let mut st = start;
        let mut stack: Vec<State> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        for op in &content.operations {
            *ops += 1;
            if *ops > MAX_OPERATIONS {
                return Err(corrupt("a page has too many drawing operations"));
            }
            if (*ops).is_multiple_of(4096) {
                self.deadline.check()?;
            }
            let a = &op.operands;
            let n = |i: usize| a.get(i).and_then(num).unwrap_or(0.0);
            match op.operator.as_str() {
                "q" if stack.len() < 256 => stack.push(st.clone()),
                "q" => {}
                "Q" => {
                    if let Some(s) = stack.pop() {
                        st = s;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from(a) {
                        st.ctm = m.then(st.ctm);
                    }
                }
                "BT" => {
                    self.placement += 1;
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    st.size = n(1);
                    st.font = a
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| res.lookup(self.pdf, b"Font", name))
                        .and_then(|o| o.as_reference().ok());
                    if let Some(id) = st.font
                        && !self.fonts.contains_key(&id)
                        && let Some(dict) = self.font_dicts.get(&id)
                    {
                        let max = usize::try_from(self.budget).unwrap_or(usize::MAX);
                        self.fonts.insert(id, Font::read(self.pdf, dict, max));
                    }
                }
                "Tc" => st.char_spacing = n(0),
                "Tw" => st.word_spacing = n(0),
                "Tz" => st.scale = n(0) / 100.0,
                "TL" => st.leading = n(0),
                "Ts" => st.rise = n(0),
                "Td" => {
                    self.placement += 1;
                    tlm = Matrix::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "TD" => {
                    self.placement += 1;
                    st.leading = -n(1);
                    tlm = Matrix::translate(n(0), n(1)).then(tlm);
                    tm = tlm;
                }
                "Tm" => {
                    self.placement += 1;
                    if let Some(m) = Matrix::from(a) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    self.placement += 1;
                    tlm = Matrix::translate(0.0, -st.leading).then(tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator == "'" || op.operator == "\"" {
                        self.placement += 1;
                        if op.operator == "\"" {
                            st.word_spacing = n(0);
                            st.char_spacing = n(1);
                        }
                        tlm = Matrix::translate(0.0, -st.leading).then(tlm);
                        tm = tlm;
                    }
                    if let Some(Ok(s)) = a.last().map(Object::as_str) {
                        self.show(s, &st, &mut tm, out);
                    }
                }
                "TJ" => {
                    if let Some(Ok(items)) = a.first().map(Object::as_array) {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(s, &st, &mut tm, out),
                                other => {
                                    if let Some(adj) = num(other) {
                                        let tx = -adj / 1000.0 * st.size * st.scale;
                                        tm = Matrix::translate(tx, 0.0).then(tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    let Some(obj) = a
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| res.lookup(self.pdf, b"XObject", name))
                    else {
                        continue;
                    };
                    let Ok(id) = obj.as_reference() else { continue };
                    if !forms.insert(id) {
                        continue;
                    }
                    let Ok(Object::Stream(stream)) = self.pdf.get_object(id) else {
                        forms.remove(&id);
                        continue;
                    };
                    if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
                        forms.remove(&id);
                        continue;
                    }
                    let max = usize::try_from(self.budget).unwrap_or(usize::MAX);
                    let data = match stream.decompressed_content_with_limit(max) {
                        Ok(d) => d,
                        Err(_) if stream.dict.get(b"Filter").is_err() => stream.content.clone(),
                        Err(_) => {
                            forms.remove(&id);
                            continue;
                        }
                    };
                    self.spend(data.len())?;
                    let mut inner = st.clone();
                    if let Some(m) = stream
                        .dict
                        .get(b"Matrix")
                        .ok()
                        .and_then(|m| m.as_array().ok())
                        .and_then(|m| Matrix::from(m))
                    {
                        inner.ctm = m.then(st.ctm);
                    }
                    let mut form_res = res.clone();
                    if let Ok(r) = stream.dict.get(b"Resources")
                        && let Ok((_, r)) = self.pdf.dereference(r)
                        && let Ok(r) = r.as_dict()
                    {
                        form_res.dicts.insert(0, r);
                    }
                    self.run(&data, &form_res, inner, depth + 1, out, ops, forms)?;
                    forms.remove(&id);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows a string: one glyph per code, each moving the text matrix by its advance.
    fn show(&self, bytes: &[u8], st: &State, tm: &mut Matrix, out: &mut Vec<Glyph>) {
        let Some(font) = st.font.and_then(|id| self.fonts.get(&id)) else {
            return;
        };
        let step = if font.wide { 2 } else { 1 };
        for code_bytes in bytes.chunks(step) {
            let code = code_bytes
                .iter()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            let w0 = font.width(code);
            let text = font.text(code_bytes);
            let trm = Matrix([st.size * st.scale, 0.0, 0.0, st.size, 0.0, st.rise])
                .then(*tm)
                .then(st.ctm);
            let m = tm.then(st.ctm);
            let sx = (m.0[0] * m.0[0] + m.0[1] * m.0[1]).sqrt();
            let sy = (m.0[2] * m.0[2] + m.0[3] * m.0[3]).sqrt();
            let spacing = if !font.wide && code == 32 {
                st.word_spacing
            } else {
                0.0
            };
            let tx = (w0 * st.size + st.char_spacing + spacing) * st.scale;
            if out.len() < 5_000_000 {
                out.push(Glyph {
                    x: trm.0[4],
                    y: trm.0[5],
                    w: w0 * st.size * st.scale * sx,
                    size: (st.size * sy).abs(),
                    text,
                    mono: font.mono,
                    run: self.placement,
                    seq: u32::try_from(out.len()).unwrap_or(u32::MAX),
                });
            }
            *tm = Matrix::translate(tx, 0.0).then(*tm);
        }
    }
}

/// One line of a page: glyphs on one baseline, left to right.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    y: f32,
    x0: f32,
    x1: f32,
    /// The size of most of its glyphs.
    size: f32,
    mono: bool,
    /// Width of its first word, to tell whether it would have fitted on the line before.
    first_word: f32,
}

/// Groups glyphs into lines (by baseline, the line's main size deciding how far a raised or
/// lowered glyph may sit) and writes each line's text, spaces where glyphs stand apart and
/// superscript numbers as note markers `[n]`.
fn lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| {
        g.x.is_finite() && g.y.is_finite() && g.size > 0.5 && !g.text.chars().all(char::is_control)
    });
    if glyphs.is_empty() {
        return Vec::new();
    }
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y));
    // Clusters of glyph indices with the baseline of their largest glyph.
    let mut clusters: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for (i, g) in glyphs.iter().enumerate() {
        let joined = clusters
            .iter_mut()
            .rev()
            .take(3)
            .find(|(base, size, _)| (g.y - *base).abs() <= 0.45 * size.max(g.size));
        match joined {
            Some((base, size, members)) => {
                members.push(i);
                if g.size > *size + 0.1 {
                    *size = g.size;
                    *base = g.y;
                }
            }
            None => clusters.push((g.y, g.size, vec![i])),
        }
    }
    let mut out = Vec::with_capacity(clusters.len());
    for (base, _, mut members) in clusters {
        // Runs left to right by where they start; a run's glyphs in the order they were shown.
        let mut run_x: HashMap<u32, f32> = HashMap::new();
        for &m in &members {
            let x = run_x.entry(glyphs[m].run).or_insert(glyphs[m].x);
            *x = x.min(glyphs[m].x);
        }
        members.sort_by(|&a, &b| {
            let (ga, gb) = (&glyphs[a], &glyphs[b]);
            let start = |g: &Glyph| run_x.get(&g.run).copied().unwrap_or(g.x);
            start(ga)
                .total_cmp(&start(gb))
                .then(ga.run.cmp(&gb.run))
                .then(ga.seq.cmp(&gb.seq))
        });
        // The line's main size: the size of most of its characters.
        let mut sizes: HashMap<i32, usize> = HashMap::new();
        for &m in &members {
            *sizes
                .entry((glyphs[m].size * 10.0).round() as i32)
                .or_default() += glyphs[m].text.chars().count();
        }
        let main = sizes
            .iter()
            .max_by_key(|(s, n)| (**n, **s))
            .map_or(10.0, |(s, _)| *s as f32 / 10.0);
        let mut text = String::new();
        let mut prev_end: Option<f32> = None;
        let mut in_sup = false;
        let mut mono_chars = 0usize;
        let mut chars = 0usize;
        let mut first_word = 0.0f32;
        let mut first_word_done = false;
        let x0 = glyphs[members[0]].x;
        let mut x1 = x0;
        for &m in &members {
            let g = &glyphs[m];
            let raised = g.y > base + 0.2 * main && g.size < 0.85 * main;
            let sup = raised && g.text.chars().all(|c| c.is_ascii_digit());
            if let Some(end) = prev_end {
                let gap = g.x - end;
                if gap > 0.15 * main && !text.ends_with(' ') && !g.text.starts_with(' ') {
                    if in_sup {
                        text.push(']');
                        in_sup = false;
                    }
                    text.push(' ');
                }
            }
            if sup && !in_sup {
                text.push('[');
                in_sup = true;
            } else if !sup && in_sup {
                text.push(']');
                in_sup = false;
            }
            text.push_str(&g.text);
            let n = g.text.chars().count();
            chars += n;
            if g.mono {
                mono_chars += n;
            }
            if !first_word_done {
                if text.trim_start().contains(' ') {
                    first_word_done = true;
                } else {
                    first_word = g.x + g.w - x0;
                }
            }
            prev_end = Some(g.x + g.w);
            x1 = x1.max(g.x + g.w);
        }
        if in_sup {
            text.push(']');
        }
        let text = fold(&text);
        if text.trim().is_empty() {
            continue;
        }
        out.push(Line {
            text: text.trim().to_string(),
            y: base,
            x0,
            x1,
            size: main,
            mono: mono_chars * 2 > chars,
            first_word,
        });
    }
    out
}

/// Ligatures and other presentation forms as the letters they stand for; no-break spaces as
/// spaces; runs of spaces as one.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ﬀ' => out.push_str("ff"),
            'ﬁ' => out.push_str("fi"),
            'ﬂ' => out.push_str("fl"),
            'ﬃ' => out.push_str("ffi"),
            'ﬄ' => out.push_str("ffl"),
            'ﬅ' | 'ﬆ' => out.push_str("st"),
            '\u{a0}' | '\u{2002}'..='\u{200a}' | '␣' => out.push(' '),
            '\u{ad}' | '\u{200b}' | '\u{feff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for w in out.split(' ') {
        if w.is_empty() {
            continue;
        }
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(w);
    }
    collapsed
}

/// The pages' lines, cleaned of what is not the text, and turned into blocks.
struct Layout {
    pages: Vec<Vec<Line>>,
    labels: Vec<String>,
    /// Size of most of the text.
    body: f32,
}

/// A line with digits masked, to see running headers repeat (`10 Chapter 2` ~ `12 Chapter 2`).
fn masked(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect::<String>()
        .to_lowercase()
}

impl Layout {
    fn new(pages: Vec<Vec<Line>>, labels: Vec<String>) -> Layout {
        let mut sizes: HashMap<i32, usize> = HashMap::new();
        for l in pages.iter().flatten() {
            *sizes.entry((l.size * 10.0).round() as i32).or_default() += l.text.len();
        }
        let body = sizes
            .iter()
            .max_by_key(|(s, n)| (**n, **s))
            .map_or(10.0, |(s, _)| *s as f32 / 10.0);
        Layout {
            pages,
            labels,
            body,
        }
    }

    /// Drops running headers and footers: the first or last lines of a page that carry the
    /// page's number (or label) at either end, or that repeat, digits masked, on other pages.
    fn drop_running_lines(&mut self) {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for page in &self.pages {
            let mut seen = HashSet::new();
            for l in edge_lines(page) {
                if seen.insert(masked(&page[l].text)) {
                    *counts.entry(masked(&page[l].text)).or_default() += 1;
                }
            }
        }
        let pages = self.pages.len();
        let body = self.body;
        let repeats = |t: &str| counts.get(&masked(t)).copied().unwrap_or(0) >= 3.max(pages / 20);
        for (i, page) in self.pages.iter_mut().enumerate() {
            let label = self.labels.get(i).map(String::as_str).unwrap_or("");
            let physical = (i + 1).to_string();
            let mut drop: HashSet<usize> = HashSet::new();
            // From the top and from the bottom, while lines are running lines.
            for order in [true, false] {
                let idx: Vec<usize> = if order {
                    (0..page.len().min(3)).collect()
                } else {
                    (page.len().saturating_sub(3)..page.len()).rev().collect()
                };
                for l in idx {
                    let t = &page[l].text;
                    // Chapter openings are set large; running lines are not.
                    if page[l].size > body * 1.15 {
                        break;
                    }
                    // A word set over a chapter's large title (`CHAPTER` / `ONE`) opens it, however
                    // often it repeats.
                    if order
                        && t.split_whitespace().count() <= 2
                        && page.get(l + 1).is_some_and(|n| n.size > body * 1.15)
                    {
                        break;
                    }
                    let numbered = t.split_whitespace().count() <= 14
                        && [label, physical.as_str()].iter().any(|n| {
                            !n.is_empty()
                                && (t == n
                                    || t.split_whitespace().next() == Some(n)
                                    || t.split_whitespace().last() == Some(n)
                                    || t.ends_with(&format!("/ {}", pages)) && t.starts_with(n))
                        });
                    if numbered || repeats(t) {
                        drop.insert(l);
                    } else {
                        break;
                    }
                }
            }
            if !drop.is_empty() {
                let mut k = 0;
                page.retain(|_| {
                    let keep = !drop.contains(&k);
                    k += 1;
                    keep
                });
            }
        }
    }

    /// Drops a table of contents: lines with dot leaders before a page number, and whole pages
    /// made mostly of them (their chapter lines have no leaders).
    fn drop_contents_lines(&mut self) {
        for page in &mut self.pages {
            let n = page.iter().filter(|l| leaders(&l.text)).count();
            if n >= 3 && n * 5 >= page.len() * 2 {
                page.clear();
            } else {
                page.retain(|l| !leaders(&l.text));
            }
        }
    }

    /// Takes the notes at the foot of each page: small-type lines below the text that open with a
    /// number, with their continuation lines. Returns, per page, label → text.
    fn take_notes(&mut self) -> Vec<HashMap<String, String>> {
        let body = self.body;
        let mut out = Vec::with_capacity(self.pages.len());
        for page in &mut self.pages {
            let mut notes: HashMap<String, String> = HashMap::new();
            // The foot: the run of small lines at the bottom of the page.
            let mut start = page.len();
            while start > 0 && page[start - 1].size < 0.9 * body && !page[start - 1].mono {
                start -= 1;
            }
            // It must open with a numbered note line.
            while start < page.len() && note_start(&page[start].text).is_none() {
                start += 1;
            }
            if start >= page.len() {
                out.push(notes);
                continue;
            }
            let mut current: Option<(String, String)> = None;
            for l in &page[start..] {
                if let Some((label, rest)) = note_start(&l.text) {
                    if let Some((k, v)) = current.take() {
                        notes.insert(k, v);
                    }
                    current = Some((label.to_string(), rest.to_string()));
                } else if let Some((_, v)) = current.as_mut() {
                    join_line(v, &l.text, &HashSet::new());
                }
            }
            if let Some((k, v)) = current {
                notes.insert(k, v);
            }
            page.truncate(start);
            out.push(notes);
        }
        out
    }

    /// Every word of the text (lower case), to decide whether `com-`/`pilation` is one word; the
    /// halves of words broken at a line's end are not words.
    fn vocabulary(&self) -> HashSet<String> {
        let mut words = HashSet::new();
        let broken = |t: &str| {
            t.ends_with('-')
                && t[..t.len() - 1]
                    .chars()
                    .last()
                    .is_some_and(char::is_alphabetic)
        };
        for page in &self.pages {
            let mut after_break = false;
            for l in page {
                let tokens: Vec<&str> = l.text.split_whitespace().collect();
                for (i, w) in tokens.iter().enumerate() {
                    if (i == 0 && after_break) || (i + 1 == tokens.len() && broken(w)) {
                        continue;
                    }
                    let w: String = w
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase();
                    // `non-free` also records that `non-` opens compounds.
                    if let Some((head, _)) = w.split_once('-')
                        && !head.is_empty()
                    {
                        words.insert(format!("{head}-"));
                    }
                    if w.chars().count() >= 2 {
                        words.insert(w);
                    }
                }
                after_break = tokens.last().is_some_and(|t| broken(t));
            }
        }
        words
    }

    /// Paragraphs of every page, in order, each with the page it starts on; lines flagged as
    /// headings by `is_heading` (page, line) stand alone.
    fn paragraphs(
        &self,
        words: &HashSet<String>,
        heading_at: &HashMap<(usize, usize), usize>,
    ) -> Vec<Para> {
        let mut out: Vec<Para> = Vec::new();
        let mut open = false;
        // The right edge of the text: the furthest line end of each page.
        for (p, page) in self.pages.iter().enumerate() {
            // The right edge of the text, and whether it is justified: then most lines end
            // there, and a line that stops short of it ends its paragraph.
            let ends: Vec<f32> = page
                .iter()
                .filter(|l| (l.size - self.body).abs() < 0.6 && !l.mono)
                .map(|l| l.x1)
                .collect();
            let mut counts: HashMap<i32, usize> = HashMap::new();
            for x in &ends {
                *counts.entry((x * 2.0).round() as i32).or_default() += 1;
            }
            let mode = counts
                .iter()
                .max_by_key(|(x, n)| (**n, **x))
                .map(|(x, n)| (*x as f32 / 2.0, *n));
            let justified = mode.is_some_and(|(_, n)| ends.len() >= 4 && n * 10 >= ends.len() * 3);
            let page_right = match mode {
                Some((x, _)) if justified => x,
                _ => ends.iter().copied().fold(f32::MIN, f32::max),
            };
            // A block set in from both margins (a quotation, a description's body) has its own
            // right edge: the one most of the lines starting where it starts end at.
            let mut groups: Vec<(f32, HashMap<i32, usize>, usize)> = Vec::new();
            for l in page
                .iter()
                .filter(|l| (l.size - self.body).abs() < 0.6 && !l.mono)
            {
                let slot = match groups.iter().position(|(x, _, _)| (x - l.x0).abs() < 1.5) {
                    Some(i) => i,
                    None => {
                        groups.push((l.x0, HashMap::new(), 0));
                        groups.len() - 1
                    }
                };
                let g = &mut groups[slot];
                *g.1.entry((l.x1 * 2.0).round() as i32).or_default() += 1;
                g.2 += 1;
            }
            let edges: Vec<(f32, f32)> = groups
                .iter()
                .filter_map(|(x0, counts, n)| {
                    let (x, c) = counts.iter().max_by_key(|(x, c)| (**c, **x))?;
                    (*n >= 3 && c * 10 >= n * 3).then_some((*x0, *x as f32 / 2.0))
                })
                .collect();
            let right_of = |x0: f32| -> f32 {
                edges
                    .iter()
                    .find(|(gx, _)| (gx - x0).abs() < 1.5)
                    .map_or(page_right, |(_, r)| *r)
            };
            let gaps: Vec<f32> = page
                .windows(2)
                .filter(|w| {
                    (w[0].size - self.body).abs() < 0.6 && (w[1].size - self.body).abs() < 0.6
                })
                .map(|w| w[0].y - w[1].y)
                .filter(|g| *g > 0.0)
                .collect();
            let spacing = median(&gaps).unwrap_or(self.body * 1.2);
            for (k, line) in page.iter().enumerate() {
                let right = right_of(line.x0);
                let reaches = if justified {
                    right - line.x1 < 0.25 * line.size.max(1.0)
                } else {
                    right - line.x1 < 3.0 * line.size.max(1.0)
                };
                if let Some(&h) = heading_at.get(&(p, k)) {
                    out.push(Para::heading(h, p));
                    open = false;
                    continue;
                }
                let prev = if k > 0 { page.get(k - 1) } else { None };
                let continues = open
                    && out.last().is_some_and(|last| {
                        let Some(last_line) = &last.last else {
                            return false;
                        };
                        let same_size = (last_line.size - line.size).abs() < 0.6;
                        // Code goes on line by line; prose whenever its last line was full,
                        // even into a line of code words (`/var/spool/` `cron/crontabs.`).
                        let code = last.code && line.mono;
                        let bullet = starts_with_bullet(&line.text);
                        let edge = right_of(last_line.x0);
                        let full = if justified {
                            edge - last_line.x1 < 0.25 * line.size.max(1.0)
                        } else {
                            edge - last_line.x1 < line.first_word + 0.5 * line.size.max(1.0)
                        };
                        // An item of a list (`a.`, `2.`) starts a passage of its own unless the
                        // line before ran on at the same indentation.
                        let item = heading::marker(&line.text).is_some_and(|m| {
                            !m.rest.is_empty() && !matches!(m.style, heading::Style::Paren)
                        }) && (last_line.x0 - line.x0).abs() > 1.5;
                        match prev {
                            Some(pl) => {
                                let gap = pl.y - line.y;
                                same_size
                                    && !bullet
                                    && !item
                                    && gap < spacing + 0.35 * line.size
                                    && (code || (full && !last.code))
                            }
                            // A paragraph running over a page break: its last line reached the
                            // edge of its own page (margins differ on facing pages).
                            None => same_size && !bullet && last.full_end && !last.code,
                        }
                    });
                // A definition list's term over its indented description: one passage.
                let described = !continues
                    && out.last().is_some_and(|last| {
                        let Some(term) = &last.last else {
                            return false;
                        };
                        last.heading.is_none()
                            && !last.text.contains('\n')
                            && last.pages == [p]
                            && last.text.split_whitespace().count() <= 8
                            && !last.text.ends_with(['.', ',', ';'])
                            && line.x0 > term.x0 + line.size
                            && prev.is_some_and(|pl| pl.y - line.y < spacing + 0.35 * line.size)
                            && (term.size - line.size).abs() < 0.6
                    });
                if described && let Some(last) = out.last_mut() {
                    last.text.push('\n');
                    last.text.push_str(&line.text);
                    last.code = line.mono && !reaches;
                    last.last = Some(line.clone());
                    last.full_end = reaches;
                    open = true;
                    continue;
                }
                if continues && let Some(last) = out.last_mut() {
                    if last.code {
                        // Sphinx wraps a long code line and marks the rest with `↪` (`,→`).
                        match line
                            .text
                            .strip_prefix(",→")
                            .or_else(|| line.text.strip_prefix('↪'))
                        {
                            Some(rest) => last.text.push_str(rest.trim_start()),
                            None => {
                                last.text.push('\n');
                                last.text.push_str(&line.text);
                            }
                        }
                    } else {
                        join_line(&mut last.text, &line.text, words);
                    }
                    last.pages.push(p);
                    last.last = Some(line.clone());
                    last.full_end = reaches;
                } else {
                    // A bullet is the list's mark, not its text.
                    let text = line
                        .text
                        .strip_prefix(['•', '◦', '▪', '‣', '●', '○'])
                        .or_else(|| line.text.strip_prefix("– "))
                        .map_or(line.text.as_str(), str::trim_start);
                    out.push(Para {
                        text: text.to_string(),
                        page: p,
                        pages: vec![p],
                        heading: None,
                        // A line of code words that fills the measure is prose.
                        code: line.mono && !reaches,
                        last: Some(line.clone()),
                        full_end: reaches,
                    });
                }
                open = true;
            }
        }
        out
    }

    /// Blocks for a PDF with an outline: each entry a heading, placed on the line of its page
    /// that carries its title (with the number printed there), else at the top of its page.
    fn blocks(
        &mut self,
        outline: &[Entry],
        notes: &[HashMap<String, String>],
        words: &HashSet<String>,
    ) -> Vec<Block> {
        // (page, line) → index of the outline entry, and each entry's label and title.
        let mut heading_at: HashMap<(usize, usize), usize> = HashMap::new();
        let mut heads: Vec<(Option<String>, String, u8)> = Vec::new();
        let mut remove: HashSet<(usize, usize)> = HashSet::new();
        let mut unplaced: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut searched_from: HashMap<usize, usize> = HashMap::new();
        for (e, entry) in outline.iter().enumerate() {
            heads.push((None, entry.title.clone(), entry.level));
            let page = &self.pages[entry.page];
            let from = searched_from.get(&entry.page).copied().unwrap_or(0);
            let found = find_title(page, from, &entry.title);
            match found {
                Some((k, span, label)) => {
                    // `CHAPTER` / `ONE` above a chapter's title: its number.
                    let mut label = label;
                    if label.is_none()
                        && let Some((n, lines)) = chapter_number(page, k)
                    {
                        label = Some(n);
                        for j in k - lines..k {
                            remove.insert((entry.page, j));
                        }
                    }
                    heads[e].0 = label;
                    heading_at.insert((entry.page, k), e);
                    for j in k + 1..k + span {
                        remove.insert((entry.page, j));
                    }
                    searched_from.insert(entry.page, k + span);
                }
                None => unplaced.entry(entry.page).or_default().push(e),
            }
        }
        number_below_depth(&mut heads);
        // Drop the lines a heading took beside its own, keeping track of where headings moved.
        let mut moved: HashMap<(usize, usize), usize> = HashMap::new();
        for (p, page) in self.pages.iter_mut().enumerate() {
            let mut kept = Vec::with_capacity(page.len());
            for (k, line) in page.drain(..).enumerate() {
                if remove.contains(&(p, k)) {
                    continue;
                }
                if let Some(&e) = heading_at.get(&(p, k)) {
                    moved.insert((p, kept.len()), e);
                }
                kept.push(line);
            }
            *page = kept;
        }
        let paras = self.paragraphs(words, &moved);
        let mut blocks = Vec::with_capacity(paras.len() + outline.len());
        let mut last_page: Option<usize> = None;
        let mut pending_unplaced: Vec<(usize, Vec<usize>)> = {
            let mut v: Vec<(usize, Vec<usize>)> = unplaced.into_iter().collect();
            v.sort();
            v
        };
        pending_unplaced.reverse();
        let push_heading = |blocks: &mut Vec<Block>, e: usize| {
            let (label, title, level) = &heads[e];
            let text = match label {
                Some(l) => format!("{l} {title}"),
                None => title.clone(),
            };
            blocks.push(Block::Heading {
                label: label.clone(),
                title: Some(title.clone()),
                text,
                level: *level,
            });
        };
        for para in paras {
            while pending_unplaced
                .last()
                .is_some_and(|(p, _)| *p <= para.page)
            {
                if let Some((_, es)) = pending_unplaced.pop() {
                    for e in es {
                        push_heading(&mut blocks, e);
                    }
                }
            }
            if let Some(e) = para.heading {
                push_heading(&mut blocks, e);
                continue;
            }
            if last_page != Some(para.page) {
                blocks.push(Block::Page(self.labels[para.page].clone()));
                last_page = Some(para.page);
            }
            let cited: Vec<Note> = markers(&para.text)
                .into_iter()
                .filter_map(|m| {
                    para.pages.iter().find_map(|&p| {
                        notes.get(p)?.get(&m).map(|t| Note {
                            label: m.clone(),
                            text: t.clone(),
                        })
                    })
                })
                .collect();
            blocks.push(Block::Passage {
                label: None,
                text: para.text,
            });
            if !cited.is_empty() {
                blocks.push(Block::Notes(cited));
            }
        }
        for (_, es) in pending_unplaced.into_iter().rev() {
            for e in es {
                push_heading(&mut blocks, e);
            }
        }
        blocks
    }

    /// A PDF without an outline: its paragraphs read as plain text (`title` the fallback when
    /// neither `o` nor the first page gives one), each passage then given the page its opening
    /// words are on.
    fn as_text(&self, id: &str, title: &str, words: &HashSet<String>, o: &Overrides) -> Document {
        let paras = self.paragraphs(words, &HashMap::new());
        let mut raw = String::new();
        let mut starts: Vec<(usize, usize)> = Vec::new();
        for p in &paras {
            starts.push((raw.len(), p.page));
            raw.push_str(&p.text);
            raw.push_str("\n\n");
        }
        let mut doc = text::parse(id, title, &raw, o);
        // Give each passage the page of the paragraph it starts in.
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut cursor = 0usize;
        for sec in &mut doc.sections {
            for p in &mut sec.passages {
                let head: String = flat(&p.text).chars().take(40).collect();
                let first = head.split(' ').next().unwrap_or("");
                if let Some(found) = raw.get(cursor..).and_then(|r| r.find(first)) {
                    let at = cursor + found;
                    cursor = at;
                    let page = starts
                        .iter()
                        .take_while(|(s, _)| *s <= at)
                        .last()
                        .map_or(0, |(_, pg)| *pg);
                    p.page = self.labels.get(page).cloned();
                }
            }
        }
        doc
    }
}

/// The indices of the lines at a page's top and bottom (up to three each).
fn edge_lines(page: &[Line]) -> Vec<usize> {
    let n = page.len();
    let mut v: Vec<usize> = (0..n.min(3)).collect();
    v.extend(n.saturating_sub(3).max(n.min(3))..n);
    v
}

/// A contents line: dot leaders (`. . . .` or `.....`) before a page number.
fn leaders(t: &str) -> bool {
    let dots = t.matches(". .").count() >= 3 || t.contains(".....") || t.contains("……");
    let ends_number = t
        .split_whitespace()
        .last()
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_alphanumeric()) && w.len() <= 6);
    dots && ends_number
}

/// A list item's mark (a hyphen at a line's start is usually a word: `-offensive`, `--help`).
fn starts_with_bullet(t: &str) -> bool {
    t.starts_with(['•', '◦', '▪', '‣', '○', '●']) || t.starts_with("– ")
}

/// `1 Informally, …` or `[1] …` at the start of a note line: (label, text).
fn note_start(t: &str) -> Option<(&str, &str)> {
    let t = t.trim_start();
    let (label, rest) = if let Some(r) = t.strip_prefix('[') {
        let end = r.find(']')?;
        (&r[..end], r[end + 1..].trim_start())
    } else {
        let end = t.find(' ')?;
        (&t[..end], t[end + 1..].trim_start())
    };
    (!label.is_empty()
        && label.len() <= 3
        && label.chars().all(|c| c.is_ascii_digit())
        && !rest.is_empty())
    .then_some((label, rest))
}

/// The note labels a paragraph cites (`[3]`), in order, once each.
fn markers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        let after = &rest[i + 1..];
        if let Some(j) = after.find(']') {
            let label = &after[..j];
            if !label.is_empty()
                && label.len() <= 3
                && label.chars().all(|c| c.is_ascii_digit())
                && !out.iter().any(|l| l == label)
            {
                out.push(label.to_string());
            }
            rest = &after[j..];
        } else {
            break;
        }
    }
    out
}

/// Appends a line to a paragraph: a line-end hyphen joins the two halves into one word when
/// that word occurs elsewhere in the text (`compi-` `lation`), else the hyphen stays and the
/// halves join without a space (`Build-Depends-` `Indep`).
fn join_line(text: &mut String, line: &str, words: &HashSet<String>) {
    let ends_hyphen = text.ends_with('-')
        && text[..text.len() - 1]
            .chars()
            .last()
            .is_some_and(char::is_alphabetic);
    let next_lower = line.chars().next().is_some_and(char::is_lowercase);
    if ends_hyphen && next_lower {
        let head: String = text[..text.len() - 1]
            .chars()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let tail: String = line.chars().take_while(|c| c.is_alphabetic()).collect();
        let (head, tail) = (head.to_lowercase(), tail.to_lowercase());
        // Seen with its hyphen mid-line: a compound (`build-arch`); seen whole: a word broken
        // by hyphenation (`compi-lation`); else a head that opens other compounds (`non-`) or
        // two words of the text make a compound, anything else is a broken word.
        let joined = words.contains(&format!("{head}{tail}"));
        let compound = words.contains(&format!("{head}-{tail}"))
            || (!joined && words.contains(&format!("{head}-")))
            || (!joined && words.contains(&head) && words.contains(&tail));
        if !compound {
            text.pop();
        }
        text.push_str(line);
        return;
    }
    // A compound broken after its hyphen before a capital (`Build-Depends-` / `Indep`).
    if ends_hyphen {
        text.push_str(line);
        return;
    }
    // An address broken at a dot or a slash (`team@security.` / `debian.org`).
    let last = text.rsplit(' ').next().unwrap_or("");
    if ((last.contains('@') || last.contains("://")) && last.ends_with(['.', '/', '-', '_'])
        || (last.ends_with('/') && last.len() > 1))
        && line
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
    {
        text.push_str(line);
        return;
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(line);
}

fn median(v: &[f32]) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    let mut v = v.to_vec();
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

/// A paragraph being built, or a heading's place among them.
#[derive(Debug, Clone)]
struct Para {
    text: String,
    page: usize,
    pages: Vec<usize>,
    heading: Option<usize>,
    code: bool,
    last: Option<Line>,
    /// Whether its last line reached the right edge of its page (the paragraph may go on).
    full_end: bool,
}

impl Para {
    fn heading(e: usize, page: usize) -> Para {
        Para {
            text: String::new(),
            page,
            pages: vec![page],
            heading: Some(e),
            code: false,
            last: None,
            full_end: false,
        }
    }
}

/// A title compared without case, spaces or punctuation.
fn title_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The line (from `from`) of a page that carries an outline title, alone or after its number
/// (`1.1 Scope`, `Chapter 3 Title`), possibly wrapped over up to six lines: (line, lines
/// used, number printed before it).
fn find_title(page: &[Line], from: usize, title: &str) -> Option<(usize, usize, Option<String>)> {
    let want = title_key(title);
    if want.is_empty() {
        return None;
    }
    for k in from..page.len() {
        let mut joined = String::new();
        for span in 1..=6 {
            let Some(l) = page.get(k + span - 1) else {
                break;
            };
            if span > 1 {
                joined.push(' ');
            }
            joined.push_str(&l.text);
            let (label, rest) = split_number(&joined);
            let key = title_key(rest);
            if key == want {
                return Some((k, span, label));
            }
            if !want.starts_with(&key) {
                break;
            }
        }
    }
    None
}

/// LaTeX numbers headings down to a depth (`secnumdepth`, three levels in Sphinx's books) and
/// prints the ones below without a number, though the HTML and text editions of the same book
/// number them (`6.6.3.1.1 string`). Outline entries printed without a number, under a parent
/// numbered three levels deep or more, none of whose children are numbered, take their parent's
/// number and their rank among its children.
fn number_below_depth(heads: &mut [(Option<String>, String, u8)]) {
    for p in 0..heads.len() {
        let Some(parent) = heads[p].0.clone() else {
            continue;
        };
        if parent.split('.').count() < 3 {
            continue;
        }
        let level = heads[p].2;
        let children: Vec<usize> = (p + 1..heads.len())
            .take_while(|&c| heads[c].2 > level)
            .filter(|&c| heads[c].2 == level + 1)
            .collect();
        if children.iter().any(|&c| heads[c].0.is_some()) {
            continue;
        }
        for (n, c) in children.into_iter().enumerate() {
            heads[c].0 = Some(format!("{parent}.{}", n + 1));
        }
    }
}

/// `1.1 Scope` → (`1.1`, `Scope`); `Chapter 3 Title` → (`3`, `Title`); else (None, line).
fn split_number(line: &str) -> (Option<String>, &str) {
    if let Some(m) = heading::marker(line)
        && !m.rest.is_empty()
        && !matches!(m.style, heading::Style::Paren)
    {
        return (Some(m.label), m.rest);
    }
    // A bare dotted number without a closing period (`1.1` is a marker; `12` alone is not).
    if let Some((first, rest)) = line.split_once(' ')
        && !first.is_empty()
        && first.chars().all(|c| c.is_ascii_digit() || c == '.')
        && first.chars().next().is_some_and(|c| c.is_ascii_digit())
        && first.len() <= 12
    {
        return (Some(first.trim_end_matches('.').to_string()), rest);
    }
    if let Some(d) = heading::division(line, &[])
        && let Some(t) = &d.title
        && let Some(at) = line.rfind(t.as_str())
    {
        let n = d.label.rsplit(' ').next().unwrap_or(&d.label).to_string();
        return (Some(n), &line[at..]);
    }
    (None, line)
}

/// `CHAPTER` / `ONE`, `Chapter 1` or `APPENDIX` / `A` on the lines just above a chapter's title:
/// the number (`1`, `A`) and how many lines it took.
fn chapter_number(page: &[Line], k: usize) -> Option<(String, usize)> {
    for lines in [1usize, 2] {
        let start = k.checked_sub(lines)?;
        let text = page[start..k]
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(d) = heading::division(&text, &[])
            && d.title.is_none()
        {
            let n = d.label.rsplit(' ').next().unwrap_or(&d.label);
            return Some((
                heading::number_word(n).map_or_else(|| n.to_string(), |v| v.to_string()),
                lines,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces() {
        assert_eq!(roman(14), "XIV");
        assert_eq!(letters(28), "BB");
        assert_eq!(split_number("1.1 Scope"), (Some("1.1".into()), "Scope"));
        assert_eq!(
            note_start("2 Compare RFC 2119."),
            Some(("2", "Compare RFC 2119."))
        );
        assert!(leaders("1.1 Scope . . . . . . . . . 3"));
        assert_eq!(markers("a[1] b [2] c[1] [x]"), vec!["1", "2"]);
        let words: HashSet<String> = ["compilation", "build", "arch"].map(String::from).into();
        let mut t = "the compi-".to_string();
        join_line(&mut t, "lation of", &words);
        assert_eq!(t, "the compilation of");
        let mut t = "Build-Depends-".to_string();
        join_line(&mut t, "Indep fields", &words);
        assert_eq!(t, "Build-Depends-Indep fields");
        let mut t = "the build-".to_string();
        join_line(&mut t, "arch target", &words);
        assert_eq!(t, "the build-arch target");
        let mut t = "write to team@security.".to_string();
        join_line(&mut t, "debian.org for", &words);
        assert_eq!(t, "write to team@security.debian.org for");
    }
}

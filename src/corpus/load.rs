//! Reading documents from disk (a file, or a directory of texts: `.txt`, `.md`, HTML pages, EPUB
//! and PDF books) and the default essay built into the binary. Each file's format comes from its
//! bytes ([`super::format::sniff`]); HTML pages of one folder that form a book (a contents page
//! and the pages it links, or pages linked in sequence) are one document in the contents' order.
//! A file that cannot be read (binary, corrupt, too large, too slow, a reader that panicked) is
//! reported by name and skipped; the rest still loads. A file whose text repeats one already
//! loaded (a book's one-page edition beside its pages) is skipped too.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::format::{self, Format};
use super::html::{self, BookInfo, Page};
use super::limits::{Limits, ReadError};
use super::{Corpus, Document, Overrides, overrides, parse, slug};
use crate::error::{Error, Result};

/// Id of the embedded default document.
pub const DEFAULT_ID: &str = "revolution-in-bolivia";
const DEFAULT_TEXT: &str = include_str!("../../corpus/revolution-in-bolivia.txt");
/// Directories deeper than this are not walked (guards against pathological trees).
const MAX_DEPTH: usize = 16;
/// A document whose passages are at least this share of another's is the same text again.
const DUPLICATE_SHARE: f64 = 0.9;

/// The default essay, embedded in the binary.
pub fn embedded() -> Corpus {
    let doc = parse(
        DEFAULT_ID,
        "Revolution in Bolivia",
        Format::Text,
        DEFAULT_TEXT,
    );
    Corpus::new(vec![doc], Vec::new())
}

/// Loads a corpus from a file or a directory, with the default [`Limits`].
pub fn load(path: &Path) -> Result<Corpus> {
    load_with(path, &Limits::default())
}

/// Loads a corpus from a file or a directory. Unreadable, binary or empty files become warnings;
/// it is an error only when nothing at all could be loaded.
pub fn load_with(path: &Path, limits: &Limits) -> Result<Corpus> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Corpus {
        path: path.to_path_buf(),
        message: format!("cannot open: {e}"),
    })?;
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    if !meta.is_dir() && !meta.is_file() {
        return Err(Error::Corpus {
            path: path.to_path_buf(),
            message: "not a regular file or a directory".into(),
        });
    }
    if meta.is_dir() {
        let mut seen = HashSet::new();
        walk(path, 0, &mut seen, &mut files, &mut warnings);
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    // HTML pages are read together, folder by folder, so that a book split into pages is one
    // document; every other file is a document of its own.
    let mut html_dirs: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    for file in files {
        let html = file
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
            == Some(Format::Html);
        if html && meta.is_dir() {
            let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
            match html_dirs.iter_mut().find(|(d, _)| *d == dir) {
                Some((_, pages)) => pages.push(file),
                None => {
                    units.push(Unit::HtmlDir(html_dirs.len()));
                    html_dirs.push((dir, vec![file]));
                }
            }
        } else {
            units.push(Unit::File(file));
        }
    }
    let mut docs: Vec<Document> = Vec::new();
    for unit in units {
        match unit {
            Unit::File(file) => match read_file(&file, limits, &mut warnings) {
                Ok(doc) => docs.push(doc),
                Err(e) => warnings.push(format!("{}: skipped, {e}", file.display())),
            },
            Unit::HtmlDir(i) => {
                let (dir, pages) = &html_dirs[i];
                docs.extend(read_html_dir(dir, pages, limits, &mut warnings));
            }
        }
    }
    let docs = without_duplicates(docs, &mut warnings);
    let mut ids = HashSet::new();
    let docs: Vec<Document> = docs
        .into_iter()
        .map(|mut doc| {
            let base = doc.id.clone();
            let mut n = 2;
            while !ids.insert(doc.id.clone()) {
                doc.id = format!("{base}-{n}");
                n += 1;
            }
            doc
        })
        .collect();
    for w in &warnings {
        tracing::warn!("{w}");
    }
    if docs.is_empty() {
        let detail = if warnings.is_empty() {
            "no documents found (.txt, .md, .html, .epub or .pdf)".to_string()
        } else {
            format!("no document could be loaded ({})", warnings.join("; "))
        };
        return Err(Error::Corpus {
            path: path.to_path_buf(),
            message: detail,
        });
    }
    Ok(Corpus::new(docs, warnings))
}

enum Unit {
    File(PathBuf),
    HtmlDir(usize),
}

fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    files: &mut Vec<PathBuf>,
    warnings: &mut Vec<String>,
) {
    if depth > MAX_DEPTH {
        warnings.push(format!("{}: skipped, nested too deeply", dir.display()));
        return;
    }
    // Canonical paths guard against symlink loops.
    match std::fs::canonicalize(dir) {
        Ok(c) if seen.contains(&c) => {
            warnings.push(format!(
                "{}: skipped, already visited (symlink loop?)",
                dir.display()
            ));
            return;
        }
        Ok(c) => {
            seen.insert(c);
        }
        Err(e) => {
            warnings.push(format!("{}: skipped, {e}", dir.display()));
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            warnings.push(format!("{}: skipped, cannot list it: {e}", dir.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, depth + 1, seen, files, warnings),
            // Only regular files: a FIFO or device named `x.txt` would block or never end.
            Ok(m) if !m.is_file() => {
                if has_known_extension(&path) {
                    warnings.push(format!("{}: skipped, not a regular file", path.display()));
                }
            }
            Ok(_) => {
                if has_known_extension(&path) && !is_sidecar(&path) {
                    files.push(path);
                }
            }
            Err(e) => warnings.push(format!("{}: skipped, {e}", path.display())),
        }
    }
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .is_some()
}

fn is_sidecar(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".cabildo.toml")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads and parses one file (any format), with its sidecar settings.
fn read_file(
    path: &Path,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> std::result::Result<Document, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::Corrupt {
        format: "file",
        detail: format!("cannot read it: {e}"),
    })?;
    let outside = sidecar_for(path, warnings);
    let name = file_name(path);
    if let Ok(Format::Text | Format::Markdown) = format::sniff(&name, &bytes)
        && let Err(e) = std::str::from_utf8(&bytes)
    {
        warnings.push(format!(
            "{}: not valid UTF-8 (first bad byte at offset {}); loaded with invalid bytes shown as �",
            path.display(),
            e.valid_up_to()
        ));
    }
    let within = *limits;
    format::guarded(limits, move || {
        format::parse_bytes(&name, &bytes, outside, &within)
    })
}

/// The HTML pages of one folder: books (a contents page and the pages it links, or a chain of
/// `rel=next` links) as one document each, every other page alone.
fn read_html_dir(
    dir: &Path,
    paths: &[PathBuf],
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Vec<Document> {
    let mut pages: Vec<(String, String)> = Vec::new();
    let mut kept: Vec<&PathBuf> = Vec::new();
    for p in paths {
        match std::fs::read(p) {
            Ok(bytes) => match format::sniff(&file_name(p), &bytes) {
                Ok(_) => {
                    pages.push((file_name(p), String::from_utf8_lossy(&bytes).into_owned()));
                    kept.push(p);
                }
                Err(e) => warnings.push(format!("{}: skipped, {e}", p.display())),
            },
            Err(e) => warnings.push(format!("{}: skipped, cannot read it: {e}", p.display())),
        }
    }
    let groups = match crate::error::catch_panic(|| html::book_order(&pages)) {
        Ok(g) => g,
        Err(e) => {
            warnings.push(format!(
                "{}: HTML pages skipped, the HTML reader failed on them (a bug; please report it): {e}",
                dir.display()
            ));
            return Vec::new();
        }
    };
    let mut docs = Vec::new();
    for group in groups {
        let first = kept[group[0]];
        if group.len() == 1 {
            match read_file(first, limits, warnings) {
                Ok(d) => docs.push(d),
                Err(e) => warnings.push(format!("{}: skipped, {e}", first.display())),
            }
            continue;
        }
        let book: Vec<Page> = group
            .iter()
            .map(|&i| Page {
                name: pages[i].0.clone(),
                html: pages[i].1.clone(),
            })
            .collect();
        let stem = book_stem(dir, first);
        let fallback = stem.replace(['-', '_'], " ");
        let outside = sidecar_for(first, warnings);
        let id = slug(&stem);
        let result = format::guarded(limits, move || {
            let doc = html::parse_book(&id, fallback.trim(), &book, &BookInfo::default(), &outside);
            if doc.passage_count() == 0 {
                Err(ReadError::Empty)
            } else {
                Ok(doc)
            }
        });
        match result {
            Ok(d) => docs.push(d),
            Err(e) => warnings.push(format!(
                "{} ({} pages): skipped, {e}",
                first.display(),
                group.len()
            )),
        }
    }
    docs
}

/// A book's id: its contents page's name, unless that is a generic `index`/`toc`, then its
/// folder's (`policy.html/` → `policy`), or the folder above a generic one (`policy/html/`).
fn book_stem(dir: &Path, contents: &Path) -> String {
    const GENERIC: &[&str] = &[
        "index", "toc", "contents", "default", "html", "htm", "xhtml", "doc", "docs", "en",
        "manual", "book", "pages", "site", "output", "build", "_build", "public", "www",
    ];
    let generic = |s: &str| GENERIC.contains(&s.to_ascii_lowercase().as_str());
    let stem = contents
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !generic(&stem) {
        return stem;
    }
    let mut at = Some(dir);
    while let Some(d) = at {
        let name = d
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = name
            .strip_suffix(".html")
            .or_else(|| name.strip_suffix(".htm"))
            .unwrap_or(&name)
            .to_string();
        if !name.is_empty() && !generic(&name) {
            return name;
        }
        at = d.parent();
    }
    stem
}

/// Drops documents whose passages are (almost) all in a longer document loaded before or after
/// them: the same text twice (a one-page edition beside its pages, a copy in two folders).
fn without_duplicates(docs: Vec<Document>, warnings: &mut Vec<String>) -> Vec<Document> {
    if docs.len() < 2 {
        return docs;
    }
    let key = |t: &str| {
        let t: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
        xxhash_rust::xxh3::xxh3_64(t.as_bytes())
    };
    let sets: Vec<HashSet<u64>> = docs
        .iter()
        .map(|d| {
            d.sections
                .iter()
                .flat_map(|s| &s.passages)
                .map(|p| key(&p.text))
                .collect()
        })
        .collect();
    let mut drop = vec![false; docs.len()];
    let mut same_as: HashMap<usize, usize> = HashMap::new();
    for a in 0..docs.len() {
        for b in 0..docs.len() {
            if a == b || drop[b] || sets[a].is_empty() || sets[a].len() > sets[b].len() {
                continue;
            }
            if sets[a].len() == sets[b].len() && a < b {
                continue;
            }
            let shared = sets[a].intersection(&sets[b]).count();
            if shared as f64 >= DUPLICATE_SHARE * sets[a].len() as f64 {
                drop[a] = true;
                same_as.insert(a, b);
                break;
            }
        }
    }
    for (a, b) in &same_as {
        warnings.push(format!(
            "{} (“{}”): skipped, it repeats the text of {} (“{}”)",
            docs[*a].id, docs[*a].title, docs[*b].id, docs[*b].title
        ));
    }
    docs.into_iter()
        .zip(drop)
        .filter_map(|(d, dropped)| (!dropped).then_some(d))
        .collect()
}

/// The overrides in `NAME.cabildo.toml` beside `NAME.txt`, if there is one; a bad sidecar is
/// reported and ignored.
fn sidecar_for(path: &Path, warnings: &mut Vec<String>) -> Overrides {
    let Some(stem) = path.file_stem() else {
        return Overrides::default();
    };
    let mut name = stem.to_os_string();
    name.push(".cabildo.toml");
    let side = path.with_file_name(name);
    let Ok(text) = std::fs::read_to_string(&side) else {
        return Overrides::default();
    };
    match overrides::sidecar(&text) {
        Ok(o) => o,
        Err(e) => {
            warnings.push(format!("{}: ignored, {e}", side.display()));
            Overrides::default()
        }
    }
}

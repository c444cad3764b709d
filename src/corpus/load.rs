//! Reading documents from disk (a file, or a directory of `.txt` / `.md` files) and the default essay
//! built into the binary. A file that cannot be read is reported and skipped; the rest still loads.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{Corpus, Document, Format, Overrides, overrides, parse, parse_with, slug};
use crate::error::{Error, Result};

/// Id of the embedded default document.
pub const DEFAULT_ID: &str = "revolution-in-bolivia";
const DEFAULT_TEXT: &str = include_str!("../../corpus/revolution-in-bolivia.txt");
/// Directories deeper than this are not walked (guards against pathological trees).
const MAX_DEPTH: usize = 16;

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

/// Loads a corpus from a file or a directory. Unreadable or empty files become warnings; it is an
/// error only when nothing at all could be loaded.
pub fn load(path: &Path) -> Result<Corpus> {
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
    let mut docs: Vec<Document> = Vec::new();
    let mut ids = HashSet::new();
    for file in files {
        match read_document(&file, meta.is_file(), &mut warnings) {
            Ok(Some(mut doc)) => {
                let base = doc.id.clone();
                let mut n = 2;
                while !ids.insert(doc.id.clone()) {
                    doc.id = format!("{base}-{n}");
                    n += 1;
                }
                docs.push(doc);
            }
            Ok(None) => warnings.push(format!("{}: skipped, it has no text", file.display())),
            Err(message) => warnings.push(format!("{}: skipped, {message}", file.display())),
        }
    }
    for w in &warnings {
        tracing::warn!("{w}");
    }
    if docs.is_empty() {
        let detail = if warnings.is_empty() {
            "no .txt or .md documents found".to_string()
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
                if has_text_extension(&path) {
                    warnings.push(format!("{}: skipped, not a regular file", path.display()));
                }
            }
            Ok(_) => {
                if has_text_extension(&path) {
                    files.push(path);
                }
            }
            Err(e) => warnings.push(format!("{}: skipped, {e}", path.display())),
        }
    }
}

fn has_text_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .is_some()
}

/// Reads and parses one file. `Ok(None)` when it holds no text.
fn read_document(
    path: &Path,
    explicit: bool,
    warnings: &mut Vec<String>,
) -> std::result::Result<Option<Document>, String> {
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .or(explicit.then_some(Format::Text))
        .ok_or_else(|| "not a .txt or .md file".to_string())?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            warnings.push(format!(
                "{}: not valid UTF-8 (first bad byte at offset {valid}); loaded with invalid bytes shown as �",
                path.display()
            ));
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fallback_title = stem.replace(['-', '_'], " ");
    let outside = sidecar_for(path, warnings);
    let doc = parse_with(&slug(&stem), fallback_title.trim(), format, &text, outside);
    if doc.passage_count() == 0 {
        return Ok(None);
    }
    Ok(Some(doc))
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

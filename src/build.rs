//! Build script: turns WordNet's synonym sets (from the `thesaurus-wordnet` crate) into a compact,
//! sorted table of single-word synonyms compiled into the binary (`$OUT_DIR/synonyms.txt` and
//! its line offsets, `$OUT_DIR/synonyms.rs`), used by
//! `src/synonyms.rs`. Only links that WordNet gives in both directions are kept: that drops one-way
//! and truncated entries and most of the rare senses.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

fn is_word(w: &str) -> bool {
    (3..=20).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase())
}

fn main() {
    println!("cargo:rerun-if-changed=src/build.rs");
    let text = thesaurus_wordnet::uncompress();
    let mut links: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.split('|');
        let Some(head) = parts.next().filter(|h| is_word(h)) else {
            continue;
        };
        let set = links.entry(head).or_default();
        set.extend(parts.filter(|s| is_word(s) && *s != head));
    }
    // One line per word, "word<TAB>synonym synonym…", sorted, plus the byte offset of each line:
    // plain bytes and integers, so the table needs no relocations and costs memory only for the
    // pages a lookup touches.
    let mut text = String::new();
    let mut starts = String::from("pub(crate) static LINE_STARTS: &[u32] = &[");
    for (head, syns) in &links {
        let mutual: Vec<&str> = syns
            .iter()
            .copied()
            .filter(|s| links.get(s).is_some_and(|back| back.contains(head)))
            .collect();
        if mutual.is_empty() {
            continue;
        }
        let _ = write!(starts, "{},", text.len());
        let _ = writeln!(text, "{head}\t{}", mutual.join(" "));
    }
    starts.push_str("];\n");
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    for (name, content) in [("synonyms.txt", &text), ("synonyms.rs", &starts)] {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, content) {
            panic!("could not write {}: {e}", path.display());
        }
    }
}

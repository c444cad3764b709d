//! The house's shape: no import circles in `src/`. Reads every module's `crate::`, `super::`,
//! `self::` and child-module paths (grouped `use` trees included), and checks that the graph of
//! modules has no cycle — between files (a module and its own submodules excepted: a folder's
//! `mod.rs` declares its children and they read its shared types) and between the top-level
//! modules, so the data keeps flowing one way (corpus → index → search → answer → reply → render →
//! front ends).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn name(m: &Module) -> String {
    if m.is_empty() {
        "lib".into()
    } else {
        m.join("::")
    }
}

/// Every `.rs` file of `src/` (but `main.rs` and the build script) by its module path.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src/ is readable")
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut out = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(src).expect("under src");
        let mut parts: Module = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts == ["main"] || parts == ["build"] {
            continue;
        }
        if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
            parts.pop();
        }
        out.insert(parts, path);
    }
    out
}

/// Source without comments and with string literals emptied (so that neither can hold a path).
fn code_of(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push('"');
            }
            // A char literal ('"', '{') or a lifetime: skip the quoted character.
            '\'' => {
                out.push('\'');
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next(), ahead.next()) {
                    (Some('\\'), _, _) => {
                        chars.next();
                        chars.next();
                    }
                    (Some(_), Some('\''), _) => {
                        chars.next();
                        chars.next();
                    }
                    _ => {}
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parses a path or use tree at `s[pos..]` (`a::b`, `a::{b, c::d}`, `a::*`), appending every
/// full path to `out`; returns where it stopped.
fn tree(s: &[char], mut pos: usize, prefix: &[String], out: &mut Vec<Module>) -> usize {
    let skip_ws = |mut p: usize| {
        while p < s.len() && s[p].is_whitespace() {
            p += 1;
        }
        p
    };
    let mut path = prefix.to_vec();
    loop {
        pos = skip_ws(pos);
        let start = pos;
        while pos < s.len() && (is_ident(s[pos]) || s[pos] == '*') {
            pos += 1;
        }
        if pos > start {
            path.push(s[start..pos].iter().collect());
        }
        let after = skip_ws(pos);
        if after + 1 < s.len() && s[after] == ':' && s[after + 1] == ':' {
            pos = skip_ws(after + 2);
            if pos < s.len() && s[pos] == '{' {
                pos += 1;
                loop {
                    pos = tree(s, pos, &path, out);
                    pos = skip_ws(pos);
                    match s.get(pos) {
                        Some(',') => pos += 1,
                        Some('}') => return pos + 1,
                        _ => return pos,
                    }
                    if skip_ws(pos) < s.len() && s[skip_ws(pos)] == '}' {
                        return skip_ws(pos) + 1;
                    }
                }
            }
            continue;
        }
        out.push(path);
        return pos;
    }
}

/// The paths a module names: from `crate`, `super`, `self` or one of its child modules.
fn paths(code: &str, children: &BTreeSet<String>) -> Vec<Module> {
    let s: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if is_ident(s[i]) && (i == 0 || !is_ident(s[i - 1])) {
            let start = i;
            while i < s.len() && is_ident(s[i]) {
                i += 1;
            }
            let word: String = s[start..i].iter().collect();
            let mut j = i;
            while j < s.len() && s[j].is_whitespace() {
                j += 1;
            }
            let followed = j + 1 < s.len() && s[j] == ':' && s[j + 1] == ':';
            let preceded = start >= 2 && s[start - 1] == ':' && s[start - 2] == ':';
            if followed
                && !preceded
                && (matches!(word.as_str(), "crate" | "super" | "self") || children.contains(&word))
            {
                i = tree(&s, start, &[], &mut out);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The module a path points into: its longest prefix that is a module.
fn resolve(from: &Module, path: &Module, known: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    let mut full: Module = match path.first().map(String::as_str) {
        Some("crate") => path[1..].to_vec(),
        Some("self") => from.iter().chain(&path[1..]).cloned().collect(),
        Some("super") => {
            let mut base = from.clone();
            let mut rest = &path[..];
            while rest.first().is_some_and(|p| p == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.into_iter().chain(rest.iter().cloned()).collect()
        }
        _ => from.iter().chain(path).cloned().collect(),
    };
    loop {
        if known.contains_key(&full) {
            return Some(full);
        }
        full.pop()?;
    }
}

fn graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let known = modules(src);
    let mut edges = BTreeMap::new();
    for (module, path) in &known {
        let code = code_of(&std::fs::read_to_string(path).expect("source is readable"));
        let children: BTreeSet<String> = code
            .lines()
            .filter_map(|l| {
                let l = l.trim();
                let l = l
                    .strip_prefix("pub ")
                    .or_else(|| l.strip_prefix("pub(crate) "))
                    .unwrap_or(l);
                let rest = l.strip_prefix("mod ")?.strip_suffix(';')?;
                Some(rest.trim().to_string())
            })
            .collect();
        let targets: BTreeSet<Module> = paths(&code, &children)
            .iter()
            .filter_map(|p| resolve(module, p, &known))
            .filter(|t| t != module)
            .collect();
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Strongly connected components of more than one node (Tarjan).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on: BTreeSet<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(st: &mut State<'a>, v: &'a Module) {
        let n = st.index.len();
        st.index.insert(v, n);
        st.low.insert(v, n);
        st.stack.push(v);
        st.on.insert(v);
        let edges = st.edges;
        for w in edges.get(v).into_iter().flatten() {
            let Some((w, _)) = edges.get_key_value(w) else {
                continue;
            };
            if !st.index.contains_key(w) {
                visit(st, w);
                let lw = st.low[w];
                let lv = st.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if st.on.contains(w) {
                let iw = st.index[w];
                let lv = st.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if st.low[v] == st.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                st.out.push(comp);
            }
        }
    }
    let mut st = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !st.index.contains_key(v) {
            visit(&mut st, v);
        }
    }
    st.out
}

fn related(a: &Module, b: &Module) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The file graph without the edges between a module and its own ancestors or descendants.
fn between_files(edges: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeMap<Module, BTreeSet<Module>> {
    edges
        .iter()
        .map(|(f, ts)| {
            (
                f.clone(),
                ts.iter().filter(|t| !related(f, t)).cloned().collect(),
            )
        })
        .collect()
}

/// The graph of top-level modules (each folder folded into one).
fn top_level(edges: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut top: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, ts) in edges {
        let Some(f) = from.first() else { continue };
        let e = top.entry(vec![f.clone()]).or_default();
        e.extend(
            ts.iter()
                .filter_map(|t| t.first().filter(|t| *t != f).map(|t| vec![t.clone()])),
        );
    }
    top
}

fn show(cycles: &[Vec<Module>], edges: &BTreeMap<Module, BTreeSet<Module>>) -> String {
    let mut out = String::new();
    for comp in cycles {
        out.push_str("circle:\n");
        for a in comp {
            for b in edges
                .get(a)
                .into_iter()
                .flatten()
                .filter(|b| comp.contains(b))
            {
                out.push_str(&format!("  {} -> {}\n", name(a), name(b)));
            }
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_two_files_import_each_other_directly_or_around_a_loop() {
    let edges = between_files(&graph(&src()));
    let found = cycles(&edges);
    assert!(found.is_empty(), "{}", show(&found, &edges));
}

#[test]
fn top_level_modules_form_no_circle() {
    let edges = top_level(&graph(&src()));
    let found = cycles(&edges);
    assert!(found.is_empty(), "{}", show(&found, &edges));
}

/// The checker itself: it sees grouped `use` trees, `super::` and child-module paths, and finds a
/// circle where there is one.
#[test]
fn the_checker_finds_a_circle_it_is_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write(
        "a/mod.rs",
        "mod inner;\nuse inner::X; // crate::c::Y in a comment\n",
    );
    write(
        "a/inner.rs",
        "use crate::{b::{self, Z}, c};\nconst S: &str = \"crate::c::W\";\n",
    );
    write("b.rs", "pub struct Z;\n");
    write("c.rs", "fn f() { super::a::go(); let _ = '{'; }\n");
    let m = |s: &str| -> Module { s.split("::").map(String::from).collect() };
    let set = |ms: &[&str]| -> BTreeSet<Module> { ms.iter().map(|s| m(s)).collect() };
    let edges = graph(dir.path());
    assert_eq!(edges[&m("a::inner")], set(&["b", "c"]));
    assert_eq!(edges[&m("a")], set(&["a::inner"]));
    assert_eq!(edges[&m("c")], set(&["a"]));
    assert_eq!(edges[&m("b")], set(&[]));
    // a::inner → c → a → a::inner: a circle only through the parent's own child, so not one
    // between files; between top-level modules a ⇄ c is.
    assert!(cycles(&between_files(&edges)).is_empty());
    assert_eq!(cycles(&top_level(&edges)), vec![vec![m("a"), m("c")]]);
    // b naming the child back closes a circle between files.
    write("b.rs", "use crate::a::inner::Q;\npub struct Z;\n");
    let edges = graph(dir.path());
    assert_eq!(
        cycles(&between_files(&edges)),
        vec![vec![m("a::inner"), m("b")]]
    );
}

/// README.md is for users: at most 400 lines, and every link in it leads somewhere (a file of the
/// repository, or a heading of the README itself).
#[test]
fn the_readme_is_short_and_its_links_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(lines <= 400, "README.md has {lines} lines (at most 400)");
    // GitHub's anchors: lower case, spaces to dashes, punctuation dropped.
    let anchors: BTreeSet<String> = readme
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    let mut links = 0;
    let mut rest = readme.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = &rest[..end];
        rest = &rest[end..];
        if target.starts_with("http://") || target.starts_with("https://") {
            continue;
        }
        links += 1;
        let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
        if file.is_empty() {
            assert!(
                anchors.contains(anchor),
                "README links to a missing heading #{anchor}"
            );
        } else {
            assert!(
                root.join(file).exists(),
                "README links to {file}, which is not in the repository"
            );
        }
    }
    assert!(
        links >= 5,
        "only {links} links found: the check is not reading the README"
    );
}

//! Hostile corpora and index faults: every bad file is named and skipped while the rest loads; a
//! damaged, half-built or contended index never breaks answering.

use std::path::Path;
use std::process::Command;

use cabildo::config::SearchSettings;
use cabildo::corpus;
use cabildo::engine::Engine;
use cabildo::{AskOptions, ask};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

fn good(dir: &Path) {
    write(
        dir,
        "good.txt",
        b"Good\n\nThe miners march with dynamite in their fists.",
    );
}

#[test]
fn bad_files_are_named_and_the_rest_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    good(d);
    write(d, "empty.txt", b"");
    write(d, "blank.md", b"\n\n   \n\t\n");
    write(d, "latin1.txt", b"Caf\xe9\n\nNi\xf1o and se\xf1or.");
    write(
        d,
        "bom-crlf.txt",
        b"\xef\xbb\xbfTitle\r\n\r\nLine one\r\nline two.\r\n",
    );
    write(d, "tabs.txt", b"Tabs\n\n\tIndented\twith\ttabs.\n");
    // broken symlink, a symlink to itself, a loop back to the parent directory, a FIFO
    std::os::unix::fs::symlink(d.join("missing.txt"), d.join("broken.txt")).expect("symlink");
    std::os::unix::fs::symlink(d.join("self.txt"), d.join("self.txt")).expect("symlink");
    std::fs::create_dir(d.join("sub")).expect("mkdir");
    std::os::unix::fs::symlink(d, d.join("sub/loop")).expect("symlink");
    let fifo = d.join("pipe.txt");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);

    let c = corpus::load(d).expect("the good files load");
    let ids: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec!["bom-crlf", "good", "latin1", "tabs"]);
    let warned = |name: &str| c.warnings.iter().any(|w| w.contains(name));
    for name in [
        "empty.txt",
        "blank.md",
        "latin1.txt",
        "broken.txt",
        "self.txt",
    ] {
        assert!(warned(name), "no warning naming {name}: {:?}", c.warnings);
    }
    if made {
        assert!(warned("pipe.txt"), "{:?}", c.warnings);
    }
    assert!(warned("loop") || warned("sub"), "{:?}", c.warnings);
    let bom = &c.documents[0];
    assert_eq!(bom.title, "Title");
    assert_eq!(bom.sections[0].passages[0].text, "Line one\nline two.");
    assert!(
        c.documents[2].sections[0].passages[0]
            .text
            .contains('\u{fffd}')
    );
    assert!(c.documents[3].sections[0].passages[0].text.contains('\t'));
}

#[test]
fn a_fifo_given_as_the_corpus_is_refused_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe.txt");
    if !Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
    {
        return; // no mkfifo on this system
    }
    let e = corpus::load(&fifo).expect_err("refused");
    assert!(e.to_string().contains("pipe.txt"), "{e}");
}

#[test]
fn one_huge_line_and_a_large_file_load_and_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // one line of 2 MB, words of every length including one of 10,000 letters
    let mut line = String::new();
    while line.len() < 2_000_000 {
        line.push_str("assemblies decide everything ");
    }
    line.push_str(&"x".repeat(10_000));
    line.push_str(" dynamite");
    write(d, "huge-line.txt", line.as_bytes());
    // a 50 MB file of ordinary paragraphs
    let para = "The workers of the city meet in open assemblies and elect delegates.\n\n";
    let big = para.repeat(50_000_000 / para.len());
    write(d, "big.txt", big.as_bytes());
    let c = corpus::load(d).expect("loads");
    assert_eq!(c.documents.len(), 2);
    assert!(c.len() > 700_000);
    let huge = corpus::load(&d.join("huge-line.txt")).expect("loads");
    assert_eq!(huge.len(), 1);
    let e = Engine::from_corpus(huge, None, SearchSettings::default()).expect("indexes");
    let a = ask(&e, "dynamite", &AskOptions::default()).expect("answers");
    assert!(a.answered);
    assert!(a.results[0].excerpt.contains("dynamite"));
    assert!(a.results[0].excerpt.chars().count() <= 402);
}

fn cabildo_index(corpus: &Path, data: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_cabildo"))
        .args(["index", "--corpus"])
        .arg(corpus)
        .env("CABILDO_DATA_DIR", data)
        .env_remove("CABILDO_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn")
}

#[test]
fn two_processes_starting_together_build_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).expect("mkdir");
    // big enough that the builds overlap
    let mut text = String::from("Title\n\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "Passage {i} about assemblies, strikes and dual power.\n\n"
        ));
    }
    write(&texts, "t.txt", text.as_bytes());
    let data = dir.path().join("data");
    let a = cabildo_index(&texts, &data);
    let b = cabildo_index(&texts, &data);
    let outs = [
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    ];
    let mut built = 0;
    for o in &outs {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = String::from_utf8_lossy(&o.stdout);
        built += usize::from(s.starts_with("index built"));
    }
    assert_eq!(built, 1, "exactly one process builds");
    let dirs: Vec<_> = std::fs::read_dir(&data)
        .expect("data")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("index-"))
        .collect();
    assert_eq!(dirs.len(), 1);
}

#[test]
fn a_crashed_build_leaves_the_good_index_and_is_cleaned_up() {
    let texts = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    good(texts.path());
    let c = corpus::load(texts.path()).expect("corpus");
    drop(
        Engine::from_corpus(c.clone(), Some(data.path()), SearchSettings::default())
            .expect("engine"),
    );
    // What a crash mid-build leaves: a temporary build directory with partial files, and (from an
    // interrupted older version) an index directory that never got its READY marker.
    let partial = data.path().join(".build-crashed");
    std::fs::create_dir(&partial).expect("mkdir");
    write(&partial, "meta.json", b"{ partial");
    let unready = data.path().join("index-00000000000000000000000000000000");
    std::fs::create_dir(&unready).expect("mkdir");
    write(&unready, "meta.json", b"{}");
    // The good index is still opened as is, not rebuilt.
    let e = Engine::from_corpus(c, Some(data.path()), SearchSettings::default()).expect("engine");
    assert!(!e.index.built);
    assert!(
        ask(&e, "dynamite", &AskOptions::default())
            .expect("ask")
            .answered
    );
    drop(e);
    // The next build (the corpus changed) removes the leftovers.
    write(
        texts.path(),
        "more.txt",
        b"More\n\nCabildos are open assemblies.",
    );
    let c2 = corpus::load(texts.path()).expect("corpus");
    let e2 = Engine::from_corpus(c2, Some(data.path()), SearchSettings::default()).expect("engine");
    assert!(e2.index.built);
    assert!(!partial.exists() && !unready.exists());
}

#[test]
fn flipped_bytes_in_the_index_are_detected_and_rebuilt() {
    let texts = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    good(texts.path());
    let c = corpus::load(texts.path()).expect("corpus");
    drop(
        Engine::from_corpus(c.clone(), Some(data.path()), SearchSettings::default())
            .expect("engine"),
    );
    let idx = std::fs::read_dir(data.path())
        .expect("data")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("index-"))
        .expect("index dir")
        .path();
    let mut flipped = 0;
    for e in std::fs::read_dir(&idx).expect("idx").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".term") || name.ends_with(".store") {
            let mut bytes = std::fs::read(e.path()).expect("read");
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0xff;
            std::fs::write(e.path(), bytes).expect("write");
            flipped += 1;
        }
    }
    assert!(flipped > 0);
    let e = Engine::from_corpus(c, Some(data.path()), SearchSettings::default()).expect("engine");
    assert!(
        e.index.built,
        "corruption is detected and the index rebuilt"
    );
    assert!(
        ask(&e, "dynamite", &AskOptions::default())
            .expect("ask")
            .answered
    );
}

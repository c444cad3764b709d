//! Persisted indexes: built once, reopened, rebuilt when the corpus changes or the index is damaged.

use std::path::Path;

use cabildo::config::SearchSettings;
use cabildo::corpus;
use cabildo::engine::Engine;
use cabildo::index::{Location, fingerprint};
use cabildo::{AskOptions, ask};

fn write_corpus(dir: &Path, extra: &str) {
    std::fs::write(
        dir.join("notes.txt"),
        format!("Notes\n\nThe miners march with dynamite.\n\nSecond part\n\nCabildos are open assemblies. {extra}"),
    )
    .expect("write");
}

fn open(corpus_dir: &Path, data: &Path) -> Engine {
    let c = corpus::load(corpus_dir).expect("corpus");
    Engine::from_corpus(c, Some(data), SearchSettings::default()).expect("engine")
}

fn index_dirs(data: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(data)
        .expect("data dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index-"))
        .collect();
    v.sort();
    v
}

#[test]
fn built_once_then_opened_then_rebuilt_on_change() {
    let texts = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    write_corpus(texts.path(), "");
    let first = open(texts.path(), data.path());
    assert!(first.index.built);
    assert!(matches!(first.index.location, Location::Dir(_)));
    drop(first);
    let second = open(texts.path(), data.path());
    assert!(
        !second.index.built,
        "an up-to-date index is opened, not rebuilt"
    );
    let a = ask(&second, "dynamite", &AskOptions::default()).expect("ask");
    assert_eq!(a.results[0].short_ref, "1.1");
    drop(second);
    write_corpus(texts.path(), "They meet in squares.");
    let third = open(texts.path(), data.path());
    assert!(third.index.built, "a changed corpus is reindexed");
    let a = ask(&third, "squares", &AskOptions::default()).expect("ask");
    assert!(a.answered);
    assert_eq!(
        index_dirs(data.path()).len(),
        1,
        "the stale index is removed"
    );
}

#[test]
fn damaged_index_is_detected_and_rebuilt() {
    let texts = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    write_corpus(texts.path(), "");
    drop(open(texts.path(), data.path()));
    let dir = data.path().join(&index_dirs(data.path())[0]);
    // Truncate every segment file.
    for e in std::fs::read_dir(&dir).expect("index dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".idx") || name.ends_with(".store") || name.ends_with(".term") {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(e.path())
                .expect("open");
            f.set_len(3).expect("truncate");
        }
    }
    let again = open(texts.path(), data.path());
    assert!(
        again.index.built,
        "damage is detected and the index rebuilt"
    );
    let a = ask(&again, "dynamite", &AskOptions::default()).expect("ask");
    assert!(a.answered);
}

#[test]
fn unwritable_data_dir_falls_back_to_memory() {
    let texts = tempfile::tempdir().expect("tempdir");
    write_corpus(texts.path(), "");
    let file = tempfile::NamedTempFile::new().expect("file");
    // a data "directory" below a regular file can never be created
    let e = open(texts.path(), &file.path().join("sub"));
    assert_eq!(e.index.location, Location::Ram);
    assert!(
        ask(&e, "dynamite", &AskOptions::default())
            .expect("ask")
            .answered
    );
}

#[test]
fn fingerprint_follows_content() {
    let a = corpus::embedded();
    assert_eq!(fingerprint(&a), fingerprint(&corpus::embedded()));
    let mut b = a.clone();
    b.documents[0].sections[0].passages[0].text.push('!');
    assert_ne!(fingerprint(&a), fingerprint(&b));
}

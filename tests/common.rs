//! Shared fixtures: the corpora (loaded once) and engines over them.

use std::path::PathBuf;
use std::sync::OnceLock;

use cabildo::config::SearchSettings;
use cabildo::corpus::{self, Corpus};
use cabildo::engine::Engine;

/// `tests/data`: the corpora and question sets the tests read, copied into the repository (see
/// `tests/data/README.md`).
pub fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn kjv_path() -> PathBuf {
    data().join("corpora/kjv.md")
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn essay() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::from_corpus(corpus::embedded(), None, SearchSettings::default())
            .expect("essay engine")
    })
}

pub fn kjv_corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| corpus::load(&kjv_path()).expect("kjv.md loads"))
}

pub fn kjv() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::from_corpus(kjv_corpus().clone(), None, SearchSettings::default())
            .expect("kjv engine")
    })
}

/// proptest settings for `cases` cases, keeping failing seeds beside the test's source file
/// (`<file>.proptest-regressions`) rather than in a top-level folder.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..Default::default()
    }
}

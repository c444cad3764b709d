//! Settings: defaults, file, environment; errors name the file or variable, the key and what was expected.

use std::collections::HashMap;
use std::path::PathBuf;

use cabildo::config::{Overrides, Settings};

/// Settings from `file` (None: the shipped `config/cabildo.toml`) and the environment `env` only.
pub fn load(file: Option<&str>, env: &[(&str, &str)]) -> Result<Settings, cabildo::Error> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cabildo.toml");
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let overrides = match file {
        Some(text) => {
            std::fs::write(&path, text).expect("write");
            Overrides {
                config: Some(path),
                ..Default::default()
            }
        }
        None => Overrides {
            config: Some(PathBuf::from("config/cabildo.toml")),
            ..Default::default()
        },
    };
    Settings::load_with(&overrides, |k| env.get(k).cloned())
}

#[test]
fn the_shipped_config_file_is_valid_and_all_defaults() {
    let s = load(None, &[]).expect("config/cabildo.toml loads");
    assert_eq!(s.corpus, None);
    assert_eq!(s.search, cabildo::config::SearchSettings::default());
}

#[test]
fn file_then_environment() {
    let s = load(
        Some("corpus = \"texts\"\ndata_dir = \"d\"\n[search]\ntop = 5\n"),
        &[("CABILDO_DATA_DIR", "/tmp/x"), ("CABILDO_TOP", "7")],
    )
    .expect("loads");
    assert_eq!(s.corpus, Some(PathBuf::from("texts")));
    assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
    assert_eq!(s.search.top, 7);
}

#[test]
fn bad_values_name_file_key_and_expectation() {
    let e = load(Some("[search]\ntop = \"three\"\n"), &[])
        .expect_err("wrong type")
        .to_string();
    assert!(
        e.contains("cabildo.toml") && e.contains("search.top") && e.contains("whole number"),
        "{e}"
    );
    let e = load(Some("[search]\ntop = 99\n"), &[])
        .expect_err("out of range")
        .to_string();
    assert!(
        e.contains("cabildo.toml") && e.contains("search.top") && e.contains("1 to 10"),
        "{e}"
    );
    let e = load(Some("[serch]\ntop = 3\n"), &[])
        .expect_err("unknown key")
        .to_string();
    assert!(e.contains("serch"), "{e}");
    let e = load(Some("top = = 3"), &[])
        .expect_err("bad toml")
        .to_string();
    assert!(e.contains("cabildo.toml"), "{e}");
    let e = load(Some(""), &[("CABILDO_TOP", "lots")])
        .expect_err("bad env")
        .to_string();
    assert!(e.contains("CABILDO_TOP") && e.contains("lots"), "{e}");
    let e = load(Some("log = \"cabildo=[\"\n"), &[])
        .expect_err("bad log filter")
        .to_string();
    assert!(e.contains("log"), "{e}");
}

#[test]
fn missing_config_file_is_named() {
    let e = Settings::load_with(
        &Overrides {
            config: Some(PathBuf::from("/no/such.toml")),
            ..Default::default()
        },
        |_| None,
    )
    .expect_err("missing");
    assert!(e.to_string().contains("/no/such.toml"), "{e}");
}

/// `[library]` (issue 28): defaults, the file, the environment over it, and bad values named.
#[test]
fn library_limits_come_from_the_file_and_the_environment() {
    let s = load(None, &[]).expect("defaults");
    assert_eq!(s.library, cabildo::config::LibrarySettings::default());
    assert_eq!(s.library.max_text_bytes, 10 * 1024 * 1024);
    assert_eq!(s.library.max_texts_per_server, 50);
    let s = load(
        Some("[library]\nmax_text_bytes = 2048\nmax_texts_per_server = 3\nmemory_budget_mb = 64\n"),
        &[("CABILDO_MAX_TEXTS_PER_SERVER", "5")],
    )
    .expect("loads");
    assert_eq!(
        (
            s.library.max_text_bytes,
            s.library.max_texts_per_server,
            s.library.memory_budget_mb
        ),
        (2048, 5, 64)
    );
    let e = load(Some("[library]\nmax_texts_per_server = 0\n"), &[])
        .expect_err("zero texts")
        .to_string();
    assert!(e.contains("library.max_texts_per_server"), "{e}");
    let e = load(None, &[("CABILDO_READ_TIMEOUT_SECONDS", "soon")])
        .expect_err("not a number")
        .to_string();
    assert!(e.contains("CABILDO_READ_TIMEOUT_SECONDS"), "{e}");
}

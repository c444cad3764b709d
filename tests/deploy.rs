//! The deployment files in `deploy/`, checked as far as this machine allows: the systemd units by
//! `systemd-analyze verify` (no warning at all), the container files by reading them (no container
//! engine runs here): a multi-stage build of the locked dependencies, a user without privileges,
//! `/data` a volume, and a build context that keeps everything the release build reads.

use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(deploy().join(name)).unwrap_or_else(|e| panic!("deploy/{name}: {e}"))
}

#[test]
fn systemd_units_verify_without_a_warning() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: systemd-analyze is not installed on this machine");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The units name the installed binary; verify checks that it exists and is executable.
    for (unit, instance) in [
        ("cabildo.service", "cabildo.service"),
        ("cabildo-serve@.service", "cabildo-serve@8080.service"),
    ] {
        let text = read(unit).replace("/usr/local/bin/cabildo", env!("CARGO_BIN_EXE_cabildo"));
        std::fs::write(dir.path().join(unit), text).unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(dir.path().join(instance))
            .output()
            .expect("systemd-analyze runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{unit}: {said}");
        assert!(said.trim().is_empty(), "{unit} has warnings: {said}");
    }
}

#[test]
fn systemd_units_sandbox_the_service() {
    for unit in ["cabildo.service", "cabildo-serve@.service"] {
        let text = read(unit);
        for line in [
            "DynamicUser=yes",
            "StateDirectory=",
            "EnvironmentFile=/etc/cabildo/cabildo.env",
            "ProtectSystem=strict",
            "NoNewPrivileges=yes",
            "Restart=on-failure",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(line)),
                "{unit}: no {line}"
            );
        }
    }
}

#[test]
fn the_container_image_builds_locked_and_runs_unprivileged() {
    let docker = read("Dockerfile");
    let lines: Vec<&str> = docker
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .collect();
    let froms = lines.iter().filter(|l| l.starts_with("FROM ")).count();
    assert!(froms >= 2, "not a multi-stage build");
    assert!(docker.contains("cargo build --release --locked"));
    // The last USER of the final stage is not root.
    let user = lines
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    assert!(!["root", "0"].contains(&user.trim()), "runs as {user}");
    assert!(docker.contains("VOLUME [\"/data\"]"));
    assert!(docker.contains("CABILDO_DATA_DIR=/data"));
    // The lock file the build is held to is up to date with Cargo.toml.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "Cargo.lock is not up to date: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The build context keeps what the release build reads: sources, the essay, migrations,
    // sqlx's offline query data and cargo's own config.
    let ignored: Vec<String> = read("Dockerfile.dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_matches('/').to_string())
        .collect();
    for needed in [
        "src",
        "corpus",
        "migrations",
        ".sqlx",
        ".cargo",
        "Cargo.toml",
        "Cargo.lock",
        "tests/main.rs",
        "benches",
    ] {
        assert!(
            !ignored
                .iter()
                .any(|i| needed == i || needed.starts_with(&format!("{i}/"))),
            "the build context leaves out {needed}"
        );
    }
}

#[test]
fn compose_runs_replicas_on_one_postgres() {
    let compose = read("compose.yaml");
    for needed in [
        "image: postgres:",
        "command: [\"serve\"]",
        "replicas: 2",
        "DATABASE_URL: postgres://",
        "condition: service_healthy",
        "dockerfile: deploy/Dockerfile",
        "./Caddyfile:/etc/caddy/Caddyfile:ro",
    ] {
        assert!(compose.contains(needed), "compose.yaml: no {needed:?}");
    }
    assert!(deploy().join("Caddyfile").is_file());
}

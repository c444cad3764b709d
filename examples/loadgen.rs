//! Load generator for the HTTP interactions endpoint (issue: "at least 5,000 answers/s, p99 under
//! 10 ms, zero errors, RSS flat"). Starts `cabildo serve`'s code path in this process on a loopback
//! port, signs `/ask` interactions with a key of its own, and sends them from many keep-alive
//! connections for a fixed time.
//!
//! `cargo run --release --example loadgen -- [SECONDS] [CONNECTIONS] [CORPUS]`
//! (defaults: 20 s, 32 connections, the built-in essay). Prints throughput, latency percentiles,
//! errors, and this process's RSS once per 10 s (server and client share the process and the cores).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};

const QUESTIONS: &[&str] = &[
    "What is dual power?",
    "Who replaced Lozada as president?",
    "general strike",
    "What did Marx say the workers of Paris had done?",
    "Should officials earn more than an ordinary worker?",
    "paris comune principles",
    "Why did the COB leaders say they did not take power?",
    "Where was Jesus born?",
];

fn rss_mb() -> f64 {
    cabildo::bench::proc_status_mb("VmRSS")
}

fn body(i: usize) -> String {
    serde_json::json!({
        "id": (1000 + i).to_string(), "application_id": "1100", "type": 2,
        "data": {"id": "900", "name": "ask", "type": 1, "options": [
            {"name": "question", "type": 3, "value": QUESTIONS[i % QUESTIONS.len()]}]},
        "channel_id": "1200", "token": format!("t{i}"), "version": 1, "locale": "en-US",
        "entitlements": [], "attachment_size_limit": 8_388_608,
        "user": {"id": (1300 + i % 500).to_string(), "username": "reader", "discriminator": "0", "avatar": null, "global_name": null}
    })
    .to_string()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(20);
    let connections: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let mut settings = cabildo::config::Settings::load(&cabildo::config::Overrides {
        corpus: args.get(2).map(Into::into),
        ..Default::default()
    })?;
    settings.discord.public_key = Some(cabildo::config::Token::new(hex::encode(
        key.verifying_key().to_bytes(),
    )));
    settings.discord.cooldown_seconds = 0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn({
        let settings = settings.clone();
        async move {
            cabildo::discord::http::serve(&settings, listener, async {
                let _ = stop_rx.await;
            })
            .await
        }
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    let url = format!("http://{addr}/interactions");
    // wait for ready
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await
            && r.status().is_success()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bodies: Arc<Vec<String>> = Arc::new((0..256).map(body).collect());
    let done = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (client, url, bodies, done, errors, key) = (
            client.clone(),
            url.clone(),
            bodies.clone(),
            done.clone(),
            errors.clone(),
            key.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Fixed-size histogram (10 µs buckets up to 1 s) so the client's memory stays flat.
            let mut lat = vec![0u64; 100_001];
            let mut i = c;
            while !done.load(Ordering::Relaxed) {
                let b = &bodies[i % bodies.len()];
                i += connections;
                let ts = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
                    .to_string();
                let mut msg = ts.clone().into_bytes();
                msg.extend_from_slice(b.as_bytes());
                let sig = hex::encode(key.sign(&msg).to_bytes());
                let t = Instant::now();
                let ok = match client
                    .post(&url)
                    .header("X-Signature-Ed25519", sig)
                    .header("X-Signature-Timestamp", ts)
                    .header("Content-Type", "application/json")
                    .body(b.clone())
                    .send()
                    .await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                let b = (t.elapsed().as_micros() / 10).min(100_000) as usize;
                lat[b] += 1;
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat
        }));
    }
    let mut next = 10;
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let s = started.elapsed().as_secs();
        if s >= next {
            println!("t={s:>4}s RSS {:.1} MB", rss_mb());
            next += 10;
        }
    }
    done.store(true, Ordering::Relaxed);
    let mut hist = vec![0u64; 100_001];
    for t in tasks {
        for (i, n) in t.await?.into_iter().enumerate() {
            hist[i] += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total: u64 = hist.iter().sum();
    // Upper edge of the bucket holding the p-th answer, in ms.
    let pct = |p: f64| {
        let want = ((total as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in hist.iter().enumerate() {
            seen += n;
            if seen >= want {
                return (i as f64 + 1.0) * 0.01;
            }
        }
        0.0
    };
    println!(
        "{} answers in {elapsed:.1} s = {:.0}/s over {connections} connections; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; errors {}; RSS {:.1} MB",
        total,
        total as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        pct(1.0),
        errors.load(Ordering::Relaxed),
        rss_mb()
    );
    let _ = stop_tx.send(());
    server.await??;
    Ok(())
}

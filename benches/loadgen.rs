//! Load generator for the HTTP interactions endpoint (issue: "at least 5,000 answers/s, p99 under
//! 10 ms, zero errors, RSS flat"). Starts `cabildo serve`'s code path in this process on a loopback
//! port, signs `/ask` interactions with a key of its own, and sends them from many keep-alive
//! connections for a fixed time.
//!
//! `cargo run --release --example loadgen -- [SECONDS] [CONNECTIONS] [CORPUS]`
//! (defaults: 20 s, 32 connections, the built-in essay). Prints throughput, latency percentiles,
//! errors, this process's RSS once per 10 s, and the CPU time spent per answer (server and client
//! share the process and the cores).
//!
//! The client is kept thin so that the shared cores go to the server under test: requests are
//! signed ahead, in a pool signed again every minute (the server accepts timestamps up to 5 minutes
//! old), and written as prepared HTTP/1.1 bytes on plain keep-alive connections. Every request the
//! server sees is still signed and verified.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

/// Distinct request bodies (different users, tokens and questions).
const BODIES: usize = 256;
/// How often the pool of signed requests is signed again.
const RESIGN_EVERY: Duration = Duration::from_secs(60);

fn rss_mb() -> f64 {
    cabildo::bench::proc_status_mb("VmRSS")
}

/// CPU seconds this process has used (user + system), from /proc/self/stat; 0 where unavailable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at "state"; utime and stime are
    // the 14th and 15th fields overall, in clock ticks (100 per second on Linux).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
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

/// Every body as a complete HTTP request, signed with the current time.
fn sign_all(key: &SigningKey, addr: SocketAddr, bodies: &[String]) -> Arc<Vec<Vec<u8>>> {
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string();
    let requests = bodies
        .iter()
        .map(|body| {
            let signed = [ts.as_bytes(), body.as_bytes()].concat();
            let signature = hex::encode(key.sign(&signed).to_bytes());
            let mut request = format!(
                "POST /interactions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
                 x-signature-ed25519: {signature}\r\nx-signature-timestamp: {ts}\r\n\
                 content-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            request.extend_from_slice(body.as_bytes());
            request
        })
        .collect();
    Arc::new(requests)
}

/// One keep-alive HTTP/1.1 connection: writes a prepared request, reads the whole response
/// (which must carry a `content-length`, as the endpoint's do).
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends `request` and returns the response's status once its body has been read.
    async fn send(&mut self, request: &[u8]) -> std::io::Result<u16> {
        let bad =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        self.stream.write_all(request).await?;
        self.buf.clear();
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end]).map_err(|_| bad("head"))?;
                let status = head
                    .get(9..12)
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| bad("status line"))?;
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .ok_or_else(|| bad("no content-length"))?;
                let total = end + 4 + length;
                while self.buf.len() < total {
                    if self.stream.read_buf(&mut self.buf).await? == 0 {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                }
                return Ok(status);
            }
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }
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
    settings.discord.rate_refill_seconds = 0;
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
    // Wait until the index is open.
    let health = format!("GET /healthz HTTP/1.1\r\nhost: {addr}\r\n\r\n").into_bytes();
    for _ in 0..600 {
        if let Ok(mut c) = Conn::open(addr).await
            && c.send(&health).await.ok() == Some(200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bodies: Vec<String> = (0..BODIES).map(body).collect();
    let (pool_tx, pool_rx) = tokio::sync::watch::channel(sign_all(&key, addr, &bodies));
    let resign = tokio::spawn(async move {
        loop {
            tokio::time::sleep(RESIGN_EVERY).await;
            let _ = pool_tx.send(sign_all(&key, addr, &bodies));
        }
    });
    let done = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let cpu_at_start = cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (mut pool_rx, done, errors) = (pool_rx.clone(), done.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            // Fixed-size histogram (10 µs buckets up to 1 s) so the client's memory stays flat.
            let mut lat = vec![0u64; 100_001];
            let mut pool = pool_rx.borrow_and_update().clone();
            let mut conn: Option<Conn> = None;
            let mut i = c;
            while !done.load(Ordering::Relaxed) {
                if pool_rx.has_changed().unwrap_or(false) {
                    pool = pool_rx.borrow_and_update().clone();
                }
                let Some(request) = pool.get(i % pool.len().max(1)) else {
                    break;
                };
                i += connections;
                let t = Instant::now();
                let status = match conn.as_mut() {
                    Some(c) => c.send(request).await,
                    None => match Conn::open(addr).await {
                        Ok(c) => conn.insert(c).send(request).await,
                        Err(e) => Err(e),
                    },
                };
                let b = (t.elapsed().as_micros() / 10).min(100_000) as usize;
                lat[b] += 1;
                match status {
                    Ok(200) => {}
                    Ok(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        conn = None;
                    }
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
    resign.abort();
    let mut hist = vec![0u64; 100_001];
    for t in tasks {
        for (i, n) in t.await?.into_iter().enumerate() {
            hist[i] += n;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_at_start;
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
        "{} answers in {elapsed:.1} s = {:.0}/s over {connections} connections; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; errors {}; RSS {:.1} MB; CPU {:.0} µs per answer (server + client)",
        total,
        total as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        pct(1.0),
        errors.load(Ordering::Relaxed),
        rss_mb(),
        cpu * 1e6 / total.max(1) as f64
    );
    let _ = stop_tx.send(());
    server.await??;
    Ok(())
}

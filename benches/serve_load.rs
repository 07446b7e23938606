//! Load on `sco-bot serve` over loopback: signed `/member` lookups and autocompletes, signed in
//! advance, sent by a closed-loop load generator of its own (keep-alive connections, one
//! thread) to the release binary in its own process. Reports throughput, p50/p99/max latency,
//! the server's peak memory (VmHWM), and the bare Ed25519 verification rate on one core, the
//! floor cost of every request.
//!
//! `cargo bench --bench serve_load` (options after `--`: `--seconds N`, `--connections N`;
//! `SCO_BENCH_SERVER=PATH` loads another `sco-bot` binary instead of this build's;
//! `SCO_BENCH_DB=FILE-OR-postgres://URL` gives the server that database and adds two runs to
//! compare SQLite with PostgreSQL: signed `/stats`, one store read per request, and signed
//! study answers, one store write transaction per request).
//!
//! Requests come from 500 users in turn and rate limits are off (`SCO_RATE_LIMITS=off`), so
//! every request takes the path it names; one request of each run is checked for the answer it
//! must get before the run starts.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};
use sco_bot::discord::http::verify::{PublicKey, encode_hex};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MEMBERS: [&str; 10] = [
    "kazakstan",
    "china",
    "india",
    "iran",
    "kyrgyzstan",
    "pakistan",
    "russia",
    "tajikistan",
    "uzbekistan",
    "belarus",
];
const PARTIALS: [&str; 6] = ["kaz", "ch", "uzb", "ind", "paki", "ru"];

fn interaction(n: u64, kind: u8, data: Value) -> Value {
    json!({
        "id": (600_000_000_000_000_000u64 + n).to_string(),
        "application_id": "100000000000000001",
        "type": kind,
        "token": format!("interaction-token-{n}"),
        "version": 1,
        "channel_id": "500000000000000001",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "app_permissions": "19456",
        "attachment_size_limit": 8_388_608,
        "guild_id": "300000000000000003",
        "context": 0,
        "authorizing_integration_owners": {"0": "300000000000000003"},
        "channel": {"id": "500000000000000001", "type": 0, "name": "study", "guild_id": "300000000000000003"},
        "member": {
            "user": {"id": "200000000000000002", "username": "tester", "discriminator": "0", "global_name": null, "avatar": null},
            "nick": null, "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": "2147601984",
        },
        "data": data,
    })
}

/// The same interaction from the `n`th of 500 users.
fn from_user(mut v: Value, n: u64) -> Value {
    v["member"]["user"]["id"] = json!((200_000_000_000_000_002u64 + n % 500).to_string());
    v
}

/// The `n`th user's answer to a study question (a button on `/study next`'s message).
fn study_answer(n: u64, question: &str) -> Value {
    let mut v = interaction(
        n,
        3,
        json!({"custom_id": format!("study|{}|{question}", n % 4), "component_type": 2}),
    );
    v["message"] = json!({
        "id": "700000000000000001", "channel_id": "500000000000000001", "type": 0,
        "content": "", "author": {"id": "100000000000000001", "username": "sco-bot",
        "discriminator": "0", "global_name": null, "avatar": null, "bot": true},
        "timestamp": "2026-12-03T00:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "flags": 64, "components": [],
    });
    from_user(v, n)
}

fn lookup(n: u64) -> Value {
    let name = MEMBERS[n as usize % MEMBERS.len()];
    interaction(
        n,
        2,
        json!({"id": "400000000000000001", "name": "member", "type": 1,
               "options": [{"name": "name", "type": 3, "value": name}]}),
    )
}

fn stats(n: u64) -> Value {
    interaction(
        n,
        2,
        json!({"id": "400000000000000001", "name": "stats", "type": 1}),
    )
}

fn autocomplete(n: u64) -> Value {
    let partial = PARTIALS[n as usize % PARTIALS.len()];
    interaction(
        n,
        4,
        json!({"id": "400000000000000001", "name": "member", "type": 1,
               "options": [{"name": "name", "type": 3, "value": partial, "focused": true}]}),
    )
}

/// A keep-alive POST signed as Discord signs: timestamp + body.
fn signed(key: &SigningKey, body: &[u8], timestamp: i64) -> Vec<u8> {
    let ts = timestamp.to_string();
    let mut message = ts.as_bytes().to_vec();
    message.extend_from_slice(body);
    let signature = encode_hex(&key.sign(&message).to_bytes());
    let mut raw = format!(
        "POST /interactions HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-signature-ed25519: {signature}\r\nx-signature-timestamp: {ts}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads one response; returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).map_err(std::io::Error::other)?;
            let status: u16 = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| std::io::Error::other("no status"))?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::Error::other("closed mid-body"));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(status);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

/// `connections` closed loops for `seconds`, cycling through `requests`.
async fn load(addr: SocketAddr, requests: &[Vec<u8>], connections: usize, seconds: f64) -> Run {
    let requests = std::sync::Arc::new(requests.to_vec());
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let requests = std::sync::Arc::clone(&requests);
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.expect("connects");
            stream.set_nodelay(true).expect("nodelay");
            let mut latencies = Vec::with_capacity(200_000);
            let mut errors = 0;
            let mut buf = Vec::with_capacity(16 * 1024);
            let mut i = c * 7919;
            while Instant::now() < end {
                let req = &requests[i % requests.len()];
                i += 1;
                let sent = Instant::now();
                if stream.write_all(req).await.is_err() {
                    errors += 1;
                    break;
                }
                match read_response(&mut stream, &mut buf).await {
                    Ok(200) => latencies.push(sent.elapsed()),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut run = Run {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (l, e) = t.await.expect("a load task");
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = start.elapsed();
    run.latencies.sort_unstable();
    run
}

/// One request on a connection of its own; the answer's JSON.
async fn probe(addr: SocketAddr, request: &[u8]) -> Value {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("sends");
    let mut buf = Vec::new();
    let status = read_response(&mut stream, &mut buf)
        .await
        .expect("an answer");
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&buf));
    serde_json::from_slice(&buf[end..]).expect("a JSON answer")
}

/// Whether `answer` is what a run of `name` measures, not a refusal or a rate limit.
fn answers_as_named(name: &str, answer: &Value) -> bool {
    let text = answer.to_string();
    let limited = text.contains("try again in");
    let fits = if name.contains("autocomplete") {
        answer["type"] == 8
            && answer["data"]["choices"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
    } else if name.contains("lookup") || name.contains("mixed") {
        answer["type"] == 4 && answer["data"]["embeds"][0]["title"].is_string()
    } else if name.contains("study") {
        answer["type"] == 4 || answer["type"] == 7
    } else {
        answer["type"] == 4
    };
    fits && !limited
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, run: &Run, cpu: Option<Duration>) -> f64 {
    let rate = run.latencies.len() as f64 / run.elapsed.as_secs_f64();
    let per_request = cpu.map_or("?".to_string(), |c| {
        format!(
            "{:.0} µs",
            c.as_secs_f64() * 1e6 / run.latencies.len().max(1) as f64
        )
    });
    println!(
        "{name:<24} {:>7.0} req/s  p50 {:>6.3} ms  p99 {:>6.3} ms  max {:>7.3} ms  server CPU {per_request}/req  ({} requests, {} errors)",
        rate,
        percentile(&run.latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&run.latencies, 0.99).as_secs_f64() * 1e3,
        run.latencies
            .last()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3,
        run.latencies.len(),
        run.errors
    );
    rate
}

/// CPU time (user + system) a process has used so far, from /proc (Linux).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(Duration::from_millis(ticks * 10))
}

/// The 1-minute load average: other work on the machine skews every figure here.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(String::from))
        .unwrap_or_else(|| "unknown".into())
}

/// Peak resident memory of a process, from /proc (Linux), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Verifications per second of one signature on one core, through the endpoint's own check.
fn bare_verification_rate(key: &SigningKey, body: &[u8]) -> f64 {
    let public = PublicKey::from_hex(&encode_hex(key.verifying_key().as_bytes())).expect("a key");
    let ts = now_secs().to_string();
    let mut message = ts.as_bytes().to_vec();
    message.extend_from_slice(body);
    let signature = encode_hex(&key.sign(&message).to_bytes());
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..100 {
            public
                .check(
                    Some(signature.as_bytes()),
                    Some(ts.as_bytes()),
                    body,
                    now_secs(),
                )
                .expect("verifies");
        }
        n += 100;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let seconds = arg("--seconds", 5.0);
    let connections = arg("--connections", 8.0) as usize;
    let key = SigningKey::from_bytes(&[42; 32]);
    let public = encode_hex(key.verifying_key().as_bytes());
    let dir = std::env::temp_dir().join(format!("sco-bot-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    // SCO_BENCH_SERVER names another build to load (an earlier one, to compare under the
    // same machine load).
    let binary =
        std::env::var("SCO_BENCH_SERVER").unwrap_or_else(|_| env!("CARGO_BIN_EXE_sco-bot").into());
    let db = std::env::var("SCO_BENCH_DB").ok().filter(|d| !d.is_empty());
    let mut args = Vec::new();
    if let Some(db) = &db {
        args.extend(["--db", db.as_str()]);
    }
    args.extend(["serve", "--listen", "127.0.0.1:0", "--public-key", &public]);
    let mut server = Command::new(&binary)
        .args(&args)
        .current_dir(&dir)
        .env("RUST_LOG", "warn,sco_bot::discord::http=info")
        .env("SCO_RATE_LIMITS", "off")
        .env_remove("DISCORD_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the release binary starts");
    let mut lines = BufReader::new(server.stderr.take().expect("piped")).lines();
    let addr: SocketAddr = loop {
        let line = lines
            .next()
            .expect("the server logs its address")
            .expect("a log line");
        if let Some(a) = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("addr="))
        {
            break a.parse().expect("an address");
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let now = now_secs();
    let lookups: Vec<Vec<u8>> = (0..1000)
        .map(|n| signed(&key, from_user(lookup(n), n).to_string().as_bytes(), now))
        .collect();
    let completions: Vec<Vec<u8>> = (0..1000)
        .map(|n| {
            signed(
                &key,
                from_user(autocomplete(n), n).to_string().as_bytes(),
                now,
            )
        })
        .collect();
    let reads: Vec<Vec<u8>> = (0..1000)
        .map(|n| signed(&key, from_user(stats(n), n).to_string().as_bytes(), now))
        .collect();
    let facts = sco_bot::facts::FactBase::bundled().expect("the built-in facts load");
    let questions: Vec<String> = sco_bot::quiz::generate::generate(&facts, 0)
        .into_iter()
        .map(|q| q.id)
        .collect();
    let writes: Vec<Vec<u8>> = (0..1000)
        .map(|n| {
            let question = &questions[(n as usize * 7) % questions.len()];
            signed(&key, study_answer(n, question).to_string().as_bytes(), now)
        })
        .collect();
    let mixed: Vec<Vec<u8>> = lookups
        .iter()
        .zip(&completions)
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    println!(
        "database: {}",
        db.as_deref().map_or("none".to_string(), |d| d
            .split('@')
            .next_back()
            .unwrap_or(d)
            .to_string())
    );
    println!(
        "serve on {addr}; {connections} keep-alive connections, one load thread, {seconds} s per run; lookup body {} bytes; load average before: {}",
        lookup(0).to_string().len(),
        load_average()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        // Warm-up: first requests build the server's caches and grow its buffers.
        load(addr, &mixed, connections, 1.0).await;
        let pid = server.id();
        let mut lookup_rate = 0.0;
        let mut runs = vec![
            ("signed /member lookups", &lookups),
            ("signed autocompletes", &completions),
            ("mixed 1:1", &mixed),
        ];
        if db.is_some() {
            runs.push(("signed /stats (a store read each)", &reads));
            runs.push(("signed study answers (a write each)", &writes));
        }
        for (name, requests) in runs {
            let answer = probe(addr, &requests[0]).await;
            assert!(
                answers_as_named(name, &answer),
                "{name}: not the answer the run names: {answer}"
            );
            let before = cpu_time(pid);
            let run = load(addr, requests, connections, seconds).await;
            let cpu = before.zip(cpu_time(pid)).map(|(b, a)| a.saturating_sub(b));
            let rate = report(name, &run, cpu);
            if lookup_rate == 0.0 {
                lookup_rate = rate;
            }
        }
        let rss = peak_rss_kib(pid);
        let bare = bare_verification_rate(&key, lookup(0).to_string().as_bytes());
        println!(
            "server peak RSS (VmHWM): {}",
            rss.map_or("unknown".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
        );
        println!(
            "bare Ed25519 verification (one core, this process): {bare:.0}/s ({:.0} µs each); the endpoint's lookups reach {:.0}% of it on a 2-core machine shared with the load generator; load average after: {}",
            1e6 / bare,
            100.0 * lookup_rate / bare,
            load_average()
        );
    });
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

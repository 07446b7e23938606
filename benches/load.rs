//! Load and soak: the release `sco-bot` in its own process (the gateway bot, `discord`, or the
//! HTTP endpoint, `serve`) on a SQLite file, driven through the fake Discord by simulated
//! users: lookups, autocompletes, `/ask` questions and quiz clicks, 16 in flight at a time.
//!
//! Each batch starts a buttons quiz in a channel of its own, has 100 of the 500 users click an
//! answer to its first question (5 of them twice), mixes in 300 other interactions, and stops
//! the quiz; at the end every quiz's scoreboard in the database must list exactly the users who
//! clicked, each with one answer: no error, no lost or doubled score. Reports p50/p99 handling
//! time (interaction written → its answer received), and the bot's RSS and peak RSS (VmHWM).
//!
//! `cargo bench --bench load -- [--mode gateway|http] [--interactions N] [--soak-seconds S]
//! [--rate PER_SECOND]`: with `--soak-seconds`, batches run paced at `--rate` (default 20/s)
//! for S seconds, and the bot's RSS is sampled every 30 s.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

#[allow(dead_code, missing_docs, unused_imports)]
#[path = "../tests/fake_discord/mod.rs"]
mod fake_discord;

use fake_discord::{FakeDiscord, InteractionBuilder};
use sco_bot::discord::http::verify::encode_hex;
use sco_bot::store::{SessionStatus, SqliteStore, Store};

const GUILD: u64 = 300_000_000_000_000_003;
const USERS: u64 = 500;
const WAIT: Duration = Duration::from_secs(30);
const IN_FLIGHT: usize = 16;
const CLICKERS: usize = 100;
const OTHERS: usize = 300;

const LOOKUPS: &[(&str, &str)] = &[
    ("member", "kazakhsatn"),
    ("member", "china"),
    ("summit", "2017"),
    ("summit", "astana"),
    ("principle", "non-alignment"),
    ("body", "rats"),
    ("term", "3 evils"),
    ("fact", "secretariat beijing"),
    ("member", "brazil"),
    ("document", "sco chater"),
];
const PARTIALS: &[(&str, &str)] = &[
    ("member", "kaz"),
    ("member", "uzb"),
    ("summit", "20"),
    ("body", "sec"),
    ("term", "three"),
];
const QUESTIONS: &[&str] = &[
    "when did pakistan join the sco",
    "what are the three evils",
    "where is the sco secretariat",
    "who was secretary general in 2017",
    "when did india join",
];

fn user(n: u64) -> (u64, String) {
    (
        200_000_000_000_100_000 + n % USERS,
        format!("user{}", n % USERS),
    )
}

fn channel(batch: u64) -> u64 {
    500_000_000_000_100_000 + batch
}

/// How interactions reach the bot.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Gateway,
    Http,
}

struct Bench {
    fake: FakeDiscord,
    mode: Mode,
    key: SigningKey,
    addr: Option<std::net::SocketAddr>,
    client: reqwest::Client,
    times: Mutex<Vec<Duration>>,
    errors: Mutex<Vec<String>>,
    sent: std::sync::atomic::AtomicU64,
}

impl Bench {
    /// Sends one interaction and returns the bot's first answer, timing it.
    async fn send(self: &Arc<Self>, b: InteractionBuilder) -> Value {
        let d = b.build();
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let start = Instant::now();
        let (answer, took) = match self.mode {
            Mode::Gateway => {
                let sent = self.fake.send_interaction(d).await;
                // A callback that never comes is an error of the run, not the end of it
                // (`expect_request` panics; the task catches it).
                let (me, path) = (Arc::clone(self), sent.callback_path());
                let seen =
                    tokio::spawn(async move { me.fake.expect_request("POST", &path, WAIT).await })
                        .await;
                match seen {
                    Ok(callback) => {
                        if callback.status >= 400 {
                            self.error(format!("callback refused: {}", callback.answer));
                        }
                        (callback.body, callback.received_at.duration_since(start))
                    }
                    Err(_) => {
                        self.error(format!("no callback within {WAIT:?}"));
                        (Value::Null, start.elapsed())
                    }
                }
            }
            Mode::Http => {
                let sent = self.fake.issue(&d);
                let body = d.to_string();
                let ts = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |t| t.as_secs())
                    .to_string();
                let mut message = ts.as_bytes().to_vec();
                message.extend_from_slice(body.as_bytes());
                let signature = encode_hex(&self.key.sign(&message).to_bytes());
                let url = format!("http://{}/interactions", self.addr.expect("an address"));
                let response = self
                    .client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-signature-ed25519", signature)
                    .header("x-signature-timestamp", ts)
                    .body(body)
                    .send()
                    .await;
                let took = start.elapsed();
                match response {
                    Ok(r) if r.status().is_success() => {
                        let bytes = r.bytes().await.unwrap_or_default();
                        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                        // As Discord does with an HTTP answer: it becomes the callback.
                        let _ = self.fake.respond_over_http(&sent, &v);
                        (v, took)
                    }
                    Ok(r) => {
                        self.error(format!("HTTP {}", r.status()));
                        (Value::Null, took)
                    }
                    Err(e) => {
                        self.error(format!("HTTP: {e}"));
                        (Value::Null, took)
                    }
                }
            }
        };
        if !answer["type"].is_u64() {
            self.error(format!("no answer: {answer}"));
        }
        self.times.lock().expect("times").push(took);
        answer
    }

    fn error(&self, e: String) {
        self.errors.lock().expect("errors").push(e);
    }
}

/// The interaction for the `n`th non-quiz request: lookups, autocompletes and questions.
fn other(n: u64) -> InteractionBuilder {
    let (id, name) = user(n);
    let b = match n % 10 {
        0..=4 => {
            let (c, q) = LOOKUPS[(n / 10) as usize % LOOKUPS.len()];
            FakeDiscord::slash(c, json!([{"name": "name", "type": 3, "value": q}]))
        }
        5..=7 => {
            let (c, q) = PARTIALS[(n / 10) as usize % PARTIALS.len()];
            FakeDiscord::autocomplete(
                c,
                json!([{"name": "name", "type": 3, "value": q, "focused": true}]),
            )
        }
        _ => {
            let q = QUESTIONS[(n / 10) as usize % QUESTIONS.len()];
            FakeDiscord::slash("ask", json!([{"name": "question", "type": 3, "value": q}]))
        }
    };
    b.in_guild(GUILD).channel(channel(0)).user(id, &name)
}

/// One batch: a quiz in its own channel with `CLICKERS` clickers (5 twice) and `OTHERS`
/// other interactions, 16 in flight; returns the session and who clicked.
async fn batch(bench: &Arc<Bench>, n: u64) -> (i64, BTreeSet<String>) {
    let ch = channel(n + 1);
    let starter = user(n * 7);
    let start = FakeDiscord::slash(
        "quiz",
        json!([{"name": "start", "type": 1, "options": [
            {"name": "questions", "type": 4, "value": 2},
            {"name": "seconds", "type": 4, "value": 120}]}]),
    )
    .in_guild(GUILD)
    .channel(ch)
    .user(starter.0, &starter.1);
    bench.send(start).await;
    let question = bench
        .fake
        .expect_request("POST", &format!("/channels/{ch}/messages"), WAIT)
        .await;
    let ids: Vec<String> = question.body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .filter(|id| id.starts_with("quiz|"))
        .collect();
    assert!(ids.len() >= 2, "a question with choices: {}", question.body);
    let session: i64 = ids[0]
        .split('|')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a session id in the button");
    let mut jobs: Vec<InteractionBuilder> = Vec::new();
    let mut clickers = BTreeSet::new();
    for i in 0..CLICKERS as u64 {
        let (id, name) = user(n * 131 + i);
        clickers.insert(id.to_string());
        let button = &ids[(i as usize) % ids.len()];
        let click = || {
            FakeDiscord::button(button)
                .in_guild(GUILD)
                .channel(ch)
                .user(id, &name)
        };
        jobs.push(click());
        if i % 20 == 0 {
            jobs.push(click());
        }
    }
    for i in 0..OTHERS as u64 {
        jobs.push(other(n * 1000 + i));
    }
    // Interleave clicks and the rest.
    jobs.sort_by_key(|b| format!("{b:?}").len() % 7);
    let queue = Arc::new(Mutex::new(jobs));
    let mut workers = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (bench, queue) = (Arc::clone(bench), Arc::clone(&queue));
        workers.push(tokio::spawn(async move {
            loop {
                let job = queue.lock().expect("queue").pop();
                let Some(job) = job else { break };
                bench.send(job).await;
            }
        }));
    }
    for w in workers {
        w.await.expect("a worker");
    }
    let stop = FakeDiscord::slash("quiz", json!([{"name": "stop", "type": 1, "options": []}]))
        .in_guild(GUILD)
        .channel(ch)
        .user(starter.0, &starter.1);
    bench.send(stop).await;
    (session, clickers)
}

/// The bot's process, killed when the run ends however it ends (a panic included), so a
/// failed run never leaves it behind.
struct Bot(std::process::Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mode = match arg("--mode").as_deref() {
        Some("http") => Mode::Http,
        _ => Mode::Gateway,
    };
    let interactions: u64 = arg("--interactions")
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let soak: Option<u64> = arg("--soak-seconds").and_then(|a| a.parse().ok());
    let rate: f64 = arg("--rate").and_then(|a| a.parse().ok()).unwrap_or(20.0);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(run(mode, interactions, soak, rate));
}

async fn run(mode: Mode, interactions: u64, soak: Option<u64>, rate: f64) {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().expect("a scratch folder");
    let db = dir.path().join("load.db");
    let key = SigningKey::from_bytes(&[42; 32]);
    let binary = env!("CARGO_BIN_EXE_sco-bot");
    let mut command = std::process::Command::new(binary);
    command
        .arg("--db")
        .arg(&db)
        .current_dir(dir.path())
        .env(
            "DISCORD_TOKEN",
            "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeA.not-a-real-token-but-shaped-like-one_0123456789",
        )
        .env("SCO_RATE_LIMITS", "off")
        .env("RUST_LOG", "warn,sco_bot::discord::http=info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    match mode {
        Mode::Gateway => command.args(["discord", "--api-base", &fake.proxy_url()]),
        Mode::Http => command.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-key",
            &encode_hex(key.verifying_key().as_bytes()),
            "--api-base",
            &fake.proxy_url(),
        ]),
    };
    let mut bot = Bot(command.spawn().expect("the release binary starts"));
    let pid = bot.0.id();
    let mut lines = BufReader::new(bot.0.stderr.take().expect("piped")).lines();
    let addr = match mode {
        Mode::Gateway => {
            std::thread::spawn(move || {
                for l in lines.map_while(Result::ok) {
                    eprintln!("bot: {l}");
                }
            });
            fake.wait_identified(WAIT).await;
            None
        }
        Mode::Http => {
            let addr = loop {
                let line = lines
                    .next()
                    .expect("the endpoint logs its address")
                    .expect("a line");
                if let Some(a) = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("addr="))
                {
                    break a.parse().expect("an address");
                }
            };
            std::thread::spawn(move || for _ in lines {});
            Some(addr)
        }
    };
    fake.expect_request("PUT", "/commands", WAIT).await;
    let bench = Arc::new(Bench {
        fake,
        mode,
        key,
        addr,
        client: reqwest::Client::new(),
        times: Mutex::new(Vec::new()),
        errors: Mutex::new(Vec::new()),
        sent: std::sync::atomic::AtomicU64::new(0),
    });
    let per_batch = (CLICKERS + CLICKERS / 20 + OTHERS + 2) as u64;
    let began = Instant::now();
    let mut quizzes: Vec<(i64, BTreeSet<String>)> = Vec::new();
    let mut samples: Vec<(u64, u64)> = Vec::new();
    let mut n = 0;
    match soak {
        None => {
            while bench.sent.load(std::sync::atomic::Ordering::Relaxed) < interactions {
                quizzes.push(batch(&bench, n).await);
                n += 1;
            }
        }
        Some(seconds) => {
            let mut next_sample = Instant::now();
            while began.elapsed() < Duration::from_secs(seconds) {
                let t = Instant::now();
                quizzes.push(batch(&bench, n).await);
                n += 1;
                bench.fake.forget_claimed();
                if Instant::now() >= next_sample {
                    samples.push((began.elapsed().as_secs(), rss_kib(pid, "VmRSS:")));
                    next_sample += Duration::from_secs(30);
                }
                // Paced: a batch's interactions spread at `rate` per second.
                let due = Duration::from_secs_f64(per_batch as f64 / rate);
                if let Some(rest) = due.checked_sub(t.elapsed()) {
                    tokio::time::sleep(rest).await;
                }
            }
            samples.push((began.elapsed().as_secs(), rss_kib(pid, "VmRSS:")));
        }
    }
    let elapsed = began.elapsed();
    // Let the last stops land, then check every quiz in the database.
    let store = SqliteStore::open(&db).expect("the bot's database");
    let deadline = Instant::now() + WAIT;
    let (mut lost, mut doubled, mut answers) = (0, 0, 0);
    for (session, clickers) in &quizzes {
        while store.session(*session).expect("readable").map(|s| s.status)
            == Some(SessionStatus::Active)
        {
            assert!(Instant::now() < deadline, "quiz {session} never stopped");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let board: BTreeMap<String, u32> = store
            .scoreboard(*session)
            .expect("readable")
            .into_iter()
            .map(|r| (r.user, r.answered))
            .collect();
        for c in clickers {
            match board.get(c) {
                None | Some(0) => lost += 1,
                Some(1) => answers += 1,
                Some(_) => doubled += 1,
            }
        }
        doubled += board.keys().filter(|u| !clickers.contains(*u)).count();
    }
    let mut times = std::mem::take(&mut *bench.times.lock().expect("times"));
    times.sort();
    let errors = bench.errors.lock().expect("errors").clone();
    let label = if mode == Mode::Gateway {
        "gateway"
    } else {
        "http"
    };
    println!(
        "{label}: {} interactions ({} quizzes, {answers} scored answers from {} users) in {:.1} s; errors {}; lost {lost}; doubled {doubled}",
        times.len(),
        quizzes.len(),
        USERS,
        elapsed.as_secs_f64(),
        errors.len(),
    );
    println!(
        "{label}: handling p50 {:?}, p99 {:?}, max {:?}; bot RSS now {:.1} MiB, peak {:.1} MiB",
        pct(&times, 0.50),
        pct(&times, 0.99),
        times[times.len() - 1],
        rss_kib(pid, "VmRSS:") as f64 / 1024.0,
        rss_kib(pid, "VmHWM:") as f64 / 1024.0,
    );
    if !samples.is_empty() {
        let line: Vec<String> = samples
            .iter()
            .map(|(s, k)| format!("{s}s {:.1}", *k as f64 / 1024.0))
            .collect();
        println!("{label}: RSS samples (MiB): {}", line.join(", "));
    }
    for e in errors.iter().take(5) {
        println!("error: {e}");
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = bot.0.wait();
    assert!(
        errors.is_empty() && lost == 0 && doubled == 0,
        "errors, lost or doubled scores"
    );
}

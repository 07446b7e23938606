//! Two `sco-bot serve` replicas (the real binary) behind nginx on loopback, sharing one
//! PostgreSQL database, with the fake Discord for channel posts: 500 simulated players answer
//! a channel quiz through nginx with real signed requests; the replica playing the quiz is
//! SIGKILLed mid-round. Afterwards every accepted answer is stored exactly once, each round
//! closed and scored once, and each reveal posted once (the fake Discord counts).
//!
//! Needs nginx (`SCO_NGINX`, else `/usr/sbin/nginx` or `nginx` on the PATH) and PostgreSQL
//! (`SCO_TEST_POSTGRES`); without them it is skipped with a message, unless
//! `SCO_REQUIRE_POSTGRES` is set (CI), where a missing one fails it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::fake_discord::FakeDiscord;
use crate::serve::{public_hex, send, signed};
use crate::shutdown::{Running, spawn};

/// Shaped like a bot token (the binary checks), and no real one.
const TOKEN: &str =
    "MTAwMDAwMDAwMDAwMDAwMDAx.GfakeB.not-a-real-token-but-shaped-like-one_9876543210";
const GUILD: u64 = 300_000_000_000_000_007;
const PLAYERS: u64 = 500;
/// Player `i`'s user id is this plus `i`.
const PLAYER_IDS: u64 = 400_000_000_000_000_000;
const ROUNDS: usize = 3;
/// Long enough for 500 answers from a debug build on a shared machine.
const SECONDS: u64 = 30;
const LONG: Duration = Duration::from_secs(60);

/// nginx, if installed.
fn nginx() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SCO_NGINX").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let system = Path::new("/usr/sbin/nginx");
    if system.exists() {
        return Some(system.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("nginx"))
            .find(|p| p.exists())
    })
}

/// nginx and the PostgreSQL admin URL, or `None` (skipped, said why) unless they are required.
fn requirements() -> Option<(PathBuf, String)> {
    let required = std::env::var_os("SCO_REQUIRE_POSTGRES").is_some();
    let (nginx, pg) = (nginx(), std::env::var("SCO_TEST_POSTGRES").ok());
    match (nginx, pg) {
        (Some(n), Some(p)) => Some((n, p)),
        (n, p) => {
            let missing = [
                n.is_none()
                    .then_some("nginx (apt-get install nginx, or set SCO_NGINX)"),
                p.is_none()
                    .then_some("PostgreSQL (set SCO_TEST_POSTGRES; .ci/run does)"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" and ");
            assert!(
                !required,
                "SCO_REQUIRE_POSTGRES is set but {missing} is missing"
            );
            eprintln!("skipped the two-replica test: it needs {missing}");
            None
        }
    }
}

/// Runs `f` on a thread of its own: the `postgres` client runs a runtime of its own, which
/// cannot start on one of tokio's.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().expect("no panic"))
}

/// A fresh PostgreSQL database, dropped afterwards.
pub struct Database {
    admin: String,
    name: String,
    /// Its URL, for `--db`.
    pub url: String,
}

impl Database {
    pub fn new(admin: &str) -> Database {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "sco_replicas_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(admin, postgres::NoTls).expect("the server");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            client.batch_execute(&sql).expect("a fresh database");
        }
        let config: postgres::Config = admin.parse().expect("a URL");
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let url = format!(
            "postgres://{}@{host}:{}/{name}",
            config.get_user().unwrap_or("postgres"),
            config.get_ports().first().copied().unwrap_or(5432)
        );
        Database {
            admin: admin.to_string(),
            name,
            url,
        }
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("the test database")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        off_runtime(|| {
            if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        });
    }
}

/// A loopback port free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// nginx in the foreground, its files in a scratch folder; stopped (SIGQUIT, so its workers go
/// too) when dropped.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// The proxy part of `deploy/nginx.conf` (upstream with both replicas, the `/interactions`
    /// location), on plain HTTP at `port`.
    fn start(binary: &Path, port: u16, replicas: [u16; 2]) -> Nginx {
        let dir = tempfile::tempdir().expect("a scratch folder");
        let d = dir.path().display();
        let conf = format!(
            "worker_processes 1;\n\
             error_log {d}/error.log warn;\n\
             pid {d}/nginx.pid;\n\
             events {{ worker_connections 2048; }}\n\
             http {{\n\
               access_log off;\n\
               client_body_temp_path {d}/body;\n\
               proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n\
               uwsgi_temp_path {d}/uwsgi;\n\
               scgi_temp_path {d}/scgi;\n\
               upstream sco_bot {{\n\
                 server 127.0.0.1:{a} max_fails=3 fail_timeout=5s;\n\
                 server 127.0.0.1:{b} max_fails=3 fail_timeout=5s;\n\
                 keepalive 32;\n\
               }}\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 client_max_body_size 64k;\n\
                 location = /interactions {{\n\
                   proxy_pass http://sco_bot;\n\
                   proxy_http_version 1.1;\n\
                   proxy_set_header Connection \"\";\n\
                   proxy_next_upstream error timeout;\n\
                   proxy_connect_timeout 1s;\n\
                   proxy_read_timeout 5s;\n\
                 }}\n\
               }}\n\
             }}\n",
            a = replicas[0],
            b = replicas[1],
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).expect("the config is written");
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(&path)
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts");
        let deadline = Instant::now() + LONG;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx { child, _dir: dir }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A replica that is killed if the test ends early.
struct Replica(Running);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.child.kill();
        let _ = self.0.child.wait();
    }
}

fn replica(port: u16, api: &str, db: &str) -> Replica {
    let listen = format!("127.0.0.1:{port}");
    let mut r = spawn(
        &[
            "--db",
            db,
            "serve",
            "--listen",
            &listen,
            "--public-key",
            &public_hex(),
            "--api-base",
            api,
        ],
        &[("DISCORD_TOKEN", TOKEN)],
    );
    tokio::task::block_in_place(|| r.wait_for("listening for Discord interactions"));
    Replica(r)
}

/// The custom ids of a message's buttons.
fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect()
}

fn title(post: &Value) -> String {
    post["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits for the channel post whose title starts with `prefix`.
async fn posted(fake: &FakeDiscord, prefix: &str) -> Value {
    nth_posted(fake, prefix, 1).await
}

/// Waits for the `n`th channel post whose title starts with `prefix` (polled every 20 ms).
async fn nth_posted(fake: &FakeDiscord, prefix: &str, n: usize) -> Value {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        if let Some(p) = fake
            .channel_posts()
            .into_iter()
            .filter(|p| title(p).starts_with(prefix))
            .nth(n - 1)
        {
            return p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no post titled {prefix:?}; posts: {:?}",
            fake.channel_posts().iter().map(title).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What the players were told.
#[derive(Debug, Default)]
struct Told {
    /// "Locked in" at once.
    locked: Vec<u64>,
    /// Deferred (the answer came later, through the webhook).
    deferred: usize,
    /// Anything else ("too late", an error from nginx).
    other: BTreeMap<String, usize>,
}

/// Players `users` each click one of the question's buttons, through nginx, at most 16 at a
/// time.
async fn answer(nginx: SocketAddr, question: &Value, users: std::ops::Range<u64>) -> Told {
    let ids = custom_ids(question);
    assert_eq!(ids.len(), 4, "{question}");
    let gate = Arc::new(tokio::sync::Semaphore::new(16));
    let tasks: Vec<_> = users
        .map(|user| {
            let id = ids[(user % 4) as usize].clone();
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                let _permit = gate.acquire().await.expect("open");
                let body = FakeDiscord::button(&id)
                    .in_guild(GUILD)
                    .user(PLAYER_IDS + user, &format!("player{user}"))
                    .build();
                let raw = signed(body.to_string().as_bytes());
                let answer = send(nginx, &raw).await;
                if answer.status != 200 {
                    let text: String = answer.text().chars().take(60).collect();
                    return (user, Err(format!("HTTP {} {text}", answer.status)));
                }
                let body = answer.json();
                let content = body["data"]["content"].as_str().unwrap_or_default();
                if content.starts_with("Locked in") {
                    (user, Ok(true))
                } else if body["type"] == 5 {
                    (user, Ok(false))
                } else {
                    let what = if content.is_empty() {
                        format!("type {} {}", body["type"], title(&body["data"]))
                    } else {
                        content.chars().take(40).collect()
                    };
                    (user, Err(what))
                }
            })
        })
        .collect();
    let mut told = Told::default();
    for t in tasks {
        match t.await.expect("a player") {
            (user, Ok(true)) => told.locked.push(user),
            (_, Ok(false)) => told.deferred += 1,
            (_, Err(what)) => *told.other.entry(what).or_default() += 1,
        }
    }
    told
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_behind_nginx_close_reveal_and_count_each_round_once_when_one_is_killed() {
    let Some((nginx_bin, admin)) = requirements() else {
        return;
    };
    let db = off_runtime(|| Database::new(&admin));
    let fake = FakeDiscord::start().await;
    let api = fake.proxy_url();
    let ports = [free_port(), free_port()];
    let mut a = replica(ports[0], &api, &db.url);
    let b = replica(ports[1], &api, &db.url);
    let proxy_port = free_port();
    let proxy = Nginx::start(&nginx_bin, proxy_port, ports);
    let nginx: SocketAddr = ([127, 0, 0, 1], proxy_port).into();

    // The quiz starts on replica A (so the test knows which one plays it); everything after
    // goes through nginx.
    let start = FakeDiscord::slash(
        "quiz",
        json!([{"name": "start", "type": 1, "options": [
            {"name": "questions", "type": 4, "value": ROUNDS},
            {"name": "seconds", "type": 4, "value": SECONDS},
        ]}]),
    )
    .in_guild(GUILD)
    .build();
    let started = send(
        ([127, 0, 0, 1], ports[0]).into(),
        &signed(start.to_string().as_bytes()),
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.text());

    let mut accepted: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    let mut killed_at = None;
    let mut revealed_at = Vec::new();
    for round in 0..ROUNDS {
        let question = posted(&fake, &format!("Question {} of {ROUNDS}", round + 1)).await;
        let told = if round == 1 {
            // Half the players answer, replica A dies mid-round, the other half answer.
            let mut told = answer(nginx, &question, 0..PLAYERS / 2).await;
            a.0.child.kill().expect("SIGKILL");
            let _ = a.0.child.wait();
            killed_at = Some(sco_bot::quiz::session::wall_clock_ms());
            let after = answer(nginx, &question, PLAYERS / 2..PLAYERS).await;
            told.locked.extend(after.locked);
            told.deferred += after.deferred;
            for (k, v) in after.other {
                *told.other.entry(k).or_default() += v;
            }
            told
        } else {
            answer(nginx, &question, 0..PLAYERS).await
        };
        eprintln!(
            "round {round}: {} locked in, {} deferred, other: {:?}",
            told.locked.len(),
            told.deferred,
            told.other
        );

        accepted.insert(round, told.locked);
        // When players see the round's reveal (polled every 20 ms).
        nth_posted(&fake, "Answer: ", round + 1).await;
        revealed_at.push(sco_bot::quiz::session::wall_clock_ms());
    }
    posted(&fake, "Quiz over").await;
    // Anything late (a second reveal, say) would come within a sweep or two.
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Every accepted answer is stored exactly once (the primary key allows no second).
    let (rows, delays, deadlines) = off_runtime(|| {
        let mut client = db.client();
        let session: i64 = client
            .query_one("SELECT id FROM sessions", &[])
            .expect("one session")
            .get(0);
        let rows = client
            .query(
                "SELECT idx, user_id FROM answers WHERE session = $1",
                &[&session],
            )
            .expect("answers");
        let mut stored: HashMap<usize, HashSet<u64>> = HashMap::new();
        for r in &rows {
            let idx: i32 = r.get(0);
            let user: String = r.get(1);
            let fresh = stored
                .entry(idx as usize)
                .or_default()
                .insert(user.parse::<u64>().expect("a user id") - PLAYER_IDS);
            assert!(fresh, "an answer stored twice");
        }
        for (round, users) in &accepted {
            let have = stored.get(round).cloned().unwrap_or_default();
            let missing: Vec<_> = users.iter().filter(|u| !have.contains(u)).collect();
            assert!(
                missing.is_empty(),
                "round {round}: accepted, not stored: {missing:?}"
            );
        }
        // Each round closed, and scored, once: a second scoring would count its answers again.
        let scored: i64 = client
            .query_one(
                "SELECT COALESCE(SUM(answered), 0)::BIGINT FROM players WHERE session = $1",
                &[&session],
            )
            .expect("players")
            .get(0);
        assert_eq!(scored as usize, rows.len(), "each answer scored once");
        let asked: i64 = client
            .query_one(
                "SELECT COALESCE(SUM(asked), 0)::BIGINT FROM question_stats",
                &[],
            )
            .expect("stats")
            .get(0);
        assert_eq!(asked as usize, rows.len(), "each round counted once");
        let rounds = client
            .query(
                "SELECT idx, deadline_ms, closed_ms FROM rounds WHERE session = $1 ORDER BY idx",
                &[&session],
            )
            .expect("rounds");
        assert_eq!(rounds.len(), ROUNDS);
        let delays: Vec<i64> = rounds
            .iter()
            .map(|r| {
                let closed: Option<i64> = r.get(2);
                closed.expect("every round closed") - r.get::<_, i64>(1)
            })
            .collect();
        let undelivered: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM outbox WHERE session = $1 AND delivered_ms IS NULL",
                &[&session],
            )
            .expect("outbox")
            .get(0);
        assert_eq!(undelivered, 0);
        let deadlines: Vec<i64> = rounds.iter().map(|r| r.get(1)).collect();
        (rows.len(), delays, deadlines)
    });

    // Each reveal posted once, each question once, one final scoreboard.
    let posts: Vec<String> = fake.channel_posts().iter().map(title).collect();
    let count = |prefix: &str| posts.iter().filter(|t| t.starts_with(prefix)).count();
    assert_eq!(count("Answer: "), ROUNDS, "{posts:?}");
    assert_eq!(count("Question "), ROUNDS, "{posts:?}");
    assert_eq!(count("Quiz over"), 1, "{posts:?}");

    let sent: usize = accepted.values().map(Vec::len).sum();
    eprintln!(
        "two replicas: {} answers locked in at once of {} sent, {} stored; rounds closed {:?} ms \
         after their deadlines, revealed {:?} ms after; round 2's replica was SIGKILLed {} ms \
         before its deadline",
        sent,
        PLAYERS as usize * ROUNDS,
        rows,
        delays,
        revealed_at
            .iter()
            .zip(&deadlines)
            .map(|(r, d)| r - d)
            .collect::<Vec<_>>(),
        deadlines[1] - killed_at.expect("killed"),
    );
    drop(proxy);
    drop(b);
    fake.stop().await;
}

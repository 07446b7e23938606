//! Hostile input and faults (issue 14): files that are not files, files shaped to exhaust the
//! parser, signs on numbers, bytes that are not UTF-8, JSON for line-splitting readers,
//! malformed tokens, rate limits, a full disk at the store boundary, and the fact base broken
//! under a running bot. Each test is named after the fault it pins.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::{scratch, stderr, stdout};
use sco_bot::app::App;
use sco_bot::commands::ids::Action;
use sco_bot::facts::FactBase;
use sco_bot::interaction::{self, Request, RequestKind, Response};
use sco_bot::quiz::session::{Mode, Next, StartParams, Started};
use sco_bot::ratelimit::RateLimits;
use sco_bot::reply::Reply;
use sco_bot::store::{self, SqliteStore, Store, StoreError};
use sco_bot::{Knowledge, Origin, Reloader};

/// Runs `sco-bot ARGS` in `dir` with `stdin` bytes and `env`, killing it after `limit`: a
/// hang is a failure, not a stuck test run.
fn run_bounded(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &[u8],
    limit: Duration,
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sco-bot"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("DISCORD_TOKEN")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("sco-bot starts");
    let mut input = child.stdin.take().expect("piped");
    // A child that exits early closes its end; that is its business.
    let _ = input.write_all(stdin);
    drop(input);
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "sco-bot {args:?} still ran after {limit:?}; stderr: {}",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(ok.success(), "mkfifo {}", path.display());
}

const QUICK: Duration = Duration::from_secs(20);

#[test]
fn a_named_pipe_as_facts_or_token_file_is_refused_without_blocking() {
    let dir = scratch();
    let fifo = dir.path().join("facts.pipe");
    mkfifo(&fifo);
    let p = fifo.to_str().expect("UTF-8");
    for args in [
        vec!["check", p],
        vec!["--facts", p, "ask", "/about"],
        vec!["--facts", p, "check"],
    ] {
        let out = run_bounded(dir.path(), &args, &[], b"", QUICK);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("it is a named pipe, not a regular file"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = run_bounded(dir.path(), &["discord", "--token-file", p], &[], b"", QUICK);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot read the token file") && stderr(&out).contains("named pipe"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_device_is_refused_instead_of_read_without_bound() {
    // /dev/zero reports 0 bytes in its metadata and never ends.
    let dir = scratch();
    let out = run_bounded(dir.path(), &["check", "/dev/zero"], &[], b"", QUICK);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("/dev/zero: it is a device, not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_reloaded_file_swapped_for_a_pipe_or_device_keeps_the_last_good_facts() {
    let dir = scratch();
    let path = dir.path().join("facts.toml");
    std::fs::write(&path, include_str!("fixtures/mini.toml")).expect("write");
    let (k, _) = Knowledge::load(Some(&path)).expect("valid");
    let reloader = Reloader::watching(&path, Arc::new(k));
    std::fs::remove_file(&path).expect("remove");
    mkfifo(&path);
    let e = reloader.check().expect_err("a pipe is refused");
    assert!(e.to_string().contains("named pipe"), "{e}");
    std::fs::remove_file(&path).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
    let e = reloader.check().expect_err("a device is refused");
    assert!(e.to_string().contains("a device"), "{e}");
    assert_eq!(reloader.current().facts.meta.version, "0.0.1");
}

#[test]
fn facts_replaced_truncated_or_deleted_under_a_running_bot_keep_the_last_good_version() {
    let dir = scratch();
    let path = dir.path().join("facts.toml");
    let mini = include_str!("fixtures/mini.toml");
    std::fs::write(&path, mini).expect("write");
    let (k, _) = Knowledge::load(Some(&path)).expect("valid");
    let app = App::assemble(Arc::new(k), Origin::File(path.clone()), None);
    let facts = Arc::clone(&app.services.facts);
    let served = |app: &App| {
        let reply = ask(app, "member", "kazakhstan", 0);
        assert!(reply.title.contains("Kazakhstan"), "{reply:?}");
        app.knowledge().facts.meta.version.clone()
    };
    assert_eq!(served(&app), "0.0.1");
    // Replaced by a broken file (renamed over it, as editors save).
    let tmp = dir.path().join("facts.toml.new");
    std::fs::write(&tmp, mini.replace("[meta]", "[meta\n")).expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
    assert!(facts.check().is_err(), "broken");
    assert_eq!(served(&app), "0.0.1");
    // Truncated in the middle of an entry.
    std::fs::write(&path, &mini[..mini.len() / 2]).expect("write");
    assert!(facts.check().is_err(), "truncated");
    assert_eq!(served(&app), "0.0.1");
    // Emptied, then deleted.
    std::fs::write(&path, "").expect("write");
    assert!(facts.check().is_err(), "empty");
    std::fs::remove_file(&path).expect("remove");
    let e = facts.check().expect_err("deleted");
    assert!(e.to_string().contains("cannot read"), "{e}");
    assert_eq!(served(&app), "0.0.1");
    // A good file again is served.
    std::fs::write(&path, mini.replace("0.0.1", "0.0.2")).expect("write");
    assert!(facts.check().expect("valid"));
    assert_eq!(served(&app), "0.0.2");
}

/// `sco-bot check FILE` under a 300 MB address-space cap, within 20 s.
fn check_capped(text: &[u8]) -> Output {
    let dir = scratch();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, text).expect("write");
    let script = format!(
        "ulimit -v 300000 && exec '{}' check '{}'",
        env!("CARGO_BIN_EXE_sco-bot"),
        path.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > QUICK {
            let _ = child.kill();
            panic!("check ran longer than {QUICK:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn eight_megabytes_of_broken_lines_are_refused_in_bounded_time_and_memory() {
    let out = check_capped(&b"!\n".repeat(4 * 1024 * 1024));
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(!err.contains("memory allocation"), "{err}");
    assert!(
        err.contains(":100001:1: the file has more than 100,000 lines"),
        "{err}"
    );
    assert!(err.lines().count() <= 3, "{err}");
}

#[test]
fn an_eight_megabyte_array_is_refused_before_the_parser_builds_it() {
    let mut text = b"[meta]\nx = [".to_vec();
    text.extend(b"0,".repeat(4 * 1024 * 1024 - 8));
    text.extend(b"0]\n");
    let out = check_capped(&text);
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains(":2:5: this array holds more than 10,000 items, the limit; split it"),
        "{err}"
    );
}

#[test]
fn deep_nesting_and_too_many_values_are_refused_with_their_position() {
    let deep = format!("[meta]\nx = {}{}\n", "[".repeat(100), "]".repeat(100));
    let out = check_capped(deep.as_bytes());
    assert!(
        stderr(&out).contains(":2:37: arrays and inline tables nest deeper than 32 levels"),
        "{}",
        stderr(&out)
    );
    // Many short arrays, each within the item limit, still add up.
    let many: String = (0..40)
        .map(|i| format!("a{i} = [{}0]\n", "0,".repeat(9000)))
        .collect();
    let out = check_capped(many.as_bytes());
    assert!(
        stderr(&out).contains("the file holds more than 250,000 values"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn many_problems_are_capped_at_200_with_a_count_of_the_rest() {
    let dir = scratch();
    let path = dir.path().join("bang.toml");
    std::fs::write(&path, "!\n".repeat(50_000)).expect("write");
    let out = run_bounded(dir.path(), &["check", "bang.toml"], &[], b"", QUICK);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        202,
        "200 problems, the count of the rest, the total"
    );
    let more =
        regex::Regex::new(r"^bang\.toml: … and (\d{1,3}(,\d{3})*) more problems$").expect("regex");
    let caps = more.captures(lines[200]).expect(lines[200]);
    let omitted: usize = caps[1].replace(',', "").parse().expect("a count");
    let total = format!(
        "bang.toml: {} problems found",
        sco_bot::limits::thousands(200 + omitted as u64)
    );
    assert!(lines[201].starts_with(&total), "{}", lines[201]);
    assert!(omitted >= 49_800, "{omitted}");
}

#[test]
fn a_negative_year_or_number_never_matches() {
    let dir = scratch();
    let out = run_bounded(
        dir.path(),
        &["ask", "--json"],
        &[],
        "/summit -2017\n/summit -1\n/person -2017\n/summit \u{2212}2017\n/document -2001\n/summit 2017\nwhich summit was in -2017?\n".as_bytes(),
        QUICK,
    );
    let objects: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(objects.len(), 7);
    for v in objects.iter().take(5).chain(objects.get(6)) {
        assert!(v["match"].is_null(), "{v}");
    }
    assert!(
        !objects[5]["match"].is_null(),
        "the positive year still matches"
    );
}

#[test]
fn a_line_that_is_not_utf8_is_reported_not_run() {
    let dir = scratch();
    let out = run_bounded(dir.path(), &["ask"], &[], b"/summit \xff\n\xfe\n", QUICK);
    let err = stderr(&out);
    assert_eq!(
        err.matches("error: this line is not valid UTF-8").count(),
        2,
        "{err}"
    );
    assert!(!stdout(&out).contains("I don't know"), "{}", stdout(&out));
    assert!(!out.status.success());
    let out = run_bounded(dir.path(), &["ask", "--json"], &[], b"\xff\n", QUICK);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("this line is not valid UTF-8")),
        "{v}"
    );
}

/// 400 MiB with no newline piped into `sco-bot ask` under a 300 MB address-space cap: the line
/// is refused as soon as it passes 64 KiB, while it is still being written (the rest of it
/// waits until the refusal is seen), the rest is dropped as it comes, and the next line runs.
#[test]
fn an_endless_line_on_stdin_is_refused_while_read_never_held_whole() {
    use std::io::{BufRead, BufReader};
    let script = format!(
        "ulimit -v 300000 && exec '{}' ask",
        env!("CARGO_BIN_EXE_sco-bot")
    );
    let dir = scratch();
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env("HOME", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let mut input = child.stdin.take().expect("piped");
    let (refused_tx, refused) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1024 * 1024];
        input.write_all(&chunk).expect("the first MiB");
        // Nothing more until the refusal was printed: it comes while the line is read. (A
        // bot that waits for the line's end gets the rest after a minute, and fails below.)
        let _ = refused.recv_timeout(Duration::from_secs(60));
        // A bot that ran out of memory has closed the pipe; the assertions below say so.
        for _ in 1..400 {
            if input.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = input.write_all(b"\n/about\n");
    });
    let mut err = BufReader::new(child.stderr.take().expect("piped"));
    let mut first = String::new();
    err.read_line(&mut first).expect("stderr");
    assert_eq!(
        first.trim_end(),
        "error: this line is longer than 64 KiB, so it was not read; type a shorter one"
    );
    let _ = refused_tx.send(());
    writer.join().expect("all written");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).expect("stderr");
    let out = child.wait_with_output().expect("it ends");
    assert!(!rest.contains("memory allocation"), "{rest}");
    assert!(
        stdout(&out).contains("Shanghai Cooperation Organisation"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused line is a failed line"
    );
}

#[test]
fn a_quiz_answer_that_is_not_utf8_is_not_taken_as_an_answer() {
    let dir = scratch();
    let out = run_bounded(
        dir.path(),
        &["quiz", "--db", "q.db", "--questions", "1", "--seed", "1"],
        &[],
        b"\xff\xfe\nA\n",
        QUICK,
    );
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{err}");
    assert!(err.contains("this line is not valid UTF-8"), "{err}");
    // The one answer is the letter typed after it, and the quiz ran to its end.
    assert!(text.contains("Answers: 1\n"), "{text}");
    assert!(!text.contains("Stopped."), "{text}");
    assert!(text.contains("Quiz over"), "{text}");
}

#[test]
fn json_lines_escape_the_characters_line_splitting_readers_break_on() {
    let dir = scratch();
    let out = run_bounded(
        dir.path(),
        &["ask", "--json"],
        &[],
        "/x\u{2028}y\n/summit a\u{0085}b\u{2029}c\n/nope \u{2028}\n".as_bytes(),
        QUICK,
    );
    let text = stdout(&out);
    for c in ['\u{0085}', '\u{2028}', '\u{2029}'] {
        assert!(!text.contains(c), "raw {:?} in {text}", c);
    }
    // What Python's splitlines would see: one object per piece.
    let pieces: Vec<&str> = text
        .split(['\n', '\r', '\u{0085}', '\u{2028}', '\u{2029}'])
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(pieces.len(), 3, "{text}");
    let first: serde_json::Value = serde_json::from_str(pieces[0]).expect("JSON");
    assert_eq!(first["query"], "/x\u{2028}y", "escaped, not dropped");
}

#[test]
fn a_malformed_token_is_refused_before_connecting() {
    let dir = scratch();
    for (token, says) in [
        ("hunter2", "a bot token is three parts joined by dots"),
        (
            "Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB",
            "without the prefix",
        ),
        ("a.b.c", "a bot token is three parts"),
    ] {
        let out = run_bounded(
            dir.path(),
            &["discord"],
            &[("DISCORD_TOKEN", token)],
            b"",
            QUICK,
        );
        let err = stderr(&out);
        assert!(!out.status.success(), "{token}");
        assert!(
            err.contains("the Discord token is malformed") && err.contains(says),
            "{err}"
        );
        assert!(!err.contains(token), "the token is never printed: {err}");
    }
}

/// A request as the terminal's user would make it, in `channel`.
fn request(user: &str, channel: &str, kind: RequestKind) -> Request {
    Request {
        user: user.into(),
        guild: None,
        channel: channel.into(),
        locale: "en-US".into(),
        can_manage: false,
        can_manage_server: false,
        placement: Some(sco_bot::quiz::Placement::Channel),
        kind,
    }
}

fn reply_of(outcome: interaction::Outcome) -> Reply {
    match outcome.response {
        Response::Message(r) | Response::Update(r) => r,
        other => panic!("not a message: {other:?}"),
    }
}

fn ask(app: &App, command: &str, query: &str, now: i64) -> Reply {
    let (spec, args) =
        sco_bot::commands::parse_line(&format!("/{command} {query}")).expect("parses");
    let req = request("u1", "c1", RequestKind::Bound { spec, args });
    reply_of(interaction::handle(&app.services, &req, now))
}

#[test]
fn lookups_over_the_rate_limit_get_a_private_when_to_retry_and_answers_never_do() {
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let limits = RateLimits::parse("lookup=3/100/60").expect("valid");
    let app = App::assemble(knowledge, Origin::Bundled, None).with_rate_limits(Some(limits));
    for _ in 0..3 {
        assert!(ask(&app, "member", "india", 0).title.contains("India"));
    }
    let refused = ask(&app, "member", "india", 1000);
    assert_eq!(
        refused.body,
        "You're going a bit fast: try again in 19 seconds."
    );
    assert!(refused.ephemeral && refused.is_notice());
    // Other users, and /ask (another class), are not held up; a token comes back in time.
    let other = request(
        "u2",
        "c1",
        RequestKind::Command {
            name: "member".into(),
            subcommand: None,
            options: vec![(
                "name".into(),
                sco_bot::commands::Given::Text("india".into()),
            )],
        },
    );
    assert!(
        reply_of(interaction::handle(&app.services, &other, 1000))
            .title
            .contains("India")
    );
    assert!(
        !ask(&app, "ask", "when did india join", 1000)
            .body
            .contains("a bit fast")
    );
    assert!(ask(&app, "member", "india", 20_000).title.contains("India"));
    // Quiz answers are never limited (there is no store here: the answer is "unavailable",
    // not "slow down").
    let answer = request(
        "u1",
        "c1",
        RequestKind::Click {
            id: Action::QuizChoice(1, 0, 0).encode(),
        },
    );
    for _ in 0..10 {
        let r = reply_of(interaction::handle(&app.services, &answer, 20_000));
        assert!(!r.body.contains("a bit fast"), "{r:?}");
    }
}

/// A store whose disk fills up (or turns read-only) on demand: every write fails as SQLite's
/// SQLITE_FULL (or SQLITE_READONLY) does.
#[derive(Debug)]
struct FullDisk {
    inner: Arc<dyn Store>,
    full: AtomicBool,
    /// Writes fail as read-only ones.
    read_only: AtomicBool,
    /// Turn read-only once an answer has been recorded.
    read_only_after_an_answer: bool,
}

impl FullDisk {
    fn new(inner: Arc<dyn Store>) -> FullDisk {
        FullDisk {
            inner,
            full: AtomicBool::new(false),
            read_only: AtomicBool::new(false),
            read_only_after_an_answer: false,
        }
    }

    fn fail<T>(&self, f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        if self.full.load(Ordering::SeqCst) {
            Err(StoreError::Full {
                path: "quiz.db".into(),
            })
        } else if self.read_only.load(Ordering::SeqCst) {
            Err(StoreError::ReadOnly {
                path: "quiz.db".into(),
            })
        } else {
            f()
        }
    }
}

impl Store for FullDisk {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn schema_version(&self) -> Result<u32, StoreError> {
        self.inner.schema_version()
    }
    fn start_session(
        &self,
        s: &store::NewSession,
    ) -> Result<Result<i64, store::ActiveElsewhere>, StoreError> {
        self.fail(|| self.inner.start_session(s))
    }
    fn session(&self, id: i64) -> Result<Option<store::SessionRow>, StoreError> {
        self.inner.session(id)
    }
    fn active_session(&self, channel: &str) -> Result<Option<store::SessionRow>, StoreError> {
        self.inner.active_session(channel)
    }
    fn active_sessions(&self) -> Result<Vec<store::SessionRow>, StoreError> {
        self.inner.active_sessions()
    }
    fn open_round(&self, round: &store::NewRound<'_>) -> Result<(), StoreError> {
        self.fail(|| self.inner.open_round(round))
    }
    fn set_message(&self, session: i64, index: u32, message_id: &str) -> Result<(), StoreError> {
        self.fail(|| self.inner.set_message(session, index, message_id))
    }
    fn current_round(&self, session: i64) -> Result<Option<store::RoundRow>, StoreError> {
        self.inner.current_round(session)
    }
    fn record_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
        answer: &str,
        correct: bool,
        answered_ms: i64,
    ) -> Result<store::AnswerOutcome, StoreError> {
        let recorded = self.fail(|| {
            self.inner
                .record_answer(session, index, user, answer, correct, answered_ms)
        });
        if self.read_only_after_an_answer && recorded.is_ok() {
            self.read_only.store(true, Ordering::SeqCst);
        }
        recorded
    }
    fn close_round(
        &self,
        session: i64,
        index: u32,
        closed_ms: i64,
    ) -> Result<store::RoundResult, StoreError> {
        self.fail(|| self.inner.close_round(session, index, closed_ms))
    }
    fn database_clock(&self) -> bool {
        self.inner.database_clock()
    }
    fn claim_due_rounds(
        &self,
        now: store::Now,
        overdue_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<store::DueRound>, StoreError> {
        self.fail(|| {
            self.inner
                .claim_due_rounds(now, overdue_ms, owner, lease_ms, limit)
        })
    }
    fn claim_stalled_sessions(
        &self,
        now: store::Now,
        idle_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<store::SessionRow>, StoreError> {
        self.fail(|| {
            self.inner
                .claim_stalled_sessions(now, idle_ms, owner, lease_ms, limit)
        })
    }
    fn claim_outbox(
        &self,
        now: store::Now,
        which: store::Deliverable,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<store::OutboxRow>, StoreError> {
        self.fail(|| self.inner.claim_outbox(now, which, owner, lease_ms, limit))
    }
    fn mark_delivered(&self, id: i64, owner: &str, delivered_ms: i64) -> Result<bool, StoreError> {
        self.fail(|| self.inner.mark_delivered(id, owner, delivered_ms))
    }
    fn finish_session(
        &self,
        session: i64,
        status: store::SessionEnd,
        ended_ms: i64,
    ) -> Result<(), StoreError> {
        self.fail(|| self.inner.finish_session(session, status, ended_ms))
    }
    fn scoreboard(&self, session: i64) -> Result<Vec<store::ScoreRow>, StoreError> {
        self.inner.scoreboard(session)
    }
    fn leaderboard(
        &self,
        guild: Option<&str>,
        since_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<store::LeaderRow>, StoreError> {
        self.inner.leaderboard(guild, since_ms, limit)
    }
    fn user_stats(&self, user: &str) -> Result<store::UserStats, StoreError> {
        self.inner.user_stats(user)
    }
    fn question_stats(&self, question_id: &str) -> Result<(u32, u32), StoreError> {
        self.inner.question_stats(question_id)
    }
    fn record_study(
        &self,
        user: &str,
        question_id: &str,
        topic: sco_bot::quiz::Topic,
        correct: bool,
        now_ms: i64,
    ) -> Result<store::Card, StoreError> {
        self.fail(|| {
            self.inner
                .record_study(user, question_id, topic, correct, now_ms)
        })
    }
    fn cards(&self, user: &str) -> Result<Vec<store::Card>, StoreError> {
        self.inner.cards(user)
    }
    fn study_stats(&self, user: &str, now_ms: i64) -> Result<Vec<store::StudyTopic>, StoreError> {
        self.inner.study_stats(user, now_ms)
    }
    fn reviews(&self, user: &str) -> Result<Vec<store::Review>, StoreError> {
        self.inner.reviews(user)
    }

    fn backup(&self, to: &std::path::Path) -> Result<(), StoreError> {
        self.inner.backup(to)
    }
    fn user_data(&self, user: &str) -> Result<store::UserData, StoreError> {
        self.inner.user_data(user)
    }
    fn delete_user(&self, user: &str) -> Result<store::Erased, StoreError> {
        self.fail(|| self.inner.delete_user(user))
    }

    fn mark_guild_removed(&self, guild: &str, removed_ms: i64) -> Result<(), StoreError> {
        self.fail(|| self.inner.mark_guild_removed(guild, removed_ms))
    }

    fn cancel_guild_removal(&self, guild: &str) -> Result<bool, StoreError> {
        self.fail(|| self.inner.cancel_guild_removal(guild))
    }

    fn removed_guilds(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.fail(|| self.inner.removed_guilds())
    }

    fn purge_removed_guilds(
        &self,
        now_ms: i64,
        grace_ms: i64,
    ) -> Result<Vec<store::Purged>, StoreError> {
        self.fail(|| self.inner.purge_removed_guilds(now_ms, grace_ms))
    }

    fn purge_guild(&self, guild: &str) -> Result<store::Purged, StoreError> {
        self.fail(|| self.inner.purge_guild(guild))
    }

    fn round_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
    ) -> Result<Option<store::RoundAnswer>, StoreError> {
        self.inner.round_answer(session, index, user)
    }
    fn save_report(&self, report: &store::NewReport) -> Result<store::Reported, StoreError> {
        self.fail(|| self.inner.save_report(report))
    }
    fn reports(&self, open_only: bool) -> Result<Vec<store::ReportRow>, StoreError> {
        self.inner.reports(open_only)
    }
    fn resolve_report(
        &self,
        id: i64,
        note: &str,
        now_ms: i64,
    ) -> Result<store::Resolved, StoreError> {
        self.fail(|| self.inner.resolve_report(id, note, now_ms))
    }
    fn set_daily(&self, schedule: &store::DailySchedule) -> Result<(), StoreError> {
        self.fail(|| self.inner.set_daily(schedule))
    }
    fn daily_off(&self, guild: &str) -> Result<bool, StoreError> {
        self.fail(|| self.inner.daily_off(guild))
    }
    fn daily_schedule(&self, guild: &str) -> Result<Option<store::DailySchedule>, StoreError> {
        self.inner.daily_schedule(guild)
    }
    fn daily_schedules(&self) -> Result<Vec<store::DailySchedule>, StoreError> {
        self.inner.daily_schedules()
    }
    fn claim_daily(&self, post: &store::DailyPost) -> Result<bool, StoreError> {
        self.fail(|| self.inner.claim_daily(post))
    }
    fn daily_post(&self, guild: &str, date: &str) -> Result<Option<store::DailyPost>, StoreError> {
        self.inner.daily_post(guild, date)
    }
    fn record_daily_answer(&self, answer: &store::DailyAnswer) -> Result<bool, StoreError> {
        self.fail(|| self.inner.record_daily_answer(answer))
    }
    fn daily_answers(
        &self,
        guild: &str,
        date: &str,
    ) -> Result<Vec<store::DailyAnswer>, StoreError> {
        self.inner.daily_answers(guild, date)
    }
    fn daily_right_dates(&self, guild: &str, user: &str) -> Result<Vec<String>, StoreError> {
        self.inner.daily_right_dates(guild, user)
    }

    fn daily_unrevealed(&self) -> Result<Vec<sco_bot::store::DailyPost>, StoreError> {
        self.inner.daily_unrevealed()
    }

    fn claim_daily_reveal(&self, guild: &str, date: &str, now_ms: i64) -> Result<bool, StoreError> {
        self.inner.claim_daily_reveal(guild, date, now_ms)
    }
}

#[test]
fn a_full_disk_says_so_and_the_answer_given_once_space_is_back_counts_once() {
    const T0: i64 = 1_800_000_000_000;
    let dir = scratch();
    let sqlite: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("quiz.db")).expect("open"));
    let disk = Arc::new(FullDisk::new(sqlite));
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(
        Arc::clone(&knowledge),
        Origin::Bundled,
        Some(Arc::clone(&disk) as Arc<dyn Store>),
    );
    let engine = app.engine().expect("a store").clone();
    let params = StartParams {
        guild: None,
        channel: "c1".into(),
        starter: "u1".into(),
        topic: None,
        questions: 2,
        seconds: 30,
        mode: Mode::Buttons,
        seed: 7,
        placement: sco_bot::quiz::Placement::Channel,
    };
    let Started::Started(session) = engine.start(knowledge.bank(), &params, T0).expect("start")
    else {
        panic!("started");
    };
    let Next::Round(round) = engine
        .open_next(knowledge.bank(), &session, T0, &mut Vec::new())
        .expect("open")
    else {
        panic!("a round");
    };
    let answer = request(
        "u1",
        "c1",
        RequestKind::Click {
            id: Action::QuizChoice(session.id, round.index, 0).encode(),
        },
    );
    disk.full.store(true, Ordering::SeqCst);
    let refused = reply_of(interaction::handle(&app.services, &answer, T0 + 1000));
    assert_eq!(refused.title, "Sorry, my database's disk is full");
    assert!(refused.body.contains("was not saved"), "{refused:?}");
    assert!(refused.ephemeral);
    // Closing fails too while the disk is full: nothing is half-applied.
    assert!(matches!(
        engine
            .store()
            .close_round(session.id, round.index, T0 + 2000),
        Err(StoreError::Full { .. })
    ));
    disk.full.store(false, Ordering::SeqCst);
    let taken = reply_of(interaction::handle(&app.services, &answer, T0 + 3000));
    assert!(taken.body.starts_with("Locked in: A."), "{taken:?}");
    let again = reply_of(interaction::handle(&app.services, &answer, T0 + 4000));
    assert!(again.body.contains("already answered"), "{again:?}");
    let closed = engine
        .store()
        .close_round(session.id, round.index, T0 + 31_000)
        .expect("close");
    assert_eq!(closed.answers.len(), 1, "the answer counts once");
    let board = engine.store().scoreboard(session.id).expect("board");
    assert_eq!(board[0].answered, 1);
}

/// A `Write` the test reads back: what the terminal printed.
#[derive(Clone, Default)]
struct Screen(Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("no test panicked")
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The database turns read-only under a running terminal quiz, right after its first answer
/// (injected at the store boundary: as root, which CI runs as, `chmod` stops no write; the
/// SQLite side, a real read-only connection, is tested in `store::sqlite`). The round cannot be
/// closed: the driver retries, then ends the quiz with a sentence that says why; nothing
/// panics, and the answer given before is in the database.
#[test]
fn a_database_turned_read_only_under_a_terminal_quiz_says_so_and_keeps_the_first_answer() {
    let dir = scratch();
    let sqlite: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("quiz.db")).expect("open"));
    let mut disk = FullDisk::new(Arc::clone(&sqlite));
    disk.read_only_after_an_answer = true;
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(knowledge, Origin::Bundled, Some(Arc::new(disk)));
    let screen = Screen::default();
    let mut terminal =
        sco_bot::cli::Terminal::new(app, Box::new(screen.clone()), false).expect("a terminal");
    // 10 s rounds: the driver retries the failed close after the round's deadline.
    let input = "/quiz start questions:2 seconds:10\nA\nB\n";
    terminal
        .run(&mut sco_bot::cli::Reader::new(std::io::Cursor::new(input)))
        .expect("the terminal runs");
    let text = String::from_utf8_lossy(&screen.0.lock().expect("printed")).into_owned();
    assert!(
        text.contains(
            "This quiz had to end: my database has become read-only, so nothing more could be saved. Every answer saved before is kept"
        ),
        "{text}"
    );
    assert!(!text.contains("bug in sco-bot"), "{text}");
    // The session could not even be marked abandoned; once writable, closing its round counts
    // the answer given before the database turned read-only.
    let active = sqlite.active_sessions().expect("readable");
    assert_eq!(active.len(), 1, "{active:?}");
    let closed = sqlite
        .close_round(active[0].id, 0, i64::MAX / 2)
        .expect("writable again");
    let users: Vec<&str> = closed.answers.iter().map(|a| a.user.as_str()).collect();
    assert_eq!(users, ["local"], "the answer given before is kept");
}

#[test]
fn a_terminal_quiz_killed_mid_round_keeps_each_answer_once_and_is_closed_at_the_next_start() {
    use std::io::BufRead;
    let dir = scratch();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sco-bot"))
        .args(["quiz", "--db", "q.db", "--questions", "3", "--seed", "1"])
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env("HOME", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sco-bot starts");
    let mut input = child.stdin.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let output = child.stdout.take().expect("piped");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str| {
        let deadline = Instant::now() + QUICK;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with(what) => return,
                Ok(_) => {}
                Err(e) => panic!("no line starting {what:?}: {e}"),
            }
        }
    };
    wait_for("Question 1 of 3");
    input.write_all(b"A\n").expect("answer");
    input.flush().expect("flush");
    // Question 2 on screen: the first round is closed and scored, the second open.
    wait_for("Question 2 of 3");
    child.kill().expect("SIGKILL");
    let _ = child.wait();

    let db = dir.path().join("q.db");
    let active = |db: &Path| {
        SqliteStore::open(db)
            .expect("open")
            .active_sessions()
            .expect("read")
    };
    assert_eq!(
        active(&db).len(),
        1,
        "the killed run left its session active"
    );

    // The next run, through its real start-up, closes it and keeps its one answer.
    let out = run_bounded(
        dir.path(),
        &["quiz", "--db", "q.db", "--questions", "1", "--seed", "2"],
        &[],
        b"A\n",
        QUICK,
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("Closed 1 quiz left running by a terminal that stopped"),
        "{text}"
    );
    let before = text.split("Your record now").next().expect("split");
    assert!(before.contains("Games: 1\nAnswers: 1\n"), "{text}");
    assert!(text.contains("Games: 2\nAnswers: 2\n"), "{text}");
    assert!(active(&db).is_empty(), "no session is left active");
    let stats = SqliteStore::open(&db)
        .expect("open")
        .user_stats("local")
        .expect("stats");
    assert_eq!(stats.answered, 2, "each earlier answer exactly once");

    // A third run has nothing left to close.
    let out = run_bounded(
        dir.path(),
        &["quiz", "--db", "q.db", "--questions", "1", "--seed", "3"],
        &[],
        b"",
        QUICK,
    );
    assert!(!stdout(&out).contains("left running"), "{}", stdout(&out));
}

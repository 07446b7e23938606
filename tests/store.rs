//! The SQLite store on real files in a scratch folder: migrations, sessions, concurrent
//! answers, idempotent scoring, restarts, leaderboards, FSRS study cards and their review
//! log, and broken files.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Barrier;
use std::time::Instant;

use rusqlite::Connection;
use sco_bot::quiz::study::from_leitner;
use sco_bot::quiz::{Mode, Placement, Topic};
use sco_bot::store::{
    AnswerOutcome, DailyAnswer, DailyPost, DailySchedule, Deliverable, Grade, LEITNER_INTERVALS_MS,
    MIGRATIONS, NewReport, NewRound, NewSession, Now, ReportKind, Reported, Resolved,
    SCHEMA_VERSION, SessionEnd, SessionStatus, SqliteStore, Store, StoreError, points_for,
};

const DAY: i64 = 24 * 60 * 60 * 1000;
/// An arbitrary "now" (2026-01-01T00:00:00Z); the store never reads the clock.
const T0: i64 = 1_767_225_600_000;

fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("sco-bot.db");
    (dir, path)
}

/// The backends every behaviour test runs on.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use: `SCO_TEST_POSTGRES` (a URL such as
/// `postgres://sco@127.0.0.1:55432/postgres`, which `.ci/run` sets after starting a server).
/// Without it the PostgreSQL half of the suite is skipped, loudly, unless
/// `SCO_REQUIRE_POSTGRES` is set (CI sets it, so there a missing server fails the run).
fn postgres() -> Option<Backend> {
    match std::env::var("SCO_TEST_POSTGRES") {
        Ok(_) => Some(Backend::Postgres),
        Err(_) if std::env::var_os("SCO_REQUIRE_POSTGRES").is_some() => {
            panic!(
                "SCO_REQUIRE_POSTGRES is set but SCO_TEST_POSTGRES is not: start PostgreSQL (see .ci/run)"
            )
        }
        Err(_) => {
            eprintln!("skipped on PostgreSQL: set SCO_TEST_POSTGRES (.ci/run does)");
            None
        }
    }
}

/// A fresh, empty database of one backend: a file in a scratch folder, or a new PostgreSQL
/// database dropped afterwards.
struct Db {
    _dir: Option<tempfile::TempDir>,
    spec: String,
    pg: Option<(String, String)>,
}

static NEXT_DB: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

impl Db {
    fn new(backend: Backend) -> Db {
        match backend {
            Backend::Sqlite => {
                let (dir, path) = scratch();
                Db {
                    _dir: Some(dir),
                    spec: path.to_str().expect("a UTF-8 path").to_string(),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let admin = std::env::var("SCO_TEST_POSTGRES").expect("checked by postgres()");
                let name = format!(
                    "sco_test_{}_{}",
                    std::process::id(),
                    NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                let mut client =
                    postgres::Client::connect(&admin, postgres::NoTls).expect("the test server");
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("a fresh database");
                let config: postgres::Config = admin.parse().expect("a URL");
                let mut spec = format!("postgres://{}@", config.get_user().unwrap_or("postgres"));
                match config.get_hosts().first() {
                    Some(postgres::config::Host::Tcp(h)) => spec.push_str(h),
                    _ => spec.push_str("127.0.0.1"),
                }
                spec.push_str(&format!(
                    ":{}/{name}",
                    config.get_ports().first().copied().unwrap_or(5432)
                ));
                Db {
                    _dir: None,
                    spec,
                    pg: Some((admin, name)),
                }
            }
        }
    }

    fn open(&self) -> std::sync::Arc<dyn Store> {
        match sco_bot::store::open(&self.spec) {
            Ok(store) => store,
            Err(e) => panic!("the database opens: {e}"),
        }
    }

    /// The name a store error must show.
    fn name(&self) -> PathBuf {
        PathBuf::from(self.open().describe())
    }

    fn sqlite_path(&self) -> Option<&Path> {
        self.pg.is_none().then(|| Path::new(&self.spec))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg
            && let Ok(mut client) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs each behaviour test once per backend.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(super::Backend::Sqlite);
                }
                #[test]
                fn postgres() {
                    if let Some(b) = super::postgres() {
                        super::$name(b);
                    }
                }
            }
        )*
    };
}

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path).expect("the database opens")
}

fn new_session(guild: Option<&str>, channel: &str, starter: &str, at: i64) -> NewSession {
    NewSession {
        guild: guild.map(str::to_string),
        channel: channel.to_string(),
        starter: starter.to_string(),
        topic: None,
        questions: 5,
        seconds: 20,
        mode: Mode::Buttons,
        plan: Vec::new(),
        placement: Placement::Channel,
        seed: u64::MAX - 7, // above i64::MAX: must survive the round trip
        started_ms: at,
    }
}

fn start(store: &dyn Store, s: &NewSession) -> i64 {
    store
        .start_session(s)
        .expect("the store works")
        .expect("the channel is free")
}

/// Plays one question: opens it (20 s), records `answers` as (user, correct, ms after
/// opening), closes it at the deadline.
fn play(
    store: &dyn Store,
    session: i64,
    index: u32,
    question: &str,
    topic: Topic,
    at: i64,
    answers: &[(&str, bool, i64)],
) {
    store
        .open_round(&NewRound {
            session,
            index,
            question_id: question,
            topic,
            opened_ms: at,
            deadline_ms: at + 20_000,
        })
        .expect("the question opens");
    for (user, correct, after) in answers {
        let outcome = store
            .record_answer(session, index, user, "x", *correct, at + after)
            .expect("the answer is stored");
        assert_eq!(outcome, AnswerOutcome::Recorded, "{user}");
    }
    let result = store
        .close_round(session, index, at + 20_000)
        .expect("the question closes");
    assert!(result.newly_closed);
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("the file is readable")
}

/// The store's error message names the file it is about.
fn assert_names_file(e: &StoreError, path: &Path) {
    let message = e.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "message does not name the file: {message}"
    );
    assert_eq!(e.path(), path);
}

#[test]
fn store_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SqliteStore>();
    shareable::<Box<dyn Store>>();
}

#[test]
fn a_new_file_gets_every_migration_in_wal_mode_and_reopening_is_a_no_op() {
    let (_dir, path) = scratch();
    assert!(!path.exists());
    let store = open(&path);
    assert!(path.exists());
    assert_eq!(store.path(), path);
    assert_eq!(store.schema_version().expect("a version"), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION as usize, MIGRATIONS.len());
    let id = start(&store, &new_session(Some("g"), "c", "alice", T0));
    drop(store);

    let raw = Connection::open(&path).expect("sqlite opens it");
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("a journal mode");
    assert_eq!(mode, "wal");
    drop(raw);

    // A second open finds nothing to do and loses nothing.
    let again = open(&path);
    assert_eq!(again.schema_version().expect("a version"), SCHEMA_VERSION);
    let s = again.session(id).expect("readable").expect("still there");
    assert_eq!((s.channel.as_str(), s.seed), ("c", u64::MAX - 7));
    assert_eq!(s.status, SessionStatus::Active);
}

#[test]
fn a_version_1_database_upgrades_and_keeps_its_history() {
    let (_dir, path) = scratch();
    {
        // A database as the first release left it: schema 1, one closed question.
        let raw = Connection::open(&path).expect("sqlite creates it");
        raw.execute_batch(MIGRATIONS[0]).expect("migration 1 runs");
        raw.pragma_update(None, "user_version", 1)
            .expect("version set");
        raw.execute_batch(
            "INSERT INTO sessions (id, guild, channel, starter, questions, seconds, mode, seed,
                                   started_ms, status, ended_ms)
                 VALUES (1, 'g', 'c', 'alice', 1, 20, 'buttons', 1, 0, 'finished', 30000);
             INSERT INTO rounds VALUES (1, 0, 'summit-host/summit-2017', 'summits', 0, 20000,
                                        20000, NULL);
             INSERT INTO answers VALUES (1, 0, 'alice', 'Astana', 1, 1000, 14),
                                        (1, 0, 'bob', 'Tashkent', 0, 2000, 0);
             INSERT INTO players VALUES (1, 'alice', 14, 1, 1, 1, 1), (1, 'bob', 0, 0, 1, 0, 0);",
        )
        .expect("history inserted");
    }
    let store = open(&path);
    assert_eq!(store.schema_version().expect("a version"), SCHEMA_VERSION);
    // Migration 2 filled the statistics from the closed question.
    assert_eq!(
        store
            .question_stats("summit-host/summit-2017")
            .expect("stats"),
        (2, 1)
    );
    let alice = store.user_stats("alice").expect("stats");
    assert_eq!((alice.games, alice.answered, alice.correct), (1, 1, 1));
    assert_eq!(alice.per_topic.len(), 1);
    assert_eq!(
        (alice.per_topic[0].topic.key(), alice.per_topic[0].correct),
        ("summits", 1)
    );
    let board = store.leaderboard(None, None, 10).expect("leaderboard");
    assert_eq!(board[0].user, "alice");
    assert_eq!(board[0].points, 14);
    // Migration 5: a session stored before placements were kept was a channel quiz.
    assert_eq!(
        store
            .session(1)
            .expect("readable")
            .expect("exists")
            .placement,
        Placement::Channel
    );
    // The study tables are usable, and the answer is logged.
    let card = store
        .record_study("alice", "q", Topic::Members, true, T0)
        .expect("study recorded");
    assert_eq!((card.seen, card.correct), (1, 1));
    assert_eq!(store.reviews("alice").expect("log").len(), 1);
}

#[test]
fn opening_the_same_new_file_from_many_threads_at_once_migrates_it_once() {
    let (_dir, path) = scratch();
    let barrier = Barrier::new(6);
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                barrier.wait();
                let store = open(&path);
                assert_eq!(store.schema_version().expect("a version"), SCHEMA_VERSION);
            });
        }
    });
    // A migration applied twice would have failed above ("table sessions already exists").
    assert_eq!(
        open(&path).schema_version().expect("a version"),
        SCHEMA_VERSION
    );
}

fn one_active_session_per_channel(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let first = start(&store, &new_session(Some("g"), "c1", "alice", T0));
    let refused = store
        .start_session(&new_session(Some("g"), "c1", "bob", T0 + 1))
        .expect("the store works")
        .expect_err("the channel is busy");
    assert_eq!(
        (refused.session, refused.starter.as_str()),
        (first, "alice")
    );
    // Another channel is independent.
    let other = start(&store, &new_session(Some("g"), "c2", "bob", T0 + 2));
    assert_eq!(store.active_sessions().expect("sessions").len(), 2);
    assert_eq!(
        store.active_session("c1").expect("readable").map(|s| s.id),
        Some(first)
    );

    // Once it ends, the channel is free again, and ending twice keeps the first end.
    store
        .finish_session(first, SessionEnd::Stopped, T0 + 10)
        .expect("finished");
    store
        .finish_session(first, SessionEnd::Finished, T0 + 99)
        .expect("finishing again is harmless");
    let ended = store.session(first).expect("readable").expect("exists");
    assert_eq!(
        (ended.status, ended.ended_ms),
        (SessionStatus::Stopped, Some(T0 + 10))
    );
    assert!(store.active_session("c1").expect("readable").is_none());
    let second = start(&store, &new_session(Some("g"), "c1", "bob", T0 + 20));
    assert_ne!(second, first);
    let active: Vec<i64> = store
        .active_sessions()
        .expect("sessions")
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec![other, second]);

    // The database itself refuses a second active session, whoever writes it.
    drop(store);
    let Some(path) = db.sqlite_path() else {
        return;
    };
    let raw = Connection::open(path).expect("sqlite opens it");
    let dup = raw.execute(
        "INSERT INTO sessions (channel, starter, questions, seconds, mode, seed, started_ms)
         VALUES ('c1', 'mallory', 1, 1, 'typed', 0, 0)",
        [],
    );
    assert!(
        dup.is_err(),
        "the partial unique index lets two active sessions in"
    );
}

fn hundreds_of_concurrent_answers_are_recorded_once_per_user_and_scored_consistently(
    backend: Backend,
) {
    const USERS: usize = 100;
    const THREADS: usize = 150; // threads 100.. answer again for users 0..50, at the same time
    let db = Db::new(backend);
    // Two stores on one file: two connections contending in SQLite, as two processes would.
    let stores = [db.open(), db.open()];
    let session = start(&stores[0], &new_session(Some("g"), "c", "host", T0));
    stores[0]
        .open_round(&NewRound {
            session,
            index: 0,
            question_id: "q0",
            topic: Topic::Members,
            opened_ms: T0,
            deadline_ms: T0 + 20_000,
        })
        .expect("the question opens");

    // (user, answer, correct) of each attempt; some threads also try a second time at once.
    let attempt = |t: usize, again: bool| {
        let user = t % USERS;
        let first_try = if t < USERS {
            !user.is_multiple_of(3)
        } else {
            user % 2 == 1
        };
        let correct = first_try != again;
        (
            format!("user{user:03}"),
            if correct { "right" } else { "wrong" },
            correct,
        )
    };
    let barrier = Barrier::new(THREADS);
    let started = Instant::now();
    let results: Vec<(String, &str, AnswerOutcome)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = &stores[t % 2];
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let tries = if t % 7 == 0 { 2 } else { 1 };
                    (0..tries)
                        .map(|i| {
                            let (user, answer, correct) = attempt(t, i == 1);
                            let at = T0 + (t as i64 * 97) % 20_000;
                            let outcome = store
                                .record_answer(session, 0, &user, answer, correct, at)
                                .expect("the answer is stored");
                            (user, answer, outcome)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("no thread panics"))
            .collect()
    });
    let elapsed = started.elapsed();

    let attempts = results.len();
    let recorded: Vec<_> = results
        .iter()
        .filter(|r| r.2 == AnswerOutcome::Recorded)
        .collect();
    let duplicates = results
        .iter()
        .filter(|r| r.2 == AnswerOutcome::AlreadyAnswered)
        .count();
    eprintln!(
        "concurrent answers: {THREADS} threads on 2 connections, {attempts} attempted, {} \
         recorded, {duplicates} duplicates rejected, in {elapsed:?}",
        recorded.len()
    );
    assert_eq!(recorded.len(), USERS);
    assert_eq!(
        duplicates,
        attempts - USERS,
        "every other outcome is a duplicate"
    );
    let winners: BTreeMap<&str, &str> = recorded
        .iter()
        .map(|(user, answer, _)| (user.as_str(), *answer))
        .collect();
    assert_eq!(winners.len(), USERS, "one recorded answer per user");

    let result = stores[1]
        .close_round(session, 0, T0 + 20_000)
        .expect("the question closes");
    assert!(result.newly_closed);
    assert_eq!(result.answers.len(), USERS);
    let mut points_of = BTreeMap::new();
    for a in &result.answers {
        // The stored answer is the one whose insert won, with its own judgement.
        assert_eq!(winners[a.user.as_str()], a.answer, "{}", a.user);
        assert_eq!(a.correct, a.answer == "right");
        assert_eq!(
            a.points,
            points_for(a.correct, T0, T0 + 20_000, a.answered_ms)
        );
        if a.correct {
            assert!((10..=15).contains(&a.points), "{a:?}");
        } else {
            assert_eq!(a.points, 0);
        }
        points_of.insert(a.user.clone(), a.points);
    }
    let board = stores[0].scoreboard(session).expect("scoreboard");
    assert_eq!(board.len(), USERS);
    let total: u32 = board.iter().map(|r| r.points).sum();
    assert_eq!(total, result.answers.iter().map(|a| a.points).sum::<u32>());
    for row in &board {
        assert_eq!(row.answered, 1);
        assert_eq!(row.points, points_of[&row.user], "{}", row.user);
    }
    assert!(board.windows(2).all(|w| w[0].points >= w[1].points));
}

fn closing_a_question_twice_applies_nothing_the_second_time(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let s = start(&store, &new_session(Some("g"), "c", "alice", T0));
    store
        .open_round(&NewRound {
            session: s,
            index: 0,
            question_id: "q0",
            topic: Topic::Members,
            opened_ms: T0,
            deadline_ms: T0 + 20_000,
        })
        .expect("opens");
    for (user, correct, at) in [
        ("alice", true, 0),
        ("bob", false, 4_000),
        ("carol", true, 10_000),
    ] {
        store
            .record_answer(s, 0, user, "a", correct, T0 + at)
            .expect("recorded");
    }
    let first = store.close_round(s, 0, T0 + 20_000).expect("closes");
    assert!(first.newly_closed);
    let points: Vec<(&str, u32)> = first
        .answers
        .iter()
        .map(|a| (a.user.as_str(), a.points))
        .collect();
    assert_eq!(points, vec![("alice", 15), ("bob", 0), ("carol", 12)]);
    let board = store.scoreboard(s).expect("scoreboard");

    let second = store.close_round(s, 0, T0 + 25_000).expect("closes again");
    assert!(!second.newly_closed);
    assert_eq!(second.answers, first.answers);
    assert_eq!(store.scoreboard(s).expect("scoreboard"), board);
    assert_eq!(store.question_stats("q0").expect("stats"), (3, 2));
    assert_eq!(store.user_stats("alice").expect("stats").answered, 1);
    assert_eq!(
        store.leaderboard(None, None, 10).expect("board")[0].points,
        15
    );
}

fn reopening_the_file_mid_session_keeps_the_session_question_and_answers_and_counts_once(
    backend: Backend,
) {
    let db = Db::new(backend);
    let (session, opened) = {
        let store = db.open();
        let s = start(&store, &new_session(Some("g"), "c", "alice", T0));
        play(
            &store,
            s,
            0,
            "q0",
            Topic::Members,
            T0,
            &[("alice", true, 1_000)],
        );
        let opened = T0 + 30_000;
        store
            .open_round(&NewRound {
                session: s,
                index: 1,
                question_id: "q1",
                topic: Topic::Summits,
                opened_ms: opened,
                deadline_ms: opened + 20_000,
            })
            .expect("opens");
        store.set_message(s, 1, "msg-1").expect("message stored");
        store
            .record_answer(s, 1, "alice", "a", true, opened + 2_000)
            .expect("recorded");
        store
            .record_answer(s, 1, "bob", "b", false, opened + 3_000)
            .expect("recorded");
        (s, opened)
        // The store is dropped here, as the process would exit.
    };

    let store = db.open();
    let active = store.active_sessions().expect("sessions");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, session);
    assert_eq!(
        store.active_session("c").expect("readable").map(|s| s.id),
        Some(session)
    );
    let round = store
        .current_round(session)
        .expect("readable")
        .expect("a question");
    assert_eq!(
        (round.index, round.question_id.as_str(), round.closed),
        (1, "q1", false)
    );
    assert_eq!(round.message_id.as_deref(), Some("msg-1"));
    assert_eq!(
        (round.opened_ms, round.deadline_ms),
        (opened, opened + 20_000)
    );
    // Answers given before the restart still count, exactly once.
    assert_eq!(
        store
            .record_answer(session, 1, "alice", "again", true, opened + 5_000)
            .expect("checked"),
        AnswerOutcome::AlreadyAnswered
    );
    let result = store
        .close_round(session, 1, opened + 20_000)
        .expect("closes");
    assert!(result.newly_closed);
    assert_eq!(result.answers.len(), 2);
    // A second restart, and the engine closing the same question again.
    drop(store);
    let store = db.open();
    assert!(
        !store
            .close_round(session, 1, opened + 21_000)
            .expect("closes")
            .newly_closed
    );
    let board = store.scoreboard(session).expect("scoreboard");
    let alice = board
        .iter()
        .find(|r| r.user == "alice")
        .expect("alice played");
    // q0 at 1 s of 20 s: 10 + 4; q1 at 2 s: 10 + 4.
    assert_eq!((alice.points, alice.correct, alice.answered), (28, 2, 2));
    assert_eq!((alice.streak, alice.best_streak), (2, 2));
    let bob = board.iter().find(|r| r.user == "bob").expect("bob played");
    assert_eq!((bob.points, bob.answered), (0, 1));
}

fn answers_after_the_deadline_the_close_or_the_end_are_too_late(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let s = start(&store, &new_session(None, "local", "local", T0));
    store
        .open_round(&NewRound {
            session: s,
            index: 0,
            question_id: "q0",
            topic: Topic::Terms,
            opened_ms: T0,
            deadline_ms: T0 + 20_000,
        })
        .expect("opens");
    let answer = |user: &str, index, at| {
        store
            .record_answer(s, index, user, "a", true, at)
            .expect("checked")
    };
    assert_eq!(
        answer("a", 0, T0 + 20_000),
        AnswerOutcome::Recorded,
        "on the deadline counts"
    );
    assert_eq!(answer("b", 0, T0 + 20_001), AnswerOutcome::TooLate);
    assert_eq!(answer("c", 1, T0), AnswerOutcome::NoSuchQuestion);
    store.close_round(s, 0, T0 + 15_000).expect("closes early");
    assert_eq!(
        answer("d", 0, T0 + 16_000),
        AnswerOutcome::TooLate,
        "after close"
    );
    store
        .open_round(&NewRound {
            session: s,
            index: 1,
            question_id: "q1",
            topic: Topic::Terms,
            opened_ms: T0 + 30_000,
            deadline_ms: T0 + 50_000,
        })
        .expect("opens");
    store
        .finish_session(s, SessionEnd::Stopped, T0 + 31_000)
        .expect("stopped");
    assert_eq!(
        answer("e", 1, T0 + 32_000),
        AnswerOutcome::TooLate,
        "after the end"
    );
    assert!(store.close_round(s, 0, T0).expect("closed").answers.len() == 1);
}

fn misuse_by_the_caller_is_a_typed_error_naming_the_file(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let s = start(&store, &new_session(None, "local", "local", T0));
    store
        .open_round(&NewRound {
            session: s,
            index: 0,
            question_id: "q0",
            topic: Topic::Terms,
            opened_ms: T0,
            deadline_ms: T0 + 1,
        })
        .expect("opens");
    let e = store
        .open_round(&NewRound {
            session: s,
            index: 0,
            question_id: "q9",
            topic: Topic::Terms,
            opened_ms: T0,
            deadline_ms: T0 + 1,
        })
        .expect_err("index taken");
    assert!(matches!(e, StoreError::RoundExists { index: 0, .. }), "{e}");
    assert_names_file(&e, &db.name());
    let e = store.close_round(s, 7, T0).expect_err("never opened");
    assert!(matches!(e, StoreError::NoSuchRound { index: 7, .. }), "{e}");
    let e = store.set_message(s, 7, "m").expect_err("never opened");
    assert!(matches!(e, StoreError::NoSuchRound { .. }), "{e}");
    let e = store
        .finish_session(999, SessionEnd::Finished, T0)
        .expect_err("no such session");
    assert!(
        matches!(e, StoreError::NoSuchSession { session: 999, .. }),
        "{e}"
    );
    store
        .finish_session(s, SessionEnd::Finished, T0)
        .expect("finished");
    let e = store
        .open_round(&NewRound {
            session: s,
            index: 1,
            question_id: "q1",
            topic: Topic::Terms,
            opened_ms: T0,
            deadline_ms: T0 + 1,
        })
        .expect_err("ended");
    assert!(matches!(e, StoreError::SessionEnded { .. }), "{e}");
    assert!(store.session(999).expect("readable").is_none());
    assert!(store.current_round(999).expect("readable").is_none());
}

fn streaks_count_consecutive_correct_answers_and_break_on_wrong_or_missed_ones(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let s = start(&store, &new_session(None, "local", "local", T0));
    let rounds: [&[(&str, bool, i64)]; 5] = [
        &[("a", true, 0), ("b", true, 0)],
        &[("a", true, 0), ("b", false, 0)],
        &[("a", true, 0), ("b", true, 0)],
        &[("b", true, 0)], // a misses this one
        &[("a", true, 0), ("b", true, 0)],
    ];
    for (i, answers) in rounds.iter().enumerate() {
        let at = T0 + i as i64 * 60_000;
        play(
            &store,
            s,
            i as u32,
            &format!("q{i}"),
            Topic::Members,
            at,
            answers,
        );
    }
    let board = store.scoreboard(s).expect("scoreboard");
    let row = |u: &str| board.iter().find(|r| r.user == u).expect("played");
    assert_eq!((row("a").streak, row("a").best_streak), (1, 3));
    assert_eq!((row("b").streak, row("b").best_streak), (3, 3));
    assert_eq!((row("a").correct, row("a").answered), (4, 4));
    assert_eq!((row("b").correct, row("b").answered), (4, 5));
    assert_eq!(store.user_stats("a").expect("stats").best_streak, 3);
}

fn leaderboards_count_a_guilds_sessions_or_all_and_filter_on_close_time(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    // Guild g1 last week: alice wins.
    let s1 = start(
        &store,
        &new_session(Some("g1"), "c1", "alice", T0 - 7 * DAY),
    );
    play(
        &store,
        s1,
        0,
        "q0",
        Topic::Members,
        T0 - 7 * DAY,
        &[("alice", true, 0), ("bob", true, 10_000)],
    );
    store
        .finish_session(s1, SessionEnd::Finished, T0 - 7 * DAY + 30_000)
        .expect("finished");
    // Guild g2 today: bob plays twice.
    let s2 = start(&store, &new_session(Some("g2"), "c2", "bob", T0));
    play(
        &store,
        s2,
        0,
        "q1",
        Topic::Summits,
        T0,
        &[("bob", true, 0), ("carol", false, 0)],
    );
    play(
        &store,
        s2,
        1,
        "q2",
        Topic::Summits,
        T0 + 30_000,
        &[("bob", true, 0)],
    );
    // The CLI (no guild) today: dave.
    let s3 = start(&store, &new_session(None, "local", "dave", T0));
    play(
        &store,
        s3,
        0,
        "q3",
        Topic::Terms,
        T0,
        &[("dave", true, 20_000)],
    );
    // An open question's answers never count.
    store
        .open_round(&NewRound {
            session: s3,
            index: 1,
            question_id: "q4",
            topic: Topic::Terms,
            opened_ms: T0 + 40_000,
            deadline_ms: T0 + 60_000,
        })
        .expect("opens");
    store
        .record_answer(s3, 1, "dave", "x", true, T0 + 40_000)
        .expect("recorded");

    let rows = |guild, since| -> Vec<(String, u64)> {
        store
            .leaderboard(guild, since, 10)
            .expect("leaderboard")
            .into_iter()
            .map(|r| (r.user, r.points))
            .collect()
    };
    let named = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(u, p)| (u.to_string(), *p)).collect()
    };
    assert_eq!(rows(Some("g1"), None), named(&[("alice", 15), ("bob", 12)]));
    assert_eq!(rows(Some("g2"), None), named(&[("bob", 30), ("carol", 0)]));
    assert_eq!(
        rows(None, None),
        named(&[("bob", 42), ("alice", 15), ("dave", 10), ("carol", 0)])
    );
    // This week only: last week's session is out.
    assert_eq!(
        rows(None, Some(T0 - DAY)),
        named(&[("bob", 30), ("dave", 10), ("carol", 0)])
    );
    assert_eq!(rows(Some("g1"), Some(T0 - DAY)), named(&[]));
    assert_eq!(rows(Some("nowhere"), None), named(&[]));
    let top = store.leaderboard(None, None, 2).expect("leaderboard");
    assert_eq!(top.len(), 2);
    assert_eq!((top[0].correct, top[0].answered), (3, 3));
    // Study answers never enter it.
    store
        .record_study("zoe", "q0", Topic::Members, true, T0)
        .expect("studied");
    assert!(rows(None, None).iter().all(|(u, _)| u != "zoe"));
}

fn user_stats_count_games_answers_and_topics_but_not_study(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let s1 = start(&store, &new_session(Some("g"), "c1", "alice", T0));
    play(
        &store,
        s1,
        0,
        "m1",
        Topic::Members,
        T0,
        &[("alice", true, 0)],
    );
    play(
        &store,
        s1,
        1,
        "s1",
        Topic::Summits,
        T0 + 30_000,
        &[("alice", false, 0)],
    );
    store
        .finish_session(s1, SessionEnd::Finished, T0 + 60_000)
        .expect("finished");
    let s2 = start(&store, &new_session(Some("g"), "c1", "bob", T0 + DAY));
    play(
        &store,
        s2,
        0,
        "m1",
        Topic::Members,
        T0 + DAY,
        &[("alice", true, 0), ("bob", false, 0)],
    );
    store
        .record_study("alice", "m2", Topic::Members, true, T0)
        .expect("studied");

    let alice = store.user_stats("alice").expect("stats");
    assert_eq!(
        (
            alice.games,
            alice.answered,
            alice.correct,
            alice.best_streak
        ),
        (2, 3, 2, 1)
    );
    let topics: Vec<(&str, u32, u32)> = alice
        .per_topic
        .iter()
        .map(|t| (t.topic.key(), t.answered, t.correct))
        .collect();
    assert_eq!(topics, vec![("members", 2, 2), ("summits", 1, 0)]);
    assert_eq!(store.question_stats("m1").expect("stats"), (3, 2));
    assert_eq!(
        store.question_stats("m2").expect("stats"),
        (0, 0),
        "study is apart"
    );
    let nobody = store.user_stats("nobody").expect("stats");
    assert_eq!(
        (nobody.games, nobody.answered, nobody.per_topic.len()),
        (0, 0, 0)
    );
}

/// The crate's own scheduler, built here and not borrowed from sco-bot, so that the product's
/// schedule is checked against FSRS itself.
fn crate_fsrs() -> fsrs::FSRS {
    fsrs::FSRS::new(&[]).expect("default parameters")
}

fn a_missed_card_comes_back_within_a_day_and_three_right_answers_push_it_days_away(
    backend: Backend,
) {
    let db = Db::new(backend);
    let store = db.open();
    let study = |q: &str, correct, now| {
        store
            .record_study("u", q, Topic::Members, correct, now)
            .expect("studied")
    };
    // A new question missed comes back within a day (after the relearning step).
    let missed = study("q1", false, T0);
    assert!(
        missed.due_ms > T0 && missed.due_ms <= T0 + DAY,
        "{missed:?}"
    );
    assert_eq!((missed.seen, missed.correct), (1, 0));

    // Answered right three times, each when due: not due again for days.
    let mut now = T0;
    let mut waits = Vec::new();
    for _ in 0..3 {
        let card = study("q2", true, now);
        waits.push(card.due_ms - now);
        now = card.due_ms;
    }
    assert!(waits[0] >= DAY, "{waits:?}");
    assert!(
        waits.windows(2).all(|w| w[1] > w[0]),
        "intervals grow: {waits:?}"
    );
    assert!(
        waits[2] >= 7 * DAY,
        "the third wait is a week or more: {waits:?}"
    );
    let due_now: Vec<String> = store
        .cards("u")
        .expect("cards")
        .into_iter()
        .filter(|c| c.due_ms <= now - DAY)
        .map(|c| c.question_id)
        .collect();
    assert_eq!(
        due_now,
        vec!["q1".to_string()],
        "q2 is not due a day before its time"
    );

    // A well-learnt card missed also comes back within a day, and less stable.
    let before = store.cards("u").expect("cards");
    let learnt = before.iter().find(|c| c.question_id == "q2").expect("q2");
    let lapse = study("q2", false, now);
    assert!(lapse.due_ms <= now + DAY, "{lapse:?}");
    assert!(lapse.stability < learnt.stability);
    assert_eq!((lapse.seen, lapse.correct), (4, 3));
    assert!(store.cards("someone else").expect("cards").is_empty());
}

fn the_schedule_and_review_log_are_the_fsrs_crates_own_for_the_same_inputs(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let fsrs = crate_fsrs();
    // Answers at assorted times: same-day reviews, early and late ones, lapses.
    let answers: [(i64, bool); 8] = [
        (0, true),
        (2 * DAY + 3 * 3_600_000, true),
        (13 * DAY, false),
        (13 * DAY + 10 * 60_000, true),
        (13 * DAY + 20 * 60_000, false),
        (15 * DAY, true),
        (16 * DAY, true),
        (60 * DAY, true),
    ];
    let mut state: Option<fsrs::MemoryState> = None;
    let mut last = T0;
    let mut previous_due = None;
    for (i, (at, correct)) in answers.into_iter().enumerate() {
        let now = T0 + at;
        let elapsed = u32::try_from((now - last) / DAY).expect("days");
        let next = fsrs
            .next_states(state, 0.9, elapsed)
            .expect("the crate schedules it");
        let item = if correct { next.good } else { next.again };
        let due = if correct {
            now + (item.interval.round().max(1.0) as i64) * DAY
        } else {
            now + 10 * 60_000
        };
        let card = store
            .record_study("u", "q", Topic::Summits, correct, now)
            .expect("studied");
        assert_eq!(
            (card.stability, card.difficulty, card.due_ms),
            (item.memory.stability, item.memory.difficulty, due),
            "answer {i}"
        );
        // What is read back is what was scheduled, to the bit.
        assert_eq!(store.cards("u").expect("cards"), vec![card.clone()]);
        let log = store.reviews("u").expect("the review log");
        assert_eq!(log.len(), i + 1);
        let entry = &log[i];
        assert_eq!(
            (entry.question_id.as_str(), entry.topic, entry.reviewed_ms),
            ("q", Topic::Summits, now)
        );
        assert_eq!(
            entry.grade,
            if correct { Grade::Good } else { Grade::Again }
        );
        assert_eq!(
            entry.before.map(|b| (b.stability, b.difficulty, b.due_ms)),
            state.map(|s| (s.stability, s.difficulty, previous_due.expect("a due time")))
        );
        assert_eq!(
            (
                entry.after.stability,
                entry.after.difficulty,
                entry.after.due_ms
            ),
            (card.stability, card.difficulty, card.due_ms)
        );
        state = Some(item.memory);
        last = now;
        previous_due = Some(due);
    }
    assert!(store.reviews("someone else").expect("log").is_empty());
}

fn study_stats_show_due_now_this_week_retention_from_the_log_and_the_next_review(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let study = |q: &str, topic: Topic, correct, now| {
        store
            .record_study("u", q, topic, correct, now)
            .expect("studied")
    };
    let m1 = study("m1", Topic::Members, true, T0);
    let m1 = study("m1", Topic::Members, true, m1.due_ms); // a review, right
    let m2 = study("m2", Topic::Members, true, T0);
    study("m2", Topic::Members, false, m2.due_ms); // a review, wrong
    let s1 = study("s1", Topic::Summits, false, T0); // a first meeting only
    let now = m2.due_ms;
    let stats = store.study_stats("u", now).expect("stats");
    // (topic, seen, correct, due now, due this week, reviews, recalled, next due)
    type Line = (&'static str, u32, u32, u32, u32, u32, u32, Option<i64>);
    let got: Vec<Line> = stats
        .iter()
        .map(|t| {
            (
                t.topic.key(),
                t.seen,
                t.correct,
                t.due,
                t.due_week,
                t.reviews,
                t.recalled,
                t.next_due_ms,
            )
        })
        .collect();
    let m2_due = now + 10 * 60_000;
    assert!(
        m1.due_ms > now + 7 * DAY,
        "m1 waits more than a week: {m1:?}"
    );
    assert_eq!(
        got,
        vec![
            // m1 beyond the week; m2 missed, back in ten minutes: due this week, not now.
            ("members", 4, 3, 0, 1, 2, 1, Some(m2_due)),
            // s1 missed at T0, due since.
            ("summits", 1, 0, 1, 1, 0, 0, Some(s1.due_ms)),
        ]
    );
    assert!(store.study_stats("nobody", now).expect("stats").is_empty());
    assert!(store.user_stats("u").expect("stats").per_topic.is_empty());
}

/// Leitner cards as the last schema before FSRS held them, one in every box:
/// (user, question, topic, box, due, seen, correct).
const LEITNER_CARDS: &[(&str, &str, &str, u8, i64, u32, u32)] = &[
    ("ann", "q1", "members", 1, T0, 3, 0),
    ("ann", "q2", "summits", 2, T0 + DAY, 1, 1),
    ("ann", "q3", "members", 3, T0 + 2 * DAY, 4, 3),
    ("ann", "q4", "documents", 4, T0 - DAY, 5, 5),
    ("ann", "q5", "members", 5, T0 + 20 * DAY, 9, 7),
    ("ben", "q1", "members", 1, T0 - 5 * DAY, 1, 0),
    ("ben", "q5", "members", 5, T0 + 3 * DAY, 4, 4),
];

/// The position of the FSRS migration in a backend's list (others may be appended after it).
fn fsrs_migration(migrations: &[&str]) -> usize {
    migrations
        .iter()
        .position(|m| m.contains("RENAME TO leitner_cards"))
        .expect("the FSRS migration is listed")
}

fn leitner_cards_in_every_box_become_fsrs_cards_and_none_is_lost(backend: Backend) {
    let db = Db::new(backend);
    let inserts: String = LEITNER_CARDS
        .iter()
        .map(|(u, q, t, b, due, seen, correct)| {
            format!(
                "INSERT INTO cards (user_id, question_id, topic, box, due_ms, seen, correct) \
                 VALUES ('{u}', '{q}', '{t}', {b}, {due}, {seen}, {correct});\n"
            )
        })
        .collect();
    // A database at the schema just before FSRS, with Leitner cards in it.
    match db.sqlite_path() {
        Some(path) => {
            let at = fsrs_migration(MIGRATIONS);
            let raw = Connection::open(path).expect("sqlite creates it");
            for m in &MIGRATIONS[..at] {
                raw.execute_batch(m).expect("an old migration runs");
            }
            raw.pragma_update(None, "user_version", at as i64)
                .expect("version set");
            raw.execute_batch(&inserts).expect("Leitner cards inserted");
        }
        None => {
            let pg = sco_bot::store::postgres::schema::MIGRATIONS;
            let at = fsrs_migration(pg);
            let mut raw = postgres::Client::connect(&db.spec, postgres::NoTls).expect("connects");
            for m in &pg[..at] {
                raw.batch_execute(m).expect("an old migration runs");
            }
            raw.batch_execute(&format!(
                "CREATE TABLE sco_bot_schema (version INTEGER NOT NULL); \
                 INSERT INTO sco_bot_schema (version) VALUES ({at}); {inserts}"
            ))
            .expect("Leitner cards inserted");
        }
    }
    let store = db.open();
    assert_eq!(
        store.schema_version().expect("a version") as usize,
        match backend {
            Backend::Sqlite => MIGRATIONS.len(),
            Backend::Postgres => sco_bot::store::postgres::schema::MIGRATIONS.len(),
        }
    );
    let mut kept = 0;
    for user in ["ann", "ben"] {
        let cards = store.cards(user).expect("cards");
        let old: Vec<_> = LEITNER_CARDS.iter().filter(|c| c.0 == user).collect();
        assert_eq!(cards.len(), old.len(), "{user} keeps every card");
        for (_, q, topic, box_, due, seen, correct) in old {
            let card = cards
                .iter()
                .find(|c| c.question_id == *q)
                .unwrap_or_else(|| panic!("{user}'s {q} is kept"));
            assert_eq!(
                (card.topic.key(), card.due_ms, card.seen, card.correct),
                (*topic, *due, *seen, *correct),
                "{user} {q}"
            );
            let interval = LEITNER_INTERVALS_MS[usize::from(*box_) - 1];
            assert_eq!(card.last_review_ms, due - interval, "{user} {q}");
            let (stability, difficulty) = from_leitner(*box_, *seen, *correct);
            assert!(
                (card.stability - stability).abs() < 1e-3
                    && (card.difficulty - difficulty).abs() < 1e-3,
                "{user} {q}: {card:?} against {stability}, {difficulty}"
            );
            kept += 1;
        }
    }
    assert_eq!(kept, LEITNER_CARDS.len());
    // Every box is there, and the cards schedule on: the review log starts now.
    let boxes: HashSet<u8> = LEITNER_CARDS.iter().map(|c| c.3).collect();
    assert_eq!(boxes.len(), LEITNER_INTERVALS_MS.len());
    assert!(store.reviews("ann").expect("log").is_empty());
    let old = store
        .cards("ann")
        .expect("cards")
        .into_iter()
        .find(|c| c.question_id == "q5")
        .expect("q5");
    let card = store
        .record_study("ann", "q5", Topic::Members, true, old.due_ms)
        .expect("studied");
    assert!(card.stability > old.stability, "{card:?}");
    assert_eq!((card.seen, card.correct), (10, 8));
    let log = store.reviews("ann").expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0].before.map(|b| (b.stability, b.due_ms)),
        Some((old.stability, old.due_ms))
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_byte_for_byte_untouched() {
    let (dir, path) = scratch();
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&path, &garbage).expect("written");
    let e = SqliteStore::open(&path).expect_err("garbage is not a database");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_names_file(&e, &path);
    let message = e.to_string();
    assert!(message.contains("left untouched"), "{message}");
    assert!(message.contains("move it aside"), "{message}");
    assert!(message.contains("--db"), "{message}");
    assert_eq!(file_bytes(&path), garbage);
    // And nothing was created beside it.
    let names: HashSet<_> = std::fs::read_dir(dir.path())
        .expect("listable")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    // A short text file too.
    std::fs::write(&path, "my notes\n").expect("written");
    let e = SqliteStore::open(&path).expect_err("text is not a database");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_eq!(file_bytes(&path), b"my notes\n");
}

#[test]
fn a_database_with_damaged_pages_is_refused_and_left_untouched() {
    let (_dir, path) = scratch();
    {
        let store = open(&path);
        for i in 0..50 {
            let s = start(&store, &new_session(Some("g"), &format!("c{i}"), "a", T0));
            play(
                &store,
                s,
                0,
                &format!("q{i}"),
                Topic::Members,
                T0,
                &[("alice", true, 0)],
            );
        }
    }
    let mut bytes = file_bytes(&path);
    assert!(bytes.len() > 3 * 4096, "{} bytes", bytes.len());
    // Scribble over the middle of the second and third pages, keeping the header valid.
    for b in &mut bytes[4096 + 16..3 * 4096 - 16] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("written");
    let e = SqliteStore::open(&path).expect_err("damaged pages");
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_names_file(&e, &path);
    assert_eq!(file_bytes(&path), bytes);
}

#[test]
fn a_database_locked_by_another_connection_is_reported_as_locked() {
    // A sco-bot database (WAL): another connection holds the write lock.
    let (_dir, path) = scratch();
    drop(open(&path));
    let other = Connection::open(&path).expect("sqlite opens it");
    other.execute_batch("BEGIN EXCLUSIVE").expect("locked");
    let e = SqliteStore::open(&path).expect_err("locked");
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    assert_names_file(&e, &path);
    assert!(e.to_string().contains("another program"), "{e}");
    other.execute_batch("ROLLBACK").expect("unlocked");
    drop(open(&path));

    // A file in rollback-journal mode, exclusively locked: not even readable.
    let (_dir, path) = scratch();
    let other = Connection::open(&path).expect("sqlite creates it");
    other
        .execute_batch("BEGIN EXCLUSIVE; PRAGMA user_version = 0;")
        .expect("locked");
    let e = SqliteStore::open(&path).expect_err("locked");
    assert!(matches!(e, StoreError::Locked { .. }), "{e}");
    assert_names_file(&e, &path);
}

#[test]
fn a_database_from_a_newer_sco_bot_is_refused_and_left_untouched() {
    let (_dir, path) = scratch();
    drop(open(&path));
    {
        let raw = Connection::open(&path).expect("sqlite opens it");
        raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("version set");
    }
    let before = file_bytes(&path);
    let e = SqliteStore::open(&path).expect_err("newer");
    match &e {
        StoreError::Newer { version, known, .. } => {
            assert_eq!((*version, *known), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected Newer, got {other}"),
    }
    assert_names_file(&e, &path);
    assert!(e.to_string().contains("newer sco-bot"), "{e}");
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn another_programs_database_is_refused_and_left_untouched() {
    let (_dir, path) = scratch();
    {
        let raw = Connection::open(&path).expect("sqlite creates it");
        raw.execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('plov');")
            .expect("someone else's data");
    }
    let before = file_bytes(&path);
    let e = SqliteStore::open(&path).expect_err("not ours");
    assert!(matches!(e, StoreError::Foreign { .. }), "{e}");
    assert_names_file(&e, &path);
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn a_missing_folder_or_a_folder_path_is_an_io_error_naming_the_file() {
    let (dir, _) = scratch();
    let path = dir.path().join("no-such-folder").join("sco-bot.db");
    let e = SqliteStore::open(&path).expect_err("no folder");
    assert!(matches!(e, StoreError::Io { .. }), "{e}");
    assert_names_file(&e, &path);
    assert!(!path.exists());

    let e = SqliteStore::open(dir.path()).expect_err("a folder");
    assert!(matches!(e, StoreError::Io { .. }), "{e}");
    assert_names_file(&e, dir.path());
}

/// Every text value in every table of the database, as (table, column, value): what a user
/// id could hide in, whatever tables a later migration adds.
fn every_text_value(db: &Db) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(path) = db.sqlite_path() {
        let conn = rusqlite::Connection::open(path).expect("opens");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("tables");
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table}"))
                .expect("select");
            let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
            let mut rows = stmt.query([]).expect("rows");
            while let Some(row) = rows.next().expect("a row") {
                for (i, column) in columns.iter().enumerate() {
                    if let Ok(rusqlite::types::ValueRef::Text(t)) = row.get_ref(i) {
                        let text = String::from_utf8_lossy(t).into_owned();
                        out.push((table.clone(), column.clone(), text));
                    }
                }
            }
        }
    } else {
        let (admin, name) = db.pg.clone().expect("a PostgreSQL database");
        let url = admin
            .rsplit_once('/')
            .map(|(a, _)| format!("{a}/{name}"))
            .expect("a URL");
        let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
        let columns = c
            .query(
                "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
                 WHERE table_schema = 'public' AND data_type = 'text'",
                &[],
            )
            .expect("columns");
        for col in columns {
            let (table, column): (String, String) = (col.get(0), col.get(1));
            for row in c
                .query(&format!("SELECT {column} FROM {table}"), &[])
                .expect("values")
            {
                if let Some(v) = row.get::<_, Option<String>>(0) {
                    out.push((table.clone(), column.clone(), v));
                }
            }
        }
    }
    out
}

fn privacy_export_has_everything_and_delete_leaves_nothing_of_the_user(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let s1 = start(&store, &new_session(Some("g"), "c1", "alice", T0));
    play(
        &store,
        s1,
        0,
        "m1",
        Topic::Members,
        T0,
        &[("alice", true, 0), ("bob", true, 10)],
    );
    play(
        &store,
        s1,
        1,
        "s1",
        Topic::Summits,
        T0 + 30_000,
        &[("alice", false, 0), ("bob", true, 0)],
    );
    store
        .finish_session(s1, SessionEnd::Finished, T0 + 60_000)
        .expect("finished");
    store
        .record_study("alice", "m2", Topic::Members, true, T0)
        .expect("studied");
    store
        .record_study("bob", "m2", Topic::Members, false, T0)
        .expect("studied");

    for who in ["alice", "bob"] {
        store
            .save_report(&report_by(who, "m1", T0))
            .expect("reported");
        store
            .record_daily_answer(&daily_answer("g", "2026-01-01", who, true, T0))
            .expect("answered");
    }

    let data = store.user_data("alice").expect("exported");
    assert_eq!(data.user, "alice");
    assert_eq!(data.reports.len(), 1);
    assert_eq!(data.reports[0].report.reporter, "alice");
    assert_eq!(data.daily_answers.len(), 1);
    assert_eq!(data.sessions_started.len(), 1);
    assert_eq!(data.sessions_started[0].session, s1);
    let answers: Vec<(&str, bool)> = data
        .answers
        .iter()
        .map(|a| (a.question_id.as_str(), a.correct))
        .collect();
    assert_eq!(answers, vec![("m1", true), ("s1", false)]);
    assert_eq!(data.games.len(), 1);
    assert_eq!(data.topics.len(), 2);
    assert_eq!(data.cards.len(), 1);
    assert_eq!(data.cards[0].question_id, "m2");
    assert_eq!(data.reviews.len(), 1);
    assert_eq!(
        (
            data.reviews[0].question_id.as_str(),
            data.reviews[0].grade.as_str()
        ),
        ("m2", "good")
    );
    // The export names alice and nobody else.
    let json = serde_json::to_string(&data).expect("JSON");
    assert!(!json.contains("bob"), "{json}");
    let bob_before = store.user_data("bob").expect("exported");
    let board_before = store.leaderboard(None, None, 10).expect("a board");
    assert!(board_before.iter().any(|r| r.user == "alice"));

    let erased = store.delete_user("alice").expect("deleted");
    assert_eq!(
        (
            erased.answers,
            erased.games,
            erased.topics,
            erased.cards,
            erased.reviews,
            erased.sessions_unnamed
        ),
        (2, 1, 2, 1, 1, 1)
    );
    assert_eq!(erased.reports, 1);
    assert_eq!(erased.daily_answers, 1);
    let left: Vec<_> = every_text_value(&db)
        .into_iter()
        .filter(|(_, _, v)| v == "alice")
        .collect();
    assert!(left.is_empty(), "alice is still in {left:?}");
    assert_eq!(store.user_data("alice").expect("exported").answers.len(), 0);
    // Bob keeps everything, and the leaderboard recomputes without alice.
    assert_eq!(store.user_data("bob").expect("exported"), bob_before);
    let board = store.leaderboard(None, None, 10).expect("a board");
    assert!(board.iter().all(|r| r.user != "alice"), "{board:?}");
    assert_eq!(board.len(), board_before.len() - 1);
    assert_eq!(store.user_stats("alice").expect("stats").answered, 0);
    // Deleting again is harmless.
    assert_eq!(store.delete_user("alice").expect("deleted").total(), 0);
}

/// Where a session's rounds are shown is stored with it and read back by every way of reading a
/// session (by id, by channel, every active one: what a restart resumes).
fn a_sessions_placement_survives_reopening(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let channel = start(&store, &new_session(Some("g"), "c1", "alice", T0));
    let followups = start(
        &store,
        &NewSession {
            placement: Placement::Followups,
            ..new_session(Some("g"), "c2", "bob", T0 + 1)
        },
    );
    drop(store);
    let store = db.open();
    let read = |id: i64| {
        store
            .session(id)
            .expect("readable")
            .expect("exists")
            .placement
    };
    assert_eq!(read(channel), Placement::Channel);
    assert_eq!(read(followups), Placement::Followups);
    assert_eq!(
        store
            .active_session("c2")
            .expect("readable")
            .map(|s| s.placement),
        Some(Placement::Followups)
    );
    let active: Vec<(i64, Placement)> = store
        .active_sessions()
        .expect("sessions")
        .iter()
        .map(|s| (s.id, s.placement))
        .collect();
    assert_eq!(
        active,
        vec![
            (channel, Placement::Channel),
            (followups, Placement::Followups)
        ]
    );
}

/// Two servers with a finished quiz each (and one still running in the removed one), played
/// by the same two users; every id of the removed server contains "gone".
fn two_guilds(store: &dyn Store) -> (Vec<i64>, i64) {
    let mut gone = Vec::new();
    for (n, channel) in ["c-gone-1", "c-gone-2"].into_iter().enumerate() {
        let s = start(
            store,
            &new_session(Some("g-gone"), channel, "ann", T0 + n as i64),
        );
        play(
            store,
            s,
            0,
            "m1",
            Topic::Members,
            T0,
            &[("ann", true, 0), ("ben", false, 5)],
        );
        store.set_message(s, 0, "msg-gone").expect("set");
        gone.push(s);
    }
    store
        .finish_session(gone[0], SessionEnd::Finished, T0 + 60_000)
        .expect("finished");
    // The second stays active, with an open round answered "gone".
    store
        .open_round(&NewRound {
            session: gone[1],
            index: 1,
            question_id: "s1",
            topic: Topic::Summits,
            opened_ms: T0 + 30_000,
            deadline_ms: T0 + 50_000,
        })
        .expect("opens");
    store
        .record_answer(gone[1], 1, "ben", "gone", true, T0 + 31_000)
        .expect("recorded");
    let kept = start(store, &new_session(Some("g-kept"), "c-kept", "ben", T0));
    play(
        store,
        kept,
        0,
        "m1",
        Topic::Members,
        T0,
        &[("ann", false, 0), ("ben", true, 5)],
    );
    store.set_message(kept, 0, "msg-kept").expect("set");
    store
        .finish_session(kept, SessionEnd::Finished, T0 + 60_000)
        .expect("finished");
    // Each server's question of the day: its schedule, a day's post and an answer to it.
    for guild in ["g-gone", "g-kept"] {
        store
            .set_daily(&schedule(guild, 9 * 60, "UTC"))
            .expect("scheduled");
        let post = DailyPost {
            guild: guild.to_string(),
            date: "2026-01-01".into(),
            channel: format!("{guild}-daily"),
            question_id: "m1".into(),
            posted_ms: T0,
        };
        assert!(store.claim_daily(&post).expect("claimed"));
        store
            .record_daily_answer(&daily_answer(guild, "2026-01-01", "ann", true, T0))
            .expect("answered");
    }
    (gone, kept)
}

fn a_removed_guild_is_marked_once_and_a_readded_one_forgotten(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    assert_eq!(store.removed_guilds().expect("read"), vec![]);
    store.mark_guild_removed("g1", T0).expect("marked");
    store.mark_guild_removed("g2", T0 + 5).expect("marked");
    // Removed again (a second GUILD_DELETE): the first time stands.
    store.mark_guild_removed("g1", T0 + 10).expect("marked");
    assert_eq!(
        store.removed_guilds().expect("read"),
        vec![("g1".to_string(), T0), ("g2".to_string(), T0 + 5)]
    );
    assert!(store.cancel_guild_removal("g1").expect("cancelled"));
    assert!(
        !store.cancel_guild_removal("g1").expect("cancelled"),
        "nothing pending"
    );
    assert!(!store.cancel_guild_removal("never").expect("cancelled"));
    assert_eq!(
        store.removed_guilds().expect("read"),
        vec![("g2".to_string(), T0 + 5)]
    );
    // A cancelled removal is not purged, however late.
    let (gone, _) = two_guilds(&store);
    store.mark_guild_removed("g-gone", T0).expect("marked");
    store.cancel_guild_removal("g-gone").expect("cancelled");
    let purged = store
        .purge_removed_guilds(T0 + 1000 * DAY, 30 * DAY)
        .expect("purged");
    assert_eq!(
        purged.iter().map(|p| p.guild.as_str()).collect::<Vec<_>>(),
        ["g2"]
    );
    assert!(store.session(gone[0]).expect("read").is_some());
}

fn a_removed_guild_is_deleted_after_the_grace_period_and_no_other(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let (gone, kept) = two_guilds(&store);
    let kept_board = store
        .leaderboard(Some("g-kept"), None, 10)
        .expect("a board");
    let kept_scores = store.scoreboard(kept).expect("scores");
    let stats_before = (
        store.user_stats("ann").expect("stats"),
        store.cards("ann").expect("cards"),
    );
    store
        .mark_guild_removed("g-gone", T0 + DAY)
        .expect("marked");
    let grace = 30 * DAY;
    // Within the grace period nothing goes.
    assert_eq!(
        store
            .purge_removed_guilds(T0 + DAY + grace - 1, grace)
            .expect("ran"),
        vec![]
    );
    assert!(store.session(gone[0]).expect("read").is_some());
    let gone_texts = || -> Vec<_> {
        every_text_value(&db)
            .into_iter()
            .filter(|(_, _, v)| v.contains("gone"))
            .collect()
    };
    assert!(!gone_texts().is_empty(), "the test data names the server");

    let purged = store
        .purge_removed_guilds(T0 + DAY + grace, grace)
        .expect("ran");
    assert_eq!(
        purged,
        vec![sco_bot::store::Purged {
            guild: "g-gone".into(),
            sessions: 2,
            rounds: 3,
            answers: 5,
            scores: 4,
            daily: 3,
        }]
    );
    let left = gone_texts();
    assert!(left.is_empty(), "the removed server is still in {left:?}");
    assert!(store.daily_schedule("g-kept").expect("read").is_some());
    assert_eq!(
        store
            .daily_answers("g-kept", "2026-01-01")
            .expect("read")
            .len(),
        1
    );
    for s in &gone {
        assert_eq!(store.session(*s).expect("read"), None);
        assert_eq!(store.current_round(*s).expect("read"), None);
        assert_eq!(store.scoreboard(*s).expect("read"), vec![]);
    }
    assert!(store.active_sessions().expect("read").is_empty());
    assert_eq!(
        store
            .leaderboard(Some("g-gone"), None, 10)
            .expect("a board"),
        vec![]
    );
    assert!(
        store
            .user_data("ann")
            .expect("exported")
            .answers
            .iter()
            .all(|a| a.session == kept)
    );
    // The other server keeps everything, and the users their own totals.
    assert_eq!(
        store
            .leaderboard(Some("g-kept"), None, 10)
            .expect("a board"),
        kept_board
    );
    assert_eq!(store.scoreboard(kept).expect("scores"), kept_scores);
    assert_eq!(
        (
            store.user_stats("ann").expect("stats").per_topic,
            store.cards("ann").expect("cards")
        ),
        (stats_before.0.per_topic, stats_before.1)
    );
    assert_eq!(store.removed_guilds().expect("read"), vec![]);
    // Purging again finds nothing; a new quiz in the server later is its own.
    assert_eq!(
        store
            .purge_removed_guilds(T0 + 400 * DAY, grace)
            .expect("ran"),
        vec![]
    );
}

fn an_operator_purges_a_guild_at_once(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let (_, kept) = two_guilds(&store);
    store.mark_guild_removed("g-gone", T0).expect("marked");
    let purged = store.purge_guild("g-gone").expect("purged");
    assert_eq!((purged.sessions, purged.answers), (2, 5));
    assert!(
        every_text_value(&db)
            .iter()
            .all(|(_, _, v)| !v.contains("gone"))
    );
    assert_eq!(store.removed_guilds().expect("read"), vec![]);
    assert!(store.session(kept).expect("read").is_some());
    assert_eq!(store.purge_guild("g-gone").expect("purged").sessions, 0);
}

/// A report by `who` about `question` at `at`, as the report handler would save it.
fn report_by(who: &str, question: &str, at: i64) -> NewReport {
    NewReport {
        question_id: question.to_string(),
        kind: ReportKind::Wrong,
        facts: vec!["member:india".into(), "summit:summit-2017".into()],
        sources: vec!["src-a".into(), "src-b".into()],
        prompt: "Which country joined in 2017?".into(),
        fingerprint: "0123456789abcdef".into(),
        answer: Some("Pakistan".into()),
        verdict: "rejected: matches no accepted form".into(),
        text: format!("{who} says the year is wrong"),
        source_url: Some("https://example.org/sco".into()),
        reporter: who.to_string(),
        created_ms: at,
    }
}

/// One report per user per question (a second, even with other words, changes nothing and
/// names the first); reports list oldest first, all or only the open ones; resolving closes
/// one with its note, once; a round's question and a user's answer to it are found for a
/// report about the round.
fn reports_are_saved_once_per_user_and_question_listed_and_resolved(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let first = match store
        .save_report(&report_by("alice", "q1", T0))
        .expect("saved")
    {
        Reported::Saved(id) => id,
        other => panic!("{other:?}"),
    };
    let again = NewReport {
        text: "other words".into(),
        ..report_by("alice", "q1", T0 + 5)
    };
    assert_eq!(
        store.save_report(&again).expect("answered"),
        Reported::AlreadyReported(first)
    );
    let second = match store
        .save_report(&report_by("bob", "q1", T0 + 10))
        .expect("saved")
    {
        Reported::Saved(id) => id,
        other => panic!("{other:?}"),
    };
    let third = match store
        .save_report(&NewReport {
            kind: ReportKind::Right,
            answer: None,
            source_url: None,
            facts: Vec::new(),
            ..report_by("alice", "q2", T0 + 20)
        })
        .expect("saved")
    {
        Reported::Saved(id) => id,
        other => panic!("{other:?}"),
    };
    let all = store.reports(false).expect("listed");
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![first, second, third]
    );
    // Everything saved reads back as it was written.
    assert_eq!(all[0].report, report_by("alice", "q1", T0));
    assert!(!all[0].resolved && all[0].note.is_none() && all[0].resolved_ms.is_none());
    assert_eq!(all[2].report.kind, ReportKind::Right);
    assert_eq!(all[2].report.answer, None);
    assert!(all[2].report.facts.is_empty());

    assert_eq!(
        store
            .resolve_report(second, "fixed in facts.toml", T0 + DAY)
            .expect("resolved"),
        Resolved::Resolved
    );
    assert_eq!(
        store
            .resolve_report(second, "a second note", T0 + 2 * DAY)
            .expect("answered"),
        Resolved::AlreadyResolved
    );
    assert_eq!(
        store.resolve_report(9999, "x", T0).expect("answered"),
        Resolved::NoSuchReport
    );
    let open: Vec<i64> = store
        .reports(true)
        .expect("listed")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(open, vec![first, third]);
    let resolved = store
        .reports(false)
        .expect("listed")
        .into_iter()
        .find(|r| r.id == second)
        .expect("still listed");
    assert!(resolved.resolved);
    assert_eq!(resolved.note.as_deref(), Some("fixed in facts.toml"));
    assert_eq!(resolved.resolved_ms, Some(T0 + DAY));

    let s = start(&store, &new_session(Some("g"), "c1", "alice", T0));
    play(
        &store,
        s,
        0,
        "m1",
        Topic::Members,
        T0,
        &[("alice", true, 0)],
    );
    let r = store
        .round_answer(s, 0, "alice")
        .expect("read")
        .expect("a round");
    assert_eq!(r.question_id, "m1");
    let (answer, correct) = r.answer.expect("alice answered");
    assert!(correct && !answer.is_empty());
    let r = store
        .round_answer(s, 0, "bob")
        .expect("read")
        .expect("a round");
    assert_eq!(r.answer, None);
    assert_eq!(store.round_answer(s, 7, "alice").expect("read"), None);
}

fn schedule(guild: &str, minute: u16, zone: &str) -> DailySchedule {
    DailySchedule {
        guild: guild.to_string(),
        channel: format!("{guild}-daily"),
        minute,
        zone: zone.to_string(),
        reveal_minutes: 720,
        updated_ms: T0,
    }
}

/// Daily schedules: one per server, replaced by a second `set`, listed by server, kept across
/// a reopening, removed by `off` (a second `off` says there was none).
fn daily_schedules_are_one_per_server_replaced_listed_and_turned_off(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    assert_eq!(store.daily_schedule("g1").expect("read"), None);
    store
        .set_daily(&schedule("g2", 540, "Europe/Moscow"))
        .expect("set");
    store.set_daily(&schedule("g1", 0, "UTC")).expect("set");
    let moved = DailySchedule {
        channel: "elsewhere".into(),
        updated_ms: T0 + DAY,
        ..schedule("g1", 1439, "Asia/Shanghai")
    };
    store.set_daily(&moved).expect("replaced");
    drop(store);
    let store = db.open();
    assert_eq!(
        store.daily_schedules().expect("listed"),
        vec![moved.clone(), schedule("g2", 540, "Europe/Moscow")]
    );
    assert_eq!(store.daily_schedule("g1").expect("read"), Some(moved));
    assert!(store.daily_off("g1").expect("off"));
    assert!(!store.daily_off("g1").expect("off again"));
    assert_eq!(store.daily_schedule("g1").expect("read"), None);
    assert_eq!(store.daily_schedules().expect("listed").len(), 1);
}

/// A day's post is claimed once per server and local date: a second claim (another question,
/// another instant), and eight claims racing from eight connections, leave the first; other
/// servers and other dates are claimed independently; the claim survives a reopening.
fn a_days_post_is_claimed_once_even_by_racing_claimants(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let post = |guild: &str, date: &str, question: &str, at: i64| DailyPost {
        guild: guild.to_string(),
        date: date.to_string(),
        channel: "c".into(),
        question_id: question.to_string(),
        posted_ms: at,
    };
    assert!(
        store
            .claim_daily(&post("g1", "2026-01-01", "q1", T0))
            .expect("claimed")
    );
    assert!(
        !store
            .claim_daily(&post("g1", "2026-01-01", "q2", T0 + 5))
            .expect("answered")
    );
    assert!(
        store
            .claim_daily(&post("g2", "2026-01-01", "q3", T0))
            .expect("another server")
    );
    assert!(
        store
            .claim_daily(&post("g1", "2026-01-02", "q4", T0 + DAY))
            .expect("another day")
    );
    drop(store);
    let store = db.open();
    assert_eq!(
        store.daily_post("g1", "2026-01-01").expect("read"),
        Some(post("g1", "2026-01-01", "q1", T0))
    );
    assert_eq!(store.daily_post("g1", "2026-01-03").expect("read"), None);

    let barrier = Barrier::new(8);
    let won: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let barrier = &barrier;
                let store = db.open();
                scope.spawn(move || {
                    barrier.wait();
                    store
                        .claim_daily(&post("g3", "2026-03-29", &format!("q{i}"), T0 + i))
                        .expect("claimed or not")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().expect("no panic")))
            .sum()
    });
    assert_eq!(won, 1, "exactly one claimant posts the day");
    assert!(
        store
            .daily_post("g3", "2026-03-29")
            .expect("read")
            .is_some()
    );
}

fn daily_answer(guild: &str, date: &str, user: &str, correct: bool, at: i64) -> DailyAnswer {
    DailyAnswer {
        guild: guild.to_string(),
        date: date.to_string(),
        user: user.to_string(),
        answer: if correct { "Astana" } else { "Bishkek" }.to_string(),
        correct,
        answered_ms: at,
    }
}

/// One answer per user per server and day (the first stands); a day's answers list earliest
/// first with who was right; the dates a user answered right, newest first, per server, are
/// what streaks count.
fn daily_answers_are_one_per_user_and_day_and_give_the_right_dates(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let d1 = "2026-06-10";
    assert!(
        store
            .record_daily_answer(&daily_answer("g", d1, "bob", false, T0 + 20))
            .expect("recorded")
    );
    assert!(
        store
            .record_daily_answer(&daily_answer("g", d1, "alice", true, T0 + 10))
            .expect("recorded")
    );
    assert!(
        !store
            .record_daily_answer(&daily_answer("g", d1, "bob", true, T0 + 30))
            .expect("answered")
    );
    let day = store.daily_answers("g", d1).expect("listed");
    assert_eq!(
        day,
        vec![
            daily_answer("g", d1, "alice", true, T0 + 10),
            daily_answer("g", d1, "bob", false, T0 + 20)
        ]
    );
    for (date, right) in [
        ("2026-06-08", true),
        ("2026-06-09", true),
        ("2026-06-11", false),
    ] {
        store
            .record_daily_answer(&daily_answer("g", date, "alice", right, T0))
            .expect("recorded");
    }
    store
        .record_daily_answer(&daily_answer("other", "2026-06-11", "alice", true, T0))
        .expect("recorded");
    assert_eq!(
        store.daily_right_dates("g", "alice").expect("listed"),
        vec!["2026-06-10", "2026-06-09", "2026-06-08"]
    );
    assert_eq!(
        sco_bot::daily::streak(
            &store.daily_right_dates("g", "alice").expect("listed"),
            "2026-06-11"
        ),
        3
    );
    assert!(
        store
            .daily_right_dates("g", "bob")
            .expect("listed")
            .is_empty()
    );
}

/// A day's reveal is claimed once: listed as unrevealed until claimed, a second claim (and
/// seven of eight racing claimants) refused, a missing post never claimed.
fn a_days_reveal_is_claimed_once(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let post = |guild: &str, date: &str| DailyPost {
        guild: guild.to_string(),
        date: date.to_string(),
        channel: "c".into(),
        question_id: "q".into(),
        posted_ms: T0,
    };
    for (g, d) in [
        ("g1", "2026-01-01"),
        ("g1", "2026-01-02"),
        ("g2", "2026-01-01"),
    ] {
        assert!(store.claim_daily(&post(g, d)).expect("claimed"));
    }
    assert_eq!(store.daily_unrevealed().expect("listed").len(), 3);
    assert!(
        store
            .claim_daily_reveal("g1", "2026-01-01", T0 + 1)
            .expect("claimed")
    );
    assert!(
        !store
            .claim_daily_reveal("g1", "2026-01-01", T0 + 2)
            .expect("again")
    );
    assert!(
        !store
            .claim_daily_reveal("g1", "2026-01-09", T0)
            .expect("no such post")
    );
    drop(store);
    let store = db.open();
    assert_eq!(
        store.daily_unrevealed().expect("listed"),
        vec![post("g1", "2026-01-02"), post("g2", "2026-01-01")]
    );
    let barrier = Barrier::new(8);
    let won: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let barrier = &barrier;
                let store = db.open();
                scope.spawn(move || {
                    barrier.wait();
                    store
                        .claim_daily_reveal("g2", "2026-01-01", T0 + i)
                        .expect("claimed or not")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().expect("no panic")))
            .sum()
    });
    assert_eq!(won, 1, "exactly one claimant reveals the day");
    assert_eq!(
        store.daily_unrevealed().expect("listed"),
        vec![post("g1", "2026-01-02")]
    );
}

on_every_backend!(
    a_days_reveal_is_claimed_once,
    daily_answers_are_one_per_user_and_day_and_give_the_right_dates,
    daily_schedules_are_one_per_server_replaced_listed_and_turned_off,
    a_days_post_is_claimed_once_even_by_racing_claimants,
    reports_are_saved_once_per_user_and_question_listed_and_resolved,
    a_sessions_placement_survives_reopening,
    one_active_session_per_channel,
    hundreds_of_concurrent_answers_are_recorded_once_per_user_and_scored_consistently,
    closing_a_question_twice_applies_nothing_the_second_time,
    reopening_the_file_mid_session_keeps_the_session_question_and_answers_and_counts_once,
    answers_after_the_deadline_the_close_or_the_end_are_too_late,
    misuse_by_the_caller_is_a_typed_error_naming_the_file,
    streaks_count_consecutive_correct_answers_and_break_on_wrong_or_missed_ones,
    leaderboards_count_a_guilds_sessions_or_all_and_filter_on_close_time,
    user_stats_count_games_answers_and_topics_but_not_study,
    a_removed_guild_is_marked_once_and_a_readded_one_forgotten,
    a_removed_guild_is_deleted_after_the_grace_period_and_no_other,
    an_operator_purges_a_guild_at_once,
    a_missed_card_comes_back_within_a_day_and_three_right_answers_push_it_days_away,
    the_schedule_and_review_log_are_the_fsrs_crates_own_for_the_same_inputs,
    study_stats_show_due_now_this_week_retention_from_the_log_and_the_next_review,
    leitner_cards_in_every_box_become_fsrs_cards_and_none_is_lost,
    privacy_export_has_everything_and_delete_leaves_nothing_of_the_user
);

#[test]
fn a_postgres_database_from_a_newer_sco_bot_or_another_program_is_refused() {
    let Some(backend) = postgres() else {
        return;
    };
    let db = Db::new(backend);
    let store = db.open();
    assert_eq!(
        store.schema_version().expect("a version"),
        sco_bot::store::postgres::schema::SCHEMA_VERSION
    );
    drop(store);
    let (admin, name) = db.pg.clone().expect("a PostgreSQL database");
    let url = admin
        .rsplit_once('/')
        .map(|(a, _)| format!("{a}/{name}"))
        .expect("a URL");
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).expect("connects");
    raw.batch_execute("UPDATE sco_bot_schema SET version = 99")
        .expect("written");
    match sco_bot::store::open(&db.spec) {
        Err(StoreError::Newer { version: 99, .. }) => {}
        other => panic!("{other:?}"),
    }
    raw.batch_execute("DROP TABLE sco_bot_schema")
        .expect("dropped");
    match sco_bot::store::open(&db.spec) {
        Err(e @ StoreError::Foreign { .. }) => {
            assert!(e.to_string().contains(&name), "{e}");
            assert!(!e.to_string().contains("password"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_terminal_plays_and_reports_on_postgres() {
    let Some(backend) = postgres() else {
        return;
    };
    let db = Db::new(backend);
    let dir = scratch();
    let run = |args: &[&str], input: &str| {
        let mut all = vec!["--db", db.spec.as_str()];
        all.extend_from_slice(args);
        crate::support::run_in(dir.0.path(), &all, input)
    };
    let played = run(&["quiz", "--questions", "2", "--seed", "9"], "A\nB\n");
    assert!(
        played.status.success(),
        "{}",
        crate::support::stderr(&played)
    );
    let out = run(&["ask", "/stats"], "");
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("Games: 1") && text.contains("Answers: 2"),
        "{text}"
    );
}

/// Starts `n` sessions (channels `lease-0`, …) of `placement`, each with round 0 open at T0
/// and due at T0 + 20 s.
fn open_rounds(store: &dyn Store, n: usize, placement: Placement) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let mut s = new_session(Some("g"), &format!("lease-{i}"), "starter", T0);
            s.placement = placement;
            let id = start(store, &s);
            store
                .open_round(&NewRound {
                    session: id,
                    index: 0,
                    question_id: "q",
                    topic: Topic::Members,
                    opened_ms: T0,
                    deadline_ms: T0 + 20_000,
                })
                .expect("the round opens");
            id
        })
        .collect()
}

fn two_claimers_never_get_the_same_round(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let ids: HashSet<i64> = open_rounds(&*store, 60, Placement::Channel)
        .into_iter()
        .collect();
    let claim = |now: i64, owner: &str, limit: u32| {
        store
            .claim_due_rounds(Now::At(now), 0, owner, 5_000, limit)
            .expect("the store works")
    };
    assert!(claim(T0 + 20_000, "early", 100).is_empty(), "not due yet");
    let now = T0 + 21_000;
    let barrier = Barrier::new(2);
    let [a, b] = ["a", "b"].map(|owner| {
        let (store, barrier) = (&store, &barrier);
        move || {
            barrier.wait();
            let mut mine = Vec::new();
            // Bounded: a claim that ignored leases would hand out the same rounds for ever.
            for _ in 0..=60 {
                let got = store
                    .claim_due_rounds(Now::At(now), 0, owner, 5_000, 2)
                    .expect("the store works");
                if got.is_empty() {
                    return mine;
                }
                assert!(got.iter().all(|r| r.lease_until_ms == now + 5_000));
                mine.extend(got.into_iter().map(|r| r.session));
            }
            mine
        }
    });
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(a);
        let b = s.spawn(b);
        (a.join().expect("a"), b.join().expect("b"))
    });
    let (sa, sb): (HashSet<i64>, HashSet<i64>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    assert_eq!(a.len() + b.len(), ids.len(), "each round claimed once");
    assert!(
        sa.is_disjoint(&sb),
        "a round claimed twice: {:?}",
        sa.intersection(&sb)
    );
    assert_eq!(&sa | &sb, ids);
    assert!(claim(now + 4_999, "c", 100).is_empty(), "leased");
}

fn a_round_closes_once_and_its_reveal_is_written_once(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let id = open_rounds(&*store, 1, Placement::Channel)[0];
    for (user, correct) in [("u1", true), ("u2", false), ("u3", true)] {
        store
            .record_answer(id, 0, user, "x", correct, T0 + 1_000)
            .expect("the answer is stored");
    }
    let barrier = Barrier::new(8);
    let closed: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    store
                        .close_round(id, 0, T0 + 20_000)
                        .expect("the round closes")
                        .newly_closed
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a closer"))
            .collect()
    });
    assert_eq!(closed.iter().filter(|c| **c).count(), 1, "{closed:?}");
    let points: u32 = store
        .scoreboard(id)
        .expect("the scoreboard")
        .iter()
        .map(|r| r.answered)
        .sum();
    assert_eq!(points, 3, "each answer scored once");
    let rows = store
        .claim_outbox(
            Now::At(T0 + 30_000),
            Deliverable::Channel { age_ms: 0 },
            "a",
            5_000,
            10,
        )
        .expect("the outbox");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].session, rows[0].index), (id, 0));
    assert_eq!(rows[0].channel, "lease-0");
    assert_eq!(rows[0].placement, Placement::Channel);
    // A second round closed by `/quiz stop` writes its own row; nothing else does.
    assert!(
        store
            .claim_due_rounds(Now::At(T0 + 99_000), 0, "a", 5_000, 10)
            .expect("claims")
            .is_empty(),
        "a closed round is not due"
    );
}

fn an_expired_lease_is_taken_over(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let id = open_rounds(&*store, 1, Placement::Channel)[0];
    let t = T0 + 21_000;
    let due = |now: i64, owner: &str| {
        store
            .claim_due_rounds(Now::At(now), 0, owner, 5_000, 10)
            .expect("claims")
            .len()
    };
    assert_eq!(due(t, "a"), 1);
    assert_eq!(due(t + 4_999, "b"), 0, "a's lease runs");
    assert_eq!(due(t + 5_000, "b"), 1, "a's lease ran out: b takes over");
    assert_eq!(due(t + 5_001, "a"), 0, "now b's");

    store.close_round(id, 0, t).expect("closes");
    let round = Deliverable::Round {
        session: id,
        index: 0,
    };
    let outbox = |now: i64, owner: &str| {
        store
            .claim_outbox(Now::At(now), round, owner, 5_000, 10)
            .expect("claims")
    };
    let first = outbox(t, "a");
    assert_eq!(first.len(), 1);
    assert_eq!(outbox(t + 4_999, "b").len(), 0, "a holds it");
    assert_eq!(outbox(t + 5_000, "b").len(), 1, "a's lease ran out");
    assert!(
        !store
            .mark_delivered(first[0].id, "a", t + 5_001)
            .expect("marks"),
        "a lost the lease, so its delivery is not recorded"
    );
    assert!(
        store
            .mark_delivered(first[0].id, "b", t + 5_002)
            .expect("marks")
    );
}

fn delivered_rows_are_never_delivered_again(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let channel = open_rounds(&*store, 1, Placement::Channel)[0];
    let mut s = new_session(None, "followups", "starter", T0);
    s.placement = Placement::Followups;
    let followups = start(&*store, &s);
    store
        .open_round(&NewRound {
            session: followups,
            index: 0,
            question_id: "q",
            topic: Topic::Members,
            opened_ms: T0,
            deadline_ms: T0 + 20_000,
        })
        .expect("opens");
    let t = T0 + 20_000;
    store.close_round(channel, 0, t).expect("closes");
    store.close_round(followups, 0, t).expect("closes");
    let any = |now: i64, owner: &str| {
        store
            .claim_outbox(
                Now::At(now),
                Deliverable::Channel { age_ms: 1_000 },
                owner,
                5_000,
                10,
            )
            .expect("claims")
    };
    assert!(any(t + 999, "a").is_empty(), "the closer gets the first go");
    let rows = any(t + 1_000, "a");
    assert_eq!(
        rows.iter().map(|r| r.session).collect::<Vec<_>>(),
        vec![channel],
        "a follow-ups session's reveal waits for a replica with its interaction"
    );
    assert!(
        store
            .mark_delivered(rows[0].id, "a", t + 1_001)
            .expect("marks")
    );
    assert!(
        !store
            .mark_delivered(rows[0].id, "a", t + 1_002)
            .expect("marks")
    );
    for later in [t + 1_002, t + 60_000, t + 3_600_000] {
        assert!(any(later, "b").is_empty(), "delivered again at {later}");
        let again = store
            .claim_outbox(
                Now::At(later),
                Deliverable::Round {
                    session: channel,
                    index: 0,
                },
                "b",
                5_000,
                10,
            )
            .expect("claims");
        assert!(again.is_empty(), "delivered again at {later}");
    }
    let own = store
        .claim_outbox(
            Now::At(t),
            Deliverable::Round {
                session: followups,
                index: 0,
            },
            "c",
            5_000,
            10,
        )
        .expect("claims");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].placement, Placement::Followups);
}

fn a_second_answer_by_one_user_is_refused_and_counted_once(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    let id = open_rounds(&*store, 1, Placement::Channel)[0];
    let answer = |correct: bool, at: i64| {
        store
            .record_answer(id, 0, "u1", "x", correct, at)
            .expect("the store works")
    };
    assert_eq!(answer(false, T0 + 1_000), AnswerOutcome::Recorded);
    assert_eq!(answer(true, T0 + 1_000), AnswerOutcome::AlreadyAnswered);
    assert_eq!(answer(true, T0 + 2_000), AnswerOutcome::AlreadyAnswered);
    let result = store.close_round(id, 0, T0 + 20_000).expect("closes");
    assert_eq!(result.answers.len(), 1);
    assert!(!result.answers[0].correct, "the first answer stands");
    let stats = store.user_stats("u1").expect("stats");
    assert_eq!((stats.answered, stats.correct), (1, 0));
    assert_eq!(store.question_stats("q").expect("stats"), (1, 0));
}

fn the_database_clock_judges_due_rounds(backend: Backend) {
    let db = Db::new(backend);
    let store = db.open();
    // Due at T0 + 20 s, long past on any machine running this test.
    let past = open_rounds(&*store, 1, Placement::Channel)[0];
    let mut s = new_session(None, "future", "starter", T0);
    s.questions = 1;
    let future = start(&*store, &s);
    store
        .open_round(&NewRound {
            session: future,
            index: 0,
            question_id: "q",
            topic: Topic::Members,
            opened_ms: T0,
            deadline_ms: i64::MAX / 4,
        })
        .expect("opens");
    let got = store
        .claim_due_rounds(Now::Database, 0, "a", 5_000, 10)
        .expect("claims");
    assert_eq!(
        got.iter().map(|r| r.session).collect::<Vec<_>>(),
        vec![past]
    );
    // The lease is on the database's clock too: well after T0.
    assert!(got[0].lease_until_ms > T0 + 300 * DAY);
}

/// A channel quiz whose driver died between a reveal and the next round is claimed once it has
/// been idle long enough, by one claimer at a time, and no other quiz is: not one with an open
/// round, an unshown reveal, a recent reveal, played through follow-ups, or ended.
fn a_quiz_left_idle_between_a_reveal_and_the_next_round_is_found(backend: Backend) {
    const IDLE: i64 = 10_000;
    let db = Db::new(backend);
    let store = db.open();
    // Each look is a different claimer's, with a 1 ms lease, so leases never hide a session
    // here; the lease itself is checked at the end.
    let owner = std::cell::Cell::new(0);
    let stalled = |now: i64| -> Vec<i64> {
        owner.set(owner.get() + 1);
        store
            .claim_stalled_sessions(Now::At(now), IDLE, &format!("p{}", owner.get()), 1, 10)
            .expect("the store works")
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    let ids = open_rounds(&*store, 2, Placement::Channel);
    // ids[1] keeps an open round throughout; a follow-ups quiz is never stalled.
    let revealed = ids[0];
    let mut f = new_session(Some("g"), "followups", "starter", T0);
    f.placement = Placement::Followups;
    start(&*store, &f);
    let fresh = start(&*store, &new_session(Some("g"), "fresh", "starter", T0));
    // Round 0 of `revealed` closes at T0 + 20 s; its reveal is shown at T0 + 21 s.
    store.close_round(revealed, 0, T0 + 20_000).expect("closes");
    assert_eq!(stalled(T0 + 9_999), Vec::<i64>::new(), "all still fresh");
    assert_eq!(
        stalled(T0 + IDLE + 1),
        vec![fresh],
        "a quiz without a first round; not one whose reveal is unshown"
    );
    let row = store
        .claim_outbox(
            Now::At(T0 + 20_500),
            Deliverable::Round {
                session: revealed,
                index: 0,
            },
            "a",
            5_000,
            10,
        )
        .expect("claims");
    assert!(
        store
            .mark_delivered(row[0].id, "a", T0 + 21_000)
            .expect("marks")
    );
    assert_eq!(
        stalled(T0 + 21_000 + IDLE),
        vec![fresh],
        "the reveal is exactly 10 s old"
    );
    assert_eq!(stalled(T0 + 21_000 + IDLE + 1), vec![revealed, fresh]);
    // A real lease: one claimer gets each session until its lease runs out.
    let claim = |now: i64, who: &str| -> usize {
        store
            .claim_stalled_sessions(Now::At(now), IDLE, who, 5_000, 10)
            .expect("the store works")
            .len()
    };
    let t = T0 + 40_000;
    assert_eq!(claim(t, "a"), 2);
    assert_eq!(claim(t + 4_999, "b"), 0, "a's lease runs");
    assert_eq!(claim(t + 5_000, "b"), 2, "a's lease ran out: b takes over");
    // The next round opens: no longer stalled. An ended quiz never is.
    store
        .open_round(&NewRound {
            session: revealed,
            index: 1,
            question_id: "q2",
            topic: Topic::Members,
            opened_ms: T0 + 40_000,
            deadline_ms: T0 + 60_000,
        })
        .expect("opens");
    store
        .finish_session(fresh, SessionEnd::Stopped, T0 + 40_000)
        .expect("stops");
    assert_eq!(stalled(T0 + 100_000), Vec::<i64>::new());
}

on_every_backend!(
    a_quiz_left_idle_between_a_reveal_and_the_next_round_is_found,
    two_claimers_never_get_the_same_round,
    a_round_closes_once_and_its_reveal_is_written_once,
    an_expired_lease_is_taken_over,
    delivered_rows_are_never_delivered_again,
    a_second_answer_by_one_user_is_refused_and_counted_once,
    the_database_clock_judges_due_rounds,
);

//! The terminal does what Discord does, against the same store: quizzes played by the one round
//! driver, study, statistics and leaderboards from `--db`, and two terminals on one database
//! that never touch each other's quiz.

use std::io::Write;
use std::process::{Command, Stdio};

use sco_bot::store::{SqliteStore, Store};

use crate::support::{run_in, scratch, stderr, stdout};

fn spawn_quiz(dir: &std::path::Path, db: &str, seed: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_sco-bot"))
        .args(["--db", db, "quiz", "--questions", "3", "--seed", seed])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sco-bot starts")
}

#[test]
fn two_terminal_quizzes_on_one_database_both_finish_and_record_every_answer() {
    let dir = scratch();
    let db = dir.path().join("two.db");
    let db = db.to_str().expect("path");
    // Both start before either is answered (the order that once made the second "resume" the
    // first and lose its answers).
    let mut first = spawn_quiz(dir.path(), db, "1");
    let mut second = spawn_quiz(dir.path(), db, "2");
    for child in [&mut first, &mut second] {
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(b"A\nB\nC\n")
            .expect("answers");
    }
    for child in [first, second] {
        let out = child.wait_with_output().expect("it ends");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("Question 3 of 3"), "{text}");
        assert!(text.contains("Final: "), "{text}");
        assert!(!text.contains("bug in sco-bot"), "{text}");
    }
    let store = SqliteStore::open(std::path::Path::new(db)).expect("opens");
    let stats = store.user_stats("local").expect("readable");
    assert_eq!((stats.games, stats.answered), (2, 6), "{stats:?}");
    assert!(store.active_sessions().expect("readable").is_empty());
    for id in [1, 2] {
        let session = store.session(id).expect("readable").expect("both stored");
        let board = store.scoreboard(id).expect("readable");
        assert_eq!(board.len(), 1, "one player in session {id}");
        assert_eq!(
            board[0].answered, 3,
            "every answer of session {id} recorded"
        );
        assert_ne!(session.channel, "terminal", "each run has its own channel");
    }
    let channels: std::collections::HashSet<String> = [1, 2]
        .iter()
        .map(|id| store.session(*id).expect("read").expect("row").channel)
        .collect();
    assert_eq!(channels.len(), 2);
}

#[test]
fn ask_answers_stats_leaderboard_and_study_from_the_database() {
    let dir = scratch();
    let db = dir.path().join("quiz.db");
    let db = db.to_str().expect("path");
    let played = run_in(
        dir.path(),
        &["--db", db, "quiz", "--questions", "2", "--seed", "5"],
        "A\nA\n",
    );
    assert!(played.status.success(), "{}", stderr(&played));
    let played_again = run_in(
        dir.path(),
        &["--db", db, "quiz", "--questions", "1", "--seed", "6"],
        "B\n",
    );
    let again = stdout(&played_again);
    assert!(
        again.starts_with("Your record so far") && again.contains("Games: 1"),
        "the second game shows the first: {again}"
    );
    assert!(
        again.contains("Your record now") && again.contains("Games: 2"),
        "{again}"
    );

    let out = run_in(
        dir.path(),
        &["--db", db, "ask", "/stats", "/leaderboard", "/study stats"],
        "",
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("Games: 2") && text.contains("Answers: 3"),
        "{text}"
    );
    assert!(text.contains("1. you — "), "{text}");
    assert!(text.contains("No study history yet"), "{text}");

    // Study: a question, answered by letter on the next line, then the progress.
    let out = run_in(
        dir.path(),
        &["--db", db, "ask"],
        "/study next\nB\n/study stats\n",
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("Study · "), "{text}");
    assert!(
        text.contains("Correct!") || text.contains("Not quite"),
        "the answer is judged: {text}"
    );
    assert!(text.contains("Next review: "), "{text}");
    assert!(text.contains("1 answered · "), "{text}");
    let store = SqliteStore::open(std::path::Path::new(db)).expect("opens");
    assert_eq!(store.cards("local").expect("readable").len(), 1);

    // Without a database the same commands say how to get one.
    let out = run_in(dir.path(), &["ask", "/stats"], "");
    assert!(stdout(&out).contains("add --db FILE"), "{}", stdout(&out));
}

#[test]
fn the_repl_plays_a_quiz_with_the_same_round_driver() {
    let dir = scratch();
    let db = dir.path().join("repl.db");
    let db = db.to_str().expect("path");
    let out = run_in(
        dir.path(),
        &["--db", db, "repl"],
        "/quiz start questions:2\nA\nB\n/stats\n",
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("Quiz: 2 questions on every topic"), "{text}");
    assert!(
        text.contains("Question 1 of 2 · ") && text.contains("Question 2 of 2 · "),
        "{text}"
    );
    assert!(text.contains("Quiz over"), "{text}");
    let store = SqliteStore::open(std::path::Path::new(db)).expect("opens");
    assert_eq!(store.user_stats("local").expect("readable").answered, 2);
}

#[test]
fn a_backup_taken_while_in_use_restores_every_game() {
    let dir = scratch();
    let db = dir.path().join("live.db");
    let backup = dir.path().join("backup.db");
    let (db, backup_s) = (db.to_str().expect("path"), backup.to_str().expect("path"));
    let played = run_in(
        dir.path(),
        &["--db", db, "quiz", "--questions", "2", "--seed", "4"],
        "A\nB\n",
    );
    assert!(played.status.success(), "{}", stderr(&played));
    let out = run_in(dir.path(), &["--db", db, "backup", backup_s], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let again = run_in(dir.path(), &["--db", db, "backup", backup_s], "");
    assert_eq!(
        again.status.code(),
        Some(1),
        "a backup never overwrites a file"
    );
    // A game after the backup is lost by the restore, as it should be.
    let later = run_in(
        dir.path(),
        &["--db", db, "quiz", "--questions", "1", "--seed", "8"],
        "A\n",
    );
    assert!(later.status.success(), "{}", stderr(&later));
    let out = run_in(dir.path(), &["--db", db, "restore", backup_s], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = run_in(dir.path(), &["--db", db, "ask", "/stats"], "");
    let text = stdout(&stats);
    assert!(
        text.contains("Games: 1") && text.contains("Answers: 2"),
        "{text}"
    );
    // Something that is not a backup is refused, and the database is left as it was.
    std::fs::write(dir.path().join("junk.db"), b"not a database").expect("written");
    let out = run_in(dir.path(), &["--db", db, "restore", "junk.db"], "");
    assert_eq!(out.status.code(), Some(1));
    let stats = run_in(dir.path(), &["--db", db, "ask", "/stats"], "");
    assert!(stdout(&stats).contains("Games: 1"), "{}", stdout(&stats));
}

#[test]
fn privacy_export_gives_every_answer_and_delete_erases_them_from_the_database() {
    let dir = scratch();
    let db = dir.path().join("quiz.db");
    let db = db.to_str().expect("path");
    let played = run_in(
        dir.path(),
        &["--db", db, "quiz", "--questions", "2", "--seed", "5"],
        "A\nA\n",
    );
    assert!(played.status.success(), "{}", stderr(&played));
    let out = run_in(
        dir.path(),
        &["--db", db, "ask", "--json", "/privacy export"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON line");
    let content = &v["file"]["content"];
    assert_eq!(content["user"], "local", "{v}");
    assert_eq!(content["answers"].as_array().map(Vec::len), Some(2), "{v}");
    assert_eq!(content["games"].as_array().map(Vec::len), Some(1), "{v}");

    // Without "yes", nothing is deleted: the reply says how to confirm.
    let out = run_in(dir.path(), &["--db", db, "ask", "/privacy delete"], "");
    assert!(
        stdout(&out).contains("/privacy delete confirm:yes"),
        "{}",
        stdout(&out)
    );
    let store = SqliteStore::open(std::path::Path::new(db)).expect("opens");
    assert_eq!(store.user_stats("local").expect("readable").answered, 2);

    let out = run_in(
        dir.path(),
        &["--db", db, "ask", "/privacy delete confirm:yes"],
        "",
    );
    let text = stdout(&out);
    assert!(text.contains("Erased 2 quiz answers"), "{text}");
    assert_eq!(store.user_stats("local").expect("readable").answered, 0);
    assert!(
        store
            .leaderboard(None, None, 10)
            .expect("readable")
            .is_empty()
    );
    assert!(
        store
            .user_data("local")
            .expect("readable")
            .answers
            .is_empty()
    );
}

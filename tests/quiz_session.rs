//! Quiz sessions on the engine and a real SQLite file: concurrent answers, timers on a paused
//! tokio clock, stopping, and a restart in the middle of a question.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sco_bot::facts::{FactBase, Kind};
use sco_bot::quiz::bank::Bank;
use sco_bot::quiz::session::{
    Answer, Clock, Closed, Driver, Engine, Mode, Next, RoundView, StartParams, Started, Stopped,
    Table, drive,
};
use sco_bot::quiz::{AnswerKind, Question, Topic};
use sco_bot::store::{
    AnswerOutcome, ScoreRow, SessionRow, SessionStatus, SqliteStore, Store, StoreError,
};
use sco_bot::{Knowledge, Reloader};

const T0: i64 = 1_800_000_000_000;

fn question(i: usize) -> Question {
    let answer = format!("Answer {i}");
    Question {
        id: format!("test/{i}"),
        topic: if i.is_multiple_of(2) {
            Topic::Summits
        } else {
            Topic::Members
        },
        prompt: format!("Question {i}?"),
        answer: answer.clone(),
        accepted: Vec::new(),
        choices: vec![
            answer,
            format!("Wrong {i}a"),
            format!("Wrong {i}b"),
            format!("Wrong {i}c"),
        ],
        correct: 0,
        wrong: vec![
            format!("Wrong {i}a"),
            format!("Wrong {i}b"),
            format!("Wrong {i}c"),
        ],
        answer_kind: AnswerKind::Name(Kind::Country),
        broader: Vec::new(),
        explanation: format!("Because {i}."),
        facts: Vec::new(),
        sources: Vec::new(),
    }
}

/// The engine over a real file, with the facts whose bank holds questions `ids`.
struct Quiz {
    engine: Arc<Engine>,
    facts: Arc<Reloader>,
}

fn knowledge(ids: impl Iterator<Item = usize>) -> Arc<Knowledge> {
    let facts = FactBase::bundled().expect("facts");
    Arc::new(Knowledge::with_bank(
        facts,
        Bank::new(ids.map(question).collect()),
    ))
}

impl Quiz {
    fn bank(&self) -> Arc<Knowledge> {
        self.facts.current()
    }
    fn start(&self, p: &StartParams, now: i64) -> Result<Started, StoreError> {
        self.engine.start(self.bank().bank(), p, now)
    }
    fn open_next(&self, s: &SessionRow, now: i64) -> Option<RoundView> {
        match self
            .engine
            .open_next(self.bank().bank(), s, now, &mut Vec::new())
            .expect("open")
        {
            Next::Round(r) => Some(*r),
            Next::Done => None,
        }
    }
    fn answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
        answer: &Answer,
        now: i64,
    ) -> Result<AnswerOutcome, StoreError> {
        self.engine
            .answer(self.bank().bank(), session, index, user, answer, now)
            .map(|a| a.stored().expect("a choice always goes to the store"))
    }
    fn close(&self, session: i64, index: u32, now: i64) -> Result<Option<Closed>, StoreError> {
        self.engine.close(self.bank().bank(), session, index, now)
    }
    fn stop(
        &self,
        channel: &str,
        user: &str,
        manage: bool,
        now: i64,
    ) -> Result<Stopped, StoreError> {
        self.engine.stop(channel, user, manage, now)
    }
    fn store(&self) -> &dyn Store {
        self.engine.store()
    }
    fn driver(&self) -> Driver {
        Driver {
            engine: Arc::clone(&self.engine),
            facts: Arc::clone(&self.facts),
        }
    }
}

fn engine_at(path: &std::path::Path) -> Arc<Quiz> {
    let store = SqliteStore::open(path).expect("the database opens");
    Arc::new(Quiz {
        engine: Arc::new(Engine::new(Arc::new(store))),
        facts: Arc::new(Reloader::fixed(knowledge(0..8))),
    })
}

fn params(questions: u32, seconds: u32) -> StartParams {
    StartParams {
        guild: Some("g1".into()),
        channel: "c1".into(),
        starter: "starter".into(),
        topic: None,
        questions,
        seconds,
        mode: Mode::Buttons,
        seed: 7,
        placement: sco_bot::quiz::Placement::Channel,
    }
}

fn started(engine: &Quiz, p: &StartParams, now: i64) -> SessionRow {
    match engine.start(p, now).expect("start") {
        Started::Started(s) => s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn concurrent_answers_count_once_per_user_and_the_scoreboard_adds_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir.path().join("quiz.db"));
    let session = started(&engine, &params(1, 30), T0);
    let round = engine.open_next(&session, T0).expect("a round");
    let correct = round.question.correct;
    let started_at = std::time::Instant::now();
    // 150 threads at once: 120 players, 30 of whom try to answer a second time (whichever of
    // their two answers arrives first counts; both are the same choice, so the totals are known).
    let handles: Vec<_> = (0..150)
        .map(|t| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || {
                let user = format!("u{}", t % 120);
                let choice = if t % 120 % 3 == 0 {
                    correct
                } else {
                    (correct + 1) % 4
                };
                engine
                    .answer(
                        session.id,
                        0,
                        &user,
                        &Answer::Choice(choice),
                        T0 + 1_000 + t as i64,
                    )
                    .expect("the store answers")
            })
        })
        .collect();
    let outcomes: Vec<AnswerOutcome> = handles
        .into_iter()
        .map(|h| h.join().expect("no thread panics"))
        .collect();
    let recorded = outcomes
        .iter()
        .filter(|o| **o == AnswerOutcome::Recorded)
        .count();
    let duplicates = outcomes
        .iter()
        .filter(|o| **o == AnswerOutcome::AlreadyAnswered)
        .count();
    eprintln!(
        "concurrency: 150 answers from 120 users in {:?}: {recorded} recorded, {duplicates} rejected as second answers",
        started_at.elapsed()
    );
    assert_eq!(recorded, 120, "exactly one answer per user");
    assert_eq!(duplicates, 30);
    let closed = engine
        .close(session.id, 0, T0 + 30_000)
        .expect("close")
        .expect("closed");
    assert!(closed.result.newly_closed);
    assert_eq!(closed.result.answers.len(), 120);
    let board = &closed.scoreboard;
    assert_eq!(board.len(), 120);
    let total: u32 = board.iter().map(|r| r.points).sum();
    let from_answers: u32 = closed.result.answers.iter().map(|a| a.points).sum();
    assert_eq!(
        total, from_answers,
        "the scoreboard is the sum of the answers"
    );
    for row in board {
        if row.correct == 1 {
            assert!((10..=15).contains(&row.points), "{row:?}");
        } else {
            assert_eq!(row.points, 0, "{row:?}");
        }
    }
    assert_eq!(board.iter().filter(|r| r.correct == 1).count(), 40);
    // Closing again applies nothing twice.
    let again = engine
        .close(session.id, 0, T0 + 31_000)
        .expect("close")
        .expect("closed");
    assert!(!again.result.newly_closed);
    assert_eq!(
        again.scoreboard.iter().map(|r| r.points).sum::<u32>(),
        total
    );
}

/// A table that records what the driver asks it to show, and lets players answer.
#[derive(Clone, Default)]
struct Recorder {
    events: Arc<Mutex<Vec<String>>>,
    asked: Arc<Mutex<Vec<String>>>,
    answer: Option<(Arc<Quiz>, Clock)>,
}

impl Table for Recorder {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        self.events
            .lock()
            .expect("events")
            .push(format!("question {}", round.index));
        self.asked
            .lock()
            .expect("asked")
            .push(round.question.id.clone());
        if let Some((engine, clock)) = &self.answer {
            // Two players: "fast" answers right at once, "slow" answers wrong later.
            let right = Answer::Choice(round.question.correct);
            let wrong = Answer::Choice((round.question.correct + 1) % 4);
            engine
                .answer(round.session, round.index, "fast", &right, clock.now_ms())
                .expect("answer");
            engine
                .answer(
                    round.session,
                    round.index,
                    "slow",
                    &wrong,
                    clock.now_ms() + 5_000,
                )
                .expect("answer");
        }
        Some(format!("m{}", round.index))
    }

    async fn reveal(&self, closed: &Closed) {
        self.events.lock().expect("events").push(format!(
            "reveal {} on {}",
            closed.round.index,
            closed.round.message_id.clone().unwrap_or_default()
        ));
    }

    async fn notice(&self, text: &str) {
        self.events
            .lock()
            .expect("events")
            .push(format!("notice {text}"));
    }

    async fn finish(&self, _: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        let top = scoreboard
            .first()
            .map(|r| format!("{} {}", r.user, r.points))
            .unwrap_or_default();
        self.events
            .lock()
            .expect("events")
            .push(format!("finish stopped={stopped} top={top}"));
    }
}

#[tokio::test(start_paused = true)]
async fn rounds_close_on_the_timer_with_a_paused_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir.path().join("quiz.db"));
    let session = started(&engine, &params(3, 30), T0);
    let clock = Clock::starting_at(T0);
    let table = Recorder {
        answer: Some((Arc::clone(&engine), clock)),
        ..Recorder::default()
    };
    let events = Arc::clone(&table.events);
    let asked = Arc::clone(&table.asked);
    let begun = tokio::time::Instant::now();
    drive(
        engine.driver(),
        session.id,
        table,
        clock,
        Arc::new(tokio::sync::Notify::new()),
    )
    .await
    .expect("the session runs");
    assert_eq!(
        begun.elapsed(),
        Duration::from_secs(90),
        "three rounds of 30 s, virtual time"
    );
    let events = events.lock().expect("events").clone();
    assert_eq!(
        events,
        [
            "question 0",
            "reveal 0 on m0",
            "question 1",
            "reveal 1 on m1",
            "question 2",
            "reveal 2 on m2",
            "finish stopped=false top=fast 45",
        ]
    );
    let s = engine
        .store()
        .session(session.id)
        .expect("read")
        .expect("session");
    assert_eq!(s.status, SessionStatus::Finished);
    let board = engine.store().scoreboard(session.id).expect("scores");
    let fast = board.iter().find(|r| r.user == "fast").expect("fast");
    assert_eq!((fast.correct, fast.streak, fast.best_streak), (3, 3, 3));
    let slow = board.iter().find(|r| r.user == "slow").expect("slow");
    assert_eq!((slow.points, slow.correct), (0, 0));
    let asked = asked.lock().expect("asked").clone();
    let distinct: std::collections::HashSet<&String> = asked.iter().collect();
    assert_eq!(
        (asked.len(), distinct.len()),
        (3, 3),
        "no question repeats within a session"
    );
}

#[tokio::test(start_paused = true)]
async fn stop_ends_the_wait_reveals_and_posts_final_scores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir.path().join("quiz.db"));
    let session = started(&engine, &params(5, 120), T0);
    let table = Recorder::default();
    let events = Arc::clone(&table.events);
    let wake = Arc::new(tokio::sync::Notify::new());
    let clock = Clock::starting_at(T0);
    let driver = tokio::spawn(drive(
        engine.driver(),
        session.id,
        table,
        clock,
        Arc::clone(&wake),
    ));
    // Let the first question be posted, then stop: only the starter or a moderator may.
    tokio::time::sleep(Duration::from_secs(5)).await;
    match engine
        .stop("c1", "someone-else", false, clock.now_ms())
        .expect("stop")
    {
        Stopped::NotAllowed { starter } => assert_eq!(starter, "starter"),
        other => panic!("{other:?}"),
    }
    match engine
        .stop("c1", "starter", false, clock.now_ms())
        .expect("stop")
    {
        Stopped::Stopped { session: id, .. } => assert_eq!(id, session.id),
        other => panic!("{other:?}"),
    }
    wake.notify_one();
    driver.await.expect("no panic").expect("the driver ends");
    let events = events.lock().expect("events").clone();
    assert_eq!(
        events,
        ["question 0", "reveal 0 on m0", "finish stopped=true top="]
    );
    assert!(matches!(
        engine.stop("c1", "starter", false, clock.now_ms()),
        Ok(Stopped::NoSession)
    ));
}

#[tokio::test(start_paused = true)]
async fn a_restart_mid_question_resumes_and_counts_nothing_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("quiz.db");
    let id;
    {
        // The first bot process: a session, its first round, two answers; then it dies.
        let engine = engine_at(&path);
        let session = started(&engine, &params(2, 30), T0);
        id = session.id;
        engine.open_next(&session, T0).expect("round");
        let (row, q) = engine.engine.current(id).expect("read").expect("round");
        let bank = engine.bank();
        let question = bank.bank().get(&q.question_id).expect("known");
        let correct = sco_bot::quiz::session::dealt(question, row.seed).correct;
        assert_eq!(
            engine
                .answer(id, 0, "alice", &Answer::Choice(correct), T0 + 1_000)
                .expect("answer"),
            AnswerOutcome::Recorded
        );
        engine
            .answer(id, 0, "bob", &Answer::Choice((correct + 1) % 4), T0 + 2_000)
            .expect("answer");
    }
    // The new process opens the same file 40 s later: the first round's deadline has passed.
    let engine = engine_at(&path);
    let active = engine.store().active_sessions().expect("read");
    assert_eq!(active.iter().map(|s| s.id).collect::<Vec<_>>(), [id]);
    assert_eq!(
        engine
            .answer(id, 0, "alice", &Answer::Choice(0), T0 + 20_000)
            .expect("answer"),
        AnswerOutcome::AlreadyAnswered,
        "the answer given before the restart is still locked in"
    );
    assert_eq!(
        engine
            .answer(id, 0, "carol", &Answer::Choice(0), T0 + 40_000)
            .expect("answer"),
        AnswerOutcome::TooLate,
        "the deadline passed while the bot was down"
    );
    let table = Recorder::default();
    let events = Arc::clone(&table.events);
    drive(
        engine.driver(),
        id,
        table,
        Clock::starting_at(T0 + 40_000),
        Arc::new(tokio::sync::Notify::new()),
    )
    .await
    .expect("resumes");
    let events = events.lock().expect("events").clone();
    assert_eq!(
        events[0], "reveal 0 on ",
        "the overdue round is closed at once"
    );
    assert_eq!(events[1], "question 1");
    assert!(events[3].starts_with("finish stopped=false"), "{events:?}");
    let board = engine.store().scoreboard(id).expect("scores");
    let alice = board.iter().find(|r| r.user == "alice").expect("alice");
    assert_eq!((alice.correct, alice.answered), (1, 1), "counted once");
    assert!((10..=15).contains(&alice.points));
    // A third process finds nothing left to resume and nothing to count again.
    let engine = engine_at(&path);
    assert!(engine.store().active_sessions().expect("read").is_empty());
    let again = engine.store().scoreboard(id).expect("scores");
    assert_eq!(again, board);
}

#[test]
fn one_session_per_channel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir.path().join("quiz.db"));
    let first = started(&engine, &params(2, 30), T0);
    match engine.start(&params(2, 30), T0 + 1).expect("start") {
        Started::AlreadyRunning { session, starter } => {
            assert_eq!((session, starter.as_str()), (first.id, "starter"));
        }
        other => panic!("{other:?}"),
    }
    let mut elsewhere = params(2, 30);
    elsewhere.channel = "c2".into();
    assert!(matches!(
        engine.start(&elsewhere, T0),
        Ok(Started::Started(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_reload_keeps_a_running_sessions_questions_and_skips_one_that_vanished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let quiz = engine_at(&dir.path().join("quiz.db"));
    let session = started(&quiz, &params(3, 30), T0);
    assert_eq!(
        session.plan.len(),
        3,
        "the questions are chosen at the start"
    );
    let table = Recorder::default();
    let (events, asked) = (Arc::clone(&table.events), Arc::clone(&table.asked));
    let driver = tokio::spawn(drive(
        quiz.driver(),
        session.id,
        table,
        Clock::starting_at(T0),
        Arc::new(tokio::sync::Notify::new()),
    ));
    tokio::time::sleep(Duration::from_secs(5)).await;
    // A reload during the first round: new questions arrive, and the plan's second is gone.
    let gone = session.plan[1].clone();
    let kept = (0..12).filter(|i| format!("test/{i}") != gone);
    quiz.facts.replace(knowledge(kept));
    driver.await.expect("no panic").expect("the session ends");
    let events = events.lock().expect("events").clone();
    assert_eq!(events[..2], ["question 0", "reveal 0 on m0"]);
    assert!(
        events[2].starts_with("notice 1 question of this quiz was removed"),
        "{events:?}"
    );
    assert_eq!(events[3..5], ["question 1", "reveal 1 on m1"]);
    assert!(events[5].starts_with("finish stopped=false"), "{events:?}");
    let asked = asked.lock().expect("asked").clone();
    assert_eq!(
        asked,
        [session.plan[0].clone(), session.plan[2].clone()],
        "the session keeps the questions it started with, none from the new bank"
    );
}

/// Waits (on the paused clock) until the session is no longer active.
async fn until_ended(quiz: &Quiz, session: i64) {
    for _ in 0..1_000 {
        let s = quiz
            .store()
            .session(session)
            .expect("read")
            .expect("session");
        if s.status != SessionStatus::Active {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the session never ended");
}

#[tokio::test(start_paused = true)]
async fn a_round_whose_process_died_is_closed_and_revealed_once_by_another_which_plays_on() {
    use sco_bot::quiz::runner::Runner;
    use sco_bot::quiz::sweeper::{Swept, sweep_once};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("quiz.db");
    // Three processes on one database; A starts the quiz and dies in its first round.
    let (a, b, c) = (engine_at(&path), engine_at(&path), engine_at(&path));
    let session = started(&a, &params(2, 30), T0);
    let dead = Recorder::default();
    let dead_events = Arc::clone(&dead.events);
    // One clock for every process's drivers and sweeps, moving with tokio's paused one.
    let clock = Clock::starting_at(sco_bot::quiz::session::wall_clock_ms());
    let runner_a = Runner::with_clock(a.driver(), clock);
    let task = runner_a.run(session.id, dead).expect("A plays it");
    tokio::time::sleep(Duration::from_secs(5)).await;
    task.abort();
    let _ = task.await;

    let shown = Recorder::default();
    let events = Arc::clone(&shown.events);
    let make = move |_: &SessionRow| Some(shown.clone());
    let (runner_b, runner_c) = (
        Runner::with_clock(b.driver(), clock),
        Runner::with_clock(c.driver(), clock),
    );
    // Not overdue yet: its deadline is 25 s away.
    let early = sweep_once(&runner_b, &make, clock).await.expect("sweeps");
    assert_eq!(early, Swept::default());
    tokio::time::sleep(Duration::from_secs(27)).await;
    // B and C sweep at once: one of them closes, reveals and takes over the quiz.
    let (from_b, from_c) = tokio::join!(
        sweep_once(&runner_b, &make, clock),
        sweep_once(&runner_c, &make, clock)
    );
    let (from_b, from_c) = (from_b.expect("sweeps"), from_c.expect("sweeps"));
    assert_eq!(
        from_b.closed.len() + from_c.closed.len(),
        1,
        "{from_b:?} {from_c:?}"
    );
    assert_eq!(
        from_b.revealed + from_c.revealed,
        1,
        "{from_b:?} {from_c:?}"
    );
    assert_eq!(from_b.adopted.len() + from_c.adopted.len(), 1);
    let again = sweep_once(&runner_b, &make, clock).await.expect("sweeps");
    assert_eq!((again.closed.len(), again.revealed), (0, 0), "{again:?}");

    until_ended(&b, session.id).await;
    assert_eq!(*dead_events.lock().expect("events"), ["question 0"]);
    assert_eq!(
        *events.lock().expect("events"),
        [
            "reveal 0 on m0",
            "question 1",
            "reveal 1 on m1",
            "finish stopped=false top="
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_reveal_its_closer_never_showed_is_shown_by_the_next_driver_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_at(&dir.path().join("quiz.db"));
    let session = started(&engine, &params(2, 30), T0);
    engine.open_next(&session, T0).expect("round");
    // Closed (say by another replica's sweep), which died before showing the reveal.
    engine.close(session.id, 0, T0 + 30_000).expect("closes");
    let table = Recorder::default();
    let events = Arc::clone(&table.events);
    let clock = Clock::starting_at(T0 + 31_000);
    drive(
        engine.driver(),
        session.id,
        table,
        clock,
        Arc::new(tokio::sync::Notify::new()),
    )
    .await
    .expect("the session runs");
    assert_eq!(
        *events.lock().expect("events"),
        [
            "reveal 0 on ",
            "question 1",
            "reveal 1 on m1",
            "finish stopped=false top="
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_quiz_whose_process_died_between_a_reveal_and_the_next_round_is_played_on_once() {
    use sco_bot::quiz::runner::Runner;
    use sco_bot::quiz::sweeper::{STALLED_MS, Swept, sweep_once};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("quiz.db");
    // A plays round 0, shows its reveal, and dies before opening round 1: nothing is overdue.
    let (a, b, c) = (engine_at(&path), engine_at(&path), engine_at(&path));
    let session = started(&a, &params(2, 30), T0);
    a.open_next(&session, T0).expect("round 0");
    a.close(session.id, 0, T0 + 30_000).expect("closes");
    let reveal = a
        .engine
        .claim_reveal(a.bank().bank(), session.id, 0, T0 + 30_000)
        .expect("claims")
        .expect("its reveal");
    assert!(
        a.engine
            .delivered(reveal.outbox, T0 + 30_500)
            .expect("marks")
    );

    let shown = Recorder::default();
    let events = Arc::clone(&shown.events);
    let make = move |_: &SessionRow| Some(shown.clone());
    let clock = Clock::starting_at(T0 + 31_000);
    let (runner_b, runner_c) = (
        Runner::with_clock(b.driver(), clock),
        Runner::with_clock(c.driver(), clock),
    );
    let early = sweep_once(&runner_b, &make, clock).await.expect("sweeps");
    assert_eq!(
        early,
        Swept::default(),
        "a driver may still be opening round 1"
    );
    tokio::time::sleep(Duration::from_millis(STALLED_MS as u64)).await;
    // B and C sweep at once: both may start a driver, one opens round 1, the other bows out.
    let (from_b, from_c) = tokio::join!(
        sweep_once(&runner_b, &make, clock),
        sweep_once(&runner_c, &make, clock)
    );
    let (from_b, from_c) = (from_b.expect("sweeps"), from_c.expect("sweeps"));
    assert!(
        !from_b.adopted.is_empty() || !from_c.adopted.is_empty(),
        "{from_b:?} {from_c:?}"
    );
    assert_eq!((from_b.closed.len(), from_c.closed.len()), (0, 0));

    until_ended(&b, session.id).await;
    assert_eq!(
        *events.lock().expect("events"),
        ["question 1", "reveal 1 on m1", "finish stopped=false top="]
    );
}

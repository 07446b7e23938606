//! Channel quiz sessions: start, answer, close rounds on a timer, stop, and resume after a
//! restart. All state lives in the [`Store`]; the [`Engine`] holds none between calls, so a
//! restarted bot picks up exactly where the database says it was.
//!
//! A session keeps the questions it started with: their ids are stored with it (its plan), and
//! each round looks its question up in the bank of the facts served now. A question that
//! vanished in a reload is skipped with a notice.
//!
//! [`drive`] runs one session's rounds against a [`Table`] (where the quiz is played: a Discord
//! channel, a terminal, a test double); it is the one round driver of every front end. Its
//! waits use tokio's clock, so tests pause and advance time instead of sleeping, and its store
//! calls run on tokio's blocking pool.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::bank::Bank;
use super::check::{self, Judgement};
use super::rng::Rng;
use super::{Question, Topic};
use crate::Reloader;
use crate::store::{
    AnswerOutcome, Deliverable, NewRound, NewSession, Now, RoundResult, RoundRow, ScoreRow,
    SessionEnd, SessionRow, SessionStatus, Store, StoreError,
};

/// Questions per session when the user does not say.
pub const DEFAULT_QUESTIONS: u32 = 10;
/// Most questions per session.
pub const MAX_QUESTIONS: u32 = 50;
/// Seconds per question when the user does not say.
pub const DEFAULT_SECONDS: u32 = 30;
/// Fewest and most seconds per question.
pub const SECONDS_RANGE: (u32, u32) = (10, 120);

/// How answers are given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Pick one of four choices, A–D.
    Buttons,
    /// Free recall: the answer is typed, judged by [`check`].
    Typed,
}

impl Mode {
    /// The word used in commands and the store.
    pub fn key(self) -> &'static str {
        match self {
            Mode::Buttons => "buttons",
            Mode::Typed => "typed",
        }
    }

    /// The mode named by its key.
    pub fn from_key(key: &str) -> Option<Mode> {
        match key {
            "buttons" => Some(Mode::Buttons),
            "typed" => Some(Mode::Typed),
            _ => None,
        }
    }
}

/// Where a session's rounds are shown: posted in its channel by the bot, or, where the bot
/// cannot post there (a user install in a server without the bot, a group DM), as follow-ups
/// of the players' own interactions, in batches ending with a "Next question" button. Stored
/// with the session, so a restarted bot resumes it the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Rounds posted in the channel.
    Channel,
    /// Rounds as interaction follow-ups.
    Followups,
}

impl Placement {
    /// The word stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            Placement::Channel => "channel",
            Placement::Followups => "followups",
        }
    }

    /// The placement named by its key.
    pub fn from_key(key: &str) -> Option<Placement> {
        match key {
            "channel" => Some(Placement::Channel),
            "followups" => Some(Placement::Followups),
            _ => None,
        }
    }
}

/// What a user asked for with `/quiz start`.
#[derive(Clone, Debug)]
pub struct StartParams {
    /// The server, if not a DM.
    pub guild: Option<String>,
    /// The channel the quiz runs in.
    pub channel: String,
    /// Who started it.
    pub starter: String,
    /// Only questions of this topic.
    pub topic: Option<Topic>,
    /// How many questions (clamped to 1..=50).
    pub questions: u32,
    /// Seconds per question (clamped to 10..=120).
    pub seconds: u32,
    /// Choices or typed answers.
    pub mode: Mode,
    /// Picks and orders the questions, and deals their choices.
    pub seed: u64,
    /// Where its rounds are shown.
    pub placement: Placement,
}

/// The result of `/quiz start`.
#[derive(Clone, Debug)]
pub enum Started {
    /// A new session.
    Started(SessionRow),
    /// The channel already has one.
    AlreadyRunning {
        /// Its id.
        session: i64,
        /// Who started it.
        starter: String,
    },
    /// The topic has no questions.
    NoQuestions,
}

/// An answer a user gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The index of a choice (0 = A).
    Choice(usize),
    /// Typed text.
    Text(String),
    /// Typed text after a "more specific, please": a broader answer is now simply wrong, so a
    /// player gets one more try, not endless ones.
    LastTry(String),
}

/// What became of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    /// It went to the store, which says what became of it.
    Stored(AnswerOutcome),
    /// "More specific, please": the typed answer names a broader or partial thing that
    /// includes the answer. Nothing was stored; the player may try once more (as
    /// [`Answer::LastTry`]).
    MoreSpecific {
        /// What the answer was taken as (see [`check::Judgement::MoreSpecific`]).
        broader: String,
    },
}

impl Answered {
    /// The store's outcome, if the answer went to the store.
    pub fn stored(self) -> Option<AnswerOutcome> {
        match self {
            Answered::Stored(o) => Some(o),
            Answered::MoreSpecific { .. } => None,
        }
    }
}

/// A round as shown to players.
#[derive(Clone, Debug)]
pub struct RoundView {
    /// The session.
    pub session: i64,
    /// 0-based question number.
    pub index: u32,
    /// Questions in the session.
    pub total: u32,
    /// The question, its choices dealt for this session.
    pub question: Question,
    /// When answers close (ms since the epoch).
    pub deadline_ms: i64,
    /// Choices or typed.
    pub mode: Mode,
    /// How often this question was asked before, and answered right: a difficulty estimate.
    pub asked: u32,
    /// See `asked`.
    pub answered_right: u32,
    /// The message showing the question, once posted.
    pub message_id: Option<String>,
}

impl RoundView {
    /// "easy", "medium" or "hard" from how often players got it right, once it was asked
    /// often enough to tell.
    pub fn difficulty(&self) -> Option<&'static str> {
        if self.asked < 5 {
            return None;
        }
        let rate = f64::from(self.answered_right) / f64::from(self.asked);
        Some(if rate >= 0.7 {
            "easy"
        } else if rate >= 0.4 {
            "medium"
        } else {
            "hard"
        })
    }
}

/// A closed round: what to reveal.
#[derive(Clone, Debug)]
pub struct Closed {
    /// The round.
    pub round: RoundView,
    /// Every answer with its points.
    pub result: RoundResult,
    /// The session's scoreboard after this round.
    pub scoreboard: Vec<ScoreRow>,
    /// The canonical answer and every accepted alternative.
    pub reveal: String,
}

/// How long a claimed reveal is this process's to show before another may take it over: well
/// past the longest a post is retried (`discord::retry::POST_WITHIN`).
pub const REVEAL_LEASE_MS: i64 = 30_000;

/// A round's reveal, claimed from the outbox by this process.
#[derive(Clone, Debug)]
pub struct Reveal {
    /// The outbox row (for [`Engine::delivered`]).
    pub outbox: i64,
    /// What to show, if anything still can be.
    pub closed: Option<Closed>,
}

/// The result of `/quiz stop`.
#[derive(Clone, Debug)]
pub enum Stopped {
    /// Stopped; the final scoreboard.
    Stopped {
        /// The session.
        session: i64,
        /// Final scores.
        scoreboard: Vec<ScoreRow>,
    },
    /// Only the starter or a moderator may stop it.
    NotAllowed {
        /// Who started it.
        starter: String,
    },
    /// No quiz runs in this channel.
    NoSession,
}

/// What opening the next round gave.
#[derive(Clone, Debug)]
pub enum Next {
    /// A round is open (newly, or it already was).
    Round(Box<RoundView>),
    /// Every question of the plan was asked.
    Done,
}

/// A question as dealt in one session: its choices in an order drawn from the session's seed,
/// so the right letter changes from session to session (players learn facts, not letters) yet
/// stays the same after a restart.
pub fn dealt(q: &Question, seed: u64) -> Question {
    let mut order: Vec<usize> = (0..q.choices.len()).collect();
    Rng::new(seed, &q.id).shuffle(&mut order);
    let mut out = q.clone();
    out.choices = order.iter().map(|&i| q.choices[i].clone()).collect();
    out.correct = order
        .iter()
        .position(|&i| i == q.correct)
        .unwrap_or(q.correct);
    out
}

/// The quiz engine: quiz rules over a store. Stateless between calls; each call takes the bank
/// of the facts it answers from.
pub struct Engine {
    store: Arc<dyn Store>,
    /// Who this process is when it leases work in the store (rounds to close, reveals to
    /// deliver): unique per engine, so two processes never hold one lease.
    owner: String,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .field("owner", &self.owner)
            .finish()
    }
}

/// The plan of a session stored before plans were kept: derived from its seed.
fn legacy_plan(bank: &Bank, s: &SessionRow) -> Vec<String> {
    bank.order(s.topic, s.seed)
        .into_iter()
        .take(s.questions as usize)
        .map(|q| q.id.clone())
        .collect()
}

impl Engine {
    /// An engine over a store.
    pub fn new(store: Arc<dyn Store>) -> Engine {
        static ENGINES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = ENGINES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let owner = format!("{}-{}-{n}", std::process::id(), wall_clock_ms());
        Engine { store, owner }
    }

    /// Who this engine is when it leases work in the store.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// "Now" for a lease: the database's clock where it is shared by many processes (a
    /// database server), else `now_ms` (one file's processes share the host's clock, and
    /// tests pause it).
    pub fn lease_now(&self, now_ms: i64) -> Now {
        if self.store.database_clock() {
            Now::Database
        } else {
            Now::At(now_ms)
        }
    }

    /// Claims the reveal of round `index` of a session (written to the outbox when the round
    /// closed) for this process, unless it was delivered or another process holds it, and says
    /// what it shows (`closed`: `None` when there is nothing to show any more, e.g. its question
    /// left the bank). Whoever gets it shows it, then calls [`Engine::delivered`].
    pub fn claim_reveal(
        &self,
        bank: &Bank,
        session: i64,
        index: u32,
        now_ms: i64,
    ) -> Result<Option<Reveal>, StoreError> {
        let claimed = self.store.claim_outbox(
            self.lease_now(now_ms),
            Deliverable::Round { session, index },
            &self.owner,
            REVEAL_LEASE_MS,
            1,
        )?;
        let Some(row) = claimed.into_iter().next() else {
            return Ok(None);
        };
        Ok(Some(Reveal {
            outbox: row.id,
            closed: self.close(bank, session, index, now_ms)?,
        }))
    }

    /// Records a claimed reveal as shown, releasing its lease; `false` if the lease had run
    /// out and another process took it (then it may be shown twice: a channel post carries a
    /// nonce Discord enforces, so there it shows once).
    pub fn delivered(&self, outbox: i64, now_ms: i64) -> Result<bool, StoreError> {
        self.store.mark_delivered(outbox, &self.owner, now_ms)
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The store, shared (for tasks of their own, such as `crate::retention::spawn`).
    pub fn shared_store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Starts a session in a channel, unless one runs there. Does not open a round: [`drive`]
    /// does.
    pub fn start(&self, bank: &Bank, p: &StartParams, now_ms: i64) -> Result<Started, StoreError> {
        let questions = p.questions.clamp(1, MAX_QUESTIONS) as usize;
        let plan: Vec<String> = bank
            .plan(p.topic, p.seed, questions)
            .into_iter()
            .map(|q| q.id.clone())
            .collect();
        if plan.is_empty() {
            return Ok(Started::NoQuestions);
        }
        let new = NewSession {
            guild: p.guild.clone(),
            channel: p.channel.clone(),
            starter: p.starter.clone(),
            topic: p.topic,
            questions: plan.len() as u32,
            seconds: p.seconds.clamp(SECONDS_RANGE.0, SECONDS_RANGE.1),
            mode: p.mode,
            seed: p.seed,
            plan,
            placement: p.placement,
            started_ms: now_ms,
        };
        match self.store.start_session(&new)? {
            Ok(id) => Ok(self
                .store
                .session(id)?
                .map_or(Started::NoQuestions, Started::Started)),
            Err(active) => Ok(Started::AlreadyRunning {
                session: active.session,
                starter: active.starter,
            }),
        }
    }

    /// A round as players see it; `None` when its question left the bank.
    fn view(
        &self,
        bank: &Bank,
        session: &SessionRow,
        round: &RoundRow,
    ) -> Result<Option<RoundView>, StoreError> {
        let Some(question) = bank.get(&round.question_id) else {
            return Ok(None);
        };
        let (asked, answered_right) = self.store.question_stats(&question.id)?;
        Ok(Some(RoundView {
            session: session.id,
            index: round.index,
            total: session.questions,
            question: dealt(question, session.seed),
            deadline_ms: round.deadline_ms,
            mode: session.mode,
            asked,
            answered_right,
            message_id: round.message_id.clone(),
        }))
    }

    /// The session and its open or last round.
    pub fn current(&self, session: i64) -> Result<Option<(SessionRow, RoundRow)>, StoreError> {
        let Some(s) = self.store.session(session)? else {
            return Ok(None);
        };
        Ok(self.store.current_round(session)?.map(|r| (s, r)))
    }

    /// The open round of a session as players see it, if one is open and its question is known.
    pub fn open_round(&self, bank: &Bank, session: i64) -> Result<Option<RoundView>, StoreError> {
        match self.current(session)? {
            Some((s, r)) if !r.closed && s.status == SessionStatus::Active => {
                self.view(bank, &s, &r)
            }
            _ => Ok(None),
        }
    }

    /// Opens the next round of a session (or returns the one open). Questions of the plan that
    /// the bank no longer has are skipped; their ids are pushed to `vanished`.
    pub fn open_next(
        &self,
        bank: &Bank,
        session: &SessionRow,
        now_ms: i64,
        vanished: &mut Vec<String>,
    ) -> Result<Next, StoreError> {
        let current = self.store.current_round(session.id)?;
        if let Some(r) = &current
            && !r.closed
        {
            if let Some(view) = self.view(bank, session, r)? {
                return Ok(Next::Round(Box::new(view)));
            }
            // Its question vanished while it was open: close it unscored-by-anyone and move on.
            vanished.push(r.question_id.clone());
            self.store.close_round(session.id, r.index, now_ms)?;
        }
        let plan = if session.plan.is_empty() {
            legacy_plan(bank, session)
        } else {
            session.plan.clone()
        };
        // The plan position after the last round asked.
        let mut position = match &current {
            Some(r) => plan
                .iter()
                .position(|id| *id == r.question_id)
                .map_or(r.index as usize + 1, |p| p + 1),
            None => 0,
        };
        let index = current.as_ref().map_or(0, |r| r.index + 1);
        while let Some(id) = plan.get(position) {
            let Some(q) = bank.get(id) else {
                vanished.push(id.clone());
                position += 1;
                continue;
            };
            let deadline = now_ms + i64::from(session.seconds) * 1000;
            self.store.open_round(&NewRound {
                session: session.id,
                index,
                question_id: &q.id,
                topic: q.topic,
                opened_ms: now_ms,
                deadline_ms: deadline,
            })?;
            return match self.store.current_round(session.id)? {
                Some(r) => Ok(self
                    .view(bank, session, &r)?
                    .map_or(Next::Done, |v| Next::Round(Box::new(v)))),
                None => Ok(Next::Done),
            };
        }
        Ok(Next::Done)
    }

    /// Records a player's answer to the open round. Typed answers are judged now; nothing is
    /// revealed until the round closes. A typed answer that is broader than the answer (see
    /// [`check::Judgement::MoreSpecific`]) is not recorded: the player is asked for more.
    pub fn answer(
        &self,
        bank: &Bank,
        session: i64,
        index: u32,
        user: &str,
        answer: &Answer,
        now_ms: i64,
    ) -> Result<Answered, StoreError> {
        let stored = |o: AnswerOutcome| Ok(Answered::Stored(o));
        let Some((s, round)) = self.current(session)? else {
            return stored(AnswerOutcome::NoSuchQuestion);
        };
        if s.status != SessionStatus::Active {
            return stored(AnswerOutcome::NoSuchQuestion);
        }
        if round.index != index {
            return stored(if index < round.index {
                AnswerOutcome::TooLate
            } else {
                AnswerOutcome::NoSuchQuestion
            });
        }
        let Some(q) = bank.get(&round.question_id).map(|q| dealt(q, s.seed)) else {
            return stored(AnswerOutcome::NoSuchQuestion);
        };
        let (text, correct) = match answer {
            Answer::Choice(i) => (
                q.choices.get(*i).cloned().unwrap_or_default(),
                *i == q.correct,
            ),
            Answer::Text(t) | Answer::LastTry(t) => {
                let correct = match check::judge(t, &q) {
                    Judgement::Correct { .. } => true,
                    Judgement::MoreSpecific { broader } if matches!(answer, Answer::Text(_)) => {
                        return Ok(Answered::MoreSpecific { broader });
                    }
                    _ => false,
                };
                (t.chars().take(200).collect(), correct)
            }
        };
        self.store
            .record_answer(session, index, user, &text, correct, now_ms)
            .map(Answered::Stored)
    }

    /// Closes a round (exactly once; a second call changes nothing) and says what to reveal.
    pub fn close(
        &self,
        bank: &Bank,
        session: i64,
        index: u32,
        now_ms: i64,
    ) -> Result<Option<Closed>, StoreError> {
        let Some(s) = self.store.session(session)? else {
            return Ok(None);
        };
        let Some(round) = self.store.current_round(session)? else {
            return Ok(None);
        };
        if round.index != index {
            return Ok(None);
        }
        let result = self.store.close_round(session, index, now_ms)?;
        let scoreboard = self.store.scoreboard(session)?;
        let Some(view) = self.view(bank, &s, &round)? else {
            return Ok(None);
        };
        let reveal = check::reveal(&view.question);
        Ok(Some(Closed {
            round: view,
            result,
            scoreboard,
            reveal,
        }))
    }

    /// Ends the active sessions that no driver will play again, as `orphaned` decides (the
    /// terminal: those of a process that is gone). Each one's open round is closed first, so
    /// every answer given in it counts, once (closing is idempotent); then the session ends as
    /// abandoned. Returns their ids.
    pub fn close_orphans(
        &self,
        orphaned: impl Fn(&SessionRow) -> bool,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut closed = Vec::new();
        for s in self.store.active_sessions()? {
            if !orphaned(&s) {
                continue;
            }
            if let Some(r) = self.store.current_round(s.id)?
                && !r.closed
            {
                self.store
                    .close_round(s.id, r.index, now_ms.max(r.opened_ms))?;
            }
            self.store
                .finish_session(s.id, SessionEnd::Abandoned, now_ms)?;
            closed.push(s.id);
        }
        Ok(closed)
    }

    /// Stops the quiz in a channel, if `user` started it or `can_manage` (a moderator).
    pub fn stop(
        &self,
        channel: &str,
        user: &str,
        can_manage: bool,
        now_ms: i64,
    ) -> Result<Stopped, StoreError> {
        let Some(s) = self.store.active_session(channel)? else {
            return Ok(Stopped::NoSession);
        };
        if s.starter != user && !can_manage {
            return Ok(Stopped::NotAllowed { starter: s.starter });
        }
        // End the session first, so a round timer firing meanwhile cannot open another
        // question; then score the open round (closing is idempotent: the timer's own close
        // changes nothing more).
        self.store
            .finish_session(s.id, SessionEnd::Stopped, now_ms)?;
        if let Some(r) = self.store.current_round(s.id)?
            && !r.closed
        {
            self.store.close_round(s.id, r.index, now_ms)?;
        }
        Ok(Stopped::Stopped {
            session: s.id,
            scoreboard: self.store.scoreboard(s.id)?,
        })
    }
}

/// Where a session is played: the front end posts and edits what [`drive`] tells it.
pub trait Table: Send + Sync {
    /// Shows a new question; returns the id of the message showing it, if any.
    fn post_question(&self, round: &RoundView) -> impl Future<Output = Option<String>> + Send;
    /// The round is over: disable its answers, mark the correct one, reveal and score.
    fn reveal(&self, closed: &Closed) -> impl Future<Output = ()> + Send;
    /// Something players should know (a question removed by an update of the facts).
    fn notice(&self, text: &str) -> impl Future<Output = ()> + Send;
    /// Waits until the table can show what comes next (a round, or the final scores): at once
    /// for a channel; where rounds go out through interaction responses, until a player asks
    /// for the next question. `false`: nobody will (the session is abandoned).
    fn ready(&self) -> impl Future<Output = bool> + Send {
        async { true }
    }
    /// The session is over (finished, or stopped early): the final scoreboard.
    fn finish(
        &self,
        session: &SessionRow,
        scoreboard: &[ScoreRow],
        stopped: bool,
    ) -> impl Future<Output = ()> + Send;
}

/// Milliseconds since the Unix epoch, from the wall clock.
pub fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A clock for [`drive`]: the wall clock at start plus tokio's elapsed time, so a paused tokio
/// clock in tests moves it too.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    base_ms: i64,
    base: tokio::time::Instant,
}

impl Clock {
    /// A clock reading `now_ms` now.
    pub fn starting_at(now_ms: i64) -> Clock {
        Clock {
            base_ms: now_ms,
            base: tokio::time::Instant::now(),
        }
    }

    /// The current time in ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.base_ms + self.base.elapsed().as_millis() as i64
    }
}

/// Runs a blocking store step on tokio's blocking pool, so a busy database never stalls the
/// async workers. A panic in the step is passed on.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => panic!("a blocking store step was cancelled: {e}"),
    }
}

/// What [`drive`] needs: the engine, and the facts whose bank each round reads.
#[derive(Clone)]
pub struct Driver {
    /// The quiz engine.
    pub engine: Arc<Engine>,
    /// The facts served now (their question bank follows reloads).
    pub facts: Arc<Reloader>,
}

/// Plays a session to its end: opens each round, waits for its deadline (or `wake`), closes and
/// reveals it, and finishes. Resumes from whatever state the store holds (after a restart: a
/// round whose deadline passed is closed at once, an open one waits for the time it has left,
/// a question never posted is posted). Returns when the session is over or was stopped; notify
/// `wake` to end a round's wait early (after `/quiz stop`, or when every player has answered).
/// A store error is retried (the store may be busy); if it persists, the session is abandoned
/// with a notice instead of staying active forever.
pub async fn drive(
    driver: Driver,
    session_id: i64,
    table: impl Table,
    clock: Clock,
    wake: Arc<tokio::sync::Notify>,
) -> Result<(), StoreError> {
    const ATTEMPTS: u32 = 3;
    let mut attempt = 0;
    loop {
        match rounds(&driver, session_id, &table, clock, &wake).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt + 1 < ATTEMPTS => {
                attempt += 1;
                tracing::warn!(session = session_id, "quiz round failed ({e}); retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                tracing::error!(session = session_id, "quiz session abandoned: {e}");
                let engine = Arc::clone(&driver.engine);
                let now = clock.now_ms();
                let ended = blocking(move || {
                    // Best effort: the store has just failed three times.
                    let store = engine.store();
                    let _ = store.finish_session(session_id, SessionEnd::Abandoned, now);
                    let session = store.session(session_id).ok().flatten();
                    let board = store.scoreboard(session_id).unwrap_or_default();
                    session.map(|s| (s, board))
                })
                .await;
                table.notice(&abandoned_notice(&e)).await;
                if let Some((session, board)) = ended {
                    table.finish(&session, &board, true).await;
                }
                return Err(e);
            }
        }
    }
}

/// What players are told when their quiz had to end because the store kept failing: why, in
/// words they can pass on, and that what was saved stays saved.
pub fn abandoned_notice(e: &StoreError) -> String {
    let why = match e {
        StoreError::ReadOnly { .. } => "my database has become read-only",
        StoreError::Full { .. } => "my database's disk is full",
        StoreError::Locked { .. } => "my database stayed locked by another program",
        _ => "I could not reach my database",
    };
    format!(
        "This quiz had to end: {why}, so nothing more could be saved. Every answer saved before is kept; please tell the bot's operator."
    )
}

/// One step of the driver, run off the async workers.
async fn step<T: Send + 'static>(
    driver: &Driver,
    f: impl FnOnce(&Engine, &Bank) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let engine = Arc::clone(&driver.engine);
    let knowledge = driver.facts.current();
    blocking(move || f(&engine, knowledge.bank())).await
}

async fn rounds(
    driver: &Driver,
    session_id: i64,
    table: &impl Table,
    clock: Clock,
    wake: &tokio::sync::Notify,
) -> Result<(), StoreError> {
    let mut first = true;
    loop {
        if !table.ready().await {
            let now = clock.now_ms();
            tracing::info!(
                session = session_id,
                "nobody asked for the next question; quiz abandoned"
            );
            step(driver, move |engine, _| {
                engine
                    .store()
                    .finish_session(session_id, SessionEnd::Abandoned, now)
            })
            .await?;
            return Ok(());
        }
        if std::mem::take(&mut first)
            && let Some(reveal) = pending_reveal(driver, session_id, clock).await?
        {
            show(driver, table, reveal, clock, None).await?;
        }
        let now = clock.now_ms();
        let opened = step(driver, move |engine, bank| {
            let Some(session) = engine.store().session(session_id)? else {
                return Ok((None, Next::Done, Vec::new(), Vec::new()));
            };
            let mut vanished = Vec::new();
            let next = if session.status == SessionStatus::Active {
                engine.open_next(bank, &session, now, &mut vanished)?
            } else {
                Next::Done
            };
            if matches!(next, Next::Done) && session.status == SessionStatus::Active {
                engine
                    .store()
                    .finish_session(session_id, SessionEnd::Finished, now)?;
            }
            let board = match next {
                Next::Done => engine.store().scoreboard(session_id)?,
                Next::Round(_) => Vec::new(),
            };
            Ok((Some(session), next, vanished, board))
        })
        .await;
        let (session, next, vanished, board) = match opened {
            // Another process opened it first: it plays this session now (it took over a
            // round this one was late to close), so this driver bows out.
            Err(StoreError::RoundExists { .. }) => {
                tracing::info!(
                    session = session_id,
                    "another process plays this quiz now; leaving it to it"
                );
                return Ok(());
            }
            other => other?,
        };
        let Some(session) = session else {
            return Ok(());
        };
        if !vanished.is_empty() {
            let n = vanished.len();
            table
                .notice(&format!(
                    "{n} question{} of this quiz {} removed by an update of the fact base, so {} skipped.",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "was" } else { "were" },
                    if n == 1 { "it is" } else { "they are" },
                ))
                .await;
        }
        let mut round = match next {
            Next::Round(round) => *round,
            Next::Done => {
                let stopped = session.status != SessionStatus::Active;
                table.finish(&session, &board, stopped).await;
                return Ok(());
            }
        };
        let left = round.deadline_ms - clock.now_ms();
        if left > 0 {
            // Posted now if it never was (the post failed, or the bot died in between); an
            // overdue round is closed without being shown first.
            if round.message_id.is_none()
                && let Some(id) = table.post_question(&round).await
            {
                let (s, i, m) = (round.session, round.index, id.clone());
                step(driver, move |engine, _| {
                    engine.store().set_message(s, i, &m)
                })
                .await?;
                round.message_id = Some(id);
            }
            // `wake` is notified by `/quiz stop`, so the final scoreboard follows at once.
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(left as u64)) => {}
                () = wake.notified() => {}
            }
        }
        // Closed meanwhile (by `/quiz stop`, or by another process that found it overdue)?
        // Then `close` changes nothing more. Whoever closed it wrote its reveal to the outbox:
        // it is shown here if this process gets it first, so it is shown once.
        let (index, now) = (round.index, clock.now_ms());
        let reveal = step(driver, move |engine, bank| {
            engine.close(bank, session_id, index, now)?;
            engine.claim_reveal(bank, session_id, index, now)
        })
        .await?;
        if let Some(reveal) = reveal {
            show(driver, table, reveal, clock, round.message_id.clone()).await?;
        }
    }
}

/// Shows a claimed reveal and records it as shown.
async fn show(
    driver: &Driver,
    table: &impl Table,
    reveal: Reveal,
    clock: Clock,
    message_id: Option<String>,
) -> Result<(), StoreError> {
    if let Some(mut closed) = reveal.closed {
        if message_id.is_some() {
            closed.round.message_id = message_id;
        }
        table.reveal(&closed).await;
    }
    let (outbox, now) = (reveal.outbox, clock.now_ms());
    if !step(driver, move |engine, _| engine.delivered(outbox, now)).await? {
        tracing::warn!(outbox, "a reveal's lease ran out while it was shown");
    }
    Ok(())
}

/// The reveal of a session's last closed round, if nobody showed it (its closer died first):
/// claimed for this process.
async fn pending_reveal(
    driver: &Driver,
    session_id: i64,
    clock: Clock,
) -> Result<Option<Reveal>, StoreError> {
    let now = clock.now_ms();
    step(driver, move |engine, bank| {
        match engine.store().current_round(session_id)? {
            Some(r) if r.closed => engine.claim_reveal(bank, session_id, r.index, now),
            _ => Ok(None),
        }
    })
    .await
}

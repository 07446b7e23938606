//! Channel quiz sessions: start, answer, close rounds on a timer, stop, and resume after a
//! restart. All state lives in the [`Store`]; this module holds none between calls, so a
//! restarted bot picks up exactly where the database says it was.
//!
//! [`drive`] runs one session's rounds against a [`Table`] (where the quiz is played: a Discord
//! channel, a test double). Its waits use tokio's clock, so tests pause and advance time
//! instead of sleeping.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::check::{self, Judgement};
use super::rng::Rng;
use super::{Question, Topic};
use crate::store::{
    AnswerOutcome, NewSession, RoundResult, RoundRow, ScoreRow, SessionEnd, SessionRow,
    SessionStatus, Store, StoreError,
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
    /// Four buttons, A–D.
    Buttons,
    /// Free recall: an "Answer" button opens a text box, judged by [`check`].
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
    /// Buttons or typed answers.
    pub mode: Mode,
    /// Picks and orders the questions.
    pub seed: u64,
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
    /// The index of a button (0 = A).
    Choice(usize),
    /// Typed text.
    Text(String),
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
    /// The question.
    pub question: Question,
    /// When answers close (ms since the epoch).
    pub deadline_ms: i64,
    /// Buttons or typed.
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
    /// Only the starter or a member with Manage Messages may stop it.
    NotAllowed {
        /// Who started it.
        starter: String,
    },
    /// No quiz runs in this channel.
    NoSession,
}

/// The quiz engine: the question bank and the store.
pub struct Engine {
    store: Arc<Store>,
    bank: Vec<Question>,
    by_id: HashMap<String, usize>,
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

impl Engine {
    /// An engine over a question bank (from [`super::generate::generate`]).
    pub fn new(store: Arc<Store>, bank: Vec<Question>) -> Engine {
        let by_id = bank
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        Engine { store, bank, by_id }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A question by id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.bank[i])
    }

    /// The questions of a topic (or all) in the order a seed gives: the same seed, the same
    /// order, so a resumed session asks what it would have; no question twice.
    pub fn order(&self, topic: Option<Topic>, seed: u64) -> Vec<&Question> {
        let mut list: Vec<(u64, &Question)> = self
            .bank
            .iter()
            .filter(|q| topic.is_none_or(|t| q.topic == t))
            .map(|q| (Rng::new(seed, &q.id).next(), q))
            .collect();
        list.sort_by_key(|(k, q)| (*k, q.id.clone()));
        list.into_iter().map(|(_, q)| q).collect()
    }

    /// Starts a session in a channel, unless one runs there. Does not open a round: [`drive`]
    /// does.
    pub fn start(&self, p: &StartParams, now_ms: i64) -> Result<Started, StoreError> {
        let available = self.order(p.topic, p.seed).len() as u32;
        if available == 0 {
            return Ok(Started::NoQuestions);
        }
        let questions = p.questions.clamp(1, MAX_QUESTIONS).min(available);
        let seconds = p.seconds.clamp(SECONDS_RANGE.0, SECONDS_RANGE.1);
        let new = NewSession {
            guild: p.guild.clone(),
            channel: p.channel.clone(),
            starter: p.starter.clone(),
            topic: p.topic.map(|t| t.key().to_string()),
            questions,
            seconds,
            mode: p.mode.key().to_string(),
            seed: p.seed,
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

    /// A round as players see it; `None` when its question left the bank (the facts changed
    /// between restarts).
    fn view(
        &self,
        session: &SessionRow,
        round: &RoundRow,
    ) -> Result<Option<RoundView>, StoreError> {
        let Some(question) = self.question(&round.question_id) else {
            return Ok(None);
        };
        let (asked, answered_right) = self.store.question_stats(&question.id)?;
        Ok(Some(RoundView {
            session: session.id,
            index: round.index,
            total: session.questions,
            question: dealt(question, session.seed),
            deadline_ms: round.deadline_ms,
            mode: Mode::from_key(&session.mode).unwrap_or(Mode::Buttons),
            asked,
            answered_right,
            message_id: round.message_id.clone(),
        }))
    }

    /// The open or last round of a session.
    pub fn current(&self, session: i64) -> Result<Option<(SessionRow, RoundRow)>, StoreError> {
        let Some(s) = self.store.session(session)? else {
            return Ok(None);
        };
        Ok(self.store.current_question(session)?.map(|r| (s, r)))
    }

    /// Opens the next round of a session, if it has one left.
    pub fn open_next(
        &self,
        session: &SessionRow,
        now_ms: i64,
    ) -> Result<Option<RoundView>, StoreError> {
        let next = match self.store.current_question(session.id)? {
            Some(r) if !r.closed => return self.view(session, &r),
            Some(r) => r.index + 1,
            None => 0,
        };
        if next >= session.questions {
            return Ok(None);
        }
        let topic = session.topic.as_deref().and_then(Topic::from_key);
        let order = self.order(topic, session.seed);
        let Some(q) = order.get(next as usize) else {
            return Ok(None);
        };
        let deadline = now_ms + i64::from(session.seconds) * 1000;
        self.store.open_question(
            session.id,
            next,
            &q.id,
            q.topic.key(),
            now_ms,
            deadline,
            None,
        )?;
        match self.store.current_question(session.id)? {
            Some(r) => self.view(session, &r),
            None => Ok(None),
        }
    }

    /// Records a player's answer to the open round. Typed answers are judged now; nothing is
    /// revealed until the round closes.
    pub fn answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
        answer: &Answer,
        now_ms: i64,
    ) -> Result<AnswerOutcome, StoreError> {
        let Some((s, round)) = self.current(session)? else {
            return Ok(AnswerOutcome::NoSuchQuestion);
        };
        if s.status != SessionStatus::Active {
            return Ok(AnswerOutcome::NoSuchQuestion);
        }
        if round.index != index {
            return Ok(if index < round.index {
                AnswerOutcome::TooLate
            } else {
                AnswerOutcome::NoSuchQuestion
            });
        }
        let Some(q) = self.question(&round.question_id).map(|q| dealt(q, s.seed)) else {
            return Ok(AnswerOutcome::NoSuchQuestion);
        };
        let (text, correct) = match answer {
            Answer::Choice(i) => (
                q.choices.get(*i).cloned().unwrap_or_default(),
                *i == q.correct,
            ),
            Answer::Text(t) => (
                t.chars().take(200).collect(),
                matches!(check::judge(t, &q), Judgement::Correct { .. }),
            ),
        };
        self.store
            .record_answer(session, index, user, &text, correct, now_ms)
    }

    /// Closes a round (exactly once; a second call changes nothing) and says what to reveal.
    pub fn close(
        &self,
        session: i64,
        index: u32,
        now_ms: i64,
    ) -> Result<Option<Closed>, StoreError> {
        let Some(s) = self.store.session(session)? else {
            return Ok(None);
        };
        let Some(round) = self.store.current_question(session)? else {
            return Ok(None);
        };
        if round.index != index {
            return Ok(None);
        }
        let result = self.store.close_question(session, index, now_ms)?;
        let scoreboard = self.store.scoreboard(session)?;
        let Some(view) = self.view(&s, &round)? else {
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

    /// Stops the quiz in a channel, if `user` started it or may manage messages.
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
        if let Some(r) = self.store.current_question(s.id)?
            && !r.closed
        {
            self.store.close_question(s.id, r.index, now_ms)?;
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

/// Plays a session to its end: opens each round, waits for its deadline, closes and reveals it,
/// and finishes. Resumes from whatever state the store holds (after a restart: a round whose
/// deadline passed is closed at once, an open one waits for the time it has left, a question
/// never posted is posted). Returns when the session is over or was stopped; notify `wake`
/// after stopping it to end the wait early. A store error is retried (the store may be busy);
/// if it persists, the session is abandoned with a notice instead of staying active forever.
pub async fn drive(
    engine: Arc<Engine>,
    session_id: i64,
    table: impl Table,
    clock: Clock,
    wake: Arc<tokio::sync::Notify>,
) -> Result<(), StoreError> {
    const ATTEMPTS: u32 = 3;
    let mut attempt = 0;
    loop {
        match rounds(&engine, session_id, &table, clock, &wake).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt + 1 < ATTEMPTS => {
                attempt += 1;
                tracing::warn!(session = session_id, "quiz round failed ({e}); retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                tracing::error!(session = session_id, "quiz session abandoned: {e}");
                let store = engine.store();
                // Best effort: the store has just failed three times.
                let _ = store.finish_session(session_id, SessionEnd::Abandoned, clock.now_ms());
                if let Ok(Some(session)) = store.session(session_id) {
                    let board = store.scoreboard(session_id).unwrap_or_default();
                    table.finish(&session, &board, true).await;
                }
                return Err(e);
            }
        }
    }
}

/// Shows a round's question if it has not been shown yet, and remembers the message.
async fn show(engine: &Engine, table: &impl Table, view: &mut RoundView) -> Result<(), StoreError> {
    if view.message_id.is_none()
        && let Some(id) = table.post_question(view).await
    {
        engine.store().set_message(view.session, view.index, &id)?;
        view.message_id = Some(id);
    }
    Ok(())
}

async fn rounds(
    engine: &Engine,
    session_id: i64,
    table: &impl Table,
    clock: Clock,
    wake: &tokio::sync::Notify,
) -> Result<(), StoreError> {
    loop {
        let Some(session) = engine.store().session(session_id)? else {
            return Ok(());
        };
        if session.status != SessionStatus::Active {
            let scoreboard = engine.store().scoreboard(session_id)?;
            table.finish(&session, &scoreboard, true).await;
            return Ok(());
        }
        let view = match engine.current(session_id)? {
            Some((_, r)) if !r.closed => engine.view(&session, &r)?,
            _ => match engine.open_next(&session, clock.now_ms())? {
                Some(view) => Some(view),
                None => {
                    engine.store().finish_session(
                        session_id,
                        SessionEnd::Finished,
                        clock.now_ms(),
                    )?;
                    let scoreboard = engine.store().scoreboard(session_id)?;
                    table.finish(&session, &scoreboard, false).await;
                    return Ok(());
                }
            },
        };
        let Some(mut round) = view else {
            // The round names a question the bank no longer has (the facts changed between
            // restarts): close the session rather than ask something unknown.
            engine
                .store()
                .finish_session(session_id, SessionEnd::Abandoned, clock.now_ms())?;
            let scoreboard = engine.store().scoreboard(session_id)?;
            table.finish(&session, &scoreboard, true).await;
            return Ok(());
        };
        let left = round.deadline_ms - clock.now_ms();
        if left > 0 {
            // Posted now if it never was (the post failed, or the bot died in between); an
            // overdue round is closed without being shown first.
            show(engine, table, &mut round).await?;
            // `wake` is notified by `/quiz stop`, so the final scoreboard follows at once.
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(left as u64)) => {}
                () = wake.notified() => {}
            }
        }
        // Stopped meanwhile? Then `/quiz stop` closed and scored the round already; `close`
        // changes nothing more, and the round is still revealed before the final scores.
        let stopped = engine
            .store()
            .session(session_id)?
            .is_some_and(|s| s.status != SessionStatus::Active);
        if let Some(mut closed) = engine.close(session_id, round.index, clock.now_ms())?
            && (closed.result.newly_closed || stopped)
        {
            closed.round.message_id = round.message_id.clone();
            table.reveal(&closed).await;
        }
    }
}

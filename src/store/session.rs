//! Quiz sessions: starting and ending them, their questions ("rounds"), answers, and the one
//! transaction that scores a round.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::Store;
use super::error::{Fail, StoreError};

/// Points for a correct answer, before the speed bonus.
pub const CORRECT_POINTS: u32 = 10;
/// The largest speed bonus, for an answer given the moment the question opened.
pub const MAX_SPEED_BONUS: u32 = 5;

/// A quiz session about to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The guild (server) id; `None` outside a guild (the CLI, direct messages).
    pub guild: Option<String>,
    /// The channel id; the terminal quiz uses `"terminal"`. One active session per channel.
    pub channel: String,
    /// Who started it.
    pub starter: String,
    /// The topic key (`Topic::key`), or `None` for all topics.
    pub topic: Option<String>,
    /// How many questions it will ask.
    pub questions: u32,
    /// Seconds per question.
    pub seconds: u32,
    /// How answers are given: `"buttons"` or `"typed"`.
    pub mode: String,
    /// The seed that chose and ordered the questions, so a resumed session asks the same ones.
    pub seed: u64,
    /// When it started (ms since the Unix epoch).
    pub started_ms: i64,
}

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Running: the only status that accepts answers.
    Active,
    /// Every question was asked.
    Finished,
    /// Someone stopped it.
    Stopped,
    /// The bot gave up on it (for example it could not be resumed after a restart).
    Abandoned,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// Every question was asked.
    Finished,
    /// Someone stopped it.
    Stopped,
    /// The bot gave up on it.
    Abandoned,
}

impl SessionEnd {
    /// The status a session ends with.
    pub fn status(self) -> SessionStatus {
        match self {
            SessionEnd::Finished => SessionStatus::Finished,
            SessionEnd::Stopped => SessionStatus::Stopped,
            SessionEnd::Abandoned => SessionStatus::Abandoned,
        }
    }
}

impl SessionStatus {
    /// The word stored in the database: `active`, `finished`, `stopped` or `abandoned`.
    pub fn key(self) -> &'static str {
        match self {
            SessionStatus::Active => "active",
            SessionStatus::Finished => "finished",
            SessionStatus::Stopped => "stopped",
            SessionStatus::Abandoned => "abandoned",
        }
    }

    fn from_key(key: &str) -> Option<SessionStatus> {
        [
            SessionStatus::Active,
            SessionStatus::Finished,
            SessionStatus::Stopped,
            SessionStatus::Abandoned,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }
}

/// A stored quiz session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// Its id.
    pub id: i64,
    /// The guild id, if any.
    pub guild: Option<String>,
    /// The channel id.
    pub channel: String,
    /// Who started it.
    pub starter: String,
    /// The topic key, or `None` for all topics.
    pub topic: Option<String>,
    /// How many questions it asks.
    pub questions: u32,
    /// Seconds per question.
    pub seconds: u32,
    /// `"buttons"` or `"typed"`.
    pub mode: String,
    /// The question seed.
    pub seed: u64,
    /// When it started.
    pub started_ms: i64,
    /// Where it stands.
    pub status: SessionStatus,
    /// When it ended, once it has.
    pub ended_ms: Option<i64>,
}

/// Why a session could not start: the channel already has an active one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveElsewhere {
    /// The active session's id.
    pub session: i64,
    /// Who started it.
    pub starter: String,
}

/// One question of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRow {
    /// Its 0-based position in the session.
    pub index: u32,
    /// The question's stable id (`Question::id`).
    pub question_id: String,
    /// The question's topic key.
    pub topic: String,
    /// When it was asked.
    pub opened_ms: i64,
    /// The last moment an answer counts.
    pub deadline_ms: i64,
    /// Whether it has been closed and scored.
    pub closed: bool,
    /// The chat message that shows it, once posted.
    pub message_id: Option<String>,
}

/// What happened to an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Stored; it is scored when the question closes.
    Recorded,
    /// The user had already answered this question; the first answer stands.
    AlreadyAnswered,
    /// After the deadline, after the question closed, or after the session ended.
    TooLate,
    /// The session has no such question.
    NoSuchQuestion,
}

/// One scored answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    /// Who answered.
    pub user: String,
    /// What they answered, as given.
    pub answer: String,
    /// Whether it was judged correct.
    pub correct: bool,
    /// Points earned: `10 + speed bonus` if correct, else 0.
    pub points: u32,
    /// When it was given.
    pub answered_ms: i64,
}

/// A closed question's answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundResult {
    /// Every answer with its points, earliest first.
    pub answers: Vec<AnswerRow>,
    /// `true` if this call closed it; `false` if it was already closed and nothing was applied.
    pub newly_closed: bool,
}

/// A player's standing in one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreRow {
    /// The player.
    pub user: String,
    /// Points so far.
    pub points: u32,
    /// Correct answers so far.
    pub correct: u32,
    /// Questions answered so far.
    pub answered: u32,
    /// Correct answers in a row up to the last closed question (0 after a wrong or missed one).
    pub streak: u32,
    /// The longest such run in the session.
    pub best_streak: u32,
}

/// Points for one answer: `10 + bonus` if correct, else 0, where the bonus (0..=5) is
/// proportional to the time left, rounded down. An answer stamped before the question opened
/// (clock skew between machines) gets the full bonus, never more.
pub fn points_for(correct: bool, opened_ms: i64, deadline_ms: i64, answered_ms: i64) -> u32 {
    if !correct {
        return 0;
    }
    // In i128, no difference of two i64 and no `left * 5` can overflow.
    let span = i128::from(deadline_ms) - i128::from(opened_ms);
    if span <= 0 {
        return CORRECT_POINTS;
    }
    let left = (i128::from(deadline_ms) - i128::from(answered_ms)).clamp(0, span);
    let bonus = left * i128::from(MAX_SPEED_BONUS) / span;
    CORRECT_POINTS + u32::try_from(bonus).expect("0 <= left <= span, so the bonus is 0..=5")
}

const SESSION_COLUMNS: &str = "id, guild, channel, starter, topic, questions, seconds, mode, \
                               seed, started_ms, status, ended_ms";

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    let status: String = r.get(10)?;
    let status = SessionStatus::from_key(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            10,
            rusqlite::types::Type::Text,
            format!("unknown session status {status:?}").into(),
        )
    })?;
    let seed: i64 = r.get(8)?;
    Ok(SessionRow {
        id: r.get(0)?,
        guild: r.get(1)?,
        channel: r.get(2)?,
        starter: r.get(3)?,
        topic: r.get(4)?,
        questions: r.get(5)?,
        seconds: r.get(6)?,
        mode: r.get(7)?,
        // SQLite integers are i64; the seed's bits are stored as they are (see start_session).
        seed: seed as u64,
        started_ms: r.get(9)?,
        status,
        ended_ms: r.get(11)?,
    })
}

fn answers_of(tx: &Transaction<'_>, session: i64, index: u32) -> rusqlite::Result<Vec<AnswerRow>> {
    let mut stmt = tx.prepare_cached(
        "SELECT user_id, answer, correct, COALESCE(points, 0), answered_ms FROM answers \
         WHERE session = ?1 AND idx = ?2 ORDER BY answered_ms, user_id",
    )?;
    let rows = stmt.query_map(params![session, index], |r| {
        Ok(AnswerRow {
            user: r.get(0)?,
            answer: r.get(1)?,
            correct: r.get(2)?,
            points: r.get(3)?,
            answered_ms: r.get(4)?,
        })
    })?;
    rows.collect()
}

impl Store {
    /// Starts a session, unless its channel already has an active one (then that one's id and
    /// starter). The check and the insert are one transaction, and a partial unique index
    /// backs it up, so two starts at once cannot both succeed.
    pub fn start_session(
        &self,
        s: &NewSession,
    ) -> Result<Result<i64, ActiveElsewhere>, StoreError> {
        self.write(|tx| {
            let active = tx
                .query_row(
                    "SELECT id, starter FROM sessions WHERE channel = ?1 AND status = 'active'",
                    [&s.channel],
                    |r| {
                        Ok(ActiveElsewhere {
                            session: r.get(0)?,
                            starter: r.get(1)?,
                        })
                    },
                )
                .optional()?;
            if let Some(active) = active {
                return Ok(Err(active));
            }
            tx.execute(
                "INSERT INTO sessions (guild, channel, starter, topic, questions, seconds, mode, \
                 seed, started_ms, status) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active')",
                params![
                    s.guild,
                    s.channel,
                    s.starter,
                    s.topic,
                    s.questions,
                    s.seconds,
                    s.mode,
                    // Stored bit for bit: SQLite has no unsigned 64-bit integer.
                    s.seed as i64,
                    s.started_ms,
                ],
            )?;
            Ok(Ok(tx.last_insert_rowid()))
        })
    }

    /// The session with this id.
    pub fn session(&self, id: i64) -> Result<Option<SessionRow>, StoreError> {
        self.read(|tx| {
            let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1");
            Ok(tx.query_row(&sql, [id], session_row).optional()?)
        })
    }

    /// The channel's active session, if any.
    pub fn active_session(&self, channel: &str) -> Result<Option<SessionRow>, StoreError> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE channel = ?1 AND status = 'active'"
            );
            Ok(tx.query_row(&sql, [channel], session_row).optional()?)
        })
    }

    /// Every active session, oldest first: what to resume after a restart.
    pub fn active_sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        self.read(|tx| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE status = 'active' ORDER BY id"
            );
            let mut stmt = tx.prepare(&sql)?;
            let rows = stmt.query_map([], session_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Asks question `index` (0-based) of an active session. Opening an index twice is a bug and
    /// an error ([`StoreError::RoundExists`]), as is opening one in an ended session.
    #[allow(clippy::too_many_arguments)] // the engine's call reads better than a one-use struct
    pub fn open_question(
        &self,
        session: i64,
        index: u32,
        question_id: &str,
        topic: &str,
        opened_ms: i64,
        deadline_ms: i64,
        message_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let status: Option<String> = tx
                .query_row(
                    "SELECT status FROM sessions WHERE id = ?1",
                    [session],
                    |r| r.get(0),
                )
                .optional()?;
            match status.as_deref() {
                None => return Err(Fail::NoSuchSession(session)),
                Some("active") => {}
                Some(_) => return Err(Fail::SessionEnded(session)),
            }
            let inserted = tx.execute(
                "INSERT INTO rounds (session, idx, question_id, topic, opened_ms, deadline_ms, \
                 message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (session, idx) DO NOTHING",
                params![
                    session,
                    index,
                    question_id,
                    topic,
                    opened_ms,
                    deadline_ms,
                    message_id
                ],
            )?;
            if inserted == 0 {
                return Err(Fail::RoundExists(session, index));
            }
            Ok(())
        })
    }

    /// Remembers the chat message that shows question `index`, once it has been posted.
    pub fn set_message(
        &self,
        session: i64,
        index: u32,
        message_id: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let updated = tx.execute(
                "UPDATE rounds SET message_id = ?3 WHERE session = ?1 AND idx = ?2",
                params![session, index, message_id],
            )?;
            if updated == 0 {
                return Err(Fail::NoSuchRound(session, index));
            }
            Ok(())
        })
    }

    /// The session's latest question (open or closed), if one was asked.
    pub fn current_question(&self, session: i64) -> Result<Option<RoundRow>, StoreError> {
        self.read(|tx| {
            let row = tx
                .query_row(
                    "SELECT idx, question_id, topic, opened_ms, deadline_ms, closed_ms, \
                     message_id FROM rounds WHERE session = ?1 ORDER BY idx DESC LIMIT 1",
                    [session],
                    |r| {
                        Ok(RoundRow {
                            index: r.get(0)?,
                            question_id: r.get(1)?,
                            topic: r.get(2)?,
                            opened_ms: r.get(3)?,
                            deadline_ms: r.get(4)?,
                            closed: r.get::<_, Option<i64>>(5)?.is_some(),
                            message_id: r.get(6)?,
                        })
                    },
                )
                .optional()?;
            Ok(row)
        })
    }

    /// Records `user`'s answer to question `index`; `correct` is the caller's judgement. One
    /// answer per user per question: the primary key decides, so a second answer (even at the
    /// same instant from another thread or process) is [`AnswerOutcome::AlreadyAnswered`] and
    /// never counts twice. An answer after the deadline (`answered_ms > deadline_ms`), after
    /// the question closed or after the session ended is [`AnswerOutcome::TooLate`].
    pub fn record_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
        answer: &str,
        correct: bool,
        answered_ms: i64,
    ) -> Result<AnswerOutcome, StoreError> {
        self.write(|tx| {
            let round = tx
                .prepare_cached(
                    "SELECT r.deadline_ms, r.closed_ms, s.status FROM rounds r \
                     JOIN sessions s ON s.id = r.session WHERE r.session = ?1 AND r.idx = ?2",
                )?
                .query_row(params![session, index], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .optional()?;
            let Some((deadline_ms, closed_ms, status)) = round else {
                return Ok(AnswerOutcome::NoSuchQuestion);
            };
            if closed_ms.is_some() || status != "active" || answered_ms > deadline_ms {
                return Ok(AnswerOutcome::TooLate);
            }
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO answers (session, idx, user_id, answer, correct, answered_ms) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (session, idx, user_id) DO NOTHING",
                )?
                .execute(params![session, index, user, answer, correct, answered_ms])?;
            Ok(if inserted == 1 {
                AnswerOutcome::Recorded
            } else {
                AnswerOutcome::AlreadyAnswered
            })
        })
    }

    /// Closes question `index` and scores it, all in one transaction: each answer's points
    /// (see [`points_for`]), each player's session score and streaks (a wrong or missing answer
    /// ends a streak), the question's statistics and each player's per-topic totals. Closing
    /// an already closed question applies nothing and returns the same answers with
    /// `newly_closed: false`, so a restart may safely close again.
    pub fn close_question(
        &self,
        session: i64,
        index: u32,
        closed_ms: i64,
    ) -> Result<RoundResult, StoreError> {
        self.write(|tx| {
            let round = tx
                .query_row(
                    "SELECT question_id, topic, opened_ms, deadline_ms, closed_ms FROM rounds \
                     WHERE session = ?1 AND idx = ?2",
                    params![session, index],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, Option<i64>>(4)?,
                        ))
                    },
                )
                .optional()?;
            let Some((question_id, topic, opened_ms, deadline_ms, already)) = round else {
                return Err(Fail::NoSuchRound(session, index));
            };
            if already.is_some() {
                return Ok(RoundResult {
                    answers: answers_of(tx, session, index)?,
                    newly_closed: false,
                });
            }
            tx.execute(
                "UPDATE rounds SET closed_ms = ?3 WHERE session = ?1 AND idx = ?2",
                params![session, index, closed_ms],
            )?;

            let mut answers = answers_of(tx, session, index)?;
            let mut set_points = tx.prepare_cached(
                "UPDATE answers SET points = ?4 WHERE session = ?1 AND idx = ?2 AND user_id = ?3",
            )?;
            // The update reads the old row on the right-hand side, so `streak + 1` is the run
            // including this answer.
            let mut add_player = tx.prepare_cached(
                "INSERT INTO players (session, user_id, points, correct, answered, streak, \
                 best_streak) VALUES (?1, ?2, ?3, ?4, 1, ?4, ?4) \
                 ON CONFLICT (session, user_id) DO UPDATE SET \
                 points = players.points + excluded.points, \
                 correct = players.correct + excluded.correct, \
                 answered = players.answered + 1, \
                 streak = CASE WHEN excluded.correct = 1 THEN players.streak + 1 ELSE 0 END, \
                 best_streak = CASE WHEN excluded.correct = 1 \
                     AND players.streak + 1 > players.best_streak \
                     THEN players.streak + 1 ELSE players.best_streak END",
            )?;
            let mut add_topic = tx.prepare_cached(
                "INSERT INTO topic_stats (user_id, topic, answered, correct) \
                 VALUES (?1, ?2, 1, ?3) ON CONFLICT (user_id, topic) DO UPDATE SET \
                 answered = topic_stats.answered + 1, \
                 correct = topic_stats.correct + excluded.correct",
            )?;
            let mut right = 0u32;
            for a in &mut answers {
                a.points = points_for(a.correct, opened_ms, deadline_ms, a.answered_ms);
                right += u32::from(a.correct);
                set_points.execute(params![session, index, a.user, a.points])?;
                add_player.execute(params![session, a.user, a.points, a.correct])?;
                add_topic.execute(params![a.user, topic, a.correct])?;
            }
            // A player who let the question pass has broken their run of correct answers.
            tx.execute(
                "UPDATE players SET streak = 0 WHERE session = ?1 AND streak > 0 AND user_id \
                 NOT IN (SELECT user_id FROM answers WHERE session = ?1 AND idx = ?2)",
                params![session, index],
            )?;
            let asked = u32::try_from(answers.len()).map_err(|_| {
                Fail::Sql(rusqlite::Error::ToSqlConversionFailure(
                    "more than 4 billion answers to one question".into(),
                ))
            })?;
            tx.execute(
                "INSERT INTO question_stats (question_id, asked, correct) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (question_id) DO UPDATE SET \
                 asked = question_stats.asked + excluded.asked, \
                 correct = question_stats.correct + excluded.correct",
                params![question_id, asked, right],
            )?;
            Ok(RoundResult {
                answers,
                newly_closed: true,
            })
        })
    }

    /// Ends an active session. Ending one that has already ended changes nothing (the first
    /// end stands), so it is safe to repeat. A question still open is not scored: close it
    /// first if its answers should count.
    pub fn finish_session(
        &self,
        session: i64,
        status: SessionEnd,
        ended_ms: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row("SELECT id FROM sessions WHERE id = ?1", [session], |r| {
                    r.get(0)
                })
                .optional()?;
            if exists.is_none() {
                return Err(Fail::NoSuchSession(session));
            }
            tx.execute(
                "UPDATE sessions SET status = ?2, ended_ms = ?3 \
                 WHERE id = ?1 AND status = 'active'",
                params![session, status.status().key(), ended_ms],
            )?;
            Ok(())
        })
    }

    /// The session's standings over its closed questions: points, then correct answers, then
    /// user id (so ties are listed the same way every time).
    pub fn scoreboard(&self, session: i64) -> Result<Vec<ScoreRow>, StoreError> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT user_id, points, correct, answered, streak, best_streak FROM players \
                 WHERE session = ?1 ORDER BY points DESC, correct DESC, user_id",
            )?;
            let rows = stmt.query_map([session], |r| {
                Ok(ScoreRow {
                    user: r.get(0)?,
                    points: r.get(1)?,
                    correct: r.get(2)?,
                    answered: r.get(3)?,
                    streak: r.get(4)?,
                    best_streak: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_bonus_is_proportional_to_time_left_rounded_down() {
        // 20 s question opened at 1000.
        let p = |answered| points_for(true, 1_000, 21_000, answered);
        assert_eq!(p(1_000), 15);
        assert_eq!(p(1_001), 14, "the full bonus only at the very start"); // 4.99975 → 4
        assert_eq!(p(5_000), 14);
        assert_eq!(p(11_000), 12); // half the time left: 2.5 → 2
        assert_eq!(p(20_999), 10);
        assert_eq!(p(21_000), 10);
        assert_eq!(p(0), 15, "clock skew never gives more than the maximum");
        assert_eq!(points_for(false, 1_000, 21_000, 1_000), 0);
    }

    #[test]
    fn degenerate_and_extreme_timestamps_do_not_panic() {
        assert_eq!(points_for(true, 5, 5, 5), 10);
        assert_eq!(points_for(true, 9, 5, 5), 10);
        assert_eq!(points_for(true, i64::MIN, i64::MAX, 0), 12);
        assert_eq!(points_for(true, 0, i64::MAX, i64::MIN), 15);
    }
}

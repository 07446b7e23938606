//! Quiz sessions: starting and ending them, their questions ("rounds"), answers, and the one
//! transaction that scores a round (as `quiz::scoring` decides).

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::topic_at;
use crate::quiz::Mode;
use crate::quiz::scoring::{Standing, points_for};
use crate::store::error::Fail;
use crate::store::{
    ActiveElsewhere, AnswerOutcome, AnswerRow, NewRound, NewSession, Placement, RoundResult,
    RoundRow, ScoreRow, SessionEnd, SessionRow, SessionStatus,
};

const SESSION_COLUMNS: &str = "id, guild, channel, starter, topic, questions, seconds, mode, \
                               seed, started_ms, status, ended_ms, plan, placement";

fn conversion(i: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
}

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    let status: String = r.get(10)?;
    let status = SessionStatus::from_key(&status)
        .ok_or_else(|| conversion(10, format!("unknown session status {status:?}")))?;
    let mode: String = r.get(7)?;
    let mode =
        Mode::from_key(&mode).ok_or_else(|| conversion(7, format!("unknown mode {mode:?}")))?;
    let topic = match r.get::<_, Option<String>>(4)? {
        Some(_) => Some(topic_at(r, 4)?),
        None => None,
    };
    let seed: i64 = r.get(8)?;
    let plan: Option<String> = r.get(12)?;
    let placement: String = r.get(13)?;
    let placement = Placement::from_key(&placement)
        .ok_or_else(|| conversion(13, format!("unknown placement {placement:?}")))?;
    Ok(SessionRow {
        id: r.get(0)?,
        guild: r.get(1)?,
        channel: r.get(2)?,
        starter: r.get(3)?,
        topic,
        questions: r.get(5)?,
        seconds: r.get(6)?,
        mode,
        // SQLite integers are i64; the seed's bits are stored as they are (see start_session).
        seed: seed as u64,
        plan: plan
            .map(|p| p.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        placement,
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

pub(super) fn start_session(
    tx: &Transaction<'_>,
    s: &NewSession,
) -> Result<Result<i64, ActiveElsewhere>, Fail> {
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
    let plan = (!s.plan.is_empty()).then(|| s.plan.join("\n"));
    tx.execute(
        "INSERT INTO sessions (guild, channel, starter, topic, questions, seconds, mode, \
         seed, started_ms, status, plan, placement) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11)",
        params![
            s.guild,
            s.channel,
            s.starter,
            s.topic.map(|t| t.key()),
            s.questions,
            s.seconds,
            s.mode.key(),
            // Stored bit for bit: SQLite has no unsigned 64-bit integer.
            s.seed as i64,
            s.started_ms,
            plan,
            s.placement.key(),
        ],
    )?;
    Ok(Ok(tx.last_insert_rowid()))
}

pub(super) fn session(tx: &Transaction<'_>, id: i64) -> Result<Option<SessionRow>, Fail> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1");
    Ok(tx.query_row(&sql, [id], session_row).optional()?)
}

pub(super) fn active_session(
    tx: &Transaction<'_>,
    channel: &str,
) -> Result<Option<SessionRow>, Fail> {
    let sql =
        format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE channel = ?1 AND status = 'active'");
    Ok(tx.query_row(&sql, [channel], session_row).optional()?)
}

pub(super) fn active_sessions(tx: &Transaction<'_>) -> Result<Vec<SessionRow>, Fail> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE status = 'active' ORDER BY id");
    let mut stmt = tx.prepare(&sql)?;
    let rows = stmt.query_map([], session_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Claims quizzes left idle between a reveal and the next round
/// ([`crate::store::Store::claim_stalled_sessions`]); one write transaction, so two claimers
/// are simply ordered.
pub(super) fn claim_stalled_sessions(
    tx: &Transaction<'_>,
    now: i64,
    idle_ms: i64,
    owner: &str,
    lease_ms: i64,
    limit: u32,
) -> Result<Vec<SessionRow>, Fail> {
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s \
         WHERE s.status = 'active' AND s.placement = 'channel' \
             AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.session = s.id AND r.closed_ms IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session = s.id AND o.delivered_ms IS NULL) \
             AND COALESCE((SELECT MAX(o.delivered_ms) FROM outbox o WHERE o.session = s.id), s.started_ms) \
             + ?2 < ?1 AND (s.lease_until_ms IS NULL OR s.lease_until_ms <= ?1) \
             ORDER BY s.id LIMIT ?3"
    );
    let rows: Vec<SessionRow> = tx
        .prepare_cached(&sql)?
        .query_map(params![now, idle_ms, limit], session_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut lease = tx.prepare_cached(
        "UPDATE sessions SET lease_owner = ?2, lease_until_ms = ?3 WHERE id = ?1",
    )?;
    for s in &rows {
        lease.execute(params![s.id, owner, now.saturating_add(lease_ms)])?;
    }
    Ok(rows)
}

pub(super) fn open_round(tx: &Transaction<'_>, round: &NewRound<'_>) -> Result<(), Fail> {
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM sessions WHERE id = ?1",
            [round.session],
            |r| r.get(0),
        )
        .optional()?;
    match status.as_deref() {
        None => return Err(Fail::NoSuchSession(round.session)),
        Some("active") => {}
        Some(_) => return Err(Fail::SessionEnded(round.session)),
    }
    let inserted = tx.execute(
        "INSERT INTO rounds (session, idx, question_id, topic, opened_ms, deadline_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (session, idx) DO NOTHING",
        params![
            round.session,
            round.index,
            round.question_id,
            round.topic.key(),
            round.opened_ms,
            round.deadline_ms,
        ],
    )?;
    if inserted == 0 {
        return Err(Fail::RoundExists(round.session, round.index));
    }
    Ok(())
}

pub(super) fn set_message(
    tx: &Transaction<'_>,
    session: i64,
    index: u32,
    message_id: &str,
) -> Result<(), Fail> {
    let updated = tx.execute(
        "UPDATE rounds SET message_id = ?3 WHERE session = ?1 AND idx = ?2",
        params![session, index, message_id],
    )?;
    if updated == 0 {
        return Err(Fail::NoSuchRound(session, index));
    }
    Ok(())
}

pub(super) fn current_round(tx: &Transaction<'_>, session: i64) -> Result<Option<RoundRow>, Fail> {
    Ok(tx
        .query_row(
            "SELECT idx, question_id, topic, opened_ms, deadline_ms, closed_ms, \
             message_id FROM rounds WHERE session = ?1 ORDER BY idx DESC LIMIT 1",
            [session],
            |r| {
                Ok(RoundRow {
                    index: r.get(0)?,
                    question_id: r.get(1)?,
                    topic: topic_at(r, 2)?,
                    opened_ms: r.get(3)?,
                    deadline_ms: r.get(4)?,
                    closed: r.get::<_, Option<i64>>(5)?.is_some(),
                    message_id: r.get(6)?,
                })
            },
        )
        .optional()?)
}

pub(super) fn record_answer(
    tx: &Transaction<'_>,
    session: i64,
    index: u32,
    user: &str,
    answer: &str,
    correct: bool,
    answered_ms: i64,
) -> Result<AnswerOutcome, Fail> {
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
}

fn standing(tx: &Transaction<'_>, session: i64, user: &str) -> rusqlite::Result<Standing> {
    Ok(tx
        .prepare_cached(
            "SELECT points, correct, answered, streak, best_streak FROM players \
             WHERE session = ?1 AND user_id = ?2",
        )?
        .query_row(params![session, user], |r| {
            Ok(Standing {
                points: r.get(0)?,
                correct: r.get(1)?,
                answered: r.get(2)?,
                streak: r.get(3)?,
                best_streak: r.get(4)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

fn save_standing(
    tx: &Transaction<'_>,
    session: i64,
    user: &str,
    s: Standing,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO players (session, user_id, points, correct, answered, streak, best_streak) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (session, user_id) DO UPDATE SET \
         points = excluded.points, correct = excluded.correct, answered = excluded.answered, \
         streak = excluded.streak, best_streak = excluded.best_streak",
    )?
    .execute(params![
        session,
        user,
        s.points,
        s.correct,
        s.answered,
        s.streak,
        s.best_streak
    ])?;
    Ok(())
}

pub(super) fn close_round(
    tx: &Transaction<'_>,
    session: i64,
    index: u32,
    closed_ms: i64,
) -> Result<RoundResult, Fail> {
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
        let now = standing(tx, session, &a.user)?.after_answer(a.correct, a.points);
        save_standing(tx, session, &a.user, now)?;
        add_topic.execute(params![a.user, topic, a.correct])?;
    }
    // A player who let the question pass has broken their run of correct answers.
    let missed: Vec<String> = tx
        .prepare_cached(
            "SELECT user_id FROM players WHERE session = ?1 AND user_id NOT IN \
             (SELECT user_id FROM answers WHERE session = ?1 AND idx = ?2)",
        )?
        .query_map(params![session, index], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for user in missed {
        let now = standing(tx, session, &user)?.after_miss();
        save_standing(tx, session, &user, now)?;
    }
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
}

pub(super) fn finish_session(
    tx: &Transaction<'_>,
    session: i64,
    status: SessionEnd,
    ended_ms: i64,
) -> Result<(), Fail> {
    let exists: Option<i64> = tx
        .query_row("SELECT id FROM sessions WHERE id = ?1", [session], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_none() {
        return Err(Fail::NoSuchSession(session));
    }
    tx.execute(
        "UPDATE sessions SET status = ?2, ended_ms = ?3 WHERE id = ?1 AND status = 'active'",
        params![session, status.status().key(), ended_ms],
    )?;
    Ok(())
}

pub(super) fn scoreboard(tx: &Transaction<'_>, session: i64) -> Result<Vec<ScoreRow>, Fail> {
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
}

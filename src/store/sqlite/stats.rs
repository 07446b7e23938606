//! Leaderboards and statistics over closed quiz rounds. Study answers never enter them (see
//! `study.rs` for their own statistics).

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::topic_at;
use crate::store::error::Fail;
use crate::store::{LeaderRow, TopicStats, UserStats};

/// Reads a column that SQLite holds as i64 but is never negative.
fn get_u64(r: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(i)?;
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, v))
}

pub(super) fn leaderboard(
    tx: &Transaction<'_>,
    guild: Option<&str>,
    since_ms: Option<i64>,
    limit: u32,
) -> Result<Vec<LeaderRow>, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT a.user_id, SUM(a.points), SUM(a.correct), COUNT(*) \
         FROM answers a \
         JOIN rounds r ON r.session = a.session AND r.idx = a.idx \
         JOIN sessions s ON s.id = a.session \
         WHERE r.closed_ms IS NOT NULL \
           AND (?1 IS NULL OR s.guild = ?1) \
           AND (?2 IS NULL OR r.closed_ms >= ?2) \
         GROUP BY a.user_id \
         ORDER BY SUM(a.points) DESC, SUM(a.correct) DESC, a.user_id \
         LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![guild, since_ms, limit], |r| {
        Ok(LeaderRow {
            user: r.get(0)?,
            points: get_u64(r, 1)?,
            correct: r.get(2)?,
            answered: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn user_stats(tx: &Transaction<'_>, user: &str) -> Result<UserStats, Fail> {
    let (games, answered, correct, best_streak) = tx.query_row(
        "SELECT COUNT(*), COALESCE(SUM(answered), 0), COALESCE(SUM(correct), 0), \
         COALESCE(MAX(best_streak), 0) FROM players WHERE user_id = ?1",
        [user],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let mut stmt = tx.prepare_cached(
        "SELECT topic, answered, correct FROM topic_stats WHERE user_id = ?1 ORDER BY topic",
    )?;
    let per_topic = stmt
        .query_map([user], |r| {
            Ok(TopicStats {
                topic: topic_at(r, 0)?,
                answered: r.get(1)?,
                correct: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(UserStats {
        games,
        answered,
        correct,
        best_streak,
        per_topic,
    })
}

pub(super) fn question_stats(tx: &Transaction<'_>, question_id: &str) -> Result<(u32, u32), Fail> {
    let row = tx
        .query_row(
            "SELECT asked, correct FROM question_stats WHERE question_id = ?1",
            [question_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.unwrap_or((0, 0)))
}

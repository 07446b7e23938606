//! Leaderboards and statistics over closed quiz questions. Study answers never enter them
//! (see `study.rs` for their own statistics).

use rusqlite::{OptionalExtension, Row, params};

use super::Store;
use super::error::StoreError;

/// One line of a leaderboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderRow {
    /// The player.
    pub user: String,
    /// Points over the period.
    pub points: u64,
    /// Correct answers over the period.
    pub correct: u32,
    /// Answers over the period.
    pub answered: u32,
}

/// A player's quiz totals on one topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicStats {
    /// The topic key.
    pub topic: String,
    /// Questions answered.
    pub answered: u32,
    /// Correct answers.
    pub correct: u32,
}

/// A player's quiz history.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UserStats {
    /// Sessions in which they answered at least one closed question.
    pub games: u32,
    /// Questions answered.
    pub answered: u32,
    /// Correct answers.
    pub correct: u32,
    /// The longest run of correct answers within one session.
    pub best_streak: u32,
    /// Totals per topic, by topic key.
    pub per_topic: Vec<TopicStats>,
}

/// Reads a column that SQLite holds as i64 but is never negative.
fn get_u64(r: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(i)?;
    u64::try_from(v).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, v))
}

impl Store {
    /// The best players by points over closed questions: in one guild's sessions (`None`: every
    /// session, including the CLI's), and only questions closed at or after `since_ms` if given.
    /// Ties go to more correct answers, then to the user id, so the order is stable.
    pub fn leaderboard(
        &self,
        guild: Option<&str>,
        since_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LeaderRow>, StoreError> {
        self.read(|tx| {
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
        })
    }

    /// A player's quiz history: games, answers, best streak, and totals per topic (by key).
    /// A user who never played gets zeros.
    pub fn user_stats(&self, user: &str) -> Result<UserStats, StoreError> {
        self.read(|tx| {
            let (games, answered, correct, best_streak) = tx.query_row(
                "SELECT COUNT(*), COALESCE(SUM(answered), 0), COALESCE(SUM(correct), 0), \
                 COALESCE(MAX(best_streak), 0) FROM players WHERE user_id = ?1",
                [user],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            let mut stmt = tx.prepare_cached(
                "SELECT topic, answered, correct FROM topic_stats WHERE user_id = ?1 \
                 ORDER BY topic",
            )?;
            let per_topic = stmt
                .query_map([user], |r| {
                    Ok(TopicStats {
                        topic: r.get(0)?,
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
        })
    }

    /// `(asked, correct)` for a question over every closed quiz round: `asked` counts answers
    /// given (each player's attempt), so `correct / asked` is the share who got it right,
    /// a difficulty estimate. `(0, 0)` if it was never answered.
    pub fn question_stats(&self, question_id: &str) -> Result<(u32, u32), StoreError> {
        self.read(|tx| {
            let row = tx
                .query_row(
                    "SELECT asked, correct FROM question_stats WHERE question_id = ?1",
                    [question_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(row.unwrap_or((0, 0)))
        })
    }
}

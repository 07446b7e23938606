//! What the store keeps about one user: exported whole, or erased whole (`/privacy`).

use rusqlite::{Transaction, params};

use super::{daily, report, study};
use crate::store::error::Fail;
use crate::store::{
    AnswerRecord, CardRecord, Erased, GameRecord, ReviewRecord, StartedRecord, TopicRecord,
    UserData,
};

pub(super) fn user_data(tx: &Transaction<'_>, user: &str) -> Result<UserData, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, guild, channel, started_ms FROM sessions WHERE starter = ?1 ORDER BY id",
    )?;
    let sessions_started = stmt
        .query_map([user], |r| {
            Ok(StartedRecord {
                session: r.get(0)?,
                guild: r.get(1)?,
                channel: r.get(2)?,
                started_ms: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = tx.prepare_cached(
        "SELECT a.session, a.idx, r.question_id, a.answer, a.correct, a.answered_ms, a.points \
         FROM answers a JOIN rounds r ON r.session = a.session AND r.idx = a.idx \
         WHERE a.user_id = ?1 ORDER BY a.session, a.idx",
    )?;
    let answers = stmt
        .query_map([user], |r| {
            Ok(AnswerRecord {
                session: r.get(0)?,
                round: r.get(1)?,
                question_id: r.get(2)?,
                answer: r.get(3)?,
                correct: r.get(4)?,
                answered_ms: r.get(5)?,
                points: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = tx.prepare_cached(
        "SELECT session, points, correct, answered, best_streak FROM players \
         WHERE user_id = ?1 ORDER BY session",
    )?;
    let games = stmt
        .query_map([user], |r| {
            Ok(GameRecord {
                session: r.get(0)?,
                points: r.get(1)?,
                correct: r.get(2)?,
                answered: r.get(3)?,
                best_streak: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = tx.prepare_cached(
        "SELECT topic, answered, correct FROM topic_stats WHERE user_id = ?1 ORDER BY topic",
    )?;
    let topics = stmt
        .query_map([user], |r| {
            Ok(TopicRecord {
                topic: r.get(0)?,
                answered: r.get(1)?,
                correct: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let cards = study::cards(tx, user)?
        .iter()
        .map(CardRecord::from)
        .collect();
    let reviews = study::reviews(tx, user)?
        .iter()
        .map(ReviewRecord::from)
        .collect();
    Ok(UserData {
        user: user.to_string(),
        sessions_started,
        answers,
        games,
        topics,
        cards,
        reviews,
        reports: report::user_reports(tx, user)?,
        daily_answers: daily::user_daily_answers(tx, user)?,
    })
}

pub(super) fn delete_user(tx: &Transaction<'_>, user: &str) -> Result<Erased, Fail> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Erased {
        answers: count(tx.execute("DELETE FROM answers WHERE user_id = ?1", [user])?),
        games: count(tx.execute("DELETE FROM players WHERE user_id = ?1", [user])?),
        topics: count(tx.execute("DELETE FROM topic_stats WHERE user_id = ?1", [user])?),
        cards: count(tx.execute("DELETE FROM cards WHERE user_id = ?1", [user])?),
        reviews: count(tx.execute("DELETE FROM study_reviews WHERE user_id = ?1", [user])?),
        sessions_unnamed: count(tx.execute(
            "UPDATE sessions SET starter = '' WHERE starter = ?1",
            params![user],
        )?),
        reports: count(tx.execute("DELETE FROM reports WHERE user_id = ?1", [user])?),
        daily_answers: count(tx.execute("DELETE FROM daily_answers WHERE user_id = ?1", [user])?),
    })
}

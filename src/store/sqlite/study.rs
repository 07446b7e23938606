//! Study cards: one per user and question, scheduled by `quiz::study`. Study answers are kept
//! apart from quiz scores: they never enter leaderboards or user statistics.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::topic_at;
use crate::quiz::Topic;
use crate::quiz::study::{Card, schedule};
use crate::store::StudyTopic;
use crate::store::error::Fail;

const CARD_COLUMNS: &str = "question_id, topic, box, due_ms, seen, correct";

fn card_row(r: &Row<'_>) -> rusqlite::Result<Card> {
    Ok(Card {
        question_id: r.get(0)?,
        topic: topic_at(r, 1)?,
        box_: r.get(2)?,
        due_ms: r.get(3)?,
        seen: r.get(4)?,
        correct: r.get(5)?,
    })
}

pub(super) fn record_study(
    tx: &Transaction<'_>,
    user: &str,
    question_id: &str,
    topic: Topic,
    correct: bool,
    now_ms: i64,
) -> Result<Card, Fail> {
    let previous = tx
        .query_row(
            &format!("SELECT {CARD_COLUMNS} FROM cards WHERE user_id = ?1 AND question_id = ?2"),
            [user, question_id],
            card_row,
        )
        .optional()?;
    let card = schedule(previous.as_ref(), question_id, topic, correct, now_ms);
    tx.execute(
        "INSERT INTO cards (user_id, question_id, topic, box, due_ms, seen, correct) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
         ON CONFLICT (user_id, question_id) DO UPDATE SET \
         topic = excluded.topic, box = excluded.box, due_ms = excluded.due_ms, \
         seen = excluded.seen, correct = excluded.correct",
        params![
            user,
            question_id,
            card.topic.key(),
            card.box_,
            card.due_ms,
            card.seen,
            card.correct
        ],
    )?;
    Ok(card)
}

pub(super) fn cards(tx: &Transaction<'_>, user: &str) -> Result<Vec<Card>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {CARD_COLUMNS} FROM cards WHERE user_id = ?1 ORDER BY due_ms, question_id"
    ))?;
    let rows = stmt.query_map([user], card_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn study_stats(
    tx: &Transaction<'_>,
    user: &str,
    now_ms: i64,
) -> Result<Vec<StudyTopic>, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT topic, SUM(seen), SUM(correct), SUM(CASE WHEN due_ms <= ?2 THEN 1 ELSE 0 END) \
         FROM cards WHERE user_id = ?1 GROUP BY topic ORDER BY topic",
    )?;
    let rows = stmt.query_map(params![user, now_ms], |r| {
        Ok(StudyTopic {
            topic: topic_at(r, 0)?,
            seen: r.get(1)?,
            correct: r.get(2)?,
            due: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

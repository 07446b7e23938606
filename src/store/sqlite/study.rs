//! Study cards: one per user and question, scheduled by `quiz::study` (FSRS), and the review
//! log, one row per study answer. Study answers are kept apart from quiz scores: they never
//! enter leaderboards or user statistics.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::topic_at;
use crate::quiz::Topic;
use crate::quiz::study::{Card, CardState, DAY_MS, Grade, Review, schedule};
use crate::store::StudyTopic;
use crate::store::error::Fail;

const CARD_COLUMNS: &str =
    "question_id, topic, stability, difficulty, due_ms, last_review_ms, seen, correct";

const REVIEW_COLUMNS: &str = "question_id, topic, reviewed_ms, grade, stability_before, \
     difficulty_before, due_before_ms, stability_after, difficulty_after, due_after_ms";

fn card_row(r: &Row<'_>) -> rusqlite::Result<Card> {
    Ok(Card {
        question_id: r.get(0)?,
        topic: topic_at(r, 1)?,
        // Stored as the f64 of an f32, so this is exact.
        stability: r.get::<_, f64>(2)? as f32,
        difficulty: r.get::<_, f64>(3)? as f32,
        due_ms: r.get(4)?,
        last_review_ms: r.get(5)?,
        seen: r.get(6)?,
        correct: r.get(7)?,
    })
}

fn review_row(r: &Row<'_>) -> rusqlite::Result<Review> {
    let grade: String = r.get(3)?;
    let grade = Grade::from_key(&grade).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            3,
            rusqlite::types::Type::Text,
            format!("unknown grade {grade:?}").into(),
        )
    })?;
    let before = match (
        r.get::<_, Option<f64>>(4)?,
        r.get::<_, Option<f64>>(5)?,
        r.get::<_, Option<i64>>(6)?,
    ) {
        (Some(s), Some(d), Some(due)) => Some(CardState {
            stability: s as f32,
            difficulty: d as f32,
            due_ms: due,
        }),
        _ => None,
    };
    Ok(Review {
        question_id: r.get(0)?,
        topic: topic_at(r, 1)?,
        reviewed_ms: r.get(2)?,
        grade,
        before,
        after: CardState {
            stability: r.get::<_, f64>(7)? as f32,
            difficulty: r.get::<_, f64>(8)? as f32,
            due_ms: r.get(9)?,
        },
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
        "INSERT INTO cards (user_id, question_id, topic, stability, difficulty, due_ms, \
         last_review_ms, seen, correct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (user_id, question_id) DO UPDATE SET \
         topic = excluded.topic, stability = excluded.stability, \
         difficulty = excluded.difficulty, due_ms = excluded.due_ms, \
         last_review_ms = excluded.last_review_ms, seen = excluded.seen, \
         correct = excluded.correct",
        params![
            user,
            question_id,
            card.topic.key(),
            f64::from(card.stability),
            f64::from(card.difficulty),
            card.due_ms,
            card.last_review_ms,
            card.seen,
            card.correct
        ],
    )?;
    let review = Review::of(previous.as_ref(), &card, correct, now_ms);
    let before = review.before;
    tx.execute(
        &format!("INSERT INTO study_reviews (user_id, {REVIEW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            user,
            review.question_id,
            review.topic.key(),
            review.reviewed_ms,
            review.grade.key(),
            before.map(|b| f64::from(b.stability)),
            before.map(|b| f64::from(b.difficulty)),
            before.map(|b| b.due_ms),
            f64::from(review.after.stability),
            f64::from(review.after.difficulty),
            review.after.due_ms
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

pub(super) fn reviews(tx: &Transaction<'_>, user: &str) -> Result<Vec<Review>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {REVIEW_COLUMNS} FROM study_reviews WHERE user_id = ?1 ORDER BY reviewed_ms, id"
    ))?;
    let rows = stmt.query_map([user], review_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn study_stats(
    tx: &Transaction<'_>,
    user: &str,
    now_ms: i64,
) -> Result<Vec<StudyTopic>, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT topic, SUM(seen), SUM(correct), SUM(CASE WHEN due_ms <= ?2 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN due_ms <= ?3 THEN 1 ELSE 0 END), MIN(due_ms) \
         FROM cards WHERE user_id = ?1 GROUP BY topic ORDER BY topic",
    )?;
    let week = now_ms.saturating_add(7 * DAY_MS);
    let mut topics: BTreeMap<&'static str, StudyTopic> = stmt
        .query_map(params![user, now_ms, week], |r| {
            Ok(StudyTopic {
                topic: topic_at(r, 0)?,
                seen: r.get(1)?,
                correct: r.get(2)?,
                due: r.get(3)?,
                due_week: r.get(4)?,
                reviews: 0,
                recalled: 0,
                next_due_ms: r.get(5)?,
            })
        })?
        .map(|t| t.map(|t| (t.topic.key(), t)))
        .collect::<rusqlite::Result<_>>()?;
    // Retention: reviews of cards already met, from the log.
    let mut stmt = tx.prepare_cached(
        "SELECT topic, COUNT(*), SUM(CASE WHEN grade = 'good' THEN 1 ELSE 0 END) \
         FROM study_reviews WHERE user_id = ?1 AND stability_before IS NOT NULL GROUP BY topic",
    )?;
    let rows = stmt.query_map([user], |r| Ok((topic_at(r, 0)?, r.get(1)?, r.get(2)?)))?;
    for row in rows {
        let (topic, reviews, recalled): (Topic, u32, u32) = row?;
        // Reviews logged under a topic none of the cards has now (a curated question that
        // moved) have no line to go to.
        if let Some(t) = topics.get_mut(topic.key()) {
            t.reviews = reviews;
            t.recalled = recalled;
        }
    }
    Ok(topics.into_values().collect())
}

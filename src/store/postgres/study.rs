//! Study cards (FSRS, scheduled by `quiz::study`) and the review log on PostgreSQL: the same
//! steps as SQLite's `study.rs`, the card row locked while it is read and rewritten.

use std::collections::BTreeMap;

use postgres::{Row, Transaction};

use super::{Fail, count, count64, int, topic};
use crate::quiz::Topic;
use crate::quiz::study::{Card, CardState, DAY_MS, Grade, Review, schedule};
use crate::store::StudyTopic;

const CARD_COLUMNS: &str =
    "question_id, topic, stability, difficulty, due_ms, last_review_ms, seen, correct";

const REVIEW_COLUMNS: &str = "question_id, topic, reviewed_ms, grade, stability_before, \
     difficulty_before, due_before_ms, stability_after, difficulty_after, due_after_ms";

fn card_row(r: &Row) -> Result<Card, Fail> {
    Ok(Card {
        question_id: r.try_get(0)?,
        topic: topic(r, 1)?,
        // Stored as the f64 of an f32, so this is exact.
        stability: r.try_get::<_, f64>(2)? as f32,
        difficulty: r.try_get::<_, f64>(3)? as f32,
        due_ms: r.try_get(4)?,
        last_review_ms: r.try_get(5)?,
        seen: count(r, 6)?,
        correct: count(r, 7)?,
    })
}

fn review_row(r: &Row) -> Result<Review, Fail> {
    let grade: String = r.try_get(3)?;
    let grade =
        Grade::from_key(&grade).ok_or_else(|| Fail::Data(format!("unknown grade {grade:?}")))?;
    let before = match (
        r.try_get::<_, Option<f64>>(4)?,
        r.try_get::<_, Option<f64>>(5)?,
        r.try_get::<_, Option<i64>>(6)?,
    ) {
        (Some(s), Some(d), Some(due)) => Some(CardState {
            stability: s as f32,
            difficulty: d as f32,
            due_ms: due,
        }),
        _ => None,
    };
    Ok(Review {
        question_id: r.try_get(0)?,
        topic: topic(r, 1)?,
        reviewed_ms: r.try_get(2)?,
        grade,
        before,
        after: CardState {
            stability: r.try_get::<_, f64>(7)? as f32,
            difficulty: r.try_get::<_, f64>(8)? as f32,
            due_ms: r.try_get(9)?,
        },
    })
}

pub(super) fn record_study(
    tx: &mut Transaction<'_>,
    user: &str,
    question_id: &str,
    topic: Topic,
    correct: bool,
    now_ms: i64,
) -> Result<Card, Fail> {
    let previous = tx
        .query_opt(
            &format!(
                "SELECT {CARD_COLUMNS} FROM cards WHERE user_id = $1 AND question_id = $2 \
                 FOR UPDATE"
            ),
            &[&user, &question_id],
        )?
        .map(|r| card_row(&r))
        .transpose()?;
    let card = schedule(previous.as_ref(), question_id, topic, correct, now_ms);
    tx.execute(
        "INSERT INTO cards (user_id, question_id, topic, stability, difficulty, due_ms, \
         last_review_ms, seen, correct) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (user_id, question_id) DO UPDATE SET \
         topic = excluded.topic, stability = excluded.stability, \
         difficulty = excluded.difficulty, due_ms = excluded.due_ms, \
         last_review_ms = excluded.last_review_ms, seen = excluded.seen, \
         correct = excluded.correct",
        &[
            &user,
            &question_id,
            &card.topic.key(),
            &f64::from(card.stability),
            &f64::from(card.difficulty),
            &card.due_ms,
            &card.last_review_ms,
            &int(card.seen),
            &int(card.correct),
        ],
    )?;
    let review = Review::of(previous.as_ref(), &card, correct, now_ms);
    let before = review.before;
    tx.execute(
        &format!(
            "INSERT INTO study_reviews (user_id, {REVIEW_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ),
        &[
            &user,
            &review.question_id,
            &review.topic.key(),
            &review.reviewed_ms,
            &review.grade.key(),
            &before.map(|b| f64::from(b.stability)),
            &before.map(|b| f64::from(b.difficulty)),
            &before.map(|b| b.due_ms),
            &f64::from(review.after.stability),
            &f64::from(review.after.difficulty),
            &review.after.due_ms,
        ],
    )?;
    Ok(card)
}

pub(super) fn cards(tx: &mut Transaction<'_>, user: &str) -> Result<Vec<Card>, Fail> {
    tx.query(
        &format!(
            "SELECT {CARD_COLUMNS} FROM cards WHERE user_id = $1 ORDER BY due_ms, question_id"
        ),
        &[&user],
    )?
    .iter()
    .map(card_row)
    .collect()
}

pub(super) fn reviews(tx: &mut Transaction<'_>, user: &str) -> Result<Vec<Review>, Fail> {
    tx.query(
        &format!(
            "SELECT {REVIEW_COLUMNS} FROM study_reviews WHERE user_id = $1 \
             ORDER BY reviewed_ms, id"
        ),
        &[&user],
    )?
    .iter()
    .map(review_row)
    .collect()
}

pub(super) fn study_stats(
    tx: &mut Transaction<'_>,
    user: &str,
    now_ms: i64,
) -> Result<Vec<StudyTopic>, Fail> {
    let week = now_ms.saturating_add(7 * DAY_MS);
    let mut topics = BTreeMap::new();
    for r in tx.query(
        "SELECT topic, SUM(seen)::BIGINT, SUM(correct)::BIGINT, \
         SUM(CASE WHEN due_ms <= $2 THEN 1 ELSE 0 END)::BIGINT, \
         SUM(CASE WHEN due_ms <= $3 THEN 1 ELSE 0 END)::BIGINT, MIN(due_ms) \
         FROM cards WHERE user_id = $1 GROUP BY topic ORDER BY topic",
        &[&user, &now_ms, &week],
    )? {
        let t = StudyTopic {
            topic: topic(&r, 0)?,
            seen: count64(&r, 1)?,
            correct: count64(&r, 2)?,
            due: count64(&r, 3)?,
            due_week: count64(&r, 4)?,
            reviews: 0,
            recalled: 0,
            next_due_ms: r.try_get(5)?,
        };
        topics.insert(t.topic.key(), t);
    }
    // Retention: reviews of cards already met, from the log.
    for r in tx.query(
        "SELECT topic, COUNT(*), SUM(CASE WHEN grade = 'good' THEN 1 ELSE 0 END)::BIGINT \
         FROM study_reviews WHERE user_id = $1 AND stability_before IS NOT NULL GROUP BY topic",
        &[&user],
    )? {
        // Reviews logged under a topic none of the cards has now (a curated question that
        // moved) have no line to go to.
        if let Some(t) = topics.get_mut(topic(&r, 0)?.key()) {
            t.reviews = count64(&r, 1)?;
            t.recalled = count64(&r, 2)?;
        }
    }
    Ok(topics.into_values().collect())
}

//! Personal study with Leitner boxes: one card per user and question. A correct answer moves
//! the card up a box (to a longer wait), a wrong one sends it back to box 1, due at once.
//! Study answers are kept apart from quiz scores: they never enter leaderboards or
//! [`Store::user_stats`], only [`Store::study_stats`].

use rusqlite::{OptionalExtension, Row, params};

use super::Store;
use super::error::StoreError;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How long a card waits in each box before it is due again, box 1 first: at once, 1 day,
/// 3 days, 7 days, 21 days (in milliseconds).
pub const LEITNER_INTERVALS_MS: [i64; 5] = [0, DAY_MS, 3 * DAY_MS, 7 * DAY_MS, 21 * DAY_MS];

/// The highest box.
const TOP_BOX: u8 = LEITNER_INTERVALS_MS.len() as u8;

/// One user's card for one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// The question's stable id.
    pub question_id: String,
    /// Its topic key.
    pub topic: String,
    /// The Leitner box, 1..=5.
    pub box_: u8,
    /// When it is next due (ms since the Unix epoch).
    pub due_ms: i64,
    /// How many times it was answered.
    pub seen: u32,
    /// How many of those were correct.
    pub correct: u32,
}

/// A user's study progress on one topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyTopic {
    /// The topic key.
    pub topic: String,
    /// Study answers given.
    pub seen: u32,
    /// Correct study answers.
    pub correct: u32,
    /// Cards due now.
    pub due: u32,
}

/// The box after an answer: up one if correct (staying in the top box), else back to 1. A
/// card never seen counts as being in box 1, so a first correct answer puts it in box 2.
pub fn next_box(current: Option<u8>, correct: bool) -> u8 {
    if correct {
        current.unwrap_or(1).saturating_add(1).min(TOP_BOX)
    } else {
        1
    }
}

fn card_row(r: &Row<'_>) -> rusqlite::Result<Card> {
    Ok(Card {
        question_id: r.get(0)?,
        topic: r.get(1)?,
        box_: r.get(2)?,
        due_ms: r.get(3)?,
        seen: r.get(4)?,
        correct: r.get(5)?,
    })
}

impl Store {
    /// Records a study answer at `now_ms` and moves the card between boxes (see [`next_box`]);
    /// it is due again after its new box's interval ([`LEITNER_INTERVALS_MS`]). One
    /// transaction; returns the card as it now is.
    pub fn record_study(
        &self,
        user: &str,
        question_id: &str,
        topic: &str,
        correct: bool,
        now_ms: i64,
    ) -> Result<Card, StoreError> {
        self.write(|tx| {
            let current: Option<u8> = tx
                .query_row(
                    "SELECT box FROM cards WHERE user_id = ?1 AND question_id = ?2",
                    [user, question_id],
                    |r| r.get(0),
                )
                .optional()?;
            let box_ = next_box(current, correct);
            let due_ms = now_ms.saturating_add(LEITNER_INTERVALS_MS[usize::from(box_ - 1)]);
            // The topic is refreshed too: a curated question may have been moved to another.
            tx.execute(
                "INSERT INTO cards (user_id, question_id, topic, box, due_ms, seen, correct) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6) \
                 ON CONFLICT (user_id, question_id) DO UPDATE SET \
                 topic = excluded.topic, box = excluded.box, due_ms = excluded.due_ms, \
                 seen = cards.seen + 1, correct = cards.correct + excluded.correct",
                params![user, question_id, topic, box_, due_ms, correct],
            )?;
            Ok(tx.query_row(
                "SELECT question_id, topic, box, due_ms, seen, correct FROM cards \
                 WHERE user_id = ?1 AND question_id = ?2",
                [user, question_id],
                card_row,
            )?)
        })
    }

    /// Every card of a user, soonest due first.
    pub fn cards(&self, user: &str) -> Result<Vec<Card>, StoreError> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT question_id, topic, box, due_ms, seen, correct FROM cards \
                 WHERE user_id = ?1 ORDER BY due_ms, question_id",
            )?;
            let rows = stmt.query_map([user], card_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// A user's study progress per topic (by key): answers, correct answers, and cards due at
    /// `now_ms`.
    pub fn study_stats(&self, user: &str, now_ms: i64) -> Result<Vec<StudyTopic>, StoreError> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT topic, SUM(seen), SUM(correct), \
                 SUM(CASE WHEN due_ms <= ?2 THEN 1 ELSE 0 END) \
                 FROM cards WHERE user_id = ?1 GROUP BY topic ORDER BY topic",
            )?;
            let rows = stmt.query_map(params![user, now_ms], |r| {
                Ok(StudyTopic {
                    topic: r.get(0)?,
                    seen: r.get(1)?,
                    correct: r.get(2)?,
                    due: r.get(3)?,
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
    fn boxes_move_up_one_and_fall_to_one() {
        assert_eq!(next_box(None, true), 2);
        assert_eq!(next_box(None, false), 1);
        assert_eq!(next_box(Some(4), true), 5);
        assert_eq!(next_box(Some(5), true), 5, "the top box is the last");
        assert_eq!(next_box(Some(5), false), 1);
        assert_eq!(usize::from(TOP_BOX), LEITNER_INTERVALS_MS.len());
    }
}

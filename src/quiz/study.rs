//! Personal study scheduling: when a user's card for a question is due again after an
//! answer. Plain Rust: the store persists the card these functions return, in the same
//! transaction that read the previous one.
//!
//! The schedule is a Leitner system of five boxes: a right answer moves the card up a box (to
//! a longer wait), a wrong one sends it back to box 1, due at once.

use crate::quiz::Topic;

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
    /// Its topic.
    pub topic: Topic,
    /// The Leitner box, 1..=5.
    pub box_: u8,
    /// When it is next due (ms since the Unix epoch).
    pub due_ms: i64,
    /// How many times it was answered.
    pub seen: u32,
    /// How many of those were correct.
    pub correct: u32,
}

/// The box after an answer: up one if correct (staying in the top box), else back to 1. A
/// card never seen counts as being in box 1, so a first correct answer puts it in box 2.
pub fn next_box(current: Option<u8>, correct: bool) -> u8 {
    if correct {
        current.unwrap_or(1).saturating_add(1).clamp(1, TOP_BOX)
    } else {
        1
    }
}

/// The card after an answer at `now_ms`: its new box, when it is due, and its counts.
pub fn schedule(
    previous: Option<&Card>,
    question_id: &str,
    topic: Topic,
    correct: bool,
    now_ms: i64,
) -> Card {
    let box_ = next_box(previous.map(|c| c.box_), correct);
    let wait = LEITNER_INTERVALS_MS[usize::from(box_ - 1)];
    Card {
        question_id: question_id.to_string(),
        // Refreshed too: a curated question may have moved to another topic.
        topic,
        box_,
        due_ms: now_ms.saturating_add(wait),
        seen: previous.map_or(0, |c| c.seen) + 1,
        correct: previous.map_or(0, |c| c.correct) + u32::from(correct),
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

    #[test]
    fn a_card_is_due_after_its_new_box_interval_and_counts_its_answers() {
        let first = schedule(None, "q", Topic::Members, true, 1_000);
        assert_eq!(
            (first.box_, first.due_ms, first.seen, first.correct),
            (2, 1_000 + DAY_MS, 1, 1)
        );
        let missed = schedule(Some(&first), "q", Topic::Members, false, 5_000);
        assert_eq!(
            (missed.box_, missed.due_ms, missed.seen, missed.correct),
            (1, 5_000, 2, 1)
        );
    }
}

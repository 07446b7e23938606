//! Personal study scheduling: when a user's card for a question is due again after an
//! answer. Plain Rust: the store persists the card these functions return, in the same
//! transaction that read the previous one, and logs the review.
//!
//! The schedule is FSRS-6 (the `fsrs` crate, the open-spaced-repetition project's own), with
//! its default parameters and a desired retention of 90 %. A card holds FSRS's memory state:
//! *stability* (days until recall drops to 90 %) and *difficulty* (1–10). Answers are graded
//! right or wrong, FSRS's Good or Again:
//!
//! - right: the card is due after the crate's interval for Good, in whole days, at least one;
//! - wrong: the memory state takes the crate's Again, and the card comes back after a short
//!   relearning step ([`RELEARN_MS`], like Anki's default), so a missed question returns
//!   within the hour, not days later.
//!
//! Days elapsed since the last answer are whole days (the crate's unit), rounded down.
//!
//! **Cards from before FSRS** (Leitner boxes, schema 6 and earlier) had no review history,
//! only a box, a due time and two counts, so their first FSRS state is an approximation
//! ([`from_leitner`], which the migrations spell out in SQL):
//!
//! - stability = the box's interval in days (a Leitner interval was the wait until the next
//!   answer, and at 90 % desired retention FSRS waits exactly the stability), except box 1
//!   (a just-missed card, interval 0), which takes the stability FSRS gives a new card
//!   answered Again;
//! - difficulty = between FSRS's initial difficulty after Again (for a card never answered
//!   right) and after Good (always right), in proportion to the share of right answers;
//! - the due time is kept, and the last answer is placed one box interval before it (exact,
//!   since Leitner set due = answer + interval).
//!
//! A few reviews under FSRS replace the guess with a real state.

use std::sync::LazyLock;

use fsrs::{FSRS, MemoryState};

use crate::quiz::Topic;

/// A day in milliseconds.
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The probability of recall FSRS schedules for: 90 %, the project's default.
pub const DESIRED_RETENTION: f32 = 0.9;

/// How soon a missed card comes back: ten minutes (Anki's default relearning step).
pub const RELEARN_MS: i64 = 10 * 60 * 1000;

/// How long a card waited in each Leitner box before FSRS, box 1 first: at once, 1 day,
/// 3 days, 7 days, 21 days (in milliseconds). Only migrated cards' first state uses it.
pub const LEITNER_INTERVALS_MS: [i64; 5] = [0, DAY_MS, 3 * DAY_MS, 7 * DAY_MS, 21 * DAY_MS];

/// The scheduler with FSRS-6's default parameters, built once.
static SCHEDULER: LazyLock<FSRS> =
    LazyLock::new(|| FSRS::new(&[]).expect("the crate's own default parameters are valid"));

/// The scheduler every card uses (also for tests that compare with the crate).
pub fn scheduler() -> &'static FSRS {
    &SCHEDULER
}

/// How an answer is graded: FSRS's Again (wrong) or Good (right).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grade {
    /// Wrong: FSRS rating 1.
    Again,
    /// Right: FSRS rating 3.
    Good,
}

impl Grade {
    /// The grade of a right (`true`) or wrong answer.
    pub fn of(correct: bool) -> Grade {
        if correct { Grade::Good } else { Grade::Again }
    }

    /// The word stored in the review log: `again` or `good`.
    pub fn key(self) -> &'static str {
        match self {
            Grade::Again => "again",
            Grade::Good => "good",
        }
    }

    /// The grade named by its key.
    pub fn from_key(key: &str) -> Option<Grade> {
        [Grade::Again, Grade::Good]
            .into_iter()
            .find(|g| g.key() == key)
    }
}

/// One user's card for one question.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// The question's stable id.
    pub question_id: String,
    /// Its topic.
    pub topic: Topic,
    /// FSRS stability: days until the probability of recall falls to 90 %.
    pub stability: f32,
    /// FSRS difficulty, 1 (easy) to 10 (hard).
    pub difficulty: f32,
    /// When it is next due (ms since the Unix epoch).
    pub due_ms: i64,
    /// When it was last answered (ms since the Unix epoch; estimated for migrated cards).
    pub last_review_ms: i64,
    /// How many times it was answered.
    pub seen: u32,
    /// How many of those were correct.
    pub correct: u32,
}

/// A card's schedule at one moment, as the review log keeps it before and after an answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CardState {
    /// FSRS stability (days).
    pub stability: f32,
    /// FSRS difficulty (1–10).
    pub difficulty: f32,
    /// When it was (or is) due.
    pub due_ms: i64,
}

impl Card {
    /// Its schedule now.
    pub fn state(&self) -> CardState {
        CardState {
            stability: self.stability,
            difficulty: self.difficulty,
            due_ms: self.due_ms,
        }
    }
}

/// One study answer in the review log.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// The question.
    pub question_id: String,
    /// Its topic when answered.
    pub topic: Topic,
    /// When it was answered.
    pub reviewed_ms: i64,
    /// Right or wrong.
    pub grade: Grade,
    /// The card before the answer; `None` the first time the user met the question.
    pub before: Option<CardState>,
    /// The card after it.
    pub after: CardState,
}

impl Review {
    /// The log entry for an answer that turned `previous` into `card` at `now_ms`.
    pub fn of(previous: Option<&Card>, card: &Card, correct: bool, now_ms: i64) -> Review {
        Review {
            question_id: card.question_id.clone(),
            topic: card.topic,
            reviewed_ms: now_ms,
            grade: Grade::of(correct),
            before: previous.map(Card::state),
            after: card.state(),
        }
    }
}

/// Whole days between two times, rounded down, never negative (FSRS's unit).
pub fn elapsed_days(from_ms: i64, to_ms: i64) -> u32 {
    u32::try_from(to_ms.saturating_sub(from_ms).max(0) / DAY_MS).unwrap_or(u32::MAX)
}

/// The memory state after an answer, and the interval (days) FSRS proposes for it.
fn next_memory(previous: Option<MemoryState>, elapsed: u32, grade: Grade) -> (MemoryState, f32) {
    let fsrs = scheduler();
    // A stored state the crate refuses (not finite, say, from a hand-edited database) is
    // treated as a new card rather than failing the answer.
    let states = fsrs
        .next_states(previous, DESIRED_RETENTION, elapsed)
        .or_else(|_| fsrs.next_states(None, DESIRED_RETENTION, 0))
        .expect("FSRS schedules a new card with its default parameters");
    let item = match grade {
        Grade::Again => states.again,
        Grade::Good => states.good,
    };
    (item.memory, item.interval)
}

/// The card after an answer at `now_ms`: its new memory state, when it is due, and its counts.
pub fn schedule(
    previous: Option<&Card>,
    question_id: &str,
    topic: Topic,
    correct: bool,
    now_ms: i64,
) -> Card {
    let grade = Grade::of(correct);
    let (memory, elapsed) = match previous {
        Some(c) => (
            Some(MemoryState {
                stability: c.stability,
                difficulty: c.difficulty,
            }),
            elapsed_days(c.last_review_ms, now_ms),
        ),
        None => (None, 0),
    };
    let (memory, interval) = next_memory(memory, elapsed, grade);
    let wait = match grade {
        Grade::Again => RELEARN_MS,
        Grade::Good => interval_ms(interval),
    };
    Card {
        question_id: question_id.to_string(),
        // Refreshed too: a curated question may have moved to another topic.
        topic,
        stability: memory.stability,
        difficulty: memory.difficulty,
        due_ms: now_ms.saturating_add(wait),
        last_review_ms: now_ms,
        seen: previous.map_or(0, |c| c.seen).saturating_add(1),
        correct: previous
            .map_or(0, |c| c.correct)
            .saturating_add(u32::from(correct)),
    }
}

/// A Good interval in milliseconds: whole days, at least one (as Anki schedules reviews),
/// at most about a century.
pub fn interval_ms(interval_days: f32) -> i64 {
    let days = if interval_days.is_finite() {
        interval_days.round().clamp(1.0, 36_500.0)
    } else {
        1.0
    };
    // In range by the clamp above.
    days as i64 * DAY_MS
}

/// FSRS's initial difficulty after a first Again and after a first Good.
fn initial_difficulties() -> (f32, f32) {
    let states = scheduler()
        .next_states(None, DESIRED_RETENTION, 0)
        .expect("FSRS schedules a new card with its default parameters");
    (
        states.again.memory.difficulty,
        states.good.memory.difficulty,
    )
}

/// The first FSRS state of a Leitner card (see the module's documentation): stability and
/// difficulty. The migrations compute the same in SQL, with these constants rounded to four
/// decimals; `tests/store.rs` checks that they agree.
pub fn from_leitner(box_: u8, seen: u32, correct: u32) -> (f32, f32) {
    let index = usize::from(box_.clamp(1, 5) - 1);
    let interval_days = (LEITNER_INTERVALS_MS[index] / DAY_MS) as f32;
    let (again_d, good_d) = initial_difficulties();
    let stability = if index == 0 {
        scheduler()
            .next_states(None, DESIRED_RETENTION, 0)
            .map_or(0.212, |s| s.again.memory.stability)
    } else {
        interval_days
    };
    let right = if seen == 0 {
        0.0
    } else {
        correct.min(seen) as f32 / seen as f32
    };
    (stability, again_d + (good_d - again_d) * right)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600_000;

    #[test]
    fn a_first_right_answer_takes_the_crates_good_state_and_interval() {
        let card = schedule(None, "q", Topic::Members, true, T0);
        let good = scheduler()
            .next_states(None, DESIRED_RETENTION, 0)
            .expect("states")
            .good;
        assert_eq!(
            (card.stability, card.difficulty),
            (good.memory.stability, good.memory.difficulty)
        );
        assert_eq!(card.due_ms, T0 + interval_ms(good.interval));
        assert_eq!((card.seen, card.correct, card.last_review_ms), (1, 1, T0));
    }

    #[test]
    fn a_miss_comes_back_after_the_relearning_step_and_counts() {
        let first = schedule(None, "q", Topic::Members, true, T0);
        let missed = schedule(Some(&first), "q", Topic::Members, false, T0 + 3 * DAY_MS);
        assert_eq!(missed.due_ms, T0 + 3 * DAY_MS + RELEARN_MS);
        assert_eq!((missed.seen, missed.correct), (2, 1));
        assert!(missed.stability < first.stability);
    }

    #[test]
    fn intervals_are_whole_days_at_least_one() {
        assert_eq!(interval_ms(0.2), DAY_MS);
        assert_eq!(interval_ms(2.4), 2 * DAY_MS);
        assert_eq!(interval_ms(2.6), 3 * DAY_MS);
        assert_eq!(interval_ms(f32::NAN), DAY_MS);
        assert_eq!(interval_ms(f32::INFINITY), DAY_MS);
        assert_eq!(interval_ms(1e12), 36_500 * DAY_MS);
    }

    #[test]
    fn a_state_the_crate_refuses_is_scheduled_as_a_new_card() {
        let mut broken = schedule(None, "q", Topic::Members, true, T0);
        broken.stability = f32::NAN;
        let card = schedule(Some(&broken), "q", Topic::Members, true, T0 + DAY_MS);
        let fresh = schedule(None, "q", Topic::Members, true, T0 + DAY_MS);
        assert_eq!(
            (card.stability, card.due_ms),
            (fresh.stability, fresh.due_ms)
        );
        assert_eq!(card.seen, 2);
    }

    #[test]
    fn leitner_cards_get_their_box_interval_as_stability_and_a_difficulty_from_their_counts() {
        let (s1, d_never) = from_leitner(1, 3, 0);
        assert!(
            (s1 - 0.212).abs() < 1e-4,
            "box 1 is a new card's Again: {s1}"
        );
        assert_eq!(from_leitner(2, 1, 1).0, 1.0);
        assert_eq!(from_leitner(5, 9, 9).0, 21.0);
        let (_, d_always) = from_leitner(3, 4, 4);
        let (_, d_half) = from_leitner(3, 4, 2);
        assert!((d_never - 6.4133).abs() < 1e-4, "{d_never}");
        assert!((d_always - 2.1181).abs() < 1e-3, "{d_always}");
        assert!((d_half - (d_never + d_always) / 2.0).abs() < 1e-4);
        assert_eq!(
            from_leitner(4, 0, 0).1,
            d_never,
            "never answered counts as never right"
        );
    }

    #[test]
    fn grades_round_trip_their_keys() {
        for g in [Grade::Again, Grade::Good] {
            assert_eq!(Grade::from_key(g.key()), Some(g));
        }
        assert_eq!(Grade::from_key("hard"), None);
        assert_eq!(elapsed_days(T0, T0 + 2 * DAY_MS - 1), 1);
        assert_eq!(elapsed_days(T0 + 5, T0), 0);
    }
}

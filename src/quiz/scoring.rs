//! How a quiz round is scored: points for an answer (a fixed award plus a speed bonus) and a
//! player's running standing in a session (points, answers, streaks). Plain Rust: the store
//! persists what these functions decide, in the transaction that closes the round, so every
//! backend scores alike.

/// Points for a correct answer, before the speed bonus.
pub const CORRECT_POINTS: u32 = 10;
/// The largest speed bonus, for an answer given the moment the question opened.
pub const MAX_SPEED_BONUS: u32 = 5;

/// Points for one answer: `10 + bonus` if correct, else 0, where the bonus (0..=5) is
/// proportional to the time left, rounded down. An answer stamped before the question opened
/// (clock skew between machines) gets the full bonus, never more.
pub fn points_for(correct: bool, opened_ms: i64, deadline_ms: i64, answered_ms: i64) -> u32 {
    if !correct {
        return 0;
    }
    // In i128, no difference of two i64 and no `left * 5` can overflow.
    let span = i128::from(deadline_ms) - i128::from(opened_ms);
    if span <= 0 {
        return CORRECT_POINTS;
    }
    let left = (i128::from(deadline_ms) - i128::from(answered_ms)).clamp(0, span);
    let bonus = left * i128::from(MAX_SPEED_BONUS) / span;
    CORRECT_POINTS + u32::try_from(bonus).expect("0 <= left <= span, so the bonus is 0..=5")
}

/// A player's standing in one session, over its closed rounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// Points so far.
    pub points: u32,
    /// Correct answers so far.
    pub correct: u32,
    /// Rounds answered so far.
    pub answered: u32,
    /// Correct answers in a row up to the last closed round (0 after a wrong or missed one).
    pub streak: u32,
    /// The longest such run in the session.
    pub best_streak: u32,
}

impl Standing {
    /// The standing after answering a round: right answers extend the streak, a wrong one
    /// ends it.
    #[must_use]
    pub fn after_answer(self, correct: bool, points: u32) -> Standing {
        let streak = if correct { self.streak + 1 } else { 0 };
        Standing {
            points: self.points.saturating_add(points),
            correct: self.correct + u32::from(correct),
            answered: self.answered + 1,
            streak,
            best_streak: self.best_streak.max(streak),
        }
    }

    /// The standing after letting a round pass without answering: the streak ends.
    #[must_use]
    pub fn after_miss(self) -> Standing {
        Standing { streak: 0, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_bonus_is_proportional_to_time_left_rounded_down() {
        // 20 s question opened at 1000.
        let p = |answered| points_for(true, 1_000, 21_000, answered);
        assert_eq!(p(1_000), 15);
        assert_eq!(p(1_001), 14, "the full bonus only at the very start"); // 4.99975 → 4
        assert_eq!(p(5_000), 14);
        assert_eq!(p(11_000), 12); // half the time left: 2.5 → 2
        assert_eq!(p(20_999), 10);
        assert_eq!(p(21_000), 10);
        assert_eq!(p(0), 15, "clock skew never gives more than the maximum");
        assert_eq!(points_for(false, 1_000, 21_000, 1_000), 0);
    }

    #[test]
    fn degenerate_and_extreme_timestamps_do_not_panic() {
        assert_eq!(points_for(true, 5, 5, 5), 10);
        assert_eq!(points_for(true, 9, 5, 5), 10);
        assert_eq!(points_for(true, i64::MIN, i64::MAX, 0), 12);
        assert_eq!(points_for(true, 0, i64::MAX, i64::MIN), 15);
    }

    #[test]
    fn streaks_grow_on_right_answers_and_end_on_wrong_or_missed_ones() {
        let s = Standing::default()
            .after_answer(true, 12)
            .after_answer(true, 10);
        assert_eq!(
            (s.points, s.correct, s.answered, s.streak, s.best_streak),
            (22, 2, 2, 2, 2)
        );
        let s = s.after_answer(false, 0);
        assert_eq!((s.streak, s.best_streak, s.answered), (0, 2, 3));
        let s = s.after_answer(true, 10).after_miss();
        assert_eq!(
            (s.streak, s.best_streak, s.answered, s.correct),
            (0, 2, 4, 3)
        );
        let s = s
            .after_answer(true, 10)
            .after_answer(true, 10)
            .after_answer(true, 10);
        assert_eq!((s.streak, s.best_streak), (3, 3));
    }
}

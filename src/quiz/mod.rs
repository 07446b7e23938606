//! Quizzes and personal study: questions generated from the facts, fair answer checking,
//! channel quiz sessions and spaced repetition.
//!
//! - [`generate`]: typed facts (and curated `[[question]]` entries) → [`Question`]s;
//! - [`check`]: judging a typed answer fairly (whole answer, exact numbers, fuzzy names only
//!   with a clear margin over every known wrong candidate);
//! - [`session`]: channel quiz sessions (state in the store, rounds on a timer) and the engine
//!   the front ends call;
//! - [`runner`]: one driver per session in this process; [`sweeper`]: rounds whose process is
//!   gone, closed and played on by any other.

pub mod bank;
pub mod check;
pub mod export;
pub mod generate;
pub(crate) mod rng;
pub mod runner;
pub mod scoring;
pub mod session;
pub mod study;
pub mod sweeper;

pub use session::{Mode, Placement};

use crate::facts::Kind;

/// Re-exported from [`crate::facts`], where it lives so that the fact base (curated questions
/// carry a topic) need not import the quiz.
pub use crate::facts::Topic;

/// How an answer to a question is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// A year: exact, digits or words ("2001", "two thousand one" need not be accepted).
    Year,
    /// A whole number: exact, digits or number words ("6", "six").
    Number,
    /// A calendar date: exact.
    Date,
    /// The name of an entry of a kind: fuzzy only with a clear margin over the wrong candidates.
    Name(Kind),
    /// Other text (a status, a verdict): whole normalised answer, exact.
    Text,
}

/// One quiz question, with everything needed to ask, judge and explain it.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// Stable id: `template/fact-id` (e.g. `summit-host/summit-2017`); the store keys on it.
    pub id: String,
    /// What it is about.
    pub topic: Topic,
    /// The question as asked.
    pub prompt: String,
    /// The canonical answer, always shown on the reveal.
    pub answer: String,
    /// Other accepted answers (aliases, other spellings), shown on the reveal.
    pub accepted: Vec<String>,
    /// Four choices in display order (A–D): the answer and three distractors.
    pub choices: Vec<String>,
    /// Index of the answer in `choices`.
    pub correct: usize,
    /// Every known wrong answer of the same kind (a superset of the distractors): a typed
    /// answer is accepted fuzzily only if it is clearly closer to the answer than to all these.
    pub wrong: Vec<String>,
    /// How a typed answer is judged.
    pub answer_kind: AnswerKind,
    /// A short explanation shown after the answer.
    pub explanation: String,
    /// The entries the question was made from.
    pub facts: Vec<(Kind, String)>,
    /// Their source ids.
    pub sources: Vec<String>,
    /// Broader things that include the answer (a city that hosted several summits, when a
    /// summit is asked): a typed answer naming one gets "more specific, please".
    pub broader: Vec<String>,
}

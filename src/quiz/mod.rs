//! Quizzes and personal study: questions generated from the facts, fair answer checking,
//! channel quiz sessions and spaced repetition.
//!
//! - [`generate`]: typed facts (and curated `[[question]]` entries) → [`Question`]s;
//! - [`check`]: judging a typed answer fairly (whole answer, exact numbers, fuzzy names only
//!   with a clear margin over every known wrong candidate);
//! - [`session`]: channel quiz sessions (state in the store, rounds on a timer) and the engine
//!   the front ends call.

pub mod bank;
pub mod check;
pub mod generate;
pub(crate) mod rng;
pub mod runner;
pub mod scoring;
pub mod session;
pub mod study;

pub use session::Mode;

use crate::facts::Kind;

/// What a question is about; `/quiz start topic:` and `/study topic:` choose among these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// Member states: founders, accessions, years.
    Members,
    /// Observers, dialogue partners, SCO partners, guests.
    Partners,
    /// Heads of State Council summits: hosts, years, numbers.
    Summits,
    /// Shanghai Five meetings and the road to the SCO.
    ShanghaiFive,
    /// Bodies and institutions: seats, founding dates.
    Bodies,
    /// Founding and key documents: dates, places.
    Documents,
    /// The Shanghai Spirit and other principles.
    Principles,
    /// Glossary terms, the three evils.
    Terms,
    /// Secretaries-general.
    People,
    /// The seed article's claims and their verdicts.
    Claims,
}

impl Topic {
    /// Every topic, in display order.
    pub const ALL: [Topic; 10] = [
        Topic::Members,
        Topic::Partners,
        Topic::Summits,
        Topic::ShanghaiFive,
        Topic::Bodies,
        Topic::Documents,
        Topic::Principles,
        Topic::Terms,
        Topic::People,
        Topic::Claims,
    ];

    /// The word used in commands, JSON and the store.
    pub fn key(self) -> &'static str {
        match self {
            Topic::Members => "members",
            Topic::Partners => "partners",
            Topic::Summits => "summits",
            Topic::ShanghaiFive => "shanghai-five",
            Topic::Bodies => "bodies",
            Topic::Documents => "documents",
            Topic::Principles => "principles",
            Topic::Terms => "terms",
            Topic::People => "people",
            Topic::Claims => "claims",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Members => "Member states",
            Topic::Partners => "Partners and observers",
            Topic::Summits => "Summits",
            Topic::ShanghaiFive => "The Shanghai Five",
            Topic::Bodies => "Bodies",
            Topic::Documents => "Documents",
            Topic::Principles => "Principles",
            Topic::Terms => "Terms",
            Topic::People => "Secretaries-general",
            Topic::Claims => "The seed article's claims",
        }
    }

    /// The topic named by its key.
    pub fn from_key(key: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.key() == key)
    }
}

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
}

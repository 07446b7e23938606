//! The question bank: every question the fact base yields, by id, with a seeded order.

use std::collections::HashMap;

use super::rng::Rng;
use super::{Question, Topic};

/// The questions of one fact base version. Built with the facts (see `Knowledge::bank`), so a
/// reload replaces both together.
#[derive(Debug, Default)]
pub struct Bank {
    questions: Vec<Question>,
    by_id: HashMap<String, usize>,
}

impl Bank {
    /// A bank over these questions.
    pub fn new(questions: Vec<Question>) -> Bank {
        let by_id = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        Bank { questions, by_id }
    }

    /// Every question, in generation order.
    pub fn all(&self) -> &[Question] {
        &self.questions
    }

    /// A question by id.
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    /// The questions of a topic (or all) in the order a seed gives: the same seed, the same
    /// order; no question twice.
    pub fn order(&self, topic: Option<Topic>, seed: u64) -> Vec<&Question> {
        let mut list: Vec<(u64, &Question)> = self
            .questions
            .iter()
            .filter(|q| topic.is_none_or(|t| q.topic == t))
            .map(|q| (Rng::new(seed, &q.id).next(), q))
            .collect();
        list.sort_by(|(a, p), (b, q)| a.cmp(b).then_with(|| p.id.cmp(&q.id)));
        list.into_iter().map(|(_, q)| q).collect()
    }

    /// The questions of a session: up to `n` in the order of [`Bank::order`], never two about
    /// the same fact (the same subject, the first fact a question cites), so a fact asked two
    /// to four ways (a summit's city, country, month and year) is asked once per game. A
    /// question citing no fact is never held back. Fewer than `n` when the topic runs out.
    pub fn plan(&self, topic: Option<Topic>, seed: u64, n: usize) -> Vec<&Question> {
        let mut used = std::collections::HashSet::new();
        self.order(topic, seed)
            .into_iter()
            .filter(|q| q.facts.first().is_none_or(|f| used.insert(f.clone())))
            .take(n)
            .collect()
    }
}

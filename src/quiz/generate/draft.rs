//! Drafts: a question before its distractors are drawn, and what turns it into a [`Question`].

use std::collections::HashSet;

use super::{high, names_answer, other_names, student_note};
use crate::facts::{Confidence, CuratedQuestion, Entry, FactBase, Kind, MONTHS};
use crate::quiz::rng::Rng;
use crate::quiz::{AnswerKind, Question, Topic};
use crate::search::normalize::compact;

/// A question with every candidate distractor, before three are drawn and the choices shuffled.
pub(super) struct Draft {
    id: String,
    topic: Topic,
    prompt: String,
    answer: String,
    accepted: Vec<String>,
    /// Certainly wrong answers, three of which are drawn.
    pool: Vec<String>,
    /// Further wrong answers of the same kind, for the checker's margin rule.
    wrong: Vec<String>,
    /// Broader things that include the answer: "more specific, please".
    broader: Vec<String>,
    kind: AnswerKind,
    explanation: String,
    /// The entries the question is made from; the first is its subject.
    facts: Vec<(Kind, String)>,
    /// Curated questions carry their own sources and are not hedged: a curator wrote them.
    curated_sources: Option<Vec<String>>,
}

impl Draft {
    pub(super) fn new(
        id: String,
        topic: Topic,
        prompt: String,
        answer: String,
        kind: AnswerKind,
    ) -> Draft {
        Draft {
            id,
            topic,
            prompt,
            answer,
            accepted: Vec::new(),
            pool: Vec::new(),
            wrong: Vec::new(),
            broader: Vec::new(),
            kind,
            explanation: String::new(),
            facts: Vec::new(),
            curated_sources: None,
        }
    }

    pub(super) fn pool(mut self, pool: Vec<String>) -> Draft {
        self.pool = pool;
        self
    }

    /// Broader things that include the answer (see [`Question::broader`]).
    pub(super) fn broader(mut self, broader: Vec<String>) -> Draft {
        self.broader = broader;
        self
    }

    pub(super) fn wrong(mut self, wrong: Vec<String>) -> Draft {
        self.wrong.extend(wrong);
        self
    }

    /// An answer that is an entry's name: its other names are accepted, the distractors are
    /// drawn from the names of the `others` rated high, and all their names count as wrong.
    pub(super) fn entry_choices<'e>(
        mut self,
        answer: &Entry,
        others: impl IntoIterator<Item = &'e Entry>,
    ) -> Draft {
        self.accepted = other_names(answer, "");
        for o in others {
            if high(o) {
                self.pool.push(o.name.clone());
            }
            self.wrong.extend(o.names().map(str::to_string));
        }
        self
    }

    /// A question whose answer is an entry's name, judged as a name of its kind, with the
    /// choices of [`Draft::entry_choices`].
    pub(super) fn naming<'e>(
        id: String,
        topic: Topic,
        prompt: String,
        answer: &Entry,
        others: impl IntoIterator<Item = &'e Entry>,
    ) -> Draft {
        Draft::new(
            id,
            topic,
            prompt,
            answer.name.clone(),
            AnswerKind::Name(answer.kind),
        )
        .entry_choices(answer, others)
    }

    pub(super) fn accepted(mut self, accepted: Vec<String>) -> Draft {
        self.accepted = accepted;
        self
    }

    pub(super) fn explain(mut self, explanation: String) -> Draft {
        self.explanation = explanation;
        self
    }

    pub(super) fn cite(mut self, e: &Entry) -> Draft {
        self.facts.push((e.kind, e.id.clone()));
        self
    }

    pub(super) fn cite_all<'e>(mut self, entries: impl IntoIterator<Item = &'e Entry>) -> Draft {
        for e in entries {
            if !self.facts.iter().any(|(k, id)| *k == e.kind && *id == e.id) {
                self.facts.push((e.kind, e.id.clone()));
            }
        }
        self
    }

    /// Applies the confidence rule, draws three distractors, shuffles the choices.
    pub(super) fn finish(self, fb: &FactBase, seed: u64) -> Option<Question> {
        let mut prompt = self.prompt;
        let mut explanation = self.explanation;
        let sources = match self.curated_sources {
            Some(sources) => sources,
            None => {
                let subject = self.facts.first().and_then(|(k, id)| fb.get(*k, id))?;
                match subject.confidence {
                    Confidence::High => {}
                    Confidence::Medium => {
                        prompt = hedge(&prompt);
                        explanation = match student_note(subject) {
                            Some(c) => format!("{explanation} Reported (medium confidence): {c}"),
                            None => format!("{explanation} Reported (medium confidence)."),
                        };
                    }
                    Confidence::Low => return None,
                }
                let mut sources: Vec<String> = Vec::new();
                for (k, id) in &self.facts {
                    for s in fb.get(*k, id).map(|e| e.sources.as_slice()).unwrap_or(&[]) {
                        if !sources.contains(s) {
                            sources.push(s.clone());
                        }
                    }
                }
                sources
            }
        };
        // A prompt that names its answer asks nothing ("In which city was the 1st Shanghai
        // Five meeting held?"); it is dropped, not reworded.
        let forms: Vec<&String> = std::iter::once(&self.answer)
            .chain(&self.accepted)
            .collect();
        if names_answer(&prompt, &forms) {
            return None;
        }
        // Everything is compared as the answer checker compares: normalised and compact.
        let mut taken: HashSet<String> = HashSet::new();
        taken.insert(compact(&self.answer));
        let accepted = distinct(self.accepted, &mut taken);
        let pool = distinct(self.pool, &mut taken.clone());
        if pool.len() < 3 {
            return None;
        }
        let wrong = distinct(pool.iter().cloned().chain(self.wrong), &mut taken);
        let mut rng = Rng::new(seed, &self.id);
        let mut drawn = pool;
        rng.shuffle(&mut drawn);
        let mut choices = vec![self.answer.clone()];
        choices.extend(drawn.into_iter().take(3));
        rng.shuffle(&mut choices);
        let correct = choices
            .iter()
            .position(|c| *c == self.answer)
            .expect("the answer is one of the choices");
        Some(Question {
            id: self.id,
            topic: self.topic,
            prompt,
            answer: self.answer,
            accepted,
            choices,
            correct,
            wrong,
            answer_kind: self.kind,
            explanation,
            facts: self.facts,
            sources,
            broader: self.broader,
        })
    }
}

/// The items whose normalised form is not yet taken, in order; takes their forms.
fn distinct(items: impl IntoIterator<Item = String>, taken: &mut HashSet<String>) -> Vec<String> {
    items
        .into_iter()
        .filter(|s| {
            let key = compact(s);
            !key.is_empty() && taken.insert(key)
        })
        .collect()
}

/// "Which city hosted it?" → "Which city hosted it (reported)?"
fn hedge(prompt: &str) -> String {
    match prompt.strip_suffix('?') {
        Some(p) => format!("{p} (reported)?"),
        None => format!("{prompt} (reported)"),
    }
}

/// A curated `[[question]]` as a draft: its own distractors, sources and wording.
pub(super) fn curated(q: &CuratedQuestion) -> Draft {
    let all: Vec<&str> = std::iter::once(q.answer.as_str())
        .chain(q.distractors.iter().map(String::as_str))
        .collect();
    let kind = if all.iter().all(|s| s.len() == 4 && is_digits(s)) {
        AnswerKind::Year
    } else if all.iter().all(|s| is_digits(s)) {
        AnswerKind::Number
    } else if all.iter().all(|s| is_date(s)) {
        AnswerKind::Date
    } else {
        AnswerKind::Text
    };
    let mut d = Draft::new(
        format!("curated/{}", q.id),
        q.topic,
        q.prompt.clone(),
        q.answer.clone(),
        kind,
    )
    .accepted(q.accepted.clone())
    .pool(q.distractors.clone())
    .explain(q.explanation.clone());
    d.facts = q.facts.clone();
    d.curated_sources = Some(q.sources.clone());
    d
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is a date as the explanations write them: "15 June 2001".
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(' ').collect();
    matches!(parts.as_slice(), [day, month, year]
        if is_digits(day) && day.len() <= 2 && MONTHS.contains(month)
            && is_digits(year) && year.len() == 4)
}

/// One of `items`, chosen by the question id alone (not the seed), so that a "which of these"
/// question asks about the same right answer whatever the seed.
fn stable_pick<'t, T>(id: &str, items: &'t [T]) -> Option<&'t T> {
    if items.is_empty() {
        return None;
    }
    items.get(Rng::new(0, id).below(items.len()))
}

/// A "which of these …?" question: one of `right` (picked by the id alone, see
/// [`stable_pick`]) among the names of `wrong`, cited first as the question's subject; `None`
/// when `right` is empty. The answer comes back too, for the explanation.
pub(super) fn which_of_these<'e>(
    id: String,
    topic: Topic,
    prompt: String,
    right: &[&'e Entry],
    wrong: impl IntoIterator<Item = &'e Entry>,
) -> Option<(&'e Entry, Draft)> {
    let answer = *stable_pick(&id, right)?;
    Some((
        answer,
        Draft::naming(id, topic, prompt, answer, wrong).cite(answer),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_medium_subject_is_asked_as_reported() {
        assert_eq!(
            hedge("In which city was the 26th SCO summit (2026) held?"),
            "In which city was the 26th SCO summit (2026) held (reported)?"
        );
    }

    #[test]
    fn dates_are_recognised_as_the_explanations_write_them() {
        assert!(is_date("15 June 2001"));
        assert!(!is_date("June 2001"));
    }
}

//! Claims of the seed article, asked as what is true: "Which of these statements is wrong?".
//! A student has no fact sheet, so no question asks which verdict a document gave, and a
//! claim the fact sheet does not check (verdict "unchecked") is never asked about.

use super::draft::Draft;
use super::{Facts, high};
use crate::facts::{Claim, Entry, Verdict};
use crate::quiz::{AnswerKind, Topic};
use crate::search::normalize::compact;

impl<'a> Facts<'a> {
    // ---- The seed article's claims ----

    pub(super) fn claim_questions(&self, out: &mut Vec<Draft>) {
        // Only claims the facts settle: rated high, with no caveat (a caveat leaves part of a
        // claim unchecked), and a whole sentence (a fragment such as "and in 2019 to …"
        // cannot be judged on its own).
        let settled = |e: &Entry, c: &Claim| {
            high(e) && e.caveat.is_none() && c.claim.starts_with(|ch: char| ch.is_uppercase())
        };
        let statements = |verdict: Verdict| -> Vec<(&Entry, String)> {
            let mut seen: Vec<String> = Vec::new();
            self.claims
                .iter()
                .filter(|(e, c)| c.verdict == verdict && settled(e, c))
                .filter(|(_, c)| {
                    let key = compact(&c.claim);
                    !seen.contains(&key) && {
                        seen.push(key);
                        true
                    }
                })
                .map(|(e, c)| (*e, quoted(&c.claim)))
                .collect()
        };
        let right: Vec<String> = statements(Verdict::Correct)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        for (e, statement) in statements(Verdict::Wrong) {
            let Some(Claim {
                correction: Some(correction),
                ..
            }) = self
                .claims
                .iter()
                .find(|(o, _)| o.id == e.id)
                .map(|(_, c)| *c)
            else {
                continue;
            };
            out.push(
                Draft::new(
                    format!("claim-wrong/{}", e.id),
                    Topic::Claims,
                    "Which of these statements about the SCO and its members is wrong?".into(),
                    statement,
                    AnswerKind::Text,
                )
                .pool(right.clone())
                .explain(correction.clone())
                .cite(e),
            );
        }
    }
}

/// A claim as a choice: inner double quotes become single ones, and the closing punctuation
/// of a cut-off sentence goes.
fn quoted(text: &str) -> String {
    text.replace('“', "‘")
        .replace('”', "’")
        .replace('"', "'")
        .trim_end_matches(['.', ',', ';', ' '])
        .to_string()
}

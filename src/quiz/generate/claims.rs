//! The seed article's claims and the fact sheet's verdicts.

use super::draft::{Draft, which_of_these};
use super::{Facts, high};
use crate::facts::{Claim, Entry, Verdict};
use crate::quiz::{AnswerKind, Topic};
use crate::search::normalize::compact;

impl<'a> Facts<'a> {
    // ---- The seed article's claims ----

    pub(super) fn claim_questions(&self, out: &mut Vec<Draft>) {
        let labels = |except: Verdict| -> Vec<String> {
            Verdict::ALL
                .iter()
                .filter(|v| **v != except)
                .map(|v| v.label().to_string())
                .collect()
        };
        // Claims quoting the same words are one question (two entries check one sentence).
        let mut done: Vec<String> = Vec::new();
        for &(e, c) in &self.claims {
            let key = compact(&c.claim);
            if done.contains(&key) {
                continue;
            }
            done.push(key.clone());
            let same: Vec<&(&Entry, &Claim)> = self
                .claims
                .iter()
                .filter(|(_, o)| compact(&o.claim) == key)
                .collect();
            if same.iter().any(|(_, o)| o.verdict != c.verdict) {
                continue;
            }
            let explanation = same
                .iter()
                .map(|(o, oc)| oc.correction.clone().unwrap_or_else(|| o.summary.clone()))
                .collect::<Vec<_>>()
                .join(" ");
            out.push(
                Draft::new(
                    format!("claim-verdict/{}", e.id),
                    Topic::Claims,
                    format!(
                        "Which verdict did the fact sheet give this claim of the seed article: “{}”?",
                        quoted(&c.claim)
                    ),
                    c.verdict.label().to_string(),
                    AnswerKind::Text,
                )
                .pool(labels(c.verdict))
                .explain(explanation)
                .cite_all(same.iter().map(|(o, _)| *o)),
            );
        }
        // Which of these claims got a verdict. "Correct" and "correct (dates added)" are never
        // each other's distractors: both say the claim checks out.
        let correct = |v: Verdict| matches!(v, Verdict::Correct | Verdict::CorrectWithDates);
        for verdict in Verdict::ALL.iter().copied() {
            let id = format!("claim-with-verdict/{}", verdict.key());
            let with: Vec<&Entry> = self
                .claims
                .iter()
                .filter(|(e, c)| high(e) && c.verdict == verdict)
                .map(|(e, _)| *e)
                .collect();
            let unlike =
                |c: &Claim| c.verdict != verdict && !(correct(c.verdict) && correct(verdict));
            let Some((answer, d)) = which_of_these(
                id,
                Topic::Claims,
                format!(
                    "Which of these claims of the seed article did the fact sheet rate “{}”?",
                    verdict.label()
                ),
                &with,
                self.claims
                    .iter()
                    .filter(|(_, c)| unlike(c))
                    .map(|(e, _)| *e),
            ) else {
                continue;
            };
            out.push(d.explain(format!("“{}”: {}", answer.name, answer.summary)));
        }
    }
}

/// A quotation to put inside “…”: inner double quotes become single ones, and the closing
/// punctuation of a cut-off sentence goes.
fn quoted(text: &str) -> String {
    text.replace('“', "‘")
        .replace('”', "’")
        .replace('"', "'")
        .trim_end_matches(['.', ',', ';', ' '])
        .to_string()
}

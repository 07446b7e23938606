//! Terms made of parts (the three evils): the whole, which is a part, which is not, the missing one.

use super::draft::{Draft, which_of_these};
use super::{Facts, and_list, high, lower_first};
use crate::facts::Entry;
use crate::quiz::Topic;

impl<'a> Facts<'a> {
    /// For a term made of parts (the three evils): what they are called, which is one, which
    /// is not, and the missing one.
    pub(super) fn term_questions(&self, out: &mut Vec<Draft>) {
        for &(whole, _) in &self.terms {
            let parts = self.parts_of(whole);
            if parts.len() < 2 {
                continue;
            }
            let is_part = |e: &Entry| parts.iter().any(|p| p.id == e.id);
            // Every other term: certainly not one of the parts, nor the whole; the wrong names
            // of the whole.
            let others: Vec<&Entry> = self
                .terms
                .iter()
                .map(|(e, _)| *e)
                .filter(|e| e.id != whole.id && !is_part(e))
                .collect();
            // The wrong parts are things of the same nature as the parts (principles the SCO
            // holds, named like them), never a term such as "Area of the SCO", which no
            // student would take for one of the "three evils".
            let principles: Vec<&Entry> = self.principles.iter().map(|(e, _)| *e).collect();

            let part_names: Vec<String> = parts.iter().map(|p| lower_first(&p.name)).collect();
            let title = lower_first(&whole.name);
            let explanation = format!("The “{title}” are {}.", and_list(&part_names));
            out.push(
                Draft::naming(
                    format!("term-whole/{}", whole.id),
                    Topic::Terms,
                    format!(
                        "What are {} together called in SCO texts?",
                        and_list(&part_names)
                    ),
                    whole,
                    others.iter().copied(),
                )
                .explain(explanation.clone())
                .cite(whole)
                .cite_all(parts.iter().copied()),
            );
            let id = format!("term-part/{}", whole.id);
            if let Some((_, d)) = which_of_these(
                id,
                Topic::Terms,
                format!("Which of these is one of the “{title}”?"),
                &parts,
                principles.iter().copied(),
            ) {
                out.push(d.explain(explanation.clone()).cite(whole));
            }
            let id = format!("term-not-part/{}", whole.id);
            let high_others: Vec<&Entry> = principles.iter().copied().filter(|e| high(e)).collect();
            if let Some((_, d)) = which_of_these(
                id,
                Topic::Terms,
                format!("Which of these is NOT one of the “{title}”?"),
                &high_others,
                parts.iter().copied(),
            ) {
                out.push(
                    d.explain(explanation.clone())
                        .cite(whole)
                        .cite_all(parts.iter().copied()),
                );
            }
            for part in &parts {
                let rest: Vec<String> = parts
                    .iter()
                    .filter(|p| p.id != part.id)
                    .map(|p| lower_first(&p.name))
                    .collect();
                out.push(
                    Draft::naming(
                        format!("term-missing/{}", part.id),
                        Topic::Terms,
                        format!(
                            "Besides {}, which is one of the “{title}”?",
                            and_list(&rest)
                        ),
                        part,
                        principles.iter().copied(),
                    )
                    .explain(explanation.clone())
                    .cite(part)
                    .cite(whole),
                );
            }
        }
    }
}

//! Principles: their groups (the Shanghai Spirit, external, Charter), which is or is not in a
//! group, how many components.

use super::draft::{Draft, which_of_these};
use super::{Facts, and_list, high, lower_first, names_overlap, numbers_near};
use crate::facts::{Entry, PrincipleGroup};
use crate::quiz::{AnswerKind, Topic};

impl<'a> Facts<'a> {
    // ---- Principles ----

    pub(super) fn principle_questions(&self, out: &mut Vec<Draft>) {
        let in_group = |g: PrincipleGroup| -> Vec<&Entry> {
            self.principles
                .iter()
                .filter(|(_, pg)| *pg == g)
                .map(|(e, _)| *e)
                .collect()
        };
        // The "three evils" (a term with parts) give the fourth choice of "what is X?".
        let evils = self
            .terms
            .iter()
            .find(|(t, _)| self.parts_of(t).len() >= 2)
            .map(|(t, _)| *t);
        let evils_label =
            evils.map(|t| format!("one of the “{}” the SCO combats", lower_first(&t.name)));
        for &(e, group) in &self.principles {
            // The Charter's Art. 2 also says the SCO is not directed against other states, which
            // the facts file under the external principle of not targeting third parties; so an
            // external principle is never asked "which group", nor offered as not-Charter.
            if group == PrincipleGroup::External {
                continue;
            }
            // Not a group with a principle of a name like this one's ("Equality" of the
            // Shanghai Spirit, "Equality of member states" of the Charter).
            let alike = |g: PrincipleGroup| {
                in_group(g)
                    .iter()
                    .any(|o| o.id != e.id && names_overlap(&o.name, &e.name))
            };
            let mut pool: Vec<String> = PrincipleGroup::ALL
                .iter()
                .filter(|g| **g != group && !alike(**g))
                .map(|g| one_of_group(*g).to_string())
                .collect();
            pool.extend(evils_label.clone());
            out.push(
                Draft::new(
                    format!("principle-group/{}", e.id),
                    Topic::Principles,
                    format!("What is “{}” in SCO texts?", e.name),
                    one_of_group(group).to_string(),
                    AnswerKind::Text,
                )
                .pool(pool)
                .explain(format!("“{}” is {}.", e.name, one_of_group(group)))
                .cite(e),
            );
        }
        // Which of these is (NOT) in a group. External and Charter principles are never each
        // other's distractors (see above).
        for group in PrincipleGroup::ALL.iter().copied() {
            let members = in_group(group);
            // Only members rated high are listed as such; one rated lower is "also reported".
            let names = |high_only: bool| -> Vec<String> {
                members
                    .iter()
                    .filter(|e| high(e) == high_only)
                    .map(|e| lower_first(&e.name))
                    .collect()
            };
            let mut explanation = format!("{}: {}.", plural_group(group), and_list(&names(true)));
            let reported = names(false);
            if !reported.is_empty() {
                explanation.push_str(&format!(" Also reported: {}.", and_list(&reported)));
            }
            // Never one named like a member ("Equality of member states" for the Shanghai
            // Spirit's "Equality"): a student may fairly take one for the other.
            let outsiders: Vec<&Entry> = self
                .principles
                .iter()
                .filter(|(_, g)| *g != group && !overlapping(*g, group))
                .filter(|(e, _)| !members.iter().any(|m| names_overlap(&m.name, &e.name)))
                .map(|(e, _)| *e)
                .collect();
            for (key, yes, no, not) in [
                ("is", &members, &outsiders, ""),
                ("not", &outsiders, &members, "NOT "),
            ] {
                let id = format!("principle-{key}/{}", group.key());
                let candidates: Vec<&Entry> = yes.iter().copied().filter(|e| high(e)).collect();
                let Some((_, d)) = which_of_these(
                    id,
                    Topic::Principles,
                    format!("Which of these is {not}{}?", one_of_group(group)),
                    &candidates,
                    no.iter().copied(),
                ) else {
                    continue;
                };
                out.push(d.explain(explanation.clone()));
            }
        }
        // The Shanghai Spirit's six components. (The Charter's Art. 2 list is not counted: the
        // facts file one of its principles under the external ones; see above.)
        let spirit = in_group(PrincipleGroup::ShanghaiSpirit);
        if let Some(first) = spirit.first() {
            let names: Vec<String> = spirit.iter().map(|e| lower_first(&e.name)).collect();
            out.push(
                Draft::new(
                    "principle-count/shanghai_spirit".into(),
                    Topic::Principles,
                    "How many components does the Shanghai Spirit have?".into(),
                    spirit.len().to_string(),
                    AnswerKind::Number,
                )
                .pool(numbers_near(spirit.len()))
                .explain(format!(
                    "The Shanghai Spirit has {} components: {}.",
                    spirit.len(),
                    and_list(&names)
                ))
                .cite(first)
                .cite_all(spirit.iter().copied()),
            );
        }
    }
}

/// "a component of the Shanghai Spirit", as a choice and after "Which of these is …?".
fn one_of_group(g: PrincipleGroup) -> &'static str {
    match g {
        PrincipleGroup::ShanghaiSpirit => "a component of the Shanghai Spirit",
        PrincipleGroup::External => "one of the SCO's external principles",
        PrincipleGroup::Charter => "one of the principles of Article 2 of the SCO Charter",
    }
}

/// The heading of a group's list in an explanation.
fn plural_group(g: PrincipleGroup) -> &'static str {
    match g {
        PrincipleGroup::ShanghaiSpirit => "The components of the Shanghai Spirit",
        PrincipleGroup::External => "The SCO's external principles",
        PrincipleGroup::Charter => "The principles of Article 2 of the SCO Charter",
    }
}

/// Whether principles of two groups may describe the same thing (see `principle_questions`).
fn overlapping(a: PrincipleGroup, b: PrincipleGroup) -> bool {
    matches!(
        (a, b),
        (PrincipleGroup::External, PrincipleGroup::Charter)
            | (PrincipleGroup::Charter, PrincipleGroup::External)
    )
}

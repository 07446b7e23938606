//! Names in the SCO's other official languages: "Which country is 哈萨克斯坦 in Chinese?".

use super::draft::Draft;
use super::{Facts, other_names, status_topic};
use crate::facts::{Details, Entry, Kind};
use crate::quiz::Topic;
use crate::search::normalize::compact;

impl<'a> Facts<'a> {
    // ---- Names in the SCO's official languages ----

    /// "Which country is 哈萨克斯坦 in Chinese?" for countries, principles and terms.
    pub(super) fn other_language_questions(&self, out: &mut Vec<Draft>) {
        for e in &self.fb.entries {
            let noun = match e.kind {
                Kind::Country => "country",
                Kind::Principle => "SCO principle",
                Kind::Term => "SCO term",
                _ => continue,
            };
            let topic = match &e.details {
                Details::Country(c) => status_topic(c.status()),
                Details::Principle(_) => Topic::Principles,
                _ => Topic::Terms,
            };
            for (lang, key, name) in [
                ("Chinese", "name-zh", &e.name_zh),
                ("Russian", "name-ru", &e.name_ru),
            ] {
                let Some(shown) = name else { continue };
                // Siblings that answer to the same foreign name would be right too.
                let sibling = |o: &Entry| {
                    o.kind == e.kind
                        && o.id != e.id
                        && !o.names().any(|n| compact(n) == compact(shown))
                };
                out.push(
                    Draft::naming(
                        format!("{key}/{}/{}", e.kind.key(), e.id),
                        topic,
                        format!("Which {noun} is called “{shown}” in {lang}?"),
                        e,
                        self.fb.entries.iter().filter(|o| sibling(o)),
                    )
                    .accepted(other_names(e, shown))
                    .explain(format!("{shown} is {lang} for {}.", e.name))
                    .cite(e),
                );
            }
        }
    }
}

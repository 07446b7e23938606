//! Documents: when and where each was signed or adopted, when it entered into force, and which
//! was adopted at a meeting.

use super::draft::{Draft, which_of_these};
use super::{Facts, gives_away, high, place_question, summit_label};
use crate::facts::{DocType, Document, Entry, Kind, span};
use crate::quiz::Topic;

impl<'a> Facts<'a> {
    // ---- Documents ----

    pub(super) fn document_questions(&self, out: &mut Vec<Draft>) {
        let mut places: Vec<&str> = self
            .documents
            .iter()
            .map(|(_, d)| d.place.as_str())
            .collect();
        places.extend(self.summits.iter().map(|(_, s)| s.city.as_str()));
        for &(e, d) in &self.documents {
            let verb = doc_verb(d.doc_type);
            let at = d
                .summit
                .as_deref()
                .and_then(|id| self.summit(id))
                .map(|(s, _)| format!(", at the {}", s.name))
                .unwrap_or_default();
            let mut explanation = format!(
                "The {} was {verb} in {} on {}{at}.",
                e.name, d.place, d.signed
            );
            if let Some(f) = d.in_force {
                explanation.push_str(&format!(" It entered into force on {f}."));
            }
            let year = d.signed.year;
            if !gives_away(&e.name, &year.to_string()) {
                out.push(
                    self.year_question(
                        format!("document-year/{}", e.id),
                        Topic::Documents,
                        format!("In which year was the {} {verb}?", e.name),
                        year,
                        &[],
                    )
                    .explain(explanation.clone())
                    .cite(e),
                );
            }
            if !gives_away(&e.name, &d.place) {
                out.push(
                    place_question(
                        format!("document-place/{}", e.id),
                        Topic::Documents,
                        format!("Where was the {} {verb}?", e.name),
                        &d.place,
                        Kind::Document,
                        &places,
                    )
                    .explain(explanation.clone())
                    .cite(e),
                );
            }
            if let Some(in_force) = d.in_force {
                let year = in_force.year;
                out.push(
                    self.year_question(
                        format!("document-in-force/{}", e.id),
                        Topic::Documents,
                        format!("In which year did the {} enter into force?", e.name),
                        year,
                        &[],
                    )
                    .explain(explanation)
                    .cite(e),
                );
            }
        }
        // Which of these documents was signed at a meeting (named by number, not city, so a
        // "Tianjin Declaration" is no giveaway).
        for &(s, summit) in &self.summits {
            let id = format!("summit-document/{}", s.id);
            let here: Vec<&Entry> = self
                .documents
                .iter()
                .filter(|(e, d)| high(e) && d.summit.as_deref() == Some(s.id.as_str()))
                .map(|(e, _)| *e)
                .collect();
            let elsewhere = |d: &Document| d.summit.as_deref().is_some_and(|o| o != s.id);
            let Some((answer, d)) = which_of_these(
                id,
                Topic::Documents,
                format!(
                    "Which of these documents was signed or adopted at {}?",
                    summit_label(summit)
                ),
                &here,
                self.documents
                    .iter()
                    .filter(|(_, d)| elsewhere(d))
                    .map(|(e, _)| *e),
            ) else {
                continue;
            };
            out.push(
                d.explain(format!(
                    "The {} was signed or adopted at the {} ({}).",
                    answer.name,
                    s.name,
                    span(summit.start, summit.end)
                ))
                .cite(s),
            );
        }
    }
}

/// The verb for when a document of a type was made.
fn doc_verb(t: DocType) -> &'static str {
    match t {
        DocType::Declaration | DocType::Statement | DocType::Decision => "adopted",
        DocType::Strategy => "approved",
        DocType::Charter | DocType::Convention | DocType::Agreement | DocType::Treaty => "signed",
    }
}

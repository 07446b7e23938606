//! Bodies: seats, founding years, categories, Article 4 of the Charter.

use super::draft::{Draft, which_of_these};
use super::{Facts, and_list, high, numbers_near, place_question, with_article, years_in};
use crate::facts::{Body, DocType, Entry, Kind};
use crate::quiz::{AnswerKind, Topic};
use crate::search::normalize::compact;

impl<'a> Facts<'a> {
    // ---- Bodies ----

    pub(super) fn body_questions(&self, out: &mut Vec<Draft>) {
        let mut places: Vec<&str> = self
            .bodies
            .iter()
            .filter_map(|(_, b)| b.seat.as_deref())
            .collect();
        places.extend(
            self.countries
                .iter()
                .filter_map(|(_, c)| c.capital.as_deref()),
        );
        places.extend(self.summits.iter().map(|(_, s)| s.city.as_str()));
        let categories: Vec<String> = crate::facts::BodyCategory::ALL
            .iter()
            .map(|c| c.label().to_string())
            .collect();
        for &(e, b) in &self.bodies {
            if let Some(seat) = &b.seat {
                out.push(
                    place_question(
                        format!("body-seat/{}", e.id),
                        Topic::Bodies,
                        format!("In which city is the {} based?", e.name),
                        seat,
                        Kind::Body,
                        &places,
                    )
                    .explain(format!("The {} is based in {seat}.", e.name))
                    .cite(e),
                );
            }
            if let Some(founded) = b.founded {
                // Years the entry itself mentions (an agreement signed earlier, a planned
                // start) could be argued to be a founding; they are never offered.
                let mut except = years_in(&e.summary);
                except.extend(e.caveat.as_deref().map(years_in).unwrap_or_default());
                out.push(
                    self.year_question(
                        format!("body-founded/{}", e.id),
                        Topic::Bodies,
                        format!("In which year was the {} founded or launched?", e.name),
                        founded.year,
                        &except,
                    )
                    .explain(format!(
                        "The {} was founded or launched on {founded}.",
                        e.name
                    ))
                    .cite(e),
                );
            }
            // What kind of body, where a source says, unless the name says it ("Council of
            // ...", "... Center").
            let Some(category) = b.category else {
                continue;
            };
            let label = category.label();
            let last_word = label.rsplit(' ').next().unwrap_or(label);
            let name = e.name.to_lowercase().replace("center", "centre");
            if !name.contains(last_word) {
                out.push(
                    Draft::new(
                        format!("body-category/{}", e.id),
                        Topic::Bodies,
                        format!("What kind of SCO body is the {}?", e.name),
                        label.to_string(),
                        AnswerKind::Text,
                    )
                    .pool(categories.iter().filter(|c| *c != label).cloned().collect())
                    .explain(format!("The {} is {}.", e.name, with_article(label)))
                    .cite(e),
                );
            }
        }
        // Which of these bodies is based in a city.
        let mut seats: Vec<&str> = self
            .bodies
            .iter()
            .filter_map(|(_, b)| b.seat.as_deref())
            .collect();
        seats.sort_unstable();
        seats.dedup();
        for seat in seats {
            let id = format!("body-by-seat/{}", compact(seat));
            let here: Vec<&Entry> = self
                .bodies
                .iter()
                .filter(|(e, b)| high(e) && b.seat.as_deref() == Some(seat))
                .map(|(e, _)| *e)
                .collect();
            // Only bodies seated elsewhere: one without a seat is not certainly not "based" here.
            let elsewhere = |b: &Body| b.seat.as_deref().is_some_and(|s| s != seat);
            let Some((answer, d)) = which_of_these(
                id,
                Topic::Bodies,
                format!("Which of these SCO bodies is based in {seat}?"),
                &here,
                self.bodies
                    .iter()
                    .filter(|(_, b)| elsewhere(b))
                    .map(|(e, _)| *e),
            ) else {
                continue;
            };
            out.push(d.explain(format!("The {} is based in {seat}.", answer.name)));
        }
        // Charter Article 4: which is listed, which is not, how many.
        let charter = self
            .documents
            .iter()
            .find(|(_, d)| d.doc_type == DocType::Charter)
            .map(|(e, _)| *e);
        let listed: Vec<&Entry> = self
            .bodies
            .iter()
            .filter(|(_, b)| b.in_charter)
            .map(|(e, _)| *e)
            .collect();
        let unlisted: Vec<&Entry> = self
            .bodies
            .iter()
            .filter(|(_, b)| !b.in_charter)
            .map(|(e, _)| *e)
            .collect();
        let listed_names: Vec<&str> = listed.iter().map(|e| e.name.as_str()).collect();
        let explanation = format!(
            "Article 4 of the SCO Charter lists {} bodies: {}.",
            listed.len(),
            and_list(&listed_names)
        );
        for (key, yes, no, not) in [
            ("listed", &listed, &unlisted, ""),
            ("not-listed", &unlisted, &listed, "NOT "),
        ] {
            let id = format!("in-charter/{key}");
            let candidates: Vec<&Entry> = yes.iter().copied().filter(|e| high(e)).collect();
            let Some((_, d)) = which_of_these(
                id,
                Topic::Bodies,
                format!("Which of these bodies is {not}listed in Article 4 of the SCO Charter?"),
                &candidates,
                no.iter().copied(),
            ) else {
                continue;
            };
            let mut d = d.explain(explanation.clone());
            if let Some(c) = charter {
                d = d.cite(c);
            }
            out.push(d);
        }
        if let (Some(c), false) = (charter, listed.is_empty()) {
            out.push(
                Draft::new(
                    "in-charter/count".into(),
                    Topic::Bodies,
                    "How many bodies does Article 4 of the SCO Charter list?".into(),
                    listed.len().to_string(),
                    AnswerKind::Number,
                )
                .pool(numbers_near(listed.len()))
                .explain(explanation)
                .cite(c)
                .cite_all(listed.iter().copied()),
            );
        }
    }
}

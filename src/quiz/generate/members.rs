//! Member states and partners: when each country gained each status, at which meeting,
//! "which of these" per status and year; every country's status now and before, its capital.

use super::draft::{Draft, which_of_these};
use super::{Facts, Gain, and_list, high, status_topic, student_note, years_in};
use crate::facts::{Confidence, Country, Entry, Kind, Series, Status};
use crate::quiz::AnswerKind;

impl<'a> Facts<'a> {
    // ---- Statuses: years, meetings, "which of these" ----

    /// Per gained status: its year, its meeting; per status and year: which of these.
    pub(super) fn status_questions(&self, out: &mut Vec<Draft>) {
        for g in &self.gains {
            let (e, key) = (g.entry, g.status.key());
            let explanation = format!("{}, {}: {}.", e.name, g.step.date, g.step.event);
            let topic = status_topic(g.status);
            // An event can name a year that sources also give (Belarus: "usually dated since
            // 2010"); such a year is never offered as wrong.
            let year = g.step.date.year;
            out.push(
                self.year_question(
                    format!("status-year/{}/{key}", e.id),
                    topic,
                    format!("In which year {}?", gaining(g.status, &e.name)),
                    year,
                    &years_in(&g.step.event),
                )
                .explain(explanation.clone())
                .cite(e),
            );
            let Some((s, summit)) = g.step.summit.as_deref().and_then(|id| self.summit(id)) else {
                continue;
            };
            let meeting = match summit.series {
                Series::ShanghaiFive => "meeting",
                Series::HeadsOfState => "summit",
            };
            out.push(
                self.meeting_question(
                    format!("status-summit/{}/{key}", e.id),
                    topic,
                    format!("At which {meeting} {}?", gaining(g.status, &e.name)),
                    (s, summit),
                    |_| true,
                )
                .explain(explanation)
                .cite(e)
                .cite(s),
            );
        }
        // "Which of these countries became X in YEAR?": one question per status and year, with
        // one of that year's countries and three that had no such step that year.
        let mut groups: Vec<(Status, i32)> = self
            .gains
            .iter()
            .map(|g| (g.status, g.step.date.year))
            .collect();
        groups.sort();
        groups.dedup();
        let sco = self.founders(Series::HeadsOfState, Status::Member);
        let five = self.founders(Series::ShanghaiFive, Status::ShanghaiFive);
        for (status, year) in groups {
            let gained: Vec<&Gain> = self
                .gains
                .iter()
                .filter(|g| g.status == status && g.step.date.year == year)
                .collect();
            let founding = |list: &[&Entry]| {
                !list.is_empty()
                    && gained
                        .iter()
                        .all(|g| list.iter().any(|f| f.id == g.entry.id))
            };
            // The founders have questions of their own.
            if founding(&sco) || founding(&five) {
                continue;
            }
            let id = format!("status-in-year/{}/{year}", status.key());
            // A right answer rated high if there is one, so the question need not be hedged.
            let countries: Vec<&Entry> = gained.iter().map(|g| g.entry).collect();
            let rated_high: Vec<&Entry> = countries.iter().copied().filter(|e| high(e)).collect();
            let candidates = if rated_high.is_empty() {
                &countries
            } else {
                &rated_high
            };
            // Not just "no such gain": no step with this status that year at all.
            let did = |c: &Country| {
                c.history
                    .iter()
                    .any(|s| s.status == Some(status) && s.date.year == year)
            };
            let Some((answer, d)) = which_of_these(
                id,
                status_topic(status),
                format!("Which of these countries {} in {year}?", gained_in(status)),
                candidates,
                self.countries
                    .iter()
                    .filter(|(_, c)| !did(c))
                    .map(|(e, _)| *e),
            ) else {
                continue;
            };
            // A country gains a status once, so its gain is the one that year.
            let Some(g) = gained.iter().find(|g| g.entry.id == answer.id) else {
                continue;
            };
            let others: Vec<&str> = gained
                .iter()
                .filter(|o| o.entry.id != g.entry.id)
                .map(|o| o.entry.name.as_str())
                .collect();
            let mut explanation = format!("{}, {}: {}.", g.entry.name, g.step.date, g.step.event);
            if !others.is_empty() {
                explanation.push_str(&format!(" Also in {year}: {}.", and_list(&others)));
            }
            out.push(d.explain(explanation));
        }
    }

    // ---- Countries: status now and before, capital ----

    pub(super) fn country_questions(&self, out: &mut Vec<Draft>) {
        // A status is offered as wrong only if nothing could make it right: never the answer,
        // never one the country held (a former status is what a careful student may think
        // still stands), and, for an SCO partner, never the two statuses the partner status
        // merged (how and when they convert has not been published; Laos's own decision is
        // titled "dialogue partner").
        let labels = |answer: Status, c: &Country| -> Vec<String> {
            Status::ALL
                .iter()
                .filter(|s| **s != answer)
                .filter(|s| !c.history.iter().any(|h| h.status == Some(**s)))
                .filter(|s| {
                    answer != Status::Partner
                        || !matches!(s, Status::Observer | Status::DialoguePartner)
                })
                .map(|s| s.label().to_string())
                .collect()
        };
        let as_of = self.fb.meta.as_of;
        let capitals: Vec<&str> = self
            .countries
            .iter()
            .filter_map(|(_, c)| c.capital.as_deref())
            .collect();
        for &(e, c) in &self.countries {
            let now = c.status();
            let topic = status_topic(now);
            let since = c.status_since();
            // Says what happened on the step's date, not "partner since": when each observer
            // and dialogue partner converted is unpublished, and the caveat says so.
            let mut explanation = match since {
                Some(step) => format!(
                    "As of {as_of}, {} is {}. {}: {}.",
                    e.name,
                    now.with_article(),
                    step.date,
                    step.event
                ),
                None => format!("As of {as_of}, {} is {}.", e.name, now.with_article()),
            };
            if let (Confidence::High, Some(note)) = (e.confidence, student_note(e)) {
                explanation.push_str(&format!(" Note: {note}"));
            }
            out.push(
                Draft::new(
                    format!("status-now/{}", e.id),
                    topic,
                    format!("What is the SCO status of {} as of {as_of}?", e.name),
                    now.label().to_string(),
                    AnswerKind::Text,
                )
                .accepted(status_spellings(now))
                .pool(labels(now, c))
                .explain(explanation)
                .cite(e),
            );
            // The status before the current one began (for partners: before the Tianjin
            // merger), asked without asserting when the current one took effect for it.
            if let Some(step) = since {
                let before = c
                    .history
                    .iter()
                    .take_while(|s| !std::ptr::eq(*s, step))
                    .filter_map(|s| s.status)
                    .last();
                if let Some(before) = before {
                    // For a status the Tianjin merger gave (a conversion whose date is not
                    // published), the question is about the time before the decision, which
                    // is certain, not about when the new status began.
                    let converted = now == Status::Partner;
                    let when = match step.summit.as_deref().and_then(|id| self.summit(id)) {
                        Some((s, _)) if converted => {
                            format!("before the decision of the {} ({})", s.name, step.date)
                        }
                        _ => format!("just before {}", step.date),
                    };
                    let mut explanation = format!(
                        "Before {}, {} was {}. {}: {}.",
                        step.date,
                        e.name,
                        before.with_article(),
                        step.date,
                        step.event
                    );
                    if let (Confidence::High, Some(note)) = (e.confidence, student_note(e)) {
                        explanation.push_str(&format!(" Note: {note}"));
                    }
                    // Any status it held before, or a later one, is not certainly wrong for
                    // "before": only statuses it never held are offered.
                    let pool: Vec<String> = Status::ALL
                        .iter()
                        .filter(|s| {
                            **s != before && !c.history.iter().any(|h| h.status == Some(**s))
                        })
                        .map(|s| s.label().to_string())
                        .collect();
                    out.push(
                        Draft::new(
                            format!("status-before/{}", e.id),
                            topic,
                            format!("What status did {} have {when}?", e.name),
                            before.label().to_string(),
                            AnswerKind::Text,
                        )
                        .accepted(status_spellings(before))
                        .pool(pool)
                        .explain(explanation)
                        .cite(e),
                    );
                }
            }
            if let Some(capital) = &c.capital {
                out.push(
                    Draft::new(
                        format!("capital/{}", e.id),
                        topic,
                        format!("What is the capital of {}?", e.name),
                        capital.clone(),
                        AnswerKind::Name(Kind::Country),
                    )
                    .pool(
                        capitals
                            .iter()
                            .filter(|c| **c != capital)
                            .map(|c| (*c).to_string())
                            .collect(),
                    )
                    .explain(format!("The capital of {} is {capital}.", e.name))
                    .cite(e),
                );
            }
        }
    }
}

/// "did India become a member state of the SCO", for "In which year …?" and "At which summit …?".
fn gaining(status: Status, name: &str) -> String {
    match status {
        Status::ShanghaiFive => format!("did {name} join the Shanghai Five"),
        Status::Member => format!("did {name} become a member state of the SCO"),
        Status::Observer => format!("did {name} become an SCO observer"),
        // Sources date some partnerships from the decision, others from when it took effect;
        // asking for the decision is unambiguous.
        Status::DialoguePartner => format!("did the SCO decide to make {name} a dialogue partner"),
        Status::Partner => format!("did {name} become an SCO partner"),
        Status::Guest => format!("did {name} first attend SCO summits as a guest"),
    }
}

/// "joined the Shanghai Five", for "Which of these countries … in 2001?".
fn gained_in(status: Status) -> &'static str {
    match status {
        Status::ShanghaiFive => "joined the Shanghai Five",
        Status::Member => "became a member state of the SCO",
        Status::Observer => "became an SCO observer",
        Status::DialoguePartner => "did the SCO decide to make a dialogue partner",
        Status::Partner => "became an SCO partner",
        Status::Guest => "first attended SCO summits as a guest",
    }
}

/// Spellings of a status besides its label: its facts.toml key in words ("member").
fn status_spellings(status: Status) -> Vec<String> {
    vec![status.key().replace('_', " ")]
}

//! Summits and Shanghai Five meetings: city, host country, month, year, format.

use super::draft::{Draft, which_of_these};
use super::{Facts, and_list, gives_away, high, names_of, place_question, summit_label};
use crate::facts::{Entry, Format, Kind, MONTHS, Series, Summit, span};
use crate::quiz::{AnswerKind, Topic};
use crate::reply::capitalise;
use crate::search::normalize::compact;

impl<'a> Facts<'a> {
    // ---- Summits and Shanghai Five meetings ----

    pub(super) fn summit_questions(&self, out: &mut Vec<Draft>) {
        let mut cities: Vec<&str> = self.summits.iter().map(|(_, s)| s.city.as_str()).collect();
        cities.extend(
            self.countries
                .iter()
                .filter_map(|(_, c)| c.capital.as_deref()),
        );
        for &(e, s) in &self.summits {
            let label = summit_label(s);
            let topic = summit_topic(s);
            let dates = span(s.start, s.end);
            let host = self.fb.name_of(Kind::Country, &s.country);
            let virtual_ = s.format == Some(Format::Virtual);
            // Where.
            let (prompt, explanation) = if virtual_ {
                (
                    format!("From which city was {label}, held by videoconference, chaired?"),
                    format!(
                        "{} was chaired from {} ({host}) by videoconference on {dates}.",
                        capitalise(&label),
                        s.city
                    ),
                )
            } else {
                (
                    format!("In which city was {label} held?"),
                    format!(
                        "{} was held in {}, {host}, on {dates}{}.",
                        capitalise(&label),
                        s.city,
                        s.format
                            .map(|f| format!(" ({})", f.label()))
                            .unwrap_or_default()
                    ),
                )
            };
            out.push(
                place_question(
                    format!("summit-city/{}", e.id),
                    topic,
                    prompt,
                    &s.city,
                    Kind::Summit,
                    &cities,
                )
                .explain(explanation.clone())
                .cite(e),
            );
            // Which country.
            if let Some(country) = self.country(&s.country) {
                let verb = if virtual_ { "chaired" } else { "hosted" };
                let members = self
                    .countries
                    .iter()
                    .filter(|(o, c)| o.id != country.id && c.accession().is_some())
                    .map(|(o, _)| *o);
                out.push(
                    Draft::naming(
                        format!("summit-country/{}", e.id),
                        topic,
                        format!("Which country {verb} {label}?"),
                        country,
                        members,
                    )
                    .wrong(names_of(
                        self.countries
                            .iter()
                            .map(|(o, _)| *o)
                            .filter(|o| o.id != country.id),
                    ))
                    .explain(explanation.clone())
                    .cite(e)
                    .cite(country),
                );
            }
            // Which month (only for a meeting within one month).
            if s.end
                .is_none_or(|end| (end.year, end.month) == (s.start.year, s.start.month))
            {
                let month = s.start.month_name();
                let place = if virtual_ {
                    "by videoconference".to_string()
                } else {
                    format!("in {}", s.city)
                };
                out.push(
                    Draft::new(
                        format!("summit-month/{}", e.id),
                        topic,
                        format!("In which month was {label} held {place}?"),
                        month.to_string(),
                        AnswerKind::Text,
                    )
                    .accepted(vec![month[..3].to_string()])
                    .pool(
                        MONTHS
                            .iter()
                            .filter(|m| **m != month)
                            .map(|m| (*m).to_string())
                            .collect(),
                    )
                    .explain(explanation.clone())
                    .cite(e),
                );
            }
            // Which year a city hosted: asked only when the city's meeting is unambiguous (its
            // only one in the series, or its first).
            let in_city: Vec<(&Entry, &Summit)> = self
                .summits
                .iter()
                .filter(|(_, o)| compact(&o.city) == compact(&s.city))
                .copied()
                .collect();
            let same_series: Vec<&Summit> = in_city
                .iter()
                .filter(|(_, o)| o.series == s.series)
                .map(|(_, o)| *o)
                .collect();
            let first = same_series.iter().map(|o| o.year).min() == Some(s.year);
            let other_series: Vec<i32> = in_city
                .iter()
                .filter(|(_, o)| o.series != s.series)
                .map(|(_, o)| o.year)
                .collect();
            let what = match s.series {
                Series::ShanghaiFive => "a Shanghai Five meeting",
                Series::HeadsOfState => "an SCO summit",
            };
            // The first SCO summit also counts as the sixth Shanghai Five meeting, so a city that
            // hosted both series is not asked when it hosted "a Shanghai Five meeting".
            let overlap = s.series == Series::ShanghaiFive && !other_series.is_empty();
            let prompt = match (same_series.len(), virtual_) {
                _ if overlap => String::new(),
                (1, true) => format!("In which year was {what} chaired from {}?", s.city),
                (1, false) => format!("In which year did {} host {what}?", s.city),
                (_, false) if first => format!("In which year did {} first host {what}?", s.city),
                _ => String::new(),
            };
            if !prompt.is_empty() {
                // The city's other meetings, as surely as the facts know them: one chaired from
                // there by videoconference was not hosted, and one rated below high is reported.
                let mut hosted: Vec<String> = Vec::new();
                let mut chaired: Vec<String> = Vec::new();
                for (o, os) in &in_city {
                    if os.series != s.series || os.year == s.year {
                        continue;
                    }
                    let year = if high(o) {
                        os.year.to_string()
                    } else {
                        format!("{} (reported)", os.year)
                    };
                    if os.format == Some(Format::Virtual) {
                        chaired.push(year);
                    } else {
                        hosted.push(year);
                    }
                }
                let mut explanation = explanation.clone();
                if !hosted.is_empty() {
                    explanation.push_str(&format!(
                        " {} hosted again in {}.",
                        s.city,
                        and_list(&hosted)
                    ));
                }
                if !chaired.is_empty() {
                    explanation.push_str(&format!(
                        " A summit was chaired from {} by videoconference in {}.",
                        s.city,
                        and_list(&chaired)
                    ));
                }
                // A meeting of the other series in the same city (Bishkek 1999 for "first SCO
                // summit in Bishkek") is wrong, but a trap; it is never offered.
                out.push(
                    self.year_question(
                        format!("summit-year/{}", e.id),
                        topic,
                        prompt,
                        s.year,
                        &other_series,
                    )
                    .explain(explanation)
                    .cite(e),
                );
            }
        }
        // Which of these summits was held in a format (when the names do not give it away).
        for format in [Format::Virtual, Format::Hybrid] {
            let held: Vec<&Entry> = self
                .summits
                .iter()
                .filter(|(e, s)| {
                    s.series == Series::HeadsOfState
                        && s.format == Some(format)
                        && high(e)
                        && !["virtual", "videoconference", "hybrid", "online"]
                            .iter()
                            .any(|w| gives_away(&e.name, w))
                })
                .map(|(e, _)| *e)
                .collect();
            let id = format!("summit-format/{}", format.key());
            let in_person =
                |s: &Summit| s.series == Series::HeadsOfState && s.format == Some(Format::InPerson);
            let Some((answer, d)) = which_of_these(
                id,
                Topic::Summits,
                format!(
                    "Which of these SCO summits was held {}?",
                    format_words(format)
                ),
                &held,
                self.summits
                    .iter()
                    .filter(|(_, s)| in_person(s))
                    .map(|(e, _)| *e),
            ) else {
                continue;
            };
            out.push(d.explain(format!(
                "The {} was held {}.",
                answer.name,
                format_words(format)
            )));
        }
    }
}

fn summit_topic(s: &Summit) -> Topic {
    match s.series {
        Series::ShanghaiFive => Topic::ShanghaiFive,
        Series::HeadsOfState => Topic::Summits,
    }
}

fn format_words(format: Format) -> &'static str {
    match format {
        Format::InPerson => "in person",
        Format::Virtual => "by videoconference",
        Format::Hybrid => "in hybrid format (partly in person, partly online)",
    }
}

//! Secretaries-general: country, order, years in office, appointment, successor.

use super::draft::{Draft, which_of_these};
use super::{Facts, and_list, high, names_of, ordinal_word, other_names, years_in};
use crate::facts::{Entry, Kind, Person, Series};
use crate::quiz::{AnswerKind, Topic};

impl<'a> Facts<'a> {
    // ---- Secretaries-general ----

    pub(super) fn people_questions(&self, out: &mut Vec<Draft>) {
        let people: Vec<(&Entry, &Person)> = {
            let mut p = self.people.clone();
            p.sort_by_key(|(_, p)| p.order);
            p
        };
        let as_of = self.fb.meta.as_of.year;
        // A term not over by the fact base's date is asked about only for years already past.
        let last_year = |p: &Person| {
            if p.to_year >= as_of {
                as_of - 1
            } else {
                p.to_year
            }
        };
        let current = |p: &Person| p.left_office.is_none() && p.to_year >= as_of;
        let term = |e: &Entry, p: &Person| {
            let country = self.fb.name_of(Kind::Country, &p.country);
            if current(p) {
                format!(
                    "{} ({country}), the {} head of the SCO Secretariat (as {}), has been in office since {}; the term runs to {}.",
                    e.name,
                    ordinal_word(p.order),
                    p.role.label(),
                    p.took_office
                        .map_or_else(|| p.from_year.to_string(), |d| d.to_string()),
                    p.to_year
                )
            } else {
                format!(
                    "{} ({country}) was the {} head of the SCO Secretariat (as {}), {}–{}.",
                    e.name,
                    ordinal_word(p.order),
                    p.role.label(),
                    p.from_year,
                    p.to_year
                )
            }
        };
        // The people for whom `not` is false: the wrong answers to a question about one of them.
        let others = |not: &dyn Fn(&Person) -> bool| -> Vec<&Entry> {
            people
                .iter()
                .filter(|(_, p)| !not(p))
                .map(|(e, _)| *e)
                .collect()
        };
        let members: Vec<&Entry> = self
            .countries
            .iter()
            .filter(|(_, c)| c.accession().is_some())
            .map(|(e, _)| *e)
            .collect();
        for &(e, p) in &people {
            let explanation = term(e, p);
            // Where from.
            if let Some(country) = self.country(&p.country) {
                out.push(
                    Draft::naming(
                        format!("sg-country/{}", e.id),
                        Topic::People,
                        format!(
                            "Which country does {}, the {} head of the SCO Secretariat, come from?",
                            e.name,
                            ordinal_word(p.order)
                        ),
                        country,
                        members.iter().copied().filter(|m| m.id != country.id),
                    )
                    .explain(explanation.clone())
                    .cite(e)
                    .cite(country),
                );
            }
            // Who was the nth.

            let verb = if current(p) { "is" } else { "was" };
            out.push(
                Draft::naming(
                    format!("sg-order/{}", p.order),
                    Topic::People,
                    format!(
                        "Who {verb} the {} head of the SCO Secretariat?",
                        ordinal_word(p.order)
                    ),
                    e,
                    others(&|o: &Person| o.order == p.order),
                )
                .explain(explanation.clone())
                .cite(e),
            );
            // Which year in office first; years the entry's caveat mentions (a disputed term
            // end) are never offered.
            let except = e.caveat.as_deref().map(years_in).unwrap_or_default();
            out.push(
                self.year_question(
                    format!("sg-took-office/{}", e.id),
                    Topic::People,
                    format!(
                        "In which year did {} take office as head of the SCO Secretariat?",
                        e.name
                    ),
                    p.from_year,
                    &except,
                )
                .explain(explanation.clone())
                .cite(e),
            );
            // Appointed where.
            if let Some((s, summit)) = p.appointed_at.as_deref().and_then(|id| self.summit(id)) {
                out.push(
                    self.meeting_question(
                        format!("sg-appointed-at/{}", e.id),
                        Topic::People,
                        format!(
                            "At which summit was {} appointed head of the SCO Secretariat?",
                            e.name
                        ),
                        (s, summit),
                        |o| o.series == Series::HeadsOfState,
                    )
                    .explain(format!("{explanation} Appointed at the {}.", s.name))
                    .cite(e)
                    .cite(s),
                );
            }
            // Who came next.
            if let Some((next, np)) = people.iter().find(|(_, o)| o.order == p.order + 1) {
                out.push(
                    Draft::naming(
                        format!("sg-successor/{}", e.id),
                        Topic::People,
                        format!("Who succeeded {} as head of the SCO Secretariat?", e.name),
                        next,
                        others(&|o: &Person| o.order == np.order || o.order == p.order),
                    )
                    .explain(format!("{explanation} Next: {}", term(next, np)))
                    .cite(next)
                    .cite(e),
                );
            }
        }
        // Who was in office in a year.
        let (Some(first), Some(last)) = (
            people.iter().map(|(_, p)| p.from_year).min(),
            people.iter().map(|(_, p)| last_year(p)).max(),
        ) else {
            return;
        };
        for year in first..=last {
            let serving = |p: &Person| p.from_year <= year && year <= p.to_year;
            let holders: Vec<&(&Entry, &Person)> =
                people.iter().filter(|(_, p)| serving(p)).collect();
            let [(e, p)] = holders.as_slice() else {
                continue;
            };
            if year > last_year(p) {
                continue;
            }
            // Not someone whose caveat mentions the year (Norov's disputed "2019–2022").
            let doubtful = |o: &Entry| {
                o.caveat
                    .as_deref()
                    .is_some_and(|c| years_in(c).contains(&year))
            };
            let pool = people
                .iter()
                .filter(|(o, op)| high(o) && !serving(op) && !doubtful(o))
                .map(|(o, _)| o.name.clone())
                .collect();
            out.push(
                Draft::new(
                    format!("sg-in-year/{year}"),
                    Topic::People,
                    format!("Who headed the SCO Secretariat in {year}?"),
                    e.name.clone(),
                    AnswerKind::Name(Kind::Person),
                )
                .accepted(other_names(e, ""))
                .pool(pool)
                .wrong(names_of(
                    people
                        .iter()
                        .filter(|(_, op)| !serving(op))
                        .map(|(o, _)| *o),
                ))
                .explain(term(e, p))
                .cite(e),
            );
        }
        // Who came from a country.
        let mut countries: Vec<&str> = people.iter().map(|(_, p)| p.country.as_str()).collect();
        countries.sort_unstable();
        countries.dedup();
        for country in countries {
            let from: Vec<&Entry> = people
                .iter()
                .filter(|(e, p)| high(e) && p.country == country)
                .map(|(e, _)| *e)
                .collect();
            let id = format!("sg-from/{country}");
            let country_name = self.fb.name_of(Kind::Country, country);
            let prompt = if from.len() == 1 {
                format!("Which head of the SCO Secretariat came from {country_name}?")
            } else {
                format!("Which of these heads of the SCO Secretariat came from {country_name}?")
            };
            let from_names: Vec<&str> = from.iter().map(|e| e.name.as_str()).collect();

            let Some((_, d)) = which_of_these(
                id,
                Topic::People,
                prompt,
                &from,
                others(&|o: &Person| o.country == country),
            ) else {
                continue;
            };
            let mut d = d.explain(format!(
                "Heads of the SCO Secretariat from {country_name}: {}.",
                and_list(&from_names)
            ));
            if let Some(c) = self.country(country) {
                d = d.cite(c);
            }
            out.push(d);
        }
    }
}

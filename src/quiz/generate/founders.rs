//! Founding members of the SCO and of the Shanghai Five, and how many members after each
//! accession.

use super::draft::{Draft, which_of_these};
use super::{Facts, Gain, and_list, high, numbers_near};
use crate::facts::{Date, Entry, Series, Status, ordinal};
use crate::quiz::{AnswerKind, Topic};
use crate::reply::capitalise;

impl<'a> Facts<'a> {
    // ---- Founders ----

    /// Founding members of the SCO and of the Shanghai Five: which is, which is not.
    pub(super) fn founder_questions(&self, out: &mut Vec<Draft>) {
        let sco = self.founders(Series::HeadsOfState, Status::Member);
        let five = self.founders(Series::ShanghaiFive, Status::ShanghaiFive);
        let of = |list: &[&Entry], e: &Entry| list.iter().any(|f| f.id == e.id);
        let members: Vec<&Entry> = self
            .gains
            .iter()
            .filter(|g| g.status == Status::Member)
            .map(|g| g.entry)
            .collect();
        for (series, founders, what) in [
            (Series::HeadsOfState, &sco, "the SCO"),
            (Series::ShanghaiFive, &five, "the Shanghai Five"),
        ] {
            let Some((meeting, first)) = self.first_meeting(series) else {
                continue;
            };
            if founders.is_empty() {
                continue;
            }
            let names: Vec<&str> = founders.iter().map(|e| e.name.as_str()).collect();
            let explanation = format!(
                "{} was founded on {} in {} by {}.",
                capitalise(what),
                first.start,
                first.city,
                and_list(&names)
            );
            let key = match series {
                Series::HeadsOfState => "sco",
                Series::ShanghaiFive => "shanghai-five",
            };
            let (verb, year) = match series {
                Series::HeadsOfState => ("is", String::new()),
                Series::ShanghaiFive => ("was", format!(" ({})", first.year)),
            };
            // Which of these is a founder: one founder, three countries that are not.
            let id = format!("founders/{key}");
            let high_founders: Vec<&Entry> = founders.iter().copied().filter(|e| high(e)).collect();
            let non_founders = self.countries.iter().map(|(e, _)| *e);
            if let Some((_, d)) = which_of_these(
                id,
                founder_topic(series),
                format!("Which of these countries {verb} a founding member of {what}{year}?"),
                &high_founders,
                non_founders.filter(|e| !of(founders, e)),
            ) {
                out.push(d.explain(explanation.clone()).cite(meeting));
            }
            // Which is NOT: a later member (the likeliest to be mistaken for a founder), three
            // founders.
            let id = format!("founders/not-{key}");
            let later: Vec<&Entry> = members
                .iter()
                .copied()
                .filter(|e| high(e) && !of(founders, e))
                .collect();
            if let Some((_, d)) = which_of_these(
                id,
                founder_topic(series),
                format!("Which of these countries {verb} NOT a founding member of {what}{year}?"),
                &later,
                founders.iter().copied(),
            ) {
                out.push(
                    d.explain(explanation)
                        .cite(meeting)
                        .cite_all(high_founders.iter().copied()),
                );
            }
        }
        // The one SCO founder that had not founded the Shanghai Five (Uzbekistan).
        let newcomers: Vec<&Entry> = sco.iter().copied().filter(|e| !of(&five, e)).collect();
        if let ([answer], Some((meeting, _))) = (
            newcomers.as_slice(),
            self.first_meeting(Series::HeadsOfState),
        ) {
            let five_names: Vec<&str> = five.iter().map(|e| e.name.as_str()).collect();
            out.push(
                Draft::naming(
                    "founders/sco-not-shanghai-five".into(),
                    Topic::ShanghaiFive,
                    "Which founding member of the SCO was not a founding member of the Shanghai Five?"
                        .into(),
                    answer,
                    five.iter().copied(),
                )
                .explain(format!(
                    "{} founded the Shanghai Five in 1996; {} joined it only on the eve of the SCO's founding, and all six founded the SCO.",
                    and_list(&five_names),
                    answer.name
                ))
                .cite(answer)
                .cite(meeting),
            );
        }
    }

    // ---- Counts ----

    /// How many members after each accession; the 9th and 10th member.
    pub(super) fn count_questions(&self, out: &mut Vec<Draft>) {
        for status in [Status::ShanghaiFive, Status::Member] {
            let mut dates: Vec<Date> = self
                .gains
                .iter()
                .filter(|g| g.status == status)
                .map(|g| g.step.date)
                .collect();
            dates.sort();
            dates.dedup();
            for (i, &date) in dates.iter().enumerate() {
                let holders: Vec<&Entry> = self
                    .countries
                    .iter()
                    .filter(|(_, c)| Self::status_on(c, date) == Some(status))
                    .map(|(e, _)| *e)
                    .collect();
                let joined: Vec<&Gain> = self
                    .gains
                    .iter()
                    .filter(|g| g.status == status && g.step.date == date)
                    .collect();
                let Some(first) = joined.first() else {
                    continue;
                };
                let joined_names: Vec<&str> =
                    joined.iter().map(|g| g.entry.name.as_str()).collect();
                let n = holders.len();
                let group = match status {
                    Status::ShanghaiFive => "the Shanghai Five",
                    _ => "the SCO",
                };
                let prompt = if i == 0 {
                    format!("How many countries founded {group} in {}?", date.year)
                } else {
                    let members = match status {
                        Status::ShanghaiFive => "members",
                        _ => "member states",
                    };
                    format!(
                        "How many {members} did {group} have after {} joined on {date}?",
                        and_list(&joined_names)
                    )
                };
                let holder_names: Vec<&str> = holders.iter().map(|e| e.name.as_str()).collect();
                // The subject is the meeting where it happened, else the first country to join.
                let meeting = first.step.summit.as_deref().and_then(|id| self.summit(id));
                let mut d = Draft::new(
                    format!("count/{}/{}", status.key(), date.iso()),
                    founder_topic(match status {
                        Status::ShanghaiFive => Series::ShanghaiFive,
                        _ => Series::HeadsOfState,
                    }),
                    prompt,
                    n.to_string(),
                    AnswerKind::Number,
                )
                .pool(numbers_near(n))
                .explain(format!(
                    "On {date} {group} had {n} {}: {}.",
                    match status {
                        Status::ShanghaiFive => "members",
                        _ => "member states",
                    },
                    and_list(&holder_names)
                ));
                if let Some((m, _)) = meeting {
                    d = d.cite(m);
                }
                out.push(d.cite_all(joined.iter().map(|g| g.entry)));
                // "Which country became the 9th member state?", when only one joined that day
                // and it was not at the founding.
                if status != Status::Member || i == 0 || joined.len() != 1 {
                    continue;
                }
                let answer = first.entry;
                let before: Vec<&str> = holder_names
                    .iter()
                    .copied()
                    .filter(|n| *n != answer.name)
                    .collect();
                out.push(
                    Draft::naming(
                        format!("member-ordinal/{}", answer.id),
                        Topic::Members,
                        format!(
                            "Which country became the SCO's {} member state?",
                            ordinal(u32::try_from(n).unwrap_or(u32::MAX))
                        ),
                        answer,
                        self.countries
                            .iter()
                            .map(|(e, _)| *e)
                            .filter(|e| e.id != answer.id),
                    )
                    .explain(format!(
                        "{} became the {} member state on {date}, after {}.",
                        answer.name,
                        ordinal(u32::try_from(n).unwrap_or(u32::MAX)),
                        and_list(&before)
                    ))
                    .cite(answer),
                );
            }
        }
    }
}

fn founder_topic(series: Series) -> Topic {
    match series {
        Series::ShanghaiFive => Topic::ShanghaiFive,
        Series::HeadsOfState => Topic::Members,
    }
}

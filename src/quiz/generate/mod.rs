//! Question generation: typed facts, and the curated `[[question]]` entries, → [`Question`]s.
//!
//! Every template reads typed fields (dates, statuses, cities, groups, verdicts), never the
//! prose summaries, and offers as distractors only answers the facts make certainly wrong:
//! another meeting's city for a summit's city, a country with no such step that year for
//! "which of these joined in 2017", a Shanghai Spirit component for "which is NOT a
//! component". A question is dropped rather than weakened when fewer than three such
//! distractors exist.
//!
//! - **Deterministic.** Each question draws its distractors and its choice order from its own
//!   tiny PRNG (splitmix64) seeded from the caller's seed mixed with the question's id, so the
//!   same seed gives the same bank and adding a fact changes only the questions that use it.
//!   Which of several right answers a "which of these" question shows depends on the id only,
//!   so a question keeps its meaning across seeds.
//! - **Honest about confidence.** The first fact a question cites is its subject. A subject
//!   rated low is never asked about; one rated medium is asked "(reported)" with its caveat in
//!   the explanation. Distractors are drawn only from entries rated high.
//! - **Place names** (a summit's city, a body's seat, a document's place) are judged as
//!   [`AnswerKind::Name`] of the kind they belong to, so a typo is forgiven under the same
//!   margin rule as any other name.

mod bodies;
mod claims;
mod documents;
mod draft;
mod founders;
mod languages;
mod members;
mod people;
mod principles;
mod summits;
mod terms;

use std::collections::HashSet;
use std::ops::RangeInclusive;

use super::{AnswerKind, Question, Topic};
use crate::facts::ordinal;
use crate::facts::{
    Body, Claim, Confidence, Country, Date, Details, Document, Entry, FactBase, Kind, Person,
    PrincipleGroup, Series, Status, Step, Summit,
};
use crate::search::normalize::compact;
use draft::{Draft, curated};

/// Every question the fact base supports, curated ones first, with choices drawn and shuffled
/// for `seed`. Ids and prompts are unique; every question has four distinct choices.
pub fn generate(fb: &FactBase, seed: u64) -> Vec<Question> {
    let f = Facts::new(fb);
    let mut drafts: Vec<Draft> = fb.questions.iter().map(curated).collect();
    f.status_questions(&mut drafts);
    f.founder_questions(&mut drafts);
    f.count_questions(&mut drafts);
    f.country_questions(&mut drafts);
    f.other_language_questions(&mut drafts);
    f.summit_questions(&mut drafts);
    f.body_questions(&mut drafts);
    f.document_questions(&mut drafts);
    f.principle_questions(&mut drafts);
    f.term_questions(&mut drafts);
    f.people_questions(&mut drafts);
    f.claim_questions(&mut drafts);
    let mut ids = HashSet::new();
    let mut prompts = HashSet::new();
    drafts
        .into_iter()
        .filter_map(|d| d.finish(fb, seed))
        // Two facts could one day make the same question (or a curator repeat a generated
        // one); the first wins, so ids and prompts stay unique.
        .filter(|q| ids.insert(q.id.clone()) && prompts.insert(q.prompt.clone()))
        .collect()
}

// ---- Wording helpers ----

/// "first" to "tenth", then "11th", ...
fn ordinal_word(n: u32) -> String {
    const WORDS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    match n.checked_sub(1).and_then(|i| WORDS.get(i as usize)) {
        Some(w) => (*w).to_string(),
        None => ordinal(n),
    }
}

/// "A", "A and B", "A, B and C".
fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a" or "an" before a label.
fn with_article(label: &str) -> String {
    let article = match label.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    };
    format!("{article} {label}")
}

/// The four-digit numbers in a text: years it mentions (e.g. "usually dated since 2010").
fn years_in(text: &str) -> Vec<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// Other spellings of a place: "St Petersburg" is also "Saint Petersburg".
fn place_spellings(place: &str) -> Vec<String> {
    match place.strip_prefix("St ") {
        Some(rest) => vec![format!("Saint {rest}")],
        None => Vec::new(),
    }
}

/// "Where …?": a place, judged as a name of the kind of entry it belongs to; its other
/// spellings are accepted and the other `places` are the distractors.
fn place_question(
    id: String,
    topic: Topic,
    prompt: String,
    place: &str,
    kind: Kind,
    places: &[&str],
) -> Draft {
    Draft::new(id, topic, prompt, place.to_string(), AnswerKind::Name(kind))
        .accepted(place_spellings(place))
        .pool(
            places
                .iter()
                .filter(|p| compact(p) != compact(place))
                .map(|p| (*p).to_string())
                .collect(),
        )
}

/// Whether a name gives its answer away (a "Tianjin Declaration" asked where it was adopted).
fn gives_away(name: &str, answer: &str) -> bool {
    let answer = compact(answer);
    !answer.is_empty() && compact(name).contains(&answer)
}

/// Every name of every entry, for the checker's margin rule.
fn names_of<'e>(entries: impl IntoIterator<Item = &'e Entry>) -> Vec<String> {
    entries
        .into_iter()
        .flat_map(|e| e.names().map(str::to_string))
        .collect()
}

/// The other names of an entry (aliases, Russian and Chinese names, official names), minus one
/// shown in the prompt.
fn other_names(e: &Entry, shown: &str) -> Vec<String> {
    e.names()
        .filter(|n| *n != e.name && *n != shown)
        .map(str::to_string)
        .collect()
}

fn high(e: &Entry) -> bool {
    e.confidence == Confidence::High
}

/// Words that mark a curator's note (about the sources, not the SCO): such a caveat stays in
/// the entry, where lookups show it, and never reaches a student's explanation.
const CURATOR_WORDS: &[&str] = &[
    "fact sheet",
    "mledoze",
    "dataset",
    "seed article",
    "facts.toml",
    "re-checked",
    "curator",
];

/// Whether a text is a curator's note (see `CURATOR_WORDS`).
pub fn is_curator_note(text: &str) -> bool {
    let text = text.to_lowercase();
    CURATOR_WORDS.iter().any(|w| text.contains(w))
}

/// An entry's caveat, if it is written for students rather than curators.
fn student_note(e: &Entry) -> Option<&str> {
    e.caveat.as_deref().filter(|c| !is_curator_note(c))
}

/// Whether a prompt names one of the answer's forms (as whole normalised words in a row):
/// "In which city was the 1st Shanghai Five meeting held?" names Shanghai.
pub fn names_answer<S: AsRef<str>>(prompt: &str, forms: &[S]) -> bool {
    let prompt = crate::search::normalize::tokens(prompt);
    forms.iter().any(|f| {
        let form = crate::search::normalize::tokens(f.as_ref());
        !form.is_empty() && prompt.windows(form.len()).any(|w| w == form.as_slice())
    })
}

/// Whether two names overlap: one is the other, or contains it as whole words in a row
/// ("Equality of member states" contains "Equality"). A student may fairly take one for the
/// other, so they are never each other's distractors.
fn names_overlap(a: &str, b: &str) -> bool {
    names_answer(a, &[b]) || names_answer(b, &[a])
}

// ---- The facts, typed ----

/// A status a country gained: the first step that set it.
struct Gain<'a> {
    entry: &'a Entry,
    step: &'a Step,
    status: Status,
}

/// The fact base with each kind's typed details at hand.
struct Facts<'a> {
    fb: &'a FactBase,
    countries: Vec<(&'a Entry, &'a Country)>,
    summits: Vec<(&'a Entry, &'a Summit)>,
    bodies: Vec<(&'a Entry, &'a Body)>,
    documents: Vec<(&'a Entry, &'a Document)>,
    principles: Vec<(&'a Entry, PrincipleGroup)>,
    terms: Vec<(&'a Entry, Option<&'a str>)>,
    people: Vec<(&'a Entry, &'a Person)>,
    claims: Vec<(&'a Entry, &'a Claim)>,
    gains: Vec<Gain<'a>>,
    /// The years distractors are drawn from: the span of the meetings.
    years: RangeInclusive<i32>,
}

impl<'a> Facts<'a> {
    fn new(fb: &'a FactBase) -> Facts<'a> {
        let mut f = Facts {
            fb,
            countries: Vec::new(),
            summits: Vec::new(),
            bodies: Vec::new(),
            documents: Vec::new(),
            principles: Vec::new(),
            terms: Vec::new(),
            people: Vec::new(),
            claims: Vec::new(),
            gains: Vec::new(),
            years: fb.meta.as_of.year..=fb.meta.as_of.year,
        };
        for e in &fb.entries {
            match &e.details {
                Details::Country(c) => f.countries.push((e, c)),
                Details::Summit(s) => f.summits.push((e, s)),
                Details::Body(b) => f.bodies.push((e, b)),
                Details::Document(d) => f.documents.push((e, d)),
                Details::Principle(g) => f.principles.push((e, *g)),
                Details::Term { part_of } => f.terms.push((e, part_of.as_deref())),
                Details::Person(p) => f.people.push((e, p)),
                Details::Claim(c) => f.claims.push((e, c)),
            }
        }
        let years = f.summits.iter().map(|(_, s)| s.year);
        if let (Some(lo), Some(hi)) = (years.clone().min(), years.max()) {
            f.years = lo..=hi;
        }
        for &(entry, country) in &f.countries {
            let mut held: Vec<Status> = Vec::new();
            for step in &country.history {
                let Some(status) = step.status else { continue };
                if held.contains(&status) {
                    continue;
                }
                // The Tianjin decision turned every observer and dialogue partner into an "SCO
                // partner", but how and when each converts is unpublished: only a country whose
                // first status is "partner" (Laos) gained it in a way a question may assert.
                let converted = status == Status::Partner && !held.is_empty();
                held.push(status);
                if !converted {
                    f.gains.push(Gain {
                        entry,
                        step,
                        status,
                    });
                }
            }
        }
        f
    }

    fn country(&self, id: &str) -> Option<&'a Entry> {
        self.fb.get(Kind::Country, id)
    }

    fn summit(&self, id: &str) -> Option<(&'a Entry, &'a Summit)> {
        self.summits.iter().find(|(e, _)| e.id == id).copied()
    }

    /// The years near `answer` (the six nearest, so distractors are plausible), minus `except`.
    fn years_near(&self, answer: i32, except: &[i32]) -> Vec<String> {
        let mut years: Vec<i32> = self
            .years
            .clone()
            .filter(|y| *y != answer && !except.contains(y))
            .collect();
        years.sort_by_key(|y| ((y - answer).abs(), *y));
        years.truncate(6);
        years.iter().map(i32::to_string).collect()
    }

    /// "In which year …?": the six years nearest the answer, minus `except`, are the
    /// distractors.
    fn year_question(
        &self,
        id: String,
        topic: Topic,
        prompt: String,
        year: i32,
        except: &[i32],
    ) -> Draft {
        Draft::new(id, topic, prompt, year.to_string(), AnswerKind::Year)
            .pool(self.years_near(year, except))
    }

    /// "At which meeting …?": the answer is a meeting; the six nearest in time of the other
    /// meetings rated high that `eligible` admits are the distractors, and every other
    /// meeting's names are wrong.
    fn meeting_question(
        &self,
        id: String,
        topic: Topic,
        prompt: String,
        (s, summit): (&Entry, &Summit),
        eligible: impl Fn(&Summit) -> bool,
    ) -> Draft {
        let mut others: Vec<(&Entry, &Summit)> = self
            .summits
            .iter()
            .filter(|(o, os)| o.id != s.id && high(o) && eligible(os))
            .copied()
            .collect();
        others.sort_by_key(|(_, o)| ((o.year - summit.year).abs(), o.year));
        Draft::new(
            id,
            topic,
            prompt,
            s.name.clone(),
            AnswerKind::Name(Kind::Summit),
        )
        .accepted(other_names(s, ""))
        .broader(
            // A city that hosted several meetings names none of them alone.
            (self
                .summits
                .iter()
                .filter(|(_, o)| compact(&o.city) == compact(&summit.city))
                .count()
                > 1)
            .then(|| summit.city.clone())
            .into_iter()
            .collect(),
        )
        .pool(others.iter().take(6).map(|(o, _)| o.name.clone()).collect())
        .wrong(names_of(
            self.summits
                .iter()
                .map(|(o, _)| *o)
                .filter(|o| o.id != s.id),
        ))
    }

    /// The first meeting of a series (the Shanghai Five's of 1996, the SCO's of 2001).
    fn first_meeting(&self, series: Series) -> Option<(&'a Entry, &'a Summit)> {
        self.summits
            .iter()
            .filter(|(_, s)| s.series == series)
            .min_by_key(|(_, s)| s.number)
            .copied()
    }

    /// The countries that gained `status` on the day of the first meeting of `series`.
    fn founders(&self, series: Series, status: Status) -> Vec<&'a Entry> {
        let Some((_, first)) = self.first_meeting(series) else {
            return Vec::new();
        };
        self.gains
            .iter()
            .filter(|g| g.status == status && g.step.date == first.start)
            .map(|g| g.entry)
            .collect()
    }

    /// The status a country had on a date (the last step on or before it that set one).
    fn status_on(country: &Country, date: Date) -> Option<Status> {
        country
            .history
            .iter()
            .filter(|s| s.date <= date)
            .filter_map(|s| s.status)
            .next_back()
    }

    /// The terms that are parts of `whole` (the three evils of "the three evils").
    fn parts_of(&self, whole: &Entry) -> Vec<&'a Entry> {
        self.terms
            .iter()
            .filter(|(_, part_of)| *part_of == Some(whole.id.as_str()))
            .map(|(e, _)| *e)
            .collect()
    }
}

fn status_topic(status: Status) -> Topic {
    match status {
        Status::ShanghaiFive => Topic::ShanghaiFive,
        Status::Member => Topic::Members,
        _ => Topic::Partners,
    }
}

/// "the 17th SCO summit (2017)", "the 3rd Shanghai Five meeting (1998)".
fn summit_label(s: &Summit) -> String {
    let what = match s.series {
        Series::ShanghaiFive => "Shanghai Five meeting",
        Series::HeadsOfState => "SCO summit",
    };
    format!("the {} {what} ({})", ordinal(s.number), s.year)
}

/// Whole numbers near `n` (never below 1), nearest first.
fn numbers_near(n: usize) -> Vec<String> {
    let mut out: Vec<usize> = (1..=n + 3)
        .filter(|m| *m != n && m.abs_diff(n) <= 3)
        .collect();
    out.sort_by_key(|m| (m.abs_diff(n), *m));
    out.iter().map(usize::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::span;

    #[test]
    fn ordinals_read_as_english() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101]
            .map(ordinal)
            .into();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"
            ]
        );
        assert_eq!(ordinal_word(1), "first");
        assert_eq!(ordinal_word(8), "eighth");
        assert_eq!(ordinal_word(11), "11th");
    }

    #[test]
    fn lists_dates_and_years_are_written_as_in_the_explanations() {
        assert_eq!(and_list(&["India"]), "India");
        assert_eq!(and_list(&["India", "Pakistan"]), "India and Pakistan");
        assert_eq!(and_list(&["A", "B", "C"]), "A, B and C");
        let d = |year, month, day| Date { year, month, day };
        assert_eq!(span(d(2001, 6, 15), None), "15 June 2001");
        assert_eq!(span(d(2017, 6, 8), Some(d(2017, 6, 9))), "8–9 June 2017");
        assert_eq!(
            span(d(2025, 8, 31), Some(d(2025, 9, 1))),
            "31 August – 1 September 2025"
        );
        assert_eq!(
            years_in("decided 2009 (usually dated since 2010)"),
            [2009, 2010]
        );
    }

    #[test]
    fn numbers_and_spellings_near_an_answer() {
        assert_eq!(numbers_near(1), ["2", "3", "4"]);
        assert_eq!(numbers_near(6), ["5", "7", "4", "8", "3", "9"]);
        assert_eq!(place_spellings("St Petersburg"), ["Saint Petersburg"]);
        assert!(gives_away("Tianjin Declaration", "Tianjin"));
        assert!(!gives_away("SCO Development Strategy until 2025", "2015"));
    }
}

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

use std::collections::HashSet;
use std::ops::RangeInclusive;

use super::rng::Rng;
use super::{AnswerKind, Question, Topic};
use crate::facts::{
    Body, Claim, Confidence, Country, CuratedQuestion, Date, Details, DocType, Document, Entry,
    FactBase, Format, Kind, Person, PrincipleGroup, Series, Status, Step, Summit, Verdict,
};
use crate::facts::{MONTHS, ordinal, span};
use crate::reply::capitalise;
use crate::search::normalize::compact;

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

// ---- Drafts: a question before its distractors are drawn ----

/// A question with every candidate distractor, before three are drawn and the choices shuffled.
struct Draft {
    id: String,
    topic: Topic,
    prompt: String,
    answer: String,
    accepted: Vec<String>,
    /// Certainly wrong answers, three of which are drawn.
    pool: Vec<String>,
    /// Further wrong answers of the same kind, for the checker's margin rule.
    wrong: Vec<String>,
    kind: AnswerKind,
    explanation: String,
    /// The entries the question is made from; the first is its subject.
    facts: Vec<(Kind, String)>,
    /// Curated questions carry their own sources and are not hedged: a curator wrote them.
    curated_sources: Option<Vec<String>>,
}

impl Draft {
    fn new(id: String, topic: Topic, prompt: String, answer: String, kind: AnswerKind) -> Draft {
        Draft {
            id,
            topic,
            prompt,
            answer,
            accepted: Vec::new(),
            pool: Vec::new(),
            wrong: Vec::new(),
            kind,
            explanation: String::new(),
            facts: Vec::new(),
            curated_sources: None,
        }
    }

    fn pool(mut self, pool: Vec<String>) -> Draft {
        self.pool = pool;
        self
    }

    fn wrong(mut self, wrong: Vec<String>) -> Draft {
        self.wrong.extend(wrong);
        self
    }

    /// An answer that is an entry's name: its other names are accepted, the distractors are
    /// drawn from the names of the `others` rated high, and all their names count as wrong.
    fn entry_choices<'e>(
        mut self,
        answer: &Entry,
        others: impl IntoIterator<Item = &'e Entry>,
    ) -> Draft {
        self.accepted = other_names(answer, "");
        for o in others {
            if high(o) {
                self.pool.push(o.name.clone());
            }
            self.wrong.extend(o.names().map(str::to_string));
        }
        self
    }

    fn accepted(mut self, accepted: Vec<String>) -> Draft {
        self.accepted = accepted;
        self
    }

    fn explain(mut self, explanation: String) -> Draft {
        self.explanation = explanation;
        self
    }

    fn cite(mut self, e: &Entry) -> Draft {
        self.facts.push((e.kind, e.id.clone()));
        self
    }

    fn cite_all<'e>(mut self, entries: impl IntoIterator<Item = &'e Entry>) -> Draft {
        for e in entries {
            if !self.facts.iter().any(|(k, id)| *k == e.kind && *id == e.id) {
                self.facts.push((e.kind, e.id.clone()));
            }
        }
        self
    }

    /// Applies the confidence rule, draws three distractors, shuffles the choices.
    fn finish(self, fb: &FactBase, seed: u64) -> Option<Question> {
        let mut prompt = self.prompt;
        let mut explanation = self.explanation;
        let sources = match self.curated_sources {
            Some(sources) => sources,
            None => {
                let subject = self.facts.first().and_then(|(k, id)| fb.get(*k, id))?;
                match subject.confidence {
                    Confidence::High => {}
                    Confidence::Medium => {
                        prompt = hedge(&prompt);
                        explanation = match &subject.caveat {
                            Some(c) => format!("{explanation} Reported (medium confidence): {c}"),
                            None => format!("{explanation} Reported (medium confidence)."),
                        };
                    }
                    Confidence::Low => return None,
                }
                let mut sources: Vec<String> = Vec::new();
                for (k, id) in &self.facts {
                    for s in fb.get(*k, id).map(|e| e.sources.as_slice()).unwrap_or(&[]) {
                        if !sources.contains(s) {
                            sources.push(s.clone());
                        }
                    }
                }
                sources
            }
        };
        // Everything is compared as the answer checker compares: normalised and compact.
        let mut taken: HashSet<String> = HashSet::new();
        taken.insert(compact(&self.answer));
        let accepted = distinct(self.accepted, &mut taken);
        let pool = distinct(self.pool, &mut taken.clone());
        if pool.len() < 3 {
            return None;
        }
        let wrong = distinct(pool.iter().cloned().chain(self.wrong), &mut taken);
        let mut rng = Rng::new(seed, &self.id);
        let mut drawn = pool;
        rng.shuffle(&mut drawn);
        let mut choices = vec![self.answer.clone()];
        choices.extend(drawn.into_iter().take(3));
        rng.shuffle(&mut choices);
        let correct = choices
            .iter()
            .position(|c| *c == self.answer)
            .expect("the answer is one of the choices");
        Some(Question {
            id: self.id,
            topic: self.topic,
            prompt,
            answer: self.answer,
            accepted,
            choices,
            correct,
            wrong,
            answer_kind: self.kind,
            explanation,
            facts: self.facts,
            sources,
        })
    }
}

/// The items whose normalised form is not yet taken, in order; takes their forms.
fn distinct(items: impl IntoIterator<Item = String>, taken: &mut HashSet<String>) -> Vec<String> {
    items
        .into_iter()
        .filter(|s| {
            let key = compact(s);
            !key.is_empty() && taken.insert(key)
        })
        .collect()
}

/// "Which city hosted it?" → "Which city hosted it (reported)?"
fn hedge(prompt: &str) -> String {
    match prompt.strip_suffix('?') {
        Some(p) => format!("{p} (reported)?"),
        None => format!("{prompt} (reported)"),
    }
}

/// A curated `[[question]]` as a draft: its own distractors, sources and wording.
fn curated(q: &CuratedQuestion) -> Draft {
    let all: Vec<&str> = std::iter::once(q.answer.as_str())
        .chain(q.distractors.iter().map(String::as_str))
        .collect();
    let kind = if all.iter().all(|s| s.len() == 4 && is_digits(s)) {
        AnswerKind::Year
    } else if all.iter().all(|s| is_digits(s)) {
        AnswerKind::Number
    } else if all.iter().all(|s| is_date(s)) {
        AnswerKind::Date
    } else {
        AnswerKind::Text
    };
    let mut d = Draft::new(
        format!("curated/{}", q.id),
        q.topic,
        q.prompt.clone(),
        q.answer.clone(),
        kind,
    )
    .accepted(q.accepted.clone())
    .pool(q.distractors.clone())
    .explain(q.explanation.clone());
    d.facts = q.facts.clone();
    d.curated_sources = Some(q.sources.clone());
    d
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is a date as the explanations write them: "15 June 2001".
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split(' ').collect();
    matches!(parts.as_slice(), [day, month, year]
        if is_digits(day) && day.len() <= 2 && MONTHS.contains(month)
            && is_digits(year) && year.len() == 4)
}

/// One of `items`, chosen by the question id alone (not the seed), so that a "which of these"
/// question asks about the same right answer whatever the seed.
fn stable_pick<'t, T>(id: &str, items: &'t [T]) -> Option<&'t T> {
    if items.is_empty() {
        return None;
    }
    items.get(Rng::new(0, id).below(items.len()))
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

    // ---- Statuses: years, meetings, "which of these" ----

    /// Per gained status: its year, its meeting; per status and year: which of these.
    fn status_questions(&self, out: &mut Vec<Draft>) {
        for g in &self.gains {
            let (e, key) = (g.entry, g.status.key());
            let explanation = format!("{}, {}: {}.", e.name, g.step.date, g.step.event);
            let topic = status_topic(g.status);
            // An event can name a year that sources also give (Belarus: "usually dated since
            // 2010"); such a year is never offered as wrong.
            let year = g.step.date.year;
            out.push(
                Draft::new(
                    format!("status-year/{}/{key}", e.id),
                    topic,
                    format!("In which year {}?", gaining(g.status, &e.name)),
                    year.to_string(),
                    AnswerKind::Year,
                )
                .pool(self.years_near(year, &years_in(&g.step.event)))
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
            let mut others: Vec<(&Entry, &Summit)> = self
                .summits
                .iter()
                .filter(|(o, _)| o.id != s.id && high(o))
                .copied()
                .collect();
            others.sort_by_key(|(_, o)| ((o.year - summit.year).abs(), o.year));
            out.push(
                Draft::new(
                    format!("status-summit/{}/{key}", e.id),
                    topic,
                    format!("At which {meeting} {}?", gaining(g.status, &e.name)),
                    s.name.clone(),
                    AnswerKind::Name(Kind::Summit),
                )
                .accepted(other_names(s, ""))
                .pool(others.iter().take(6).map(|(o, _)| o.name.clone()).collect())
                .wrong(names_of(
                    self.summits
                        .iter()
                        .map(|(o, _)| *o)
                        .filter(|o| o.id != s.id),
                ))
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
            let rated_high: Vec<&Gain> = gained.iter().copied().filter(|g| high(g.entry)).collect();
            let candidates = if rated_high.is_empty() {
                &gained
            } else {
                &rated_high
            };
            let Some(g) = stable_pick(&id, candidates) else {
                continue;
            };
            // Not just "no such gain": no step with this status that year at all.
            let did = |c: &Country| {
                c.history
                    .iter()
                    .any(|s| s.status == Some(status) && s.date.year == year)
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
            out.push(
                Draft::new(
                    id,
                    status_topic(status),
                    format!("Which of these countries {} in {year}?", gained_in(status)),
                    g.entry.name.clone(),
                    AnswerKind::Name(Kind::Country),
                )
                .entry_choices(
                    g.entry,
                    self.countries
                        .iter()
                        .filter(|(_, c)| !did(c))
                        .map(|(e, _)| *e),
                )
                .explain(explanation)
                .cite(g.entry),
            );
        }
    }

    // ---- Founders ----

    /// Founding members of the SCO and of the Shanghai Five: which is, which is not.
    fn founder_questions(&self, out: &mut Vec<Draft>) {
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
            if let Some(answer) = stable_pick(&id, &high_founders) {
                let non_founders = self.countries.iter().map(|(e, _)| *e);
                out.push(
                    Draft::new(
                        id,
                        founder_topic(series),
                        format!(
                            "Which of these countries {verb} a founding member of {what}{year}?"
                        ),
                        answer.name.clone(),
                        AnswerKind::Name(Kind::Country),
                    )
                    .entry_choices(answer, non_founders.filter(|e| !of(founders, e)))
                    .explain(explanation.clone())
                    .cite(answer)
                    .cite(meeting),
                );
            }
            // Which is NOT: a later member (the likeliest to be mistaken for a founder), three
            // founders.
            let id = format!("founders/not-{key}");
            let later: Vec<&Entry> = members
                .iter()
                .copied()
                .filter(|e| high(e) && !of(founders, e))
                .collect();
            if let Some(answer) = stable_pick(&id, &later) {
                out.push(
                    Draft::new(
                        id,
                        founder_topic(series),
                        format!(
                            "Which of these countries {verb} NOT a founding member of {what}{year}?"
                        ),
                        answer.name.clone(),
                        AnswerKind::Name(Kind::Country),
                    )
                    .entry_choices(answer, founders.iter().copied())
                    .explain(explanation)
                    .cite(answer)
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
                Draft::new(
                    "founders/sco-not-shanghai-five".into(),
                    Topic::ShanghaiFive,
                    "Which founding member of the SCO was not a founding member of the Shanghai Five?"
                        .into(),
                    answer.name.clone(),
                    AnswerKind::Name(Kind::Country),
                )
                .entry_choices(answer, five.iter().copied())
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
    fn count_questions(&self, out: &mut Vec<Draft>) {
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
                    Draft::new(
                        format!("member-ordinal/{}", answer.id),
                        Topic::Members,
                        format!(
                            "Which country became the SCO's {} member state?",
                            ordinal(u32::try_from(n).unwrap_or(u32::MAX))
                        ),
                        answer.name.clone(),
                        AnswerKind::Name(Kind::Country),
                    )
                    .entry_choices(
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

    // ---- Countries: status now and before, capital ----

    fn country_questions(&self, out: &mut Vec<Draft>) {
        let labels = |except: Status| -> Vec<String> {
            Status::ALL
                .iter()
                .filter(|s| **s != except)
                .map(|s| s.label().to_string())
                .collect()
        };
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
                    "{} is {}. {}: {}.",
                    e.name,
                    now.with_article(),
                    step.date,
                    step.event
                ),
                None => format!("{} is {}.", e.name, now.with_article()),
            };
            if let (Confidence::High, Some(caveat)) = (e.confidence, &e.caveat) {
                explanation.push_str(&format!(" Note: {caveat}"));
            }
            out.push(
                Draft::new(
                    format!("status-now/{}", e.id),
                    topic,
                    format!("What is the current SCO status of {}?", e.name),
                    now.label().to_string(),
                    AnswerKind::Text,
                )
                .accepted(status_spellings(now))
                .pool(labels(now))
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
                    let mut explanation = format!(
                        "Before {}, {} was {}. {}: {}.",
                        step.date,
                        e.name,
                        before.with_article(),
                        step.date,
                        step.event
                    );
                    if let (Confidence::High, Some(caveat)) = (e.confidence, &e.caveat) {
                        explanation.push_str(&format!(" Note: {caveat}"));
                    }
                    out.push(
                        Draft::new(
                            format!("status-before/{}", e.id),
                            topic,
                            format!("What status did {} have just before {}?", e.name, step.date),
                            before.label().to_string(),
                            AnswerKind::Text,
                        )
                        .accepted(status_spellings(before))
                        .pool(labels(before))
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

    // ---- Names in the SCO's official languages ----

    /// "Which country is 哈萨克斯坦 in Chinese?" for countries, principles and terms.
    fn other_language_questions(&self, out: &mut Vec<Draft>) {
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
                    Draft::new(
                        format!("{key}/{}/{}", e.kind.key(), e.id),
                        topic,
                        format!("Which {noun} is called “{shown}” in {lang}?"),
                        e.name.clone(),
                        AnswerKind::Name(e.kind),
                    )
                    .entry_choices(e, self.fb.entries.iter().filter(|o| sibling(o)))
                    .accepted(other_names(e, shown))
                    .explain(format!("{shown} is {lang} for {}.", e.name))
                    .cite(e),
                );
            }
        }
    }

    // ---- Summits and Shanghai Five meetings ----

    fn summit_questions(&self, out: &mut Vec<Draft>) {
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
            let virtual_ = s.format == Format::Virtual;
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
                        "{} was held in {}, {host}, on {dates} ({}).",
                        capitalise(&label),
                        s.city,
                        s.format.label()
                    ),
                )
            };
            out.push(
                Draft::new(
                    format!("summit-city/{}", e.id),
                    topic,
                    prompt,
                    s.city.clone(),
                    AnswerKind::Name(Kind::Summit),
                )
                .accepted(place_spellings(&s.city))
                .pool(
                    cities
                        .iter()
                        .filter(|c| compact(c) != compact(&s.city))
                        .map(|c| (*c).to_string())
                        .collect(),
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
                    Draft::new(
                        format!("summit-country/{}", e.id),
                        topic,
                        format!("Which country {verb} {label}?"),
                        country.name.clone(),
                        AnswerKind::Name(Kind::Country),
                    )
                    .entry_choices(country, members)
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
                let later: Vec<String> = same_series
                    .iter()
                    .filter(|o| o.year != s.year)
                    .map(|o| o.year.to_string())
                    .collect();
                let mut explanation = explanation.clone();
                if !later.is_empty() {
                    explanation.push_str(&format!(
                        " {} hosted again in {}.",
                        s.city,
                        and_list(&later)
                    ));
                }
                // A meeting of the other series in the same city (Bishkek 1999 for "first SCO
                // summit in Bishkek") is wrong, but a trap; it is never offered.
                out.push(
                    Draft::new(
                        format!("summit-year/{}", e.id),
                        topic,
                        prompt,
                        s.year.to_string(),
                        AnswerKind::Year,
                    )
                    .pool(self.years_near(s.year, &other_series))
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
                        && s.format == format
                        && high(e)
                        && !["virtual", "videoconference", "hybrid", "online"]
                            .iter()
                            .any(|w| gives_away(&e.name, w))
                })
                .map(|(e, _)| *e)
                .collect();
            let id = format!("summit-format/{}", format.key());
            let Some(answer) = stable_pick(&id, &held) else {
                continue;
            };
            let in_person =
                |s: &Summit| s.series == Series::HeadsOfState && s.format == Format::InPerson;
            out.push(
                Draft::new(
                    id,
                    Topic::Summits,
                    format!(
                        "Which of these SCO summits was held {}?",
                        format_words(format)
                    ),
                    answer.name.clone(),
                    AnswerKind::Name(Kind::Summit),
                )
                .entry_choices(
                    answer,
                    self.summits
                        .iter()
                        .filter(|(_, s)| in_person(s))
                        .map(|(e, _)| *e),
                )
                .explain(format!(
                    "The {} was held {}.",
                    answer.name,
                    format_words(format)
                ))
                .cite(answer),
            );
        }
    }

    // ---- Bodies ----

    fn body_questions(&self, out: &mut Vec<Draft>) {
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
                    Draft::new(
                        format!("body-seat/{}", e.id),
                        Topic::Bodies,
                        format!("In which city is the {} based?", e.name),
                        seat.clone(),
                        AnswerKind::Name(Kind::Body),
                    )
                    .accepted(place_spellings(seat))
                    .pool(
                        places
                            .iter()
                            .filter(|p| compact(p) != compact(seat))
                            .map(|p| (*p).to_string())
                            .collect(),
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
                    Draft::new(
                        format!("body-founded/{}", e.id),
                        Topic::Bodies,
                        format!("In which year was the {} founded or launched?", e.name),
                        founded.year.to_string(),
                        AnswerKind::Year,
                    )
                    .pool(self.years_near(founded.year, &except))
                    .explain(format!(
                        "The {} was founded or launched on {founded}.",
                        e.name
                    ))
                    .cite(e),
                );
            }
            // What kind of body, unless the name says it ("Council of ...", "... Center").
            let label = b.category.label();
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
            let Some(answer) = stable_pick(&id, &here) else {
                continue;
            };
            // Only bodies seated elsewhere: one without a seat is not certainly not "based" here.
            let elsewhere = |b: &Body| b.seat.as_deref().is_some_and(|s| s != seat);
            out.push(
                Draft::new(
                    id,
                    Topic::Bodies,
                    format!("Which of these SCO bodies is based in {seat}?"),
                    answer.name.clone(),
                    AnswerKind::Name(Kind::Body),
                )
                .entry_choices(
                    answer,
                    self.bodies
                        .iter()
                        .filter(|(_, b)| elsewhere(b))
                        .map(|(e, _)| *e),
                )
                .explain(format!("The {} is based in {seat}.", answer.name))
                .cite(answer),
            );
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
            let Some(answer) = stable_pick(&id, &candidates) else {
                continue;
            };
            let mut d = Draft::new(
                id,
                Topic::Bodies,
                format!("Which of these bodies is {not}listed in Article 4 of the SCO Charter?"),
                answer.name.clone(),
                AnswerKind::Name(Kind::Body),
            )
            .entry_choices(answer, no.iter().copied())
            .explain(explanation.clone())
            .cite(answer);
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

    // ---- Documents ----

    fn document_questions(&self, out: &mut Vec<Draft>) {
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
                    Draft::new(
                        format!("document-year/{}", e.id),
                        Topic::Documents,
                        format!("In which year was the {} {verb}?", e.name),
                        year.to_string(),
                        AnswerKind::Year,
                    )
                    .pool(self.years_near(year, &[]))
                    .explain(explanation.clone())
                    .cite(e),
                );
            }
            if !gives_away(&e.name, &d.place) {
                out.push(
                    Draft::new(
                        format!("document-place/{}", e.id),
                        Topic::Documents,
                        format!("Where was the {} {verb}?", e.name),
                        d.place.clone(),
                        AnswerKind::Name(Kind::Document),
                    )
                    .accepted(place_spellings(&d.place))
                    .pool(
                        places
                            .iter()
                            .filter(|p| compact(p) != compact(&d.place))
                            .map(|p| (*p).to_string())
                            .collect(),
                    )
                    .explain(explanation.clone())
                    .cite(e),
                );
            }
            if let Some(in_force) = d.in_force {
                let year = in_force.year;
                out.push(
                    Draft::new(
                        format!("document-in-force/{}", e.id),
                        Topic::Documents,
                        format!("In which year did the {} enter into force?", e.name),
                        year.to_string(),
                        AnswerKind::Year,
                    )
                    .pool(self.years_near(year, &[]))
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
            let Some(answer) = stable_pick(&id, &here) else {
                continue;
            };
            let elsewhere = |d: &Document| d.summit.as_deref().is_some_and(|o| o != s.id);
            out.push(
                Draft::new(
                    id,
                    Topic::Documents,
                    format!(
                        "Which of these documents was signed or adopted at {}?",
                        summit_label(summit)
                    ),
                    answer.name.clone(),
                    AnswerKind::Name(Kind::Document),
                )
                .entry_choices(
                    answer,
                    self.documents
                        .iter()
                        .filter(|(_, d)| elsewhere(d))
                        .map(|(e, _)| *e),
                )
                .explain(format!(
                    "The {} was signed or adopted at the {} ({}).",
                    answer.name,
                    s.name,
                    span(summit.start, summit.end)
                ))
                .cite(answer)
                .cite(s),
            );
        }
    }

    // ---- Principles ----

    fn principle_questions(&self, out: &mut Vec<Draft>) {
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
            let mut pool: Vec<String> = PrincipleGroup::ALL
                .iter()
                .filter(|g| **g != group)
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
            let members_names: Vec<String> = members.iter().map(|e| lower_first(&e.name)).collect();
            let explanation = format!("{}: {}.", plural_group(group), and_list(&members_names));
            let outsiders: Vec<&Entry> = self
                .principles
                .iter()
                .filter(|(_, g)| *g != group && !overlapping(*g, group))
                .map(|(e, _)| *e)
                .collect();
            for (key, yes, no, not) in [
                ("is", &members, &outsiders, ""),
                ("not", &outsiders, &members, "NOT "),
            ] {
                let id = format!("principle-{key}/{}", group.key());
                let candidates: Vec<&Entry> = yes.iter().copied().filter(|e| high(e)).collect();
                let Some(answer) = stable_pick(&id, &candidates) else {
                    continue;
                };
                out.push(
                    Draft::new(
                        id,
                        Topic::Principles,
                        format!("Which of these is {not}{}?", one_of_group(group)),
                        answer.name.clone(),
                        AnswerKind::Name(Kind::Principle),
                    )
                    .entry_choices(answer, no.iter().copied())
                    .explain(explanation.clone())
                    .cite(answer),
                );
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

    // ---- Terms: the three evils ----

    fn parts_of(&self, whole: &Entry) -> Vec<&'a Entry> {
        self.terms
            .iter()
            .filter(|(_, part_of)| *part_of == Some(whole.id.as_str()))
            .map(|(e, _)| *e)
            .collect()
    }

    /// For a term made of parts (the three evils): what they are called, which is one, which
    /// is not, and the missing one.
    fn term_questions(&self, out: &mut Vec<Draft>) {
        for &(whole, _) in &self.terms {
            let parts = self.parts_of(whole);
            if parts.len() < 2 {
                continue;
            }
            let is_part = |e: &Entry| parts.iter().any(|p| p.id == e.id);
            // Every other term: certainly not one of the parts, nor the whole.
            let others: Vec<&Entry> = self
                .terms
                .iter()
                .map(|(e, _)| *e)
                .filter(|e| e.id != whole.id && !is_part(e))
                .collect();

            let part_names: Vec<String> = parts.iter().map(|p| lower_first(&p.name)).collect();
            let title = lower_first(&whole.name);
            let explanation = format!("The “{title}” are {}.", and_list(&part_names));
            out.push(
                Draft::new(
                    format!("term-whole/{}", whole.id),
                    Topic::Terms,
                    format!(
                        "What are {} together called in SCO texts?",
                        and_list(&part_names)
                    ),
                    whole.name.clone(),
                    AnswerKind::Name(Kind::Term),
                )
                .entry_choices(whole, others.iter().copied())
                .explain(explanation.clone())
                .cite(whole)
                .cite_all(parts.iter().copied()),
            );
            let id = format!("term-part/{}", whole.id);
            if let Some(answer) = stable_pick(&id, &parts) {
                out.push(
                    Draft::new(
                        id,
                        Topic::Terms,
                        format!("Which of these is one of the “{title}”?"),
                        answer.name.clone(),
                        AnswerKind::Name(Kind::Term),
                    )
                    .entry_choices(answer, others.iter().copied())
                    .explain(explanation.clone())
                    .cite(answer)
                    .cite(whole),
                );
            }
            let id = format!("term-not-part/{}", whole.id);
            let high_others: Vec<&Entry> = others.iter().copied().filter(|e| high(e)).collect();
            if let Some(answer) = stable_pick(&id, &high_others) {
                out.push(
                    Draft::new(
                        id,
                        Topic::Terms,
                        format!("Which of these is NOT one of the “{title}”?"),
                        answer.name.clone(),
                        AnswerKind::Name(Kind::Term),
                    )
                    .entry_choices(answer, parts.iter().copied())
                    .explain(explanation.clone())
                    .cite(answer)
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
                    Draft::new(
                        format!("term-missing/{}", part.id),
                        Topic::Terms,
                        format!(
                            "Besides {}, which is one of the “{title}”?",
                            and_list(&rest)
                        ),
                        part.name.clone(),
                        AnswerKind::Name(Kind::Term),
                    )
                    .entry_choices(part, others.iter().copied())
                    .explain(explanation.clone())
                    .cite(part)
                    .cite(whole),
                );
            }
        }
    }

    // ---- Secretaries-general ----

    fn people_questions(&self, out: &mut Vec<Draft>) {
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
                    "{} ({country}), the {} Secretary-General, has been in office since {}; the term runs to {}.",
                    e.name,
                    ordinal_word(p.order),
                    p.took_office
                        .map_or_else(|| p.from_year.to_string(), |d| d.to_string()),
                    p.to_year
                )
            } else {
                format!(
                    "{} ({country}) was the {} Secretary-General, {}–{}.",
                    e.name,
                    ordinal_word(p.order),
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
                    Draft::new(
                        format!("sg-country/{}", e.id),
                        Topic::People,
                        format!(
                            "Which country does {}, the {} SCO Secretary-General, come from?",
                            e.name,
                            ordinal_word(p.order)
                        ),
                        country.name.clone(),
                        AnswerKind::Name(Kind::Country),
                    )
                    .entry_choices(
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
                Draft::new(
                    format!("sg-order/{}", p.order),
                    Topic::People,
                    format!(
                        "Who {verb} the {} SCO Secretary-General?",
                        ordinal_word(p.order)
                    ),
                    e.name.clone(),
                    AnswerKind::Name(Kind::Person),
                )
                .entry_choices(e, others(&|o: &Person| o.order == p.order))
                .explain(explanation.clone())
                .cite(e),
            );
            // Which year in office first; years the entry's caveat mentions (a disputed term
            // end) are never offered.
            let except = e.caveat.as_deref().map(years_in).unwrap_or_default();
            out.push(
                Draft::new(
                    format!("sg-took-office/{}", e.id),
                    Topic::People,
                    format!(
                        "In which year did {} take office as head of the SCO Secretariat?",
                        e.name
                    ),
                    p.from_year.to_string(),
                    AnswerKind::Year,
                )
                .pool(self.years_near(p.from_year, &except))
                .explain(explanation.clone())
                .cite(e),
            );
            // Appointed where.
            if let Some((s, summit)) = p.appointed_at.as_deref().and_then(|id| self.summit(id)) {
                let mut others: Vec<(&Entry, &Summit)> = self
                    .summits
                    .iter()
                    .filter(|(o, os)| o.id != s.id && high(o) && os.series == Series::HeadsOfState)
                    .copied()
                    .collect();
                others.sort_by_key(|(_, o)| ((o.year - summit.year).abs(), o.year));
                out.push(
                    Draft::new(
                        format!("sg-appointed-at/{}", e.id),
                        Topic::People,
                        format!(
                            "At which summit was {} appointed head of the SCO Secretariat?",
                            e.name
                        ),
                        s.name.clone(),
                        AnswerKind::Name(Kind::Summit),
                    )
                    .accepted(other_names(s, ""))
                    .pool(others.iter().take(6).map(|(o, _)| o.name.clone()).collect())
                    .wrong(names_of(
                        self.summits
                            .iter()
                            .map(|(o, _)| *o)
                            .filter(|o| o.id != s.id),
                    ))
                    .explain(format!("{explanation} Appointed at the {}.", s.name))
                    .cite(e)
                    .cite(s),
                );
            }
            // Who came next.
            if let Some((next, np)) = people.iter().find(|(_, o)| o.order == p.order + 1) {
                out.push(
                    Draft::new(
                        format!("sg-successor/{}", e.id),
                        Topic::People,
                        format!("Who succeeded {} as SCO Secretary-General?", e.name),
                        next.name.clone(),
                        AnswerKind::Name(Kind::Person),
                    )
                    .entry_choices(
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
                    format!("Who headed the SCO Secretariat (as Secretary-General) in {year}?"),
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
            let Some(answer) = stable_pick(&id, &from) else {
                continue;
            };
            let country_name = self.fb.name_of(Kind::Country, country);
            let prompt = if from.len() == 1 {
                format!("Which SCO Secretary-General came from {country_name}?")
            } else {
                format!("Which of these SCO Secretaries-General came from {country_name}?")
            };
            let from_names: Vec<&str> = from.iter().map(|e| e.name.as_str()).collect();

            let mut d = Draft::new(
                id,
                Topic::People,
                prompt,
                answer.name.clone(),
                AnswerKind::Name(Kind::Person),
            )
            .entry_choices(answer, others(&|o: &Person| o.country == country))
            .explain(format!(
                "Secretaries-General from {country_name}: {}.",
                and_list(&from_names)
            ))
            .cite(answer);
            if let Some(c) = self.country(country) {
                d = d.cite(c);
            }
            out.push(d);
        }
    }

    // ---- The seed article's claims ----

    fn claim_questions(&self, out: &mut Vec<Draft>) {
        let labels = |except: Verdict| -> Vec<String> {
            Verdict::ALL
                .iter()
                .filter(|v| **v != except)
                .map(|v| v.label().to_string())
                .collect()
        };
        // Claims quoting the same words are one question (two entries check one sentence).
        let mut done: Vec<String> = Vec::new();
        for &(e, c) in &self.claims {
            let key = compact(&c.claim);
            if done.contains(&key) {
                continue;
            }
            done.push(key.clone());
            let same: Vec<&(&Entry, &Claim)> = self
                .claims
                .iter()
                .filter(|(_, o)| compact(&o.claim) == key)
                .collect();
            if same.iter().any(|(_, o)| o.verdict != c.verdict) {
                continue;
            }
            let explanation = same
                .iter()
                .map(|(o, oc)| oc.correction.clone().unwrap_or_else(|| o.summary.clone()))
                .collect::<Vec<_>>()
                .join(" ");
            out.push(
                Draft::new(
                    format!("claim-verdict/{}", e.id),
                    Topic::Claims,
                    format!(
                        "Which verdict did the fact sheet give this claim of the seed article: “{}”?",
                        quoted(&c.claim)
                    ),
                    c.verdict.label().to_string(),
                    AnswerKind::Text,
                )
                .pool(labels(c.verdict))
                .explain(explanation)
                .cite_all(same.iter().map(|(o, _)| *o)),
            );
        }
        // Which of these claims got a verdict. "Correct" and "correct (dates added)" are never
        // each other's distractors: both say the claim checks out.
        let correct = |v: Verdict| matches!(v, Verdict::Correct | Verdict::CorrectWithDates);
        for verdict in Verdict::ALL.iter().copied() {
            let id = format!("claim-with-verdict/{}", verdict.key());
            let with: Vec<&Entry> = self
                .claims
                .iter()
                .filter(|(e, c)| high(e) && c.verdict == verdict)
                .map(|(e, _)| *e)
                .collect();
            let Some(answer) = stable_pick(&id, &with) else {
                continue;
            };
            let unlike =
                |c: &Claim| c.verdict != verdict && !(correct(c.verdict) && correct(verdict));
            out.push(
                Draft::new(
                    id,
                    Topic::Claims,
                    format!(
                        "Which of these claims of the seed article did the fact sheet rate “{}”?",
                        verdict.label()
                    ),
                    answer.name.clone(),
                    AnswerKind::Name(Kind::Claim),
                )
                .entry_choices(
                    answer,
                    self.claims
                        .iter()
                        .filter(|(_, c)| unlike(c))
                        .map(|(e, _)| *e),
                )
                .explain(format!("“{}”: {}", answer.name, answer.summary))
                .cite(answer),
            );
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

fn status_topic(status: Status) -> Topic {
    match status {
        Status::ShanghaiFive => Topic::ShanghaiFive,
        Status::Member => Topic::Members,
        _ => Topic::Partners,
    }
}

fn founder_topic(series: Series) -> Topic {
    match series {
        Series::ShanghaiFive => Topic::ShanghaiFive,
        Series::HeadsOfState => Topic::Members,
    }
}

fn summit_topic(s: &Summit) -> Topic {
    match s.series {
        Series::ShanghaiFive => Topic::ShanghaiFive,
        Series::HeadsOfState => Topic::Summits,
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

fn format_words(format: Format) -> &'static str {
    match format {
        Format::InPerson => "in person",
        Format::Virtual => "by videoconference",
        Format::Hybrid => "in hybrid format (partly in person, partly online)",
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

/// A quotation to put inside “…”: inner double quotes become single ones, and the closing
/// punctuation of a cut-off sentence goes.
fn quoted(text: &str) -> String {
    text.replace('“', "‘")
        .replace('”', "’")
        .replace('"', "'")
        .trim_end_matches(['.', ',', ';', ' '])
        .to_string()
}

/// Whether principles of two groups may describe the same thing (see `principle_questions`).
fn overlapping(a: PrincipleGroup, b: PrincipleGroup) -> bool {
    matches!(
        (a, b),
        (PrincipleGroup::External, PrincipleGroup::Charter)
            | (PrincipleGroup::Charter, PrincipleGroup::External)
    )
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
        assert!(is_date("15 June 2001"));
        assert!(!is_date("June 2001"));
    }

    #[test]
    fn the_prng_is_deterministic_and_shuffles_every_element_into_place() {
        let mut a = Rng::new(7, "summit-city/summit-2017");
        let mut b = Rng::new(7, "summit-city/summit-2017");
        let xs: Vec<u64> = (0..4).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8, "x").next(), Rng::new(7, "x").next());
        assert_ne!(Rng::new(7, "x").next(), Rng::new(7, "y").next());
        // Over many ids, each of four items lands in each position.
        let mut seen = [[false; 4]; 4];
        for i in 0..200 {
            let mut items = [0, 1, 2, 3];
            Rng::new(1, &i.to_string()).shuffle(&mut items);
            for (pos, item) in items.iter().enumerate() {
                seen[*item][pos] = true;
            }
        }
        assert!(seen.iter().flatten().all(|s| *s));
    }

    #[test]
    fn a_medium_subject_is_asked_as_reported() {
        assert_eq!(
            hedge("In which city was the 26th SCO summit (2026) held?"),
            "In which city was the 26th SCO summit (2026) held (reported)?"
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

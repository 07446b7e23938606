//! The intents: what a parsed question asks, and the sentence that answers it from the facts.

use crate::Knowledge;
use crate::commands::entry_reply;
use crate::facts::{
    Confidence, Country, Date, Details, Entry, FactBase, Format, Kind, PrincipleGroup, Series,
    Status, Summit, ordinal, span,
};
use crate::reply::{EntryRef, Reply, echo};
use crate::search::{Hit, Outcome};

use super::grammar::{Cue, Parsed, parse};

/// What the words of a question named.
enum Named<'a> {
    /// An entry of the fact base (and the lookup score).
    Entry(&'a Entry, f32),
    /// A real country outside the SCO.
    Outside(String),
    /// Nothing certain; the close entries, if any.
    Nothing(Vec<Hit>),
}

/// Answers one question.
pub fn answer(k: &Knowledge, question: &str) -> Reply {
    let q = question.trim();
    if q.is_empty() {
        return unknown(k, q, &[]);
    }
    let p = parse(q);
    let facts = &k.facts;
    let bare = p.rest_is_empty();

    // Questions about the SCO itself, when nothing else is named.
    if bare
        && p.has(Cue::StandFor)
        && let Some(r) = stand_for(facts)
    {
        return r;
    }
    if bare
        && p.any(&[Cue::Military, Cue::Alliance])
        && let Some(r) = term_by_id(facts, "not-a-military-alliance")
    {
        return r;
    }
    if bare
        && p.has(Cue::Language)
        && let Some(r) = term_by_id(facts, "official-languages")
    {
        return r;
    }
    if p.has(Cue::Principle)
        && let Some(r) = principles(facts, &p)
    {
        return r;
    }

    let named = resolve(k, &p);
    match named {
        Named::Outside(name) => not_in_sco(facts, &name),
        Named::Entry(e, score) => {
            let reply = match &e.details {
                Details::Country(c) => country(facts, &p, e, c),
                Details::Summit(s) => Some(summit_reply(facts, e, s, None)),
                Details::Document(_) => Some(document(facts, &p, e)),
                Details::Body(_) if e.id == "secretariat" && p.has(Cue::Who) => {
                    secretary_general(facts, &p)
                }
                Details::Body(_) => Some(body(facts, &p, e)),
                Details::Person(_) => Some(person(facts, e)),
                Details::Term { .. } => term(k, &p, e),
                Details::Principle(_) | Details::Claim(_) => {
                    Some(card(facts, e, first_sentence(&e.summary)))
                }
            };
            match reply {
                Some(mut r) => {
                    if let Some(m) = &mut r.matched
                        && m.id == e.id
                        && m.kind == e.kind
                    {
                        m.score = round(score);
                    }
                    r
                }
                None => unknown(k, q, &[]),
            }
        }
        Named::Nothing(hits) if !bare => {
            if let Some(r) = several_countries(k, &p) {
                return r;
            }
            if p.any(&[Cue::Summit, Cue::Where, Cue::When])
                && let Some(r) = summits_in_city(facts, &p)
            {
                return r;
            }
            unknown(k, q, &hits)
        }
        Named::Nothing(_) => bare_question(k, q, &p),
    }
}

/// Resolves the question's content words: in the kind its cues point at first, then in any
/// kind; Russian words also without their case endings; then with the cue words that may be
/// part of a name ("SCO partner status").
fn resolve<'a>(k: &'a Knowledge, p: &Parsed) -> Named<'a> {
    if p.rest_is_empty() {
        return Named::Nothing(Vec::new());
    }
    let scope = if p.has(Cue::SecGen) {
        Some(Kind::Person)
    } else if p.has(Cue::Summit) {
        Some(Kind::Summit)
    } else if p.any(&[Cue::Sign, Cue::Force]) {
        Some(Kind::Document)
    } else if p.has(Cue::Seat) {
        Some(Kind::Body)
    } else if p.any(&[
        Cue::Join,
        Cue::Member,
        Cue::Observer,
        Cue::Partner,
        Cue::Capital,
    ]) {
        Some(Kind::Country)
    } else {
        None
    };
    let rest = p.rest();
    let mut tries: Vec<String> = Vec::new();
    if !p.years.is_empty() {
        // A year may be part of a name ("Development Strategy until 2035").
        let years: Vec<String> = p.years.iter().map(i32::to_string).collect();
        tries.push(format!("{rest} {}", years.join(" ")));
    }
    tries.push(rest.clone());
    if p.cyrillic {
        let stemmed = stem_russian(&rest);
        if stemmed != rest {
            tries.push(stemmed);
        }
    }
    let mut hits = Vec::new();
    for text in &tries {
        let scopes: &[Option<Kind>] = if scope.is_some() {
            &[scope, None]
        } else {
            &[None]
        };
        for &s in scopes {
            let r = k.index.lookup(text, s);
            match r.outcome {
                Outcome::Match(h) => return Named::Entry(&k.facts.entries[h.entry], h.score),
                Outcome::NotInSco { name, .. } => return Named::Outside(name),
                Outcome::NoMatch => {
                    if hits.is_empty() {
                        hits = r.suggestions;
                    }
                }
            }
        }
    }
    let full = p.full.join(" ");
    if full != rest && !full.is_empty() {
        let r = k.index.lookup(&full, None);
        if let Outcome::Match(h) = r.outcome {
            return Named::Entry(&k.facts.entries[h.entry], h.score);
        }
    }
    Named::Nothing(hits)
}

/// Russian words without their commonest case endings ("Индии" → indi, "Пакистана" →
/// pakistan), so a word typed in part still finds the name it starts.
fn stem_russian(text: &str) -> String {
    const ENDINGS: &[&str] = &[
        "iey", "ami", "ykh", "ikh", "yu", "ya", "ov", "om", "oy", "ey", "ii", "iy", "ye", "e", "a",
        "u", "y", "i", "o",
    ];
    let words: Vec<String> = text
        .split(' ')
        .map(|w| {
            if w.len() < 5 {
                return w.to_string();
            }
            ENDINGS
                .iter()
                .find_map(|e| w.strip_suffix(e))
                .unwrap_or(w)
                .to_string()
        })
        .collect();
    words.join(" ")
}

fn round(score: f32) -> f64 {
    (f64::from(score) * 1000.0).round() / 1000.0
}

fn entry_ref(e: &Entry) -> EntryRef {
    EntryRef {
        kind: e.kind,
        id: e.id.clone(),
        title: e.name.clone(),
        score: 1.0,
    }
}

/// The entry's card with the direct sentence first; uncertain facts say so in the sentence.
fn card(facts: &FactBase, e: &Entry, sentence: String) -> Reply {
    let mut r = entry_reply(facts, e);
    let sentence = hedge(e, sentence);
    r.body = format!("{sentence}\n\n{}", r.body);
    r.matched = Some(entry_ref(e));
    r
}

/// Adds the confidence to a sentence about an entry the sources rate below high.
fn hedge(e: &Entry, sentence: String) -> String {
    if e.confidence == Confidence::High {
        return sentence;
    }
    let base = sentence.trim_end_matches('.');
    match &e.caveat {
        Some(c) => format!(
            "{base} (the sources rate this {} confidence: {}).",
            e.confidence.label(),
            c.trim_end_matches('.')
        ),
        None => format!(
            "{base} (the sources rate this {} confidence).",
            e.confidence.label()
        ),
    }
}

/// The first sentence of a summary: up to the first full stop that ends a sentence.
fn first_sentence(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find(". ") {
        let at = i + pos;
        let next = text[at + 2..].chars().next();
        let word_before = text[..at].rsplit(' ').next().unwrap_or("");
        let abbreviation = matches!(
            word_before,
            "Art" | "St" | "No" | "e.g" | "i.e" | "Mr" | "vs"
        );
        if next.is_some_and(|c| c.is_uppercase() || c == '"' || c == '“') && !abbreviation {
            return text[..=at].to_string();
        }
        i = at + 2;
        if i >= bytes.len() {
            break;
        }
    }
    text.to_string()
}

/// "A, B and C".
fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

/// "I don't know that", with the commands that may help and any close entries.
fn unknown(k: &Knowledge, q: &str, hits: &[Hit]) -> Reply {
    let facts = &k.facts;
    let mut r = Reply::new(
        "I don't know that",
        format!(
            "I don't know that. I answer only from the SCO fact base, and nothing in it answers “{}”. \
             These may help: /members [year], /member <country>, /summit <year or city>, \
             /document <name>, /term <term>, /person <name>, /timeline, /help.",
            echo(q)
        ),
    );
    r.suggestions = hits
        .iter()
        .take(5)
        .map(|h| {
            let e = &facts.entries[h.entry];
            EntryRef {
                kind: e.kind,
                id: e.id.clone(),
                title: e.name.clone(),
                score: round(h.score),
            }
        })
        .collect();
    r.ephemeral = true;
    r.as_of = Some(facts.meta.as_of);
    r
}

fn not_in_sco(facts: &FactBase, name: &str) -> Reply {
    let mut r = Reply::new(
        format!("{name} is not part of the SCO"),
        format!(
            "{name} is not part of the SCO: the fact base records no membership, observer or \
             partner status for it, so it has not joined. /members lists the members and partners."
        ),
    );
    r.kind = Some(Kind::Country);
    r.as_of = Some(facts.meta.as_of);
    r
}

fn term_by_id(facts: &FactBase, id: &str) -> Option<Reply> {
    let e = facts.get(Kind::Term, id)?;
    Some(card(facts, e, first_sentence(&e.summary)))
}

/// "SCO stands for Shanghai Cooperation Organisation ..." from the SCO's own entry.
fn stand_for(facts: &FactBase) -> Option<Reply> {
    let e = facts.get(Kind::Term, "sco")?;
    let mut s = format!("SCO stands for {}", e.name);
    if let Some(other) = e
        .aliases
        .iter()
        .find(|a| a.contains("Organization") && !e.name.contains("Organization"))
    {
        s.push_str(&format!(" (also spelled {other})"));
    }
    let ru = e.name_ru.as_deref().map(|n| format!("in Russian {n}"));
    let zh = e.name_zh.as_deref().map(|n| format!("in Chinese {n}"));
    let langs: Vec<String> = [ru, zh].into_iter().flatten().collect();
    if !langs.is_empty() {
        s.push_str(&format!("; {}", langs.join(", ")));
    }
    s.push('.');
    Some(card(facts, e, s))
}

/// The SCO's principles, all or one group ("the Charter's principles", "external principles").
fn principles(facts: &FactBase, p: &Parsed) -> Option<Reply> {
    let words: Vec<&str> = p.segments.iter().flatten().map(String::as_str).collect();
    let group = match words.as_slice() {
        [] => None,
        ["charter"] => Some(PrincipleGroup::Charter),
        ["external"] => Some(PrincipleGroup::External),
        ["shanghai", "spirit"] | ["spirit"] => Some(PrincipleGroup::ShanghaiSpirit),
        _ => return None,
    };
    let groups: Vec<PrincipleGroup> = match group {
        Some(g) => vec![g],
        None => PrincipleGroup::ALL.to_vec(),
    };
    let mut parts = Vec::new();
    let mut r = Reply::new("The SCO's principles", String::new());
    r.kind = Some(Kind::Principle);
    for g in &groups {
        let names: Vec<String> = facts
            .of_kind(Kind::Principle)
            .filter(|e| matches!(e.details, Details::Principle(pg) if pg == *g))
            .map(|e| {
                r.cite(facts, e.sources.iter().map(String::as_str));
                r.items.push(format!("• {} ({})", e.name, g.label()));
                e.name.to_lowercase()
            })
            .collect();
        let label = match g {
            PrincipleGroup::ShanghaiSpirit => "the Shanghai Spirit",
            PrincipleGroup::External => "its external principles",
            PrincipleGroup::Charter => "the principles of the Charter (Art. 2)",
        };
        parts.push(format!("{label}: {}", names.join(", ")));
    }
    r.body = format!("The SCO's principles are {}.", parts.join("; "));
    r.as_of = Some(facts.meta.as_of);
    Some(r)
}

/// "When did X join", "is X a member", "was X an observer in 2010", "capital of X", "summits
/// hosted by X".
fn country(facts: &FactBase, p: &Parsed, e: &Entry, c: &Country) -> Option<Reply> {
    let name = &e.name;
    if p.has(Cue::Capital) {
        let cap = c.capital.as_deref()?;
        return Some(card(facts, e, format!("The capital of {name} is {cap}.")));
    }
    if p.has(Cue::Summit) {
        let hosted: Vec<(&Entry, &Summit)> =
            summits(facts).filter(|(_, s)| s.country == e.id).collect();
        return Some(summit_list(
            facts,
            &format!("Meetings hosted by {name}"),
            &hosted,
            &format!("{name} hosted"),
        ));
    }
    let asked: Option<&[Status]> = if p.has(Cue::Observer) {
        Some(&[Status::Observer])
    } else if p.has(Cue::Partner) {
        Some(&[Status::DialoguePartner, Status::Partner])
    } else if p.any(&[Cue::Member, Cue::Join, Cue::Founder]) {
        Some(&[Status::Member])
    } else {
        None
    };
    let when = p.any(&[Cue::When, Cue::YearWord]);
    let sentence = if p.has(Cue::Yes) && !when {
        yes_no(facts, p, e, c, asked.unwrap_or(&[Status::Member]))
    } else if when || p.has(Cue::Join) {
        joined(facts, e, c, asked.unwrap_or(&[Status::Member]))
    } else if let Some(y) = p.year() {
        let (date, phrase) = year_date(facts, y)?;
        match c.status_on(date) {
            Some(s) => format!("{phrase}, {name} was {}.", s.with_article()),
            None => format!("{phrase}, {name} had no status in the SCO."),
        }
    } else {
        status_now(facts, e, c)
    };
    Some(card(facts, e, sentence))
}

/// The summit a step happened at, as " at the Astana summit 2017".
fn at_summit(facts: &FactBase, summit: Option<&str>) -> String {
    summit
        .and_then(|id| facts.get(Kind::Summit, id))
        .map(|s| format!(", at the {}", s.name))
        .unwrap_or_default()
}

fn status_noun(s: Status) -> &'static str {
    match s {
        Status::Member => "a full member",
        Status::Observer => "an observer",
        Status::DialoguePartner => "a dialogue partner",
        Status::Partner => "an SCO partner",
        Status::ShanghaiFive => "a Shanghai Five member",
        Status::Guest => "a guest",
    }
}

/// The founding meeting of the SCO: the first Heads of State meeting.
fn founding(facts: &FactBase) -> Option<(&Entry, &Summit)> {
    summits(facts).find(|(_, s)| s.series == Series::HeadsOfState && s.number == 1)
}

fn summits(facts: &FactBase) -> impl Iterator<Item = (&Entry, &Summit)> {
    facts
        .of_kind(Kind::Summit)
        .filter_map(|e| match &e.details {
            Details::Summit(s) => Some((e, s)),
            _ => None,
        })
}

fn countries(facts: &FactBase) -> impl Iterator<Item = (&Entry, &Country)> {
    facts
        .of_kind(Kind::Country)
        .filter_map(|e| match &e.details {
            Details::Country(c) => Some((e, c)),
            _ => None,
        })
}

fn is_founder(facts: &FactBase, c: &Country) -> bool {
    match (founding(facts), c.accession()) {
        (Some((_, f)), Some(acc)) => acc.date == f.start,
        _ => false,
    }
}

fn joined(facts: &FactBase, e: &Entry, c: &Country, asked: &[Status]) -> String {
    let name = &e.name;
    if asked.contains(&Status::Member) && is_founder(facts, c) {
        let acc = c
            .accession()
            .map(|s| s.date.to_string())
            .unwrap_or_default();
        let city = founding(facts).map(|(_, s)| s.city.as_str()).unwrap_or("");
        let five = c
            .first_step(&[Status::ShanghaiFive])
            .map(|s| format!("; it was in the Shanghai Five from {}", s.date))
            .unwrap_or_default();
        return format!(
            "{name} is a founding member of the SCO: it founded it in {city} on {acc}{five}."
        );
    }
    match c.first_step(asked) {
        Some(step) => {
            let status = step.status.unwrap_or(Status::Member);
            let mut s = format!(
                "{name} became {} on {}{}",
                status_noun(status),
                step.date,
                at_summit(facts, step.summit.as_deref())
            );
            if status == Status::DialoguePartner
                && let Some(later) = c.first_step(&[Status::Partner])
            {
                s.push_str(&format!(
                    "; since {} it counts as an SCO partner",
                    later.date
                ));
            }
            s.push('.');
            s
        }
        None => {
            let what = match asked.first() {
                Some(Status::Observer) => "an observer",
                Some(Status::DialoguePartner | Status::Partner) => {
                    "a dialogue partner or SCO partner"
                }
                _ => return status_now(facts, e, c),
            };
            format!("{name} was never {what}. {}", status_now(facts, e, c))
        }
    }
}

/// "India is a member state of the SCO since 9 June 2017, at the Astana summit 2017."
fn status_now(facts: &FactBase, e: &Entry, c: &Country) -> String {
    let name = &e.name;
    let status = c.status();
    match status {
        Status::Member => match c.accession() {
            Some(s) => format!(
                "{name} is a member state of the SCO since {}{}.",
                s.date,
                at_summit(facts, s.summit.as_deref())
            ),
            None => format!("{name} is a member state of the SCO."),
        },
        Status::Guest => format!(
            "{name} is not a member or partner of the SCO; it attends summits as a guest of the host."
        ),
        s => {
            let since = c
                .status_since()
                .map(|st| format!(" since {}", st.date))
                .unwrap_or_default();
            let earlier: Vec<String> = c
                .history
                .iter()
                .filter_map(|st| st.status.filter(|&x| x != s).map(|x| (x, st.date)))
                .map(|(x, d)| format!("{} from {d}", status_noun(x)))
                .collect();
            let before = if earlier.is_empty() {
                String::new()
            } else {
                format!(" (before that, {})", earlier.join(", then "))
            };
            format!(
                "{name} is not a member of the SCO: it is {}{since}{before}.",
                status_noun(s)
            )
        }
    }
}

fn yes_no(facts: &FactBase, p: &Parsed, e: &Entry, c: &Country, asked: &[Status]) -> String {
    let name = &e.name;
    let asked_label = match asked.first() {
        Some(Status::Observer) => "an observer",
        Some(Status::DialoguePartner | Status::Partner) => "a partner",
        _ => "a member state",
    };
    if let Some(y) = p.year() {
        let Some((date, phrase)) = year_date(facts, y) else {
            return format!(
                "I don't know {name}'s status in {y}: the fact base runs to {}.",
                facts.meta.as_of
            );
        };
        let then = c.status_on(date);
        let later = c
            .first_step(asked)
            .filter(|s| s.date > date)
            .map(|s| {
                format!(
                    "; it became {} on {}",
                    status_noun(s.status.unwrap_or(Status::Member)),
                    s.date
                )
            })
            .unwrap_or_default();
        return match then {
            Some(s) if asked.contains(&s) => {
                format!("Yes: {phrase}, {name} was {}.", status_noun(s))
            }
            Some(s) => format!(
                "No: {phrase}, {name} was not {asked_label} but {}{later}.",
                status_noun(s)
            ),
            None => format!("No: {phrase}, {name} had no status in the SCO{later}."),
        };
    }
    let now = c.status();
    if asked.contains(&now) {
        let since = c
            .status_since()
            .map(|s| format!(" since {}{}", s.date, at_summit(facts, s.summit.as_deref())))
            .unwrap_or_default();
        return format!("Yes: {name} is {}{since}.", status_noun(now));
    }
    // A former observer or dialogue partner is a partner since Tianjin.
    if (asked.contains(&Status::Observer) || asked.contains(&Status::DialoguePartner))
        && let (Some(s), Some(since)) = (c.first_step(asked), c.status_since())
    {
        return format!(
            "Not any more: {name} became {} on {}, and since {} it is {}.",
            status_noun(s.status.unwrap_or(Status::Observer)),
            s.date,
            since.date,
            status_noun(now)
        );
    }
    format!("No: {}", status_now(facts, e, c))
}

/// The date membership questions about a year are answered at (the end of the year, or the
/// fact base's date for the current year), and how the sentence says it. `None` for a year
/// after the fact base's date.
fn year_date(facts: &FactBase, y: i32) -> Option<(Date, String)> {
    let as_of = facts.meta.as_of;
    if y > as_of.year {
        return None;
    }
    if y == as_of.year {
        return Some((as_of, format!("As of {as_of}")));
    }
    Some((
        Date {
            year: y,
            month: 12,
            day: 31,
        },
        format!("At the end of {y}"),
    ))
}

/// Questions with no name in them: members, counts, founders, the Secretary-General, the
/// summit of a year, the SCO itself.
fn bare_question(k: &Knowledge, q: &str, p: &Parsed) -> Reply {
    let facts = &k.facts;
    let reply = if p.has(Cue::SecGen) {
        secretary_general(facts, p)
    } else if p.has(Cue::Summit)
        || (p.any(&[Cue::Where, Cue::When]) && p.year().is_some() && !membership_cues(p))
    {
        summit_of(facts, p)
    } else if p.has(Cue::Founder) || (p.has(Cue::Who) && p.has(Cue::Found)) {
        founders(facts)
    } else if membership_cues(p) {
        Some(membership(facts, p))
    } else if p.has(Cue::Found) && p.sco {
        founders(facts)
    } else if p.has(Cue::Where) && p.sco {
        seats(facts)
    } else if p.sco && !p.any(&[Cue::When, Cue::Where, Cue::Who, Cue::HowMany]) {
        term_by_id(facts, "sco")
    } else {
        None
    };
    reply.unwrap_or_else(|| unknown(k, q, &[]))
}

fn membership_cues(p: &Parsed) -> bool {
    p.any(&[
        Cue::Member,
        Cue::Observer,
        Cue::Partner,
        Cue::Join,
        Cue::Countries,
        Cue::HowMany,
    ])
}

/// "The SCO was founded in Shanghai on 15 June 2001 by ..."
fn founders(facts: &FactBase) -> Option<Reply> {
    let (summit_entry, f) = founding(facts)?;
    let founders: Vec<&Entry> = countries(facts)
        .filter(|(_, c)| is_founder(facts, c))
        .map(|(e, _)| e)
        .collect();
    let names: Vec<&str> = founders.iter().map(|e| e.name.as_str()).collect();
    let five: Vec<&str> = countries(facts)
        .filter(|(_, c)| {
            c.first_step(&[Status::ShanghaiFive])
                .is_some_and(|s| Some(s.date) == c.history.first().map(|h| h.date))
        })
        .map(|(e, _)| e.name.as_str())
        .collect();
    let mut sentence = format!(
        "The SCO was founded in {} on {} by {} states: {}.",
        f.city,
        f.start,
        number_word(names.len()),
        and_list(&names)
    );
    let start = countries(facts)
        .filter_map(|(_, c)| c.first_step(&[Status::ShanghaiFive]).map(|s| s.date))
        .min();
    if let (false, Some(d)) = (five.is_empty(), start) {
        sentence.push_str(&format!(
            " Its forerunner, the Shanghai Five, began on {d} with {}.",
            and_list(&five)
        ));
    }
    let mut r = match facts.get(Kind::Term, "sco") {
        Some(e) => card(facts, e, sentence),
        None => {
            let mut r = Reply::new("Founders of the SCO", sentence);
            r.matched = Some(entry_ref(summit_entry));
            r
        }
    };
    for e in &founders {
        r.cite(facts, e.sources.iter().map(String::as_str));
    }
    Some(r)
}

fn number_word(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// Where the SCO's permanent bodies sit.
fn seats(facts: &FactBase) -> Option<Reply> {
    let bodies: Vec<&Entry> = facts
        .of_kind(Kind::Body)
        .filter(|e| {
            matches!(&e.details, Details::Body(b) if b.seat.is_some()
                && b.category == Some(crate::facts::BodyCategory::Permanent))
        })
        .collect();
    let parts: Vec<String> = bodies
        .iter()
        .filter_map(|e| match &e.details {
            Details::Body(b) => Some(format!("the {} in {}", e.name, b.seat.as_deref()?)),
            _ => None,
        })
        .collect();
    let first = bodies.first()?;
    let sentence = format!("The SCO's permanent bodies are {}.", and_list(&parts));
    let mut r = card(facts, first, sentence);
    for e in &bodies {
        r.cite(facts, e.sources.iter().map(String::as_str));
    }
    Some(r)
}

/// Members (or partners, or observers) as of a year or now; how many; who joined in a year.
fn membership(facts: &FactBase, p: &Parsed) -> Reply {
    let mut statuses: Vec<Status> = Vec::new();
    if p.has(Cue::Observer) {
        statuses.push(Status::Observer);
    }
    if p.has(Cue::Partner) {
        statuses.extend([Status::DialoguePartner, Status::Partner]);
    }
    if statuses.is_empty() {
        statuses.push(Status::Member);
    }
    if let (true, Some(y)) = (p.has(Cue::Join), p.year()) {
        return joined_in(facts, y, &statuses);
    }
    let counting = p.has(Cue::HowMany);
    let both = !p.any(&[Cue::Member, Cue::Observer, Cue::Partner]);
    match p.year() {
        Some(y) => at_year(facts, y, &statuses, counting),
        None => {
            let as_of = facts.meta.as_of;
            let phrase = format!("As of {as_of}");
            let mut r = listing(facts, as_of, &phrase, &statuses, counting, false);
            if both && counting {
                let partners = listing(
                    facts,
                    as_of,
                    "",
                    &[Status::Observer, Status::DialoguePartner, Status::Partner],
                    true,
                    false,
                );
                let names = |r: &Reply| -> Vec<String> {
                    r.items
                        .iter()
                        .filter_map(|i| i.strip_prefix("• ")?.split(" — ").next())
                        .map(String::from)
                        .collect()
                };
                let (m, p) = (names(&r), names(&partners));
                r.body = format!(
                    "{phrase}, the SCO has {} member states ({}) and {} partners ({}).",
                    m.len(),
                    and_list(&m),
                    p.len(),
                    and_list(&p)
                );
                r.sources.extend(partners.sources);
            }
            r
        }
    }
}

/// `/members YEAR` and "members in 2010": the members and partners as they stood then.
pub fn members_at(k: &Knowledge, year: i32) -> Reply {
    let facts = &k.facts;
    let mut r = at_year(facts, year, &[Status::Member], false);
    if let Some((date, _)) = year_date(facts, year) {
        let partners: Vec<String> = countries(facts)
            .filter_map(|(e, c)| match c.status_on(date) {
                Some(s @ (Status::Observer | Status::DialoguePartner | Status::Partner)) => {
                    r.cite(facts, e.sources.iter().map(String::as_str));
                    Some(format!("  • {} — {}", e.name, s.label()))
                }
                _ => None,
            })
            .collect();
        if !partners.is_empty() {
            r.items
                .push(format!("Observers and partners ({}):", partners.len()));
            r.items.extend(partners);
        }
    }
    r
}

fn at_year(facts: &FactBase, y: i32, statuses: &[Status], counting: bool) -> Reply {
    let as_of = facts.meta.as_of;
    let Some((date, phrase)) = year_date(facts, y) else {
        let mut r = Reply::new(
            "Not in the fact base",
            format!(
                "I don't know the SCO's membership in {y}: the fact base runs to {as_of}. \
                 /members shows it as of that date."
            ),
        );
        r.as_of = Some(as_of);
        return r;
    };
    let founded = founding(facts).map(|(_, s)| s.start);
    if founded.is_some_and(|f| date < f) {
        let f = founded.unwrap_or(date);
        let five: Vec<&str> = countries(facts)
            .filter(|(_, c)| c.status_on(date) == Some(Status::ShanghaiFive))
            .map(|(e, _)| e.name.as_str())
            .collect();
        let body = if five.is_empty() {
            format!(
                "The SCO did not exist yet in {y}: it was founded on {f}, and its forerunner, \
                 the Shanghai Five, began later than {y}."
            )
        } else {
            format!(
                "The SCO did not exist yet in {y}: it was founded on {f}. Its forerunner, the \
                 Shanghai Five, had {} members: {}.",
                number_word(five.len()),
                and_list(&five)
            )
        };
        let mut r = Reply::new(format!("The SCO in {y}"), body);
        for (e, c) in countries(facts) {
            if c.status_on(date) == Some(Status::ShanghaiFive) {
                r.cite(facts, e.sources.iter().map(String::as_str));
            }
        }
        r.as_of = Some(as_of);
        return r;
    }
    let mut r = listing(facts, date, &phrase, statuses, counting, true);
    // Who joined during that year.
    let joined: Vec<String> = countries(facts)
        .filter_map(|(e, c)| {
            c.history
                .iter()
                .find(|s| s.date.year == y && s.status.is_some_and(|st| statuses.contains(&st)))
                .map(|s| format!("{} ({})", e.name, s.date))
        })
        .collect();
    if !joined.is_empty() && y != founded.map_or(0, |f| f.year) {
        r.body
            .push_str(&format!(" Joined during {y}: {}.", and_list(&joined)));
    }
    r
}

/// The countries with one of `statuses` on `date`, as a sentence and a list.
fn listing(
    facts: &FactBase,
    date: Date,
    phrase: &str,
    statuses: &[Status],
    counting: bool,
    past: bool,
) -> Reply {
    let list: Vec<(&Entry, Status)> = countries(facts)
        .filter_map(|(e, c)| {
            let s = if date >= facts.meta.as_of {
                Some(c.status())
            } else {
                c.status_on(date)
            };
            s.filter(|s| statuses.contains(s)).map(|s| (e, s))
        })
        .collect();
    let noun = match statuses.first() {
        Some(Status::Observer) if statuses.len() == 1 => "observers",
        Some(Status::Member) => "member states",
        _ => "partners (observers, dialogue partners and SCO partners)",
    };
    let names: Vec<&str> = list.iter().map(|(e, _)| e.name.as_str()).collect();
    let verb = if past { "had" } else { "has" };
    let body = if list.is_empty() {
        format!("{phrase}, the SCO {verb} no {noun}.")
    } else if counting {
        format!(
            "{phrase}, the SCO {verb} {} {noun}: {}.",
            list.len(),
            and_list(&names)
        )
    } else {
        format!("{phrase}, the {noun} of the SCO were {}.", and_list(&names))
            .replace(" were ", if past { " were " } else { " are " })
    };
    let mut r = Reply::new(format!("SCO {noun} — {phrase}"), body);
    r.kind = Some(Kind::Country);
    for (e, s) in &list {
        r.items.push(format!("• {} — {}", e.name, s.label()));
        r.cite(facts, e.sources.iter().map(String::as_str));
    }
    if list.is_empty()
        && statuses.contains(&Status::Observer)
        && let Some(t) = facts.get(Kind::Term, "sco-partner-status")
    {
        r.body.push_str(&format!(" {}", first_sentence(&t.summary)));
        r.cite(facts, t.sources.iter().map(String::as_str));
    }
    r.as_of = Some(facts.meta.as_of);
    r
}

/// "India and Pakistan became full members in 2017."
fn joined_in(facts: &FactBase, y: i32, statuses: &[Status]) -> Reply {
    let mut steps: Vec<(&Entry, &crate::facts::Step)> = Vec::new();
    for (e, c) in countries(facts) {
        if let Some(s) = c
            .history
            .iter()
            .find(|s| s.date.year == y && s.status.is_some_and(|st| statuses.contains(&st)))
            && c.first_step(&[s.status.unwrap_or(Status::Member)])
                .is_some_and(|first| first.date == s.date)
        {
            steps.push((e, s));
        }
    }
    let what = match statuses.first() {
        Some(Status::Observer) if statuses.len() == 1 => "observers",
        Some(Status::Member) => "full members",
        _ => "dialogue partners or SCO partners",
    };
    let mut r = Reply::new(format!("Joined in {y}"), String::new());
    r.kind = Some(Kind::Country);
    if steps.is_empty() {
        r.body = format!("No country became one of the SCO's {what} in {y}.");
        let others: Vec<String> = countries(facts)
            .flat_map(|(e, c)| {
                c.history
                    .iter()
                    .filter(|s| s.date.year == y && s.status.is_some())
                    .map(move |s| {
                        format!(
                            "{} became {} ({})",
                            e.name,
                            status_noun(s.status.unwrap_or(Status::Member)),
                            s.date
                        )
                    })
            })
            .collect();
        if !others.is_empty() {
            r.body.push_str(&format!(" In {y}: {}.", and_list(&others)));
        }
        r.as_of = Some(facts.meta.as_of);
        return r;
    }
    let names: Vec<&str> = steps.iter().map(|(e, _)| e.name.as_str()).collect();
    let mut dates: Vec<String> = Vec::new();
    for (_, s) in &steps {
        let d = format!("{}{}", s.date, at_summit(facts, s.summit.as_deref()));
        if !dates.contains(&d) {
            dates.push(d);
        }
    }
    let verb = if steps.len() == 1 {
        "became one of the SCO's"
    } else {
        "became the SCO's"
    };
    r.body = format!(
        "{} {verb} {what} in {y} (on {}).",
        and_list(&names),
        and_list(&dates)
    );
    if steps.len() == 1 {
        r.body = r.body.replace(
            "became one of the SCO's full members",
            "became a full member",
        );
    }
    for (e, s) in &steps {
        r.items
            .push(format!("• {} — {}: {}", e.name, s.date, s.event));
        r.cite(facts, e.sources.iter().map(String::as_str));
    }
    if let [(e, _)] = steps.as_slice() {
        r.matched = Some(entry_ref(e));
    }
    r.as_of = Some(facts.meta.as_of);
    r
}

/// "The 2022 SCO summit (the 22nd ...) was held in Samarkand, Uzbekistan, on 15–16 September 2022."
fn summit_sentence(facts: &FactBase, e: &Entry, s: &Summit) -> String {
    let country = facts.name_of(Kind::Country, &s.country);
    let place = match s.format {
        Some(Format::Virtual) => format!("by videoconference, chaired from {}, {country},", s.city),
        Some(Format::Hybrid) => format!("in {}, {country}, in hybrid format,", s.city),
        Some(Format::InPerson) | None => format!("in {}, {country},", s.city),
    };
    let what = match s.series {
        Series::HeadsOfState => "SCO summit",
        Series::ShanghaiFive => "Shanghai Five meeting",
    };
    let sentence = format!(
        "The {} {what} (the {} {}) was held {place} on {}.",
        s.year,
        ordinal(s.number),
        s.series.label(),
        span(s.start, s.end)
    );
    hedge(e, sentence)
}

fn summit_reply(facts: &FactBase, e: &Entry, s: &Summit, lead: Option<String>) -> Reply {
    let mut r = entry_reply(facts, e);
    let sentence = summit_sentence(facts, e, s);
    let sentence = match lead {
        Some(l) => format!("{l} {sentence}"),
        None => sentence,
    };
    r.body = format!("{sentence}\n\n{}", r.body);
    r.matched = Some(entry_ref(e));
    r
}

/// The summit of a year, the nth summit, the first or the latest.
fn summit_of(facts: &FactBase, p: &Parsed) -> Option<Reply> {
    let as_of = facts.meta.as_of;
    let all: Vec<(&Entry, &Summit)> = summits(facts).collect();
    if let Some(y) = p.year() {
        let found: Vec<&(&Entry, &Summit)> = all.iter().filter(|(_, s)| s.year == y).collect();
        let pick = found
            .iter()
            .find(|(_, s)| s.series == Series::HeadsOfState)
            .or(found.first());
        return Some(match pick {
            Some((e, s)) => summit_reply(facts, e, s, None),
            None => {
                let body = if y > as_of.year {
                    format!("I don't know of an SCO summit in {y}: the fact base runs to {as_of}.")
                } else {
                    format!("No SCO summit in {y} is recorded in the fact base.")
                };
                let mut r = Reply::new("No summit recorded", body);
                r.as_of = Some(as_of);
                r
            }
        });
    }
    let hos = all.iter().filter(|(_, s)| s.series == Series::HeadsOfState);
    let pick = if let Some(n) = p.ordinal {
        hos.clone().find(|(_, s)| s.number == n)
    } else if p.has(Cue::First) {
        hos.clone().min_by_key(|(_, s)| s.start)
    } else if p.any(&[Cue::Last, Cue::Now]) {
        hos.clone()
            .filter(|(_, s)| s.start <= as_of)
            .max_by_key(|(_, s)| s.start)
    } else {
        None
    }?;
    let lead = if p.any(&[Cue::Last, Cue::Now]) {
        Some(format!(
            "The latest summit in the fact base (as of {as_of}):"
        ))
    } else {
        None
    };
    Some(summit_reply(facts, pick.0, pick.1, lead))
}

/// Summits held in a city named by the question ("the summit in Bishkek").
fn summits_in_city(facts: &FactBase, p: &Parsed) -> Option<Reply> {
    let words: Vec<&str> = p.segments.iter().flatten().map(String::as_str).collect();
    let typed: String = words.concat();
    if typed.len() < 3 {
        return None;
    }
    let matches_city = |city: &str| {
        let c = crate::search::normalize::compact(city);
        c == typed
            || (typed.starts_with(&c) && typed.len() <= c.len() + 2 && c.len() >= 4)
            || (c.len() >= 5
                && crate::search::distance::osa_within(c.as_bytes(), typed.as_bytes(), 1).is_some())
    };
    let mut list: Vec<(&Entry, &Summit)> = summits(facts)
        .filter(|(_, s)| matches_city(&s.city))
        .collect();
    if let Some(y) = p.year() {
        list.retain(|(_, s)| s.year == y);
    }
    match list.as_slice() {
        [] => None,
        [(e, s)] => Some(summit_reply(facts, e, s, None)),
        _ => {
            let city = list[0].1.city.clone();
            Some(summit_list(
                facts,
                &format!("Meetings in {city}"),
                &list,
                &format!("{city} hosted"),
            ))
        }
    }
}

fn summit_list(facts: &FactBase, title: &str, list: &[(&Entry, &Summit)], lead: &str) -> Reply {
    let mut r = Reply::new(title, String::new());
    r.kind = Some(Kind::Summit);
    if list.is_empty() {
        r.body = format!("No SCO summit or Shanghai Five meeting is recorded there: {lead} none.");
        return r;
    }
    let parts: Vec<String> = list
        .iter()
        .map(|(_, s)| {
            let what = match s.series {
                Series::HeadsOfState => "the SCO summit",
                Series::ShanghaiFive => "the Shanghai Five meeting",
            };
            format!("{what} of {}", span(s.start, s.end))
        })
        .collect();
    r.body = format!(
        "{lead} {} meetings: {}.",
        number_word(list.len()),
        and_list(&parts)
    );
    for (e, s) in list {
        r.items.push(format!(
            "• {} — {} ({})",
            span(s.start, s.end),
            e.name,
            s.format.map_or("format not recorded", |f| f.label())
        ));
        r.cite(facts, e.sources.iter().map(String::as_str));
    }
    r
}

/// When and where a document was signed, and when it entered into force.
fn document(facts: &FactBase, p: &Parsed, e: &Entry) -> Reply {
    let Details::Document(d) = &e.details else {
        return card(facts, e, first_sentence(&e.summary));
    };
    let name = the(&e.name);
    let signed = format!(
        "{name} was signed in {} on {}{}",
        d.place,
        d.signed,
        at_summit(facts, d.summit.as_deref())
    );
    let sentence = match (p.has(Cue::Force), d.in_force) {
        (_, Some(f)) => format!("{signed}; it entered into force on {f}."),
        (true, None) => format!(
            "No entry-into-force date is recorded for {}; it was signed in {} on {}.",
            lower_the(&name),
            d.place,
            d.signed
        ),
        (false, None) => format!("{signed}."),
    };
    card(facts, e, sentence)
}

fn the(name: &str) -> String {
    if name.starts_with("The ") || name.starts_with("the ") {
        name.to_string()
    } else {
        format!("The {name}")
    }
}

fn lower_the(s: &str) -> String {
    match s.strip_prefix("The ") {
        Some(rest) => format!("the {rest}"),
        None => s.to_string(),
    }
}

/// Where a body sits and when it was set up.
fn body(facts: &FactBase, p: &Parsed, e: &Entry) -> Reply {
    let Details::Body(b) = &e.details else {
        return card(facts, e, first_sentence(&e.summary));
    };
    let name = the(&e.name);
    let seat = b.seat.as_deref();
    let when = p.any(&[Cue::When, Cue::Found, Cue::YearWord]);
    let sentence = match (when, p.any(&[Cue::Where, Cue::Seat])) {
        (true, _) => match (b.founded, seat) {
            (Some(f), Some(s)) => format!("{name} was set up on {f}; it sits in {s}."),
            (Some(f), None) => format!("{name} was set up on {f}."),
            (None, Some(s)) => format!(
                "No founding date is recorded for {}; it sits in {s}.",
                lower_the(&name)
            ),
            (None, None) => format!("No founding date is recorded for {}.", lower_the(&name)),
        },
        (false, true) => match seat {
            Some(s) => format!("{name} is in {s}."),
            None => format!("No seat is recorded for {}.", lower_the(&name)),
        },
        (false, false) => first_sentence(&e.summary),
    };
    card(facts, e, sentence)
}

/// "Zhang Ming (China) was the 7th Secretary-General of the SCO, 1 January 2022 – 31 December 2024."
fn person(facts: &FactBase, e: &Entry) -> Reply {
    let Details::Person(p) = &e.details else {
        return card(facts, e, first_sentence(&e.summary));
    };
    let country = facts.name_of(Kind::Country, &p.country);
    let current = p.left_office.is_none() && p.to_year >= facts.meta.as_of.year;
    let term = match (p.took_office, p.left_office) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        (Some(a), None) => format!("since {a} (term to {})", p.to_year),
        _ => format!("from {} to {}", p.from_year, p.to_year),
    };
    let verb = if current { "is" } else { "was" };
    let mut sentence = format!(
        "{} of {country} {verb} the {} {} of the SCO, {term}.",
        e.name,
        ordinal(p.order),
        p.role.label()
    );
    if current && let Some(c) = &e.caveat {
        sentence = format!(
            "{} ({}).",
            sentence.trim_end_matches('.'),
            c.trim_end_matches('.')
        );
    }
    card(facts, e, sentence)
}

/// The Secretary-General now, in a year, the first or the nth, or all of them.
fn secretary_general(facts: &FactBase, p: &Parsed) -> Option<Reply> {
    let mut people: Vec<&Entry> = facts
        .of_kind(Kind::Person)
        .filter(|e| matches!(e.details, Details::Person(_)))
        .collect();
    people.sort_by_key(|e| match &e.details {
        Details::Person(p) => p.order,
        _ => 0,
    });
    let pd = |e: &Entry| match &e.details {
        Details::Person(p) => Some(p.clone()),
        _ => None,
    };
    let as_of = facts.meta.as_of;
    if let Some(y) = p.year() {
        let holder = people.iter().find(|e| {
            pd(e).is_some_and(|p| match (p.took_office, p.left_office) {
                (Some(a), Some(b)) => a.year <= y && y <= b.year,
                (Some(a), None) => a.year <= y && y <= p.to_year,
                _ => p.from_year <= y && y <= p.to_year,
            })
        });
        return Some(match holder {
            Some(e) if y <= as_of.year => person(facts, e),
            _ => {
                let first = people.first().and_then(|e| pd(e).map(|p| (e, p)));
                let body = match first {
                    Some((e, fp)) if y < fp.from_year => format!(
                        "There was no Secretary-General in {y}: the first, {}, took office in {}.",
                        e.name, fp.from_year
                    ),
                    _ => format!(
                        "I don't know the Secretary-General in {y}: the fact base runs to {as_of}."
                    ),
                };
                let mut r = Reply::new("Secretary-General of the SCO", body);
                r.as_of = Some(as_of);
                r
            }
        });
    }
    if p.has(Cue::All) {
        let mut r = Reply::new("Secretaries-General of the SCO", String::new());
        let names: Vec<String> = people
            .iter()
            .filter_map(|e| pd(e).map(|p| format!("{} ({}–{})", e.name, p.from_year, p.to_year)))
            .collect();
        r.body = format!(
            "The SCO has had {} Secretaries-General: {}.",
            number_word(names.len()),
            and_list(&names)
        );
        for e in &people {
            r.cite(facts, e.sources.iter().map(String::as_str));
        }
        return Some(r);
    }
    let pick = if let Some(n) = p.ordinal {
        people.iter().find(|e| pd(e).is_some_and(|p| p.order == n))
    } else {
        people
            .iter()
            .rev()
            .find(|e| pd(e).is_some_and(|p| p.from_year <= as_of.year))
    }?;
    let mut r = person(facts, pick);
    if p.ordinal.is_none() {
        r.body = format!("As of {as_of}: {}", r.body);
    }
    Some(r)
}

/// Terms: the SCO itself, the Shanghai Five, the Secretary-General's post, or a definition.
fn term(k: &Knowledge, p: &Parsed, e: &Entry) -> Option<Reply> {
    let facts = &k.facts;
    match e.id.as_str() {
        "sco" if p.has(Cue::StandFor) => stand_for(facts),
        "sco" if p.any(&[Cue::Found, Cue::Founder, Cue::When]) => founders(facts),
        "secretary-general-post" if !p.has(Cue::What) || p.any(&[Cue::Who, Cue::Now]) => {
            secretary_general(facts, p)
        }
        "shanghai-five"
            if p.any(&[Cue::Found, Cue::When, Cue::Where, Cue::Summit])
                || p.ordinal.is_some()
                || p.year().is_some() =>
        {
            let meetings: Vec<(&Entry, &Summit)> = summits(facts)
                .filter(|(_, s)| s.series == Series::ShanghaiFive)
                .collect();
            let pick = if let Some(n) = p.ordinal {
                meetings.iter().find(|(_, s)| s.number == n)
            } else if let Some(y) = p.year() {
                meetings.iter().find(|(_, s)| s.year == y)
            } else {
                meetings.iter().min_by_key(|(_, s)| s.start)
            };
            match pick {
                Some((se, s)) => Some(summit_reply(facts, se, s, None)),
                None => Some(card(facts, e, first_sentence(&e.summary))),
            }
        }
        _ => Some(card(facts, e, first_sentence(&e.summary))),
    }
}

/// "When did India and Pakistan join": each name on its own, all of them countries.
fn several_countries(k: &Knowledge, p: &Parsed) -> Option<Reply> {
    if p.segments.len() < 2 {
        return None;
    }
    let facts = &k.facts;
    let mut sentences = Vec::new();
    let mut first: Option<&Entry> = None;
    let mut r = Reply::new(String::new(), String::new());
    let mut titles = Vec::new();
    for seg in &p.segments {
        let one = p.with_words(seg.clone());
        match resolve(k, &one) {
            Named::Entry(e, _) => {
                let Details::Country(c) = &e.details else {
                    return None;
                };
                let reply = country(facts, &one, e, c)?;
                sentences.push(reply.body.split("\n\n").next().unwrap_or("").to_string());
                r.cite(facts, e.sources.iter().map(String::as_str));
                titles.push(e.name.clone());
                first.get_or_insert(e);
            }
            Named::Outside(name) => {
                sentences.push(format!("{name} is not part of the SCO."));
                titles.push(name);
            }
            Named::Nothing(_) => return None,
        }
    }
    r.title = and_list(&titles);
    r.body = sentences.join(" ");
    r.matched = first.map(entry_ref);
    r.kind = Some(Kind::Country);
    Some(r)
}

//! `/compare A B`: two countries, two summits or two documents side by side, as a
//! [`Table`] that each front end lays out its own way (columns in the terminal, two inline
//! fields on Discord, data in JSON).
//!
//! Both names go through the normal lookup. When the second name is missing (a terminal line
//! such as `/compare india pakistan`), the first is split where both halves name entries of
//! one kind: at a separator ("vs", "and", a comma) first, else between words.

use super::Ctx;
use super::bind::Args;
use crate::Knowledge;
use crate::facts::{Confidence, Details, Entry, FactBase, Kind, ordinal, span};
use crate::reply::{EntryRef, Reply, Row, Table, echo};
use crate::search::{Hit, Outcome, Resolution};

/// The kinds `/compare` lays side by side.
const COMPARABLE: [Kind; 3] = [Kind::Country, Kind::Summit, Kind::Document];

/// Words and marks that separate two names typed as one: `india vs pakistan`.
const SEPARATORS: [&str; 12] = [
    " vs. ", " vs ", " versus ", " and ", " with ", " or ", ",", ";", " / ", " & ", " и ", "和",
];

/// An example to show when the names could not be read.
const EXAMPLE: &str =
    "/compare india pakistan, /compare 2017 2018, or /compare charter, bishkek declaration";

pub(crate) fn compare(c: &Ctx<'_>, args: &Args) -> Reply {
    let k = c.knowledge;
    let first = args.text("first").unwrap_or_default().trim();
    let second = args.text("second").map(str::trim).unwrap_or_default();
    if second.is_empty() {
        return match split(k, first) {
            Ok((a, b)) => table_reply(k, a, b),
            Err(Some(reason)) => *reason,
            Err(None) => both_needed(k, first),
        };
    }
    match pair(k, first, second) {
        Paired::Both(a, b) => table_reply(k, a, b),
        Paired::Failed(reply, _) => *reply,
    }
}

/// What resolving two names gave.
enum Paired {
    /// Two entries of one comparable kind.
    Both(Hit, Hit),
    /// A polite reason why not, and how much it knows: 2 when both names were found (but
    /// differ in kind, say), 1 when one is a country outside the SCO, 0 when one was not found.
    Failed(Box<Reply>, u8),
}

fn matched(r: &Resolution) -> Option<Hit> {
    match r.outcome {
        Outcome::Match(h) => Some(h),
        _ => None,
    }
}

/// Resolves two names: each with the normal lookup; a name that fails, or matches another
/// kind, is looked up again within the other's kind.
fn pair(k: &Knowledge, a: &str, b: &str) -> Paired {
    let facts = &k.facts;
    let kind = |h: Hit| facts.entries[h.entry].kind;
    let (ra, rb) = (k.index.lookup(a, None), k.index.lookup(b, None));
    let (ha, hb) = (matched(&ra), matched(&rb));
    let again =
        |q: &str, h: Option<Hit>| h.and_then(|h| matched(&k.index.lookup(q, Some(kind(h)))));
    let (ha, hb) = match (ha, hb) {
        (Some(x), Some(y)) if kind(x) == kind(y) => (Some(x), Some(y)),
        (Some(x), Some(y)) => match (again(b, Some(x)), again(a, Some(y))) {
            (Some(y2), _) => (Some(x), Some(y2)),
            (None, Some(x2)) => (Some(x2), Some(y)),
            (None, None) => (Some(x), Some(y)),
        },
        (Some(x), None) => (Some(x), again(b, Some(x))),
        (None, Some(y)) => (again(a, Some(y)), Some(y)),
        (None, None) => (None, None),
    };
    match (ha, hb) {
        (Some(x), Some(y)) => {
            let (ea, eb) = (&facts.entries[x.entry], &facts.entries[y.entry]);
            if ea.kind != eb.kind {
                Paired::Failed(Box::new(mixed(ea, eb)), 2)
            } else if !COMPARABLE.contains(&ea.kind) {
                Paired::Failed(Box::new(not_comparable(ea, eb)), 2)
            } else if x.entry == y.entry {
                Paired::Failed(
                    Box::new(Reply::notice(format!(
                        "Both names lead to {}; give two different ones, for example {EXAMPLE}.",
                        ea.name
                    ))),
                    2,
                )
            } else {
                Paired::Both(x, y)
            }
        }
        (None, _) => not_found(k, "first", a, &ra),
        (_, None) => not_found(k, "second", b, &rb),
    }
}

/// The best way to read one text as two names; else why the likeliest reading fails (if
/// one is telling), or nothing.
fn split(k: &Knowledge, text: &str) -> Result<(Hit, Hit), Option<Box<Reply>>> {
    let lower = text.to_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for sep in SEPARATORS {
        for (at, _) in lower.match_indices(sep) {
            if text.is_char_boundary(at) && text.is_char_boundary(at + sep.len()) {
                cuts.push((at, at + sep.len()));
            }
        }
    }
    let by_separator = cuts.len();
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            cuts.push((at, at + c.len_utf8()));
        }
    }
    let mut best: Option<(bool, f32, Hit, Hit)> = None;
    let mut reason: Option<(u8, bool, Box<Reply>)> = None;
    let two_words = cuts.len() == 1;
    for (i, &(end, start)) in cuts.iter().enumerate() {
        let (a, b) = (text[..end].trim(), text[start..].trim());
        if a.is_empty() || b.is_empty() {
            continue;
        }
        match pair(k, a, b) {
            Paired::Both(x, y) => {
                let candidate = (i < by_separator, x.score.min(y.score), x, y);
                // A split at a separator wins; then the split whose weaker half matched best.
                let better = best
                    .as_ref()
                    .is_none_or(|b| (candidate.0, candidate.1) > (b.0, b.1));
                if better {
                    best = Some(candidate);
                }
            }
            Paired::Failed(reply, known) => {
                // A reading at a separator, or of just two words, is the one the user meant;
                // between other words only a reading where both names were found tells.
                let meant = i < by_separator || two_words;
                let telling = meant || known == 2;
                let better = reason
                    .as_ref()
                    .is_none_or(|(k0, m0, _)| (known, meant) > (*k0, *m0));
                if telling && better {
                    reason = Some((known, meant, reply));
                }
            }
        }
    }
    match best {
        Some((_, _, x, y)) => Ok((x, y)),
        None => Err(reason.map(|(_, _, r)| r)),
    }
}

fn both_needed(k: &Knowledge, text: &str) -> Reply {
    let lone = matched(&k.index.lookup(text, None)).map(|h| &k.facts.entries[h.entry]);
    let lead = match lone {
        Some(e) => format!("I found only one name, {}, in “{}”.", e.name, echo(text)),
        None if text.is_empty() => "Give two names to compare.".to_string(),
        None => format!("I could not read two names in “{}”.", echo(text)),
    };
    Reply::notice(format!(
        "{lead} Compare two countries, two summits or two documents: {EXAMPLE}."
    ))
}

fn entry_ref(facts: &FactBase, h: Hit) -> EntryRef {
    let e = &facts.entries[h.entry];
    EntryRef {
        kind: e.kind,
        id: e.id.clone(),
        title: e.name.clone(),
        score: (f64::from(h.score) * 1000.0).round() / 1000.0,
    }
}

fn not_found(k: &Knowledge, which: &str, query: &str, r: &Resolution) -> Paired {
    let shown = echo(query);
    let body = match &r.outcome {
        Outcome::NotInSco { name, .. } => format!(
            "{name} (the {which} name) is not part of the SCO, so the fact base has nothing to compare."
        ),
        _ if r.suggestions.is_empty() => format!(
            "I could not find the {which} name, “{shown}”. Check the spelling, or try /fact {shown}."
        ),
        _ => format!("I am not sure what the {which} name, “{shown}”, means. Did you mean"),
    };
    let mut reply = Reply::new(format!("Nothing to compare with “{shown}”"), body);
    reply.suggestions = r
        .suggestions
        .iter()
        .map(|&h| entry_ref(&k.facts, h))
        .collect();
    if reply.body.ends_with("Did you mean") {
        let names: Vec<String> = reply.suggestions.iter().map(|s| s.title.clone()).collect();
        reply.body = format!("{} {}?", reply.body, names.join(", "));
        // The names are in the body; the list line would say them twice.
        reply.suggestions.clear();
    }
    reply.ephemeral = true;
    let known = u8::from(matches!(r.outcome, Outcome::NotInSco { .. }));
    Paired::Failed(Box::new(reply), known)
}

fn mixed(a: &Entry, b: &Entry) -> Reply {
    Reply::notice(format!(
        "{} is {} and {} is {}; I can only compare two of a kind: two countries, two summits or two documents, for example {EXAMPLE}.",
        a.name,
        a_kind(a.kind),
        b.name,
        a_kind(b.kind)
    ))
}

fn not_comparable(a: &Entry, b: &Entry) -> Reply {
    Reply::notice(format!(
        "{} and {} are both {}; I compare countries, summits and documents. /fact NAME shows one of them.",
        a.name,
        b.name,
        a.kind.plural()
    ))
}

fn a_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Country => "a country",
        Kind::Principle => "a principle",
        Kind::Body => "a body",
        Kind::Summit => "a summit",
        Kind::Document => "a document",
        Kind::Term => "a glossary term",
        Kind::Person => "a person",
        Kind::Claim => "a claim",
    }
}

/// The comparison of two entries of one kind.
fn table_reply(k: &Knowledge, a: Hit, b: Hit) -> Reply {
    let facts = &k.facts;
    let (ea, eb) = (&facts.entries[a.entry], &facts.entries[b.entry]);
    let mut reply = Reply::new(
        format!("{} and {}", ea.name, eb.name),
        format!(
            "{} and {} side by side, from the fact base.",
            ea.name, eb.name
        ),
    );
    reply.kind = Some(ea.kind);
    // JSON's `match` is the first entry; `table` holds both.
    reply.matched = Some(entry_ref(facts, a));
    let (ra, rb) = (rows(facts, ea), rows(facts, eb));
    let mut table = Table {
        columns: vec![ea.name.clone(), eb.name.clone()],
        rows: Vec::new(),
    };
    for ((label, x), (_, y)) in ra.into_iter().zip(rb) {
        if x.is_none() && y.is_none() {
            continue;
        }
        let cell = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());
        table.rows.push(Row {
            label: label.to_string(),
            cells: vec![cell(x), cell(y)],
        });
    }
    reply.table = Some(table);
    reply.cite(facts, ea.sources.iter().map(String::as_str));
    reply.cite(facts, eb.sources.iter().map(String::as_str));
    reply
}

/// The rows of one entry, the same labels in the same order for every entry of its kind;
/// `None` where the fact base says nothing.
fn rows(facts: &FactBase, e: &Entry) -> Vec<(&'static str, Option<String>)> {
    let summit = |id: &str| facts.name_of(Kind::Summit, id);
    let mut rows: Vec<(&'static str, Option<String>)> = match &e.details {
        Details::Country(c) => {
            let status = c.status();
            let since = c.status_since().map(|s| {
                let at = s
                    .summit
                    .as_deref()
                    .map(|id| format!(" ({})", summit(id)))
                    .unwrap_or_default();
                format!("{}{at}", s.date)
            });
            let route: Vec<String> = c
                .history
                .iter()
                .filter_map(|s| s.status.map(|st| format!("{} from {}", st.label(), s.date)))
                .collect();
            let hosted: Vec<String> = facts
                .of_kind(Kind::Summit)
                .filter_map(|s| match &s.details {
                    Details::Summit(d) if d.country == e.id => {
                        Some(format!("{} {}", d.city, d.year))
                    }
                    _ => None,
                })
                .collect();
            let hosted = if hosted.is_empty() {
                "none".to_string()
            } else {
                format!("{}: {}", hosted.len(), hosted.join(", "))
            };
            vec![
                ("Status", Some(status.label().to_string())),
                ("Since", since),
                ("Route", (!route.is_empty()).then(|| route.join("\n"))),
                ("Capital", c.capital.clone()),
                ("Summits hosted", Some(hosted)),
            ]
        }
        Details::Summit(s) => {
            let documents: Vec<&str> = facts
                .of_kind(Kind::Document)
                .filter(|d| matches!(&d.details, Details::Document(x) if x.summit.as_deref() == Some(e.id.as_str())))
                .map(|d| d.name.as_str())
                .collect();
            vec![
                ("Date", Some(span(s.start, s.end))),
                (
                    "Place",
                    Some(format!(
                        "{}, {}",
                        s.city,
                        facts.name_of(Kind::Country, &s.country)
                    )),
                ),
                (
                    "Meeting",
                    Some(format!("{} {}", ordinal(s.number), s.series.label())),
                ),
                (
                    "Format",
                    Some(
                        s.format
                            .map_or("not stated by the sources", |f| f.label())
                            .to_string(),
                    ),
                ),
                (
                    "Documents",
                    (!documents.is_empty()).then(|| documents.join("\n")),
                ),
                (
                    "Outcomes",
                    (!s.outcomes.is_empty()).then(|| {
                        s.outcomes
                            .iter()
                            .map(|o| format!("• {o}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    }),
                ),
            ]
        }
        Details::Document(d) => vec![
            ("Type", Some(d.doc_type.label().to_string())),
            ("Signed", Some(d.signed.to_string())),
            ("Place", Some(d.place.clone())),
            ("In force", d.in_force.map(|f| f.to_string())),
            ("Summit", d.summit.as_deref().map(summit)),
        ],
        _ => Vec::new(),
    };
    // The hedges travel with the facts they qualify.
    rows.push(("Uncertain", e.caveat.clone()));
    rows.push((
        "Confidence",
        (e.confidence != Confidence::High).then(|| e.confidence.label().to_string()),
    ));
    rows
}

//! Lookups that cross the lines users do not see: a name filed under another kind, a place,
//! a role word, a description, a historical name.
//!
//! The index answers a query in the kind the command names. When that fails, a student still
//! expects an answer: `/principle shanghai spirit` (a glossary term), `/fact tashkent` (RATS
//! sits there), `/person current`, `/document founding declaration`, `/member persia`. Each rule
//! here accepts one entry only when it is clearly the one meant (else the index's suggestions
//! stand), and each answer's first line says how it was found, so nothing reads as a guess.
//! Every rule reads the typed facts; none holds a name of its own.

use super::bind::Args;
use super::lookup::{a_kind, answer};
use crate::Knowledge;
use crate::ask::grammar::{Cue, parse};
use crate::facts::{Date, Details, Entry, FactBase, Kind, ordinal};
use crate::reply::{EntryRef, Reply};
use crate::search::distance::osa_within;
use crate::search::normalize::{self, Token};
use crate::search::{ACCEPT, Hit, MARGIN, Outcome};

/// Looks up the query of a command in one kind (or all) and answers it, crossing kinds,
/// places, roles, descriptions and historical names when the kind asked for has no answer.
pub(super) fn lookup_command(k: &Knowledge, args: &Args, scope: Option<Kind>) -> Reply {
    let query = args.query().unwrap_or_default();
    resolve(k, query, scope)
}

/// The answer to `query` in `scope`: the index's, or one of the crossings below.
pub fn resolve(k: &Knowledge, query: &str, scope: Option<Kind>) -> Reply {
    if let Some(english) = crate::ask::chinese_names_in_english(query) {
        return resolve(k, &english, scope);
    }
    if let Some(r) = place(k, query, scope) {
        return r;
    }
    let r = k.index.lookup(query, scope);
    if !matches!(r.outcome, Outcome::NoMatch) {
        return answer(k, query, scope, &r);
    }
    if scope == Some(Kind::Person)
        && let Some(reply) = role(k, query)
    {
        return reply;
    }
    let best_here = r.suggestions.first().map_or(0.0, |h| h.score);
    if let Some(asked) = scope {
        let anywhere = k.index.lookup(query, None);
        if let Outcome::Match(hit) = anywhere.outcome {
            let kind = k.facts.entries[hit.entry].kind;
            if kind != asked && hit.score - best_here >= MARGIN {
                return found_elsewhere(k, hit, asked);
            }
        }
    }
    if let Some(hit) = describe(&k.facts, query, scope)
        .filter(|h| best_here < ACCEPT || r.suggestions.first().map(|s| s.entry) == Some(h.entry))
    {
        let e = &k.facts.entries[hit.entry];
        let mut reply = matched_reply(k, hit);
        let line = match scope {
            Some(asked) if asked != e.kind => format!(
                "Found by its description, among the {}, not the {}.",
                kind_noun(e.kind),
                kind_noun(asked)
            ),
            _ => "Found by its description.".to_string(),
        };
        lead_with(&mut reply, &line);
        return reply;
    }
    if let Some(reply) = historical(k, query) {
        return reply;
    }
    answer(k, query, scope, &r)
}

/// What a kind's entries are called in a "found among" line.
fn kind_noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Term => "glossary terms",
        Kind::Summit => "summits",
        k => k.plural(),
    }
}

/// An entry's full reply, marked as the match.
fn matched_reply(k: &Knowledge, hit: Hit) -> Reply {
    let e = &k.facts.entries[hit.entry];
    let mut reply = super::entry_reply(&k.facts, e);
    reply.matched = Some(EntryRef {
        kind: e.kind,
        id: e.id.clone(),
        title: e.name.clone(),
        score: (f64::from(hit.score) * 1000.0).round() / 1000.0,
    });
    reply
}

/// Puts one line before the body: how the entry was found.
fn lead_with(reply: &mut Reply, line: &str) {
    reply.body = if reply.body.is_empty() {
        line.to_string()
    } else {
        format!("{line}\n\n{}", reply.body)
    };
}

fn suggest(facts: &FactBase, hits: impl IntoIterator<Item = usize>) -> Vec<EntryRef> {
    hits.into_iter()
        .take(5)
        .map(|i| {
            let e = &facts.entries[i];
            EntryRef {
                kind: e.kind,
                id: e.id.clone(),
                title: e.name.clone(),
                score: 1.0,
            }
        })
        .collect()
}

/// The query matched clearly in another kind than the one asked for.
fn found_elsewhere(k: &Knowledge, hit: Hit, asked: Kind) -> Reply {
    let e = &k.facts.entries[hit.entry];
    let mut reply = matched_reply(k, hit);
    lead_with(
        &mut reply,
        &format!(
            "Not a {}: found among the {}.",
            a_kind(Some(asked)),
            kind_noun(e.kind)
        ),
    );
    reply
}

/// The words of a text, folded as the index folds them; `None` if it holds a number.
fn words_only(text: &str) -> Option<Vec<String>> {
    normalize::tokens(text)
        .into_iter()
        .map(|t| match t {
            Token::Word(w) => Some(w),
            Token::Number(_) => None,
        })
        .collect()
}

/// The words of a text, folded as the index folds them, numbers left out.
fn words_of(text: &str) -> Vec<String> {
    normalize::tokens(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            Token::Number(_) => None,
        })
        .collect()
}

/// Whether two folded names are the same, allowing one typo in a name of six letters or more.
fn same_name(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return Some(0);
    }
    let budget = usize::from(a.len().min(b.len()) >= 6);
    osa_within(a.as_bytes(), b.as_bytes(), budget)
}

/// The place an entry sits or happened in: a body's seat, a summit's city, where a document
/// was signed.
fn place_of(e: &Entry) -> Option<&str> {
    match &e.details {
        Details::Body(b) => b.seat.as_deref(),
        Details::Summit(s) => Some(&s.city),
        Details::Document(d) => Some(&d.place),
        _ => None,
    }
}

/// When an entry happened, for ordering the entries of a place.
fn date_of(e: &Entry) -> Option<Date> {
    match &e.details {
        Details::Summit(s) => Some(s.start),
        Details::Document(d) => Some(d.signed),
        Details::Body(b) => b.founded,
        _ => None,
    }
}

/// `/fact tashkent`, `/body beijing`: a query that is a place name answers with the body that
/// sits there (a Charter body before others), and lists the other entries of that place.
fn place(k: &Knowledge, query: &str, scope: Option<Kind>) -> Option<Reply> {
    if !matches!(scope, None | Some(Kind::Body)) {
        return None;
    }
    let q = words_only(query)?.join(" ");
    if q.is_empty() {
        return None;
    }
    let facts = &k.facts;
    // The closest place name: exact, or one typo; two at the same distance are not a place.
    let mut best: Option<(usize, String, &str)> = None;
    let mut tie = false;
    for e in &facts.entries {
        let Some(p) = place_of(e) else { continue };
        let folded = words_of(p).join(" ");
        if best.as_ref().is_some_and(|(_, f, _)| *f == folded) {
            continue;
        }
        if let Some(d) = same_name(&q, &folded) {
            match &best {
                Some((bd, ..)) if *bd < d => {}
                Some((bd, ..)) if *bd == d => tie = true,
                _ => {
                    best = Some((d, folded, p));
                    tie = false;
                }
            }
        }
    }
    let (_, folded, city) = best.filter(|_| !tie)?;
    let mut here: Vec<usize> = (0..facts.entries.len())
        .filter(|&i| place_of(&facts.entries[i]).is_some_and(|p| words_of(p).join(" ") == folded))
        .collect();
    let bodies: Vec<usize> = here
        .iter()
        .copied()
        .filter(|&i| facts.entries[i].kind == Kind::Body)
        .collect();
    let charter: Vec<usize> = bodies
        .iter()
        .copied()
        .filter(|&i| matches!(&facts.entries[i].details, Details::Body(b) if b.in_charter))
        .collect();
    let head = match (charter.as_slice(), bodies.as_slice()) {
        ([one], _) | ([], [one]) => *one,
        _ => return None,
    };
    here.retain(|&i| i != head);
    if scope == Some(Kind::Body) {
        here.retain(|&i| facts.entries[i].kind == Kind::Body);
    }
    // Bodies first, then what happened there in date order.
    here.sort_by_key(|&i| {
        let e = &facts.entries[i];
        (e.kind != Kind::Body, date_of(e))
    });
    let e = &facts.entries[head];
    let mut reply = matched_reply(
        k,
        Hit {
            entry: head,
            score: 1.0,
        },
    );
    lead_with(
        &mut reply,
        &format!("{city} is the seat of the {}.", e.name),
    );
    if !here.is_empty() {
        let rows: Vec<String> = here
            .iter()
            .map(|&i| {
                let o = &facts.entries[i];
                format!("• {} ({})", o.name, a_kind(Some(o.kind)))
            })
            .collect();
        reply.field(&format!("Also in {city}"), rows.join("\n"), false);
    }
    reply.suggestions = suggest(facts, here);
    Some(reply)
}

/// `/person current`, `/person first`, `/person secretary general`, `/person executive
/// secretary`: role words, an ordinal, "now" or a year pick the holder of the post.
fn role(k: &Knowledge, query: &str) -> Option<Reply> {
    let facts = &k.facts;
    let p = parse(query);
    let mut people: Vec<(&Entry, &crate::facts::Person, usize)> = facts
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.details {
            Details::Person(p) => Some((e, p, i)),
            _ => None,
        })
        .collect();
    people.sort_by_key(|(_, p, _)| p.order);
    // Words the grammar left must all be words of one role's title ("executive").
    let rest: Vec<&String> = p.segments.iter().flatten().collect();
    if !rest.is_empty() {
        people.retain(|(_, person, _)| {
            let title = normalize::fold(person.role.label());
            rest.iter()
                .all(|w| title.split_ascii_whitespace().any(|t| t == w.as_str()))
        });
        if people.is_empty() {
            return None;
        }
    }
    let asked = !rest.is_empty()
        || p.ordinal.is_some()
        || p.year().is_some()
        || p.any(&[Cue::Now, Cue::First, Cue::Last, Cue::SecGen]);
    if !asked {
        return None;
    }
    let as_of = facts.meta.as_of;
    let in_office =
        |person: &crate::facts::Person, y: i32| match (person.took_office, person.left_office) {
            (Some(a), Some(b)) => a.year <= y && y <= b.year,
            (Some(a), None) => a.year <= y && y <= person.to_year,
            _ => person.from_year <= y && y <= person.to_year,
        };
    let (pick, line) = if let Some(y) = p.year() {
        let pick = people.iter().find(|(_, person, _)| in_office(person, y))?;
        (pick, format!("Found by role: in office in {y}."))
    } else if let Some(n) = p.ordinal {
        let pick = people.get(usize::try_from(n).ok()?.checked_sub(1)?)?;
        (
            pick,
            format!("Found by role: the {} in order of office.", ordinal(n)),
        )
    } else if p.has(Cue::Last) {
        let pick = people
            .iter()
            .rev()
            .find(|(_, person, _)| person.from_year <= as_of.year)?;
        (pick, "Found by role: the latest in office.".to_string())
    } else if let Some(pick) = people
        .iter()
        .find(|(_, person, _)| in_office(person, as_of.year))
    {
        (pick, format!("Found by role: in office as of {as_of}."))
    } else if let [only] = people.as_slice() {
        (
            only,
            format!("Found by role: the only {}.", only.1.role.label()),
        )
    } else {
        return None;
    };
    let mut reply = matched_reply(
        k,
        Hit {
            entry: pick.2,
            score: 1.0,
        },
    );
    lead_with(&mut reply, &line);
    reply.suggestions = suggest(facts, people.iter().filter(|o| o.2 != pick.2).map(|o| o.2));
    Some(reply)
}

/// Nouns that name a kind in a description ("the anti-terror body").
const KIND_NOUNS: &[(&str, Kind)] = &[
    ("body", Kind::Body),
    ("bodies", Kind::Body),
    ("organ", Kind::Body),
    ("institution", Kind::Body),
    ("structure", Kind::Body),
    ("document", Kind::Document),
    ("text", Kind::Document),
    ("person", Kind::Person),
    ("country", Kind::Country),
    ("state", Kind::Country),
    ("principle", Kind::Principle),
    ("term", Kind::Term),
];

/// Whether a query word names a word of an entry: the same word, one typo in a long word, or
/// the same stem ("terror" / "terrorist", "founding" / "founded").
fn word_fits(q: &str, w: &str) -> bool {
    if q == w {
        return true;
    }
    let shared = q.bytes().zip(w.bytes()).take_while(|(a, b)| a == b).count();
    if shared >= 5 || (shared >= 4 && shared == q.len().min(w.len())) {
        return true;
    }
    q.len() >= 6 && w.len() >= 6 && osa_within(q.as_bytes(), w.as_bytes(), 1).is_some()
}

/// The words that name an entry: its names and the labels of its typed fields.
fn title_words(e: &Entry) -> Vec<String> {
    let mut text: Vec<&str> = e.names().collect();
    text.push(e.kind.key());
    match &e.details {
        Details::Document(d) => text.push(d.doc_type.label()),
        Details::Body(b) => text.extend(b.category.map(|c| c.label())),
        Details::Principle(g) => text.push(g.label()),
        Details::Person(p) => text.push(p.role.label()),
        Details::Summit(s) => text.push(s.series.label()),
        _ => {}
    }
    text.iter().flat_map(|t| words_of(t)).collect()
}

/// `/document founding declaration`, `/fact the anti-terror body`: every word of the query is
/// a word of the entry's names, field labels or summary, at least one of its names or labels,
/// and one entry names more of the words in its names than any other does.
fn describe(facts: &FactBase, query: &str, scope: Option<Kind>) -> Option<Hit> {
    let mut words = words_only(query)?;
    let mut kind = scope;
    let before = words.len();
    words.retain(|w| match KIND_NOUNS.iter().find(|(n, _)| n == w) {
        Some(&(_, k)) if kind.is_none_or(|s| s == k) => {
            kind = Some(k);
            false
        }
        _ => true,
    });
    let named_kind = words.len() < before;
    if words.is_empty() || (words.len() < 2 && !named_kind) {
        return None;
    }
    // In English the last word of a description is its head ("founding declaration" is a
    // declaration): among entries naming as many words, one naming the head wins.
    let head = words.last().cloned().unwrap_or_default();
    let mut ranked: Vec<((usize, bool), usize)> = Vec::new();
    for (i, e) in facts.entries.iter().enumerate() {
        if kind.is_some_and(|k| e.kind != k) || e.kind == Kind::Claim {
            continue;
        }
        let titles = title_words(e);
        let summary = words_of(&e.summary);
        let mut named = 0;
        let all = words.iter().all(|q| {
            if titles.iter().any(|w| word_fits(q, w)) {
                named += 1;
                true
            } else {
                summary.iter().any(|w| word_fits(q, w))
            }
        });
        if all && named > 0 {
            let headed = titles.iter().any(|w| word_fits(&head, w));
            ranked.push(((named, headed), i));
        }
    }
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    match ranked.as_slice() {
        [(_, i)] => Some(Hit {
            entry: *i,
            score: ACCEPT,
        }),
        [(a, i), (b, _), ..] if a > b => Some(Hit {
            entry: *i,
            score: ACCEPT,
        }),
        _ => None,
    }
}

/// `/member persia`: a historical name that the fact sheet rejects as an alias answers with
/// the entry it names and a line saying so, never "nothing close".
fn historical(k: &Knowledge, query: &str) -> Option<Reply> {
    let q = normalize::compact(query);
    if q.is_empty() {
        return None;
    }
    let facts = &k.facts;
    let mut found = facts.entries.iter().enumerate().flat_map(|(i, e)| {
        e.historical_names
            .iter()
            .filter(|n| same_name(&q, &normalize::compact(n)).is_some())
            .map(move |n| (i, n))
    });
    let (i, name) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let e = &facts.entries[i];
    let mut reply = matched_reply(
        k,
        Hit {
            entry: i,
            score: 1.0,
        },
    );
    lead_with(
        &mut reply,
        &format!(
            "“{name}” is a historical name of {}, not an official one.",
            e.name
        ),
    );
    Some(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(k: &Knowledge, query: &str, scope: Option<Kind>) -> Reply {
        resolve(k, query, scope)
    }

    fn id(r: &Reply) -> Option<&str> {
        r.matched.as_ref().map(|m| m.id.as_str())
    }

    fn knowledge() -> Knowledge {
        Knowledge::new(FactBase::bundled().expect("the built-in facts load"))
    }

    #[test]
    fn a_name_filed_under_another_kind_is_answered_with_where_it_was_found() {
        let k = knowledge();
        for q in ["shanghai spirit", "shangai spirit"] {
            let r = ask(&k, q, Some(Kind::Principle));
            assert_eq!(id(&r), Some("shanghai-spirit"), "{q}");
            assert!(
                r.body
                    .starts_with("Not a principle: found among the glossary terms."),
                "{q}: {}",
                r.body
            );
        }
        // A tie inside the kind asked for is not a failure: no crossing.
        assert_eq!(id(&ask(&k, "bishkek", Some(Kind::Summit))), None);
    }

    #[test]
    fn a_place_answers_the_body_seated_there_then_lists_what_happened_there() {
        let k = knowledge();
        let r = ask(&k, "tashkent", None);
        assert_eq!(id(&r), Some("rats"), "the Charter body before the centre");
        assert!(r.body.starts_with("Tashkent is the seat of"), "{}", r.body);
        let also: Vec<&str> = r.suggestions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(also.first(), Some(&"universal-center-security-threats"));
        assert!(
            also.iter().filter(|s| s.starts_with("summit-")).count() >= 3,
            "{also:?}"
        );
        let r = ask(&k, "beijing", None);
        assert_eq!(
            id(&r),
            Some("secretariat"),
            "the Secretariat, not the 2012 summit"
        );
        assert_eq!(
            r.suggestions.first().map(|s| s.kind),
            Some(Kind::Summit),
            "then the Beijing summits"
        );
        // Where no body sits, a place stays a choice between what happened there.
        assert_eq!(id(&ask(&k, "astana", None)), None);
        assert_eq!(id(&ask(&k, "tashkent", Some(Kind::Summit))), None);
    }

    #[test]
    fn role_words_find_the_holder_of_the_post() {
        let k = knowledge();
        let person = Some(Kind::Person);
        for (q, want) in [
            ("current", "nurlan-yermekbayev"),
            ("secretary general", "nurlan-yermekbayev"),
            ("the current secretary-general", "nurlan-yermekbayev"),
            ("first", "zhang-deguang"),
            ("executive secretary", "zhang-deguang"),
            ("latest", "nurlan-yermekbayev"),
        ] {
            let r = ask(&k, q, person);
            assert_eq!(id(&r), Some(want), "{q}");
            assert!(r.body.starts_with("Found by role"), "{q}: {}", r.body);
        }
        // An ordinal alone is a number the index already knows (a person's order).
        assert_eq!(id(&ask(&k, "5th", person)), Some("rashid-alimov"));
        for q in ["zhang", "president", "ninth"] {
            assert_eq!(id(&ask(&k, q, person)), None, "{q}");
        }
    }

    #[test]
    fn descriptions_reach_documents_and_bodies() {
        let k = knowledge();
        for (q, scope, want) in [
            (
                "founding declaration",
                Some(Kind::Document),
                "declaration-establishment-sco",
            ),
            (
                "founding declaration",
                None,
                "declaration-establishment-sco",
            ),
            ("the anti-terror body", None, "rats"),
            ("the anti-terror body", Some(Kind::Body), "rats"),
        ] {
            let r = ask(&k, q, scope);
            assert_eq!(id(&r), Some(want), "{q} in {scope:?}");
            assert!(r.body.starts_with("Found by its description"), "{q}");
        }
        let r = ask(&k, "the convention on terrorism", Some(Kind::Document));
        assert!(
            r.matched
                .as_ref()
                .is_some_and(|m| m.title.contains("Convention")),
            "{:?}",
            r.matched
        );
        for q in ["founding pizza", "pizza body", "development strategy"] {
            assert_eq!(id(&ask(&k, q, None)), None, "{q}");
        }
    }

    #[test]
    fn a_historical_name_the_sheet_rejects_gets_a_line_not_nothing_close() {
        let k = knowledge();
        for q in ["persia", "Persia", "persai"] {
            let r = ask(&k, q, Some(Kind::Country));
            assert_eq!(id(&r), Some("iran"), "{q}");
            assert!(
                r.body
                    .starts_with("“Persia” is a historical name of Iran, not an official one."),
                "{}",
                r.body
            );
            assert!(r.body.contains("member state of the SCO since 4 July 2023"));
        }
        let iran = &k.index.lookup("persia", Some(Kind::Country));
        assert_eq!(iran.matched(), None, "never a name the index matches");
    }

    #[test]
    fn the_crossings_are_never_confidently_wrong() {
        let k = knowledge();
        for (q, scope) in [
            ("france", Some(Kind::Country)),
            ("zzqqxx", None),
            ("pizza", Some(Kind::Principle)),
            ("spaghetti", None),
            ("paris", Some(Kind::Summit)),
        ] {
            assert_eq!(id(&ask(&k, q, scope)), None, "{q}");
        }
    }
}

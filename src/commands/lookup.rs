//! The fact commands: lookups of one kind or all, members, timeline, about and help.

use std::fmt::Write as _;

use super::Ctx;
use super::bind::Args;
use super::table::{COMMANDS, closest, find, usage};
use crate::Knowledge;
use crate::facts::{Date, Details, Entry, FactBase, Kind, Status, ordinal, span};
use crate::reply::{EntryRef, Reply, capitalise, echo};
use crate::search::{Hit, Outcome, Resolution};

fn entry_ref(facts: &FactBase, hit: Hit) -> EntryRef {
    let e = &facts.entries[hit.entry];
    EntryRef {
        kind: e.kind,
        id: e.id.clone(),
        title: e.name.clone(),
        score: (f64::from(hit.score) * 1000.0).round() / 1000.0,
    }
}

/// The reference to a matched entry, as replies carry it (`matched`, `suggestions`).
pub(super) fn entry_ref_of(facts: &FactBase, hit: Hit) -> EntryRef {
    entry_ref(facts, hit)
}

/// "a country", "a principle", ... for messages.
pub(super) fn a_kind(kind: Option<Kind>) -> &'static str {
    match kind {
        Some(Kind::Country) => "country",
        Some(Kind::Principle) => "principle",
        Some(Kind::Body) => "body",
        Some(Kind::Summit) => "summit or meeting",
        Some(Kind::Document) => "document",
        Some(Kind::Term) => "term",
        Some(Kind::Person) => "person",
        Some(Kind::Claim) => "claim",
        None => "entry",
    }
}

/// Turns a resolution into a reply: the entry, "not part of the SCO", or suggestions.
pub fn answer(k: &Knowledge, query: &str, scope: Option<Kind>, r: &Resolution) -> Reply {
    let facts = &k.facts;
    let suggestions: Vec<EntryRef> = r.suggestions.iter().map(|&h| entry_ref(facts, h)).collect();
    match &r.outcome {
        Outcome::Match(hit) => {
            let mut reply = entry_reply(facts, &facts.entries[hit.entry]);
            reply.matched = Some(entry_ref(facts, *hit));
            reply.suggestions = suggestions;
            reply
        }
        Outcome::NotInSco { name, .. } => {
            let mut reply = Reply::new(
                format!("{name} is not part of the SCO"),
                format!(
                    "{name} is not a member or partner of the Shanghai Cooperation Organisation. \
                     /members lists the {}.",
                    membership_counts(facts)
                ),
            );
            reply.kind = Some(Kind::Country);
            reply.suggestions = suggestions;
            reply.as_of = Some(facts.meta.as_of);
            reply
        }
        Outcome::NoMatch => {
            let shown = echo(query);
            let mut reply = Reply::new(
                format!("No {} matches “{shown}”", a_kind(scope)),
                if suggestions.is_empty() {
                    format!(
                        "I found nothing close to “{shown}”. Check the spelling, or try /fact to search everything and /help for examples."
                    )
                } else {
                    "I am not sure which one you mean. Did you mean one of these?".to_string()
                },
            );
            reply.suggestions = suggestions;
            reply.ephemeral = true;
            reply.kind = scope;
            reply
        }
    }
}

pub(crate) fn member(c: &Ctx<'_>, args: &Args) -> Reply {
    super::cross::lookup_command(c.knowledge, args, Some(Kind::Country))
}

/// The summit name for a summit id, with its date, for history lines.
fn summit_label(facts: &FactBase, id: &str) -> String {
    facts.name_of(Kind::Summit, id)
}

/// The full reply for one entry.
pub fn entry_reply(facts: &FactBase, e: &Entry) -> Reply {
    let mut reply = Reply::new(e.name.clone(), e.summary.clone());
    reply.title_ru = e.name_ru.clone();
    reply.title_zh = e.name_zh.clone();
    reply.kind = Some(e.kind);
    match &e.details {
        Details::Country(c) => {
            let status = c.status();
            let lead = match (status, c.status_since()) {
                (Status::Member, _) => {
                    let since = c.accession().map(|s| {
                        let at = s
                            .summit
                            .as_deref()
                            .map(|id| format!(" ({})", summit_label(facts, id)))
                            .unwrap_or_default();
                        format!(" since {}{at}", s.date)
                    });
                    format!(
                        "{} is a member state of the SCO{}.",
                        e.name,
                        since.unwrap_or_default()
                    )
                }
                (Status::Guest, _) => format!(
                    "{} is not a member or partner of the SCO; it attends summits as a guest of the host.",
                    e.name
                ),
                (s, since) => {
                    let since = since
                        .map(|st| format!(" since {}", st.date))
                        .unwrap_or_default();
                    let earlier: Vec<String> = c
                        .history
                        .iter()
                        .filter_map(|st| st.status.filter(|&x| x != s).map(|x| (x, st.date)))
                        .map(|(x, d)| format!("{} from {d}", x.with_article()))
                        .collect();
                    let before = if earlier.is_empty() {
                        String::new()
                    } else {
                        format!(" Before that it was {}.", earlier.join(", then "))
                    };
                    format!(
                        "{} is not a member of the SCO: it is {}{since}.{before}",
                        e.name,
                        s.with_article()
                    )
                }
            };
            reply.body = format!("{lead}\n\n{}", e.summary);
            reply.field("Status", status.label(), true);
            if let Some(acc) = c.accession() {
                reply.field("Member since", acc.date.to_string(), true);
            }
            if let Some(cap) = &c.capital {
                reply.field("Capital", cap.clone(), true);
            }
            if let Some(off) = &c.official_name {
                reply.field("Official name", off.clone(), true);
            }
            reply.field(
                "Russian",
                short_and_official(e.name_ru.as_deref(), c.official_name_ru.as_deref()),
                true,
            );
            reply.field(
                "Chinese",
                short_and_official(e.name_zh.as_deref(), c.official_name_zh.as_deref()),
                true,
            );
            let mut history = String::new();
            for st in &c.history {
                let _ = write!(history, "{} — {}", st.date.iso(), st.event);
                if let Some(s) = &st.summit {
                    let _ = write!(history, " · {}", summit_label(facts, s));
                }
                history.push('\n');
            }
            reply.field("History", history.trim_end(), false);
        }
        Details::Principle(group) => {
            reply.field("Group", group.label(), true);
        }
        Details::Body(b) => {
            if let Some(category) = b.category {
                reply.field("Category", category.label(), true);
            }
            if let Some(seat) = &b.seat {
                reply.field("Seat", seat.clone(), true);
            }
            if let Some(f) = b.founded {
                reply.field("Founded", f.to_string(), true);
            }
            if b.in_charter {
                reply.field("In the Charter", "yes, Article 4", true);
            }
        }
        Details::Summit(s) => {
            reply.field("Date", span(s.start, s.end), true);
            let country = facts.name_of(Kind::Country, &s.country);
            reply.field("Place", format!("{}, {country}", s.city), true);
            reply.field(
                "Meeting",
                format!("{} {}", ordinal(s.number), s.series.label()),
                true,
            );
            reply.field(
                "Format",
                s.format.map_or("not stated by the sources", |f| f.label()),
                true,
            );
            let outcomes: Vec<String> = s.outcomes.iter().map(|o| format!("• {o}")).collect();
            reply.field("Outcomes", outcomes.join("\n"), false);
        }
        Details::Document(d) => {
            reply.field("Type", d.doc_type.label(), true);
            reply.field("Signed", format!("{}, {}", d.signed, d.place), true);
            if let Some(f) = d.in_force {
                reply.field("In force", f.to_string(), true);
            }
            if let Some(s) = &d.summit {
                reply.field("Summit", summit_label(facts, s), true);
            }
        }
        Details::Term { part_of } => {
            if let Some(p) = part_of {
                reply.field("Part of", facts.name_of(Kind::Term, p), true);
            }
            let parts: Vec<&str> = facts
                .of_kind(Kind::Term)
                .filter(|t| matches!(&t.details, Details::Term { part_of: Some(p) } if *p == e.id))
                .map(|t| t.name.as_str())
                .collect();
            reply.field("Parts", parts.join(", "), true);
        }
        Details::Person(p) => {
            reply.field(
                "Role",
                format!("{} {}", ordinal(p.order), p.role.label()),
                true,
            );
            reply.field("Country", facts.name_of(Kind::Country, &p.country), true);
            let term = match (p.took_office, p.left_office) {
                (Some(a), Some(b)) => format!("{a} – {b}"),
                (Some(a), None) => format!("from {a} (term to {})", p.to_year),
                _ => format!("{}–{}", p.from_year, p.to_year),
            };
            reply.field("Term", term, true);
            if let Some(a) = p.appointed {
                let at = p
                    .appointed_at
                    .as_deref()
                    .map(|s| format!(" ({})", summit_label(facts, s)))
                    .unwrap_or_default();
                reply.field("Appointed", format!("{a}{at}"), true);
            }
        }
        Details::Claim(c) => {
            reply.field("The seed article says", format!("“{}”", c.claim), false);
            reply.field("Verdict", c.verdict.label(), true);
            if let Some(fix) = &c.correction {
                reply.field("Correction", fix.clone(), false);
            }
        }
    }
    if !e.aliases.is_empty() {
        let shown: Vec<&str> = e.aliases.iter().take(8).map(String::as_str).collect();
        reply.field("Also known as", shown.join(", "), false);
    }
    if let Some(c) = &e.caveat {
        reply.field("Uncertain", c.clone(), false);
    }
    if e.confidence != crate::facts::Confidence::High {
        reply.field("Confidence", e.confidence.label(), true);
    }
    reply.cite(facts, e.sources.iter().map(String::as_str));
    reply
}

pub(super) fn members(c: &Ctx<'_>, _args: &Args) -> Reply {
    let facts = &c.knowledge.facts;
    let countries: Vec<&Entry> = facts.of_kind(Kind::Country).collect();
    let mut reply = Reply::new("SCO member states and partners", String::new());
    reply.kind = Some(Kind::Country);
    let groups: [(&str, &[Status]); 3] = [
        ("Member states", &[Status::Member]),
        (
            "Partners (formerly observers and dialogue partners)",
            &[Status::Partner, Status::Observer, Status::DialoguePartner],
        ),
        ("Guests (not members or partners)", &[Status::Guest]),
    ];
    for (heading, statuses) in groups {
        let list: Vec<&&Entry> = countries
            .iter()
            .filter(|e| matches!(&e.details, Details::Country(c) if statuses.contains(&c.status())))
            .collect();
        if list.is_empty() {
            continue;
        }
        reply.items.push(format!("{heading} ({}):", list.len()));
        for e in list {
            if let Details::Country(c) = &e.details {
                let note = match c.status() {
                    Status::Member => c
                        .accession()
                        .map(|s| format!("member since {}", s.date))
                        .unwrap_or_default(),
                    Status::Guest => "attends summits as a guest".to_string(),
                    _ => {
                        let steps: Vec<String> = c
                            .history
                            .iter()
                            .filter_map(|s| {
                                s.status.map(|st| format!("{} from {}", st.label(), s.date))
                            })
                            .collect();
                        steps.join("; ")
                    }
                };
                reply.items.push(format!("  • {} — {note}", e.name));
            }
            reply.cite(facts, e.sources.iter().map(String::as_str));
        }
    }
    reply.body = format!("As of {}: {}.", facts.meta.as_of, membership_counts(facts));
    reply
}

/// "10 member states, 17 partners and 1 guest", counted from the fact base.
fn membership_counts(facts: &FactBase) -> String {
    let mut counts: Vec<(Status, usize)> = Vec::new();
    for e in facts.of_kind(Kind::Country) {
        if let Details::Country(c) = &e.details {
            let s = match c.status() {
                Status::Observer | Status::DialoguePartner => Status::Partner,
                s => s,
            };
            match counts.iter_mut().find(|(x, _)| *x == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((s, 1)),
            }
        }
    }
    counts.sort();
    let parts: Vec<String> = counts
        .iter()
        .map(|(s, n)| {
            let noun = match s {
                Status::Member => "member state",
                Status::Guest => "guest",
                Status::ShanghaiFive => "Shanghai Five member",
                _ => "partner",
            };
            format!("{n} {noun}{}", if *n == 1 { "" } else { "s" })
        })
        .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

pub(crate) fn timeline(c: &Ctx<'_>, args: &Args) -> Reply {
    let facts = &c.knowledge.facts;
    let from = args.integer("from").unwrap_or(i64::MIN);
    let to = args.integer("to").unwrap_or(i64::MAX);
    let mut events: Vec<(Date, String, &Entry)> = Vec::new();
    for e in &facts.entries {
        match &e.details {
            Details::Summit(s) => events.push((
                s.start,
                format!("{} ({} {})", e.name, ordinal(s.number), s.series.label()),
                e,
            )),
            Details::Country(c) => {
                for st in c.history.iter().filter(|st| st.status.is_some()) {
                    let status = st.status.map(|s| s.label()).unwrap_or_default();
                    events.push((st.date, format!("{}: {status}", e.name), e));
                }
            }
            _ => {}
        }
    }
    events.retain(|(d, _, _)| (from..=to).contains(&i64::from(d.year)));
    events.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let range = match (args.integer("from"), args.integer("to")) {
        (Some(a), Some(b)) => format!(" {a}–{b}"),
        (Some(a), None) => format!(" from {a}"),
        (None, Some(b)) => format!(" to {b}"),
        (None, None) => String::new(),
    };
    let mut reply = Reply::new(
        format!("SCO timeline{range}"),
        format!(
            "{} events: summits and Shanghai Five meetings, and every change of a country's status.",
            events.len()
        ),
    );
    if events.is_empty() {
        reply.body = "No events in that range. The timeline starts in 1996.".into();
        reply.ephemeral = true;
    }
    for (d, text, e) in &events {
        reply.items.push(format!("{} — {text}", d.iso()));
        reply.cite(facts, e.sources.iter().map(String::as_str));
    }
    reply.as_of = Some(facts.meta.as_of);
    reply
}

pub(super) fn about(c: &Ctx<'_>, _args: &Args) -> Reply {
    let facts = &c.knowledge.facts;
    let m = &facts.meta;
    let mut reply = Reply::new(
        m.title.clone(),
        format!(
            "sco-bot answers questions about the Shanghai Cooperation Organisation from a curated, sourced fact base. Version {}, facts as of {}.",
            m.version, m.as_of
        ),
    );
    for (kind, n) in facts.counts() {
        reply.field(&capitalise(kind.plural()), n.to_string(), true);
    }
    reply.field("Sources", facts.sources.len().to_string(), true);
    reply.field("How to cite", m.cite.clone(), false);
    reply.as_of = Some(m.as_of);
    reply
}

pub(super) fn help(_c: &Ctx<'_>, args: &Args) -> Reply {
    if let Some(name) = args.text("command") {
        let Some(spec) = find(name.trim()).or_else(|| closest(name.trim())) else {
            let mut reply = Reply::new(
                format!("No command “{}”", echo(name)),
                "Type /help to see every command.",
            );
            reply.ephemeral = true;
            return reply;
        };
        let mut reply = Reply::new(usage(spec), spec.description);
        for sub in spec.subcommands {
            let mut line = format!("/{} {}", spec.name, sub.name);
            for o in sub.options {
                let _ = write!(line, " [{}]", o.name);
            }
            let opts: Vec<String> = sub
                .options
                .iter()
                .map(|o| format!("{}: {}", o.name, o.description))
                .collect();
            let mut value = sub.description.to_string();
            if !opts.is_empty() {
                value = format!("{value}\n{}", opts.join("\n"));
            }
            reply.field(&line, value, false);
        }
        for o in spec.options {
            let req = if o.required { "required" } else { "optional" };
            reply.field(o.name, format!("{} ({req})", o.description), false);
        }
        reply.field("Example", spec.example, false);
        return reply;
    }
    let mut reply = Reply::new(
        "sco-bot — the SCO fact-and-quiz bot",
        "Ask about the Shanghai Cooperation Organisation. Names are forgiving: typos, accents, Russian and Chinese names, abbreviations. Every answer cites its sources and the date its facts were checked.",
    );
    let width = COMMANDS.iter().map(|s| usage(s).chars().count()).max();
    for spec in COMMANDS {
        let w = width.unwrap_or(0);
        reply
            .items
            .push(format!("{:<w$}  {}", usage(spec), spec.description));
    }
    reply.items.push(String::new());
    reply.items.push(
        "Examples: /member kazakstan · /summit 2017 · /principle non-alignment · /term 3 evils"
            .into(),
    );
    reply
}

/// "Китай / Китайская Народная Республика"; a short name equal to the official one
/// (Кыргызская Республика) is shown once.
fn short_and_official(short: Option<&str>, official: Option<&str>) -> String {
    let mut names: Vec<&str> = short.into_iter().collect();
    names.extend(official.filter(|o| short != Some(*o)));
    names.join(" / ")
}

//! Issue 14's audit: every kind of message the bot sends, rendered for Discord from a fact base
//! stuffed with over-long entries, checked against Discord's limits (embed title 256,
//! description 4096, 25 fields of 256/1024, footer 2048, 6000 in all, 10 embeds, content 2000,
//! custom_id 100, button label 80, 5 rows of 5, 25 choices of 100, modal title and input label
//! 45), against Discord's OpenAPI spec (the fake Discord's validator), for `allowed_mentions`
//! empty on every message, and for user-typed text echoed escaped (no raw `@`).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::fake_discord::spec::{Verdict, spec};
use crate::support::scratch;
use sco_bot::app::App;
use sco_bot::commands::{COMMANDS, Given};
use sco_bot::discord::render;
use sco_bot::interaction::{self, Request, RequestKind, Response};
use sco_bot::reply::Reply;
use sco_bot::store::SqliteStore;
use sco_bot::{Knowledge, Origin};

/// `n` characters of filler that names `tag`, with markdown and a would-be ping inside.
fn filler(tag: &str, n: usize) -> String {
    let unit = format!(" {tag} *long* _entry_ @everyone text;");
    unit.repeat(n / unit.chars().count() + 1)
        .chars()
        .take(n)
        .collect()
}

/// The shipped facts with every free text stretched far past what Discord shows: summaries of
/// 9,000 characters, names of 300, 30 extra aliases, 40 extra outcomes, long sources, events,
/// caveats and citation. Ids, dates, codes and statuses are left alone so that it still loads.
pub fn stuffed_facts() -> String {
    let text = std::fs::read_to_string(crate::support::real_facts()).expect("facts.toml");
    let mut kind = String::new();
    let mut n = 0;
    let mut out = String::new();
    let event = regex_lite_event();
    for line in text.lines() {
        n += 1;
        if let Some(k) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            kind = k.to_string();
        } else if line == "[meta]" {
            kind = "meta".into();
        }
        let tag = format!("{kind}{n}");
        let stretched = match line.split_once(" = \"") {
            Some((key, rest)) if rest.ends_with('"') && !rest[..rest.len() - 1].contains('"') => {
                let value = &rest[..rest.len() - 1];
                let long = match (kind.as_str(), key) {
                    (_, "summary") => Some(9000),
                    (_, "caveat") => Some(3000),
                    ("meta", "cite" | "title") => Some(2500),
                    ("source", "title" | "publisher") => Some(400),
                    ("country", "official_name" | "capital") => Some(400),
                    ("summit", "city") => Some(300),
                    ("country" | "source" | "meta" | "question", _) => None,
                    (_, "name") => Some(300),
                    _ => None,
                };
                long.map(|len| format!("{key} = \"{value}{}\"", filler(&tag, len)))
            }
            _ => None,
        };
        let stretched = stretched.or_else(|| {
            let (key, rest) = line.split_once(" = [")?;
            if !matches!(key, "aliases" | "outcomes") || !rest.ends_with(']') {
                return None;
            }
            let (count, len) = if key == "aliases" {
                (30, 150)
            } else {
                (40, 600)
            };
            let extra: Vec<String> = (0..count)
                .map(|i| format!("\"{}\"", filler(&format!("{tag}x{i}"), len)))
                .collect();
            let inner = rest.trim_end_matches(']').trim();
            let all = if inner.is_empty() {
                extra.join(", ")
            } else {
                format!("{inner}, {}", extra.join(", "))
            };
            Some(format!("{key} = [{all}]"))
        });
        let line = stretched.unwrap_or_else(|| event(line, &tag));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Stretches every `event = "…"` inside an inline table of a history line.
fn regex_lite_event() -> impl Fn(&str, &str) -> String {
    |line: &str, tag: &str| {
        if line.contains("\\\"") {
            // An escaped quote inside: left as it is rather than parsed here.
            return line.to_string();
        }
        let mut out = String::new();
        let mut rest = line;
        while let Some(at) = rest.find("event = \"") {
            let start = at + "event = \"".len();
            let Some(end) = rest[start..].find('"') else {
                break;
            };
            out.push_str(&rest[..start + end]);
            out.push_str(&filler(tag, 700));
            rest = &rest[start + end..];
        }
        out.push_str(rest);
        out
    }
}

/// Counts characters as Discord does for its limits.
fn len(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

/// What breaks Discord's limits, its spec, or the escaping rules, in every payload checked.
#[derive(Default)]
struct Audit {
    problems: Vec<String>,
    checked: usize,
    /// How many callbacks of each type (4 message, 7 update, 8 choices, 9 modal) were checked.
    callbacks: std::collections::BTreeMap<u64, usize>,
}

impl Audit {
    fn fail(&mut self, what: &str, problem: String) {
        if self.problems.len() < 200 {
            self.problems.push(format!("{what}: {problem}"));
        }
    }

    fn at_most(&mut self, what: &str, field: &str, v: &Value, max: usize) {
        if len(v) > max {
            self.fail(
                what,
                format!("{field} has {} characters (max {max})", len(v)),
            );
        }
    }

    /// A request body to Discord: the spec, then the limits of what it carries.
    fn payload(&mut self, what: &str, method: &str, path: &str, body: &Value) {
        self.checked += 1;
        if let Verdict::Invalid { lines, .. } = spec().check(method, path, Some(body)) {
            self.fail(what, format!("against the spec: {lines:?}"));
        }
        if path.ends_with("/callback") {
            *self
                .callbacks
                .entry(body["type"].as_u64().unwrap_or(0))
                .or_default() += 1;
            let data = &body["data"];
            match body["type"].as_u64() {
                Some(4 | 7) => self.message(what, data, true),
                Some(8) => self.choices(what, data),
                Some(9) => self.modal(what, data),
                _ => {}
            }
        } else {
            self.message(what, body, method == "POST");
        }
    }

    fn message(&mut self, what: &str, m: &Value, created: bool) {
        self.at_most(what, "content", &m["content"], 2000);
        let has_content = m["content"].as_str().is_some_and(|c| !c.is_empty());
        if created || has_content {
            let mentions = &m["allowed_mentions"];
            let empty = mentions.is_object()
                && mentions["parse"].as_array().is_none_or(Vec::is_empty)
                && mentions["users"].as_array().is_none_or(Vec::is_empty)
                && mentions["roles"].as_array().is_none_or(Vec::is_empty)
                && mentions["replied_user"] != true;
            if !empty {
                self.fail(what, format!("allowed_mentions not empty: {mentions}"));
            }
        }
        self.unescaped(what, "content", &m["content"]);
        let embeds = m["embeds"].as_array().cloned().unwrap_or_default();
        if embeds.len() > 10 {
            self.fail(what, format!("{} embeds (max 10)", embeds.len()));
        }
        let mut total = 0;
        for e in &embeds {
            self.at_most(what, "embed title", &e["title"], 256);
            self.at_most(what, "embed description", &e["description"], 4096);
            self.at_most(what, "embed footer", &e["footer"]["text"], 2048);
            self.at_most(what, "embed author", &e["author"]["name"], 256);
            self.unescaped(what, "embed title", &e["title"]);
            self.unescaped(what, "embed description", &e["description"]);
            total += len(&e["title"])
                + len(&e["description"])
                + len(&e["footer"]["text"])
                + len(&e["author"]["name"]);
            let fields = e["fields"].as_array().cloned().unwrap_or_default();
            if fields.len() > 25 {
                self.fail(what, format!("{} fields (max 25)", fields.len()));
            }
            for f in &fields {
                self.at_most(what, "field name", &f["name"], 256);
                self.at_most(what, "field value", &f["value"], 1024);
                self.unescaped(what, "field value", &f["value"]);
                total += len(&f["name"]) + len(&f["value"]);
            }
        }
        if total > 6000 {
            self.fail(what, format!("embeds hold {total} characters (max 6000)"));
        }
        self.components(what, &m["components"]);
    }

    fn components(&mut self, what: &str, rows: &Value) {
        let rows = rows.as_array().cloned().unwrap_or_default();
        if rows.len() > 5 {
            self.fail(what, format!("{} rows (max 5)", rows.len()));
        }
        for row in &rows {
            let items = row["components"].as_array().cloned().unwrap_or_default();
            if items.len() > 5 {
                self.fail(what, format!("{} components in a row (max 5)", items.len()));
            }
            for c in &items {
                self.at_most(what, "custom_id", &c["custom_id"], 100);
                self.at_most(what, "button label", &c["label"], 80);
                self.at_most(what, "placeholder", &c["placeholder"], 150);
                let options = c["options"].as_array().cloned().unwrap_or_default();
                if options.len() > 25 {
                    self.fail(what, format!("{} select options (max 25)", options.len()));
                }
                for o in &options {
                    self.at_most(what, "option label", &o["label"], 100);
                    self.at_most(what, "option value", &o["value"], 100);
                }
            }
        }
    }

    fn choices(&mut self, what: &str, data: &Value) {
        let choices = data["choices"].as_array().cloned().unwrap_or_default();
        if choices.len() > 25 {
            self.fail(what, format!("{} choices (max 25)", choices.len()));
        }
        for c in &choices {
            self.at_most(what, "choice name", &c["name"], 100);
            self.at_most(what, "choice value", &c["value"], 100);
        }
    }

    fn modal(&mut self, what: &str, data: &Value) {
        self.at_most(what, "modal title", &data["title"], 45);
        self.at_most(what, "custom_id", &data["custom_id"], 100);
        for row in data["components"].as_array().into_iter().flatten() {
            for c in row["components"].as_array().into_iter().flatten() {
                self.at_most(what, "text input label", &c["label"], 45);
                self.at_most(what, "custom_id", &c["custom_id"], 100);
                self.at_most(what, "text input placeholder", &c["placeholder"], 100);
                self.at_most(what, "text input value", &c["value"], 4000);
            }
        }
    }

    /// What would ping or mention if shown raw: `@everyone`, `@here`, or `<@…>`, `<@&…>`,
    /// `<#…>` not escaped.
    fn unescaped(&mut self, what: &str, field: &str, v: &Value) {
        let Some(text) = v.as_str() else { return };
        // `<@123>`, `<@!123>`, `<@&123>`, `<#123>`; an escaped `@` (`@` + U+200B) is no tag.
        let raw_tag = text.match_indices('<').any(|(i, _)| {
            let after = text[i + 1..].trim_start_matches(['@', '#', '!', '&']);
            !text[..i].ends_with('\\')
                && after.len() < text[i + 1..].len()
                && after.starts_with(|c: char| c.is_ascii_digit())
        });
        for bad in ["@everyone", "@here"] {
            if let Some(i) = text.find(bad) {
                let near: String = text[i..].chars().take(30).collect();
                self.fail(what, format!("{field} has a raw {bad}: {near:?}"));
            }
        }
        if raw_tag {
            self.fail(what, format!("{field} has a raw mention tag"));
        }
    }

    /// The ways a quiz round, reveal or score leaves the bot: a channel post, its edit, and a
    /// follow-up (where the bot cannot post).
    fn posted(&mut self, what: &str, reply: &Reply) {
        let body = json!(render::channel_message(reply));
        self.payload(
            &format!("{what} (post)"),
            "POST",
            "/channels/1/messages",
            &body,
        );
        let body = json!(render::channel_edit(reply));
        self.payload(
            &format!("{what} (edit)"),
            "PATCH",
            "/channels/1/messages/2",
            &body,
        );
        let body = json!(render::followup(reply, "en-US"));
        self.payload(
            &format!("{what} (follow-up)"),
            "POST",
            "/webhooks/1/tok",
            &body,
        );
    }

    /// Every way a reply leaves the bot: a callback (new message and update), a follow-up, the
    /// edit of a deferred answer, a channel post and its edit.
    fn reply(&mut self, what: &str, reply: &Reply) {
        let callback = "/interactions/1/tok/callback";
        for response in [
            Response::Message(reply.clone()),
            Response::Update(reply.clone()),
        ] {
            let body = json!(render::response(&response, "en-US"));
            self.payload(what, "POST", callback, &body);
        }
        let body = json!(render::followup(reply, "en-US"));
        self.payload(
            &format!("{what} (follow-up)"),
            "POST",
            "/webhooks/1/tok",
            &body,
        );
        let body = json!(render::edit_original(reply, "en-US"));
        let path = "/webhooks/1/tok/messages/@original";
        self.payload(&format!("{what} (late)"), "PATCH", path, &body);
        let body = json!(render::channel_message(reply));
        self.payload(
            &format!("{what} (post)"),
            "POST",
            "/channels/1/messages",
            &body,
        );
        let body = json!(render::channel_edit(reply));
        self.payload(
            &format!("{what} (edit)"),
            "PATCH",
            "/channels/1/messages/2",
            &body,
        );
    }
}

const HOSTILE: &str = "**@everyone** <@123> `x` ||s|| @here";

fn request(user: &str, kind: RequestKind) -> Request {
    Request {
        user: user.into(),
        guild: Some("300000000000000003".into()),
        channel: "200000000000000002".into(),
        locale: "en-US".into(),
        can_manage: true,
        can_manage_server: true,
        placement: Some(sco_bot::quiz::Placement::Channel),
        kind,
    }
}

fn command(name: &str, sub: Option<&str>, options: &[(&str, Given)]) -> RequestKind {
    RequestKind::Command {
        name: name.into(),
        subcommand: sub.map(str::to_string),
        options: options
            .iter()
            .map(|(n, g)| (n.to_string(), g.clone()))
            .collect(),
    }
}

fn text(s: &str) -> Given {
    Given::Text(s.into())
}

#[test]
fn every_message_stays_within_discords_limits_over_a_stuffed_fact_base() {
    let facts = sco_bot::facts::parse_str(&stuffed_facts(), "stuffed.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let knowledge = Arc::new(Knowledge::new(facts));
    let dir = scratch();
    let store = SqliteStore::open(&dir.path().join("audit.db")).expect("a store");
    let app = App::assemble(
        Arc::clone(&knowledge),
        Origin::Bundled,
        Some(Arc::new(store)),
    );
    let engine = Arc::clone(app.engine().expect("an engine"));
    let mut audit = Audit::default();
    let now = 1_800_000_000_000;

    // Every entry's card, as every lookup command shows it.
    for e in &knowledge.facts.entries {
        let reply = sco_bot::commands::lookup::entry_reply(&knowledge.facts, e);
        audit.reply(&format!("card of {}", e.id), &reply);
    }

    // Every command of the table, with hostile and over-long input, its pages and suggestions.
    let long_query = format!("{HOSTILE} {}", "x".repeat(300));
    let mut kinds = vec![
        command("members", None, &[]),
        command("members", None, &[("year", Given::Integer(2001))]),
        command("timeline", None, &[]),
        command(
            "timeline",
            None,
            &[("from", Given::Integer(2001)), ("to", Given::Integer(2005))],
        ),
        command("ask", None, &[("question", text("when did india join?"))]),
        command("ask", None, &[("question", text(&long_query))]),
        command("quiz", Some("stop"), &[]),
        command("study", Some("next"), &[]),
        command("study", Some("stats"), &[]),
        command("leaderboard", None, &[]),
        command("stats", None, &[]),
        command("about", None, &[]),
        command("help", None, &[]),
    ];
    for spec in COMMANDS {
        kinds.push(command("help", None, &[("command", text(spec.name))]));
        if spec.options.iter().any(|o| o.name == "name") {
            for q in [
                HOSTILE,
                long_query.as_str(),
                "a",
                "secretariat",
                "2017",
                "india",
            ] {
                kinds.push(command(spec.name, None, &[("name", text(q))]));
            }
        }
        for o in spec.options {
            for partial in ["", "a", HOSTILE, long_query.as_str()] {
                kinds.push(RequestKind::Autocomplete {
                    command: spec.name.into(),
                    option: o.name.into(),
                    partial: partial.into(),
                });
            }
        }
    }
    kinds.push(command(
        "quiz",
        Some("start"),
        &[("questions", Given::Integer(3)), ("mode", text("typed"))],
    ));
    let mut seen = std::collections::HashSet::new();
    let mut at = now;
    while let Some(kind) = kinds.pop() {
        at += 1;
        let what = format!("{kind:?}").chars().take(120).collect::<String>();
        let outcome = interaction::handle(&app.services, &request("u1", kind), at);
        let body = json!(render::response(&outcome.response, "en-US"));
        audit.payload(&what, "POST", "/interactions/1/tok/callback", &body);
        if let Response::Message(r) | Response::Update(r) = &outcome.response {
            audit.reply(&what, r);
            // Pages, suggestions and study choices: click each once.
            for b in r.buttons.iter().flatten() {
                if seen.insert(b.id.clone()) {
                    kinds.push(RequestKind::Click { id: b.id.clone() });
                }
            }
        }
    }

    // Quiz rounds, reveals and final scores: every question of the bank, open and closed, with
    // 40 players on the scoreboard.
    let bank = knowledge.bank();
    let params = sco_bot::quiz::session::StartParams {
        guild: None,
        channel: "quiz-audit".into(),
        starter: "u0".into(),
        topic: None,
        questions: 1,
        seconds: 30,
        mode: sco_bot::quiz::Mode::Typed,
        seed: 3,
        placement: sco_bot::quiz::Placement::Channel,
    };
    let sco_bot::quiz::session::Started::Started(session) =
        engine.start(bank, &params, now).expect("starts")
    else {
        panic!("started")
    };
    let sco_bot::quiz::session::Next::Round(round) = engine
        .open_next(bank, &session, now, &mut Vec::new())
        .expect("opens")
    else {
        panic!("a round")
    };
    for u in 0..40 {
        let answer = sco_bot::quiz::session::Answer::Choice(u % 4);
        engine
            .answer(
                bank,
                session.id,
                round.index,
                &format!("{u}{HOSTILE}"),
                &answer,
                now + 1,
            )
            .expect("recorded");
    }
    // The open round's buttons: a typed round's opens the answer form (a modal).
    let open = sco_bot::commands::quiz::round_reply(&round, false);
    for b in open.buttons.iter().flatten() {
        let outcome = interaction::handle(
            &app.services,
            &request("u1", RequestKind::Click { id: b.id.clone() }),
            now + 2,
        );
        let body = json!(render::response(&outcome.response, "en-US"));
        audit.payload(&b.id, "POST", "/interactions/1/tok/callback", &body);
    }
    let closed = engine
        .close(bank, session.id, round.index, now + 31_000)
        .expect("closes")
        .expect("closed");
    let commands = sco_bot::commands::quiz::final_reply(&closed.scoreboard, false);
    audit.reply("final scores", &commands);
    for (i, q) in bank.all().iter().enumerate() {
        let mut view = (*round).clone();
        view.question = q.clone();
        view.index = i as u32;
        for mode in [sco_bot::quiz::Mode::Buttons, sco_bot::quiz::Mode::Typed] {
            view.mode = mode;
            for closed_now in [false, true] {
                let reply = sco_bot::commands::quiz::round_reply(&view, closed_now);
                audit.posted(&format!("round {} ({mode:?})", q.id), &reply);
            }
        }
        let mut c = closed.clone();
        c.round = view;
        c.reveal = q.answer.clone();
        let reveal = sco_bot::commands::quiz::reveal_reply(&knowledge, &c);
        audit.posted(&format!("reveal {}", q.id), &reveal);
    }
    let notice = sco_bot::quiz::session::abandoned_notice(&sco_bot::store::StoreError::Locked {
        path: "x".into(),
    });
    let body = json!(render::channel_message(&Reply::notice(&notice)));
    audit.payload("notice", "POST", "/channels/1/messages", &body);

    assert!(audit.checked > 1000, "{} payloads checked", audit.checked);
    let types: Vec<u64> = audit.callbacks.keys().copied().collect();
    assert_eq!(
        types,
        [4, 7, 8, 9],
        "messages, updates, choices and modals all checked"
    );
    assert!(
        audit.problems.is_empty(),
        "{} problems:\n{}",
        audit.problems.len(),
        audit.problems.join("\n")
    );
}

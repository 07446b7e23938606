//! A terminal that reads well, and the answers students ask for besides lookups: /compare, /cite
//! and /sources, in the terminal (wrapped in a real pseudo-terminal, plain when piped), as JSON
//! and as the Discord embed.

use std::process::Command;

use sco_bot::commands::{Ctx, parse_line, run};
use sco_bot::facts::FactBase;
use sco_bot::reply::Reply;
use sco_bot::{Knowledge, discord::render};

use crate::support::{ask_json, run_in, scratch, stderr, stdout};

fn knowledge() -> Knowledge {
    Knowledge::new(FactBase::bundled().expect("the built-in facts load"))
}

/// The reply to one command line, through the one table and binder.
fn reply(k: &Knowledge, line: &str) -> Reply {
    let (spec, args) = parse_line(line).expect("a valid line");
    run(&Ctx::offline(k), spec, &args)
}

/// `sco-bot ARGS` with its output piped, as scripts and the probes see it.
fn piped(args: &[&str], env: &[(&str, &str)]) -> String {
    let dir = scratch();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sco-bot"));
    cmd.args(args)
        .current_dir(dir.path())
        .env("HOME", dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("sco-bot runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// `sco-bot ARGS` with its standard output on a pseudo-terminal of `columns` columns, made by
/// util-linux `script`, as a user at a terminal sees it.
fn in_terminal(args: &[&str], columns: usize) -> String {
    let dir = scratch();
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let line = format!("{} {}", env!("CARGO_BIN_EXE_sco-bot"), quoted.join(" "));
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("COLUMNS", columns.to_string())
        .output()
        .expect("util-linux `script` runs (it gives the bot a pseudo-terminal)");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).replace("\r\n", "\n")
}

fn widest(text: &str) -> usize {
    text.lines().map(sco_bot::term::columns).max().unwrap_or(0)
}

#[test]
fn a_terminal_gets_lines_within_its_width_and_a_pipe_gets_whole_lines() {
    let tty = in_terminal(&["ask", "/members", "/member iran"], 60);
    assert!(tty.contains("Iran is a member state"), "{tty}");
    assert!(widest(&tty) <= 60, "a line wider than 60 columns:\n{tty}");
    // The same answers piped stay one line per paragraph, whatever COLUMNS says.
    let text = piped(&["ask", "/members", "/member iran"], &[("COLUMNS", "60")]);
    assert!(widest(&text) > 100, "piped output was wrapped:\n{text}");
    assert!(
        text.contains(
            "Iran is a member state of the SCO since 4 July 2023 (New Delhi summit 2023 (virtual))."
        ),
        "{text}"
    );
}

#[test]
fn sources_are_a_short_numbered_list_and_the_full_ones_are_asked_for() {
    let text = piped(&["ask", "/member iran"], &[]);
    let sources = text
        .lines()
        .find(|l| l.starts_with("Sources: "))
        .expect("a sources line");
    assert!(
        sources.starts_with("Sources: [1] Sputnik (sputnikglobe.com) · [2] TASS (tass.com) · "),
        "{sources}"
    );
    assert!(
        sources.ends_with("(/sources N shows one in full.)"),
        "{sources}"
    );
    assert!(
        !text.contains("https://"),
        "full URLs in the short form:\n{text}"
    );
    // --sources shows them in full.
    let full = piped(&["ask", "--sources", "/member iran"], &[]);
    assert!(
        full.contains("\n  [2] TASS report (tass.com/politics/969605) cited for Iran's SCO observer status and path to membership (TASS) https://tass.com/politics/969605\n"),
        "{full}"
    );
}

#[test]
fn slash_sources_shows_one_of_the_last_answer_or_an_entry() {
    let dir = scratch();
    let out = run_in(
        dir.path(),
        &["ask"],
        "/member iran\n/sources 2\n/sources 9\n/sources tianjin declaration\n",
    );
    let text = stdout(&out);
    assert!(
        text.contains("\n[2] TASS report (tass.com/politics/969605) cited for Iran's SCO observer status and path to membership (TASS) https://tass.com/politics/969605\n"),
        "{text}"
    );
    assert!(
        text.contains("The last answer has sources 1 to 6; there is no source 9."),
        "{text}"
    );
    assert!(text.contains("Sources on Tianjin Declaration"), "{text}");
    // Discord has no "last answer": a number is explained, politely.
    let k = knowledge();
    let r = reply(&k, "/sources 2");
    assert!(r.is_notice() && r.body.contains("/sources india"), "{r:?}");
}

#[test]
fn help_rows_are_aligned_and_did_you_mean_is_said_once() {
    let text = piped(&["ask", "/help"], &[]);
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('/')).collect();
    assert!(rows.len() >= 20, "{text}");
    let column = |row: &str| {
        row.find("  ")
            .map(|g| g + row[g..].len() - row[g..].trim_start().len())
    };
    let first = column(rows[0]);
    for row in &rows {
        assert_eq!(column(row), first, "misaligned: {row:?}");
    }
    // A city of several summits stays a choice (`/fact tashkent` now answers RATS, seated there).
    let text = piped(&["ask", "/summit astana"], &[]);
    assert_eq!(text.matches("Did you mean").count(), 1, "{text}");
    let text = piped(&["ask", "/member kazahkstan russia"], &[]);
    assert!(text.matches("Did you mean").count() <= 1, "{text}");
}

#[test]
fn compare_two_countries_lines_up_columns_in_the_terminal() {
    let text = piped(&["ask", "/compare india pakistan"], &[]);
    let line = |label: &str| {
        text.lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row in\n{text}"))
    };
    let head = text
        .lines()
        .find(|l| l.starts_with(' ') && l.trim_start().starts_with("India"))
        .expect("a heading row");
    let (a, b) = (
        head.find("India").expect("a"),
        head.find("Pakistan").expect("b"),
    );
    let capital = line("Capital");
    assert_eq!(capital.find("New Delhi"), Some(a), "{text}");
    assert_eq!(capital.find("Islamabad"), Some(b), "{text}");
    assert_eq!(line("Status").find("member state"), Some(a), "{text}");
    assert!(
        line("Since").contains("9 June 2017 (Astana summit 2017)"),
        "{text}"
    );
    assert!(
        line("Route").contains("observer from 5 July 2005"),
        "{text}"
    );
    assert!(
        line("Summits hosted").contains("1: New Delhi 2023"),
        "{text}"
    );
    // Narrow terminals wrap inside the columns.
    let tty = in_terminal(&["ask", "/compare afghanistan mongolia"], 70);
    assert!(widest(&tty) <= 70, "{tty}");
}

#[test]
fn compare_as_json_is_data_and_keeps_the_hedges() {
    let v = &ask_json(&["/compare afghanistan, mongolia"])[0];
    let table = &v["table"];
    assert_eq!(
        table["columns"],
        serde_json::json!(["Afghanistan", "Mongolia"])
    );
    let labels: Vec<&str> = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["label"].as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Status",
            "Since",
            "Route",
            "Summits hosted",
            "Uncertain",
            "Confidence"
        ]
    );
    let uncertain = &table["rows"][4]["cells"];
    assert!(
        uncertain[0]
            .as_str()
            .expect("text")
            .contains("its current status is not"),
        "{uncertain}"
    );
    assert_eq!(
        table["rows"][5]["cells"],
        serde_json::json!(["medium", "—"])
    );
    // Two summits, two documents.
    let v = &ask_json(&[
        "/compare 2017 2018",
        "/compare charter vs bishkek declaration",
    ]);
    assert_eq!(
        v[0]["table"]["columns"],
        serde_json::json!(["Astana summit 2017", "Qingdao summit 2018"])
    );
    assert_eq!(
        v[1]["table"]["columns"],
        serde_json::json!(["SCO Charter", "Bishkek Declaration"])
    );
}

#[test]
fn compare_explains_mixed_kinds_and_which_name_it_could_not_find() {
    let k = knowledge();
    let r = reply(&k, "/compare india charter");
    assert!(r.table.is_none());
    assert!(
        r.body.starts_with(
            "India is a country and SCO Charter is a document; I can only compare two of a kind"
        ),
        "{}",
        r.body
    );
    let r = reply(&k, "/compare first:india second:pakistn");
    assert!(r.table.is_some(), "a typo still resolves: {r:?}");
    let r = reply(&k, "/compare first:india second:zzzzqq");
    assert!(r.table.is_none());
    assert!(r.body.contains("the second name, “zzzzqq”"), "{}", r.body);
    let r = reply(&k, "/compare first:brazil second:india");
    assert!(
        r.body
            .starts_with("Brazil (the first name) is not part of the SCO"),
        "{}",
        r.body
    );
    // A name that matched another kind is looked up again in the other name's kind.
    let r = reply(&k, "/compare first:rats second:charter");
    let table = r.table.expect("two documents");
    assert_eq!(
        table.columns,
        [
            "Agreement on the Regional Anti-Terrorist Structure",
            "SCO Charter"
        ]
    );
    let r = reply(&k, "/compare rats secretariat");
    assert!(r.body.contains("are both bodies"), "{}", r.body);
    // Both options autocomplete.
    for option in ["first", "second"] {
        let choices = sco_bot::interaction::autocomplete(&k, "compare", option, "pakis");
        assert!(choices.iter().any(|c| c.name == "Pakistan"), "{option}");
    }
}

#[test]
fn compare_on_discord_is_two_inline_columns() {
    let k = knowledge();
    let r = reply(&k, "/compare india pakistan");
    let embed = serde_json::to_value(render::embed(&r, "en-US")).expect("json");
    let fields = embed["fields"].as_array().expect("fields");
    let columns: Vec<&serde_json::Value> = fields
        .iter()
        .filter(|f| f["inline"] == serde_json::json!(true))
        .collect();
    assert_eq!(columns.len(), 2, "{embed}");
    assert_eq!(columns[0]["name"], "India");
    assert_eq!(columns[1]["name"], "Pakistan");
    let india = columns[0]["value"].as_str().expect("text");
    assert!(india.contains("**Status**: member state"), "{india}");
    assert!(india.contains("**Capital**: New Delhi"), "{india}");
    assert!(
        columns[1]["value"]
            .as_str()
            .expect("text")
            .contains("**Capital**: Islamabad")
    );
}

/// The references for the principle of non-confrontation, from the real facts.toml: a mirror
/// site (online) and the seed article (no publisher known, no URL).
const APA: &str = "lorinbellerblake.com (mirror). (n.d.). Chinese commentary on Xi Jinping's 2018 Qingdao summit speech, found on a mirror site (lorinbellerblake.com). Retrieved November 28, 2026, from http://www.lorinbellerblake.com/2018qdfh/2018-06/19/content_4817160.htm\n\nSCO – Way Forward for Regional Stability & Integration. (n.d.).";
const CHICAGO: &str = "“Chinese commentary on Xi Jinping's 2018 Qingdao summit speech, found on a mirror site (lorinbellerblake.com).” lorinbellerblake.com (mirror). Accessed November 28, 2026. http://www.lorinbellerblake.com/2018qdfh/2018-06/19/content_4817160.htm.\n\n“SCO – Way Forward for Regional Stability & Integration.”";

#[test]
fn cite_gives_apa_and_chicago_references_for_an_entry() {
    let k = knowledge();
    let apa = reply(&k, "/cite non-confrontation apa");
    assert_eq!(apa.code.as_deref(), Some(APA));
    let chicago = reply(&k, "/cite non-confrontation style:chicago");
    assert_eq!(chicago.code.as_deref(), Some(CHICAGO));
    let both = reply(&k, "/cite non-confrontation");
    assert_eq!(
        both.code.as_deref(),
        Some(format!("APA 7:\n{APA}\n\nChicago (bibliography):\n{CHICAGO}").as_str())
    );
    // A reference list is alphabetical, whatever the order in facts.toml.
    let belarus = reply(&k, "/cite belarus apa");
    let refs: Vec<String> = belarus
        .code
        .as_deref()
        .expect("references")
        .split("\n\n")
        .map(str::to_lowercase)
        .collect();
    assert_eq!(refs.len(), 6);
    assert!(refs.is_sorted(), "{refs:#?}");
    // Without an entry: the fact base itself, from its [meta].
    let base = reply(&k, "/cite");
    assert_eq!(
        base.code.as_deref(),
        Some(
            "APA 7:\nsco-bot. (2026, November 28). SCO fact base (Version 1.0.0) [Data set].\n\nChicago (bibliography):\nsco-bot. “SCO fact base.” Version 1.0.0. Data set, facts as of November 28, 2026."
        )
    );
    // Copy-paste ready: a code block on Discord, unwrapped lines in a terminal.
    let embed = serde_json::to_value(render::embed(&apa, "en-US")).expect("json");
    let description = embed["description"].as_str().expect("text");
    assert!(
        description.ends_with(&format!("```\n{APA}\n```")),
        "{description}"
    );
    let tty = in_terminal(&["ask", "/cite non-confrontation apa"], 60);
    assert!(
        tty.contains(APA.split('\n').next().expect("a line")),
        "{tty}"
    );
    // The longest list (the 2025 summit's) stays within Discord's limits, cut between references.
    let long = reply(&k, "/cite tianjin summit 2025");
    assert_eq!(
        long.matched.as_ref().map(|m| m.id.as_str()),
        Some("summit-2025")
    );
    let embed = serde_json::to_value(render::embed(&long, "en-US")).expect("json");
    let description = embed["description"].as_str().expect("text");
    assert!(description.chars().count() <= 4096, "{}", description.len());
    assert!(
        description.ends_with("more: ask for one style\n```"),
        "{description}"
    );
    // An unknown entry gets suggestions, not a made-up reference.
    let none = reply(&k, "/cite zzzzqq");
    assert!(none.code.is_none() && none.matched.is_none());
}

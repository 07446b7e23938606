use crate::support::{ask_json, fixture, run, run_in, scratch, stderr, stdout};

fn ask(line: &str) -> String {
    let out = run(&["ask", line]);
    assert!(out.status.success(), "{line}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn member_answers_status_since_when_and_at_which_summit_with_sources() {
    let text = ask("/member kazakstan");
    assert!(text.starts_with("Kazakhstan\n=========="), "{text}");
    assert!(
        text.contains("is a member state of the SCO since 15 June 2001"),
        "{text}"
    );
    assert!(text.contains("Capital: Astana"), "{text}");
    assert!(text.contains("\nSources: [1] "), "{text}");
    assert!(text.contains("Facts as of 2026-11-28."), "{text}");
    let india = ask("/member inida");
    assert!(
        india.contains("member state of the SCO since 9 June 2017 (Astana summit 2017)"),
        "{india}"
    );
}

#[test]
fn member_says_an_observer_is_not_a_member() {
    let text = ask("/member mongolia");
    assert!(
        text.contains("Mongolia is not a member of the SCO"),
        "{text}"
    );
    assert!(text.contains("observer from 17 June 2004"), "{text}");
}

#[test]
fn member_says_a_real_country_outside_is_not_part_of_it() {
    let text = ask("/member brazil");
    assert!(text.starts_with("Brazil is not part of the SCO"), "{text}");
    assert!(
        text.contains("/members lists the 10 member states, 17 partners and 1 guest"),
        "{text}"
    );
    let v = &ask_json(&["/member brazil"])[0];
    assert!(v["match"].is_null());
}

#[test]
fn unknown_names_get_suggestions_not_a_guess() {
    let v = &ask_json(&["/summit astana"])[0];
    assert!(v["match"].is_null(), "{v}");
    let titles: Vec<&str> = v["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    for year in ["2005", "2011", "2017", "2024"] {
        assert!(titles.iter().any(|t| t.contains(year)), "{titles:?}");
    }
    let text = v["text"].as_str().expect("text");
    assert!(
        text.starts_with("No summit or meeting matches “astana”"),
        "{text}"
    );
}

#[test]
fn each_lookup_command_answers_its_kind() {
    let cases = [
        ("/principle non-alignment", "principle", "Non-alignment"),
        ("/body rats", "body", "RATS"),
        ("/summit 2017", "summit", "Astana summit 2017"),
        ("/document charter", "document", "Charter"),
        ("/term 3 evils", "term", "Three evils"),
        ("/person norov", "person", "Norov"),
        ("/fact secretariat beijing", "body", "Secretariat"),
    ];
    let lines: Vec<&str> = cases.iter().map(|c| c.0).collect();
    for ((line, kind, title), v) in cases.iter().zip(ask_json(&lines)) {
        assert_eq!(v["match"]["kind"], *kind, "{line}: {v}");
        let got = v["match"]["title"].as_str().expect("title");
        assert!(got.contains(title), "{line}: {got}");
        let score = v["match"]["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score));
        assert!(
            v["text"].as_str().expect("text").contains("Sources:"),
            "{line}"
        );
    }
}

#[test]
fn summit_replies_give_date_place_and_outcomes() {
    let text = ask("/summit 2017");
    assert!(text.contains("Date: 8–9 June 2017"), "{text}");
    assert!(text.contains("Place: Astana, Kazakhstan"), "{text}");
    assert!(
        text.contains("Meeting: 17th Council of Heads of State meeting"),
        "{text}"
    );
}

#[test]
fn uncertain_facts_are_flagged() {
    let text = ask("/summit 2026");
    assert!(text.contains("Uncertain:"), "{text}");
    assert!(text.contains("Confidence: medium"), "{text}");
}

#[test]
fn list_commands_group_and_order() {
    let members = ask("/members");
    assert!(members.contains("Member states (10):"), "{members}");
    assert!(members.contains("(17):"), "{members}");
    let belarus = members.find("• Belarus").expect("Belarus listed");
    let partners = members.find("Partners").expect("partners heading");
    assert!(belarus < partners, "Belarus is a member");
    let timeline = ask("/timeline from:2017 to:2017");
    assert!(
        timeline.contains("2017-06-08 — Astana summit 2017"),
        "{timeline}"
    );
    assert!(
        timeline.contains("2017-06-09 — India: member state"),
        "{timeline}"
    );
    assert!(!timeline.contains("2016-"), "{timeline}");
    let dates: Vec<&str> = timeline
        .lines()
        .filter(|l| l.len() > 10 && l.as_bytes()[4] == b'-')
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "date order");
}

#[test]
fn about_and_help_describe_the_bot() {
    let about = ask("/about");
    assert!(
        about.contains("Version 1.0.0, facts as of 28 November 2026"),
        "{about}"
    );
    assert!(about.contains("Countries: 28"), "{about}");
    assert!(about.contains("How to cite:"), "{about}");
    let help = ask("/help");
    for name in [
        "/member",
        "/members",
        "/principle",
        "/body",
        "/summit",
        "/document",
        "/term",
        "/person",
        "/fact",
        "/timeline",
        "/about",
        "/help",
    ] {
        assert!(help.contains(name), "{name} missing from help");
    }
    let one = ask("/help timeline");
    assert!(one.starts_with("/timeline [from] [to]"), "{one}");
}

#[test]
fn json_mode_prints_one_object_per_line_and_survives_bad_lines() {
    let out = ask_json(&["/member kazakstan", "/nonsense", "/member", "/fact zzqqxx"]);
    assert_eq!(out.len(), 4);
    assert_eq!(out[0]["command"], "member");
    assert_eq!(out[0]["query"], "kazakstan");
    assert_eq!(out[0]["match"]["id"], "kazakhstan");
    assert_eq!(
        out[1]["error"],
        "there is no command /nonsense; /help lists them"
    );
    assert_eq!(
        out[2]["error"],
        "/member needs a name: for example /member kazakhstan"
    );
    assert!(out[3]["match"].is_null() && out[3]["error"].is_null());
}

#[test]
fn unquoted_words_join_into_one_command() {
    let out = run(&[
        "ask", "--json", "/member", "kazakh", "stan", "/summit", "2018",
    ]);
    let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[1].contains("Qingdao"), "{}", lines[1]);
}

#[test]
fn a_bad_command_in_text_mode_explains_and_fails() {
    let out = run(&["ask", "/membr kazakhstan"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: there is no command /membr (did you mean /member?); /help lists them\n"
    );
}

#[test]
fn facts_flag_and_local_file_choose_the_fact_base() {
    let out = run(&[
        "--facts",
        fixture("mini.toml").to_str().expect("path"),
        "ask",
        "/about",
    ]);
    assert!(stdout(&out).contains("Test facts"), "{}", stdout(&out));
    let dir = scratch();
    std::fs::copy(fixture("mini.toml"), dir.path().join("facts.toml")).expect("copy");
    let out = run_in(dir.path(), &["ask", "/about"], "");
    assert!(
        stdout(&out).contains("Test facts"),
        "./facts.toml wins over the built-in copy"
    );
    let out = run(&["--facts", "/nonexistent/facts.toml", "ask", "/about"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read /nonexistent/facts.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_broken_fact_base_is_refused_before_answering() {
    let out = run(&[
        "--facts",
        fixture("many-problems.toml").to_str().expect("path"),
        "ask",
        "/about",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("many-problems.toml:20:1: unknown field `sumary`"),
        "{err}"
    );
    assert!(err.contains("Run `sco-bot check`"), "{err}");
}

#[test]
fn check_passes_on_the_shipped_facts() {
    let out = run(&[
        "check",
        crate::support::real_facts().to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(": OK, version 1.0.0 as of 2026-11-28: 28 countries"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn repl_answers_lines_from_a_pipe() {
    let dir = scratch();
    let out = run_in(
        dir.path(),
        &["repl"],
        "/member kazakstan\n/membr x\nwhen did india join\n/quit\n",
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("or /help for commands"), "{text}");
    assert!(
        text.contains("India became a full member on 9 June 2017"),
        "{text}"
    );
    assert!(text.contains("is a member state of the SCO"), "{text}");
    assert!(
        text.contains("there is no command /membr (did you mean /member?)"),
        "{text}"
    );
}

#[test]
fn reload_is_the_local_operators_in_a_terminal() {
    let dir = scratch();
    let mini = std::fs::read_to_string(fixture("mini.toml")).expect("the fixture");
    std::fs::write(dir.path().join("facts.toml"), &mini).expect("write");
    let out = run_in(dir.path(), &["repl"], "/reload\n/quit\n");
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("The facts are up to date") && text.contains("version 0.0.1"),
        "{text}"
    );
    let once = run_in(dir.path(), &["ask", "/reload"], "");
    assert!(
        stdout(&once).contains("The facts are up to date"),
        "{}",
        stdout(&once)
    );
}

#[test]
fn quiz_list_json_shows_every_question_for_review() {
    let out = run(&["quiz", "--list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut ids = std::collections::HashSet::new();
    let mut topics = std::collections::HashSet::new();
    for line in stdout(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object a line");
        for key in ["topic", "prompt", "answer", "explanation"] {
            assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {v}");
        }
        assert_eq!(v["choices"].as_array().map(Vec::len), Some(4), "{v}");
        assert!(
            v["sources"].as_array().is_some_and(|s| !s.is_empty()),
            "{v}"
        );
        assert!(
            ids.insert(v["id"].as_str().expect("id").to_string()),
            "duplicate {v}"
        );
        topics.insert(v["topic"].as_str().expect("topic").to_string());
    }
    assert!(ids.len() >= 300, "{} questions", ids.len());
    assert!(topics.len() >= 8, "{topics:?}");
}

#[test]
fn the_terminal_quiz_plays_and_saves_to_the_database() {
    let dir = scratch();
    let db = dir.path().join("scores.db");
    let db = db.to_str().expect("path");
    let out = run_in(
        dir.path(),
        &["--db", db, "quiz", "--questions", "2", "--seed", "3"],
        "a\nKazakhstan\n",
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("Question 1 of 2 · ") && text.contains("Question 2 of 2 · "),
        "{text}"
    );
    assert!(text.contains("  A) ") && text.contains("  D) "), "{text}");
    assert!(text.contains("Final: "), "{text}");
    // The session was finished, so the next one starts cleanly; an empty line stops it.
    let again = run_in(dir.path(), &["--db", db, "quiz", "--questions", "3"], "\n");
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("Stopped."), "{}", stdout(&again));
    let bad = run_in(dir.path(), &["--db", db, "quiz", "--topic", "planets"], "");
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).starts_with("error: there is no topic \"planets\"; choose one of members, ")
    );
}

#[test]
fn a_corrupt_database_is_refused_and_left_alone() {
    let dir = scratch();
    let db = dir.path().join("broken.db");
    std::fs::write(
        &db,
        b"this is not a database, just some text that matters to someone",
    )
    .expect("write");
    let before = std::fs::read(&db).expect("read");
    let out = run_in(
        dir.path(),
        &["--db", db.to_str().expect("path"), "quiz"],
        "a\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.db"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "never deleted or overwritten"
    );
}

#[test]
fn ask_out_writes_the_map_and_timeline_pictures_as_png_or_svg() {
    let dir = scratch();
    for (line, file) in [
        ("/map 2010", "map.png"),
        ("/map 2010", "map.svg"),
        ("/timeline chart", "timeline.png"),
        ("/member belarus", "belarus.png"),
    ] {
        let out = run_in(dir.path(), &["ask", line, "--out", file], "");
        assert!(out.status.success(), "{line}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains(&format!("Picture written to {file}")),
            "{text}"
        );
        let bytes = std::fs::read(dir.path().join(file)).expect("the file is written");
        if file.ends_with(".svg") {
            let svg = String::from_utf8(bytes).expect("SVG is text");
            assert!(svg.starts_with("<svg") && svg.contains(r#"data-name="Belarus""#));
        } else {
            let png = resvg::tiny_skia::Pixmap::decode_png(&bytes).expect("a PNG");
            assert!(png.width() >= 1200, "{line}: {}", png.width());
        }
    }
    let plain = ask("/map");
    assert!(plain.contains("add --out FILE.png"), "{plain}");
    let v = &ask_json(&["/timeline chart"])[0];
    assert_eq!(v["picture"]["name"], "sco-timeline.png", "{v}");
}

#[test]
fn map_for_a_year_past_the_facts_says_so_without_a_picture() {
    let text = ask("/map 2099");
    assert!(
        text.contains("I don't know the SCO's membership in 2099"),
        "{text}"
    );
    assert!(!text.contains("--out"), "{text}");
}

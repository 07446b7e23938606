//! Reports for curators through the real binary: `/report` in the terminal after a study
//! answer (once per question), `sco-bot reports` listing them as text and JSON with whether
//! each question changed in the facts file since (two versions of a fixture), and
//! `sco-bot reports resolve`.

use std::path::Path;

use crate::support::{fixture, run_in, stderr, stdout};
use sco_bot::store::{NewReport, ReportKind, SqliteStore, Store};

/// `sco-bot --db r.db --facts facts.toml ARGS` in `dir`.
fn sco(dir: &Path, args: &[&str], input: &str) -> std::process::Output {
    let mut all = vec!["--db", "r.db", "--facts", "facts.toml"];
    all.extend_from_slice(args);
    run_in(dir, &all, input)
}

fn listed(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["reports", "--json"];
    all.extend_from_slice(args);
    let out = sco(dir, &all, "");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn now_of(rows: &[serde_json::Value], question: &str) -> String {
    rows.iter()
        .find(|r| r["question_id"] == question)
        .and_then(|r| r["question_now"].as_str())
        .unwrap_or_else(|| panic!("no report on {question}: {rows:?}"))
        .to_string()
}

#[test]
fn reports_list_what_changed_after_the_facts_are_fixed_and_resolve_once() {
    let dir = crate::support::scratch();
    let facts = dir.path().join("facts.toml");
    let v1 = std::fs::read_to_string(fixture("mini.toml")).expect("the fixture");
    std::fs::write(&facts, &v1).expect("written");

    // Nothing to report before an answer; then the study question just answered, once.
    let out = sco(
        dir.path(),
        &["ask"],
        "/report too early\n/study next\nA\n/report the explanation is wrong\n/report again\n",
    );
    let text = stdout(&out);
    assert!(
        stderr(&out).contains("there is no question to report yet"),
        "{}",
        stderr(&out)
    );
    assert!(text.contains("Thank you: reported"), "{text}");
    assert!(
        text.contains("You already reported this question"),
        "{text}"
    );

    // Two more reports, by another user, on questions this test knows: one the fix will
    // change, one it will not; and one on a question no fact yields.
    let (k, _) = sco_bot::Knowledge::load(Some(&facts)).expect("the facts load");
    let store = SqliteStore::open(&dir.path().join("r.db")).expect("the database");
    let report = |question: &str| {
        let q = k.bank().get(question);
        NewReport {
            question_id: question.to_string(),
            kind: ReportKind::Wrong,
            facts: Vec::new(),
            sources: Vec::new(),
            prompt: q.map_or("gone".to_string(), |q| q.prompt.clone()),
            fingerprint: q.map_or("0".to_string(), sco_bot::commands::report::fingerprint),
            answer: None,
            verdict: "no answer given".into(),
            // A terminal escape sequence (clear screen) a reporter might type.
            text: "check the date\u{1b}[2J".into(),
            source_url: None,
            reporter: "curious".into(),
            created_ms: 1_767_225_600_000,
        }
    };
    for question in [
        "summit-month/summit-2007",
        "summit-month/summit-2017",
        "summit-month/summit-1999",
    ] {
        store.save_report(&report(question)).expect("saved");
    }
    drop(store);

    let rows = listed(dir.path(), &[]);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[0]["reporter"], "local");
    assert_eq!(rows[0]["text"], "the explanation is wrong");
    assert_eq!(rows[0]["question_now"], "unchanged");
    assert_eq!(rows[0]["count"], 1);
    assert!(
        !rows[0]["facts"].as_array().expect("facts").is_empty(),
        "{rows:?}"
    );
    assert_eq!(now_of(&rows, "summit-month/summit-2007"), "unchanged");
    assert_eq!(
        now_of(&rows, "summit-month/summit-1999"),
        "no longer in the bank"
    );

    // The curator fixes the 2007 summit's date; the listing reads the file as it is now.
    let v2 = v1.replace("start = 2007-08-16", "start = 2007-08-17");
    assert_ne!(v1, v2, "the fixture has the date to fix");
    std::fs::write(&facts, &v2).expect("written");
    let rows = listed(dir.path(), &[]);
    assert_eq!(now_of(&rows, "summit-month/summit-2007"), "changed");
    assert_eq!(now_of(&rows, "summit-month/summit-2017"), "unchanged");
    let out = sco(dir.path(), &["reports", "--open"], "");
    let text = stdout(&out);
    assert!(text.contains("question now: changed"), "{text}");
    assert!(text.contains("says: check the date [2J"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no escape reaches the curator's terminal"
    );
    assert!(text.contains("4 reports, 4 open."), "{text}");

    let number = rows
        .iter()
        .find(|r| r["question_id"] == "summit-month/summit-2007")
        .and_then(|r| r["id"].as_i64())
        .expect("an id");
    let id = number.to_string();
    let out = sco(
        dir.path(),
        &["reports", "resolve", &id, "--note", "date fixed"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), format!("Report #{id} resolved."));
    let open = listed(dir.path(), &["--open"]);
    assert_eq!(open.len(), 3);
    assert!(open.iter().all(|r| r["id"] != number), "{open:?}");
    let all = listed(dir.path(), &[]);
    let done = all.iter().find(|r| r["id"] == number).expect("listed");
    assert_eq!(done["resolved"], true);
    assert_eq!(done["note"], "date fixed");
    let out = sco(
        dir.path(),
        &["reports", "resolve", &id, "--note", "again"],
        "",
    );
    assert!(
        stdout(&out).contains("already resolved"),
        "{}",
        stdout(&out)
    );
    let out = sco(
        dir.path(),
        &["reports", "resolve", "999", "--note", "x"],
        "",
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("there is no report #999"),
        "{}",
        stderr(&out)
    );
    let out = sco(dir.path(), &["reports", "resolve", &id, "--note", "  "], "");
    assert!(!out.status.success());
}

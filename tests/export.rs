//! Deck export: Anki's text import and RFC 4180 CSV over the whole bank, fields that hold the
//! separator, quotes and line breaks, `sco-bot quiz --export` (never overwriting without
//! `--force`), and `/study export` holding exactly the user's missed questions.

use sco_bot::app::App;
use sco_bot::interaction::{self, Request, RequestKind, Response};
use sco_bot::quiz::Question;
use sco_bot::quiz::export::{COLUMNS, Format, deck, row};
use sco_bot::reply::Reply;

use crate::support::{real_facts, run_in, scratch, stderr, stdout};

const T0: i64 = 1_767_225_600_000;

const ANKI_HEADER: &str = "#separator:tab\n#html:false\n\
     #columns:Front\tBack\tExplanation\tSources\tTags\n#tags column:5\n";

/// Reads delimited text the way Anki and RFC 4180 do: a field in quotes may hold the
/// separator, line breaks and doubled quotes; records end with LF or CRLF outside quotes.
/// Written here, apart from the exporter, so that the two cannot share a mistake.
fn parse(text: &str, sep: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_start => {
                quoted = true;
                at_start = false;
            }
            c if c == sep => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_start = true;
            }
            c => {
                assert!(
                    c != '"',
                    "a bare quote inside an unquoted field: {field}{c}"
                );
                field.push(c);
                at_start = false;
            }
        }
    }
    assert!(!quoted, "a quoted field never closed");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record has no line end"
    );
    records
}

fn knowledge() -> sco_bot::Knowledge {
    sco_bot::Knowledge::load(Some(&real_facts()))
        .expect("the real facts load")
        .0
}

fn whole_bank(k: &sco_bot::Knowledge) -> Vec<Question> {
    sco_bot::quiz::generate::generate(&k.facts, 0)
}

#[test]
fn an_anki_deck_of_the_whole_bank_has_its_header_lines_and_five_fields_in_every_row() {
    let k = knowledge();
    let bank = whole_bank(&k);
    assert!(bank.len() >= 450, "{}", bank.len());
    let text = deck(Format::Anki, &bank, &k.facts);
    let body = text
        .strip_prefix(ANKI_HEADER)
        .unwrap_or_else(|| panic!("the header lines first: {}", &text[..200]));
    // Anki reads a line that starts with '#' as a comment: no row may.
    assert!(!body.lines().next().is_some_and(|l| l.starts_with('#')));
    let records = parse(body, '\t');
    assert_eq!(records.len(), bank.len(), "one row per question");
    for (q, fields) in bank.iter().zip(&records) {
        assert_eq!(fields.len(), COLUMNS.len(), "{}: {fields:?}", q.id);
        assert_eq!(fields, &row(q, &k.facts).to_vec(), "{}", q.id);
        assert_eq!(fields[4], format!("sco-bot {}", q.topic.key()));
        assert!(fields[0].starts_with(q.prompt.trim()), "{}", q.id);
        assert!(fields[1].starts_with(q.answer.trim()), "{}", q.id);
        assert!(!fields[3].is_empty(), "{} has sources", q.id);
    }
    // Every topic of the bank is a tag.
    let topics: std::collections::BTreeSet<&str> = records.iter().map(|r| r[4].as_str()).collect();
    assert!(topics.len() >= 10, "{topics:?}");
}

#[test]
fn a_csv_of_the_whole_bank_has_a_header_row_crlf_line_ends_and_five_fields_in_every_row() {
    let k = knowledge();
    let bank = whole_bank(&k);
    let text = deck(Format::Csv, &bank, &k.facts);
    assert!(text.starts_with("front,back,explanation,sources,tags\r\n"));
    assert!(text.ends_with("\r\n"));
    let records = parse(&text, ',');
    assert_eq!(records.len(), bank.len() + 1);
    for (q, fields) in bank.iter().zip(&records[1..]) {
        assert_eq!(fields, &row(q, &k.facts).to_vec(), "{}", q.id);
    }
    // Outside quoted fields every line break is CRLF: no bare LF ends a record.
    let mut quoted = false;
    let mut previous = '\0';
    for c in text.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if c == '\n' && !quoted {
            assert_eq!(previous, '\r', "a record ends with CRLF");
        }
        previous = c;
    }
}

#[test]
fn a_question_with_tabs_newlines_quotes_and_commas_round_trips() {
    let k = knowledge();
    let mut q = whole_bank(&k).remove(0);
    // Each awkward character alone in a field, so that each has to be handled by itself.
    q.prompt = "A tab\there, a comma, then".into();
    q.answer = "say \"hi\"".into();
    q.accepted = Vec::new();
    q.explanation = "two\nlines".into();
    q.choices = vec!["cr\r\nlf".into()];
    let expected = row(&q, &k.facts).to_vec();
    assert_eq!(
        expected[..3],
        [
            "A tab\there, a comma, then\nA. cr\r\nlf",
            "say \"hi\"",
            "two\nlines"
        ]
    );
    let anki = deck(Format::Anki, [&q, &q], &k.facts);
    let body = anki.strip_prefix(ANKI_HEADER).expect("headers");
    assert!(!body.starts_with('#'), "a row Anki would read as a comment");
    assert_eq!(parse(body, '\t'), vec![expected.clone(), expected.clone()]);
    let csv = deck(Format::Csv, [&q, &q], &k.facts);
    assert_eq!(parse(&csv, ',')[1..], [expected.clone(), expected]);
}

#[test]
fn quiz_export_writes_a_deck_and_never_overwrites_without_force() {
    let dir = scratch();
    let path = dir.path().join("deck.txt");
    let out = run_in(dir.path(), &["quiz", "--export", "anki", "deck.txt"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Wrote "), "{}", stdout(&out));
    let first = std::fs::read_to_string(&path).expect("written");
    assert!(first.starts_with(ANKI_HEADER));

    // A second export to the same path is refused, and the file is left as it was.
    std::fs::write(&path, "my own notes\n").expect("written");
    let out = run_in(dir.path(), &["quiz", "--export", "csv", "deck.txt"], "");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("kept"),
        "my own notes\n"
    );

    // With --force it is replaced; --topic narrows the deck.
    let out = run_in(
        dir.path(),
        &[
            "quiz", "--export", "csv", "deck.txt", "--force", "--topic", "summits",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(&path).expect("written");
    let records = parse(&csv, ',');
    assert!(records.len() > 10, "{}", records.len());
    assert!(records[1..].iter().all(|r| r[4] == "sco-bot summits"));

    // A format it does not know is named, with the ones it does.
    let out = run_in(dir.path(), &["quiz", "--export", "xlsx", "d.xlsx"], "");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("use anki"), "{}", stderr(&out));
    assert!(!dir.path().join("d.xlsx").exists());
}

fn reply_of(outcome: interaction::Outcome) -> Reply {
    match outcome.response {
        Response::Message(r) | Response::Update(r) => r,
        other => panic!("not a message: {other:?}"),
    }
}

fn study_export(app: &App, user: &str, query: &str) -> Reply {
    let (spec, args) =
        sco_bot::commands::parse_line(&format!("/study export {query}")).expect("parses");
    let req = Request {
        user: user.into(),
        guild: Some("g".into()),
        channel: "c".into(),
        locale: "en-US".into(),
        can_manage: false,
        can_manage_server: false,
        placement: Some(sco_bot::quiz::Placement::Channel),
        kind: RequestKind::Bound { spec, args },
    };
    reply_of(interaction::handle(&app.services, &req, T0 + 1_000))
}

#[test]
fn study_export_holds_exactly_the_users_missed_questions_as_a_private_file() {
    let dir = scratch();
    let db = dir.path().join("study.db");
    let app = App::build(Some(&real_facts()), db.to_str()).expect("the app builds");
    let k = knowledge();
    let qs = k.bank().order(None, 7);
    let (q1, q2, q3, q4) = (qs[0], qs[1], qs[2], qs[3]);
    let store = app.engine().expect("a store").store();
    let study = |user: &str, q: &Question, correct: bool, at: i64| {
        store
            .record_study(user, &q.id, q.topic, correct, at)
            .expect("studied");
    };
    study("alice", q1, false, T0); // missed
    study("alice", q2, true, T0); // never missed
    study("alice", q3, false, T0); // missed, then right: still a missed question
    study("alice", q3, true, T0 + 600_000);
    study("alice", q4, true, T0);
    study("bob", q2, false, T0); // bob's miss is not alice's

    let r = study_export(&app, "alice", "");
    assert!(r.ephemeral, "a private reply");
    let file = r.attachment.as_ref().expect("a file");
    assert_eq!(file.name, "sco-bot-missed.txt");
    assert_eq!(file.media_type, "text/tab-separated-values");
    let text = std::str::from_utf8(&file.bytes).expect("UTF-8");
    let records = parse(text.strip_prefix(ANKI_HEADER).expect("headers"), '\t');
    let mut want = vec![row(q1, &k.facts).to_vec(), row(q3, &k.facts).to_vec()];
    want.sort_by(|a, b| (&a[4], &a[0]).cmp(&(&b[4], &b[0])));
    let mut got = records.clone();
    got.sort_by(|a, b| (&a[4], &a[0]).cmp(&(&b[4], &b[0])));
    assert_eq!(got, want, "exactly alice's missed questions");
    assert!(
        r.body.starts_with("2 questions you have missed"),
        "{}",
        r.body
    );

    let csv = study_export(&app, "alice", "format:csv");
    let file = csv.attachment.as_ref().expect("a file");
    assert_eq!(
        (file.name.as_str(), file.media_type),
        ("sco-bot-missed.csv", "text/csv")
    );
    let records = parse(std::str::from_utf8(&file.bytes).expect("UTF-8"), ',');
    assert_eq!(records.len(), 3, "a header row and two questions");

    let bob = study_export(&app, "bob", "");
    let file = bob.attachment.as_ref().expect("a file");
    let records = parse(
        std::str::from_utf8(&file.bytes)
            .expect("UTF-8")
            .strip_prefix(ANKI_HEADER)
            .expect("headers"),
        '\t',
    );
    assert_eq!(records, vec![row(q2, &k.facts).to_vec()]);

    let nobody = study_export(&app, "carol", "");
    assert!(nobody.attachment.is_none());
    assert_eq!(nobody.title, "Nothing to export yet");
}

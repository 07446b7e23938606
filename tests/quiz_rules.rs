//! The fairness rules of issue 11, enforced over the whole question bank of the shipped facts
//! (never over examples), the session plan, and the audit's own list of items.

use std::collections::{HashMap, HashSet};

use sco_bot::facts::{Details, Entry, FactBase, Kind, Status, load_path};
use sco_bot::quiz::bank::Bank;
use sco_bot::quiz::generate::generate;
use sco_bot::quiz::{Question, Topic};
use sco_bot::search::normalize::{fold, tokens};

use crate::support::{fixture, real_facts, run_in, scratch, stdout};

fn facts() -> FactBase {
    load_path(&real_facts()).expect("the shipped facts.toml is valid")
}

fn distractors(q: &Question) -> impl Iterator<Item = &String> {
    q.choices
        .iter()
        .enumerate()
        .filter(move |(i, _)| *i != q.correct)
        .map(|(_, c)| c)
}

/// Whether `text` holds `part` as whole normalised words in a row.
fn holds(text: &str, part: &str) -> bool {
    let (text, part) = (tokens(text), tokens(part));
    !part.is_empty() && text.windows(part.len()).any(|w| w == part.as_slice())
}

fn subject<'f>(fb: &'f FactBase, q: &Question) -> Option<&'f Entry> {
    q.facts.first().and_then(|(k, id)| fb.get(*k, id))
}

#[test]
fn the_bank_keeps_at_least_450_questions_over_10_topics() {
    let bank = generate(&facts(), 0);
    let topics: HashSet<Topic> = bank.iter().map(|q| q.topic).collect();
    assert!(bank.len() >= 450, "{} questions", bank.len());
    assert!(topics.len() >= 10, "{topics:?}");
}

#[test]
fn no_distractor_is_a_status_the_country_held_or_one_the_partner_status_merged() {
    let fb = facts();
    for q in generate(&fb, 3) {
        if !(q.id.starts_with("status-now/") || q.id.starts_with("status-before/")) {
            continue;
        }
        let Some(Details::Country(c)) = subject(&fb, &q).map(|e| &e.details) else {
            panic!("{}: not about a country", q.id);
        };
        let held: Vec<&str> = c
            .history
            .iter()
            .filter_map(|s| s.status)
            .map(Status::label)
            .collect();
        for d in distractors(&q) {
            assert!(!held.contains(&d.as_str()), "{}: {d} was its status", q.id);
            if q.answer == Status::Partner.label() {
                let merged = [Status::Observer.label(), Status::DialoguePartner.label()];
                assert!(!merged.contains(&d.as_str()), "{}: {d}", q.id);
            }
        }
    }
}

#[test]
fn a_question_whose_answer_depends_on_the_date_says_as_of_the_fact_base_date() {
    let fb = facts();
    let as_of = format!("as of {}", fb.meta.as_of).to_lowercase();
    for q in generate(&fb, 0) {
        let p = q.prompt.to_lowercase();
        let dated = q.id.starts_with("status-now/")
            || ["current", " now", "today", "at present"]
                .iter()
                .any(|w| p.contains(w));
        if dated {
            assert!(p.contains(&as_of), "{}: {}", q.id, q.prompt);
        }
    }
}

#[test]
fn no_prompt_names_its_answer() {
    for q in generate(&facts(), 0) {
        for form in std::iter::once(&q.answer).chain(&q.accepted) {
            assert!(
                !holds(&q.prompt, form),
                "{}: {} names {form}",
                q.id,
                q.prompt
            );
        }
    }
}

/// Whether `text` holds `part` as whole folded words in a row, filler words kept ("SCO
/// partner" is not in "guest (not a member or partner)").
fn holds_words(text: &str, part: &str) -> bool {
    let words =
        |t: &str| -> Vec<String> { fold(t).split_whitespace().map(str::to_string).collect() };
    let (text, part) = (words(text), words(part));
    !part.is_empty() && text.windows(part.len()).any(|w| w == part.as_slice())
}

#[test]
fn no_distractor_is_named_like_the_answer() {
    for q in generate(&facts(), 0) {
        for d in distractors(&q) {
            assert!(
                !holds_words(d, &q.answer) && !holds_words(&q.answer, d),
                "{}: {d} and {}",
                q.id,
                q.answer
            );
        }
    }
}

#[test]
fn explanations_are_written_for_students_not_curators() {
    // Curators' words, listed here independently of the generator's own list.
    let curator = [
        "fact sheet",
        "mledoze",
        "dataset",
        "seed article",
        "facts.toml",
        "re-checked",
    ];
    for q in generate(&facts(), 0) {
        let e = q.explanation.to_lowercase();
        for w in curator {
            assert!(!e.contains(w), "{}: “{w}” in {}", q.id, q.explanation);
        }
        assert!(!q.explanation.trim().is_empty(), "{}: no explanation", q.id);
    }
}

#[test]
fn no_question_asks_what_a_document_said_or_about_an_unchecked_claim() {
    let fb = facts();
    for q in generate(&fb, 0) {
        let p = q.prompt.to_lowercase();
        assert!(
            !p.contains("verdict") && !p.contains("fact sheet"),
            "{}",
            q.id
        );
        for (k, id) in &q.facts {
            if let Some(Details::Claim(c)) = fb.get(*k, id).map(|e| &e.details) {
                assert_ne!(c.verdict.key(), "unchecked", "{}: cites {id}", q.id);
            }
        }
    }
}

#[test]
fn a_subject_rated_below_high_is_asked_as_reported_and_never_as_certain() {
    let fb = facts();
    for q in generate(&fb, 0) {
        if q.id.starts_with("curated/") {
            continue;
        }
        let Some(s) = subject(&fb, &q) else { continue };
        assert_ne!(s.confidence.key(), "low", "{}", q.id);
        if s.confidence.key() == "medium" {
            assert!(q.prompt.contains("(reported)"), "{}: {}", q.id, q.prompt);
            assert!(q.explanation.contains("Reported"), "{}", q.id);
        }
    }
}

#[test]
fn a_session_never_asks_two_questions_about_the_same_fact() {
    let bank = Bank::new(generate(&facts(), 0));
    let topics = std::iter::once(None).chain(Topic::ALL.iter().copied().map(Some));
    for topic in topics {
        for seed in 0..20 {
            let plan = bank.plan(topic, seed, 50);
            assert!(!plan.is_empty(), "{topic:?}");
            let mut seen = HashSet::new();
            for q in &plan {
                if let Some(f) = q.facts.first() {
                    assert!(seen.insert(f.clone()), "{topic:?} seed {seed}: {f:?} twice");
                }
            }
        }
    }
    // A fact asked several ways exists, so the rule has something to do.
    let mut per_subject: HashMap<(Kind, String), usize> = HashMap::new();
    for q in bank.all() {
        if let Some(f) = q.facts.first() {
            *per_subject.entry(f.clone()).or_default() += 1;
        }
    }
    assert!(per_subject.values().any(|n| *n >= 4));
}

/// The fact base's typed field named in the audit fixture, if present.
fn has_field(e: &Entry, field: &str) -> bool {
    match (&e.details, field) {
        (Details::Country(c), "official_name") => c.official_name.is_some(),
        (Details::Summit(s), "format") => s.format.is_some(),
        (Details::Body(b), "category") => b.category.is_some(),
        (_, other) => panic!("the audit fixture names an unknown field {other}"),
    }
}

#[test]
fn every_audited_item_is_fixed() {
    let fb = facts();
    let bank = Bank::new(generate(&fb, 0));
    let entry = |target: &str| -> &Entry {
        let (kind, id) = target.split_once(':').expect("kind:id");
        fb.get(Kind::from_key(kind).expect("a kind"), id)
            .unwrap_or_else(|| panic!("no {target}"))
    };
    let text = std::fs::read_to_string(fixture("audit-issue-11.tsv")).expect("fixture");
    let mut terminal: Vec<(String, String)> = Vec::new();
    let mut rows = 0;
    let mut classes = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let cols: Vec<&str> = line.split('\t').collect();
        let (class, target, check) = (cols[0], cols[2], cols[3]);
        classes.insert(class);
        let arg = cols.get(4).copied().unwrap_or_default();
        let at = format!("audit-issue-11.tsv:{}", n + 1);
        let question = || {
            bank.get(target)
                .unwrap_or_else(|| panic!("{at}: no question {target}"))
        };
        let has = |hay: &str| hay.to_lowercase().contains(&arg.to_lowercase());
        match check {
            "absent" => assert!(bank.get(target).is_none(), "{at}: {target} is asked"),
            "no-choice" => assert!(!question().choices.iter().any(|c| c == arg), "{at}"),
            "prompt-has" => assert!(has(&question().prompt), "{at}: {}", question().prompt),
            "prompt-lacks" => assert!(!has(&question().prompt), "{at}: {}", question().prompt),
            "explanation-has" => assert!(has(&question().explanation), "{at}"),
            "explanation-lacks" => assert!(!has(&question().explanation), "{at}"),
            "summary-lacks" => assert!(!has(&entry(target).summary), "{at}"),
            "no-field" => assert!(!has_field(entry(target), arg), "{at}"),
            "role" => match &entry(target).details {
                Details::Person(p) => assert_eq!(p.role.key(), arg, "{at}"),
                _ => panic!("{at}: not a person"),
            },
            "verdict" => match &entry(target).details {
                Details::Claim(c) => assert_eq!(c.verdict.key(), arg, "{at}"),
                _ => panic!("{at}: not a claim"),
            },
            "history-says" => match &entry(target).details {
                Details::Country(c) => {
                    let last = c.history.last().expect("a history");
                    assert!(has(&last.event), "{at}: {}", last.event);
                }
                _ => panic!("{at}: not a country"),
            },
            "lookup-lacks" => {
                let line = target.strip_prefix("lookup:").expect("lookup:LINE");
                let dir = scratch();
                let facts = real_facts();
                let facts = facts.to_str().expect("UTF-8 path");
                let out = stdout(&run_in(dir.path(), &["--facts", facts, "ask", line], ""));
                assert!(out.contains("Russian"), "{at}: {out}");
                assert!(!has(&out), "{at}: {out}");
            }
            "terminal" => terminal.push((arg.to_string(), cols[5].to_string())),
            other => panic!("{at}: unknown check {other}"),
        }
    }
    assert!(rows >= 50, "{rows} audited items");
    assert_eq!(classes.len(), 6, "{classes:?}");
    // The terminal items: one quiz, the audited lines typed in order, then q and y.
    let dir = scratch();
    let db = dir.path().join("quiz.db");
    let facts = real_facts();
    let mut input: String = terminal.iter().map(|(l, _)| format!("{l}\n")).collect();
    input.push_str("q\nno\nq\ny\n");
    let out = stdout(&run_in(
        dir.path(),
        &[
            "--facts",
            facts.to_str().expect("UTF-8 path"),
            "--db",
            db.to_str().expect("UTF-8 path"),
            "quiz",
            "--questions",
            "5",
            "--seed",
            "7",
        ],
        &input,
    ));
    for (typed, expected) in &terminal {
        assert!(
            out.contains(expected),
            "{typed:?}: no {expected:?} in\n{out}"
        );
    }
    assert!(out.contains("Stop the quiz? Type y to stop"), "{out}");
    assert!(out.contains("Going on."), "{out}");
    assert!(out.contains("Quiz stopped"), "{out}");
}

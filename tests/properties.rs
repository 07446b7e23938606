//! Property tests (proptest) of invariants every input must keep: normalisation is idempotent,
//! a name or alias looks up its own entry, autocomplete stays within Discord's limits, and
//! every generated question has exactly one right choice.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::select;
use sco_bot::Knowledge;
use sco_bot::commands::{COMMANDS, OptionKind};
use sco_bot::facts::FactBase;
use sco_bot::interaction::{self, Response};
use sco_bot::quiz::check::{Judgement, judge};
use sco_bot::search::normalize::{fold, tokens};

fn real() -> &'static Arc<Knowledge> {
    sco_bot::fuzzing::knowledge()
}

/// Text as users type it: pieces of real names, number words, punctuation, other scripts and
/// any character at all.
fn typed() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        select(vec![
            "Shanghai",
            "the",
            "Republic",
            "of",
            "U.",
            "A.",
            "E.",
            "twenty",
            "five",
            "fifth",
            "17th",
            "2017",
            "0",
            "-",
            "−",
            "&",
            "'",
            "’",
            "Россия",
            "中国",
            "Türkiye",
            " ",
            "  ",
            "SCO",
            "summit",
            "hundred",
            "a",
            "b",
        ])
        .prop_map(str::to_string),
        any::<char>().prop_map(|c| c.to_string()),
        "[a-z0-9 .,-]{0,6}",
    ];
    prop::collection::vec(piece, 0..10).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn folding_is_idempotent(s in typed()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn folding_any_string_is_idempotent(s in any::<String>()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once);
    }

    #[test]
    fn a_folded_query_tokenises_as_the_query_does(s in typed()) {
        prop_assert_eq!(tokens(&fold(&s)), tokens(&s));
    }
}

/// Every (entry, name) pair a user may type: names, aliases, Russian and Chinese names,
/// official names.
fn names() -> Vec<(usize, String)> {
    real()
        .facts
        .entries
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.names().map(move |n| (i, n.to_string())))
        .collect()
}

/// How a user may write a name: as written, lower case, upper case, with spaces around.
fn restyle(name: &str, style: u8) -> String {
    match style % 4 {
        0 => name.to_string(),
        1 => name.to_lowercase(),
        2 => name.to_uppercase(),
        _ => format!("  {name} "),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn a_name_or_alias_resolves_to_its_entry((entry, name) in select(names()), style in any::<u8>()) {
        let k = real();
        let kind = k.facts.entries[entry].kind;
        let query = restyle(&name, style);
        let found = k.index.lookup(&query, Some(kind)).matched().map(|h| h.entry);
        prop_assert_eq!(
            found,
            Some(entry),
            "{:?} in {:?} should find {}",
            query,
            kind,
            k.facts.entries[entry].id
        );
    }
}

/// Every (command, option) that autocompletes.
fn completed_options() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for c in COMMANDS {
        for o in c.options {
            if matches!(o.kind, OptionKind::Lookup(_) | OptionKind::CommandName) {
                out.push((c.name, o.name));
            }
        }
    }
    assert!(!out.is_empty(), "some options autocomplete");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn autocomplete_keeps_to_discords_limits(
        (command, option) in select(completed_options()),
        partial in prop_oneof![typed(), any::<String>(), select(names()).prop_map(|(_, n)| n)],
    ) {
        let choices = interaction::autocomplete(real(), command, option, &partial);
        prop_assert!(choices.len() <= 25, "{} choices", choices.len());
        for c in &choices {
            prop_assert!(!c.name.is_empty() && !c.value.is_empty());
            prop_assert!(c.name.chars().count() <= 100, "name {:?}", c.name);
            prop_assert!(c.value.chars().count() <= 100, "value {:?}", c.value);
        }
        // And as the Discord front end sends them.
        let sent = sco_bot::discord::render::response(&Response::Choices(choices), "en-US");
        let json = serde_json::to_value(&sent).expect("serialises");
        let sent = json["data"]["choices"].as_array().cloned().unwrap_or_default();
        prop_assert!(sent.len() <= 25);
        for c in sent {
            let (name, value) = (c["name"].as_str().unwrap_or(""), c["value"].as_str().unwrap_or(""));
            prop_assert!((1..=100).contains(&name.chars().count()), "sent name {:?}", name);
            prop_assert!((1..=100).contains(&value.chars().count()), "sent value {:?}", value);
        }
    }
}

/// Checks one question: four distinct choices, the one at `correct` is the answer, and the
/// answer checker accepts exactly that one when each choice is typed.
fn one_right_choice(q: &sco_bot::quiz::Question) -> Result<(), TestCaseError> {
    prop_assert!(
        q.choices.len() >= 2,
        "{}: {} choices",
        q.id,
        q.choices.len()
    );
    prop_assert!(
        q.correct < q.choices.len(),
        "{}: correct out of range",
        q.id
    );
    prop_assert_eq!(&q.choices[q.correct], &q.answer, "{}", q.id);
    let right: Vec<usize> = q
        .choices
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(judge(c, q), Judgement::Correct { .. }))
        .map(|(i, _)| i)
        .collect();
    prop_assert_eq!(right, vec![q.correct], "{}: choices {:?}", q.id, q.choices);
    Ok(())
}

proptest! {
    // Each case generates the whole bank (a few hundred questions) from a new seed.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn every_generated_question_has_exactly_one_right_choice(seed in any::<u64>()) {
        let facts = FactBase::bundled().expect("the built-in facts load");
        let questions = sco_bot::quiz::generate::generate(&facts, seed);
        prop_assert!(questions.len() > 50);
        for q in &questions {
            one_right_choice(q)?;
        }
    }
}

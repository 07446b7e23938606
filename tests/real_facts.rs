use sco_bot::facts::{Details, DocType, FactBase, Kind, Status, load_path};

use crate::support::real_facts;

fn facts() -> FactBase {
    load_path(&real_facts()).expect("the shipped facts.toml is valid")
}

#[test]
fn the_shipped_file_is_the_built_in_copy() {
    let on_disk = std::fs::read_to_string(real_facts()).expect("facts.toml");
    assert_eq!(on_disk, sco_bot::facts::BUNDLED_FACTS);
}

#[test]
fn it_covers_every_kind_the_issue_asks_for() {
    let fb = facts();
    let count = |k| fb.of_kind(k).count();
    assert_eq!(
        count(Kind::Country),
        28,
        "10 members, 17 partners, Turkmenistan"
    );
    assert_eq!(count(Kind::Person), 8, "eight secretaries-general");
    assert!(count(Kind::Principle) >= 9);
    assert!(count(Kind::Body) >= 9);
    assert!(count(Kind::Document) >= 12);
    assert!(count(Kind::Term) >= 6);
    assert!(count(Kind::Claim) >= 8);
    let mut years: Vec<i32> = fb
        .of_kind(Kind::Summit)
        .filter_map(|e| match &e.details {
            Details::Summit(s) => Some(s.year),
            _ => None,
        })
        .collect();
    years.sort_unstable();
    assert_eq!(
        years,
        (1996..=2026).collect::<Vec<_>>(),
        "Shanghai Five 1996–2000, SCO 2001–2026"
    );
}

#[test]
fn statuses_agree_with_the_fact_sheet() {
    let fb = facts();
    let status = |id: &str| match &fb.get(Kind::Country, id).expect(id).details {
        Details::Country(c) => c.status(),
        _ => unreachable!("countries have country details"),
    };
    for id in [
        "china",
        "russia",
        "kazakhstan",
        "kyrgyzstan",
        "tajikistan",
        "uzbekistan",
        "india",
        "pakistan",
        "iran",
        "belarus",
    ] {
        assert_eq!(status(id), Status::Member, "{id}");
    }
    let members = fb
        .of_kind(Kind::Country)
        .filter(|e| matches!(&e.details, Details::Country(c) if c.status() == Status::Member))
        .count();
    assert_eq!(members, 10);
    assert_eq!(status("mongolia"), Status::Partner);
    assert_eq!(status("laos"), Status::Partner);
    assert_eq!(status("turkmenistan"), Status::Guest);
    let accession = |id: &str| match &fb.get(Kind::Country, id).expect(id).details {
        Details::Country(c) => c.accession().map(|s| s.date.iso()),
        _ => None,
    };
    assert_eq!(accession("india").as_deref(), Some("2017-06-09"));
    assert_eq!(accession("pakistan").as_deref(), Some("2017-06-09"));
    assert_eq!(accession("iran").as_deref(), Some("2023-07-04"));
    assert_eq!(accession("belarus").as_deref(), Some("2024-07-04"));
    assert_eq!(accession("kazakhstan").as_deref(), Some("2001-06-15"));
}

#[test]
fn key_dates_match_the_sheet_and_its_corrections() {
    let fb = facts();
    let charter = fb
        .of_kind(Kind::Document)
        .find_map(|e| match &e.details {
            Details::Document(d) if d.doc_type == DocType::Charter => Some(d.clone()),
            _ => None,
        })
        .expect("the Charter");
    assert_eq!(charter.signed.iso(), "2002-06-07", "7 June, not 7 July");
    assert_eq!(
        charter.in_force.map(|d| d.iso()).as_deref(),
        Some("2003-09-19")
    );
    let treaty = fb
        .of_kind(Kind::Document)
        .find_map(|e| match &e.details {
            Details::Document(d) if d.doc_type == DocType::Treaty && d.place == "Bishkek" => {
                Some(d.signed.iso())
            }
            _ => None,
        })
        .expect("the Good-Neighbourliness Treaty");
    assert_eq!(treaty, "2007-08-16", "16 August, not 10 August");
    let norov = fb
        .get(Kind::Person, "vladimir-norov")
        .or_else(|| fb.of_kind(Kind::Person).find(|e| e.name.contains("Norov")));
    match norov.map(|e| &e.details) {
        Some(Details::Person(p)) => assert_eq!((p.from_year, p.to_year), (2019, 2021)),
        other => panic!("Norov: {other:?}"),
    }
    let summit_2023 = fb
        .of_kind(Kind::Summit)
        .find(|e| matches!(&e.details, Details::Summit(s) if s.year == 2023))
        .expect("2023");
    match &summit_2023.details {
        Details::Summit(s) => assert_eq!(s.number, 23, "the 23rd, not the 22nd"),
        _ => unreachable!("summit details"),
    }
}

#[test]
fn uncertain_entries_say_so() {
    let fb = facts();
    let summit_2026 = fb
        .of_kind(Kind::Summit)
        .find(|e| matches!(&e.details, Details::Summit(s) if s.year == 2026))
        .expect("2026");
    assert_ne!(summit_2026.confidence, sco_bot::facts::Confidence::High);
    assert!(summit_2026.caveat.is_some());
    for e in &fb.entries {
        if e.confidence != sco_bot::facts::Confidence::High {
            assert!(
                e.caveat.is_some(),
                "{} {} is not high confidence but has no caveat",
                e.kind,
                e.id
            );
        }
    }
}

#[test]
fn every_entry_cites_a_listed_source() {
    let fb = facts();
    for e in &fb.entries {
        assert!(!e.sources.is_empty(), "{}", e.id);
        for s in &e.sources {
            assert!(fb.source(s).is_some(), "{} cites unknown {s}", e.id);
        }
    }
    let claims_cite_article = fb
        .of_kind(Kind::Claim)
        .all(|e| e.sources.iter().any(|s| s == "seed-article"));
    assert!(claims_cite_article, "every claim cites the seed article");
}

//! A plain loop of lookups for instruction counts: `valgrind --tool=callgrind
//! target/release/examples/lookup_loop SET ROUNDS`, SET `wide` (the 321 queries of
//! tests/fixtures/lookup-queries.tsv) or `samples` (the 34 sample queries). Run it with 0 rounds
//! and with some, and divide the difference by the lookups made: the index's construction cancels.

use std::hint::black_box;

use sco_bot::Knowledge;
use sco_bot::facts::{FactBase, Kind};

/// The sample queries of ../shared/probes/lookup-examples.tsv (as in benches/lookup.rs).
const PROBES: &[(&str, &str)] = &[
    ("member", "kazakhsatn"),
    ("member", "kyrgizstan"),
    ("member", "tadjikstan"),
    ("member", "ouzbekistan"),
    ("member", "chine"),
    ("member", "the russian federation"),
    ("member", "inida"),
    ("member", "pakstan"),
    ("member", "iran islamic republic"),
    ("member", "belaruss"),
    ("member", "mongolya"),
    ("member", "afghanistn"),
    ("member", "azerbeijan"),
    ("member", "arab emirates"),
    ("member", "Китай"),
    ("member", "spain"),
    ("member", "japan"),
    ("principle", "mutual trus"),
    ("principle", "equallity"),
    ("principle", "respect for cultural diversity"),
    ("principle", "nonconfrontation"),
    ("principle", "spaghetti"),
    ("body", "regional antiterrorist structure"),
    ("body", "secretariet"),
    ("body", "council of heads of states"),
    ("summit", "2018"),
    ("summit", "samarkand 2022"),
    ("summit", "bishkek 2007"),
    ("document", "sco chater"),
    ("document", "convention against extremism"),
    ("term", "three evil"),
    ("term", "shanghai-five"),
    ("fact", "secretariat beijing"),
    ("fact", "zzqqxx"),
];

fn scope(command: &str) -> Option<Kind> {
    match command {
        "member" => Some(Kind::Country),
        "fact" => None,
        other => Kind::from_key(other),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let set = args.get(1).map_or("wide", String::as_str);
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1);
    let queries: Vec<(&str, &str)> = match set {
        "samples" => PROBES.to_vec(),
        _ => include_str!("../tests/fixtures/lookup-queries.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t'))
            .collect(),
    };
    let k = Knowledge::new(FactBase::bundled().expect("the built-in facts load"));
    for _ in 0..rounds {
        for (command, query) in &queries {
            black_box(k.index.lookup(black_box(query), scope(command)));
        }
    }
    eprintln!("{} lookups", rounds * queries.len());
}

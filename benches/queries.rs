//! The lookup queries the lookup bench and `examples/lookup_loop.rs` both run (included by
//! path from each, so the two measure the same set).

use sco_bot::facts::Kind;

/// The sample queries of ../shared/probes/lookup-examples.tsv: what users type.
pub const PROBES: &[(&str, &str)] = &[
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

/// The wider query set of tests/fixtures/lookup-queries.tsv (typos, transliterations, other
/// scripts, cross-kind), whose results tests/lookup.rs pins.
pub fn wide_queries() -> Vec<(&'static str, &'static str)> {
    include_str!("../tests/fixtures/lookup-queries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

/// The kind a probe's command looks in (`/fact` looks everywhere).
pub fn scope(command: &str) -> Option<Kind> {
    match command {
        "member" => Some(Kind::Country),
        "fact" => None,
        other => Kind::from_key(other),
    }
}

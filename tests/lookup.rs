use sco_bot::{Knowledge, cli};

/// Scores a probe file in the format of ../shared/probes/lookup-examples.tsv against the
/// built-in fact base, through the same path as `sco-bot ask --json`.
fn misses(tsv: &str) -> (usize, Vec<String>) {
    let k = Knowledge::new(sco_bot::facts::FactBase::bundled().expect("the built-in facts load"));
    let fold = |s: &str| sco_bot::search::normalize::fold(s);
    let mut misses = Vec::new();
    let mut total = 0;
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "bad probe line: {line}");
        total += 1;
        let out = cli::json_line(&k, &format!("/{} {}", cols[0], cols[1]));
        let title = out["match"]["title"].as_str().map(fold);
        let ok = match (cols[2], &title) {
            ("-", None) => true,
            ("-", Some(_)) | (_, None) => false,
            (expect, Some(t)) => expect
                .split('|')
                .any(|alt| alt.split('&').all(|p| t.contains(&fold(p)))),
        };
        if !ok {
            misses.push(format!(
                "/{} {:?}: expected {:?}, got {title:?}",
                cols[0], cols[1], cols[2]
            ));
        }
    }
    (total, misses)
}

#[test]
fn every_sample_lookup_resolves_as_expected() {
    let (total, misses) = misses(include_str!("fixtures/lookups.tsv"));
    assert!(total > 200, "the table has {total} probes");
    assert!(
        misses.is_empty(),
        "{} of {total} missed:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn every_year_answers_the_summit_of_that_year_and_no_other() {
    use sco_bot::facts::{Details, Kind};
    let k = Knowledge::new(sco_bot::facts::FactBase::bundled().expect("facts"));
    for year in 1996..=2026 {
        for query in [year.to_string(), format!("summit {year}")] {
            let r = k.index.lookup(&query, Some(Kind::Summit));
            let hit = r
                .matched()
                .unwrap_or_else(|| panic!("{query} found no summit"));
            match &k.facts.entries[hit.entry].details {
                Details::Summit(s) => assert_eq!(s.year, year, "{query}"),
                other => panic!("{query} answered {other:?}"),
            }
        }
    }
    assert_eq!(k.index.lookup("2031", Some(Kind::Summit)).matched(), None);
}

/// The scope a lookup command searches (`fact` searches every kind), as the handlers use it.
fn scope_of(command: &str) -> Option<sco_bot::facts::Kind> {
    match command {
        "fact" => None,
        "member" => Some(sco_bot::facts::Kind::Country),
        other => sco_bot::facts::Kind::from_key(other),
    }
}

/// Every ranked result of every query in `fixtures/lookup-queries.tsv`, one line per query:
/// the outcome with its exact score, the suggestions with theirs, and the autocomplete choices.
fn golden_lines(k: &Knowledge) -> String {
    use sco_bot::search::Outcome;
    let id = |e: usize| k.facts.entries[e].id.as_str();
    let mut out = String::new();
    for line in include_str!("fixtures/lookup-queries.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (command, query) = line.split_once('\t').expect("command TAB query");
        let scope = scope_of(command);
        let r = k.index.lookup(query, scope);
        let outcome = match &r.outcome {
            Outcome::Match(h) => format!("match {} {}", id(h.entry), h.score),
            Outcome::NotInSco { iso, .. } => format!("not-in-sco {iso}"),
            Outcome::NoMatch => "none".to_string(),
        };
        let suggestions: Vec<String> = r
            .suggestions
            .iter()
            .map(|h| format!("{} {}", id(h.entry), h.score))
            .collect();
        let choices: Vec<&str> = k
            .index
            .complete(query, scope, sco_bot::search::AUTOCOMPLETE_LIMIT)
            .iter()
            .map(|c| id(c.entry))
            .collect();
        out.push_str(&format!(
            "{command}\t{query}\t{outcome}\t{}\t{}\n",
            suggestions.join(", "),
            choices.join(" ")
        ));
    }
    out
}

/// Pins what the search answers, scores and rankings included, for the ~300 queries of the
/// speed bench, so that making lookups faster provably changes no result. After an intended
/// change of results (the scorer or facts.toml), regenerate the file with
/// `SCO_BLESS=1 cargo test lookup_results_are_the_golden_ones` and review its diff.
#[test]
fn lookup_results_are_the_golden_ones() {
    let k = Knowledge::new(sco_bot::facts::FactBase::bundled().expect("the built-in facts load"));
    let got = golden_lines(&k);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lookup-golden.tsv"
    );
    if std::env::var_os("SCO_BLESS").is_some() {
        std::fs::write(path, &got).expect("the golden file is writable");
    }
    let want = std::fs::read_to_string(path).expect("tests/fixtures/lookup-golden.tsv exists");
    let changed: Vec<String> = want
        .lines()
        .zip(got.lines())
        .filter(|(w, g)| w != g)
        .take(10)
        .map(|(w, g)| format!("want {w}\n got {g}"))
        .collect();
    assert!(
        changed.is_empty() && want.lines().count() == got.lines().count(),
        "lookup results changed ({} lines pinned, {} now):\n{}",
        want.lines().count(),
        got.lines().count(),
        changed.join("\n")
    );
}

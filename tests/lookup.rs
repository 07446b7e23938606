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

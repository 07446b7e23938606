use crate::support::{fixture, run, scratch, stderr, stdout};
use sco_bot::facts::{FactsError, parse_bytes, parse_str};

fn check_file(path: &std::path::Path) -> (bool, String, String) {
    let out = run(&["check", path.to_str().expect("UTF-8 path")]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "check panicked: {err}");
    (out.status.success(), stdout(&out), err)
}

#[test]
fn a_valid_file_prints_counts_per_kind() {
    let (ok, out, _) = check_file(&fixture("mini.toml"));
    assert!(ok);
    assert!(
        out.contains("OK, version 0.0.1 as of 2026-11-28: 3 countries, 1 principles"),
        "{out}"
    );
    assert!(out.contains("3 summits and meetings"), "{out}");
    assert!(out.contains("2 sources"), "{out}");
}

#[test]
fn every_problem_is_reported_at_once_with_line_and_column() {
    let path = fixture("many-problems.toml");
    let (ok, _, err) = check_file(&path);
    assert!(!ok);
    let shown = path.display().to_string();
    let expected = [
        "20:1: unknown field `sumary` in [[country]]; did you mean `summary`?",
        "24:6: duplicate id \"kazakhstan\" among [[country]] entries",
        "26:12: \"kazakstan\" is already a name or alias of [[country]] \"kazakhstan\"; a name must point to one entry",
        "37:12: unknown source id \"shet\"; add a [[source]] with this id or fix the spelling",
        "40:12: history is out of order: 2004-06-17 comes after a step dated 2025-09-01; list steps oldest first",
        "40:33: `status` is \"observator\"; it must be one of \"shanghai_five\", \"member\", \"observer\", \"dialogue_partner\", \"partner\", \"guest\"",
        "43:1: [[principle]] has no source: list at least one source id in `sources`",
        "46:11: `aliases` must be an array of strings, found a string",
        "59:7: `end` is before `start`",
        "61:11: there is no [[country]] with id \"kazakstan\"",
        "66:1: [[document]] is missing the required field `signed`",
        "83:11: `to_year` is before `from_year`",
    ];
    let lines: Vec<&str> = err.lines().collect();
    for (line, want) in lines.iter().zip(expected) {
        assert_eq!(*line, format!("{shown}:{want}"));
    }
    assert_eq!(lines.len(), expected.len() + 1, "{err}");
    assert_eq!(
        lines[expected.len()],
        format!("{shown}: 12 problems found; nothing was changed")
    );
}

fn problems(text: &str) -> Vec<String> {
    match parse_str(text, "facts.toml") {
        Ok(_) => Vec::new(),
        Err(FactsError::Invalid {
            diagnostics, path, ..
        }) => diagnostics.iter().map(|d| d.render(&path)).collect(),
        Err(other) => vec![other.to_string()],
    }
}

const META: &str = "[meta]\nversion = \"1\"\nas_of = 2026-11-28\ntitle = \"t\"\ncite = \"c\"\n";

#[test]
fn impossible_dates_are_reported_where_they_are() {
    let text = format!(
        "{META}[[source]]\nid = \"s\"\ntitle = \"t\"\npublisher = \"p\"\naccessed = 2023-02-30\n"
    );
    assert_eq!(
        problems(&text),
        ["facts.toml:10:12: invalid date, expected day between 01 and 28"]
    );
    let text = format!(
        "{META}[[source]]\nid = \"s\"\ntitle = \"t\"\npublisher = \"p\"\naccessed = 2023-02-03T10:00:00\n"
    );
    assert_eq!(
        problems(&text),
        [
            "facts.toml:10:12: `accessed`: expected a plain date like 2001-06-15, without a time or offset"
        ]
    );
}

#[test]
fn wrong_types_and_unknown_tables_are_named() {
    let text = format!("country = 5\n{META}[[planet]]\nid = \"mars\"\n");
    assert_eq!(
        problems(&text),
        [
            "facts.toml:1:11: `country` must be an array of tables, written [[country]], found an integer",
            "facts.toml:7:3: unknown table `planet`; the tables are [meta], [[source]], [[country]], [[principle]], [[body]], [[summit]], [[document]], [[term]], [[person]], [[claim]] and [[question]]",
        ]
    );
    assert_eq!(
        problems(""),
        ["facts.toml:1:1: the file has no [meta] table (version, as_of, title, cite)"]
    );
}

#[test]
fn every_truncation_of_a_valid_file_is_an_error_or_valid_never_a_panic() {
    let text = std::fs::read_to_string(fixture("mini.toml")).expect("fixture");
    let mut errors = 0;
    for (cut, _) in text.char_indices() {
        if parse_str(&text[..cut], "facts.toml").is_err() {
            errors += 1;
        }
    }
    assert!(
        errors > text.len() / 2,
        "most truncations are invalid ({errors})"
    );
    let cut = text.find("[[summit]]").expect("fixture has summits") + 40;
    let p = problems(&text[..cut]);
    assert!(
        p.iter().any(|m| m.contains("missing the required field")),
        "{p:?}"
    );
}

#[test]
fn non_utf8_bytes_are_reported_with_their_position() {
    let dir = scratch();
    let path = dir.path().join("facts.toml");
    std::fs::write(&path, b"[meta]\nversion = \"\xff\"\n").expect("write");
    let (ok, _, err) = check_file(&path);
    assert!(!ok);
    assert!(
        err.starts_with(&format!(
            "{}:2:12: the file is not valid UTF-8 here (byte 0xff); save it as UTF-8",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A fixed pseudo-random sequence, so a failure reproduces.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in [1usize, 7, 64, 500, 4096] {
        for _ in 0..20 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Mostly TOML-ish characters, sometimes anything.
                    let pick = (x % 100) as u8;
                    if pick < 80 {
                        b"[]=\"'{},.\n abc123-_#:"[(x >> 8) as usize % 21]
                    } else {
                        (x >> 16) as u8
                    }
                })
                .collect();
            assert!(parse_bytes(&bytes, "facts.toml").is_err());
        }
    }
}

#[test]
fn a_fifty_megabyte_file_is_refused_with_a_clear_message() {
    let dir = scratch();
    let path = dir.path().join("huge.toml");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(50 * 1024 * 1024).expect("a sparse 50 MB file");
    let (ok, _, err) = check_file(&path);
    assert!(!ok);
    assert!(
        err.contains("huge.toml is larger than the 8 MiB limit for a fact base"),
        "{err}"
    );
}

//! The fuzz targets' bodies (`sco_bot::fuzzing`) over their committed corpus (`fuzz/corpus/`)
//! and over every input a fuzz run found that once failed, so the stable toolchain builds and
//! runs what `cargo fuzz` runs, and a fixed crash stays fixed.

use std::path::Path;

use sco_bot::fuzzing::TARGETS;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("readable"))
        })
        .collect()
}

#[test]
fn every_target_runs_its_whole_corpus_without_panicking() {
    for (name, run) in TARGETS {
        let files = corpus(name);
        assert!(files.len() >= 5, "{name}: a seed corpus of a few files");
        for (file, data) in files {
            let caught = std::panic::catch_unwind(|| run(&data));
            assert!(caught.is_ok(), "fuzz/corpus/{name}/{file} panics");
        }
    }
}

#[test]
fn every_fuzz_target_has_a_body_and_a_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for (name, _) in TARGETS {
        let target = std::fs::read_to_string(root.join(format!("fuzz_targets/{name}.rs")))
            .unwrap_or_else(|_| panic!("fuzz/fuzz_targets/{name}.rs exists"));
        assert!(
            target.contains(&format!("sco_bot::fuzzing::{name}(data)")),
            "{name}: the target calls its library body"
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} in fuzz/Cargo.toml"
        );
    }
}

#[test]
fn the_interaction_seeds_are_interactions_the_endpoint_answers() {
    // A seed serde refuses explores only the parser's error paths: each must reach a handler.
    for (file, data) in corpus("interaction_body") {
        let json: serde_json::Value = serde_json::from_slice(&data).expect("seeds are JSON");
        let answered =
            sco_bot::discord::http::answer_verified(&services(), &data, 1_767_225_600_000);
        let answered =
            answered.unwrap_or_else(|| panic!("{file} is refused as not an interaction"));
        let reply: serde_json::Value = serde_json::from_slice(&answered).expect("JSON");
        assert!(reply["type"].is_u64(), "{file}: {json} → {reply}");
    }
}

fn services() -> sco_bot::interaction::Services {
    let k = std::sync::Arc::clone(sco_bot::fuzzing::knowledge());
    sco_bot::interaction::Services {
        facts: std::sync::Arc::new(sco_bot::Reloader::fixed(k)),
        engine: None,
        rate: None,
        clock: sco_bot::daily::Clock::wall(),
    }
}

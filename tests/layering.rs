//! The architecture's layering, checked on the source: only the Discord front end names
//! serenity, and only the store names rusqlite.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of code (not comments) that name the crate `krate` as a path (`krate::…`, `use
/// krate`); a log filter such as `"serenity=warn"` is text, not a use.
fn uses(path: &Path, krate: &str) -> Vec<String> {
    let (path_use, use_stmt) = (format!("{krate}::"), format!("use {krate}"));
    std::fs::read_to_string(path)
        .expect("readable")
        .lines()
        .filter(|l| {
            let code = l.trim_start();
            !code.starts_with("//") && (code.contains(&path_use) || code.contains(&use_stmt))
        })
        .map(str::to_string)
        .collect()
}

fn check(needle: &str, allowed: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 20, "the walk found the sources");
    let mut found = false;
    for file in files {
        let rel = file.strip_prefix(&root).expect("under src");
        let lines = uses(&file, needle);
        if rel.starts_with(allowed) {
            found |= !lines.is_empty();
            continue;
        }
        assert!(
            lines.is_empty(),
            "{} uses {needle} outside src/{allowed}: {lines:?}",
            rel.display()
        );
    }
    assert!(found, "src/{allowed} itself uses {needle}");
}

#[test]
fn only_the_discord_front_end_uses_serenity() {
    check("serenity", "discord");
}

#[test]
fn only_the_pictures_use_resvg() {
    check("resvg", "pictures");
}

#[test]
fn only_the_store_uses_rusqlite() {
    check("rusqlite", "store");
}

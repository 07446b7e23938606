//! The traffic log: with `FAKE_DISCORD_DUMP=PATH`, every fake appends each request it receives to
//! PATH as one JSON line: `{"method", "path", "query", "body", "status"}`, where `body` is the
//! JSON body, or the `payload_json` part of a multipart body (`null` when there was none).
//!
//! Every fake in the test process appends to the same file, so lines are written whole under
//! one process-wide lock. `FAKE_DISCORD_DUMP=traffic.jsonl cargo test` leaves the log of the
//! whole suite; [`check_file`] revalidates such a log against Discord's spec.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

/// The environment variable that names the log file.
pub const DUMP_VAR: &str = "FAKE_DISCORD_DUMP";

/// One log line (without the newline).
pub fn line(method: &str, path: &str, query: Option<&str>, body: &Value, status: u16) -> String {
    json!({
        "method": method,
        "path": path,
        "query": query,
        "body": body,
        "status": status,
    })
    .to_string()
}

/// Appends `line` and a newline to `path`, creating it if needed.
pub fn append(path: &Path, line: &str) {
    static WRITING: Mutex<()> = Mutex::new(());
    let _whole_lines = WRITING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("cannot open {DUMP_VAR} file {}: {e}", path.display()));
    // One write of the whole line, so a reader never sees half of one.
    file.write_all(format!("{line}\n").as_bytes())
        .unwrap_or_else(|e| panic!("cannot write {DUMP_VAR} file {}: {e}", path.display()));
}

/// Revalidates every line of a traffic log against Discord's spec; returns one sentence per
/// request that breaks it (`LINE: METHOD path: problem`). A request the spec has no operation for
/// counts as a violation too.
pub fn check_file(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            problems.push(format!("{n}: not a JSON line"));
            continue;
        };
        let method = entry["method"].as_str().unwrap_or_default();
        let path = entry["path"].as_str().unwrap_or_default();
        let Some(relative) = path.strip_prefix("/api/v10") else {
            problems.push(format!("{n}: {method} {path}: not under /api/v10"));
            continue;
        };
        let body = (!entry["body"].is_null()).then_some(&entry["body"]);
        match super::spec::spec().check(method, relative, body) {
            super::spec::Verdict::Valid { .. } => {}
            super::spec::Verdict::UnknownOperation => {
                problems.push(format!(
                    "{n}: {method} {path}: no such operation in the spec"
                ));
            }
            super::spec::Verdict::Invalid { lines, .. } => {
                for problem in lines {
                    problems.push(format!("{n}: {method} {path}: {problem}"));
                }
            }
        }
    }
    problems
}

/// FNV-1a, 64 bits: a stable name for a rate-limit bucket.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The path of a file in tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The shipped facts.toml.
pub fn real_facts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("facts.toml")
}

/// A scratch folder that holds no facts.toml, so the binary falls back to its built-in copy.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// Runs `sco-bot ARGS` in `dir` with `stdin`, and returns its output.
pub fn run_in(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sco-bot"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sco-bot binary starts");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts input");
    child.wait_with_output().expect("sco-bot finishes")
}

/// Runs `sco-bot ARGS` in a scratch folder with no input.
pub fn run(args: &[&str]) -> Output {
    let dir = scratch();
    run_in(dir.path(), args, "")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asks the binary with `--json` and returns the parsed objects, one per input line.
pub fn ask_json(lines: &[&str]) -> Vec<serde_json::Value> {
    let dir = scratch();
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let out = run_in(dir.path(), &["ask", "--json"], &input);
    assert!(out.status.success(), "ask --json failed: {}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect()
}

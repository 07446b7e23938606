//! Reloading the facts in a running `sco-bot serve`, end to end: a valid change is served within
//! a second; a broken one is reported (log and `/healthz`) while the last good version keeps
//! answering; a fixed file is served again; SIGHUP reads the file at once and does not kill;
//! `/reload` reads it now and says what it did, for members with Manage Server only.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::fake_discord::{FakeDiscord, perms};
use crate::serve::{get, send, signed};
use crate::shutdown::serving_with;
use crate::support::fixture;

/// How long the test waits for a reload. The bot checks every 250 ms (measured: about 0.3 s to
/// serve a change); the bound is generous so a loaded CI machine does not fail the test, which is
/// about whether the right version is served, not about speed.
const RELOAD_WITHIN: Duration = Duration::from_secs(10);

/// Replaces the facts file whole (written beside it, then renamed, as editors save), so the
/// bot never reads it half-written: the test is about which version is served.
fn replace_file(path: &std::path::Path, text: &str) {
    let staged = path.with_extension("toml.new");
    std::fs::write(&staged, text).expect("write");
    std::fs::rename(&staged, path).expect("rename");
}

/// Polls `/healthz` until its text contains `needle`; returns how long that took, or panics
/// with the last text after `within`.
async fn health_shows(addr: std::net::SocketAddr, needle: &str, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let text = get(addr, "/healthz").await.text();
        if text.contains(needle) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "/healthz did not show {needle:?} within {within:?}:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn capital(addr: std::net::SocketAddr) -> String {
    let d = FakeDiscord::slash(
        "member",
        json!([{"name": "name", "type": 3, "value": "kazakhstan"}]),
    )
    .build();
    let body = send(addr, &signed(d.to_string().as_bytes())).await.json();
    let fields = body["data"]["embeds"][0]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    fields
        .iter()
        .find(|f| f["name"] == "Capital")
        .and_then(|f| f["value"].as_str())
        .unwrap_or_else(|| panic!("no Capital field: {body}"))
        .to_string()
}

#[tokio::test]
async fn valid_then_broken_then_valid_facts_are_served_or_reported_within_a_second() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let path = dir.path().join("facts.toml");
    let mini = std::fs::read_to_string(fixture("mini.toml")).expect("the fixture");
    std::fs::write(&path, &mini).expect("write");
    let facts = path.to_str().expect("utf-8").to_string();
    let (mut server, addr) = serving_with(&["--facts", &facts]);
    health_shows(addr, "facts 0.0.1", RELOAD_WITHIN).await;
    assert_eq!(capital(addr).await, "Astana");

    let valid = mini
        .replace("0.0.1", "0.0.2")
        .replace("capital = \"Astana\"", "capital = \"Nur-Sultan\"");
    replace_file(&path, &valid);
    let took = health_shows(addr, "facts 0.0.2", RELOAD_WITHIN).await;
    eprintln!("a valid change was served after {took:?}");
    assert_eq!(capital(addr).await, "Nur-Sultan");

    let broken = valid
        .replace("0.0.2", "0.0.3")
        .replace("name = \"Kazakhstan\"", "name = 5");
    replace_file(&path, &broken);
    health_shows(addr, "the facts file has problems", RELOAD_WITHIN).await;
    let health = get(addr, "/healthz").await.text();
    assert!(health.contains("facts 0.0.2"), "{health}");
    assert!(health.contains("`name` must be a string"), "{health}");
    server.wait_for("still serving the previous version");
    assert_eq!(
        capital(addr).await,
        "Nur-Sultan",
        "the last good file answers"
    );

    let fixed = mini.replace("0.0.1", "0.0.4");
    replace_file(&path, &fixed);
    health_shows(addr, "facts 0.0.4", RELOAD_WITHIN).await;
    let health = get(addr, "/healthz").await.text();
    assert!(!health.contains("problems"), "{health}");
    assert_eq!(capital(addr).await, "Astana");

    let pid = server.child.id().to_string();
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .expect("kill runs");
    assert!(hup.success());
    server.wait_for("SIGHUP: reading the facts file again");
    assert_eq!(get(addr, "/healthz").await.status, 200, "still running");
    server.signal_and_wait("TERM");
}

const GUILD: u64 = 300_000_000_000_000_003;

/// `/reload` in a server by a member with these permissions: the JSON response.
async fn reload(addr: std::net::SocketAddr, permissions: u64) -> serde_json::Value {
    let d = FakeDiscord::slash("reload", json!([]))
        .in_guild(GUILD)
        .permissions(permissions)
        .build();
    let body = send(addr, &signed(d.to_string().as_bytes())).await.json();
    assert_eq!(body["type"], 4, "answered at once: {body}");
    assert_eq!(body["data"]["flags"], 64, "only the asker sees it: {body}");
    body
}

/// What a reply says: its text, or its embed's title and description.
fn said(body: &serde_json::Value) -> String {
    let data = &body["data"];
    let embed = &data["embeds"][0];
    format!(
        "{}\n{}\n{}",
        data["content"].as_str().unwrap_or_default(),
        embed["title"].as_str().unwrap_or_default(),
        embed["description"].as_str().unwrap_or_default()
    )
}

#[tokio::test]
async fn reload_serves_a_valid_file_keeps_the_last_good_one_and_is_for_managers_only() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let path = dir.path().join("facts.toml");
    let mini = std::fs::read_to_string(fixture("mini.toml")).expect("the fixture");
    std::fs::write(&path, &mini).expect("write");
    let facts = path.to_str().expect("utf-8").to_string();
    let (mut server, addr) = serving_with(&["--facts", &facts]);

    let refused = said(&reload(addr, perms::MODERATOR).await);
    assert!(refused.contains("Manage Server"), "{refused}");

    // The poller may have read it first: either way /reload says which version serves now.
    let valid = mini
        .replace("0.0.1", "0.0.2")
        .replace("capital = \"Astana\"", "capital = \"Nur-Sultan\"");
    replace_file(&path, &valid);
    let reloaded = said(&reload(addr, perms::MANAGER).await);
    assert!(reloaded.contains("version 0.0.2"), "{reloaded}");
    assert_eq!(capital(addr).await, "Nur-Sultan");

    let broken = valid
        .replace("0.0.2", "0.0.3")
        .replace("name = \"Kazakhstan\"", "name = 5");
    replace_file(&path, &broken);
    let refused = said(&reload(addr, perms::MEMBER).await);
    assert!(refused.contains("Manage Server"), "{refused}");
    let kept = said(&reload(addr, perms::MANAGER).await);
    assert!(kept.contains("The facts file is broken"), "{kept}");
    assert!(kept.contains("Still serving version 0.0.2"), "{kept}");
    assert!(
        kept.contains("```\nfacts.toml:") && kept.contains("`name` must be a string"),
        "the problem, with the file's name only, in a code block: {kept}"
    );
    assert!(
        !kept.contains(dir.path().to_str().expect("utf-8")),
        "{kept}"
    );
    assert_eq!(
        capital(addr).await,
        "Nur-Sultan",
        "the last good file answers"
    );

    replace_file(&path, &mini.replace("0.0.1", "0.0.4"));
    let fixed = said(&reload(addr, perms::MANAGER).await);
    assert!(fixed.contains("version 0.0.4"), "{fixed}");
    assert!(!fixed.contains("broken"), "{fixed}");
    assert_eq!(capital(addr).await, "Astana");
    server.signal_and_wait("TERM");
}

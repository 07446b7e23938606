//! Removal from a server over the gateway: GUILD_DELETE without `unavailable` marks the server
//! for deletion, an outage does not, GUILD_CREATE (on connect, or when added back) cancels it,
//! and once the grace period has passed the server's quizzes are gone.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::fake_discord::FakeDiscord;
use sco_bot::Knowledge;
use sco_bot::app::App;
use sco_bot::discord::{self, Token};
use sco_bot::facts::FactBase;
use sco_bot::quiz::{Mode, Placement};
use sco_bot::store::{NewSession, SqliteStore, Store};

const WAIT: Duration = Duration::from_secs(10);
const STAYS: u64 = 300_000_000_000_000_101;
const LEAVES: u64 = 300_000_000_000_000_102;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn session_in(guild: u64, channel: &str) -> NewSession {
    NewSession {
        guild: Some(guild.to_string()),
        channel: channel.to_string(),
        starter: "1".into(),
        topic: None,
        questions: 3,
        seconds: 20,
        mode: Mode::Buttons,
        seed: 7,
        plan: Vec::new(),
        placement: Placement::Channel,
        started_ms: 1_767_225_600_000,
    }
}

/// Waits until `f` holds of the store (written by the bot's handler on another thread).
async fn until(store: &dyn Store, what: &str, f: impl Fn(&[(String, i64)]) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let removed = store.removed_guilds().expect("readable");
        if f(&removed) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: removed servers are {removed:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn marked(removed: &[(String, i64)], guild: u64) -> bool {
    removed.iter().any(|(g, _)| *g == guild.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_removes_the_bot_is_marked_and_one_that_adds_it_back_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("bot.db")).expect("store"));
    // Both servers had quizzes; STAYS was marked removed in an earlier run, then the bot was
    // added back while it was offline.
    let kept = store
        .start_session(&session_in(STAYS, "c-stays"))
        .expect("store")
        .expect("free");
    let gone = store
        .start_session(&session_in(LEAVES, "c-leaves"))
        .expect("store")
        .expect("free");
    store
        .mark_guild_removed(&STAYS.to_string(), 1_767_225_600_000)
        .expect("marked");

    let fake = FakeDiscord::start().await;
    fake.add_guild(STAYS).await;
    fake.add_guild(LEAVES).await;
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(
        knowledge,
        sco_bot::Origin::Bundled,
        Some(Arc::clone(&store)),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let config = discord::Config {
        token: Token::new("guild-test-token"),
        guild: None,
        api_base: Some(fake.proxy_url()),
        shards: None,
    };
    let task = tokio::spawn(discord::run(config, app, async move {
        let _ = stopped.await;
    }));
    fake.wait_identified(WAIT).await;
    let identify = fake
        .gateway_received()
        .into_iter()
        .find(|f| f["op"] == 2)
        .expect("an IDENTIFY");
    let intents = identify["d"]["intents"].as_u64().expect("intents");
    assert_eq!(intents, 1, "GUILDS only: no privileged intent");

    // The GUILD_CREATE that follows READY for STAYS cancels its pending deletion.
    until(&*store, "GUILD_CREATE on connect cancels", |r| {
        !marked(r, STAYS)
    })
    .await;

    // An outage is not a removal (STAYS stays unmarked); a removal is.
    fake.guild_outage(STAYS).await;
    fake.remove_guild(LEAVES).await;
    until(&*store, "GUILD_DELETE marks", |r| marked(r, LEAVES)).await;
    assert!(!marked(&store.removed_guilds().expect("read"), STAYS));

    // Added back while connected: cancelled again.
    fake.add_guild(LEAVES).await;
    until(&*store, "GUILD_CREATE cancels", |r| !marked(r, LEAVES)).await;

    // Removed for good: once the grace period has passed, its quizzes go and the other
    // server's stay.
    fake.remove_guild(LEAVES).await;
    until(&*store, "GUILD_DELETE marks", |r| marked(r, LEAVES)).await;
    let later = sco_bot::retention::now_ms() + 31 * DAY_MS;
    let purged = sco_bot::retention::purge_due(&*store, later, sco_bot::retention::DEFAULT_GRACE)
        .expect("purged");
    assert_eq!(purged.len(), 1);
    assert_eq!(purged[0].guild, LEAVES.to_string());
    assert_eq!(store.session(gone).expect("read"), None);
    assert!(store.session(kept).expect("read").is_some());

    fake.assert_token_only_in_authorization("guild-test-token");
    fake.assert_traffic_valid();
    let _ = stop.send(());
    let result = tokio::time::timeout(WAIT, task)
        .await
        .expect("the bot stops")
        .expect("no panic");
    assert!(result.is_ok(), "{result:?}");
    fake.stop().await;
}

#[test]
fn purge_guild_deletes_a_servers_quizzes_at_once_and_says_what_went() {
    let dir = crate::support::scratch();
    let db = dir.path().join("bot.db");
    let store = SqliteStore::open(&db).expect("store");
    let gone = store
        .start_session(&session_in(LEAVES, "c-leaves"))
        .expect("store")
        .expect("free");
    let kept = store
        .start_session(&session_in(STAYS, "c-stays"))
        .expect("store")
        .expect("free");
    drop(store);
    let db_arg = db.to_str().expect("UTF-8");
    let out = crate::support::run_in(
        dir.path(),
        &["--db", db_arg, "purge-guild", &LEAVES.to_string()],
        "",
    );
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let said = crate::support::stdout(&out);
    assert!(
        said.contains(&format!("Deleted server {LEAVES}'s data")),
        "{said}"
    );
    assert!(said.contains("quiz sessions 1,"), "{said}");
    let store = SqliteStore::open(&db).expect("store");
    assert_eq!(store.session(gone).expect("read"), None);
    assert!(store.session(kept).expect("read").is_some());
    // Not a server id: clap says so, nothing is touched.
    let out = crate::support::run_in(dir.path(), &["--db", db_arg, "purge-guild", "abc"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(store.session(kept).expect("read").is_some());
}

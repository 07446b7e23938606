//! Gateway shards split across processes: two bots (each a `discord::run`, as two processes
//! would run it) with disjoint shard ranges of 4 on one PostgreSQL database, against the fake
//! gateway, which delivers each guild's interactions only to the shard `(guild_id >> 22) % 4`
//! owns. Each bot gets, and plays, only its own guilds' quizzes. Without PostgreSQL the two
//! share an SQLite file instead (said on standard error), unless `SCO_REQUIRE_POSTGRES` is set.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::oneshot;

use crate::fake_discord::FakeDiscord;
use crate::replicas::{Database, off_runtime};
use sco_bot::app::App;
use sco_bot::discord::{self, Shards, Token};
use sco_bot::facts::FactBase;
use sco_bot::{Knowledge, Origin};

const WAIT: Duration = Duration::from_secs(60);
const TOTAL: u32 = 4;

/// A guild id whose events shard `shard` of [`TOTAL`] gets.
fn guild_on(shard: u32) -> u64 {
    let base = 300_000_000_000_000_000u64 >> 22;
    ((base - base % u64::from(TOTAL) + u64::from(shard)) << 22) | 7
}

struct Bot {
    app: App,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), discord::DiscordError>>,
}

fn start(fake: &FakeDiscord, db: &str, shards: Shards) -> Bot {
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let store = off_runtime(|| sco_bot::store::open(db)).expect("the database");
    let app = App::assemble(knowledge, Origin::Bundled, Some(store));
    let (stop, stopped) = oneshot::channel::<()>();
    let config = discord::Config {
        token: Token::new("shard-test-token"),
        guild: None,
        api_base: Some(fake.proxy_url()),
        shards: Some(shards),
    };
    let task = tokio::spawn(discord::run(config, app.clone(), async move {
        let _ = stopped.await;
    }));
    Bot { app, stop, task }
}

#[test]
fn shard_ranges_parse_and_own_the_guilds_discord_sends_them() {
    let s = Shards::parse("0-3", 8).expect("a range");
    assert_eq!((s.first, s.last, s.total), (0, 3, 8));
    assert_eq!(
        Shards::parse("5", 8).expect("one"),
        Shards {
            first: 5,
            last: 5,
            total: 8
        }
    );
    for bad in ["3-0", "0-8", "x", "", "1-"] {
        let e = Shards::parse(bad, 8).expect_err(bad);
        assert!(e.contains("--shards"), "{e}");
    }
    assert!(Shards::parse("0", 0).is_err());
    // Discord's formula: (guild_id >> 22) % total; DMs on shard 0.
    assert_eq!(
        Shards::of(Some(41_771_983_423_143_937), 8),
        41_771_983_423_143_937u64.wrapping_shr(22) as u32 % 8
    );
    assert_eq!(Shards::of(None, 8), 0);
    let upper = Shards::parse("4-7", 8).expect("a range");
    for shard in 0..8 {
        let guild = ((1_000_000u64 * 8 + shard) << 22).to_string();
        assert_eq!(upper.owns(Some(&guild)), shard >= 4, "shard {shard}");
    }
    assert!(!upper.owns(None), "DMs go to shard 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_with_disjoint_shard_ranges_each_get_only_their_guilds() {
    let pg = match std::env::var("SCO_TEST_POSTGRES") {
        Ok(admin) => Some(off_runtime(|| Database::new(&admin))),
        Err(_) if std::env::var_os("SCO_REQUIRE_POSTGRES").is_some() => {
            panic!("SCO_REQUIRE_POSTGRES is set but SCO_TEST_POSTGRES is not")
        }
        Err(_) => {
            eprintln!(
                "the shard test runs on a shared SQLite file: set SCO_TEST_POSTGRES for PostgreSQL"
            );
            None
        }
    };
    let dir = tempfile::tempdir().expect("a scratch folder");
    let db = match &pg {
        Some(d) => d.url.clone(),
        None => dir.path().join("bot.db").display().to_string(),
    };
    let fake = FakeDiscord::start().await;
    fake.set_shard_count(TOTAL);
    let low = Shards::parse("0-1", TOTAL).expect("a range");
    let high = Shards::parse("2-3", TOTAL).expect("a range");
    let a = start(&fake, &db, low);
    let b = start(&fake, &db, high);
    // serenity waits 5 s between one process's IDENTIFYs, as Discord asks.
    let mut identified = fake.wait_shards(TOTAL as usize, WAIT).await;
    identified.sort_unstable();
    assert_eq!(identified, [[0, 4], [1, 4], [2, 4], [3, 4]]);

    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "questions", "type": 4, "value": 2},
        {"name": "seconds", "type": 4, "value": 120},
    ]}]);
    let mut sessions = Vec::new();
    for (shard, channel) in [
        (1, 510_000_000_000_000_001u64),
        (2, 510_000_000_000_000_002),
    ] {
        let sent = fake
            .send_interaction(
                FakeDiscord::slash("quiz", options.clone())
                    .in_guild(guild_on(shard))
                    .channel(channel)
                    .build(),
            )
            .await;
        let answer = sent.settled(&fake, WAIT).await;
        assert!(answer.to_string().contains("Quiz"), "{answer}");
        let store = Arc::clone(a.app.engine().expect("an engine"));
        let session = off_runtime(move || store.store().active_session(&channel.to_string()))
            .expect("the store")
            .expect("a quiz started");
        sessions.push(session.id);
    }
    let runs = |bot: &Bot, s: i64| bot.app.runner.as_ref().expect("a runner").is_running(s);
    // The driver starts as the start's effect, after its answer was sent: wait for it.
    let deadline = std::time::Instant::now() + WAIT;
    while !(runs(&a, sessions[0]) && runs(&b, sessions[1])) && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Shard 1's guild reached the low process only; shard 2's the high one only.
    assert!(
        runs(&a, sessions[0]) && !runs(&b, sessions[0]),
        "{sessions:?}"
    );
    assert!(
        runs(&b, sessions[1]) && !runs(&a, sessions[1]),
        "{sessions:?}"
    );

    for bot in [a, b] {
        let _ = bot.stop.send(());
        let ended = tokio::time::timeout(WAIT, bot.task)
            .await
            .expect("it stops");
        assert!(ended.expect("no panic").is_ok());
    }
    fake.stop().await;
    drop(pg);
}

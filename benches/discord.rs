//! Handling time of lookup interactions through the fake gateway: from the moment the fake
//! Discord writes an INTERACTION_CREATE to the gateway until it has received the bot's
//! callback, over 1,000 interactions (after 100 to warm up). Prints p50, p90, p99 and max.
//!
//! Run with `cargo bench --bench discord`. It uses the same fake Discord as the tests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

#[allow(dead_code, missing_docs, unused_imports)]
#[path = "../tests/fake_discord/mod.rs"]
mod fake_discord;

use fake_discord::FakeDiscord;
use sco_bot::Knowledge;
use sco_bot::discord::{self, Token};
use sco_bot::facts::FactBase;

const QUERIES: &[(&str, &str)] = &[
    ("member", "kazakhsatn"),
    ("member", "kazakhstan"),
    ("summit", "2017"),
    ("summit", "astana"),
    ("principle", "non-alignment"),
    ("body", "rats"),
    ("term", "3 evils"),
    ("fact", "secretariat beijing"),
    ("member", "brazil"),
    ("document", "sco chater"),
];

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run only for the former.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(measure());
}

async fn measure() {
    let fake = FakeDiscord::start().await;
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = discord::Config {
        token: Token::new("bench-token"),
        guild: None,
        api_base: Some(fake.proxy_url()),
        shards: None,
    };
    let bot = tokio::spawn(discord::run(
        config,
        sco_bot::app::App::assemble(knowledge, sco_bot::Origin::Bundled, None),
        async move {
            let _ = stopped.await;
        },
    ));
    let wait = Duration::from_secs(10);
    fake.wait_identified(wait).await;
    fake.expect_request("PUT", "/commands", wait).await;
    let mut times = Vec::with_capacity(1000);
    for i in 0..1100 {
        let (command, query) = QUERIES[i % QUERIES.len()];
        let d = FakeDiscord::slash(
            command,
            json!([{"name": "name", "type": 3, "value": query}]),
        )
        .build();
        let start = Instant::now();
        let sent = fake.send_interaction(d).await;
        let callback = fake
            .expect_request("POST", &sent.callback_path(), wait)
            .await;
        // Until the callback arrived, not until the fake had checked it against the spec.
        if i >= 100 {
            times.push(callback.received_at.duration_since(start));
        }
    }
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "discord lookup interaction, {} samples through the fake gateway: p50 {:?}, p90 {:?}, p99 {:?}, max {:?}",
        times.len(),
        pct(50),
        pct(90),
        pct(99),
        times[times.len() - 1]
    );
    let _ = stop.send(());
    let _ = bot.await;
    fake.stop().await;
}

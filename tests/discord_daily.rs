//! The question of the day through the real serenity client and the fake Discord, on a clock
//! the test sets by hand: `/daily set` (Manage Server only; bad times and zones explained),
//! the post at the due time, clicks recorded once per user and day, streaks, and a restart
//! after a missed time that posts once, never twice.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::fake_discord::{FakeDiscord, InteractionBuilder, perms};
use sco_bot::Knowledge;
use sco_bot::app::App;
use sco_bot::daily::Clock;
use sco_bot::discord;
use sco_bot::facts::FactBase;
use sco_bot::store::{SqliteStore, Store};

const WAIT: Duration = Duration::from_secs(10);
const GUILD: u64 = 300_000_000_000_000_007;
const ALICE: u64 = 200_000_000_000_000_011;
const BOB: u64 = 200_000_000_000_000_012;

/// Milliseconds of a UTC instant written `YYYY-MM-DDTHH:MM`.
fn utc(text: &str) -> i64 {
    let t: jiff::Timestamp = format!("{text}:00Z").parse().expect("an instant");
    t.as_millisecond()
}

struct Bot {
    fake: FakeDiscord,
    store: Arc<dyn Store>,
    knowledge: Arc<Knowledge>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), discord::DiscordError>>,
}

/// A bot on `dir/bot.db` reading `clock`, against a fresh fake Discord; returns once it has
/// registered its commands (by then a missed question of the day has been posted).
async fn start(dir: &std::path::Path, clock: &Clock) -> Bot {
    let fake = FakeDiscord::start().await;
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("bot.db")).expect("store"));
    let app = App::assemble(
        Arc::clone(&knowledge),
        sco_bot::Origin::Bundled,
        Some(Arc::clone(&store)),
    )
    .with_clock(clock.clone());
    let (stop, task) = crate::discord_quiz::connect(&fake, app, "daily-test-token", GUILD).await;
    Bot {
        fake,
        store,
        knowledge,
        stop,
        task,
    }
}

impl Bot {
    async fn ask(&self, interaction: InteractionBuilder) -> Value {
        let sent = self.fake.send_interaction(interaction.build()).await;
        sent.settled(&self.fake, WAIT).await
    }

    /// The messages posted in the test channel so far.
    fn posts(&self) -> Vec<Value> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(&channel_path()))
            .map(|r| r.body)
            .collect()
    }

    async fn stop(self) {
        self.fake
            .assert_token_only_in_authorization("daily-test-token");
        self.fake.assert_traffic_valid();
        let unrouted = self.fake.unrouted();
        assert!(
            unrouted.is_empty(),
            "requests the fake does not know: {unrouted:?}"
        );
        let _ = self.stop.send(());
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the bot stops")
            .expect("no panic");
        assert!(result.is_ok(), "{result:?}");
        self.fake.stop().await;
    }
}

fn channel_path() -> String {
    format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID)
}

fn daily(sub: &str, options: Value) -> InteractionBuilder {
    FakeDiscord::slash(
        "daily",
        json!([{"name": sub, "type": 1, "options": options}]),
    )
    .in_guild(GUILD)
}

fn set_options(time: &str, zone: &str) -> Value {
    json!([
        {"name": "channel", "type": 7, "value": FakeDiscord::CHANNEL_ID.to_string()},
        {"name": "time", "type": 3, "value": time},
        {"name": "timezone", "type": 3, "value": zone},
    ])
}

fn title(answer: &Value) -> String {
    answer["data"]["embeds"][0]["title"]
        .as_str()
        .or_else(|| answer["data"]["content"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn text(answer: &Value) -> String {
    answer["data"].to_string()
}

fn is_ephemeral(answer: &Value) -> bool {
    answer["data"]["flags"]
        .as_u64()
        .is_some_and(|f| f & 64 != 0)
}

fn buttons(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn daily_set_needs_manage_server_and_explains_a_bad_time_or_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Clock::manual(utc("2026-06-10T05:00"));
    let bot = start(dir.path(), &clock).await;

    // The registration Discord accepted (the fake checks it against the OpenAPI spec): a
    // channel option, text channels only.
    let put = bot
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path.contains("/commands"))
        .expect("registered");
    let daily_cmd = put
        .body
        .as_array()
        .expect("commands")
        .iter()
        .find(|c| c["name"] == "daily")
        .cloned()
        .expect("/daily");
    let set = daily_cmd["options"]
        .as_array()
        .expect("subcommands")
        .iter()
        .find(|s| s["name"] == "set")
        .cloned()
        .expect("set");
    assert_eq!(set["options"][0]["name"], "channel");
    assert_eq!(set["options"][0]["type"], 7);
    assert_eq!(set["options"][0]["channel_types"], json!([0]));

    let refused = bot
        .ask(
            daily("set", set_options("09:00", "Europe/Moscow"))
                .permissions(perms::MEMBER)
                .user(BOB, "bob"),
        )
        .await;
    assert!(is_ephemeral(&refused));
    assert!(text(&refused).contains("Manage Server"), "{refused}");
    assert_eq!(
        bot.store.daily_schedule(&GUILD.to_string()).expect("reads"),
        None
    );
    let off = bot
        .ask(daily("off", json!([])).permissions(perms::MEMBER))
        .await;
    assert!(text(&off).contains("Manage Server"), "{off}");

    let bad_time = bot
        .ask(daily("set", set_options("25:00", "UTC")).permissions(perms::MANAGER))
        .await;
    assert!(text(&bad_time).contains("not a time of day"), "{bad_time}");
    let bad_zone = bot
        .ask(daily("set", set_options("09:00", "Mars/<@1>")).permissions(perms::MANAGER))
        .await;
    assert!(text(&bad_zone).contains("IANA name"), "{bad_zone}");
    assert!(
        !text(&bad_zone).contains("<@1>"),
        "echoed text is escaped: {bad_zone}"
    );
    assert_eq!(bad_zone["data"]["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        bot.store.daily_schedule(&GUILD.to_string()).expect("reads"),
        None
    );

    let ok = bot
        .ask(daily("set", set_options("09:00", "Europe/Moscow")).permissions(perms::MANAGER))
        .await;
    assert_eq!(title(&ok), "Question of the day set");
    assert!(
        text(&ok).contains("2026-06-10 09:00 (Europe/Moscow)"),
        "{ok}"
    );
    let s = bot
        .store
        .daily_schedule(&GUILD.to_string())
        .expect("reads")
        .expect("set");
    assert_eq!(
        (s.channel, s.minute, s.zone.as_str()),
        (FakeDiscord::CHANNEL_ID.to_string(), 540, "Europe/Moscow")
    );

    let shown = bot
        .ask(daily("show", json!([])).permissions(perms::MEMBER))
        .await;
    assert!(text(&shown).contains("09:00 (Europe/Moscow)"), "{shown}");
    let dm = bot.ask(daily("show", json!([])).in_dm()).await;
    assert!(text(&dm).contains("works there only"), "{dm}");

    let gone = bot
        .ask(daily("off", json!([])).permissions(perms::MANAGER))
        .await;
    assert_eq!(title(&gone), "Question of the day off");
    assert_eq!(
        bot.store.daily_schedule(&GUILD.to_string()).expect("reads"),
        None
    );
    bot.stop().await;
}

#[tokio::test]
async fn the_question_is_posted_at_the_due_time_clicks_count_once_and_a_restart_posts_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 05:00 UTC is 08:00 in Moscow; the question is due at 09:00 Moscow, 06:00 UTC.
    let clock = Clock::manual(utc("2026-06-10T05:00"));
    let bot = start(dir.path(), &clock).await;
    let ok = bot
        .ask(daily("set", set_options("09:00", "Europe/Moscow")).permissions(perms::MANAGER))
        .await;
    assert_eq!(title(&ok), "Question of the day set");
    assert!(bot.posts().is_empty(), "nothing is due before 09:00");

    clock.set(utc("2026-06-10T06:00"));
    let post = bot
        .fake
        .expect_request("POST", &channel_path(), WAIT)
        .await
        .body;
    assert_eq!(
        post["embeds"][0]["title"],
        "Question of the day · 2026-06-10"
    );
    assert_eq!(post["allowed_mentions"]["parse"], json!([]));
    let ids = buttons(&post);
    assert_eq!(ids.len(), 4, "{post}");
    let claimed = bot
        .store
        .daily_post(&GUILD.to_string(), "2026-06-10")
        .expect("reads")
        .expect("claimed");
    let q = bot
        .knowledge
        .bank()
        .get(&claimed.question_id)
        .expect("in the bank")
        .clone();
    let right = &ids[q.correct];
    let wrong = &ids[(q.correct + 1) % 4];
    assert!(
        right.contains("2026-06-10"),
        "the id carries the date: {right}"
    );

    clock.set(utc("2026-06-10T06:05"));
    let a = bot
        .ask(
            FakeDiscord::button(right)
                .in_guild(GUILD)
                .user(ALICE, "alice"),
        )
        .await;
    assert!(is_ephemeral(&a));
    assert_eq!(title(&a), "Correct!");
    assert!(text(&a).contains(&q.answer), "{a}");
    let b = bot
        .ask(FakeDiscord::button(wrong).in_guild(GUILD).user(BOB, "bob"))
        .await;
    assert_eq!(title(&b), "Not quite");
    let again = bot
        .ask(
            FakeDiscord::button(wrong)
                .in_guild(GUILD)
                .user(ALICE, "alice"),
        )
        .await;
    assert!(
        text(&again).contains("answered this question of the day already"),
        "{again}"
    );
    let answers = bot
        .store
        .daily_answers(&GUILD.to_string(), "2026-06-10")
        .expect("reads");
    assert_eq!(answers.len(), 2);
    assert!(
        answers
            .iter()
            .any(|x| x.user == ALICE.to_string() && x.correct)
    );
    let streak = bot
        .ask(daily("streak", json!([])).user(ALICE, "alice"))
        .await;
    assert_eq!(title(&streak), "Your streak: 1 day");
    assert_eq!(bot.posts().len(), 1, "one post a day");

    // Twelve hours after the post: the answer and who got it right, pinging nobody.
    clock.set(utc("2026-06-10T18:00"));
    let reveal = bot
        .fake
        .expect_request("POST", &channel_path(), WAIT)
        .await
        .body;
    assert_eq!(
        reveal["embeds"][0]["title"],
        "Question of the day · 2026-06-10 · the answer"
    );
    let shown = reveal["embeds"][0]["description"]
        .as_str()
        .expect("a description");
    assert!(
        shown.contains(&format!("Answered right: <@{ALICE}>")),
        "{shown}"
    );
    assert!(!shown.contains(&BOB.to_string()), "{shown}");
    assert_eq!(reveal["allowed_mentions"]["parse"], json!([]));
    assert!(buttons(&reveal).is_empty());
    assert_eq!(bot.posts().len(), 2, "one reveal");
    bot.stop().await;

    // The bot is down when the next day's question is due; back at 07:00 UTC it posts it once.
    clock.set(utc("2026-06-11T07:00"));
    let bot = start(dir.path(), &clock).await;
    let posts = bot.posts();
    assert_eq!(
        posts.len(),
        1,
        "the missed post, before the commands are registered"
    );
    assert_eq!(
        posts[0]["embeds"][0]["title"],
        "Question of the day · 2026-06-11"
    );
    let id = buttons(&posts[0]);
    let claimed = bot
        .store
        .daily_post(&GUILD.to_string(), "2026-06-11")
        .expect("reads")
        .expect("claimed");
    let q = bot
        .knowledge
        .bank()
        .get(&claimed.question_id)
        .expect("in the bank")
        .clone();
    let a = bot
        .ask(
            FakeDiscord::button(&id[q.correct])
                .in_guild(GUILD)
                .user(ALICE, "alice"),
        )
        .await;
    assert_eq!(title(&a), "Correct!");
    let streak = bot
        .ask(daily("streak", json!([])).user(ALICE, "alice"))
        .await;
    assert_eq!(title(&streak), "Your streak: 2 days");
    let board = bot
        .ask(FakeDiscord::slash("leaderboard", json!([])).in_guild(GUILD))
        .await;
    let fields = board["data"]["embeds"][0]["fields"].to_string();
    assert!(fields.contains("Question of the day streaks"), "{board}");
    assert!(fields.contains(&format!("<@{ALICE}> — 2 days")), "{board}");
    assert!(!fields.contains(&BOB.to_string()), "{board}");
    bot.stop().await;

    // Another restart the same day: already posted, so nothing.
    let bot = start(dir.path(), &clock).await;
    assert!(bot.posts().is_empty(), "never twice: {:?}", bot.posts());
    bot.stop().await;
}

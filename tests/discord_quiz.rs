//! Quizzes, study and scores through the real serenity client and the fake Discord: buttons
//! clicked, answers locked, the question message edited with its buttons disabled, the reveal
//! and the final scores posted, typed answers through a modal.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::fake_discord::{FakeDiscord, InteractionBuilder};
use sco_bot::Knowledge;
use sco_bot::app::App;
use sco_bot::discord::{self, Token};
use sco_bot::facts::FactBase;
use sco_bot::quiz::session::Engine;
use sco_bot::store::SqliteStore;

const WAIT: Duration = Duration::from_secs(10);
const GUILD: u64 = 300_000_000_000_000_003;
const OTHER: u64 = 200_000_000_000_000_009;

struct Bot {
    fake: FakeDiscord,
    engine: Arc<Engine>,
    knowledge: Arc<Knowledge>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), discord::DiscordError>>,
    _dir: tempfile::TempDir,
}

async fn start() -> Bot {
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = FakeDiscord::start().await;
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let store = SqliteStore::open(&dir.path().join("bot.db")).expect("store");
    let app = App::assemble(
        Arc::clone(&knowledge),
        sco_bot::Origin::Bundled,
        Some(Arc::new(store)),
    );
    let engine = Arc::clone(app.engine().expect("an engine"));
    let (stop, stopped) = oneshot::channel::<()>();
    let config = discord::Config {
        token: Token::new("quiz-test-token"),
        guild: Some(GUILD),
        api_base: Some(fake.proxy_url()),
    };
    let task = tokio::spawn(discord::run(config, app, async move {
        let _ = stopped.await;
    }));
    fake.wait_identified(WAIT).await;
    fake.expect_request("PUT", "/commands", WAIT).await;
    Bot {
        fake,
        engine,
        knowledge,
        stop,
        task,
        _dir: dir,
    }
}

impl Bot {
    async fn ask(&self, interaction: InteractionBuilder) -> Value {
        let sent = self.fake.send_interaction(interaction.build()).await;
        self.fake
            .expect_request("POST", &sent.callback_path(), WAIT)
            .await
            .body
    }

    async fn stop(self) {
        self.fake
            .assert_token_only_in_authorization("quiz-test-token");
        let _ = self.stop.send(());
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the bot stops")
            .expect("no panic");
        assert!(result.is_ok(), "{result:?}");
        self.fake.stop().await;
    }
}

fn sub(name: &str, options: Value) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

fn buttons(body: &Value) -> Vec<Value> {
    body["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn is_ephemeral(body: &Value) -> bool {
    body["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

fn channel_path() -> String {
    format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID)
}

#[tokio::test]
async fn a_channel_quiz_locks_answers_and_reveals_when_stopped() {
    let bot = start().await;
    let options = sub(
        "start",
        json!([{"name": "questions", "type": 4, "value": 3}, {"name": "seconds", "type": 4, "value": 120}]),
    );
    let started = bot
        .ask(FakeDiscord::slash("quiz", options).in_guild(GUILD))
        .await;
    assert_eq!(started["type"], 4);
    let title = started["data"]["embeds"][0]["title"]
        .as_str()
        .expect("title");
    assert_eq!(title, "Quiz: 3 questions on every topic");
    assert!(!is_ephemeral(&started), "everyone sees the quiz start");

    let posted = bot.fake.expect_request("POST", &channel_path(), WAIT).await;
    let question = &posted.body;
    assert!(
        question["embeds"][0]["title"]
            .as_str()
            .expect("title")
            .starts_with("Question 1 of 3 · ")
    );
    assert_eq!(question["allowed_mentions"]["parse"], json!([]));
    let ids: Vec<String> = buttons(question)
        .iter()
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect();
    assert_eq!(ids.len(), 4, "A–D");
    let session: i64 = ids[0]
        .split('|')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("session id");
    let (row, round) = bot.engine.current(session).expect("read").expect("a round");
    // The buttons show the choices as dealt for this session.
    let question = bot.knowledge.bank().get(&round.question_id).expect("known");
    let correct = sco_bot::quiz::session::dealt(question, row.seed).correct;
    let message_id = posted.answer["id"]
        .as_str()
        .expect("message id")
        .to_string();

    let mine = bot
        .ask(FakeDiscord::button(&format!("quiz|{session}|0|{correct}")).in_guild(GUILD))
        .await;
    assert!(is_ephemeral(&mine));
    assert!(
        mine["data"]["content"]
            .as_str()
            .expect("text")
            .starts_with("Locked in: "),
        "{mine}"
    );
    let again = bot
        .ask(
            FakeDiscord::button(&format!("quiz|{session}|0|{}", (correct + 1) % 4)).in_guild(GUILD),
        )
        .await;
    assert_eq!(
        again["data"]["content"],
        "You already answered this question; answers are locked once given."
    );
    let other = bot
        .ask(
            FakeDiscord::button(&format!("quiz|{session}|0|{}", (correct + 1) % 4))
                .in_guild(GUILD)
                .user(OTHER, "other"),
        )
        .await;
    assert!(
        other["data"]["content"]
            .as_str()
            .expect("text")
            .starts_with("Locked in: ")
    );

    let refused = bot
        .ask(
            FakeDiscord::slash("quiz", sub("stop", json!([])))
                .in_guild(GUILD)
                .user(OTHER, "other"),
        )
        .await;
    assert!(is_ephemeral(&refused));
    assert_eq!(
        refused["data"]["embeds"][0]["title"],
        "Only the starter or a moderator can stop this quiz"
    );
    let stopped = bot
        .ask(FakeDiscord::slash("quiz", sub("stop", json!([]))).in_guild(GUILD))
        .await;
    assert_eq!(stopped["data"]["embeds"][0]["title"], "Quiz stopped");

    let edited = bot
        .fake
        .expect_request("PATCH", &format!("{}/{message_id}", channel_path()), WAIT)
        .await;
    let closed = buttons(&edited.body);
    assert_eq!(closed.len(), 4);
    assert!(
        closed.iter().all(|b| b["disabled"] == true),
        "buttons disabled"
    );
    assert_eq!(closed[correct]["style"], 3, "the right one marked green");
    let reveal = bot.fake.expect_request("POST", &channel_path(), WAIT).await;
    let reveal_title = reveal.body["embeds"][0]["title"].as_str().expect("title");
    assert!(reveal_title.starts_with("Answer: "), "{reveal_title}");
    let fields = reveal.body["embeds"][0]["fields"]
        .as_array()
        .expect("fields");
    let round_field = fields
        .iter()
        .find(|f| f["name"] == "This round")
        .expect("round results");
    assert!(
        round_field["value"]
            .as_str()
            .expect("text")
            .starts_with("2 answered, 1 right.")
    );
    let last = bot.fake.expect_request("POST", &channel_path(), WAIT).await;
    assert_eq!(last.body["embeds"][0]["title"], "Quiz stopped");
    let board = last.body["embeds"][0]["description"]
        .as_str()
        .expect("scores");
    assert!(
        board.starts_with(&format!("1. <@{}> — 1", FakeDiscord::USER_ID)),
        "{board}"
    );
    assert_eq!(
        last.body["allowed_mentions"]["parse"],
        json!([]),
        "mentions never ping"
    );

    let late = bot
        .ask(
            FakeDiscord::button(&format!("quiz|{session}|0|0"))
                .in_guild(GUILD)
                .user(201, "late"),
        )
        .await;
    assert_eq!(
        late["data"]["content"],
        "This quiz is over. Start a new one with /quiz start."
    );

    let board = bot
        .ask(FakeDiscord::slash("leaderboard", json!([])).in_guild(GUILD))
        .await;
    let description = board["data"]["embeds"][0]["description"]
        .as_str()
        .expect("text");
    assert!(
        description.contains(&format!("1. <@{}> — 1", FakeDiscord::USER_ID)),
        "{description}"
    );
    let stats = bot
        .ask(FakeDiscord::slash("stats", json!([])).in_guild(GUILD))
        .await;
    let fields = stats["data"]["embeds"][0]["fields"]
        .as_array()
        .expect("fields");
    assert!(
        fields
            .iter()
            .any(|f| f["name"] == "Right" && f["value"] == "1 (100%)"),
        "{stats}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn typed_rounds_take_answers_through_a_text_box() {
    let bot = start().await;
    let options = sub(
        "start",
        json!([{"name": "mode", "type": 3, "value": "typed"}, {"name": "questions", "type": 4, "value": 1}]),
    );
    bot.ask(FakeDiscord::slash("quiz", options).in_guild(GUILD))
        .await;
    let posted = bot.fake.expect_request("POST", &channel_path(), WAIT).await;
    let answer = buttons(&posted.body);
    assert_eq!(answer.len(), 1);
    assert_eq!(answer[0]["label"], "Answer");
    let id = answer[0]["custom_id"]
        .as_str()
        .expect("custom id")
        .to_string();
    let modal = bot.ask(FakeDiscord::button(&id).in_guild(GUILD)).await;
    assert_eq!(modal["type"], 9, "a modal opens");
    assert_eq!(modal["data"]["custom_id"], id);
    let session: i64 = id
        .split('|')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("session");
    let round = bot.engine.current(session).expect("read").expect("round").1;
    let q = bot
        .knowledge
        .bank()
        .get(&round.question_id)
        .expect("known")
        .clone();
    let submitted = bot
        .ask(FakeDiscord::modal_submit(&id, &[("answer", &q.answer)]).in_guild(GUILD))
        .await;
    assert!(is_ephemeral(&submitted));
    assert!(
        submitted["data"]["content"]
            .as_str()
            .expect("text")
            .starts_with("Locked in: “"),
        "{submitted}"
    );
    bot.ask(FakeDiscord::slash("quiz", sub("stop", json!([]))).in_guild(GUILD))
        .await;
    let _edited = bot
        .fake
        .expect_request("PATCH", &channel_path(), WAIT)
        .await;
    let reveal = bot.fake.expect_request("POST", &channel_path(), WAIT).await;
    let round_field = reveal.body["embeds"][0]["fields"][0]["value"]
        .as_str()
        .expect("text");
    assert!(
        round_field.starts_with("1 answered, 1 right."),
        "{round_field}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn study_asks_privately_and_schedules_the_review() {
    let bot = start().await;
    let first = bot
        .ask(FakeDiscord::slash(
            "study",
            sub(
                "next",
                json!([{"name": "topic", "type": 3, "value": "summits"}]),
            ),
        ))
        .await;
    assert!(is_ephemeral(&first));
    let ids: Vec<String> = buttons(&first["data"])
        .iter()
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect();
    assert_eq!(ids.len(), 4);
    let question_id = ids[0]
        .splitn(3, '|')
        .nth(2)
        .expect("question id")
        .to_string();
    let correct = bot
        .knowledge
        .bank()
        .get(&question_id)
        .expect("known")
        .correct;
    let wrong = (correct + 1) % 4;
    let missed = bot
        .ask(FakeDiscord::button(&format!("study|{wrong}|{question_id}")))
        .await;
    assert_eq!(missed["type"], 7, "the study message is updated in place");
    assert_eq!(missed["data"]["embeds"][0]["title"], "Not quite");
    // What was missed comes back first.
    let next = bot.ask(FakeDiscord::button("studynext|summits")).await;
    let again: Vec<String> = buttons(&next["data"])
        .iter()
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect();
    assert!(again[0].ends_with(&question_id), "{again:?}");
    let right = bot
        .ask(FakeDiscord::button(&format!(
            "study|{correct}|{question_id}"
        )))
        .await;
    assert_eq!(right["data"]["embeds"][0]["title"], "Correct!");
    let stats = bot
        .ask(FakeDiscord::slash("study", sub("stats", json!([]))))
        .await;
    let fields = stats["data"]["embeds"][0]["fields"]
        .as_array()
        .expect("fields");
    assert_eq!(fields[0]["name"], "Summits");
    assert!(
        fields[0]["value"]
            .as_str()
            .expect("text")
            .starts_with("2 answered · 50% right · 0 due"),
        "{stats}"
    );
    bot.stop().await;
}

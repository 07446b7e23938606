//! Tests of the fake itself, with a minimal serenity bot of their own.

use super::*;
use serenity::all::{
    Builder, ChannelId, ClientBuilder, Command, CommandInteraction, Context, CreateAllowedMentions,
    CreateCommand, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, EventHandler,
    GatewayIntents, Http, Interaction, InteractionId, Ready, ShardManager,
};
use std::time::Instant;

/// Generous, so a loaded machine does not fail a test; a passing run takes milliseconds.
const WAIT: Duration = Duration::from_secs(5);
const TOKEN: &str = "fake-bot-token.for-tests";

/// A bot that registers `/ping` and `/later` on READY and answers them, reporting every
/// outcome (or serenity error) to the test.
struct Bot {
    outcomes: mpsc::UnboundedSender<Result<String, String>>,
}

impl Bot {
    fn report(&self, outcome: Result<String, serenity::Error>) {
        // The test may have finished already; a lost report is then harmless.
        let _ = self.outcomes.send(outcome.map_err(|e| e.to_string()));
    }
}

#[serenity::async_trait]
impl EventHandler for Bot {
    async fn ready(&self, ctx: Context, _ready: Ready) {
        let commands = vec![
            CreateCommand::new("ping").description("Answers pong"),
            CreateCommand::new("later").description("Answers late"),
        ];
        let registered = Command::set_global_commands(&ctx.http, commands).await;
        self.report(registered.map(|c| format!("registered {}", c.len())));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Interaction::Command(command) = interaction else {
            return;
        };
        let outcome = match command.data.name.as_str() {
            "ping" => {
                let message = CreateInteractionResponseMessage::new()
                    .content("pong")
                    .allowed_mentions(CreateAllowedMentions::new());
                let response = CreateInteractionResponse::Message(message);
                command.create_response(&ctx.http, response).await
            }
            _ => answer_later(&ctx, &command).await,
        };
        self.report(outcome.map(|()| format!("answered {}", command.data.name)));
    }
}

/// Defers, then edits the original response and adds a follow-up: the webhook routes.
async fn answer_later(ctx: &Context, command: &CommandInteraction) -> serenity::Result<()> {
    command.defer(&ctx.http).await?;
    let edit = EditInteractionResponse::new().content("edited");
    command.edit_response(&ctx.http, edit).await?;
    let followup = CreateInteractionResponseFollowup::new().content("and more");
    command.create_followup(&ctx.http, followup).await?;
    Ok(())
}

/// The real serenity client, running against the fake.
struct RunningBot {
    shards: Arc<ShardManager>,
    client: JoinHandle<Result<(), serenity::Error>>,
    outcomes: mpsc::UnboundedReceiver<Result<String, String>>,
}

impl RunningBot {
    async fn start(fake: &FakeDiscord) -> RunningBot {
        let (tx, outcomes) = mpsc::unbounded_channel();
        let mut client = ClientBuilder::new_with_http(fake_http(fake), GatewayIntents::empty())
            .event_handler(Bot { outcomes: tx })
            .await
            .expect("the client builds against the fake");
        // Trap 3: the shard manager is the only way to stop `start()`; clone it first.
        let shards = Arc::clone(&client.shard_manager);
        let client = tokio::spawn(async move { client.start().await });
        RunningBot {
            shards,
            client,
            outcomes,
        }
    }

    async fn outcome(&mut self) -> String {
        match tokio::time::timeout(WAIT, self.outcomes.recv()).await {
            Ok(Some(Ok(outcome))) => outcome,
            Ok(Some(Err(e))) => panic!("serenity failed against the fake: {e}"),
            Ok(None) => panic!("the bot's handler is gone"),
            Err(_) => panic!("the bot's handler reported nothing within {WAIT:?}"),
        }
    }

    async fn stop(self) {
        self.shards.shutdown_all().await;
        let ended = tokio::time::timeout(WAIT, self.client)
            .await
            .expect("the client stops after shutdown_all")
            .expect("the client task did not panic");
        ended.expect("the client ends without an error");
    }
}

/// The one way tests build serenity's `Http`: the proxy only takes effect with the rate
/// limiter off.
/// Through the bot's one constructor of HTTP clients, as the architecture requires.
fn fake_http(fake: &FakeDiscord) -> Http {
    sco_bot::discord::http_client(
        &sco_bot::discord::Token::new(TOKEN),
        Some(&fake.proxy_url()),
    )
}

fn status_of(err: &serenity::Error) -> Option<u16> {
    match err {
        serenity::Error::Http(e) => e.status_code().map(|s| s.as_u16()),
        _ => None,
    }
}

#[tokio::test]
async fn serenity_client_runs_end_to_end() {
    let fake = FakeDiscord::start().await;
    let mut bot = RunningBot::start(&fake).await;
    fake.wait_identified(WAIT).await;
    // Trap 2: ready and interaction_create run concurrently; wait for ready's side effect.
    let put = fake
        .expect_request(
            "PUT",
            &format!("/applications/{}/commands", FakeDiscord::APP_ID),
            WAIT,
        )
        .await;
    assert_eq!(bot.outcome().await, "registered 2");
    let names: Vec<&str> = put
        .body
        .as_array()
        .expect("the overwrite is an array of commands")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["ping", "later"]);
    assert_eq!(put.status, 200);
    assert_eq!(put.answer[0]["application_id"], json!("100000000000000001"));

    let ping = FakeDiscord::slash("ping", json!([]))
        .in_guild(900_000_000_000_000_009)
        .build();
    let sent = fake.send_interaction(ping).await;
    let callback = fake
        .expect_request("POST", &sent.callback_path(), WAIT)
        .await;
    assert_eq!(bot.outcome().await, "answered ping");
    assert_eq!(callback.status, 204);
    assert_eq!(callback.body["type"], json!(4));
    assert_eq!(callback.body["data"]["content"], json!("pong"));
    assert_eq!(
        callback.body["data"]["allowed_mentions"]["parse"],
        json!([])
    );

    // A deferred answer, then an edit of @original and a follow-up, all through webhooks.
    let sent = fake
        .send_interaction(FakeDiscord::slash("later", json!([])).build())
        .await;
    let deferred = fake
        .expect_request("POST", &sent.callback_path(), WAIT)
        .await;
    assert_eq!(deferred.body["type"], json!(5));
    let webhook = sent.webhook_path();
    let edit = fake
        .expect_request("PATCH", &format!("{webhook}/messages/@original"), WAIT)
        .await;
    assert_eq!(edit.body["content"], json!("edited"));
    assert_eq!(edit.answer["content"], json!("edited"));
    let followup = fake.expect_request("POST", &webhook, WAIT).await;
    assert_eq!(followup.body["content"], json!("and more"));
    let channel = FakeDiscord::CHANNEL_ID.to_string();
    assert_eq!(followup.answer["channel_id"], json!(channel));
    assert_eq!(bot.outcome().await, "answered later");

    // Like Discord, the fake takes one initial response per interaction it sent.
    let http = fake_http(&fake);
    let pong = CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new().content("again"),
    );
    let id = InteractionId::new(sent.id.parse().expect("a numeric interaction id"));
    let twice = http.create_interaction_response(id, &sent.token, &pong, Vec::new());
    let err = twice.await.expect_err("a second response is refused");
    assert!(
        err.to_string().contains("already been acknowledged"),
        "{err}"
    );
    let stray = http.create_interaction_response(id, "no-such-token", &pong, Vec::new());
    let err = stray.await.expect_err("an unknown interaction is refused");
    assert!(err.to_string().contains("Unknown interaction"), "{err}");

    bot.stop().await;
    assert!(fake.unrouted().is_empty(), "{:?}", fake.unrouted());
    fake.assert_token_only_in_authorization(TOKEN);
    let identify = fake
        .gateway_received()
        .into_iter()
        .find(|f| f["op"] == json!(2))
        .expect("the bot identified");
    assert_eq!(identify["d"]["token"], json!("<redacted>"));
    assert_eq!(identify["d"]["intents"], json!(0));
    fake.stop().await;
}

#[tokio::test]
async fn closed_gateway_is_resumed_and_keeps_delivering() {
    let fake = FakeDiscord::start().await;
    let mut bot = RunningBot::start(&fake).await;
    fake.wait_identified(WAIT).await;
    assert_eq!(bot.outcome().await, "registered 2");

    assert_eq!(fake.close_gateway(4000, WAIT).await, Rejoin::Resumed);
    let sent = fake
        .send_interaction(FakeDiscord::slash("ping", json!([])).build())
        .await;
    let callback = fake
        .expect_request("POST", &sent.callback_path(), WAIT)
        .await;
    assert_eq!(callback.body["data"]["content"], json!("pong"));
    assert_eq!(bot.outcome().await, "answered ping");
    bot.stop().await;
    fake.stop().await;
}

#[tokio::test]
async fn builders_make_interactions_serenity_parses() {
    let guild = 900_000_000_000_000_009;
    let slash = FakeDiscord::slash(
        "member",
        json!([{"name": "name", "type": 3, "value": "kz"}]),
    )
    .in_guild(guild)
    .locale("ru")
    .user(42, "aigerim")
    .build();
    let Ok(Interaction::Command(c)) = serde_json::from_value(slash) else {
        panic!("a slash command");
    };
    assert_eq!(c.data.name, "member");
    assert_eq!(c.guild_id.map(|g| g.get()), Some(guild));
    assert_eq!((c.user.id.get(), c.user.name.as_str()), (42, "aigerim"));
    assert_eq!(c.locale, "ru");

    let typed = json!([{"name": "name", "type": 3, "value": "kaz", "focused": true}]);
    let autocomplete = FakeDiscord::autocomplete("member", typed).build();
    let Ok(Interaction::Autocomplete(a)) = serde_json::from_value(autocomplete) else {
        panic!("an autocomplete request");
    };
    assert_eq!(a.guild_id, None);
    assert_eq!(a.user.id.get(), FakeDiscord::USER_ID);

    let button = FakeDiscord::button("quiz:next").in_guild(guild).build();
    let Ok(Interaction::Component(b)) = serde_json::from_value(button) else {
        panic!("a button click");
    };
    assert_eq!(b.data.custom_id, "quiz:next");
    assert_eq!(b.message.author.id.get(), FakeDiscord::APP_ID);

    let select = FakeDiscord::string_select("quiz:answer", &["b"])
        .channel(77)
        .build();
    let Ok(Interaction::Component(s)) = serde_json::from_value(select) else {
        panic!("a select menu choice");
    };
    assert_eq!(s.message.channel_id.get(), 77);

    let modal = FakeDiscord::modal_submit("feedback", &[("text", "great")])
        .id(123)
        .token("chosen")
        .in_guild(guild)
        .in_dm()
        .build();
    let Ok(Interaction::Modal(m)) = serde_json::from_value(modal) else {
        panic!("a modal submission");
    };
    assert_eq!((m.id.get(), m.token.as_str()), (123, "chosen"));
    assert_eq!(m.guild_id, None);
    assert_eq!(m.data.components.len(), 1);

    let (one, two) = (
        FakeDiscord::button("x").build(),
        FakeDiscord::button("x").build(),
    );
    assert_ne!(one["id"], two["id"]);
    assert_ne!(one["token"], two["token"]);
    assert_ne!(one["message"]["id"], two["message"]["id"]);
    let message = message_json("2", "hi");
    serde_json::from_value::<serenity::all::Message>(message).expect("a valid Message");
}

#[tokio::test]
#[should_panic(expected = "serenity cannot parse this interaction")]
async fn an_interaction_serenity_would_drop_fails_loudly() {
    let fake = FakeDiscord::start().await;
    let mut broken = FakeDiscord::slash("ping", json!([])).build();
    broken
        .as_object_mut()
        .expect("an object")
        .remove("attachment_size_limit");
    fake.send_interaction(broken).await;
}

#[tokio::test]
async fn faults_answer_then_expire_and_unknown_routes_are_recorded() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    fake.inject(
        "GET",
        "/users/@me",
        Fault::rate_limited(Duration::from_millis(1500)),
    );
    let slow = Duration::from_millis(50);
    fake.inject(
        "GET",
        "/users/@me",
        Fault::status(502).with_delay(slow).times(2),
    );
    let asked = Instant::now();
    for expected in [429, 502, 502] {
        let err = http
            .get_current_user()
            .await
            .expect_err("the injected fault answers");
        assert_eq!(status_of(&err), Some(expected), "{err}");
    }
    assert!(asked.elapsed() >= 2 * slow);
    let me = http.get_current_user().await.expect("faults are used up");
    assert_eq!(me.name, FakeDiscord::BOT_NAME);
    let limited = &fake.requests()[0];
    assert_eq!(limited.status, 429);
    assert_eq!(limited.answer["retry_after"], json!(1.5));

    fake.inject("GET", "/gateway", Fault::delay(slow));
    let asked = Instant::now();
    let gateway = http
        .get_gateway()
        .await
        .expect("a late answer is still an answer");
    assert!(asked.elapsed() >= slow);
    assert_eq!(gateway.url, fake.gateway_url());

    let unknown = http
        .get_channel(1.into())
        .await
        .expect_err("the fake has no channels");
    assert_eq!(status_of(&unknown), Some(404));
    let unrouted = fake.unrouted();
    assert_eq!(unrouted.len(), 1);
    assert_eq!(unrouted[0].path, "/api/v10/channels/1");
    assert_eq!(unrouted[0].status, 404);
    fake.stop().await;
}

#[tokio::test]
async fn forgetting_claimed_requests_keeps_the_unclaimed_ones() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    http.get_current_user().await.expect("me");
    http.get_gateway().await.expect("the gateway");
    fake.expect_request("GET", "/users/@me", WAIT).await;
    fake.forget_claimed();
    let left: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(left, ["/api/v10/gateway"]);
    fake.expect_request("GET", "/gateway", WAIT).await;
    fake.stop().await;
}

#[tokio::test]
#[should_panic(expected = "no POST request with a path containing")]
async fn a_missing_request_fails_with_the_requests_seen() {
    let fake = FakeDiscord::start().await;
    fake.expect_request("POST", "/callback", Duration::from_millis(50))
        .await;
}

/// Posts `body` as the initial response to `sent` and returns the status and the error text.
async fn respond(http: &Http, sent: &Sent, body: &Value) -> Result<(), (Option<u16>, String)> {
    let id = InteractionId::new(sent.id.parse().expect("a numeric interaction id"));
    http.create_interaction_response(id, &sent.token, body, Vec::new())
        .await
        .map_err(|e| (status_of(&e), e.to_string()))
}

#[tokio::test]
async fn bodies_that_break_discords_spec_get_50035_and_are_recorded() {
    // Not in FAKE_DISCORD_DUMP's log: its requests break the spec on purpose.
    let fake = FakeDiscord::start_dumping(None).await;
    let http = fake_http(&fake);
    let long_title = json!({"type": 4, "data": {"embeds": [{"title": "t".repeat(257)}]}});
    let button = json!({"type": 2, "style": 1, "label": "A", "custom_id": "c".repeat(101)});
    let long_id = json!({"type": 4, "data": {"components": [{"type": 1, "components": [button]}]}});
    let string_flags = json!({"type": 4, "data": {"content": "hi", "flags": "64"}});
    let unknown_key = json!({"type": 4, "data": {"content": "hi", "colour": 3}});
    let planted = [
        (long_title, "data.embeds.0.title: BASE_TYPE_MAX_LENGTH"),
        (
            long_id,
            "data.components.0.components.0.custom_id: BASE_TYPE_MAX_LENGTH",
        ),
        (string_flags, "data.flags: NUMBER_TYPE_COERCE"),
        (unknown_key, "data.colour: UNKNOWN_FIELD"),
    ];
    for (body, problem) in &planted {
        let sent = fake.issue(&FakeDiscord::slash("ping", json!([])).build());
        let (status, text) = respond(&http, &sent, body)
            .await
            .expect_err("the fake refuses a body that breaks the spec");
        assert_eq!(status, Some(400), "{text}");
        let recorded = fake
            .expect_request("POST", &sent.callback_path(), WAIT)
            .await;
        assert_eq!(recorded.answer["code"], 50035);
        assert_eq!(recorded.answer["message"], "Invalid Form Body");
        assert!(
            recorded.violations.iter().any(|v| v.starts_with(problem)),
            "{problem}: {:?}",
            recorded.violations
        );
        // Discord refuses the whole request: the interaction can still be answered.
        let fine = json!({"type": 4, "data": {"content": "fine"}});
        respond(&http, &sent, &fine)
            .await
            .expect("a refused body does not use up the response");
    }
    let tree = &fake.requests()[0].answer["errors"];
    assert_eq!(
        tree["data"]["embeds"]["0"]["title"]["_errors"][0],
        json!({"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."})
    );
    assert_eq!(fake.violations().len(), planted.len());
    let valid = fake.requests().iter().filter(|r| r.status == 204).count();
    assert_eq!(valid, planted.len());
    fake.stop().await;
}

#[tokio::test]
async fn a_response_after_three_seconds_is_an_unknown_interaction() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    let pong = json!({"type": 4, "data": {"content": "pong"}});
    let late = fake.issue(&FakeDiscord::slash("ping", json!([])).build());
    let in_time = fake.issue(&FakeDiscord::slash("ping", json!([])).build());
    respond(&http, &in_time, &pong)
        .await
        .expect("an answer within 3 s is taken");
    fake.advance_clock(RESPONSE_DEADLINE + Duration::from_millis(1));
    let (status, text) = respond(&http, &late, &pong)
        .await
        .expect_err("3 s have passed");
    assert_eq!(status, Some(404));
    assert!(text.contains("Unknown interaction"), "{text}");
    let recorded = fake
        .expect_request("POST", &late.callback_path(), WAIT)
        .await;
    assert_eq!(recorded.answer["code"], 10062);
    fake.stop().await;
}

#[tokio::test]
async fn a_response_type_must_fit_the_interaction() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    let choices = json!({"type": 8, "data": {"choices": [{"name": "a", "value": "a"}]}});
    let modal = json!({"type": 9, "data": {"custom_id": "m", "title": "T", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "t", "label": "L", "style": 1}]}
    ]}});
    let update = json!({"type": 7, "data": {"content": "edited"}});
    let message = json!({"type": 4, "data": {"content": "hi"}});
    let typed = json!([{"name": "name", "type": 3, "value": "k", "focused": true}]);
    let modal_submit = || FakeDiscord::modal_submit("m", &[("t", "text")]);
    let cases = [
        (FakeDiscord::slash("ping", json!([])), &choices, false),
        (FakeDiscord::slash("ping", json!([])), &update, false),
        (FakeDiscord::slash("ping", json!([])), &modal, true),
        (
            FakeDiscord::autocomplete("ping", typed.clone()),
            &message,
            false,
        ),
        (FakeDiscord::autocomplete("ping", typed), &choices, true),
        (FakeDiscord::button("b"), &update, true),
        (FakeDiscord::button("b"), &choices, false),
        (modal_submit(), &modal, false),
        (modal_submit(), &update, false),
        (modal_submit().opened_by_component(), &update, true),
        (modal_submit(), &message, true),
    ];
    for (interaction, body, fits) in cases {
        let d = interaction.build();
        let what = format!("type {} answered with {}", d["type"], body["type"]);
        let sent = fake.issue(&d);
        match respond(&http, &sent, body).await {
            Ok(()) => assert!(fits, "{what} was taken"),
            Err((status, text)) => {
                assert!(!fits, "{what} was refused: {text}");
                assert_eq!(status, Some(400), "{what}: {text}");
                let recorded = fake
                    .expect_request("POST", &sent.callback_path(), WAIT)
                    .await;
                assert_eq!(recorded.answer["code"], 50035, "{what}");
                assert_eq!(
                    recorded.answer["errors"]["type"]["_errors"][0]["code"],
                    "INTERACTION_CALLBACK_TYPE_INVALID"
                );
            }
        }
    }
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    fake.stop().await;
}

#[tokio::test]
async fn the_interaction_webhook_opens_with_the_response_and_lasts_15_minutes() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    // Webhook routes need the application id, which a running client takes from READY.
    http.set_application_id(FakeDiscord::APP_ID.into());
    let sent = fake.issue(&FakeDiscord::slash("ping", json!([])).build());
    let followup = CreateInteractionResponseFollowup::new().content("more");
    let early = followup.clone().execute(&http, (None, &sent.token)).await;
    let err = early.expect_err("no webhook before the initial response");
    assert_eq!(status_of(&err), Some(404), "{err}");
    assert!(err.to_string().contains("Unknown Webhook"), "{err}");

    respond(&http, &sent, &json!({"type": 5}))
        .await
        .expect("a deferred response");
    let edit = EditInteractionResponse::new().content("done");
    let edited = edit.clone().execute(&http, &sent.token).await;
    assert_eq!(edited.expect("@original is editable").content, "done");
    followup
        .clone()
        .execute(&http, (None, &sent.token))
        .await
        .expect("a follow-up within 15 minutes");

    fake.advance_clock(WEBHOOK_LIFETIME + Duration::from_secs(1));
    let err = edit
        .execute(&http, &sent.token)
        .await
        .expect_err("the webhook token has expired");
    assert_eq!(status_of(&err), Some(401), "{err}");
    let err = followup
        .execute(&http, (None, &sent.token))
        .await
        .expect_err("the webhook token has expired");
    assert!(err.to_string().contains("Invalid Webhook Token"), "{err}");
    let expired = fake.requests().last().cloned().expect("requests");
    assert_eq!(expired.answer["code"], 50027);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    fake.stop().await;
}

#[tokio::test]
async fn a_user_install_where_the_app_is_not_a_member_gets_5_follow_ups_and_no_channel_access() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    http.set_application_id(FakeDiscord::APP_ID.into());
    // Used in a group DM by a user who installed the app: only a user-install owner.
    let mut d = FakeDiscord::slash("ping", json!([])).channel(700).build();
    d["context"] = json!(2);
    d["channel"]["type"] = json!(3);
    d["authorizing_integration_owners"] = json!({"1": FakeDiscord::USER_ID.to_string()});
    let sent = fake.issue(&d);
    respond(&http, &sent, &json!({"type": 4, "data": {"content": "hi"}}))
        .await
        .expect("the initial response");
    let followup = CreateInteractionResponseFollowup::new().content("more");
    for n in 1..=FOLLOWUP_LIMIT {
        followup
            .clone()
            .execute(&http, (None, &sent.token))
            .await
            .unwrap_or_else(|e| panic!("follow-up {n} of {FOLLOWUP_LIMIT}: {e}"));
    }
    let err = followup
        .clone()
        .execute(&http, (None, &sent.token))
        .await
        .expect_err("a sixth follow-up");
    assert_eq!(status_of(&err), Some(400), "{err}");
    assert_eq!(
        fake.requests().last().expect("requests").answer["code"],
        40094
    );
    // Editing is not posting: the original can still be edited.
    EditInteractionResponse::new()
        .content("edited")
        .execute(&http, &sent.token)
        .await
        .expect("an edit is not a follow-up");
    let post = CreateMessage::new().content("in the channel");
    let err = ChannelId::new(700)
        .send_message(&http, post.clone())
        .await
        .expect_err("the bot cannot see this channel");
    assert_eq!(status_of(&err), Some(403), "{err}");
    assert_eq!(
        fake.requests().last().expect("requests").answer["code"],
        50001
    );

    // Where the app is installed to the server, neither limit applies.
    let member = fake.issue(&FakeDiscord::slash("ping", json!([])).in_guild(3).build());
    respond(
        &http,
        &member,
        &json!({"type": 4, "data": {"content": "hi"}}),
    )
    .await
    .expect("the initial response");
    for _ in 0..=FOLLOWUP_LIMIT {
        followup
            .clone()
            .execute(&http, (None, &member.token))
            .await
            .expect("no follow-up limit for a member");
    }
    ChannelId::new(FakeDiscord::CHANNEL_ID)
        .send_message(&http, post)
        .await
        .expect("a channel the bot is in");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    fake.stop().await;
}

#[tokio::test]
async fn every_answer_carries_discords_rate_limit_headers() {
    let fake = FakeDiscord::start().await;
    let http = fake_http(&fake);
    http.get_current_user().await.expect("me");
    http.get_gateway().await.expect("the gateway");
    let _ = http.get_channel(1.into()).await;
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    let mut buckets = Vec::new();
    for r in &requests {
        let header = |name: &str| {
            r.answer_headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{} {} lacks {name}", r.method, r.path))
        };
        assert_eq!(header("x-ratelimit-limit"), "5");
        assert_eq!(header("x-ratelimit-remaining"), "4");
        assert_eq!(header("x-ratelimit-reset-after"), "1.000");
        let reset: f64 = header("x-ratelimit-reset").parse().expect("epoch seconds");
        assert!(reset > 1.7e9, "{reset}");
        buckets.push(header("x-ratelimit-bucket"));
    }
    buckets.dedup();
    assert_eq!(buckets.len(), 3, "one bucket per route");
    assert!(
        requests
            .windows(2)
            .all(|w| w[0].received_at <= w[1].received_at)
    );
    fake.stop().await;
}

#[tokio::test]
async fn the_traffic_log_holds_every_request_and_revalidates() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    let log = dir.path().join("traffic.jsonl");
    let fake = FakeDiscord::start_dumping(Some(log.clone())).await;
    let http = fake_http(&fake);
    http.get_current_user().await.expect("me");
    let sent = fake.issue(&FakeDiscord::slash("ping", json!([])).build());
    let pong = json!({"type": 4, "data": {"content": "pong", "allowed_mentions": {"parse": []}}});
    respond(&http, &sent, &pong)
        .await
        .expect("a valid response");
    fake.stop().await;

    let text = std::fs::read_to_string(&log).expect("the log was written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["method"], "GET");
    assert_eq!(lines[0]["path"], "/api/v10/users/@me");
    assert_eq!(lines[0]["body"], Value::Null);
    assert_eq!(
        lines[1]["path"],
        format!("/api/v10{}", sent.callback_path())
    );
    assert_eq!(lines[1]["body"], pong);
    assert_eq!(lines[1]["status"], 204);
    assert_eq!(traffic::check_file(&log), Vec::<String>::new());

    // A line that breaks the spec is found again when the log is checked.
    let bad = json!({"type": 4, "data": {"embeds": [{"title": "t".repeat(257)}]}});
    let path = format!("/api/v10{}", sent.callback_path());
    traffic::append(&log, &traffic::line("POST", &path, None, &bad, 400));
    traffic::append(
        &log,
        &traffic::line("GET", "/api/v10/nowhere", None, &Value::Null, 404),
    );
    let problems = traffic::check_file(&log);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("3: POST "), "{problems:?}");
    assert!(
        problems[0].ends_with("Must be 256 or fewer in length."),
        "{problems:?}"
    );
    assert!(problems[1].contains("no such operation"), "{problems:?}");
}

#[tokio::test]
async fn interactions_carry_what_discord_sends_today() {
    let guild = 900_000_000_000_000_009;
    let d = FakeDiscord::slash("ping", json!([]))
        .in_guild(guild)
        .permissions(perms::MODERATOR)
        .build();
    assert_eq!(d["app_permissions"], perms::BOT.to_string());
    assert_eq!(d["entitlements"], json!([]));
    assert_eq!(d["context"], 0);
    assert_eq!(
        d["authorizing_integration_owners"],
        json!({"0": guild.to_string()})
    );
    assert_eq!(d["guild_locale"], "en-US");
    assert_eq!(d["channel"]["id"], FakeDiscord::CHANNEL_ID.to_string());
    let Ok(Interaction::Command(c)) = serde_json::from_value(d) else {
        panic!("a slash command");
    };
    let member = c.member.expect("a member in a guild");
    let permissions = member.permissions.expect("permissions in an interaction");
    assert!(permissions.manage_messages());
    assert!(
        c.app_permissions
            .is_some_and(|p| p.send_messages() && !p.manage_messages())
    );

    let plain = FakeDiscord::slash("ping", json!([]))
        .in_guild(guild)
        .build();
    assert_eq!(plain["member"]["permissions"], perms::MEMBER.to_string());
    let dm = FakeDiscord::slash("ping", json!([]))
        .app_permissions(perms::VIEW_CHANNEL)
        .build();
    assert_eq!(dm["app_permissions"], perms::VIEW_CHANNEL.to_string());
    assert_eq!(dm["context"], 1);
    assert_eq!(dm["authorizing_integration_owners"], json!({"0": "0"}));
    assert!(dm.get("member").is_none() && dm.get("guild_locale").is_none());
    let modal = FakeDiscord::modal_submit("m", &[("t", "x")])
        .opened_by_component()
        .build();
    assert!(modal.get("message").is_some());
    serde_json::from_value::<Interaction>(modal).expect("serenity parses it");
}

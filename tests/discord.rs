//! The real serenity client against the fake Discord: registration, every command, autocomplete,
//! buttons, pagination, bad input, guild and DM, locales.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::fake_discord::{FakeDiscord, Fault, InteractionBuilder, Rejoin};
use sco_bot::Knowledge;
use sco_bot::commands::{COMMANDS, OptionKind};
use sco_bot::discord::{self, Token};
use sco_bot::facts::FactBase;

const WAIT: Duration = Duration::from_secs(10);
const TOKEN: &str = "test-token.must-never-leak";
const GUILD: u64 = 300_000_000_000_000_003;

/// A bot running against a fake Discord.
struct Bot {
    fake: FakeDiscord,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), discord::DiscordError>>,
    /// The registration PUT, recorded when the bot became ready.
    registration: crate::fake_discord::Recorded,
}

async fn start(guild: Option<u64>) -> Bot {
    let fake = FakeDiscord::start().await;
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let (stop, stopped) = oneshot::channel::<()>();
    let config = discord::Config {
        token: Token::new(TOKEN),
        guild,
        api_base: Some(fake.proxy_url()),
        shards: None,
    };
    let task = tokio::spawn(discord::run(
        config,
        sco_bot::app::App::assemble(knowledge, sco_bot::Origin::Bundled, None),
        async move {
            let _ = stopped.await;
        },
    ));
    fake.wait_identified(WAIT).await;
    // Interactions may only be injected once `ready` ran: its side effect is the registration.
    let registration = fake.expect_request("PUT", "/commands", WAIT).await;
    Bot {
        fake,
        stop,
        task,
        registration,
    }
}

impl Bot {
    /// Sends an interaction and returns the bot's answer as the user sees it (a deferral
    /// resolved to the edit that completed it: see `Sent::settled`).
    async fn ask(&self, interaction: InteractionBuilder) -> Value {
        let sent = self.fake.send_interaction(interaction.build()).await;
        sent.settled(&self.fake, WAIT).await
    }

    async fn stop(self) {
        self.stop_keeping_fake().await.stop().await;
    }

    /// Stops the bot after the checks every test makes, and returns the fake for more.
    async fn stop_keeping_fake(self) -> FakeDiscord {
        self.fake.assert_token_only_in_authorization(TOKEN);
        self.fake.assert_traffic_valid();
        let unrouted = self.fake.unrouted();
        assert!(
            unrouted.is_empty(),
            "requests the fake does not know: {unrouted:?}"
        );
        let _ = self.stop.send(());
        let result = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the bot stops when asked")
            .expect("the bot task does not panic");
        assert!(result.is_ok(), "{result:?}");
        self.fake
    }
}

fn text(name: &str, value: &str) -> Value {
    json!([{"name": name, "type": 3, "value": value}])
}

fn embed(body: &Value) -> &Value {
    &body["data"]["embeds"][0]
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    embed(body)["fields"]
        .as_array()?
        .iter()
        .find(|f| f["name"] == name)
        .and_then(|f| f["value"].as_str())
}

fn custom_ids(body: &Value) -> Vec<String> {
    body["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect()
}

fn assert_never_pings(body: &Value) {
    assert_eq!(
        body["data"]["allowed_mentions"]["parse"],
        json!([]),
        "{body}"
    );
}

const EPHEMERAL: u64 = 1 << 6;

fn is_ephemeral(body: &Value) -> bool {
    body["data"]["flags"]
        .as_u64()
        .is_some_and(|f| f & EPHEMERAL != 0)
}

#[tokio::test]
async fn registration_carries_every_command_of_the_table_with_options_and_localisations() {
    let bot = start(None).await;
    let reg = &bot.registration;
    assert!(
        reg.path
            .ends_with(&format!("/applications/{}/commands", FakeDiscord::APP_ID)),
        "{}",
        reg.path
    );
    let commands = reg.body.as_array().expect("a bulk overwrite is an array");
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    let table: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
    assert_eq!(
        names, table,
        "the same commands, in the same order, as the table"
    );
    for (c, spec) in commands.iter().zip(COMMANDS) {
        assert_eq!(c["description"], spec.description);
        assert_eq!(c["description_localizations"]["ru"], spec.description_ru);
        assert_eq!(c["description_localizations"]["zh-CN"], spec.description_zh);
        let options = c["options"].as_array().expect("options");
        if !spec.subcommands.is_empty() {
            let subs: Vec<&str> = options.iter().filter_map(|o| o["name"].as_str()).collect();
            let want: Vec<&str> = spec.subcommands.iter().map(|s| s.name).collect();
            assert_eq!(subs, want, "/{}", spec.name);
            for (o, sub) in options.iter().zip(spec.subcommands) {
                assert_eq!(o["type"], 1, "a subcommand");
                let inner = o["options"].as_array().map_or(0, Vec::len);
                assert_eq!(inner, sub.options.len(), "/{} {}", spec.name, sub.name);
            }
            continue;
        }
        assert_eq!(options.len(), spec.options.len(), "/{}", spec.name);
        for (o, ospec) in options.iter().zip(spec.options) {
            assert_eq!(o["name"], ospec.name);
            assert_eq!(o["required"], ospec.required);
            assert_eq!(o["name_localizations"]["ru"], ospec.name_ru_zh.0);
            match ospec.kind {
                OptionKind::Lookup(_) => {
                    assert_eq!(o["type"], 3);
                    assert_eq!(o["autocomplete"], true, "/{} {}", spec.name, ospec.name);
                }
                OptionKind::Integer { min, max } => {
                    assert_eq!(o["type"], 4);
                    assert_eq!(
                        (o["min_value"].as_i64(), o["max_value"].as_i64()),
                        (Some(min), Some(max))
                    );
                }
                OptionKind::CommandName => {
                    assert_eq!(o["choices"].as_array().map(Vec::len), Some(COMMANDS.len()));
                }
                OptionKind::Choice(words) => {
                    assert_eq!(o["type"], 3);
                    assert_eq!(o["choices"].as_array().map(Vec::len), Some(words.len()));
                }
                OptionKind::User => assert_eq!(o["type"], 6),
                OptionKind::Channel => {
                    assert_eq!(o["type"], 7);
                    assert_eq!(o["channel_types"], serde_json::json!([0]));
                }
                OptionKind::Text => {
                    assert_eq!(o["type"], 3);
                    assert!(o["autocomplete"].is_null() || o["autocomplete"] == false);
                }
            }
        }
    }
    let member = &commands[0];
    assert_eq!(member["name_localizations"]["ru"], "страна");
    bot.stop().await;
}

#[tokio::test]
async fn a_guild_flag_registers_in_that_guild_only() {
    let bot = start(Some(GUILD)).await;
    assert!(
        bot.registration.path.ends_with(&format!(
            "/applications/{}/guilds/{GUILD}/commands",
            FakeDiscord::APP_ID
        )),
        "{}",
        bot.registration.path
    );
    bot.stop().await;
}

#[tokio::test]
async fn every_command_answers_with_a_sourced_embed() {
    let bot = start(None).await;
    let cases: [(&str, Value, &str); 12] = [
        ("member", text("name", "kazakstan"), "Kazakhstan"),
        ("members", json!([]), "SCO member states and partners"),
        ("principle", text("name", "non-alignment"), "Non-alignment"),
        (
            "body",
            text("name", "rats"),
            "Regional Anti-Terrorist Structure (RATS)",
        ),
        ("summit", text("name", "2017"), "Astana summit 2017"),
        ("document", text("name", "charter"), "SCO Charter"),
        ("term", text("name", "3 evils"), "Three evils"),
        ("person", text("name", "norov"), "Vladimir Norov"),
        (
            "fact",
            text("name", "secretariat beijing"),
            "SCO Secretariat",
        ),
        (
            "timeline",
            json!([{"name": "from", "type": 4, "value": 2017}, {"name": "to", "type": 4, "value": 2017}]),
            "SCO timeline 2017–2017",
        ),
        ("about", json!([]), "SCO fact base"),
        ("help", json!([]), "sco-bot — the SCO fact-and-quiz bot"),
    ];
    for (name, options, title) in cases {
        let body = bot.ask(FakeDiscord::slash(name, options)).await;
        assert_eq!(body["type"], 4, "/{name}: a message response");
        assert_eq!(embed(&body)["title"], title, "/{name}");
        assert!(
            embed(&body)["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "/{name}"
        );
        assert_never_pings(&body);
        let footer = embed(&body)["footer"]["text"].as_str().unwrap_or_default();
        if name != "help" {
            assert!(
                footer.contains("Facts as of 2026-11-28"),
                "/{name}: {footer}"
            );
        }
        if !["members", "timeline", "about", "help"].contains(&name) {
            let sources =
                field(&body, "Sources").unwrap_or_else(|| panic!("/{name} cites sources"));
            assert!(sources.starts_with("[1] "), "/{name}: {sources}");
            assert!(footer.contains("Sources [1]–["), "/{name}: {footer}");
        }
    }
    let member = bot
        .ask(FakeDiscord::slash("member", text("name", "kazakstan")))
        .await;
    assert_eq!(field(&member, "Status"), Some("member state"));
    assert_eq!(field(&member, "Capital"), Some("Astana"));
    assert!(
        field(&member, "Sources").is_some_and(|s| s.contains("](http")),
        "numbered, linked sources"
    );
    assert_eq!(embed(&member)["color"], 0x2E86C1);
    assert!(!is_ephemeral(&member));
    bot.stop().await;
}

/// A lookup answered from another kind, a place, a role or a historical name says how it was
/// found in the embed itself, where the user reads it.
#[tokio::test]
async fn a_crossed_lookup_says_in_the_embed_where_it_was_found() {
    let bot = start(None).await;
    let cases = [
        (
            "principle",
            "shangai spirit",
            "Shanghai Spirit",
            "Not a principle: found among the glossary terms.",
        ),
        (
            "fact",
            "tashkent",
            "Regional Anti-Terrorist Structure (RATS)",
            "Tashkent is the seat of",
        ),
        ("person", "current", "Nurlan Yermekbayev", "Found by role"),
        (
            "member",
            "persia",
            "Iran",
            "“Persia” is a historical name of Iran",
        ),
    ];
    for (name, query, title, line) in cases {
        let body = bot.ask(FakeDiscord::slash(name, text("name", query))).await;
        assert_eq!(embed(&body)["title"], title, "/{name} {query}");
        let description = embed(&body)["description"].as_str().unwrap_or_default();
        assert!(
            description.starts_with(line),
            "/{name} {query}: {description}"
        );
        assert!(
            !is_ephemeral(&body),
            "/{name} {query}: an answer, not a miss"
        );
        assert_never_pings(&body);
    }
    bot.stop().await;
}

#[tokio::test]
async fn autocomplete_offers_at_most_25_ranked_names() {
    let bot = start(None).await;
    let options = json!([{"name": "name", "type": 3, "value": "kaz", "focused": true}]);
    let body = bot.ask(FakeDiscord::autocomplete("member", options)).await;
    assert_eq!(body["type"], 8, "an autocomplete result");
    let choices = body["data"]["choices"].as_array().expect("choices");
    assert_eq!(choices[0]["name"], "Kazakhstan");
    assert_eq!(choices[0]["value"], "Kazakhstan");
    let options = json!([{"name": "name", "type": 3, "value": "", "focused": true}]);
    let body = bot.ask(FakeDiscord::autocomplete("fact", options)).await;
    let choices = body["data"]["choices"].as_array().expect("choices");
    assert_eq!(choices.len(), 25, "Discord's limit, filled");
    let options = json!([{"name": "name", "type": 3, "value": "heads of", "focused": true}]);
    let body = bot.ask(FakeDiscord::autocomplete("body", options)).await;
    let names: Vec<&str> = body["data"]["choices"]
        .as_array()
        .expect("choices")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Council of Heads of State")
            && names.contains(&"Council of Heads of Government"),
        "{names:?}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn an_ambiguous_name_gets_suggestion_buttons_that_show_the_entry() {
    let bot = start(None).await;
    let body = bot
        .ask(FakeDiscord::slash("summit", text("name", "astana")))
        .await;
    assert!(
        is_ephemeral(&body),
        "no-match replies are for the asker only"
    );
    assert_never_pings(&body);
    let ids = custom_ids(&body);
    for year in ["2005", "2011", "2017", "2024"] {
        assert!(
            ids.contains(&format!("show|summit|summit-{year}")),
            "{ids:?}"
        );
    }
    assert!(ids.iter().all(|id| id.len() <= 100));
    let clicked = bot
        .ask(FakeDiscord::button("show|summit|summit-2017"))
        .await;
    assert_eq!(clicked["type"], 4);
    assert_eq!(embed(&clicked)["title"], "Astana summit 2017");
    assert_eq!(field(&clicked, "Date"), Some("8–9 June 2017"));
    let unknown = bot
        .ask(FakeDiscord::slash("principle", text("name", "pizza")))
        .await;
    assert!(is_ephemeral(&unknown));
    assert_eq!(embed(&unknown)["title"], "No principle matches “pizza”");
    bot.stop().await;
}

#[tokio::test]
async fn long_lists_page_with_previous_and_next() {
    let bot = start(None).await;
    let first = bot.ask(FakeDiscord::slash("timeline", json!([]))).await;
    let footer = embed(&first)["footer"]["text"]
        .as_str()
        .expect("footer")
        .to_string();
    assert!(footer.starts_with("Page 1 of "), "{footer}");
    let ids = custom_ids(&first);
    assert_eq!(
        ids,
        ["page|timeline|0|", "page|timeline|1|"],
        "Previous (disabled) and Next"
    );
    let buttons = first["data"]["components"][0]["components"]
        .as_array()
        .expect("buttons");
    assert_eq!(buttons[0]["disabled"], true);
    assert_eq!(buttons[1]["disabled"], false);
    let second = bot.ask(FakeDiscord::button("page|timeline|1|")).await;
    assert_eq!(second["type"], 7, "the message is updated in place");
    let footer = embed(&second)["footer"]["text"].as_str().expect("footer");
    assert!(footer.starts_with("Page 2 of "), "{footer}");
    assert_ne!(embed(&first)["description"], embed(&second)["description"]);
    bot.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_polite_private_sentence() {
    let bot = start(None).await;
    let unknown = bot.ask(FakeDiscord::slash("frobnicate", json!([]))).await;
    assert!(is_ephemeral(&unknown));
    assert_eq!(
        unknown["data"]["content"],
        "I don't know the command /frobnicate. It may have been removed in an update; type /help to see what I can do."
    );
    let wrong_type = bot
        .ask(FakeDiscord::slash("timeline", text("from", "last year")))
        .await;
    assert!(is_ephemeral(&wrong_type));
    assert_eq!(
        wrong_type["data"]["content"],
        "“from” must be a whole number from 1996 to 2100."
    );
    let out_of_range = bot
        .ask(FakeDiscord::slash(
            "timeline",
            json!([{"name": "from", "type": 4, "value": 1800}]),
        ))
        .await;
    assert_eq!(
        out_of_range["data"]["content"],
        "“from” must be a whole number from 1996 to 2100."
    );
    let missing = bot.ask(FakeDiscord::slash("member", json!([]))).await;
    assert_eq!(
        missing["data"]["content"],
        "/member needs a name: for example /member kazakhstan."
    );
    let stale_button = bot.ask(FakeDiscord::button("quiz|v0|whatever")).await;
    assert_eq!(
        stale_button["type"], 4,
        "a new private message, not an update"
    );
    assert!(is_ephemeral(&stale_button));
    assert_never_pings(&stale_button);
    assert_eq!(
        stale_button["data"]["content"],
        "This button is from an older version of the bot and no longer works. Please run the command again."
    );
    bot.stop().await;
}

#[tokio::test]
async fn echoed_user_text_is_escaped_and_never_pings() {
    let bot = start(None).await;
    let body = bot
        .ask(FakeDiscord::slash(
            "member",
            text("name", "@everyone **pizza**"),
        ))
        .await;
    assert_never_pings(&body);
    let title = embed(&body)["title"].as_str().expect("title");
    assert_eq!(
        title,
        "No country matches “@\u{200B}everyone \\*\\*pizza\\*\\*”"
    );
    bot.stop().await;
}

#[tokio::test]
async fn guild_and_dm_both_work_and_titles_follow_the_locale() {
    let bot = start(Some(GUILD)).await;
    let guild = bot
        .ask(FakeDiscord::slash("member", text("name", "kazakhstan")).in_guild(GUILD))
        .await;
    assert_eq!(embed(&guild)["title"], "Kazakhstan");
    let dm = bot
        .ask(FakeDiscord::slash("member", text("name", "kazakhstan")).in_dm())
        .await;
    assert_eq!(embed(&dm)["title"], "Kazakhstan");
    let ru = bot
        .ask(FakeDiscord::slash("member", text("name", "Казахстан")).locale("ru"))
        .await;
    assert_eq!(embed(&ru)["title"], "Казахстан");
    let zh = bot
        .ask(FakeDiscord::slash("member", text("name", "kazakhstan")).locale("zh-CN"))
        .await;
    assert_eq!(embed(&zh)["title"], "哈萨克斯坦");
    bot.stop().await;
}

/// Issue 14: the gateway drops the connection, sends RECONNECT, sends INVALID_SESSION; after
/// each the bot is back (resumed, or identified afresh) and answers the next interaction.
#[tokio::test]
async fn the_bot_answers_again_after_a_dropped_gateway_reconnect_and_invalid_session() {
    let bot = start(None).await;
    let india = || FakeDiscord::slash("member", text("name", "india"));
    let answers = |body: Value| {
        assert_eq!(embed(&body)["title"], "India", "{body}");
    };
    answers(bot.ask(india()).await);
    assert_eq!(bot.fake.close_gateway(4000, WAIT).await, Rejoin::Resumed);
    answers(bot.ask(india()).await);
    let rejoin = bot
        .fake
        .send_gateway_op(json!({"op": 7, "d": null}), WAIT)
        .await;
    assert_eq!(rejoin, Rejoin::Resumed, "RECONNECT: resume");
    answers(bot.ask(india()).await);
    let rejoin = bot
        .fake
        .send_gateway_op(json!({"op": 9, "d": false}), WAIT)
        .await;
    assert_eq!(
        rejoin,
        Rejoin::Identified,
        "INVALID_SESSION (not resumable): identify"
    );
    answers(bot.ask(india()).await);
    bot.stop().await;
}

/// The callbacks the bot sent for `sent`, as (status, Discord's error code) in order.
fn callbacks(fake: &FakeDiscord, sent: &crate::fake_discord::Sent) -> Vec<(u16, i64)> {
    fake.requests()
        .into_iter()
        .filter(|r| r.path.contains(&sent.callback_path()))
        .map(|r| (r.status, r.answer["code"].as_i64().unwrap_or(0)))
        .collect()
}

/// Issue 14: a callback answered 429 (with `retry_after`), 500, or 502 after Discord already
/// took it is sent again after a short backoff, within the interaction's 3 s: the user gets
/// exactly one answer (a retry of a callback Discord took is refused with 40060, never shown
/// twice), nothing else is posted for it, and the next interaction is answered.
#[tokio::test]
async fn a_callback_answered_429_or_5xx_is_retried_in_time_and_answered_once() {
    let bot = start(None).await;
    for (fault, expected) in [
        (
            Fault::rate_limited(Duration::from_millis(500)),
            vec![(429, 0), (204, 0)],
        ),
        (Fault::status(500), vec![(500, 0), (204, 0)]),
        (Fault::status(502).applied(), vec![(502, 0), (400, 40060)]),
    ] {
        bot.fake.inject("POST", "/callback", fault);
        let sent = bot
            .fake
            .send_interaction(FakeDiscord::slash("member", text("name", "india")).build())
            .await;
        let first = bot
            .fake
            .expect_request("POST", &sent.callback_path(), WAIT)
            .await;
        let retry = bot
            .fake
            .expect_request("POST", &sent.callback_path(), WAIT)
            .await;
        assert_eq!(embed(&retry.body)["title"], "India", "{}", retry.body);
        assert_eq!(first.body, retry.body, "the same answer, sent again");
        assert!(
            retry.received_at.duration_since(first.received_at) < Duration::from_secs(3),
            "retried within the interaction's 3 s"
        );
        let next = bot
            .ask(FakeDiscord::slash("member", text("name", "china")))
            .await;
        assert_eq!(embed(&next)["title"], "China", "{next}");
        assert_eq!(callbacks(&bot.fake, &sent), expected);
        let webhooks = bot
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.path.contains(&sent.webhook_path()))
            .count();
        assert_eq!(webhooks, 0, "no follow-up for a retried callback");
    }
    bot.stop().await;
}

/// Issue 14: Discord rate-limiting a callback for longer than the interaction lives: the bot
/// retries on its backoff (250 ms, 500 ms, 1 s) and gives up before Discord's 3 s are up rather
/// than answer late; it answers the next interaction meanwhile.
#[tokio::test]
async fn a_callback_limited_past_the_deadline_is_given_up_in_time() {
    let bot = start(None).await;
    let id: u64 = 912_345_678_901_234_567;
    bot.fake.inject(
        "POST",
        &format!("/interactions/{id}/"),
        Fault::rate_limited(Duration::from_secs(5)).times(20),
    );
    let sent = bot
        .fake
        .send_interaction(FakeDiscord::slash("about", json!([])).id(id).build())
        .await;
    for _ in 0..2 {
        bot.fake
            .expect_request("POST", &sent.callback_path(), WAIT)
            .await;
    }
    let next = bot
        .ask(FakeDiscord::slash("member", text("name", "china")))
        .await;
    assert_eq!(embed(&next)["title"], "China");
    // A shutdown waits for the interactions in flight: after it, every try has been made.
    let fake = bot.stop_keeping_fake().await;
    let tries: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains(&sent.callback_path()))
        .collect();
    assert!(tries.len() >= 2, "retried: {}", tries.len());
    for t in &tries {
        assert_eq!(t.status, 429);
        assert!(
            t.received_at.duration_since(tries[0].received_at) < Duration::from_secs(3),
            "no callback after the interaction's 3 s"
        );
    }
    fake.stop().await;
}

#[tokio::test]
async fn map_uploads_its_picture_and_shows_it_in_the_embed_with_alt_text() {
    let bot = start(None).await;
    let options = json!([
        {"name": "year", "type": 4, "value": 2010},
        {"name": "highlight", "type": 3, "value": "belarus"}
    ]);
    let body = bot.ask(FakeDiscord::slash("map", options)).await;
    assert_eq!(body["type"], 4, "{body}");
    let image = embed(&body)["image"]["url"].as_str().unwrap_or_default();
    assert_eq!(image, "attachment://sco-map-2010.png", "{body}");
    let files = body["data"]["attachments"].as_array().expect("an upload");
    assert_eq!(files.len(), 1, "{body}");
    assert_eq!(files[0]["filename"], "sco-map-2010.png");
    let alt = files[0]["description"].as_str().unwrap_or_default();
    assert!(alt.contains("Dialogue partner: Belarus"), "{alt}");
    // The text answer is all there for screen readers.
    let text = embed(&body)["description"].as_str().unwrap_or_default();
    assert!(text.contains("Belarus — dialogue partner"), "{text}");
    let callback = bot
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.path.ends_with("/callback"))
        .expect("the callback");
    assert!(
        callback
            .header("content-type")
            .is_some_and(|c| c.starts_with("multipart/form-data")),
        "a file goes as multipart"
    );
    assert!(callback.raw_body.contains("\u{89}PNG") || callback.raw_body.contains("PNG\r\n"));
    bot.stop().await;
}

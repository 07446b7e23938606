//! `serve`, Discord's interactions endpoint, on 127.0.0.1 with a test key pair: real signed
//! requests (and forged, replayed, oversized, malformed ones) over plain TCP; interaction
//! bodies from the fake Discord's builders, shaped as Discord sends them; deferred answers and
//! registration against the fake Discord's REST side.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::fake_discord::{FakeDiscord, InteractionBuilder, perms};
use sco_bot::Knowledge;
use sco_bot::app::App;
use sco_bot::discord::Token;
use sco_bot::discord::http::verify::{PublicKey, encode_hex};
use sco_bot::discord::http::{self, Config};
use sco_bot::facts::FactBase;

const WAIT: Duration = Duration::from_secs(10);
const GUILD: u64 = 300_000_000_000_000_003;

/// The test application's key pair, from a fixed seed.
pub fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// Its public half as the hex the developer portal shows.
pub fn public_hex() -> String {
    encode_hex(signing_key().verifying_key().as_bytes())
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// An HTTP/1.1 POST of `body` to `/interactions` with these extra headers, closing after.
pub fn post(headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "POST /interactions HTTP/1.1\r\nhost: bot.example\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// A POST signed by `key` at `timestamp`, as Discord signs: timestamp + body.
pub fn signed_with(key: &SigningKey, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let ts = timestamp.to_string();
    let mut message = ts.as_bytes().to_vec();
    message.extend_from_slice(body);
    let signature = encode_hex(&key.sign(&message).to_bytes());
    post(
        &[
            ("x-signature-ed25519", signature),
            ("x-signature-timestamp", ts),
        ],
        body,
    )
}

/// A POST signed now by the test key.
pub fn signed(body: &[u8]) -> Vec<u8> {
    signed_with(&signing_key(), now_secs(), body)
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw request bytes on a fresh connection and reads the answer until the server closes.
pub async fn send(addr: SocketAddr, raw: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    // The server may answer (413) and close before taking everything; that is its right.
    let _ = stream.write_all(raw).await;
    read_answer(stream).await
}

async fn read_answer(mut stream: TcpStream) -> Answer {
    let mut buf = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut buf))
        .await
        .expect("the server answers and closes in time")
        .expect("the answer can be read");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    Answer {
        status,
        headers: head.to_lowercase(),
        body: buf[split + 4..].to_vec(),
    }
}

/// A GET of `path`.
pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    let raw = format!("GET {path} HTTP/1.1\r\nhost: bot.example\r\nconnection: close\r\n\r\n");
    send(addr, raw.as_bytes()).await
}

/// An endpoint running in this test.
pub struct Server {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn start(app: App, token: Option<&str>, api_base: Option<String>) -> Server {
        Server::start_deferring(app, token, api_base, sco_bot::discord::DEFER_AFTER).await
    }

    pub async fn start_deferring(
        app: App,
        token: Option<&str>,
        api_base: Option<String>,
        defer_after: Duration,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("an address");
        let config = Config {
            public_key: PublicKey::from_hex(&public_hex()).expect("the test key"),
            token: token.map(Token::new),
            api_base,
            defer_after,
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(http::serve(listener, config, app, async move {
            let _ = stopped.await;
        }));
        Server { addr, stop, task }
    }

    pub async fn ask(&self, interaction: Value) -> Answer {
        send(self.addr, &signed(interaction.to_string().as_bytes())).await
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the server stops when asked")
            .expect("the server task does not panic");
    }
}

fn bundled_app() -> App {
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    App::assemble(knowledge, sco_bot::Origin::Bundled, None)
}

fn text(name: &str, value: &str) -> Value {
    json!([{"name": name, "type": 3, "value": value}])
}

/// A PING exactly as Discord's documentation shows it when it checks the endpoint URL.
fn ping() -> Value {
    json!({
        "id": "1234567890123456789",
        "application_id": FakeDiscord::APP_ID.to_string(),
        "type": 1,
        "token": "ping-token",
        "version": 1,
    })
}

#[tokio::test]
async fn a_signed_ping_is_answered_with_a_pong() {
    let server = Server::start(bundled_app(), None, None).await;
    let pong = server.ask(ping()).await;
    assert_eq!(pong.status, 200, "{}", pong.text());
    assert!(pong.headers.contains("content-type: application/json"));
    assert_eq!(pong.json(), json!({"type": 1}));
    server.stop().await;
}

#[tokio::test]
async fn a_signed_member_lookup_is_answered_with_an_embed_that_fits_discords_spec() {
    let server = Server::start(bundled_app(), None, None).await;
    let d = FakeDiscord::slash("member", text("name", "kazakstan"))
        .in_guild(GUILD)
        .build();
    let answer = server.ask(d.clone()).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let body = answer.json();
    assert_eq!(body["type"], 4, "a message: {body}");
    let embed = &body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Kazakhstan");
    let capital = embed["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "Capital")
        .expect("a Capital field");
    assert_eq!(capital["value"], "Astana");
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    // The same body as a callback would be: Discord's rules and spec apply.
    let fake = FakeDiscord::start().await;
    let sent = fake.issue(&d);
    assert_eq!(fake.respond_over_http(&sent, &body).0, 204);
    fake.assert_traffic_valid();
    fake.stop().await;
    server.stop().await;
}

#[tokio::test]
async fn autocomplete_buttons_and_locales_go_through_the_interaction_layer() {
    let server = Server::start(bundled_app(), None, None).await;
    let options = json!([{"name": "name", "type": 3, "value": "kaz", "focused": true}]);
    let choices = server
        .ask(FakeDiscord::autocomplete("member", options).build())
        .await
        .json();
    assert_eq!(choices["type"], 8, "{choices}");
    assert_eq!(choices["data"]["choices"][0]["name"], "Kazakhstan");

    let miss = server
        .ask(FakeDiscord::slash("summit", text("name", "astana")).build())
        .await
        .json();
    assert_eq!(miss["type"], 4, "{miss}");
    let ids: Vec<String> = miss["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect();
    let show = ids
        .iter()
        .find(|id| id.starts_with("show|"))
        .expect("a suggestion button");
    let clicked = server.ask(FakeDiscord::button(show).build()).await.json();
    assert_eq!(
        clicked["type"], 4,
        "a new message for a suggestion: {clicked}"
    );
    assert!(clicked["data"]["embeds"][0]["title"].is_string());

    let ru = server
        .ask(
            FakeDiscord::slash("member", text("name", "Казахстан"))
                .locale("ru")
                .build(),
        )
        .await
        .json();
    assert_eq!(ru["data"]["embeds"][0]["title"], "Казахстан");

    let metrics = get(server.addr, "/metrics").await.text();
    assert!(
        metrics.contains("sco_bot_requests_total{kind=\"autocomplete\",outcome=\"answered\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sco_bot_requests_total{kind=\"button\",outcome=\"answered\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("sco_bot_lookups_no_match_total 1\n"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test]
async fn unsigned_forged_replayed_oversized_and_malformed_requests_are_refused() {
    let server = Server::start(bundled_app(), None, None).await;
    let addr = server.addr;
    let body = FakeDiscord::slash("member", text("name", "kazakhstan"))
        .build()
        .to_string();
    let body = body.as_bytes();

    let unsigned = send(addr, &post(&[], body)).await;
    assert_eq!(unsigned.status, 401, "unsigned: {}", unsigned.text());

    let no_timestamp = send(
        addr,
        &post(&[("x-signature-ed25519", "00".repeat(64))], body),
    )
    .await;
    assert_eq!(no_timestamp.status, 401);

    let other_key = SigningKey::from_bytes(&[43; 32]);
    let forged = send(addr, &signed_with(&other_key, now_secs(), body)).await;
    assert_eq!(forged.status, 401, "signed by another key");

    // A good signature over a different body: the body was changed on the way.
    let mut tampered = signed(body);
    let at = tampered.len() - 3;
    tampered[at] ^= 1;
    assert_eq!(send(addr, &tampered).await.status, 401, "tampered body");

    let garbage_signature = post(
        &[
            ("x-signature-ed25519", "not hex".into()),
            ("x-signature-timestamp", now_secs().to_string()),
        ],
        body,
    );
    assert_eq!(send(addr, &garbage_signature).await.status, 401);

    let replayed = send(addr, &signed_with(&signing_key(), now_secs() - 301, body)).await;
    assert_eq!(replayed.status, 401, "a timestamp 301 s old");
    assert!(replayed.text().contains("5 minutes"), "{}", replayed.text());
    let future = send(addr, &signed_with(&signing_key(), now_secs() + 301, body)).await;
    assert_eq!(future.status, 401, "a timestamp 301 s ahead");

    // Declared too large: refused on the headers alone, nothing of the body sent.
    let huge = vec![b' '; http::MAX_BODY + 1];
    let mut declared = signed(&huge);
    let head_end = declared
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    declared.truncate(head_end);
    assert_eq!(
        send(addr, &declared).await.status,
        413,
        "declared too large"
    );

    // Chunked, with no length declared: refused once 64 KiB have been read.
    let ts = now_secs().to_string();
    let mut chunked = format!(
        "POST /interactions HTTP/1.1\r\nhost: bot.example\r\ntransfer-encoding: chunked\r\nx-signature-ed25519: {}\r\nx-signature-timestamp: {ts}\r\n\r\n",
        "00".repeat(64)
    )
    .into_bytes();
    for _ in 0..=http::MAX_BODY / 4096 {
        chunked.extend_from_slice(b"1000\r\n");
        chunked.extend_from_slice(&[b' '; 4096]);
        chunked.extend_from_slice(b"\r\n");
    }
    assert_eq!(send(addr, &chunked).await.status, 413, "chunked too large");

    let malformed = send(addr, &signed(b"{\"type\": 2, \"id\": ")).await;
    assert_eq!(malformed.status, 400, "signed but not JSON");
    let not_an_interaction = send(addr, &signed(b"{\"hello\": \"world\"}")).await;
    assert_eq!(
        not_an_interaction.status, 400,
        "signed JSON, not an interaction"
    );

    let health = get(addr, "/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(get(addr, "/nowhere").await.status, 404);
    assert_eq!(get(addr, "/interactions").await.status, 405);

    let metrics = get(addr, "/metrics").await;
    assert!(metrics.headers.contains("text/plain; version=0.0.4"));
    let metrics = metrics.text();
    for line in [
        "sco_bot_requests_total{kind=\"unknown\",outcome=\"unauthorized\"} 7\n",
        "sco_bot_requests_total{kind=\"unknown\",outcome=\"too_large\"} 2\n",
        "sco_bot_requests_total{kind=\"unknown\",outcome=\"malformed\"} 2\n",
        "sco_bot_request_seconds_count 11\n",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_slow_answer_is_deferred_in_the_response_and_completed_through_the_webhook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        sco_bot::store::open(dir.path().join("bot.db").to_str().expect("utf-8")).expect("a store");
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(knowledge, sco_bot::Origin::Bundled, Some(store));
    let fake = FakeDiscord::start().await;
    // Every answer that waits on the store is deferred at once.
    let server = Server::start_deferring(
        app,
        Some("serve-test-token"),
        Some(fake.proxy_url()),
        Duration::ZERO,
    )
    .await;
    fake.expect_request("PUT", "/commands", WAIT).await;

    let d =
        FakeDiscord::slash("study", json!([{"name": "next", "type": 1, "options": []}])).build();
    let sent = fake.issue(&d);
    let deferred = server.ask(d).await.json();
    assert_eq!(deferred["type"], 5, "deferred: {deferred}");
    assert_eq!(
        deferred["data"]["flags"], 64,
        "/study is private: {deferred}"
    );
    assert_eq!(fake.respond_over_http(&sent, &deferred).0, 204);
    let edit = fake
        .expect_request(
            "PATCH",
            &format!("{}/messages/@original", sent.webhook_path()),
            WAIT,
        )
        .await;
    assert_eq!(edit.status, 200, "{:?}", edit.answer);
    assert!(
        edit.body["embeds"][0]["description"].is_string(),
        "a study question: {}",
        edit.body
    );

    let metrics = get(server.addr, "/metrics").await.text();
    assert!(
        metrics.contains("sco_bot_requests_total{kind=\"command\",outcome=\"deferred\"} 1\n"),
        "{metrics}"
    );
    server.stop().await;
    fake.assert_token_only_in_authorization("serve-test-token");
    fake.assert_traffic_valid();
    fake.stop().await;
}

#[tokio::test]
async fn with_a_token_the_commands_are_registered_for_server_and_user_installs() {
    let fake = FakeDiscord::start().await;
    let server = Server::start(
        bundled_app(),
        Some("serve-test-token"),
        Some(fake.proxy_url()),
    )
    .await;
    let put = fake.expect_request("PUT", "/commands", WAIT).await;
    assert_eq!(put.status, 200, "{:?}", put.answer);
    let commands = put.body.as_array().expect("a list of commands");
    for command in commands {
        if command["name"] == "reload" {
            // For those who run the bot: servers that installed it, Manage Server (1 << 5).
            assert_eq!(command["default_member_permissions"], "32", "{command}");
            assert_eq!(command["integration_types"], json!([0]), "{command}");
            assert_eq!(command["contexts"], json!([0]), "{command}");
            continue;
        }
        assert_eq!(command["integration_types"], json!([0, 1]), "{command}");
        assert_eq!(command["contexts"], json!([0, 1, 2]), "{command}");
        assert!(command["default_member_permissions"].is_null(), "{command}");
    }
    assert!(commands.iter().any(|c| c["name"] == "reload"));
    server.stop().await;
    fake.assert_traffic_valid();
    fake.stop().await;
}

/// A user's own install used in a server without the bot: the bot cannot post there, so
/// lookups and `/study` answer in the response, and the interaction names only the user.
fn user_install(builder: InteractionBuilder) -> Value {
    let mut d = builder
        .in_guild(GUILD)
        .app_permissions(perms::USE_APPLICATION_COMMANDS)
        .build();
    d["context"] = json!(0);
    d["authorizing_integration_owners"] = json!({"1": FakeDiscord::USER_ID.to_string()});
    d
}

#[tokio::test]
async fn lookups_work_in_a_user_install_where_the_bot_cannot_post() {
    let server = Server::start(bundled_app(), None, None).await;
    let member = server
        .ask(user_install(FakeDiscord::slash(
            "member",
            text("name", "kazakhstan"),
        )))
        .await
        .json();
    assert_eq!(member["data"]["embeds"][0]["title"], "Kazakhstan");
    let mut group_dm = FakeDiscord::slash("member", text("name", "china")).build();
    group_dm["context"] = json!(2);
    group_dm["channel"]["type"] = json!(3);
    group_dm["authorizing_integration_owners"] = json!({"1": FakeDiscord::USER_ID.to_string()});
    let china = server.ask(group_dm).await.json();
    assert_eq!(china["data"]["embeds"][0]["title"], "China");
    server.stop().await;
}

/// The index of the choice button that shows the question's answer, read from the bank by the
/// question's prompt (not from the bot's own marking).
fn right_choice(knowledge: &Knowledge, question: &Value) -> usize {
    let prompt = question["embeds"][0]["description"]
        .as_str()
        .expect("a question");
    let q = knowledge
        .bank()
        .all()
        .iter()
        .find(|q| {
            prompt.starts_with(&format!(
                "{}\n\n",
                sco_bot::discord::render::escape(&q.prompt)
            ))
        })
        .unwrap_or_else(|| panic!("the question is in the bank: {prompt}"));
    let answer = &q.choices[q.correct];
    let labels: Vec<String> = question["components"][0]["components"]
        .as_array()
        .expect("buttons")
        .iter()
        .map(|b| b["label"].as_str().expect("a label").to_string())
        .collect();
    labels
        .iter()
        .position(|l| l.split_once(" · ").is_some_and(|(_, text)| text == answer))
        .unwrap_or_else(|| panic!("a button shows {answer:?}: {labels:?}"))
}

/// The next request of this method and path that Discord accepted: the bot retries a follow-up
/// sent before Discord took the interaction's answer (10015), so those are passed over.
async fn accepted(
    fake: &FakeDiscord,
    method: &str,
    path: &str,
    within: Duration,
) -> crate::fake_discord::Recorded {
    loop {
        let r = fake.expect_request(method, path, within).await;
        if r.answer["code"] != 10015 {
            return r;
        }
    }
}

fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["custom_id"].as_str().map(String::from))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_user_install_quiz_plays_through_follow_ups_and_next_question_never_the_channel() {
    const LONG: Duration = Duration::from_secs(600);
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        sco_bot::store::open(dir.path().join("bot.db").to_str().expect("utf-8")).expect("a store");
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(
        Arc::clone(&knowledge),
        sco_bot::Origin::Bundled,
        Some(store),
    );
    let engine = Arc::clone(app.engine().expect("an engine"));
    let fake = FakeDiscord::start().await;
    let server = Server::start(app, Some("serve-test-token"), Some(fake.proxy_url())).await;
    fake.expect_request("PUT", "/commands", LONG).await;

    // Answered over HTTP, and the answer handed to the fake as Discord would take it.
    let ask = |d: Value| {
        let sent = fake.issue(&d);
        let server = &server;
        let fake = &fake;
        async move {
            let body = server.ask(d).await.json();
            assert_eq!(fake.respond_over_http(&sent, &body).0, 204, "{body}");
            (sent, body)
        }
    };
    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "questions", "type": 4, "value": 3},
        {"name": "seconds", "type": 4, "value": 10},
    ]}]);
    let (start, started) = ask(user_install(FakeDiscord::slash("quiz", options))).await;
    assert_eq!(started["type"], 4, "{started}");

    // A batch: two rounds (question, reveal) within 5 follow-ups; the second reveal ends it.
    let mut next = None;
    let mut batch = start.clone();
    for round in 0..3 {
        let hook = batch.webhook_path();
        let question = accepted(&fake, "POST", &hook, LONG).await;
        assert_eq!(question.status, 200, "{:?}", question.answer);
        let title = question.body["embeds"][0]["title"].as_str().expect("title");
        assert!(
            title.starts_with(&format!("Question {} of 3", round + 1)),
            "{title}"
        );
        if round == 0 {
            // One player answers the first question right; the answer counts once.
            let choice = right_choice(&knowledge, &question.body);
            let id = &custom_ids(&question.body)[choice];
            let (_, locked) = ask(user_install(FakeDiscord::button(id))).await;
            assert!(
                locked["data"]["content"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("Locked in")),
                "{locked}"
            );
        }
        let message = question.answer["id"].as_str().expect("an id").to_string();
        let closed = accepted(&fake, "PATCH", &format!("{hook}/messages/{message}"), LONG).await;
        assert_eq!(closed.status, 200, "{:?}", closed.answer);
        let reveal = accepted(&fake, "POST", &hook, LONG).await;
        assert_eq!(reveal.status, 200, "{:?}", reveal.answer);
        assert!(
            reveal.body["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Answer: ")),
            "{}",
            reveal.body
        );
        let ids = custom_ids(&reveal.body);
        if round == 1 {
            let button = ids
                .iter()
                .find(|id| id.starts_with("quiznext|"))
                .unwrap_or_else(|| panic!("the batch ends with Next question: {ids:?}"));
            next = Some(button.clone());
            let (click, said) = ask(user_install(FakeDiscord::button(button))).await;
            assert_eq!(said["type"], 4, "{said}");
            batch = click;
        } else {
            assert!(!ids.iter().any(|id| id.starts_with("quiznext|")), "{ids:?}");
        }
    }
    assert!(next.is_some());
    let last = accepted(&fake, "POST", &batch.webhook_path(), LONG).await;
    assert_eq!(
        last.body["embeds"][0]["title"], "Quiz over",
        "{}",
        last.body
    );

    let user = FakeDiscord::USER_ID.to_string();
    let stats = engine.store().user_stats(&user).expect("stats");
    assert_eq!((stats.games, stats.answered, stats.correct), (1, 1, 1));
    let channel_posts: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.path.contains("/channels/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(channel_posts.is_empty(), "{channel_posts:?}");
    server.stop().await;
    fake.assert_token_only_in_authorization("serve-test-token");
    fake.assert_traffic_valid();
    fake.stop().await;
}

#[tokio::test(start_paused = true)]
async fn a_user_install_quiz_nobody_continues_is_abandoned_and_frees_its_channel() {
    const LONG: Duration = Duration::from_secs(3600);
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        sco_bot::store::open(dir.path().join("bot.db").to_str().expect("utf-8")).expect("a store");
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(knowledge, sco_bot::Origin::Bundled, Some(store));
    let engine = Arc::clone(app.engine().expect("an engine"));
    let fake = FakeDiscord::start().await;
    let server = Server::start(app, Some("serve-test-token"), Some(fake.proxy_url())).await;
    fake.expect_request("PUT", "/commands", LONG).await;
    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "questions", "type": 4, "value": 3},
        {"name": "seconds", "type": 4, "value": 10},
    ]}]);
    let d = user_install(FakeDiscord::slash("quiz", options));
    let start = fake.issue(&d);
    let started = server.ask(d).await.json();
    assert_eq!(fake.respond_over_http(&start, &started).0, 204);
    let hook = start.webhook_path();
    let mut session = None;
    // Two rounds: question, reveal; the second reveal offers Next question, which nobody clicks.
    for _ in 0..2 {
        accepted(&fake, "POST", &hook, LONG).await;
        let reveal = accepted(&fake, "POST", &hook, LONG).await;
        session = custom_ids(&reveal.body).iter().find_map(|id| {
            id.strip_prefix("quiznext|")
                .and_then(|s| s.parse::<i64>().ok())
        });
    }
    let session = session.expect("the batch ends with Next question");
    // The driver waits 10 minutes (tokio's paused clock moves on by itself), then gives up.
    let waiting = tokio::time::Instant::now();
    let status = loop {
        assert!(
            waiting.elapsed() < Duration::from_secs(20 * 60),
            "still active after 20 minutes without a click"
        );
        let row = engine
            .store()
            .session(session)
            .expect("the store")
            .expect("the session");
        if row.status != sco_bot::store::SessionStatus::Active {
            break row.status;
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
    };
    assert_eq!(status, sco_bot::store::SessionStatus::Abandoned);
    assert!(
        engine
            .store()
            .active_session(&FakeDiscord::CHANNEL_ID.to_string())
            .expect("the store")
            .is_none(),
        "the channel is free for a new quiz"
    );
    server.stop().await;
    fake.assert_traffic_valid();
    fake.stop().await;
}

/// Without a bot token, `serve` still plays a quiz where the bot cannot post: its rounds are
/// follow-ups of the players' interactions, which Discord does not authenticate with the token
/// (they go out with no Authorization header at all). Where only the bot could post (a server
/// that installed it), `/quiz start` says the bot's token is needed instead of starting a quiz
/// nobody would see.
#[tokio::test(start_paused = true)]
async fn without_a_token_a_user_install_quiz_plays_through_follow_ups_and_a_channel_quiz_is_declined()
 {
    const LONG: Duration = Duration::from_secs(600);
    let dir = tempfile::tempdir().expect("tempdir");
    let store =
        sco_bot::store::open(dir.path().join("bot.db").to_str().expect("utf-8")).expect("a store");
    let knowledge = Arc::new(Knowledge::new(FactBase::bundled().expect("facts")));
    let app = App::assemble(knowledge, sco_bot::Origin::Bundled, Some(store));
    let engine = Arc::clone(app.engine().expect("an engine"));
    let fake = FakeDiscord::start().await;
    let server = Server::start(app, None, Some(fake.proxy_url())).await;
    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "questions", "type": 4, "value": 2},
        {"name": "seconds", "type": 4, "value": 10},
    ]}]);

    // In a server that installed the bot: only the bot could post the rounds.
    let declined = server
        .ask(
            FakeDiscord::slash("quiz", options.clone())
                .in_guild(GUILD)
                .build(),
        )
        .await
        .json();
    assert_eq!(declined["type"], 4, "{declined}");
    assert_eq!(declined["data"]["flags"], 64, "privately: {declined}");
    let said = declined["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or("");
    assert!(said.contains("need the bot"), "{declined}");
    let channel = FakeDiscord::CHANNEL_ID.to_string();
    assert!(
        engine
            .store()
            .active_session(&channel)
            .expect("the store")
            .is_none(),
        "no quiz was started"
    );

    // A user's own install where the bot is not a member: the whole quiz in one interaction's
    // five follow-ups (two questions, their reveals, the final scores).
    let d = user_install(FakeDiscord::slash("quiz", options));
    let start = fake.issue(&d);
    let started = server.ask(d).await.json();
    assert_eq!(started["type"], 4, "{started}");
    assert_eq!(fake.respond_over_http(&start, &started).0, 204);
    let hook = start.webhook_path();
    for round in 1..=2 {
        let question = accepted(&fake, "POST", &hook, LONG).await;
        assert_eq!(question.status, 200, "{:?}", question.answer);
        let title = question.body["embeds"][0]["title"].as_str().unwrap_or("");
        assert!(
            title.starts_with(&format!("Question {round} of 2")),
            "{title}"
        );
        let message = question.answer["id"].as_str().expect("an id").to_string();
        let closed = accepted(&fake, "PATCH", &format!("{hook}/messages/{message}"), LONG).await;
        assert_eq!(closed.status, 200, "{:?}", closed.answer);
        let reveal = accepted(&fake, "POST", &hook, LONG).await;
        assert_eq!(reveal.status, 200, "{:?}", reveal.answer);
    }
    let last = accepted(&fake, "POST", &hook, LONG).await;
    assert_eq!(
        last.body["embeds"][0]["title"], "Quiz over",
        "{}",
        last.body
    );
    let sent: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.header("authorization").is_some() || !r.path.contains("/webhooks/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(sent.is_empty(), "only webhooks, without a token: {sent:?}");
    server.stop().await;
    fake.assert_traffic_valid();
    fake.stop().await;
}

//! A fake Discord on 127.0.0.1, so the real serenity client can run end to end with no internet.
//!
//! [`FakeDiscord::start`] serves Discord's REST API (plain HTTP/1.1) and gateway (WebSocket) on two
//! loopback ports. A test points serenity at it with
//! `HttpBuilder::new(token).proxy(fake.proxy_url()).ratelimiter_disabled(true)` (the proxy is
//! ignored while the rate limiter is on), waits for the bot to identify, pushes interactions built
//! with [`InteractionBuilder`] through the gateway, and asserts on the exact JSON the bot sent back
//! with [`FakeDiscord::expect_request`]. [`Fault`] makes chosen REST answers fail or lag, and
//! [`FakeDiscord::close_gateway`] drops the gateway connection.
//!
//! The fake checks what serenity would otherwise swallow: every interaction is parsed with
//! serenity's own model before it is sent, because serenity silently drops a dispatch it cannot
//! parse and the test would only time out. See /work/shared/discord-offline.md for the recipe.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// The prefix of every REST path serenity 0.12 requests.
const API: &str = "/api/v10";
/// The session id READY hands out; serenity sends it back in RESUME.
const SESSION_ID: &str = "fake-session";
/// Discord's timestamp format, for every `timestamp` and `joined_at` the fake makes up.
const TIMESTAMP: &str = "2024-01-01T00:00:00.000000+00:00";
/// Discord's default upload limit; serenity 0.12.5 requires the key in every interaction.
const ATTACHMENT_SIZE_LIMIT: u64 = 8_388_608;

/// Ids and tokens for built interactions and made-up messages: one counter for the whole test
/// binary, so two tests (or two interactions) never share an id or a token.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A snowflake as text: Discord sends strings, but serenity also accepts numbers.
fn snowflake(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A fake Discord: REST and gateway servers on 127.0.0.1 and everything the bot sent them.
pub struct FakeDiscord {
    rest_port: u16,
    shared: Arc<Shared>,
    servers: Vec<JoinHandle<()>>,
}

/// One REST request the bot made, and how the fake answered it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The HTTP method, upper case: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    pub method: String,
    /// The path without the query, e.g. `/api/v10/interactions/6…/interaction-token-3/callback`.
    pub path: String,
    /// The query string without `?`, if there was one.
    pub query: Option<String>,
    /// Every header, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON; `Value::Null` when it was empty or not JSON (e.g. multipart).
    pub body: Value,
    /// The body as text (lossy), for bodies that are not JSON.
    pub raw_body: String,
    /// The status the fake answered with.
    pub status: u16,
    /// The JSON the fake answered with; `Value::Null` for an empty answer.
    pub answer: Value,
    /// False when the fake has no route for this method and path (it answered 404); true for
    /// every request an injected fault answered.
    pub known_route: bool,
}

impl Recorded {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A planned failure for REST requests, armed with [`FakeDiscord::inject`].
///
/// A fault with a status replaces the normal answer (and its side effects, e.g. an interaction
/// stays unacknowledged); a fault with only a delay answers normally, late.
#[derive(Clone, Debug)]
pub struct Fault {
    status: Option<u16>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    delay: Duration,
    times: usize,
}

impl Fault {
    /// Answer with `status` and a Discord-style error body `{"message": …, "code": 0}`.
    pub fn status(status: u16) -> Fault {
        Fault {
            status: Some(status),
            headers: Vec::new(),
            body: None,
            delay: Duration::ZERO,
            times: 1,
        }
    }

    /// Answer 429 the way Discord rate-limits a route: `retry-after` and `x-ratelimit-*` headers
    /// and a body with `retry_after` in seconds.
    pub fn rate_limited(retry_after: Duration) -> Fault {
        let secs = retry_after.as_secs_f64();
        Fault::status(429)
            // Discord's header is whole seconds, rounded up; the body has the exact value.
            .with_header("retry-after", &format!("{:.0}", secs.ceil()))
            .with_header("x-ratelimit-limit", "1")
            .with_header("x-ratelimit-remaining", "0")
            .with_header("x-ratelimit-reset-after", &format!("{secs:.3}"))
            .with_header("x-ratelimit-bucket", "fake-bucket")
            .with_header("x-ratelimit-scope", "user")
            .with_body(json!({
                "message": "You are being rate limited.",
                "retry_after": secs,
                "global": false,
            }))
    }

    /// Answer normally, but only after `delay`.
    pub fn delay(delay: Duration) -> Fault {
        Fault {
            status: None,
            headers: Vec::new(),
            body: None,
            delay,
            times: 1,
        }
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &str, value: &str) -> Fault {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces the response body.
    pub fn with_body(mut self, body: Value) -> Fault {
        self.body = Some(body);
        self
    }

    /// Also waits `delay` before answering.
    pub fn with_delay(mut self, delay: Duration) -> Fault {
        self.delay = delay;
        self
    }

    /// Applies to the next `times` matching requests instead of only the next one.
    pub fn times(mut self, times: usize) -> Fault {
        assert!(times > 0, "a fault applies to at least one request");
        self.times = times;
        self
    }
}

/// How the bot came back after [`FakeDiscord::close_gateway`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejoin {
    /// It resumed the session (op 6) and got RESUMED.
    Resumed,
    /// It started a new session (op 2) and got READY.
    Identified,
}

/// An interaction the fake delivered; its paths find the bot's answers with `expect_request`.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The interaction id.
    pub id: String,
    /// The interaction token.
    pub token: String,
}

impl Sent {
    /// The path the bot's initial response goes to: `/interactions/{id}/{token}/callback`.
    pub fn callback_path(&self) -> String {
        format!("/interactions/{}/{}/callback", self.id, self.token)
    }

    /// The path prefix of follow-ups and edits: `/webhooks/{app}/{token}`.
    pub fn webhook_path(&self) -> String {
        format!("/webhooks/{}/{}", FakeDiscord::APP_ID, self.token)
    }
}

/// Builds an interaction payload with every key serenity 0.12.5 requires. Start from
/// [`FakeDiscord::slash`] and friends; by default it comes from user [`FakeDiscord::USER_ID`] in a
/// DM on channel [`FakeDiscord::CHANNEL_ID`], in `en-US`, with a fresh id and token.
#[derive(Clone, Debug)]
pub struct InteractionBuilder {
    id: u64,
    token: String,
    kind: u8,
    data: Value,
    /// Whether it carries the message its component sits on, as component interactions do.
    on_message: bool,
    user_id: u64,
    user_name: String,
    guild_id: Option<u64>,
    channel_id: u64,
    locale: String,
}

impl InteractionBuilder {
    fn new(kind: u8, data: Value) -> InteractionBuilder {
        let n = next_id();
        InteractionBuilder {
            id: 600_000_000_000_000_000 + n,
            token: format!("interaction-token-{n}"),
            kind,
            data,
            on_message: false,
            user_id: FakeDiscord::USER_ID,
            user_name: "tester".to_owned(),
            guild_id: None,
            channel_id: FakeDiscord::CHANNEL_ID,
            locale: "en-US".to_owned(),
        }
    }

    /// Sent from guild `guild_id`: the user arrives as a `member`.
    pub fn in_guild(mut self, guild_id: u64) -> InteractionBuilder {
        self.guild_id = Some(guild_id);
        self
    }

    /// Sent from a DM with the bot (the default): the user arrives as `user`.
    pub fn in_dm(mut self) -> InteractionBuilder {
        self.guild_id = None;
        self
    }

    /// The user's client language, e.g. `ru`.
    pub fn locale(mut self, locale: &str) -> InteractionBuilder {
        self.locale = locale.to_owned();
        self
    }

    /// The user who triggered it.
    pub fn user(mut self, id: u64, name: &str) -> InteractionBuilder {
        self.user_id = id;
        self.user_name = name.to_owned();
        self
    }

    /// The channel it came from.
    pub fn channel(mut self, channel_id: u64) -> InteractionBuilder {
        self.channel_id = channel_id;
        self
    }

    /// Overrides the interaction id.
    pub fn id(mut self, id: u64) -> InteractionBuilder {
        self.id = id;
        self
    }

    /// Overrides the interaction token.
    pub fn token(mut self, token: &str) -> InteractionBuilder {
        self.token = token.to_owned();
        self
    }

    /// The `d` of an INTERACTION_CREATE dispatch.
    pub fn build(self) -> Value {
        let user = json!({
            "id": self.user_id.to_string(),
            "username": self.user_name,
            "discriminator": "0",
            "global_name": null,
            "avatar": null,
        });
        let mut d = json!({
            "id": self.id.to_string(),
            "application_id": FakeDiscord::APP_ID.to_string(),
            "type": self.kind,
            "token": self.token,
            "version": 1,
            "channel_id": self.channel_id.to_string(),
            "locale": self.locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": self.data,
        });
        match self.guild_id {
            Some(guild_id) => {
                d["guild_id"] = json!(guild_id.to_string());
                d["guild_locale"] = json!("en-US");
                d["context"] = json!(0);
                d["member"] = json!({
                    "user": user,
                    "nick": null,
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": false,
                    "mute": false,
                    "flags": 0,
                    "pending": false,
                    "permissions": "0",
                });
            }
            None => {
                d["context"] = json!(1);
                d["user"] = user;
            }
        }
        if self.on_message {
            d["message"] = message_json(&self.channel_id.to_string(), "");
        }
        d
    }
}

/// What the REST and gateway servers share with the test.
struct Shared {
    gateway_url: String,
    /// The READY `d`, checked against serenity's model once at start.
    ready: Value,
    state: Mutex<State>,
    /// Woken on every recorded request and every gateway session change.
    changed: Notify,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    /// Parallel to `requests`: already returned by `expect_request`.
    claimed: Vec<bool>,
    faults: Vec<ArmedFault>,
    /// Interaction id → token and whether it was answered, for callback checks.
    interactions: HashMap<String, Issued>,
    /// Interaction token → the original response message, once there is one.
    originals: HashMap<String, Value>,
    gateway: Gateway,
}

struct ArmedFault {
    method: String,
    path_contains: String,
    fault: Fault,
    left: usize,
}

struct Issued {
    token: String,
    /// Where its response messages appear.
    channel_id: String,
    acknowledged: bool,
}

#[derive(Default)]
struct Gateway {
    /// The connection that identified or resumed last: where dispatches go.
    live: Option<(u64, mpsc::UnboundedSender<Outgoing>)>,
    /// The session's last sequence number; READY is 1, as on Discord.
    seq: u64,
    identifies: usize,
    resumes: usize,
    /// Frames received from the bot, tokens redacted.
    received: Vec<Value>,
}

enum Outgoing {
    /// A JSON text frame, and who to tell once it is written.
    Text(String, Option<oneshot::Sender<()>>),
    /// A Close frame with this code.
    Close(u16),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .expect("no fake Discord task panics while holding the state")
    }

    /// Waits until `check` returns something, re-checking after every change. Registering for
    /// the wake-up before checking means a change between the check and the wait is not missed.
    async fn wait_for<T>(&self, mut check: impl FnMut(&mut State) -> Option<T>) -> T {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = check(&mut self.lock()) {
                return found;
            }
            notified.await;
        }
    }
}

impl FakeDiscord {
    /// The application id, which is also the bot user's id, in READY and `/users/@me`.
    pub const APP_ID: u64 = 100_000_000_000_000_001;
    /// The default user of built interactions.
    pub const USER_ID: u64 = 200_000_000_000_000_002;
    /// The default channel of built interactions.
    pub const CHANNEL_ID: u64 = 500_000_000_000_000_001;
    /// The bot's username.
    pub const BOT_NAME: &str = "fakebot";

    /// Starts REST (HTTP/1.1) and gateway (WebSocket) servers on 127.0.0.1:0.
    pub async fn start() -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port for REST");
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port for the gateway");
        let rest_port = rest.local_addr().expect("a bound address").port();
        let gateway_port = gateway.local_addr().expect("a bound address").port();
        let gateway_url = format!("ws://127.0.0.1:{gateway_port}");
        let ready = json!({
            "v": 10,
            "user": bot_user(),
            "guilds": [],
            "session_id": SESSION_ID,
            "resume_gateway_url": gateway_url,
            "application": {"id": FakeDiscord::APP_ID.to_string(), "flags": 0},
        });
        // Trap 1: a READY serenity cannot parse is dropped and the bot never becomes ready.
        if let Err(e) = serde_json::from_value::<serenity::all::Ready>(ready.clone()) {
            panic!("serenity cannot parse the fake READY: {e}");
        }
        let shared = Arc::new(Shared {
            gateway_url,
            ready,
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        });
        let servers = vec![
            tokio::spawn(accept_loop(rest, Arc::clone(&shared), serve_rest)),
            tokio::spawn(accept_loop(gateway, Arc::clone(&shared), serve_gateway)),
        ];
        FakeDiscord {
            rest_port,
            shared,
            servers,
        }
    }

    /// What the bot passes to serenity's `HttpBuilder::proxy`, e.g. `http://127.0.0.1:PORT`.
    pub fn proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rest_port)
    }

    /// The gateway's `ws://` URL, as `GET /gateway` reports it.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway_url.clone()
    }

    /// Waits for the first request, not returned before, whose method is `method` and whose path
    /// contains `path_contains`; panics, listing every request, if none comes `within`.
    pub async fn expect_request(
        &self,
        method: &str,
        path_contains: &str,
        within: Duration,
    ) -> Recorded {
        let found = self.shared.wait_for(|state| {
            let i = state.requests.iter().enumerate().position(|(i, r)| {
                !state.claimed[i]
                    && r.method.eq_ignore_ascii_case(method)
                    && r.path.contains(path_contains)
            })?;
            state.claimed[i] = true;
            Some(state.requests[i].clone())
        });
        match tokio::time::timeout(within, found).await {
            Ok(recorded) => recorded,
            Err(_) => panic!(
                "no {method} request with a path containing {path_contains:?} within {within:?}; \
                 requests so far:\n{}",
                self.describe_requests()
            ),
        }
    }

    /// Every REST request so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// The requests the fake had no route for; a bot calling an endpoint the fake lacks shows up
    /// here rather than as a hang.
    pub fn unrouted(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| !r.known_route)
            .collect()
    }

    /// Every gateway frame the bot sent, oldest first, with `d.token` replaced by `"<redacted>"`.
    pub fn gateway_received(&self) -> Vec<Value> {
        self.shared.lock().gateway.received.clone()
    }

    /// Waits until a client has sent IDENTIFY and READY has been queued for it.
    pub async fn wait_identified(&self, within: Duration) {
        let identified = self
            .shared
            .wait_for(|state| (state.gateway.identifies > 0).then_some(()));
        if tokio::time::timeout(within, identified).await.is_err() {
            panic!(
                "no IDENTIFY within {within:?}; gateway frames so far: {:?}; requests so far:\n{}",
                self.gateway_received(),
                self.describe_requests()
            );
        }
    }

    /// Sends `d` to the bot as an INTERACTION_CREATE dispatch with the session's next sequence
    /// number, and returns once the frame is written.
    ///
    /// Panics with serde's error if serenity's `Interaction` model cannot parse `d` (serenity
    /// would drop it silently), or if no bot session is live.
    pub async fn send_interaction(&self, d: Value) -> Sent {
        if let Err(e) = serde_json::from_value::<serenity::all::Interaction>(d.clone()) {
            panic!(
                "serenity cannot parse this interaction ({e}); it would drop it silently:\n{d:#}"
            );
        }
        let sent = Sent {
            id: snowflake(&d["id"]),
            token: d["token"].as_str().unwrap_or_default().to_owned(),
        };
        let (written, on_wire) = oneshot::channel();
        let queued = {
            let mut state = self.shared.lock();
            state.interactions.insert(
                sent.id.clone(),
                Issued {
                    token: sent.token.clone(),
                    channel_id: snowflake(&d["channel_id"]),
                    acknowledged: false,
                },
            );
            // The sequence number is taken and the frame queued under one lock, so frames go
            // out in sequence order.
            match state.gateway.live.clone() {
                Some((_, tx)) => {
                    state.gateway.seq += 1;
                    let s = state.gateway.seq;
                    let frame = json!({"op": 0, "s": s, "t": "INTERACTION_CREATE", "d": d});
                    tx.send(Outgoing::Text(frame.to_string(), Some(written)))
                        .is_ok()
                }
                None => false,
            }
        };
        assert!(
            queued && on_wire.await.is_ok(),
            "no bot is connected to the fake gateway; call wait_identified first"
        );
        sent
    }

    /// Closes the bot's gateway connection with close `code` (4000 makes serenity resume, 4007
    /// makes it identify afresh) and waits `within` for the bot to come back.
    pub async fn close_gateway(&self, code: u16, within: Duration) -> Rejoin {
        let (queued, identifies, resumes) = {
            let state = self.shared.lock();
            let queued = state
                .gateway
                .live
                .as_ref()
                .is_some_and(|(_, tx)| tx.send(Outgoing::Close(code)).is_ok());
            (queued, state.gateway.identifies, state.gateway.resumes)
        };
        assert!(queued, "no bot is connected to the fake gateway");
        let back = self.shared.wait_for(|state| {
            if state.gateway.resumes > resumes {
                Some(Rejoin::Resumed)
            } else if state.gateway.identifies > identifies {
                Some(Rejoin::Identified)
            } else {
                None
            }
        });
        match tokio::time::timeout(within, back).await {
            Ok(rejoin) => rejoin,
            Err(_) => panic!("the bot did not reconnect within {within:?} after close {code}"),
        }
    }

    /// Makes the next matching REST requests (method, path containing `path_contains`) fail or
    /// lag as `fault` says. Faults armed earlier match first.
    pub fn inject(&self, method: &str, path_contains: &str, fault: Fault) {
        let left = fault.times;
        self.shared.lock().faults.push(ArmedFault {
            method: method.to_owned(),
            path_contains: path_contains.to_owned(),
            fault,
            left,
        });
    }

    /// Panics unless `token` appears in REST traffic only as the `Authorization: Bot …` header:
    /// not in a path, query, body or any other header.
    pub fn assert_token_only_in_authorization(&self, token: &str) {
        let requests = self.requests();
        assert!(!requests.is_empty(), "the bot made no REST request at all");
        for r in &requests {
            let place = format!("{} {}", r.method, r.path);
            assert_eq!(
                r.header("authorization"),
                Some(format!("Bot {token}").as_str()),
                "{place} lacks the bot's Authorization header"
            );
            assert!(
                !r.path.contains(token),
                "the token is in the path of {place}"
            );
            let query = r.query.as_deref().unwrap_or("");
            assert!(
                !query.contains(token),
                "the token is in the query of {place}"
            );
            assert!(
                !r.raw_body.contains(token),
                "the token is in the body of {place}"
            );
            for (name, value) in &r.headers {
                assert!(
                    name == "authorization" || !value.contains(token),
                    "the token is in header {name} of {place}"
                );
            }
        }
    }

    /// Stops both servers and drops every open connection.
    pub async fn stop(mut self) {
        for server in std::mem::take(&mut self.servers) {
            server.abort();
            // An aborted task reports cancellation; anything else is a panic in the fake.
            if let Err(e) = server.await {
                assert!(e.is_cancelled(), "a fake Discord server panicked: {e}");
            }
        }
    }

    /// A slash command (type 2) named `name`; `options` is the `data.options` array, e.g.
    /// `json!([{"name": "name", "type": 3, "value": "kazakhstan"}])`.
    pub fn slash(name: &str, options: Value) -> InteractionBuilder {
        InteractionBuilder::new(2, command_data(name, options))
    }

    /// An autocomplete request (type 4) for command `name`; one option in `options` must carry
    /// `"focused": true` (the one being typed).
    pub fn autocomplete(name: &str, options: Value) -> InteractionBuilder {
        assert!(
            has_focused(&options),
            "an autocomplete interaction needs an option with \"focused\": true: {options}"
        );
        InteractionBuilder::new(4, command_data(name, options))
    }

    /// A button click (type 3) on a bot message.
    pub fn button(custom_id: &str) -> InteractionBuilder {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        InteractionBuilder {
            on_message: true,
            ..InteractionBuilder::new(3, data)
        }
    }

    /// A string select menu choice (type 3) on a bot message.
    pub fn string_select(custom_id: &str, values: &[&str]) -> InteractionBuilder {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        InteractionBuilder {
            on_message: true,
            ..InteractionBuilder::new(3, data)
        }
    }

    /// A modal submission (type 5); `fields` are (text input custom_id, typed value), one action
    /// row each, as Discord sends them.
    pub fn modal_submit(custom_id: &str, fields: &[(&str, &str)]) -> InteractionBuilder {
        let rows: Vec<Value> = fields
            .iter()
            .map(|(id, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
            })
            .collect();
        InteractionBuilder::new(5, json!({"custom_id": custom_id, "components": rows}))
    }

    fn describe_requests(&self) -> String {
        let lines: Vec<String> = self
            .requests()
            .iter()
            .map(|r| format!("  {} {} -> {} {}", r.method, r.path, r.status, r.raw_body))
            .collect();
        if lines.is_empty() {
            "  (none)".to_owned()
        } else {
            lines.join("\n")
        }
    }
}

impl Drop for FakeDiscord {
    /// A test that panics before `stop` still closes the ports.
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

fn bot_user() -> Value {
    json!({
        "id": FakeDiscord::APP_ID.to_string(),
        "username": FakeDiscord::BOT_NAME,
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "bot": true,
    })
}

/// A minimal message by the bot that serenity's `Message` model accepts.
fn message_json(channel_id: &str, content: &str) -> Value {
    json!({
        "id": (700_000_000_000_000_000 + next_id()).to_string(),
        "channel_id": channel_id,
        "author": bot_user(),
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 20,
        "application_id": FakeDiscord::APP_ID.to_string(),
        "webhook_id": FakeDiscord::APP_ID.to_string(),
    })
}

fn command_data(name: &str, options: Value) -> Value {
    let mut data = json!({
        "id": (400_000_000_000_000_000 + next_id()).to_string(),
        "name": name,
        "type": 1,
    });
    if !options.is_null() {
        data["options"] = options;
    }
    data
}

fn has_focused(options: &Value) -> bool {
    options.as_array().is_some_and(|options| {
        options
            .iter()
            .any(|o| o["focused"] == json!(true) || has_focused(&o["options"]))
    })
}

/// Accepts connections until aborted. Connections live in a `JoinSet` owned by this task, so
/// aborting the loop also drops every open connection.
async fn accept_loop<F, Fut>(listener: TcpListener, shared: Arc<Shared>, serve: F)
where
    F: Fn(Arc<Shared>, TcpStream, u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut connections = JoinSet::new();
    let mut next_conn = 0;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                next_conn += 1;
                connections.spawn(serve(Arc::clone(&shared), stream, next_conn));
            }
            // Reap finished connections so a long test does not accumulate them.
            Some(_) = connections.join_next() => {}
        }
    }
}

/// One keep-alive HTTP/1.1 connection from serenity's reqwest client.
///
/// Hand-written rather than on hyper's server: that feature is on nowhere else in the tree, and
/// turning it on for tests alone would make test builds compile their own hyper, reqwest and
/// serenity. reqwest always sends a `content-length` (serenity sets it for JSON, reqwest for
/// multipart forms), so that is the only body framing read; anything else gets a loud 501.
async fn serve_rest(shared: Arc<Shared>, stream: TcpStream, _conn: u64) {
    let mut stream = BufReader::new(stream);
    // A read error or EOF ends the connection: the client hung up, which is its business.
    while let Some(request) = read_request(&mut stream).await {
        // After an unreadable request the stream position is unknown, so the connection ends.
        let (response, close) = match request {
            Ok(request) => (answer_rest(&shared, request).await, false),
            Err(unreadable) => {
                let answer = Answer {
                    status: 501,
                    json: json!({"message": unreadable, "code": 0}),
                    headers: vec![("connection".to_owned(), "close".to_owned())],
                    delay: Duration::ZERO,
                    known_route: false,
                };
                (http_response(&answer), true)
            }
        };
        if stream.write_all(&response).await.is_err() || close {
            return;
        }
    }
}

/// A request as read off the wire.
struct HttpRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The next request on the connection: `None` at EOF or on an I/O error, `Err` for a request
/// the fake cannot read.
async fn read_request(
    stream: &mut BufReader<TcpStream>,
) -> Option<Result<HttpRequest, &'static str>> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut request_line = line.split_whitespace();
    let (Some(method), Some(target)) = (request_line.next(), request_line.next()) else {
        return Some(Err("the fake Discord cannot read this request line"));
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut headers = Vec::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Some(Err("the fake Discord cannot read a header line"));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    if header("transfer-encoding").is_some() {
        return Some(Err("the fake Discord reads only content-length bodies"));
    }
    let Ok(length) = header("content-length").map_or(Ok(0), |v| v.parse::<usize>()) else {
        return Some(Err("the fake Discord cannot read the content-length"));
    };
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(Ok(HttpRequest {
        method,
        target,
        headers,
        body,
    }))
}

/// Records `request`, answers it (after any injected delay) and returns the response bytes.
async fn answer_rest(shared: &Shared, request: HttpRequest) -> Vec<u8> {
    let (path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (request.target, None),
    };
    let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);

    // Decided and recorded under one lock, so the record order is the order of side effects.
    let answer = {
        let mut state = shared.lock();
        let answer = decide(shared, &mut state, &request.method, &path, &body);
        state.requests.push(Recorded {
            method: request.method,
            path,
            query,
            headers: request.headers,
            body,
            raw_body: String::from_utf8_lossy(&request.body).into_owned(),
            status: answer.status,
            answer: answer.json.clone(),
            known_route: answer.known_route,
        });
        state.claimed.push(false);
        answer
    };
    shared.changed.notify_waiters();

    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    http_response(&answer)
}

/// An HTTP/1.1 response. The reason phrase is optional in HTTP/1.1 and left out.
fn http_response(answer: &Answer) -> Vec<u8> {
    let payload = if answer.json.is_null() {
        String::new()
    } else {
        answer.json.to_string()
    };
    let mut head = format!("HTTP/1.1 {} \r\n", answer.status);
    // A 204 must not announce a body length.
    if answer.status != 204 {
        head.push_str(&format!("content-length: {}\r\n", payload.len()));
    }
    if !payload.is_empty() {
        head.push_str("content-type: application/json\r\n");
    }
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut response = head.into_bytes();
    response.extend_from_slice(payload.as_bytes());
    response
}

/// What the fake answers to one REST request.
struct Answer {
    status: u16,
    /// `Value::Null` for an empty body.
    json: Value,
    headers: Vec<(String, String)>,
    delay: Duration,
    known_route: bool,
}

/// An armed fault wins over the route; a delay-only fault answers normally, late.
fn decide(shared: &Shared, state: &mut State, method: &str, path: &str, body: &Value) -> Answer {
    let fault = take_fault(state, method, path);
    let delay = fault.as_ref().map_or(Duration::ZERO, |f| f.delay);
    if let Some(Fault {
        status: Some(status),
        headers,
        body,
        ..
    }) = fault
    {
        let json = body.unwrap_or_else(
            || json!({"message": format!("fake Discord injected status {status}"), "code": 0}),
        );
        return Answer {
            status,
            json,
            headers,
            delay,
            known_route: true,
        };
    }
    let routed = route(shared, state, method, path, body);
    let known_route = routed.is_some();
    let (status, json) = routed.unwrap_or_else(|| {
        let message = format!("the fake Discord has no route for {method} {path}");
        (404, json!({"message": message, "code": 0}))
    });
    Answer {
        status,
        json,
        headers: Vec::new(),
        delay,
        known_route,
    }
}

fn take_fault(state: &mut State, method: &str, path: &str) -> Option<Fault> {
    let i = state
        .faults
        .iter()
        .position(|f| f.method.eq_ignore_ascii_case(method) && path.contains(&f.path_contains))?;
    state.faults[i].left -= 1;
    let fault = state.faults[i].fault.clone();
    if state.faults[i].left == 0 {
        state.faults.remove(i);
    }
    Some(fault)
}

/// Discord's answer to a routed request: status and JSON (`Null` for an empty body), or `None`
/// when the fake has no such route.
fn route(
    shared: &Shared,
    state: &mut State,
    method: &str,
    path: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let rest = path.strip_prefix(API)?;
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let app = FakeDiscord::APP_ID.to_string();
    let answer = match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => (200, json!({"url": shared.gateway_url})),
        ("GET", ["gateway", "bot"]) => (
            200,
            json!({
                "url": shared.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1,
                },
            }),
        ),
        ("GET", ["users", "@me"]) => (200, bot_user()),
        ("PUT", ["applications", a, "commands"]) if *a == app => (200, echo_commands(body, None)),
        ("PUT", ["applications", a, "guilds", guild, "commands"]) if *a == app => {
            (200, echo_commands(body, Some(guild)))
        }
        ("POST", ["interactions", id, token, "callback"]) => callback(state, id, token, body),
        ("POST", ["webhooks", a, token]) if *a == app => {
            let Some(channel_id) = channel_of(state, token) else {
                return Some(unknown_webhook());
            };
            let content = body["content"].as_str().unwrap_or("");
            (200, message_json(&channel_id, content))
        }
        (_, ["webhooks", a, token, "messages", message]) if *a == app => {
            let Some(channel_id) = channel_of(state, token) else {
                return Some(unknown_webhook());
            };
            webhook_message(state, method, token, &channel_id, message, body)?
        }
        // The bot posting and editing its own messages in a channel (quiz rounds do).
        ("POST", ["channels", channel, "messages"]) => {
            let content = body["content"].as_str().unwrap_or("");
            (200, message_json(channel, content))
        }
        ("PATCH", ["channels", channel, "messages", message]) => {
            let mut edited = message_json(channel, body["content"].as_str().unwrap_or(""));
            edited["id"] = json!(message);
            edited["edited_timestamp"] = json!(TIMESTAMP);
            (200, edited)
        }
        _ => return None,
    };
    Some(answer)
}

/// Discord answers a bulk overwrite with the commands as stored: the sent ones plus ids.
fn echo_commands(body: &Value, guild: Option<&str>) -> Value {
    let commands = body.as_array().cloned().unwrap_or_default();
    let echoed = commands
        .into_iter()
        .map(|mut command| {
            command["id"] = json!((300_000_000_000_000_000 + next_id()).to_string());
            command["application_id"] = json!(FakeDiscord::APP_ID.to_string());
            command["version"] = json!((800_000_000_000_000_000 + next_id()).to_string());
            if command.get("type").is_none() {
                command["type"] = json!(1);
            }
            // Context menu commands are sent without a description; Discord stores "".
            if command.get("description").is_none() {
                command["description"] = json!("");
            }
            if let Some(guild) = guild {
                command["guild_id"] = json!(guild);
            }
            command
        })
        .collect();
    Value::Array(echoed)
}

/// The initial response: accepted once per interaction the fake sent, like Discord.
fn callback(state: &mut State, id: &str, token: &str, body: &Value) -> (u16, Value) {
    let Some(issued) = state.interactions.get_mut(id).filter(|i| i.token == token) else {
        return (
            404,
            json!({"message": "Unknown interaction", "code": 10062}),
        );
    };
    if issued.acknowledged {
        return (
            400,
            json!({"message": "Interaction has already been acknowledged.", "code": 40060}),
        );
    }
    issued.acknowledged = true;
    // Types 4 (message) and 5 (deferred message) create the original response message.
    let content = match body["type"].as_u64() {
        Some(4) => Some(body["data"]["content"].as_str().unwrap_or("")),
        Some(5) => Some(""),
        _ => None,
    };
    if let Some(content) = content {
        let message = message_json(&issued.channel_id, content);
        state.originals.insert(token.to_owned(), message);
    }
    (204, Value::Null)
}

/// Reads, edits or deletes the original response or a follow-up.
fn webhook_message(
    state: &mut State,
    method: &str,
    token: &str,
    channel_id: &str,
    message: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let unknown = (404, json!({"message": "Unknown Message", "code": 10008}));
    let original = message == "@original";
    let answer = match method {
        "DELETE" if original => match state.originals.remove(token) {
            Some(_) => (204, Value::Null),
            None => unknown,
        },
        "DELETE" => (204, Value::Null),
        "GET" | "PATCH" if original => {
            let Some(original) = state.originals.get_mut(token) else {
                return Some(unknown);
            };
            if let Some(content) = body["content"].as_str().filter(|_| method == "PATCH") {
                original["content"] = json!(content);
                original["edited_timestamp"] = json!(TIMESTAMP);
            }
            (200, original.clone())
        }
        "GET" | "PATCH" => {
            let mut followup = message_json(channel_id, body["content"].as_str().unwrap_or(""));
            followup["id"] = json!(message);
            (200, followup)
        }
        _ => return None,
    };
    Some(answer)
}

/// The channel of the interaction whose webhook token this is, if the fake sent it.
fn channel_of(state: &State, token: &str) -> Option<String> {
    state
        .interactions
        .values()
        .find(|i| i.token == token)
        .map(|i| i.channel_id.clone())
}

fn unknown_webhook() -> (u16, Value) {
    (404, json!({"message": "Unknown Webhook", "code": 10015}))
}

/// One gateway connection: HELLO, then answer the bot's frames and forward queued dispatches.
async fn serve_gateway(shared: Arc<Shared>, stream: TcpStream, conn: u64) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (tx, mut queue) = mpsc::unbounded_channel();
    // Discord's usual interval: long enough that no heartbeat is due during a short test.
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if ws.send(Message::Text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => on_gateway_frame(&shared, conn, &tx, &text),
                // Trap 4: after a Close keep reading, so tungstenite flushes its close reply.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            Some(out) = queue.recv() => match out {
                Outgoing::Text(text, written) => {
                    if ws.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                    if let Some(written) = written {
                        // The sender may have given up waiting; the frame is out either way.
                        let _ = written.send(());
                    }
                }
                Outgoing::Close(code) => {
                    let frame = CloseFrame { code: code.into(), reason: "fake Discord".into() };
                    if ws.send(Message::Close(Some(frame))).await.is_err() {
                        break;
                    }
                }
            },
        }
    }
    let mut state = shared.lock();
    if state.gateway.live.as_ref().is_some_and(|(c, _)| *c == conn) {
        state.gateway.live = None;
    }
}

fn on_gateway_frame(shared: &Shared, conn: u64, tx: &mpsc::UnboundedSender<Outgoing>, text: &str) {
    let Ok(mut frame) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if frame["d"].get("token").is_some() {
        frame["d"]["token"] = json!("<redacted>");
    }
    let mut state = shared.lock();
    let op = frame["op"].as_u64();
    state.gateway.received.push(frame);
    let reply = match op {
        Some(1) => Some(json!({"op": 11})),
        Some(2) => {
            state.gateway.seq = 1;
            state.gateway.identifies += 1;
            state.gateway.live = Some((conn, tx.clone()));
            Some(json!({"op": 0, "s": 1, "t": "READY", "d": shared.ready}))
        }
        Some(6) => {
            state.gateway.seq += 1;
            state.gateway.resumes += 1;
            state.gateway.live = Some((conn, tx.clone()));
            Some(json!({"op": 0, "s": state.gateway.seq, "t": "RESUMED", "d": {}}))
        }
        _ => None,
    };
    // Queued under the lock, so READY goes out before any interaction queued after it.
    if let Some(reply) = reply {
        // The receiver lives in this connection's task, which is the caller.
        let _ = tx.send(Outgoing::Text(reply.to_string(), None));
    }
    drop(state);
    shared.changed.notify_waiters();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serenity::all::{
        ClientBuilder, Command, CommandInteraction, Context, CreateAllowedMentions, CreateCommand,
        CreateInteractionResponse, CreateInteractionResponseFollowup,
        CreateInteractionResponseMessage, EditInteractionResponse, EventHandler, GatewayIntents,
        Http, Interaction, InteractionId, Ready, ShardManager,
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
    #[should_panic(expected = "no POST request with a path containing")]
    async fn a_missing_request_fails_with_the_requests_seen() {
        let fake = FakeDiscord::start().await;
        fake.expect_request("POST", "/callback", Duration::from_millis(50))
            .await;
    }
}

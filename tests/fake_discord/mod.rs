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
//! The fake is as strict as Discord, and stricter where Discord is silent:
//! - every request body is validated against Discord's OpenAPI spec ([`spec`]), and a violation
//!   is answered with Discord's 400 / 50035 error and recorded ([`FakeDiscord::violations`]);
//! - interaction callbacks follow Discord's rules: one initial response (40060 after), within
//!   3 s of the interaction (10062 after), of a type that fits the interaction; follow-ups and
//!   `@original` go through the interaction webhook once it exists and for 15 minutes. Time is
//!   the fake's own clock, which a test moves with [`FakeDiscord::advance_clock`];
//! - every response carries Discord's `x-ratelimit-*` headers;
//! - every interaction is parsed with serenity's own model before it is sent, because serenity
//!   silently drops a dispatch it cannot parse and the test would only time out.
//!
//! With `FAKE_DISCORD_DUMP=PATH` set, every request is appended to PATH as a JSON line
//! ([`traffic`]). See /work/shared/discord-offline.md for the recipe.

pub mod spec;
pub mod traffic;

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
/// How long after an interaction Discord takes its initial response.
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(3);
/// How long an interaction's webhook (follow-ups, `@original`) stays valid.
pub const WEBHOOK_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Follow-ups Discord allows per interaction to a user-installed app where it is not a member.
pub const FOLLOWUP_LIMIT: u32 = 5;

/// Discord's permission bits that tests use (`member.permissions`, `app_permissions`).
pub mod perms {
    /// MANAGE_GUILD (Manage Server): may reload the bot's facts.
    pub const MANAGE_GUILD: u64 = 1 << 5;
    /// ADD_REACTIONS.
    pub const ADD_REACTIONS: u64 = 1 << 6;
    /// VIEW_CHANNEL.
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    /// SEND_MESSAGES.
    pub const SEND_MESSAGES: u64 = 1 << 11;
    /// MANAGE_MESSAGES: what makes a member a moderator of quizzes.
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    /// EMBED_LINKS.
    pub const EMBED_LINKS: u64 = 1 << 14;
    /// ATTACH_FILES.
    pub const ATTACH_FILES: u64 = 1 << 15;
    /// READ_MESSAGE_HISTORY.
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    /// USE_APPLICATION_COMMANDS.
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    /// What @everyone has on a new server, in a plain text channel: no moderation.
    pub const MEMBER: u64 = ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_APPLICATION_COMMANDS;
    /// A moderator: a member who may also manage messages.
    pub const MODERATOR: u64 = MEMBER | MANAGE_MESSAGES;
    /// A member who may manage the server.
    pub const MANAGER: u64 = MEMBER | MANAGE_GUILD;
    /// What the bot is granted by the invite URL in README.
    pub const BOT: u64 = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY;
}

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
    /// The body parsed as JSON (for multipart bodies, their `payload_json` part); `Value::Null`
    /// when it was empty or not JSON.
    pub body: Value,
    /// The body as text (lossy), for bodies that are not JSON.
    pub raw_body: String,
    /// The status the fake answered with.
    pub status: u16,
    /// The JSON the fake answered with; `Value::Null` for an empty answer.
    pub answer: Value,
    /// The headers the fake answered with (besides `content-length` and `content-type`).
    pub answer_headers: Vec<(String, String)>,
    /// When the whole request had been read, before the fake checked or answered it.
    pub received_at: std::time::Instant,
    /// False when the fake has no route for this method and path (it answered 404); true for
    /// every request an injected fault answered.
    pub known_route: bool,
    /// Where the body breaks Discord's spec (`data.embeds.0.title: BASE_TYPE_MAX_LENGTH: …`), or
    /// that the spec has no such operation; empty for a valid request.
    pub violations: Vec<String>,
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
    /// Carry the request out, then answer with the fault's status anyway.
    applied: bool,
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
            applied: false,
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
            applied: false,
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

    /// Carries the request out (a message is posted, a callback taken) before answering with the
    /// fault's status: a 5xx after the work was done, which a retry must not double.
    pub fn applied(mut self) -> Fault {
        self.applied = true;
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

    /// The bot's answer as the user finally sees it: its callback; or, where the bot deferred
    /// (it does when an answer takes over 2.5 s, which a loaded machine can make of any
    /// answer), the edit that completed the deferral, shaped as the callback it stands for
    /// (type 5 → 4, 6 → 7) with the deferral's flags. Tests about content use this; tests about
    /// deferring read the callback itself.
    pub async fn settled(&self, fake: &FakeDiscord, wait: std::time::Duration) -> Value {
        let callback = fake
            .expect_request("POST", &self.callback_path(), wait)
            .await
            .body;
        let stands_for = match callback["type"].as_u64() {
            Some(5) => 4,
            Some(6) => 7,
            _ => return callback,
        };
        let edit = fake
            .expect_request(
                "PATCH",
                &format!("{}/messages/@original", self.webhook_path()),
                wait,
            )
            .await
            .body;
        let mut data = edit;
        if let Some(flags) = callback["data"].get("flags") {
            data["flags"] = flags.clone();
        }
        serde_json::json!({ "type": stands_for, "data": data })
    }

    /// The path prefix of follow-ups and edits: `/webhooks/{app}/{token}`.
    pub fn webhook_path(&self) -> String {
        format!("/webhooks/{}/{}", FakeDiscord::APP_ID, self.token)
    }
}

/// Builds an interaction payload shaped as Discord documents it today (`app_permissions`,
/// `entitlements`, `authorizing_integration_owners`, `context`, `locale`, `guild_locale`, a
/// partial `channel`, member `permissions`), with every key serenity 0.12.5 requires. Start from
/// [`FakeDiscord::slash`] and friends; by default it comes from user [`FakeDiscord::USER_ID`] in a
/// DM on channel [`FakeDiscord::CHANNEL_ID`], in `en-US`, with a fresh id and token; in a guild
/// the member has [`perms::MEMBER`] (no moderation) unless [`InteractionBuilder::permissions`]
/// says otherwise.
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
    /// The member's permissions in the channel (guild only).
    permissions: u64,
    /// The bot's permissions in the channel.
    app_permissions: u64,
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
            permissions: perms::MEMBER,
            app_permissions: perms::BOT,
        }
    }

    /// The member's permissions in the channel, as Discord computes them (guild only), e.g.
    /// [`perms::MODERATOR`].
    pub fn permissions(mut self, bits: u64) -> InteractionBuilder {
        self.permissions = bits;
        self
    }

    /// The bot's own permissions in the channel (`app_permissions`).
    pub fn app_permissions(mut self, bits: u64) -> InteractionBuilder {
        self.app_permissions = bits;
        self
    }

    /// For a modal submission: the modal was opened from a button, so Discord sends the message
    /// the button sits on, and the update response types (6, 7) become allowed.
    pub fn opened_by_component(mut self) -> InteractionBuilder {
        assert_eq!(
            self.kind, 5,
            "only a modal submission comes from a component"
        );
        self.on_message = true;
        self
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
            "app_permissions": self.app_permissions.to_string(),
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "data": self.data,
        });
        match self.guild_id {
            Some(guild_id) => {
                d["guild_id"] = json!(guild_id.to_string());
                d["guild_locale"] = json!("en-US");
                // 0 = GUILD: used in a server; the app is installed to that server.
                d["context"] = json!(0);
                d["authorizing_integration_owners"] = json!({"0": guild_id.to_string()});
                d["channel"] = json!({
                    "id": self.channel_id.to_string(),
                    "type": 0,
                    "name": "quiz",
                    "guild_id": guild_id.to_string(),
                });
                d["member"] = json!({
                    "user": user,
                    "nick": null,
                    "roles": [],
                    "joined_at": TIMESTAMP,
                    "deaf": false,
                    "mute": false,
                    "flags": 0,
                    "pending": false,
                    "permissions": self.permissions.to_string(),
                });
            }
            None => {
                // 1 = BOT_DM; a server-installed app used in its DM is owned by guild "0".
                d["context"] = json!(1);
                d["authorizing_integration_owners"] = json!({"0": "0"});
                d["channel"] = json!({"id": self.channel_id.to_string(), "type": 1});
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
    clock: Clock,
    /// Where every request is logged as a JSON line, if anywhere.
    dump: Option<std::path::PathBuf>,
}

/// The fake's clock: real time since start plus whatever the test added, so a test can pass a
/// deadline without sleeping.
struct Clock {
    start: std::time::Instant,
    added: Mutex<Duration>,
}

impl Clock {
    fn now(&self) -> Duration {
        let added = *self
            .added
            .lock()
            .expect("no test panics while moving the clock");
        self.start.elapsed() + added
    }
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
    /// Channels the bot cannot see: where interactions came from a user install of the app
    /// that is not a member there (a server without the bot, a group DM).
    hidden_channels: std::collections::HashSet<String>,
    gateway: Gateway,
    /// Every spec violation so far, as `METHOD path: problem`.
    violations: Vec<String>,
    /// Every message posted in a channel (`POST /channels/…/messages`), once each: the body
    /// as sent plus its `id`.
    posted: Vec<Value>,
    /// `channel nonce` → the message it posted, for posts with `enforce_nonce`.
    nonces: HashMap<String, Value>,
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
    /// The interaction type: 1 ping, 2 command, 3 component, 4 autocomplete, 5 modal submit.
    kind: u64,
    /// Whether it carries a message: a component click, or a modal opened from a component.
    on_message: bool,
    /// When it was sent, on the fake's clock.
    sent_at: Duration,
    /// Whether the app is a member where it was used: installed to that server (the
    /// `authorizing_integration_owners` have a guild-install key "0") and not a group DM or
    /// another user's DM (`context` 2). If not, Discord allows 5 follow-ups and the bot cannot
    /// see the channel.
    member: bool,
    /// Follow-up messages created through its webhook so far.
    followups: u32,
}

impl Issued {
    fn from_payload(d: &Value, sent_at: Duration) -> Issued {
        Issued {
            token: d["token"].as_str().unwrap_or_default().to_owned(),
            channel_id: snowflake(&d["channel_id"]),
            acknowledged: false,
            kind: d["type"].as_u64().unwrap_or_default(),
            on_message: d.get("message").is_some(),
            sent_at,
            member: d["authorizing_integration_owners"].get("0").is_some()
                && d["context"].as_u64() != Some(2),
            followups: 0,
        }
    }
}

impl State {
    /// Records an interaction Discord sent; a channel where the app is not a member is one the
    /// bot cannot see.
    fn issue(&mut self, id: &str, d: &Value, now: Duration) {
        let issued = Issued::from_payload(d, now);
        if !issued.member {
            self.hidden_channels.insert(issued.channel_id.clone());
        }
        self.interactions.insert(id.to_owned(), issued);
    }
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
    /// The servers the bot is in: READY lists them as unavailable, and with the GUILDS intent
    /// each then arrives as a GUILD_CREATE, as on Discord.
    guilds: Vec<u64>,
    /// The intents of the last IDENTIFY.
    intents: u64,
    /// The shard count `GET /gateway/bot` recommends (1 unless a test sets it).
    shard_count: u32,
    /// Each identified shard's connection and its sequence number, by shard id: where a
    /// guild's dispatches go when the bot runs more than one shard.
    shards: HashMap<u32, Shard>,
    /// Every `[id, total]` an IDENTIFY carried, in order.
    identified: Vec<[u32; 2]>,
}

/// One shard's live connection.
#[derive(Clone)]
struct Shard {
    conn: u64,
    total: u32,
    tx: mpsc::UnboundedSender<Outgoing>,
    seq: u64,
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

    /// Starts REST (HTTP/1.1) and gateway (WebSocket) servers on 127.0.0.1:0; with
    /// `FAKE_DISCORD_DUMP=PATH` set, every request is appended to PATH.
    pub async fn start() -> FakeDiscord {
        let dump = std::env::var_os(traffic::DUMP_VAR)
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from);
        FakeDiscord::start_dumping(dump).await
    }

    /// Starts the fake, appending every request to `dump` (if given) as a JSON line.
    pub async fn start_dumping(dump: Option<std::path::PathBuf>) -> FakeDiscord {
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
            clock: Clock {
                start: std::time::Instant::now(),
                added: Mutex::new(Duration::ZERO),
            },
            dump,
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

    /// Forgets the requests `expect_request` already returned, so a long load run keeps the
    /// fake's search time flat.
    pub fn forget_claimed(&self) {
        let mut state = self.shared.lock();
        let claimed = std::mem::take(&mut state.claimed);
        let requests = std::mem::take(&mut state.requests);
        for (r, c) in requests.into_iter().zip(claimed) {
            if !c {
                state.requests.push(r);
                state.claimed.push(false);
            }
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

    /// Makes `GET /gateway/bot` recommend `n` shards.
    pub fn set_shard_count(&self, n: u32) {
        self.shared.lock().gateway.shard_count = n;
    }

    /// Waits until `n` shards are connected (identified and not closed since); returns every
    /// `[id, total]` IDENTIFY carried so far.
    pub async fn wait_shards(&self, n: usize, within: Duration) -> Vec<[u32; 2]> {
        let up = self.shared.wait_for(|state| {
            (state.gateway.shards.len() >= n).then(|| state.gateway.identified.clone())
        });
        match tokio::time::timeout(within, up).await {
            Ok(ids) => ids,
            Err(_) => panic!(
                "{n} shards did not connect within {within:?}: {:?}",
                self.shared.lock().gateway.identified
            ),
        }
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
        let now = self.shared.clock.now();
        let queued = {
            let mut state = self.shared.lock();
            state.issue(&sent.id, &d, now);
            // The sequence number is taken and the frame queued under one lock, so frames go
            // out in sequence order. A bot on several shards gets a guild's events on the shard
            // that owns the guild, `(guild_id >> 22) % total` (DMs on shard 0), as on Discord.
            let total = state
                .gateway
                .shards
                .values()
                .map(|s| s.total)
                .max()
                .unwrap_or(1);
            if total > 1 {
                let guild = d["guild_id"].as_str().and_then(|g| g.parse::<u64>().ok());
                let owner = guild.map_or(0, |g| ((g >> 22) % u64::from(total)) as u32);
                match state.gateway.shards.get_mut(&owner) {
                    Some(shard) => {
                        shard.seq += 1;
                        let frame =
                            json!({"op": 0, "s": shard.seq, "t": "INTERACTION_CREATE", "d": d});
                        shard
                            .tx
                            .send(Outgoing::Text(frame.to_string(), Some(written)))
                            .is_ok()
                    }
                    None => panic!("no bot runs shard {owner} of {total}, which owns {guild:?}"),
                }
            } else {
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
            }
        };
        assert!(
            queued && on_wire.await.is_ok(),
            "no bot is connected to the fake gateway; call wait_identified first"
        );
        sent
    }

    /// The bot is in server `guild` from now on. Before it connects: READY lists it and, with
    /// the GUILDS intent, a GUILD_CREATE follows. While connected: a GUILD_CREATE is sent at
    /// once, as when the bot is added to a server.
    pub async fn add_guild(&self, guild: u64) {
        let intents = {
            let mut state = self.shared.lock();
            if !state.gateway.guilds.contains(&guild) {
                state.gateway.guilds.push(guild);
            }
            state
                .gateway
                .live
                .is_some()
                .then_some(state.gateway.intents)
        };
        if intents.is_some_and(|i| i & GUILDS_INTENT != 0) {
            self.dispatch("GUILD_CREATE", guild_json(guild)).await;
        }
    }

    /// The bot is removed from server `guild` (kicked, banned, or the server deleted): Discord
    /// sends GUILD_DELETE with an unavailable guild whose `unavailable` is not set.
    pub async fn remove_guild(&self, guild: u64) {
        self.shared.lock().gateway.guilds.retain(|g| *g != guild);
        self.dispatch("GUILD_DELETE", json!({"id": guild.to_string()}))
            .await;
    }

    /// Server `guild` goes down in an outage: GUILD_DELETE with `"unavailable": true`; the bot
    /// is still in it.
    pub async fn guild_outage(&self, guild: u64) {
        self.dispatch(
            "GUILD_DELETE",
            json!({"id": guild.to_string(), "unavailable": true}),
        )
        .await;
    }

    /// Sends a dispatch `t` with `d` to the live session, with its next sequence number, if
    /// the bot asked for the GUILDS intent (which every guild event needs).
    async fn dispatch(&self, t: &str, d: Value) {
        let (written, on_wire) = oneshot::channel();
        let queued = {
            let mut state = self.shared.lock();
            if state.gateway.intents & GUILDS_INTENT == 0 {
                return;
            }
            match state.gateway.live.clone() {
                Some((_, tx)) => {
                    state.gateway.seq += 1;
                    let frame = json!({"op": 0, "s": state.gateway.seq, "t": t, "d": d});
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
    }

    /// Registers `d` as an interaction Discord sent, without delivering it: for tests that answer
    /// it themselves through serenity's `Http`.
    pub fn issue(&self, d: &Value) -> Sent {
        let sent = Sent {
            id: snowflake(&d["id"]),
            token: d["token"].as_str().unwrap_or_default().to_owned(),
        };
        let now = self.shared.clock.now();
        self.shared.lock().issue(&sent.id, d, now);
        sent
    }

    /// Takes `body` as the initial response to `sent` given in the HTTP response of an
    /// interactions endpoint (instead of a callback POST), under the same rules as a callback:
    /// validated against the spec's callback operation, once, within 3 s, of a type that fits.
    /// Creates the interaction's webhook, as Discord does. Returns Discord's verdict: 204 and
    /// `Null` when accepted; a violation is recorded like a REST one.
    pub fn respond_over_http(&self, sent: &Sent, body: &Value) -> (u16, Value) {
        let relative = format!("/interactions/{}/{}/callback", sent.id, sent.token);
        let verdict = spec::spec().check("POST", &relative, Some(body));
        let now = self.shared.clock.now();
        let mut state = self.shared.lock();
        if let spec::Verdict::Invalid { lines, .. } = &verdict {
            for line in lines {
                state
                    .violations
                    .push(format!("HTTP response to {relative}: {line}"));
            }
        }
        if let Some(error) = verdict.discord_error() {
            return (400, error);
        }
        let answer = callback(&mut state, now, &sent.id, &sent.token, body);
        drop(state);
        self.shared.changed.notify_waiters();
        answer
    }

    /// Moves the fake's clock forward (deadlines: 3 s to respond, 15 min of webhook).
    pub fn advance_clock(&self, by: Duration) {
        *self
            .shared
            .clock
            .added
            .lock()
            .expect("no test panics while moving the clock") += by;
    }

    /// Every request body that broke Discord's spec so far, as `METHOD path: problem`, and every
    /// request to an operation the spec does not have.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// Panics, listing them, if any request so far broke Discord's spec.
    pub fn assert_traffic_valid(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "requests that break Discord's spec:\n  {}",
            violations.join("\n  ")
        );
    }

    /// Closes the bot's gateway connection with close `code` (4000 makes serenity resume, 4007
    /// makes it identify afresh) and waits `within` for the bot to come back.
    pub async fn close_gateway(&self, code: u16, within: Duration) -> Rejoin {
        self.disrupt(Outgoing::Close(code), &format!("close {code}"), within)
            .await
    }

    /// Sends the bot a gateway frame that makes it leave, as Discord does — RECONNECT
    /// (`{"op": 7}`) or INVALID_SESSION (`{"op": 9, "d": false}`: identify afresh; `true`: may
    /// resume) — and waits `within` for it to come back.
    pub async fn send_gateway_op(&self, frame: Value, within: Duration) -> Rejoin {
        let what = frame.to_string();
        self.disrupt(Outgoing::Text(frame.to_string(), None), &what, within)
            .await
    }

    async fn disrupt(&self, out: Outgoing, what: &str, within: Duration) -> Rejoin {
        let code = what;
        let (queued, identifies, resumes) = {
            let state = self.shared.lock();
            let queued = state
                .gateway
                .live
                .as_ref()
                .is_some_and(|(_, tx)| tx.send(out).is_ok());
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
            Err(_) => panic!("the bot did not reconnect within {within:?} after {code}"),
        }
    }

    /// Every message posted in a channel so far, once each (a repeated post with an enforced
    /// nonce is not a new message): the body as sent, plus the `id` Discord gave it.
    pub fn channel_posts(&self) -> Vec<Value> {
        self.shared.lock().posted.clone()
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
            let optional = r.path.strip_prefix(API).and_then(|relative| {
                spec::spec()
                    .needs_token(&r.method, relative)
                    .map(|needs| !needs)
            });
            match r.header("authorization") {
                None if optional == Some(true) => {}
                header => assert_eq!(
                    header,
                    Some(format!("Bot {token}").as_str()),
                    "{place} lacks the bot's Authorization header"
                ),
            }
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

/// The GUILDS intent (bit 0): the gateway sends GUILD_CREATE, GUILD_UPDATE and GUILD_DELETE.
pub const GUILDS_INTENT: u64 = 1;

/// The intents of the last IDENTIFY among the frames received.
fn frame_intents(received: &[Value]) -> u64 {
    received
        .iter()
        .rev()
        .find(|f| f["op"] == 2)
        .and_then(|f| f["d"]["intents"].as_u64())
        .unwrap_or(0)
}

/// A GUILD_CREATE's `d` as Discord sends it to a bot with the GUILDS intent only (no members,
/// presences or voice states beyond the bot's own view), which serenity's `Guild` must parse.
fn guild_json(id: u64) -> Value {
    let d = json!({
        "id": id.to_string(),
        "name": format!("Study server {id}"),
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": "100000000000000001",
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 1,
        "default_message_notifications": 1,
        "explicit_content_filter": 2,
        "roles": [{
            "id": id.to_string(),
            "name": "@everyone",
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
            "hoist": false,
            "icon": null,
            "unicode_emoji": null,
            "position": 0,
            "permissions": "2248473465835073",
            "managed": false,
            "mentionable": false,
            "flags": 0
        }],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
    });
    let more = json!({
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "joined_at": "2026-01-01T00:00:00.000000+00:00",
        "large": false,
        "unavailable": false,
        "member_count": 2,
        "voice_states": [],
        "members": [],
        "channels": [{
            "id": FakeDiscord::CHANNEL_ID.to_string(),
            "type": 0,
            "guild_id": id.to_string(),
            "position": 0,
            "permission_overwrites": [],
            "name": "study",
            "topic": null,
            "nsfw": false,
            "last_message_id": null,
            "rate_limit_per_user": 0,
            "parent_id": null
        }],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": []
    });
    let mut d = d;
    for (k, v) in more.as_object().expect("an object") {
        d[k] = v.clone();
    }
    // Trap: a GUILD_CREATE serenity cannot parse is dropped, and the bot would never see it.
    if let Err(e) = serde_json::from_value::<serenity::all::Guild>(d.clone()) {
        panic!("serenity cannot parse the fake GUILD_CREATE: {e}");
    }
    d
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
                // Answers leave at once rather than waiting out Nagle's algorithm.
                let _ = stream.set_nodelay(true);
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
    received_at: std::time::Instant,
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
        received_at: std::time::Instant::now(),
    }))
}

/// Records `request`, answers it (after any injected delay) and returns the response bytes.
async fn answer_rest(shared: &Shared, request: HttpRequest) -> Vec<u8> {
    let (path, query) = match request.target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (request.target, None),
    };
    let content_type = request
        .headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map_or("", |(_, v)| v.as_str());
    let body = if content_type.starts_with("multipart/form-data") {
        spec::payload_json(content_type, &request.body).unwrap_or(Value::Null)
    } else {
        serde_json::from_slice(&request.body).unwrap_or(Value::Null)
    };
    let verdict = path.strip_prefix(API).map(|relative| {
        let sent = (!request.body.is_empty()).then_some(&body);
        spec::spec().check(&request.method, relative, sent)
    });
    let violations = match &verdict {
        Some(spec::Verdict::Invalid { lines, .. }) => lines.clone(),
        Some(spec::Verdict::UnknownOperation) | None => {
            vec!["Discord's spec has no such operation".to_owned()]
        }
        Some(spec::Verdict::Valid { .. }) => Vec::new(),
    };
    let now = shared.clock.now();
    // Discord checks a token that is sent on any route, and wants one where its spec requires
    // it; webhook-token routes and interaction callbacks take none.
    let authorization = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.trim());
    let needs_token = path
        .strip_prefix(API)
        .and_then(|relative| spec::spec().needs_token(&request.method, relative))
        .unwrap_or(true);
    let unauthorized = match authorization {
        Some(value) => value
            .strip_prefix("Bot ")
            .is_none_or(|token| token.trim().is_empty()),
        None => needs_token,
    };

    // Decided and recorded under one lock, so the record order is the order of side effects.
    let answer = {
        let mut state = shared.lock();
        let refused = if unauthorized {
            Some(json!({"message": "401: Unauthorized", "code": 0}))
        } else {
            None
        };
        let mut answer = match refused {
            Some(json) => Answer {
                status: 401,
                json,
                headers: Vec::new(),
                delay: Duration::ZERO,
                known_route: true,
            },
            None => match verdict.as_ref().and_then(spec::Verdict::discord_error) {
                // Discord refuses the whole request: no side effect, the interaction stays open.
                Some(error) => Answer {
                    status: 400,
                    json: error,
                    headers: Vec::new(),
                    delay: Duration::ZERO,
                    known_route: true,
                },
                None => decide(shared, &mut state, now, &request.method, &path, &body),
            },
        };
        if !answer.headers.iter().any(|(n, _)| n == "x-ratelimit-limit") {
            let template = match &verdict {
                Some(
                    spec::Verdict::Valid { template } | spec::Verdict::Invalid { template, .. },
                ) => template.as_str(),
                _ => path.as_str(),
            };
            answer
                .headers
                .extend(rate_limit_headers(&request.method, template));
        }
        for line in &violations {
            let line = format!("{} {}: {line}", request.method, path);
            state.violations.push(line);
        }
        if let Some(dump) = &shared.dump {
            traffic::append(
                dump,
                &traffic::line(
                    &request.method,
                    &path,
                    query.as_deref(),
                    &body,
                    answer.status,
                ),
            );
        }
        state.requests.push(Recorded {
            method: request.method,
            path,
            query,
            headers: request.headers,
            body,
            raw_body: String::from_utf8_lossy(&request.body).into_owned(),
            status: answer.status,
            answer: answer.json.clone(),
            answer_headers: answer.headers.clone(),
            received_at: request.received_at,
            known_route: answer.known_route,
            violations,
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

/// Discord's rate-limit headers for a request that is well within its bucket. The bucket is
/// named after the route, as Discord's opaque bucket hashes are per route.
fn rate_limit_headers(method: &str, template: &str) -> Vec<(String, String)> {
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
        + 1.0;
    let bucket = format!(
        "{:016x}",
        traffic::fnv1a(format!("{method} {template}").as_bytes())
    );
    vec![
        ("x-ratelimit-limit".to_owned(), "5".to_owned()),
        ("x-ratelimit-remaining".to_owned(), "4".to_owned()),
        ("x-ratelimit-reset".to_owned(), format!("{reset:.3}")),
        ("x-ratelimit-reset-after".to_owned(), "1.000".to_owned()),
        ("x-ratelimit-bucket".to_owned(), bucket),
    ]
}

/// An armed fault wins over the route; a delay-only fault answers normally, late.
fn decide(
    shared: &Shared,
    state: &mut State,
    now: Duration,
    method: &str,
    path: &str,
    body: &Value,
) -> Answer {
    let fault = take_fault(state, method, path);
    let delay = fault.as_ref().map_or(Duration::ZERO, |f| f.delay);
    if fault.as_ref().is_some_and(|f| f.applied) {
        route(shared, state, now, method, path, body);
    }
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
    let routed = route(shared, state, now, method, path, body);
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
    now: Duration,
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
                "shards": state.gateway.shard_count.max(1),
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
        ("POST", ["interactions", id, token, "callback"]) => callback(state, now, id, token, body),
        ("POST", ["webhooks", a, token]) if *a == app => {
            let channel_id = match webhook_channel(state, now, token) {
                Ok(channel_id) => channel_id,
                Err(refused) => return Some(refused),
            };
            // A user-installed app where it is not a member gets 5 follow-ups per interaction.
            let issued = state
                .interactions
                .values_mut()
                .find(|i| i.token == *token && i.acknowledged)?;
            if !issued.member && issued.followups >= FOLLOWUP_LIMIT {
                return Some((
                    400,
                    json!({"message": "This interaction has hit the maximum number of follow up messages", "code": 40094}),
                ));
            }
            issued.followups += 1;
            let content = body["content"].as_str().unwrap_or("");
            (200, message_json(&channel_id, content))
        }
        (_, ["webhooks", a, token, "messages", message]) if *a == app => {
            let channel_id = match webhook_channel(state, now, token) {
                Ok(channel_id) => channel_id,
                Err(refused) => return Some(refused),
            };
            webhook_message(state, method, token, &channel_id, message, body)?
        }
        // The bot posting or editing in a channel it cannot see.
        ("POST" | "PATCH", ["channels", channel, "messages", ..])
            if state.hidden_channels.contains(*channel) =>
        {
            (403, json!({"message": "Missing Access", "code": 50001}))
        }
        // The bot posting and editing its own messages in a channel (quiz rounds do).
        ("POST", ["channels", channel, "messages"]) => {
            // With `enforce_nonce`, a nonce seen before returns the message it posted.
            let nonce = body["nonce"]
                .as_str()
                .filter(|_| body["enforce_nonce"] == true);
            let key = nonce.map(|n| format!("{channel} {n}"));
            if let Some(earlier) = key.as_ref().and_then(|k| state.nonces.get(k)) {
                return Some((200, earlier.clone()));
            }
            let content = body["content"].as_str().unwrap_or("");
            let message = message_json(channel, content);
            if let Some(key) = key {
                state.nonces.insert(key, message.clone());
            }
            let mut posted = body.clone();
            posted["id"] = message["id"].clone();
            state.posted.push(posted);
            (200, message)
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

/// The initial response, under Discord's rules: once per interaction the fake sent (40060
/// after), within 3 s of sending it (10062 after, as for an unknown one), of a type that fits.
fn callback(state: &mut State, now: Duration, id: &str, token: &str, body: &Value) -> (u16, Value) {
    let unknown = (
        404,
        json!({"message": "Unknown interaction", "code": 10062}),
    );
    let Some(issued) = state.interactions.get_mut(id).filter(|i| i.token == token) else {
        return unknown;
    };
    if issued.acknowledged {
        return (
            400,
            json!({"message": "Interaction has already been acknowledged.", "code": 40060}),
        );
    }
    if now.saturating_sub(issued.sent_at) > RESPONSE_DEADLINE {
        return unknown;
    }
    let kind = body["type"].as_u64().unwrap_or_default();
    if let Some(why) = unfit_response(issued.kind, issued.on_message, kind) {
        let error =
            json!({"_errors": [{"code": "INTERACTION_CALLBACK_TYPE_INVALID", "message": why}]});
        return (
            400,
            json!({"message": "Invalid Form Body", "code": 50035, "errors": {"type": error}}),
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

/// Why response type `response` does not fit an interaction of type `interaction` (on a
/// message or not), or `None` if it fits; Discord's table of interaction callback types.
fn unfit_response(interaction: u64, on_message: bool, response: u64) -> Option<String> {
    let fits = match (interaction, response) {
        // PING takes PONG only, and PONG answers nothing else.
        (1, 1) => true,
        (1, _) | (_, 1) => false,
        // Autocomplete takes only choices, and choices answer only autocomplete.
        (4, 8) => true,
        (4, _) | (_, 8) => false,
        // A modal cannot answer a modal submission.
        (5, 9) => false,
        // Update types edit the message a component sits on: component clicks, and modal
        // submissions whose modal a component opened.
        (3, 6 | 7) => true,
        (5, 6 | 7) => on_message,
        (_, 6 | 7) => false,
        (2 | 3 | 5, 4 | 5 | 9 | 12) => true,
        _ => false,
    };
    (!fits).then(|| {
        format!("Interaction callback type {response} is not valid for an interaction of type {interaction}.")
    })
}

/// The channel of the interaction whose webhook token this is, if its webhook can be used now:
/// Discord creates it with the initial response and it lasts 15 minutes.
fn webhook_channel(state: &State, now: Duration, token: &str) -> Result<String, (u16, Value)> {
    let issued = state
        .interactions
        .values()
        .find(|i| i.token == token && i.acknowledged)
        .ok_or_else(unknown_webhook)?;
    if now.saturating_sub(issued.sent_at) > WEBHOOK_LIFETIME {
        return Err((
            401,
            json!({"message": "Invalid Webhook Token", "code": 50027}),
        ));
    }
    Ok(issued.channel_id.clone())
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
    state.gateway.shards.retain(|_, s| s.conn != conn);
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
            // `shard: [id, total]` (serenity always sends it; [0, 1] for one shard).
            let shard = &state
                .gateway
                .received
                .last()
                .map(|f| f["d"]["shard"].clone());
            let number = |i: usize| {
                shard
                    .as_ref()
                    .and_then(|s| s[i].as_u64())
                    .and_then(|n| u32::try_from(n).ok())
            };
            let (id, total) = (number(0).unwrap_or(0), number(1).unwrap_or(1));
            state.gateway.identified.push([id, total]);
            state.gateway.intents = frame_intents(&state.gateway.received);
            // The servers this shard owns, `(guild_id >> 22) % total`, as on Discord.
            let owned: Vec<u64> = state
                .gateway
                .guilds
                .iter()
                .copied()
                .filter(|g| (g >> 22) % u64::from(total.max(1)) == u64::from(id))
                .collect();
            let mut ready = shared.ready.clone();
            ready["shard"] = json!([id, total]);
            ready["guilds"] = owned
                .iter()
                .map(|g| json!({"id": g.to_string(), "unavailable": true}))
                .collect();
            let _ = tx.send(Outgoing::Text(
                json!({"op": 0, "s": 1, "t": "READY", "d": ready}).to_string(),
                None,
            ));
            let mut seq = 1;
            // With the GUILDS intent, each server then arrives whole, as Discord sends it
            // after READY (lazy loading).
            if state.gateway.intents & GUILDS_INTENT != 0 {
                for g in owned {
                    seq += 1;
                    let frame = json!({
                        "op": 0, "s": seq, "t": "GUILD_CREATE", "d": guild_json(g)
                    });
                    let _ = tx.send(Outgoing::Text(frame.to_string(), None));
                }
            }
            state.gateway.seq = seq;
            state.gateway.shards.insert(
                id,
                Shard {
                    conn,
                    total,
                    tx: tx.clone(),
                    seq,
                },
            );
            None
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
mod tests;

//! Discord's interactions endpoint (`sco-bot serve`): Discord POSTs every interaction, signed
//! with Ed25519, to a URL the application names, and takes the answer in the HTTP response.
//! No gateway connection, no state between requests beyond the shared store: any number of
//! replicas can sit behind an ordinary load balancer.
//!
//! A translator like the gateway handler, over the same pieces: the verified body is parsed
//! with serenity's model, [`super::request`] makes the core request, the interaction layer
//! answers, and [`super::render`] makes the JSON. A slow answer is deferred in the HTTP
//! response (type 5 or 6) and completed through the interaction's webhook, with the client
//! [`super::http_client`] makes. Every request is checked in this order, cheapest first, and
//! nothing is parsed before the signature verifies:
//!
//! 1. a declared body over [`MAX_BODY`]: 413;
//! 2. a missing or unreadable signature or timestamp: 401; a timestamp more than five minutes
//!    from now: 401 (a replay);
//! 3. the body read up to [`MAX_BODY`] (413 past it), then the signature over timestamp + body:
//!    401 if it does not verify;
//! 4. not an interaction: 400.
//!
//! `GET /healthz` answers 200 while the server runs; `GET /metrics` serves [`metrics`].

pub mod metrics;
pub mod verify;

use std::convert::Infallible;
use std::fmt::Write as _;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serenity::all::{ApplicationId, CreateInteractionResponse, Http, Interaction};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use self::metrics::{Kind, Metrics, Outcome};
use self::verify::{PublicKey, Refusal};
use super::{InFlight, Token};
use crate::app::App;
use crate::interaction::{self, Deferral, Request, Responded};
use crate::quiz::session::{Closed, RoundView, Table};
use crate::store::{ScoreRow, SessionRow};

/// The largest request body accepted (Discord's interactions are a few KiB).
pub const MAX_BODY: usize = 64 * 1024;

/// How long a shutdown waits for requests and deferred answers in flight.
pub const FINISH_WITHIN: Duration = Duration::from_secs(7);

/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Without a bot token there is no webhook to complete a deferred answer with, so the answer
/// waits in the HTTP response as long as it takes (Discord gives up after 3 seconds).
const NEVER: Duration = Duration::from_secs(24 * 60 * 60);

/// How to run the endpoint.
#[derive(Clone, Debug)]
pub struct Config {
    /// The application's public key, which checks every request's signature.
    pub public_key: PublicKey,
    /// The bot token: needed to post quiz rounds in channels, to complete deferred answers and
    /// to register the commands; lookups, `/study` and `/help` work without it.
    pub token: Option<Token>,
    /// Send Discord API requests here instead of discord.com (tests use a fake Discord).
    pub api_base: Option<String>,
    /// How long to work on an answer before deferring it ([`super::DEFER_AFTER`]).
    pub defer_after: Duration,
}

/// Why the endpoint could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}; pick a free port, e.g. --listen 127.0.0.1:8080")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The reason.
        source: std::io::Error,
    },
}

/// What every request shares.
struct Endpoint {
    key: PublicKey,
    app: App,
    /// The Discord client (with the bot token), if there is a token.
    http: Option<Arc<Http>>,
    defer_after: Duration,
    metrics: Arc<Metrics>,
    in_flight: InFlight,
    /// Quizzes played through interaction follow-ups, where the bot cannot post.
    relays: Arc<super::quiz::Relays>,
    /// The client of those follow-ups, which needs no token.
    hooks: Arc<super::webhook::Webhooks>,
}

type Reply = hyper::Response<Full<Bytes>>;

/// Listens on `addr` and answers until `shutdown` completes; see [`serve`].
pub async fn run(
    addr: SocketAddr,
    config: Config,
    app: App,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    serve(listener, config, app, shutdown).await;
    Ok(())
}

/// Answers Discord's interactions on `listener` until `shutdown` completes, then stops taking
/// connections, lets requests and deferred answers in flight finish (up to
/// [`FINISH_WITHIN`]), and returns. Registers the commands first if there is a token.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    app: App,
    shutdown: impl Future<Output = ()> + Send,
) {
    let http = config
        .token
        .as_ref()
        .map(|t| Arc::new(super::http_client(t, config.api_base.as_deref())));
    if let Some(http) = &http {
        tokio::spawn(register(Arc::clone(http)));
    }
    let reloader = app.spawn_reloader();
    // No removal events reach an endpoint, but a mark made by a gateway bot on the same
    // database, or a shorter grace, is still honoured here.
    let purge = app.spawn_guild_purge(Duration::ZERO);
    let endpoint = Arc::new(Endpoint {
        key: config.public_key,
        app,
        http,
        defer_after: config.defer_after,
        metrics: Arc::new(Metrics::default()),
        in_flight: InFlight::default(),
        relays: Arc::default(),
        hooks: Arc::new(super::webhook::Webhooks::new(config.api_base.as_deref())),
    });
    // Rounds whose replica is gone are closed and played on here (channel quizzes, with the
    // token; follow-ups quizzes carry on at the next click, wherever it lands).
    let sweeper = endpoint.app.runner.as_ref().map(|runner| {
        let http = endpoint.http.clone();
        let facts = Arc::clone(&endpoint.app.services.facts);
        let metrics = Arc::clone(&endpoint.metrics);
        crate::quiz::sweeper::spawn(Arc::clone(runner), move |s| {
            Some(Counted {
                table: super::quiz::channel_table(http.as_ref()?, &facts, s)?,
                metrics: Arc::clone(&metrics),
            })
        })
    });
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening for Discord interactions");
    }
    let (stop, stopping) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, usually: wait a little rather than spin.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let working = endpoint.in_flight.enter();
        let endpoint = Arc::clone(&endpoint);
        let mut stopping = stopping.clone();
        let builder = builder.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let endpoint = Arc::clone(&endpoint);
                async move { Ok::<_, Infallible>(endpoint.route(req).await) }
            });
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = async { stopping.wait_for(|s| *s).await.map(|_| ()) } => {
                    // Finish the request being answered, if any, then close.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(working);
        });
    }
    tracing::info!(
        in_flight = endpoint.in_flight.count(),
        "shutting down; finishing the requests in flight"
    );
    drop(listener);
    let _ = stop.send(true);
    endpoint.in_flight.finish(FINISH_WITHIN).await;
    for task in [reloader, purge].into_iter().flatten() {
        task.abort();
    }
    if let Some(s) = sweeper {
        s.abort();
    }
}

/// Registers the commands globally, as the gateway bot does when it connects.
async fn register(http: Arc<Http>) {
    let app = match http.get_current_user().await {
        Ok(user) => ApplicationId::new(user.id.get()),
        Err(e) => {
            tracing::error!(
                "cannot read the bot's own user, so the commands were not registered: {e}; check DISCORD_TOKEN"
            );
            return;
        }
    };
    http.set_application_id(app);
    let commands = super::registration();
    let count = commands.len();
    match serenity::all::Command::set_global_commands(&http, commands).await {
        Ok(_) => tracing::info!("registered {count} commands"),
        Err(e) => tracing::error!("could not register the commands: {e}"),
    }
}

fn text(status: StatusCode, body: &'static str) -> Reply {
    let mut r = hyper::Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn json(body: Vec<u8>) -> Reply {
    let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// An interaction response as the JSON Discord reads.
fn response_json(response: &CreateInteractionResponse) -> Vec<u8> {
    serde_json::to_vec(response).unwrap_or_else(|e| {
        // The builders are plain data; serialising them cannot fail in practice.
        tracing::error!("cannot serialise a response: {e}");
        br#"{"type":4,"data":{"content":"Sorry, something went wrong on my side.","flags":64}}"#
            .to_vec()
    })
}

/// What `serve` answers, at once, to a body whose signature has verified: the response's JSON
/// (a PING's pong included), or `None` for a body that is not an interaction the bot answers
/// (`serve` says 400). The same steps as the endpoint (parse, translate, handle, render) with
/// no deferral and no effect carried out: for the fuzz target and tests that feed it any
/// bytes without a network (`crate::fuzzing`).
pub fn answer_verified(
    services: &interaction::Services,
    body: &[u8],
    now_ms: i64,
) -> Option<Vec<u8>> {
    let interaction = parse_interaction(body).ok()?;
    if kind_of(&interaction) == Kind::Ping {
        return Some(br#"{"type":1}"#.to_vec());
    }
    let request = super::request(&interaction)?;
    let outcome = interaction::handle(services, &request, now_ms);
    Some(response_json(&super::render::response(
        &outcome.response,
        &request.locale,
    )))
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// An interaction from its JSON. serenity's own `Interaction` reads the body into a
/// `serde_json::Value` first and then the value into its type (to find the type by its
/// integer tag); reading the tag alone, then the body straight into the type it names, builds
/// the same interaction without the tree, which was a third of the endpoint's work besides
/// the signature. A tag serenity would not read goes to serenity, for its own error.
fn parse_interaction(body: &[u8]) -> serde_json::Result<Interaction> {
    use serenity::all::{
        CommandInteraction, ComponentInteraction, InteractionType, ModalInteraction,
        PingInteraction,
    };
    #[derive(serde::Deserialize)]
    struct Tag {
        #[serde(rename = "type")]
        kind: InteractionType,
    }
    let tag: Tag = serde_json::from_slice(body)?;
    match tag.kind {
        InteractionType::Ping => {
            serde_json::from_slice::<PingInteraction>(body).map(Interaction::Ping)
        }
        InteractionType::Command => {
            serde_json::from_slice::<CommandInteraction>(body).map(Interaction::Command)
        }
        InteractionType::Autocomplete => {
            serde_json::from_slice::<CommandInteraction>(body).map(Interaction::Autocomplete)
        }
        InteractionType::Component => {
            serde_json::from_slice::<ComponentInteraction>(body).map(Interaction::Component)
        }
        InteractionType::Modal => {
            serde_json::from_slice::<ModalInteraction>(body).map(Interaction::Modal)
        }
        _ => serde_json::from_slice(body),
    }
}

/// The kind of an interaction, for the metrics.
fn kind_of(interaction: &Interaction) -> Kind {
    match interaction {
        Interaction::Ping(_) => Kind::Ping,
        Interaction::Command(_) => Kind::Command,
        Interaction::Autocomplete(_) => Kind::Autocomplete,
        Interaction::Component(_) => Kind::Button,
        Interaction::Modal(_) => Kind::Modal,
        _ => Kind::Unknown,
    }
}

impl Endpoint {
    async fn route(self: Arc<Self>, req: hyper::Request<Incoming>) -> Reply {
        match (req.method(), req.uri().path()) {
            (&Method::POST, "/" | "/interactions") => self.interaction(req).await,
            (&Method::GET | &Method::HEAD, "/healthz") => self.health(),
            (&Method::GET, "/metrics") => {
                let mut body = self.metrics.render();
                // Open connections and deferred answers still being worked on (this one included).
                let _ = write!(
                    body,
                    "# HELP sco_bot_in_flight Connections open and deferred answers in progress.\n\
                     # TYPE sco_bot_in_flight gauge\nsco_bot_in_flight {}\n",
                    self.in_flight.count()
                );
                let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
                r.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                );
                r
            }
            (_, "/" | "/interactions" | "/healthz" | "/metrics") => text(
                StatusCode::METHOD_NOT_ALLOWED,
                "Discord POSTs interactions here; /healthz and /metrics take GET.\n",
            ),
            _ => text(
                StatusCode::NOT_FOUND,
                "Nothing here: Discord's interactions go to / or /interactions.\n",
            ),
        }
    }

    /// 200 while serving, with the facts served and, if the file on disk is broken, why (the
    /// previous version keeps serving).
    fn health(&self) -> Reply {
        let facts = &self.app.services.facts;
        let k = facts.current();
        let mut body = format!(
            "ok\nfacts {} as of {}\n",
            k.facts.meta.version,
            k.facts.meta.as_of.iso()
        );
        if let Some(problem) = facts.problem() {
            body.push_str(&format!(
                "the facts file has problems; still serving the version above:\n{problem}\n"
            ));
        }
        let mut r = hyper::Response::new(Full::new(Bytes::from(body)));
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    }

    fn refuse(
        &self,
        started: Instant,
        outcome: Outcome,
        status: StatusCode,
        why: &'static str,
    ) -> Reply {
        self.metrics
            .request(Kind::Unknown, outcome, started.elapsed());
        text(status, why)
    }

    async fn interaction(self: Arc<Self>, req: hyper::Request<Incoming>) -> Reply {
        let started = Instant::now();
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY as u64) {
            return self.refuse(
                started,
                Outcome::TooLarge,
                StatusCode::PAYLOAD_TOO_LARGE,
                "The body is over 64 KiB.\n",
            );
        }
        let header = |name: &str| req.headers().get(name).map(|v| v.as_bytes().to_vec());
        let (signature, timestamp) = (
            header("x-signature-ed25519"),
            header("x-signature-timestamp"),
        );
        // A stale or unsigned request is refused before its body is read.
        let fresh = match (&signature, &timestamp) {
            (Some(_), Some(t)) => verify::check_fresh(t, now_secs()),
            _ => Err(Refusal::Unsigned),
        };
        if let Err(refusal) = fresh {
            return self.unauthorized(started, refusal);
        }
        let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                return self.refuse(
                    started,
                    Outcome::TooLarge,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "The body is over 64 KiB.\n",
                );
            }
            Err(_) => {
                return self.refuse(
                    started,
                    Outcome::Malformed,
                    StatusCode::BAD_REQUEST,
                    "The body could not be read.\n",
                );
            }
        };
        if let Err(refusal) = self.key.check(
            signature.as_deref(),
            timestamp.as_deref(),
            &body,
            now_secs(),
        ) {
            return self.unauthorized(started, refusal);
        }
        let interaction = match parse_interaction(&body) {
            Ok(i) => i,
            Err(e) => {
                tracing::debug!("a signed body is not an interaction: {e}");
                return self.refuse(
                    started,
                    Outcome::Malformed,
                    StatusCode::BAD_REQUEST,
                    "The body is not an interaction Discord sends.\n",
                );
            }
        };
        let kind = kind_of(&interaction);
        if kind == Kind::Ping {
            self.metrics
                .request(kind, Outcome::Answered, started.elapsed());
            // As Discord's documentation writes it (serenity's builder adds `"data": null`).
            return json(br#"{"type":1}"#.to_vec());
        }
        let Some(mut request) = super::request(&interaction) else {
            return self.refuse(
                started,
                Outcome::Malformed,
                StatusCode::BAD_REQUEST,
                "This kind of interaction is not one the bot answers.\n",
            );
        };
        if self.http.is_none() && request.placement == Some(crate::quiz::Placement::Channel) {
            // Only the bot could post this quiz's rounds, and it has no token here.
            request.placement = None;
        }
        let (first, answered) = oneshot::channel();
        if interaction::waits_on_store(&self.app.services, &request) {
            // It may be deferred: the answer goes on in a task after the HTTP response.
            let working = self.in_flight.enter();
            let endpoint = Arc::clone(&self);
            tokio::spawn(async move {
                endpoint.answer(interaction, request, first).await;
                drop(working);
            });
        } else {
            // Answered from memory, at once: no task needed.
            Arc::clone(&self).answer(interaction, request, first).await;
        }
        match answered.await {
            Ok((body, deferred)) => {
                let outcome = if deferred {
                    Outcome::Deferred
                } else {
                    Outcome::Answered
                };
                self.metrics.request(kind, outcome, started.elapsed());
                json(body)
            }
            Err(_) => {
                // The answering task panicked: Discord shows the user its own failure notice.
                self.metrics
                    .request(kind, Outcome::Answered, started.elapsed());
                text(StatusCode::INTERNAL_SERVER_ERROR, "Answering failed.\n")
            }
        }
    }

    fn unauthorized(&self, started: Instant, refusal: Refusal) -> Reply {
        let why = match refusal {
            Refusal::Unsigned => "The request is not signed.\n",
            Refusal::Stale => "The request's timestamp is more than 5 minutes from now.\n",
            Refusal::Forged => "The request's signature does not verify.\n",
        };
        self.refuse(
            started,
            Outcome::Unauthorized,
            StatusCode::UNAUTHORIZED,
            why,
        )
    }

    /// Answers one interaction: the first answer (or the deferral) goes to `first`, which the
    /// HTTP response waits for; a late answer goes through the webhook; then the effects.
    async fn answer(
        self: Arc<Self>,
        interaction: Interaction,
        request: Request,
        first: oneshot::Sender<(Vec<u8>, bool)>,
    ) {
        let first = Mutex::new(Some(first));
        let send_first = |body: Vec<u8>, deferred: bool| {
            if let Some(tx) = first.lock().unwrap_or_else(PoisonError::into_inner).take() {
                // The client may have gone; Discord then times the interaction out itself.
                let _ = tx.send((body, deferred));
            }
        };
        let locale = request.locale.clone();
        let answers_quiz = interaction::answers_quiz(&request);
        let probe = request.clone();
        let defer_after = if self.http.is_some() {
            self.defer_after
        } else {
            NEVER
        };
        let responded = interaction::respond(
            Arc::clone(&self.app.services),
            request,
            defer_after,
            |kind: Deferral| {
                send_first(response_json(&super::deferral_response(kind)), true);
                async {}
            },
        )
        .await;
        let outcome = match responded {
            Responded::OnTime(outcome) => {
                send_first(
                    response_json(&super::render::response(&outcome.response, &locale)),
                    false,
                );
                outcome
            }
            Responded::Late(outcome, kind) => {
                if let (Some(http), Some(token)) = (&self.http, token_of(&interaction)) {
                    http.set_application_id(application_of(&interaction));
                    if let Err(e) =
                        super::complete_late(http, token, &outcome.response, kind, &locale).await
                    {
                        tracing::error!("could not complete a deferred answer: {e}");
                    }
                }
                outcome
            }
        };
        if answers_quiz {
            self.metrics.quiz_answer();
        }
        if interaction::missed_lookup(&probe, &outcome) {
            self.metrics.no_match();
        }
        let Some(effect) = outcome.effect else {
            return;
        };
        self.play(effect, &interaction, &locale);
    }

    /// Carries out a quiz effect: rounds in the channel where the bot may post there (with its
    /// token), else through this interaction's follow-ups (a user install where the bot is not
    /// a member, a group DM), which need no token.
    fn play(&self, effect: crate::reply::Effect, interaction: &Interaction, locale: &str) {
        use super::quiz::Place;
        let facts = &self.app.services.facts;
        let metrics = &self.metrics;
        let placed = super::quiz::place(
            self.http.as_ref(),
            &self.hooks,
            facts,
            &self.relays,
            interaction,
            effect,
            locale,
        );
        match placed {
            Some(Place::Channel(table)) => {
                let table = Counted {
                    table,
                    metrics: Arc::clone(metrics),
                };
                self.app.apply(effect, || table);
            }
            Some(Place::Webhook(table)) => {
                let table = Counted {
                    table,
                    metrics: Arc::clone(metrics),
                };
                self.app.apply(effect, || table);
            }
            Some(Place::Wake(session)) => {
                if let Some(runner) = &self.app.runner {
                    runner.wake(session);
                }
            }
            None => {}
        }
    }
}

fn token_of(interaction: &Interaction) -> Option<&str> {
    match interaction {
        Interaction::Command(c) => Some(&c.token),
        Interaction::Autocomplete(a) => Some(&a.token),
        Interaction::Component(c) => Some(&c.token),
        Interaction::Modal(m) => Some(&m.token),
        _ => None,
    }
}

fn application_of(interaction: &Interaction) -> ApplicationId {
    match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => c.application_id,
        Interaction::Component(c) => c.application_id,
        Interaction::Modal(m) => m.application_id,
        Interaction::Ping(p) => p.application_id,
        _ => ApplicationId::new(1),
    }
}

/// A table that counts the rounds it closes.
struct Counted<T> {
    table: T,
    metrics: Arc<Metrics>,
}

impl<T: Table> Table for Counted<T> {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        self.table.post_question(round).await
    }

    async fn reveal(&self, closed: &Closed) {
        self.metrics.round_closed();
        self.table.reveal(closed).await;
    }

    async fn notice(&self, text: &str) {
        self.table.notice(text).await;
    }

    async fn finish(&self, session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        self.table.finish(session, scoreboard, stopped).await;
    }

    async fn ready(&self) -> bool {
        self.table.ready().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Interactions shaped as Discord's documentation shows them: in a server (with `member`)
    /// and in a DM (with `user`).
    fn bodies() -> Vec<serde_json::Value> {
        let user = json!({"id": "200000000000000002", "username": "tester", "discriminator": "0",
                          "global_name": null, "avatar": null});
        let base = |kind: u8, data: serde_json::Value, guild: bool| {
            let mut v = json!({
                "id": "600000000000000001", "application_id": "100000000000000001",
                "type": kind, "token": "interaction-token", "version": 1,
                "channel_id": "500000000000000001", "locale": "ru", "entitlements": [],
                "app_permissions": "19456", "attachment_size_limit": 8_388_608,
                "context": if guild { 0 } else { 1 },
                "authorizing_integration_owners": {"0": "300000000000000003"},
                "channel": {"id": "500000000000000001", "type": if guild { 0 } else { 1 }},
                "data": data,
            });
            if guild {
                v["guild_id"] = json!("300000000000000003");
                v["guild_locale"] = json!("en-US");
                v["member"] = json!({"user": user.clone(), "nick": null, "roles": ["700000000000000007"],
                    "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
                    "flags": 0, "pending": false, "permissions": "2147601984"});
            } else {
                v["user"] = user.clone();
            }
            v
        };
        let options = |focused: bool| {
            json!({"id": "400000000000000001", "name": "member", "type": 1,
                   "options": [{"name": "name", "type": 3, "value": "kaz", "focused": focused}]})
        };
        let modal = json!({"custom_id": "quiz:answer:1", "components": [{"type": 1,
            "components": [{"type": 4, "custom_id": "answer", "value": "Tashkent"}]}]});
        let mut out = Vec::new();
        for guild in [true, false] {
            out.push(
                json!({"id": "600000000000000001", "application_id": "100000000000000001",
                            "type": 1, "token": "t", "version": 1}),
            );
            out.push(base(2, options(false), guild));
            out.push(base(4, options(true), guild));
            out.push(base(5, modal.clone(), guild));
        }
        out
    }

    #[test]
    fn reading_the_tag_first_builds_the_interaction_serenity_builds() {
        for body in bodies() {
            let raw = body.to_string();
            let ours = parse_interaction(raw.as_bytes()).expect("parses");
            let serenity: Interaction = serde_json::from_slice(raw.as_bytes()).expect("parses");
            assert_eq!(
                serde_json::to_value(&ours).expect("serialises"),
                serde_json::to_value(&serenity).expect("serialises"),
                "{raw}"
            );
            assert_eq!(kind_of(&ours), kind_of(&serenity));
        }
        for bad in [
            &b"{}"[..],
            b"{\"type\": 99}",
            b"[1]",
            b"{\"type\": 2}",
            b"not json",
        ] {
            assert!(
                parse_interaction(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}

//! Quiz rounds in a Discord channel: the [`Table`] that posts each round's question (the core's
//! reply, with its choice buttons), edits it when the round closes (buttons disabled, the right
//! one marked), and posts the reveal and the final scores. Where the bot cannot post in the
//! channel, [`WebhookTable`] does the same through interaction follow-ups, in batches that end
//! with a "Next question" button.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serenity::all::{
    ApplicationId, ChannelId, CreateAllowedMentions, CreateMessage, EditMessage, Http, Message,
    MessageId, Nonce,
};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::render::{channel_edit, channel_message, escape, followup};
use super::retry::{self, Repeat};
use super::webhook::{WebhookError, Webhooks};
use crate::Reloader;
use crate::commands::quiz::{final_reply, next_button, reveal_reply, round_reply};
use crate::quiz::session::{Closed, RoundView, Table};
use crate::reply::Reply;
use crate::store::{ScoreRow, SessionRow};

/// A channel where a quiz session is played.
pub struct ChannelTable {
    /// The HTTP client (made by `super::http_client`).
    pub http: Arc<Http>,
    /// The channel.
    pub channel: ChannelId,
    /// The facts, for sources in reveals.
    pub facts: Arc<Reloader>,
}

impl ChannelTable {
    /// Posts `message` with a nonce Discord enforces (`key` names the post), retried after a
    /// 429 or a 5xx: however often it is sent, the channel shows it once.
    async fn post(
        &self,
        what: &str,
        key: &str,
        message: CreateMessage,
    ) -> serenity::Result<Message> {
        let nonce = retry::nonce(&format!("{} {key}", self.channel));
        let message = message.nonce(Nonce::String(nonce)).enforce_nonce(true);
        let deadline = Instant::now() + retry::POST_WITHIN;
        retry::send(what, deadline, Repeat::Harmless, || {
            self.channel.send_message(&self.http, message.clone())
        })
        .await
    }

    /// Edits message `id`, retried as [`Self::post`] (an edit shown twice is shown once).
    async fn edit(&self, id: MessageId, edit: EditMessage) -> serenity::Result<Message> {
        let deadline = Instant::now() + retry::POST_WITHIN;
        retry::send("an edit", deadline, Repeat::Harmless, || {
            self.channel.edit_message(&self.http, id, edit.clone())
        })
        .await
    }
}

impl Table for ChannelTable {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        let message = channel_message(&round_reply(round, false));
        let key = format!("question {} {}", round.session, round.index);
        match self.post("a quiz question", &key, message).await {
            Ok(m) => Some(m.id.to_string()),
            Err(e) => {
                tracing::error!(channel = %self.channel, "could not post a quiz question: {e}");
                None
            }
        }
    }

    async fn reveal(&self, closed: &Closed) {
        if let Some(id) = closed
            .round
            .message_id
            .as_deref()
            .and_then(|m| m.parse::<u64>().ok())
        {
            let edit = channel_edit(&round_reply(&closed.round, true));
            if let Err(e) = self.edit(MessageId::new(id), edit).await {
                tracing::warn!(channel = %self.channel, "could not close a question's buttons: {e}");
            }
        }
        let message = channel_message(&reveal_reply(&self.facts.current(), closed));
        let key = format!("reveal {} {}", closed.round.session, closed.round.index);
        if let Err(e) = self.post("a reveal", &key, message).await {
            tracing::error!(channel = %self.channel, "could not post a reveal: {e}");
        }
    }

    async fn notice(&self, text: &str) {
        let message = CreateMessage::new()
            .content(escape(text))
            .allowed_mentions(CreateAllowedMentions::new());
        // One notice per call: the clock tells two notices with the same text apart.
        let key = format!("notice {text} {}", crate::quiz::session::wall_clock_ms());
        if let Err(e) = self.post("a notice", &key, message).await {
            tracing::error!(channel = %self.channel, "could not post a notice: {e}");
        }
    }

    async fn finish(&self, session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        let message = channel_message(&final_reply(scoreboard, stopped));
        let key = format!("final {}", session.id);
        if let Err(e) = self.post("the final scores", &key, message).await {
            tracing::error!(channel = %self.channel, "could not post the final scores: {e}");
        }
    }
}

/// The table of a session played in its channel, for whichever process shows its rounds
/// (the sweeper that takes over a quiz whose process is gone, a restart); `None` for a session
/// played through follow-ups, or a channel that is not a Discord one (a terminal's).
pub fn channel_table(
    http: &Arc<Http>,
    facts: &Arc<Reloader>,
    session: &SessionRow,
) -> Option<ChannelTable> {
    if session.placement != crate::quiz::Placement::Channel {
        return None;
    }
    let id = session.channel.parse::<u64>().ok().filter(|id| *id != 0)?;
    Some(ChannelTable {
        http: Arc::clone(http),
        channel: ChannelId::new(id),
        facts: Arc::clone(facts),
    })
}

/// Follow-up messages one interaction allows a user-installed app in a place it is not a member
/// of (a server without the bot, a group DM): Discord's limit.
pub const FOLLOWUPS_PER_INTERACTION: u32 = 5;

/// How long an interaction's token is used for follow-ups: Discord's 15 minutes, less a margin.
pub const TOKEN_USED_FOR: Duration = Duration::from_secs(14 * 60);

/// How long the end of a batch of rounds waits for "Next question" before the quiz is
/// abandoned (a session must not hold its channel for ever).
pub const NEXT_WITHIN: Duration = Duration::from_secs(10 * 60);

/// The interaction a session's rounds go out through now, and what it has left.
struct Batch {
    /// The application the interaction was for (`None` until a resumed session gets a click).
    application: Option<ApplicationId>,
    token: String,
    /// The language of whoever gave the token.
    locale: String,
    given: tokio::time::Instant,
    used: u32,
    /// Whether a round may come next (else only the final scores).
    more: bool,
    /// The webhook the question on screen was posted with (its edit must use the same one).
    question_token: Option<(ApplicationId, String)>,
}

/// Where a session played through interaction responses gets its tokens: the `/quiz start`
/// that began it, then each "Next question" (or `/quiz stop`) clicked in its channel.
pub struct Relay {
    batch: Mutex<Batch>,
    fresh: Notify,
}

impl Relay {
    fn new(application: Option<ApplicationId>, token: &str, locale: &str) -> Relay {
        Relay {
            batch: Mutex::new(Batch {
                application,
                token: token.to_string(),
                locale: locale.to_string(),
                given: tokio::time::Instant::now(),
                used: 0,
                more: true,
                question_token: None,
            }),
            fresh: Notify::new(),
        }
    }

    /// A relay with nothing to post with: a session resumed after a restart, whose tokens
    /// died with the previous process, waits for a click to bring one.
    fn waiting() -> Relay {
        let relay = Relay::new(None, "", "en-US");
        relay.lock().used = FOLLOWUPS_PER_INTERACTION;
        relay
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Batch> {
        self.batch.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Carries on through a fresh interaction: a new token with all its follow-ups.
    pub fn give(&self, application: ApplicationId, token: &str, locale: &str) {
        {
            let mut b = self.lock();
            b.application = Some(application);
            b.token = token.to_string();
            b.locale = locale.to_string();
            b.given = tokio::time::Instant::now();
            b.used = 0;
        }
        self.fresh.notify_waiters();
    }

    /// Follow-ups the current token has left.
    fn left(b: &Batch) -> u32 {
        if b.application.is_none() || b.given.elapsed() > TOKEN_USED_FOR {
            0
        } else {
            FOLLOWUPS_PER_INTERACTION.saturating_sub(b.used)
        }
    }

    /// What the next step needs: a round is a question and its reveal, the end one message.
    fn needed(b: &Batch) -> u32 {
        if b.more { 2 } else { 1 }
    }

    /// A webhook to post one follow-up with, counted, and the language to word it in; `None`
    /// when the current one is used up.
    fn take(&self) -> Option<(ApplicationId, String, String)> {
        let mut b = self.lock();
        let application = b.application?;
        (Relay::left(&b) > 0).then(|| {
            b.used += 1;
            (application, b.token.clone(), b.locale.clone())
        })
    }
}

/// The sessions of this process played through interaction responses, by session id.
#[derive(Default)]
pub struct Relays(Mutex<HashMap<i64, Arc<Relay>>>);

impl Relays {
    /// The session's relay, now carrying on through `token` (made if this process has none:
    /// the quiz has just started, or the process restarted since).
    pub fn give(
        &self,
        session: i64,
        application: ApplicationId,
        token: &str,
        locale: &str,
    ) -> Arc<Relay> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get(&session) {
            Some(relay) => {
                relay.give(application, token, locale);
                Arc::clone(relay)
            }
            None => {
                let relay = Arc::new(Relay::new(Some(application), token, locale));
                map.insert(session, Arc::clone(&relay));
                relay
            }
        }
    }

    /// The relay of a session resumed after a restart: none of its tokens survived, so it
    /// waits for the next click ("Next question", `/quiz stop`) to carry on.
    pub fn resumed(&self, session: i64) -> Arc<Relay> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            map.entry(session)
                .or_insert_with(|| Arc::new(Relay::waiting())),
        )
    }

    /// The session's relay, if this process has one.
    pub fn get(&self, session: i64) -> Option<Arc<Relay>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&session)
            .cloned()
    }

    fn remove(&self, session: i64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&session);
    }
}

/// A quiz played where the bot cannot post in the channel (a user install in a server without
/// the bot, a group DM): every message is a follow-up of an interaction, at most
/// [`FOLLOWUPS_PER_INTERACTION`] each, within its token's 15 minutes. A batch of rounds ends
/// with a "Next question" button; its click is a fresh interaction that carries the next batch.
pub struct WebhookTable {
    /// The webhook client (no bot token needed).
    pub hooks: Arc<Webhooks>,
    /// The session.
    pub session: i64,
    /// Its relay (from [`Relays::give`]).
    pub relay: Arc<Relay>,
    /// Every relay, to forget this one when the session ends.
    pub relays: Arc<Relays>,
    /// The facts, for sources in reveals.
    pub facts: Arc<Reloader>,
}

/// Whether Discord answered that the webhook is not there (yet): the interaction's first
/// answer went out in an HTTP response that Discord has not processed.
fn webhook_not_ready(e: &WebhookError) -> bool {
    e.code() == Some(10015)
}

impl WebhookTable {
    /// Posts (or, with `edit`, edits) a follow-up, retrying briefly while the webhook is not
    /// there yet.
    async fn send(
        &self,
        (application, token): (ApplicationId, &str),
        edit: Option<MessageId>,
        reply: &Reply,
        locale: &str,
    ) -> Result<MessageId, WebhookError> {
        let mut wait = Duration::from_millis(100);
        let mut attempt = 0;
        let message = followup(reply, locale);
        loop {
            let sent = self.hooks.send(application, token, edit, &message).await;
            match sent {
                Err(e) if webhook_not_ready(&e) && attempt < 4 => {
                    attempt += 1;
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                other => return other,
            }
        }
    }

    async fn post(&self, reply: &Reply, what: &str, question: bool) -> Option<String> {
        let Some((application, token, locale)) = self.relay.take() else {
            tracing::warn!(session = self.session, "no follow-up left to post {what}");
            return None;
        };
        match self.send((application, &token), None, reply, &locale).await {
            Ok(id) => {
                if question {
                    // Its edit (when the round closes) must go through the same webhook.
                    self.relay.lock().question_token = Some((application, token));
                }
                Some(id.to_string())
            }
            Err(e) => {
                tracing::error!(session = self.session, "could not post {what}: {e}");
                None
            }
        }
    }
}

impl Table for WebhookTable {
    async fn ready(&self) -> bool {
        let deadline = tokio::time::Instant::now() + NEXT_WITHIN;
        loop {
            let fresh = self.relay.fresh.notified();
            tokio::pin!(fresh);
            fresh.as_mut().enable();
            {
                let b = self.relay.lock();
                if Relay::left(&b) >= Relay::needed(&b) {
                    return true;
                }
            }
            if tokio::time::timeout_at(deadline, fresh).await.is_err() {
                self.relays.remove(self.session);
                return false;
            }
        }
    }

    async fn post_question(&self, round: &RoundView) -> Option<String> {
        self.relay.lock().question_token = None;
        self.post(&round_reply(round, false), "a quiz question", true)
            .await
    }

    async fn reveal(&self, closed: &Closed) {
        let question = closed
            .round
            .message_id
            .as_deref()
            .and_then(|m| m.parse::<u64>().ok());
        let (token, locale) = {
            let mut b = self.relay.lock();
            (b.question_token.take(), b.locale.clone())
        };
        if let (Some(id), Some((application, token))) = (question, token) {
            let closed_round = round_reply(&closed.round, true);
            if let Err(e) = self
                .send(
                    (application, &token),
                    Some(MessageId::new(id)),
                    &closed_round,
                    &locale,
                )
                .await
            {
                tracing::warn!(
                    session = self.session,
                    "could not close a question's buttons: {e}"
                );
            }
        }
        let more = closed.round.index + 1 < closed.round.total;
        let mut reply = reveal_reply(&self.facts.current(), closed);
        {
            let mut b = self.relay.lock();
            b.more = more;
            // This reveal ends the batch if no round fits after it: the next comes on a click.
            if more && Relay::left(&b).saturating_sub(1) < 2 {
                reply.buttons.push(vec![next_button(self.session)]);
            }
        }
        self.post(&reply, "a reveal", false).await;
    }

    async fn notice(&self, text: &str) {
        // Only if a round still fits after it.
        let fits = Relay::left(&self.relay.lock()) > 2;
        if fits {
            self.post(&Reply::notice(text), "a notice", false).await;
        } else {
            tracing::info!(session = self.session, "a notice left out: {text}");
        }
    }

    async fn finish(&self, _session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        self.post(&final_reply(scoreboard, stopped), "the final scores", false)
            .await;
        self.relays.remove(self.session);
    }
}

/// A session's table, wherever it is played (what a restart resumes).
pub enum AnyTable {
    /// In its channel.
    Channel(ChannelTable),
    /// Through follow-ups.
    Webhook(WebhookTable),
}

impl Table for AnyTable {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        match self {
            AnyTable::Channel(t) => t.post_question(round).await,
            AnyTable::Webhook(t) => t.post_question(round).await,
        }
    }

    async fn reveal(&self, closed: &Closed) {
        match self {
            AnyTable::Channel(t) => t.reveal(closed).await,
            AnyTable::Webhook(t) => t.reveal(closed).await,
        }
    }

    async fn notice(&self, text: &str) {
        match self {
            AnyTable::Channel(t) => t.notice(text).await,
            AnyTable::Webhook(t) => t.notice(text).await,
        }
    }

    async fn ready(&self) -> bool {
        match self {
            AnyTable::Channel(t) => t.ready().await,
            AnyTable::Webhook(t) => t.ready().await,
        }
    }

    async fn finish(&self, session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        match self {
            AnyTable::Channel(t) => t.finish(session, scoreboard, stopped).await,
            AnyTable::Webhook(t) => t.finish(session, scoreboard, stopped).await,
        }
    }
}

/// Where a quiz effect of an interaction is carried out.
pub enum Place {
    /// Rounds posted in the channel.
    Channel(ChannelTable),
    /// Rounds through the interaction's follow-ups (the bot cannot post in the channel).
    Webhook(WebhookTable),
    /// A stopped session: end its driver's wait (its last messages follow).
    Wake(i64),
}

/// Decides where a quiz effect is played: in the channel where the bot may post there
/// ([`super::can_post`]) and has its token (`http`), else through this interaction's
/// follow-ups (a user install where the bot is not a member, a group DM), which need no token.
/// `None` when there is nothing to play it at.
pub fn place(
    http: Option<&Arc<Http>>,
    hooks: &Arc<Webhooks>,
    facts: &Arc<Reloader>,
    relays: &Arc<Relays>,
    interaction: &serenity::all::Interaction,
    effect: crate::reply::Effect,
    locale: &str,
) -> Option<Place> {
    use crate::reply::Effect;
    use serenity::all::Interaction;
    let (token, channel, application) = match interaction {
        Interaction::Command(c) => (&c.token, c.channel_id, c.application_id),
        Interaction::Component(c) => (&c.token, c.channel_id, c.application_id),
        Interaction::Modal(m) => (&m.token, m.channel_id, m.application_id),
        _ => return None,
    };
    if super::can_post(interaction) {
        return match effect {
            Effect::QuizStopped(session) => Some(Place::Wake(session)),
            // Without the token the bot cannot post here (`/quiz start` said so).
            Effect::QuizStarted(_) | Effect::QuizContinue(_) => {
                Some(Place::Channel(ChannelTable {
                    http: Arc::clone(http?),
                    channel,
                    facts: Arc::clone(facts),
                }))
            }
        };
    }
    Some(match effect {
        Effect::QuizStarted(session) | Effect::QuizContinue(session) => {
            Place::Webhook(WebhookTable {
                hooks: Arc::clone(hooks),
                session,
                relay: relays.give(session, application, token, locale),
                relays: Arc::clone(relays),
                facts: Arc::clone(facts),
            })
        }
        Effect::QuizStopped(session) => {
            // The last reveal and the final scores follow this interaction's answer.
            if let Some(relay) = relays.get(session) {
                relay.give(application, token, locale);
            }
            Place::Wake(session)
        }
    })
}

/// The table of a session played through follow-ups, resumed after a restart: it posts nothing
/// until a click ("Next question", `/quiz stop`) brings a fresh interaction, and is abandoned
/// if none comes within [`NEXT_WITHIN`]. Never the channel, where the bot cannot post.
pub fn resumed(
    hooks: &Arc<Webhooks>,
    facts: &Arc<Reloader>,
    relays: &Arc<Relays>,
    session: i64,
) -> WebhookTable {
    WebhookTable {
        hooks: Arc::clone(hooks),
        session,
        relay: relays.resumed(session),
        relays: Arc::clone(relays),
        facts: Arc::clone(facts),
    }
}

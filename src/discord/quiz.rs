//! Quiz rounds in a Discord channel: the [`Table`] that posts each round's question (the core's
//! reply, with its choice buttons), edits it when the round closes (buttons disabled, the right
//! one marked), and posts the reveal and the final scores. Where the bot cannot post in the
//! channel, [`WebhookTable`] does the same through interaction follow-ups, in batches that end
//! with a "Next question" button.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Http, MessageId};
use serenity::builder::Builder as _;
use tokio::sync::Notify;

use super::render::{channel_edit, channel_message, escape, followup};
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

impl Table for ChannelTable {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        let message = channel_message(&round_reply(round, false));
        match self.channel.send_message(&self.http, message).await {
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
            if let Err(e) = self
                .channel
                .edit_message(&self.http, MessageId::new(id), edit)
                .await
            {
                tracing::warn!(channel = %self.channel, "could not close a question's buttons: {e}");
            }
        }
        let message = channel_message(&reveal_reply(&self.facts.current(), closed));
        if let Err(e) = self.channel.send_message(&self.http, message).await {
            tracing::error!(channel = %self.channel, "could not post a reveal: {e}");
        }
    }

    async fn notice(&self, text: &str) {
        let message = CreateMessage::new()
            .content(escape(text))
            .allowed_mentions(CreateAllowedMentions::new());
        if let Err(e) = self.channel.send_message(&self.http, message).await {
            tracing::error!(channel = %self.channel, "could not post a notice: {e}");
        }
    }

    async fn finish(&self, _session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        let message = channel_message(&final_reply(scoreboard, stopped));
        if let Err(e) = self.channel.send_message(&self.http, message).await {
            tracing::error!(channel = %self.channel, "could not post the final scores: {e}");
        }
    }
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
    token: String,
    given: tokio::time::Instant,
    used: u32,
    /// Whether a round may come next (else only the final scores).
    more: bool,
    /// The token the question on screen was posted with (its edit must use the same webhook).
    question_token: Option<String>,
}

/// Where a session played through interaction responses gets its tokens: the `/quiz start`
/// that began it, then each "Next question" (or `/quiz stop`) clicked in its channel.
pub struct Relay {
    batch: Mutex<Batch>,
    fresh: Notify,
}

impl Relay {
    fn new(token: &str) -> Relay {
        Relay {
            batch: Mutex::new(Batch {
                token: token.to_string(),
                given: tokio::time::Instant::now(),
                used: 0,
                more: true,
                question_token: None,
            }),
            fresh: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Batch> {
        self.batch.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Carries on through a fresh interaction: a new token with all its follow-ups.
    pub fn give(&self, token: &str) {
        {
            let mut b = self.lock();
            b.token = token.to_string();
            b.given = tokio::time::Instant::now();
            b.used = 0;
        }
        self.fresh.notify_waiters();
    }

    /// Follow-ups the current token has left.
    fn left(b: &Batch) -> u32 {
        if b.given.elapsed() > TOKEN_USED_FOR {
            0
        } else {
            FOLLOWUPS_PER_INTERACTION.saturating_sub(b.used)
        }
    }

    /// What the next step needs: a round is a question and its reveal, the end one message.
    fn needed(b: &Batch) -> u32 {
        if b.more { 2 } else { 1 }
    }

    /// A token to post one follow-up with, counted; `None` when the current one is used up.
    fn take(&self) -> Option<String> {
        let mut b = self.lock();
        (Relay::left(&b) > 0).then(|| {
            b.used += 1;
            b.token.clone()
        })
    }
}

/// The sessions of this process played through interaction responses, by session id.
#[derive(Default)]
pub struct Relays(Mutex<HashMap<i64, Arc<Relay>>>);

impl Relays {
    /// The session's relay, now carrying on through `token` (made if this process has none:
    /// the quiz has just started, or the process restarted since).
    pub fn give(&self, session: i64, token: &str) -> Arc<Relay> {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get(&session) {
            Some(relay) => {
                relay.give(token);
                Arc::clone(relay)
            }
            None => {
                let relay = Arc::new(Relay::new(token));
                map.insert(session, Arc::clone(&relay));
                relay
            }
        }
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
    /// The HTTP client, with the application id set.
    pub http: Arc<Http>,
    /// The session.
    pub session: i64,
    /// Its relay (from [`Relays::give`]).
    pub relay: Arc<Relay>,
    /// Every relay, to forget this one when the session ends.
    pub relays: Arc<Relays>,
    /// The facts, for sources in reveals.
    pub facts: Arc<Reloader>,
    /// The language the quiz was started in.
    pub locale: String,
}

/// Whether Discord answered that the webhook is not there (yet): the interaction's first
/// answer went out in an HTTP response that Discord has not processed.
fn webhook_not_ready(e: &serenity::Error) -> bool {
    matches!(
        e,
        serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)) if r.error.code == 10015
    )
}

impl WebhookTable {
    /// Posts (or, with `edit`, edits) a follow-up, retrying briefly while the webhook is not
    /// there yet.
    async fn send(
        &self,
        token: &str,
        edit: Option<MessageId>,
        reply: &Reply,
    ) -> serenity::Result<serenity::all::Message> {
        let mut wait = Duration::from_millis(100);
        let mut attempt = 0;
        loop {
            let sent = followup(reply, &self.locale)
                .execute(&self.http, (edit, token))
                .await;
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

    async fn post(&self, reply: &Reply, what: &str) -> Option<String> {
        let Some(token) = self.relay.take() else {
            tracing::warn!(session = self.session, "no follow-up left to post {what}");
            return None;
        };
        match self.send(&token, None, reply).await {
            Ok(m) => Some(m.id.to_string()),
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
        let id = self
            .post(&round_reply(round, false), "a quiz question")
            .await;
        let token = self.relay.lock().token.clone();
        self.relay.lock().question_token = id.as_ref().map(|_| token);
        id
    }

    async fn reveal(&self, closed: &Closed) {
        let question = closed
            .round
            .message_id
            .as_deref()
            .and_then(|m| m.parse::<u64>().ok());
        let token = self.relay.lock().question_token.take();
        if let (Some(id), Some(token)) = (question, token) {
            let closed_round = round_reply(&closed.round, true);
            if let Err(e) = self
                .send(&token, Some(MessageId::new(id)), &closed_round)
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
        self.post(&reply, "a reveal").await;
    }

    async fn notice(&self, text: &str) {
        // Only if a round still fits after it.
        let fits = Relay::left(&self.relay.lock()) > 2;
        if fits {
            self.post(&Reply::notice(text), "a notice").await;
        } else {
            tracing::info!(session = self.session, "a notice left out: {text}");
        }
    }

    async fn finish(&self, _session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        self.post(&final_reply(scoreboard, stopped), "the final scores")
            .await;
        self.relays.remove(self.session);
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
/// ([`super::can_post`]), else through this interaction's follow-ups (a user install where the
/// bot is not a member, a group DM). `None` when there is nothing to play it at.
pub fn place(
    http: &Arc<Http>,
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
        return Some(match effect {
            Effect::QuizStopped(session) => Place::Wake(session),
            Effect::QuizStarted(_) | Effect::QuizContinue(_) => Place::Channel(ChannelTable {
                http: Arc::clone(http),
                channel,
                facts: Arc::clone(facts),
            }),
        });
    }
    http.set_application_id(application);
    Some(match effect {
        Effect::QuizStarted(session) | Effect::QuizContinue(session) => {
            Place::Webhook(WebhookTable {
                http: Arc::clone(http),
                session,
                relay: relays.give(session, token),
                relays: Arc::clone(relays),
                facts: Arc::clone(facts),
                locale: locale.to_string(),
            })
        }
        Effect::QuizStopped(session) => {
            // The last reveal and the final scores follow this interaction's answer.
            if let Some(relay) = relays.get(session) {
                relay.give(token);
            }
            Place::Wake(session)
        }
    })
}

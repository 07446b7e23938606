//! Quiz rounds in a Discord channel: the [`Table`] that posts each round's question (the core's
//! reply, with its choice buttons), edits it when the round closes (buttons disabled, the right
//! one marked), and posts the reveal and the final scores.

use std::sync::Arc;

use serenity::all::{
    ChannelId, CreateAllowedMentions, CreateMessage, EditMessage, Http, Message, MessageId, Nonce,
};
use tokio::time::Instant;

use super::render::{channel_edit, channel_message, escape};
use super::retry::{self, Repeat};
use crate::Reloader;
use crate::commands::quiz::{final_reply, reveal_reply, round_reply};
use crate::quiz::session::{Closed, RoundView, Table};
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

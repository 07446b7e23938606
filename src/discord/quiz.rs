//! Quiz rounds in a Discord channel: the [`Table`] that posts each round's question (the core's
//! reply, with its choice buttons), edits it when the round closes (buttons disabled, the right
//! one marked), and posts the reveal and the final scores.

use std::sync::Arc;

use serenity::all::{ChannelId, CreateAllowedMentions, CreateMessage, Http, MessageId};

use super::render::{channel_edit, channel_message, escape};
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

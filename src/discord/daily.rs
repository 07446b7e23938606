//! The question of the day in Discord: the [`Poster`] the core's task (`daily_task`) posts
//! through — a channel message with a nonce Discord enforces, so a retry shows once.

use std::sync::Arc;

use serenity::all::{ChannelId, Http, Nonce};
use tokio::time::Instant;

use super::render::channel_message;
use super::retry::{self, Repeat};
use crate::daily_task::Poster;
use crate::reply::Reply;

/// Posts in a server's channel with the bot's HTTP client.
pub struct ChannelPoster {
    /// The HTTP client (made by `super::http_client`).
    pub http: Arc<Http>,
}

impl Poster for ChannelPoster {
    async fn post(&self, channel: &str, key: &str, reply: &Reply) -> bool {
        let Ok(id) = channel.parse::<u64>() else {
            tracing::error!(%channel, "a question-of-the-day channel that is not an id");
            return false;
        };
        let channel = ChannelId::new(id.max(1));
        let nonce = retry::nonce(&format!("{channel} {key}"));
        let message = channel_message(reply)
            .nonce(Nonce::String(nonce))
            .enforce_nonce(true);
        let deadline = Instant::now() + retry::POST_WITHIN;
        match retry::send("a question of the day", deadline, Repeat::Harmless, || {
            channel.send_message(&self.http, message.clone())
        })
        .await
        {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(%channel, "could not post the question of the day: {e}");
                false
            }
        }
    }
}

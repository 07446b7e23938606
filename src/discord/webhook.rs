//! Interaction webhooks without the bot token: follow-up messages and their edits
//! (`POST /webhooks/{application_id}/{token}`, `PATCH …/messages/{id}`). Discord authenticates
//! these by the interaction's token in the path (its OpenAPI spec lists no required security
//! for them), so they are sent with no `Authorization` header at all: `serve` plays quiz rounds
//! through them without a bot token. serenity's client always sends one (`Bot ` and an empty
//! token when it has none), hence this small client.

use std::time::Duration;

use serenity::all::{ApplicationId, CreateInteractionResponseFollowup, MessageId};

/// How long one webhook request may take.
const REQUEST_WITHIN: Duration = Duration::from_secs(10);

/// Why a follow-up was not sent.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Discord answered with an error.
    #[error("Discord answered {status}: {message} (code {code})")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Discord's JSON error code (0 if none).
        code: u64,
        /// Discord's message.
        message: String,
    },
    /// The request did not get an answer, or the answer was not a message.
    #[error("{0}")]
    Transport(String),
}

impl WebhookError {
    /// Discord's JSON error code, if it answered with one.
    pub fn code(&self) -> Option<u64> {
        match self {
            WebhookError::Refused { code, .. } => Some(*code),
            WebhookError::Transport(_) => None,
        }
    }
}

/// Sends interaction follow-ups with no bot token.
#[derive(Clone, Debug)]
pub struct Webhooks {
    client: reqwest::Client,
    base: String,
}

impl Webhooks {
    /// A client for discord.com, or for `api_base` (tests use a fake Discord).
    pub fn new(api_base: Option<&str>) -> Webhooks {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_WITHIN)
            .user_agent(serenity::constants::USER_AGENT)
            .build()
            .unwrap_or_default();
        Webhooks {
            client,
            base: api_base
                .unwrap_or("https://discord.com")
                .trim_end_matches('/')
                .to_string(),
        }
    }

    /// Posts a follow-up of the interaction whose token this is, or with `edit` edits one;
    /// returns the message's id.
    pub async fn send(
        &self,
        application: ApplicationId,
        token: &str,
        edit: Option<MessageId>,
        message: &CreateInteractionResponseFollowup,
    ) -> Result<MessageId, WebhookError> {
        let body = serde_json::to_vec(message)
            .map_err(|e| WebhookError::Transport(format!("cannot serialise a follow-up: {e}")))?;
        let url = format!("{}/api/v10/webhooks/{application}/{token}", self.base);
        let request = match edit {
            None => self.client.post(url),
            Some(id) => self.client.patch(format!("{url}/messages/{id}")),
        };
        let answer = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            // Without the URL: it holds the interaction's token.
            .map_err(|e| WebhookError::Transport(e.without_url().to_string()))?;
        let status = answer.status().as_u16();
        let bytes = answer
            .bytes()
            .await
            .map_err(|e| WebhookError::Transport(e.without_url().to_string()))?;
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if !(200..300).contains(&status) {
            return Err(WebhookError::Refused {
                status,
                code: json["code"].as_u64().unwrap_or(0),
                message: json["message"].as_str().unwrap_or("").to_string(),
            });
        }
        json["id"]
            .as_str()
            .and_then(|id| id.parse::<u64>().ok())
            .filter(|id| *id != 0)
            .map(MessageId::new)
            .ok_or_else(|| WebhookError::Transport("Discord's answer is not a message".into()))
    }
}

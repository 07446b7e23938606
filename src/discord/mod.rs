//! The Discord front end: every command of the table as a slash command, over the gateway.
//!
//! This is a thin adapter: it registers the commands built from [`crate::commands::COMMANDS`],
//! turns interactions into core calls and core replies into responses ([`render`]). It needs no
//! privileged intent (interactions arrive without any).

pub mod render;

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serenity::all::{
    Command, CommandDataOptionValue, CommandInteraction, CommandOptionType, ComponentInteraction,
    Context, CreateCommand, CreateCommandOption, CreateInteractionResponse, EventHandler,
    GatewayIntents, GuildId, Http, HttpBuilder, Interaction, Ready,
};

use crate::Knowledge;
use crate::commands::{COMMANDS, OptionKind};
use render::Given;

/// A Discord bot token. It is never printed: `Debug` and `Display` show `[redacted]`.
#[derive(Clone)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Token {
    /// Wraps a token string (trimmed).
    pub fn new(token: &str) -> Token {
        Token(token.trim().to_string())
    }

    /// The token for the HTTP client; use nowhere else.
    fn expose(&self) -> &str {
        &self.0
    }

    /// Reads the token from a secrets file if one is named, else from `DISCORD_TOKEN`.
    /// Never from the command line, where other users of the machine could see it.
    pub fn load(file: Option<&Path>) -> Result<Token, DiscordError> {
        let token = match file {
            Some(path) => std::fs::read_to_string(path)
                .map(|t| Token::new(&t))
                .map_err(|source| DiscordError::TokenFile {
                    path: path.to_path_buf(),
                    source,
                })?,
            None => Token::new(&std::env::var("DISCORD_TOKEN").map_err(|_| DiscordError::NoToken)?),
        };
        if token.0.is_empty() {
            return Err(DiscordError::EmptyToken);
        }
        Ok(token)
    }
}

/// Why the bot could not run. Messages are sentences with the fix; none contains the token.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// No token was given.
    #[error(
        "no Discord token: set DISCORD_TOKEN, or put the token in a file and pass --token-file PATH"
    )]
    NoToken,
    /// The token file could not be read.
    #[error("cannot read the token file {path}: {source}")]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// The token is blank.
    #[error("the Discord token is empty; copy it again from the Bot page of the developer portal")]
    EmptyToken,
    /// serenity could not start or lost the connection for good.
    #[error("the Discord connection failed: {0}; check the token and the network")]
    Client(String),
}

/// How to run the bot.
#[derive(Clone, Debug)]
pub struct Config {
    /// The bot token.
    pub token: Token,
    /// Register the commands in this guild only (instant, for testing) instead of globally.
    pub guild: Option<u64>,
    /// Send every request to this base URL instead of discord.com (tests use a fake Discord on
    /// 127.0.0.1). Turns the rate limiter off, which serenity needs for a proxy to apply.
    pub api_base: Option<String>,
}

/// The one constructor of HTTP clients in the bot, so that a test's base URL reaches every
/// request.
pub fn http_client(token: &Token, api_base: Option<&str>) -> Http {
    let builder = HttpBuilder::new(token.expose());
    match api_base {
        Some(base) => builder.proxy(base).ratelimiter_disabled(true).build(),
        None => builder.build(),
    }
}

/// The slash commands to register, built from the command table.
pub fn registration() -> Vec<CreateCommand> {
    COMMANDS
        .iter()
        .map(|spec| {
            let mut c = CreateCommand::new(spec.name)
                .description(spec.description)
                .description_localized("ru", spec.description_ru)
                .description_localized("zh-CN", spec.description_zh)
                .dm_permission(true);
            if let Some((ru, zh)) = spec.name_ru_zh {
                c = c.name_localized("ru", ru).name_localized("zh-CN", zh);
            }
            for o in spec.options {
                let kind = match o.kind {
                    OptionKind::Integer { .. } => CommandOptionType::Integer,
                    _ => CommandOptionType::String,
                };
                let mut opt = CreateCommandOption::new(kind, o.name, o.description)
                    .description_localized("ru", o.description_ru)
                    .description_localized("zh-CN", o.description_zh)
                    .name_localized("ru", o.name_ru_zh.0)
                    .name_localized("zh-CN", o.name_ru_zh.1)
                    .required(o.required);
                match o.kind {
                    OptionKind::Lookup(_) => {
                        opt = opt.set_autocomplete(true).min_length(1).max_length(100);
                    }
                    OptionKind::CommandName => {
                        for s in COMMANDS {
                            opt = opt.add_string_choice(format!("/{}", s.name), s.name);
                        }
                    }
                    OptionKind::Integer { min, max } => {
                        let (min, max) = (min.max(0) as u64, max.max(0) as u64);
                        opt = opt.min_int_value(min).max_int_value(max);
                    }
                }
                c = c.add_option(opt);
            }
            c
        })
        .collect()
}

/// The registration as the JSON body Discord receives (for `sco-bot register --print`).
pub fn registration_json() -> serde_json::Value {
    serde_json::to_value(registration()).unwrap_or_else(|e| {
        // The builders are plain data; serialising them cannot fail in practice.
        serde_json::json!({ "error": e.to_string() })
    })
}

/// Options of a slash command as the renderer wants them.
fn given_options(cmd: &CommandInteraction) -> Vec<(String, Given)> {
    cmd.data
        .options
        .iter()
        .map(|o| {
            let value = match &o.value {
                CommandDataOptionValue::String(s) => Given::Text(s.clone()),
                CommandDataOptionValue::Integer(i) => Given::Integer(*i),
                _ => Given::Other,
            };
            (o.name.clone(), value)
        })
        .collect()
}

/// Builds the response to an interaction; a panic in the core becomes an apology.
fn respond(k: &Knowledge, interaction: &Interaction) -> Option<CreateInteractionResponse> {
    let build = || match interaction {
        Interaction::Command(cmd) => Some(render::command_response(
            k,
            &cmd.data.name,
            &given_options(cmd),
            &cmd.locale,
        )),
        Interaction::Autocomplete(ac) => {
            let focused = ac.data.autocomplete();
            let (option, partial) = focused.map_or(("", ""), |f| (f.name, f.value));
            Some(render::autocomplete_response(
                k,
                &ac.data.name,
                option,
                partial,
            ))
        }
        Interaction::Component(c) => Some(component(k, c)),
        _ => None,
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(interaction = %interaction.id(), "answering panicked; sent an apology");
            Some(render::notice(render::APOLOGY))
        }
    }
}

fn component(k: &Knowledge, c: &ComponentInteraction) -> CreateInteractionResponse {
    render::component_response(k, &c.data.custom_id, &c.locale)
}

/// The event handler: registers commands when ready, answers interactions.
struct Handler {
    knowledge: Arc<Knowledge>,
    guild: Option<GuildId>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let commands = registration();
        let count = commands.len();
        let result = match self.guild {
            Some(guild) => guild.set_commands(&ctx.http, commands).await.map(|_| ()),
            None => Command::set_global_commands(&ctx.http, commands)
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => tracing::info!(
                user = %ready.user.name,
                guild = ?self.guild,
                "connected; registered {count} commands"
            ),
            Err(e) => tracing::error!("could not register the commands: {e}"),
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let started = Instant::now();
        let Some(response) = respond(&self.knowledge, &interaction) else {
            return;
        };
        let sent = match &interaction {
            Interaction::Command(c) => c.create_response(&ctx.http, response).await,
            Interaction::Autocomplete(a) => a.create_response(&ctx.http, response).await,
            Interaction::Component(c) => c.create_response(&ctx.http, response).await,
            _ => Ok(()),
        };
        match sent {
            Ok(()) => tracing::debug!(
                interaction = %interaction.id(),
                micros = started.elapsed().as_micros() as u64,
                "answered"
            ),
            Err(e) => tracing::error!(interaction = %interaction.id(), "could not answer: {e}"),
        }
    }
}

/// Connects to Discord and answers until `shutdown` completes.
pub async fn run(
    config: Config,
    knowledge: Arc<Knowledge>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), DiscordError> {
    let http = http_client(&config.token, config.api_base.as_deref());
    let handler = Handler {
        knowledge,
        guild: config.guild.map(GuildId::new),
    };
    let mut client = serenity::all::ClientBuilder::new_with_http(http, GatewayIntents::empty())
        .event_handler(handler)
        .await
        .map_err(|e| DiscordError::Client(e.to_string()))?;
    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down");
        shards.shutdown_all().await;
    });
    client
        .start()
        .await
        .map_err(|e| DiscordError::Client(e.to_string()))
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

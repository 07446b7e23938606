//! The Discord front end: every command of the table as a slash command, over the gateway.
//!
//! This is a thin adapter: it registers the commands built from [`crate::commands::COMMANDS`],
//! turns interactions into core calls and core replies into responses ([`render`]). It needs no
//! privileged intent (interactions arrive without any).

pub mod quiz;
pub mod render;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serenity::all::{
    ActionRowComponent, ChannelId, Command, CommandDataOption, CommandDataOptionValue,
    CommandOptionType, Context, CreateCommand, CreateCommandOption, CreateInteractionResponse,
    EventHandler, GatewayIntents, GuildId, Http, HttpBuilder, Interaction, Ready,
};
use tokio::sync::Notify;

use crate::commands::{COMMANDS, Ctx, OptionKind, OptionSpec};
use crate::quiz::session::{Clock, Engine, drive, wall_clock_ms};
use crate::reply::Effect;
use crate::{Knowledge, Reloader};
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

/// One option of the table as Discord registers it.
fn option(o: &OptionSpec) -> CreateCommandOption {
    let kind = match o.kind {
        OptionKind::Integer { .. } => CommandOptionType::Integer,
        OptionKind::User => CommandOptionType::User,
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
        OptionKind::Choice(words) => {
            for w in words {
                opt = opt.add_string_choice(*w, *w);
            }
        }
        OptionKind::Integer { min, max } => {
            let (min, max) = (min.max(0) as u64, max.max(0) as u64);
            opt = opt.min_int_value(min).max_int_value(max);
        }
        OptionKind::User => {}
        OptionKind::Text => {
            opt = opt.min_length(1).max_length(200);
        }
    }
    opt
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
            for sub in spec.subcommands {
                let mut s = CreateCommandOption::new(
                    CommandOptionType::SubCommand,
                    sub.name,
                    sub.description,
                )
                .description_localized("ru", sub.description_ru)
                .description_localized("zh-CN", sub.description_zh)
                .name_localized("ru", sub.name_ru_zh.0)
                .name_localized("zh-CN", sub.name_ru_zh.1);
                for o in sub.options {
                    s = s.add_sub_option(option(o));
                }
                c = c.add_option(s);
            }
            for o in spec.options {
                c = c.add_option(option(o));
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

fn given(options: &[CommandDataOption]) -> Vec<(String, Given)> {
    options
        .iter()
        .map(|o| {
            let value = match &o.value {
                CommandDataOptionValue::String(s) => Given::Text(s.clone()),
                CommandDataOptionValue::Integer(i) => Given::Integer(*i),
                CommandDataOptionValue::User(id) => Given::User(id.to_string()),
                _ => Given::Other,
            };
            (o.name.clone(), value)
        })
        .collect()
}

/// The subcommand (if any) and options of a slash command as the renderer wants them.
fn given_options(options: &[CommandDataOption]) -> (Option<String>, Vec<(String, Given)>) {
    match options.first() {
        Some(CommandDataOption {
            name,
            value: CommandDataOptionValue::SubCommand(inner),
            ..
        }) => (Some(name.clone()), given(inner)),
        _ => (None, given(options)),
    }
}

/// The event handler: registers commands when ready, answers interactions, runs quiz rounds.
struct Handler {
    facts: Arc<Reloader>,
    guild: Option<GuildId>,
    engine: Option<Arc<Engine>>,
    /// Wakes a session's round timer when `/quiz stop` ends it, by session id; an entry lives
    /// while the session's rounds run.
    wakes: Arc<Mutex<HashMap<i64, Arc<Notify>>>>,
    /// Sessions left active by a previous run are resumed once, at the first READY.
    resumed: AtomicBool,
}

/// Who sent an interaction, and where.
struct Origin {
    user: String,
    guild: Option<String>,
    channel: String,
    can_manage: bool,
}

impl Handler {
    fn ctx<'a>(&'a self, knowledge: &'a Knowledge, o: &'a Origin) -> Ctx<'a> {
        Ctx {
            knowledge,
            user: &o.user,
            guild: o.guild.as_deref(),
            channel: &o.channel,
            can_manage: o.can_manage,
            now_ms: wall_clock_ms(),
            quiz: self.engine.as_deref(),
        }
    }

    /// Builds the response to an interaction; a panic in the core becomes an apology.
    fn respond(
        &self,
        interaction: &Interaction,
    ) -> Option<(CreateInteractionResponse, Option<Effect>, String)> {
        // One version of the facts for the whole interaction, even if a reload lands meanwhile.
        let knowledge = self.facts.current();
        let build = || match interaction {
            Interaction::Command(cmd) => {
                let origin = Origin {
                    user: cmd.user.id.to_string(),
                    guild: cmd.guild_id.map(|g| g.to_string()),
                    channel: cmd.channel_id.to_string(),
                    can_manage: cmd
                        .member
                        .as_ref()
                        .and_then(|m| m.permissions)
                        .is_some_and(|p| p.manage_messages()),
                };
                let (sub, options) = given_options(&cmd.data.options);
                let (response, effect) = render::command_response(
                    &self.ctx(&knowledge, &origin),
                    &cmd.data.name,
                    sub.as_deref(),
                    &options,
                    &cmd.locale,
                );
                Some((response, effect, origin.channel))
            }
            Interaction::Autocomplete(ac) => {
                let focused = ac.data.autocomplete();
                let (option, partial) = focused.map_or(("", ""), |f| (f.name, f.value));
                let response =
                    render::autocomplete_response(&knowledge, &ac.data.name, option, partial);
                Some((response, None, ac.channel_id.to_string()))
            }
            Interaction::Component(c) => {
                let origin = Origin {
                    user: c.user.id.to_string(),
                    guild: c.guild_id.map(|g| g.to_string()),
                    channel: c.channel_id.to_string(),
                    can_manage: false,
                };
                let response = render::component_response(
                    &self.ctx(&knowledge, &origin),
                    &c.data.custom_id,
                    &c.locale,
                );
                Some((response, None, origin.channel))
            }
            Interaction::Modal(m) => {
                let origin = Origin {
                    user: m.user.id.to_string(),
                    guild: m.guild_id.map(|g| g.to_string()),
                    channel: m.channel_id.to_string(),
                    can_manage: false,
                };
                let text = m
                    .data
                    .components
                    .iter()
                    .flat_map(|row| row.components.iter())
                    .find_map(|c| match c {
                        ActionRowComponent::InputText(t) => t.value.clone(),
                        _ => None,
                    })
                    .unwrap_or_default();
                let response = render::modal_response(
                    &self.ctx(&knowledge, &origin),
                    &m.data.custom_id,
                    &text,
                );
                Some((response, None, origin.channel))
            }
            _ => None,
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
            Ok(response) => response,
            Err(_) => {
                tracing::error!(interaction = %interaction.id(), "answering panicked; sent an apology");
                Some((render::notice(render::APOLOGY), None, String::new()))
            }
        }
    }

    /// Runs a quiz session's rounds in its channel until it ends.
    fn spawn_rounds(&self, http: Arc<Http>, session: i64, channel: &str) {
        let (Some(engine), Ok(channel)) = (self.engine.clone(), channel.parse::<u64>()) else {
            return;
        };
        let wake = Arc::new(Notify::new());
        match self.wakes.lock() {
            // Already running (a quiz started while READY was resuming sessions): one driver.
            Ok(wakes) if wakes.contains_key(&session) => return,
            Ok(mut wakes) => {
                wakes.insert(session, Arc::clone(&wake));
            }
            Err(_) => return,
        }
        let wakes = Arc::clone(&self.wakes);
        let table = quiz::ChannelTable {
            http,
            channel: ChannelId::new(channel),
            knowledge: self.facts.current(),
        };
        tokio::spawn(async move {
            let clock = Clock::starting_at(wall_clock_ms());
            if let Err(e) = drive(engine, session, table, clock, wake).await {
                tracing::error!(session, "a quiz session failed: {e}");
            }
            if let Ok(mut wakes) = wakes.lock() {
                wakes.remove(&session);
            }
        });
    }

    fn wake(&self, session: i64) {
        let wake = self
            .wakes
            .lock()
            .ok()
            .and_then(|w| w.get(&session).cloned());
        if let Some(wake) = wake {
            wake.notify_one();
        }
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        // Sessions a previous run left active resume first, before anything awaits, so the
        // list holds only those (a quiz started meanwhile has its own driver anyway).
        if let Some(engine) = &self.engine
            && !self.resumed.swap(true, Ordering::SeqCst)
        {
            match engine.store().active_sessions() {
                Ok(sessions) => {
                    for s in sessions {
                        tracing::info!(session = s.id, "resuming a quiz left running");
                        self.spawn_rounds(Arc::clone(&ctx.http), s.id, &s.channel);
                    }
                }
                Err(e) => tracing::error!("cannot read active quizzes: {e}"),
            }
        }
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
        let Some((response, effect, channel)) = self.respond(&interaction) else {
            return;
        };
        let sent = match &interaction {
            Interaction::Command(c) => c.create_response(&ctx.http, response).await,
            Interaction::Autocomplete(a) => a.create_response(&ctx.http, response).await,
            Interaction::Component(c) => c.create_response(&ctx.http, response).await,
            Interaction::Modal(m) => m.create_response(&ctx.http, response).await,
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
        match effect {
            Some(Effect::QuizStarted(session)) => {
                self.spawn_rounds(Arc::clone(&ctx.http), session, &channel);
            }
            Some(Effect::QuizStopped(session)) => self.wake(session),
            None => {}
        }
    }
}

/// Connects to Discord and answers until `shutdown` completes. Without an `engine` (no
/// database), the quiz commands say they are unavailable.
pub async fn run(
    config: Config,
    facts: Arc<Reloader>,
    engine: Option<Arc<Engine>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), DiscordError> {
    let http = http_client(&config.token, config.api_base.as_deref());
    if facts.path().is_some() {
        tokio::spawn(reload_loop(Arc::clone(&facts)));
    }
    let handler = Handler {
        facts,
        guild: config.guild.map(GuildId::new),
        engine,
        wakes: Arc::new(Mutex::new(HashMap::new())),
        resumed: AtomicBool::new(false),
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

/// How often the facts file is looked at for changes.
const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Reloads the facts file when it changes; a broken file is logged and the old facts serve on.
async fn reload_loop(facts: Arc<Reloader>) {
    let mut tick = tokio::time::interval(RELOAD_EVERY);
    loop {
        tick.tick().await;
        match facts.check() {
            Ok(true) => {
                let k = facts.current();
                tracing::info!(
                    version = %k.facts.meta.version,
                    as_of = %k.facts.meta.as_of.iso(),
                    "reloaded the facts"
                );
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(
                "the changed facts file has problems; still serving the previous version:\n{e}"
            ),
        }
    }
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

//! The Discord front end: every command of the table as a slash command, over the gateway.
//!
//! A translator: it registers the commands built from [`crate::commands::COMMANDS`], turns
//! serenity's interactions into core requests ([`request`]), hands them to the interaction
//! layer, and renders the core's responses ([`render`]); quiz rounds are played at a
//! [`quiz::ChannelTable`] by the core's round driver. It needs no privileged intent
//! (interactions arrive without any).

pub mod daily;
pub mod http;
pub mod quiz;
pub mod render;
pub mod retry;
pub mod webhook;

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serenity::all::{
    ActionRowComponent, ChannelId, ChannelType, Command, CommandDataOption, CommandDataOptionValue,
    CommandOptionType, Context, CreateCommand, CreateCommandOption, CreateInteractionResponse,
    CreateInteractionResponseMessage, EventHandler, GatewayIntents, GuildId, Http, HttpBuilder,
    InstallationContext, Interaction, InteractionContext, InteractionId, Permissions, Ready,
};
use serenity::builder::Builder as _;

use crate::app::App;
use crate::commands::{COMMANDS, Given, OptionKind, OptionSpec};
use crate::interaction::{self, Deferral, Request, RequestKind, Responded, Response};

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
    /// A named pipe or a device is refused, and at most 4 KiB of a file is read.
    pub fn load(file: Option<&Path>) -> Result<Token, DiscordError> {
        let token = match file {
            Some(path) => crate::limits::read_file(path, 4096)
                .map_err(std::io::Error::other)
                .and_then(|b| String::from_utf8(b).map_err(std::io::Error::other))
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
        token.check_shape()?;
        Ok(token)
    }

    /// A bot token is three dot-separated parts of base64url (the bot's id, a time, a
    /// signature), about 70 characters; anything else is a paste gone wrong.
    fn check_shape(&self) -> Result<(), DiscordError> {
        let t = &self.0;
        if t.len() > 4 && t[..4].eq_ignore_ascii_case("bot ") {
            return Err(DiscordError::MalformedToken(
                "it starts with \"Bot \"; give the token alone, without the prefix",
            ));
        }
        let parts: Vec<&str> = t.split('.').collect();
        let base64url = |p: &&str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if parts.len() != 3 || !parts.iter().all(base64url) || !(50..=200).contains(&t.len()) {
            return Err(DiscordError::MalformedToken(
                "a bot token is three parts joined by dots, about 70 letters, digits, '-' and '_'",
            ));
        }
        Ok(())
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
    /// The token does not have a bot token's shape.
    #[error(
        "the Discord token is malformed: {0}; copy it again from the Bot page of the developer portal"
    )]
    MalformedToken(&'static str),
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
    /// Run only these gateway shards (another process runs the rest); `None`: one shard.
    pub shards: Option<Shards>,
}

/// The gateway shards one process runs: `first..=last` of `total`. Discord sends a guild's
/// events to shard `(guild_id >> 22) % total`, and direct messages to shard 0, so several
/// processes with disjoint ranges split the guilds between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shards {
    /// The first shard run here.
    pub first: u32,
    /// The last shard run here (inclusive).
    pub last: u32,
    /// How many shards the bot has in all.
    pub total: u32,
}

impl Shards {
    /// Reads `--shards RANGE` (`0-3`, or one shard `5`) with `--total-shards N`; the error
    /// says what to write instead.
    pub fn parse(range: &str, total: u32) -> Result<Shards, String> {
        let bad = || {
            format!(
                "--shards {range:?} is not a shard range: write FIRST-LAST (e.g. 0-3) or one shard number, each below --total-shards {total}"
            )
        };
        let (first, last) = match range.trim().split_once('-') {
            Some((a, b)) => (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            ),
            None => {
                let one = range.trim().parse().map_err(|_| bad())?;
                (one, one)
            }
        };
        if total == 0 || first > last || last >= total {
            return Err(bad());
        }
        Ok(Shards { first, last, total })
    }

    /// The shard that gets a guild's events (shard 0 for direct messages).
    pub fn of(guild: Option<u64>, total: u32) -> u32 {
        guild.map_or(0, |g| ((g >> 22) % u64::from(total.max(1))) as u32)
    }

    /// Whether this process gets the events of `guild` (a stored id; `None`: a DM).
    pub fn owns(&self, guild: Option<&str>) -> bool {
        let shard = Shards::of(guild.and_then(|g| g.parse().ok()), self.total);
        (self.first..=self.last).contains(&shard)
    }
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
        OptionKind::Channel => CommandOptionType::Channel,
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
        OptionKind::Channel => {
            // Text channels only: the question is posted there as an ordinary message.
            opt = opt.channel_types(vec![ChannelType::Text]);
        }
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
            let c = CreateCommand::new(spec.name)
                .description(spec.description)
                .description_localized("ru", spec.description_ru)
                .description_localized("zh-CN", spec.description_zh);
            let mut c = if spec.manage_server {
                // For those who run the bot: in servers that installed it, shown only to
                // members with Manage Server (the handler checks the member's permissions too).
                c.integration_types(vec![InstallationContext::Guild])
                    .contexts(vec![InteractionContext::Guild])
                    .default_member_permissions(Permissions::MANAGE_GUILD)
            } else {
                // Installable to a server and to a user's own account; usable in servers, in
                // the bot's DM, and in group DMs and other users' DMs (a user install).
                c.integration_types(vec![InstallationContext::Guild, InstallationContext::User])
                    .contexts(vec![
                        InteractionContext::Guild,
                        InteractionContext::BotDm,
                        InteractionContext::PrivateChannel,
                    ])
            };
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

/// The given values of Discord's options, for the core's binder.
fn given(options: &[CommandDataOption]) -> Vec<(String, Given)> {
    options
        .iter()
        .map(|o| {
            let value = match &o.value {
                CommandDataOptionValue::String(s) => Given::Text(s.clone()),
                CommandDataOptionValue::Integer(i) => Given::Integer(*i),
                CommandDataOptionValue::User(id) => Given::User(id.to_string()),
                CommandDataOptionValue::Channel(id) => Given::Channel(id.to_string()),
                _ => Given::Other,
            };
            (o.name.clone(), value)
        })
        .collect()
}

/// The subcommand (if any) and options of a slash command.
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

/// How long the bot works on an answer before it defers (Discord allows 3 seconds for the
/// initial response).
pub const DEFER_AFTER: Duration = Duration::from_millis(2500);

/// Translates a serenity interaction into a core request, with its locale; `None` for kinds
/// the bot does not handle.
pub fn request(interaction: &Interaction) -> Option<Request> {
    let (user, guild, channel, locale, can_manage, kind) = match interaction {
        Interaction::Command(cmd) => {
            let (subcommand, options) = given_options(&cmd.data.options);
            (
                &cmd.user,
                cmd.guild_id,
                cmd.channel_id,
                &cmd.locale,
                cmd.member.as_ref().and_then(|m| m.permissions),
                RequestKind::Command {
                    name: cmd.data.name.clone(),
                    subcommand,
                    options,
                },
            )
        }
        Interaction::Autocomplete(ac) => {
            let focused = ac.data.autocomplete();
            let (option, partial) = focused.map_or(("", ""), |f| (f.name, f.value));
            (
                &ac.user,
                ac.guild_id,
                ac.channel_id,
                &ac.locale,
                None,
                RequestKind::Autocomplete {
                    command: ac.data.name.clone(),
                    option: option.to_string(),
                    partial: partial.to_string(),
                },
            )
        }
        Interaction::Component(c) => (
            &c.user,
            c.guild_id,
            c.channel_id,
            &c.locale,
            c.member.as_ref().and_then(|m| m.permissions),
            RequestKind::Click {
                id: c.data.custom_id.clone(),
            },
        ),
        Interaction::Modal(m) => {
            let inputs = || {
                m.data
                    .components
                    .iter()
                    .flat_map(|row| row.components.iter())
                    .filter_map(|c| match c {
                        ActionRowComponent::InputText(t) => Some(t),
                        _ => None,
                    })
            };
            // The answer box is the one named "answer" (or the first); a report's second box
            // is "second".
            let text = inputs()
                .find(|t| t.custom_id == "answer")
                .or_else(|| inputs().next())
                .and_then(|t| t.value.clone())
                .unwrap_or_default();
            let second = inputs()
                .find(|t| t.custom_id == "second")
                .and_then(|t| t.value.clone());
            (
                &m.user,
                m.guild_id,
                m.channel_id,
                &m.locale,
                m.member.as_ref().and_then(|m| m.permissions),
                RequestKind::Submit {
                    id: m.data.custom_id.clone(),
                    text,
                    second,
                },
            )
        }
        _ => return None,
    };
    Some(Request {
        user: user.id.to_string(),
        guild: guild.map(|g| g.to_string()),
        channel: channel.to_string(),
        locale: locale.clone(),
        can_manage: can_manage.is_some_and(|p| p.manage_messages()),
        can_manage_server: can_manage.is_some_and(|p| p.manage_guild()),
        placement: Some(if can_post(interaction) {
            crate::quiz::Placement::Channel
        } else {
            crate::quiz::Placement::Followups
        }),
        kind,
    })
}

/// The acknowledgement that defers a response: "thinking…" for a new message, or a silent
/// acknowledgement of a click.
pub fn deferral_response(kind: Deferral) -> CreateInteractionResponse {
    match kind {
        Deferral::Message { ephemeral } => CreateInteractionResponse::Defer(
            CreateInteractionResponseMessage::new().ephemeral(ephemeral),
        ),
        Deferral::Update => CreateInteractionResponse::Acknowledge,
    }
}

/// Completes a deferred response through the interaction's webhook: a message after a deferred
/// click is a follow-up; anything else replaces the deferred "thinking…" message. Retried after
/// a 429 or a 5xx ([`retry`]); a follow-up, which could show twice, only after a 429.
pub async fn complete_late(
    http: &Http,
    token: &str,
    response: &Response,
    kind: Deferral,
    locale: &str,
) -> serenity::Result<()> {
    let deadline = tokio::time::Instant::now() + retry::POST_WITHIN;
    match (response, kind) {
        (Response::Message(reply), Deferral::Update) => {
            let followup = render::followup(reply, locale);
            retry::send("a follow-up", deadline, retry::Repeat::Doubles, || {
                followup.clone().execute(http, (None, token))
            })
            .await
            .map(|_| ())
        }
        (Response::Message(reply) | Response::Update(reply), _) => {
            let edit = render::edit_original(reply, locale);
            retry::send(
                "a deferred answer",
                deadline,
                retry::Repeat::Harmless,
                || edit.clone().execute(http, token),
            )
            .await
            .map(|_| ())
        }
        // Forms and choices never wait on the store, so they are never late.
        (Response::Form(_) | Response::Choices(_), _) => Ok(()),
    }
}

/// Sends an interaction's one callback, retried after a 429 or a 5xx while it can still land
/// in time (`received` + [`retry::CALLBACK_WITHIN`]). A retry Discord refuses as already
/// acknowledged (40060) means an earlier attempt landed: that is success, not a second answer.
pub async fn send_callback(
    http: &Http,
    id: InteractionId,
    token: &str,
    callback: CreateInteractionResponse,
    received: Instant,
) -> serenity::Result<()> {
    let deadline = tokio::time::Instant::from_std(received) + retry::CALLBACK_WITHIN;
    let attempts = std::sync::atomic::AtomicUsize::new(0);
    retry::send(
        "an interaction callback",
        deadline,
        retry::Repeat::Harmless,
        || {
            let first = attempts.fetch_add(1, Ordering::SeqCst) == 0;
            let callback = callback.clone();
            async move {
                match callback.execute(http, (id, token)).await {
                    Err(e) if !first && retry::already_acknowledged(&e) => Ok(()),
                    sent => sent,
                }
            }
        },
    )
    .await
}

/// Whether the bot itself may post in the interaction's channel (where quiz rounds are played):
/// in its own DM, or in a server channel of a server that installed it, with permission to see
/// the channel and send messages there. Not in a group DM, nor in a server that only a user's
/// own install of the app reaches.
pub fn can_post(interaction: &Interaction) -> bool {
    use serenity::all::AuthorizingIntegrationOwner as Owner;
    use serenity::all::AuthorizingIntegrationOwners as Owners;
    // Whether the server the interaction came from installed the app.
    let server_install = |owners: &Owners, guild: Option<GuildId>| {
        owners
            .0
            .iter()
            .any(|o| matches!(o, Owner::GuildInstall(Some(g)) if Some(*g) == guild))
    };
    // (context, server installed, the app's permissions, server)
    let (context, installed, permissions, guild) = match interaction {
        Interaction::Command(c) => (
            c.context,
            server_install(&c.authorizing_integration_owners, c.guild_id),
            c.app_permissions,
            c.guild_id,
        ),
        Interaction::Component(c) => (
            c.context,
            server_install(&c.authorizing_integration_owners, c.guild_id),
            c.app_permissions,
            c.guild_id,
        ),
        // serenity 0.12.5 does not read a modal submission's context; its permissions tell.
        Interaction::Modal(m) => (None, true, m.app_permissions, m.guild_id),
        _ => return false,
    };
    match (context, guild) {
        (Some(InteractionContext::BotDm), _) => true,
        // Payloads without a context (older ones, modal submissions) count as server installs.
        (Some(InteractionContext::Guild) | None, Some(_)) => {
            let needed = Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES;
            (installed || context.is_none()) && permissions.is_none_or(|p| p.contains(needed))
        }
        _ => false,
    }
}

/// The event handler: registers commands when ready, translates interactions, runs quiz rounds.
struct Handler {
    app: App,
    guild: Option<GuildId>,
    /// Sessions left active by a previous run are resumed once, at the first READY.
    resumed: AtomicBool,
    /// Interactions being answered, which a shutdown lets finish.
    in_flight: InFlight,
    /// Quizzes played through interaction follow-ups, where the bot cannot post.
    relays: Arc<quiz::Relays>,
    /// The client of those follow-ups.
    hooks: Arc<webhook::Webhooks>,
    /// The shards this process runs, if not all.
    shards: Option<Shards>,
    /// Whether the question-of-the-day task was started (at the first READY).
    daily_started: AtomicBool,
    /// That task, stopped at shutdown.
    daily: Arc<std::sync::Mutex<Option<tokio::task::AbortHandle>>>,
}

impl Handler {
    /// Where a session left running by a previous run resumes: in its channel, or, for one
    /// played through follow-ups, nowhere until a click brings a fresh interaction.
    fn table(
        &self,
        http: &Arc<Http>,
        session: &crate::store::SessionRow,
    ) -> Option<quiz::AnyTable> {
        // Another process's shards get that guild's clicks: its quizzes are its own.
        if self
            .shards
            .is_some_and(|s| !s.owns(session.guild.as_deref()))
        {
            return None;
        }
        let facts = &self.app.services.facts;
        Some(match session.placement {
            crate::quiz::Placement::Channel => quiz::AnyTable::Channel(quiz::ChannelTable {
                http: Arc::clone(http),
                channel: ChannelId::new(session.channel.parse().ok()?),
                facts: Arc::clone(facts),
            }),
            crate::quiz::Placement::Followups => {
                quiz::AnyTable::Webhook(quiz::resumed(&self.hooks, facts, &self.relays, session.id))
            }
        })
    }
}

/// An interaction's id and token.
fn id_and_token(interaction: &Interaction) -> Option<(InteractionId, &str)> {
    match interaction {
        Interaction::Command(c) => Some((c.id, &c.token)),
        Interaction::Autocomplete(a) => Some((a.id, &a.token)),
        Interaction::Component(c) => Some((c.id, &c.token)),
        Interaction::Modal(m) => Some((m.id, &m.token)),
        _ => None,
    }
}

impl Handler {
    /// Runs `f` on the store, off the async workers, if there is a store.
    fn on_store(&self, f: impl FnOnce(&dyn crate::store::Store) + Send + 'static) {
        if let Some(engine) = self.app.engine() {
            let store = Arc::clone(engine.shared_store());
            // Counted, so a shutdown lets the write finish.
            let working = self.in_flight.enter();
            tokio::task::spawn_blocking(move || {
                f(&*store);
                drop(working);
            });
        }
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        // Sessions a previous run left active resume first (a quiz started meanwhile has its
        // own driver anyway: the runner keeps one per session).
        if let Some(runner) = &self.app.runner
            && !self.resumed.swap(true, Ordering::SeqCst)
        {
            let http = Arc::clone(&ctx.http);
            if let Err(e) = runner.resume(|s| self.table(&http, s)).await {
                tracing::error!("cannot read active quizzes: {e}");
            }
        }
        // The question of the day: a post missed while the bot was down goes out now, once.
        if !self.daily_started.swap(true, Ordering::SeqCst) {
            let poster = daily::ChannelPoster {
                http: Arc::clone(&ctx.http),
            };
            let task = self.app.start_daily(poster).await;
            *self
                .daily
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                task.map(|t| t.abort_handle());
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

    /// Sent for every server the bot is in when it connects (with the GUILDS intent) and when
    /// it is added to one: a pending deletion of that server's data is cancelled.
    async fn guild_create(&self, _ctx: Context, guild: serenity::all::Guild, _new: Option<bool>) {
        self.on_store(move |store| crate::retention::present(store, &guild.id.to_string()));
    }

    /// `unavailable` absent or false means the bot was removed from the server (an outage
    /// sets it): its data is deleted after the grace period.
    async fn guild_delete(
        &self,
        _ctx: Context,
        gone: serenity::all::UnavailableGuild,
        _full: Option<serenity::all::Guild>,
    ) {
        if gone.unavailable {
            return;
        }
        let now = crate::retention::now_ms();
        self.on_store(move |store| crate::retention::removed(store, &gone.id.to_string(), now));
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let _working = self.in_flight.enter();
        let started = Instant::now();
        let (Some(req), Some((id, token))) = (request(&interaction), id_and_token(&interaction))
        else {
            return;
        };
        let locale = req.locale.clone();
        let http = &ctx.http;
        let responded = interaction::respond(
            Arc::clone(&self.app.services),
            req,
            DEFER_AFTER,
            |kind| async move {
                if let Err(e) =
                    send_callback(http, id, token, deferral_response(kind), started).await
                {
                    tracing::error!(interaction = %id, "could not defer: {e}");
                }
            },
        )
        .await;
        let (outcome, sent) = match responded {
            Responded::OnTime(outcome) => {
                let callback = render::response(&outcome.response, &locale);
                let sent = send_callback(http, id, token, callback, started).await;
                (outcome, sent)
            }
            Responded::Late(outcome, kind) => {
                let sent = complete_late(http, token, &outcome.response, kind, &locale).await;
                (outcome, sent)
            }
        };
        match sent {
            Ok(()) => tracing::debug!(
                interaction = %id,
                micros = started.elapsed().as_micros() as u64,
                "answered"
            ),
            Err(e) => tracing::error!(interaction = %id, "could not answer: {e}"),
        }
        let Some(effect) = outcome.effect else {
            return;
        };
        let facts = &self.app.services.facts;
        let placed = quiz::place(
            Some(http),
            &self.hooks,
            facts,
            &self.relays,
            &interaction,
            effect,
            &locale,
        );
        match placed {
            Some(quiz::Place::Channel(table)) => self.app.apply(effect, || table),
            Some(quiz::Place::Webhook(table)) => self.app.apply(effect, || table),
            Some(quiz::Place::Wake(session)) => {
                if let Some(runner) = &self.app.runner {
                    runner.wake(session);
                }
            }
            None => {}
        }
    }
}

/// Connects to Discord and answers until `shutdown` completes. Without a store, the quiz
/// commands say they need one.
pub async fn run(
    config: Config,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), DiscordError> {
    let http = http_client(&config.token, config.api_base.as_deref());
    let reloader = app.spawn_reloader();
    let purge = app.spawn_guild_purge(crate::retention::GATEWAY_FIRST_PURGE_AFTER);
    let in_flight = InFlight::default();
    let runner = app.runner.clone();
    let facts = Arc::clone(&app.services.facts);
    let daily = Arc::new(std::sync::Mutex::new(None::<tokio::task::AbortHandle>));
    let handler = Handler {
        daily: Arc::clone(&daily),
        daily_started: AtomicBool::new(false),
        app,
        guild: config.guild.map(GuildId::new),
        resumed: AtomicBool::new(false),
        in_flight: in_flight.clone(),
        relays: Arc::default(),
        hooks: Arc::new(webhook::Webhooks::new(config.api_base.as_deref())),
        shards: config.shards,
    };
    tokio::pin!(shutdown);
    // Building the client asks Discord for the gateway's address, which may hang offline.
    let built = tokio::select! {
        built = serenity::all::ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
            .event_handler(handler) => built,
        () = &mut shutdown => {
            tracing::info!("shutting down before connecting");
            return Ok(());
        }
    };
    let mut client = built.map_err(|e| DiscordError::Client(e.to_string()))?;
    let shards = client.shard_manager.clone();
    // Channel quizzes whose process is gone (another gateway process, or a `serve` replica on
    // the same database) are closed and played on here.
    let sweeper = runner.map(|runner| {
        let http = Arc::clone(&client.http);
        let shards = config.shards;
        crate::quiz::sweeper::spawn(runner, move |s| {
            if shards.is_some_and(|sh| !sh.owns(s.guild.as_deref())) {
                return None;
            }
            quiz::channel_table(&http, &facts, s)
        })
    });
    // serenity's `start` keeps retrying an unreachable gateway every few seconds and does not
    // return after `shutdown_all` while it does; so the shutdown future wins the race, and the
    // shards get a bounded time to close their connections.
    let result = tokio::select! {
        started = async {
            match config.shards {
                // serenity's range end is the last shard, inclusive.
                Some(s) => client.start_shard_range(s.first..s.last, s.total).await,
                None => client.start().await,
            }
        } => started.map_err(|e| DiscordError::Client(e.to_string())),
        () = &mut shutdown => {
            tracing::info!("shutting down");
            if tokio::time::timeout(SHARDS_CLOSE_WITHIN, shards.shutdown_all()).await.is_err() {
                tracing::warn!("the gateway connection did not close in time; leaving anyway");
            }
            in_flight.finish(IN_FLIGHT_FINISH_WITHIN).await;
            Ok(())
        }
    };
    for task in [reloader, purge].into_iter().flatten() {
        task.abort();
    }
    if let Some(s) = sweeper {
        s.abort();
    }
    if let Some(task) = daily
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        task.abort();
    }
    result
}

/// How long the shards get to close their gateway connections at shutdown.
pub const SHARDS_CLOSE_WITHIN: Duration = Duration::from_secs(3);

/// How long interactions being answered get to finish at shutdown (a deferred answer waits on
/// the store, then on Discord).
pub const IN_FLIGHT_FINISH_WITHIN: Duration = Duration::from_secs(5);

/// Counts work in flight (interactions being answered, open connections), so a shutdown can
/// wait for it to finish.
#[derive(Clone, Debug, Default)]
pub struct InFlight(Arc<(std::sync::atomic::AtomicUsize, tokio::sync::Notify)>);

/// One piece of work in flight; dropping it says it is done.
#[derive(Debug)]
pub struct Working(InFlight);

impl InFlight {
    /// Marks the start of a piece of work.
    pub fn enter(&self) -> Working {
        self.0.0.fetch_add(1, Ordering::SeqCst);
        Working(self.clone())
    }

    /// How many pieces of work are in flight.
    pub fn count(&self) -> usize {
        self.0.0.load(Ordering::SeqCst)
    }

    /// Waits until nothing is in flight, or `within` has passed; says which in the log.
    pub async fn finish(&self, within: Duration) {
        let idle = async {
            loop {
                let notified = self.0.1.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if self.count() == 0 {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(within, idle).await.is_err() {
            tracing::warn!(
                left = self.count(),
                "work still in flight at shutdown was abandoned"
            );
        }
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        if self.0.0.0.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.0.1.notify_waiters();
        }
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed at once, when this is
/// called (within a tokio runtime), so a signal that comes before the future is first polled
/// still counts instead of killing the process.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("cannot listen for {name}: {e}");
                None
            }
        };
        let mut int = listen(SignalKind::interrupt(), "Ctrl-C");
        let mut term = listen(SignalKind::terminate(), "SIGTERM");
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(int.take()) => {}
                () = wait(term.take()) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    }
}

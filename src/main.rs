//! The `sco-bot` binary: parses arguments and calls into the library.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sco_bot::app::{App, AppError};
use sco_bot::{Knowledge, cli};

/// A fact-and-quiz bot about the Shanghai Cooperation Organisation. Runs offline with no token.
#[derive(Parser)]
#[command(name = "sco-bot", version, about, long_about = None)]
struct Args {
    /// The fact base to use [default: ./facts.toml if present, else the built-in copy]
    #[arg(long, global = true, value_name = "PATH")]
    facts: Option<PathBuf>,
    /// The database of quiz sessions, scores and study history [default for `discord` and
    /// `quiz`: ./sco-bot.db; `ask` and `repl` use one only when given]
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<String>,
    /// How the bot's logs are written on standard error: text, or one JSON object per line
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// How logs are written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Answer command lines such as "/member kazakstan" (arguments, or one per line on stdin)
    Ask {
        /// Print one JSON object per line instead of text
        #[arg(long)]
        json: bool,
        /// Write the answer's picture (/map, /timeline chart, /member) to this file: .png or .svg
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// Show every answer's sources in full (title, publisher, URL), not the short list
        #[arg(long)]
        sources: bool,
        /// Command lines; a word starting with / starts a new one
        #[arg(value_name = "COMMAND")]
        lines: Vec<String>,
    },
    /// An interactive prompt with line editing, history and Tab completion
    Repl {
        /// Show every answer's sources in full (title, publisher, URL), not the short list
        #[arg(long)]
        sources: bool,
    },
    /// Validate a facts file and print counts, or every problem as FILE:LINE:COL: message
    Check {
        /// The file to check [default: --facts, ./facts.toml, or the built-in copy]
        path: Option<PathBuf>,
    },
    /// Run the Discord bot (token from DISCORD_TOKEN or --token-file)
    Discord {
        /// Register the commands in this guild only (instant; for testing) instead of globally
        #[arg(long, value_name = "ID")]
        guild: Option<u64>,
        /// Read the token from this file instead of DISCORD_TOKEN
        #[arg(long, value_name = "PATH")]
        token_file: Option<PathBuf>,
        /// Change rate limits: CLASS=USER/CHANNEL/SECONDS or CLASS=off, several separated by
        /// commas (classes: lookup, ask, quiz-start, report, study), or `off` [default:
        /// SCO_RATE_LIMITS, else the defaults in README]
        #[arg(long, value_name = "SPEC")]
        rate_limits: Option<String>,
        /// Run only these gateway shards, FIRST-LAST (e.g. 0-3), so several processes on one
        /// PostgreSQL database split the servers between them [needs --total-shards]
        #[arg(long, value_name = "RANGE", requires = "total_shards")]
        shards: Option<String>,
        /// How many shards the bot has in all, over every process [needs --shards]
        #[arg(long, value_name = "N", requires = "shards")]
        total_shards: Option<u32>,
        /// Send Discord API requests to this base URL (tests use a fake Discord)
        #[arg(long, value_name = "URL", hide = true)]
        api_base: Option<String>,
    },
    /// Serve Discord's interactions endpoint over HTTP (public key from DISCORD_PUBLIC_KEY or
    /// --public-key; the bot token, optional, from DISCORD_TOKEN or --token-file)
    Serve {
        /// The address to listen on; put a TLS-terminating proxy (deploy/nginx.conf) in front
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// The application's public key, 64 hex digits [default: DISCORD_PUBLIC_KEY]
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
        /// Read the bot token from this file instead of DISCORD_TOKEN
        #[arg(long, value_name = "PATH")]
        token_file: Option<PathBuf>,
        /// Send Discord API requests to this base URL (tests use a fake Discord)
        #[arg(long, value_name = "URL", hide = true)]
        api_base: Option<String>,
    },
    /// Play a quiz in the terminal (saved to --db), or list every question
    Quiz {
        /// Only this topic (members, partners, summits, shanghai-five, bodies, documents,
        /// principles, terms, people, claims)
        #[arg(long)]
        topic: Option<String>,
        /// How many questions (1–50)
        #[arg(long, default_value_t = 10)]
        questions: u32,
        /// Picks and orders the questions [default: the clock]
        #[arg(long)]
        seed: Option<u64>,
        /// Type the answers instead of picking A–D
        #[arg(long)]
        typed: bool,
        /// List every question instead of playing
        #[arg(long)]
        list: bool,
        /// With --list: one JSON object per line
        #[arg(long, requires = "list")]
        json: bool,
        /// Write every question (or --topic's) as a deck instead of playing: FORMAT is anki
        /// (tab-separated, for Anki's File › Import) or csv
        #[arg(long, num_args = 2, value_names = ["FORMAT", "PATH"], conflicts_with = "list")]
        export: Option<Vec<String>>,
        /// With --export: overwrite PATH if it exists
        #[arg(long, requires = "export")]
        force: bool,
    },
    /// Write a consistent copy of the --db database to a new file, while the bot runs
    /// (PostgreSQL: use pg_dump)
    Backup {
        /// The new file
        path: PathBuf,
    },
    /// Delete everything the --db database keeps about a server now (its quizzes, answers and
    /// scores), as happens 30 days after the bot is removed from it (SCO_GUILD_GRACE_DAYS)
    PurgeGuild {
        /// The server's id
        guild: u64,
    },
    /// Replace the --db database with a backup (stop every sco-bot using it first)
    Restore {
        /// The backup file
        path: PathBuf,
    },
    /// Show the slash-command registration Discord receives
    Register {
        /// Print the registration JSON without connecting
        #[arg(long)]
        print: bool,
    },
    /// List the reports players made about questions, for curators, with whether each
    /// question changed since in the fact base (or resolve one)
    Reports {
        /// Only the reports not resolved yet
        #[arg(long)]
        open: bool,
        /// One JSON object per line
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<ReportsAction>,
    },
}

/// What `sco-bot reports` does besides listing.
#[derive(Subcommand)]
enum ReportsAction {
    /// Close a report, with a note saying what was done
    Resolve {
        /// The report's number (#ID in the listing)
        id: i64,
        /// What was done about it
        #[arg(long)]
        note: String,
    },
}

/// The bot logs what it does; the offline commands only warnings.
fn default_log_level(args: &Args) -> &'static str {
    match args.command {
        Command::Discord { .. } | Command::Serve { .. } => "info,serenity=warn",
        _ => "warn",
    }
}

fn facts_failed(e: &sco_bot::facts::FactsError) -> ExitCode {
    eprintln!("error: cannot load the fact base:\n{e}");
    eprintln!("Run `sco-bot check` on the file to see every problem.");
    ExitCode::from(2)
}

/// Builds the app: the facts, and the store if `db` names one.
/// The grace period before a removed server's data is deleted: `SCO_GUILD_GRACE_DAYS`, else
/// 30 days.
fn guild_grace() -> Result<std::time::Duration, ExitCode> {
    match std::env::var(sco_bot::retention::GRACE_VAR) {
        Ok(days) => sco_bot::retention::parse_days(&days).map_err(|e| {
            eprintln!("error: {e} ({})", sco_bot::retention::GRACE_VAR);
            ExitCode::from(2)
        }),
        Err(_) => Ok(sco_bot::retention::DEFAULT_GRACE),
    }
}

fn build(facts: Option<&std::path::Path>, db: Option<String>) -> Result<App, ExitCode> {
    App::build(facts, db.as_deref()).map_err(|e| match e {
        AppError::Facts(e) => facts_failed(&e),
        AppError::Store(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    })
}

/// Prints a failure's sentence; `Ok(false)` makes the exit code 1.
fn failure(result: Result<(), String>) -> io::Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(false)
        }
    }
}

/// Caps glibc's malloc at two arenas (unless the operator set `MALLOC_ARENA_MAX` already).
///
/// glibc gives threads that allocate at once arenas of their own, up to 8 per core, and memory
/// freed in one arena is not reused by another: under steady load, with tokio's blocking
/// threads coming and going, the bot's resident size crept up by a quarter over a 10-minute
/// soak (36.8 → 45.7 MiB); with two arenas it stayed within 4 % (33.0 → 34.3 MiB), at the same
/// latency (`benches/load.rs`, README "Load and soak"). mimalloc was tried and held 125 MiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets one of the allocator's tunables; it is called first thing
        // in main, before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log_level(&args)));
    let logs = tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_env_filter(filter);
    match args.log_format {
        LogFormat::Text => logs.with_ansi(io::stderr().is_terminal()).init(),
        LogFormat::Json => logs.json().with_ansi(false).init(),
    }
    let db_or_default = || {
        Some(
            args.db
                .clone()
                .unwrap_or_else(|| sco_bot::store::DEFAULT_DB.to_string()),
        )
    };
    let result = match args.command {
        Command::Backup { path } => {
            let db = db_or_default().unwrap_or_default();
            let done = sco_bot::store::open(&db).and_then(|store| store.backup(&path));
            failure(
                done.map(|()| println!("Backed up {db} to {}.", path.display()))
                    .map_err(|e| e.to_string()),
            )
        }
        Command::PurgeGuild { guild } => {
            let db = db_or_default().unwrap_or_default();
            let done =
                sco_bot::store::open(&db).and_then(|store| store.purge_guild(&guild.to_string()));
            failure(
                done.map(|p| {
                    println!(
                        "Deleted server {guild}'s data from {db}: quiz sessions {}, questions {}, answers {}, scores {}, question-of-the-day rows {}.",
                        p.sessions, p.rounds, p.answers, p.scores, p.daily
                    )
                })
                .map_err(|e| e.to_string()),
            )
        }
        Command::Restore { path } => {
            let db = db_or_default().unwrap_or_default();
            let done = if db.starts_with("postgres://") || db.starts_with("postgresql://") {
                Err("restore a PostgreSQL database with pg_restore".to_string())
            } else {
                sco_bot::store::sqlite::restore(&path, std::path::Path::new(&db))
                    .map_err(|e| e.to_string())
            };
            failure(done.map(|()| println!("Restored {db} from {}.", path.display())))
        }
        Command::Register { print } => {
            if !print {
                eprintln!(
                    "sco-bot registers its commands itself when `sco-bot discord` connects; use `register --print` to see them."
                );
                return ExitCode::from(2);
            }
            let json = sco_bot::discord::registration_json();
            match serde_json::to_string_pretty(&json) {
                Ok(text) => {
                    println!("{text}");
                    Ok(true)
                }
                Err(e) => Err(io::Error::other(e)),
            }
        }
        Command::Discord {
            guild,
            token_file,
            api_base,
            rate_limits,
            shards,
            total_shards,
        } => {
            let shards = match shards.zip(total_shards) {
                Some((range, total)) => match sco_bot::discord::Shards::parse(&range, total) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
                None => None,
            };
            let spec = rate_limits
                .or_else(|| std::env::var("SCO_RATE_LIMITS").ok())
                .unwrap_or_default();
            let limits = match sco_bot::ratelimit::RateLimits::parse(&spec) {
                Ok(limits) => limits,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let grace = match guild_grace() {
                Ok(grace) => grace,
                Err(code) => return code,
            };
            let app = match build(args.facts.as_deref(), db_or_default()) {
                Ok(app) => app.with_rate_limits(Some(limits)).with_guild_grace(grace),
                Err(code) => return code,
            };
            failure(cli::discord(
                app,
                guild,
                token_file.as_deref(),
                api_base,
                shards,
            ))
        }
        Command::Serve {
            listen,
            public_key,
            token_file,
            api_base,
        } => {
            let spec = std::env::var("SCO_RATE_LIMITS").unwrap_or_default();
            let limits = match sco_bot::ratelimit::RateLimits::parse(&spec) {
                Ok(limits) => limits,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let grace = match guild_grace() {
                Ok(grace) => grace,
                Err(code) => return code,
            };
            let app = match build(args.facts.as_deref(), db_or_default()) {
                Ok(app) => app.with_rate_limits(Some(limits)).with_guild_grace(grace),
                Err(code) => return code,
            };
            failure(cli::serve(
                app,
                listen,
                public_key.as_deref(),
                token_file.as_deref(),
                api_base,
            ))
        }
        Command::Quiz {
            topic,
            questions,
            seed,
            typed,
            list,
            json,
            export,
            force,
        } => {
            if let Some([format, path]) = export.as_deref() {
                let (k, _) = match Knowledge::load(args.facts.as_deref()) {
                    Ok(k) => k,
                    Err(e) => return facts_failed(&e),
                };
                let path = std::path::Path::new(path);
                failure(
                    cli::quiz_export(&k, format, path, force, topic.as_deref())
                        .map(|done| println!("{done}")),
                )
            } else if list {
                let (k, _) = match Knowledge::load(args.facts.as_deref()) {
                    Ok(k) => k,
                    Err(e) => return facts_failed(&e),
                };
                cli::quiz_list(&k, json, &mut io::stdout()).map(|()| true)
            } else {
                let app = match build(args.facts.as_deref(), db_or_default()) {
                    Ok(app) => app,
                    Err(code) => return code,
                };
                let stdin = io::stdin().lock();
                failure(cli::quiz(
                    app,
                    topic.as_deref(),
                    questions,
                    seed,
                    typed,
                    stdin,
                ))
            }
        }
        Command::Reports { open, json, action } => {
            let db = db_or_default().unwrap_or_default();
            let store = match sco_bot::store::open(&db) {
                Ok(store) => store,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(1);
                }
            };
            match action {
                Some(ReportsAction::Resolve { id, note }) => {
                    failure(cli::resolve_report(&*store, id, &note, &mut io::stdout()))
                }
                None => {
                    let (k, _) = match Knowledge::load(args.facts.as_deref()) {
                        Ok(k) => k,
                        Err(e) => return facts_failed(&e),
                    };
                    failure(cli::reports(&*store, &k, open, json, &mut io::stdout()))
                }
            }
        }
        Command::Check { path } => {
            let path = path.or(args.facts);
            cli::check(path.as_deref(), &mut io::stdout(), &mut io::stderr())
        }
        Command::Ask {
            json,
            out,
            sources,
            lines,
        } => {
            let app = match build(args.facts.as_deref(), args.db.clone()) {
                Ok(app) => app,
                Err(code) => return code,
            };
            let stdin = io::stdin().lock();
            cli::ask_with(app, &lines, json, out.as_deref(), sources, stdin).map(|ok| ok || json)
        }
        Command::Repl { sources } => {
            let app = match build(args.facts.as_deref(), args.db.clone()) {
                Ok(app) => app,
                Err(code) => return code,
            };
            cli::repl_with(app, sources).map(|()| true)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        // A closed pipe (`sco-bot ask ... | head`) is not an error worth a message.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

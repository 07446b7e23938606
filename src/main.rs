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
    #[command(subcommand)]
    command: Command,
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
        /// Command lines; a word starting with / starts a new one
        #[arg(value_name = "COMMAND")]
        lines: Vec<String>,
    },
    /// An interactive prompt with line editing, history and Tab completion
    Repl,
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
        /// List every question instead of playing
        #[arg(long)]
        list: bool,
        /// With --list: one JSON object per line
        #[arg(long, requires = "list")]
        json: bool,
    },
    /// Show the slash-command registration Discord receives
    Register {
        /// Print the registration JSON without connecting
        #[arg(long)]
        print: bool,
    },
}

/// The bot logs what it does; the offline commands only warnings.
fn default_log_level(args: &Args) -> &'static str {
    match args.command {
        Command::Discord { .. } => "info,serenity=warn",
        _ => "warn",
    }
}

fn facts_failed(e: &sco_bot::facts::FactsError) -> ExitCode {
    eprintln!("error: cannot load the fact base:\n{e}");
    eprintln!("Run `sco-bot check` on the file to see every problem.");
    ExitCode::from(2)
}

/// Builds the app: the facts, and the store if `db` names one.
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

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log_level(&args))),
        )
        .init();
    let db_or_default = || {
        Some(
            args.db
                .clone()
                .unwrap_or_else(|| sco_bot::store::DEFAULT_DB.to_string()),
        )
    };
    let result = match args.command {
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
        Command::Discord { guild, token_file } => {
            let app = match build(args.facts.as_deref(), db_or_default()) {
                Ok(app) => app,
                Err(code) => return code,
            };
            failure(cli::discord(app, guild, token_file.as_deref()))
        }
        Command::Quiz {
            topic,
            questions,
            seed,
            list,
            json,
        } => {
            if list {
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
                failure(cli::quiz(app, topic.as_deref(), questions, seed, stdin))
            }
        }
        Command::Check { path } => {
            let path = path.or(args.facts);
            cli::check(path.as_deref(), &mut io::stdout(), &mut io::stderr())
        }
        Command::Ask { json, out, lines } => {
            let app = match build(args.facts.as_deref(), args.db.clone()) {
                Ok(app) => app,
                Err(code) => return code,
            };
            let stdin = io::stdin().lock();
            cli::ask(app, &lines, json, out.as_deref(), stdin).map(|ok| ok || json)
        }
        Command::Repl => {
            let app = match build(args.facts.as_deref(), args.db.clone()) {
                Ok(app) => app,
                Err(code) => return code,
            };
            cli::repl(app).map(|()| true)
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

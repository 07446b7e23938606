//! The `sco-bot` binary: parses arguments and calls into the library.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sco_bot::{Knowledge, cli};

/// A fact-and-quiz bot about the Shanghai Cooperation Organisation. Runs offline with no token.
#[derive(Parser)]
#[command(name = "sco-bot", version, about, long_about = None)]
struct Args {
    /// The fact base to use [default: ./facts.toml if present, else the built-in copy]
    #[arg(long, global = true, value_name = "PATH")]
    facts: Option<PathBuf>,
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
}

fn load(path: Option<&std::path::Path>) -> Result<(Knowledge, sco_bot::Origin), ExitCode> {
    Knowledge::load(path).map_err(|e| {
        eprintln!("error: cannot load the fact base:\n{e}");
        eprintln!("Run `sco-bot check` on the file to see every problem.");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let result = match args.command {
        Command::Check { path } => {
            let path = path.or(args.facts);
            cli::check(path.as_deref(), &mut io::stdout(), &mut io::stderr())
        }
        Command::Ask { json, lines } => {
            let (k, _) = match load(args.facts.as_deref()) {
                Ok(k) => k,
                Err(code) => return code,
            };
            let stdin = io::stdin().lock();
            cli::ask(
                &k,
                &lines,
                json,
                stdin,
                &mut io::stdout(),
                &mut io::stderr(),
            )
            .map(|ok| ok || json)
        }
        Command::Repl => {
            let (k, origin) = match load(args.facts.as_deref()) {
                Ok(k) => k,
                Err(code) => return code,
            };
            cli::repl(&k, &origin)
                .map(|()| true)
                .map_err(|e| io::Error::other(e.to_string()))
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

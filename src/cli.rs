//! The offline front end: `ask`, `repl` and `check`, running the same command table as the bot.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::commands::{self, OptionKind};
use crate::facts::{self, FactsError};
use crate::reply::{EntryRef, Reply};
use crate::{Knowledge, Origin};

/// Groups command-line words into command lines: a word starting with `/` starts a new line,
/// other words continue the current one (so `ask /member kazakh stan` works unquoted).
pub fn group_lines(words: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for w in words {
        match lines.last_mut() {
            Some(last) if !w.trim_start().starts_with('/') => {
                last.push(' ');
                last.push_str(w);
            }
            _ => lines.push(w.clone()),
        }
    }
    lines
}

/// The JSON object `ask --json` prints for one line.
pub fn json_line(k: &Knowledge, line: &str) -> serde_json::Value {
    match commands::parse_line(line) {
        Ok((spec, args)) => {
            let reply = commands::run(k, spec, &args);
            json!({
                "command": spec.name,
                "query": args.query().unwrap_or_default(),
                "match": reply.matched,
                "suggestions": reply.suggestions,
                "text": reply.to_text(),
            })
        }
        Err(e) => json!({
            "command": serde_json::Value::Null,
            "query": line.trim(),
            "match": serde_json::Value::Null,
            "suggestions": Vec::<EntryRef>::new(),
            "error": e.to_string(),
        }),
    }
}

/// Runs one command line to a reply, or a sentence saying what is wrong with it.
pub fn run_line(k: &Knowledge, line: &str) -> Result<Reply, String> {
    let (spec, args) = commands::parse_line(line).map_err(|e| e.to_string())?;
    Ok(commands::run(k, spec, &args))
}

/// `sco-bot ask`: runs command lines given as arguments or, with none, read from `input`.
/// Returns whether every line ran (text mode reports failures on `err`).
pub fn ask(
    k: &Knowledge,
    words: &[String],
    json: bool,
    input: impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<bool> {
    let mut all_ok = true;
    let mut handle = |line: &str, out: &mut dyn Write, err: &mut dyn Write| -> io::Result<()> {
        if json {
            writeln!(out, "{}", json_line(k, line))?;
        } else {
            match run_line(k, line) {
                Ok(reply) => writeln!(out, "{}", reply.to_text())?,
                Err(message) => {
                    all_ok = false;
                    writeln!(err, "error: {message}")?;
                }
            }
        }
        out.flush()
    };
    if words.is_empty() {
        for line in input.lines() {
            let line = match line {
                Ok(l) => l,
                // A line that is not UTF-8 is a bad line, not the end of the run.
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    "\u{FFFD} (this line was not valid UTF-8)".to_string()
                }
                Err(e) => return Err(e),
            };
            if line.trim().is_empty() {
                continue;
            }
            handle(&line, out, err)?;
        }
    } else {
        for line in group_lines(words) {
            handle(&line, out, err)?;
        }
    }
    Ok(all_ok)
}

/// `sco-bot check`: validates a facts file and prints counts, or every problem.
/// Returns whether the file is valid.
pub fn check(path: Option<&Path>, out: &mut impl Write, err: &mut impl Write) -> io::Result<bool> {
    let local = PathBuf::from("facts.toml");
    let (result, shown) = match path {
        Some(p) => (facts::load_path(p), p.display().to_string()),
        None if local.is_file() => (facts::load_path(&local), "facts.toml".to_string()),
        None => (
            facts::FactBase::bundled(),
            "facts.toml (built in)".to_string(),
        ),
    };
    match result {
        Ok(fb) => {
            let counts: Vec<String> = fb
                .counts()
                .iter()
                .map(|(k, n)| format!("{n} {}", k.plural()))
                .collect();
            writeln!(
                out,
                "{shown}: OK, version {} as of {}: {}; {} sources",
                fb.meta.version,
                fb.meta.as_of.iso(),
                counts.join(", "),
                fb.sources.len()
            )?;
            Ok(true)
        }
        Err(FactsError::Invalid { diagnostics, path }) => {
            for d in &diagnostics {
                writeln!(err, "{}", d.render(&path))?;
            }
            let n = diagnostics.len();
            writeln!(
                err,
                "{path}: {n} problem{} found; nothing was changed",
                if n == 1 { "" } else { "s" }
            )?;
            Ok(false)
        }
        Err(other) => {
            writeln!(err, "error: {other}")?;
            Ok(false)
        }
    }
}

/// Where the REPL keeps its history: `$HOME/.sco-bot-history`, if there is a home.
fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".sco-bot-history"))
}

/// Completes command names, and names of entries after a command, from the same table and
/// index the bot uses.
struct ReplHelper<'a> {
    knowledge: &'a Knowledge,
}

impl rustyline::completion::Completer for ReplHelper<'_> {
    type Candidate = rustyline::completion::Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Self::Candidate>)> {
        let before = &line[..pos];
        let Some((head, partial)) = before.split_once(' ') else {
            let typed = before.trim_start_matches('/');
            let pairs = commands::COMMANDS
                .iter()
                .filter(|c| c.name.starts_with(typed))
                .map(|c| rustyline::completion::Pair {
                    display: format!("/{}", c.name),
                    replacement: format!("/{} ", c.name),
                })
                .collect();
            return Ok((0, pairs));
        };
        let Some(spec) = commands::find(head) else {
            return Ok((pos, Vec::new()));
        };
        let scope = spec.options.iter().find_map(|o| match o.kind {
            OptionKind::Lookup(scope) => Some(scope),
            _ => None,
        });
        let Some(scope) = scope else {
            return Ok((pos, Vec::new()));
        };
        let facts = &self.knowledge.facts;
        let pairs = self
            .knowledge
            .index
            .complete(partial, scope, 25)
            .into_iter()
            .map(|c| {
                let name = facts.entries[c.entry].name.clone();
                rustyline::completion::Pair {
                    display: name.clone(),
                    replacement: name,
                }
            })
            .collect();
        Ok((head.len() + 1, pairs))
    }
}

impl rustyline::hint::Hinter for ReplHelper<'_> {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for ReplHelper<'_> {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}
impl rustyline::validate::Validator for ReplHelper<'_> {}
impl rustyline::Helper for ReplHelper<'_> {}

/// `sco-bot repl`: an interactive prompt with line editing, history and completion.
pub fn repl(k: &Knowledge, origin: &Origin) -> rustyline::Result<()> {
    use rustyline::error::ReadlineError;
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<ReplHelper<'_>, rustyline::history::DefaultHistory> =
        rustyline::Editor::with_config(config)?;
    editor.set_helper(Some(ReplHelper { knowledge: k }));
    let history = history_path();
    if let Some(h) = &history {
        // A missing history file is normal on first use.
        let _ = editor.load_history(h);
    }
    println!(
        "sco-bot {}: SCO facts as of {} from {origin}.\nType /help for commands, Tab to complete, Ctrl-D or /quit to leave.",
        env!("CARGO_PKG_VERSION"),
        k.facts.meta.as_of.iso()
    );
    loop {
        match editor.readline("sco> ") {
            Ok(line) => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                if matches!(line, "/quit" | "/exit" | "quit" | "exit") {
                    break;
                }
                match run_line(k, line) {
                    Ok(reply) => println!("{}", reply.to_text()),
                    Err(message) => println!("{message}"),
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e),
        }
    }
    if let Some(h) = &history {
        if let Err(e) = editor.save_history(h) {
            tracing::warn!("could not save the history to {}: {e}", h.display());
        }
    }
    Ok(())
}

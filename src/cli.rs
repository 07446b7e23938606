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

/// A line as a command: one without a leading `/` is a plain question, `/ask <line>`.
fn as_command(line: &str) -> Cow<'_, str> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('/') {
        Cow::Borrowed(line)
    } else {
        Cow::Owned(format!("/ask {trimmed}"))
    }
}

/// The JSON object `ask --json` prints for one line.
pub fn json_line(k: &Knowledge, line: &str) -> serde_json::Value {
    let line = &*as_command(line);
    match commands::parse_line(line) {
        Ok((spec, args)) => {
            let reply = commands::run(&commands::Ctx::offline(k), spec, &args);
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

/// Runs one command line to a reply, or a sentence saying what is wrong with it. A line
/// without a leading `/` is a plain question.
pub fn run_line(k: &Knowledge, line: &str) -> Result<Reply, String> {
    let (spec, args) = commands::parse_line(&as_command(line)).map_err(|e| e.to_string())?;
    Ok(commands::run(&commands::Ctx::offline(k), spec, &args))
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
                "{shown}: OK, version {} as of {}: {}; {} curated questions; {} sources",
                fb.meta.version,
                fb.meta.as_of.iso(),
                counts.join(", "),
                fb.questions.len(),
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
        "sco-bot {}: SCO facts as of {} from {origin}.\nType a question (when did India join?) or /help for commands; Tab to complete, Ctrl-D or /quit to leave.",
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
    if let Some(h) = &history
        && let Err(e) = editor.save_history(h)
    {
        tracing::warn!("could not save the history to {}: {e}", h.display());
    }
    Ok(())
}

/// `sco-bot quiz --list`: every question the fact base yields, for review; with `json`, one
/// JSON object a line.
pub fn quiz_list(k: &Knowledge, json: bool, out: &mut impl Write) -> io::Result<()> {
    let bank = crate::quiz::generate::generate(&k.facts, 0);
    for q in &bank {
        if json {
            let line = json!({
                "id": q.id,
                "topic": q.topic.key(),
                "prompt": q.prompt,
                "answer": q.answer,
                "accepted": q.accepted,
                "choices": q.choices,
                "explanation": q.explanation,
                "sources": q.sources,
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(out, "[{}] {}", q.topic.key(), q.prompt)?;
            for (i, c) in q.choices.iter().enumerate() {
                let mark = if i == q.correct { "*" } else { " " };
                writeln!(out, "   {mark} {}) {c}", i + 1)?;
            }
            writeln!(out, "     {}\n", q.explanation)?;
        }
    }
    if !json {
        writeln!(out, "{} questions.", bank.len())?;
    }
    Ok(())
}

/// Letters of the choices, as Discord shows them too.
const LETTERS: [&str; 4] = ["A", "B", "C", "D"];

/// `sco-bot quiz`: the channel quiz engine played in the terminal, saved to the same store
/// under the local user. A letter picks a choice; any other text is judged as a typed answer.
pub fn quiz_play(
    engine: &crate::quiz::session::Engine,
    params: &crate::quiz::session::StartParams,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<(), String> {
    use crate::quiz::session::{Answer, Started, wall_clock_ms};
    let store_err = |e: crate::store::StoreError| e.to_string();
    let now = wall_clock_ms;
    let session = match engine.start(params, now()).map_err(store_err)? {
        Started::Started(s) => s,
        Started::AlreadyRunning { .. } => {
            // An earlier terminal quiz was interrupted; this user owns it, so end it.
            engine
                .stop(&params.channel, &params.starter, true, now())
                .map_err(store_err)?;
            match engine.start(params, now()).map_err(store_err)? {
                Started::Started(s) => s,
                _ => return Err("could not start a quiz".into()),
            }
        }
        Started::NoQuestions => return Err("no questions on that topic; try another".into()),
    };
    let io_err = |e: io::Error| e.to_string();
    writeln!(
        out,
        "Quiz: {} questions. Type A–D to pick, or type the answer itself; an empty line or Ctrl-D stops.\n",
        session.questions
    )
    .map_err(io_err)?;
    let mut lines = input.lines();
    while let Some(round) = engine.open_next(&session, now()).map_err(store_err)? {
        let q = &round.question;
        writeln!(
            out,
            "Question {} of {} ({}):\n{}",
            round.index + 1,
            round.total,
            q.topic.label(),
            q.prompt
        )
        .map_err(io_err)?;
        for (i, c) in q.choices.iter().enumerate() {
            writeln!(out, "  {}) {c}", LETTERS.get(i).unwrap_or(&"?")).map_err(io_err)?;
        }
        write!(out, "> ").map_err(io_err)?;
        out.flush().map_err(io_err)?;
        let line = match lines.next() {
            Some(Ok(l)) if !l.trim().is_empty() => l,
            _ => {
                engine
                    .stop(&params.channel, &params.starter, true, now())
                    .map_err(store_err)?;
                writeln!(out, "\nStopped.").map_err(io_err)?;
                break;
            }
        };
        // A letter picks a choice; anything else (a number too: some answers are numbers) is
        // judged as a typed answer.
        let typed = line.trim();
        let letter = typed.trim_end_matches([')', '.']).to_ascii_uppercase();
        let answer = match LETTERS.iter().position(|l| *l == letter) {
            Some(i) if i < q.choices.len() => Answer::Choice(i),
            _ => Answer::Text(typed.to_string()),
        };
        let outcome = engine
            .answer(session.id, round.index, &params.starter, &answer, now())
            .map_err(store_err)?;
        if outcome == crate::store::AnswerOutcome::TooLate {
            writeln!(
                out,
                "Too late: each question closes after {} seconds.",
                session.seconds
            )
            .map_err(io_err)?;
        }
        if let Some(closed) = engine
            .close(session.id, round.index, now())
            .map_err(store_err)?
        {
            let mine = closed
                .result
                .answers
                .iter()
                .find(|a| a.user == params.starter);
            let verdict = match mine {
                Some(a) if a.correct => format!("Right! +{} points.", a.points),
                _ => "Not quite.".to_string(),
            };
            writeln!(
                out,
                "{verdict} Answer: {}\n{}\n",
                closed.reveal, q.explanation
            )
            .map_err(io_err)?;
        }
    }
    if engine
        .store()
        .session(session.id)
        .map_err(store_err)?
        .is_some_and(|s| s.status == crate::store::SessionStatus::Active)
    {
        engine
            .store()
            .finish_session(session.id, crate::store::SessionEnd::Finished, now())
            .map_err(store_err)?;
    }
    let board = engine.store().scoreboard(session.id).map_err(store_err)?;
    if let Some(me) = board.iter().find(|r| r.user == params.starter) {
        writeln!(
            out,
            "Final: {} points, {} of {} right, best streak {}.",
            me.points, me.correct, me.answered, me.best_streak
        )
        .map_err(io_err)?;
    }
    Ok(())
}

/// Opens the database and builds the quiz engine over the facts' questions.
pub fn open_engine(
    k: &Knowledge,
    db: &Path,
) -> Result<std::sync::Arc<crate::quiz::session::Engine>, crate::store::StoreError> {
    let store = crate::store::Store::open(db)?;
    let bank = crate::quiz::generate::generate(&k.facts, 0);
    Ok(std::sync::Arc::new(crate::quiz::session::Engine::new(
        std::sync::Arc::new(store),
        bank,
    )))
}

/// `sco-bot quiz`: checks the topic, opens the database and plays in the terminal.
pub fn quiz(
    k: &Knowledge,
    db: &Path,
    topic: Option<&str>,
    questions: u32,
    seed: Option<u64>,
    input: impl BufRead,
    out: &mut impl Write,
) -> Result<(), String> {
    use crate::quiz::Topic;
    use crate::quiz::session::{Mode, StartParams, wall_clock_ms};
    let topic = match topic {
        None => None,
        Some(t) => Some(Topic::from_key(t).ok_or_else(|| {
            let keys: Vec<&str> = Topic::ALL.iter().map(|t| t.key()).collect();
            format!(
                "there is no topic \"{t}\"; choose one of {}",
                keys.join(", ")
            )
        })?),
    };
    let engine = open_engine(k, db).map_err(|e| e.to_string())?;
    let params = StartParams {
        guild: None,
        channel: "terminal".into(),
        starter: "local".into(),
        topic,
        questions,
        seconds: crate::quiz::session::SECONDS_RANGE.1,
        mode: Mode::Buttons,
        seed: seed.unwrap_or_else(|| wall_clock_ms() as u64),
    };
    quiz_play(&engine, &params, input, out)
}

/// `sco-bot discord`: reads the token, opens the database and runs the bot until Ctrl-C or
/// SIGTERM.
pub fn discord(
    k: Knowledge,
    origin: &Origin,
    db: &Path,
    guild: Option<u64>,
    token_file: Option<&Path>,
) -> Result<(), String> {
    let token = crate::discord::Token::load(token_file).map_err(|e| e.to_string())?;
    let engine = open_engine(&k, db).map_err(|e| e.to_string())?;
    tracing::info!(facts = %origin, as_of = %k.facts.meta.as_of.iso(), "starting the Discord bot");
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let config = crate::discord::Config {
        token,
        guild,
        api_base: None,
    };
    let knowledge = std::sync::Arc::new(k);
    let facts = match origin {
        Origin::File(path) => crate::Reloader::watching(path, knowledge),
        Origin::Bundled => crate::Reloader::fixed(knowledge),
    };
    runtime
        .block_on(crate::discord::run(
            config,
            std::sync::Arc::new(facts),
            Some(engine),
            crate::discord::shutdown_signal(),
        ))
        .map_err(|e| e.to_string())
}

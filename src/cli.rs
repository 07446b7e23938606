//! The terminal front end: `ask`, `repl`, `quiz` and `check`. A translator like the others:
//! a typed line becomes a core request (a command, or an answer to the question on screen),
//! and the core's replies are printed as text or JSON lines. Quiz rounds are played by the
//! core's round driver at a [`TerminalTable`]; every run has a channel of its own, so two
//! terminals on one database never touch each other's quiz.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use serde_json::json;

use crate::app::App;
use crate::commands::ids::Action;
use crate::commands::quiz::{LETTERS, final_reply, reveal_reply, round_reply, stats_reply};
use crate::commands::{self, OptionKind};
use crate::facts::{self, FactsError};
use crate::interaction::{self, Request, RequestKind, Response};
use crate::quiz::session::{Closed, Mode, RoundView, StartParams, Started, Table, wall_clock_ms};
use crate::reply::{EntryRef, Reply};
use crate::store::{ScoreRow, SessionRow};
use crate::{Knowledge, Reloader};

/// The user every terminal run answers as.
pub const LOCAL_USER: &str = "local";

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

/// The JSON object `ask --json` prints for one line, answered without a store.
pub fn json_line(k: &Knowledge, line: &str) -> serde_json::Value {
    let line = &*as_command(line);
    match commands::parse_line(line) {
        Ok((spec, args)) => reply_json(
            spec.name,
            args.query().unwrap_or_default(),
            &commands::run(&commands::Ctx::offline(k), spec, &args),
        ),
        Err(e) => error_json(line, &e.to_string()),
    }
}

fn reply_json(command: &str, query: &str, reply: &Reply) -> serde_json::Value {
    json!({
        "command": command,
        "query": query,
        "match": reply.matched,
        "suggestions": reply.suggestions,
        "text": reply.to_text(),
    })
}

fn error_json(line: &str, error: &str) -> serde_json::Value {
    json!({
        "command": serde_json::Value::Null,
        "query": line.trim(),
        "match": serde_json::Value::Null,
        "suggestions": Vec::<EntryRef>::new(),
        "error": error,
    })
}

/// Where printed text goes: shared by the input loop and the quiz table, which prints from the
/// round driver's task.
type Out = Arc<Mutex<Box<dyn Write + Send>>>;

fn print(out: &Out, text: &str) {
    let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
    // A closed pipe (`| head`) is not worth a panic; the input loop notices and stops.
    let _ = writeln!(w, "{text}");
    let _ = w.flush();
}

/// A question on screen waiting for this terminal's answer.
#[derive(Clone, Debug)]
struct Waiting {
    session: i64,
    index: u32,
    mode: Mode,
    choices: usize,
}

/// What the input loop and the quiz table share.
#[derive(Debug, Default)]
struct State {
    /// The session whose rounds run here.
    running: Option<i64>,
    /// Its question on screen, once posted.
    waiting: Option<Waiting>,
}

/// A terminal where a quiz session is played: prints each question, the verdict and the
/// reveal, and the final scores; the input loop reads the answers.
pub struct TerminalTable {
    out: Out,
    facts: Arc<Reloader>,
    shared: Arc<(Mutex<State>, Condvar)>,
}

impl TerminalTable {
    fn set(&self, f: impl FnOnce(&mut State)) {
        let (state, cv) = &*self.shared;
        f(&mut state.lock().unwrap_or_else(PoisonError::into_inner));
        cv.notify_all();
    }
}

impl Table for TerminalTable {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        let mut text = round_reply(round, false).to_text();
        text.push_str(match round.mode {
            Mode::Buttons => "Type A–D (or the answer itself); an empty line or Ctrl-D stops.",
            Mode::Typed => "Type your answer; an empty line or Ctrl-D stops.",
        });
        print(&self.out, &text);
        self.set(|s| {
            s.waiting = Some(Waiting {
                session: round.session,
                index: round.index,
                mode: round.mode,
                choices: round.question.choices.len(),
            });
        });
        Some(format!("terminal/{}", round.index))
    }

    async fn reveal(&self, closed: &Closed) {
        self.set(|s| s.waiting = None);
        let mine = closed.result.answers.iter().find(|a| a.user == LOCAL_USER);
        let verdict = match mine {
            Some(a) if a.correct => format!("Right! +{} points.", a.points),
            Some(_) => "Not quite.".to_string(),
            None => "Time is up.".to_string(),
        };
        let mut reply = reveal_reply(&self.facts.current(), closed);
        reply.fields.retain(|f| f.name != "This round");
        print(&self.out, &format!("{verdict}\n{}", reply.to_text()));
    }

    async fn notice(&self, text: &str) {
        print(&self.out, text);
    }

    async fn finish(&self, _session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        let mut text = String::new();
        if stopped {
            text.push_str("Stopped.\n");
        }
        text.push_str(&final_reply(scoreboard, stopped).to_text());
        if let Some(me) = scoreboard.iter().find(|r| r.user == LOCAL_USER) {
            text.push_str(&format!(
                "Final: {} points, {} of {} right, best streak {}.",
                me.points, me.correct, me.answered, me.best_streak
            ));
        }
        print(&self.out, &text);
        self.set(|s| {
            s.running = None;
            s.waiting = None;
        });
    }
}

/// Where lines come from: standard input (or a pipe), command-line arguments, or the REPL's
/// editor.
pub trait Lines {
    /// The next line; `None` at the end.
    fn next_line(&mut self) -> io::Result<Option<String>>;
}

/// Lines from a reader; a line that is not UTF-8 is a bad line, not the end of the input.
pub struct Reader<R>(pub R);

impl<R: BufRead> Lines for Reader<R> {
    fn next_line(&mut self) -> io::Result<Option<String>> {
        let mut buf = Vec::new();
        if self.0.read_until(b'\n', &mut buf)? == 0 {
            return Ok(None);
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        Ok(Some(String::from_utf8(buf).unwrap_or_else(|_| {
            "\u{FFFD} (this line was not valid UTF-8)".to_string()
        })))
    }
}

/// Lines given on the command line.
pub struct Given(std::vec::IntoIter<String>);

impl Given {
    /// The words of `ask`, grouped into lines (see [`group_lines`]).
    pub fn new(words: &[String]) -> Given {
        Given(group_lines(words).into_iter())
    }
}

impl Lines for Given {
    fn next_line(&mut self) -> io::Result<Option<String>> {
        Ok(self.0.next())
    }
}

/// A terminal session: one user, one channel of its own, the app, and what is on screen.
pub struct Terminal {
    app: App,
    channel: String,
    out: Out,
    json: bool,
    runtime: tokio::runtime::Runtime,
    shared: Arc<(Mutex<State>, Condvar)>,
    /// A study question on screen: its id and how many choices it has.
    study: Option<(String, usize)>,
    /// Whether every line ran.
    pub all_ok: bool,
    /// Print errors with the answers (an interactive prompt) rather than on standard error.
    errors_inline: bool,
    /// Where `--out` asked to write a reply's picture (`.svg` for SVG, else PNG).
    picture_path: Option<PathBuf>,
}

impl Terminal {
    /// A terminal over an app, printing to `out` (JSON lines if `json`).
    pub fn new(app: App, out: Box<dyn Write + Send>, json: bool) -> io::Result<Terminal> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        Ok(Terminal {
            app,
            // Unique per run, so two terminals on one database keep their quizzes apart.
            channel: format!("terminal-{}-{}", std::process::id(), wall_clock_ms()),
            out: Arc::new(Mutex::new(out)),
            json,
            runtime,
            shared: Arc::new((Mutex::new(State::default()), Condvar::new())),
            study: None,
            all_ok: true,
            errors_inline: false,
            picture_path: None,
        })
    }

    fn print(&self, text: &str) {
        print(&self.out, text);
    }

    fn request(&self, kind: RequestKind) -> Request {
        Request {
            user: LOCAL_USER.into(),
            guild: None,
            channel: self.channel.clone(),
            locale: "en-US".into(),
            // The terminal's user owns its channel.
            can_manage: true,
            kind,
        }
    }

    fn table(&self) -> TerminalTable {
        TerminalTable {
            out: Arc::clone(&self.out),
            facts: Arc::clone(&self.app.services.facts),
            shared: Arc::clone(&self.shared),
        }
    }

    /// Waits while a quiz runs here and its next question is not on screen yet.
    fn settle(&self) -> Option<Waiting> {
        let (state, cv) = &*self.shared;
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        while s.running.is_some() && s.waiting.is_none() {
            s = cv.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        s.waiting.clone()
    }

    /// Runs a request and prints its answer; carries out its effect.
    fn send(&mut self, kind: RequestKind, command: &str, query: &str) {
        let req = self.request(kind);
        let outcome = interaction::handle(&self.app.services, &req, wall_clock_ms());
        let reply = match outcome.response {
            Response::Message(r) | Response::Update(r) => r,
            Response::Form(_) | Response::Choices(_) => return,
        };
        self.study = reply.prompt.as_ref().and_then(|p| {
            (reply.effect.is_none() && reply.deadline_ms.is_none())
                .then(|| (p.question_id.clone(), p.choices.len()))
        });
        let picture = reply.attachment.as_ref().map(|a| self.save_picture(a));
        if self.json {
            let mut v = reply_json(command, query, &reply);
            if let (Some(a), Some(saved)) = (&reply.attachment, &picture) {
                v["picture"] = serde_json::json!({ "name": a.name, "alt": a.alt, "saved": saved });
            }
            self.print(&v.to_string());
        } else {
            let mut text = reply.to_text();
            if self.study.is_some() {
                text.push_str("Type A–D to answer.\n");
            }
            self.print(text.trim_end());
            if let Some(saved) = &picture {
                self.print(saved);
            }
            self.print("");
        }
        if let Some(effect) = outcome.effect {
            if let crate::reply::Effect::QuizStarted(session) = effect {
                let (state, _) = &*self.shared;
                state.lock().unwrap_or_else(PoisonError::into_inner).running = Some(session);
            }
            let _guard = self.runtime.enter();
            let table = self.table();
            self.app.apply(effect, || table);
        }
    }

    /// Writes a reply's picture where `--out` asked, and says where (or how to get it).
    fn save_picture(&mut self, a: &crate::reply::Attachment) -> String {
        let Some(path) = &self.picture_path else {
            return format!(
                "[picture: {}; add --out FILE.png or FILE.svg to save it]",
                a.name
            );
        };
        let svg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        let bytes: &[u8] = match (&a.svg, svg) {
            (Some(text), true) => text.as_bytes(),
            _ => &a.bytes,
        };
        match std::fs::write(path, bytes) {
            Ok(()) => format!("Picture written to {}", path.display()),
            Err(e) => {
                self.all_ok = false;
                format!(
                    "Could not write {}: {e}. Check the folder exists and is writable.",
                    path.display()
                )
            }
        }
    }

    /// Answers the quiz question on screen, and closes its round at once (one player).
    fn answer_round(&mut self, w: &Waiting, line: &str) {
        let letter = line
            .trim()
            .trim_end_matches([')', '.'])
            .to_ascii_uppercase();
        let id = match (w.mode, LETTERS.iter().position(|l| *l == letter)) {
            (Mode::Buttons, Some(i)) if i < w.choices => RequestKind::Click {
                id: Action::QuizChoice(w.session, w.index, i).encode(),
            },
            _ => RequestKind::Submit {
                id: Action::QuizAnswer(w.session, w.index).encode(),
                text: line.trim().to_string(),
            },
        };
        {
            let (state, _) = &*self.shared;
            state.lock().unwrap_or_else(PoisonError::into_inner).waiting = None;
        }
        let req = self.request(id);
        let outcome = interaction::handle(&self.app.services, &req, wall_clock_ms());
        if let Response::Message(r) = &outcome.response
            && r.body.starts_with("Too late")
        {
            self.print(&r.body);
        }
        if let Some(runner) = &self.app.runner {
            runner.wake(w.session);
        }
    }

    /// Stops the quiz running here, and waits for its final scores.
    fn stop_quiz(&mut self) {
        let running = {
            let (state, _) = &*self.shared;
            state.lock().unwrap_or_else(PoisonError::into_inner).running
        };
        if running.is_none() {
            return;
        }
        if let Some(engine) = self.app.engine()
            && let Err(e) = engine.stop(&self.channel, LOCAL_USER, true, wall_clock_ms())
        {
            self.print(&format!("error: {e}"));
        }
        if let (Some(runner), Some(session)) = (&self.app.runner, running) {
            runner.wake(session);
        }
        let (state, cv) = &*self.shared;
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        while s.running.is_some() {
            s = cv.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Handles one line: an answer to the question on screen, a command, or an error.
    pub fn line(&mut self, line: &str) {
        let trimmed = line.trim();
        if let Some(w) = self.settle()
            && !trimmed.starts_with('/')
        {
            if trimmed.is_empty() {
                self.stop_quiz();
            } else {
                self.answer_round(&w, trimmed);
            }
            return;
        }
        if trimmed.is_empty() {
            return;
        }
        if let Some((question, choices)) = self.study.clone() {
            let letter = trimmed.trim_end_matches([')', '.']).to_ascii_uppercase();
            if let Some(i) = LETTERS
                .iter()
                .position(|l| *l == letter)
                .filter(|i| *i < choices)
            {
                self.study = None;
                let id = Action::Study(i, question).encode();
                self.send(RequestKind::Click { id }, "study", trimmed);
                return;
            }
        }
        match commands::parse_line(&as_command(trimmed)) {
            Ok((spec, args)) => {
                let query = args.query().unwrap_or_default().to_string();
                self.send(RequestKind::Bound { spec, args }, spec.name, &query);
            }
            Err(e) => {
                self.all_ok = false;
                if self.json {
                    self.print(&error_json(line, &e.to_string()).to_string());
                } else if self.errors_inline {
                    self.print(&e.to_string());
                } else {
                    let mut err = io::stderr().lock();
                    let _ = writeln!(err, "error: {e}");
                }
            }
        }
    }

    /// Reads and handles lines until the input ends; a quiz still running is then stopped.
    pub fn run(&mut self, lines: &mut dyn Lines) -> io::Result<()> {
        loop {
            self.settle();
            let Some(line) = lines.next_line()? else {
                break;
            };
            if matches!(line.trim(), "/quit" | "/exit" | "quit" | "exit") {
                break;
            }
            self.line(&line);
        }
        self.stop_quiz();
        Ok(())
    }

    /// Prints the local player's quiz record (`sco-bot quiz`, at its start and end).
    fn record(&self, heading: &str) {
        if let Some(engine) = self.app.engine() {
            match engine.store().user_stats(LOCAL_USER) {
                Ok(s) if s.games > 0 => {
                    let mut r = stats_reply(LOCAL_USER, &s);
                    r.title = heading.into();
                    r.body.clear();
                    self.print(r.to_text().trim_end());
                    self.print("");
                }
                Ok(_) => {}
                Err(e) => self.print(&format!("error: {e}")),
            }
        }
    }
}

/// `sco-bot ask`: runs command lines given as arguments or, with none, read from `input`.
/// Returns whether every line ran (text mode reports failures on standard error).
pub fn ask(
    app: App,
    words: &[String],
    json: bool,
    out: Option<&Path>,
    input: impl BufRead,
) -> io::Result<bool> {
    let mut t = Terminal::new(app, Box::new(io::stdout()), json)?;
    t.picture_path = out.map(Path::to_path_buf);
    if words.is_empty() {
        t.run(&mut Reader(input))?;
    } else {
        t.run(&mut Given::new(words))?;
    }
    Ok(t.all_ok)
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

/// Lines from the REPL's editor.
struct Editor<'a>(rustyline::Editor<ReplHelper<'a>, rustyline::history::DefaultHistory>);

impl Lines for Editor<'_> {
    fn next_line(&mut self) -> io::Result<Option<String>> {
        use rustyline::error::ReadlineError;
        loop {
            match self.0.readline("sco> ") {
                Ok(line) => return Ok(Some(line)),
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => return Ok(None),
                Err(e) => return Err(io::Error::other(e.to_string())),
            }
        }
    }
}

/// `sco-bot repl`: an interactive prompt with line editing, history and completion.
pub fn repl(app: App) -> io::Result<()> {
    let knowledge = app.knowledge();
    let config = rustyline::Config::builder()
        .auto_add_history(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: rustyline::Editor<ReplHelper<'_>, rustyline::history::DefaultHistory> =
        rustyline::Editor::with_config(config).map_err(|e| io::Error::other(e.to_string()))?;
    editor.set_helper(Some(ReplHelper {
        knowledge: &knowledge,
    }));
    let history = history_path();
    if let Some(h) = &history {
        // A missing history file is normal on first use.
        let _ = editor.load_history(h);
    }
    let store = match app.engine() {
        Some(e) => format!(
            "Quizzes, study and scores are saved in {}.",
            e.store().describe()
        ),
        None => "Add --db FILE to play quizzes and keep scores.".to_string(),
    };
    println!(
        "sco-bot {}: SCO facts as of {} from {}.\nType a question (when did India join?) or /help for commands; Tab to complete, Ctrl-D or /quit to leave. {store}",
        env!("CARGO_PKG_VERSION"),
        knowledge.facts.meta.as_of.iso(),
        app.origin,
    );
    let mut t = Terminal::new(app.clone(), Box::new(io::stdout()), false)?;
    t.errors_inline = true;
    let mut lines = Editor(editor);
    t.run(&mut lines)?;
    if let Some(h) = &history
        && let Err(e) = lines.0.save_history(h)
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

/// `sco-bot quiz`: checks the topic, then plays a quiz in the terminal with the same round
/// driver as Discord, saved to the app's store under the local user.
pub fn quiz(
    app: App,
    topic: Option<&str>,
    questions: u32,
    seed: Option<u64>,
    input: impl BufRead,
) -> Result<(), String> {
    use crate::quiz::Topic;
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
    let Some(engine) = app.engine().cloned() else {
        return Err("the terminal quiz needs a database; pass --db FILE".into());
    };
    let mut t = Terminal::new(app, Box::new(io::stdout()), false).map_err(|e| e.to_string())?;
    t.record("Your record so far");
    let params = StartParams {
        guild: None,
        channel: t.channel.clone(),
        starter: LOCAL_USER.into(),
        topic,
        questions,
        seconds: crate::quiz::session::SECONDS_RANGE.1,
        mode: Mode::Buttons,
        seed: seed.unwrap_or_else(|| wall_clock_ms() as u64),
    };
    let knowledge = t.app.knowledge();
    let session = match engine
        .start(knowledge.bank(), &params, wall_clock_ms())
        .map_err(|e| e.to_string())?
    {
        Started::Started(s) => s,
        Started::AlreadyRunning { .. } => return Err("could not start a quiz".into()),
        Started::NoQuestions => return Err("no questions on that topic; try another".into()),
    };
    t.print(&format!(
        "Quiz: {} questions. Type A–D to pick, or type the answer itself; an empty line or Ctrl-D stops.\n",
        session.questions
    ));
    t.send_effect(crate::reply::Effect::QuizStarted(session.id));
    t.run(&mut Reader(input)).map_err(|e| e.to_string())?;
    t.record("Your record now");
    Ok(())
}

impl Terminal {
    /// Carries out an effect the terminal itself caused (`sco-bot quiz` starts its session
    /// directly, with its seed).
    fn send_effect(&mut self, effect: crate::reply::Effect) {
        if let crate::reply::Effect::QuizStarted(session) = effect {
            let (state, _) = &*self.shared;
            state.lock().unwrap_or_else(PoisonError::into_inner).running = Some(session);
        }
        let _guard = self.runtime.enter();
        let table = self.table();
        self.app.apply(effect, || table);
    }
}

/// `sco-bot discord`: reads the token and runs the bot until Ctrl-C or SIGTERM.
pub fn discord(app: App, guild: Option<u64>, token_file: Option<&Path>) -> Result<(), String> {
    let token = crate::discord::Token::load(token_file).map_err(|e| e.to_string())?;
    tracing::info!(facts = %app.origin, as_of = %app.knowledge().facts.meta.as_of.iso(), "starting the Discord bot");
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let config = crate::discord::Config {
        token,
        guild,
        api_base: None,
    };
    runtime
        .block_on(crate::discord::run(
            config,
            app,
            crate::discord::shutdown_signal(),
        ))
        .map_err(|e| e.to_string())
}

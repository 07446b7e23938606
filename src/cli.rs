//! The terminal front end: `ask`, `repl`, `quiz` and `check`. A translator like the others:
//! a typed line becomes a core request (a command, or an answer to the question on screen),
//! and the core's replies are printed as text or JSON lines. Quiz rounds are played by the
//! core's round driver at a [`TerminalTable`]; every run has a channel of its own, so two
//! terminals on one database never touch each other's quiz.

use std::borrow::Cow;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use serde_json::json;

use crate::app::App;
use crate::commands::ids::Action;
use crate::commands::quiz::{LETTERS, MORE_SPECIFIC, final_reply, round_reply, stats_reply};
use crate::commands::{self, OptionKind};
use crate::facts::{self, FactsError};
use crate::interaction::{self, Request, RequestKind, Response};
use crate::quiz::session::{Closed, Mode, RoundView, StartParams, Started, Table, wall_clock_ms};
use crate::reply::{Citation, EntryRef, Reply, TextOptions, full_source};
use crate::search::normalize::compact;
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
        "sources": reply.sources,
        "table": reply.table,
    })
}

/// A JSON value as one line. U+0085, U+2028 and U+2029 are valid raw inside JSON strings, but
/// readers that split lines on them (Python's `splitlines`) would cut the object in two, so
/// they are written escaped.
pub fn json_text(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if !text.contains(['\u{0085}', '\u{2028}', '\u{2029}']) {
        return text;
    }
    // Outside strings serde_json writes only ASCII, so every one of them is inside a string.
    text.replace('\u{0085}', "\\u0085")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// What [`Reader`] yields for a line that is not UTF-8; the terminal reports it and runs nothing.
pub const NOT_UTF8_LINE: &str = "\u{FFFD} (this line was not valid UTF-8)";

/// The longest line the terminal reads, in bytes (64 KiB): a command, a question or an answer
/// is far shorter, and a longer line is refused while it is read instead of held in memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What [`Reader`] yields for a line over [`MAX_LINE_BYTES`]; the terminal reports it and runs
/// nothing.
pub const TOO_LONG_LINE: &str = "\u{FFFD} (this line was longer than the limit)";

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
    /// The choices as shown (A–D).
    choices: Vec<String>,
    /// After "more specific, please": the next answer is the one more try.
    last_try: bool,
}

impl Waiting {
    /// Whether the choices are themselves numbers ("2013"): then `1`–`4` would be ambiguous,
    /// so only letters and the numbers themselves choose.
    fn numeric(&self) -> bool {
        numeric_choices(&self.choices)
    }

    /// The choice a line names: a letter A–D, a number 1–4 (unless the choices are numbers),
    /// or a choice's own text.
    fn choice(&self, line: &str) -> Option<usize> {
        let t = line.trim().trim_end_matches([')', '.']).trim();
        let n = self.choices.len();
        if let Some(i) = LETTERS.iter().position(|l| l.eq_ignore_ascii_case(t)) {
            return (i < n).then_some(i);
        }
        if !self.numeric()
            && let Ok(k) = t.parse::<usize>()
        {
            return (1..=n).contains(&k).then(|| k - 1);
        }
        let key = compact(t);
        if key.is_empty() {
            return None;
        }
        self.choices.iter().position(|c| compact(c) == key)
    }

    /// How to answer, said after each question and whenever a line was not understood.
    fn hint(&self) -> &'static str {
        quiz_hint(self.mode, self.numeric())
    }
}

/// The text of a `/report TEXT` line (empty for `/report` alone); `None` for any other line.
fn report_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("/report")?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then(|| rest.trim())
}

/// Whether every choice is a number.
fn numeric_choices(choices: &[String]) -> bool {
    !choices.is_empty()
        && choices
            .iter()
            .all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
}

/// How to answer a round of a mode.
fn quiz_hint(mode: Mode, numeric: bool) -> &'static str {
    match (mode, numeric) {
        (Mode::Buttons, true) => {
            "Type a letter A–D, or the number itself; q or /stop stops the quiz."
        }
        (Mode::Buttons, false) => "Type A–D or 1–4; q or /stop stops the quiz.",
        (Mode::Typed, _) => "Type your answer; q or /stop stops the quiz.",
    }
}

/// Sources in short: their publishers, each once.
fn short_sources(facts: &crate::facts::FactBase, ids: &[String]) -> String {
    let mut publishers: Vec<&str> = Vec::new();
    for id in ids {
        if let Some(s) = facts.source(id)
            && !publishers.contains(&s.publisher.as_str())
        {
            publishers.push(&s.publisher);
        }
    }
    publishers.join("; ")
}

/// What the input loop and the quiz table share.
#[derive(Debug, Default)]
struct State {
    /// The session whose rounds run here.
    running: Option<i64>,
    /// Its question on screen, once posted.
    waiting: Option<Waiting>,
    /// The last question answered here (a quiz round revealed, a study answer), for `/report`.
    reportable: Option<crate::commands::report::About>,
}

/// A terminal where a quiz session is played: prints each question, the verdict and the
/// reveal, and the final scores; the input loop reads the answers.
pub struct TerminalTable {
    out: Out,
    facts: Arc<Reloader>,
    shared: Arc<(Mutex<State>, Condvar)>,
    /// The width to wrap to, when standard output is a terminal.
    width: Option<usize>,
}

impl TerminalTable {
    /// Prints text wrapped to the terminal's width (as it is, when piped).
    fn show(&self, text: &str) {
        match self.width {
            Some(w) => print(&self.out, &crate::term::wrap(text, w)),
            None => print(&self.out, text),
        }
    }

    fn set(&self, f: impl FnOnce(&mut State)) {
        let (state, cv) = &*self.shared;
        f(&mut state.lock().unwrap_or_else(PoisonError::into_inner));
        cv.notify_all();
    }
}

impl Table for TerminalTable {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        let mut text = round_reply(round, false).to_text();
        text.push_str(quiz_hint(
            round.mode,
            numeric_choices(&round.question.choices),
        ));
        self.show(&text);
        self.set(|s| {
            s.waiting = Some(Waiting {
                session: round.session,
                index: round.index,
                mode: round.mode,
                choices: round.question.choices.clone(),
                last_try: false,
            });
        });
        Some(format!("terminal/{}", round.index))
    }

    async fn reveal(&self, closed: &Closed) {
        let about = crate::commands::report::About::Round(
            closed.round.session,
            closed.round.index,
            crate::store::ReportKind::Wrong,
        );
        self.set(|s| {
            s.waiting = None;
            s.reportable = Some(about);
        });
        // Right or not, the answer, why, the sources in short, the points and the score.
        let mine = closed.result.answers.iter().find(|a| a.user == LOCAL_USER);
        let verdict = match mine {
            Some(a) if a.correct => format!("Right! +{} points.", a.points),
            Some(_) => "Not right. +0 points.".to_string(),
            None => "Time is up. +0 points.".to_string(),
        };
        let q = &closed.round.question;
        let k = self.facts.current();
        let score = match closed.scoreboard.iter().find(|r| r.user == LOCAL_USER) {
            Some(r) => format!(
                "Score: {} points, {} of {} right.",
                r.points, r.correct, r.answered
            ),
            None => "Score: 0 points.".to_string(),
        };
        self.show(&format!(
            "{verdict}\nAnswer: {}\n{}\nSources: {} (facts as of {}).\n{score}\n",
            closed.reveal,
            q.explanation,
            short_sources(&k.facts, &q.sources),
            k.facts.meta.as_of
        ));
    }

    async fn notice(&self, text: &str) {
        self.show(text);
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
        self.show(&text);
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

/// Lines from a reader; a line that is not UTF-8 is a bad line, not the end of the input, and
/// a line longer than [`MAX_LINE_BYTES`] is refused as soon as the limit is passed (the rest of
/// it is read and dropped, a buffer at a time), never held whole.
pub struct Reader<R> {
    input: R,
    /// The line being read went over the limit: drop bytes up to its end.
    skipping: bool,
}

impl<R: BufRead> Reader<R> {
    /// Lines from `input`.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input,
            skipping: false,
        }
    }

    /// Drops what is left of an over-long line; whether the input goes on after it.
    fn skip_rest(&mut self) -> io::Result<bool> {
        loop {
            let chunk = self.input.fill_buf()?;
            if chunk.is_empty() {
                return Ok(false);
            }
            if let Some(end) = chunk.iter().position(|b| *b == b'\n') {
                self.input.consume(end + 1);
                return Ok(true);
            }
            let n = chunk.len();
            self.input.consume(n);
        }
    }
}

impl<R: BufRead> Lines for Reader<R> {
    fn next_line(&mut self) -> io::Result<Option<String>> {
        if std::mem::take(&mut self.skipping) && !self.skip_rest()? {
            return Ok(None);
        }
        let mut buf = Vec::new();
        // One byte over the limit tells a line of exactly the limit from a longer one.
        let read = (&mut self.input)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Ok(None);
        }
        if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            self.skipping = true;
            return Ok(Some(TOO_LONG_LINE.to_string()));
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        Ok(Some(
            String::from_utf8(buf).unwrap_or_else(|_| NOT_UTF8_LINE.to_string()),
        ))
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
    /// `q` or `/stop` was typed during a quiz: the next line confirms (y) or goes on.
    confirm_stop: bool,
    /// Where `--out` asked to write a reply's picture (`.svg` for SVG, else PNG).
    picture_path: Option<PathBuf>,
    /// How replies are laid out: the width to wrap to (only when standard output is a
    /// terminal) and whether sources are shown in full (`--sources`).
    layout: TextOptions,
    /// The sources of the last reply shown, for `/sources N`.
    last_sources: Vec<Citation>,
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
            confirm_stop: false,
            picture_path: None,
            layout: TextOptions {
                width: if json {
                    None
                } else {
                    crate::term::stdout_width()
                },
                full_sources: false,
            },
            last_sources: Vec::new(),
        })
    }

    fn print(&self, text: &str) {
        print(&self.out, text);
    }

    /// Shows every source in full (title, publisher, URL) instead of the short list.
    pub fn show_full_sources(&mut self, yes: bool) {
        self.layout.full_sources = yes;
    }

    /// Wraps text to the terminal's width (not at all when output is piped).
    fn wrapped(&self, text: &str) -> String {
        match self.layout.width {
            Some(w) => crate::term::wrap(text, w),
            None => text.to_string(),
        }
    }

    /// `/sources` and `/sources N` answered from the last reply shown; `None` when the line
    /// names an entry instead (the command's handler answers that).
    fn local_sources(&self, args: &commands::Args) -> Option<String> {
        let which = args.text("which").map(str::trim).unwrap_or_default();
        if !which.is_empty() && which.parse::<usize>().is_err() {
            return None;
        }
        if self.last_sources.is_empty() {
            return Some(
                "The last answer cited no sources. Ask something first, or give an entry: /sources india."
                    .to_string(),
            );
        }
        let n = self.last_sources.len();
        let lines: Vec<String> = match which.parse::<usize>() {
            Ok(i) if (1..=n).contains(&i) => vec![full_source(i, &self.last_sources[i - 1])],
            Ok(i) => {
                return Some(format!(
                    "The last answer has sources 1 to {n}; there is no source {i}."
                ));
            }
            Err(_) => self
                .last_sources
                .iter()
                .enumerate()
                .map(|(i, s)| full_source(i + 1, s))
                .collect(),
        };
        Some(self.wrapped(&lines.join("\n")))
    }

    fn request(&self, kind: RequestKind) -> Request {
        Request {
            user: LOCAL_USER.into(),
            guild: None,
            channel: self.channel.clone(),
            locale: "en-US".into(),
            // The terminal's user owns its channel.
            can_manage: true,
            // The terminal's user runs the bot: they may reload its facts.
            can_manage_server: true,
            // The terminal shows rounds itself.
            placement: Some(crate::quiz::Placement::Channel),
            kind,
        }
    }

    fn table(&self) -> TerminalTable {
        TerminalTable {
            out: Arc::clone(&self.out),
            facts: Arc::clone(&self.app.services.facts),
            shared: Arc::clone(&self.shared),
            width: self.layout.width,
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
        if !reply.sources.is_empty() {
            self.last_sources.clone_from(&reply.sources);
        }
        if self.json {
            let mut v = reply_json(command, query, &reply);
            match (&reply.attachment, &picture) {
                (Some(a), Some(saved)) if a.media_type.starts_with("image/") => {
                    v["picture"] =
                        serde_json::json!({ "name": a.name, "alt": a.alt, "saved": saved });
                }
                // A data file (your data as JSON): its content, as JSON where it is JSON.
                (Some(a), _) => {
                    let content = serde_json::from_slice(&a.bytes).unwrap_or_else(|_| {
                        serde_json::Value::String(String::from_utf8_lossy(&a.bytes).into_owned())
                    });
                    v["file"] = serde_json::json!({ "name": a.name, "content": content });
                }
                _ => {}
            }
            self.print(&json_text(&v));
        } else {
            let mut text = reply.render_text(self.layout);
            if self.study.is_some() {
                text.push_str("Type A–D to answer.\n");
            }
            self.print(text.trim_end());
            if let Some(saved) = &picture {
                self.print(&self.wrapped(saved));
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
        let picture = a.media_type.starts_with("image/");
        let Some(path) = &self.picture_path else {
            if !picture {
                // A text file (your data as JSON): shown whole, ready to redirect.
                return String::from_utf8_lossy(&a.bytes).into_owned();
            }
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
            Ok(()) if picture => format!("Picture written to {}", path.display()),
            Ok(()) => format!("{} written to {}", a.name, path.display()),
            Err(e) => {
                self.all_ok = false;
                format!(
                    "Could not write {}: {e}. Check the folder exists and is writable.",
                    path.display()
                )
            }
        }
    }

    /// Answers the quiz question on screen: a choice (multiple choice) or the typed text.
    /// Anything else is re-asked with a hint, not scored; a broader typed answer gets "more
    /// specific, please" and one more try. Otherwise the round closes at once (one player).
    fn answer_round(&mut self, w: &Waiting, line: &str) {
        let kind = match w.mode {
            Mode::Buttons => match w.choice(line) {
                Some(i) => RequestKind::Click {
                    id: Action::QuizChoice(w.session, w.index, i).encode(),
                },
                None => {
                    self.print(&format!(
                        "“{}” is not one of the choices. {}",
                        crate::reply::echo(line.trim()),
                        w.hint()
                    ));
                    return;
                }
            },
            Mode::Typed => {
                let id = if w.last_try {
                    Action::QuizLastTry(w.session, w.index)
                } else {
                    Action::QuizAnswer(w.session, w.index)
                };
                RequestKind::Submit {
                    id: id.encode(),
                    text: line.trim().to_string(),
                    second: None,
                }
            }
        };
        let set_waiting = |waiting: Option<Waiting>| {
            let (state, _) = &*self.shared;
            state.lock().unwrap_or_else(PoisonError::into_inner).waiting = waiting;
        };
        set_waiting(None);
        let req = self.request(kind);
        let outcome = interaction::handle(&self.app.services, &req, wall_clock_ms());
        if let Response::Message(r) = &outcome.response {
            if r.body.starts_with(MORE_SPECIFIC) {
                // Nothing was recorded: the same question waits for the one more try.
                self.print(&r.body);
                set_waiting(Some(Waiting {
                    last_try: true,
                    ..w.clone()
                }));
                return;
            }
            if r.body.starts_with("Too late") {
                self.print(&r.body);
            }
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
        if line == NOT_UTF8_LINE {
            // Neither a command nor an answer: a question on screen keeps waiting.
            self.report_error(
                "",
                "this line is not valid UTF-8; set the terminal to UTF-8 and type it again",
            );
            return;
        }
        if line == TOO_LONG_LINE {
            self.report_error(
                "",
                &format!(
                    "this line is longer than {} KiB, so it was not read; type a shorter one",
                    MAX_LINE_BYTES / 1024
                ),
            );
            return;
        }
        let trimmed = line.trim();
        if let Some(w) = self.settle() {
            if std::mem::take(&mut self.confirm_stop) {
                if matches!(trimmed.to_lowercase().as_str(), "y" | "yes") {
                    self.stop_quiz();
                } else {
                    self.print(&format!("Going on. {}", w.hint()));
                }
                return;
            }
            if trimmed.eq_ignore_ascii_case("q") || trimmed.eq_ignore_ascii_case("/stop") {
                self.confirm_stop = true;
                self.print("Stop the quiz? Type y to stop, anything else to go on.");
                return;
            }
            if trimmed.is_empty() {
                self.print(w.hint());
                return;
            }
            if !trimmed.starts_with('/') {
                self.answer_round(&w, trimmed);
                return;
            }
        } else {
            self.confirm_stop = false;
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
                self.set_reportable(crate::commands::report::About::Study(i, question.clone()));
                let id = Action::Study(i, question).encode();
                self.send(RequestKind::Click { id }, "study", trimmed);
                return;
            }
        }
        if let Some(text) = report_text(trimmed) {
            self.report(line, text);
            return;
        }
        match commands::parse_line(&as_command(trimmed)) {
            Ok((spec, args)) if spec.name == "sources" && !self.json => {
                match self.local_sources(&args) {
                    Some(text) => {
                        self.print(&text);
                        self.print("");
                    }
                    None => {
                        let query = args.query().unwrap_or_default().to_string();
                        self.send(RequestKind::Bound { spec, args }, spec.name, &query);
                    }
                }
            }
            Ok((spec, args)) => {
                let query = args.query().unwrap_or_default().to_string();
                self.send(RequestKind::Bound { spec, args }, spec.name, &query);
            }
            Err(e) => self.report_error(line, &e.to_string()),
        }
    }

    fn set_reportable(&self, about: crate::commands::report::About) {
        let (state, _) = &*self.shared;
        state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reportable = Some(about);
    }

    /// `/report TEXT`: reports the last question answered here (a quiz round once revealed,
    /// or a study question).
    fn report(&mut self, line: &str, text: &str) {
        let about = {
            let (state, _) = &*self.shared;
            state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .reportable
                .clone()
        };
        let Some(about) = about else {
            self.report_error(
                line,
                "there is no question to report yet: /report TEXT reports the last quiz or study question you answered",
            );
            return;
        };
        if text.is_empty() {
            self.report_error(
                line,
                "say what is wrong after /report, for example: /report the answer should be 2017",
            );
            return;
        }
        let kind = RequestKind::Submit {
            id: about.action().encode(),
            text: text.to_string(),
            second: None,
        };
        self.send(kind, "report", text);
    }

    /// Reports a line that could not run: a JSON error object, inline at a prompt, or on
    /// standard error.
    fn report_error(&mut self, line: &str, error: &str) {
        self.all_ok = false;
        if self.json {
            self.print(&json_text(&error_json(line, error)));
        } else if self.errors_inline {
            self.print(error);
        } else {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "error: {error}");
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
    ask_with(app, words, json, out, false, input)
}

/// `sco-bot ask`, with `--sources` (`full_sources`): every answer's sources in full.
pub fn ask_with(
    app: App,
    words: &[String],
    json: bool,
    out: Option<&Path>,
    full_sources: bool,
    input: impl BufRead,
) -> io::Result<bool> {
    let mut t = Terminal::new(app, Box::new(io::stdout()), json)?;
    t.show_full_sources(full_sources);
    t.picture_path = out.map(Path::to_path_buf);
    if words.is_empty() {
        t.run(&mut Reader::new(input))?;
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
        Err(FactsError::Invalid {
            diagnostics,
            path,
            omitted,
        }) => {
            for d in &diagnostics {
                writeln!(err, "{}", d.render(&path))?;
            }
            if omitted > 0 {
                writeln!(err, "{}", facts::more_problems(&path, omitted))?;
            }
            let n = diagnostics.len() + omitted;
            writeln!(
                err,
                "{path}: {} problem{} found; nothing was changed",
                crate::limits::thousands(n as u64),
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
    repl_with(app, false)
}

/// `sco-bot repl`, with `--sources` (`full_sources`): every answer's sources in full.
pub fn repl_with(app: App, full_sources: bool) -> io::Result<()> {
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
    t.show_full_sources(full_sources);
    let mut lines = Editor(editor);
    t.run(&mut lines)?;
    if let Some(h) = &history
        && let Err(e) = lines.0.save_history(h)
    {
        tracing::warn!("could not save the history to {}: {e}", h.display());
    }
    Ok(())
}

/// `sco-bot reports [--open] [--json]`: the reports about questions, for curators, each with
/// whether its question changed in `k` since it was reported.
pub fn reports(
    store: &dyn crate::store::Store,
    k: &Knowledge,
    open_only: bool,
    json: bool,
    out: &mut impl Write,
) -> Result<(), String> {
    let rows = store.reports(open_only).map_err(|e| e.to_string())?;
    let written = if json {
        crate::commands::report::listing_json(k, &rows)
            .iter()
            .try_for_each(|v| writeln!(out, "{}", json_text(v)))
    } else {
        writeln!(out, "{}", crate::commands::report::listing(k, &rows))
    };
    written.map_err(|e| e.to_string())
}

/// `sco-bot reports resolve ID --note TEXT`.
pub fn resolve_report(
    store: &dyn crate::store::Store,
    id: i64,
    note: &str,
    out: &mut impl Write,
) -> Result<(), String> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > usize::from(crate::commands::report::TEXT_MAX) {
        return Err(format!(
            "give a note of 1 to {} characters saying what was done: --note \"fixed in facts.toml\"",
            crate::commands::report::TEXT_MAX
        ));
    }
    let said = crate::commands::report::resolve_words(
        id,
        store.resolve_report(id, note, wall_clock_ms()),
    )?;
    writeln!(out, "{said}").map_err(|e| e.to_string())
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
            writeln!(out, "{}", json_text(&line))?;
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

/// `sco-bot quiz --export FORMAT PATH [--force] [--topic T]`: every question of the bank (or
/// of one topic) as a deck file at the path the local user gave. An existing file is kept
/// unless `force`; returns what to tell the user.
pub fn quiz_export(
    k: &Knowledge,
    format: &str,
    path: &std::path::Path,
    force: bool,
    topic: Option<&str>,
) -> Result<String, String> {
    use crate::quiz::Topic;
    use crate::quiz::export::{Format, deck};
    let Some(format) = Format::parse(format) else {
        return Err(format!(
            "there is no export format \"{}\"; use anki (a deck Anki imports) or csv",
            crate::reply::echo(format)
        ));
    };
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
    let bank = crate::quiz::generate::generate(&k.facts, 0);
    let chosen: Vec<_> = bank
        .iter()
        .filter(|q| topic.is_none_or(|t| q.topic == t))
        .collect();
    let text = deck(format, chosen.iter().copied(), &k.facts);
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let shown = path.display();
    let mut file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => {
            format!("{shown} already exists and was left as it is; add --force to overwrite it, or give another path")
        }
        _ => format!("could not write {shown}: {e}; check that the folder exists and is writable"),
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| format!("could not write {shown}: {e}"))?;
    let how = match format {
        Format::Anki => "in Anki, File › Import and pick it",
        Format::Csv => "CSV with a header row",
    };
    Ok(format!(
        "Wrote {} question{} to {shown} ({how}).",
        chosen.len(),
        if chosen.len() == 1 { "" } else { "s" }
    ))
}

/// `sco-bot quiz`: checks the topic, then plays a quiz in the terminal with the same round
/// driver as Discord, saved to the app's store under the local user.
pub fn quiz(
    app: App,
    topic: Option<&str>,
    questions: u32,
    seed: Option<u64>,
    typed: bool,
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
    // A terminal killed mid-quiz left its session active; nothing resumes a terminal's quiz,
    // so it is closed here, its answers kept.
    let orphans = engine
        .close_orphans(left_by_a_gone_terminal, wall_clock_ms())
        .map_err(|e| e.to_string())?;
    if !orphans.is_empty() {
        t.print(&format!(
            "Closed {} quiz{} left running by a terminal that stopped; its answers are kept.\n",
            orphans.len(),
            if orphans.len() == 1 { "" } else { "zes" }
        ));
    }
    t.record("Your record so far");
    let params = StartParams {
        guild: None,
        channel: t.channel.clone(),
        starter: LOCAL_USER.into(),
        topic,
        questions,
        seconds: crate::quiz::session::SECONDS_RANGE.1,
        mode: if typed { Mode::Typed } else { Mode::Buttons },
        seed: seed.unwrap_or_else(|| wall_clock_ms() as u64),
        placement: crate::quiz::Placement::Channel,
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
        "Quiz: {} questions. {} Ctrl-D stops too.\n",
        session.questions,
        if typed {
            "Type each answer; a broader one (a city for a summit) gets one more try; q or /stop stops."
        } else {
            "Type A–D or 1–4 to pick (the letter or the number itself where the choices are numbers); q or /stop stops."
        }
    ));
    t.send_effect(crate::reply::Effect::QuizStarted(session.id));
    t.run(&mut Reader::new(input)).map_err(|e| e.to_string())?;
    t.record("Your record now");
    Ok(())
}

/// Whether a session is a terminal's whose process is gone: its channel names the process
/// (`terminal-PID-TIME`) and `/proc` has no such process. Where there is no `/proc`, nothing
/// is known and nothing is closed.
fn left_by_a_gone_terminal(s: &SessionRow) -> bool {
    let Some(pid) = s
        .channel
        .strip_prefix("terminal-")
        .and_then(|rest| rest.split('-').next())
        .and_then(|pid| pid.parse::<u32>().ok())
    else {
        return false;
    };
    pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
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
pub fn discord(
    app: App,
    guild: Option<u64>,
    token_file: Option<&Path>,
    api_base: Option<String>,
    shards: Option<crate::discord::Shards>,
) -> Result<(), String> {
    let token = crate::discord::Token::load(token_file).map_err(|e| e.to_string())?;
    tracing::info!(facts = %app.origin, as_of = %app.knowledge().facts.meta.as_of.iso(), "starting the Discord bot");
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let config = crate::discord::Config {
        token,
        guild,
        api_base,
        shards,
    };
    let shutdown = {
        let _runtime = runtime.enter();
        crate::discord::shutdown_signal()
    };
    let result = runtime
        .block_on(crate::discord::run(config, app, shutdown))
        .map_err(|e| e.to_string());
    // Store work still running on the blocking pool gets a moment, not forever.
    runtime.shutdown_timeout(RUNTIME_CLOSE_WITHIN);
    result
}

/// How long a front end's runtime waits at exit for blocking work (store writes) to end.
pub const RUNTIME_CLOSE_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

/// `sco-bot serve`: Discord's interactions endpoint on `listen`, until Ctrl-C or SIGTERM. The
/// public key comes from `public_key` or `DISCORD_PUBLIC_KEY`; the bot token, optional, from
/// `token_file` or `DISCORD_TOKEN`.
pub fn serve(
    app: App,
    listen: std::net::SocketAddr,
    public_key: Option<&str>,
    token_file: Option<&Path>,
    api_base: Option<String>,
) -> Result<(), String> {
    use crate::discord::http::{self, verify::PublicKey};
    let hex = match public_key {
        Some(hex) => hex.to_string(),
        None => std::env::var("DISCORD_PUBLIC_KEY").map_err(|_| {
            "no public key: set DISCORD_PUBLIC_KEY or pass --public-key HEX (the application's General Information page in the developer portal shows it)".to_string()
        })?,
    };
    let public_key = PublicKey::from_hex(&hex).map_err(|e| e.to_string())?;
    let token = match crate::discord::Token::load(token_file) {
        Ok(token) => Some(token),
        Err(crate::discord::DiscordError::NoToken | crate::discord::DiscordError::EmptyToken) => {
            tracing::info!(
                "no DISCORD_TOKEN: answering interactions only (no quiz rounds in channels, no command registration)"
            );
            None
        }
        Err(e) => return Err(e.to_string()),
    };
    tracing::info!(facts = %app.origin, as_of = %app.knowledge().facts.meta.as_of.iso(), "starting the interactions endpoint");
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let config = http::Config {
        public_key,
        token,
        api_base,
        defer_after: crate::discord::DEFER_AFTER,
    };
    let shutdown = {
        let _runtime = runtime.enter();
        crate::discord::shutdown_signal()
    };
    let result = runtime
        .block_on(http::run(listen, config, app, shutdown))
        .map_err(|e| e.to_string());
    runtime.shutdown_timeout(RUNTIME_CLOSE_WITHIN);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut reader = Reader::new(io::BufReader::with_capacity(1000, input));
        std::iter::from_fn(|| reader.next_line().expect("in memory")).collect()
    }

    #[test]
    fn a_line_over_the_limit_is_refused_and_the_next_one_read() {
        let mut input = b"x".repeat(MAX_LINE_BYTES);
        input.extend(b"\n");
        input.extend(b"y".repeat(MAX_LINE_BYTES + 1));
        input.extend(b"\n/about\r\n");
        input.extend(b"z".repeat(3 * MAX_LINE_BYTES));
        let read = lines(&input);
        assert_eq!(read.len(), 4);
        assert_eq!(read[0].len(), MAX_LINE_BYTES, "exactly the limit is read");
        assert_eq!(read[1], TOO_LONG_LINE);
        assert_eq!(read[2], "/about");
        assert_eq!(
            read[3], TOO_LONG_LINE,
            "a last line without its newline too"
        );
    }
}

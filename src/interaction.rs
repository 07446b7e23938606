//! The interaction layer: one transport-neutral request in — a command with its options, a
//! click on a button, a submitted form, an autocomplete request, with who asks, where and in
//! which language — and one response out (a message, an update of the clicked message, a form
//! to fill in, autocomplete choices) with the effects a front end must carry out (run a quiz
//! session's rounds, wake one).
//!
//! Every front end is a translator to and from these types: Discord's gateway and its HTTP
//! endpoint turn their interaction payloads into a [`Request`] and render the [`Response`];
//! the terminal turns a typed line into one. None of them binds options, words an outcome or
//! encodes a button id itself.
//!
//! Requests that touch the store may wait on the database; [`respond`] runs them on tokio's
//! blocking pool and tells the front end to defer its answer when they are slow. Autocomplete
//! answers from memory and never waits; a click that answers with a form decides so before
//! it touches the store.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::commands::ids::Action;
use crate::commands::{
    self, Args, COMMANDS, CommandSpec, Ctx, Given, OptionKind, ParseError, bind, find,
};
use crate::quiz::session::{Answer, Engine};
use crate::ratelimit::{Class, RateLimiter};
use crate::reply::{Button, ButtonStyle, Effect, EntryRef, Reply};
use crate::{Knowledge, Reloader};

/// Suggestions shown as buttons at most.
pub const MAX_SUGGESTIONS: usize = 5;
/// Autocomplete choices at most.
pub const MAX_CHOICES: usize = crate::search::AUTOCOMPLETE_LIMIT;
/// Longest typed answer a form accepts.
pub const ANSWER_MAX: u16 = 100;

/// What a user sees when something broke on the bot's side.
pub const APOLOGY: &str = "Sorry, something went wrong on my side while answering. Please try again in a moment; if it keeps happening, let the bot's operator know.";

/// Who is asking, where, and what.
#[derive(Clone, Debug)]
pub struct Request {
    /// The user's id ("local" in the terminal).
    pub user: String,
    /// The server, if any.
    pub guild: Option<String>,
    /// The channel (each terminal run has its own).
    pub channel: String,
    /// The user's language, as a BCP 47 tag such as `en-US`, `ru`, `zh-CN`.
    pub locale: String,
    /// Whether the platform says the user may moderate the channel.
    pub can_manage: bool,
    /// Whether the platform says the user may manage the server (Discord's Manage Server; the
    /// terminal's local operator): may reload the facts.
    pub can_manage_server: bool,
    /// Where a quiz started by this request would show its rounds; `None` where this front
    /// end cannot show them (`serve` without the bot token, where only the bot could post).
    pub placement: Option<crate::quiz::Placement>,
    /// What they asked.
    pub kind: RequestKind,
}

/// What a request asks.
#[derive(Clone, Debug)]
pub enum RequestKind {
    /// A command by name, with its subcommand and options as the front end delivered them;
    /// bound here by the one binder.
    Command {
        /// The command's name.
        name: String,
        /// The subcommand, if any.
        subcommand: Option<String>,
        /// The options.
        options: Vec<(String, Given)>,
    },
    /// A command already bound (the terminal binds a typed line to report errors itself).
    Bound {
        /// The command.
        spec: &'static CommandSpec,
        /// Its options.
        args: Args,
    },
    /// A click on a button.
    Click {
        /// The button's id.
        id: String,
    },
    /// A submitted form.
    Submit {
        /// The form's id.
        id: String,
        /// What was typed into it.
        text: String,
        /// What was typed into its optional second box (a report's source), if it has one.
        second: Option<String>,
    },
    /// Autocomplete for the option being typed.
    Autocomplete {
        /// The command's name.
        command: String,
        /// The option's name.
        option: String,
        /// What is typed so far.
        partial: String,
    },
}

/// A form to fill in (a typed quiz answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// The id its submission carries.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The label of its one text box.
    pub label: String,
    /// The longest text accepted.
    pub max_len: u16,
    /// Whether the text box takes paragraphs (a report) rather than one line (an answer).
    pub long: bool,
    /// An optional second text box (a report's source): its label and longest text.
    pub second: Option<(String, u16)>,
}

/// One autocomplete choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// What the user sees.
    pub name: String,
    /// What the option receives.
    pub value: String,
}

/// What to answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// A new message (private if the reply is ephemeral).
    Message(Reply),
    /// Replace the message whose button was clicked.
    Update(Reply),
    /// Ask for typed input.
    Form(Form),
    /// Autocomplete choices.
    Choices(Vec<Choice>),
}

/// A response and what the front end must do besides sending it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// What to answer.
    pub response: Response,
    /// What to do: run a started quiz's rounds, wake a stopped one.
    pub effect: Option<Effect>,
}

impl Outcome {
    fn of(response: Response) -> Outcome {
        Outcome {
            response,
            effect: None,
        }
    }

    fn message(reply: Reply) -> Outcome {
        let effect = reply.effect;
        Outcome {
            response: Response::Message(reply),
            effect,
        }
    }
}

/// What the core serves from: the facts (with their reloader) and, when there is a store, the
/// quiz engine.
#[derive(Clone, Debug)]
pub struct Services {
    /// The facts served now.
    pub facts: Arc<Reloader>,
    /// The quiz engine over the store, if the front end has one.
    pub engine: Option<Arc<Engine>>,
    /// Rate limits per user and channel, if any (the terminal's one local user has none).
    pub rate: Option<Arc<RateLimiter>>,
    /// Where "now" comes from (the wall clock; tests set one by hand).
    pub clock: crate::daily::Clock,
}

/// Answers a request with the facts served now. May block on the store: see
/// [`waits_on_store`] and [`respond`]. A request over its rate limit gets a private "try again
/// in N seconds" and runs nothing. A panic in a handler becomes an apology.
pub fn handle(services: &Services, req: &Request, now_ms: i64) -> Outcome {
    if let (Some(rate), Some(class)) = (&services.rate, rate_class(req))
        && let Err(seconds) = rate.check(&req.user, &req.channel, class, now_ms)
    {
        return Outcome::of(Response::Message(Reply::notice(
            crate::ratelimit::slow_down(seconds),
        )));
    }
    // One version of the facts for the whole request, even if a reload lands meanwhile.
    let knowledge = services.facts.current();
    let ctx = Ctx {
        knowledge: &knowledge,
        user: &req.user,
        guild: req.guild.as_deref(),
        channel: &req.channel,
        can_manage: req.can_manage,
        can_manage_server: req.can_manage_server,
        placement: req.placement,
        reloader: Some(&services.facts),
        now_ms,
        quiz: services.engine.as_deref(),
    };
    let run = || dispatch(&ctx, req);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::error!(user = %req.user, "answering panicked; sent an apology");
            Outcome::of(Response::Message(Reply::notice(APOLOGY)))
        }
    }
}

/// Which rate limit a request counts against; `None` for what is never limited: quiz answers
/// (a lost answer is worse than a busy bot), stopping a quiz, forms other than reports,
/// autocomplete.
pub fn rate_class(req: &Request) -> Option<Class> {
    let of_command = |name: &str, subcommand: Option<&str>| match (name, subcommand) {
        ("ask", _) => Some(Class::Ask),
        ("quiz", Some("start")) => Some(Class::QuizStart),
        ("quiz", Some("stats")) | ("stats" | "leaderboard" | "privacy", _) => Some(Class::Report),
        ("quiz", _) => None,
        ("study", _) => Some(Class::Study),
        ("daily", _) => Some(Class::Report),
        _ => Some(Class::Lookup),
    };
    match &req.kind {
        RequestKind::Command {
            name, subcommand, ..
        } => of_command(name, subcommand.as_deref()),
        RequestKind::Bound { spec, args } => of_command(spec.name, args.subcommand),
        RequestKind::Click { id } => match Action::decode(id) {
            Some(Action::Page(name, args, _)) => of_command(name, args.subcommand),
            Some(Action::Show(..)) => Some(Class::Lookup),
            Some(Action::Study(..) | Action::StudyNext(..) | Action::Daily(..)) => {
                Some(Class::Study)
            }
            Some(Action::PrivacyDelete) => Some(Class::Report),
            // Opening a report's form costs nothing; its submission is limited.
            Some(Action::Report(..) | Action::ReportRight(..) | Action::ReportStudy(..)) => None,
            Some(
                Action::QuizChoice(..)
                | Action::QuizAnswer(..)
                | Action::QuizLastTry(..)
                | Action::QuizNext(..),
            )
            | None => None,
        },
        RequestKind::Submit { id, .. } => Action::decode(id)
            .and_then(|a| commands::report::About::of(&a))
            .map(|_| Class::Feedback),
        RequestKind::Autocomplete { .. } => None,
    }
}

fn dispatch(ctx: &Ctx<'_>, req: &Request) -> Outcome {
    match &req.kind {
        RequestKind::Command {
            name,
            subcommand,
            options,
        } => {
            let Some(spec) = find(name) else {
                return Outcome::of(Response::Message(Reply::notice(format!(
                    "I don't know the command /{}. It may have been removed in an update; type /help to see what I can do.",
                    crate::reply::echo(name)
                ))));
            };
            match bind(spec, subcommand.as_deref(), options) {
                Ok(args) => Outcome::message(command(ctx, spec, &args, 0)),
                Err(e) => Outcome::of(Response::Message(Reply::notice(bind_error(spec, &e)))),
            }
        }
        RequestKind::Bound { spec, args } => Outcome::message(command(ctx, spec, args, 0)),
        RequestKind::Click { id } => click(ctx, id),
        RequestKind::Submit { id, text, second } => match Action::decode(id) {
            Some(action) if commands::report::About::of(&action).is_some() => {
                let about = commands::report::About::of(&action).expect("checked just above");
                Outcome::of(Response::Message(commands::report::submit(
                    ctx,
                    &about,
                    text,
                    second.as_deref(),
                )))
            }
            Some(Action::QuizAnswer(session, index)) => Outcome::of(Response::Message(
                commands::quiz::quiz_answer(ctx, session, index, &Answer::Text(text.clone())),
            )),
            Some(Action::QuizLastTry(session, index)) => Outcome::of(Response::Message(
                commands::quiz::quiz_answer(ctx, session, index, &Answer::LastTry(text.clone())),
            )),
            _ => Outcome::of(Response::Message(Reply::notice(
                "This form is from an older version of the bot. Please answer the next question.",
            ))),
        },
        RequestKind::Autocomplete {
            command,
            option,
            partial,
        } => Outcome::of(Response::Choices(autocomplete(
            ctx.knowledge,
            command,
            option,
            partial,
        ))),
    }
}

/// A binding error as a chat sentence; stale registrations get a hint.
fn bind_error(spec: &CommandSpec, e: &ParseError) -> String {
    let mut s = e.sentence();
    if let ParseError::BadValue { message, .. } = e
        && (message.starts_with("there is no option") || message.starts_with("there is no “"))
    {
        s = format!(
            "/{} {s} The command may have changed in an update; try again in a minute.",
            spec.name
        );
    }
    s
}

/// Runs a command and adds its buttons: suggestions, and pages of a long list.
fn command(ctx: &Ctx<'_>, spec: &'static CommandSpec, args: &Args, page: usize) -> Reply {
    let mut reply = commands::run(ctx, spec, args);
    reply.page = page.min(reply.page_count() - 1);
    let suggestions: Vec<Button> = reply
        .suggestions
        .iter()
        .take(MAX_SUGGESTIONS)
        .map(|s: &EntryRef| {
            Button::new(
                Action::Show(s.kind, s.id.clone()).encode(),
                s.title.clone(),
                ButtonStyle::Secondary,
            )
        })
        .collect();
    if !suggestions.is_empty() {
        reply.buttons.push(suggestions);
    }
    let pages = reply.page_count();
    if pages > 1 {
        let page = reply.page;
        let mut previous = Button::new(
            Action::Page(spec.name, args.clone(), page.saturating_sub(1)).encode(),
            "◀ Previous",
            ButtonStyle::Primary,
        );
        previous.disabled = page == 0;
        let mut next = Button::new(
            Action::Page(spec.name, args.clone(), page + 1).encode(),
            "Next ▶",
            ButtonStyle::Primary,
        );
        next.disabled = page + 1 >= pages;
        reply.buttons.push(vec![previous, next]);
    }
    reply
}

fn click(ctx: &Ctx<'_>, id: &str) -> Outcome {
    let k = ctx.knowledge;
    match Action::decode(id) {
        Some(Action::Show(kind, entry)) => match k.facts.get(kind, &entry) {
            Some(e) => Outcome::message(commands::entry_reply(&k.facts, e)),
            None => Outcome::message(Reply::notice(
                "That entry is no longer in the fact base (it may have been renamed in an update). Try searching with /fact.",
            )),
        },
        Some(Action::Page(name, args, page)) => match find(name) {
            Some(spec) => Outcome::of(Response::Update(command(ctx, spec, &args, page))),
            None => Outcome::message(Reply::notice(APOLOGY)),
        },
        Some(Action::QuizChoice(session, index, choice)) => Outcome::message(
            commands::quiz::quiz_answer(ctx, session, index, &Answer::Choice(choice)),
        ),
        // Decided before any store access: the form opens at once.
        Some(Action::QuizAnswer(session, index)) => Outcome::of(Response::Form(Form {
            id: Action::QuizAnswer(session, index).encode(),
            title: "Type your answer".into(),
            label: "Your answer".into(),
            max_len: ANSWER_MAX,
            long: false,
            second: None,
        })),
        Some(Action::QuizLastTry(session, index)) => Outcome::of(Response::Form(Form {
            id: Action::QuizLastTry(session, index).encode(),
            title: "One more try".into(),
            label: "Your answer, more specific".into(),
            max_len: ANSWER_MAX,
            long: false,
            second: None,
        })),
        Some(action @ (Action::Report(..) | Action::ReportRight(..) | Action::ReportStudy(..))) => {
            let right = matches!(action, Action::ReportRight(..));
            Outcome::of(Response::Form(Form {
                id: action.encode(),
                title: if right {
                    "My answer was right"
                } else {
                    "Report this question"
                }
                .into(),
                label: if right {
                    "Why is your answer right?"
                } else {
                    "What is wrong?"
                }
                .into(),
                max_len: commands::report::TEXT_MAX,
                long: true,
                second: Some((
                    "A source that shows it (a link), if you have one".into(),
                    commands::report::SOURCE_MAX,
                )),
            }))
        }
        Some(Action::Study(choice, question)) => {
            let reply = commands::quiz::study_answer(ctx, choice, &question);
            if reply.is_notice() {
                Outcome::message(reply)
            } else {
                Outcome::of(Response::Update(reply))
            }
        }
        Some(Action::Daily(choice, date, question)) => {
            Outcome::message(commands::daily::answer(ctx, choice, &date, &question))
        }
        Some(Action::PrivacyDelete) => {
            Outcome::of(Response::Update(commands::privacy::delete_now(ctx)))
        }
        Some(Action::QuizNext(session)) => {
            Outcome::message(commands::quiz::quiz_next(ctx, session))
        }
        Some(Action::StudyNext(topic)) => {
            let reply = commands::quiz::study_next_click(ctx, topic);
            if reply.is_notice() {
                Outcome::message(reply)
            } else {
                Outcome::of(Response::Update(reply))
            }
        }
        None => Outcome::message(Reply::notice(
            "This button is from an older version of the bot and no longer works. Please run the command again.",
        )),
    }
}

/// Autocomplete choices for the option being typed, from memory.
pub fn autocomplete(k: &Knowledge, command: &str, option: &str, partial: &str) -> Vec<Choice> {
    let kind = find(command)
        .and_then(|spec| spec.options.iter().find(|o| o.name == option))
        .map(|o| o.kind);
    match kind {
        Some(OptionKind::Lookup(scope)) => k
            .index
            .complete(partial, scope, MAX_CHOICES)
            .into_iter()
            .map(|c| {
                let name = k.facts.entries[c.entry].name.clone();
                Choice {
                    name: name.clone(),
                    value: name,
                }
            })
            .collect(),
        Some(OptionKind::CommandName) => {
            let typed = partial.trim().trim_start_matches('/').to_lowercase();
            COMMANDS
                .iter()
                .filter(|c| c.name.contains(&typed))
                .take(MAX_CHOICES)
                .map(|c| Choice {
                    name: format!("/{}", c.name),
                    value: c.name.to_string(),
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Whether answering may wait on the store or on a file (so it runs off the async threads and
/// may be deferred): store commands when there is a store, and `/reload` always. Autocomplete,
/// lookups, pages of fact lists and opening a form never do.
pub fn waits_on_store(services: &Services, req: &Request) -> bool {
    let spec = match &req.kind {
        RequestKind::Command { name, .. } => find(name),
        RequestKind::Bound { spec, .. } => Some(*spec),
        _ => None,
    };
    if spec.is_some_and(|s| s.reads_files) {
        return true;
    }
    if services.engine.is_none() {
        return false;
    }
    match &req.kind {
        RequestKind::Command { name, .. } => find(name).is_some_and(|s| s.uses_store),
        RequestKind::Bound { spec, .. } => spec.uses_store,
        RequestKind::Click { id } => match Action::decode(id) {
            Some(Action::Page(name, ..)) => find(name).is_some_and(|s| s.uses_store),
            Some(
                Action::QuizChoice(..)
                | Action::QuizNext(..)
                | Action::Study(..)
                | Action::StudyNext(..)
                | Action::Daily(..)
                | Action::PrivacyDelete,
            ) => true,
            _ => false,
        },
        RequestKind::Submit { .. } => true,
        RequestKind::Autocomplete { .. } => false,
    }
}

/// How to acknowledge a request whose answer is late.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deferral {
    /// "Thinking…" for a new message (private or not); the answer then replaces it.
    Message {
        /// Whether the answer will be private.
        ephemeral: bool,
    },
    /// Acknowledge a click without changing its message yet.
    Update,
}

/// How a request would be deferred: a command as a message (private for personal and operator
/// commands), a click or form as an update.
pub fn deferral(req: &Request) -> Deferral {
    match &req.kind {
        RequestKind::Command { name, .. } => Deferral::Message {
            ephemeral: find(name).is_some_and(answers_privately),
        },
        RequestKind::Bound { spec, .. } => Deferral::Message {
            ephemeral: answers_privately(spec),
        },
        _ => Deferral::Update,
    }
}

/// Whether a command's answer is for the asker alone: `/study`, and what only those who run the
/// bot may do (`/reload`).
fn answers_privately(spec: &CommandSpec) -> bool {
    spec.name == "study" || spec.manage_server
}

/// An answer, on time or after a deferral.
#[derive(Debug)]
pub enum Responded {
    /// Answered within the deadline: send it as the response.
    OnTime(Outcome),
    /// The deadline passed: the front end deferred as asked, and now completes the response
    /// (edits the deferred message, or sends a follow-up).
    Late(Outcome, Deferral),
}

/// Answers a request, running store work on the blocking pool; if it has not answered within
/// `defer_after`, calls `defer` (which sends the front end's acknowledgement) and then waits
/// for the answer. Nothing is lost: the handler runs to its end either way.
pub async fn respond<F, Fut>(
    services: Arc<Services>,
    req: Request,
    defer_after: Duration,
    defer: F,
) -> Responded
where
    F: FnOnce(Deferral) -> Fut,
    Fut: Future<Output = ()>,
{
    let now = services.clock.now_ms();
    if !waits_on_store(&services, &req) {
        return Responded::OnTime(handle(&services, &req, now));
    }
    let kind = deferral(&req);
    let mut task = tokio::task::spawn_blocking(move || handle(&services, &req, now));
    let joined = |r: Result<Outcome, tokio::task::JoinError>| {
        r.unwrap_or_else(|e| {
            tracing::error!("an interaction's handler failed: {e}");
            Outcome::of(Response::Message(Reply::notice(APOLOGY)))
        })
    };
    match tokio::time::timeout(defer_after, &mut task).await {
        Ok(r) => Responded::OnTime(joined(r)),
        Err(_) => {
            defer(kind).await;
            Responded::Late(joined(task.await), kind)
        }
    }
}

/// Whether a request answers a quiz question (a choice clicked, or a typed answer submitted),
/// for front ends that count them.
pub fn answers_quiz(req: &Request) -> bool {
    match &req.kind {
        RequestKind::Click { id } => matches!(Action::decode(id), Some(Action::QuizChoice(..))),
        RequestKind::Submit { id, .. } => {
            matches!(Action::decode(id), Some(Action::QuizAnswer(..)))
        }
        _ => false,
    }
}

/// Whether an outcome is a lookup (a command with an entry to look up) that matched nothing,
/// for front ends that count them.
pub fn missed_lookup(req: &Request, outcome: &Outcome) -> bool {
    let spec = match &req.kind {
        RequestKind::Command { name, .. } => find(name),
        RequestKind::Bound { spec, .. } => Some(*spec),
        _ => None,
    };
    let looks_up = spec.is_some_and(|s| {
        s.options
            .iter()
            .any(|o| matches!(o.kind, OptionKind::Lookup(_)))
    });
    looks_up
        && matches!(&outcome.response, Response::Message(r) if r.matched.is_none() && !r.is_notice())
}

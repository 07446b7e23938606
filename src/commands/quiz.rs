//! `/quiz`, `/study`, `/leaderboard` and `/stats`: the commands that use the quiz engine and
//! its store. Each answers with a [`Reply`]; starting and stopping a quiz also carry an
//! [`Effect`] for the front end, which runs the rounds.

use super::{Args, Ctx};
use crate::quiz::Topic;
use crate::quiz::session::{
    DEFAULT_QUESTIONS, DEFAULT_SECONDS, Engine, Mode, StartParams, Started, Stopped,
};
use crate::reply::{Effect, Prompt, Reply, user_ref};
use crate::store::{Card, ScoreRow};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The topic words `/quiz start topic:` and `/study next topic:` accept ("all" = every topic).
pub const TOPIC_CHOICES: &[&str] = &[
    "all",
    "members",
    "partners",
    "summits",
    "shanghai-five",
    "bodies",
    "documents",
    "principles",
    "terms",
    "people",
    "claims",
];

/// `part` of `whole` in whole percent (0 when there is nothing yet).
fn percent(part: u32, whole: u32) -> u32 {
    (100 * part).checked_div(whole).unwrap_or(0)
}

fn topic_of(args: &Args) -> Option<Topic> {
    args.text("topic").and_then(Topic::from_key)
}

fn unavailable() -> Reply {
    let mut r = Reply::new(
        "Quizzes need the bot's database",
        "Quizzes, study and scores run in the Discord bot, or offline with `sco-bot quiz` in a terminal.",
    );
    r.ephemeral = true;
    r
}

fn private(title: &str, body: impl Into<String>) -> Reply {
    let mut r = Reply::new(title, body);
    r.ephemeral = true;
    r
}

fn sorry_store(e: &crate::store::StoreError) -> Reply {
    tracing::error!("the store failed: {e}");
    private(
        "Sorry, I could not reach my database",
        "Nothing was lost; please try again in a moment. If it keeps happening, tell the bot's operator.",
    )
}

/// Lines of a scoreboard, best first.
pub fn scoreboard_lines(board: &[ScoreRow], limit: usize) -> Vec<String> {
    board
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, r)| {
            format!(
                "{}. {} — {} points ({} of {} right, best streak {})",
                i + 1,
                user_ref(&r.user),
                r.points,
                r.correct,
                r.answered,
                r.best_streak
            )
        })
        .collect()
}

/// `/quiz start|stop`.
pub fn quiz(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    match args.subcommand {
        Some("stop") => stop(c, engine),
        _ => start(c, engine, args),
    }
}

fn start(c: &Ctx<'_>, engine: &Engine, args: &Args) -> Reply {
    let topic = topic_of(args);
    let mode = args
        .text("mode")
        .and_then(Mode::from_key)
        .unwrap_or(Mode::Buttons);
    let params = StartParams {
        guild: c.guild.map(str::to_string),
        channel: c.channel.to_string(),
        starter: c.user.to_string(),
        topic,
        // The engine clamps to its limits; the table's option ranges say the same.
        questions: args
            .integer("questions")
            .map_or(DEFAULT_QUESTIONS, |n| u32::try_from(n).unwrap_or(0)),
        seconds: args
            .integer("seconds")
            .map_or(DEFAULT_SECONDS, |n| u32::try_from(n).unwrap_or(0)),
        mode,
        // A fresh order each time, yet reproducible from the stored seed after a restart.
        seed: c.now_ms as u64 ^ u64::from(c.channel.len() as u32).rotate_left(32),
    };
    match engine.start(&params, c.now_ms) {
        Ok(Started::Started(s)) => {
            let on = topic.map_or("every topic".to_string(), |t| t.label().to_string());
            let how = match mode {
                Mode::Buttons => "pick one of four buttons",
                Mode::Typed => "press Answer and type it",
            };
            let mut r = Reply::new(
                format!("Quiz: {} questions on {on}", s.questions),
                format!(
                    "Started by {}. {} seconds per question: {how}. One answer per person per question, locked in when given. A right answer scores 10 points, plus up to 5 for speed. The starter or a moderator can end it with /quiz stop.",
                    user_ref(c.user),
                    s.seconds
                ),
            );
            r.effect = Some(Effect::QuizStarted(s.id));
            r
        }
        Ok(Started::AlreadyRunning { starter, .. }) => private(
            "A quiz is already running here",
            format!(
                "{} started one in this channel. Join in, or wait for it to end (they or a moderator can /quiz stop it).",
                user_ref(&starter)
            ),
        ),
        Ok(Started::NoQuestions) => private(
            "No questions on that topic",
            "Try another topic, or leave the topic out for a mix.",
        ),
        Err(e) => sorry_store(&e),
    }
}

fn stop(c: &Ctx<'_>, engine: &Engine) -> Reply {
    match engine.stop(c.channel, c.user, c.can_manage, c.now_ms) {
        Ok(Stopped::Stopped { session, .. }) => {
            // The round's reveal and the final scores follow in the channel.
            let mut r = Reply::new(
                "Quiz stopped",
                format!(
                    "{} ended the quiz. Answers already given were scored; the last answer and the final scores follow.",
                    user_ref(c.user)
                ),
            );
            r.effect = Some(Effect::QuizStopped(session));
            r
        }
        Ok(Stopped::NotAllowed { starter }) => private(
            "Only the starter or a moderator can stop this quiz",
            format!(
                "{} started it; members with the Manage Messages permission can stop it too.",
                user_ref(&starter)
            ),
        ),
        Ok(Stopped::NoSession) => private("No quiz is running here", "Start one with /quiz start."),
        Err(e) => sorry_store(&e),
    }
}

/// `/study next|stats`.
pub fn study(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    match args.subcommand {
        Some("stats") => study_stats(c, engine),
        _ => study_next(c, engine, topic_of(args)),
    }
}

/// The next question for a user: the most overdue card, else one never seen, else none.
pub fn next_study_question<'e>(
    engine: &'e Engine,
    user: &str,
    topic: Option<Topic>,
    now_ms: i64,
) -> Result<(Option<&'e crate::quiz::Question>, Vec<Card>), crate::store::StoreError> {
    // Cards of this topic whose question is still in the bank (an update of the facts may
    // have removed one; it must not block the others).
    let cards: Vec<Card> = engine
        .store()
        .cards(user)?
        .into_iter()
        .filter(|c| topic.is_none_or(|want| want.key() == c.topic))
        .filter(|c| engine.question(&c.question_id).is_some())
        .collect();
    let due = cards
        .iter()
        .filter(|c| c.due_ms <= now_ms)
        .min_by_key(|c| c.due_ms)
        .and_then(|c| engine.question(&c.question_id));
    if due.is_some() {
        return Ok((due, cards));
    }
    // Each user meets new questions in an order of their own.
    let seed = crate::quiz::rng::fnv1a(user);
    let fresh = engine
        .order(topic, seed)
        .into_iter()
        .find(|q| !cards.iter().any(|c| c.question_id == q.id));
    Ok((fresh, cards))
}

/// The reply that puts a study question to a user.
pub fn study_reply(q: &crate::quiz::Question, topic: Option<Topic>) -> Reply {
    let mut r = Reply::new(format!("Study · {}", q.topic.label()), q.prompt.clone());
    r.ephemeral = true;
    r.prompt = Some(Prompt {
        question_id: q.id.clone(),
        choices: q.choices.clone(),
    });
    if let Some(t) = topic {
        r.field("Topic", t.label(), true);
    }
    r
}

fn study_next(c: &Ctx<'_>, engine: &Engine, topic: Option<Topic>) -> Reply {
    match next_study_question(engine, c.user, topic, c.now_ms) {
        Ok((Some(q), _)) => study_reply(q, topic),
        Ok((None, cards)) => {
            let next = cards.iter().map(|c| c.due_ms).min();
            let when = next.map_or("later".to_string(), |due| {
                let days = (due - c.now_ms).max(0) as f64 / DAY_MS as f64;
                format!("in {days:.1} days")
            });
            private(
                "Nothing to study right now",
                format!(
                    "You have seen every question here and none is due; the next review is {when}."
                ),
            )
        }
        Err(e) => sorry_store(&e),
    }
}

fn study_stats(c: &Ctx<'_>, engine: &Engine) -> Reply {
    match engine.store().study_stats(c.user, c.now_ms) {
        Ok(topics) if topics.is_empty() => private(
            "No study history yet",
            "Start with /study next; questions you miss come back sooner.",
        ),
        Ok(topics) => {
            let mut r = private(
                "Your study progress",
                "Per topic: answers given, how often they were right, and how many questions are due for review now.",
            );
            for t in topics {
                let label =
                    Topic::from_key(&t.topic).map_or(t.topic.clone(), |x| x.label().to_string());
                let pct = percent(t.correct, t.seen);
                r.field(
                    &label,
                    format!("{} answered · {pct}% right · {} due", t.seen, t.due),
                    true,
                );
            }
            r
        }
        Err(e) => sorry_store(&e),
    }
}

/// `/leaderboard [scope] [period]`.
pub fn leaderboard(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    let global = args.text("scope") == Some("global") || c.guild.is_none();
    let (since, period) = match args.text("period") {
        Some("week") => (Some(c.now_ms - 7 * DAY_MS), "this week"),
        Some("month") => (Some(c.now_ms - 30 * DAY_MS), "in the last 30 days"),
        _ => (None, "of all time"),
    };
    let guild = if global { None } else { c.guild };
    match engine.store().leaderboard(guild, since, 10) {
        Ok(rows) => {
            let where_ = if global {
                "everywhere"
            } else {
                "on this server"
            };
            let mut r = Reply::new(
                format!("Leaderboard {period}"),
                format!("Quiz points {where_}, {period}."),
            );
            if rows.is_empty() {
                r.body =
                    format!("No quiz points {where_} {period} yet. Start a quiz with /quiz start!");
            }
            r.items = rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    format!(
                        "{}. {} — {} points ({} of {} right)",
                        i + 1,
                        user_ref(&row.user),
                        row.points,
                        row.correct,
                        row.answered
                    )
                })
                .collect();
            r
        }
        Err(e) => sorry_store(&e),
    }
}

/// `/stats [user]`.
pub fn stats(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    let user = args.text("user").unwrap_or(c.user);
    match engine.store().user_stats(user) {
        Ok(s) => {
            let mut r = Reply::new(
                "Quiz statistics",
                format!("{}'s quiz record.", user_ref(user)),
            );
            r.field("Games", s.games.to_string(), true);
            r.field("Answers", s.answered.to_string(), true);
            let pct = percent(s.correct, s.answered);
            r.field("Right", format!("{} ({pct}%)", s.correct), true);
            r.field("Best streak", s.best_streak.to_string(), true);
            for t in s.per_topic {
                let label =
                    Topic::from_key(&t.topic).map_or(t.topic.clone(), |x| x.label().to_string());
                let pct = percent(t.correct, t.answered);
                r.field(
                    &label,
                    format!("{} of {} right ({pct}%)", t.correct, t.answered),
                    true,
                );
            }
            r
        }
        Err(e) => sorry_store(&e),
    }
}

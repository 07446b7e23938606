//! `/quiz`, `/study`, `/leaderboard` and `/stats`, what their buttons and forms do, and the
//! replies that show a quiz round, its reveal and the final scores. Every front end shows these
//! same replies; none words a quiz outcome itself.

use super::ids::Action;
use super::{Args, Ctx};
use crate::facts::Kind;
use crate::quiz::Topic;
use crate::quiz::check;
use crate::quiz::session::{
    Answer, Answered, Closed, DEFAULT_QUESTIONS, DEFAULT_SECONDS, Engine, Mode, RoundView,
    StartParams, Started, Stopped,
};
use crate::reply::{Button, ButtonStyle, Effect, Prompt, Reply, user_ref};
use crate::store::{AnswerOutcome, Card, ScoreRow, SessionStatus, StoreError};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Letters of the four choices.
pub const LETTERS: [&str; 4] = ["A", "B", "C", "D"];

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
    Reply::notice(
        "Quizzes, study and scores need a database: the Discord bot has one; in a terminal, add --db FILE (for example sco-bot --db quiz.db repl).",
    )
}

fn private(title: &str, body: impl Into<String>) -> Reply {
    let mut r = Reply::new(title, body);
    r.ephemeral = true;
    r
}

/// What a user sees when the store failed; the cause goes to the log.
pub fn sorry_store(e: &StoreError) -> Reply {
    tracing::error!("the store failed: {e}");
    match e {
        StoreError::Full { .. } => {
            return private(
                "Sorry, my database's disk is full",
                "What you just did was not saved (what was saved before is safe). Please tell the bot's operator; try again once they have freed some space.",
            );
        }
        StoreError::ReadOnly { .. } => {
            return private(
                "Sorry, my database is read-only",
                "What you just did was not saved (what was saved before is safe). Please tell the bot's operator; try again once they have made it writable.",
            );
        }
        _ => {}
    }
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
    let Some(placement) = c.placement else {
        return private(
            "Quizzes in this channel need the bot itself",
            "Here the quiz's rounds would be posted by the bot, and this server runs it without its bot token, so nobody would see them. Ask whoever runs the bot to give it its token (DISCORD_TOKEN), or to add the bot to this server. Lookups, /ask and /study work here as they are.",
        );
    };
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
        seed: c.now_ms as u64 ^ crate::quiz::rng::fnv1a(c.channel).rotate_left(32),
        placement,
    };
    match engine.start(c.knowledge.bank(), &params, c.now_ms) {
        Ok(Started::Started(s)) => {
            let on = topic.map_or("every topic".to_string(), |t| t.label().to_string());
            let how = match mode {
                Mode::Buttons => "pick one of four choices",
                Mode::Typed => "type the answer",
            };
            let mut r = Reply::new(
                format!(
                    "Quiz: {} question{} on {on}",
                    s.questions,
                    if s.questions == 1 { "" } else { "s" }
                ),
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
                "{} started it; moderators of this channel can stop it too.",
                user_ref(&starter)
            ),
        ),
        Ok(Stopped::NoSession) => private("No quiz is running here", "Start one with /quiz start."),
        Err(e) => sorry_store(&e),
    }
}

/// "Next question" of a quiz played through interaction responses: the next rounds follow this
/// click's answer, if the quiz still runs.
pub fn quiz_next(c: &Ctx<'_>, session: i64) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    match engine.store().session(session) {
        Ok(Some(s)) if s.status == SessionStatus::Active => {
            let mut r = Reply {
                body: format!("{} asked for the next question.", user_ref(c.user)),
                ..Reply::default()
            };
            r.effect = Some(Effect::QuizContinue(session));
            r
        }
        Ok(_) => Reply::notice("This quiz is over. Start a new one with /quiz start."),
        Err(e) => sorry_store(&e),
    }
}

/// The button that ends a batch of rounds played through interaction responses: clicking it
/// sends a fresh interaction, which carries the next rounds.
pub fn next_button(session: i64) -> Button {
    Button::new(
        Action::QuizNext(session).encode(),
        "Next question",
        ButtonStyle::Primary,
    )
}

/// How the reply to a broader answer begins; a front end that lets the player try once more
/// (the terminal) recognises it by this.
pub const MORE_SPECIFIC: &str = "More specific, please";

/// A player picked a choice, or typed an answer, in a quiz round.
pub fn quiz_answer(c: &Ctx<'_>, session: i64, index: u32, answer: &Answer) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    match engine.answer(c.knowledge.bank(), session, index, c.user, answer, c.now_ms) {
        Ok(Answered::MoreSpecific { broader }) => {
            let mut r = Reply::notice(format!(
                "{MORE_SPECIFIC}: “{}” is broader than the answer, or only part of it. Nothing is locked in yet; try once more.",
                crate::reply::echo(&broader)
            ));
            r.buttons.push(vec![Button {
                id: Action::QuizLastTry(session, index).encode(),
                label: "One more try".into(),
                style: ButtonStyle::Primary,
                disabled: false,
            }]);
            r
        }
        Ok(Answered::Stored(AnswerOutcome::Recorded)) => Reply::notice(match answer {
            Answer::Choice(i) => format!(
                "Locked in: {}. The answer comes when time is up.",
                LETTERS[(*i).min(3)]
            ),
            Answer::Text(t) | Answer::LastTry(t) => format!(
                "Locked in: “{}”. The answer comes when time is up.",
                crate::reply::echo(t)
            ),
        }),
        Ok(Answered::Stored(AnswerOutcome::AlreadyAnswered)) => {
            Reply::notice("You already answered this question; answers are locked once given.")
        }
        Ok(Answered::Stored(AnswerOutcome::TooLate)) => {
            Reply::notice("Too late: this question is closed. Try the next one!")
        }
        Ok(Answered::Stored(AnswerOutcome::NoSuchQuestion)) => {
            Reply::notice("This quiz is over. Start a new one with /quiz start.")
        }
        Err(e) => sorry_store(&e),
    }
}

/// The reply that shows a quiz round: its question, its choices (or how to answer), and the
/// buttons to answer with; once closed, the buttons are disabled and the right one marked.
pub fn round_reply(round: &RoundView, closed: bool) -> Reply {
    let q = &round.question;
    let mut r = Reply::new(
        format!(
            "Question {} of {} · {}",
            round.index + 1,
            round.total,
            q.topic.label()
        ),
        q.prompt.clone(),
    );
    r.kind = Some(Kind::Summit);
    r.deadline_ms = Some(round.deadline_ms);
    let mut note = vec![format!(
        "One answer each, locked in · {}",
        match round.mode {
            Mode::Buttons => "pick a letter",
            Mode::Typed => "type your answer",
        }
    )];
    if let Some(d) = round.difficulty() {
        note.push(format!(
            "difficulty: {d} ({}% right so far)",
            100 * round.answered_right / round.asked.max(1)
        ));
    }
    r.note = Some(note.join(" · "));
    match round.mode {
        Mode::Buttons => {
            r.prompt = Some(Prompt {
                question_id: q.id.clone(),
                choices: q.choices.clone(),
            });
            let row = q
                .choices
                .iter()
                .enumerate()
                .take(4)
                .map(|(i, choice)| Button {
                    id: Action::QuizChoice(round.session, round.index, i).encode(),
                    label: format!("{} · {choice}", LETTERS[i]),
                    style: match (closed, i == q.correct) {
                        (false, _) => ButtonStyle::Primary,
                        (true, true) => ButtonStyle::Success,
                        (true, false) => ButtonStyle::Secondary,
                    },
                    disabled: closed,
                })
                .collect();
            r.buttons.push(row);
        }
        Mode::Typed => r.buttons.push(vec![Button {
            id: Action::QuizAnswer(round.session, round.index).encode(),
            label: if closed { "Closed" } else { "Answer" }.into(),
            style: ButtonStyle::Primary,
            disabled: closed,
        }]),
    }
    r
}

/// The reveal after a round: the answer, what else was accepted, why, the sources, the points.
pub fn reveal_reply(k: &crate::Knowledge, closed: &Closed) -> Reply {
    let q = &closed.round.question;
    let right = closed.result.answers.iter().filter(|a| a.correct).count();
    let mut r = Reply::new(format!("Answer: {}", closed.reveal), q.explanation.clone());
    r.kind = Some(Kind::Term);
    let mut round = format!("{} answered, {right} right.", closed.result.answers.len());
    let mut best: Vec<_> = closed.result.answers.iter().filter(|a| a.correct).collect();
    best.sort_by_key(|a| std::cmp::Reverse(a.points));
    for a in best.iter().take(5) {
        round.push_str(&format!("\n{} +{}", user_ref(&a.user), a.points));
    }
    r.field("This round", round, false);
    r.field(
        "Scores",
        scoreboard_lines(&closed.scoreboard, 5).join("\n"),
        false,
    );
    r.cite(&k.facts, q.sources.iter().map(String::as_str));
    let (session, index) = (closed.round.session, closed.round.index);
    let mut row = vec![super::report::report_button(session, index)];
    if closed.round.mode == Mode::Typed {
        row.push(super::report::right_button(session, index));
    }
    r.buttons.push(row);
    r
}

/// The final scoreboard of a session.
pub fn final_reply(scoreboard: &[ScoreRow], stopped: bool) -> Reply {
    let lines = scoreboard_lines(scoreboard, 10);
    let body = if lines.is_empty() {
        "Nobody answered. Try again with /quiz start!".to_string()
    } else {
        lines.join("\n")
    };
    Reply::new(if stopped { "Quiz stopped" } else { "Quiz over" }, body)
}

/// `/study next|stats|export`.
pub fn study(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    match args.subcommand {
        Some("stats") => study_stats(c, engine),
        Some("export") => study_export(c, engine, args),
        _ => study_next(c, engine, topic_of(args)),
    }
}

/// `/study export [format]`: the study questions the user has ever missed, as a deck file
/// attached to a private reply. The file is built in memory; nothing is written anywhere.
fn study_export(c: &Ctx<'_>, engine: &Engine, args: &Args) -> Reply {
    use crate::quiz::export::{Format, deck};
    let format = args
        .text("format")
        .and_then(Format::parse)
        .unwrap_or(Format::Anki);
    let cards = match engine.store().cards(c.user) {
        Ok(cards) => cards,
        Err(e) => return sorry_store(&e),
    };
    let bank = c.knowledge.bank();
    let mut missed: Vec<&crate::quiz::Question> = cards
        .iter()
        .filter(|card| card.correct < card.seen)
        .filter_map(|card| bank.get(&card.question_id))
        .collect();
    missed.sort_by(|a, b| (a.topic.key(), &a.id).cmp(&(b.topic.key(), &b.id)));
    if missed.is_empty() {
        return private(
            "Nothing to export yet",
            "The export holds the study questions you have missed, and you have missed none so far. Try /study next.",
        );
    }
    let text = deck(format, missed.iter().copied(), &c.knowledge.facts);
    let how = match format {
        Format::Anki => {
            "In Anki: File › Import, pick the file; the header lines set the fields and tags."
        }
        Format::Csv => "A CSV file (RFC 4180) with a header row, for a spreadsheet.",
    };
    let n = missed.len();
    let mut r = private(
        "Your missed questions",
        format!(
            "{n} question{} you have missed in study, with answers, explanations and sources. {how}",
            if n == 1 { "" } else { "s" }
        ),
    );
    r.attachment = Some(crate::reply::Attachment {
        name: format!("sco-bot-missed.{}", format.extension()),
        media_type: format.media_type(),
        bytes: text.into_bytes().into(),
        alt: "Your missed study questions".into(),
        svg: None,
    });
    r
}

/// The next question for a user: the most overdue card, else one never seen, else none.
pub fn next_study_question<'k>(
    engine: &Engine,
    bank: &'k crate::quiz::bank::Bank,
    user: &str,
    topic: Option<Topic>,
    now_ms: i64,
) -> Result<(Option<&'k crate::quiz::Question>, Vec<Card>), StoreError> {
    // Cards of this topic whose question is still in the bank (an update of the facts may
    // have removed one; it must not block the others).
    let cards: Vec<Card> = engine
        .store()
        .cards(user)?
        .into_iter()
        .filter(|c| topic.is_none_or(|want| want == c.topic))
        .filter(|c| bank.get(&c.question_id).is_some())
        .collect();
    let due = cards
        .iter()
        .filter(|c| c.due_ms <= now_ms)
        .min_by_key(|c| c.due_ms)
        .and_then(|c| bank.get(&c.question_id));
    if due.is_some() {
        return Ok((due, cards));
    }
    // Each user meets new questions in an order of their own.
    let seed = crate::quiz::rng::fnv1a(user);
    let fresh = bank
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
    let row = q
        .choices
        .iter()
        .enumerate()
        .take(4)
        .map(|(i, choice)| {
            Button::new(
                Action::Study(i, q.id.clone()).encode(),
                format!("{} · {choice}", LETTERS[i]),
                ButtonStyle::Primary,
            )
        })
        .collect();
    r.buttons.push(row);
    if let Some(t) = topic {
        r.field("Topic", t.label(), true);
    }
    r
}

fn study_next(c: &Ctx<'_>, engine: &Engine, topic: Option<Topic>) -> Reply {
    match next_study_question(engine, c.knowledge.bank(), c.user, topic, c.now_ms) {
        Ok((Some(q), _)) => study_reply(q, topic),
        Ok((None, cards)) => {
            let next = cards.iter().map(|c| c.due_ms).min();
            let when = next.map_or("later".to_string(), |due| due_in(due, c.now_ms));
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

/// The "next question" button (from a study answer): the next question, or a notice.
pub fn study_next_click(c: &Ctx<'_>, topic: Option<Topic>) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    match next_study_question(engine, c.knowledge.bank(), c.user, topic, c.now_ms) {
        Ok((Some(q), _)) => study_reply(q, topic),
        Ok((None, _)) => Reply::notice(
            "Nothing is due right now, and you have seen every question of this topic. Come back later!",
        ),
        Err(e) => sorry_store(&e),
    }
}

/// A user picked a choice of a study question: judged, scheduled, explained.
pub fn study_answer(c: &Ctx<'_>, choice: usize, question_id: &str) -> Reply {
    let Some(engine) = c.quiz else {
        return unavailable();
    };
    let Some(q) = c.knowledge.bank().get(question_id) else {
        return Reply::notice(
            "That question is no longer in the bank (the facts were updated). Try /study next.",
        );
    };
    let correct = choice == q.correct;
    let card = match engine
        .store()
        .record_study(c.user, &q.id, q.topic, correct, c.now_ms)
    {
        Ok(card) => card,
        Err(e) => return sorry_store(&e),
    };
    let mut reply = Reply::new(
        if correct { "Correct!" } else { "Not quite" },
        format!(
            "{}\n\nAnswer: {}\n{}",
            q.prompt,
            check::reveal(q),
            q.explanation
        ),
    );
    reply.ephemeral = true;
    let next = if correct {
        due_in(card.due_ms, c.now_ms)
    } else {
        format!(
            "{}: missed questions come back first",
            due_in(card.due_ms, c.now_ms)
        )
    };
    reply.field("Next review", next, true);
    reply.cite(&c.knowledge.facts, q.sources.iter().map(String::as_str));
    reply.buttons.push(vec![
        Button::new(
            Action::StudyNext(Some(q.topic)).encode(),
            "Next question",
            ButtonStyle::Primary,
        ),
        Button::new(
            Action::StudyNext(None).encode(),
            "Any topic",
            ButtonStyle::Secondary,
        ),
    ]);
    if let Some(report) = super::report::study_button(choice, &q.id) {
        reply.buttons.push(vec![report]);
    }
    reply
}

fn study_stats(c: &Ctx<'_>, engine: &Engine) -> Reply {
    match engine.store().study_stats(c.user, c.now_ms) {
        Ok(topics) if topics.is_empty() => private(
            "No study history yet",
            "Start with /study next; questions you miss come back sooner.",
        ),
        Ok(topics) => {
            let due: u32 = topics.iter().map(|t| t.due).sum();
            let week: u32 = topics.iter().map(|t| t.due_week).sum();
            let next = topics.iter().filter_map(|t| t.next_due_ms).min();
            let next = next.map_or("none".to_string(), |due| due_in(due, c.now_ms));
            let mut r = private(
                "Your study progress",
                format!(
                    "Due now: {due} · due this week: {week} · next review: {next}.\n\
                     Per topic: answers given and how often right, what is due, and retention \
                     (how often you recalled a question you had met before, from your reviews)."
                ),
            );
            for t in topics {
                let pct = percent(t.correct, t.seen);
                let retention = if t.reviews == 0 {
                    "retention: no reviews yet".to_string()
                } else {
                    format!(
                        "retention {}% of {} review{}",
                        percent(t.recalled, t.reviews),
                        t.reviews,
                        if t.reviews == 1 { "" } else { "s" }
                    )
                };
                r.field(
                    t.topic.label(),
                    format!(
                        "{} answered · {pct}% right · {} due now · {} this week · {retention}",
                        t.seen, t.due, t.due_week
                    ),
                    true,
                );
            }
            r
        }
        Err(e) => sorry_store(&e),
    }
}

/// When a card is due, from `now_ms`, in words: "now", "in 10 minutes", "in 5 hours",
/// "in 3 days".
fn due_in(due_ms: i64, now_ms: i64) -> String {
    const MINUTE_MS: i64 = 60_000;
    const HOUR_MS: i64 = 60 * MINUTE_MS;
    let wait = due_ms.saturating_sub(now_ms);
    let (n, unit) = if wait <= 0 {
        return "now".to_string();
    } else if wait < HOUR_MS {
        ((wait + MINUTE_MS - 1) / MINUTE_MS, "minute")
    } else if wait < 36 * HOUR_MS {
        ((wait + HOUR_MS / 2) / HOUR_MS, "hour")
    } else {
        ((wait + DAY_MS / 2) / DAY_MS, "day")
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
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
                r.body = format!(
                    "No quiz points yet ({where_}, {period}). Start a quiz with /quiz start!"
                );
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
            // The question of the day's streaks, per server.
            if let Some(g) = guild {
                match super::daily::server_streaks(engine.store(), g, c.now_ms, 10) {
                    Ok(streaks) if !streaks.is_empty() => {
                        let rows: Vec<String> = streaks
                            .iter()
                            .map(|(user, n)| {
                                format!(
                                    "{} — {n} day{}",
                                    user_ref(user),
                                    if *n == 1 { "" } else { "s" }
                                )
                            })
                            .collect();
                        r.field("Question of the day streaks", rows.join("\n"), false);
                    }
                    Ok(_) => {}
                    Err(e) => return sorry_store(&e),
                }
            }
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
        Ok(s) => stats_reply(user, &s),
        Err(e) => sorry_store(&e),
    }
}

/// A player's quiz record as a reply.
pub fn stats_reply(user: &str, s: &crate::store::UserStats) -> Reply {
    let mut r = Reply::new("Quiz statistics", format!("Player: {}.", user_ref(user)));
    r.field("Games", s.games.to_string(), true);
    r.field("Answers", s.answered.to_string(), true);
    let pct = percent(s.correct, s.answered);
    r.field("Right", format!("{} ({pct}%)", s.correct), true);
    r.field("Best streak", s.best_streak.to_string(), true);
    for t in &s.per_topic {
        let pct = percent(t.correct, t.answered);
        r.field(
            t.topic.label(),
            format!("{} of {} right ({pct}%)", t.correct, t.answered),
            true,
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_read_as_words() {
        let now = 1_767_225_600_000;
        assert_eq!(due_in(now - 5, now), "now");
        assert_eq!(due_in(now, now), "now");
        assert_eq!(due_in(now + 1, now), "in 1 minute");
        assert_eq!(due_in(now + 10 * 60_000, now), "in 10 minutes");
        assert_eq!(due_in(now + 3_600_000, now), "in 1 hour");
        assert_eq!(due_in(now + 35 * 3_600_000, now), "in 35 hours");
        assert_eq!(due_in(now + 36 * 3_600_000, now), "in 2 days");
        assert_eq!(due_in(now + 11 * DAY_MS, now), "in 11 days");
    }
}

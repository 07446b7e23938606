//! `/daily`: a server's question of the day. `set` and `off` (Manage Server) keep the
//! schedule in the store; `show` says when the next one is posted; `streak` counts the days
//! in a row the asking user answered it right. Also the day's post itself (a question with
//! answer buttons), what a click on one does, and the reveal. When posts are due is
//! `crate::daily`; posting them is the Discord front end's scheduler (`discord::daily`).

use super::ids::Action;
use super::quiz::{LETTERS, sorry_store};
use super::{Args, Ctx};
use crate::daily;
use crate::quiz::Question;
use crate::reply::{Button, ButtonStyle, Reply, user_ref};
use crate::store::{DailyAnswer, DailyPost, DailySchedule};

fn private(title: &str, body: impl Into<String>) -> Reply {
    let mut r = Reply::new(title, body);
    r.ephemeral = true;
    r
}

/// `/daily set|off|show|streak`.
pub fn daily(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(guild) = c.guild else {
        return Reply::notice(
            "The question of the day is posted in a channel of a Discord server, so /daily works there only. Here, /quiz start and /study next ask you questions.",
        );
    };
    let Some(engine) = c.quiz else {
        return Reply::notice(
            "The question of the day needs the bot's database, and this bot runs without one. Please tell the bot's operator.",
        );
    };
    let store = engine.store();
    match args.subcommand {
        Some("set") => set(c, store, guild, args),
        Some("off") => off(c, store, guild),
        Some("streak") => streak(c, store, guild),
        _ => show(c, store, guild),
    }
}

fn refuse_unless_manager(c: &Ctx<'_>, what: &str) -> Option<Reply> {
    (!c.can_manage_server).then(|| {
        Reply::notice(format!(
            "Sorry, only members who may manage this server (the Manage Server permission) can {what} the question of the day. /daily show says when it is posted; /daily streak shows your streak."
        ))
    })
}

fn set(c: &Ctx<'_>, store: &dyn crate::store::Store, guild: &str, args: &Args) -> Reply {
    if let Some(no) = refuse_unless_manager(c, "set") {
        return no;
    }
    let (Some(channel), Some(time)) = (args.text("channel"), args.text("time")) else {
        return Reply::notice(
            "Say where and when: /daily set channel:#quiz time:09:00 timezone:Europe/Moscow",
        );
    };
    let minute = match daily::parse_time(time) {
        Ok(m) => m,
        Err(e) => return Reply::notice(format!("{e}.")),
    };
    let zone = match daily::parse_zone(args.text("timezone").unwrap_or("UTC")) {
        Ok(z) => z,
        Err(e) => return Reply::notice(format!("{e}.")),
    };
    let schedule = DailySchedule {
        guild: guild.to_string(),
        channel: channel.to_string(),
        minute,
        zone,
        reveal_minutes: daily::REVEAL_AFTER_MINUTES,
        updated_ms: c.now_ms,
    };
    if let Err(e) = store.set_daily(&schedule) {
        return sorry_store(&e);
    }
    let mut r = Reply::new(
        "Question of the day set",
        format!(
            "Every day at {} ({}) I will post one question in the channel you chose; the answer and who got it right follow {} hours later, or at the next post.",
            daily::show_time(minute),
            schedule.zone,
            daily::REVEAL_AFTER_MINUTES / 60
        ),
    );
    if let Some(next) = daily::next_due(minute, &schedule.zone, c.now_ms) {
        r.field(
            "Next post",
            daily::show_instant(next.at_ms, &schedule.zone),
            true,
        );
    }
    r
}

fn off(c: &Ctx<'_>, store: &dyn crate::store::Store, guild: &str) -> Reply {
    if let Some(no) = refuse_unless_manager(c, "turn off") {
        return no;
    }
    match store.daily_off(guild) {
        Ok(true) => Reply::new(
            "Question of the day off",
            "No more daily questions on this server. /daily set starts them again.",
        ),
        Ok(false) => Reply::notice("This server has no question of the day to turn off."),
        Err(e) => sorry_store(&e),
    }
}

fn show(c: &Ctx<'_>, store: &dyn crate::store::Store, guild: &str) -> Reply {
    match store.daily_schedule(guild) {
        Ok(None) => private(
            "No question of the day here",
            "Members with the Manage Server permission can start one: /daily set channel:#quiz time:09:00 timezone:Europe/Moscow",
        ),
        Ok(Some(s)) => {
            let mut r = private(
                "Question of the day",
                format!(
                    "Posted every day at {} ({}); the answer is revealed {} hours later, or at the next post.",
                    daily::show_time(s.minute),
                    s.zone,
                    s.reveal_minutes / 60
                ),
            );
            if let Some(next) = daily::next_due(s.minute, &s.zone, c.now_ms) {
                r.field("Next post", daily::show_instant(next.at_ms, &s.zone), true);
            }
            r
        }
        Err(e) => sorry_store(&e),
    }
}

/// Today's local date on a server: in its schedule's zone, else UTC.
fn today(store: &dyn crate::store::Store, guild: &str, now_ms: i64) -> Option<String> {
    let zone = store
        .daily_schedule(guild)
        .ok()
        .flatten()
        .map_or_else(|| "UTC".to_string(), |s| s.zone);
    daily::local_date(&zone, now_ms)
}

/// A user's streak on a server, as of now.
pub fn user_streak(
    store: &dyn crate::store::Store,
    guild: &str,
    user: &str,
    now_ms: i64,
) -> Result<u32, crate::store::StoreError> {
    let dates = store.daily_right_dates(guild, user)?;
    let today = today(store, guild, now_ms).unwrap_or_default();
    Ok(daily::streak(&dates, &today))
}

/// The server's running streaks, longest first (then by user id), at most `limit`: only a
/// user who answered today's or yesterday's question right can have one, so those are the
/// candidates.
pub fn server_streaks(
    store: &dyn crate::store::Store,
    guild: &str,
    now_ms: i64,
    limit: usize,
) -> Result<Vec<(String, u32)>, crate::store::StoreError> {
    let Some(today) = today(store, guild, now_ms) else {
        return Ok(Vec::new());
    };
    let mut users: Vec<String> = Vec::new();
    for date in [Some(today.clone()), daily::day_before(&today)]
        .into_iter()
        .flatten()
    {
        for a in store.daily_answers(guild, &date)? {
            if a.correct && !users.contains(&a.user) {
                users.push(a.user);
            }
        }
    }
    let mut streaks = Vec::new();
    for user in users {
        let n = daily::streak(&store.daily_right_dates(guild, &user)?, &today);
        if n > 0 {
            streaks.push((user, n));
        }
    }
    streaks.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    streaks.truncate(limit);
    Ok(streaks)
}

fn streak(c: &Ctx<'_>, store: &dyn crate::store::Store, guild: &str) -> Reply {
    match user_streak(store, guild, c.user, c.now_ms) {
        Ok(0) => private(
            "Your streak: 0 days",
            "Answer the question of the day right to start a streak; each day in a row adds one.",
        ),
        Ok(n) => private(
            &format!("Your streak: {n} day{}", if n == 1 { "" } else { "s" }),
            "Days in a row you answered the question of the day right. Keep it going tomorrow!",
        ),
        Err(e) => sorry_store(&e),
    }
}

/// The day's post: the question and its four answer buttons, each carrying the date and the
/// question, so a click needs nothing else.
pub fn post_reply(q: &Question, date: &str) -> Reply {
    let mut r = Reply::new(
        format!("Question of the day · {date}"),
        format!(
            "{}\n\nPick an answer: only you see whether you were right. The answer, and who got it, comes later.",
            q.prompt
        ),
    );
    let row = q
        .choices
        .iter()
        .enumerate()
        .take(4)
        .map(|(i, choice)| {
            Button::new(
                Action::Daily(i, date.to_string(), q.id.clone()).encode(),
                format!("{} · {choice}", LETTERS[i]),
                ButtonStyle::Primary,
            )
        })
        .collect();
    r.buttons.push(row);
    r
}

/// A click on one of the day's answer buttons: recorded once per user and day, answered
/// privately with the answer and its sources.
pub fn answer(c: &Ctx<'_>, choice: usize, date: &str, question_id: &str) -> Reply {
    let (Some(guild), Some(engine)) = (c.guild, c.quiz) else {
        return Reply::notice("This question of the day can only be answered in its server.");
    };
    let Some(q) = c.knowledge.bank().get(question_id) else {
        return Reply::notice(
            "That question is no longer in the bank (the facts were updated since it was posted). Tomorrow's will work.",
        );
    };
    let Some(picked) = q.choices.get(choice) else {
        return Reply::notice("That button is not one of this question's answers.");
    };
    let correct = choice == q.correct;
    let record = DailyAnswer {
        guild: guild.to_string(),
        date: date.to_string(),
        user: c.user.to_string(),
        answer: picked.clone(),
        correct,
        answered_ms: c.now_ms,
    };
    match engine.store().record_daily_answer(&record) {
        Ok(true) => {}
        Ok(false) => {
            return Reply::notice(
                "You have answered this question of the day already; the first answer counts. Come back tomorrow!",
            );
        }
        Err(e) => return sorry_store(&e),
    }
    let mut r = private(
        if correct { "Correct!" } else { "Not quite" },
        format!(
            "{}\n\nAnswer: {}\n{}",
            q.prompt,
            crate::quiz::check::reveal(q),
            q.explanation
        ),
    );
    if let Ok(n) = user_streak(engine.store(), guild, c.user, c.now_ms) {
        r.field("Your streak", format!("{n}"), true);
    }
    r.cite(&c.knowledge.facts, q.sources.iter().map(String::as_str));
    r
}

/// The reveal of a day's question: the answer and who answered it right (as user references,
/// which front ends render without pinging anyone).
pub fn reveal_reply(
    knowledge: &crate::Knowledge,
    post: &DailyPost,
    answers: &[DailyAnswer],
) -> Reply {
    let right: Vec<String> = answers
        .iter()
        .filter(|a| a.correct)
        .map(|a| user_ref(&a.user))
        .collect();
    let who = if right.is_empty() {
        "Nobody answered it right this time.".to_string()
    } else {
        format!("Answered right: {}.", right.join(", "))
    };
    let mut r = match knowledge.bank().get(&post.question_id) {
        Some(q) => {
            let mut r = Reply::new(
                format!("Question of the day · {} · the answer", post.date),
                format!(
                    "{}\n\nAnswer: {}\n{}\n\n{who}",
                    q.prompt,
                    crate::quiz::check::reveal(q),
                    q.explanation
                ),
            );
            r.cite(&knowledge.facts, q.sources.iter().map(String::as_str));
            r
        }
        None => Reply::new(
            format!("Question of the day · {} · the answer", post.date),
            format!("That question left the bank when the facts were updated. {who}"),
        ),
    };
    r.field(
        "Answers",
        format!("{} given, {} right", answers.len(), right.len()),
        true,
    );
    r
}

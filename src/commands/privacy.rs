//! `/privacy`: what the bot keeps about the user who asks, that data as a file, and erasing
//! it. Every front end shows these replies; the store does the reading and the erasing
//! (`Store::user_data`, `Store::delete_user`).

use super::ids::Action;
use super::{Args, Ctx};
use crate::reply::{Attachment, Button, ButtonStyle, Reply};
use crate::store::{Erased, UserData};

/// What is kept, and for how long: the same words in `/privacy` and PRIVACY.md.
const WHAT_IS_KEPT: &str = "sco-bot keeps, under your user id: the quiz sessions you started, every quiz answer you gave (with its time and points), your score in each quiz, your totals per topic, your study cards (when each question is due again, how well you know it, how often you answered it and how often right), your study answers (each one's time, whether it was right, and the schedule before and after), your answers to a server's question of the day, and the reports you made about questions (what you wrote, your answer, when). It keeps no messages, no names and nothing from lookups or /ask. All of it stays until you delete it with /privacy delete.";

fn private(title: &str, body: impl Into<String>) -> Reply {
    let mut r = Reply::new(title, body);
    r.ephemeral = true;
    r
}

/// `/privacy [show|export|delete]`.
pub fn privacy(c: &Ctx<'_>, args: &Args) -> Reply {
    let Some(engine) = c.quiz else {
        return private(
            "Your data",
            "Nothing: without a database (add --db FILE in a terminal) sco-bot keeps nothing about anyone.",
        );
    };
    let data = match engine.store().user_data(c.user) {
        Ok(d) => d,
        Err(e) => return super::quiz::sorry_store(&e),
    };
    match args.subcommand {
        Some("export") => export(&data),
        Some("delete") if args.text("confirm") == Some("yes") => delete_now(c),
        Some("delete") => confirm_delete(&data),
        _ => show(&data),
    }
}

/// "1 study card", "2 study cards".
fn n(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn counts(data: &UserData) -> String {
    format!(
        "{} in {}, {} started, {}, {}, {}, {}, {}",
        n(data.answers.len(), "quiz answer", "quiz answers"),
        n(data.games.len(), "quiz", "quizzes"),
        n(data.sessions_started.len(), "quiz", "quizzes"),
        n(data.topics.len(), "topic total", "topic totals"),
        n(data.cards.len(), "study card", "study cards"),
        n(data.reviews.len(), "study answer", "study answers"),
        n(data.reports.len(), "report", "reports"),
        n(
            data.daily_answers.len(),
            "answer to a question of the day",
            "answers to questions of the day"
        )
    )
}

fn show(data: &UserData) -> Reply {
    let mut r = private("Your data", WHAT_IS_KEPT);
    r.field("Kept about you now", counts(data), false);
    r.field(
        "Your choices",
        "/privacy export sends it all as a JSON file; /privacy delete erases it everywhere.",
        false,
    );
    r
}

fn export(data: &UserData) -> Reply {
    let json = match serde_json::to_string_pretty(data) {
        Ok(j) => j,
        Err(e) => {
            tracing::error!("exporting a user's data failed: {e}");
            return Reply::notice(
                "Sorry, I could not put your data into a file. Please try again later.",
            );
        }
    };
    let mut r = private(
        "Your data, as a file",
        format!("Everything sco-bot keeps about you: {}.", counts(data)),
    );
    r.attachment = Some(Attachment {
        name: "sco-bot-my-data.json".into(),
        media_type: "application/json",
        bytes: json.into_bytes().into(),
        alt: "Your sco-bot data as JSON".into(),
        svg: None,
    });
    r
}

fn confirm_delete(data: &UserData) -> Reply {
    let mut r = private(
        "Delete your data?",
        format!(
            "This erases everything sco-bot keeps about you, on every server: {}. Leaderboards and statistics will no longer count you. It cannot be undone.",
            counts(data)
        ),
    );
    r.buttons = vec![vec![Button::new(
        Action::PrivacyDelete.encode(),
        "Delete my data",
        ButtonStyle::Danger,
    )]];
    r.note = Some("In a terminal or a script: /privacy delete confirm:yes".into());
    r
}

/// Erases the asking user's data (the confirmed `/privacy delete`, or its button).
pub fn delete_now(c: &Ctx<'_>) -> Reply {
    let Some(engine) = c.quiz else {
        return private(
            "Your data",
            "Nothing to delete: sco-bot has no database here.",
        );
    };
    match engine.store().delete_user(c.user) {
        Ok(erased) if erased.total() == 0 => private(
            "Nothing to delete",
            "sco-bot keeps nothing about you (any more).",
        ),
        Ok(erased) => private("Your data is deleted", erased_text(&erased)),
        Err(e) => super::quiz::sorry_store(&e),
    }
}

fn erased_text(e: &Erased) -> String {
    let size = |c: u32| c as usize;
    format!(
        "Erased {}, {}, {}, {}, {}, {} and {}; {} you started no longer name you. Answers you give from now on are kept again.",
        n(size(e.answers), "quiz answer", "quiz answers"),
        n(size(e.games), "quiz score", "quiz scores"),
        n(size(e.topics), "topic total", "topic totals"),
        n(size(e.cards), "study card", "study cards"),
        n(size(e.reviews), "study answer", "study answers"),
        n(size(e.reports), "report", "reports"),
        n(
            size(e.daily_answers),
            "answer to a question of the day",
            "answers to questions of the day"
        ),
        n(size(e.sessions_unnamed), "quiz", "quizzes"),
    )
}

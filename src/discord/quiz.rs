//! Quiz rounds in a Discord channel: the [`Table`] that posts questions with A–D buttons (or an
//! Answer button for typed rounds), disables them and marks the right one when time is up,
//! reveals the answer with its sources and the scores, and posts the final scoreboard.

use std::sync::Arc;

use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateMessage, EditMessage, Http, MessageId,
};

use super::render::{clip, colour, escape, escape_title, mentions, sources_field};
use crate::Knowledge;
use crate::commands::quiz::scoreboard_lines;
use crate::facts::Kind;
use crate::quiz::session::{Closed, Mode, RoundView, Table};
use crate::reply::user_ref;
use crate::store::{ScoreRow, SessionRow};

/// Letters of the four choices.
pub const LETTERS: [&str; 4] = ["A", "B", "C", "D"];

/// The `custom_id` of a choice button.
pub fn choice_id(session: i64, index: u32, choice: usize) -> String {
    format!("quiz|{session}|{index}|{choice}")
}

/// The `custom_id` of the "Answer" button of a typed round, and of its modal.
pub fn answer_id(session: i64, index: u32) -> String {
    format!("quizans|{session}|{index}")
}

/// The question embed.
pub fn question_embed(round: &RoundView) -> CreateEmbed {
    let q = &round.question;
    let mut text = escape(&q.prompt);
    if round.mode == Mode::Buttons {
        text.push_str("\n\n");
        for (i, c) in q.choices.iter().enumerate() {
            text.push_str(&format!("**{}** {}\n", LETTERS[i.min(3)], escape(c)));
        }
    }
    let mut footer = vec![format!(
        "Closes at the deadline · one answer each, locked in · {}",
        match round.mode {
            Mode::Buttons => "pick a letter",
            Mode::Typed => "press Answer and type it",
        }
    )];
    if let Some(d) = round.difficulty() {
        footer.push(format!(
            "difficulty: {d} ({}% right so far)",
            100 * round.answered_right / round.asked.max(1)
        ));
    }
    CreateEmbed::new()
        .title(format!(
            "Question {} of {} · {}",
            round.index + 1,
            round.total,
            round.question.topic.label()
        ))
        .description(clip(&text, 4096))
        .field(
            "Time",
            format!("<t:{}:R>", round.deadline_ms.div_euclid(1000)),
            true,
        )
        .colour(colour(Some(Kind::Summit)))
        .footer(CreateEmbedFooter::new(footer.join(" · ")))
}

/// The buttons of a round; after the round, disabled with the right one marked.
pub fn question_buttons(round: &RoundView, closed: bool) -> Vec<CreateActionRow> {
    let q = &round.question;
    match round.mode {
        Mode::Buttons => {
            let buttons = q
                .choices
                .iter()
                .enumerate()
                .take(4)
                .map(|(i, c)| {
                    let style = if closed && i == q.correct {
                        ButtonStyle::Success
                    } else if closed {
                        ButtonStyle::Secondary
                    } else {
                        ButtonStyle::Primary
                    };
                    CreateButton::new(choice_id(round.session, round.index, i))
                        .label(clip(&format!("{} · {c}", LETTERS[i]), 80))
                        .style(style)
                        .disabled(closed)
                })
                .collect();
            vec![CreateActionRow::Buttons(buttons)]
        }
        Mode::Typed => vec![CreateActionRow::Buttons(vec![
            CreateButton::new(answer_id(round.session, round.index))
                .label(if closed { "Closed" } else { "Answer" })
                .style(ButtonStyle::Primary)
                .disabled(closed),
        ])],
    }
}

/// The reveal after a round: the answer, what else was accepted, why, the sources, the points.
pub fn reveal_embed(k: &Knowledge, closed: &Closed) -> CreateEmbed {
    let q = &closed.round.question;
    let right = closed.result.answers.iter().filter(|a| a.correct).count();
    let mut e = CreateEmbed::new()
        .title(clip(
            &escape_title(&format!("Answer: {}", closed.reveal)),
            256,
        ))
        .description(clip(&escape(&q.explanation), 4096))
        .colour(colour(Some(Kind::Term)));
    let mut round = format!("{} answered, {right} right.", closed.result.answers.len());
    let mut best: Vec<_> = closed.result.answers.iter().filter(|a| a.correct).collect();
    best.sort_by_key(|a| std::cmp::Reverse(a.points));
    for a in best.iter().take(5) {
        round.push_str(&format!("\n{} +{}", user_ref(&a.user), a.points));
    }
    e = e.field("This round", mentions(&round), false);
    let board = scoreboard_lines(&closed.scoreboard, 5).join("\n");
    if !board.is_empty() {
        e = e.field("Scores", mentions(&escape(&board)), false);
    }
    let mut cited = crate::reply::Reply::default();
    cited.cite(&k.facts, q.sources.iter().map(String::as_str));
    if let Some(sources) = sources_field(&cited) {
        e = e.field("Sources", sources, false);
    }
    e.footer(CreateEmbedFooter::new(format!(
        "Facts as of {}",
        k.facts.meta.as_of.iso()
    )))
}

/// The final scoreboard.
pub fn final_embed(scoreboard: &[ScoreRow], stopped: bool) -> CreateEmbed {
    let lines = scoreboard_lines(scoreboard, 10);
    let body = if lines.is_empty() {
        "Nobody answered. Try again with /quiz start!".to_string()
    } else {
        mentions(&escape(&lines.join("\n")))
    };
    CreateEmbed::new()
        .title(if stopped { "Quiz stopped" } else { "Quiz over" })
        .description(body)
        .colour(colour(None))
}

/// A channel where a quiz session is played.
pub struct ChannelTable {
    /// The HTTP client (made by `super::http_client`).
    pub http: Arc<Http>,
    /// The channel.
    pub channel: ChannelId,
    /// The facts, for sources in reveals.
    pub knowledge: Arc<Knowledge>,
}

impl Table for ChannelTable {
    async fn post_question(&self, round: &RoundView) -> Option<String> {
        let message = CreateMessage::new()
            .embed(question_embed(round))
            .components(question_buttons(round, false))
            .allowed_mentions(CreateAllowedMentions::new());
        match self.channel.send_message(&self.http, message).await {
            Ok(m) => Some(m.id.to_string()),
            Err(e) => {
                tracing::error!(channel = %self.channel, "could not post a quiz question: {e}");
                None
            }
        }
    }

    async fn reveal(&self, closed: &Closed) {
        if let Some(id) = closed
            .round
            .message_id
            .as_deref()
            .and_then(|m| m.parse::<u64>().ok())
        {
            let edit = EditMessage::new()
                .embed(question_embed(&closed.round))
                .components(question_buttons(&closed.round, true));
            if let Err(e) = self
                .channel
                .edit_message(&self.http, MessageId::new(id), edit)
                .await
            {
                tracing::warn!(channel = %self.channel, "could not close a question's buttons: {e}");
            }
        }
        let message = CreateMessage::new()
            .embed(reveal_embed(&self.knowledge, closed))
            .allowed_mentions(CreateAllowedMentions::new());
        if let Err(e) = self.channel.send_message(&self.http, message).await {
            tracing::error!(channel = %self.channel, "could not post a reveal: {e}");
        }
    }

    async fn finish(&self, _session: &SessionRow, scoreboard: &[ScoreRow], stopped: bool) {
        let message = CreateMessage::new()
            .embed(final_embed(scoreboard, stopped))
            .allowed_mentions(CreateAllowedMentions::new());
        if let Err(e) = self.channel.send_message(&self.http, message).await {
            tracing::error!(channel = %self.channel, "could not post the final scores: {e}");
        }
    }
}

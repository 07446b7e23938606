//! Turning core replies into Discord responses: embeds, buttons, pagination, autocomplete.
//!
//! Everything here is a pure function from the core's values to serenity builders, so it is
//! tested without a network; `super` only sends what these functions build.

use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateAutocompleteResponse,
    CreateButton, CreateEmbed, CreateEmbedFooter, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseMessage, CreateModal, InputTextStyle,
};

use crate::Knowledge;
use crate::commands::{self, Args, CommandSpec, Ctx, OptionKind, Value};
use crate::facts::Kind;
use crate::quiz::Topic;
use crate::quiz::check;
use crate::quiz::session::Answer;
use crate::reply::{Effect, Reply, render_users};
use crate::store::AnswerOutcome;

/// Rows of a long list shown per page.
pub const PAGE_ROWS: usize = 15;
/// Suggestion buttons shown at most (Discord allows 5 per row).
pub const MAX_SUGGESTIONS: usize = 5;
/// Discord's limit on the characters of one embed, all its texts together.
pub const EMBED_MAX: usize = 6000;
/// Discord's limit on a `custom_id`.
pub const CUSTOM_ID_MAX: usize = 100;

/// What the user typed for one option, as Discord delivered it.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    /// A string option.
    Text(String),
    /// An integer option.
    Integer(i64),
    /// A user (their id).
    User(String),
    /// Any other type (a channel, a number with decimals...).
    Other,
}

/// Turns the core's user references into Discord mentions (which never ping: every message
/// has an empty `allowed_mentions`). Apply after [`escape`].
pub fn mentions(text: &str) -> String {
    render_users(text, |id| {
        if id.bytes().all(|b| b.is_ascii_digit()) && !id.is_empty() {
            format!("<@{id}>")
        } else {
            "someone".to_string()
        }
    })
}

/// Escapes Discord markdown and defuses mentions in text that came from a user or a file, so
/// it shows as written and never pings anyone (allowed_mentions is empty as well).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '<' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200B}"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes what would format or ping in an embed title (which may quote the user's query),
/// leaving ordinary punctuation alone.
pub fn escape_title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' | '_' | '~' | '`' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200B}"),
            _ => out.push(c),
        }
    }
    out
}

/// Cuts text to `max` characters, ending with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The colour of a kind's embeds.
pub fn colour(kind: Option<Kind>) -> Colour {
    Colour::new(match kind {
        Some(Kind::Country) => 0x2E86C1,
        Some(Kind::Principle) => 0x8E44AD,
        Some(Kind::Body) => 0x16A085,
        Some(Kind::Summit) => 0xD35400,
        Some(Kind::Document) => 0x7F8C8D,
        Some(Kind::Term) => 0x27AE60,
        Some(Kind::Person) => 0xC0392B,
        Some(Kind::Claim) => 0xF1C40F,
        None => 0x1ABC9C,
    })
}

/// The title in the user's language where the fact base has one (Discord locales `ru`,
/// `zh-CN`, `zh-TW`).
pub fn localized_title<'a>(reply: &'a Reply, locale: &str) -> &'a str {
    let localized = match locale {
        "ru" => reply.title_ru.as_deref(),
        l if l.starts_with("zh") => reply.title_zh.as_deref(),
        _ => None,
    };
    localized.unwrap_or(&reply.title)
}

/// Encodes "show this entry" for a button.
pub fn show_id(kind: Kind, id: &str) -> String {
    format!("show|{}|{id}", kind.key())
}

/// Encodes "page N of this list command with these options" for a button.
pub fn page_id(command: &str, args: &Args, page: usize) -> String {
    let mut opts: Vec<String> = Vec::new();
    if let Some(spec) = commands::find(command) {
        for o in spec.options {
            if let Some(i) = args.integer(o.name) {
                opts.push(format!("{}={i}", o.name));
            } else if let Some(t) = args.text(o.name) {
                opts.push(format!("{}={t}", o.name));
            }
        }
    }
    format!("page|{command}|{page}|{}", opts.join(";"))
}

/// A parsed button `custom_id`.
#[derive(Clone, Debug, PartialEq)]
pub enum ButtonAction {
    /// Show an entry.
    Show(Kind, String),
    /// Show a page of a list command (named by the command table's name).
    Page(&'static str, Args, usize),
    /// A player picked a choice in a quiz round.
    QuizChoice(i64, u32, usize),
    /// A player wants to type an answer in a quiz round (opens a text box).
    QuizAnswer(i64, u32),
    /// A user picked a choice of a study question.
    Study(usize, String),
    /// A user wants the next study question (of a topic, or any).
    StudyNext(Option<Topic>),
}

/// Decodes a button's `custom_id`; `None` for anything this bot did not make.
pub fn parse_custom_id(custom_id: &str) -> Option<ButtonAction> {
    if let Some(topic) = custom_id.strip_prefix("studynext|") {
        return Some(ButtonAction::StudyNext(Topic::from_key(topic)));
    }
    let mut parts = custom_id.splitn(4, '|');
    match (parts.next()?, parts.next()?, parts.next()?) {
        ("show", kind, id) => Some(ButtonAction::Show(Kind::from_key(kind)?, id.to_string())),
        ("quiz", session, index) => Some(ButtonAction::QuizChoice(
            session.parse().ok()?,
            index.parse().ok()?,
            parts.next()?.parse().ok().filter(|c: &usize| *c < 4)?,
        )),
        ("quizans", session, index) => Some(ButtonAction::QuizAnswer(
            session.parse().ok()?,
            index.parse().ok()?,
        )),
        ("study", choice, first) => {
            // Question ids may contain '|'-free slashes; rejoin what splitn kept apart.
            let rest = parts
                .next()
                .map(|r| format!("{first}|{r}"))
                .unwrap_or(first.to_string());
            Some(ButtonAction::Study(
                choice.parse().ok().filter(|c: &usize| *c < 4)?,
                rest,
            ))
        }
        ("page", command, page) => {
            let spec = commands::find(command)?;
            let mut args = Args::default();
            for pair in parts
                .next()
                .unwrap_or("")
                .split(';')
                .filter(|p| !p.is_empty())
            {
                let (name, value) = pair.split_once('=')?;
                let opt = spec.options.iter().find(|o| o.name == name)?;
                let value = match opt.kind {
                    OptionKind::Integer { .. } => Value::Integer(value.parse().ok()?),
                    _ => Value::Text(value.to_string()),
                };
                args.set(opt.name, value);
            }
            Some(ButtonAction::Page(spec.name, args, page.parse().ok()?))
        }
        _ => None,
    }
}

/// The numbered sources as markdown links, within Discord's 1024 characters for a field.
pub(crate) fn sources_field(reply: &Reply) -> Option<String> {
    if reply.sources.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (i, s) in reply.sources.iter().enumerate() {
        let title = escape(&clip(&s.title, 90));
        let line = match &s.url {
            Some(url) if !url.contains(')') && !url.contains(' ') => {
                format!("[{}] [{title}]({url}) — {}\n", i + 1, escape(&s.publisher))
            }
            _ => format!("[{}] {title} — {}\n", i + 1, escape(&s.publisher)),
        };
        let rest = reply.sources.len() - i;
        if out.chars().count() + line.chars().count() > 1000 {
            out.push_str(&format!("…and {rest} more; /about explains how to cite"));
            break;
        }
        out.push_str(&line);
    }
    Some(out.trim_end().to_string())
}

/// The embed for one page of a reply.
pub fn embed(reply: &Reply, locale: &str, page: usize) -> CreateEmbed {
    let mut description = escape(&reply.body);
    let pages = page_count(reply);
    if !reply.items.is_empty() {
        let rows: Vec<String> = reply
            .items
            .iter()
            .skip(page * PAGE_ROWS)
            .take(PAGE_ROWS)
            .map(|r| escape(r))
            .collect();
        description.push_str("\n\n");
        description.push_str(&rows.join("\n"));
    }
    // Discord refuses an embed whose texts add up to more than 6000 characters: the title,
    // footer and sources always fit; the description and then the fields share what is left.
    let title = clip(
        &render_users(&escape_title(localized_title(reply, locale)), |_| {
            "someone".into()
        }),
        256,
    );
    let mut footer = Vec::new();
    if pages > 1 {
        footer.push(format!("Page {} of {pages}", page + 1));
    }
    if !reply.sources.is_empty() {
        footer.push(format!("Sources [1]–[{}] above", reply.sources.len()));
    }
    if let Some(as_of) = reply.as_of {
        footer.push(format!("Facts as of {}", as_of.iso()));
    }
    let footer = footer.join(" · ");
    let sources = sources_field(reply);
    let len = |s: &str| s.chars().count();
    let mut budget = EMBED_MAX
        .saturating_sub(len(&title) + len(&footer))
        .saturating_sub(sources.as_deref().map_or(0, |s| len(s) + len("Sources")));
    let description = clip(&mentions(&description), 4096.min(budget));
    budget = budget.saturating_sub(len(&description));
    let mut e = CreateEmbed::new()
        .title(title)
        .description(description)
        .colour(colour(reply.kind));
    for f in reply.fields.iter().take(23) {
        let name = clip(&f.name, 256);
        let value = clip(&mentions(&escape(&f.value)), 1024);
        let size = len(&name) + len(&value);
        if size > budget {
            continue;
        }
        budget -= size;
        e = e.field(name, value, f.inline);
    }
    if let Some(sources) = sources {
        e = e.field("Sources", sources, false);
    }
    if !footer.is_empty() {
        e = e.footer(CreateEmbedFooter::new(footer));
    }
    e
}

/// How many pages a reply's list needs.
pub fn page_count(reply: &Reply) -> usize {
    reply.items.len().div_ceil(PAGE_ROWS).max(1)
}

/// Buttons under a reply: suggestions ("did you mean"), and Previous/Next for long lists.
pub fn buttons(reply: &Reply, command: &str, args: &Args, page: usize) -> Vec<CreateActionRow> {
    let mut rows = Vec::new();
    if let Some(p) = &reply.prompt {
        let choices = p
            .choices
            .iter()
            .enumerate()
            .take(4)
            .map(|(i, c)| (format!("study|{i}|{}", p.question_id), i, c))
            .filter(|(id, ..)| id.len() <= CUSTOM_ID_MAX)
            .map(|(id, i, c)| {
                CreateButton::new(id)
                    .label(clip(&format!("{} · {c}", ["A", "B", "C", "D"][i]), 80))
                    .style(ButtonStyle::Primary)
            })
            .collect::<Vec<_>>();
        if !choices.is_empty() {
            rows.push(CreateActionRow::Buttons(choices));
        }
    }
    let suggestions: Vec<CreateButton> = reply
        .suggestions
        .iter()
        .take(MAX_SUGGESTIONS)
        .filter(|s| show_id(s.kind, &s.id).len() <= CUSTOM_ID_MAX)
        .map(|s| {
            CreateButton::new(show_id(s.kind, &s.id))
                .label(clip(&s.title, 80))
                .style(ButtonStyle::Secondary)
        })
        .collect();
    if !suggestions.is_empty() {
        rows.push(CreateActionRow::Buttons(suggestions));
    }
    let pages = page_count(reply);
    let previous = page_id(command, args, page.saturating_sub(1));
    let next = page_id(command, args, page + 1);
    if pages > 1 && previous.len() <= CUSTOM_ID_MAX && next.len() <= CUSTOM_ID_MAX {
        rows.push(CreateActionRow::Buttons(vec![
            CreateButton::new(previous)
                .label("◀ Previous")
                .style(ButtonStyle::Primary)
                .disabled(page == 0),
            CreateButton::new(next)
                .label("Next ▶")
                .style(ButtonStyle::Primary)
                .disabled(page + 1 >= pages),
        ]));
    }
    rows
}

/// A message carrying one page of a reply, with its buttons; mentions never ping.
pub fn message(
    reply: &Reply,
    locale: &str,
    command: &str,
    args: &Args,
    page: usize,
) -> CreateInteractionResponseMessage {
    let page = page.min(page_count(reply) - 1);
    CreateInteractionResponseMessage::new()
        .embed(embed(reply, locale, page))
        .components(buttons(reply, command, args, page))
        .ephemeral(reply.ephemeral)
        .allowed_mentions(CreateAllowedMentions::new())
}

/// A short, polite, ephemeral text answer (errors and refusals).
pub fn notice(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
}

/// What a user sees when something broke on the bot's side.
pub const APOLOGY: &str = "Sorry, something went wrong on my side while answering. Please try again in a moment; if it keeps happening, let the server's moderators know.";

/// Answers a slash command: checks the options against the command table, runs it, renders it.
pub fn command_response(
    ctx: &Ctx<'_>,
    name: &str,
    sub: Option<&str>,
    given: &[(String, Given)],
    locale: &str,
) -> (CreateInteractionResponse, Option<Effect>) {
    let Some(spec) = commands::find(name) else {
        let text = format!(
            "I don't know the command /{}. It may have been removed in an update; type /help to see what I can do.",
            escape(&clip(name, 32))
        );
        return (notice(&text), None);
    };
    let args = match to_args(spec, sub, given) {
        Ok(args) => args,
        Err(message) => return (notice(&message), None),
    };
    let reply = commands::run(ctx, spec, &args);
    let response = CreateInteractionResponse::Message(message(&reply, locale, spec.name, &args, 0));
    (response, reply.effect)
}

/// Checks Discord's option values against the table and converts them.
pub fn to_args(
    spec: &'static CommandSpec,
    sub: Option<&str>,
    given: &[(String, Given)],
) -> Result<Args, String> {
    let mut args = Args::default();
    if let Some(sub) = sub {
        let found = spec.subcommands.iter().find(|s| s.name == sub).ok_or_else(|| {
            format!(
                "/{} has no “{}”. Discord may still show an old version of the command; try again in a minute.",
                spec.name,
                escape(&clip(sub, 32))
            )
        })?;
        args.subcommand = Some(found.name);
    }
    let options = commands::options_for(spec, &args);
    for (name, value) in given {
        let Some(opt) = options.iter().find(|o| o.name == name) else {
            return Err(format!(
                "/{} has no option “{}”. Discord may still show an old version of the command; try again in a minute.",
                spec.name,
                escape(&clip(name, 32))
            ));
        };
        match (opt.kind, value) {
            (OptionKind::Integer { min, max }, Given::Integer(i)) if (min..=max).contains(i) => {
                args.set(opt.name, Value::Integer(*i));
            }
            (OptionKind::Integer { min, max }, _) => {
                return Err(format!(
                    "“{}” must be a whole number from {min} to {max}.",
                    opt.name
                ));
            }
            (OptionKind::User, Given::User(id) | Given::Text(id)) => {
                args.set(opt.name, Value::Text(id.clone()));
            }
            (OptionKind::Choice(words), Given::Text(t)) => {
                let Some(w) = words.iter().find(|w| w.eq_ignore_ascii_case(t.trim())) else {
                    return Err(format!(
                        "“{}” must be one of: {}.",
                        opt.name,
                        words.join(", ")
                    ));
                };
                args.set(opt.name, Value::Text((*w).to_string()));
            }
            (_, Given::Text(t)) => args.set(opt.name, Value::Text(clip(t.trim(), 200))),
            (_, _) => {
                return Err(format!("“{}” must be text, such as a name.", opt.name));
            }
        }
    }
    commands::check_required(spec, &args).map_err(|e| {
        let mut s = e.to_string();
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        format!("{s}.")
    })?;
    Ok(args)
}

/// Answers autocomplete for the focused option of a command: up to 25 choices.
pub fn autocomplete_response(
    k: &Knowledge,
    command: &str,
    option: &str,
    partial: &str,
) -> CreateInteractionResponse {
    let mut response = CreateAutocompleteResponse::new();
    let kind = commands::find(command)
        .and_then(|spec| spec.options.iter().find(|o| o.name == option))
        .map(|o| o.kind);
    match kind {
        Some(OptionKind::Lookup(scope)) => {
            for c in k
                .index
                .complete(partial, scope, crate::search::AUTOCOMPLETE_LIMIT)
            {
                let name = clip(&k.facts.entries[c.entry].name, 100);
                response = response.add_string_choice(name.clone(), name);
            }
        }
        Some(OptionKind::CommandName) => {
            let typed = partial.trim().trim_start_matches('/').to_lowercase();
            for spec in commands::COMMANDS
                .iter()
                .filter(|c| c.name.contains(&typed))
            {
                response = response.add_string_choice(format!("/{}", spec.name), spec.name);
            }
        }
        _ => {}
    }
    CreateInteractionResponse::Autocomplete(response)
}

/// Answers a button click.
pub fn component_response(
    ctx: &Ctx<'_>,
    custom_id: &str,
    locale: &str,
) -> CreateInteractionResponse {
    let k = ctx.knowledge;
    match parse_custom_id(custom_id) {
        Some(ButtonAction::Show(kind, id)) => match k.facts.get(kind, &id) {
            Some(entry) => {
                let reply = commands::entry_reply(&k.facts, entry);
                let args = Args::default();
                CreateInteractionResponse::Message(message(&reply, locale, "fact", &args, 0))
            }
            None => notice(
                "That entry is no longer in the fact base (it may have been renamed in an update). Try searching with /fact.",
            ),
        },
        Some(ButtonAction::Page(name, args, page)) => {
            let Some(spec) = commands::find(name) else {
                return notice(APOLOGY);
            };
            let reply = commands::run(ctx, spec, &args);
            CreateInteractionResponse::UpdateMessage(message(
                &reply, locale, spec.name, &args, page,
            ))
        }
        Some(ButtonAction::QuizChoice(session, index, choice)) => {
            quiz_answer(ctx, session, index, &Answer::Choice(choice))
        }
        Some(ButtonAction::QuizAnswer(session, index)) => {
            let input = CreateInputText::new(InputTextStyle::Short, "Your answer", "answer")
                .min_length(1)
                .max_length(100)
                .required(true);
            CreateInteractionResponse::Modal(
                CreateModal::new(format!("quizans|{session}|{index}"), "Type your answer")
                    .components(vec![CreateActionRow::InputText(input)]),
            )
        }
        Some(ButtonAction::Study(choice, question_id)) => study_answer(ctx, choice, &question_id),
        Some(ButtonAction::StudyNext(topic)) => {
            let Some(engine) = ctx.quiz else {
                return notice(APOLOGY);
            };
            match commands::quiz::next_study_question(engine, ctx.user, topic, ctx.now_ms) {
                Ok((Some(q), _)) => {
                    let reply = commands::quiz::study_reply(q, topic);
                    CreateInteractionResponse::UpdateMessage(message(
                        &reply,
                        locale,
                        "study",
                        &Args::default(),
                        0,
                    ))
                }
                Ok((None, _)) => notice(
                    "Nothing is due right now, and you have seen every question of this topic. Come back later!",
                ),
                Err(e) => {
                    tracing::error!("the store failed: {e}");
                    notice(APOLOGY)
                }
            }
        }
        None => notice(
            "This button is from an older version of the bot and no longer works. Please run the command again.",
        ),
    }
}

/// Answers a typed answer submitted from a quiz round's text box.
pub fn modal_response(ctx: &Ctx<'_>, custom_id: &str, text: &str) -> CreateInteractionResponse {
    match parse_custom_id(custom_id) {
        Some(ButtonAction::QuizAnswer(session, index)) => {
            quiz_answer(ctx, session, index, &Answer::Text(text.to_string()))
        }
        _ => notice(
            "This form is from an older version of the bot. Please answer the next question.",
        ),
    }
}

fn quiz_answer(
    ctx: &Ctx<'_>,
    session: i64,
    index: u32,
    answer: &Answer,
) -> CreateInteractionResponse {
    let Some(engine) = ctx.quiz else {
        return notice(APOLOGY);
    };
    match engine.answer(session, index, ctx.user, answer, ctx.now_ms) {
        Ok(AnswerOutcome::Recorded) => notice(&match answer {
            Answer::Choice(c) => format!(
                "Locked in: {}. The answer comes when time is up.",
                ["A", "B", "C", "D"][(*c).min(3)]
            ),
            Answer::Text(t) => format!(
                "Locked in: “{}”. The answer comes when time is up.",
                escape(&clip(t.trim(), 100))
            ),
        }),
        Ok(AnswerOutcome::AlreadyAnswered) => {
            notice("You already answered this question; answers are locked once given.")
        }
        Ok(AnswerOutcome::TooLate) => {
            notice("Too late: this question is closed. Try the next one!")
        }
        Ok(AnswerOutcome::NoSuchQuestion) => {
            notice("This quiz is over. Start a new one with /quiz start.")
        }
        Err(e) => {
            tracing::error!(session, "the store failed: {e}");
            notice(APOLOGY)
        }
    }
}

fn study_answer(ctx: &Ctx<'_>, choice: usize, question_id: &str) -> CreateInteractionResponse {
    let Some(engine) = ctx.quiz else {
        return notice(APOLOGY);
    };
    let Some(q) = engine.question(question_id) else {
        return notice(
            "That question is no longer in the bank (the facts were updated). Try /study next.",
        );
    };
    let correct = choice == q.correct;
    let card =
        match engine
            .store()
            .record_study(ctx.user, &q.id, q.topic.key(), correct, ctx.now_ms)
        {
            Ok(card) => card,
            Err(e) => {
                tracing::error!("the store failed: {e}");
                return notice(APOLOGY);
            }
        };
    let days = (card.due_ms - ctx.now_ms).max(0) as f64 / 86_400_000.0;
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
    let next = if days < 0.01 {
        "soon: missed questions come back first".to_string()
    } else {
        format!("in about {days:.0} days")
    };
    reply.field("Next review", next, true);
    reply.cite(&ctx.knowledge.facts, q.sources.iter().map(String::as_str));
    let msg = message(&reply, "en-US", "study", &Args::default(), 0).components(vec![
        CreateActionRow::Buttons(vec![
            CreateButton::new(format!("studynext|{}", q.topic.key()))
                .label("Next question")
                .style(ButtonStyle::Primary),
            CreateButton::new("studynext|all")
                .label("Any topic")
                .style(ButtonStyle::Secondary),
        ]),
    ]);
    CreateInteractionResponse::UpdateMessage(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_shows_text_as_written_and_never_pings() {
        assert_eq!(
            escape("**bold** @everyone <@123>"),
            "\\*\\*bold\\*\\* @\u{200B}everyone \\<@\u{200B}123\\>"
        );
        assert_eq!(escape("plain text"), "plain text");
    }

    #[test]
    fn custom_ids_round_trip_within_the_limit() {
        let id = show_id(Kind::Summit, "summit-2017");
        assert!(id.len() <= CUSTOM_ID_MAX);
        assert_eq!(
            parse_custom_id(&id),
            Some(ButtonAction::Show(Kind::Summit, "summit-2017".into()))
        );
        let mut args = Args::default();
        args.set("from", Value::Integer(2001));
        let id = page_id("timeline", &args, 3);
        assert_eq!(id, "page|timeline|3|from=2001");
        match parse_custom_id(&id) {
            Some(ButtonAction::Page(name, got, 3)) => {
                assert_eq!(name, "timeline");
                assert_eq!(got, args);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_custom_id("nonsense"), None);
        assert_eq!(parse_custom_id("show|planet|mars"), None);
        assert_eq!(parse_custom_id("page|timeline|x|"), None);
    }

    #[test]
    fn every_entry_fits_discord_embed_limits() {
        let facts = crate::facts::FactBase::bundled().expect("facts");
        for entry in &facts.entries {
            let reply = commands::entry_reply(&facts, entry);
            for locale in ["en-US", "ru", "zh-CN"] {
                let json = serde_json::to_value(embed(&reply, locale, 0)).expect("json");
                let text = |v: &serde_json::Value| v.as_str().map_or(0, |s| s.chars().count());
                let fields = json["fields"].as_array().cloned().unwrap_or_default();
                let total = text(&json["title"])
                    + text(&json["description"])
                    + text(&json["footer"]["text"])
                    + fields
                        .iter()
                        .map(|f| text(&f["name"]) + text(&f["value"]))
                        .sum::<usize>();
                assert!(total <= EMBED_MAX, "{} {}: {total}", entry.kind, entry.id);
                assert!(fields.len() <= 25);
                assert!(text(&json["description"]) <= 4096);
                assert!(fields.iter().all(|f| text(&f["value"]) <= 1024));
            }
        }
    }

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("Казахстан", 4), "Каз…");
        assert_eq!(clip("short", 10), "short");
    }
}

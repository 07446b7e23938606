//! Rendering core replies as Discord sees them: embeds, buttons, forms, autocomplete choices,
//! notices. Pure functions from the core's values to serenity builders, tested without a
//! network; Discord's numeric limits live here, and only here.

use serenity::all::{
    ButtonStyle, Colour, CreateActionRow, CreateAllowedMentions, CreateAttachment,
    CreateAutocompleteResponse, CreateButton, CreateEmbed, CreateEmbedFooter, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, CreateModal, EditInteractionResponse, EditMessage, InputTextStyle,
};

use crate::facts::Kind;
use crate::interaction::{Form, Response};
use crate::reply::{self, PAGE_ROWS, Reply, render_users};

/// Discord's limit on the characters of one embed, all its texts together.
pub const EMBED_MAX: usize = 6000;
/// Discord's limit on a `custom_id`.
pub const CUSTOM_ID_MAX: usize = 100;
/// Discord's limit on a button label.
pub const LABEL_MAX: usize = 80;
/// Discord's limit on buttons in a row, and on rows in a message.
pub const ROW_MAX: usize = 5;
/// Discord's limit on message content.
pub const CONTENT_MAX: usize = 2000;

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

/// The numbered sources as markdown links, within Discord's 1024 characters for a field.
pub fn sources_field(reply: &Reply) -> Option<String> {
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
        // Room is kept for the closing line, so the field stays within Discord's 1024.
        if out.chars().count() + line.chars().count() > 960 {
            out.push_str(&format!("…and {rest} more; /about explains how to cite"));
            break;
        }
        out.push_str(&line);
    }
    Some(clip(out.trim_end(), 1024))
}

/// The embed for a reply, showing its page of items.
pub fn embed(reply: &Reply, locale: &str) -> CreateEmbed {
    let mut description = escape(&reply.body);
    let page = reply.page.min(reply.page_count() - 1);
    if let Some(p) = &reply.prompt {
        description.push_str("\n\n");
        for (i, c) in p.choices.iter().enumerate().take(4) {
            description.push_str(&format!("**{}** {}\n", ["A", "B", "C", "D"][i], escape(c)));
        }
    }
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
    if let Some(note) = &reply.note {
        footer.push(note.clone());
    }
    if reply.page_count() > 1 {
        footer.push(format!("Page {} of {}", page + 1, reply.page_count()));
    }
    if !reply.sources.is_empty() {
        footer.push(format!("Sources [1]–[{}] above", reply.sources.len()));
    }
    if let Some(as_of) = reply.as_of {
        footer.push(format!("Facts as of {}", as_of.iso()));
    }
    let footer = clip(&footer.join(" · "), 2048);
    let sources = sources_field(reply);
    let len = |s: &str| s.chars().count();
    let mut budget = EMBED_MAX
        .saturating_sub(len(&title) + len(&footer))
        .saturating_sub(sources.as_deref().map_or(0, |s| len(s) + len("Sources")));
    // Text to copy (`/cite`) goes in a code block, unescaped (markdown does not apply inside
    // one) and never cut in half: the text above it is cut first.
    let code = reply.code.as_deref().map(code_block);
    let code_len = code.as_deref().map_or(0, |c| len(c) + 2);
    let mut description = clip(
        &mentions(description.trim_end()),
        4096.min(budget).saturating_sub(code_len),
    );
    if let Some(code) = &code {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(code);
    }
    budget = budget.saturating_sub(len(&description));
    let mut e = CreateEmbed::new()
        .title(title)
        .description(description)
        .colour(colour(reply.kind));
    if let Some(a) = reply
        .attachment
        .as_ref()
        .filter(|a| a.media_type.starts_with("image/"))
    {
        e = e.image(format!("attachment://{}", a.name));
    }
    if let Some(deadline) = reply.deadline_ms {
        let time = format!("<t:{}:R>", deadline.div_euclid(1000));
        budget = budget.saturating_sub(len(&time) + 4);
        e = e.field("Time", time, true);
    }
    // A comparison: one inline field per column, so Discord shows them side by side.
    for (name, value) in reply.table.iter().flat_map(table_fields) {
        let size = len(&name) + len(&value);
        if size > budget {
            continue;
        }
        budget -= size;
        e = e.field(name, value, true);
    }
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

/// Text to copy exactly, as a code block within Discord's limits; a run of three backticks
/// inside (which would close the block) is broken up.
pub fn code_block(text: &str) -> String {
    const ROOM: usize = 3900;
    let safe = text.trim_end().replace("```", "`\u{200B}``");
    // Cut between references (blank lines), never inside one, and say so.
    let paragraphs: Vec<&str> = safe.split("\n\n").collect();
    let mut kept = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let more = format!("\n\n… {} more: ask for one style", paragraphs.len() - i);
        let sep = if kept.is_empty() { 0 } else { 2 };
        if kept.chars().count() + sep + p.chars().count() + more.chars().count() > ROOM {
            kept.push_str(&more);
            break;
        }
        if sep > 0 {
            kept.push_str("\n\n");
        }
        kept.push_str(p);
    }
    format!("```\n{}\n```", clip(&kept, ROOM))
}

/// A table as Discord fields: one per column, its heading the name, its rows `**Label**: cell`.
pub fn table_fields(table: &reply::Table) -> Vec<(String, String)> {
    (0..table.columns.len())
        .map(|c| {
            let rows: Vec<String> = table
                .rows
                .iter()
                .map(|r| {
                    let cell = r.cells.get(c).map_or("—", String::as_str);
                    format!("**{}**: {}", escape(&r.label), escape(cell))
                })
                .collect();
            (
                clip(&escape_title(&table.columns[c]), 256),
                clip(&mentions(&rows.join("\n")), 1024),
            )
        })
        .collect()
}

/// The reply's buttons as Discord action rows (within Discord's limits: a button whose id is
/// too long for Discord is left out).
pub fn components(reply: &Reply) -> Vec<CreateActionRow> {
    reply
        .buttons
        .iter()
        .take(ROW_MAX)
        .filter_map(|row| {
            let buttons: Vec<CreateButton> = row
                .iter()
                .filter(|b| b.id.len() <= CUSTOM_ID_MAX)
                .take(ROW_MAX)
                .map(|b| {
                    CreateButton::new(b.id.clone())
                        .label(clip(&b.label, LABEL_MAX))
                        .style(match b.style {
                            reply::ButtonStyle::Primary => ButtonStyle::Primary,
                            reply::ButtonStyle::Secondary => ButtonStyle::Secondary,
                            reply::ButtonStyle::Success => ButtonStyle::Success,
                            reply::ButtonStyle::Danger => ButtonStyle::Danger,
                        })
                        .disabled(b.disabled)
                })
                .collect();
            (!buttons.is_empty()).then_some(CreateActionRow::Buttons(buttons))
        })
        .collect()
}

/// The reply's picture as a file to upload with the message, its alt text as the file's
/// description (Discord allows 1024 characters).
pub fn attachment(reply: &Reply) -> Option<CreateAttachment> {
    reply.attachment.as_ref().map(|a| {
        CreateAttachment::bytes(a.bytes.to_vec(), a.name.clone()).description(clip(&a.alt, 1024))
    })
}

/// A notice's text as message content.
fn notice_text(reply: &Reply) -> String {
    clip(&mentions(&escape(&reply.body)), CONTENT_MAX)
}

/// An interaction message carrying a reply; mentions never ping.
pub fn message(reply: &Reply, locale: &str) -> CreateInteractionResponseMessage {
    let m = CreateInteractionResponseMessage::new()
        .ephemeral(reply.ephemeral)
        .allowed_mentions(CreateAllowedMentions::new());
    if reply.is_notice() {
        m.content(notice_text(reply)).components(Vec::new())
    } else {
        let m = m.embed(embed(reply, locale)).components(components(reply));
        match attachment(reply) {
            Some(file) => m.add_file(file),
            None => m,
        }
    }
}

/// The form Discord shows for typed input.
pub fn modal(form: &Form) -> CreateModal {
    let style = if form.long {
        InputTextStyle::Paragraph
    } else {
        InputTextStyle::Short
    };
    let input = CreateInputText::new(style, clip(&form.label, 45), "answer")
        .min_length(1)
        .max_length(form.max_len)
        .required(true);
    let mut rows = vec![CreateActionRow::InputText(input)];
    if let Some((label, max_len)) = &form.second {
        rows.push(CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Short, clip(label, 45), "second")
                .max_length(*max_len)
                .required(false),
        ));
    }
    CreateModal::new(form.id.clone(), clip(&form.title, 45)).components(rows)
}

/// The interaction response for a core response.
pub fn response(r: &Response, locale: &str) -> CreateInteractionResponse {
    match r {
        Response::Message(reply) => CreateInteractionResponse::Message(message(reply, locale)),
        Response::Update(reply) => CreateInteractionResponse::UpdateMessage(message(reply, locale)),
        Response::Form(form) => CreateInteractionResponse::Modal(modal(form)),
        Response::Choices(choices) => {
            let mut a = CreateAutocompleteResponse::new();
            for c in choices.iter().take(25) {
                a = a.add_string_choice(clip(&c.name, 100), clip(&c.value, 100));
            }
            CreateInteractionResponse::Autocomplete(a)
        }
    }
}

/// A polite private text answer.
pub fn notice(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(message(&Reply::notice(text), "en-US"))
}

/// The edit that completes a deferred response with a reply.
pub fn edit_original(reply: &Reply, locale: &str) -> EditInteractionResponse {
    let e = EditInteractionResponse::new().allowed_mentions(CreateAllowedMentions::new());
    if reply.is_notice() {
        e.content(notice_text(reply))
    } else {
        let e = e.embed(embed(reply, locale)).components(components(reply));
        match attachment(reply) {
            Some(file) => e.new_attachment(file),
            None => e,
        }
    }
}

/// A follow-up message carrying a reply.
pub fn followup(reply: &Reply, locale: &str) -> CreateInteractionResponseFollowup {
    let f = CreateInteractionResponseFollowup::new()
        .ephemeral(reply.ephemeral)
        .allowed_mentions(CreateAllowedMentions::new());
    if reply.is_notice() {
        f.content(notice_text(reply))
    } else {
        let f = f.embed(embed(reply, locale)).components(components(reply));
        match attachment(reply) {
            Some(file) => f.add_file(file),
            None => f,
        }
    }
}

/// A channel message carrying a reply (quiz rounds, reveals, final scores).
pub fn channel_message(reply: &Reply) -> CreateMessage {
    let m = CreateMessage::new()
        .embed(embed(reply, "en-US"))
        .components(components(reply))
        .allowed_mentions(CreateAllowedMentions::new());
    match attachment(reply) {
        Some(file) => m.add_file(file),
        None => m,
    }
}

/// An edit of a channel message to show a reply (a closed round).
pub fn channel_edit(reply: &Reply) -> EditMessage {
    EditMessage::new()
        .embed(embed(reply, "en-US"))
        .components(components(reply))
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
    fn every_entry_fits_discord_embed_limits() {
        let facts = crate::facts::FactBase::bundled().expect("facts");
        for entry in &facts.entries {
            let reply = crate::commands::entry_reply(&facts, entry);
            for locale in ["en-US", "ru", "zh-CN"] {
                let json = serde_json::to_value(embed(&reply, locale)).expect("json");
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
    fn long_references_are_cut_between_references_not_inside_one() {
        let refs: Vec<String> = (0..40)
            .map(|i| format!("{i} {}", "x".repeat(150)))
            .collect();
        let block = code_block(&refs.join("\n\n"));
        assert!(block.chars().count() <= 3900 + 8, "{}", block.len());
        assert!(block.ends_with("more: ask for one style\n```"), "{block}");
        let inner = block.trim_start_matches("```\n").trim_end_matches("\n```");
        for p in inner.split("\n\n") {
            assert!(
                p.starts_with('…') || p.ends_with(&"x".repeat(150)),
                "cut: {p}"
            );
        }
        assert_eq!(code_block("a ``` b"), "```\na `\u{200B}`` b\n```");
    }

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("Казахстан", 4), "Каз…");
        assert_eq!(clip("short", 10), "short");
    }

    #[test]
    fn buttons_with_ids_too_long_for_discord_are_left_out() {
        let mut r = Reply::new("t", "b");
        r.buttons.push(vec![
            reply::Button::new("x".repeat(101), "long", reply::ButtonStyle::Primary),
            reply::Button::new("ok".into(), "fine", reply::ButtonStyle::Primary),
        ]);
        let json = serde_json::to_value(components(&r)).expect("json");
        let ids: Vec<&str> = json[0]["components"]
            .as_array()
            .expect("a row")
            .iter()
            .filter_map(|b| b["custom_id"].as_str())
            .collect();
        assert_eq!(ids, ["ok"]);
    }
}

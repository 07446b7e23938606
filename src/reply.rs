//! The transport-neutral reply every command returns, and its plain-text rendering.
//!
//! Front ends turn a [`Reply`] into their own format (terminal text, JSON, a Discord embed).
//! Text in a reply is plain: no markdown, so each front end can escape it safely.

use serde::Serialize;

use crate::facts::{Date, FactBase, Kind};

/// A labelled value shown under the body (an embed field in Discord).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    /// Label.
    pub name: String,
    /// Value; may span lines.
    pub value: String,
    /// Whether it may sit beside other short fields.
    pub inline: bool,
}

/// A source cited by a reply.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Citation {
    /// Title of the source.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Address, when the source is online.
    pub url: Option<String>,
}

/// An entry a reply is about, or suggests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryRef {
    /// Kind of the entry.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its display name.
    pub title: String,
    /// Lookup score in 0..1, rounded to three decimals.
    pub score: f64,
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// What a command answers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reply {
    /// Heading.
    pub title: String,
    /// Title in Russian, where the fact base has one.
    pub title_ru: Option<String>,
    /// Title in Chinese, where the fact base has one.
    pub title_zh: Option<String>,
    /// Main paragraph(s).
    pub body: String,
    /// Lines shown exactly as written, after the body: in a code block in Discord, indented in
    /// a terminal (a facts file's diagnostics). Plain text, like the rest.
    pub code: Option<String>,
    /// Labelled values.
    pub fields: Vec<Field>,
    /// Rows of a long list (front ends may paginate them).
    pub items: Vec<String>,
    /// Sources, in citation order.
    pub sources: Vec<Citation>,
    /// The fact base's as-of date, shown with the sources.
    pub as_of: Option<Date>,
    /// The entry the reply is about.
    pub matched: Option<EntryRef>,
    /// Entries the user may have meant.
    pub suggestions: Vec<EntryRef>,
    /// The kind the reply is about, for colour and icons.
    pub kind: Option<Kind>,
    /// Only for the asker: "no match" and errors.
    pub ephemeral: bool,
    /// Choices the user answers with (a study question); front ends show them as buttons or
    /// numbered lines.
    pub prompt: Option<Prompt>,
    /// Rows of buttons under the reply (suggestions, pages, choices, "next question"); a
    /// front end that cannot show buttons ignores them (the same choices are in `prompt`,
    /// the suggestions in `suggestions`).
    pub buttons: Vec<Vec<Button>>,
    /// Which page of `items` to show, for front ends that page long lists ([`PAGE_ROWS`] a
    /// page); the terminal shows every item.
    pub page: usize,
    /// A short line shown last, in small print (how to answer, a difficulty estimate).
    pub note: Option<String>,
    /// When answers close (ms since the epoch), for a quiz question.
    pub deadline_ms: Option<i64>,
    /// Something the front end must do besides showing the reply.
    pub effect: Option<Effect>,
    /// A picture drawn from the same facts (a map, a chart); the text above still says
    /// everything it shows, for screen readers and front ends without pictures.
    pub attachment: Option<Attachment>,
}

/// A file sent with a reply: a picture, with its alt text.
#[derive(Clone, PartialEq)]
pub struct Attachment {
    /// File name, e.g. `sco-map-2010.png` (Discord's embed shows `attachment://NAME`).
    pub name: String,
    /// Media type of `bytes`.
    pub media_type: &'static str,
    /// The file's content.
    pub bytes: std::sync::Arc<[u8]>,
    /// What the picture shows, in words (alt text).
    pub alt: String,
    /// The same picture as SVG text, for front ends that write vector files.
    pub svg: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("name", &self.name)
            .field("media_type", &self.media_type)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Rows of a long list per page, for front ends that page.
pub const PAGE_ROWS: usize = 15;

/// How a button looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonStyle {
    /// The main action.
    Primary,
    /// A secondary action.
    Secondary,
    /// The right answer, once revealed.
    Success,
    /// An action that destroys something ("Delete my data").
    Danger,
}

/// A button: a label and the id of the action it asks for (`commands::ids::Action`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Button {
    /// The encoded action.
    pub id: String,
    /// What it says.
    pub label: String,
    /// How it looks.
    pub style: ButtonStyle,
    /// Shown but not clickable.
    pub disabled: bool,
}

impl Button {
    /// A clickable button.
    pub fn new(id: String, label: impl Into<String>, style: ButtonStyle) -> Button {
        Button {
            id,
            label: label.into(),
            style,
            disabled: false,
        }
    }
}

/// A question put to one user, answered by picking one of `choices`.
#[derive(Clone, Debug, PartialEq)]
pub struct Prompt {
    /// The question's id in the bank.
    pub question_id: String,
    /// The choices, in display order (A–D).
    pub choices: Vec<String>,
}

/// What a command asks its front end to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A quiz session started: run its rounds.
    QuizStarted(i64),
    /// A quiz session was stopped: end its wait and post the final scoreboard.
    QuizStopped(i64),
    /// A player asked for the next rounds of a session played through interaction responses
    /// ("Next question"): this interaction carries them.
    QuizContinue(i64),
}

/// Marks a user id in reply text; front ends turn it into their own reference (a Discord
/// mention that never pings, or plain text). User-typed text can't forge one: [`echo`] drops
/// these private-use characters.
pub fn user_ref(id: &str) -> String {
    format!("\u{E000}{id}\u{E001}")
}

/// Replaces every [`user_ref`] in `text` with `show(id)`.
pub fn render_users(text: &str, show: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('\u{E000}') {
        out.push_str(&rest[..start]);
        let after = &rest[start + '\u{E000}'.len_utf8()..];
        match after.find('\u{E001}') {
            Some(end) => {
                out.push_str(&show(&after[..end]));
                rest = &after[end + '\u{E001}'.len_utf8()..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl Reply {
    /// A short private sentence (a refusal, a confirmation, an error): no title, no fields.
    pub fn notice(text: impl Into<String>) -> Reply {
        Reply {
            body: text.into(),
            ephemeral: true,
            ..Reply::default()
        }
    }

    /// Whether this is a [`Reply::notice`].
    pub fn is_notice(&self) -> bool {
        self.title.is_empty() && self.fields.is_empty() && self.items.is_empty()
    }

    /// How many pages the list needs at [`PAGE_ROWS`] a page.
    pub fn page_count(&self) -> usize {
        self.items.len().div_ceil(PAGE_ROWS).max(1)
    }

    /// A reply with a title and body.
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> Reply {
        Reply {
            title: title.into(),
            body: body.into(),
            ..Reply::default()
        }
    }

    /// Adds a field.
    pub fn field(&mut self, name: &str, value: impl Into<String>, inline: bool) {
        let value = value.into();
        if !value.trim().is_empty() {
            self.fields.push(Field {
                name: name.to_string(),
                value,
                inline,
            });
        }
    }

    /// Cites the given source ids (unknown ids are skipped; the loader rejects them anyway)
    /// and sets the as-of date.
    pub fn cite<'a>(&mut self, facts: &FactBase, ids: impl IntoIterator<Item = &'a str>) {
        for id in ids {
            if let Some(s) = facts.source(id) {
                let c = Citation {
                    title: s.title.clone(),
                    publisher: s.publisher.clone(),
                    url: s.url.clone(),
                };
                if !self.sources.contains(&c) {
                    self.sources.push(c);
                }
            }
        }
        self.as_of = Some(facts.meta.as_of);
    }

    /// The whole reply as plain text, as the terminal shows it.
    pub fn to_text(&self) -> String {
        let text = self.to_text_raw();
        render_users(&text, |id| {
            if id == "local" {
                "you".to_string()
            } else {
                format!("user {id}")
            }
        })
    }

    fn to_text_raw(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&self.title);
            out.push('\n');
            out.push_str(&"=".repeat(self.title.chars().count().min(72)));
            out.push('\n');
        }
        if !self.body.is_empty() {
            out.push_str(&self.body);
            out.push('\n');
        }
        if let Some(code) = &self.code {
            for line in code.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if !self.fields.is_empty() {
            out.push('\n');
            for f in &self.fields {
                if f.value.contains('\n') {
                    out.push_str(&format!("{}:\n", f.name));
                    for line in f.value.lines() {
                        out.push_str(&format!("  {line}\n"));
                    }
                } else {
                    out.push_str(&format!("{}: {}\n", f.name, f.value));
                }
            }
        }
        if !self.items.is_empty() {
            out.push('\n');
            for item in &self.items {
                out.push_str(item);
                out.push('\n');
            }
        }
        if let Some(p) = &self.prompt {
            out.push('\n');
            for (i, c) in p.choices.iter().enumerate() {
                out.push_str(&format!("  {}) {c}\n", (b'A' + i as u8) as char));
            }
        }
        if !self.suggestions.is_empty() {
            let names: Vec<String> = self
                .suggestions
                .iter()
                .map(|s| format!("{} ({})", s.title, s.kind))
                .collect();
            let lead = if self.matched.is_some() {
                "See also"
            } else {
                "Did you mean"
            };
            out.push_str(&format!("\n{lead}: {}?\n", names.join(", ")));
        }
        if !self.sources.is_empty() {
            out.push_str("\nSources:\n");
            for (i, s) in self.sources.iter().enumerate() {
                match &s.url {
                    Some(url) => out.push_str(&format!(
                        "  [{}] {} ({}) {url}\n",
                        i + 1,
                        s.title,
                        s.publisher
                    )),
                    None => out.push_str(&format!("  [{}] {} ({})\n", i + 1, s.title, s.publisher)),
                }
            }
        }
        if let Some(note) = &self.note {
            out.push_str(&format!("\n{note}\n"));
        }
        if let Some(as_of) = self.as_of {
            out.push_str(&format!("Facts as of {}.\n", as_of.iso()));
        }
        out
    }
}

/// The text with its first letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// User text made safe to show back: control characters removed, length bounded.
pub fn echo(text: &str) -> String {
    const MAX: usize = 80;
    let clean: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{E000}'..='\u{F8FF}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() > MAX {
        let cut: String = clean.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        clean.to_string()
    }
}

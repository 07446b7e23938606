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
    /// Values side by side (`/compare`): the terminal aligns them in columns, Discord shows one
    /// inline field per column, JSON gives them as data.
    pub table: Option<Table>,
    /// Text shown exactly as written, after the body (`/cite`'s references, a facts file's
    /// diagnostics in `/reload`): unwrapped in a terminal, in a code block on Discord.
    pub code: Option<String>,
}

/// Values side by side: a heading per column and labelled rows with one cell per column.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Table {
    /// Column headings (the entries compared).
    pub columns: Vec<String>,
    /// Rows, in display order.
    pub rows: Vec<Row>,
}

/// One labelled row of a [`Table`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// What the row shows ("Status", "Signed").
    pub label: String,
    /// One cell per column; may span lines.
    pub cells: Vec<String>,
}

/// How plain text is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Wrap to this many columns (a terminal); `None` keeps one line per line (piped output).
    pub width: Option<usize>,
    /// Every source in full (title, publisher, URL) instead of the short list.
    pub full_sources: bool,
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

    /// The whole reply as plain text, unwrapped, with the short list of sources (JSON's `text`).
    pub fn to_text(&self) -> String {
        self.render_text(TextOptions::default())
    }

    /// The whole reply as plain text, as the terminal shows it.
    pub fn render_text(&self, opts: TextOptions) -> String {
        let text = self.to_text_raw(opts);
        render_users(&text, |id| {
            if id == "local" {
                "you".to_string()
            } else {
                format!("user {id}")
            }
        })
    }

    fn to_text_raw(&self, opts: TextOptions) -> String {
        let mut out = String::new();
        // Every part but the table (laid out in columns) and the code (copied exactly) wraps.
        let add = |out: &mut String, text: &str| match opts.width {
            Some(w) => out.push_str(&crate::term::wrap(text, w)),
            None => out.push_str(text),
        };
        if !self.title.is_empty() {
            add(&mut out, &self.title);
            out.push('\n');
            let cols = crate::term::columns(&self.title).min(72);
            out.push_str(&"=".repeat(opts.width.map_or(cols, |w| cols.min(w))));
            out.push('\n');
        }
        if !self.body.is_empty() {
            add(&mut out, &self.body);
            out.push('\n');
        }
        if let Some(code) = &self.code {
            out.push('\n');
            out.push_str(code.trim_end());
            out.push('\n');
        }
        if let Some(table) = &self.table {
            out.push('\n');
            out.push_str(&table_text(table, opts.width));
        }
        if !self.fields.is_empty() {
            out.push('\n');
            for f in &self.fields {
                if f.value.contains('\n') {
                    add(&mut out, &format!("{}:\n", f.name));
                    for line in f.value.lines() {
                        add(&mut out, &format!("  {line}\n"));
                    }
                } else {
                    add(&mut out, &format!("{}: {}\n", f.name, f.value));
                }
            }
        }
        if !self.items.is_empty() {
            out.push('\n');
            for item in &self.items {
                add(&mut out, item);
                out.push('\n');
            }
        }
        if let Some(p) = &self.prompt {
            out.push('\n');
            for (i, c) in p.choices.iter().enumerate() {
                add(&mut out, &format!("  {}) {c}\n", (b'A' + i as u8) as char));
            }
        }
        if !self.suggestions.is_empty() {
            let names: Vec<String> = self
                .suggestions
                .iter()
                .map(|s| format!("{} ({})", s.title, s.kind))
                .collect();
            // A body that already asks "Did you mean …?" is answered by the list alone.
            let names = names.join(", ");
            let line = if self.matched.is_some() {
                format!("See also: {names}.")
            } else if self.body.contains("Did you mean") {
                names
            } else {
                format!("Did you mean: {names}?")
            };
            add(&mut out, &format!("\n{line}\n"));
        }
        if !self.sources.is_empty() {
            if opts.full_sources {
                out.push_str("\nSources:\n");
                for (i, s) in self.sources.iter().enumerate() {
                    add(&mut out, &format!("  {}\n", full_source(i + 1, s)));
                }
            } else {
                let line = format!("\nSources: {}\n", short_sources(&self.sources));
                let line = opts
                    .width
                    .map_or(line.clone(), |w| crate::term::wrap(&line, w));
                out.push_str(&line.replace('\u{a0}', " "));
            }
        }
        if let Some(note) = &self.note {
            add(&mut out, &format!("\n{note}\n"));
        }
        if let Some(as_of) = self.as_of {
            out.push_str(&format!("Facts as of {}.\n", as_of.iso()));
        }
        out
    }
}

/// One source in full: `[3] Title (Publisher) URL`.
pub fn full_source(n: usize, s: &Citation) -> String {
    match &s.url {
        Some(url) => format!("[{n}] {} ({}) {url}", s.title, s.publisher),
        None => format!("[{n}] {} ({})", s.title, s.publisher),
    }
}

/// The host of a URL without `www.`: `https://www.rferl.org/a/1.html` → `rferl.org`.
pub fn domain(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The sources in short, numbered as in full: `[1, 4] TASS (tass.com) · [2] News.az
/// (news.az)`; sources with the same publisher and domain share one entry.
fn short_sources(sources: &[Citation]) -> String {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let label = match s.url.as_deref().and_then(domain) {
            Some(d) if s.publisher.to_lowercase().contains(&d.to_lowercase()) => {
                s.publisher.clone()
            }
            Some(d) => format!("{} ({d})", s.publisher),
            None => format!("{} (print)", s.publisher),
        };
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, numbers)) => numbers.push(i + 1),
            None => groups.push((label, vec![i + 1])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(label, numbers)| {
            // No-break spaces keep "[3, 11] TASS" together when the line wraps; they are
            // turned back into spaces once it has.
            let numbers: Vec<String> = numbers.iter().map(ToString::to_string).collect();
            format!("[{}]\u{a0}{label}", numbers.join(",\u{a0}"))
        })
        .collect();
    format!("{}. (/sources N shows one in full.)", parts.join(" · "))
}

/// The width a table is laid out in when the output has none (piped).
pub const TABLE_WIDTH: usize = 100;

/// A table as aligned columns: the labels, then one column per heading, each as wide as its
/// widest cell or, within `width`, an equal share, its cells wrapped inside it.
pub fn table_text(table: &Table, width: Option<usize>) -> String {
    use crate::term::{columns, wrap};
    // Columns need a width even when nothing else wraps (piped output): a long cell (a
    // caveat) would otherwise push the next column hundreds of characters away.
    let width = width.unwrap_or(TABLE_WIDTH);
    const GAP: usize = 3;
    let n = table.columns.len().max(1);
    let label_w = table
        .rows
        .iter()
        .map(|r| columns(&r.label))
        .max()
        .unwrap_or(0);
    let mut widths: Vec<usize> = (0..n)
        .map(|c| {
            let head = table.columns.get(c).map_or(0, |h| columns(h));
            table
                .rows
                .iter()
                .filter_map(|r| r.cells.get(c))
                .flat_map(|cell| cell.lines())
                .map(columns)
                .chain([head])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let share = width.saturating_sub(label_w + GAP * n) / n;
    for cw in &mut widths {
        *cw = (*cw).min(share.max(12));
    }
    let cell_lines = |text: &str, w: usize| -> Vec<String> {
        text.lines()
            .flat_map(|l| wrap(l, w).lines().map(str::to_string).collect::<Vec<_>>())
            .collect()
    };
    let mut out = String::new();
    let mut line_of = |label: &str, cells: &[Vec<String>]| {
        let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        for i in 0..height {
            let mut line = String::new();
            let shown = if i == 0 { label } else { "" };
            line.push_str(shown);
            line.push_str(&" ".repeat(label_w - columns(shown) + GAP));
            for (c, cell) in cells.iter().enumerate() {
                let text = cell.get(i).map_or("", String::as_str);
                line.push_str(text);
                if c + 1 < cells.len() {
                    line.push_str(&" ".repeat(widths[c].saturating_sub(columns(text)) + GAP));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    };
    let heads: Vec<Vec<String>> = (0..n)
        .map(|c| cell_lines(table.columns.get(c).map_or("", String::as_str), widths[c]))
        .collect();
    line_of("", &heads);
    for row in &table.rows {
        let cells: Vec<Vec<String>> = (0..n)
            .map(|c| cell_lines(row.cells.get(c).map_or("", String::as_str), widths[c]))
            .collect();
        line_of(&row.label, &cells);
    }
    out
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

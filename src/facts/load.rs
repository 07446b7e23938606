//! Loading facts.toml: parse with spans, read every table, validate across entries, and report
//! every problem at once as `FILE:LINE:COL: message`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use super::reader::{At, Fields, Problems, Span, kind_of};
use super::{
    Body, BodyCategory, Claim, Confidence, Country, CuratedQuestion, Date, Details, DocType,
    Document, Entry, FactBase, Format, Kind, Meta, Person, PrincipleGroup, Role, Series, Source,
    Status, Step, Summit, Topic, Verdict,
};
use crate::search::normalize;

/// The largest facts file accepted. The real one is well under 1 MiB; anything far larger is
/// almost certainly the wrong file, and refusing it early keeps `check` fast and bounded.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The most lines a facts file may have (the real one has about 3,200). Bounds the parser's
/// work and memory on a file of many broken lines (each costs it a recovered error).
pub const MAX_LINES: usize = 100_000;
/// The most values (keys set, and items of arrays and inline tables) a facts file may hold
/// (the real one holds a few thousand). Bounds the parser's memory: each value costs it about
/// 150 bytes, so 8 MiB of `0,` would take over 600 MB.
pub const MAX_VALUES: usize = 250_000;
/// The most items one array or inline table may hold.
pub const MAX_ARRAY_ITEMS: usize = 10_000;
/// The deepest nesting of arrays and inline tables.
pub const MAX_DEPTH: usize = 32;
/// The most problems listed; the rest are counted ("… and 4,193,002 more problems").
pub const MAX_DIAGNOSTICS: usize = 200;

/// One problem in a facts file, at a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
    /// What is wrong, as a sentence.
    pub message: String,
}

/// Why a fact base could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// The file could not be read at all.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The path names a named pipe, a device, a socket or a folder, not a file.
    #[error("cannot read {path}: it is {what}, not a regular file; pass the path of a facts file")]
    NotAFile {
        /// The path.
        path: String,
        /// What it is ("a named pipe", "a device", ...).
        what: &'static str,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error(
        "{path} is larger than the {} limit for a fact base; is it the right file?",
        crate::limits::bytes(MAX_FILE_BYTES)
    )]
    TooLarge {
        /// The file.
        path: String,
    },
    /// The file has problems; the first [`MAX_DIAGNOSTICS`] are listed, and how many more.
    #[error("{}", render(.path, .diagnostics, *.omitted))]
    Invalid {
        /// The file, as it should appear before `:LINE:COL`.
        path: String,
        /// The problems, in file order: at most [`MAX_DIAGNOSTICS`].
        diagnostics: Vec<Diagnostic>,
        /// How many more problems were found and not listed.
        omitted: usize,
    },
}

fn render(path: &str, diagnostics: &[Diagnostic], omitted: usize) -> String {
    let mut lines: Vec<String> = diagnostics.iter().map(|d| d.render(path)).collect();
    if omitted > 0 {
        lines.push(more_problems(path, omitted));
    }
    lines.join("\n")
}

/// The line that stands for the problems not listed: "PATH: … and 4,193,002 more problems".
pub fn more_problems(path: &str, omitted: usize) -> String {
    format!(
        "{path}: … and {} more problem{}",
        crate::limits::thousands(omitted as u64),
        if omitted == 1 { "" } else { "s" }
    )
}

impl Diagnostic {
    /// `PATH:LINE:COL: message`.
    pub fn render(&self, path: &str) -> String {
        format!("{path}:{}:{}: {}", self.line, self.col, self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Maps byte offsets to 1-based line and character column.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }
}

/// Reads and validates a facts file.
///
/// `path` is read as bytes so that non-UTF-8 input is reported with its position.
pub fn load_path(path: &Path) -> Result<FactBase, FactsError> {
    let shown = path.display().to_string();
    let bytes = read_limited(path)?;
    parse_bytes(&bytes, &shown)
}

/// Reads a facts file, at most [`MAX_FILE_BYTES`] of it: a named pipe, a device or a socket is
/// refused without blocking, and a file is never read past the limit whatever its metadata
/// says (a device reports 0 bytes).
pub fn read_limited(path: &Path) -> Result<Vec<u8>, FactsError> {
    use crate::limits::ReadError;
    crate::limits::read_file(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(source) => FactsError::Read {
            path: path.to_path_buf(),
            source,
        },
        ReadError::NotAFile(what) => FactsError::NotAFile {
            path: path.display().to_string(),
            what,
        },
        ReadError::TooLarge(_) => FactsError::TooLarge {
            path: path.display().to_string(),
        },
    })
}

/// Validates facts given as bytes; `shown` names the file in messages.
pub fn parse_bytes(bytes: &[u8], shown: &str) -> Result<FactBase, FactsError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FactsError::TooLarge {
            path: shown.to_string(),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str(text, shown),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let (line, col) = Lines::new(text).position(text.len());
            Err(FactsError::Invalid {
                path: shown.to_string(),
                diagnostics: vec![Diagnostic {
                    line,
                    col,
                    message: format!(
                        "the file is not valid UTF-8 here (byte 0x{:02x}); save it as UTF-8",
                        bytes[e.valid_up_to()]
                    ),
                }],
                omitted: 0,
            })
        }
    }
}

/// Validates facts given as text; `shown` names the file in messages.
pub fn parse_str(text: &str, shown: &str) -> Result<FactBase, FactsError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(FactsError::TooLarge {
            path: shown.to_string(),
        });
    }
    // Before the parser builds anything: its work and memory grow with lines and values.
    if let Some((offset, message)) = shape_problem(text) {
        // Only the text before the problem: the rest may be millions of lines.
        let (line, col) = Lines::new(text.get(..offset).unwrap_or(text)).position(offset);
        return Err(FactsError::Invalid {
            path: shown.to_string(),
            diagnostics: vec![Diagnostic { line, col, message }],
            omitted: 0,
        });
    }
    let mut problems: Problems = Vec::new();
    let (doc, errors) = DeTable::parse_recoverable(text);
    let mut syntax: Vec<usize> = Vec::new();
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        syntax.push(span.start);
        problems.push((span, e.message().trim().to_string()));
    }
    let base = read_document(doc.get_ref(), &mut problems);
    if problems.is_empty()
        && let Some(base) = base
    {
        return Ok(base);
    }
    // A syntax error hides what it caused at the same place (e.g. a recovered value then read
    // as the wrong type); every other problem is kept, even several at one position.
    let syntax_count = syntax.len();
    let problems: Problems = problems
        .into_iter()
        .enumerate()
        .filter(|(i, (span, _))| *i < syntax_count || !syntax.contains(&span.start))
        .map(|(_, p)| p)
        .collect();
    let lines = Lines::new(text);
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|(span, message)| {
            let (line, col) = lines.position(span.start);
            Diagnostic { line, col, message }
        })
        .collect();
    diagnostics.sort();
    diagnostics.dedup();
    if diagnostics.is_empty() {
        diagnostics.push(Diagnostic {
            line: 1,
            col: 1,
            message: "the file has no [meta] table".into(),
        });
    }
    let omitted = diagnostics.len().saturating_sub(MAX_DIAGNOSTICS);
    diagnostics.truncate(MAX_DIAGNOSTICS);
    Err(FactsError::Invalid {
        path: shown.to_string(),
        diagnostics,
        omitted,
    })
}

/// The first place where `text` breaks a shape limit ([`MAX_LINES`], [`MAX_VALUES`],
/// [`MAX_ARRAY_ITEMS`], [`MAX_DEPTH`]), as a byte offset and a sentence. A single pass over the
/// bytes that knows just enough TOML (strings, comments, table headers, brackets) to count.
fn shape_problem(text: &str) -> Option<(usize, String)> {
    use crate::limits::thousands;
    let b = text.as_bytes();
    let mut lines = 1;
    let mut values = 0;
    // Per open array or inline table: its opening offset and its items so far.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // Whether the line so far is a value (after `=`), so `[` opens an array, not a header.
    let mut in_value = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                lines += 1;
                if lines > MAX_LINES {
                    return Some((
                        i + 1,
                        format!(
                            "the file has more than {} lines, the limit for a fact base; is it the right file?",
                            thousands(MAX_LINES as u64)
                        ),
                    ));
                }
                if open.is_empty() {
                    in_value = false;
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            q @ (b'"' | b'\'') => {
                let triple = b[i..].starts_with(&[q, q, q]);
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if q == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'\n' {
                        if !triple {
                            break;
                        }
                        lines += 1;
                    }
                    if b[i] == q && (!triple || b[i..].starts_with(&[q, q, q])) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'=' => {
                in_value = true;
                values += 1;
            }
            b'[' | b'{' if in_value || !open.is_empty() => {
                open.push((i, 0));
                if open.len() > MAX_DEPTH {
                    return Some((
                        i,
                        format!(
                            "arrays and inline tables nest deeper than {MAX_DEPTH} levels here; flatten them"
                        ),
                    ));
                }
            }
            b'[' => {
                // A table header: skip to its end.
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b']' | b'}' => {
                open.pop();
            }
            b',' => {
                if let Some(top) = open.last_mut() {
                    top.1 += 1;
                    values += 1;
                    if top.1 >= MAX_ARRAY_ITEMS {
                        return Some((
                            top.0,
                            format!(
                                "this array holds more than {} items, the limit; split it",
                                thousands(MAX_ARRAY_ITEMS as u64)
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
        if values > MAX_VALUES {
            return Some((
                i,
                format!(
                    "the file holds more than {} values, the limit for a fact base; is it the right file?",
                    thousands(MAX_VALUES as u64)
                ),
            ));
        }
        i += 1;
    }
    None
}

/// Spans kept for checks that look across entries.
struct Raw {
    entry: Entry,
    id_span: Span,
    names: Vec<At<String>>,
    sources: Vec<At<String>>,
    /// References to other entries: (kind, id, span).
    refs: Vec<(Kind, String, Span)>,
}

/// A `[[question]]` with the spans kept for checks that look across the file. Those checks run
/// even when a required field is missing (`question` is then `None`), so that every problem is
/// reported at once.
struct RawQuestion {
    question: Option<CuratedQuestion>,
    id: At<String>,
    sources: Vec<At<String>>,
    /// The entries named in `facts`: (kind, id, span).
    refs: Vec<(Kind, String, Span)>,
}

fn read_document(doc: &DeTable<'_>, problems: &mut Problems) -> Option<FactBase> {
    let mut meta = None;
    let mut meta_seen = false;
    let mut sources = Vec::new();
    let mut raws = Vec::new();
    let mut questions = Vec::new();
    for (key, value) in doc.iter() {
        let name = key.get_ref().as_ref();
        if name == "meta" {
            meta_seen = true;
            match value.get_ref().as_table() {
                Some(t) => meta = read_meta(t, value.span(), problems),
                None => problems.push((value.span(), "`meta` must be a table".into())),
            }
            continue;
        }
        let kind = Kind::from_key(name);
        if kind.is_none() && name != "source" && name != "question" {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.key()).collect();
            problems.push((
                key.span(),
                format!(
                    "unknown table `{name}`; the tables are [meta], [[source]], [[{}]] and [[question]]",
                    known.join("]], [[")
                ),
            ));
            continue;
        }
        let Some(items) = value.get_ref().as_array() else {
            problems.push((
                value.span(),
                format!(
                    "`{name}` must be an array of tables, written [[{name}]], found {}",
                    kind_of(value.get_ref())
                ),
            ));
            continue;
        };
        for item in items.iter() {
            let Some(table) = item.get_ref().as_table() else {
                problems.push((
                    item.span(),
                    format!("every [[{name}]] item must be a table"),
                ));
                continue;
            };
            match kind {
                Some(kind) => raws.extend(read_entry(kind, table, item.span(), problems)),
                None if name == "question" => {
                    questions.extend(read_question(table, item.span(), problems));
                }
                None => sources.extend(read_source(table, item.span(), problems)),
            }
        }
    }
    if !meta_seen {
        problems.push((
            0..0,
            "the file has no [meta] table (version, as_of, title, cite)".into(),
        ));
    }
    let meta = meta?;
    validate(&sources, &raws, &questions, problems);
    let sources = sources.into_iter().map(|(s, _)| s).collect();
    let entries = raws.into_iter().map(|r| r.entry).collect();
    let mut base = FactBase::from_parts(meta, sources, entries);
    base.questions = questions.into_iter().filter_map(|q| q.question).collect();
    Some(base)
}

fn read_meta(table: &DeTable<'_>, span: Span, problems: &mut Problems) -> Option<Meta> {
    let mut f = Fields::new(table, span, "[meta]", problems);
    let version = f.string("version", true);
    let as_of = f.date("as_of", true);
    let title = f.string("title", true);
    let cite = f.string("cite", true);
    f.finish();
    Some(Meta {
        version: version?.value,
        as_of: as_of?.value,
        title: title?.value,
        cite: cite?.value,
    })
}

fn read_source(table: &DeTable<'_>, span: Span, problems: &mut Problems) -> Option<(Source, Span)> {
    let mut f = Fields::new(table, span, "[[source]]", problems);
    let id = f.string("id", true);
    let title = f.string("title", true);
    let publisher = f.string("publisher", true);
    let url = f.string("url", false);
    let accessed = f.date("accessed", true);
    let note = f.string("note", false);
    if let Some(url) = &url
        && !(url.value.starts_with("http://") || url.value.starts_with("https://"))
    {
        f.problem(
            url.span.clone(),
            "`url` must start with http:// or https://",
        );
    }
    f.finish();
    let id = id?;
    if !valid_id(&id.value) {
        problems.push((id.span.clone(), bad_id_message(&id.value)));
    }
    Some((
        Source {
            id: id.value,
            title: title?.value,
            publisher: publisher?.value,
            url: url.map(|u| u.value),
            accessed: accessed?.value,
            note: note.map(|n| n.value),
        },
        id.span,
    ))
}

/// Ids travel inside Discord button ids (at most 100 bytes with their prefix), so they are short.
const MAX_ID_LEN: usize = 64;

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn bad_id_message(id: &str) -> String {
    format!(
        "id \"{id}\" may only use lowercase letters, digits and '-', at most {MAX_ID_LEN} of them"
    )
}

fn read_entry(kind: Kind, table: &DeTable<'_>, span: Span, problems: &mut Problems) -> Option<Raw> {
    let what = format!("[[{kind}]]");
    let mut f = Fields::new(table, span.clone(), &what, problems);
    let id = f.string("id", true);
    let name = f.string("name", true);
    let aliases = f.strings("aliases", true);
    let historical_names = f.strings("historical_names", false);
    let name_ru = f.string("name_ru", false);
    let name_zh = f.string("name_zh", false);
    let summary = f.string("summary", true);
    let sources = f.strings("sources", true);
    let confidence = f
        .choice("confidence", false, Confidence::ALL, Confidence::key)
        .unwrap_or(Confidence::High);
    let caveat = f.string("caveat", false);
    if sources.is_empty() && table.iter().any(|(k, _)| k.get_ref().as_ref() == "sources") {
        f.problem(
            span.clone(),
            format!("{what} has no source: list at least one source id in `sources`"),
        );
    }
    let mut names: Vec<At<String>> = Vec::new();
    names.extend(name.iter().cloned());
    names.extend(aliases.iter().cloned());
    names.extend(name_ru.iter().cloned());
    names.extend(name_zh.iter().cloned());
    let mut refs = Vec::new();
    let details = match kind {
        Kind::Country => read_country(&mut f, &mut names, &mut refs),
        Kind::Principle => f
            .choice("group", true, PrincipleGroup::ALL, PrincipleGroup::key)
            .map(Details::Principle),
        Kind::Body => read_body(&mut f),
        Kind::Summit => read_summit(&mut f, &mut refs),
        Kind::Document => read_document_fields(&mut f, &mut refs),
        Kind::Term => {
            let part_of = f.string("part_of", false);
            if let Some(p) = &part_of {
                refs.push((Kind::Term, p.value.clone(), p.span.clone()));
            }
            Some(Details::Term {
                part_of: part_of.map(|p| p.value),
            })
        }
        Kind::Person => read_person(&mut f, &mut refs),
        Kind::Claim => read_claim(&mut f),
    };
    f.finish();
    let id = id?;
    if !valid_id(&id.value) {
        problems.push((id.span.clone(), bad_id_message(&id.value)));
    }
    Some(Raw {
        entry: Entry {
            kind,
            id: id.value,
            name: name?.value,
            aliases: aliases.into_iter().map(|a| a.value).collect(),
            historical_names: historical_names.into_iter().map(|a| a.value).collect(),
            name_ru: name_ru.map(|n| n.value),
            name_zh: name_zh.map(|n| n.value),
            summary: summary?.value,
            sources: sources.iter().map(|s| s.value.clone()).collect(),
            confidence,
            caveat: caveat.map(|c| c.value),
            details: details?,
        },
        id_span: id.span,
        names,
        sources,
        refs,
    })
}

fn read_country(
    f: &mut Fields<'_, '_>,
    names: &mut Vec<At<String>>,
    refs: &mut Vec<(Kind, String, Span)>,
) -> Option<Details> {
    let iso = f.string("iso", true);
    let official_name = f.string("official_name", false);
    let capital = f.string("capital", false);
    let official_name_ru = f.string("official_name_ru", false);
    let official_name_zh = f.string("official_name_zh", false);
    let declared_status = f.choice("status", false, Status::ALL, Status::key);
    for n in [&official_name, &official_name_ru, &official_name_zh]
        .into_iter()
        .flatten()
    {
        names.push(n.clone());
    }
    if let Some(iso) = &iso
        && crate::search::world::by_alpha2(&iso.value).is_none()
    {
        f.problem(
            iso.span.clone(),
            format!(
                "`iso` \"{}\" is not an ISO 3166-1 alpha-2 country code",
                iso.value
            ),
        );
    }
    let mut history = Vec::new();
    let mut previous: Option<Date> = None;
    for (table, span) in f.tables("history") {
        let mut problems = Vec::new();
        let mut h = Fields::new(table, span.clone(), "a history step", &mut problems);
        let date = h.date("date", true);
        let status = h.choice("status", false, Status::ALL, Status::key);
        let event = h.string("event", true);
        let summit = h.string("summit", false);
        h.finish();
        for (s, m) in problems {
            f.problem(s, m);
        }
        if let Some(s) = &summit {
            refs.push((Kind::Summit, s.value.clone(), s.span.clone()));
        }
        if let Some(d) = &date {
            if previous.is_some_and(|p| d.value < p) {
                f.problem(
                    d.span.clone(),
                    format!(
                        "history is out of order: {} comes after a step dated {}; list steps oldest first",
                        d.value.iso(),
                        previous.map(|p| p.iso()).unwrap_or_default()
                    ),
                );
            }
            previous = Some(d.value);
        }
        if let (Some(date), Some(event)) = (date, event) {
            history.push(Step {
                date: date.value,
                status,
                event: event.value,
                summit: summit.map(|s| s.value),
            });
        }
    }
    if let Some(declared) = declared_status
        && let Some(last) = history.iter().rev().find_map(|s| s.status)
        && last != declared
    {
        let span = f.span();
        f.problem(
            span,
            format!(
                "`status` is \"{}\" but the last history step says \"{}\"; drop `status` or make them agree",
                declared.key(),
                last.key()
            ),
        );
    }
    Some(Details::Country(Country {
        iso: iso?.value,
        official_name: official_name.map(|v| v.value),
        capital: capital.map(|v| v.value),
        official_name_ru: official_name_ru.map(|v| v.value),
        official_name_zh: official_name_zh.map(|v| v.value),
        history,
        declared_status,
    }))
}

fn read_body(f: &mut Fields<'_, '_>) -> Option<Details> {
    let category = f.choice("category", false, BodyCategory::ALL, BodyCategory::key);
    let seat = f.string("seat", false);
    let founded = f.date("founded", false);
    let in_charter = f.boolean("in_charter");
    Some(Details::Body(Body {
        category,
        seat: seat.map(|s| s.value),
        founded: founded.map(|d| d.value),
        in_charter,
    }))
}

fn read_summit(f: &mut Fields<'_, '_>, refs: &mut Vec<(Kind, String, Span)>) -> Option<Details> {
    let series = f.choice("series", true, Series::ALL, Series::key);
    let number = f.int("number", true, 1..=1000);
    let year = f.int("year", true, 1990..=2200);
    let start = f.date("start", true);
    let end = f.date("end", false);
    let city = f.string("city", true);
    let country = f.string("country", true);
    let format = f.choice("format", false, Format::ALL, Format::key);
    let outcomes = f.strings("outcomes", false);
    if let (Some(y), Some(s)) = (&year, &start)
        && i64::from(s.value.year) != y.value
    {
        f.problem(
            s.span.clone(),
            format!("`start` is in {} but `year` is {}", s.value.year, y.value),
        );
    }
    if let (Some(s), Some(e)) = (&start, &end)
        && e.value < s.value
    {
        f.problem(e.span.clone(), "`end` is before `start`");
    }
    if let Some(c) = &country {
        refs.push((Kind::Country, c.value.clone(), c.span.clone()));
    }
    Some(Details::Summit(Summit {
        series: series?,
        number: u32::try_from(number?.value).ok()?,
        year: i32::try_from(year?.value).ok()?,
        start: start?.value,
        end: end.map(|e| e.value),
        city: city?.value,
        country: country?.value,
        format,
        outcomes: outcomes.into_iter().map(|o| o.value).collect(),
    }))
}

fn read_document_fields(
    f: &mut Fields<'_, '_>,
    refs: &mut Vec<(Kind, String, Span)>,
) -> Option<Details> {
    let doc_type = f.choice("doc_type", true, DocType::ALL, DocType::key);
    let signed = f.date("signed", true);
    let place = f.string("place", true);
    let in_force = f.date("in_force", false);
    let summit = f.string("summit", false);
    if let (Some(s), Some(i)) = (&signed, &in_force)
        && i.value < s.value
    {
        f.problem(i.span.clone(), "`in_force` is before `signed`");
    }
    if let Some(s) = &summit {
        refs.push((Kind::Summit, s.value.clone(), s.span.clone()));
    }
    Some(Details::Document(Document {
        doc_type: doc_type?,
        signed: signed?.value,
        place: place?.value,
        in_force: in_force.map(|d| d.value),
        summit: summit.map(|s| s.value),
    }))
}

fn read_person(f: &mut Fields<'_, '_>, refs: &mut Vec<(Kind, String, Span)>) -> Option<Details> {
    let role = f.choice("role", true, Role::ALL, Role::key);
    let order = f.int("order", true, 1..=1000);
    let country = f.string("country", true);
    let from_year = f.int("from_year", true, 1990..=2200);
    let to_year = f.int("to_year", true, 1990..=2200);
    let took_office = f.date("took_office", false);
    let left_office = f.date("left_office", false);
    let appointed = f.date("appointed", false);
    let appointed_at = f.string("appointed_at", false);
    if let (Some(a), Some(b)) = (&from_year, &to_year)
        && b.value < a.value
    {
        f.problem(b.span.clone(), "`to_year` is before `from_year`");
    }
    if let (Some(t), Some(y)) = (&took_office, &from_year)
        && i64::from(t.value.year) != y.value
    {
        f.problem(t.span.clone(), "`took_office` is not in `from_year`");
    }
    if let (Some(l), Some(y)) = (&left_office, &to_year)
        && i64::from(l.value.year) != y.value
    {
        f.problem(l.span.clone(), "`left_office` is not in `to_year`");
    }
    if let (Some(t), Some(l)) = (&took_office, &left_office)
        && l.value < t.value
    {
        f.problem(l.span.clone(), "`left_office` is before `took_office`");
    }
    if let Some(c) = &country {
        refs.push((Kind::Country, c.value.clone(), c.span.clone()));
    }
    if let Some(s) = &appointed_at {
        refs.push((Kind::Summit, s.value.clone(), s.span.clone()));
    }
    Some(Details::Person(Person {
        role: role?,
        order: u32::try_from(order?.value).ok()?,
        country: country?.value,
        from_year: i32::try_from(from_year?.value).ok()?,
        to_year: i32::try_from(to_year?.value).ok()?,
        took_office: took_office.map(|d| d.value),
        left_office: left_office.map(|d| d.value),
        appointed: appointed.map(|d| d.value),
        appointed_at: appointed_at.map(|s| s.value),
    }))
}

fn read_claim(f: &mut Fields<'_, '_>) -> Option<Details> {
    let claim = f.string("claim", true);
    let verdict = f.choice("verdict", true, Verdict::ALL, Verdict::key);
    let correction = f.string("correction", false);
    if verdict.is_some_and(|v| !matches!(v, Verdict::Correct | Verdict::Unchecked))
        && correction.is_none()
    {
        let span = f.span();
        f.problem(
            span,
            "a claim whose verdict is not \"correct\" or \"unchecked\" needs a `correction` saying what is right",
        );
    }
    Some(Details::Claim(Claim {
        claim: claim?.value,
        verdict: verdict?,
        correction: correction.map(|c| c.value),
    }))
}

/// Reads a `[[question]]`: a curated quiz question. Its distractors are checked here against its
/// own answer; its sources and facts are checked in [`validate`], which knows the whole file.
fn read_question(table: &DeTable<'_>, span: Span, problems: &mut Problems) -> Option<RawQuestion> {
    let mut f = Fields::new(table, span.clone(), "[[question]]", problems);
    let id = f.string("id", true);
    let topic = f.choice("topic", true, &Topic::ALL, Topic::key);
    let prompt = f.string("prompt", true);
    let answer = f.string("answer", true);
    let accepted = f.strings("accepted", false);
    let choices = f.strings("choices", true);
    let explanation = f.string("explanation", true);
    let sources = f.strings("sources", true);
    let facts = f.strings("facts", false);
    let raw = |key: &str| {
        table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    };
    // Counted on the raw array: an item of the wrong type is reported on its own.
    if let Some(list) = raw("choices")
        && let Some(n) = list
            .get_ref()
            .as_array()
            .map(|a| a.len())
            .filter(|n| *n != 3)
    {
        f.problem(
            list.span(),
            format!("`choices` must list exactly 3 wrong answers, found {n}"),
        );
    }
    if sources.is_empty() && raw("sources").is_some() {
        f.problem(
            span,
            "[[question]] has no source: list at least one source id in `sources`",
        );
    }
    // A choice that normalises like the answer (or like another choice) would be a second
    // correct option or a duplicate button; compare as the answer checker will.
    let mut taken: Vec<(String, String)> = Vec::new();
    if let Some(a) = &answer {
        taken.push((
            normalize::compact(&a.value),
            format!("the answer \"{}\"", a.value),
        ));
    }
    for a in &accepted {
        taken.push((
            normalize::compact(&a.value),
            format!("the accepted answer \"{}\"", a.value),
        ));
    }
    for c in &choices {
        let key = normalize::compact(&c.value);
        if let Some((_, what)) = taken.iter().find(|(k, _)| *k == key) {
            let message = format!(
                "choice \"{}\" is the same as {what}; every choice must be a wrong answer",
                c.value
            );
            f.problem(c.span.clone(), message);
        }
        taken.push((key, format!("the choice \"{}\"", c.value)));
    }
    let mut refs = Vec::new();
    for item in &facts {
        let parsed = item
            .value
            .split_once(':')
            .and_then(|(kind, id)| Some((Kind::from_key(kind.trim())?, id.trim())))
            .filter(|(_, id)| !id.is_empty());
        match parsed {
            Some((kind, id)) => refs.push((kind, id.to_string(), item.span.clone())),
            None => {
                let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.key()).collect();
                let message = format!(
                    "`facts` item \"{}\" must be KIND:ID, with KIND one of {}",
                    item.value,
                    kinds.join(", ")
                );
                f.problem(item.span.clone(), message);
            }
        }
    }
    f.finish();
    let id = id?;
    if !valid_id(&id.value) {
        problems.push((id.span.clone(), bad_id_message(&id.value)));
    }
    let question = match (topic, prompt, answer, explanation) {
        (Some(topic), Some(prompt), Some(answer), Some(explanation)) => Some(CuratedQuestion {
            id: id.value.clone(),
            topic,
            prompt: prompt.value,
            answer: answer.value,
            accepted: accepted.into_iter().map(|a| a.value).collect(),
            distractors: choices.into_iter().map(|c| c.value).collect(),
            explanation: explanation.value,
            sources: sources.iter().map(|s| s.value.clone()).collect(),
            facts: refs.iter().map(|(k, id, _)| (*k, id.clone())).collect(),
        }),
        _ => None,
    };
    Some(RawQuestion {
        question,
        id,
        sources,
        refs,
    })
}

fn unknown_source(id: &str) -> String {
    format!("unknown source id \"{id}\"; add a [[source]] with this id or fix the spelling")
}

/// Checks that look across entries: unique ids and names, known sources and references; and
/// the same for curated questions.
fn validate(
    sources: &[(Source, Span)],
    raws: &[Raw],
    questions: &[RawQuestion],
    problems: &mut Problems,
) {
    let mut source_ids: HashMap<&str, &Span> = HashMap::new();
    for (s, span) in sources {
        if source_ids.insert(&s.id, span).is_some() {
            problems.push((span.clone(), format!("duplicate source id \"{}\"", s.id)));
        }
    }
    let mut ids: HashSet<(Kind, &str)> = HashSet::new();
    let mut names: HashMap<(Kind, String), &str> = HashMap::new();
    for raw in raws {
        let e = &raw.entry;
        if !ids.insert((e.kind, &e.id)) {
            problems.push((
                raw.id_span.clone(),
                format!("duplicate id \"{}\" among [[{}]] entries", e.id, e.kind),
            ));
        }
        let mut own: HashSet<String> = HashSet::new();
        for n in &raw.names {
            let key = normalize::compact(&n.value);
            if key.is_empty() {
                problems.push((
                    n.span.clone(),
                    format!("\"{}\" has no letters or digits to search by", n.value),
                ));
                continue;
            }
            if !own.insert(key.clone()) {
                continue; // The same entry may spell a name twice (e.g. with and without accents).
            }
            if let Some(other) = names.insert((e.kind, key), &e.id) {
                problems.push((
                    n.span.clone(),
                    format!(
                        "\"{}\" is already a name or alias of [[{}]] \"{other}\"; a name must point to one entry",
                        n.value, e.kind
                    ),
                ));
            }
        }
        for s in &raw.sources {
            if !source_ids.contains_key(s.value.as_str()) {
                problems.push((s.span.clone(), unknown_source(&s.value)));
            }
        }
    }
    let mut question_ids: HashSet<&str> = HashSet::new();
    for q in questions {
        if !question_ids.insert(&q.id.value) {
            problems.push((
                q.id.span.clone(),
                format!("duplicate id \"{}\" among [[question]] entries", q.id.value),
            ));
        }
        for s in &q.sources {
            if !source_ids.contains_key(s.value.as_str()) {
                problems.push((s.span.clone(), unknown_source(&s.value)));
            }
        }
    }
    let refs = raws.iter().flat_map(|r| &r.refs);
    for (kind, id, span) in refs.chain(questions.iter().flat_map(|q| &q.refs)) {
        if !ids.contains(&(*kind, id.as_str())) {
            problems.push((
                span.clone(),
                format!("there is no [[{kind}]] with id \"{id}\""),
            ));
        }
    }
}

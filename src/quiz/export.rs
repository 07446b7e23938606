//! Questions as a deck file for other study tools: Anki's text import (tab-separated, with the
//! header lines Anki reads) or RFC 4180 CSV. Pure: this builds the file's text; writing it is
//! the caller's (the terminal writes the path its local user gives; Discord attaches it).
//!
//! Every row has the same five fields: front (the prompt and its four lettered choices), back
//! (the answer and every accepted alternative), explanation, sources (title, publisher and
//! URL, separated by "; ") and tags ("sco-bot" and the topic's key).
//!
//! A field that holds the separator, a quote, a line break, or (Anki only) starts with `#`,
//! which Anki would read as a comment line, is quoted, with quotes doubled: Anki's manual
//! and RFC 4180 both read fields that way, so tabs, commas, quotes and newlines inside a
//! field never break a row.

use std::borrow::Cow;

use super::Question;
use crate::facts::FactBase;

/// A deck file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Anki's text import: tab-separated, with `#separator`, `#html`, `#columns` and
    /// `#tags column` header lines.
    Anki,
    /// RFC 4180 CSV with a header row, CRLF line ends.
    Csv,
}

/// The column names, in order.
pub const COLUMNS: [&str; 5] = ["Front", "Back", "Explanation", "Sources", "Tags"];

impl Format {
    /// Every format.
    pub const ALL: [Format; 2] = [Format::Anki, Format::Csv];

    /// Its name on the command line and in `/study export format:`.
    pub fn key(self) -> &'static str {
        match self {
            Format::Anki => "anki",
            Format::Csv => "csv",
        }
    }

    /// The format a name names (`anki`, `csv`, any case).
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(name.trim()))
    }

    /// The file name extension (Anki imports `.txt`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Anki => "txt",
            Format::Csv => "csv",
        }
    }

    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Anki => "text/tab-separated-values",
            Format::Csv => "text/csv",
        }
    }

    fn separator(self) -> char {
        match self {
            Format::Anki => '\t',
            Format::Csv => ',',
        }
    }

    fn line_end(self) -> &'static str {
        match self {
            Format::Anki => "\n",
            Format::Csv => "\r\n",
        }
    }
}

/// One question as the five fields of a deck row.
pub fn row(q: &Question, facts: &FactBase) -> [String; 5] {
    let mut front = q.prompt.trim().to_string();
    for (i, choice) in q.choices.iter().enumerate() {
        let letter = char::from(b'A' + u8::try_from(i % 26).unwrap_or(0));
        front.push_str(&format!("\n{letter}. {choice}"));
    }
    let sources: Vec<String> = q
        .sources
        .iter()
        .filter_map(|id| facts.source(id))
        .map(|s| match &s.url {
            Some(url) => format!("{} ({}) {url}", s.title, s.publisher),
            None => format!("{} ({})", s.title, s.publisher),
        })
        .collect();
    [
        front,
        super::check::reveal(q),
        q.explanation.trim().to_string(),
        sources.join("; "),
        format!("sco-bot {}", q.topic.key()),
    ]
}

/// The whole file for these questions, in this order.
pub fn deck<'q>(
    format: Format,
    questions: impl IntoIterator<Item = &'q Question>,
    facts: &FactBase,
) -> String {
    let end = format.line_end();
    let sep = format.separator().to_string();
    let mut out = String::new();
    match format {
        Format::Anki => {
            out.push_str("#separator:tab\n#html:false\n");
            out.push_str(&format!("#columns:{}\n", COLUMNS.join("\t")));
            out.push_str(&format!("#tags column:{}\n", COLUMNS.len()));
        }
        Format::Csv => {
            let header: Vec<String> = COLUMNS.iter().map(|c| c.to_lowercase()).collect();
            out.push_str(&header.join(","));
            out.push_str(end);
        }
    }
    for q in questions {
        let fields = row(q, facts);
        let quoted: Vec<Cow<'_, str>> = fields.iter().map(|f| field(format, f)).collect();
        out.push_str(&quoted.join(sep.as_str()));
        out.push_str(end);
    }
    out
}

/// A field as written: as it is, or quoted with its quotes doubled.
pub fn field(format: Format, text: &str) -> Cow<'_, str> {
    let special = |c: char| c == format.separator() || matches!(c, '"' | '\n' | '\r');
    let comment = format == Format::Anki && text.starts_with('#');
    if text.contains(special) || comment {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_stay_and_special_ones_are_quoted_with_quotes_doubled() {
        assert_eq!(field(Format::Anki, "Astana"), "Astana");
        assert_eq!(field(Format::Anki, "a,b"), "a,b");
        assert_eq!(field(Format::Csv, "a,b"), "\"a,b\"");
        assert_eq!(field(Format::Anki, "a\tb"), "\"a\tb\"");
        assert_eq!(field(Format::Csv, "a\tb"), "a\tb");
        assert_eq!(field(Format::Csv, "say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field(Format::Anki, "two\nlines"), "\"two\nlines\"");
        assert_eq!(field(Format::Csv, "cr\r"), "\"cr\r\"");
        assert_eq!(field(Format::Anki, "#1 question"), "\"#1 question\"");
        assert_eq!(field(Format::Csv, "#1 question"), "#1 question");
    }

    #[test]
    fn formats_parse_from_their_keys_in_any_case() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.key()), Some(f));
            assert_eq!(Format::parse(&f.key().to_uppercase()), Some(f));
        }
        assert_eq!(Format::parse("xlsx"), None);
    }
}

//! Typed reading of one TOML table with spans, collecting every problem instead of stopping.
//!
//! serde stops at the first error; curators want them all, so the loader walks toml's spanned
//! document tree (`DeTable`) itself with these helpers.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Date;

/// A byte range in the source text.
pub(crate) type Span = Range<usize>;

/// Problems found so far: a span and a message each.
pub(crate) type Problems = Vec<(Span, String)>;

/// A value with the span it was read from.
#[derive(Clone, Debug)]
pub(crate) struct At<T> {
    pub value: T,
    pub span: Span,
}

/// Reads the fields of one table, remembering which keys were used.
pub(crate) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Span,
    what: &'a str,
    used: Vec<&'a str>,
    missing: Vec<&'a str>,
    problems: &'a mut Problems,
}

/// Converts a TOML date value, rejecting date-times and times.
fn to_date(value: &DeValue<'_>) -> Result<Date, String> {
    let dt = value
        .as_datetime()
        .ok_or_else(|| format!("expected a date like 2001-06-15, found {}", kind_of(value)))?;
    match (dt.date, dt.time, dt.offset) {
        (Some(d), None, None) => Ok(Date {
            year: i32::from(d.year),
            month: d.month,
            day: d.day,
        }),
        _ => Err("expected a plain date like 2001-06-15, without a time or offset".into()),
    }
}

/// A short description of a value's type, for messages.
pub(crate) fn kind_of(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Fields<'a, 'i> {
    /// Starts reading `table`, described as `what` in messages (e.g. "[[country]]").
    pub fn new(
        table: &'a DeTable<'i>,
        span: Span,
        what: &'a str,
        problems: &'a mut Problems,
    ) -> Self {
        Fields {
            table,
            span,
            what,
            used: Vec::new(),
            missing: Vec::new(),
            problems,
        }
    }

    /// The span of the whole table.
    pub fn span(&self) -> Span {
        self.span.clone()
    }

    /// Records a problem.
    pub fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push((span, message.into()));
    }

    fn raw(&mut self, key: &'a str, required: bool) -> Option<&'a Spanned<DeValue<'i>>> {
        self.used.push(key);
        let found = self
            .table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v);
        if found.is_none() && required {
            self.missing.push(key);
        }
        found
    }

    fn wrong_type(&mut self, key: &str, expected: &str, value: &Spanned<DeValue<'_>>) {
        let message = format!(
            "`{key}` must be {expected}, found {}",
            kind_of(value.get_ref())
        );
        self.problem(value.span(), message);
    }

    /// A string field; an empty string counts as a problem when required.
    pub fn string(&mut self, key: &'a str, required: bool) -> Option<At<String>> {
        let value = self.raw(key, required)?;
        match value.get_ref().as_str() {
            Some(s) if s.trim().is_empty() && required => {
                self.problem(value.span(), format!("`{key}` must not be empty"));
                None
            }
            Some(s) => Some(At {
                value: s.trim().to_string(),
                span: value.span(),
            }),
            None => {
                self.wrong_type(key, "a string", value);
                None
            }
        }
    }

    /// An array of strings; missing is an empty list unless required.
    pub fn strings(&mut self, key: &'a str, required: bool) -> Vec<At<String>> {
        let Some(value) = self.raw(key, required) else {
            return Vec::new();
        };
        let Some(items) = value.get_ref().as_array() else {
            self.wrong_type(key, "an array of strings", value);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) if s.trim().is_empty() => {
                    self.problem(item.span(), format!("`{key}` has an empty string"));
                }
                Some(s) => out.push(At {
                    value: s.trim().to_string(),
                    span: item.span(),
                }),
                None => {
                    let message = format!(
                        "every item of `{key}` must be a string, found {}",
                        kind_of(item.get_ref())
                    );
                    self.problem(item.span(), message);
                }
            }
        }
        out
    }

    /// A date field (`2001-06-15`).
    pub fn date(&mut self, key: &'a str, required: bool) -> Option<At<Date>> {
        let value = self.raw(key, required)?;
        match to_date(value.get_ref()) {
            Ok(date) => Some(At {
                value: date,
                span: value.span(),
            }),
            Err(message) => {
                self.problem(value.span(), format!("`{key}`: {message}"));
                None
            }
        }
    }

    /// An integer field within `range`.
    pub fn int(
        &mut self,
        key: &'a str,
        required: bool,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<At<i64>> {
        let value = self.raw(key, required)?;
        let Some(int) = value.get_ref().as_integer() else {
            self.wrong_type(key, "an integer", value);
            return None;
        };
        match i64::from_str_radix(int.as_str(), int.radix()) {
            Ok(n) if range.contains(&n) => Some(At {
                value: n,
                span: value.span(),
            }),
            _ => {
                let message = format!(
                    "`{key}` must be between {} and {}",
                    range.start(),
                    range.end()
                );
                self.problem(value.span(), message);
                None
            }
        }
    }

    /// A boolean field, false when missing.
    pub fn boolean(&mut self, key: &'a str) -> bool {
        let Some(value) = self.raw(key, false) else {
            return false;
        };
        match value.get_ref().as_bool() {
            Some(b) => b,
            None => {
                self.wrong_type(key, "true or false", value);
                false
            }
        }
    }

    /// A string field that must be one of `allowed`, parsed by `parse`.
    pub fn choice<E>(
        &mut self,
        key: &'a str,
        required: bool,
        allowed: &[E],
        text: fn(E) -> &'static str,
    ) -> Option<E>
    where
        E: Copy,
    {
        let at = self.string(key, required)?;
        let found = allowed.iter().copied().find(|&e| text(e) == at.value);
        if found.is_none() {
            let names: Vec<String> = allowed
                .iter()
                .map(|&e| format!("\"{}\"", text(e)))
                .collect();
            let message = format!(
                "`{key}` is \"{}\"; it must be one of {}",
                at.value,
                names.join(", ")
            );
            self.problem(at.span, message);
        }
        found
    }

    /// An array of tables (such as `history = [{...}, ...]`), each with its span.
    pub fn tables(&mut self, key: &'a str) -> Vec<(&'a DeTable<'i>, Span)> {
        let Some(value) = self.raw(key, false) else {
            return Vec::new();
        };
        let Some(items) = value.get_ref().as_array() else {
            self.wrong_type(key, "an array of tables", value);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_table() {
                Some(t) => out.push((t, item.span())),
                None => {
                    let message = format!(
                        "every item of `{key}` must be a table, found {}",
                        kind_of(item.get_ref())
                    );
                    self.problem(item.span(), message);
                }
            }
        }
        out
    }

    /// Reports the missing required fields together, and every key that no reader asked for.
    pub fn finish(self) {
        if !self.missing.is_empty() {
            let list: Vec<String> = self.missing.iter().map(|k| format!("`{k}`")).collect();
            let message = if list.len() == 1 {
                format!("{} is missing the required field {}", self.what, list[0])
            } else {
                format!(
                    "{} is missing the required fields {}",
                    self.what,
                    list.join(", ")
                )
            };
            self.problems.push((self.span.clone(), message));
        }
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.used.contains(&name) {
                continue;
            }
            let closest = self
                .used
                .iter()
                .map(|u| (strsim::damerau_levenshtein(u, name), *u))
                .min();
            let hint = match closest {
                Some((d, u)) if d <= 2 => format!("; did you mean `{u}`?"),
                _ => format!(
                    "; the fields of {} are: {}",
                    self.what,
                    self.used.join(", ")
                ),
            };
            self.problems.push((
                key.span(),
                format!("unknown field `{name}` in {}{hint}", self.what),
            ));
        }
    }
}

//! Binding what a user gave to a command of the table: the one place that checks option
//! values. Front ends deliver options in their own syntax — Discord as typed values
//! ([`Given`]), the terminal as a line of text ([`parse_line`] splits it into the same
//! values) — and [`bind`] turns either into [`Args`] or a sentence saying what to fix.

use super::table::{CommandSpec, OptionKind, OptionSpec, closest, find, options_for};
use crate::reply::echo;

/// Longest text kept from an option (a name, a question).
pub const MAX_TEXT: usize = 200;

/// A value given for an option, once bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
}

/// What a user gave for one option, as their front end delivered it.
#[derive(Clone, Debug, PartialEq)]
pub enum Given {
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A user (their id).
    User(String),
    /// A channel (its id).
    Channel(String),
    /// Any other type (a channel, a number with decimals...).
    Other,
}

/// The options given to a command, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// The subcommand invoked, if the command has subcommands.
    pub subcommand: Option<&'static str>,
    values: Vec<(String, Value)>,
}

impl Args {
    /// Sets an option.
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.retain(|(n, _)| n != name);
        self.values.push((name.to_string(), value));
    }

    /// Text of an option, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.iter().find_map(|(n, v)| match v {
            Value::Text(t) if n == name => Some(t.as_str()),
            _ => None,
        })
    }

    /// Integer value of an option, if given.
    pub fn integer(&self, name: &str) -> Option<i64> {
        self.values.iter().find_map(|(n, v)| match v {
            Value::Integer(i) if n == name => Some(*i),
            _ => None,
        })
    }

    /// The text the user searched for, if the command takes one.
    pub fn query(&self) -> Option<&str> {
        self.values.iter().find_map(|(_, v)| match v {
            Value::Text(t) => Some(t.as_str()),
            Value::Integer(_) => None,
        })
    }

    /// Every option given, in the order set.
    pub fn values(&self) -> &[(String, Value)] {
        &self.values
    }
}

/// Why a command could not be run; the message is a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The line is blank.
    #[error("the line is empty; type a command such as /member kazakhstan, or /help")]
    Empty,
    /// No command has this name.
    #[error("there is no command /{name}{}; /help lists them", .suggestion.map(|s| format!(" (did you mean /{s}?)")).unwrap_or_default())]
    UnknownCommand {
        /// What was typed (escaped for echoing).
        name: String,
        /// The closest command, if any.
        suggestion: Option<&'static str>,
    },
    /// A required option (or the subcommand) is missing.
    #[error("/{command} needs a {option}: for example {example}")]
    Missing {
        /// The command.
        command: &'static str,
        /// The missing option's name.
        option: &'static str,
        /// An example.
        example: &'static str,
    },
    /// An option has a bad value, or the command has no such option.
    #[error("/{command}: {message}")]
    BadValue {
        /// The command.
        command: &'static str,
        /// What is wrong, as a sentence without the command's name.
        message: String,
    },
}

impl ParseError {
    /// The error as one sentence that starts with a capital and ends with a full stop, for a
    /// chat message.
    pub fn sentence(&self) -> String {
        let s = match self {
            ParseError::BadValue { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let mut s = crate::reply::capitalise(&s);
        if !s.ends_with('.') {
            s.push('.');
        }
        s
    }
}

/// Binds given option values to a command: the subcommand must exist, every option must be one
/// of the command's, integers in range, choices among their words, text trimmed and bounded,
/// and every required option present.
pub fn bind(
    spec: &'static CommandSpec,
    sub: Option<&str>,
    given: &[(String, Given)],
) -> Result<Args, ParseError> {
    let bad = |message: String| ParseError::BadValue {
        command: spec.name,
        message,
    };
    let mut args = Args::default();
    if let Some(sub) = sub {
        let found = spec
            .subcommands
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(sub))
            .ok_or_else(|| {
                let names: Vec<String> = spec
                    .subcommands
                    .iter()
                    .map(|s| format!("/{} {}", spec.name, s.name))
                    .collect();
                bad(format!(
                    "there is no “{}”; say what to do: {}, for example {}",
                    echo(sub),
                    names.join(" or "),
                    spec.example
                ))
            })?;
        args.subcommand = Some(found.name);
    }
    let options = options_for(spec, &args);
    for (name, value) in given {
        let Some(opt) = options.iter().find(|o| o.name == name) else {
            return Err(bad(format!("there is no option “{}”", echo(name))));
        };
        args.set(opt.name, bind_value(opt, value).map_err(bad)?);
    }
    check_required(spec, &args)?;
    Ok(args)
}

fn bind_value(opt: &OptionSpec, value: &Given) -> Result<Value, String> {
    match (opt.kind, value) {
        (OptionKind::Integer { min, max }, Given::Integer(i)) if (min..=max).contains(i) => {
            Ok(Value::Integer(*i))
        }
        (OptionKind::Integer { min, max }, _) => Err(format!(
            "“{}” must be a whole number from {min} to {max}",
            opt.name
        )),
        (OptionKind::User, Given::User(id) | Given::Text(id)) => {
            Ok(Value::Text(clip(id.trim(), MAX_TEXT)))
        }
        (OptionKind::Channel, Given::Channel(id) | Given::Text(id)) => {
            let id = id.trim();
            let id = id
                .strip_prefix("<#")
                .and_then(|rest| rest.strip_suffix('>'))
                .unwrap_or(id);
            if !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
                Ok(Value::Text(id.to_string()))
            } else {
                Err(format!(
                    "“{}” must be a text channel of this server, such as #general",
                    opt.name
                ))
            }
        }
        (OptionKind::Channel, _) => Err(format!(
            "“{}” must be a text channel of this server, such as #general",
            opt.name
        )),
        (OptionKind::Choice(words), Given::Text(t)) => words
            .iter()
            .find(|w| w.eq_ignore_ascii_case(t.trim()))
            .map(|w| Value::Text((*w).to_string()))
            .ok_or_else(|| format!("“{}” must be one of: {}", opt.name, words.join(", "))),
        (OptionKind::Choice(words), _) => Err(format!(
            "“{}” must be one of: {}",
            opt.name,
            words.join(", ")
        )),
        (_, Given::Text(t)) => Ok(Value::Text(clip(t.trim(), MAX_TEXT))),
        (_, Given::Integer(i)) => Ok(Value::Text(i.to_string())),
        (_, _) => Err(format!("“{}” must be text, such as a name", opt.name)),
    }
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Checks that every required option of a command is present and not blank.
pub fn check_required(spec: &'static CommandSpec, args: &Args) -> Result<(), ParseError> {
    if !spec.subcommands.is_empty() && args.subcommand.is_none() {
        return Err(ParseError::Missing {
            command: spec.name,
            option: "subcommand",
            example: spec.example,
        });
    }
    for opt in options_for(spec, args).iter().filter(|o| o.required) {
        let present = match opt.kind {
            OptionKind::Integer { .. } => args.integer(opt.name).is_some(),
            _ => args.text(opt.name).is_some_and(|t| !t.trim().is_empty()),
        };
        if !present {
            return Err(ParseError::Missing {
                command: spec.name,
                option: opt.name,
                example: spec.example,
            });
        }
    }
    Ok(())
}

/// A command line split into a command, its subcommand and given values, before binding.
#[derive(Clone, Debug)]
pub struct Line {
    /// The command.
    pub spec: &'static CommandSpec,
    /// The subcommand word, if one was typed.
    pub subcommand: Option<String>,
    /// The values, by option name.
    pub given: Vec<(String, Given)>,
}

/// Splits a command line such as `/member kazakstan` or `/timeline from:2001 to:2010` into
/// given values, without judging them: `name:value` pairs set options by name; bare numbers
/// fill integer options in order (when the command takes no text); the other words together
/// fill its text option.
pub fn split_line(line: &str) -> Result<Line, ParseError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    let (head, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let spec = find(head).ok_or_else(|| ParseError::UnknownCommand {
        name: echo(head.trim_start_matches('/')),
        suggestion: closest(head).map(|c| c.name),
    })?;
    let mut rest = rest.trim();
    let mut subcommand = None;
    let mut probe = super::Args::default();
    if !spec.subcommands.is_empty() {
        let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if word.is_empty() {
            return Err(ParseError::Missing {
                command: spec.name,
                option: "subcommand",
                example: spec.example,
            });
        }
        probe.subcommand = spec
            .subcommands
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(word))
            .map(|s| s.name);
        subcommand = Some(word.to_string());
        rest = after.trim();
    }
    let options = options_for(spec, &probe);
    let is_integer = |o: &&OptionSpec| matches!(o.kind, OptionKind::Integer { .. });
    let mut integers = options.iter().filter(is_integer);
    let mut given: Vec<(String, Given)> = Vec::new();
    let mut free: Vec<&str> = Vec::new();
    let typed = |opt: &OptionSpec, value: &str| match (opt.kind, value.parse::<i64>()) {
        (OptionKind::Integer { .. }, Ok(n)) => Given::Integer(n),
        _ => Given::Text(value.to_string()),
    };
    for word in rest.split_whitespace() {
        let named = word
            .split_once(':')
            .and_then(|(n, v)| options.iter().find(|o| o.name == n).map(|o| (o, v)));
        match named {
            Some((opt, value)) => given.push((opt.name.to_string(), typed(opt, value))),
            None => {
                // A bare word that is one of a choice option's words sets that option
                // (`/timeline chart`); a bare number fills the next whole-number option
                // (`/map 2010 belarus`); anything else is free text.
                let choice = options.iter().find(|o| {
                    matches!(o.kind, OptionKind::Choice(words)
                        if words.iter().any(|w| w.eq_ignore_ascii_case(word)))
                        && !given.iter().any(|(n, _)| n == o.name)
                });
                if let Some(opt) = choice {
                    given.push((opt.name.to_string(), Given::Text(word.to_string())));
                } else if word.parse::<i64>().is_ok()
                    && free.is_empty()
                    && let Some(opt) = integers.next()
                {
                    given.push((opt.name.to_string(), typed(opt, word)));
                } else {
                    free.push(word);
                }
            }
        }
    }
    if !free.is_empty() {
        let joined = free.join(" ");
        match options.iter().find(|o| !is_integer(o)) {
            Some(opt) => match given.iter_mut().find(|(n, _)| n == opt.name) {
                Some((_, Given::Text(prev))) => *prev = format!("{prev} {joined}"),
                _ => given.push((opt.name.to_string(), Given::Text(joined))),
            },
            None => {
                return Err(ParseError::BadValue {
                    command: spec.name,
                    message: format!(
                        "this command does not take “{}”; for example {}",
                        echo(&joined),
                        spec.example
                    ),
                });
            }
        }
    }
    Ok(Line {
        spec,
        subcommand,
        given,
    })
}

/// Parses and binds a command line: [`split_line`], then [`bind`].
pub fn parse_line(line: &str) -> Result<(&'static CommandSpec, Args), ParseError> {
    let l = split_line(line)?;
    let args = bind(l.spec, l.subcommand.as_deref(), &l.given)?;
    Ok((l.spec, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_an_id_from_discord_or_a_typed_mention_and_anything_else_is_refused() {
        let spec = crate::commands::table::find("daily").expect("/daily");
        let with = |channel: Given| {
            let given = [
                ("channel".to_string(), channel),
                ("time".to_string(), Given::Text("09:00".into())),
            ];
            bind(spec, Some("set"), &given)
        };
        let args = with(Given::Channel("500000000000000001".into())).expect("binds");
        assert_eq!(args.text("channel"), Some("500000000000000001"));
        let typed = with(Given::Text(" <#42> ".into())).expect("binds");
        assert_eq!(typed.text("channel"), Some("42"));
        for bad in [
            Given::Text("general".into()),
            Given::Text("<#>".into()),
            Given::Text("<@42>".into()),
            Given::Integer(42),
            Given::Other,
        ] {
            let e = with(bad).expect_err("refused").sentence();
            assert!(e.contains("text channel of this server"), "{e}");
        }
    }

    #[test]
    fn a_typed_value_is_clipped_to_200_characters() {
        let spec = crate::commands::table::find("fact").expect("/fact");
        let long = format!("  {}  ", "é".repeat(10_000));
        let given = [("name".to_string(), Given::Text(long))];
        let args = bind(spec, None, &given).expect("binds");
        let name = args.text("name").expect("the name");
        assert_eq!(name.chars().count(), MAX_TEXT);
    }
}

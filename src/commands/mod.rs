//! Commands: the one table every front end uses, the one binder of their options, and every
//! handler.
//!
//! - [`table`]: [`COMMANDS`] (names, descriptions in three languages, options, handlers);
//! - [`bind()`]: options as a front end delivered them → [`Args`] (and terminal lines → the same);
//! - [`ids`]: what a button or form asks for, encoded in its id;
//! - [`lookup`]: the fact commands (lookups, members, timeline, about, help);
//! - [`cross`]: what a lookup tries when the kind asked for has no answer (another kind, a
//!   place, a role, a description, a historical name);
//! - [`compare`]: `/compare`, two entries of a kind side by side;
//! - [`cite`]: `/cite`, references in APA 7 and Chicago;
//! - [`sources`]: `/sources`, an entry's sources in full;
//! - [`pictures`]: `/map`, and the pictures `/timeline view:chart` and `/member` attach;
//! - [`reload`]: `/reload`, reading the facts file again for those who run the bot;
//! - [`report`]: reports about questions ("Report", "I was right", `/report`) and the
//!   curators' listing;
//! - [`daily`]: `/daily`, the question of the day: its schedule, streaks, the day's post, a
//!   click on it and the reveal;
//! - [`quiz`]: quizzes, study, leaderboard and statistics, and the replies that show a quiz
//!   round, its reveal and its final scores.
//!
//! A handler is `fn(&Ctx, &Args) -> Reply`: it knows nothing of the transport.

pub mod bind;
pub mod cite;
pub mod compare;
pub mod cross;
pub mod daily;
pub mod ids;
pub mod lookup;
pub mod pictures;
pub mod privacy;
pub mod quiz;
pub mod reload;
pub mod report;
pub mod sources;
pub mod table;

pub use bind::{Args, Given, ParseError, Value, bind, check_required, parse_line, split_line};
pub use lookup::{answer, entry_reply};
pub use table::{
    COMMANDS, CommandSpec, OptionKind, OptionSpec, SubcommandSpec, closest, find, options_for,
    usage,
};

use crate::Knowledge;
use crate::quiz::session::Engine;
use crate::reply::Reply;

/// Who is asking, where, and what the command may use besides the facts.
pub struct Ctx<'a> {
    /// The facts, their index and their question bank.
    pub knowledge: &'a Knowledge,
    /// The user (a Discord id, or "local" in the terminal).
    pub user: &'a str,
    /// The server, if any.
    pub guild: Option<&'a str>,
    /// The channel (each terminal run has its own).
    pub channel: &'a str,
    /// Whether the user may moderate the channel (may stop others' quizzes). Front ends set it
    /// from what their platform says, never from what the user claims.
    pub can_manage: bool,
    /// Whether the user may manage the server (Discord's Manage Server), or is the local
    /// operator in a terminal: may reload the facts. Set from the platform, like `can_manage`.
    pub can_manage_server: bool,
    /// Where a quiz started here shows its rounds; `None`: this front end cannot show them
    /// here (`/quiz start` says why instead of starting a quiz nobody would see).
    pub placement: Option<crate::quiz::Placement>,
    /// The facts being served and their file, when the front end runs a reloader.
    pub reloader: Option<&'a crate::Reloader>,
    /// Now, in ms since the Unix epoch.
    pub now_ms: i64,
    /// The quiz engine and its store, when the front end has one.
    pub quiz: Option<&'a Engine>,
}

impl<'a> Ctx<'a> {
    /// A context for the terminal without a database: the local user, no quiz engine.
    pub fn offline(knowledge: &'a Knowledge) -> Ctx<'a> {
        Ctx {
            knowledge,
            user: "local",
            guild: None,
            channel: "local",
            can_manage: true,
            can_manage_server: true,
            placement: Some(crate::quiz::Placement::Channel),
            reloader: None,
            now_ms: crate::quiz::session::wall_clock_ms(),
            quiz: None,
        }
    }
}

/// Runs a bound command.
pub fn run(ctx: &Ctx<'_>, spec: &CommandSpec, args: &Args) -> Reply {
    (spec.run)(ctx, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::Topic;

    #[test]
    fn every_command_fits_discord_limits() {
        let mut names = std::collections::HashSet::new();
        for c in COMMANDS {
            assert!(names.insert(c.name), "duplicate /{}", c.name);
            assert!(c.name.len() <= 32 && c.name.chars().all(|ch| ch.is_ascii_lowercase()));
            for d in [c.description, c.description_ru, c.description_zh] {
                assert!(
                    !d.is_empty() && d.chars().count() <= 100,
                    "/{}: {d}",
                    c.name
                );
            }
            if let Some((ru, zh)) = c.name_ru_zh {
                assert!(
                    ru.chars().all(|ch| ch.is_lowercase() || ch == '-') && ru.chars().count() <= 32
                );
                assert!(!zh.is_empty() && zh.chars().count() <= 32);
            }
            for o in c.options {
                for d in [o.description, o.description_ru, o.description_zh] {
                    assert!(!d.is_empty() && d.chars().count() <= 100, "{}: {d}", o.name);
                }
            }
            assert!(c.example.starts_with(&format!("/{}", c.name)));
        }
    }

    #[test]
    fn topic_choices_are_the_topics() {
        let keys: Vec<&str> = Topic::ALL.iter().map(|t| t.key()).collect();
        assert_eq!(quiz::TOPIC_CHOICES[0], "all");
        assert_eq!(&quiz::TOPIC_CHOICES[1..], keys.as_slice());
    }

    #[test]
    fn parses_text_and_named_options() {
        let (spec, args) = parse_line("/member  kazakh stan ").expect("valid line");
        assert_eq!(spec.name, "member");
        assert_eq!(args.text("name"), Some("kazakh stan"));
        let (spec, args) = parse_line("/timeline from:2001 to:2010").expect("valid line");
        assert_eq!(spec.name, "timeline");
        assert_eq!(
            (args.integer("from"), args.integer("to")),
            (Some(2001), Some(2010))
        );
        let (_, args) = parse_line("timeline 2001 2010").expect("positional integers");
        assert_eq!(
            (args.integer("from"), args.integer("to")),
            (Some(2001), Some(2010))
        );
        let (_, args) = parse_line("/summit 2017").expect("a year is text for /summit");
        assert_eq!(args.text("name"), Some("2017"));
        let (_, args) = parse_line("/timeline 2015 2025 chart").expect("a choice word");
        assert_eq!(args.text("view"), Some("chart"));
        assert_eq!(args.integer("to"), Some(2025));
        let (_, args) = parse_line("/map 2010 belarus").expect("a year, then a country");
        assert_eq!(
            (args.integer("year"), args.text("highlight")),
            (Some(2010), Some("belarus"))
        );
        let (_, args) = parse_line("/quiz start typed 5").expect("choice and number");
        assert_eq!(
            (args.text("mode"), args.integer("questions")),
            (Some("typed"), Some(5))
        );
    }

    #[test]
    fn bad_lines_say_how_to_fix_them() {
        assert_eq!(parse_line("  ").err(), Some(ParseError::Empty));
        let e = parse_line("/membr kazakhstan").expect_err("unknown command");
        assert_eq!(
            e.to_string(),
            "there is no command /membr (did you mean /member?); /help lists them"
        );
        let e = parse_line("/member").expect_err("missing name");
        assert_eq!(
            e.to_string(),
            "/member needs a name: for example /member kazakhstan"
        );
        let e = parse_line("/timeline from:1800").expect_err("out of range");
        assert!(e.to_string().contains("from 1996 to 2100"), "{e}");
        let e = parse_line("/about pizza").expect_err("no options");
        assert!(e.to_string().contains("does not take"), "{e}");
    }
}

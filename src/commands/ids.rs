//! The ids of buttons and forms: what a click or a submitted form asks for, encoded in the id
//! the front end carries (Discord's `custom_id`) and decoded when it comes back. Every id
//! starts with a word saying what it does; anything else (or an id from an older version)
//! decodes to `None`.

use super::bind::{Args, Value};
use super::table::{OptionKind, find};
use crate::facts::Kind;
use crate::quiz::Topic;

/// What a button or form asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show an entry.
    Show(Kind, String),
    /// Show a page of a list command (named by the command table's name).
    Page(&'static str, Args, usize),
    /// A player picked a choice in a quiz round: session, round, choice.
    QuizChoice(i64, u32, usize),
    /// A player wants to type an answer in a quiz round (a button that opens a form), or
    /// submitted that form: session, round.
    QuizAnswer(i64, u32),
    /// After "more specific, please": the button that opens the form for the one more try, or
    /// that form submitted (a broader answer is then wrong): session, round.
    QuizLastTry(i64, u32),
    /// A user picked a choice of a study question: choice, question id.
    Study(usize, String),
    /// A user wants the next study question (of a topic, or any).
    StudyNext(Option<Topic>),
    /// The user confirmed that sco-bot should erase their data.
    PrivacyDelete,
    /// "Next question" of a quiz played through interaction responses (where the bot cannot
    /// post in the channel): the click is a fresh interaction that carries the next rounds.
    QuizNext(i64),
    /// "Report" on a quiz reveal (a button that opens a form, or that form submitted):
    /// session, round.
    Report(i64, u32),
    /// "I was right" on a typed round's reveal (button or form): session, round.
    ReportRight(i64, u32),
    /// "Report" on a study answer (button or form): the choice picked, the question id.
    ReportStudy(usize, String),
    /// A choice picked on a question of the day: choice, the server's local date, question id.
    Daily(usize, String, String),
}

impl Action {
    /// The id that encodes this action.
    pub fn encode(&self) -> String {
        match self {
            Action::Show(kind, id) => format!("show|{}|{id}", kind.key()),
            Action::Page(command, args, page) => {
                let opts: Vec<String> = args
                    .values()
                    .iter()
                    .map(|(name, v)| match v {
                        Value::Integer(i) => format!("{name}={i}"),
                        Value::Text(t) => format!("{name}={t}"),
                    })
                    .collect();
                format!("page|{command}|{page}|{}", opts.join(";"))
            }
            Action::QuizChoice(session, index, choice) => {
                format!("quiz|{session}|{index}|{choice}")
            }
            Action::QuizAnswer(session, index) => format!("quizans|{session}|{index}"),
            Action::QuizLastTry(session, index) => format!("quizlast|{session}|{index}"),
            Action::Study(choice, question) => format!("study|{choice}|{question}"),
            Action::StudyNext(topic) => {
                format!("studynext|{}", topic.map_or("all", Topic::key))
            }
            Action::PrivacyDelete => "privacy|delete".to_string(),
            Action::QuizNext(session) => format!("quiznext|{session}"),
            Action::Report(session, index) => format!("report|{session}|{index}"),
            Action::ReportRight(session, index) => format!("reportright|{session}|{index}"),
            Action::ReportStudy(choice, question) => format!("reportstudy|{choice}|{question}"),
            Action::Daily(choice, date, question) => format!("daily|{choice}|{date}|{question}"),
        }
    }

    /// Decodes an id; `None` for anything this bot did not make.
    pub fn decode(id: &str) -> Option<Action> {
        if id == "privacy|delete" {
            return Some(Action::PrivacyDelete);
        }
        if let Some(topic) = id.strip_prefix("studynext|") {
            return Some(Action::StudyNext(Topic::from_key(topic)));
        }
        if let Some(session) = id.strip_prefix("quiznext|") {
            return session.parse().ok().map(Action::QuizNext);
        }
        if let Some(rest) = id.strip_prefix("study|") {
            let (choice, question) = rest.split_once('|')?;
            let choice = choice.parse().ok().filter(|c: &usize| *c < 4)?;
            return Some(Action::Study(choice, question.to_string()));
        }
        if let Some(rest) = id.strip_prefix("daily|") {
            let (choice, rest) = rest.split_once('|')?;
            let (date, question) = rest.split_once('|')?;
            let choice = choice.parse().ok().filter(|c: &usize| *c < 4)?;
            let valid_date = date.len() == 10 && date.parse::<jiff::civil::Date>().is_ok();
            return valid_date
                .then(|| Action::Daily(choice, date.to_string(), question.to_string()));
        }
        if let Some(rest) = id.strip_prefix("reportstudy|") {
            let (choice, question) = rest.split_once('|')?;
            let choice = choice.parse().ok().filter(|c: &usize| *c < 4)?;
            return Some(Action::ReportStudy(choice, question.to_string()));
        }
        let mut parts = id.splitn(4, '|');
        match (parts.next()?, parts.next()?, parts.next()?) {
            ("show", kind, entry) => Some(Action::Show(Kind::from_key(kind)?, entry.to_string())),
            ("quiz", session, index) => Some(Action::QuizChoice(
                session.parse().ok()?,
                index.parse().ok()?,
                parts.next()?.parse().ok().filter(|c: &usize| *c < 4)?,
            )),
            ("quizans", session, index) => Some(Action::QuizAnswer(
                session.parse().ok()?,
                index.parse().ok()?,
            )),
            ("quizlast", session, index) => Some(Action::QuizLastTry(
                session.parse().ok()?,
                index.parse().ok()?,
            )),
            ("report", session, index) => {
                Some(Action::Report(session.parse().ok()?, index.parse().ok()?))
            }
            ("reportright", session, index) => Some(Action::ReportRight(
                session.parse().ok()?,
                index.parse().ok()?,
            )),
            ("page", command, page) => {
                let spec = find(command)?;
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
                Some(Action::Page(spec.name, args, page.parse().ok()?))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let mut args = Args::default();
        args.set("from", Value::Integer(2001));
        for action in [
            Action::Show(Kind::Summit, "summit-2017".into()),
            Action::Page("timeline", args.clone(), 3),
            Action::QuizChoice(12, 3, 2),
            Action::QuizAnswer(12, 3),
            Action::QuizLastTry(12, 3),
            Action::Study(1, "summit-host/summit-2017".into()),
            Action::StudyNext(Some(Topic::Documents)),
            Action::StudyNext(None),
            Action::PrivacyDelete,
            Action::QuizNext(12),
            Action::Report(12, 3),
            Action::ReportRight(12, 3),
            Action::ReportStudy(2, "summit-host/summit-2017".into()),
        ] {
            assert_eq!(
                Action::decode(&action.encode()),
                Some(action.clone()),
                "{action:?}"
            );
        }
        assert_eq!(
            Action::Page("timeline", args, 3).encode(),
            "page|timeline|3|from=2001"
        );
    }

    #[test]
    fn foreign_and_stale_ids_decode_to_nothing() {
        for id in [
            "nonsense",
            "show|planet|mars",
            "page|timeline|x|",
            "quiz|v0|whatever",
            "quiz|1|2|9",
            "study|7|q",
            "quiznext|x",
            "report|x|1",
            "reportstudy|9|q",
        ] {
            assert_eq!(Action::decode(id), None, "{id}");
        }
    }
}

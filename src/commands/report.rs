//! Reports that reach the curator: "Report" on every quiz reveal and study answer, "I was
//! right" on the reveal of a typed round, and `/report TEXT` in the terminal. A report keeps
//! the question as it was (its facts, sources, prompt and a [`fingerprint`]), the reporter's
//! answer and the checker's verdict on it; `sco-bot reports` lists them for curators, with
//! whether each question has changed in the facts served now ([`currency`]).

use super::Ctx;
use super::ids::Action;
use crate::Knowledge;
use crate::quiz::check::{self, Judgement};
use crate::quiz::{Question, bank::Bank};
use crate::reply::{Button, ButtonStyle, Reply, echo};
use crate::store::{NewReport, ReportKind, ReportRow, Reported, Resolved, StoreError};

/// The longest report text accepted, in characters (the form's limit too).
pub const TEXT_MAX: u16 = 1000;
/// The longest source link accepted, in characters.
pub const SOURCE_MAX: u16 = 300;

/// What a report is about: a quiz round (a report, or "I was right"), or a study question
/// and the choice the user picked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum About {
    /// A round of a quiz session: session, round, and whether it is "I was right".
    Round(i64, u32, ReportKind),
    /// A study question: the choice picked, the question id.
    Study(usize, String),
}

impl About {
    /// What a report form's id decodes to, if it is one.
    pub fn of(action: &Action) -> Option<About> {
        match action {
            Action::Report(s, i) => Some(About::Round(*s, *i, ReportKind::Wrong)),
            Action::ReportRight(s, i) => Some(About::Round(*s, *i, ReportKind::Right)),
            Action::ReportStudy(c, q) => Some(About::Study(*c, q.clone())),
            _ => None,
        }
    }

    /// The id of the button (and its form) that reports this.
    pub fn action(&self) -> Action {
        match self {
            About::Round(s, i, ReportKind::Wrong) => Action::Report(*s, *i),
            About::Round(s, i, ReportKind::Right) => Action::ReportRight(*s, *i),
            About::Study(c, q) => Action::ReportStudy(*c, q.clone()),
        }
    }
}

/// The "Report" button of a quiz reveal.
pub fn report_button(session: i64, index: u32) -> Button {
    Button::new(
        Action::Report(session, index).encode(),
        "Report",
        ButtonStyle::Secondary,
    )
}

/// The "I was right" button of a typed round's reveal.
pub fn right_button(session: i64, index: u32) -> Button {
    Button::new(
        Action::ReportRight(session, index).encode(),
        "I was right",
        ButtonStyle::Secondary,
    )
}

/// The "Report" button of a study answer (none if the id would be too long for Discord).
pub fn study_button(choice: usize, question_id: &str) -> Option<Button> {
    let id = Action::ReportStudy(choice, question_id.to_string()).encode();
    (id.len() <= 100).then(|| Button::new(id, "Report", ButtonStyle::Secondary))
}

/// A fingerprint of what a player sees of a question: its prompt, answer, accepted forms,
/// choices (in any order) and explanation. It changes when a curator's fix changes any of
/// them, and not when a reload only deals the choices differently.
pub fn fingerprint(q: &Question) -> String {
    let mut choices = q.choices.clone();
    choices.sort();
    let mut accepted = q.accepted.clone();
    accepted.sort();
    let text = [
        q.prompt.as_str(),
        q.answer.as_str(),
        &accepted.join("\u{1e}"),
        &choices.join("\u{1e}"),
        q.explanation.as_str(),
    ]
    .join("\u{1f}");
    format!("{:016x}", crate::quiz::rng::fnv1a(&text))
}

/// Whether a reported question is still what it was when reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Currency {
    /// The question reads as it did.
    Unchanged,
    /// A reload changed it (prompt, answer, choices or explanation).
    Changed,
    /// No question has this id any more.
    Gone,
}

impl Currency {
    /// How a curator's listing says it.
    pub fn words(self) -> &'static str {
        match self {
            Currency::Unchanged => "unchanged",
            Currency::Changed => "changed",
            Currency::Gone => "no longer in the bank",
        }
    }
}

/// Whether the question of a report has changed in `bank`.
pub fn currency(bank: &Bank, report: &NewReport) -> Currency {
    match bank.get(&report.question_id) {
        None => Currency::Gone,
        Some(q) if fingerprint(q) == report.fingerprint => Currency::Unchanged,
        Some(_) => Currency::Changed,
    }
}

/// The checker's verdict on an answer, in words for a curator.
fn verdict(q: &Question, answer: Option<&(String, bool)>, typed: bool) -> String {
    let Some((given, accepted)) = answer else {
        return "no answer given".to_string();
    };
    if !typed {
        return format!(
            "{}: a choice was picked",
            if *accepted { "right" } else { "wrong" }
        );
    }
    let why = match check::judge(given, q) {
        Judgement::Correct { exact: true, .. } => "matches an accepted form".to_string(),
        Judgement::Correct { matched, .. } => {
            format!("a typo of “{matched}” was forgiven")
        }
        Judgement::Wrong { close: true, .. } => {
            "close to a right form, but not clearly closer to it than to a wrong one".to_string()
        }
        Judgement::Wrong { close: false, .. } => "matches no accepted form".to_string(),
        Judgement::MoreSpecific { broader } => {
            format!("names something broader (“{broader}”), also after one more try")
        }
    };
    format!("{}: {why}", if *accepted { "accepted" } else { "rejected" })
}

fn sorry(title: &str, body: impl Into<String>) -> Reply {
    let mut r = Reply::new(title, body);
    r.ephemeral = true;
    r
}

/// A submitted report form (or the terminal's `/report TEXT`): checked, tied to the question
/// and the answer given, and saved once per user and question.
pub fn submit(c: &Ctx<'_>, about: &About, text: &str, source: Option<&str>) -> Reply {
    let Some(engine) = c.quiz else {
        return Reply::notice(
            "Reports need a database: the Discord bot has one; in a terminal, add --db FILE.",
        );
    };
    let text = text.trim();
    if text.is_empty() {
        return Reply::notice(
            "Please say what is wrong (a sentence is enough); nothing was reported.",
        );
    }
    if text.chars().count() > usize::from(TEXT_MAX) {
        return Reply::notice(format!(
            "That report is longer than {TEXT_MAX} characters, so it was not saved. Please shorten it and send it again."
        ));
    }
    let source = source.map(str::trim).filter(|s| !s.is_empty());
    if let Some(url) = source
        && (url.chars().count() > usize::from(SOURCE_MAX)
            || !(url.starts_with("https://") || url.starts_with("http://"))
            || url.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Reply::notice(format!(
            "The source should be one link starting with https:// (at most {SOURCE_MAX} characters); nothing was reported. Send it again with a link, or with none."
        ));
    }
    let bank = c.knowledge.bank();
    let (question_id, answer, kind, typed) = match about {
        About::Round(session, index, kind) => {
            let typed = match engine.store().session(*session) {
                Ok(s) => s.is_some_and(|s| s.mode == crate::quiz::Mode::Typed),
                Err(e) => return super::quiz::sorry_store(&e),
            };
            match engine.store().round_answer(*session, *index, c.user) {
                Ok(Some(r)) => (r.question_id, r.answer, *kind, typed),
                Ok(None) => {
                    return Reply::notice(
                        "I can't find that quiz question any more, so it was not reported.",
                    );
                }
                Err(e) => return super::quiz::sorry_store(&e),
            }
        }
        About::Study(choice, question_id) => {
            let answer = bank.get(question_id).and_then(|q| {
                q.choices
                    .get(*choice)
                    .map(|t| (t.clone(), *choice == q.correct))
            });
            (question_id.clone(), answer, ReportKind::Wrong, false)
        }
    };
    let Some(q) = bank.get(&question_id) else {
        return Reply::notice(
            "That question is no longer in the bank (the facts were updated since), so there is nothing to report.",
        );
    };
    if kind == ReportKind::Right {
        match &answer {
            None => {
                return Reply::notice(
                    "You did not answer this question, so there is no answer to mark right. Use Report to say what is wrong with it.",
                );
            }
            Some((_, true)) => {
                return Reply::notice(
                    "Your answer to this question was accepted, so there is nothing to appeal.",
                );
            }
            Some(_) => {}
        }
    }
    let report = NewReport {
        question_id: q.id.clone(),
        kind,
        facts: q
            .facts
            .iter()
            .map(|(k, id)| format!("{}:{id}", k.key()))
            .collect(),
        sources: q.sources.clone(),
        prompt: q.prompt.clone(),
        fingerprint: fingerprint(q),
        verdict: verdict(q, answer.as_ref(), typed),
        answer: answer.map(|(a, _)| a),
        text: text.to_string(),
        source_url: source.map(str::to_string),
        reporter: c.user.to_string(),
        created_ms: c.now_ms,
    };
    match engine.store().save_report(&report) {
        Ok(Reported::Saved(id)) => sorry(
            "Thank you: reported",
            format!(
                "Report #{id} about “{}” is saved for the fact base's curators: “{}”. They check each report against the sources; /privacy shows or deletes what is kept about you.",
                echo(&q.prompt),
                echo(text)
            ),
        ),
        Ok(Reported::AlreadyReported(id)) => Reply::notice(format!(
            "You already reported this question (report #{id}); one report per question each, and the curators will see it."
        )),
        Err(e) => super::quiz::sorry_store(&e),
    }
}

/// A time in ms since the Unix epoch as `YYYY-MM-DD HH:MM UTC` (the proleptic Gregorian
/// calendar, from the day count).
pub fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// Text a user typed, safe to print in a curator's terminal: control characters (line
/// breaks, escape sequences) become spaces.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// How many listed reports are about each report's question.
fn counts(rows: &[ReportRow]) -> Vec<usize> {
    rows.iter()
        .map(|r| {
            rows.iter()
                .filter(|o| o.report.question_id == r.report.question_id)
                .count()
        })
        .collect()
}

/// `sco-bot reports`: each report with its question, facts, sources, the answer and the
/// checker's verdict, how many reports its question has, and whether the question changed
/// since (in the facts served now).
pub fn listing(k: &Knowledge, rows: &[ReportRow]) -> String {
    if rows.is_empty() {
        return "No reports.".to_string();
    }
    let mut out = String::new();
    for (row, count) in rows.iter().zip(counts(rows)) {
        let r = &row.report;
        let kind = match r.kind {
            ReportKind::Wrong => "report",
            ReportKind::Right => "\"I was right\"",
        };
        out.push_str(&format!(
            "#{} {} · {} · {} on {} by {}\n",
            row.id,
            if row.resolved { "resolved" } else { "open" },
            kind,
            utc(r.created_ms),
            r.question_id,
            r.reporter
        ));
        out.push_str(&format!(
            "  question now: {} · reports on it: {count}\n",
            currency(k.bank(), r).words()
        ));
        out.push_str(&format!("  question: {}\n", r.prompt));
        out.push_str(&format!("  facts: {}\n", r.facts.join(", ")));
        out.push_str(&format!("  sources: {}\n", r.sources.join(", ")));
        out.push_str(&format!(
            "  answer: {} ({})\n",
            r.answer
                .as_deref()
                .map_or("none".to_string(), |a| format!("“{}”", printable(a))),
            r.verdict
        ));
        out.push_str(&format!("  says: {}\n", printable(&r.text)));
        if let Some(url) = &r.source_url {
            out.push_str(&format!("  source offered: {}\n", printable(url)));
        }
        if row.resolved {
            out.push_str(&format!(
                "  resolved {}: {}\n",
                row.resolved_ms.map_or_else(String::new, utc),
                printable(row.note.as_deref().unwrap_or(""))
            ));
        }
        out.push('\n');
    }
    let open = rows.iter().filter(|r| !r.resolved).count();
    out.push_str(&format!(
        "{} report{}, {open} open.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    out
}

/// `sco-bot reports --json`: one JSON object per report, with `question_now` ("changed",
/// "unchanged", "no longer in the bank") and `count`.
pub fn listing_json(k: &Knowledge, rows: &[ReportRow]) -> Vec<serde_json::Value> {
    rows.iter()
        .zip(counts(rows))
        .map(|(row, count)| {
            let mut v = serde_json::to_value(row).unwrap_or_default();
            v["question_now"] = currency(k.bank(), &row.report).words().into();
            v["count"] = count.into();
            v
        })
        .collect()
}

/// `sco-bot reports resolve ID --note TEXT`, as a sentence.
pub fn resolve_words(id: i64, outcome: Result<Resolved, StoreError>) -> Result<String, String> {
    match outcome {
        Ok(Resolved::Resolved) => Ok(format!("Report #{id} resolved.")),
        Ok(Resolved::AlreadyResolved) => Ok(format!(
            "Report #{id} was already resolved; its first note stands."
        )),
        Ok(Resolved::NoSuchReport) => Err(format!(
            "there is no report #{id}; `sco-bot reports` lists them"
        )),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interaction::{Request, RequestKind, rate_class};
    use crate::ratelimit::{Class, RateLimiter, RateLimits};

    fn request(kind: RequestKind) -> Request {
        Request {
            user: "u".into(),
            guild: None,
            channel: "c".into(),
            locale: "en-US".into(),
            can_manage: false,
            can_manage_server: false,
            placement: None,
            kind,
        }
    }

    #[test]
    fn a_submitted_report_counts_against_the_feedback_limit_and_opening_its_form_does_not() {
        for about in [
            About::Round(1, 0, ReportKind::Wrong),
            About::Round(1, 0, ReportKind::Right),
            About::Study(2, "summit-host/summit-2017".into()),
        ] {
            let id = about.action().encode();
            assert_eq!(
                About::of(&Action::decode(&id).expect("decodes")),
                Some(about)
            );
            let submit = request(RequestKind::Submit {
                id: id.clone(),
                text: "wrong".into(),
                second: None,
            });
            assert_eq!(rate_class(&submit), Some(Class::Feedback));
            assert_eq!(rate_class(&request(RequestKind::Click { id })), None);
        }
        // Five a user in ten minutes, then "try again later".
        let limiter = RateLimiter::new(RateLimits::default());
        for _ in 0..5 {
            assert!(limiter.check("u", "c", Class::Feedback, 0).is_ok());
        }
        assert!(limiter.check("u", "c", Class::Feedback, 0).is_err());
    }

    #[test]
    fn a_curators_listing_prints_no_control_characters_a_user_typed() {
        assert_eq!(printable("a\u{1b}[31mred\nline"), "a [31mred line");
    }

    #[test]
    fn utc_dates_match_known_instants() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_767_225_600_000), "2026-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400_000 + 90_000), "2000-02-29 00:01 UTC");
    }
}

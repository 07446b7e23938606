//! The store: quiz sessions, answers, scores, statistics and study cards, behind the [`Store`]
//! trait. **It is the only module that touches SQL**; everything else calls the trait.
//!
//! The quiz core decides (who scored what, streaks, when a card is due: `quiz::scoring` and
//! `quiz::study`); a store persists those decisions, one transaction per step, so a step
//! repeated after a crash or by a second process applies nothing twice. A store never reads a
//! clock: every time (`i64` milliseconds since the Unix epoch) comes from the caller.
//!
//! Calls block (a few statements, well under a millisecond, but up to the busy timeout if
//! another process holds the file), so async callers run them off the async workers: the
//! interaction layer runs store-touching handlers on tokio's blocking pool, and the round
//! driver does the same for its own calls.
//!
//! Backends: [`SqliteStore`] (one file; the default) and [`PgStore`] (PostgreSQL, for many
//! processes on one database). Their shared behaviour is tested once, against the trait, in
//! `tests/store.rs`, which runs every behaviour test on both.

pub mod error;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

pub use error::StoreError;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use sqlite::schema::{MIGRATIONS, SCHEMA_VERSION};

pub use crate::quiz::Placement;
pub use crate::quiz::scoring::{CORRECT_POINTS, MAX_SPEED_BONUS, Standing, points_for};
pub use crate::quiz::study::{Card, CardState, Grade, LEITNER_INTERVALS_MS, Review};
use crate::quiz::{Mode, Topic};

/// The database file used by `sco-bot discord` and `sco-bot quiz` when `--db` is not given
/// (relative to the working directory).
pub const DEFAULT_DB: &str = "sco-bot.db";

/// A quiz session about to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The guild (server) id; `None` outside a guild (the terminal, direct messages).
    pub guild: Option<String>,
    /// The channel id; each terminal run has one of its own. One active session per channel.
    pub channel: String,
    /// Who started it.
    pub starter: String,
    /// Only questions of this topic; `None` for all topics.
    pub topic: Option<Topic>,
    /// How many questions it will ask.
    pub questions: u32,
    /// Seconds per question.
    pub seconds: u32,
    /// How answers are given.
    pub mode: Mode,
    /// The seed that ordered the questions and deals their choices.
    pub seed: u64,
    /// The ids of the questions it will ask, in order: a session keeps them even if the fact
    /// base is reloaded meanwhile.
    pub plan: Vec<String>,
    /// Where its rounds are shown (a restart resumes it there).
    pub placement: Placement,
    /// When it started (ms since the Unix epoch).
    pub started_ms: i64,
}

/// Where a session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Running: the only status that accepts answers.
    Active,
    /// Every question was asked.
    Finished,
    /// Someone stopped it.
    Stopped,
    /// The bot gave up on it (for example it could not be resumed after a restart).
    Abandoned,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// Every question was asked.
    Finished,
    /// Someone stopped it.
    Stopped,
    /// The bot gave up on it.
    Abandoned,
}

impl SessionEnd {
    /// The status a session ends with.
    pub fn status(self) -> SessionStatus {
        match self {
            SessionEnd::Finished => SessionStatus::Finished,
            SessionEnd::Stopped => SessionStatus::Stopped,
            SessionEnd::Abandoned => SessionStatus::Abandoned,
        }
    }
}

impl SessionStatus {
    /// Every status.
    pub const ALL: [SessionStatus; 4] = [
        SessionStatus::Active,
        SessionStatus::Finished,
        SessionStatus::Stopped,
        SessionStatus::Abandoned,
    ];

    /// The word stored in the database: `active`, `finished`, `stopped` or `abandoned`.
    pub fn key(self) -> &'static str {
        match self {
            SessionStatus::Active => "active",
            SessionStatus::Finished => "finished",
            SessionStatus::Stopped => "stopped",
            SessionStatus::Abandoned => "abandoned",
        }
    }

    /// The status named by its key.
    pub fn from_key(key: &str) -> Option<SessionStatus> {
        SessionStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A stored quiz session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// Its id.
    pub id: i64,
    /// The guild id, if any.
    pub guild: Option<String>,
    /// The channel id.
    pub channel: String,
    /// Who started it.
    pub starter: String,
    /// The topic, or `None` for all topics.
    pub topic: Option<Topic>,
    /// How many questions it asks.
    pub questions: u32,
    /// Seconds per question.
    pub seconds: u32,
    /// How answers are given.
    pub mode: Mode,
    /// The question seed.
    pub seed: u64,
    /// The question ids it asks, in order (empty for a session stored before plans were kept:
    /// its order is then derived from the seed).
    pub plan: Vec<String>,
    /// Where its rounds are shown ([`Placement::Channel`] for a session stored before this
    /// was kept).
    pub placement: Placement,
    /// When it started.
    pub started_ms: i64,
    /// Where it stands.
    pub status: SessionStatus,
    /// When it ended, once it has.
    pub ended_ms: Option<i64>,
}

/// Why a session could not start: the channel already has an active one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveElsewhere {
    /// The active session's id.
    pub session: i64,
    /// Who started it.
    pub starter: String,
}

/// One question of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundRow {
    /// Its 0-based position in the session.
    pub index: u32,
    /// The question's stable id (`Question::id`).
    pub question_id: String,
    /// The question's topic.
    pub topic: Topic,
    /// When it was asked.
    pub opened_ms: i64,
    /// The last moment an answer counts.
    pub deadline_ms: i64,
    /// Whether it has been closed and scored.
    pub closed: bool,
    /// The chat message that shows it, once posted.
    pub message_id: Option<String>,
}

/// A round about to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRound<'a> {
    /// The session.
    pub session: i64,
    /// Its 0-based position in the session.
    pub index: u32,
    /// The question's stable id.
    pub question_id: &'a str,
    /// The question's topic.
    pub topic: Topic,
    /// When it is asked.
    pub opened_ms: i64,
    /// The last moment an answer counts.
    pub deadline_ms: i64,
}

/// What happened to an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Stored; it is scored when the question closes.
    Recorded,
    /// The user had already answered this question; the first answer stands.
    AlreadyAnswered,
    /// After the deadline, after the question closed, or after the session ended.
    TooLate,
    /// The session has no such question.
    NoSuchQuestion,
}

/// One scored answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    /// Who answered.
    pub user: String,
    /// What they answered, as given.
    pub answer: String,
    /// Whether it was judged correct.
    pub correct: bool,
    /// Points earned (see `quiz::scoring::points_for`); 0 until the round closes.
    pub points: u32,
    /// When it was given.
    pub answered_ms: i64,
}

/// A closed question's answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundResult {
    /// Every answer with its points, earliest first.
    pub answers: Vec<AnswerRow>,
    /// `true` if this call closed it; `false` if it was already closed and nothing was applied.
    pub newly_closed: bool,
}

/// A player's standing in one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreRow {
    /// The player.
    pub user: String,
    /// Points so far.
    pub points: u32,
    /// Correct answers so far.
    pub correct: u32,
    /// Questions answered so far.
    pub answered: u32,
    /// Correct answers in a row up to the last closed question (0 after a wrong or missed one).
    pub streak: u32,
    /// The longest such run in the session.
    pub best_streak: u32,
}

/// One line of a leaderboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderRow {
    /// The player.
    pub user: String,
    /// Points over the period.
    pub points: u64,
    /// Correct answers over the period.
    pub correct: u32,
    /// Answers over the period.
    pub answered: u32,
}

/// A player's quiz totals on one topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicStats {
    /// The topic.
    pub topic: Topic,
    /// Questions answered.
    pub answered: u32,
    /// Correct answers.
    pub correct: u32,
}

/// A player's quiz history.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct UserStats {
    /// Sessions in which they answered at least one closed question.
    pub games: u32,
    /// Questions answered.
    pub answered: u32,
    /// Correct answers.
    pub correct: u32,
    /// The longest run of correct answers within one session.
    pub best_streak: u32,
    /// Totals per topic.
    pub per_topic: Vec<TopicStats>,
}

/// A user's study progress on one topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyTopic {
    /// The topic.
    pub topic: Topic,
    /// Study answers given.
    pub seen: u32,
    /// Correct study answers.
    pub correct: u32,
    /// Cards due now.
    pub due: u32,
    /// Cards due within the next seven days, counting those due now.
    pub due_week: u32,
    /// Reviews in the log of cards already met (a first meeting is no review), since the log
    /// was started: the base of the retention rate.
    pub reviews: u32,
    /// How many of those reviews were right: the retention rate's numerator.
    pub recalled: u32,
    /// When the topic's soonest card is due (possibly already past).
    pub next_due_ms: Option<i64>,
}

/// What a report says is wrong with a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    /// "Report": something in the question, its choices, answer or explanation is wrong.
    Wrong,
    /// "I was right": a typed answer was rejected that the player says is right.
    Right,
}

impl ReportKind {
    /// The word stored in the database: `wrong` or `right`.
    pub fn key(self) -> &'static str {
        match self {
            ReportKind::Wrong => "wrong",
            ReportKind::Right => "right",
        }
    }

    /// The kind named by its key.
    pub fn from_key(key: &str) -> Option<ReportKind> {
        [ReportKind::Wrong, ReportKind::Right]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// A report about a question, about to be saved: what the question was when it was reported,
/// what the reporter answered and how the checker judged it, and what they say is wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NewReport {
    /// The question's stable id.
    pub question_id: String,
    /// A report, or "I was right".
    pub kind: ReportKind,
    /// The entries the question was made from, as `kind:id`.
    pub facts: Vec<String>,
    /// Their source ids.
    pub sources: Vec<String>,
    /// The question as it was asked.
    pub prompt: String,
    /// A fingerprint of the question when reported (`commands::report::fingerprint`), to tell
    /// a curator whether it has changed since.
    pub fingerprint: String,
    /// The answer the reporter gave, if any.
    pub answer: Option<String>,
    /// How the checker judged it, in words ("rejected: not close to any accepted form").
    pub verdict: String,
    /// What the reporter says is wrong.
    pub text: String,
    /// A source the reporter offered, if any.
    pub source_url: Option<String>,
    /// Who reported it.
    pub reporter: String,
    /// When (ms since the Unix epoch).
    pub created_ms: i64,
}

/// A stored report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    /// Its id (what `sco-bot reports resolve ID` takes).
    pub id: i64,
    /// What was reported.
    #[serde(flatten)]
    pub report: NewReport,
    /// Whether a curator has resolved it.
    pub resolved: bool,
    /// When it was resolved.
    pub resolved_ms: Option<i64>,
    /// The curator's note.
    pub note: Option<String>,
}

/// What happened to a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reported {
    /// Saved, with this id.
    Saved(i64),
    /// This user already reported this question (one report per user per question); the
    /// first one's id.
    AlreadyReported(i64),
}

/// What happened to `sco-bot reports resolve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Resolved now.
    Resolved,
    /// It was resolved before; the first note stands.
    AlreadyResolved,
    /// There is no report with that id.
    NoSuchReport,
}

/// A round's question and one user's answer to it (what a report about a quiz round needs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundAnswer {
    /// The question asked in the round.
    pub question_id: String,
    /// The user's answer and whether it was judged right, if they answered.
    pub answer: Option<(String, bool)>,
}

/// A server's question of the day: where and when it is posted (`/daily set`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailySchedule {
    /// The server (one schedule each).
    pub guild: String,
    /// The channel it is posted in.
    pub channel: String,
    /// The local time of day, in minutes after midnight (`daily::parse_time`).
    pub minute: u16,
    /// The IANA time zone (`daily::parse_zone`).
    pub zone: String,
    /// How long after the post the answer is revealed, in minutes.
    pub reveal_minutes: u32,
    /// When it was set (ms since the Unix epoch): a post due before this is not "missed".
    pub updated_ms: i64,
}

/// One day's question of the day, claimed once per server and local date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyPost {
    /// The server.
    pub guild: String,
    /// The server's local date (`YYYY-MM-DD`).
    pub date: String,
    /// The channel it is posted in.
    pub channel: String,
    /// The question asked.
    pub question_id: String,
    /// When it was claimed for posting.
    pub posted_ms: i64,
}

/// One user's answer to a day's question of the day.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DailyAnswer {
    /// The server.
    pub guild: String,
    /// The server's local date of the post.
    pub date: String,
    /// Who answered.
    pub user: String,
    /// What they answered, as given.
    pub answer: String,
    /// Whether it was right.
    pub correct: bool,
    /// When (ms since the Unix epoch).
    pub answered_ms: i64,
}

/// Everything the store keeps that names one user (`/privacy export`). Quiz questions'
/// anonymous totals (`question_stats`: how often a question was asked and answered right)
/// name nobody and are not part of it.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct UserData {
    /// The user's id (a Discord user id, or the terminal's local user).
    pub user: String,
    /// Quiz sessions the user started.
    pub sessions_started: Vec<StartedRecord>,
    /// Every quiz answer the user gave.
    pub answers: Vec<AnswerRecord>,
    /// The user's score in each quiz session they played.
    pub games: Vec<GameRecord>,
    /// The user's quiz totals per topic.
    pub topics: Vec<TopicRecord>,
    /// The user's study cards.
    pub cards: Vec<CardRecord>,
    /// The user's study answers, oldest first (kept since FSRS replaced the Leitner boxes).
    pub reviews: Vec<ReviewRecord>,
    /// The reports the user made about questions.
    pub reports: Vec<ReportRow>,
    /// The user's answers to questions of the day.
    pub daily_answers: Vec<DailyAnswer>,
}

/// A quiz session a user started, as exported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StartedRecord {
    /// The session's id.
    pub session: i64,
    /// The server it ran in, if any.
    pub guild: Option<String>,
    /// The channel it ran in.
    pub channel: String,
    /// When it started (ms since the Unix epoch).
    pub started_ms: i64,
}

/// One quiz answer, as exported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AnswerRecord {
    /// The session.
    pub session: i64,
    /// The round (0-based).
    pub round: u32,
    /// The question asked.
    pub question_id: String,
    /// The answer given, as stored.
    pub answer: String,
    /// Whether it was right.
    pub correct: bool,
    /// When it was given (ms since the Unix epoch).
    pub answered_ms: i64,
    /// Points it earned, once the round closed.
    pub points: Option<u32>,
}

/// A user's score in one session, as exported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GameRecord {
    /// The session.
    pub session: i64,
    /// Points.
    pub points: u32,
    /// Correct answers.
    pub correct: u32,
    /// Answers.
    pub answered: u32,
    /// Longest run of correct answers.
    pub best_streak: u32,
}

/// A user's quiz totals on one topic, as exported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TopicRecord {
    /// The topic's key.
    pub topic: String,
    /// Answers.
    pub answered: u32,
    /// Correct answers.
    pub correct: u32,
}

/// A study card, as exported.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CardRecord {
    /// The question.
    pub question_id: String,
    /// The topic's key.
    pub topic: String,
    /// FSRS stability (days).
    pub stability: f64,
    /// FSRS difficulty (1–10).
    pub difficulty: f64,
    /// When it is due (ms since the Unix epoch).
    pub due_ms: i64,
    /// When it was last answered (ms since the Unix epoch).
    pub last_review_ms: i64,
    /// Study answers given.
    pub seen: u32,
    /// Correct study answers.
    pub correct: u32,
}

impl From<&Card> for CardRecord {
    fn from(c: &Card) -> CardRecord {
        CardRecord {
            question_id: c.question_id.clone(),
            topic: c.topic.key().to_string(),
            stability: f64::from(c.stability),
            difficulty: f64::from(c.difficulty),
            due_ms: c.due_ms,
            last_review_ms: c.last_review_ms,
            seen: c.seen,
            correct: c.correct,
        }
    }
}

/// One study answer of the review log, as exported.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ReviewRecord {
    /// The question.
    pub question_id: String,
    /// The topic's key.
    pub topic: String,
    /// When it was answered (ms since the Unix epoch).
    pub reviewed_ms: i64,
    /// `again` (wrong) or `good` (right).
    pub grade: String,
    /// FSRS stability before the answer; absent the first time.
    pub stability_before: Option<f64>,
    /// FSRS difficulty before the answer; absent the first time.
    pub difficulty_before: Option<f64>,
    /// When the card was due before the answer; absent the first time.
    pub due_before_ms: Option<i64>,
    /// FSRS stability after it.
    pub stability_after: f64,
    /// FSRS difficulty after it.
    pub difficulty_after: f64,
    /// When the card is due after it.
    pub due_after_ms: i64,
}

impl From<&Review> for ReviewRecord {
    fn from(r: &Review) -> ReviewRecord {
        ReviewRecord {
            question_id: r.question_id.clone(),
            topic: r.topic.key().to_string(),
            reviewed_ms: r.reviewed_ms,
            grade: r.grade.key().to_string(),
            stability_before: r.before.map(|b| f64::from(b.stability)),
            difficulty_before: r.before.map(|b| f64::from(b.difficulty)),
            due_before_ms: r.before.map(|b| b.due_ms),
            stability_after: f64::from(r.after.stability),
            difficulty_after: f64::from(r.after.difficulty),
            due_after_ms: r.after.due_ms,
        }
    }
}

/// What [`Store::delete_user`] removed, table by table.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Erased {
    /// Quiz answers deleted (`answers`).
    pub answers: u32,
    /// Per-session scores deleted (`players`).
    pub games: u32,
    /// Per-topic totals deleted (`topic_stats`).
    pub topics: u32,
    /// Study cards deleted (`cards`).
    pub cards: u32,
    /// Study answers deleted from the review log (`study_reviews`).
    pub reviews: u32,
    /// Sessions the user started whose starter was blanked (`sessions.starter`); the sessions
    /// stay, for the other players' scores.
    pub sessions_unnamed: u32,
    /// Reports the user made (`reports`).
    pub reports: u32,
    /// Answers to questions of the day (`daily_answers`).
    pub daily_answers: u32,
}

impl Erased {
    /// Rows touched in all.
    pub fn total(&self) -> u32 {
        self.answers
            + self.games
            + self.topics
            + self.cards
            + self.reviews
            + self.sessions_unnamed
            + self.reports
            + self.daily_answers
    }
}

/// Which clock says what "now" is for the calls that lease work ([`Store::claim_due_rounds`],
/// [`Store::claim_outbox`]). The store itself never reads a clock: either the caller gives the
/// time, or the database's own clock is used, the one clock every replica on a shared database
/// agrees on (PostgreSQL's `now()`, the time its transaction started; SQLite's `'now'`, the
/// host's clock, which is all one file's processes share anyway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Now {
    /// This instant (ms since the Unix epoch): tests, and one process on SQLite.
    At(i64),
    /// The database's clock.
    Database,
}

impl Now {
    /// The instant, if the caller gave one.
    pub fn given(self) -> Option<i64> {
        match self {
            Now::At(ms) => Some(ms),
            Now::Database => None,
        }
    }
}

/// An open round past its deadline, leased to one claimer (see [`Store::claim_due_rounds`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueRound {
    /// The session.
    pub session: i64,
    /// The round.
    pub index: u32,
    /// Its deadline.
    pub deadline_ms: i64,
    /// The lease runs until then (on the clock the claim used).
    pub lease_until_ms: i64,
}

/// Which undelivered outbox rows a claim may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deliverable {
    /// Any of a session played in its channel, created at least `age_ms` ago: what any
    /// replica with the bot's token can post. (A session played through follow-ups needs an
    /// interaction's token, which only the replica that got the interaction holds.)
    Channel {
        /// How old a row must be: gives the closer the first go at delivering its own reveal.
        age_ms: i64,
    },
    /// The row of this round, whatever its session's placement.
    Round {
        /// The session.
        session: i64,
        /// The round.
        index: u32,
    },
}

/// A message to deliver, written by the transaction that closed its round, and leased to one
/// deliverer (see [`Store::claim_outbox`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxRow {
    /// Its id (for [`Store::mark_delivered`]).
    pub id: i64,
    /// The session.
    pub session: i64,
    /// The round it reveals.
    pub index: u32,
    /// The session's channel.
    pub channel: String,
    /// Where the session is shown.
    pub placement: Placement,
    /// The lease runs until then.
    pub lease_until_ms: i64,
}

/// What deleting one server's data removed, table by table ([`Store::purge_guild`],
/// [`Store::purge_removed_guilds`]).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Purged {
    /// The server (guild) id.
    pub guild: String,
    /// Quiz sessions deleted (`sessions`).
    pub sessions: u32,
    /// Their questions (`rounds`).
    pub rounds: u32,
    /// Their answers (`answers`).
    pub answers: u32,
    /// Their players' scores (`players`).
    pub scores: u32,
    /// Its question-of-the-day schedule, posts and answers (`daily_schedules`, `daily_posts`,
    /// `daily_answers`).
    pub daily: u32,
}

/// Where quiz state lives. Every method is one transaction; none reads a clock. Methods block;
/// call them from a blocking context (see the module's documentation).
pub trait Store: Send + Sync + std::fmt::Debug {
    /// What the store is, for logs and messages ("sco-bot.db"); never a password.
    fn describe(&self) -> String;

    /// The schema version of the database; [`SCHEMA_VERSION`] once open.
    fn schema_version(&self) -> Result<u32, StoreError>;

    /// Starts a session, unless its channel already has an active one (then that one's id and
    /// starter). Two starts at once cannot both succeed.
    fn start_session(&self, s: &NewSession) -> Result<Result<i64, ActiveElsewhere>, StoreError>;

    /// The session with this id.
    fn session(&self, id: i64) -> Result<Option<SessionRow>, StoreError>;

    /// The channel's active session, if any.
    fn active_session(&self, channel: &str) -> Result<Option<SessionRow>, StoreError>;

    /// Every active session, oldest first: what to resume after a restart.
    fn active_sessions(&self) -> Result<Vec<SessionRow>, StoreError>;

    /// Asks a question of an active session. Opening an index twice is a bug and an error
    /// ([`StoreError::RoundExists`]), as is opening one in an ended session.
    fn open_round(&self, round: &NewRound<'_>) -> Result<(), StoreError>;

    /// Remembers the chat message that shows a round, once it has been posted.
    fn set_message(&self, session: i64, index: u32, message_id: &str) -> Result<(), StoreError>;

    /// The session's latest round (open or closed), if one was asked.
    fn current_round(&self, session: i64) -> Result<Option<RoundRow>, StoreError>;

    /// Records `user`'s answer to round `index`; `correct` is the caller's judgement. One
    /// answer per user per round (a second is [`AnswerOutcome::AlreadyAnswered`], even at the
    /// same instant from another process). An answer after the deadline
    /// (`answered_ms > deadline_ms`), after the round closed or after the session ended is
    /// [`AnswerOutcome::TooLate`].
    fn record_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
        answer: &str,
        correct: bool,
        answered_ms: i64,
    ) -> Result<AnswerOutcome, StoreError>;

    /// Closes round `index` and scores it in one transaction, as `quiz::scoring` decides: each
    /// answer's points, each player's standing (a missed round ends a streak), the question's
    /// statistics and each player's per-topic totals. Closing a closed round applies nothing
    /// and returns its answers with `newly_closed: false`. The transaction that closes it also
    /// writes its reveal to the outbox (see [`Store::claim_outbox`]), so a closed round is
    /// revealed even if its closer dies before showing it.
    fn close_round(
        &self,
        session: i64,
        index: u32,
        closed_ms: i64,
    ) -> Result<RoundResult, StoreError>;

    /// Whether [`Now::Database`] is a clock shared by every process on this database (a
    /// database server), so replicas should judge "due" by it rather than by their own.
    fn database_clock(&self) -> bool;

    /// Claims up to `limit` open rounds of active sessions that are overdue (`deadline_ms +
    /// overdue_ms < now`) and not leased to anyone else (no lease, or one that ran out), for
    /// `owner`, until `now + lease_ms`. Two claimers at once never get the same round
    /// (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one write transaction). The claim is a
    /// lease, not a lock on closing: [`Store::close_round`] stays the one compare-and-set.
    fn claim_due_rounds(
        &self,
        now: Now,
        overdue_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<DueRound>, StoreError>;

    /// Claims up to `limit` active channel sessions with no open round and no unshown
    /// reveal, idle since before `now - idle_ms` (their last reveal shown then, or, with no
    /// round yet, started then) and not leased to anyone else, for `owner`, until `now +
    /// lease_ms`: their driver died between a reveal and the next round, so nothing in them
    /// is overdue. Oldest first; two claimers at once never get the same session (as
    /// [`Store::claim_due_rounds`]), so one process plays each on.
    fn claim_stalled_sessions(
        &self,
        now: Now,
        idle_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<SessionRow>, StoreError>;

    /// Claims up to `limit` undelivered outbox rows that `which` allows and nobody else holds
    /// (no lease, one that ran out, or `owner`'s own), for `owner`, until `now + lease_ms`.
    /// Oldest first; two claimers at once never get the same row.
    fn claim_outbox(
        &self,
        now: Now,
        which: Deliverable,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError>;

    /// Records row `id` as delivered at `delivered_ms` and releases its lease, in one step,
    /// if `owner` still holds it. `false`: it was delivered already, or the lease was lost.
    /// A delivered row is never claimed again.
    fn mark_delivered(&self, id: i64, owner: &str, delivered_ms: i64) -> Result<bool, StoreError>;

    /// Ends an active session; ending an ended one changes nothing (the first end stands). A
    /// round still open is not scored: close it first if its answers should count.
    fn finish_session(
        &self,
        session: i64,
        status: SessionEnd,
        ended_ms: i64,
    ) -> Result<(), StoreError>;

    /// The session's standings over its closed rounds: points, then correct answers, then user
    /// id.
    fn scoreboard(&self, session: i64) -> Result<Vec<ScoreRow>, StoreError>;

    /// The best players by points over closed rounds: in one guild's sessions (`None`: every
    /// session), only rounds closed at or after `since_ms` if given. Ties go to more correct
    /// answers, then to the user id.
    fn leaderboard(
        &self,
        guild: Option<&str>,
        since_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LeaderRow>, StoreError>;

    /// A player's quiz history; a user who never played gets zeros.
    fn user_stats(&self, user: &str) -> Result<UserStats, StoreError>;

    /// `(asked, correct)` for a question over every closed round: a difficulty estimate.
    fn question_stats(&self, question_id: &str) -> Result<(u32, u32), StoreError>;

    /// Records a study answer at `now_ms`: reads the user's card for the question, lets
    /// `quiz::study::schedule` decide the next one, writes it and appends the answer to the
    /// review log ([`Review`]), in one transaction.
    fn record_study(
        &self,
        user: &str,
        question_id: &str,
        topic: Topic,
        correct: bool,
        now_ms: i64,
    ) -> Result<Card, StoreError>;

    /// Every card of a user, soonest due first.
    fn cards(&self, user: &str) -> Result<Vec<Card>, StoreError>;

    /// A user's study progress per topic at `now_ms`.
    fn study_stats(&self, user: &str, now_ms: i64) -> Result<Vec<StudyTopic>, StoreError>;

    /// A user's review log, oldest first.
    fn reviews(&self, user: &str) -> Result<Vec<Review>, StoreError>;

    /// Writes a consistent copy of the whole database to a new file at `to`, while the bot
    /// keeps running. Backends that have their own tools say which instead.
    fn backup(&self, to: &std::path::Path) -> Result<(), StoreError>;

    /// Everything stored that names `user` (`/privacy export`).
    fn user_data(&self, user: &str) -> Result<UserData, StoreError>;

    /// Erases everything stored that names `user`, in one transaction (`/privacy delete`):
    /// their answers, scores, topic totals, study cards and review log; sessions they started stay for
    /// the other players, with the starter blanked. Leaderboards, computed from answers,
    /// no longer count them. Deleting twice is harmless.
    fn delete_user(&self, user: &str) -> Result<Erased, StoreError>;

    /// Remembers that the bot was removed from server `guild` at `removed_ms`, so that its data
    /// is deleted once the grace period has passed. Marking it again keeps the first time.
    fn mark_guild_removed(&self, guild: &str, removed_ms: i64) -> Result<(), StoreError>;

    /// Forgets a removal (the bot was added back): nothing of the server will be deleted.
    /// `true` if a removal was pending.
    fn cancel_guild_removal(&self, guild: &str) -> Result<bool, StoreError>;

    /// Servers marked removed and not yet purged, with when (oldest first).
    fn removed_guilds(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Deletes, in one transaction, everything kept about every server marked removed at or
    /// before `now_ms - grace_ms`: its quiz sessions, their rounds, answers and scores, and the
    /// mark itself. Per-user totals (`topic_stats`, study cards) belong to the users, not the
    /// server, and stay (`/privacy delete` erases them). **A table keyed by a guild or channel
    /// added later must be deleted here too.**
    fn purge_removed_guilds(&self, now_ms: i64, grace_ms: i64) -> Result<Vec<Purged>, StoreError>;

    /// Deletes everything kept about server `guild` now, as [`Store::purge_removed_guilds`]
    /// does after the grace period (`sco-bot purge-guild`), and any removal mark.
    fn purge_guild(&self, guild: &str) -> Result<Purged, StoreError>;

    /// The question a session's round asked and `user`'s answer to it; `None` if there is no
    /// such round.
    fn round_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
    ) -> Result<Option<RoundAnswer>, StoreError>;

    /// Saves a report: one per user per question, even at the same instant from another
    /// process (a second is [`Reported::AlreadyReported`] and changes nothing).
    fn save_report(&self, report: &NewReport) -> Result<Reported, StoreError>;

    /// Reports, oldest first; only unresolved ones if `open_only`.
    fn reports(&self, open_only: bool) -> Result<Vec<ReportRow>, StoreError>;

    /// Resolves a report with a curator's note; resolving it again changes nothing.
    fn resolve_report(&self, id: i64, note: &str, now_ms: i64) -> Result<Resolved, StoreError>;

    /// Sets (or replaces) a server's question of the day.
    fn set_daily(&self, schedule: &DailySchedule) -> Result<(), StoreError>;

    /// Turns a server's question of the day off; `false` if it had none.
    fn daily_off(&self, guild: &str) -> Result<bool, StoreError>;

    /// A server's question of the day, if set.
    fn daily_schedule(&self, guild: &str) -> Result<Option<DailySchedule>, StoreError>;

    /// Every server's question of the day, by server: what the scheduler runs.
    fn daily_schedules(&self) -> Result<Vec<DailySchedule>, StoreError>;

    /// Claims one day's post for a server: `true` if this call claimed it, `false` if that
    /// server's local date was claimed before (by this process or another, even at the same
    /// instant), so a day's question is posted once however many try.
    fn claim_daily(&self, post: &DailyPost) -> Result<bool, StoreError>;

    /// The post claimed for a server's local date, if any.
    fn daily_post(&self, guild: &str, date: &str) -> Result<Option<DailyPost>, StoreError>;

    /// Records a user's answer to a day's question: `true` if recorded, `false` if they had
    /// answered it already (the first answer stands, even at the same instant from another
    /// process).
    fn record_daily_answer(&self, answer: &DailyAnswer) -> Result<bool, StoreError>;

    /// The answers to a server's question of one local date, earliest first: who was right.
    fn daily_answers(&self, guild: &str, date: &str) -> Result<Vec<DailyAnswer>, StoreError>;

    /// The local dates on which `user` answered a server's question of the day right, newest
    /// first: what a streak is counted from (`daily::streak`).
    fn daily_right_dates(&self, guild: &str, user: &str) -> Result<Vec<String>, StoreError>;

    /// The posts whose answer has not been revealed yet, by server and date: what the
    /// scheduler reveals when their time comes.
    fn daily_unrevealed(&self) -> Result<Vec<DailyPost>, StoreError>;

    /// Claims the reveal of one day's post: `true` if this call claimed it, `false` if it was
    /// revealed before (by this process or another) or there is no such post.
    fn claim_daily_reveal(&self, guild: &str, date: &str, now_ms: i64) -> Result<bool, StoreError>;
}

/// A shared store is a store (so `&Arc<dyn Store>` goes wherever `&dyn Store` does).
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        impl<S: Store + ?Sized> Store for Arc<S> {
            $(fn $name(&self, $($arg: $ty),*) -> $ret { (**self).$name($($arg),*) })*
        }
    };
}

forward! {
    describe() -> String;
    schema_version() -> Result<u32, StoreError>;
    start_session(s: &NewSession) -> Result<Result<i64, ActiveElsewhere>, StoreError>;
    session(id: i64) -> Result<Option<SessionRow>, StoreError>;
    active_session(channel: &str) -> Result<Option<SessionRow>, StoreError>;
    active_sessions() -> Result<Vec<SessionRow>, StoreError>;
    open_round(round: &NewRound<'_>) -> Result<(), StoreError>;
    set_message(session: i64, index: u32, message_id: &str) -> Result<(), StoreError>;
    current_round(session: i64) -> Result<Option<RoundRow>, StoreError>;
    record_answer(
        session: i64,
        index: u32,
        user: &str,
        answer: &str,
        correct: bool,
        answered_ms: i64
    ) -> Result<AnswerOutcome, StoreError>;
    close_round(session: i64, index: u32, closed_ms: i64) -> Result<RoundResult, StoreError>;
    database_clock() -> bool;
    claim_due_rounds(
        now: Now,
        overdue_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32
    ) -> Result<Vec<DueRound>, StoreError>;
    claim_stalled_sessions(
        now: Now,
        idle_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32
    ) -> Result<Vec<SessionRow>, StoreError>;
    claim_outbox(
        now: Now,
        which: Deliverable,
        owner: &str,
        lease_ms: i64,
        limit: u32
    ) -> Result<Vec<OutboxRow>, StoreError>;
    mark_delivered(id: i64, owner: &str, delivered_ms: i64) -> Result<bool, StoreError>;
    finish_session(session: i64, status: SessionEnd, ended_ms: i64) -> Result<(), StoreError>;
    scoreboard(session: i64) -> Result<Vec<ScoreRow>, StoreError>;
    leaderboard(
        guild: Option<&str>,
        since_ms: Option<i64>,
        limit: u32
    ) -> Result<Vec<LeaderRow>, StoreError>;
    user_stats(user: &str) -> Result<UserStats, StoreError>;
    question_stats(question_id: &str) -> Result<(u32, u32), StoreError>;
    record_study(
        user: &str,
        question_id: &str,
        topic: Topic,
        correct: bool,
        now_ms: i64
    ) -> Result<Card, StoreError>;
    cards(user: &str) -> Result<Vec<Card>, StoreError>;
    study_stats(user: &str, now_ms: i64) -> Result<Vec<StudyTopic>, StoreError>;
    reviews(user: &str) -> Result<Vec<Review>, StoreError>;
    backup(to: &std::path::Path) -> Result<(), StoreError>;
    user_data(user: &str) -> Result<UserData, StoreError>;
    delete_user(user: &str) -> Result<Erased, StoreError>;
    mark_guild_removed(guild: &str, removed_ms: i64) -> Result<(), StoreError>;
    cancel_guild_removal(guild: &str) -> Result<bool, StoreError>;
    removed_guilds() -> Result<Vec<(String, i64)>, StoreError>;
    purge_removed_guilds(now_ms: i64, grace_ms: i64) -> Result<Vec<Purged>, StoreError>;
    purge_guild(guild: &str) -> Result<Purged, StoreError>;
    round_answer(session: i64, index: u32, user: &str) -> Result<Option<RoundAnswer>, StoreError>;
    save_report(report: &NewReport) -> Result<Reported, StoreError>;
    reports(open_only: bool) -> Result<Vec<ReportRow>, StoreError>;
    resolve_report(id: i64, note: &str, now_ms: i64) -> Result<Resolved, StoreError>;
    set_daily(schedule: &DailySchedule) -> Result<(), StoreError>;
    daily_off(guild: &str) -> Result<bool, StoreError>;
    daily_schedule(guild: &str) -> Result<Option<DailySchedule>, StoreError>;
    daily_schedules() -> Result<Vec<DailySchedule>, StoreError>;
    claim_daily(post: &DailyPost) -> Result<bool, StoreError>;
    daily_post(guild: &str, date: &str) -> Result<Option<DailyPost>, StoreError>;
    record_daily_answer(answer: &DailyAnswer) -> Result<bool, StoreError>;
    daily_answers(guild: &str, date: &str) -> Result<Vec<DailyAnswer>, StoreError>;
    daily_right_dates(guild: &str, user: &str) -> Result<Vec<String>, StoreError>;
    daily_unrevealed() -> Result<Vec<DailyPost>, StoreError>;
    claim_daily_reveal(guild: &str, date: &str, now_ms: i64) -> Result<bool, StoreError>;
}

/// Opens the store a `--db` value names: a `postgres://` (or `postgresql://`) URL, or else a
/// file path (created if missing).
pub fn open(spec: &str) -> Result<Arc<dyn Store>, StoreError> {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        return Ok(Arc::new(PgStore::open(spec)?));
    }
    Ok(Arc::new(SqliteStore::open(std::path::Path::new(spec))?))
}

//! The PostgreSQL backend: many sco-bot processes on one database (the `postgres` crate, a
//! maintained synchronous client over tokio-postgres; calls run on tokio's blocking pool like
//! SQLite's).
//!
//! The same behaviour as the SQLite backend, and the same test suite (`tests/store.rs`):
//! - migrations are versioned in `sco_bot_schema`, applied under an advisory lock so two
//!   processes starting at once never apply one twice, and a database newer than this build is
//!   refused;
//! - one transaction per step; rows another process may write at once are locked first
//!   (`SELECT … FOR UPDATE`), so closing a round twice, from two processes, scores it once;
//! - one answer per user per round is the primary key; one active session per channel is a
//!   partial unique index;
//! - a connection per caller, from a small pool.

mod daily;
mod lease;
mod report;
pub mod schema;
mod study;

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use postgres::{Client, NoTls, Row, Transaction};

use super::error::StoreError;
use super::{
    ActiveElsewhere, AnswerOutcome, AnswerRecord, AnswerRow, Card, CardRecord, DailyAnswer,
    DailyPost, DailySchedule, Deliverable, DueRound, Erased, GameRecord, LeaderRow, NewReport,
    NewRound, NewSession, Now, OutboxRow, Purged, ReportRow, Reported, Resolved, Review,
    ReviewRecord, RoundAnswer, RoundResult, RoundRow, ScoreRow, SessionEnd, SessionRow,
    SessionStatus, StartedRecord, Store, StudyTopic, TopicRecord, TopicStats, UserData, UserStats,
};
use crate::quiz::scoring::{Standing, points_for};
use crate::quiz::{Mode, Placement, Topic};
use schema::{MIGRATIONS, SCHEMA_VERSION};

/// Idle connections kept for reuse.
const POOL_IDLE: usize = 8;

/// The advisory lock that serialises migrations ("SCOB").
const MIGRATION_LOCK: i64 = 0x5343_4F42;

/// A PostgreSQL database. `Send + Sync`: share it in an `Arc`.
pub struct PgStore {
    /// The URL without its password, for messages.
    shown: PathBuf,
    config: postgres::Config,
    idle: Mutex<Vec<Client>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("database", &self.shown)
            .finish()
    }
}

/// A `postgres::Client` closes its connection by blocking on a runtime of its own, which
/// panics on one of tokio's async workers, where the last owner of a store may well drop it
/// (a quiz driver's task ending at shutdown): idle connections are closed on a thread of their
/// own.
impl Drop for PgStore {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(PoisonError::into_inner));
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

/// Why a step failed, before the database's name is attached.
enum Fail {
    Pg(postgres::Error),
    NoSuchSession(i64),
    NoSuchRound(i64, u32),
    RoundExists(i64, u32),
    SessionEnded(i64),
    Data(String),
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Fail {
        Fail::Pg(e)
    }
}

fn pg_error(path: &std::path::Path, e: &postgres::Error) -> StoreError {
    let path = path.to_path_buf();
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // 55P03 lock_not_available, 57014 query_canceled (a lock or statement timeout).
        if code == "55P03" || code == "57014" {
            return StoreError::Locked { path };
        }
        // 53100 disk_full (53200 out_of_memory and 53300 too_many_connections stay backend
        // failures: the message says which).
        if code == "53100" {
            return StoreError::Full { path };
        }
        // 25006 read_only_sql_transaction: a standby, or default_transaction_read_only.
        if code == "25006" {
            return StoreError::ReadOnly { path };
        }
        return StoreError::Backend {
            path,
            message: format!("{} ({code})", db.message()),
        };
    }
    StoreError::Io {
        path,
        source: std::io::Error::other(format!(
            "cannot talk to the database: {e}; check that PostgreSQL runs and the URL is right"
        )),
    }
}

impl Fail {
    fn at(self, path: &std::path::Path) -> StoreError {
        let p = path.to_path_buf();
        match self {
            Fail::Pg(e) => pg_error(path, &e),
            Fail::NoSuchSession(session) => StoreError::NoSuchSession { path: p, session },
            Fail::NoSuchRound(session, index) => StoreError::NoSuchRound {
                path: p,
                session,
                index,
            },
            Fail::RoundExists(session, index) => StoreError::RoundExists {
                path: p,
                session,
                index,
            },
            Fail::SessionEnded(session) => StoreError::SessionEnded { path: p, session },
            Fail::Data(message) => StoreError::Backend { path: p, message },
        }
    }
}

/// A non-negative count read from an INTEGER column.
fn count(r: &Row, i: usize) -> Result<u32, Fail> {
    let v: i32 = r.try_get(i)?;
    u32::try_from(v).map_err(|_| Fail::Data(format!("negative count {v} in column {i}")))
}

/// A non-negative count read from a BIGINT column (sums and counts).
fn count64(r: &Row, i: usize) -> Result<u32, Fail> {
    let v: i64 = r.try_get(i)?;
    u32::try_from(v).map_err(|_| Fail::Data(format!("count {v} out of range in column {i}")))
}

fn topic(r: &Row, i: usize) -> Result<Topic, Fail> {
    let key: String = r.try_get(i)?;
    Topic::from_key(&key).ok_or_else(|| Fail::Data(format!("unknown topic {key:?}")))
}

impl PgStore {
    /// Connects to the database a `postgres://` URL names and brings its schema up to date.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let config: postgres::Config = url.parse().map_err(|e| StoreError::Io {
            path: PathBuf::from("the PostgreSQL URL"),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("it is not a valid PostgreSQL URL ({e}); write postgres://USER@HOST:PORT/DATABASE"),
            ),
        })?;
        let shown = PathBuf::from(describe(&config));
        let store = PgStore {
            shown,
            config,
            idle: Mutex::new(Vec::new()),
        };
        store.with_client(|c| store.migrate(c))?;
        Ok(store)
    }

    fn connect(&self) -> Result<Client, StoreError> {
        self.config
            .connect(NoTls)
            .map_err(|e| pg_error(&self.shown, &e))
    }

    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut client = match taken {
            Some(c) if !c.is_closed() => c,
            _ => self.connect()?,
        };
        let result = f(&mut client);
        if !client.is_closed() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < POOL_IDLE {
                idle.push(client);
            }
        }
        result
    }

    /// Runs `f` in one transaction.
    fn tx<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        self.with_client(|c| {
            let run = || -> Result<T, Fail> {
                let mut tx = c.transaction()?;
                let v = f(&mut tx)?;
                tx.commit()?;
                Ok(v)
            };
            run().map_err(|e| e.at(&self.shown))
        })
    }

    fn migrate(&self, c: &mut Client) -> Result<(), StoreError> {
        let mut run = || -> Result<(), Fail> {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            let ours: bool = tx
                .query_one("SELECT to_regclass('sco_bot_schema') IS NOT NULL", &[])?
                .try_get(0)?;
            let theirs: bool = tx
                .query_one("SELECT to_regclass('sessions') IS NOT NULL", &[])?
                .try_get(0)?;
            if !ours && theirs {
                return Err(Fail::Data("foreign".into()));
            }
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS sco_bot_schema (version INTEGER NOT NULL); \
                 INSERT INTO sco_bot_schema (version) SELECT 0 \
                 WHERE NOT EXISTS (SELECT 1 FROM sco_bot_schema);",
            )?;
            let version: i32 = tx
                .query_one("SELECT version FROM sco_bot_schema", &[])?
                .try_get(0)?;
            let version = u32::try_from(version).unwrap_or(u32::MAX);
            if version > SCHEMA_VERSION {
                return Err(Fail::Data(format!("newer {version}")));
            }
            for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.batch_execute(m)?;
                let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
                tx.execute("UPDATE sco_bot_schema SET version = $1", &[&v])?;
                tracing::info!(database = %self.shown.display(), version = i + 1, "database migrated");
            }
            tx.commit()?;
            Ok(())
        };
        run().map_err(|e| match e {
            Fail::Data(m) if m == "foreign" => StoreError::Foreign {
                path: self.shown.clone(),
            },
            Fail::Data(m) if m.starts_with("newer ") => StoreError::Newer {
                path: self.shown.clone(),
                version: m[6..].parse().unwrap_or(u32::MAX),
                known: SCHEMA_VERSION,
            },
            other => other.at(&self.shown),
        })
    }
}

/// The URL without its password.
fn describe(c: &postgres::Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = c.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        c.get_user().unwrap_or(""),
        c.get_dbname().unwrap_or("")
    )
}

const SESSION_COLUMNS: &str = "id, guild, channel, starter, topic, questions, seconds, mode, \
                               seed, started_ms, status, ended_ms, plan, placement";

fn session_row(r: &Row) -> Result<SessionRow, Fail> {
    let status: String = r.try_get(10)?;
    let mode: String = r.try_get(7)?;
    let topic_key: Option<String> = r.try_get(4)?;
    let plan: Option<String> = r.try_get(12)?;
    let placement: String = r.try_get(13)?;
    let seed: i64 = r.try_get(8)?;
    Ok(SessionRow {
        id: r.try_get(0)?,
        guild: r.try_get(1)?,
        channel: r.try_get(2)?,
        starter: r.try_get(3)?,
        topic: match topic_key {
            Some(_) => Some(topic(r, 4)?),
            None => None,
        },
        questions: count(r, 5)?,
        seconds: count(r, 6)?,
        mode: Mode::from_key(&mode).ok_or_else(|| Fail::Data(format!("unknown mode {mode:?}")))?,
        // Stored bit for bit: PostgreSQL has no unsigned 64-bit integer.
        seed: seed as u64,
        plan: plan
            .map(|p| p.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        placement: Placement::from_key(&placement)
            .ok_or_else(|| Fail::Data(format!("unknown placement {placement:?}")))?,
        started_ms: r.try_get(9)?,
        status: SessionStatus::from_key(&status)
            .ok_or_else(|| Fail::Data(format!("unknown status {status:?}")))?,
        ended_ms: r.try_get(11)?,
    })
}

fn round_row(r: &Row) -> Result<RoundRow, Fail> {
    let closed: Option<i64> = r.try_get(5)?;
    Ok(RoundRow {
        index: count(r, 0)?,
        question_id: r.try_get(1)?,
        topic: topic(r, 2)?,
        opened_ms: r.try_get(3)?,
        deadline_ms: r.try_get(4)?,
        closed: closed.is_some(),
        message_id: r.try_get(6)?,
    })
}

fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn answers_of(tx: &mut Transaction<'_>, session: i64, index: u32) -> Result<Vec<AnswerRow>, Fail> {
    tx.query(
        "SELECT user_id, answer, correct, COALESCE(points, 0), answered_ms FROM answers \
         WHERE session = $1 AND idx = $2 ORDER BY answered_ms, user_id",
        &[&session, &int(index)],
    )?
    .iter()
    .map(|r| {
        Ok(AnswerRow {
            user: r.try_get(0)?,
            answer: r.try_get(1)?,
            correct: r.try_get(2)?,
            points: count(r, 3)?,
            answered_ms: r.try_get(4)?,
        })
    })
    .collect()
}

fn standing(tx: &mut Transaction<'_>, session: i64, user: &str) -> Result<Standing, Fail> {
    let row = tx.query_opt(
        "SELECT points, correct, answered, streak, best_streak FROM players \
         WHERE session = $1 AND user_id = $2",
        &[&session, &user],
    )?;
    Ok(match row {
        Some(r) => Standing {
            points: count(&r, 0)?,
            correct: count(&r, 1)?,
            answered: count(&r, 2)?,
            streak: count(&r, 3)?,
            best_streak: count(&r, 4)?,
        },
        None => Standing::default(),
    })
}

fn save_standing(
    tx: &mut Transaction<'_>,
    session: i64,
    user: &str,
    s: Standing,
) -> Result<(), Fail> {
    tx.execute(
        "INSERT INTO players (session, user_id, points, correct, answered, streak, best_streak) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session, user_id) DO UPDATE SET \
         points = excluded.points, correct = excluded.correct, answered = excluded.answered, \
         streak = excluded.streak, best_streak = excluded.best_streak",
        &[
            &session,
            &user,
            &int(s.points),
            &int(s.correct),
            &int(s.answered),
            &int(s.streak),
            &int(s.best_streak),
        ],
    )?;
    Ok(())
}

impl Store for PgStore {
    fn describe(&self) -> String {
        self.shown.display().to_string()
    }

    fn backup(&self, to: &std::path::Path) -> Result<(), StoreError> {
        Err(StoreError::Io {
            path: self.shown.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                format!(
                    "back up a PostgreSQL database with its own tools: pg_dump --format=custom --file {} DATABASE-URL (and pg_restore to restore)",
                    to.display()
                ),
            ),
        })
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        self.tx(|tx| {
            let v: i32 = tx
                .query_one("SELECT version FROM sco_bot_schema", &[])?
                .try_get(0)?;
            Ok(u32::try_from(v).unwrap_or(0))
        })
    }

    fn start_session(&self, s: &NewSession) -> Result<Result<i64, ActiveElsewhere>, StoreError> {
        self.tx(|tx| {
            let plan = (!s.plan.is_empty()).then(|| s.plan.join("\n"));
            // The partial unique index decides between two starts at once: the loser inserts
            // nothing and reads the winner.
            let inserted = tx.query_opt(
                "INSERT INTO sessions (guild, channel, starter, topic, questions, seconds, mode, \
                 seed, started_ms, status, plan, placement) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11) \
                 ON CONFLICT (channel) WHERE status = 'active' DO NOTHING RETURNING id",
                &[
                    &s.guild,
                    &s.channel,
                    &s.starter,
                    &s.topic.map(|t| t.key()),
                    &int(s.questions),
                    &int(s.seconds),
                    &s.mode.key(),
                    &(s.seed as i64),
                    &s.started_ms,
                    &plan,
                    &s.placement.key(),
                ],
            )?;
            if let Some(r) = inserted {
                return Ok(Ok(r.try_get(0)?));
            }
            let r = tx.query_one(
                "SELECT id, starter FROM sessions WHERE channel = $1 AND status = 'active'",
                &[&s.channel],
            )?;
            Ok(Err(ActiveElsewhere {
                session: r.try_get(0)?,
                starter: r.try_get(1)?,
            }))
        })
    }

    fn session(&self, id: i64) -> Result<Option<SessionRow>, StoreError> {
        self.tx(|tx| {
            let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1");
            tx.query_opt(&sql, &[&id])?
                .map(|r| session_row(&r))
                .transpose()
        })
    }

    fn active_session(&self, channel: &str) -> Result<Option<SessionRow>, StoreError> {
        self.tx(|tx| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE channel = $1 AND status = 'active'"
            );
            tx.query_opt(&sql, &[&channel])?
                .map(|r| session_row(&r))
                .transpose()
        })
    }

    fn active_sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        self.tx(|tx| {
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE status = 'active' ORDER BY id"
            );
            tx.query(&sql, &[])?.iter().map(session_row).collect()
        })
    }

    fn open_round(&self, round: &NewRound<'_>) -> Result<(), StoreError> {
        self.tx(|tx| {
            let status: Option<String> = tx
                .query_opt(
                    "SELECT status FROM sessions WHERE id = $1 FOR UPDATE",
                    &[&round.session],
                )?
                .map(|r| r.try_get(0))
                .transpose()?;
            match status.as_deref() {
                None => return Err(Fail::NoSuchSession(round.session)),
                Some("active") => {}
                Some(_) => return Err(Fail::SessionEnded(round.session)),
            }
            let inserted = tx.execute(
                "INSERT INTO rounds (session, idx, question_id, topic, opened_ms, deadline_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session, idx) DO NOTHING",
                &[
                    &round.session,
                    &int(round.index),
                    &round.question_id,
                    &round.topic.key(),
                    &round.opened_ms,
                    &round.deadline_ms,
                ],
            )?;
            if inserted == 0 {
                return Err(Fail::RoundExists(round.session, round.index));
            }
            Ok(())
        })
    }

    fn set_message(&self, session: i64, index: u32, message_id: &str) -> Result<(), StoreError> {
        self.tx(|tx| {
            let n = tx.execute(
                "UPDATE rounds SET message_id = $3 WHERE session = $1 AND idx = $2",
                &[&session, &int(index), &message_id],
            )?;
            if n == 0 {
                return Err(Fail::NoSuchRound(session, index));
            }
            Ok(())
        })
    }

    fn current_round(&self, session: i64) -> Result<Option<RoundRow>, StoreError> {
        self.tx(|tx| {
            tx.query_opt(
                "SELECT idx, question_id, topic, opened_ms, deadline_ms, closed_ms, message_id \
                 FROM rounds WHERE session = $1 ORDER BY idx DESC LIMIT 1",
                &[&session],
            )?
            .map(|r| round_row(&r))
            .transpose()
        })
    }

    fn record_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
        answer: &str,
        correct: bool,
        answered_ms: i64,
    ) -> Result<AnswerOutcome, StoreError> {
        self.tx(|tx| {
            // Shares the round's row lock with nobody but a closer: an answer and the close of
            // its round are ordered, so no answer slips in after the scoring.
            let round = tx.query_opt(
                "SELECT r.deadline_ms, r.closed_ms, s.status FROM rounds r \
                 JOIN sessions s ON s.id = r.session WHERE r.session = $1 AND r.idx = $2 \
                 FOR SHARE OF r",
                &[&session, &int(index)],
            )?;
            let Some(r) = round else {
                return Ok(AnswerOutcome::NoSuchQuestion);
            };
            let deadline: i64 = r.try_get(0)?;
            let closed: Option<i64> = r.try_get(1)?;
            let status: String = r.try_get(2)?;
            if closed.is_some() || status != "active" || answered_ms > deadline {
                return Ok(AnswerOutcome::TooLate);
            }
            let n = tx.execute(
                "INSERT INTO answers (session, idx, user_id, answer, correct, answered_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session, idx, user_id) DO NOTHING",
                &[
                    &session,
                    &int(index),
                    &user,
                    &answer,
                    &correct,
                    &answered_ms,
                ],
            )?;
            Ok(if n == 1 {
                AnswerOutcome::Recorded
            } else {
                AnswerOutcome::AlreadyAnswered
            })
        })
    }

    fn close_round(
        &self,
        session: i64,
        index: u32,
        closed_ms: i64,
    ) -> Result<RoundResult, StoreError> {
        self.tx(|tx| {
            let Some(r) = tx.query_opt(
                "SELECT question_id, topic, opened_ms, deadline_ms, closed_ms FROM rounds \
                 WHERE session = $1 AND idx = $2 FOR UPDATE",
                &[&session, &int(index)],
            )?
            else {
                return Err(Fail::NoSuchRound(session, index));
            };
            let question_id: String = r.try_get(0)?;
            let topic_key: String = r.try_get(1)?;
            let opened_ms: i64 = r.try_get(2)?;
            let deadline_ms: i64 = r.try_get(3)?;
            let already: Option<i64> = r.try_get(4)?;
            if already.is_some() {
                return Ok(RoundResult {
                    answers: answers_of(tx, session, index)?,
                    newly_closed: false,
                });
            }
            tx.execute(
                "UPDATE rounds SET closed_ms = $3 WHERE session = $1 AND idx = $2",
                &[&session, &int(index), &closed_ms],
            )?;
            let mut answers = answers_of(tx, session, index)?;
            let mut right = 0i32;
            for a in &mut answers {
                a.points = points_for(a.correct, opened_ms, deadline_ms, a.answered_ms);
                right += i32::from(a.correct);
                tx.execute(
                    "UPDATE answers SET points = $4 WHERE session = $1 AND idx = $2 AND user_id = $3",
                    &[&session, &int(index), &a.user, &int(a.points)],
                )?;
                let now = standing(tx, session, &a.user)?.after_answer(a.correct, a.points);
                save_standing(tx, session, &a.user, now)?;
                tx.execute(
                    "INSERT INTO topic_stats (user_id, topic, answered, correct) \
                     VALUES ($1, $2, 1, $3) ON CONFLICT (user_id, topic) DO UPDATE SET \
                     answered = topic_stats.answered + 1, \
                     correct = topic_stats.correct + excluded.correct",
                    &[&a.user, &topic_key, &i32::from(a.correct)],
                )?;
            }
            let missed: Vec<String> = tx
                .query(
                    "SELECT user_id FROM players WHERE session = $1 AND user_id NOT IN \
                     (SELECT user_id FROM answers WHERE session = $1 AND idx = $2)",
                    &[&session, &int(index)],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            for user in missed {
                let now = standing(tx, session, &user)?.after_miss();
                save_standing(tx, session, &user, now)?;
            }
            let asked = i32::try_from(answers.len()).unwrap_or(i32::MAX);
            tx.execute(
                "INSERT INTO question_stats (question_id, asked, correct) VALUES ($1, $2, $3) \
                 ON CONFLICT (question_id) DO UPDATE SET \
                 asked = question_stats.asked + excluded.asked, \
                 correct = question_stats.correct + excluded.correct",
                &[&question_id, &asked, &right],
            )?;
            lease::write_reveal(tx, session, index, closed_ms)?;
            Ok(RoundResult {
                answers,
                newly_closed: true,
            })
        })
    }

    fn database_clock(&self) -> bool {
        true
    }

    fn claim_due_rounds(
        &self,
        now: Now,
        overdue_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<DueRound>, StoreError> {
        self.tx(|tx| lease::claim_due_rounds(tx, now, overdue_ms, owner, lease_ms, limit))
    }

    fn claim_stalled_sessions(
        &self,
        now: Now,
        idle_ms: i64,
        owner: &str,
        lease_ms: i64,
        n: u32,
    ) -> Result<Vec<SessionRow>, StoreError> {
        self.tx(|tx| {
            let now = lease::now_ms(tx, now)?;
            let sql = format!(
                "SELECT {SESSION_COLUMNS} FROM sessions s \
                 WHERE s.status = 'active' AND s.placement = 'channel' \
                 AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.session = s.id AND r.closed_ms IS NULL) \
                 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session = s.id AND o.delivered_ms IS NULL) \
                 AND COALESCE((SELECT MAX(o.delivered_ms) FROM outbox o WHERE o.session = s.id), s.started_ms) \
                 + $2 < $1 AND (s.lease_until_ms IS NULL OR s.lease_until_ms <= $1) \
                 ORDER BY s.id LIMIT $3 FOR UPDATE OF s SKIP LOCKED"
            );
            let rows: Vec<SessionRow> = tx
                .query(&sql, &[&now, &idle_ms, &lease::limit(n)])?
                .iter()
                .map(session_row)
                .collect::<Result<_, _>>()?;
            let until = now.saturating_add(lease_ms);
            for s in &rows {
                tx.execute(
                    "UPDATE sessions SET lease_owner = $2, lease_until_ms = $3 WHERE id = $1",
                    &[&s.id, &owner, &until],
                )?;
            }
            Ok(rows)
        })
    }

    fn claim_outbox(
        &self,
        now: Now,
        which: Deliverable,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        self.tx(|tx| lease::claim_outbox(tx, now, which, owner, lease_ms, limit))
    }

    fn mark_delivered(&self, id: i64, owner: &str, delivered_ms: i64) -> Result<bool, StoreError> {
        self.tx(|tx| lease::mark_delivered(tx, id, owner, delivered_ms))
    }

    fn finish_session(
        &self,
        session: i64,
        status: SessionEnd,
        ended_ms: i64,
    ) -> Result<(), StoreError> {
        self.tx(|tx| {
            if tx
                .query_opt("SELECT id FROM sessions WHERE id = $1", &[&session])?
                .is_none()
            {
                return Err(Fail::NoSuchSession(session));
            }
            tx.execute(
                "UPDATE sessions SET status = $2, ended_ms = $3 WHERE id = $1 AND status = 'active'",
                &[&session, &status.status().key(), &ended_ms],
            )?;
            Ok(())
        })
    }

    fn scoreboard(&self, session: i64) -> Result<Vec<ScoreRow>, StoreError> {
        self.tx(|tx| {
            tx.query(
                "SELECT user_id, points, correct, answered, streak, best_streak FROM players \
                 WHERE session = $1 ORDER BY points DESC, correct DESC, user_id",
                &[&session],
            )?
            .iter()
            .map(|r| {
                Ok(ScoreRow {
                    user: r.try_get(0)?,
                    points: count(r, 1)?,
                    correct: count(r, 2)?,
                    answered: count(r, 3)?,
                    streak: count(r, 4)?,
                    best_streak: count(r, 5)?,
                })
            })
            .collect()
        })
    }

    fn leaderboard(
        &self,
        guild: Option<&str>,
        since_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LeaderRow>, StoreError> {
        self.tx(|tx| {
            tx.query(
                "SELECT a.user_id, SUM(a.points)::BIGINT, \
                 SUM(CASE WHEN a.correct THEN 1 ELSE 0 END)::BIGINT, COUNT(*) \
                 FROM answers a \
                 JOIN rounds r ON r.session = a.session AND r.idx = a.idx \
                 JOIN sessions s ON s.id = a.session \
                 WHERE r.closed_ms IS NOT NULL \
                   AND ($1::TEXT IS NULL OR s.guild = $1) \
                   AND ($2::BIGINT IS NULL OR r.closed_ms >= $2) \
                 GROUP BY a.user_id \
                 ORDER BY SUM(a.points) DESC, SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) DESC, \
                 a.user_id LIMIT $3",
                &[&guild, &since_ms, &i64::from(limit)],
            )?
            .iter()
            .map(|r| {
                let points: i64 = r.try_get(1)?;
                Ok(LeaderRow {
                    user: r.try_get(0)?,
                    points: u64::try_from(points).unwrap_or(0),
                    correct: count64(r, 2)?,
                    answered: count64(r, 3)?,
                })
            })
            .collect()
        })
    }

    fn user_stats(&self, user: &str) -> Result<UserStats, StoreError> {
        self.tx(|tx| {
            let r = tx.query_one(
                "SELECT COUNT(*), COALESCE(SUM(answered), 0)::BIGINT, \
                 COALESCE(SUM(correct), 0)::BIGINT, COALESCE(MAX(best_streak), 0)::BIGINT \
                 FROM players WHERE user_id = $1",
                &[&user],
            )?;
            let per_topic = tx
                .query(
                    "SELECT topic, answered, correct FROM topic_stats WHERE user_id = $1 \
                     ORDER BY topic",
                    &[&user],
                )?
                .iter()
                .map(|t| {
                    Ok(TopicStats {
                        topic: topic(t, 0)?,
                        answered: count(t, 1)?,
                        correct: count(t, 2)?,
                    })
                })
                .collect::<Result<_, Fail>>()?;
            Ok(UserStats {
                games: count64(&r, 0)?,
                answered: count64(&r, 1)?,
                correct: count64(&r, 2)?,
                best_streak: count64(&r, 3)?,
                per_topic,
            })
        })
    }

    fn question_stats(&self, question_id: &str) -> Result<(u32, u32), StoreError> {
        self.tx(|tx| {
            match tx.query_opt(
                "SELECT asked, correct FROM question_stats WHERE question_id = $1",
                &[&question_id],
            )? {
                Some(r) => Ok((count(&r, 0)?, count(&r, 1)?)),
                None => Ok((0, 0)),
            }
        })
    }

    fn record_study(
        &self,
        user: &str,
        question_id: &str,
        topic: Topic,
        correct: bool,
        now_ms: i64,
    ) -> Result<Card, StoreError> {
        self.tx(|tx| study::record_study(tx, user, question_id, topic, correct, now_ms))
    }

    fn user_data(&self, user: &str) -> Result<UserData, StoreError> {
        self.tx(|tx| {
            let sessions_started = tx
                .query(
                    "SELECT id, guild, channel, started_ms FROM sessions WHERE starter = $1 \
                     ORDER BY id",
                    &[&user],
                )?
                .iter()
                .map(|r| {
                    Ok(StartedRecord {
                        session: r.try_get(0)?,
                        guild: r.try_get(1)?,
                        channel: r.try_get(2)?,
                        started_ms: r.try_get(3)?,
                    })
                })
                .collect::<Result<_, Fail>>()?;
            let answers = tx
                .query(
                    "SELECT a.session, a.idx, r.question_id, a.answer, a.correct, \
                     a.answered_ms, a.points FROM answers a \
                     JOIN rounds r ON r.session = a.session AND r.idx = a.idx \
                     WHERE a.user_id = $1 ORDER BY a.session, a.idx",
                    &[&user],
                )?
                .iter()
                .map(|r| {
                    let points: Option<i32> = r.try_get(6)?;
                    Ok(AnswerRecord {
                        session: r.try_get(0)?,
                        round: count(r, 1)?,
                        question_id: r.try_get(2)?,
                        answer: r.try_get(3)?,
                        correct: r.try_get(4)?,
                        answered_ms: r.try_get(5)?,
                        points: points.map(|p| u32::try_from(p).unwrap_or(0)),
                    })
                })
                .collect::<Result<_, Fail>>()?;
            let games = tx
                .query(
                    "SELECT session, points, correct, answered, best_streak FROM players \
                     WHERE user_id = $1 ORDER BY session",
                    &[&user],
                )?
                .iter()
                .map(|r| {
                    Ok(GameRecord {
                        session: r.try_get(0)?,
                        points: count(r, 1)?,
                        correct: count(r, 2)?,
                        answered: count(r, 3)?,
                        best_streak: count(r, 4)?,
                    })
                })
                .collect::<Result<_, Fail>>()?;
            let topics = tx
                .query(
                    "SELECT topic, answered, correct FROM topic_stats WHERE user_id = $1 \
                     ORDER BY topic",
                    &[&user],
                )?
                .iter()
                .map(|r| {
                    Ok(TopicRecord {
                        topic: r.try_get(0)?,
                        answered: count(r, 1)?,
                        correct: count(r, 2)?,
                    })
                })
                .collect::<Result<_, Fail>>()?;
            let cards = study::cards(tx, user)?
                .iter()
                .map(CardRecord::from)
                .collect();
            let reviews = study::reviews(tx, user)?
                .iter()
                .map(ReviewRecord::from)
                .collect();
            let reports = report::user_reports(tx, user)?;
            let daily_answers = daily::user_daily_answers(tx, user)?;
            Ok(UserData {
                user: user.to_string(),
                sessions_started,
                answers,
                games,
                topics,
                cards,
                reviews,
                reports,
                daily_answers,
            })
        })
    }

    fn delete_user(&self, user: &str) -> Result<Erased, StoreError> {
        self.tx(|tx| {
            let mut run = |sql: &str| -> Result<u32, Fail> {
                let n = tx.execute(sql, &[&user])?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            };
            Ok(Erased {
                answers: run("DELETE FROM answers WHERE user_id = $1")?,
                games: run("DELETE FROM players WHERE user_id = $1")?,
                topics: run("DELETE FROM topic_stats WHERE user_id = $1")?,
                cards: run("DELETE FROM cards WHERE user_id = $1")?,
                reviews: run("DELETE FROM study_reviews WHERE user_id = $1")?,
                sessions_unnamed: run("UPDATE sessions SET starter = '' WHERE starter = $1")?,
                reports: run("DELETE FROM reports WHERE user_id = $1")?,
                daily_answers: run("DELETE FROM daily_answers WHERE user_id = $1")?,
            })
        })
    }

    fn mark_guild_removed(&self, guild: &str, removed_ms: i64) -> Result<(), StoreError> {
        self.tx(|tx| {
            tx.execute(
                "INSERT INTO removed_guilds (guild, removed_ms) VALUES ($1, $2) \
                 ON CONFLICT (guild) DO NOTHING",
                &[&guild, &removed_ms],
            )?;
            Ok(())
        })
    }

    fn cancel_guild_removal(&self, guild: &str) -> Result<bool, StoreError> {
        self.tx(|tx| Ok(tx.execute("DELETE FROM removed_guilds WHERE guild = $1", &[&guild])? > 0))
    }

    fn removed_guilds(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.tx(|tx| {
            Ok(tx
                .query(
                    "SELECT guild, removed_ms FROM removed_guilds ORDER BY removed_ms, guild",
                    &[],
                )?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect())
        })
    }

    fn purge_removed_guilds(&self, now_ms: i64, grace_ms: i64) -> Result<Vec<Purged>, StoreError> {
        self.tx(|tx| {
            let due: Vec<String> = tx
                .query(
                    "SELECT guild FROM removed_guilds WHERE removed_ms <= $1 \
                     ORDER BY removed_ms, guild FOR UPDATE",
                    &[&now_ms.saturating_sub(grace_ms)],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            due.iter().map(|g| purge_guild(tx, g)).collect()
        })
    }

    fn purge_guild(&self, guild: &str) -> Result<Purged, StoreError> {
        self.tx(|tx| purge_guild(tx, guild))
    }

    fn set_daily(&self, schedule: &DailySchedule) -> Result<(), StoreError> {
        self.tx(|tx| daily::set_daily(tx, schedule))
    }

    fn daily_off(&self, guild: &str) -> Result<bool, StoreError> {
        self.tx(|tx| daily::daily_off(tx, guild))
    }

    fn daily_schedule(&self, guild: &str) -> Result<Option<DailySchedule>, StoreError> {
        self.tx(|tx| daily::daily_schedule(tx, guild))
    }

    fn daily_schedules(&self) -> Result<Vec<DailySchedule>, StoreError> {
        self.tx(daily::daily_schedules)
    }

    fn claim_daily(&self, post: &DailyPost) -> Result<bool, StoreError> {
        self.tx(|tx| daily::claim_daily(tx, post))
    }

    fn daily_post(&self, guild: &str, date: &str) -> Result<Option<DailyPost>, StoreError> {
        self.tx(|tx| daily::daily_post(tx, guild, date))
    }

    fn record_daily_answer(&self, answer: &DailyAnswer) -> Result<bool, StoreError> {
        self.tx(|tx| daily::record_daily_answer(tx, answer))
    }

    fn daily_answers(&self, guild: &str, date: &str) -> Result<Vec<DailyAnswer>, StoreError> {
        self.tx(|tx| daily::daily_answers(tx, guild, date))
    }

    fn daily_right_dates(&self, guild: &str, user: &str) -> Result<Vec<String>, StoreError> {
        self.tx(|tx| daily::daily_right_dates(tx, guild, user))
    }

    fn daily_unrevealed(&self) -> Result<Vec<DailyPost>, StoreError> {
        self.tx(daily::daily_unrevealed)
    }

    fn claim_daily_reveal(&self, guild: &str, date: &str, now_ms: i64) -> Result<bool, StoreError> {
        self.tx(|tx| daily::claim_daily_reveal(tx, guild, date, now_ms))
    }

    fn round_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
    ) -> Result<Option<RoundAnswer>, StoreError> {
        self.tx(|tx| report::round_answer(tx, session, index, user))
    }

    fn save_report(&self, r: &NewReport) -> Result<Reported, StoreError> {
        self.tx(|tx| report::save_report(tx, r))
    }

    fn reports(&self, open_only: bool) -> Result<Vec<ReportRow>, StoreError> {
        self.tx(|tx| report::reports(tx, open_only))
    }

    fn resolve_report(&self, id: i64, note: &str, now_ms: i64) -> Result<Resolved, StoreError> {
        self.tx(|tx| report::resolve_report(tx, id, note, now_ms))
    }

    fn cards(&self, user: &str) -> Result<Vec<Card>, StoreError> {
        self.tx(|tx| study::cards(tx, user))
    }

    fn study_stats(&self, user: &str, now_ms: i64) -> Result<Vec<StudyTopic>, StoreError> {
        self.tx(|tx| study::study_stats(tx, user, now_ms))
    }

    fn reviews(&self, user: &str) -> Result<Vec<Review>, StoreError> {
        self.tx(|tx| study::reviews(tx, user))
    }
}

/// Deletes everything kept about one server (children first), and its removal mark.
fn purge_guild(tx: &mut Transaction<'_>, guild: &str) -> Result<Purged, Fail> {
    let mut run = |sql: &str| -> Result<u32, Fail> {
        let n = tx.execute(sql, &[&guild])?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    };
    let answers =
        run("DELETE FROM answers WHERE session IN (SELECT id FROM sessions WHERE guild = $1)")?;
    let rounds =
        run("DELETE FROM rounds WHERE session IN (SELECT id FROM sessions WHERE guild = $1)")?;
    let scores =
        run("DELETE FROM players WHERE session IN (SELECT id FROM sessions WHERE guild = $1)")?;
    // Reveals still waiting in the outbox (not counted: they hold no one's data).
    run("DELETE FROM outbox WHERE session IN (SELECT id FROM sessions WHERE guild = $1)")?;
    let sessions = run("DELETE FROM sessions WHERE guild = $1")?;
    let daily = run("DELETE FROM daily_answers WHERE guild = $1")?
        + run("DELETE FROM daily_posts WHERE guild = $1")?
        + run("DELETE FROM daily_schedules WHERE guild = $1")?;
    run("DELETE FROM removed_guilds WHERE guild = $1")?;
    Ok(Purged {
        guild: guild.to_string(),
        sessions,
        rounds,
        answers,
        scores,
        daily,
    })
}

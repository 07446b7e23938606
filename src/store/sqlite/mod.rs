//! The SQLite backend: one database file (rusqlite, with SQLite compiled in).
//!
//! Why rusqlite rather than sqlx: the bot's database work is a few short statements per
//! button press, so synchronous connections run on tokio's blocking pool are simpler than an
//! async driver and cost nothing that matters; rusqlite is small, has no compile-time query
//! macros (so no live database at build time), and its `bundled` feature compiles SQLite in, so
//! a clean CI machine or a user's server needs no system SQLite.
//!
//! How it behaves:
//! - the file is created if missing; versioned migrations ([`schema::MIGRATIONS`], tracked with
//!   `PRAGMA user_version`) are applied at start-up, one transaction each;
//! - WAL journal (readers never block the writer), `synchronous = NORMAL`, foreign keys on;
//! - a connection per caller: idle connections wait in a small pool, and a caller that finds
//!   none opens another, so readers on several threads never queue behind one mutex;
//! - a busy timeout of [`BUSY_TIMEOUT`] for every statement, so an answer given while another
//!   process holds the file waits for it rather than being lost (the front end defers its
//!   reply meanwhile); opening uses the shorter [`OPEN_BUSY_TIMEOUT`], so a file another
//!   program keeps locked is reported at start-up;
//! - every write is one `BEGIN IMMEDIATE` transaction, so scores are never half-applied and
//!   two processes never interleave a read-then-write;
//! - a corrupt, foreign, locked or newer file gives a [`StoreError`] naming the file and the
//!   fix, and is never deleted or overwritten.
//!
//! Files: [`schema`] (the migrations), `session.rs` (sessions, rounds, answers, scoring),
//! `stats.rs` (leaderboards and statistics), `study.rs` (study cards), `report.rs` (reports
//! about questions), `privacy.rs` (a user's data, exported or erased).

mod daily;
mod guilds;
mod lease;
mod privacy;
mod report;
pub mod schema;
mod session;
mod stats;
mod study;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::{Fail, StoreError};
use super::{
    ActiveElsewhere, AnswerOutcome, Card, DailyAnswer, DailyPost, DailySchedule, Deliverable,
    DueRound, Erased, LeaderRow, NewReport, NewRound, NewSession, Now, OutboxRow, Purged,
    ReportRow, Reported, Resolved, Review, RoundAnswer, RoundResult, RoundRow, ScoreRow,
    SessionEnd, SessionRow, Store, StudyTopic, UserData, UserStats,
};
use crate::quiz::Topic;
use schema::SCHEMA_VERSION;

/// How long a statement waits for another connection's lock before giving up with
/// [`StoreError::Locked`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long opening the file waits for another connection's lock.
pub const OPEN_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Idle connections kept for reuse.
const POOL_IDLE: usize = 8;

/// An SQLite database file. `Send + Sync`: share it in an `Arc`.
pub struct SqliteStore {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

/// Opens one connection with the settings every connection needs.
fn connect(path: &Path, busy: Duration) -> Result<Connection, StoreError> {
    let sql = |e| StoreError::from_sqlite(path, e);
    // Without URI parsing, so a file really named "file:…" is just a file.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
    conn.busy_timeout(busy).map_err(sql)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql)?;
    // With WAL, NORMAL never corrupts the file; a power cut can only lose the last commits.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if missing, and brings its schema up to date.
    ///
    /// Nothing is written until the file has been checked: a file that is not a database, is
    /// damaged, belongs to another program or comes from a newer sco-bot is left byte for byte
    /// as it was, and the error says so.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        if path.is_dir() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "it is a folder, not a file",
            )));
        }
        let sql = |e| StoreError::from_sqlite(path, e);
        let mut conn = connect(path, OPEN_BUSY_TIMEOUT)?;
        // SQLite silently falls back to read-only on a file it cannot write; say so now rather
        // than at the first answer.
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(sql)? {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        // Read-only checks first: nothing below may change a file we are going to refuse. One
        // read transaction, so another process migrating the file meanwhile is seen whole.
        {
            let tx = conn.transaction().map_err(sql)?;
            check_header(&tx, path)?;
            tx.commit().map_err(sql)?;
        }
        // Damaged pages behind a valid header are only found by reading them; quick_check is
        // linear in the file size, which for a quiz bot's database is a few milliseconds.
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(sql)?;
        if check != "ok" {
            tracing::error!(path = %path.display(), %check, "database failed quick_check");
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
            });
        }
        let mode = set_wal(&conn).map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // Some file systems (network shares) cannot do WAL; SQLite keeps working in its
            // rollback journal, only with readers and the writer blocking each other.
            tracing::warn!(path = %path.display(), %mode, "WAL journal unavailable");
        }
        migrate(&mut conn, path)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![conn]),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a connection of this caller's own: an idle one, else a new one. A panic
    /// while one was in use cannot have left a transaction half-applied (dropping a
    /// `Transaction` rolls it back), so a poisoned pool is safe to take over.
    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut conn = match taken {
            Some(c) => c,
            None => connect(&self.path, BUSY_TIMEOUT)?,
        };
        let result = f(&mut conn);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < POOL_IDLE {
            idle.push(conn);
        }
        result
    }

    /// Runs `f` in one write transaction, taken up front (`BEGIN IMMEDIATE`) so that another
    /// process cannot slip a write between our read and our write.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        self.with_conn(|conn| {
            let run = || -> Result<T, Fail> {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            };
            run().map_err(|e| e.at(&self.path))
        })
    }

    /// Runs `f` in one read transaction, so that its several queries see one state.
    fn read<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        self.with_conn(|conn| {
            let run = || -> Result<T, Fail> {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            };
            run().map_err(|e| e.at(&self.path))
        })
    }
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(|tx| Ok(tx.pragma_query_value(None, "user_version", |r| r.get(0))?))
    }

    fn start_session(&self, s: &NewSession) -> Result<Result<i64, ActiveElsewhere>, StoreError> {
        self.write(|tx| session::start_session(tx, s))
    }

    fn session(&self, id: i64) -> Result<Option<SessionRow>, StoreError> {
        self.read(|tx| session::session(tx, id))
    }

    fn active_session(&self, channel: &str) -> Result<Option<SessionRow>, StoreError> {
        self.read(|tx| session::active_session(tx, channel))
    }

    fn active_sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        self.read(session::active_sessions)
    }

    fn open_round(&self, round: &NewRound<'_>) -> Result<(), StoreError> {
        self.write(|tx| session::open_round(tx, round))
    }

    fn set_message(&self, session: i64, index: u32, message_id: &str) -> Result<(), StoreError> {
        self.write(|tx| session::set_message(tx, session, index, message_id))
    }

    fn current_round(&self, session: i64) -> Result<Option<RoundRow>, StoreError> {
        self.read(|tx| session::current_round(tx, session))
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
        self.write(|tx| {
            session::record_answer(tx, session, index, user, answer, correct, answered_ms)
        })
    }

    fn close_round(
        &self,
        session: i64,
        index: u32,
        closed_ms: i64,
    ) -> Result<RoundResult, StoreError> {
        self.write(|tx| {
            let result = session::close_round(tx, session, index, closed_ms)?;
            if result.newly_closed {
                lease::write_reveal(tx, session, index, closed_ms)?;
            }
            Ok(result)
        })
    }

    fn database_clock(&self) -> bool {
        false
    }

    fn claim_due_rounds(
        &self,
        now: Now,
        overdue_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<DueRound>, StoreError> {
        self.write(|tx| lease::claim_due_rounds(tx, now, overdue_ms, owner, lease_ms, limit))
    }

    fn claim_stalled_sessions(
        &self,
        now: Now,
        idle_ms: i64,
        owner: &str,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<SessionRow>, StoreError> {
        self.write(|tx| {
            let now = lease::now_ms(tx, now)?;
            session::claim_stalled_sessions(tx, now, idle_ms, owner, lease_ms, limit)
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
        self.write(|tx| lease::claim_outbox(tx, now, which, owner, lease_ms, limit))
    }

    fn mark_delivered(&self, id: i64, owner: &str, delivered_ms: i64) -> Result<bool, StoreError> {
        self.write(|tx| lease::mark_delivered(tx, id, owner, delivered_ms))
    }

    fn finish_session(
        &self,
        session: i64,
        status: SessionEnd,
        ended_ms: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| session::finish_session(tx, session, status, ended_ms))
    }

    fn scoreboard(&self, session: i64) -> Result<Vec<ScoreRow>, StoreError> {
        self.read(|tx| session::scoreboard(tx, session))
    }

    fn leaderboard(
        &self,
        guild: Option<&str>,
        since_ms: Option<i64>,
        limit: u32,
    ) -> Result<Vec<LeaderRow>, StoreError> {
        self.read(|tx| stats::leaderboard(tx, guild, since_ms, limit))
    }

    fn user_stats(&self, user: &str) -> Result<UserStats, StoreError> {
        self.read(|tx| stats::user_stats(tx, user))
    }

    fn question_stats(&self, question_id: &str) -> Result<(u32, u32), StoreError> {
        self.read(|tx| stats::question_stats(tx, question_id))
    }

    fn record_study(
        &self,
        user: &str,
        question_id: &str,
        topic: Topic,
        correct: bool,
        now_ms: i64,
    ) -> Result<Card, StoreError> {
        self.write(|tx| study::record_study(tx, user, question_id, topic, correct, now_ms))
    }

    fn cards(&self, user: &str) -> Result<Vec<Card>, StoreError> {
        self.read(|tx| study::cards(tx, user))
    }

    fn study_stats(&self, user: &str, now_ms: i64) -> Result<Vec<StudyTopic>, StoreError> {
        self.read(|tx| study::study_stats(tx, user, now_ms))
    }

    fn reviews(&self, user: &str) -> Result<Vec<Review>, StoreError> {
        self.read(|tx| study::reviews(tx, user))
    }

    fn user_data(&self, user: &str) -> Result<UserData, StoreError> {
        self.read(|tx| privacy::user_data(tx, user))
    }

    fn delete_user(&self, user: &str) -> Result<Erased, StoreError> {
        self.write(|tx| privacy::delete_user(tx, user))
    }

    fn mark_guild_removed(&self, guild: &str, removed_ms: i64) -> Result<(), StoreError> {
        self.write(|tx| guilds::mark(tx, guild, removed_ms))
    }

    fn cancel_guild_removal(&self, guild: &str) -> Result<bool, StoreError> {
        self.write(|tx| guilds::cancel(tx, guild))
    }

    fn removed_guilds(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.read(guilds::removed)
    }

    fn purge_removed_guilds(&self, now_ms: i64, grace_ms: i64) -> Result<Vec<Purged>, StoreError> {
        self.write(|tx| guilds::purge_due(tx, now_ms, grace_ms))
    }

    fn purge_guild(&self, guild: &str) -> Result<Purged, StoreError> {
        self.write(|tx| guilds::purge(tx, guild))
    }

    fn set_daily(&self, schedule: &DailySchedule) -> Result<(), StoreError> {
        self.write(|tx| daily::set_daily(tx, schedule))
    }

    fn daily_off(&self, guild: &str) -> Result<bool, StoreError> {
        self.write(|tx| daily::daily_off(tx, guild))
    }

    fn daily_schedule(&self, guild: &str) -> Result<Option<DailySchedule>, StoreError> {
        self.read(|tx| daily::daily_schedule(tx, guild))
    }

    fn daily_schedules(&self) -> Result<Vec<DailySchedule>, StoreError> {
        self.read(daily::daily_schedules)
    }

    fn claim_daily(&self, post: &DailyPost) -> Result<bool, StoreError> {
        self.write(|tx| daily::claim_daily(tx, post))
    }

    fn daily_post(&self, guild: &str, date: &str) -> Result<Option<DailyPost>, StoreError> {
        self.read(|tx| daily::daily_post(tx, guild, date))
    }

    fn record_daily_answer(&self, answer: &DailyAnswer) -> Result<bool, StoreError> {
        self.write(|tx| daily::record_daily_answer(tx, answer))
    }

    fn daily_answers(&self, guild: &str, date: &str) -> Result<Vec<DailyAnswer>, StoreError> {
        self.read(|tx| daily::daily_answers(tx, guild, date))
    }

    fn daily_right_dates(&self, guild: &str, user: &str) -> Result<Vec<String>, StoreError> {
        self.read(|tx| daily::daily_right_dates(tx, guild, user))
    }

    fn daily_unrevealed(&self) -> Result<Vec<DailyPost>, StoreError> {
        self.read(daily::daily_unrevealed)
    }

    fn claim_daily_reveal(&self, guild: &str, date: &str, now_ms: i64) -> Result<bool, StoreError> {
        self.write(|tx| daily::claim_daily_reveal(tx, guild, date, now_ms))
    }

    fn round_answer(
        &self,
        session: i64,
        index: u32,
        user: &str,
    ) -> Result<Option<RoundAnswer>, StoreError> {
        self.read(|tx| report::round_answer(tx, session, index, user))
    }

    fn save_report(&self, r: &NewReport) -> Result<Reported, StoreError> {
        self.write(|tx| report::save_report(tx, r))
    }

    fn reports(&self, open_only: bool) -> Result<Vec<ReportRow>, StoreError> {
        self.read(|tx| report::reports(tx, open_only))
    }

    fn resolve_report(&self, id: i64, note: &str, now_ms: i64) -> Result<Resolved, StoreError> {
        self.write(|tx| report::resolve_report(tx, id, note, now_ms))
    }

    fn backup(&self, to: &Path) -> Result<(), StoreError> {
        if to.exists() {
            return Err(StoreError::Io {
                path: to.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file is already there; a backup never overwrites one",
                ),
            });
        }
        let target = to.to_str().ok_or_else(|| StoreError::Io {
            path: to.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a UTF-8 path"),
        })?;
        // VACUUM INTO writes one consistent snapshot, compacted, without blocking writers for
        // longer than a read transaction.
        self.with_conn(|conn| {
            conn.execute("VACUUM INTO ?1", [target])
                .map(|_| ())
                .map_err(|e| StoreError::from_sqlite(to, e))
        })
    }
}

/// Replaces the database at `db` with the backup at `from`, after checking that the backup is
/// a sco-bot database this build can read. The old file is replaced in one rename, so a failure
/// leaves it as it was. Run it while no sco-bot uses `db`.
pub fn restore(from: &Path, db: &Path) -> Result<(), StoreError> {
    // Opening checks the file (ours, not damaged, not newer) and brings an older backup's
    // schema up to date; the copy is written next to the target, then renamed over it.
    let backup = SqliteStore::open(from)?;
    let staging = db.with_extension("restoring");
    let _ = std::fs::remove_file(&staging);
    backup.backup(&staging)?;
    drop(backup);
    for side in ["wal", "shm"] {
        let extra = PathBuf::from(format!("{}-{side}", db.display()));
        if extra.exists() {
            std::fs::remove_file(&extra).map_err(|source| StoreError::Io {
                path: extra.clone(),
                source,
            })?;
        }
    }
    std::fs::rename(&staging, db).map_err(|source| StoreError::Io {
        path: db.to_path_buf(),
        source,
    })
}

/// Reads a topic key stored in column `i`.
pub(crate) fn topic_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Topic> {
    let key: String = r.get(i)?;
    Topic::from_key(&key).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown topic {key:?}").into(),
        )
    })
}

/// Switches the file to the WAL journal and returns the journal mode now in force.
///
/// The switch needs an exclusive lock. When another connection holds the write lock while this
/// one holds a read lock (two sco-bots opening a new file at once), SQLite answers "busy" at
/// once instead of calling the busy handler, because waiting could deadlock; so retry here, for
/// as long as the busy timeout would have waited.
fn set_wal(conn: &Connection) -> rusqlite::Result<String> {
    let give_up = std::time::Instant::now() + OPEN_BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < give_up =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

/// Reads the header fields that say whose file this is and which schema it has, and refuses
/// another program's database or a newer sco-bot's. Returns the schema version.
fn check_header(conn: &Connection, path: &Path) -> Result<u32, StoreError> {
    let sql = |e| StoreError::from_sqlite(path, e);
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(sql)?;
    // A file without our id is ours only if it is still empty (new, or made by sqlite3 with
    // nothing in it); a database with tables and no id belongs to someone else.
    let objects: u32 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(sql)?;
    if (app_id != 0 && app_id != schema::APPLICATION_ID) || (app_id == 0 && objects > 0) {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::Newer {
            path: path.to_path_buf(),
            version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

/// Applies the missing migrations, one transaction each. The version is re-read under the write
/// lock, so two processes starting at once never apply a migration twice. Even an up-to-date
/// file takes the write lock once, so a file another program holds locked is reported at
/// start-up rather than at the first answer.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let sql = |e| StoreError::from_sqlite(path, e);
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let version = check_header(&tx, path)?;
        let Some(migration) = schema::MIGRATIONS.get(version as usize) else {
            return tx.commit().map_err(sql);
        };
        tx.execute_batch(migration).map_err(sql)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        tracing::info!(path = %path.display(), version = version + 1, "database migrated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::Mode;

    /// Every connection the store hands out from now on is read-only, as SQLite opens one on a
    /// file it may not write. Unlike `chmod`, this refuses writes even to root.
    fn make_read_only(store: &SqliteStore) {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&store.path, flags).expect("a read-only connection");
        *store.idle.lock().expect("no test panicked") = vec![conn];
    }

    #[test]
    fn a_lock_held_past_the_busy_timeout_is_locked_and_the_answer_given_again_counts_once() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("quiz.db");
        let store = SqliteStore::open(&path).expect("opens");
        let session = store
            .start_session(&NewSession {
                guild: None,
                channel: "c".into(),
                starter: "u1".into(),
                topic: None,
                questions: 1,
                seconds: 30,
                mode: Mode::Buttons,
                seed: 1,
                plan: Vec::new(),
                placement: crate::store::Placement::Channel,
                started_ms: 1_000,
            })
            .expect("writable")
            .expect("no other quiz");
        store
            .open_round(&NewRound {
                session,
                index: 0,
                question_id: "q1",
                topic: Topic::Members,
                opened_ms: 1_000,
                deadline_ms: 31_000,
            })
            .expect("writable");
        // The store's own busy timeout is 10 s; the same path with 50 ms keeps the test short.
        *store.idle.lock().expect("no test panicked") =
            vec![connect(&path, Duration::from_millis(50)).expect("connects")];
        let other = Connection::open(&path).expect("another program");
        other.execute_batch("BEGIN EXCLUSIVE").expect("its lock");
        let e = store
            .record_answer(session, 0, "u1", "A", true, 2_000)
            .expect_err("still locked after the busy timeout");
        assert!(matches!(e, StoreError::Locked { .. }), "{e:?}");
        assert!(
            e.to_string().contains("is locked by another program"),
            "{e}"
        );
        other.execute_batch("ROLLBACK").expect("released");
        store
            .record_answer(session, 0, "u1", "A", true, 3_000)
            .expect("given again");
        let result = store.close_round(session, 0, 31_000).expect("closes");
        assert_eq!(result.answers.len(), 1, "counted once");
    }

    #[test]
    fn a_database_gone_read_only_says_so_keeps_what_was_saved_and_loses_no_later_answer() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let store = SqliteStore::open(&dir.path().join("quiz.db")).expect("opens");
        let session = store
            .start_session(&NewSession {
                guild: None,
                channel: "c".into(),
                starter: "u1".into(),
                topic: None,
                questions: 2,
                seconds: 30,
                mode: Mode::Buttons,
                seed: 1,
                plan: Vec::new(),
                placement: crate::store::Placement::Channel,
                started_ms: 1_000,
            })
            .expect("writable")
            .expect("no other quiz");
        let round = NewRound {
            session,
            index: 0,
            question_id: "q1",
            topic: Topic::Members,
            opened_ms: 1_000,
            deadline_ms: 31_000,
        };
        store.open_round(&round).expect("writable");
        store
            .record_answer(session, 0, "u1", "A", true, 2_000)
            .expect("writable");

        make_read_only(&store);
        let refused = store
            .record_answer(session, 0, "u2", "B", false, 3_000)
            .expect_err("a read-only database refuses the write");
        assert!(
            matches!(refused, StoreError::ReadOnly { .. }),
            "{refused:?}"
        );
        assert!(
            refused.to_string().contains("quiz.db is read-only")
                && refused
                    .to_string()
                    .contains("what was saved before is intact"),
            "{refused}"
        );
        assert!(matches!(
            store.close_round(session, 0, 31_000),
            Err(StoreError::ReadOnly { .. })
        ));
        let round_now = store.current_round(session).expect("still readable");
        assert!(round_now.is_some_and(|r| !r.closed), "nothing half-applied");

        // Writable again (a new connection): the refused answer, given again, counts once.
        store.idle.lock().expect("no test panicked").clear();
        store
            .record_answer(session, 0, "u2", "B", false, 4_000)
            .expect("writable again");
        let result = store.close_round(session, 0, 31_000).expect("closes");
        let users: Vec<&str> = result.answers.iter().map(|a| a.user.as_str()).collect();
        assert_eq!(
            users,
            ["u1", "u2"],
            "the earlier answer kept, the later one once"
        );
    }
}

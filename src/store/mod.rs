//! The store: one SQLite database file holding quiz sessions, answers, scores, statistics and
//! study cards. **It is the only module that writes SQL**; everything else calls [`Store`].
//!
//! Why rusqlite rather than sqlx: the bot's database work is a few short statements per
//! button press, so a synchronous connection behind a mutex is simpler than an async pool and
//! costs nothing that matters (the bot calls it directly from its tasks: each call is a
//! millisecond or less, and only another process holding the file could make one wait, at
//! most [`BUSY_TIMEOUT`]); rusqlite is small,
//! has no compile-time query macros and so no offline query data or live database at build
//! time; and its `bundled` feature compiles SQLite into the binary, so a clean CI machine or a
//! user's server needs no system SQLite. The SQL is kept portable-ish anyway (plain
//! INSERT/SELECT/UPDATE, INTEGER millisecond timestamps, TEXT ids) so a move to another
//! database stays possible.
//!
//! How it behaves:
//! - the file is created if missing; versioned migrations ([`MIGRATIONS`], tracked with
//!   `PRAGMA user_version`) are applied at start-up, one transaction each;
//! - WAL journal (readers never block the writer), `synchronous = NORMAL`, foreign keys on, a
//!   busy timeout of [`BUSY_TIMEOUT`] so a second process waits briefly instead of failing;
//! - every write is one `BEGIN IMMEDIATE` transaction, so scores are never half-applied and
//!   two processes on the same file never interleave a read-then-write;
//! - a corrupt, foreign, locked or newer file gives a [`StoreError`] naming the file and the
//!   fix, and is never deleted or overwritten;
//! - the store never reads the clock: every time (`i64` milliseconds since the Unix epoch)
//!   comes from the caller, so tests inject `now`.
//!
//! Files: [`error`] (the error type), [`schema`] (the migrations), `session.rs` (sessions,
//! questions, answers, scoring), `stats.rs` (leaderboards and statistics), `study.rs` (Leitner
//! boxes).

pub mod error;
pub mod schema;
mod session;
mod stats;
mod study;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use error::StoreError;
pub use schema::{MIGRATIONS, SCHEMA_VERSION};
pub use session::{
    ActiveElsewhere, AnswerOutcome, AnswerRow, CORRECT_POINTS, MAX_SPEED_BONUS, NewSession,
    RoundResult, RoundRow, ScoreRow, SessionEnd, SessionRow, SessionStatus, points_for,
};
pub use stats::{LeaderRow, TopicStats, UserStats};
pub use study::{Card, LEITNER_INTERVALS_MS, StudyTopic, next_box};

use error::Fail;

/// The database file used when `--db` is not given (relative to the working directory).
pub const DEFAULT_DB: &str = "sco-bot.db";

/// How long a statement waits for another connection's lock before giving up with
/// [`StoreError::Locked`].
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// The database: one SQLite connection behind a mutex, so a `Store` is `Send + Sync` and can be
/// shared (in an `Arc`) by every task of the bot. Calls block briefly (well under a
/// millisecond for the bot's statements; up to [`BUSY_TIMEOUT`] if another process holds the
/// file), which the bot accepts on its worker threads.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the database at `path`, creating it if missing, and brings its schema up to date.
    ///
    /// Nothing is written until the file has been checked: a file that is not a database, is
    /// damaged, belongs to another program or comes from a newer sco-bot is left byte for byte
    /// as it was, and the error says so.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
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
        // Without URI parsing, so a file really named "file:…" is just a file.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let sql = |e| StoreError::from_sqlite(path, e);
        let mut conn = Connection::open_with_flags(path, flags).map_err(sql)?;
        // SQLite silently falls back to read-only on a file it cannot write; say so now rather
        // than at the first answer.
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(sql)? {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the file is read-only",
            )));
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;

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

        conn.pragma_update(None, "foreign_keys", true)
            .map_err(sql)?;
        let mode = set_wal(&conn).map_err(sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // Some file systems (network shares) cannot do WAL; SQLite keeps working in its
            // rollback journal, only with readers and the writer blocking each other.
            tracing::warn!(path = %path.display(), %mode, "WAL journal unavailable");
        }
        // With WAL, NORMAL never corrupts the file; a power cut can only lose the last commits.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        migrate(&mut conn, path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the file (`PRAGMA user_version`); [`SCHEMA_VERSION`] once open.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(|tx| Ok(tx.pragma_query_value(None, "user_version", |r| r.get(0))?))
    }

    /// The connection. A panic in another thread while it held the lock cannot have left a
    /// transaction half-applied (dropping a `Transaction` rolls it back), so a poisoned lock is
    /// safe to take over.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one write transaction, taken up front (`BEGIN IMMEDIATE`) so that another
    /// process cannot slip a write between our read and our write.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let run = || -> Result<T, Fail> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|e| e.at(&self.path))
    }

    /// Runs `f` in one read transaction, so that its several queries see one state.
    fn read<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let run = || -> Result<T, Fail> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|e| e.at(&self.path))
    }
}

/// Switches the file to the WAL journal and returns the journal mode now in force.
///
/// The switch needs an exclusive lock. When another connection holds the write lock while this
/// one holds a read lock (two sco-bots opening a new file at once), SQLite answers "busy" at
/// once instead of calling the busy handler, because waiting could deadlock; so retry here, for
/// as long as the busy timeout would have waited.
fn set_wal(conn: &Connection) -> rusqlite::Result<String> {
    let give_up = std::time::Instant::now() + BUSY_TIMEOUT;
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
        let Some(migration) = MIGRATIONS.get(version as usize) else {
            return tx.commit().map_err(sql);
        };
        tx.execute_batch(migration).map_err(sql)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
        tracing::info!(path = %path.display(), version = version + 1, "database migrated");
    }
}

//! Why the store failed, as sentences that name the file and the fix.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// Why a store operation failed. Every message names the database file and says what to do;
/// none of them means data was deleted: on any error the file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file is not an SQLite database, or its pages are damaged.
    #[error(
        "{} is not a readable sco-bot database (it is damaged, or not a database at all); it was left untouched: move it aside (or restore a backup) to start a new one, or pass another file with --db",
        path.display()
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
    },
    /// The file is an SQLite database that belongs to another program.
    #[error(
        "{} is a database of another program, not sco-bot's; it was left untouched: pass another file with --db",
        path.display()
    )]
    Foreign {
        /// The database file.
        path: PathBuf,
    },
    /// Another connection held a lock on the file for longer than the busy timeout.
    #[error(
        "{} is locked by another program (another sco-bot, or an open sqlite3 shell); close it and try again, or pass another file with --db",
        path.display()
    )]
    Locked {
        /// The database file.
        path: PathBuf,
    },
    /// The disk (or the database server's disk) is full: nothing of the step was written.
    #[error(
        "the disk holding {} is full, so nothing more can be saved (what was saved before is intact); free some space, or pass a file on another disk with --db",
        path.display()
    )]
    Full {
        /// The database file.
        path: PathBuf,
    },
    /// The database cannot be written (the file, its folder or its file system is read-only, or
    /// the server is a read-only replica): nothing of the step was written.
    #[error(
        "{} is read-only (the file, its folder or its file system), so nothing more can be saved (what was saved before is intact); make it writable for the user sco-bot runs as, or pass a writable file with --db",
        path.display()
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
    },
    /// The file was written by a newer sco-bot whose schema this build does not know.
    #[error(
        "{} was written by a newer sco-bot (schema version {version}; this build knows up to {known}); it was left untouched: upgrade sco-bot, or pass another file with --db",
        path.display()
    )]
    Newer {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        version: u32,
        /// The newest schema version this build knows.
        known: u32,
    },
    /// The file (or its folder) could not be opened or written.
    #[error(
        "cannot open or write {}: {source}; check that its folder exists and is writable, or pass another file with --db",
        path.display()
    )]
    Io {
        /// The database file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// A quiz session id that is not in the database: a bug in the caller.
    #[error(
        "{} has no quiz session {session}; this is a bug in sco-bot, please report it",
        path.display()
    )]
    NoSuchSession {
        /// The database file.
        path: PathBuf,
        /// The session id asked for.
        session: i64,
    },
    /// A question of a session that was never opened: a bug in the caller.
    #[error(
        "{} has no question {index} in quiz session {session}; this is a bug in sco-bot, please report it",
        path.display()
    )]
    NoSuchRound {
        /// The database file.
        path: PathBuf,
        /// The session id.
        session: i64,
        /// The question's index in the session.
        index: u32,
    },
    /// A question opened twice with the same index: a bug in the caller.
    #[error(
        "{}: question {index} of quiz session {session} was already opened; this is a bug in sco-bot, please report it",
        path.display()
    )]
    RoundExists {
        /// The database file.
        path: PathBuf,
        /// The session id.
        session: i64,
        /// The question's index in the session.
        index: u32,
    },
    /// A question opened in a session that has ended: a bug in the caller.
    #[error(
        "{}: quiz session {session} has ended, so no question can be opened in it; this is a bug in sco-bot, please report it",
        path.display()
    )]
    SessionEnded {
        /// The database file.
        path: PathBuf,
        /// The session id.
        session: i64,
    },
    /// Any other failure of the database.
    #[error(
        "the database {} failed: {message}; this is probably a bug in sco-bot, please report it",
        path.display()
    )]
    Backend {
        /// The database file.
        path: PathBuf,
        /// The database's own words.
        message: String,
    },
}

impl StoreError {
    /// The database file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            StoreError::Corrupt { path }
            | StoreError::Foreign { path }
            | StoreError::Locked { path }
            | StoreError::Full { path }
            | StoreError::ReadOnly { path }
            | StoreError::Newer { path, .. }
            | StoreError::Io { path, .. }
            | StoreError::NoSuchSession { path, .. }
            | StoreError::NoSuchRound { path, .. }
            | StoreError::RoundExists { path, .. }
            | StoreError::SessionEnded { path, .. }
            | StoreError::Backend { path, .. } => path,
        }
    }

    /// Sorts an SQLite error into the variant whose message tells the user what to do.
    pub(crate) fn from_sqlite(path: &Path, e: rusqlite::Error) -> StoreError {
        let path = path.to_path_buf();
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt { path }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path }
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
            Some(ErrorCode::PermissionDenied) => StoreError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, e),
            },
            Some(ErrorCode::DiskFull) => StoreError::Full { path },
            Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) => StoreError::Io {
                path,
                source: std::io::Error::other(e),
            },
            _ => StoreError::Backend {
                path,
                message: e.to_string(),
            },
        }
    }
}

/// What went wrong inside a transaction, before the file name is attached at the boundary.
pub(crate) enum Fail {
    /// SQLite failed.
    Sql(rusqlite::Error),
    /// No session with this id.
    NoSuchSession(i64),
    /// No such question in the session.
    NoSuchRound(i64, u32),
    /// The question index is taken.
    RoundExists(i64, u32),
    /// The session is no longer active.
    SessionEnded(i64),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Fail {
        Fail::Sql(e)
    }
}

impl Fail {
    /// The public error, naming the file.
    pub(crate) fn at(self, path: &Path) -> StoreError {
        let p = path.to_path_buf();
        match self {
            Fail::Sql(e) => StoreError::from_sqlite(path, e),
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlites_own_disk_full_is_the_disk_is_full() {
        // A database capped at a few pages fails its writes with SQLITE_FULL, as on a full disk.
        let c = rusqlite::Connection::open_in_memory().expect("in memory");
        c.execute_batch("CREATE TABLE t (x TEXT); PRAGMA max_page_count = 3;")
            .expect("set up");
        let full = (0..1000)
            .map(|_| c.execute("INSERT INTO t VALUES (?1)", [&"x".repeat(1000)]))
            .find_map(Result::err)
            .expect("the capped database fills up");
        let e = StoreError::from_sqlite(Path::new("quiz.db"), full);
        assert!(matches!(e, StoreError::Full { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("the disk holding quiz.db is full"),
            "{e}"
        );
    }
}

//! sco-bot: a fact-and-quiz bot about the Shanghai Cooperation Organisation.
//!
//! The core is transport-neutral and never imports a chat library:
//! - [`facts`]: the schema of `facts.toml`, loading and validation with every problem reported;
//! - [`search`]: normalisation, the index, fuzzy lookup and autocomplete;
//! - [`commands`]: the one command table every front end uses, the one option binder, the
//!   handlers, and the ids of buttons;
//! - [`interaction`]: the transport-neutral interaction layer: a request (a command, a click,
//!   a form, an autocomplete) in, a response and its effects out;
//! - [`reply`]: the transport-neutral reply and its plain-text form;
//! - [`term`]: terminal width and wrapping for that plain-text form;
//! - [`quiz`]: questions generated from the facts, answer checking, scoring, scheduling,
//!   sessions and the one round driver;
//! - [`store`]: the `Store` trait over sessions, answers, scores and study history, and its
//!   SQLite backend (the only module that touches SQL);
//! - [`pictures`]: maps and charts drawn from the facts (SVG, rendered to PNG by resvg);
//! - [`ask`]: plain questions answered from the typed facts (a small grammar over the index);
//! - [`limits`]: reading files within a limit (no pipe, no device, never past the limit);
//! - [`ratelimit`]: rate limits per user and per channel, on the caller's clock;
//! - [`fuzzing`]: the bodies of the fuzz targets in `fuzz/`, which a test also runs over the
//!   committed corpus;
//! - [`retention`]: deleting a removed server's data after a grace period;
//! - [`daily`]: when a server's question of the day is due, in its IANA time zone;
//! - [`daily_task`]: the task that posts each day's question through a front end's `Poster`;
//! - [`app`]: the composition root: builds the facts and their reloader, the store, the quiz
//!   engine and the session runner once, for whichever front ends run.
//!
//! Front ends are thin translators over the core:
//! - [`cli`]: `sco-bot ask`, `repl`, `quiz` and `check`, in a terminal;
//! - [`discord`]: slash commands over Discord's gateway (serenity).

pub mod app;
pub mod ask;
pub mod cli;
pub mod commands;
pub mod daily;
pub mod daily_task;
pub mod discord;
pub mod facts;
pub mod fuzzing;
pub mod interaction;
pub mod limits;
pub mod pictures;
pub mod quiz;
pub mod ratelimit;
pub mod reply;
pub mod retention;
pub mod search;
pub mod store;
pub mod term;

use std::path::{Path, PathBuf};

use facts::{FactBase, FactsError};
use search::Index;

/// A fact base, its search index and its question bank: everything a command needs to answer.
/// A reload replaces all three together.
pub struct Knowledge {
    /// The facts.
    pub facts: FactBase,
    /// The index over them.
    pub index: Index,
    /// The quiz questions they yield, generated on first use.
    bank: std::sync::OnceLock<quiz::bank::Bank>,
}

/// Where a fact base was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk.
    File(PathBuf),
    /// The copy compiled into the binary.
    Bundled,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Bundled => f.write_str("the fact base built into sco-bot"),
        }
    }
}

impl Knowledge {
    /// Indexes a fact base.
    pub fn new(facts: FactBase) -> Knowledge {
        let index = Index::build(&facts);
        Knowledge {
            facts,
            index,
            bank: std::sync::OnceLock::new(),
        }
    }

    /// Facts with a question bank of one's own instead of the generated one (tests use a
    /// small synthetic bank).
    pub fn with_bank(facts: FactBase, bank: quiz::bank::Bank) -> Knowledge {
        let k = Knowledge::new(facts);
        let _ = k.bank.set(bank);
        k
    }

    /// The quiz questions these facts yield (generated once, on first use).
    pub fn bank(&self) -> &quiz::bank::Bank {
        self.bank
            .get_or_init(|| quiz::bank::Bank::new(quiz::generate::generate(&self.facts, 0)))
    }

    /// Loads the fact base: `path` if given; else `./facts.toml` if it exists; else the copy
    /// compiled into the binary, so the program works from any folder.
    pub fn load(path: Option<&Path>) -> Result<(Knowledge, Origin), FactsError> {
        let local = Path::new("facts.toml");
        let (facts, origin) = match path {
            Some(p) => (facts::load_path(p)?, Origin::File(p.to_path_buf())),
            None if local.is_file() => (facts::load_path(local)?, Origin::File(local.into())),
            None => (FactBase::bundled()?, Origin::Bundled),
        };
        Ok((Knowledge::new(facts), origin))
    }
}

/// The fact base a running bot serves, reloaded when its file changes: a valid new version
/// replaces the old one whole; a broken one is reported and the old one keeps serving.
pub struct Reloader {
    path: Option<PathBuf>,
    current: std::sync::RwLock<std::sync::Arc<Knowledge>>,
    /// FNV-1a hash of the file's bytes last seen, so an unchanged (or unchanged broken) file
    /// is neither reloaded nor reported again.
    seen: std::sync::Mutex<Option<u64>>,
    /// The file's modification time and length when last read: while they stay the same, a
    /// check costs one `stat` and reads nothing.
    stamp: std::sync::Mutex<Option<(std::time::SystemTime, u64)>>,
    /// Why the file on disk is not the one served, while it is broken.
    problem: std::sync::Mutex<Option<std::sync::Arc<FactsError>>>,
    /// Held for a whole check, so two checks (the poller's and a `/reload`) never interleave:
    /// otherwise one could see the new file's hash already marked seen while the other still
    /// parses it, and report "unchanged" with the old version served.
    checking: std::sync::Mutex<()>,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Reloader {
    /// Serves `knowledge` for good (the built-in copy has no file to watch).
    pub fn fixed(knowledge: std::sync::Arc<Knowledge>) -> Reloader {
        Reloader {
            path: None,
            current: std::sync::RwLock::new(knowledge),
            seen: std::sync::Mutex::new(None),
            stamp: std::sync::Mutex::new(None),
            problem: std::sync::Mutex::new(None),
            checking: std::sync::Mutex::new(()),
        }
    }

    /// Serves `knowledge`, loaded from `path`, and reloads it when [`Reloader::check`] finds
    /// the file changed.
    pub fn watching(path: &Path, knowledge: std::sync::Arc<Knowledge>) -> Reloader {
        let stamp = stamp(path);
        let seen = facts::read_limited(path).ok().map(|b| hash(&b));
        Reloader {
            path: Some(path.to_path_buf()),
            current: std::sync::RwLock::new(knowledge),
            seen: std::sync::Mutex::new(seen),
            stamp: std::sync::Mutex::new(stamp),
            problem: std::sync::Mutex::new(None),
            checking: std::sync::Mutex::new(()),
        }
    }

    /// The file watched, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The knowledge to answer with now.
    pub fn current(&self) -> std::sync::Arc<Knowledge> {
        match self.current.read() {
            Ok(k) => std::sync::Arc::clone(&k),
            // A panic while swapping cannot leave a half-built value: the guard holds an Arc.
            Err(poisoned) => std::sync::Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Serves `knowledge` from now on, whole (facts, index and bank together).
    pub fn replace(&self, knowledge: std::sync::Arc<Knowledge>) {
        match self.current.write() {
            Ok(mut k) => *k = knowledge,
            Err(poisoned) => *poisoned.into_inner() = knowledge,
        }
    }

    /// Why the watched file is not what is served, while it is broken (the problems, one per
    /// line); `None` when the file on disk is the one served.
    pub fn problem(&self) -> Option<String> {
        self.problem_error().map(|e| e.to_string())
    }

    /// The same as [`Reloader::problem`], as the loader reported it (its diagnostics one by
    /// one, for front ends that show only the first few).
    pub fn problem_error(&self) -> Option<std::sync::Arc<FactsError>> {
        self.problem
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Looks at the file once, reading it only if its modification time or length changed.
    /// `Ok(true)`: a new version is now served; `Ok(false)`: nothing changed (or nothing is
    /// watched); `Err`: the file changed but is broken, and the previous version keeps serving.
    pub fn check(&self) -> Result<bool, std::sync::Arc<FactsError>> {
        self.check_now(false)
    }

    /// Like [`Reloader::check`], but reads the file even if its time and length look unchanged
    /// (on SIGHUP or `/reload`, in case an edit kept both).
    pub fn check_now(&self, force: bool) -> Result<bool, std::sync::Arc<FactsError>> {
        let Some(path) = &self.path else {
            return Ok(false);
        };
        let _one_at_a_time = self.checking.lock().unwrap_or_else(|p| p.into_inner());
        let now = stamp(path);
        {
            let mut last = self.stamp.lock().unwrap_or_else(|p| p.into_inner());
            // File times are coarse (a few ms): a second write in the same tick, of the same
            // length, keeps the stamp, so a file changed in the last two seconds is read anyway.
            let settled = now.is_some_and(|(modified, _)| {
                modified
                    .elapsed()
                    .is_ok_and(|age| age > std::time::Duration::from_secs(2))
            });
            if !force && settled && *last == now {
                return Ok(false);
            }
            *last = now;
        }
        let result = self.read_and_swap(path).map_err(std::sync::Arc::new);
        let mut problem = self.problem.lock().unwrap_or_else(|p| p.into_inner());
        match &result {
            Ok(true) => *problem = None,
            Err(e) => *problem = Some(std::sync::Arc::clone(e)),
            Ok(false) => {}
        }
        result
    }

    fn read_and_swap(&self, path: &Path) -> Result<bool, FactsError> {
        // Bounded like the first load: a file swapped for a pipe or a device is refused.
        let bytes = facts::read_limited(path)?;
        let h = hash(&bytes);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if *seen == Some(h) {
                return Ok(false);
            }
            *seen = Some(h);
        }
        let facts = facts::parse_bytes(&bytes, &path.display().to_string())?;
        self.replace(std::sync::Arc::new(Knowledge::new(facts)));
        Ok(true)
    }
}

/// A file's modification time and length, if it can be read.
fn stamp(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_change_is_served_and_a_broken_one_is_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("facts.toml");
        let mini = include_str!("../tests/fixtures/mini.toml");
        std::fs::write(&path, mini).expect("write");
        let (k, _) = Knowledge::load(Some(&path)).expect("valid");
        let reloader = Reloader::watching(&path, std::sync::Arc::new(k));
        assert!(!reloader.check().expect("unchanged"), "nothing to do");
        std::fs::write(&path, mini.replace("0.0.1", "0.0.2")).expect("write");
        assert!(
            reloader.check().expect("valid"),
            "the new version is loaded"
        );
        assert_eq!(reloader.current().facts.meta.version, "0.0.2");
        std::fs::write(
            &path,
            mini.replace("0.0.1", "0.0.3")
                .replace("name = \"Kazakhstan\"", "name = 5"),
        )
        .expect("write");
        let err = reloader.check().expect_err("broken");
        assert!(err.to_string().contains("`name` must be a string"), "{err}");
        assert_eq!(
            reloader.current().facts.meta.version,
            "0.0.2",
            "the old one keeps serving"
        );
        assert!(
            !reloader.check().expect("reported once"),
            "the same broken file is not reported again"
        );
        assert!(!Reloader::fixed(reloader.current()).check().expect("fixed"));
    }
}

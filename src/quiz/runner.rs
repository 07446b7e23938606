//! The session runner: one [`drive`] task per running quiz session, whatever front end it is
//! played at, with a wake-up per session (so `/quiz stop` ends the wait at once) and the resume
//! of sessions a previous run left active.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::session::{Clock, Driver, Table, drive, wall_clock_ms};
use crate::store::{SessionRow, StoreError};

/// Runs quiz sessions' rounds: at most one driver per session in this process.
pub struct Runner {
    driver: Driver,
    wakes: Mutex<HashMap<i64, Arc<Notify>>>,
    clock: Option<Clock>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner").finish_non_exhaustive()
    }
}

impl Runner {
    /// A runner over an engine and the facts it reads.
    pub fn new(driver: Driver) -> Arc<Runner> {
        Arc::new(Runner {
            driver,
            wakes: Mutex::new(HashMap::new()),
            clock: None,
        })
    }

    /// A runner whose drivers all read `clock` (tests, where tokio's paused clock moves it),
    /// instead of each reading the wall clock as it starts. Processes that share a database
    /// in a test must share one such clock, or a driver started later in paused time would
    /// date its rounds behind the others'.
    pub fn with_clock(driver: Driver, clock: Clock) -> Arc<Runner> {
        Arc::new(Runner {
            driver,
            wakes: Mutex::new(HashMap::new()),
            clock: Some(clock),
        })
    }

    /// The engine and facts its drivers use.
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// Plays a session's rounds at `table` until it ends, unless a driver already runs it.
    /// Returns the task, or `None` if it was already running. Call within a tokio runtime.
    pub fn run<T: Table + 'static>(
        self: &Arc<Self>,
        session: i64,
        table: T,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let wake = Arc::new(Notify::new());
        {
            let mut wakes = self.wakes.lock().unwrap_or_else(PoisonError::into_inner);
            if wakes.contains_key(&session) {
                return None;
            }
            wakes.insert(session, Arc::clone(&wake));
        }
        let runner = Arc::clone(self);
        Some(tokio::spawn(async move {
            let clock = runner
                .clock
                .unwrap_or_else(|| Clock::starting_at(wall_clock_ms()));
            if let Err(e) = drive(runner.driver.clone(), session, table, clock, wake).await {
                tracing::error!(session, "a quiz session failed: {e}");
            }
            runner
                .wakes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&session);
        }))
    }

    /// Ends the current wait of a session's driver, if one runs here: after a stop (the final
    /// scores follow at once), or when a round needs no more waiting.
    pub fn wake(&self, session: i64) {
        let wake = self
            .wakes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&session)
            .cloned();
        if let Some(wake) = wake {
            wake.notify_one();
        }
    }

    /// Whether a driver runs this session here.
    pub fn is_running(&self, session: i64) -> bool {
        self.wakes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&session)
    }

    /// Resumes every session the store holds active (a previous run left them), each at the
    /// table `make` gives for it (`None`: not this front end's to play). Returns how many were
    /// resumed.
    pub async fn resume<T: Table + 'static>(
        self: &Arc<Self>,
        make: impl Fn(&SessionRow) -> Option<T>,
    ) -> Result<usize, StoreError> {
        let engine = Arc::clone(&self.driver.engine);
        let sessions = tokio::task::spawn_blocking(move || engine.store().active_sessions())
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
        let mut resumed = 0;
        for s in &sessions {
            if let Some(table) = make(s) {
                tracing::info!(session = s.id, "resuming a quiz left running");
                if self.run(s.id, table).is_some() {
                    resumed += 1;
                }
            }
        }
        Ok(resumed)
    }
}

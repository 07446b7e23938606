//! The composition root: builds the fact base and its reloader, the store, the quiz engine and
//! the session runner once, and hands them to whichever front ends run. No front end builds
//! another's runtime.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::facts::FactsError;
use crate::interaction::Services;
use crate::quiz::runner::Runner;
use crate::quiz::session::{Driver, Engine, Table};
use crate::ratelimit::{RateLimiter, RateLimits};
use crate::reply::Effect;
use crate::store::{Store, StoreError};
use crate::{Knowledge, Origin, Reloader};

/// How often a watched facts file is looked at for changes: one `stat` each time, and a read
/// only when its modification time or length changed, so a change is served within a second.
pub const RELOAD_EVERY: Duration = Duration::from_millis(250);

/// Why the app could not be built; each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The fact base is missing or broken.
    #[error(
        "cannot load the fact base:\n{0}\nRun `sco-bot check` on the file to see every problem."
    )]
    Facts(#[from] FactsError),
    /// The database could not be opened.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Everything the front ends share: the facts, the quiz engine over the store, the runner of
/// quiz sessions.
#[derive(Clone, Debug)]
pub struct App {
    /// What the interaction layer serves from.
    pub services: Arc<Services>,
    /// Runs quiz sessions' rounds, when there is a store.
    pub runner: Option<Arc<Runner>>,
    /// Where the facts came from.
    pub origin: Origin,
    /// How long a removed server's data is kept (`crate::retention`).
    guild_grace: Duration,
}

impl App {
    /// Loads the facts (`facts` if given, else `./facts.toml`, else the built-in copy) and, if
    /// `db` names one, opens the store.
    pub fn build(facts: Option<&Path>, db: Option<&str>) -> Result<App, AppError> {
        let (knowledge, origin) = Knowledge::load(facts)?;
        let store = db.map(crate::store::open).transpose()?;
        Ok(App::assemble(Arc::new(knowledge), origin, store))
    }

    /// Assembles an app from loaded parts (tests build theirs this way).
    pub fn assemble(
        knowledge: Arc<Knowledge>,
        origin: Origin,
        store: Option<Arc<dyn Store>>,
    ) -> App {
        let facts = Arc::new(match &origin {
            Origin::File(path) => Reloader::watching(path, knowledge),
            Origin::Bundled => Reloader::fixed(knowledge),
        });
        let engine = store.map(|s| Arc::new(Engine::new(s)));
        let runner = engine.as_ref().map(|engine| {
            Runner::new(Driver {
                engine: Arc::clone(engine),
                facts: Arc::clone(&facts),
            })
        });
        App {
            services: Arc::new(Services {
                facts,
                engine,
                rate: None,
                clock: crate::daily::Clock::wall(),
            }),
            runner,
            origin,
            guild_grace: crate::retention::DEFAULT_GRACE,
        }
    }

    /// Keeps a removed server's data for `grace` instead of the default 30 days.
    pub fn with_guild_grace(mut self, grace: Duration) -> App {
        self.guild_grace = grace;
        self
    }

    /// Starts the task that deletes removed servers' data once their grace period has passed
    /// (after `first_after`, then hourly), when there is a store. Call within a tokio runtime.
    pub fn spawn_guild_purge(&self, first_after: Duration) -> Option<tokio::task::JoinHandle<()>> {
        let store = Arc::clone(self.engine()?.shared_store());
        Some(crate::retention::spawn(
            store,
            self.guild_grace,
            first_after,
        ))
    }

    /// Applies rate limits per user and channel to every request from now on (`None`: none,
    /// as in the terminal).
    pub fn with_rate_limits(mut self, limits: Option<RateLimits>) -> App {
        let mut services = (*self.services).clone();
        services.rate = limits.map(|l| Arc::new(RateLimiter::new(l)));
        self.services = Arc::new(services);
        self
    }

    /// The facts served now.
    pub fn knowledge(&self) -> Arc<Knowledge> {
        self.services.facts.current()
    }

    /// The quiz engine, if there is a store.
    pub fn engine(&self) -> Option<&Arc<Engine>> {
        self.services.engine.as_ref()
    }

    /// Carries out a response's effect: runs a started session's rounds at the table `table`
    /// makes, or wakes a stopped one. Call within a tokio runtime.
    pub fn apply<T: Table + 'static>(&self, effect: Effect, table: impl FnOnce() -> T) {
        let Some(runner) = &self.runner else {
            return;
        };
        match effect {
            // Continued: the driver runs already (the front end handed it the interaction), or
            // this process restarted meanwhile and resumes the session at the new table.
            Effect::QuizStarted(session) | Effect::QuizContinue(session) => {
                runner.run(session, table());
            }
            Effect::QuizStopped(session) => runner.wake(session),
        }
    }

    /// Starts the question-of-the-day task (`daily_task::start`), posting through `poster`:
    /// a post missed while the bot was down is posted before this returns. `None` without a
    /// store. Call within a tokio runtime.
    pub async fn start_daily<P: crate::daily_task::Poster>(
        &self,
        poster: P,
    ) -> Option<tokio::task::JoinHandle<()>> {
        self.services.engine.as_ref()?;
        Some(crate::daily_task::start(Arc::clone(&self.services), poster).await)
    }

    /// Reads "now" from `clock` from now on (tests set one by hand).
    pub fn with_clock(mut self, clock: crate::daily::Clock) -> App {
        let mut services = (*self.services).clone();
        services.clock = clock;
        self.services = Arc::new(services);
        self
    }

    /// Starts the task that reloads a watched facts file when it changes, and at once on
    /// SIGHUP (a broken file is logged and the previous facts serve on). Call within a tokio
    /// runtime.
    pub fn spawn_reloader(&self) -> Option<tokio::task::JoinHandle<()>> {
        let facts = Arc::clone(&self.services.facts);
        facts.path()?;
        #[cfg(unix)]
        let mut hangup =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
        Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(RELOAD_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                #[cfg(unix)]
                let forced = tokio::select! {
                    _ = tick.tick() => false,
                    Some(()) = async { hangup.as_mut()?.recv().await } => true,
                };
                #[cfg(not(unix))]
                let forced = {
                    tick.tick().await;
                    false
                };
                if forced {
                    tracing::info!("SIGHUP: reading the facts file again");
                }
                let check = Arc::clone(&facts);
                let result = tokio::task::spawn_blocking(move || check.check_now(forced)).await;
                report_reload(&facts, result);
            }
        }))
    }
}

/// Logs what a reload did.
fn report_reload(
    facts: &crate::Reloader,
    result: Result<Result<bool, Arc<FactsError>>, tokio::task::JoinError>,
) {
    match result {
        Ok(Ok(true)) => {
            let k = facts.current();
            tracing::info!(
                version = %k.facts.meta.version,
                as_of = %k.facts.meta.as_of.iso(),
                "reloaded the facts"
            );
        }
        Ok(Ok(false)) => {}
        Ok(Err(e)) => tracing::warn!(
            "the changed facts file has problems; still serving the previous version:\n{e}"
        ),
        Err(e) => tracing::error!("reloading the facts failed: {e}"),
    }
}

//! Rounds that outlive their process: every process that plays quizzes sweeps the store a few
//! times a second for rounds overdue by [`OVERDUE_MS`] that no driver here plays (their driver
//! died with its process, or another replica started them), closes them (the store's
//! compare-and-set decides who closed), shows their reveals, and plays the rest of their
//! session here. It also shows reveals whose closer died before showing them, and plays on
//! quizzes left idle for [`STALLED_MS`] between a reveal and the next round. So a killed
//! replica only delays a round's close by about [`OVERDUE_MS`] + [`SWEEP_EVERY`], or the
//! next round by about [`STALLED_MS`].
//!
//! Only sessions the front end can show (`make` gives a table: a channel, with the bot's
//! token) are shown and taken over here; a session played through interaction follow-ups
//! needs a player's fresh interaction, so its reveal waits for the driver the next click
//! starts (see `session::drive`, which shows a reveal nobody showed before going on).

use std::sync::Arc;
use std::time::Duration;

use super::runner::Runner;
use super::session::{Clock, Table, blocking, wall_clock_ms};
use crate::store::{Deliverable, SessionRow, SessionStatus, StoreError};

/// How often the store is swept.
pub const SWEEP_EVERY: Duration = Duration::from_millis(250);

/// How long past its deadline a round is left to the driver that plays it, before any
/// process may close it.
pub const OVERDUE_MS: i64 = 1_000;

/// How long a claimed overdue round is the claimer's before another may take it.
pub const ROUND_LEASE_MS: i64 = 10_000;

/// How long a channel quiz may sit with every round closed and revealed before any process
/// plays it on: its driver died between a reveal and the next round, where nothing is overdue.
/// A live driver opens the next round within milliseconds of a reveal (a new quiz's first
/// round waits for the start's answer, retried up to 2.8 s), so 10 s is never a live one.
pub const STALLED_MS: i64 = 10_000;

/// Most rounds, and most reveals, taken per sweep.
const BATCH: u32 = 32;

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Rounds this sweep closed (session, index).
    pub closed: Vec<(i64, u32)>,
    /// Reveals it showed.
    pub revealed: u32,
    /// Sessions it now plays here.
    pub adopted: Vec<i64>,
}

/// One sweep: close overdue rounds nobody here plays, show reveals nobody showed, and take
/// over their sessions where `make` gives a table.
pub async fn sweep_once<T: Table + 'static>(
    runner: &Arc<Runner>,
    make: &(impl Fn(&SessionRow) -> Option<T> + Send + Sync),
    clock: Clock,
) -> Result<Swept, StoreError> {
    let driver = runner.driver().clone();
    let engine = Arc::clone(&driver.engine);
    let now = clock.now_ms();
    let due = {
        let engine = Arc::clone(&engine);
        blocking(move || {
            engine.store().claim_due_rounds(
                engine.lease_now(now),
                OVERDUE_MS,
                engine.owner(),
                ROUND_LEASE_MS,
                BATCH,
            )
        })
        .await?
    };
    let mut swept = Swept::default();
    let mut sessions = Vec::new();
    for r in due {
        if runner.is_running(r.session) {
            continue; // its driver here closes it
        }
        let (e, knowledge) = (Arc::clone(&engine), driver.facts.current());
        let at = now.max(r.deadline_ms);
        let session = blocking(move || {
            let closed = e.close(knowledge.bank(), r.session, r.index, at)?;
            if closed.as_ref().is_some_and(|c| c.result.newly_closed) {
                tracing::info!(
                    session = r.session,
                    round = r.index,
                    late_ms = at - r.deadline_ms,
                    "closed an overdue round nobody here was playing"
                );
            }
            e.store().session(r.session)
        })
        .await?;
        swept.closed.push((r.session, r.index));
        let Some(s) = session else { continue };
        // Its reveal, at once, where this front end can show it.
        if let Some(table) = make(&s) {
            let (e, knowledge) = (Arc::clone(&engine), driver.facts.current());
            let reveal =
                blocking(move || e.claim_reveal(knowledge.bank(), r.session, r.index, at)).await?;
            if let Some(reveal) = reveal {
                if let Some(closed) = &reveal.closed {
                    table.reveal(closed).await;
                    swept.revealed += 1;
                }
                let e = Arc::clone(&engine);
                blocking(move || e.delivered(reveal.outbox, clock.now_ms())).await?;
            }
        }
        sessions.push(s);
    }
    // Reveals a closer left unshown for longer than a driver takes to show its own.
    let orphans = {
        let engine = Arc::clone(&engine);
        blocking(move || {
            engine.store().claim_outbox(
                engine.lease_now(now),
                Deliverable::Channel { age_ms: OVERDUE_MS },
                engine.owner(),
                super::session::REVEAL_LEASE_MS,
                BATCH,
            )
        })
        .await?
    };
    for row in orphans {
        let (e, knowledge) = (Arc::clone(&engine), driver.facts.current());
        let (closed, session) = blocking(move || {
            let closed = e.close(knowledge.bank(), row.session, row.index, now)?;
            Ok::<_, StoreError>((closed, e.store().session(row.session)?))
        })
        .await?;
        let table = session.as_ref().and_then(make);
        if let (Some(closed), Some(table)) = (closed, &table) {
            table.reveal(&closed).await;
            swept.revealed += 1;
        } else {
            tracing::debug!(session = row.session, "a reveal nothing here can show");
        }
        let e = Arc::clone(&engine);
        blocking(move || e.delivered(row.id, clock.now_ms())).await?;
        if let Some(s) = session
            && !sessions.iter().any(|t| t.id == s.id)
        {
            sessions.push(s);
        }
    }
    // Quizzes whose driver died between a reveal and the next round: nothing in them is
    // overdue, only idle. Leased, so one process plays each on.
    let stalled = {
        let engine = Arc::clone(&engine);
        blocking(move || {
            engine.store().claim_stalled_sessions(
                engine.lease_now(now),
                STALLED_MS,
                engine.owner(),
                ROUND_LEASE_MS,
                BATCH,
            )
        })
        .await?
    };
    for s in stalled {
        if !sessions.iter().any(|t| t.id == s.id) {
            sessions.push(s);
        }
    }
    for s in sessions {
        if s.status != SessionStatus::Active || runner.is_running(s.id) {
            continue;
        }
        if let Some(table) = make(&s)
            && runner.run(s.id, table).is_some()
        {
            tracing::info!(session = s.id, "playing on a quiz whose process is gone");
            swept.adopted.push(s.id);
        }
    }
    Ok(swept)
}

/// Sweeps every [`SWEEP_EVERY`] until the task is aborted. Call within a tokio runtime.
pub fn spawn<T: Table + 'static>(
    runner: Arc<Runner>,
    make: impl Fn(&SessionRow) -> Option<T> + Send + Sync + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let clock = Clock::starting_at(wall_clock_ms());
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = sweep_once(&runner, &make, clock).await {
                tracing::warn!("cannot sweep for overdue quiz rounds: {e}");
            }
        }
    })
}

//! What is kept about a server the bot was removed from: its quiz sessions, their rounds,
//! answers and scores are deleted after a grace period (default 30 days), unless the bot is
//! added back first. The gateway says when the bot is removed (`GUILD_DELETE` without
//! `unavailable`) and when it is in a server (`GUILD_CREATE`); the HTTP endpoint hears neither,
//! so there an operator purges by hand (`sco-bot purge-guild ID`, PRIVACY.md).
//!
//! The store does the deleting ([`Store::purge_removed_guilds`]); this module decides when,
//! on the caller's clock, and logs what went.

use std::sync::Arc;
use std::time::Duration;

use crate::store::{Purged, Store, StoreError};

/// How long a removed server's data is kept, in case the bot is added back.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How often a running bot looks for servers whose grace period has passed (and once at
/// start-up).
pub const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// The environment variable that sets the grace period in days.
pub const GRACE_VAR: &str = "SCO_GUILD_GRACE_DAYS";

/// A grace period from a number of days ("30"; "0" deletes at the next check).
pub fn parse_days(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<u32>() {
        Ok(days) if days <= 3650 => Ok(Duration::from_secs(u64::from(days) * 24 * 60 * 60)),
        _ => Err(format!(
            "the guild grace period must be a whole number of days from 0 to 3650, not {text:?}"
        )),
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Deletes what is kept about every server whose grace period ended by `now_ms`, and logs it.
pub fn purge_due(
    store: &dyn Store,
    now_ms: i64,
    grace: Duration,
) -> Result<Vec<Purged>, StoreError> {
    let grace_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    let purged = store.purge_removed_guilds(now_ms, grace_ms)?;
    for p in &purged {
        tracing::info!(
            guild = %p.guild,
            sessions = p.sessions,
            answers = p.answers,
            "deleted the data of a server the bot was removed from"
        );
    }
    Ok(purged)
}

/// The bot was removed from `guild` (a `GUILD_DELETE` without `unavailable`).
pub fn removed(store: &dyn Store, guild: &str, now_ms: i64) {
    match store.mark_guild_removed(guild, now_ms) {
        Ok(()) => {
            tracing::info!(%guild, "removed from a server: its data goes after the grace period")
        }
        Err(e) => tracing::error!(%guild, "could not mark a server as removed: {e}"),
    }
}

/// The bot is in `guild` (a `GUILD_CREATE`): a pending deletion, if any, is cancelled.
pub fn present(store: &dyn Store, guild: &str) {
    match store.cancel_guild_removal(guild) {
        Ok(true) => tracing::info!(%guild, "added back to a server: its data stays"),
        Ok(false) => {}
        Err(e) => tracing::error!(%guild, "could not cancel a server's removal: {e}"),
    }
}

/// How long the gateway bot waits after connecting before its first purge: the GUILD_CREATEs
/// that follow READY (one per server it is in) must cancel the removals of servers that added
/// it back while it was offline, before their data could go.
pub const GATEWAY_FIRST_PURGE_AFTER: Duration = Duration::from_secs(5 * 60);

/// Runs [`purge_due`] after `first_after`, then every [`PURGE_EVERY`], on the blocking pool.
/// Call within a tokio runtime.
pub fn spawn(
    store: Arc<dyn Store>,
    grace: Duration,
    first_after: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let first = tokio::time::Instant::now() + first_after;
        let mut tick = tokio::time::interval_at(first, PURGE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let store = Arc::clone(&store);
            let ran =
                tokio::task::spawn_blocking(move || purge_due(&*store, now_ms(), grace)).await;
            match ran {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!("could not delete removed servers' data: {e}"),
                Err(e) => tracing::error!("deleting removed servers' data failed: {e}"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_within_bounds_and_anything_else_is_a_sentence() {
        assert_eq!(parse_days("30"), Ok(DEFAULT_GRACE));
        assert_eq!(parse_days(" 0 "), Ok(Duration::ZERO));
        for bad in ["", "-1", "1.5", "3651", "thirty"] {
            let e = parse_days(bad).expect_err(bad);
            assert!(e.contains("whole number of days"), "{e}");
        }
    }
}

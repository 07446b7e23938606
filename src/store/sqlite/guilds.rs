//! Servers the bot was removed from: marked at removal, forgotten if it is added back, and
//! their data deleted after the grace period (or at once, by an operator).

use rusqlite::{Transaction, params};

use crate::store::Purged;
use crate::store::error::Fail;

pub(super) fn mark(tx: &Transaction<'_>, guild: &str, removed_ms: i64) -> Result<(), Fail> {
    tx.execute(
        "INSERT INTO removed_guilds (guild, removed_ms) VALUES (?1, ?2) \
         ON CONFLICT (guild) DO NOTHING",
        params![guild, removed_ms],
    )?;
    Ok(())
}

pub(super) fn cancel(tx: &Transaction<'_>, guild: &str) -> Result<bool, Fail> {
    Ok(tx.execute("DELETE FROM removed_guilds WHERE guild = ?1", [guild])? > 0)
}

pub(super) fn removed(tx: &Transaction<'_>) -> Result<Vec<(String, i64)>, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT guild, removed_ms FROM removed_guilds ORDER BY removed_ms, guild",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub(super) fn purge_due(
    tx: &Transaction<'_>,
    now_ms: i64,
    grace_ms: i64,
) -> Result<Vec<Purged>, Fail> {
    let due: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT guild FROM removed_guilds WHERE removed_ms <= ?1 ORDER BY removed_ms, guild",
        )?;
        stmt.query_map([now_ms.saturating_sub(grace_ms)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    due.iter().map(|g| purge(tx, g)).collect()
}

pub(super) fn purge(tx: &Transaction<'_>, guild: &str) -> Result<Purged, Fail> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let of_guild = "SELECT id FROM sessions WHERE guild = ?1";
    // Children first: answers and rounds reference the sessions.
    let answers = tx.execute(
        &format!("DELETE FROM answers WHERE session IN ({of_guild})"),
        [guild],
    )?;
    let rounds = tx.execute(
        &format!("DELETE FROM rounds WHERE session IN ({of_guild})"),
        [guild],
    )?;
    let scores = tx.execute(
        &format!("DELETE FROM players WHERE session IN ({of_guild})"),
        [guild],
    )?;
    // Reveals still waiting in the outbox (not counted: they hold no one's data).
    tx.execute(
        &format!("DELETE FROM outbox WHERE session IN ({of_guild})"),
        [guild],
    )?;
    let sessions = tx.execute("DELETE FROM sessions WHERE guild = ?1", [guild])?;
    let mut daily = 0;
    for table in ["daily_answers", "daily_posts", "daily_schedules"] {
        daily += tx.execute(&format!("DELETE FROM {table} WHERE guild = ?1"), [guild])?;
    }
    tx.execute("DELETE FROM removed_guilds WHERE guild = ?1", [guild])?;
    Ok(Purged {
        guild: guild.to_string(),
        sessions: count(sessions),
        rounds: count(rounds),
        answers: count(answers),
        scores: count(scores),
        daily: count(daily),
    })
}

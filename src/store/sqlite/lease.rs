//! Work any process may take: overdue rounds to close, and the outbox of reveals to deliver,
//! each leased to one claimer inside one write transaction (`BEGIN IMMEDIATE`: SQLite has one
//! writer at a time, so two claimers are simply ordered).

use rusqlite::{Transaction, params};

use crate::store::error::Fail;
use crate::store::{Deliverable, DueRound, Now, OutboxRow, Placement};

/// SQLite's own clock in ms since the epoch, when the caller gave no time.
const DATABASE_NOW: &str = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

/// The time a claim is judged by.
pub(super) fn now_ms(tx: &Transaction<'_>, now: Now) -> Result<i64, Fail> {
    Ok(tx.query_row(
        &format!("SELECT COALESCE(?1, {DATABASE_NOW})"),
        [now.given()],
        |r| r.get(0),
    )?)
}

pub(super) fn claim_due_rounds(
    tx: &Transaction<'_>,
    now: Now,
    overdue_ms: i64,
    owner: &str,
    lease_ms: i64,
    limit: u32,
) -> Result<Vec<DueRound>, Fail> {
    let now = now_ms(tx, now)?;
    let until = now.saturating_add(lease_ms);
    let due: Vec<(i64, u32, i64)> = tx
        .prepare_cached(
            "SELECT r.session, r.idx, r.deadline_ms FROM rounds r \
             JOIN sessions s ON s.id = r.session \
             WHERE r.closed_ms IS NULL AND s.status = 'active' AND r.deadline_ms + ?2 < ?1 \
             AND (r.lease_until_ms IS NULL OR r.lease_until_ms <= ?1) \
             ORDER BY r.deadline_ms LIMIT ?3",
        )?
        .query_map(params![now, overdue_ms, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut lease = tx.prepare_cached(
        "UPDATE rounds SET lease_owner = ?3, lease_until_ms = ?4 WHERE session = ?1 AND idx = ?2",
    )?;
    let mut claimed = Vec::with_capacity(due.len());
    for (session, index, deadline_ms) in due {
        lease.execute(params![session, index, owner, until])?;
        claimed.push(DueRound {
            session,
            index,
            deadline_ms,
            lease_until_ms: until,
        });
    }
    Ok(claimed)
}

pub(super) fn write_reveal(
    tx: &Transaction<'_>,
    session: i64,
    index: u32,
    closed_ms: i64,
) -> Result<(), Fail> {
    tx.prepare_cached(
        "INSERT INTO outbox (session, idx, kind, created_ms) VALUES (?1, ?2, 'reveal', ?3) \
         ON CONFLICT (session, idx, kind) DO NOTHING",
    )?
    .execute(params![session, index, closed_ms])?;
    Ok(())
}

pub(super) fn claim_outbox(
    tx: &Transaction<'_>,
    now: Now,
    which: Deliverable,
    owner: &str,
    lease_ms: i64,
    limit: u32,
) -> Result<Vec<OutboxRow>, Fail> {
    let now = now_ms(tx, now)?;
    let until = now.saturating_add(lease_ms);
    let (filter, a, b) = match which {
        Deliverable::Channel { age_ms } => (
            "s.placement = 'channel' AND o.created_ms + ?4 <= ?1 AND ?5 = ?5",
            age_ms,
            0,
        ),
        Deliverable::Round { session, index } => {
            ("o.session = ?4 AND o.idx = ?5", session, i64::from(index))
        }
    };
    let sql = format!(
        "SELECT o.id, o.session, o.idx, s.channel, s.placement FROM outbox o \
         JOIN rounds r ON r.session = o.session AND r.idx = o.idx \
         JOIN sessions s ON s.id = o.session \
         WHERE o.delivered_ms IS NULL \
         AND (o.lease_until_ms IS NULL OR o.lease_until_ms <= ?1 OR o.lease_owner = ?2) \
         AND {filter} ORDER BY o.created_ms, o.id LIMIT ?3"
    );
    let rows: Vec<(i64, i64, u32, String, String)> = tx
        .prepare_cached(&sql)?
        .query_map(params![now, owner, limit, a, b], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut lease =
        tx.prepare_cached("UPDATE outbox SET lease_owner = ?2, lease_until_ms = ?3 WHERE id = ?1")?;
    let mut claimed = Vec::with_capacity(rows.len());
    for (id, session, index, channel, placement) in rows {
        lease.execute(params![id, owner, until])?;
        claimed.push(OutboxRow {
            id,
            session,
            index,
            channel,
            placement: Placement::from_key(&placement).unwrap_or(Placement::Channel),
            lease_until_ms: until,
        });
    }
    Ok(claimed)
}

pub(super) fn mark_delivered(
    tx: &Transaction<'_>,
    id: i64,
    owner: &str,
    delivered_ms: i64,
) -> Result<bool, Fail> {
    let n = tx
        .prepare_cached(
            "UPDATE outbox SET delivered_ms = ?3, lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = ?1 AND lease_owner = ?2 AND delivered_ms IS NULL",
        )?
        .execute(params![id, owner, delivered_ms])?;
    Ok(n == 1)
}

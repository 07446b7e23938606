//! Work any replica may take: overdue rounds to close, and the outbox of reveals to deliver.
//! Claims lock the rows they take with `FOR UPDATE SKIP LOCKED`, so two replicas claiming at
//! once each get different rows and neither waits for the other.

use postgres::Transaction;

use super::{Fail, count, int};
use crate::store::{Deliverable, DueRound, Now, OutboxRow, Placement};

/// The time a claim is judged by: the caller's, or the server's `now()`.
pub(super) fn now_ms(tx: &mut Transaction<'_>, now: Now) -> Result<i64, Fail> {
    Ok(tx
        .query_one(
            "SELECT COALESCE($1::BIGINT, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT)",
            &[&now.given()],
        )?
        .try_get(0)?)
}

pub(super) fn limit(n: u32) -> i64 {
    i64::from(n)
}

pub(super) fn claim_due_rounds(
    tx: &mut Transaction<'_>,
    now: Now,
    overdue_ms: i64,
    owner: &str,
    lease_ms: i64,
    n: u32,
) -> Result<Vec<DueRound>, Fail> {
    let now = now_ms(tx, now)?;
    let until = now.saturating_add(lease_ms);
    let rows = tx.query(
        "SELECT r.session, r.idx, r.deadline_ms FROM rounds r \
         JOIN sessions s ON s.id = r.session \
         WHERE r.closed_ms IS NULL AND s.status = 'active' AND r.deadline_ms + $2 < $1 \
         AND (r.lease_until_ms IS NULL OR r.lease_until_ms <= $1) \
         ORDER BY r.deadline_ms LIMIT $3 FOR UPDATE OF r SKIP LOCKED",
        &[&now, &overdue_ms, &limit(n)],
    )?;
    let mut claimed = Vec::with_capacity(rows.len());
    for r in &rows {
        let session: i64 = r.try_get(0)?;
        let index = count(r, 1)?;
        tx.execute(
            "UPDATE rounds SET lease_owner = $3, lease_until_ms = $4 WHERE session = $1 AND idx = $2",
            &[&session, &int(index), &owner, &until],
        )?;
        claimed.push(DueRound {
            session,
            index,
            deadline_ms: r.try_get(2)?,
            lease_until_ms: until,
        });
    }
    Ok(claimed)
}

pub(super) fn write_reveal(
    tx: &mut Transaction<'_>,
    session: i64,
    index: u32,
    closed_ms: i64,
) -> Result<(), Fail> {
    tx.execute(
        "INSERT INTO outbox (session, idx, kind, created_ms) VALUES ($1, $2, 'reveal', $3) \
         ON CONFLICT (session, idx, kind) DO NOTHING",
        &[&session, &int(index), &closed_ms],
    )?;
    Ok(())
}

pub(super) fn claim_outbox(
    tx: &mut Transaction<'_>,
    now: Now,
    which: Deliverable,
    owner: &str,
    lease_ms: i64,
    n: u32,
) -> Result<Vec<OutboxRow>, Fail> {
    let now = now_ms(tx, now)?;
    let until = now.saturating_add(lease_ms);
    let (filter, a, b) = match which {
        Deliverable::Channel { age_ms } => (
            "s.placement = 'channel' AND o.created_ms + $4 <= $1 AND $5::BIGINT IS NOT NULL",
            age_ms,
            0,
        ),
        Deliverable::Round { session, index } => (
            "o.session = $4 AND o.idx = $5::BIGINT",
            session,
            i64::from(index),
        ),
    };
    let sql = format!(
        "SELECT o.id, o.session, o.idx, s.channel, s.placement FROM outbox o \
         JOIN rounds r ON r.session = o.session AND r.idx = o.idx \
         JOIN sessions s ON s.id = o.session \
         WHERE o.delivered_ms IS NULL \
         AND (o.lease_until_ms IS NULL OR o.lease_until_ms <= $1 OR o.lease_owner = $2) \
         AND {filter} ORDER BY o.created_ms, o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED"
    );
    let rows = tx.query(&sql, &[&now, &owner, &limit(n), &a, &b])?;
    let mut claimed = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        tx.execute(
            "UPDATE outbox SET lease_owner = $2, lease_until_ms = $3 WHERE id = $1",
            &[&id, &owner, &until],
        )?;
        let placement: String = r.try_get(4)?;
        claimed.push(OutboxRow {
            id,
            session: r.try_get(1)?,
            index: count(r, 2)?,
            channel: r.try_get(3)?,
            placement: Placement::from_key(&placement)
                .ok_or_else(|| Fail::Data(format!("unknown placement {placement:?}")))?,
            lease_until_ms: until,
        });
    }
    Ok(claimed)
}

pub(super) fn mark_delivered(
    tx: &mut Transaction<'_>,
    id: i64,
    owner: &str,
    delivered_ms: i64,
) -> Result<bool, Fail> {
    let n = tx.execute(
        "UPDATE outbox SET delivered_ms = $3, lease_owner = NULL, lease_until_ms = NULL \
         WHERE id = $1 AND lease_owner = $2 AND delivered_ms IS NULL",
        &[&id, &owner, &delivered_ms],
    )?;
    Ok(n == 1)
}

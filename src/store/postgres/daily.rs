//! The question of the day on PostgreSQL: the same steps as SQLite's `daily.rs`.

use postgres::{Row, Transaction};

use super::Fail;
use crate::store::{DailyAnswer, DailyPost, DailySchedule};

const SCHEDULE: &str = "guild, channel, minute, zone, reveal_minutes, updated_ms";

fn schedule_row(r: &Row) -> Result<DailySchedule, Fail> {
    let minute: i16 = r.try_get(2)?;
    Ok(DailySchedule {
        guild: r.try_get(0)?,
        channel: r.try_get(1)?,
        minute: u16::try_from(minute).map_err(|_| Fail::Data(format!("minute {minute}")))?,
        zone: r.try_get(3)?,
        reveal_minutes: super::count(r, 4)?,
        updated_ms: r.try_get(5)?,
    })
}

pub(super) fn set_daily(tx: &mut Transaction<'_>, s: &DailySchedule) -> Result<(), Fail> {
    let minute = i16::try_from(s.minute).unwrap_or(i16::MAX);
    tx.execute(
        "INSERT INTO daily_schedules (guild, channel, minute, zone, reveal_minutes, updated_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (guild) DO UPDATE SET \
         channel = excluded.channel, minute = excluded.minute, zone = excluded.zone, \
         reveal_minutes = excluded.reveal_minutes, updated_ms = excluded.updated_ms",
        &[
            &s.guild,
            &s.channel,
            &minute,
            &s.zone,
            &super::int(s.reveal_minutes),
            &s.updated_ms,
        ],
    )?;
    Ok(())
}

pub(super) fn daily_off(tx: &mut Transaction<'_>, guild: &str) -> Result<bool, Fail> {
    Ok(tx.execute("DELETE FROM daily_schedules WHERE guild = $1", &[&guild])? > 0)
}

pub(super) fn daily_schedule(
    tx: &mut Transaction<'_>,
    guild: &str,
) -> Result<Option<DailySchedule>, Fail> {
    tx.query_opt(
        &format!("SELECT {SCHEDULE} FROM daily_schedules WHERE guild = $1"),
        &[&guild],
    )?
    .map(|r| schedule_row(&r))
    .transpose()
}

pub(super) fn daily_schedules(tx: &mut Transaction<'_>) -> Result<Vec<DailySchedule>, Fail> {
    tx.query(
        &format!("SELECT {SCHEDULE} FROM daily_schedules ORDER BY guild"),
        &[],
    )?
    .iter()
    .map(schedule_row)
    .collect()
}

pub(super) fn claim_daily(tx: &mut Transaction<'_>, p: &DailyPost) -> Result<bool, Fail> {
    let added = tx.execute(
        "INSERT INTO daily_posts (guild, local_date, channel, question_id, posted_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild, local_date) DO NOTHING",
        &[&p.guild, &p.date, &p.channel, &p.question_id, &p.posted_ms],
    )?;
    Ok(added == 1)
}

pub(super) fn daily_post(
    tx: &mut Transaction<'_>,
    guild: &str,
    date: &str,
) -> Result<Option<DailyPost>, Fail> {
    tx.query_opt(
        "SELECT guild, local_date, channel, question_id, posted_ms FROM daily_posts \
         WHERE guild = $1 AND local_date = $2",
        &[&guild, &date],
    )?
    .map(|r| {
        Ok(DailyPost {
            guild: r.try_get(0)?,
            date: r.try_get(1)?,
            channel: r.try_get(2)?,
            question_id: r.try_get(3)?,
            posted_ms: r.try_get(4)?,
        })
    })
    .transpose()
}

const ANSWER: &str = "guild, local_date, user_id, answer, correct, answered_ms";

fn answer_row(r: &Row) -> Result<DailyAnswer, Fail> {
    Ok(DailyAnswer {
        guild: r.try_get(0)?,
        date: r.try_get(1)?,
        user: r.try_get(2)?,
        answer: r.try_get(3)?,
        correct: r.try_get(4)?,
        answered_ms: r.try_get(5)?,
    })
}

pub(super) fn record_daily_answer(tx: &mut Transaction<'_>, a: &DailyAnswer) -> Result<bool, Fail> {
    let added = tx.execute(
        "INSERT INTO daily_answers (guild, local_date, user_id, answer, correct, answered_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (guild, local_date, user_id) DO NOTHING",
        &[
            &a.guild,
            &a.date,
            &a.user,
            &a.answer,
            &a.correct,
            &a.answered_ms,
        ],
    )?;
    Ok(added == 1)
}

pub(super) fn daily_answers(
    tx: &mut Transaction<'_>,
    guild: &str,
    date: &str,
) -> Result<Vec<DailyAnswer>, Fail> {
    tx.query(
        &format!(
            "SELECT {ANSWER} FROM daily_answers WHERE guild = $1 AND local_date = $2 \
             ORDER BY answered_ms, user_id"
        ),
        &[&guild, &date],
    )?
    .iter()
    .map(answer_row)
    .collect()
}

pub(super) fn user_daily_answers(
    tx: &mut Transaction<'_>,
    user: &str,
) -> Result<Vec<DailyAnswer>, Fail> {
    tx.query(
        &format!(
            "SELECT {ANSWER} FROM daily_answers WHERE user_id = $1 ORDER BY guild, local_date"
        ),
        &[&user],
    )?
    .iter()
    .map(answer_row)
    .collect()
}

pub(super) fn daily_right_dates(
    tx: &mut Transaction<'_>,
    guild: &str,
    user: &str,
) -> Result<Vec<String>, Fail> {
    tx.query(
        "SELECT local_date FROM daily_answers WHERE guild = $1 AND user_id = $2 AND correct \
         ORDER BY local_date DESC",
        &[&guild, &user],
    )?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

pub(super) fn daily_unrevealed(tx: &mut Transaction<'_>) -> Result<Vec<DailyPost>, Fail> {
    tx.query(
        "SELECT guild, local_date, channel, question_id, posted_ms FROM daily_posts \
         WHERE revealed_ms IS NULL ORDER BY guild, local_date",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(DailyPost {
            guild: r.try_get(0)?,
            date: r.try_get(1)?,
            channel: r.try_get(2)?,
            question_id: r.try_get(3)?,
            posted_ms: r.try_get(4)?,
        })
    })
    .collect()
}

pub(super) fn claim_daily_reveal(
    tx: &mut Transaction<'_>,
    guild: &str,
    date: &str,
    now_ms: i64,
) -> Result<bool, Fail> {
    // The row lock of the UPDATE makes a second claimant wait, then find it set.
    let claimed = tx.execute(
        "UPDATE daily_posts SET revealed_ms = $3 \
         WHERE guild = $1 AND local_date = $2 AND revealed_ms IS NULL",
        &[&guild, &date, &now_ms],
    )?;
    Ok(claimed == 1)
}

//! The question of the day: schedules, and each day's post claimed once by its key.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::store::error::Fail;
use crate::store::{DailyAnswer, DailyPost, DailySchedule};

const SCHEDULE: &str = "guild, channel, minute, zone, reveal_minutes, updated_ms";

fn schedule_row(r: &Row<'_>) -> rusqlite::Result<DailySchedule> {
    Ok(DailySchedule {
        guild: r.get(0)?,
        channel: r.get(1)?,
        minute: r.get(2)?,
        zone: r.get(3)?,
        reveal_minutes: r.get(4)?,
        updated_ms: r.get(5)?,
    })
}

pub(super) fn set_daily(tx: &Transaction<'_>, s: &DailySchedule) -> Result<(), Fail> {
    tx.execute(
        "INSERT INTO daily_schedules (guild, channel, minute, zone, reveal_minutes, updated_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (guild) DO UPDATE SET \
         channel = excluded.channel, minute = excluded.minute, zone = excluded.zone, \
         reveal_minutes = excluded.reveal_minutes, updated_ms = excluded.updated_ms",
        params![
            s.guild,
            s.channel,
            s.minute,
            s.zone,
            s.reveal_minutes,
            s.updated_ms
        ],
    )?;
    Ok(())
}

pub(super) fn daily_off(tx: &Transaction<'_>, guild: &str) -> Result<bool, Fail> {
    Ok(tx.execute("DELETE FROM daily_schedules WHERE guild = ?1", [guild])? > 0)
}

pub(super) fn daily_schedule(
    tx: &Transaction<'_>,
    guild: &str,
) -> Result<Option<DailySchedule>, Fail> {
    Ok(tx
        .query_row(
            &format!("SELECT {SCHEDULE} FROM daily_schedules WHERE guild = ?1"),
            [guild],
            schedule_row,
        )
        .optional()?)
}

pub(super) fn daily_schedules(tx: &Transaction<'_>) -> Result<Vec<DailySchedule>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {SCHEDULE} FROM daily_schedules ORDER BY guild"
    ))?;
    let rows = stmt.query_map([], schedule_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn claim_daily(tx: &Transaction<'_>, p: &DailyPost) -> Result<bool, Fail> {
    let added = tx.execute(
        "INSERT INTO daily_posts (guild, local_date, channel, question_id, posted_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (guild, local_date) DO NOTHING",
        params![p.guild, p.date, p.channel, p.question_id, p.posted_ms],
    )?;
    Ok(added == 1)
}

pub(super) fn daily_post(
    tx: &Transaction<'_>,
    guild: &str,
    date: &str,
) -> Result<Option<DailyPost>, Fail> {
    Ok(tx
        .query_row(
            "SELECT guild, local_date, channel, question_id, posted_ms FROM daily_posts \
             WHERE guild = ?1 AND local_date = ?2",
            [guild, date],
            |r| {
                Ok(DailyPost {
                    guild: r.get(0)?,
                    date: r.get(1)?,
                    channel: r.get(2)?,
                    question_id: r.get(3)?,
                    posted_ms: r.get(4)?,
                })
            },
        )
        .optional()?)
}

fn answer_row(r: &Row<'_>) -> rusqlite::Result<DailyAnswer> {
    Ok(DailyAnswer {
        guild: r.get(0)?,
        date: r.get(1)?,
        user: r.get(2)?,
        answer: r.get(3)?,
        correct: r.get(4)?,
        answered_ms: r.get(5)?,
    })
}

const ANSWER: &str = "guild, local_date, user_id, answer, correct, answered_ms";

pub(super) fn record_daily_answer(tx: &Transaction<'_>, a: &DailyAnswer) -> Result<bool, Fail> {
    let added = tx.execute(
        "INSERT INTO daily_answers (guild, local_date, user_id, answer, correct, answered_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (guild, local_date, user_id) DO NOTHING",
        params![a.guild, a.date, a.user, a.answer, a.correct, a.answered_ms],
    )?;
    Ok(added == 1)
}

pub(super) fn daily_answers(
    tx: &Transaction<'_>,
    guild: &str,
    date: &str,
) -> Result<Vec<DailyAnswer>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ANSWER} FROM daily_answers WHERE guild = ?1 AND local_date = ?2 \
         ORDER BY answered_ms, user_id"
    ))?;
    let rows = stmt.query_map([guild, date], answer_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn user_daily_answers(
    tx: &Transaction<'_>,
    user: &str,
) -> Result<Vec<DailyAnswer>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ANSWER} FROM daily_answers WHERE user_id = ?1 ORDER BY guild, local_date"
    ))?;
    let rows = stmt.query_map([user], answer_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn daily_right_dates(
    tx: &Transaction<'_>,
    guild: &str,
    user: &str,
) -> Result<Vec<String>, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT local_date FROM daily_answers WHERE guild = ?1 AND user_id = ?2 AND correct = 1 \
         ORDER BY local_date DESC",
    )?;
    let rows = stmt.query_map([guild, user], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn daily_unrevealed(tx: &Transaction<'_>) -> Result<Vec<DailyPost>, Fail> {
    let mut stmt = tx.prepare_cached(
        "SELECT guild, local_date, channel, question_id, posted_ms FROM daily_posts \
         WHERE revealed_ms IS NULL ORDER BY guild, local_date",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DailyPost {
            guild: r.get(0)?,
            date: r.get(1)?,
            channel: r.get(2)?,
            question_id: r.get(3)?,
            posted_ms: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn claim_daily_reveal(
    tx: &Transaction<'_>,
    guild: &str,
    date: &str,
    now_ms: i64,
) -> Result<bool, Fail> {
    let claimed = tx.execute(
        "UPDATE daily_posts SET revealed_ms = ?3 \
         WHERE guild = ?1 AND local_date = ?2 AND revealed_ms IS NULL",
        params![guild, date, now_ms],
    )?;
    Ok(claimed == 1)
}

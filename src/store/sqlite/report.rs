//! Reports about questions: saved once per user and question, listed and resolved by curators.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::store::error::Fail;
use crate::store::{NewReport, ReportKind, ReportRow, Reported, Resolved, RoundAnswer};

const COLUMNS: &str = "id, question_id, kind, facts, sources, prompt, fingerprint, answer, \
    verdict, body, source_url, user_id, created_ms, status, resolved_ms, note";

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn report_row(r: &Row<'_>) -> rusqlite::Result<ReportRow> {
    let kind: String = r.get(2)?;
    let kind = ReportKind::from_key(&kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            2,
            rusqlite::types::Type::Text,
            format!("unknown report kind {kind:?}").into(),
        )
    })?;
    let status: String = r.get(13)?;
    Ok(ReportRow {
        id: r.get(0)?,
        report: NewReport {
            question_id: r.get(1)?,
            kind,
            facts: lines(&r.get::<_, String>(3)?),
            sources: lines(&r.get::<_, String>(4)?),
            prompt: r.get(5)?,
            fingerprint: r.get(6)?,
            answer: r.get(7)?,
            verdict: r.get(8)?,
            text: r.get(9)?,
            source_url: r.get(10)?,
            reporter: r.get(11)?,
            created_ms: r.get(12)?,
        },
        resolved: status == "resolved",
        resolved_ms: r.get(14)?,
        note: r.get(15)?,
    })
}

pub(super) fn round_answer(
    tx: &Transaction<'_>,
    session: i64,
    index: u32,
    user: &str,
) -> Result<Option<RoundAnswer>, Fail> {
    let row = tx
        .query_row(
            "SELECT r.question_id, a.answer, a.correct FROM rounds r \
             LEFT JOIN answers a ON a.session = r.session AND a.idx = r.idx AND a.user_id = ?3 \
             WHERE r.session = ?1 AND r.idx = ?2",
            params![session, index, user],
            |r| {
                let answer: Option<String> = r.get(1)?;
                let correct: Option<bool> = r.get(2)?;
                Ok(RoundAnswer {
                    question_id: r.get(0)?,
                    answer: answer.zip(correct),
                })
            },
        )
        .optional()?;
    Ok(row)
}

pub(super) fn save_report(tx: &Transaction<'_>, n: &NewReport) -> Result<Reported, Fail> {
    let added = tx.execute(
        "INSERT INTO reports (question_id, kind, facts, sources, prompt, fingerprint, answer, \
         verdict, body, source_url, user_id, created_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
         ON CONFLICT (user_id, question_id) DO NOTHING",
        params![
            n.question_id,
            n.kind.key(),
            n.facts.join("\n"),
            n.sources.join("\n"),
            n.prompt,
            n.fingerprint,
            n.answer,
            n.verdict,
            n.text,
            n.source_url,
            n.reporter,
            n.created_ms
        ],
    )?;
    if added == 1 {
        return Ok(Reported::Saved(tx.last_insert_rowid()));
    }
    let first: i64 = tx.query_row(
        "SELECT id FROM reports WHERE user_id = ?1 AND question_id = ?2",
        [&n.reporter, &n.question_id],
        |r| r.get(0),
    )?;
    Ok(Reported::AlreadyReported(first))
}

pub(super) fn reports(tx: &Transaction<'_>, open_only: bool) -> Result<Vec<ReportRow>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM reports WHERE ?1 = 0 OR status = 'open' ORDER BY id"
    ))?;
    let rows = stmt.query_map([open_only], report_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn user_reports(tx: &Transaction<'_>, user: &str) -> Result<Vec<ReportRow>, Fail> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM reports WHERE user_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([user], report_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn resolve_report(
    tx: &Transaction<'_>,
    id: i64,
    note: &str,
    now_ms: i64,
) -> Result<Resolved, Fail> {
    let status: Option<String> = tx
        .query_row("SELECT status FROM reports WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    match status.as_deref() {
        None => Ok(Resolved::NoSuchReport),
        Some("resolved") => Ok(Resolved::AlreadyResolved),
        Some(_) => {
            tx.execute(
                "UPDATE reports SET status = 'resolved', resolved_ms = ?2, note = ?3 WHERE id = ?1",
                params![id, now_ms, note],
            )?;
            Ok(Resolved::Resolved)
        }
    }
}

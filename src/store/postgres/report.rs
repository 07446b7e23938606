//! Reports about questions on PostgreSQL: the same steps as SQLite's `report.rs`.

use postgres::{Row, Transaction};

use super::Fail;
use crate::store::{NewReport, ReportKind, ReportRow, Reported, Resolved, RoundAnswer};

const COLUMNS: &str = "id, question_id, kind, facts, sources, prompt, fingerprint, answer, \
    verdict, body, source_url, user_id, created_ms, status, resolved_ms, note";

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn report_row(r: &Row) -> Result<ReportRow, Fail> {
    let kind: String = r.try_get(2)?;
    let kind = ReportKind::from_key(&kind)
        .ok_or_else(|| Fail::Data(format!("unknown report kind {kind:?}")))?;
    let status: String = r.try_get(13)?;
    Ok(ReportRow {
        id: r.try_get(0)?,
        report: NewReport {
            question_id: r.try_get(1)?,
            kind,
            facts: lines(&r.try_get::<_, String>(3)?),
            sources: lines(&r.try_get::<_, String>(4)?),
            prompt: r.try_get(5)?,
            fingerprint: r.try_get(6)?,
            answer: r.try_get(7)?,
            verdict: r.try_get(8)?,
            text: r.try_get(9)?,
            source_url: r.try_get(10)?,
            reporter: r.try_get(11)?,
            created_ms: r.try_get(12)?,
        },
        resolved: status == "resolved",
        resolved_ms: r.try_get(14)?,
        note: r.try_get(15)?,
    })
}

pub(super) fn round_answer(
    tx: &mut Transaction<'_>,
    session: i64,
    index: u32,
    user: &str,
) -> Result<Option<RoundAnswer>, Fail> {
    let index = super::int(index);
    let Some(r) = tx.query_opt(
        "SELECT r.question_id, a.answer, a.correct FROM rounds r \
         LEFT JOIN answers a ON a.session = r.session AND a.idx = r.idx AND a.user_id = $3 \
         WHERE r.session = $1 AND r.idx = $2",
        &[&session, &index, &user],
    )?
    else {
        return Ok(None);
    };
    let answer: Option<String> = r.try_get(1)?;
    let correct: Option<bool> = r.try_get(2)?;
    Ok(Some(RoundAnswer {
        question_id: r.try_get(0)?,
        answer: answer.zip(correct),
    }))
}

pub(super) fn save_report(tx: &mut Transaction<'_>, n: &NewReport) -> Result<Reported, Fail> {
    let added = tx.query_opt(
        "INSERT INTO reports (question_id, kind, facts, sources, prompt, fingerprint, answer, \
         verdict, body, source_url, user_id, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (user_id, question_id) DO NOTHING RETURNING id",
        &[
            &n.question_id,
            &n.kind.key(),
            &n.facts.join("\n"),
            &n.sources.join("\n"),
            &n.prompt,
            &n.fingerprint,
            &n.answer,
            &n.verdict,
            &n.text,
            &n.source_url,
            &n.reporter,
            &n.created_ms,
        ],
    )?;
    if let Some(r) = added {
        return Ok(Reported::Saved(r.try_get(0)?));
    }
    let first = tx.query_one(
        "SELECT id FROM reports WHERE user_id = $1 AND question_id = $2",
        &[&n.reporter, &n.question_id],
    )?;
    Ok(Reported::AlreadyReported(first.try_get(0)?))
}

pub(super) fn reports(tx: &mut Transaction<'_>, open_only: bool) -> Result<Vec<ReportRow>, Fail> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM reports WHERE NOT $1 OR status = 'open' ORDER BY id"),
        &[&open_only],
    )?
    .iter()
    .map(report_row)
    .collect()
}

pub(super) fn user_reports(tx: &mut Transaction<'_>, user: &str) -> Result<Vec<ReportRow>, Fail> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM reports WHERE user_id = $1 ORDER BY id"),
        &[&user],
    )?
    .iter()
    .map(report_row)
    .collect()
}

pub(super) fn resolve_report(
    tx: &mut Transaction<'_>,
    id: i64,
    note: &str,
    now_ms: i64,
) -> Result<Resolved, Fail> {
    let status: Option<String> = tx
        .query_opt(
            "SELECT status FROM reports WHERE id = $1 FOR UPDATE",
            &[&id],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    match status.as_deref() {
        None => Ok(Resolved::NoSuchReport),
        Some("resolved") => Ok(Resolved::AlreadyResolved),
        Some(_) => {
            tx.execute(
                "UPDATE reports SET status = 'resolved', resolved_ms = $2, note = $3 WHERE id = $1",
                &[&id, &now_ms, &note],
            )?;
            Ok(Resolved::Resolved)
        }
    }
}

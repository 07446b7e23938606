//! The store's calls on a real SQLite file: what one call costs, so calls per second is one
//! second over the median; and one FSRS scheduling step alone (no store). Run with
//! `cargo bench --bench store`.
// criterion's macros generate undocumented public items.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use sco_bot::quiz::{Mode, Topic};
use sco_bot::store::{NewRound, NewSession, SqliteStore, Store};

const T0: i64 = 1_800_000_000_000;

fn store_calls(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("bench.db")).expect("opens");
    let session = store
        .start_session(&NewSession {
            guild: Some("g".into()),
            channel: "c".into(),
            starter: "s".into(),
            topic: None,
            questions: 50,
            seconds: 30,
            mode: Mode::Buttons,
            seed: 1,
            plan: Vec::new(),
            placement: sco_bot::quiz::Placement::Channel,
            started_ms: T0,
        })
        .expect("store")
        .expect("free");
    store
        .open_round(&NewRound {
            session,
            index: 0,
            question_id: "q0",
            topic: Topic::Members,
            opened_ms: T0,
            deadline_ms: i64::MAX,
        })
        .expect("opens");
    let next = AtomicU64::new(0);
    let mut g = c.benchmark_group("store (SQLite file, WAL)");
    g.bench_function("record_answer (a write transaction)", |b| {
        b.iter(|| {
            let user = format!("u{}", next.fetch_add(1, Ordering::Relaxed));
            store
                .record_answer(session, 0, &user, "A", true, T0 + 1)
                .expect("recorded")
        })
    });
    g.bench_function("record_study (read and write in one transaction)", |b| {
        b.iter(|| {
            let q = format!("q{}", next.fetch_add(1, Ordering::Relaxed) % 500);
            store
                .record_study("student", &q, Topic::Summits, true, T0)
                .expect("recorded")
        })
    });
    g.bench_function("current_round (a read)", |b| {
        b.iter(|| store.current_round(session).expect("read"))
    });
    g.bench_function("user_stats (a read over several tables)", |b| {
        b.iter(|| store.user_stats("u1").expect("read"))
    });
    g.finish();
}

/// One study answer's scheduling, without the store: the FSRS step `record_study` runs.
fn fsrs_step(c: &mut Criterion) {
    use sco_bot::quiz::study::{DAY_MS, schedule};
    let learnt = schedule(None, "q", Topic::Summits, true, T0);
    let mut g = c.benchmark_group("study scheduling (fsrs crate, FSRS-6)");
    g.bench_function("one scheduling step (a review three days on)", |b| {
        let mut correct = false;
        b.iter(|| {
            correct = !correct;
            schedule(
                std::hint::black_box(Some(&learnt)),
                "q",
                Topic::Summits,
                correct,
                T0 + 3 * DAY_MS,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, store_calls, fsrs_step);
criterion_main!(benches);

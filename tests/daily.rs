//! The question of the day's claim step on a real store: a post is claimed at its due time in
//! the server's zone, once; a post missed while the bot was down is claimed once on return,
//! even by two "processes" (two store handles) at once; a schedule set after today's time owes
//! nothing until tomorrow.

use sco_bot::Knowledge;
use sco_bot::daily::claim_due;
use sco_bot::facts::FactBase;
use sco_bot::store::{DailySchedule, SqliteStore, Store};

/// Milliseconds of a UTC instant written `YYYY-MM-DDTHH:MM`.
fn utc(text: &str) -> i64 {
    let t: jiff::Timestamp = format!("{text}:00Z").parse().expect("an instant");
    t.as_millisecond()
}

#[test]
fn a_due_post_is_claimed_once_and_a_missed_one_once_on_return() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("daily.db");
    let store = SqliteStore::open(&path).expect("the database");
    let k = Knowledge::new(FactBase::bundled().expect("facts"));
    // 09:00 in Moscow (06:00 UTC), set the day before.
    store
        .set_daily(&DailySchedule {
            guild: "g".into(),
            channel: "c".into(),
            minute: 540,
            zone: "Europe/Moscow".into(),
            reveal_minutes: 720,
            updated_ms: utc("2026-06-09T12:00"),
        })
        .expect("set");
    // Before 09:00 Moscow time yesterday's post is the latest due, and it was set after it.
    assert!(
        claim_due(&store, k.bank(), utc("2026-06-10T05:59"))
            .expect("claims")
            .is_empty()
    );
    let posts = claim_due(&store, k.bank(), utc("2026-06-10T06:00")).expect("claims");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].date, "2026-06-10");
    assert!(k.bank().get(&posts[0].question_id).is_some());
    // Later the same day: nothing more.
    assert!(
        claim_due(&store, k.bank(), utc("2026-06-10T20:00"))
            .expect("claims")
            .is_empty()
    );
    // Down from 05:00 to 11:00 on 11 June: on return the missed post is claimed, once, by
    // one of two processes starting at the same moment.
    let other = SqliteStore::open(&path).expect("a second handle");
    let back = utc("2026-06-11T11:00");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| claim_due(&store, k.bank(), back).expect("claims"));
        let b = s.spawn(|| claim_due(&other, k.bank(), back).expect("claims"));
        (a.join().expect("no panic"), b.join().expect("no panic"))
    });
    assert_eq!(a.len() + b.len(), 1, "{a:?} {b:?}");
    let missed = a.into_iter().chain(b).next().expect("one");
    assert_eq!(missed.date, "2026-06-11");
    assert_eq!(
        store
            .daily_post("g", "2026-06-11")
            .expect("read")
            .map(|p| p.question_id),
        Some(missed.question_id)
    );
    assert!(
        claim_due(&store, k.bank(), back + 60_000)
            .expect("claims")
            .is_empty()
    );
}

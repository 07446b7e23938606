//! The schema, as a list of migrations.
//!
//! Migration `n` (1-based) takes a database from `PRAGMA user_version = n - 1` to `n`. They are
//! applied in order at start-up, each in its own transaction together with the new version
//! number, so a crash leaves the file at a whole version. **Never edit a migration that has
//! shipped**: add a new one at the end.
//!
//! The SQL stays portable-ish (it would move to PostgreSQL with little change): plain tables,
//! `INSERT … ON CONFLICT`, `CASE` instead of SQLite's two-argument `MAX`, INTEGER millisecond
//! timestamps, TEXT ids, no column named `user` or `index` (reserved words elsewhere).

/// Written to the file header by migration 1 (`PRAGMA application_id`, "SCOB" in ASCII), so
/// that sco-bot recognises its own files and refuses another program's database.
pub const APPLICATION_ID: i32 = 0x5343_4F42;

/// Every migration, oldest first; the schema version of a database is how many were applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: quiz sessions, their questions ("rounds"), answers and per-session scores.
    r#"
    PRAGMA application_id = 1396920130;

    CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY,
        guild       TEXT,
        channel     TEXT NOT NULL,
        starter     TEXT NOT NULL,
        topic       TEXT,
        questions   INTEGER NOT NULL,
        seconds     INTEGER NOT NULL,
        mode        TEXT NOT NULL,
        seed        INTEGER NOT NULL,
        started_ms  INTEGER NOT NULL,
        status      TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'finished', 'stopped', 'abandoned')),
        ended_ms    INTEGER
    );
    -- One running quiz per channel, enforced by the database rather than by the caller's care.
    CREATE UNIQUE INDEX sessions_one_active_per_channel ON sessions (channel)
        WHERE status = 'active';
    CREATE INDEX sessions_guild ON sessions (guild);

    CREATE TABLE rounds (
        session      INTEGER NOT NULL REFERENCES sessions (id),
        idx          INTEGER NOT NULL,
        question_id  TEXT NOT NULL,
        topic        TEXT NOT NULL,
        opened_ms    INTEGER NOT NULL,
        deadline_ms  INTEGER NOT NULL,
        closed_ms    INTEGER,
        message_id   TEXT,
        PRIMARY KEY (session, idx)
    );
    CREATE INDEX rounds_closed ON rounds (closed_ms);

    -- The primary key is what makes "one answer per user per question" hold under any
    -- concurrency; points stay NULL until the round is closed.
    CREATE TABLE answers (
        session      INTEGER NOT NULL,
        idx          INTEGER NOT NULL,
        user_id      TEXT NOT NULL,
        answer       TEXT NOT NULL,
        correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answered_ms  INTEGER NOT NULL,
        points       INTEGER,
        PRIMARY KEY (session, idx, user_id),
        FOREIGN KEY (session, idx) REFERENCES rounds (session, idx)
    );
    CREATE INDEX answers_user ON answers (user_id);

    CREATE TABLE players (
        session      INTEGER NOT NULL REFERENCES sessions (id),
        user_id      TEXT NOT NULL,
        points       INTEGER NOT NULL,
        correct      INTEGER NOT NULL,
        answered     INTEGER NOT NULL,
        streak       INTEGER NOT NULL,
        best_streak  INTEGER NOT NULL,
        PRIMARY KEY (session, user_id)
    );
    CREATE INDEX players_user ON players (user_id);
    "#,
    // 2: running totals per question (for a difficulty estimate) and per user and topic,
    // filled from the rounds already closed so an upgraded database loses no history.
    r#"
    CREATE TABLE question_stats (
        question_id  TEXT PRIMARY KEY,
        asked        INTEGER NOT NULL,
        correct      INTEGER NOT NULL
    );
    INSERT INTO question_stats (question_id, asked, correct)
        SELECT r.question_id, COUNT(*), SUM(a.correct)
        FROM answers a JOIN rounds r ON r.session = a.session AND r.idx = a.idx
        WHERE r.closed_ms IS NOT NULL
        GROUP BY r.question_id;

    CREATE TABLE topic_stats (
        user_id   TEXT NOT NULL,
        topic     TEXT NOT NULL,
        answered  INTEGER NOT NULL,
        correct   INTEGER NOT NULL,
        PRIMARY KEY (user_id, topic)
    );
    INSERT INTO topic_stats (user_id, topic, answered, correct)
        SELECT a.user_id, r.topic, COUNT(*), SUM(a.correct)
        FROM answers a JOIN rounds r ON r.session = a.session AND r.idx = a.idx
        WHERE r.closed_ms IS NOT NULL
        GROUP BY a.user_id, r.topic;
    "#,
    // 3: personal study, one Leitner card per user and question.
    r#"
    CREATE TABLE cards (
        user_id      TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        topic        TEXT NOT NULL,
        box          INTEGER NOT NULL CHECK (box BETWEEN 1 AND 5),
        due_ms       INTEGER NOT NULL,
        seen         INTEGER NOT NULL,
        correct      INTEGER NOT NULL,
        PRIMARY KEY (user_id, question_id)
    );
    CREATE INDEX cards_due ON cards (user_id, due_ms);
    "#,
    // 4: the question ids a session asks, in order, one per line, so a session keeps its
    // questions across a reload of the facts (NULL for sessions stored before).
    r#"
    ALTER TABLE sessions ADD COLUMN plan TEXT;
    "#,
    // 5: where a session's rounds are shown: posted in the channel, or as follow-ups of the
    // players' interactions where the bot cannot post (a restart resumes it the same way).
    // Sessions stored before were all channel quizzes.
    r#"
    ALTER TABLE sessions ADD COLUMN placement TEXT NOT NULL DEFAULT 'channel'
        CHECK (placement IN ('channel', 'followups'));
    "#,
    // 6: rounds closed by any process (a lease on an overdue round, so two processes do not
    // both work on it), and the outbox: each closed round's reveal, written by the transaction
    // that closes it, leased to one deliverer and marked delivered once sent. No foreign key,
    // so deleting rounds never trips on it; a row whose round is gone is never claimed.
    r#"
    ALTER TABLE rounds ADD COLUMN lease_owner TEXT;
    ALTER TABLE rounds ADD COLUMN lease_until_ms INTEGER;
    CREATE INDEX rounds_open ON rounds (deadline_ms) WHERE closed_ms IS NULL;

    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        session         INTEGER NOT NULL,
        idx             INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('reveal')),
        created_ms      INTEGER NOT NULL,
        lease_owner     TEXT,
        lease_until_ms  INTEGER,
        delivered_ms    INTEGER,
        UNIQUE (session, idx, kind)
    );
    CREATE INDEX outbox_pending ON outbox (created_ms) WHERE delivered_ms IS NULL;
    "#,
    // Guild removal: servers the bot was removed from, and when; their sessions, rounds,
    // answers and scores are deleted once the grace period has passed (`purge_removed_guilds`),
    // unless the bot is added back first.
    r#"
    CREATE TABLE removed_guilds (
        guild       TEXT PRIMARY KEY,
        removed_ms  INTEGER NOT NULL
    );
    "#,
    // FSRS study cards and their review log. Leitner cards become FSRS cards, every one kept,
    // with the first state `quiz::study::from_leitner` describes: stability = the box's
    // interval in days (box 1: 0.212, a new card's Again), difficulty from 6.4133 (never
    // right) to 2.1181 (always right) by the share of right answers, due time kept, last
    // answer one box interval before it. `tests/store.rs` checks this against the Rust.
    r#"
    ALTER TABLE cards RENAME TO leitner_cards;
    CREATE TABLE cards (
        user_id         TEXT NOT NULL,
        question_id     TEXT NOT NULL,
        topic           TEXT NOT NULL,
        stability       REAL NOT NULL,
        difficulty      REAL NOT NULL,
        due_ms          INTEGER NOT NULL,
        last_review_ms  INTEGER NOT NULL,
        seen            INTEGER NOT NULL,
        correct         INTEGER NOT NULL,
        PRIMARY KEY (user_id, question_id)
    );
    INSERT INTO cards (user_id, question_id, topic, stability, difficulty, due_ms,
                       last_review_ms, seen, correct)
        SELECT user_id, question_id, topic,
               CASE box WHEN 1 THEN 0.212 WHEN 2 THEN 1.0 WHEN 3 THEN 3.0 WHEN 4 THEN 7.0
                        ELSE 21.0 END,
               6.4133 - 4.2952 * (CASE WHEN seen > 0 THEN MIN(correct, seen) * 1.0 / seen
                                       ELSE 0.0 END),
               due_ms,
               due_ms - 86400000 * (CASE box WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 3
                                             WHEN 4 THEN 7 ELSE 21 END),
               seen, correct
        FROM leitner_cards;
    DROP TABLE leitner_cards;
    CREATE INDEX cards_due ON cards (user_id, due_ms);

    CREATE TABLE study_reviews (
        id                 INTEGER PRIMARY KEY,
        user_id            TEXT NOT NULL,
        question_id        TEXT NOT NULL,
        topic              TEXT NOT NULL,
        reviewed_ms        INTEGER NOT NULL,
        grade              TEXT NOT NULL CHECK (grade IN ('again', 'good')),
        stability_before   REAL,
        difficulty_before  REAL,
        due_before_ms      INTEGER,
        stability_after    REAL NOT NULL,
        difficulty_after   REAL NOT NULL,
        due_after_ms       INTEGER NOT NULL
    );
    CREATE INDEX study_reviews_user ON study_reviews (user_id, reviewed_ms);
    "#,
    // Reports about questions ("Report", "I was right"): what the question was when reported
    // (its facts, sources, prompt and a fingerprint), the reporter's answer and the checker's
    // verdict, what they say is wrong, and a curator's resolution. One per user per question.
    r#"
    CREATE TABLE reports (
        id           INTEGER PRIMARY KEY,
        question_id  TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('wrong', 'right')),
        facts        TEXT NOT NULL,
        sources      TEXT NOT NULL,
        prompt       TEXT NOT NULL,
        fingerprint  TEXT NOT NULL,
        answer       TEXT,
        verdict      TEXT NOT NULL,
        body         TEXT NOT NULL,
        source_url   TEXT,
        user_id      TEXT NOT NULL,
        created_ms   INTEGER NOT NULL,
        status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolved_ms  INTEGER,
        note         TEXT,
        UNIQUE (user_id, question_id)
    );
    CREATE INDEX reports_status ON reports (status, id);
    "#,
    // The question of the day: one schedule per server (a local time and an IANA zone), and
    // one post per server and local date, claimed by inserting its key, so a day is posted
    // once even by two processes.
    r#"
    CREATE TABLE daily_schedules (
        guild           TEXT PRIMARY KEY,
        channel         TEXT NOT NULL,
        minute          INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
        zone            TEXT NOT NULL,
        reveal_minutes  INTEGER NOT NULL,
        updated_ms      INTEGER NOT NULL
    );
    CREATE TABLE daily_posts (
        guild        TEXT NOT NULL,
        local_date   TEXT NOT NULL,
        channel      TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        posted_ms    INTEGER NOT NULL,
        PRIMARY KEY (guild, local_date)
    );
    "#,
    // Answers to the question of the day: one per user per server and local date.
    r#"
    CREATE TABLE daily_answers (
        guild        TEXT NOT NULL,
        local_date   TEXT NOT NULL,
        user_id      TEXT NOT NULL,
        answer       TEXT NOT NULL,
        correct      INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answered_ms  INTEGER NOT NULL,
        PRIMARY KEY (guild, local_date, user_id)
    );
    CREATE INDEX daily_answers_user ON daily_answers (user_id);
    "#,
    // The reveal of each day's question, claimed once: `revealed_ms` is set by the one call
    // that finds it empty.
    r#"
    ALTER TABLE daily_posts ADD COLUMN revealed_ms INTEGER;
    "#,
    // A lease on a quiz left idle between a reveal and its next round, so one process plays
    // it on (`claim_stalled_sessions`).
    r#"
    ALTER TABLE sessions ADD COLUMN lease_owner TEXT;
    ALTER TABLE sessions ADD COLUMN lease_until_ms INTEGER;
    "#,
];

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_id_literal_matches_the_constant() {
        // PRAGMA takes no bound parameters, so migration 1 spells the id out.
        assert!(MIGRATIONS[0].contains(&format!("application_id = {APPLICATION_ID};")));
    }
}

//! The PostgreSQL schema, as a list of migrations (the same tables as SQLite's, in PostgreSQL's
//! dialect). Migration `n` takes a database from version `n - 1` to `n`; the version lives in
//! `sco_bot_schema`. **Never edit a migration that has shipped**: add a new one at the end.

/// Every migration, oldest first.
pub const MIGRATIONS: &[&str] = &[
    // 1: the whole schema of SQLite's migrations 1–4.
    r#"
    CREATE TABLE sessions (
        id          BIGSERIAL PRIMARY KEY,
        guild       TEXT,
        channel     TEXT NOT NULL,
        starter     TEXT NOT NULL,
        topic       TEXT,
        questions   INTEGER NOT NULL,
        seconds     INTEGER NOT NULL,
        mode        TEXT NOT NULL,
        seed        BIGINT NOT NULL,
        started_ms  BIGINT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'finished', 'stopped', 'abandoned')),
        ended_ms    BIGINT,
        plan        TEXT
    );
    CREATE UNIQUE INDEX sessions_one_active_per_channel ON sessions (channel)
        WHERE status = 'active';
    CREATE INDEX sessions_guild ON sessions (guild);

    CREATE TABLE rounds (
        session      BIGINT NOT NULL REFERENCES sessions (id),
        idx          INTEGER NOT NULL,
        question_id  TEXT NOT NULL,
        topic        TEXT NOT NULL,
        opened_ms    BIGINT NOT NULL,
        deadline_ms  BIGINT NOT NULL,
        closed_ms    BIGINT,
        message_id   TEXT,
        PRIMARY KEY (session, idx)
    );
    CREATE INDEX rounds_closed ON rounds (closed_ms);

    CREATE TABLE answers (
        session      BIGINT NOT NULL,
        idx          INTEGER NOT NULL,
        user_id      TEXT NOT NULL,
        answer       TEXT NOT NULL,
        correct      BOOLEAN NOT NULL,
        answered_ms  BIGINT NOT NULL,
        points       INTEGER,
        PRIMARY KEY (session, idx, user_id),
        FOREIGN KEY (session, idx) REFERENCES rounds (session, idx)
    );
    CREATE INDEX answers_user ON answers (user_id);

    CREATE TABLE players (
        session      BIGINT NOT NULL REFERENCES sessions (id),
        user_id      TEXT NOT NULL,
        points       INTEGER NOT NULL,
        correct      INTEGER NOT NULL,
        answered     INTEGER NOT NULL,
        streak       INTEGER NOT NULL,
        best_streak  INTEGER NOT NULL,
        PRIMARY KEY (session, user_id)
    );
    CREATE INDEX players_user ON players (user_id);

    CREATE TABLE question_stats (
        question_id  TEXT PRIMARY KEY,
        asked        INTEGER NOT NULL,
        correct      INTEGER NOT NULL
    );

    CREATE TABLE topic_stats (
        user_id   TEXT NOT NULL,
        topic     TEXT NOT NULL,
        answered  INTEGER NOT NULL,
        correct   INTEGER NOT NULL,
        PRIMARY KEY (user_id, topic)
    );

    CREATE TABLE cards (
        user_id      TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        topic        TEXT NOT NULL,
        box          SMALLINT NOT NULL CHECK (box BETWEEN 1 AND 5),
        due_ms       BIGINT NOT NULL,
        seen         INTEGER NOT NULL,
        correct      INTEGER NOT NULL,
        PRIMARY KEY (user_id, question_id)
    );
    CREATE INDEX cards_due ON cards (user_id, due_ms);
    "#,
    // 2: SQLite's migration 5: where a session's rounds are shown (channel, or follow-ups of
    // the players' interactions where the bot cannot post).
    r#"
    ALTER TABLE sessions ADD COLUMN placement TEXT NOT NULL DEFAULT 'channel'
        CHECK (placement IN ('channel', 'followups'));
    "#,
    // 3: SQLite's migration 6: leases on overdue rounds, and the outbox of reveals.
    r#"
    ALTER TABLE rounds ADD COLUMN lease_owner TEXT;
    ALTER TABLE rounds ADD COLUMN lease_until_ms BIGINT;
    CREATE INDEX rounds_open ON rounds (deadline_ms) WHERE closed_ms IS NULL;

    CREATE TABLE outbox (
        id              BIGSERIAL PRIMARY KEY,
        session         BIGINT NOT NULL,
        idx             INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('reveal')),
        created_ms      BIGINT NOT NULL,
        lease_owner     TEXT,
        lease_until_ms  BIGINT,
        delivered_ms    BIGINT,
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
        removed_ms  BIGINT NOT NULL
    );
    "#,
    // SQLite's FSRS migration: Leitner cards become FSRS cards (every one kept; the first
    // state as `quiz::study::from_leitner` describes), and the review log starts.
    r#"
    ALTER TABLE cards RENAME TO leitner_cards;
    ALTER INDEX cards_due RENAME TO leitner_cards_due;
    CREATE TABLE cards (
        user_id         TEXT NOT NULL,
        question_id     TEXT NOT NULL,
        topic           TEXT NOT NULL,
        stability       DOUBLE PRECISION NOT NULL,
        difficulty      DOUBLE PRECISION NOT NULL,
        due_ms          BIGINT NOT NULL,
        last_review_ms  BIGINT NOT NULL,
        seen            INTEGER NOT NULL,
        correct         INTEGER NOT NULL,
        PRIMARY KEY (user_id, question_id)
    );
    INSERT INTO cards (user_id, question_id, topic, stability, difficulty, due_ms,
                       last_review_ms, seen, correct)
        SELECT user_id, question_id, topic,
               CASE box WHEN 1 THEN 0.212 WHEN 2 THEN 1.0 WHEN 3 THEN 3.0 WHEN 4 THEN 7.0
                        ELSE 21.0 END,
               6.4133 - 4.2952 * (CASE WHEN seen > 0
                                       THEN LEAST(correct, seen)::DOUBLE PRECISION / seen
                                       ELSE 0.0 END),
               due_ms,
               due_ms - 86400000::BIGINT * (CASE box WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 3
                                                     WHEN 4 THEN 7 ELSE 21 END),
               seen, correct
        FROM leitner_cards;
    DROP TABLE leitner_cards;
    CREATE INDEX cards_due ON cards (user_id, due_ms);

    CREATE TABLE study_reviews (
        id                 BIGSERIAL PRIMARY KEY,
        user_id            TEXT NOT NULL,
        question_id        TEXT NOT NULL,
        topic              TEXT NOT NULL,
        reviewed_ms        BIGINT NOT NULL,
        grade              TEXT NOT NULL CHECK (grade IN ('again', 'good')),
        stability_before   DOUBLE PRECISION,
        difficulty_before  DOUBLE PRECISION,
        due_before_ms      BIGINT,
        stability_after    DOUBLE PRECISION NOT NULL,
        difficulty_after   DOUBLE PRECISION NOT NULL,
        due_after_ms       BIGINT NOT NULL
    );
    CREATE INDEX study_reviews_user ON study_reviews (user_id, reviewed_ms);
    "#,
    // SQLite's reports migration: reports about questions, one per user per question.
    r#"
    CREATE TABLE reports (
        id           BIGSERIAL PRIMARY KEY,
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
        created_ms   BIGINT NOT NULL,
        status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolved_ms  BIGINT,
        note         TEXT,
        UNIQUE (user_id, question_id)
    );
    CREATE INDEX reports_status ON reports (status, id);
    "#,
    // SQLite's question-of-the-day migration: one schedule per server (a local time and an IANA zone), and
    // one post per server and local date, claimed by inserting its key, so a day is posted
    // once even by two processes.
    r#"
    CREATE TABLE daily_schedules (
        guild           TEXT PRIMARY KEY,
        channel         TEXT NOT NULL,
        minute          SMALLINT NOT NULL CHECK (minute BETWEEN 0 AND 1439),
        zone            TEXT NOT NULL,
        reveal_minutes  INTEGER NOT NULL,
        updated_ms      BIGINT NOT NULL
    );
    CREATE TABLE daily_posts (
        guild        TEXT NOT NULL,
        local_date   TEXT NOT NULL,
        channel      TEXT NOT NULL,
        question_id  TEXT NOT NULL,
        posted_ms    BIGINT NOT NULL,
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
        correct      BOOLEAN NOT NULL,
        answered_ms  BIGINT NOT NULL,
        PRIMARY KEY (guild, local_date, user_id)
    );
    CREATE INDEX daily_answers_user ON daily_answers (user_id);
    "#,
    // The reveal of each day's question, claimed once: `revealed_ms` is set by the one call
    // that finds it empty.
    r#"
    ALTER TABLE daily_posts ADD COLUMN revealed_ms BIGINT;
    "#,
    // A lease on a quiz left idle between a reveal and its next round, so one process plays
    // it on (`claim_stalled_sessions`).
    r#"
    ALTER TABLE sessions ADD COLUMN lease_owner TEXT;
    ALTER TABLE sessions ADD COLUMN lease_until_ms BIGINT;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

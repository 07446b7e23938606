//! Integration tests, compiled as one binary (see ripgrep's layout).

// Helpers: run the real binary in a scratch folder, find fixtures.
mod support;

// `sco-bot check`: every problem at once with exact FILE:LINE:COL, and no input makes it panic.
mod check;

// Every command through the real binary, as text and as JSON lines.
mod cli;

// The shipped facts.toml: it loads, and its key rows agree with the fact sheet.
mod real_facts;

// Plain questions (/ask) from tests/fixtures/questions.tsv: every answer right, no confident
// answer to a question the facts cannot answer; bare lines as questions; /members YEAR.
mod ask;

// Lookups as users type them: typos, aliases, other scripts, numbers, out-of-domain queries.
mod lookup;

// Fake Discord (REST + gateway) on 127.0.0.1, for the Discord front end's end-to-end tests: it
// validates every request against Discord's OpenAPI spec and enforces the interaction rules.
mod fake_discord;

// The Discord bot end to end: the real serenity client against the fake Discord.
mod discord;

// `serve`, Discord's interactions endpoint: signed requests over TCP, refusals, deferral through
// the fake Discord's webhook, registration for user installs.
mod serve;

// The real binary stops on SIGTERM and Ctrl-C within 10 s in every state: the gateway
// unreachable, the endpoint idle and with a request in flight.
mod shutdown;

// Two `serve` replicas behind nginx on one PostgreSQL, one SIGKILLed mid-round: every answer,
// close and reveal once.
mod replicas;

// Gateway shards split across two bots on one database: each gets only its guilds.
mod shards;

// Reloading the facts in a running `serve`: valid → broken → valid, and SIGHUP.
mod reload;

// Quiz sessions: concurrency, timers on a paused clock, stop, restart with the same file.
mod quiz_session;

// The SQLite store on real files: migrations, concurrency, restarts, scores, broken files.
mod store;

// Quizzes, study and scores through the real serenity client and the fake Discord.
mod discord_quiz;

// The question of the day through the fake Discord on a hand-set clock: /daily set (Manage
// Server), the post at the due time, clicks once per user and day, streaks, a missed post once.
mod discord_daily;

// The quiz question generator on the shipped facts: counts, determinism, every distractor wrong.
mod quiz_generate;

// The terminal does what Discord does against --db: quizzes, study, stats, two runs at once.
mod terminal;

// Deck export: Anki's text import and CSV over the whole bank, awkward fields, `quiz --export`
// and `/study export` (exactly the user's missed questions).
mod export;

// A terminal that reads well (wrapped in a pseudo-terminal, plain when piped, short sources,
// /sources), /compare in the terminal, JSON and Discord, and /cite's references.
mod readable;

// The layering: serenity only in the Discord front end, rusqlite only in the store.
mod layering;
// The fairness rules of issue 11 over the whole bank, the session plan, and the audit's items.
mod quiz_rules;

// Hostile input and faults: pipes and devices as files, parser-exhausting files, signed numbers,
// non-UTF-8 lines, JSON for line-splitting readers, malformed tokens, rate limits, a full disk,
// and the fact base broken under a running bot.
mod limits;
// Every message the bot sends, from a fact base of over-long entries, within Discord's limits.
mod audit;

// The fuzz targets' bodies over their committed corpus (fuzz/corpus/), on the stable toolchain.
mod fuzz_corpus;

// Property tests: normalisation idempotent, names resolve to their entry, autocomplete within
// Discord's limits, one right choice per generated question.
mod properties;

// Removal from a server over the fake gateway: GUILD_DELETE marks it, an outage does not,
// GUILD_CREATE cancels, and the grace period's end deletes its quizzes.
mod guild_removal;

// Reports for curators: /report in the terminal, `sco-bot reports` (changed after a fix of the
// facts file, as text and JSON) and `reports resolve`.
mod reports;

// The question of the day's claim step: due in the server's zone, claimed once, a missed post
// claimed once on return even by two processes.
mod daily;

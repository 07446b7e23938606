//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer), one per input the bot
//! takes from outside: any bytes in, no panic, no hang, bounded memory out.
//!
//! They live in the library, not in `fuzz/`, so that the stable toolchain builds them too:
//! `tests/fuzz_corpus.rs` runs every one over the committed corpus (`fuzz/corpus/TARGET/`) on
//! every `cargo test`, and a crash the fuzzer finds becomes a file there plus a regression
//! test. The fuzz targets are one line each around these functions.

use std::sync::{Arc, OnceLock};

use crate::facts::{FactBase, Kind};
use crate::interaction::Services;
use crate::{Knowledge, Reloader};

/// The built-in fact base, indexed once per process (its question bank is generated on first
/// use), shared by every target that needs real facts.
pub fn knowledge() -> &'static Arc<Knowledge> {
    static K: OnceLock<Arc<Knowledge>> = OnceLock::new();
    K.get_or_init(|| {
        Arc::new(Knowledge::new(
            FactBase::bundled().expect("the built-in fact base is valid (tests load it)"),
        ))
    })
}

fn services() -> &'static Services {
    static S: OnceLock<Services> = OnceLock::new();
    S.get_or_init(|| Services {
        facts: Arc::new(Reloader::fixed(Arc::clone(knowledge()))),
        engine: None,
        rate: None,
        clock: crate::daily::Clock::wall(),
    })
}

/// Text from bytes as a front end would get it: invalid UTF-8 replaced, as a lossy reader
/// would (Discord and the terminal only ever deliver text).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The fact-base loader: any bytes as `facts.toml`. A file that loads is indexed, and its
/// questions generated, as a reload would.
pub fn facts_file(data: &[u8]) {
    if let Ok(facts) = crate::facts::parse_bytes(data, "facts.toml") {
        let k = Knowledge::new(facts);
        let _ = k.bank().all().len();
        let _ = k.index.lookup("china", None);
    }
}

/// The query normaliser and the resolver: the first byte picks the kind (or none), the rest
/// is the query; it is folded, tokenised, looked up and completed.
pub fn query(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let scope = Kind::ALL
        .get(usize::from(pick) % (Kind::ALL.len() + 1))
        .copied();
    let q = text(rest);
    let _ = crate::search::normalize::fold(&q);
    let _ = crate::search::normalize::tokens(&q);
    let _ = crate::search::normalize::compact(&q);
    let _ = crate::search::normalize::initialism(&q);
    let k = knowledge();
    let _ = k.index.lookup(&q, scope);
    let completions = k.index.complete(&q, scope, 25);
    assert!(completions.len() <= 25, "autocomplete keeps to its limit");
}

/// The plain-question parser of `/ask`, and the answer built from it.
pub fn ask(data: &[u8]) {
    let q = text(data);
    let _ = crate::ask::grammar::parse(&q);
    let _ = crate::ask::answer(knowledge(), &q);
}

/// A line typed at the terminal: parsed as a command (or taken as `/ask`) and answered
/// without a store, as `sco-bot ask --json` does.
pub fn command_line(data: &[u8]) {
    let line = text(data);
    let _ = crate::commands::split_line(&line);
    let _ = crate::cli::json_line(knowledge(), &line);
}

/// The answer checker: the first two bytes pick a question of the built-in bank, the rest is
/// the typed answer.
pub fn answer(data: &[u8]) {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let all = knowledge().bank().all();
    if all.is_empty() {
        return;
    }
    let q = &all[usize::from(u16::from_le_bytes([*a, *b])) % all.len()];
    let _ = crate::quiz::check::judge(&text(rest), q);
}

/// Any bytes as the body of an interaction whose signature has verified, into the dispatcher
/// `serve` uses (parse, translate, handle, render), with no store.
pub fn interaction_body(data: &[u8]) {
    let _ = crate::discord::http::answer_verified(services(), data, 1_767_225_600_000);
}

/// A fuzz target's body: any bytes in.
pub type Target = fn(&[u8]);

/// Every target by its name in `fuzz/`, for the corpus test.
pub const TARGETS: &[(&str, Target)] = &[
    ("facts_file", facts_file),
    ("query", query),
    ("ask", ask),
    ("command_line", command_line),
    ("answer", answer),
    ("interaction_body", interaction_body),
];

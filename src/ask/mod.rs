//! Plain questions ("when did India join?", "когда Индия вступила в ШОС", "印度什么时候加入上合组织")
//! answered from the typed facts, with one direct sentence first and the entry card after it.
//!
//! [`grammar`] turns a question into cues, years and the words that name something; the
//! search index resolves those words to an entry (or a real country outside the SCO); the
//! intents in `intents` compose the sentence from the entry's typed fields. Nothing is
//! generated: every date, place and name comes from a fact, and every reply cites its sources.
//!
//! **Honesty rule:** every content word of the question must be explained, by the grammar or
//! by the entry it names. A question with words left over ("who won the 2018 world cup") gets
//! "I don't know that", never the nearest SCO fact.

pub mod grammar;
mod intents;

use crate::Knowledge;
use crate::reply::Reply;

pub use grammar::chinese_names_in_english;
pub use intents::members_at;

/// Answers a plain question from the fact base: a direct sentence first, then the card of the
/// entry it came from (with its sources), or "I don't know that" with commands that may help.
/// The reply's `matched` is the entry the answer came from, or `None`.
pub fn answer(k: &Knowledge, question: &str) -> Reply {
    intents::answer(k, question)
}

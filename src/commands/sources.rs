//! `/sources [which]`: an entry's sources in full (title, publisher, address, date checked).
//!
//! Answers elsewhere list their sources in short (publisher and domain) in the terminal. The
//! terminal itself answers `/sources N` and a bare `/sources` from the last reply it showed,
//! which only it knows; this handler answers an entry's name everywhere, and explains the
//! numbers where there is no last reply to take them from.

use super::Ctx;
use super::bind::Args;
use crate::reply::{Citation, Reply, full_source};

pub(crate) fn sources(c: &Ctx<'_>, args: &Args) -> Reply {
    let k = c.knowledge;
    let facts = &k.facts;
    let which = args.text("which").map(str::trim).unwrap_or_default();
    if which.is_empty() || which.parse::<u32>().is_ok() {
        return Reply::notice(
            "Source numbers belong to an answer: in the terminal, /sources N shows source N of the last answer in full. Here, give an entry, for example /sources india; every answer also shows its sources with their links.",
        );
    }
    let resolution = k.index.lookup(which, None);
    let Some(hit) = resolution.matched() else {
        return super::lookup::answer(k, which, None, &resolution);
    };
    let e = &facts.entries[hit.entry];
    let mut reply = Reply::new(
        format!("Sources on {}", e.name),
        format!(
            "Where the fact base's entry on {} comes from; each was checked on the date shown.",
            e.name
        ),
    );
    reply.kind = Some(e.kind);
    reply.matched = Some(super::lookup::entry_ref_of(facts, hit));
    for (i, s) in e
        .sources
        .iter()
        .filter_map(|id| facts.source(id))
        .enumerate()
    {
        let c = Citation {
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            url: s.url.clone(),
        };
        reply.items.push(format!(
            "{} (checked {})",
            full_source(i + 1, &c),
            s.accessed.iso()
        ));
    }
    reply.as_of = Some(facts.meta.as_of);
    reply
}

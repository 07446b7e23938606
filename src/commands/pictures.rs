//! The commands that answer with a picture as well as text: `/map`, `/timeline view:chart` and
//! `/member` (a status strip). The text answer is complete on its own; the picture shows the
//! same facts. A picture that cannot be drawn is logged and left out, never shown as an error.

use std::sync::Arc;

use super::Ctx;
use super::bind::Args;
use super::lookup::{self, answer};
use crate::facts::{Date, Details, Kind};
use crate::pictures::{self, Picture, PictureError};
use crate::reply::Reply;
use crate::search::Outcome;

fn attach(reply: &mut Reply, picture: Result<Arc<Picture>, PictureError>) {
    match picture {
        Ok(p) => reply.attachment = Some(p.attachment()),
        Err(e) => tracing::error!("could not draw a picture: {e}"),
    }
}

/// `/map [year] [highlight]`.
pub(super) fn map(c: &Ctx<'_>, args: &Args) -> Reply {
    let k = c.knowledge;
    let facts = &k.facts;
    let as_of = facts.meta.as_of;
    let highlight = match args
        .text("highlight")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(q) => {
            let r = k.index.lookup(q, Some(Kind::Country));
            match &r.outcome {
                Outcome::Match(hit) => match &facts.entries[hit.entry].details {
                    Details::Country(c) => Some(c.iso.clone()),
                    _ => None,
                },
                Outcome::NotInSco { iso, .. } => Some(iso.clone()),
                Outcome::NoMatch => return answer(k, q, Some(Kind::Country), &r),
            }
        }
    };
    let year = args.integer("year").map_or(as_of.year, |y| y as i32);
    let mut reply = crate::ask::members_at(k, year);
    let (date, phrase) = match year {
        y if y > as_of.year => return reply,
        y if y == as_of.year => (as_of, format!("as of {as_of}")),
        y => (
            Date {
                year: y,
                month: 12,
                day: 31,
            },
            format!("at the end of {y}"),
        ),
    };
    reply.title = format!("Map: SCO members and partners {phrase}");
    reply.body = format!(
        "The map colours every country by its SCO status {phrase}.\n\n{}",
        reply.body
    );
    reply.kind = Some(Kind::Country);
    reply.as_of = Some(as_of);
    let key = format!("map:{}:{}", date.iso(), highlight.as_deref().unwrap_or("-"));
    let picture = pictures::cached(facts, &key, || {
        pictures::map::picture(facts, date, &phrase, highlight.as_deref())
    });
    attach(&mut reply, picture);
    reply
}

/// `/timeline [from] [to] [view]`: the list, and with `view:chart` the chart too.
pub(super) fn timeline(c: &Ctx<'_>, args: &Args) -> Reply {
    let mut reply = lookup::timeline(c, args);
    if args.text("view") != Some("chart") || reply.ephemeral {
        return reply;
    }
    let facts = &c.knowledge.facts;
    let from = args.integer("from").map_or(1996, |y| y as i32);
    let to = args.integer("to").map(|y| y as i32);
    let key = format!("timeline:{from}:{to:?}");
    let picture = pictures::cached(facts, &key, || pictures::timeline::picture(facts, from, to));
    attach(&mut reply, picture);
    reply
}

/// `/member X`: the card, with X's status strip when X has dated statuses.
pub(super) fn member(c: &Ctx<'_>, args: &Args) -> Reply {
    let mut reply = lookup::member(c, args);
    let facts = &c.knowledge.facts;
    let Some(e) = reply
        .matched
        .as_ref()
        .and_then(|m| facts.get(Kind::Country, &m.id))
    else {
        return reply;
    };
    let key = format!("member:{}", e.id);
    if pictures::timeline::has_strip(facts, e) {
        let picture = pictures::cached(facts, &key, || {
            pictures::timeline::strip(facts, e)
                .unwrap_or_else(|| Err(PictureError::Encode("no dated status".into())))
        });
        attach(&mut reply, picture);
    }
    reply
}

//! `/cite [entry] [style]`: references, ready to paste, for an entry's sources or for the fact
//! base itself, in APA 7 and Chicago (bibliography) style.
//!
//! Only what facts.toml records is used: the publisher as the (group) author, the title, the
//! URL and the date the source was accessed. No source records an author or a publication
//! date, so APA says "n.d." and Chicago leaves the date out; an unknown publisher is left out
//! rather than guessed.

use super::Ctx;
use super::bind::Args;
use crate::facts::{Date, Meta, Source};
use crate::reply::Reply;

/// The styles `/cite` writes.
pub const STYLES: &[&str] = &["both", "apa", "chicago"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Apa,
    Chicago,
}

impl Style {
    fn heading(self) -> &'static str {
        match self {
            Style::Apa => "APA 7",
            Style::Chicago => "Chicago (bibliography)",
        }
    }
}

pub(crate) fn cite(c: &Ctx<'_>, args: &Args) -> Reply {
    let k = c.knowledge;
    let facts = &k.facts;
    let styles: &[Style] = match args.text("style") {
        Some("apa") => &[Style::Apa],
        Some("chicago") => &[Style::Chicago],
        _ => &[Style::Apa, Style::Chicago],
    };
    let query = args.text("entry").map(str::trim).unwrap_or_default();
    if query.is_empty() {
        let mut reply = Reply::new(
            format!("How to cite the {}", facts.meta.title),
            format!(
                "The fact base as a data set, version {}, facts as of {}. Cite the sources of an entry with /cite NAME.",
                facts.meta.version, facts.meta.as_of
            ),
        );
        let blocks: Vec<String> = styles
            .iter()
            .map(|&s| section(s, styles.len(), vec![fact_base(&facts.meta, s)]))
            .collect();
        reply.code = Some(blocks.join("\n\n"));
        reply.as_of = Some(facts.meta.as_of);
        return reply;
    }
    let resolution = k.index.lookup(query, None);
    let Some(hit) = resolution.matched() else {
        return super::lookup::answer(k, query, None, &resolution);
    };
    let e = &facts.entries[hit.entry];
    let sources: Vec<&Source> = e.sources.iter().filter_map(|id| facts.source(id)).collect();
    let mut reply = Reply::new(
        format!("How to cite the sources on {}", e.name),
        format!(
            "{} source{} for {} ({}), from facts.toml. No source records an author or a publication date, so none is given (APA: n.d.); “Retrieved”/“Accessed” is the date the source was checked. /cite alone cites the fact base.",
            sources.len(),
            if sources.len() == 1 { "" } else { "s" },
            e.name,
            e.kind
        ),
    );
    reply.kind = Some(e.kind);
    reply.matched = Some(super::lookup::entry_ref_of(facts, hit));
    let blocks: Vec<String> = styles
        .iter()
        .map(|&s| {
            let mut refs: Vec<String> = sources.iter().map(|src| reference(src, s)).collect();
            // Reference lists in both styles are alphabetical.
            refs.sort_by_key(|r| r.to_lowercase());
            refs.dedup();
            section(s, styles.len(), refs)
        })
        .collect();
    reply.code = Some(blocks.join("\n\n"));
    reply.as_of = Some(facts.meta.as_of);
    reply
}

/// A style's references, under its heading when more than one style is shown.
fn section(style: Style, styles: usize, refs: Vec<String>) -> String {
    let body = refs.join("\n\n");
    if styles > 1 {
        format!("{}:\n{body}", style.heading())
    } else {
        body
    }
}

/// "November 28, 2026", as both styles write a date.
fn us_date(d: Date) -> String {
    format!("{} {}, {}", d.month_name(), d.day, d.year)
}

/// Text ending with a full stop, unless it already ends with a mark of its own.
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.ends_with(['.', '?', '!']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The publisher, unless facts.toml says it is unknown.
fn publisher(s: &Source) -> Option<&str> {
    let p = s.publisher.trim();
    (!p.is_empty() && !p.to_lowercase().starts_with("unknown")).then_some(p)
}

/// One source's reference in a style.
fn reference(s: &Source, style: Style) -> String {
    match style {
        Style::Apa => {
            // Group author. (n.d.). Title. Retrieved Month D, YYYY, from URL
            let mut r = match publisher(s) {
                Some(p) => format!("{} (n.d.). {}", sentence(p), sentence(&s.title)),
                None => format!("{} (n.d.).", sentence(&s.title)),
            };
            if let Some(url) = &s.url {
                r.push_str(&format!(" Retrieved {}, from {url}", us_date(s.accessed)));
            }
            r
        }
        Style::Chicago => {
            // “Title.” Publisher. Accessed Month D, YYYY. URL.
            let title = sentence(&s.title);
            let mut r = format!("“{title}”");
            if let Some(p) = publisher(s) {
                r.push(' ');
                r.push_str(&sentence(p));
            }
            if let Some(url) = &s.url {
                r.push_str(&format!(" Accessed {}. {url}.", us_date(s.accessed)));
            }
            r
        }
    }
}

/// The fact base itself as a data set.
fn fact_base(m: &Meta, style: Style) -> String {
    match style {
        Style::Apa => format!(
            "sco-bot. ({}, {} {}). {} (Version {}) [Data set].",
            m.as_of.year,
            m.as_of.month_name(),
            m.as_of.day,
            m.title,
            m.version
        ),
        Style::Chicago => format!(
            "sco-bot. “{}.” Version {}. Data set, facts as of {}.",
            m.title,
            m.version,
            us_date(m.as_of)
        ),
    }
}

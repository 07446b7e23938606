//! Pictures drawn by the bot itself, offline, from the same facts as its text answers: a map
//! of members and partners (`/map`), a timeline chart (`/timeline view:chart`) and a country's
//! status strip (`/member`).
//!
//! - [`svg`]: a small SVG text builder, the embedded font and text measurement;
//! - [`geo`]: the embedded Natural Earth country shapes (`assets/world.bin`) and the projection;
//! - [`map`], [`timeline`]: the pictures, as SVG text;
//! - [`raster`]: SVG → PNG with resvg, fonts from the binary only (deterministic output).
//!
//! Every picture is built as SVG first; the PNG is that SVG rendered, so the terminal's
//! `--out x.svg` and Discord's PNG attachment show the same drawing. Finished pictures are
//! cached by (kind, parameters, fact-base version).

pub mod geo;
pub mod map;
pub mod raster;
pub mod svg;
pub mod timeline;

use std::sync::{Arc, Mutex, PoisonError};

use crate::facts::{Date, FactBase, Status};
use crate::reply::Attachment;

pub use raster::PictureError;

/// A finished picture: its SVG text, the PNG rendered from it, and what it shows in words.
#[derive(Debug)]
pub struct Picture {
    /// File name for the PNG, e.g. `sco-map-2010.png`.
    pub name: String,
    /// The drawing as SVG text.
    pub svg: Arc<str>,
    /// The drawing as PNG.
    pub png: Arc<[u8]>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// What the picture shows, for screen readers (alt text).
    pub alt: String,
}

impl Picture {
    /// Renders an SVG drawing to a picture.
    pub fn render(name: String, svg: String, alt: String) -> Result<Picture, PictureError> {
        let (png, width, height) = raster::png(&svg)?;
        Ok(Picture {
            name,
            svg: svg.into(),
            png: png.into(),
            width,
            height,
            alt,
        })
    }

    /// The picture as a reply attachment (PNG, with its SVG for front ends that write files).
    pub fn attachment(&self) -> Attachment {
        Attachment {
            name: self.name.clone(),
            media_type: "image/png",
            bytes: Arc::clone(&self.png),
            alt: self.alt.clone(),
            svg: Some(Arc::clone(&self.svg)),
        }
    }
}

/// How many finished pictures the cache keeps (the least recently used one goes first).
const CACHE_SIZE: usize = 48;

type Cache = Mutex<Vec<(String, Arc<Picture>)>>;

fn cache() -> &'static Cache {
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

/// The picture for `key` (kind and parameters) of this fact base, from the cache or drawn now.
/// The fact base's version and as-of date are part of the key, so a reload draws anew.
pub fn cached(
    facts: &FactBase,
    key: &str,
    draw: impl FnOnce() -> Result<Picture, PictureError>,
) -> Result<Arc<Picture>, PictureError> {
    let key = format!("{key}@{}/{}", facts.meta.version, facts.meta.as_of.iso());
    {
        let mut c = cache().lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = c.iter().position(|(k, _)| *k == key) {
            let hit = c.remove(i);
            let pic = Arc::clone(&hit.1);
            c.push(hit);
            return Ok(pic);
        }
    }
    let pic = Arc::new(draw()?);
    let mut c = cache().lock().unwrap_or_else(PoisonError::into_inner);
    if !c.iter().any(|(k, _)| *k == key) {
        if c.len() >= CACHE_SIZE {
            c.remove(0);
        }
        c.push((key, Arc::clone(&pic)));
    }
    Ok(pic)
}

/// The colour-blind-safe fill of a status (Okabe–Ito palette); guests are hatched instead.
pub fn status_colour(s: Status) -> &'static str {
    match s {
        Status::Member => "#0072B2",
        Status::ShanghaiFive => "#56B4E9",
        Status::Observer => "#E69F00",
        Status::DialoguePartner => "#CC79A7",
        Status::Partner => "#009E73",
        Status::Guest => "url(#hatch)",
    }
}

/// Text colour that reads on a status fill.
pub fn ink_on(s: Status) -> &'static str {
    match s {
        Status::Member => "#ffffff",
        _ => "#111111",
    }
}

/// Fill of countries with no status.
pub const OTHER: &str = "#D9D9D9";

/// The legend's label for a status.
pub fn legend_label(s: Status) -> &'static str {
    match s {
        Status::Member => "Member state",
        Status::ShanghaiFive => "Shanghai Five member",
        Status::Observer => "Observer",
        Status::DialoguePartner => "Dialogue partner",
        Status::Partner => "SCO partner",
        Status::Guest => "Summit guest (not a member)",
    }
}

/// The status a country has on a date for a picture: its history's, or, from the SCO's founding
/// on, a status declared without dates (a summit guest).
pub fn status_at(c: &crate::facts::Country, date: Date, founded: Option<Date>) -> Option<Status> {
    c.status_on(date).or_else(|| {
        c.declared_status
            .filter(|_| founded.is_some_and(|f| date >= f))
    })
}

/// The SCO's founding: the first date any country became a member.
pub fn founding(facts: &FactBase) -> Option<Date> {
    facts
        .of_kind(crate::facts::Kind::Country)
        .filter_map(|e| match &e.details {
            crate::facts::Details::Country(c) => c.accession().map(|s| s.date),
            _ => None,
        })
        .min()
}

/// The SVG `<defs>` every picture shares: the guest hatch.
pub(crate) const DEFS: &str = r##"<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="7" height="7" patternTransform="rotate(45)"><rect width="7" height="7" fill="#f2f2f2"/><rect width="2.5" height="7" fill="#6e6e6e"/></pattern></defs>"##;

/// A date as a fractional year, for time axes.
pub fn year_fraction(d: Date) -> f64 {
    f64::from(d.year) + (f64::from(d.month) - 1.0) / 12.0 + (f64::from(d.day) - 1.0) / 365.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_cached_by_key_and_fact_base_version() {
        let f = FactBase::bundled().expect("the bundled facts load");
        let draw = || {
            Picture::render(
                "t.png".into(),
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>"#.into(),
                "t".into(),
            )
        };
        let a = cached(&f, "test:cache", draw).expect("drawn");
        let b = cached(&f, "test:cache", || panic!("drawn twice")).expect("cached");
        assert!(Arc::ptr_eq(&a, &b));
        let mut other = f.clone();
        other.meta.version = "9.9.9".into();
        let c = cached(&other, "test:cache", draw).expect("drawn for the other version");
        assert!(!Arc::ptr_eq(&a, &c));
    }
}

//! SVG text built by hand (a few element kinds suffice), the font embedded in the binary, and
//! text measurement with that font so labels can be placed without overlapping.

use std::fmt::Write as _;

use skrifa::MetadataProvider as _;
use skrifa::instance::{LocationRef, Size};

/// DejaVu Sans, subset to Latin and Cyrillic (`tools/subset-fonts.sh`; licence in
/// `assets/fonts/LICENSE-DejaVu.txt`).
pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, subset the same way.
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// The family name both fonts carry.
pub const FAMILY: &str = "DejaVu Sans";

/// How wide `text` is at `size` px, in the embedded font (kerning ignored: a slight
/// overestimate, which only makes label boxes safer).
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let bytes = if bold { FONT_BOLD } else { FONT_REGULAR };
    let Ok(font) = skrifa::FontRef::new(bytes) else {
        // The embedded font is fixed at build time; a rough width keeps labels apart anyway.
        return text.chars().count() as f32 * size * 0.62;
    };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
    text.chars()
        .map(|ch| {
            let gid = charmap.map(ch).unwrap_or_default();
            metrics.advance_width(gid).unwrap_or(size * 0.6)
        })
        .sum()
}

/// Splits text into lines no wider than `max` px at `size`, at spaces.
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if text_width(&format!("{l} {word}"), size, false) <= max => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Whether the embedded font has a glyph for every character of `text` (so Chinese names are
/// shown only where it does).
pub fn covers(text: &str) -> bool {
    skrifa::FontRef::new(FONT_REGULAR)
        .map(|f| {
            let map = f.charmap();
            text.chars()
                .all(|c| c.is_whitespace() || map.map(c).is_some())
        })
        .unwrap_or(false)
}

/// Escapes text for SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            c => s.push(c),
        }
    }
    s
}

/// An axis-aligned box, for collision checks between labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f32,
    /// Top.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// Whether two boxes overlap (touching is not overlapping).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether `o` lies wholly inside this box.
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x
            && o.y >= self.y
            && o.x + o.w <= self.x + self.w
            && o.y + o.h <= self.y + self.h
    }
}

/// How text is anchored at its x coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// x is the left edge.
    Start,
    /// x is the middle.
    Middle,
    /// x is the right edge.
    End,
}

/// One line of text to draw.
#[derive(Clone, Debug)]
pub struct Text<'a> {
    /// Left, middle or right x, per `anchor`.
    pub x: f32,
    /// Baseline y.
    pub y: f32,
    /// Size in px.
    pub size: f32,
    /// Bold face.
    pub bold: bool,
    /// Where x is.
    pub anchor: Anchor,
    /// Fill colour.
    pub fill: &'a str,
    /// A white outline under the glyphs, so text reads over a map.
    pub halo: bool,
    /// Rotation in degrees about (x, y).
    pub rotate: f32,
    /// The text.
    pub text: &'a str,
}

impl<'a> Text<'a> {
    /// Plain dark text, left-anchored.
    pub fn new(x: f32, y: f32, size: f32, text: &'a str) -> Text<'a> {
        Text {
            x,
            y,
            size,
            bold: false,
            anchor: Anchor::Start,
            fill: "#111111",
            halo: false,
            rotate: 0.0,
            text,
        }
    }

    /// The box the (unrotated) text occupies.
    pub fn bounds(&self) -> Rect {
        let w = text_width(self.text, self.size, self.bold);
        let x = match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - w / 2.0,
            Anchor::End => self.x - w,
        };
        // DejaVu's ascent is about 0.76 em and its descent 0.24 em.
        Rect {
            x,
            y: self.y - self.size * 0.78,
            w,
            h: self.size,
        }
    }
}

/// An SVG document under construction.
pub struct Svg {
    out: String,
}

impl Svg {
    /// A document of `width`×`height` px on a background colour, with the shared defs.
    pub fn new(width: u32, height: u32, background: &str) -> Svg {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FAMILY}">"#
        );
        out.push_str(super::DEFS);
        let _ = write!(
            out,
            r#"<rect width="{width}" height="{height}" fill="{background}"/>"#
        );
        Svg { out }
    }

    /// Appends raw SVG.
    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A rectangle.
    pub fn rect(&mut self, r: Rect, fill: &str, stroke: Option<(&str, f32)>) {
        let _ = write!(
            self.out,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}""#,
            r.x, r.y, r.w, r.h
        );
        if let Some((colour, width)) = stroke {
            let _ = write!(self.out, r#" stroke="{colour}" stroke-width="{width}""#);
        }
        self.out.push_str("/>");
    }

    /// A line.
    pub fn line(&mut self, a: (f32, f32), b: (f32, f32), stroke: &str, width: f32, dash: bool) {
        let _ = write!(
            self.out,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{stroke}" stroke-width="{width}""#,
            a.0, a.1, b.0, b.1
        );
        if dash {
            self.out.push_str(r#" stroke-dasharray="3 3""#);
        }
        self.out.push_str("/>");
    }

    /// A circle.
    pub fn circle(&mut self, c: (f32, f32), r: f32, fill: &str, stroke: &str, width: f32) {
        let _ = write!(
            self.out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>"#,
            c.0, c.1
        );
    }

    /// A line of text.
    pub fn text(&mut self, t: &Text<'_>) {
        let anchor = match t.anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = write!(
            self.out,
            r#"<text x="{:.1}" y="{:.1}" font-size="{}" fill="{}" text-anchor="{anchor}""#,
            t.x, t.y, t.size, t.fill
        );
        if t.bold {
            self.out.push_str(r#" font-weight="bold""#);
        }
        if t.halo {
            self.out.push_str(
                r##" stroke="#ffffff" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke""##,
            );
        }
        if t.rotate != 0.0 {
            let _ = write!(
                self.out,
                r#" transform="rotate({} {:.1} {:.1})""#,
                t.rotate, t.x, t.y
            );
        }
        let _ = write!(self.out, ">{}</text>", escape(t.text));
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

impl std::fmt::Write for Svg {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.raw(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_measures_and_covers_latin_and_cyrillic_only() {
        let w = text_width("Kazakhstan", 16.0, false);
        assert!((60.0..110.0).contains(&w), "{w}");
        assert!(text_width("Kazakhstan", 16.0, true) > w);
        assert!(covers("Казахстан") && covers("Türkiye"));
        assert!(!covers("中国"), "no Chinese glyphs in the subset");
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}

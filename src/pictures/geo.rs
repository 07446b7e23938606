//! Country shapes from Natural Earth (public domain), as packaged by the npm registry's
//! `world-atlas` 2.0.2 and converted by `tools/convert-world-atlas.py` into
//! `assets/world.bin`, and the map projection.
//!
//! Shapes are joined to the fact base by ISO 3166 code: world-atlas gives the numeric code,
//! `keshvar` (via `search::world`) turns it into the alpha-2 code the facts use.

use std::sync::OnceLock;

/// The embedded shapes (format in `tools/convert-world-atlas.py`).
const WORLD: &[u8] = include_bytes!("../../assets/world.bin");

/// One country's outline.
#[derive(Debug)]
pub struct Shape {
    /// ISO 3166-1 numeric code (0 where Natural Earth has none, e.g. Kosovo).
    pub numeric: u16,
    /// Its alpha-2 code, where ISO 3166 (keshvar) knows the numeric one.
    pub alpha2: Option<String>,
    /// Rings of (longitude, latitude) in degrees; drawn with the even-odd rule.
    pub rings: Vec<Vec<(f32, f32)>>,
}

/// The decoded shapes and the note naming their origin.
pub struct World {
    /// Where the shapes come from, and their version.
    pub note: String,
    /// Every country outline.
    pub shapes: Vec<Shape>,
}

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    fn varint(&mut self) -> Option<i64> {
        let mut z: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            z |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Some((z >> 1) as i64 ^ -((z & 1) as i64));
            }
        }
        None
    }
}

fn decode(bytes: &[u8]) -> Option<World> {
    let mut b = Bytes(bytes);
    if b.take(8)? != b"SCOWORLD" || b.u8()? != 1 {
        return None;
    }
    let n = usize::from(b.u16()?);
    let note = String::from_utf8(b.take(n)?.to_vec()).ok()?;
    let count = b.u16()?;
    let mut shapes = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let numeric = b.u16()?;
        let _scale = b.u8()?;
        let rings_n = b.u16()?;
        let mut rings = Vec::with_capacity(usize::from(rings_n));
        for _ in 0..rings_n {
            let points = b.u16()?;
            let (mut x, mut y) = (0i64, 0i64);
            let mut ring = Vec::with_capacity(usize::from(points));
            for _ in 0..points {
                x += b.varint()?;
                y += b.varint()?;
                ring.push((x as f32 / 100.0, y as f32 / 100.0));
            }
            rings.push(ring);
        }
        let alpha2 = crate::search::world::by_numeric(numeric).map(|c| c.alpha2.clone());
        shapes.push(Shape {
            numeric,
            alpha2,
            rings,
        });
    }
    b.0.is_empty().then_some(World { note, shapes })
}

/// The embedded world, decoded once.
pub fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        decode(WORLD).expect("assets/world.bin is written by tools/convert-world-atlas.py")
    })
}

/// The shape of the country with an alpha-2 code.
pub fn shape(alpha2: &str) -> Option<&'static Shape> {
    world()
        .shapes
        .iter()
        .find(|s| s.alpha2.as_deref() == Some(alpha2))
}

/// A ring's longitudes west of 150°W moved east of the antimeridian when the ring lies wholly
/// there (Chukotka's tip, the Aleutians) or also reaches east of 150°E (Russia's and Fiji's
/// rings that Natural Earth cuts at 180°), so no ring is drawn across the whole map.
pub fn unwrap_ring(ring: &[(f32, f32)]) -> impl Iterator<Item = (f32, f32)> + '_ {
    let (min, max) = ring
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let shift = min < -150.0 && !(-150.0..=150.0).contains(&max);
    ring.iter().map(move |&(x, y)| {
        if shift && x < -150.0 {
            (x + 360.0, y)
        } else {
            (x, y)
        }
    })
}

/// An equirectangular projection (true to scale at 40° of latitude) of a longitude/latitude
/// window onto a frame of the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    /// West edge, degrees (rings are unwrapped past 180°, see [`unwrap_ring`]).
    pub lon0: f32,
    /// North edge, degrees.
    pub lat1: f32,
    /// Pixels per degree of latitude.
    pub k: f32,
    /// The frame's left edge, px.
    pub fx: f32,
    /// The frame's top edge, px.
    pub fy: f32,
}

/// cos 40°: the parallel where the projection is true to scale.
const ASPECT: f32 = 0.766;

impl Projection {
    /// The projection showing at least `bbox` (lon0, lat0, lon1, lat1), centred, filling a frame
    /// at (fx, fy) of fw × fh px.
    pub fn fit(bbox: (f32, f32, f32, f32), frame: (f32, f32, f32, f32)) -> Projection {
        let (lon0, lat0, lon1, lat1) = bbox;
        let (fx, fy, fw, fh) = frame;
        let k = (fw / ((lon1 - lon0) * ASPECT)).min(fh / (lat1 - lat0));
        let cx = (lon0 + lon1) / 2.0;
        let cy = (lat0 + lat1) / 2.0;
        Projection {
            lon0: cx - fw / (2.0 * k * ASPECT),
            lat1: cy + fh / (2.0 * k),
            k,
            fx,
            fy,
        }
    }

    /// Pixel position of a point.
    pub fn project(&self, lon: f32, lat: f32) -> (f32, f32) {
        (
            self.fx + (lon - self.lon0) * ASPECT * self.k,
            self.fy + (self.lat1 - lat) * self.k,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_world_has_the_small_partners_and_joins_by_iso_code() {
        let w = world();
        assert!(w.shapes.len() > 200, "{}", w.shapes.len());
        assert!(w.note.contains("Natural Earth") && w.note.contains("world-atlas"));
        for code in ["CN", "RU", "BY", "MN", "BH", "MV", "QA", "IN", "EG", "KH"] {
            let s = shape(code).unwrap_or_else(|| panic!("{code} has a shape"));
            assert!(!s.rings.is_empty());
        }
        assert_eq!(shape("CN").map(|s| s.numeric), Some(156));
        let p = Projection::fit((0.0, 0.0, 100.0, 50.0), (10.0, 20.0, 766.0, 500.0));
        let (x, y) = p.project(50.0, 25.0);
        assert!(
            (x - 393.0).abs() < 0.5 && (y - 270.0).abs() < 0.5,
            "{x} {y}"
        );
    }
}

//! `/map`: every country coloured by its SCO status on a date, with a legend, a title with the
//! date, the source and version in a corner, and optionally one country outlined.

use std::fmt::Write as _;

use super::geo::{self, Projection, Shape};
use super::svg::{Anchor, Rect, Svg, Text, text_width};
use super::{OTHER, Picture, PictureError, founding, legend_label, status_at, status_colour};
use crate::facts::{Date, Details, FactBase, Kind, Status};

/// Picture width, px (Discord's large preview is 1200 wide).
pub const WIDTH: u32 = 1200;
/// Picture height, px.
pub const HEIGHT: u32 = 630;
/// The map's frame (x, y, w, h); the legend sits to its right, the title above.
pub const FRAME: (f32, f32, f32, f32) = (0.0, 64.0, 880.0, 566.0);
/// Below this size on screen (px) a country is drawn as a marked point with its name.
const POINT_BELOW: f32 = 9.0;
/// Label text size, px.
const LABEL: f32 = 14.0;
/// Statuses in legend order (the timeline uses it too).
pub const LEGEND_ORDER: [Status; 6] = [
    Status::ShanghaiFive,
    Status::Member,
    Status::Observer,
    Status::DialoguePartner,
    Status::Partner,
    Status::Guest,
];

/// A country the map colours.
#[derive(Clone, Debug)]
pub struct Coloured {
    /// Its name in the fact base.
    pub name: String,
    /// ISO alpha-2 code.
    pub iso: String,
    /// Its status on the map's date.
    pub status: Status,
}

/// A drawn map and what it shows.
pub struct Map {
    /// The SVG text.
    pub svg: String,
    /// Every coloured country, in legend order.
    pub coloured: Vec<Coloured>,
    /// The projection used (tests find countries' pixels with it).
    pub projection: Projection,
    /// Whether the whole world is shown (else the region around the coloured countries).
    pub world: bool,
    /// The label boxes placed, none overlapping another.
    pub labels: Vec<Rect>,
}

/// The countries with a status on `date`, in legend order then name.
pub fn coloured(facts: &FactBase, date: Date) -> Vec<Coloured> {
    let founded = founding(facts);
    let mut list: Vec<Coloured> = facts
        .of_kind(Kind::Country)
        .filter_map(|e| match &e.details {
            Details::Country(c) => status_at(c, date, founded).map(|status| Coloured {
                name: e.name.clone(),
                iso: c.iso.clone(),
                status,
            }),
            _ => None,
        })
        .collect();
    list.sort_by_key(|c| {
        (
            LEGEND_ORDER.iter().position(|s| *s == c.status),
            c.name.clone(),
        )
    });
    list
}

fn bbox_of<'a>(shapes: impl Iterator<Item = &'a Shape>) -> Option<(f32, f32, f32, f32)> {
    let mut b: Option<(f32, f32, f32, f32)> = None;
    for s in shapes {
        for r in &s.rings {
            for (x, y) in geo::unwrap_ring(r) {
                b = Some(match b {
                    None => (x, y, x, y),
                    Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
                });
            }
        }
    }
    b
}

/// The polygon area centroid and the bounding box (px) of a shape's largest ring.
fn largest_ring(p: &Projection, s: &Shape) -> Option<((f32, f32), Rect)> {
    let mut best: Option<(f32, (f32, f32), Rect)> = None;
    for r in &s.rings {
        let pts: Vec<(f32, f32)> = ring_points(p, r).collect();
        let (mut a, mut cx, mut cy) = (0.0f32, 0.0f32, 0.0f32);
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (i, &(x, y)) in pts.iter().enumerate() {
            let (nx, ny) = pts[(i + 1) % pts.len()];
            let cross = x * ny - nx * y;
            a += cross;
            cx += (x + nx) * cross;
            cy += (y + ny) * cross;
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let rect = Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        };
        let centre = if a.abs() > 1e-3 {
            (cx / (3.0 * a), cy / (3.0 * a))
        } else {
            (x0 + rect.w / 2.0, y0 + rect.h / 2.0)
        };
        let area = a.abs() / 2.0;
        if best.as_ref().is_none_or(|b| area > b.0) {
            best = Some((area, centre, rect));
        }
    }
    best.map(|(_, c, r)| (c, r))
}

fn ring_points<'a>(
    p: &'a Projection,
    r: &'a [(f32, f32)],
) -> impl Iterator<Item = (f32, f32)> + 'a {
    geo::unwrap_ring(r).map(move |(x, y)| p.project(x, y))
}

fn path_data(p: &Projection, s: &Shape) -> String {
    let mut d = String::new();
    for r in &s.rings {
        let mut last = (f32::NAN, f32::NAN);
        let mut n = 0;
        for (x, y) in ring_points(p, r) {
            let q = ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0);
            if q == last {
                continue;
            }
            let _ = write!(d, "{}{:.1} {:.1}", if n == 0 { 'M' } else { 'L' }, q.0, q.1);
            last = q;
            n += 1;
        }
        if n > 0 {
            d.push('Z');
        }
    }
    d
}

/// Draws the map of `date`, outlining `highlight` (an alpha-2 code) if given.
pub fn draw(facts: &FactBase, date: Date, as_of_phrase: &str, highlight: Option<&str>) -> Map {
    let list = coloured(facts, date);
    let world = geo::world();
    // The view: the coloured (and highlighted) countries with a margin, or the whole world
    // when they spread too far for a regional view.
    let shown: Vec<&str> = list
        .iter()
        .map(|c| c.iso.as_str())
        .chain(highlight)
        .collect();
    let bbox = bbox_of(shown.iter().filter_map(|iso| geo::shape(iso)));
    let (bbox, is_world) = match bbox {
        Some((a, b, c, d)) if c - a <= 230.0 => (
            (a - 6.0, (b - 6.0).max(-58.0), c + 6.0, (d + 3.0).min(84.0)),
            false,
        ),
        // Unwrapped, the world runs from Alaska's western tip to Chukotka's eastern one.
        _ => ((-170.0, -58.0, 191.0, 84.0), true),
    };
    let proj = Projection::fit(bbox, FRAME);
    let frame = Rect {
        x: FRAME.0,
        y: FRAME.1,
        w: FRAME.2,
        h: FRAME.3,
    };

    let mut svg = Svg::new(WIDTH, HEIGHT, "#ffffff");
    svg.raw(&format!(
        r##"<clipPath id="frame"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath><g clip-path="url(#frame)"><rect x="{}" y="{}" width="{}" height="{}" fill="#eaf1f7"/>"##,
        FRAME.0, FRAME.1, FRAME.2, FRAME.3, FRAME.0, FRAME.1, FRAME.2, FRAME.3
    ));
    let status_of = |iso: &str| list.iter().find(|c| c.iso == iso);
    let mut points: Vec<(&Coloured, (f32, f32))> = Vec::new();
    let mut labels: Vec<(&Coloured, (f32, f32), Rect)> = Vec::new();
    for s in &world.shapes {
        let Some((centre, rect)) = largest_ring(&proj, s) else {
            continue;
        };
        let all = bbox_of(std::iter::once(s)).map(|(a, b, c, d)| {
            let (x0, y1) = proj.project(a, b);
            let (x1, y0) = proj.project(c, d);
            Rect {
                x: x0,
                y: y0,
                w: x1 - x0,
                h: y1 - y0,
            }
        });
        if all.is_some_and(|r| !r.overlaps(&frame)) {
            continue;
        }
        let c = s.alpha2.as_deref().and_then(status_of);
        let fill = c.map_or(OTHER, |c| status_colour(c.status));
        let _ = write!(
            svg,
            r##"<path fill="{fill}" fill-rule="evenodd" stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round""##
        );
        if let Some(c) = c {
            let _ = write!(
                svg,
                r#" id="{}" data-name="{}" data-status="{}""#,
                c.iso,
                super::svg::escape(&c.name),
                c.status.key()
            );
        }
        let _ = write!(svg, r#" d="{}"/>"#, path_data(&proj, s));
        if let Some(c) = c {
            if rect.w.max(rect.h) < POINT_BELOW {
                points.push((c, centre));
            } else {
                labels.push((c, centre, rect));
            }
        }
    }
    svg.raw("</g>");

    // Labels: the highlighted country first, then small states drawn as points (they must be
    // named), then the larger coloured countries whose name fits inside them. A label that
    // would overlap another, or leave the frame, moves (points) or is left out (areas).
    let mut placed: Vec<Rect> = Vec::new();
    // Each label: its text, x, baseline y, anchor, bold, and a leader line from a point.
    type Label = (
        String,
        f32,
        f32,
        Anchor,
        bool,
        Option<((f32, f32), (f32, f32))>,
    );
    let mut texts: Vec<Label> = Vec::new();
    let free =
        |r: &Rect, placed: &[Rect]| frame.contains(r) && !placed.iter().any(|p| p.overlaps(r));
    let is_hl = |iso: &str| highlight == Some(iso);
    // Markers never cover one another: a marker that would is moved aside (up to 3 steps
    // of 14 px), with a line to where the state is.
    for (_, at) in points.iter_mut() {
        let true_at = *at;
        let marker = |p: (f32, f32)| Rect {
            x: p.0 - 7.0,
            y: p.1 - 7.0,
            w: 14.0,
            h: 14.0,
        };
        let offsets = [0.0f32, 14.0, 28.0, 42.0].into_iter().flat_map(|d| {
            [(0.0, -1.0), (1.0, 0.0), (0.0, 1.0), (-1.0, 0.0)]
                .into_iter()
                .map(move |(dx, dy)| (dx * d, dy * d))
        });
        for (dx, dy) in offsets {
            let p = (true_at.0 + dx, true_at.1 + dy);
            if !placed.iter().any(|r| r.overlaps(&marker(p))) {
                *at = p;
                break;
            }
        }
        if *at != true_at {
            svg.line(true_at, *at, "#111111", 1.0, false);
        }
        placed.push(marker(*at));
    }
    for (c, at) in &points {
        svg.circle(*at, 6.0, status_colour(c.status), "#111111", 1.2);
    }
    points.sort_by_key(|(c, _)| !is_hl(&c.iso));
    for (c, at) in &points {
        let bold = is_hl(&c.iso);
        let mut done = false;
        'search: for dist in [12.0f32, 26.0, 44.0, 66.0, 90.0] {
            for (dx, dy) in [
                (1.0, 0.0),
                (-1.0, 0.0),
                (0.7, 0.7),
                (-0.7, 0.7),
                (0.7, -0.7),
                (-0.7, -0.7),
                (0.0, 1.0),
                (0.0, -1.0),
            ] {
                let (ax, ay) = (at.0 + dx * dist, at.1 + dy * dist);
                let (x, anchor) = if dx > 0.1 {
                    (ax, Anchor::Start)
                } else if dx < -0.1 {
                    (ax, Anchor::End)
                } else {
                    (ax, Anchor::Middle)
                };
                let mut t = Text::new(x, ay + LABEL * 0.35, LABEL, &c.name);
                t.anchor = anchor;
                t.bold = bold;
                let b = t.bounds();
                let r = Rect {
                    x: b.x - 2.0,
                    y: b.y - 2.0,
                    w: b.w + 4.0,
                    h: b.h + 4.0,
                };
                if free(&r, &placed) {
                    placed.push(r);
                    let leader = (dist > 12.0).then_some((*at, (ax, ay)));
                    texts.push((c.name.clone(), x, ay + LABEL * 0.35, anchor, bold, leader));
                    done = true;
                    break 'search;
                }
            }
        }
        if !done {
            tracing::warn!(country = %c.name, "no free place for a map label");
        }
    }
    labels.sort_by_key(|(c, _, r)| (!is_hl(&c.iso), c.status != Status::Member, -(r.w as i64)));
    for (c, centre, rect) in &labels {
        let bold = is_hl(&c.iso);
        let w = text_width(&c.name, LABEL, bold);
        if w > rect.w * 0.9 && !bold {
            continue;
        }
        let mut t = Text::new(centre.0, centre.1 + LABEL * 0.35, LABEL, &c.name);
        t.anchor = Anchor::Middle;
        t.bold = bold;
        let b = t.bounds();
        let r = Rect {
            x: b.x - 2.0,
            y: b.y - 2.0,
            w: b.w + 4.0,
            h: b.h + 4.0,
        };
        if free(&r, &placed) {
            placed.push(r);
            texts.push((
                c.name.clone(),
                centre.0,
                centre.1 + LABEL * 0.35,
                Anchor::Middle,
                bold,
                None,
            ));
        }
    }
    // The outline of the highlighted country, over its neighbours.
    if let Some(iso) = highlight
        && let Some(s) = geo::shape(iso)
    {
        let _ = write!(
            svg,
            r##"<g clip-path="url(#frame)"><path fill="none" fill-rule="evenodd" stroke="#000000" stroke-width="2.5" stroke-linejoin="round" d="{}"/></g>"##,
            path_data(&proj, s)
        );
        if let Some((_, at)) = points.iter().find(|(c, _)| c.iso == iso) {
            svg.circle(*at, 10.0, "none", "#000000", 2.5);
        }
    }
    for (text, x, y, anchor, bold, leader) in &texts {
        if let Some((a, b)) = leader {
            svg.line(*a, *b, "#333333", 1.0, false);
        }
        let mut t = Text::new(*x, *y, LABEL, text);
        t.anchor = *anchor;
        t.bold = *bold;
        t.halo = true;
        svg.text(&t);
    }

    // Title, legend, source.
    let before_sco = !list.is_empty() && list.iter().all(|c| c.status == Status::ShanghaiFive);
    let heading = if before_sco {
        "The Shanghai Five, forerunner of the SCO"
    } else {
        "SCO members and partners"
    };
    let mut title = Text::new(16.0, 32.0, 24.0, heading);
    title.bold = true;
    svg.text(&title);
    svg.text(&Text::new(16.0, 55.0, 16.0, as_of_phrase));
    svg.line((880.0, 64.0), (880.0, 630.0), "#cccccc", 1.0, false);
    let mut y = 96.0;
    let mut heading = Text::new(900.0, y, 18.0, "Status");
    heading.bold = true;
    svg.text(&heading);
    y += 14.0;
    for status in LEGEND_ORDER {
        let n = list.iter().filter(|c| c.status == status).count();
        if n == 0 {
            continue;
        }
        svg.rect(
            Rect {
                x: 900.0,
                y,
                w: 26.0,
                h: 18.0,
            },
            status_colour(status),
            Some(("#555555", 0.8)),
        );
        let label = format!("{} ({n})", legend_label(status));
        svg.text(&Text::new(936.0, y + 14.0, 15.0, &label));
        y += 28.0;
    }
    if list.is_empty() {
        svg.text(&Text::new(
            900.0,
            y + 14.0,
            15.0,
            "No members or partners yet",
        ));
        y += 28.0;
    }
    svg.rect(
        Rect {
            x: 900.0,
            y,
            w: 26.0,
            h: 18.0,
        },
        OTHER,
        Some(("#555555", 0.8)),
    );
    svg.text(&Text::new(936.0, y + 14.0, 15.0, "Other countries"));
    y += 28.0;
    if !points.is_empty() {
        svg.circle((913.0, y + 9.0), 6.0, "#ffffff", "#111111", 1.2);
        svg.text(&Text::new(
            936.0,
            y + 14.0,
            15.0,
            "Small state, shown as a point",
        ));
        y += 28.0;
    }
    if let Some(iso) = highlight {
        let name = list
            .iter()
            .find(|c| c.iso == iso)
            .map(|c| c.name.clone())
            .or_else(|| crate::search::world::by_alpha2(iso).map(|w| w.name.to_string()))
            .unwrap_or_else(|| iso.to_string());
        svg.rect(
            Rect {
                x: 900.0,
                y,
                w: 26.0,
                h: 18.0,
            },
            "none",
            Some(("#000000", 2.5)),
        );
        svg.text(&Text::new(
            936.0,
            y + 14.0,
            15.0,
            &format!("Outlined: {name}"),
        ));
    }
    let notes = super::svg::wrap(
        "Borders as Natural Earth draws them by default, disputed areas (Kashmir, Aksai Chin) included.",
        14.0,
        WIDTH as f32 - 900.0 - 14.0,
    );
    let top = 590.0 - 18.0 * notes.len() as f32;
    for (i, n) in notes.iter().enumerate() {
        let mut t = Text::new(900.0, top + 18.0 * i as f32, 14.0, n);
        t.fill = "#444444";
        svg.text(&t);
    }
    let source = format!("Source: sco-bot facts, v{}", facts.meta.version);
    let mut t = Text::new(1186.0, 616.0, 14.0, &source);
    t.anchor = Anchor::End;
    t.fill = "#444444";
    svg.text(&t);

    Map {
        svg: svg.finish(),
        coloured: list,
        projection: proj,
        world: is_world,
        labels: placed,
    }
}

/// Alt text: what the map shows, in words.
pub fn alt(list: &[Coloured], as_of_phrase: &str, world: bool) -> String {
    let mut s = format!(
        "{} of SCO members and partners, {as_of_phrase}.",
        if world { "World map" } else { "Map of Eurasia" }
    );
    for status in LEGEND_ORDER {
        let names: Vec<&str> = list
            .iter()
            .filter(|c| c.status == status)
            .map(|c| c.name.as_str())
            .collect();
        if !names.is_empty() {
            let _ = write!(s, " {}: {}.", legend_label(status), names.join(", "));
        }
    }
    if list.is_empty() {
        s.push_str(" No country has a status yet.");
    }
    s
}

/// The map as a finished picture.
pub fn picture(
    facts: &FactBase,
    date: Date,
    as_of_phrase: &str,
    highlight: Option<&str>,
) -> Result<Picture, PictureError> {
    let map = draw(facts, date, as_of_phrase, highlight);
    let alt = alt(&map.coloured, as_of_phrase, map.world);
    let name = format!("sco-map-{}.png", date.year);
    Picture::render(name, map.svg, alt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use resvg::tiny_skia::Pixmap;

    fn facts() -> FactBase {
        FactBase::bundled().expect("the bundled facts load")
    }

    fn end_of(year: i32) -> Date {
        Date {
            year,
            month: 12,
            day: 31,
        }
    }

    /// The colour of the PNG's pixel at a longitude/latitude, as `#RRGGBB`.
    fn colour_at(map: &Map, png: &[u8], lon: f32, lat: f32) -> String {
        let pix = Pixmap::decode_png(png).expect("the PNG decodes");
        let (x, y) = map.projection.project(lon, lat);
        let p = pix.pixel(x as u32, y as u32).expect("inside the picture");
        format!("#{:02X}{:02X}{:02X}", p.red(), p.green(), p.blue())
    }

    #[test]
    fn countries_have_their_status_colour_in_2010_and_today() {
        let f = facts();
        let mut seen = Vec::new();
        for (date, belarus, mongolia) in [
            (end_of(2010), Status::DialoguePartner, Status::Observer),
            (f.meta.as_of, Status::Member, Status::Partner),
        ] {
            let map = draw(&f, date, "test", None);
            let (png, w, h) = crate::pictures::raster::png(&map.svg).expect("renders");
            assert_eq!((w, h), (WIDTH, HEIGHT));
            let at = |lon, lat| colour_at(&map, &png, lon, lat);
            assert_eq!(at(88.0, 32.0), status_colour(Status::Member), "China");
            assert_eq!(at(28.0, 53.5), status_colour(belarus), "Belarus");
            assert_eq!(at(112.0, 45.5), status_colour(mongolia), "Mongolia");
            assert_eq!(at(31.0, 49.0), OTHER, "Ukraine has no status");
            seen.push(at(28.0, 53.5));
        }
        assert_ne!(seen[0], seen[1], "Belarus changed colour");
    }

    #[test]
    fn the_svg_names_every_coloured_country_and_small_states_are_points() {
        let f = facts();
        let map = draw(&f, f.meta.as_of, "test", None);
        assert_eq!(map.coloured.len(), 28);
        for c in &map.coloured {
            assert!(
                map.svg
                    .contains(&format!(r#"id="{}" data-name="{}""#, c.iso, c.name)),
                "{} is not drawn",
                c.name
            );
        }
        for small in ["Bahrain", "Maldives"] {
            assert!(
                map.svg.contains(&format!(">{small}</text>")),
                "{small} is labelled"
            );
        }
        assert!(!map.world, "the members and partners fit a regional view");
        for (i, a) in map.labels.iter().enumerate() {
            for b in &map.labels[i + 1..] {
                assert!(!a.overlaps(b), "labels overlap: {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn the_map_for_2000_has_no_members() {
        let f = facts();
        let map = draw(&f, end_of(2000), "test", None);
        assert!(!map.coloured.is_empty(), "the Shanghai Five are shown");
        assert!(
            map.coloured
                .iter()
                .all(|c| c.status == Status::ShanghaiFive),
            "{:?}",
            map.coloured
        );
        assert!(!map.svg.contains(status_colour(Status::Member)));
        let alt = alt(&map.coloured, "at the end of 2000", map.world);
        assert!(alt.contains("Shanghai Five member: China"), "{alt}");
    }

    #[test]
    fn a_highlighted_country_is_outlined_and_named_even_outside_the_sco() {
        let f = facts();
        let map = draw(&f, f.meta.as_of, "test", Some("UA"));
        assert!(map.svg.contains(r##"stroke="#000000" stroke-width="2.5""##));
        assert!(map.svg.contains("Outlined: Ukraine"));
        // Brazil is far from Eurasia: the view becomes the world, where the Gulf states'
        // markers crowd; neither markers nor labels may cover one another.
        let map = draw(&f, f.meta.as_of, "test", Some("BR"));
        assert!(map.world);
        for (i, a) in map.labels.iter().enumerate() {
            for b in &map.labels[i + 1..] {
                assert!(!a.overlaps(b), "overlap: {a:?} {b:?}");
            }
        }
    }
}

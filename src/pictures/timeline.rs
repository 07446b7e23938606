//! The timeline chart (`/timeline view:chart`): one row per country with a status, its
//! statuses as coloured bars on one time axis, summits as marks with their city; and the
//! small status strip of one country (`/member`).

use super::svg::{Anchor, Rect, Svg, Text, text_width};
use super::{Picture, PictureError, ink_on, legend_label, status_colour, year_fraction};
use crate::facts::{Country, Date, Details, Entry, FactBase, Kind, Status};

/// Chart width, px.
pub const WIDTH: u32 = 1400;
/// Left edge of the plot (country names sit left of it).
const X0: f32 = 210.0;
/// Right edge of the plot.
const X1: f32 = 1300.0;
/// Top of the first country row.
const ROWS_TOP: f32 = 236.0;
/// Height of a country row.
const ROW: f32 = 24.0;

/// One coloured span of a country's history.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// The status.
    pub status: Status,
    /// From.
    pub from: Date,
    /// To (the next change, or the fact base's date).
    pub to: Date,
}

/// A country's statuses as spans, up to `end`.
pub fn spans(c: &Country, end: Date) -> Vec<Span> {
    let steps: Vec<(Date, Status)> = c
        .history
        .iter()
        .filter_map(|s| s.status.map(|st| (s.date, st)))
        .filter(|(d, _)| *d <= end)
        .collect();
    steps
        .iter()
        .enumerate()
        .map(|(i, &(from, status))| Span {
            status,
            from,
            to: steps.get(i + 1).map_or(end, |n| n.0),
        })
        .collect()
}

/// The summits and Shanghai Five meetings: date, city.
fn summits(facts: &FactBase) -> Vec<(Date, &str)> {
    let mut list: Vec<(Date, &str)> = facts
        .of_kind(Kind::Summit)
        .filter_map(|e| match &e.details {
            Details::Summit(s) => Some((s.start, s.city.as_str())),
            _ => None,
        })
        .collect();
    list.sort();
    list
}

/// A drawn chart and its label boxes (in unrotated form for rotated summit labels: their
/// horizontal footprints).
pub struct Chart {
    /// The SVG text.
    pub svg: String,
    /// Picture height, px.
    pub height: u32,
    /// Boxes of every label, none overlapping another.
    pub labels: Vec<Rect>,
    /// Countries in row order.
    pub rows: Vec<String>,
}

/// Draws the timeline chart of every country with a status, from `from` to the fact base's
/// date (or the end of `to`).
pub fn draw(facts: &FactBase, from: i32, to: Option<i32>) -> Chart {
    let as_of = facts.meta.as_of;
    let end = match to {
        Some(y) if y < as_of.year => Date {
            year: y,
            month: 12,
            day: 31,
        },
        _ => as_of,
    };
    let start = Date {
        year: from,
        month: 1,
        day: 1,
    };
    let (t0, t1) = (
        year_fraction(start),
        year_fraction(end).max(year_fraction(start) + 1.0),
    );
    let x = |d: Date| X0 + ((year_fraction(d) - t0) / (t1 - t0)) as f32 * (X1 - X0);
    let mut rows: Vec<(&Entry, Vec<Span>)> = facts
        .of_kind(Kind::Country)
        .filter_map(|e| match &e.details {
            Details::Country(c) => {
                let s: Vec<Span> = spans(c, end)
                    .into_iter()
                    .filter(|s| s.to >= start)
                    .collect();
                (!s.is_empty()).then_some((e, s))
            }
            _ => None,
        })
        .collect();
    rows.sort_by(|a, b| {
        a.1[0]
            .from
            .cmp(&b.1[0].from)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    let height = (ROWS_TOP + rows.len() as f32 * ROW + 64.0).max(630.0) as u32;
    let bottom = ROWS_TOP + rows.len() as f32 * ROW;
    let mut svg = Svg::new(WIDTH, height, "#ffffff");
    let mut labels: Vec<Rect> = Vec::new();

    let title = format!("SCO timeline, {} to {}", start.year, end);
    let mut t = Text::new(16.0, 34.0, 24.0, &title);
    t.bold = true;
    svg.text(&t);
    labels.push(t.bounds());
    // Legend, one line.
    let mut lx = 16.0;
    let present: Vec<Status> = super::map::LEGEND_ORDER
        .into_iter()
        .filter(|s| rows.iter().any(|(_, sp)| sp.iter().any(|x| x.status == *s)))
        .collect();
    for s in present {
        svg.rect(
            Rect {
                x: lx,
                y: 50.0,
                w: 22.0,
                h: 16.0,
            },
            status_colour(s),
            Some(("#555555", 0.8)),
        );
        let t = Text::new(lx + 28.0, 63.0, 15.0, legend_label(s));
        labels.push(t.bounds());
        svg.text(&t);
        lx += 28.0 + text_width(legend_label(s), 15.0, false) + 22.0;
    }
    let mark = Text::new(lx + 14.0, 63.0, 15.0, "Summit or Shanghai Five meeting");
    svg.raw(&format!(
        r##"<path d="M{:.1} 51 l6 7 l-6 7 l-6 -7 z" fill="#333333"/>"##,
        lx + 4.0
    ));
    labels.push(mark.bounds());
    svg.text(&mark);

    // Year grid and axis.
    for y in start.year..=end.year + 1 {
        let d = Date {
            year: y,
            month: 1,
            day: 1,
        };
        if d < start || d > end {
            continue;
        }
        let gx = x(d);
        let strong = y % 5 == 0;
        svg.line(
            (gx, ROWS_TOP - 6.0),
            (gx, bottom),
            if strong { "#bbbbbb" } else { "#e4e4e4" },
            1.0,
            false,
        );
        if strong || t1 - t0 < 12.0 {
            let label = y.to_string();
            let mut t = Text::new(gx, bottom + 22.0, 15.0, &label);
            t.anchor = Anchor::Middle;
            labels.push(t.bounds());
            svg.text(&t);
        }
    }
    // Summits: a mark on the summit line, the city rotated above it, a faint line down.
    let line_y = ROWS_TOP - 14.0;
    let mut last_right = f32::MIN;
    for (d, city) in summits(facts)
        .into_iter()
        .filter(|(d, _)| *d >= start && *d <= end)
    {
        let sx = x(d);
        svg.line((sx, line_y), (sx, bottom), "#9a9a9a", 0.8, true);
        svg.raw(&format!(
            r##"<path d="M{sx:.1} {:.1} l6 7 l-6 7 l-6 -7 z" fill="#333333"><title>{}</title></path>"##,
            line_y - 7.0,
            super::svg::escape(city)
        ));
        // Rotated by -60°, a label's horizontal footprint is about its height / sin 60° wide.
        let label = format!("{city} {}", d.year);
        let w = text_width(&label, 14.0, false);
        let foot = Rect {
            x: sx - 4.0,
            y: line_y - 12.0 - w * 0.866,
            w: 14.0 / 0.866 + w * 0.5,
            h: w * 0.866,
        };
        if sx - 4.0 < last_right {
            tracing::warn!(%city, "summit label would overlap the previous one; left out");
            continue;
        }
        last_right = sx - 4.0 + 14.0 / 0.866;
        labels.push(Rect {
            x: sx - 4.0,
            y: foot.y,
            w: 14.0 / 0.866,
            h: foot.h,
        });
        let mut t = Text::new(sx + 4.0, line_y - 12.0, 14.0, &label);
        t.rotate = -60.0;
        svg.text(&t);
    }
    // Rows.
    let mut names = Vec::new();
    for (i, (e, sp)) in rows.iter().enumerate() {
        let top = ROWS_TOP + i as f32 * ROW;
        let mut t = Text::new(X0 - 10.0, top + 17.0, 15.0, &e.name);
        t.anchor = Anchor::End;
        labels.push(t.bounds());
        svg.text(&t);
        for s in sp {
            let a = x(s.from.max(start));
            let b = x(s.to);
            svg.raw(&format!(
                r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="16" fill="{}" stroke="{}" stroke-width="0.8"><title>{}: {} from {}</title></rect>"#,
                top + 4.0,
                (b - a).max(2.0),
                status_colour(s.status),
                "#ffffff",
                super::svg::escape(&e.name),
                s.status.label(),
                s.from.iso()
            ));
        }
        names.push(e.name.clone());
    }
    let source = format!("Source: sco-bot facts, v{}", facts.meta.version);
    let mut t = Text::new(WIDTH as f32 - 16.0, height as f32 - 10.0, 14.0, &source);
    t.anchor = Anchor::End;
    t.fill = "#444444";
    labels.push(t.bounds());
    svg.text(&t);
    Chart {
        svg: svg.finish(),
        height,
        labels,
        rows: names,
    }
}

/// The chart as a finished picture.
pub fn picture(facts: &FactBase, from: i32, to: Option<i32>) -> Result<Picture, PictureError> {
    let chart = draw(facts, from, to);
    let alt = format!(
        "Timeline chart from {from}: one row per country ({}), coloured by SCO status over time, with every summit marked by its city.",
        chart.rows.join(", ")
    );
    Picture::render("sco-timeline.png".into(), chart.svg, alt)
}

/// Strip width, px.
pub const STRIP_WIDTH: u32 = 1200;
/// Strip height, px.
pub const STRIP_HEIGHT: u32 = 300;

/// The status strip of one country: its statuses since 1996 as one bar, with the dates of
/// each change. `None` for a country without dated statuses.
pub fn strip_svg(facts: &FactBase, e: &Entry) -> Option<(String, String)> {
    let Details::Country(c) = &e.details else {
        return None;
    };
    let end = facts.meta.as_of;
    let sp = spans(c, end);
    if sp.is_empty() {
        return None;
    }
    let (x0, x1) = (40.0f32, STRIP_WIDTH as f32 - 40.0);
    let start = Date {
        year: 1996,
        month: 1,
        day: 1,
    };
    let (t0, t1) = (year_fraction(start), year_fraction(end));
    let x = |d: Date| x0 + ((year_fraction(d) - t0) / (t1 - t0)) as f32 * (x1 - x0);
    let mut svg = Svg::new(STRIP_WIDTH, STRIP_HEIGHT, "#ffffff");
    let title = format!("{} and the SCO, 1996 to {end}", e.name);
    let mut t = Text::new(x0, 44.0, 26.0, &title);
    t.bold = true;
    svg.text(&t);
    // Other names, where the embedded font has their letters (Russian yes, Chinese no).
    let others: Vec<&str> = [e.name_ru.as_deref(), e.name_zh.as_deref()]
        .into_iter()
        .flatten()
        .filter(|n| super::svg::covers(n))
        .collect();
    if !others.is_empty() {
        let line = others.join(" · ");
        let mut t = Text::new(x0, 70.0, 16.0, &line);
        t.fill = "#444444";
        svg.text(&t);
    }
    let (top, h) = (112.0, 56.0);
    svg.rect(
        Rect {
            x: x0,
            y: top,
            w: x1 - x0,
            h,
        },
        "#eeeeee",
        None,
    );
    let mut dates_right = f32::MIN;
    for (i, s) in sp.iter().enumerate() {
        let (a, b) = (x(s.from), x(s.to));
        svg.rect(
            Rect {
                x: a,
                y: top,
                w: (b - a).max(2.0),
                h,
            },
            status_colour(s.status),
            Some(("#ffffff", 1.0)),
        );
        let label = s.status.label();
        let size = 17.0;
        if text_width(label, size, true) + 12.0 < b - a {
            let mut t = Text::new((a + b) / 2.0, top + h / 2.0 + 6.0, size, label);
            t.anchor = Anchor::Middle;
            t.bold = true;
            t.fill = ink_on(s.status);
            svg.text(&t);
        }
        let date = s.from.iso();
        let w = text_width(&date, 16.0, false);
        let lane = if a < dates_right { 1.0 } else { 0.0 };
        svg.line(
            (a, top + h),
            (a, top + h + 10.0 + lane * 22.0),
            "#333333",
            1.0,
            false,
        );
        let mut t = Text::new(a, top + h + 28.0 + lane * 22.0, 16.0, &date);
        t.anchor = if i == 0 && a - w / 2.0 < x0 {
            Anchor::Start
        } else {
            Anchor::Middle
        };
        svg.text(&t);
        if lane == 0.0 {
            dates_right = a + w / 2.0 + 8.0;
        }
    }
    // Legend of the statuses shown.
    let mut lx = x0;
    for st in super::map::LEGEND_ORDER {
        if !sp.iter().any(|s| s.status == st) {
            continue;
        }
        svg.rect(
            Rect {
                x: lx,
                y: 248.0,
                w: 22.0,
                h: 16.0,
            },
            status_colour(st),
            Some(("#555555", 0.8)),
        );
        svg.text(&Text::new(lx + 28.0, 261.0, 16.0, legend_label(st)));
        lx += 28.0 + text_width(legend_label(st), 16.0, false) + 24.0;
    }
    // Axis years.
    for y in (2000..=end.year).step_by(5) {
        let gx = x(Date {
            year: y,
            month: 1,
            day: 1,
        });
        svg.line((gx, top - 8.0), (gx, top), "#999999", 1.0, false);
        let label = y.to_string();
        let mut t = Text::new(gx, top - 12.0, 14.0, &label);
        t.anchor = Anchor::Middle;
        t.fill = "#555555";
        svg.text(&t);
    }
    let source = format!("Source: sco-bot facts, v{}", facts.meta.version);
    let mut t = Text::new(x1, STRIP_HEIGHT as f32 - 14.0, 14.0, &source);
    t.anchor = Anchor::End;
    t.fill = "#444444";
    svg.text(&t);
    let steps: Vec<String> = sp
        .iter()
        .map(|s| format!("{} from {}", s.status.label(), s.from))
        .collect();
    let alt = format!("Status strip of {}: {}.", e.name, steps.join("; "));
    Some((svg.finish(), alt))
}

/// Whether `e` has a status strip (a country with dated statuses), without drawing it.
pub fn has_strip(facts: &FactBase, e: &Entry) -> bool {
    matches!(&e.details, Details::Country(c) if !spans(c, facts.meta.as_of).is_empty())
}

/// The strip as a finished picture, if the country has dated statuses.
pub fn strip(facts: &FactBase, e: &Entry) -> Option<Result<Picture, PictureError>> {
    let (svg, alt) = strip_svg(facts, e)?;
    Some(Picture::render(format!("sco-{}.png", e.id), svg, alt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_a_row_per_country_and_no_overlapping_labels() {
        let f = FactBase::bundled().expect("the bundled facts load");
        let chart = draw(&f, 1996, None);
        assert_eq!(chart.rows.len(), 27, "every country with a dated status");
        assert_eq!(chart.rows[0], "China");
        for city in ["Shanghai 1996", "Yekaterinburg 2009", "Tianjin 2025"] {
            assert!(chart.svg.contains(city), "{city}");
        }
        for (i, a) in chart.labels.iter().enumerate() {
            for b in &chart.labels[i + 1..] {
                assert!(!a.overlaps(b), "labels overlap: {a:?} {b:?}");
            }
        }
        let pic = picture(&f, 1996, None).expect("renders");
        assert_eq!((pic.width, pic.height), (WIDTH, chart.height));
        assert!(pic.height >= 630);
        let png = resvg::tiny_skia::Pixmap::decode_png(&pic.png).expect("decodes");
        assert_eq!(png.width(), WIDTH);
    }

    #[test]
    fn a_strip_shows_each_status_from_its_date() {
        let f = FactBase::bundled().expect("the bundled facts load");
        let by = f.get(Kind::Country, "belarus").expect("Belarus");
        let (svg, alt) = strip_svg(&f, by).expect("Belarus has dated statuses");
        assert!(has_strip(&f, by), "a strip to attach for Belarus");
        assert!(
            svg.contains("2009-06-16") && svg.contains("2024-07-04"),
            "{svg}"
        );
        assert!(alt.contains("member state from 4 July 2024"), "{alt}");
        assert!(
            svg.contains("Беларусь"),
            "the Russian name, which the font covers"
        );
        assert!(!svg.contains("白俄罗斯"), "no Chinese: the font lacks it");
        let tm = f.get(Kind::Country, "turkmenistan").expect("Turkmenistan");
        assert!(strip_svg(&f, tm).is_none(), "a guest has no dated status");
        assert!(!has_strip(&f, tm), "no strip to attach for a guest");
    }
}

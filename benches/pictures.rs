//! Pictures: time to draw each kind from the facts (SVG text, then PNG with resvg), without the
//! cache, and the size of what comes out. The budget is 50 ms per picture.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use sco_bot::facts::{self, Date, FactBase};
use sco_bot::pictures::{map, raster, timeline};

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = black_box(f());
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

/// A picture kind's name and how to draw its SVG.
type Kind<'a> = (&'static str, Box<dyn Fn() -> String + 'a>);

fn bench(c: &mut Criterion) {
    let facts = FactBase::bundled().expect("the built-in facts load");
    let y2010 = Date {
        year: 2010,
        month: 12,
        day: 31,
    };
    let belarus = facts
        .get(facts::Kind::Country, "belarus")
        .expect("Belarus")
        .clone();
    let kinds: Vec<Kind<'_>> = vec![
        (
            "map 2010",
            Box::new(|| map::draw(&facts, y2010, "at the end of 2010", None).svg),
        ),
        (
            "map today, Belarus outlined",
            Box::new(|| map::draw(&facts, facts.meta.as_of, "now", Some("BY")).svg),
        ),
        (
            "timeline chart",
            Box::new(|| timeline::draw(&facts, 1996, None).svg),
        ),
        (
            "member strip (Belarus)",
            Box::new(|| {
                timeline::strip_svg(&facts, &belarus)
                    .map(|s| s.0)
                    .unwrap_or_default()
            }),
        ),
    ];
    println!("picture: SVG build + PNG render = total (best of 20), PNG size, SVG size");
    for (name, draw) in &kinds {
        let (svg_ms, svg) = best_of(20, draw);
        let (png_ms, (png, w, h)) = best_of(20, || raster::png(&svg).expect("renders"));
        println!(
            "{name}: {svg_ms:.1} ms + {png_ms:.1} ms = {:.1} ms; {w}x{h}, PNG {} KB, SVG {} KB",
            svg_ms + png_ms,
            png.len() / 1024,
            svg.len() / 1024
        );
    }
    c.bench_function("map 2010: SVG and PNG", |b| {
        b.iter(|| {
            let svg = map::draw(&facts, y2010, "at the end of 2010", None).svg;
            raster::png(&svg).expect("renders")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);

//! Plain questions: answering time over tests/fixtures/questions.tsv (the budget is 50 µs
//! median per question).

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use sco_bot::Knowledge;
use sco_bot::facts::FactBase;

fn questions() -> Vec<String> {
    include_str!("../tests/fixtures/questions.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next().map(String::from))
        .collect()
}

fn bench(c: &mut Criterion) {
    let k = Knowledge::new(FactBase::bundled().expect("the built-in facts load"));
    let qs = questions();
    // The median over the set: each question timed on its own (best of 50 runs, to keep the
    // machine's noise out), then the middle one.
    let mut times: Vec<f64> = qs
        .iter()
        .map(|q| {
            (0..50)
                .map(|_| {
                    let t = Instant::now();
                    black_box(sco_bot::ask::answer(&k, black_box(q)));
                    t.elapsed().as_secs_f64() * 1e6
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    let max = times[times.len() - 1];
    println!(
        "ask: {} questions, median {median:.1} µs, p90 {p90:.1} µs, slowest {max:.1} µs",
        qs.len()
    );
    let mut g = c.benchmark_group("ask");
    for q in [
        "when did india join the sco",
        "wen did pakistn join the sco",
        "how many members did the sco have in 2018",
        "когда Индия вступила в ШОС",
        "印度什么时候加入上合组织",
        "who won the 2018 world cup",
    ] {
        g.bench_function(q, |b| b.iter(|| sco_bot::ask::answer(&k, black_box(q))));
    }
    g.bench_function("all questions in a row", |b| {
        b.iter(|| {
            for q in &qs {
                black_box(sco_bot::ask::answer(&k, q));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! A plain loop of lookups for instruction counts: `valgrind --tool=callgrind
//! target/release/examples/lookup_loop SET ROUNDS`, SET `wide` (the 321 queries of
//! tests/fixtures/lookup-queries.tsv) or `samples` (the 34 sample queries). Run it with 0 rounds
//! and with some, and divide the difference by the lookups made: the index's construction cancels.

use std::hint::black_box;

use sco_bot::Knowledge;
use sco_bot::facts::FactBase;

#[path = "../benches/queries.rs"]
mod queries;
use queries::{PROBES, scope, wide_queries};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let set = args.get(1).map_or("wide", String::as_str);
    let rounds: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1);
    let queries: Vec<(&str, &str)> = match set {
        "samples" => PROBES.to_vec(),
        _ => wide_queries(),
    };
    let k = Knowledge::new(FactBase::bundled().expect("the built-in facts load"));
    for _ in 0..rounds {
        for (command, query) in &queries {
            black_box(k.index.lookup(black_box(query), scope(command)));
        }
    }
    eprintln!("{} lookups", rounds * queries.len());
}

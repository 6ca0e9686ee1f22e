//! Times `all_categorical` on generated data: 1,000,000 units × 3 coders,
//! 10 categories, ~5% missing judgements, seeded. Prints the median of 5 runs.
//!
//! Usage: `cargo run --release --bin agreement_bench [-- --write PATH]`
//! `--write` also stores the matrix as little-endian u32, row-major (units × coders,
//! 4294967295 = missing) for `scripts/bench_krippendorff.py`.

use std::time::Instant;

use thematic::agreement::{MISSING, Ratings, SplitMix64, all_categorical};

const UNITS: usize = 1_000_000;
const CODERS: usize = 3;
const CATEGORIES: u32 = 10;
const SEED: u64 = 20240601;

fn generate() -> Ratings {
    let mut g = SplitMix64::new(SEED);
    let mut values = Vec::with_capacity(UNITS * CODERS);
    for _ in 0..UNITS {
        let truth = g.below(u64::from(CATEGORIES)) as u32;
        for _ in 0..CODERS {
            let v = if g.below(100) < 5 {
                MISSING
            } else if g.below(100) < 70 {
                truth
            } else {
                g.below(u64::from(CATEGORIES)) as u32
            };
            values.push(v);
        }
    }
    Ratings::from_raw(CODERS, CATEGORIES, values).expect("valid generated data")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let r = generate();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let path = args.get(i + 1).expect("--write needs a path");
        let bytes: Vec<u8> = r
            .raw_values()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        std::fs::write(path, bytes).expect("write data file");
        eprintln!("wrote {path}");
    }
    let mut times = Vec::new();
    let mut summary = None;
    for _ in 0..5 {
        let t = Instant::now();
        let s = all_categorical(&r);
        times.push(t.elapsed().as_secs_f64());
        summary = Some(s);
    }
    times.sort_by(f64::total_cmp);
    let s = summary.expect("ran");
    println!("all_categorical on {UNITS} units x {CODERS} coders, {CATEGORIES} categories");
    println!("  runs (s): {times:.4?}");
    println!("  median:   {:.4} s", times[2]);
    println!("  krippendorff_alpha = {:?}", s.krippendorff_alpha);
    println!("  fleiss_kappa       = {:?}", s.fleiss_kappa);
    println!("  gwet_ac1           = {:?}", s.gwet_ac1);
    println!("  cohen_kappa_mean   = {:?}", s.cohen_kappa_mean);
    println!("  percent_agreement  = {:?}", s.percent_agreement);
}

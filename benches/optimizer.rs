//! Criterion benchmarks of the optimizer against the naive good_lp formulation.
//!
//! `cargo bench --bench optimizer -- --warm-up-time 1 --measurement-time 3`
//! (see docs/PERFORMANCE.md). Sizes too slow for 10 criterion samples are timed once
//! (`TIMED=1000,5000 NAIVE=1000`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chargeplan_optimizer::{Problem, optimize, synth::synthetic};
use criterion::{BenchmarkId, Criterion, criterion_group};

#[path = "optimizer/naive.rs"]
mod naive;

/// Slots of the synthetic instances (24 h of 5-minute slots).
const SLOTS: usize = 288;
/// Session counts measured by criterion (5000: `timed_once`).
const SIZES: [usize; 4] = [10, 50, 200, 1000];
/// Largest size the naive formulation runs under criterion (larger: see `timed_once`).
const NAIVE_MAX: usize = 200;

/// A bundled Caltech snapshot.
fn caltech(kw: u32) -> Problem {
    let text = match kw {
        150 => {
            include_str!("../crates/optimizer/tests/fixtures/caltech_2019-06-14_1340_150kw.json")
        }
        _ => include_str!("../crates/optimizer/tests/fixtures/caltech_2019-06-14_1340_30kw.json"),
    };
    serde_json::from_str(text).expect("fixture parses")
}

/// Fast vs naive on the Caltech snapshots and the synthetic instances (criterion).
fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("optimizer");
    g.sample_size(10);
    for kw in [150, 30] {
        let p = caltech(kw);
        g.bench_function(BenchmarkId::new("caltech_fast", format!("{kw}kW")), |b| {
            b.iter(|| optimize(black_box(&p)).expect("valid"));
        });
        g.bench_function(BenchmarkId::new("caltech_naive", format!("{kw}kW")), |b| {
            b.iter(|| naive::solve(black_box(&p)));
        });
    }
    for n in SIZES {
        let p = synthetic(n, SLOTS, 42);
        g.bench_with_input(BenchmarkId::new("fast", n), &p, |b, p| {
            b.iter(|| optimize(black_box(p)).expect("valid"));
        });
        if n <= NAIVE_MAX {
            g.bench_with_input(BenchmarkId::new("naive", n), &p, |b, p| {
                b.iter(|| naive::solve(black_box(p)));
            });
        }
    }
    g.finish();
}

/// Sizes from an environment variable like `1000,5000`.
fn sizes(var: &str) -> Vec<usize> {
    std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Single timed solves, in the same process, for sizes where criterion's 10 samples would take
/// too long: the fast model for each size in `TIMED` (e.g. `1000,5000`), the naive one too for
/// each size also in `NAIVE` (e.g. `1000`); checks both reach the same stage-1 energy.
fn timed_once() {
    let naive_sizes = sizes("NAIVE");
    for n in sizes("TIMED") {
        let p = synthetic(n, SLOTS, 42);
        let began = Instant::now();
        let fast = optimize(&p).expect("valid");
        let fast_s = began.elapsed().as_secs_f64();
        eprintln!(
            "timed once n={n} T={SLOTS}: fast {fast_s:.2} s ({} columns, stages ms {:.0?})",
            fast.stats.variables, fast.stats.stage_ms
        );
        if naive_sizes.contains(&n) {
            let began = Instant::now();
            let reference = naive::solve(&p);
            let naive_s = began.elapsed().as_secs_f64();
            eprintln!(
                "timed once n={n} T={SLOTS}: naive {naive_s:.2} s, ratio {:.1}x; stage-1 energy \
                 fast {:.4} kWh, naive {:.4} kWh; naive min fraction {:.6}, cost {:.4}, \
                 delivery moment {:.4} (cost bound slack {:e})",
                naive_s / fast_s,
                fast.stats.continuous_energy_kwh,
                reference.energy_kwh,
                reference.min_fraction,
                reference.cost,
                reference.moment,
                reference.cost_slack
            );
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench
}

fn main() {
    timed_once();
    benches();
    Criterion::default().configure_from_args().final_summary();
}

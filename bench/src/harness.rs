//! Timing: interleaved batches, median per iteration.

use std::time::{Duration, Instant};

use serde::Serialize;

/// How long to measure.
pub struct Plan {
    pub rounds: usize,
    pub batch: Duration,
}

impl Plan {
    pub fn new(quick: bool) -> Self {
        if quick {
            Plan { rounds: 21, batch: Duration::from_millis(8) }
        } else {
            Plan { rounds: 101, batch: Duration::from_millis(20) }
        }
    }
}

#[derive(Serialize, Debug)]
pub struct CaseResult {
    pub name: String,
    pub ormlet_ns: f64,
    pub baseline: &'static str,
    pub baseline_ns: f64,
    pub ratio: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Iterations that fill one batch, from a short calibration.
fn calibrate(f: &mut dyn FnMut(), batch: Duration) -> u64 {
    let mut n = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        let e = t.elapsed();
        if e >= batch / 4 || n >= 1 << 24 {
            return (n * batch.as_nanos() as u64 / e.as_nanos().max(1) as u64).max(1);
        }
        n *= 2;
    }
}

fn batch_ns(f: &mut dyn FnMut(), iters: u64) -> f64 {
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    t.elapsed().as_nanos() as f64 / iters as f64
}

/// Runs `ormlet` and `baseline` in alternating batches.
pub fn compare(
    plan: &Plan,
    name: &str,
    baseline: &'static str,
    ormlet: impl FnMut(),
    base: impl FnMut(),
) -> CaseResult {
    compare_with_setup(plan, name, baseline, (|| {}, ormlet), (|| {}, base))
}

/// [`compare`], with a set-up step run before every batch of each side (to
/// switch global state, such as the profiler hook, outside the timed loop).
pub fn compare_with_setup(
    plan: &Plan,
    name: &str,
    baseline: &'static str,
    (mut setup_o, mut ormlet): (impl FnMut(), impl FnMut()),
    (mut setup_b, mut base): (impl FnMut(), impl FnMut()),
) -> CaseResult {
    let (o, b): (&mut dyn FnMut(), &mut dyn FnMut()) = (&mut ormlet, &mut base);
    // Warm caches (statements, shapes, allocator) before calibrating.
    for _ in 0..3 {
        setup_o();
        o();
        setup_b();
        b();
    }
    setup_o();
    let io = calibrate(o, plan.batch);
    setup_b();
    let iters = io.min(calibrate(b, plan.batch));
    let mut os = Vec::with_capacity(plan.rounds);
    let mut bs = Vec::with_capacity(plan.rounds);
    for round in 0..plan.rounds {
        // Alternate which side goes first, so neither always runs on a warmer machine.
        if round % 2 == 0 {
            setup_o();
            os.push(batch_ns(o, iters));
            setup_b();
            bs.push(batch_ns(b, iters));
        } else {
            setup_b();
            bs.push(batch_ns(b, iters));
            setup_o();
            os.push(batch_ns(o, iters));
        }
    }
    // The ratio is the median of each round's pair, not the ratio of the
    // medians: a pair runs back to back, so a host that slows down for a
    // while (a shared VM) slows both of its sides.
    let ratio = median(os.iter().zip(&bs).map(|(o, b)| o / b).collect());
    CaseResult { name: name.to_owned(), ormlet_ns: median(os), baseline, baseline_ns: median(bs), ratio }
}

pub fn table(results: &[CaseResult]) -> String {
    let mut s = format!("{:<22} {:>14} {:>14} {:>8}\n", "case", "ormlet ns", "baseline ns", "ratio");
    s.push_str(&format!("{:-<22} {:->14} {:->14} {:->8}\n", "", "", "", ""));
    for r in results {
        s.push_str(&format!(
            "{:<22} {:>14.0} {:>14.0} {:>8.3}   vs {}\n",
            r.name, r.ormlet_ns, r.baseline_ns, r.ratio, r.baseline
        ));
    }
    s
}

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
    /// ormlet against `baseline`.
    pub ratio: f64,
    /// Diesel's suite's cases: every side of the run against hand-written
    /// rusqlite with a statement held across iterations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peers: Option<Peers>,
    /// Diesel's suite's cases on PostgreSQL: every side against the faster
    /// of raw sqlx on one connection and tokio-postgres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pg_peers: Option<PgPeers>,
}

/// The sides of a case from Diesel's suite on PostgreSQL, in ns per
/// iteration, and ratios in the same run.
#[derive(Serialize, Debug)]
pub struct PgPeers {
    pub sqlx_ns: f64,
    pub tokio_postgres_ns: f64,
    pub diesel_ns: f64,
    pub ormlet_ratio_to_fastest: f64,
    pub diesel_ratio_to_fastest: f64,
    pub ormlet_ratio_to_sqlx: f64,
    pub tokio_postgres_ratio_to_sqlx: f64,
}

/// The sides of a case from Diesel's suite, in ns per iteration, and each
/// one's ratio to the held statement (the physical limit) in the same run.
#[derive(Serialize, Debug)]
pub struct Peers {
    pub held_ns: f64,
    pub cached_ns: f64,
    pub diesel_ns: f64,
    pub ormlet_ratio_to_held: f64,
    pub diesel_ratio_to_held: f64,
    pub cached_ratio_to_held: f64,
}

/// One side of a comparison: a set-up run before each of its batches
/// (outside the timing), and the work timed.
pub struct Side<'a> {
    pub setup: Box<dyn FnMut() + 'a>,
    pub work: Box<dyn FnMut() + 'a>,
}

impl<'a> Side<'a> {
    pub fn new(work: impl FnMut() + 'a) -> Self {
        Side { setup: Box::new(|| {}), work: Box::new(work) }
    }
}

/// Each side's median ns per iteration, and its ratio to the first side
/// (the median over rounds of the two sides' batches in that round).
pub struct Timed {
    pub ns: Vec<f64>,
    pub ratio: Vec<f64>,
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
pub fn compare<'a>(
    plan: &Plan,
    name: &str,
    baseline: &'static str,
    ormlet: impl FnMut() + 'a,
    base: impl FnMut() + 'a,
) -> CaseResult {
    compare_with_setup(plan, name, baseline, (|| {}, ormlet), (|| {}, base))
}

/// [`compare`], with a set-up step run before every batch of each side (to
/// switch global state, such as the profiler hook, outside the timed loop).
pub fn compare_with_setup<'a>(
    plan: &Plan,
    name: &str,
    baseline: &'static str,
    (setup_o, ormlet): (impl FnMut() + 'a, impl FnMut() + 'a),
    (setup_b, base): (impl FnMut() + 'a, impl FnMut() + 'a),
) -> CaseResult {
    let timed = compare_sides(
        plan,
        vec![
            Side { setup: Box::new(setup_b), work: Box::new(base) },
            Side { setup: Box::new(setup_o), work: Box::new(ormlet) },
        ],
    );
    CaseResult {
        name: name.to_owned(),
        ormlet_ns: timed.ns[1],
        baseline,
        baseline_ns: timed.ns[0],
        ratio: timed.ratio[1],
        peers: None,
        pg_peers: None,
    }
}

/// Runs every side in batches of the same number of iterations, round
/// after round, each round in a rotated order so no side always runs on a
/// warmer machine.
pub fn compare_sides(plan: &Plan, mut sides: Vec<Side<'_>>) -> Timed {
    // Warm caches (statements, shapes, allocator) before calibrating.
    for _ in 0..3 {
        for side in &mut sides {
            (side.setup)();
            (side.work)();
        }
    }
    let iters = sides
        .iter_mut()
        .map(|side| {
            (side.setup)();
            calibrate(&mut side.work, plan.batch)
        })
        .min()
        .unwrap_or(1);
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(plan.rounds); sides.len()];
    for round in 0..plan.rounds {
        for k in 0..sides.len() {
            let i = (round + k) % sides.len();
            (sides[i].setup)();
            times[i].push(batch_ns(&mut sides[i].work, iters));
        }
    }
    // A ratio is the median of each round's pair, not the ratio of the
    // medians: a round runs its batches back to back, so a host that slows
    // down for a while (a shared VM) slows every side of it.
    let ratio =
        times.iter().map(|side| median(side.iter().zip(&times[0]).map(|(s, first)| s / first).collect())).collect();
    Timed { ns: times.into_iter().map(median).collect(), ratio }
}

pub fn table(results: &[CaseResult]) -> String {
    let mut s = format!("{:<26} {:>14} {:>14} {:>8}\n", "case", "ormlet ns", "baseline ns", "ratio");
    s.push_str(&format!("{:-<26} {:->14} {:->14} {:->8}\n", "", "", "", ""));
    for r in results {
        s.push_str(&format!(
            "{:<26} {:>14.0} {:>14.0} {:>8.3}   vs {}\n",
            r.name, r.ormlet_ns, r.baseline_ns, r.ratio, r.baseline
        ));
    }
    let peers: Vec<_> = results.iter().filter_map(|r| Some((r, r.peers.as_ref()?))).collect();
    if !peers.is_empty() {
        s.push_str("\nratios to the held statement, one run\n");
        s.push_str(&format!("{:<26} {:>8} {:>8} {:>8} {:>10}\n", "case", "ormlet", "diesel", "cached", "held ns"));
        s.push_str(&format!("{:-<26} {:->8} {:->8} {:->8} {:->10}\n", "", "", "", "", ""));
        for (r, p) in peers {
            s.push_str(&format!(
                "{:<26} {:>8.3} {:>8.3} {:>8.3} {:>10.0}\n",
                r.name, p.ormlet_ratio_to_held, p.diesel_ratio_to_held, p.cached_ratio_to_held, p.held_ns
            ));
        }
    }
    let pg: Vec<_> = results.iter().filter_map(|r| Some((r, r.pg_peers.as_ref()?))).collect();
    if !pg.is_empty() {
        s.push_str("\nratios to the faster raw driver (sqlx on one connection, tokio-postgres), one run\n");
        s.push_str(&format!("{:<26} {:>8} {:>8} {:>10} {:>10}\n", "case", "ormlet", "diesel", "sqlx ns", "t-p ns"));
        s.push_str(&format!("{:-<26} {:->8} {:->8} {:->10} {:->10}\n", "", "", "", "", ""));
        for (r, p) in pg {
            s.push_str(&format!(
                "{:<26} {:>8.3} {:>8.3} {:>10.0} {:>10.0}\n",
                r.name, p.ormlet_ratio_to_fastest, p.diesel_ratio_to_fastest, p.sqlx_ns, p.tokio_postgres_ns
            ));
        }
    }
    s
}

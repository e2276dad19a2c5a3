//! ormlet vs hand-written rusqlite (and, for the `pg_` cases, hand-written
//! sqlx on the PostgreSQL at `ORMLET_TEST_POSTGRES_URL`), case by case,
//! interleaved in one process.
//!
//!     cargo run --release -p ormlet-bench -- [--quick] [--json target/ormlet-bench.json] [--only NAME]
//!
//! Schema and cases follow Diesel's public benchmark suite. The baseline is
//! the physical limit: the same SQL text, prepared once (`prepare_cached`),
//! rows decoded by column index. Each case alternates batches of ormlet and
//! baseline iterations; the figures are the median ns per iteration over the
//! batches, and `ratio` is the median over rounds of ormlet / baseline in
//! one round's pair of batches.

mod cases;
mod diesel_models;
mod diesel_suite;
mod harness;
mod models;
mod pg_suite;
mod postgres;
mod realworld;

use std::path::PathBuf;

fn main() {
    let mut quick = false;
    let mut json: Option<PathBuf> = None;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--json" => json = args.next().map(PathBuf::from),
            "--only" => only = args.next(),
            "-h" | "--help" => {
                println!("usage: ormlet-bench [--quick] [--json FILE] [--only CASE[,CASE...]]");
                return;
            }
            other => {
                eprintln!("error: unknown argument `{other}` (try --help)");
                std::process::exit(2);
            }
        }
    }
    if let Err(e) = realworld::LayerPart::from_env() {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    let plan = harness::Plan::new(quick);
    let cases = cases::all();
    // Comma-separated names; an exact name runs that case alone, otherwise
    // every case containing the text.
    let wanted: Vec<&str> = only.as_deref().map(|o| o.split(',').collect()).unwrap_or_default();
    let picks = |name: &str| {
        wanted.is_empty()
            || wanted.iter().any(|w| {
                let exact = cases.iter().any(|c| c.name == *w);
                if exact { name == *w } else { name.contains(w) }
            })
    };
    let picked: Vec<&cases::Case> = cases.iter().filter(|c| picks(c.name)).collect();
    let results: Vec<harness::CaseResult> = picked
        .into_iter()
        .map(|c| {
            let r = (c.run)(&plan);
            eprintln!("  {:<26} {:>12.0} ns  {:>12.0} ns  {:>6.3}", r.name, r.ormlet_ns, r.baseline_ns, r.ratio);
            r
        })
        .collect();
    println!("{}", harness::table(&results));
    if let Some(path) = json {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let body = serde_json::json!({ "cases": results });
        if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&body).expect("serialisable")) {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
        println!("wrote {}", path.display());
    }
}

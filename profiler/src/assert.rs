//! Test assertions over a scope. A failure panics with the text report:
//! numbered queries, call sites, `×N` groups, findings.

use std::future::Future;
use std::panic::Location;

use crate::detect::FindingKind;
use crate::profile::Profile;
use crate::scope::{profile, profile_async};

#[track_caller]
fn fail(what: String, p: &Profile) -> ! {
    panic!("{what}\n\n{}", p.to_text_with(false))
}

#[track_caller]
fn check_count(expected: u64, p: &Profile) {
    if p.query_count() != expected {
        fail(format!("expected {expected} queries, ran {}", p.query_count()), p);
    }
}

#[track_caller]
fn check_max(max: u64, p: &Profile) {
    if p.query_count() > max {
        fail(format!("expected at most {max} queries, ran {}", p.query_count()), p);
    }
}

#[track_caller]
fn check_none(kind: FindingKind, p: &Profile) {
    let n = p.findings_of(kind).count();
    if n > 0 {
        fail(format!("expected no {} finding, found {n}", kind.label()), p);
    }
}

/// Runs `f` and panics unless it ran exactly `n` queries.
#[track_caller]
pub fn assert_num_queries<T>(n: u64, f: impl FnOnce() -> T) -> T {
    let (out, p) = profile(f);
    check_count(n, &p);
    out
}

/// Runs `f` and panics if it ran more than `max` queries.
#[track_caller]
pub fn assert_max_queries<T>(max: u64, f: impl FnOnce() -> T) -> T {
    let (out, p) = profile(f);
    check_max(max, &p);
    out
}

/// Runs `f` and panics if it made an N+1.
#[track_caller]
pub fn assert_no_n_plus_one<T>(f: impl FnOnce() -> T) -> T {
    let (out, p) = profile(f);
    check_none(FindingKind::NPlusOne, &p);
    out
}

/// Runs `f` and panics if it ran a duplicate query.
#[track_caller]
pub fn assert_no_duplicates<T>(f: impl FnOnce() -> T) -> T {
    let (out, p) = profile(f);
    check_none(FindingKind::Duplicate, &p);
    out
}

/// Where an async assertion was written: an `async fn` cannot track its
/// caller, so each one is a `#[track_caller]` function returning a future
/// that names this line in its failure.
fn at(loc: &Location<'static>) -> String {
    format!("{}:{}", loc.file(), loc.line())
}

#[track_caller]
fn fail_at(loc: &Location<'static>, what: String, p: &Profile) -> ! {
    fail(format!("{what} (assertion at {})", at(loc)), p)
}

/// Async [`assert_num_queries`]; a failure names the line it was written on.
#[track_caller]
pub fn assert_num_queries_async<F: Future>(n: u64, fut: F) -> impl Future<Output = F::Output> {
    let loc = Location::caller();
    async move {
        let (out, p) = profile_async(fut).await;
        if p.query_count() != n {
            fail_at(loc, format!("expected {n} queries, ran {}", p.query_count()), &p);
        }
        out
    }
}

/// Async [`assert_max_queries`]; a failure names the line it was written on.
#[track_caller]
pub fn assert_max_queries_async<F: Future>(max: u64, fut: F) -> impl Future<Output = F::Output> {
    let loc = Location::caller();
    async move {
        let (out, p) = profile_async(fut).await;
        if p.query_count() > max {
            fail_at(loc, format!("expected at most {max} queries, ran {}", p.query_count()), &p);
        }
        out
    }
}

/// Async [`assert_no_n_plus_one`]; a failure names the line it was written on.
#[track_caller]
pub fn assert_no_n_plus_one_async<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    none_async(FindingKind::NPlusOne, Location::caller(), fut)
}

/// Async [`assert_no_duplicates`]; a failure names the line it was written on.
#[track_caller]
pub fn assert_no_duplicates_async<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    none_async(FindingKind::Duplicate, Location::caller(), fut)
}

async fn none_async<F: Future>(kind: FindingKind, loc: &'static Location<'static>, fut: F) -> F::Output {
    let (out, p) = profile_async(fut).await;
    let n = p.findings_of(kind).count();
    if n > 0 {
        fail_at(loc, format!("expected no {} finding, found {n}", kind.label()), &p);
    }
    out
}

/// Async [`assert_queries_do_not_scale`]: `work(size)` is a future.
#[track_caller]
pub fn assert_queries_do_not_scale_async<W, F>(small: usize, large: usize, mut work: W) -> impl Future<Output = ()>
where
    W: FnMut(usize) -> F,
    F: Future<Output = ()>,
{
    let loc = Location::caller();
    async move {
        let ((), a) = profile_async(work(small)).await;
        let ((), b) = profile_async(work(large)).await;
        if b.query_count() > a.query_count() {
            panic!("{} (assertion at {})", scaling(small, large, &a, &b), at(loc));
        }
    }
}

fn scaling(small: usize, large: usize, a: &Profile, b: &Profile) -> String {
    format!(
        "query count grows with the data: {} queries for {small}, {} for {large}\n\n-- {small}:\n{}\n-- {large}:\n{}",
        a.query_count(),
        b.query_count(),
        a.to_text_with(false),
        b.to_text_with(false)
    )
}

/// GitLab's QueryRecorder check: runs `work` for a small and a larger data
/// set (`work(size)` sets up that many rows and does the work, with set-up
/// inside [`pause`](crate::pause)) and panics if the query count grows with
/// the data.
#[track_caller]
pub fn assert_queries_do_not_scale(small: usize, large: usize, mut work: impl FnMut(usize)) {
    let ((), a) = profile(|| work(small));
    let ((), b) = profile(|| work(large));
    if b.query_count() > a.query_count() {
        panic!("{}", scaling(small, large, &a, &b));
    }
}

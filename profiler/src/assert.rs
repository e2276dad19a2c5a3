//! Test assertions over a scope. A failure panics with the text report:
//! numbered queries, call sites, `×N` groups, findings.

use std::future::Future;

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

/// Async [`assert_num_queries`].
pub async fn assert_num_queries_async<F: Future>(n: u64, fut: F) -> F::Output {
    let (out, p) = profile_async(fut).await;
    check_count(n, &p);
    out
}

/// Async [`assert_max_queries`].
pub async fn assert_max_queries_async<F: Future>(max: u64, fut: F) -> F::Output {
    let (out, p) = profile_async(fut).await;
    check_max(max, &p);
    out
}

/// Async [`assert_no_n_plus_one`].
pub async fn assert_no_n_plus_one_async<F: Future>(fut: F) -> F::Output {
    let (out, p) = profile_async(fut).await;
    check_none(FindingKind::NPlusOne, &p);
    out
}

/// Async [`assert_no_duplicates`].
pub async fn assert_no_duplicates_async<F: Future>(fut: F) -> F::Output {
    let (out, p) = profile_async(fut).await;
    check_none(FindingKind::Duplicate, &p);
    out
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
        panic!(
            "query count grows with the data: {} queries for {small}, {} for {large}\n\n-- {small}:\n{}\n-- {large}:\n{}",
            a.query_count(),
            b.query_count(),
            a.to_text_with(false),
            b.to_text_with(false)
        );
    }
}

//! Where an async query's statements run on a multi-threaded tokio runtime:
//! on the worker that polls the query, or under `block_in_place`.
//!
//! `block_in_place` hands the worker's other tasks to another thread for
//! the statement's time and takes them back after: two thread wake-ups per
//! statement, which for a statement of a few microseconds cost more than
//! the statement itself. So each prepared read remembers how long its last
//! run on its connection took: one that took less than
//! [`DbOptions::offload_slower_than`](super::DbOptions::offload_slower_than)
//! runs in place, as any short step of an async task does; its first run,
//! and every run after a slow one, run under `block_in_place`. Writes and
//! transaction control always do: they may wait for the database's write
//! lock in SQLite's busy handler, however quick they were last time.

use std::cell::Cell;
use std::time::Duration;

use crate::clock::Ticker;

thread_local! {
    /// An async query is running on this thread, as a task of a
    /// multi-threaded runtime: its statements are paced.
    static PACED: Cell<bool> = const { Cell::new(false) };
}

/// Runs an async query's job (every statement it runs is then paced) where
/// `block_in_place` is allowed; elsewhere (a current-thread runtime, no
/// runtime) the job runs as it is, all in place.
pub(crate) fn paced<T>(job: impl FnOnce() -> T) -> T {
    if !super::async_db::can_block_in_place() {
        return job();
    }
    /// Ends the pacing however the job ends, panics included.
    struct Unpace(bool);
    impl Drop for Unpace {
        fn drop(&mut self) {
            PACED.set(self.0);
        }
    }
    let _unpace = Unpace(PACED.replace(true));
    job()
}

/// Whether this thread runs a paced query: only then does a statement's
/// pace decide where it runs.
#[inline(always)]
pub(crate) fn paced_here() -> bool {
    PACED.get()
}

/// How a prepared statement's last run went, as far as pacing goes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Pace {
    /// Its last run took less than the connection's limit. A statement not
    /// yet run is not known to be quick.
    quick: bool,
}

impl Pace {
    /// Runs one statement of a paced query (see [`paced_here`]; any other
    /// runs as it is called): in place when it is a `read` whose last run
    /// was quick, otherwise under `block_in_place`. Notes whether a read
    /// was quicker than `limit`. Out of line: outside a paced query (all
    /// of the synchronous face) this code is never run.
    #[inline(never)]
    pub(crate) fn run<T>(&mut self, limit: Duration, read: bool, step: impl FnOnce() -> T) -> T {
        if !read {
            return tokio::task::block_in_place(step);
        }
        let clock = Ticker::get();
        let started = clock.now();
        let out = if self.quick {
            step()
        } else {
            // Inside, this thread is no longer a worker: nested statements
            // (none today) would run in place.
            tokio::task::block_in_place(step)
        };
        self.quick = clock.now().duration_since(started) < limit;
        out
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use super::{PACED, Pace, paced, paced_here};

    /// Runs a statement stand-in (a `read` or not) and tells whether it ran
    /// in place. On a runtime of one worker, a task spawned just before can
    /// run during the step only if the step gave the worker away
    /// (`block_in_place`); a step in place holds the only worker for its
    /// whole wait.
    fn ran_in_place(pace: &mut Pace, limit: Duration, read: bool) -> bool {
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        tokio::spawn(async move { flag.store(true, Ordering::SeqCst) });
        let step = || {
            let waited = Instant::now();
            while !ran.load(Ordering::SeqCst) && waited.elapsed() < Duration::from_secs(1) {
                std::thread::sleep(Duration::from_millis(1));
            }
            !ran.load(Ordering::SeqCst)
        };
        // As a connection runs a statement.
        if paced_here() { pace.run(limit, read, step) } else { step() }
    }

    /// One paced query of one statement, then back on a worker: after
    /// `block_in_place` a task runs on without one until it yields.
    async fn query(pace: &mut Pace, limit: Duration, read: bool) -> bool {
        let in_place = paced(|| ran_in_place(pace, limit, read));
        tokio::task::yield_now().await;
        in_place
    }

    /// Runs `test` as a task on the runtime's one worker (a test's own
    /// body is polled by the thread blocked on it, not by a worker).
    async fn on_worker(test: impl Future<Output = ()> + Send + 'static) {
        tokio::spawn(test).await.expect("test task");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_read_runs_in_place_only_after_a_quick_run() {
        on_worker(async {
            let (long, short) = (Duration::from_secs(60), Duration::from_millis(1));
            let mut pace = Pace::default();
            assert!(!query(&mut pace, long, true).await, "a first run is offloaded");
            assert!(query(&mut pace, long, true).await, "after a quick run, in place");
            // This run (in place, a second) is slower than the limit...
            assert!(query(&mut pace, short, true).await);
            // ...so the next is offloaded.
            assert!(!query(&mut pace, long, true).await, "after a slow run, offloaded again");
            assert!(query(&mut pace, long, true).await);
            // Outside a paced query every statement runs as it is called.
            assert!(!PACED.get());
            assert!(ran_in_place(&mut Pace::default(), long, true));
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_write_always_leaves_the_worker() {
        on_worker(async {
            let mut pace = Pace::default();
            for _ in 0..3 {
                assert!(!query(&mut pace, Duration::from_secs(60), false).await);
            }
        })
        .await;
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_current_thread_runtime_runs_every_statement_in_place() {
        // `block_in_place` would panic here.
        paced(|| assert!(!paced_here()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_panicking_job_leaves_the_thread_unpaced() {
        let caught = std::panic::catch_unwind(|| paced(|| panic!("job failed")));
        assert!(caught.is_err());
        assert!(!PACED.get());
    }
}

//! A transaction over a borrowed connection, for as long as a closure runs.

use std::panic::Location;
use std::sync::Arc;

use parking_lot::Mutex;

use super::{Levels, Step, nested};
use crate::backend::Backend;
use crate::connection::{Connection, complete};
use crate::error::{Error, Result};
use crate::executor::{Executor, Job};

/// An open transaction (or savepoint) on a connection borrowed for the
/// closure that received it. Queries run on it see its writes.
///
/// SQLite's synchronous transactions are `Tx<'_, sqlite::Conn>`
/// ([`sqlite::Tx`](crate::sqlite::Tx)).
pub struct Tx<'c, C> {
    // A lock rather than a `RefCell`, so `&Tx` is `Send` where the connection
    // is: the engine's futures hold it across steps. Nothing contends for it:
    // the handle lives in one closure or one job, whose steps run in turn,
    // so holding it across a step's `.await` blocks nobody.
    conn: Mutex<&'c mut C>,
}

impl<'c, C: Connection> Tx<'c, C> {
    /// A handle on `conn`, with no level opened yet.
    pub(crate) fn new(conn: &'c mut C) -> Self {
        Tx { conn: Mutex::new(conn) }
    }

    /// Runs `f` with the connection; only one step holds it at a time.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut C) -> R) -> R {
        f(&mut self.conn.lock())
    }

    /// Runs `f` in a new level on `conn` and, unlike [`nested`] on a handle,
    /// gives `f` the connection itself: for a job that writes all or nothing.
    pub(crate) async fn run<T>(
        conn: &'c mut C,
        loc: &'static Location<'static>,
        f: impl AsyncFnOnce(&mut C) -> Result<T>,
    ) -> Result<T> {
        #![allow(clippy::await_holding_lock, reason = "the lock is uncontended, see `Tx::conn`")]
        let tx = Tx::new(conn);
        let body = async {
            // Nothing else reaches the connection while the job runs.
            let mut conn = tx.conn.lock();
            f(&mut conn).await
        };
        nested(&tx, loc, body).await
    }
}

#[allow(clippy::await_holding_lock, reason = "the lock is uncontended, see `Tx::conn`")]
impl<C: Connection> Levels for Tx<'_, C> {
    async fn begin_level(&self, loc: &'static Location<'static>) -> Result<u32> {
        Step::Begin.on(&mut **self.conn.lock(), loc).await
    }

    async fn commit_level(&self, loc: &'static Location<'static>) -> Result<u32> {
        Step::Commit.on(&mut **self.conn.lock(), loc).await
    }

    async fn rollback_level(&self, loc: &'static Location<'static>) -> Result<u32> {
        Step::Rollback.on(&mut **self.conn.lock(), loc).await
    }

    fn abandon(&self, depth: u32, loc: &'static Location<'static>) {
        // Free by now: a step's lock is released before the body that held it unwinds.
        if let Some(mut conn) = self.conn.try_lock() {
            abandon_levels(&mut **conn, depth, loc);
        }
    }
}

/// A handle whose connection completes every step at once (SQLite's) is
/// used synchronously: its queries return `Result`, not futures.
impl<'c, C: Connection> Tx<'c, C> {
    /// Nests a savepoint: released when `f` returns `Ok`, rolled back to when it
    /// returns `Err` or panics; the outer transaction goes on either way.
    #[track_caller]
    pub fn transaction<T>(&self, f: impl FnOnce(&Tx<'c, C>) -> Result<T>) -> Result<T> {
        sync_nested(self, Location::caller(), f)
    }

    /// [`transaction`](Tx::transaction) for the application's own error type.
    #[track_caller]
    pub fn transaction_with<T, E: From<Error>>(&self, f: impl FnOnce(&Tx<'c, C>) -> Result<T, E>) -> Result<T, E> {
        sync_nested(self, Location::caller(), f)
    }

    /// Nesting depth: 1 for the outer transaction, 2 for a savepoint in it, ...
    pub fn depth(&self) -> u32 {
        self.with(|c| c.depth())
    }

    /// Runs a script of statements without parameters.
    #[track_caller]
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        let loc = Location::caller();
        self.with(|c| complete(c.batch(&Arc::from(sql), loc)))
    }
}

impl<C: Connection> Executor for Tx<'_, C> {
    type Output<'a, J: Job + 'a>
        = Result<J::Out>
    where
        Self: 'a;

    fn backend(&self) -> Backend {
        self.with(|c| c.backend())
    }

    #[inline]
    fn run<'a, J: Job + 'a>(&'a self, job: J) -> Result<J::Out> {
        self.with(|c| complete(job.run(c)))
    }
}

/// Rolls back every level of `conn` from `depth` inward.
pub(super) fn abandon_levels<C: Connection>(conn: &mut C, depth: u32, loc: &'static Location<'static>) {
    // Counted up front: a rollback that fails must not loop.
    let levels = conn.depth().saturating_sub(depth.max(1) - 1);
    for _ in 0..levels {
        conn.start_rollback(loc);
    }
}

/// Runs a synchronous closure in a new level of `tx`'s connection.
pub(crate) fn sync_nested<'c, C: Connection, T, E: From<Error>>(
    tx: &Tx<'c, C>,
    loc: &'static Location<'static>,
    f: impl FnOnce(&Tx<'c, C>) -> Result<T, E>,
) -> Result<T, E> {
    complete(nested(tx, loc, async { f(tx) }))
}

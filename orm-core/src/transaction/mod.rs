//! The transaction engine: every executor's transactions, savepoints and
//! rollback on `Err`, panic and drop, written once.
//!
//! A backend supplies its statements and its depth through its connection
//! (`begin`, `commit`, `rollback`, `start_rollback`, `depth`). A handle
//! reaches the connection one of two ways, and both implement [`Levels`]:
//!
//! - [`Tx`] borrows a connection for a closure's duration: SQLite's
//!   synchronous transactions, and work a job runs all-or-nothing.
//! - [`Transaction`] owns a pooled connection, so it can be held across
//!   `.await`s: `begin()` ... `commit()` on the async executors.
//!
//! `nested` is the one place that opens a level, runs a body, and commits
//! or rolls back; the handles only say how to reach their connection.

mod borrowed;
mod options;
mod owned;

/// Writes the `transaction` / `transaction_with` pair of a type whose
/// closures receive `&$tx`: `$run` makes the future from `self`, the
/// caller's location and the closure. One definition for every handle.
macro_rules! transaction_methods {
    ($tx:ty, $doc:literal, |$this:ident, $loc:ident, $f:ident| $run:expr) => {
        #[doc = $doc]
        ///
        /// `.transaction(|tx| Box::pin(async move { row.insert(tx).await?; Ok(()) })).await?`
        #[track_caller]
        pub fn transaction<'a, T: Send + 'a, F>(
            &'a self,
            f: F,
        ) -> impl ::std::future::Future<Output = $crate::Result<T>> + Send + 'a
        where
            F: for<'t> FnOnce(&'t $tx) -> $crate::QueryFuture<'t, T> + Send + 'a,
        {
            self.transaction_with(f)
        }

        /// [`transaction`](Self::transaction) for the application's own error
        /// type (anything an [`Error`](crate::Error) converts into): an `Err`
        /// of it rolls back too.
        #[track_caller]
        pub fn transaction_with<'a, T: Send + 'a, E: From<$crate::Error> + Send + 'a, F>(
            &'a self,
            f: F,
        ) -> impl ::std::future::Future<Output = $crate::Result<T, E>> + Send + 'a
        where
            F: for<'t> FnOnce(&'t $tx) -> $crate::transaction::BoxedBody<'t, T, E> + Send + 'a,
        {
            let ($this, $loc, $f) = (self, ::std::panic::Location::caller(), f);
            $run
        }
    };
}
pub(crate) use transaction_methods;

/// Writes `begin_with`, `transaction_with_options` and
/// `transaction_with_retry` for a database handle: `$handle` is an async
/// expression giving a transaction handle with no level open yet, on a
/// connection prepared to begin with `$options`.
macro_rules! transaction_option_methods {
    ($tx:ty, |$this:ident, $loc:ident, $options:ident| $handle:expr) => {
        /// Opens a transaction that begins with `options` (isolation level,
        /// read-only): `let tx = db.begin_with(TxOptions::new().read_only()).await?;`.
        #[track_caller]
        pub fn begin_with(
            &self,
            options: $crate::transaction::TxOptions,
        ) -> impl ::std::future::Future<Output = $crate::Result<$tx>> + Send + '_ {
            let ($this, $loc, $options) = (self, ::std::panic::Location::caller(), options);
            async move {
                let tx = $handle.await?;
                $crate::transaction::Levels::begin_level(&tx, $loc).await?;
                Ok(tx)
            }
        }

        /// [`transaction_with`](Self::transaction_with) in a transaction that
        /// begins with `options`:
        /// `db.transaction_with_options(TxOptions::new().isolation(Isolation::Serializable), |tx| ..)`.
        #[track_caller]
        pub fn transaction_with_options<'a, T: Send + 'a, E: From<$crate::Error> + Send + 'a, F>(
            &'a self,
            options: $crate::transaction::TxOptions,
            f: F,
        ) -> impl ::std::future::Future<Output = ::std::result::Result<T, E>> + Send + 'a
        where
            F: for<'t> FnOnce(&'t $tx) -> $crate::transaction::BoxedBody<'t, T, E> + Send + 'a,
        {
            let ($this, $loc, $options) = (self, ::std::panic::Location::caller(), options);
            async move {
                let tx = $handle.await?;
                $crate::transaction::scope(tx, $loc, f).await
            }
        }

        /// Runs `f` in a transaction that begins with `options`, and runs it
        /// again, after a short growing pause, while it fails with a
        /// conflict (a serialization failure or deadlock, which roll the
        /// transaction back), up to [`TxOptions::attempts`](crate::transaction::TxOptions::attempts)
        /// times. `f` may run more than once: keep effects outside the
        /// database out of it. Other errors end it at once.
        #[track_caller]
        pub fn transaction_with_retry<'a, T: Send + 'a, E, F>(
            &'a self,
            options: $crate::transaction::TxOptions,
            mut f: F,
        ) -> impl ::std::future::Future<Output = ::std::result::Result<T, E>> + Send + 'a
        where
            E: From<$crate::Error> + $crate::transaction::Retryable + Send + 'a,
            F: for<'t> FnMut(&'t $tx) -> $crate::transaction::BoxedBody<'t, T, E> + Send + 'a,
        {
            let ($this, $loc, $options) = (self, ::std::panic::Location::caller(), options);
            async move {
                let mut attempt = 1;
                loop {
                    let tx = $handle.await?;
                    match $crate::transaction::scope(tx, $loc, &mut f).await {
                        Err(e) if $crate::transaction::Retryable::is_conflict(&e) && attempt < $options.attempts => {
                            ::futures_timer::Delay::new($crate::transaction::backoff(attempt)).await;
                            attempt += 1;
                        }
                        done => return done,
                    }
                }
            }
        }
    };
}
pub(crate) use transaction_option_methods;

use std::future::Future;
use std::panic::Location;

pub use borrowed::Tx;
pub(crate) use borrowed::sync_nested;
pub(crate) use options::backoff;
pub use options::{Isolation, Retryable, TxOptions};
pub use owned::{BoxedBody, OwnedConnection, Transaction};

use crate::connection::Connection;
use crate::error::{Error, Result};

/// A handle whose connection runs transaction levels: the operations
/// [`nested`] is written against. Not meant to be implemented elsewhere.
#[doc(hidden)]
pub trait Levels: Sync {
    /// Opens a level (a transaction at depth 0, a savepoint deeper) and
    /// returns the depth it opened.
    fn begin_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_;

    /// Commits (or releases) the innermost level; gives the depth left.
    fn commit_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_;

    /// Rolls the innermost level back; gives the depth left.
    fn rollback_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_;

    /// Rolls back every level from `depth` inward, at once where the backend
    /// can and before the connection's next use where it cannot: what runs
    /// when a body panics or its future is dropped.
    fn abandon(&self, depth: u32, loc: &'static Location<'static>);
}

/// Runs `body` in a new level of `handle`: committed (or released) when it
/// returns `Ok`, rolled back when it returns `Err`, and rolled back by
/// [`Levels::abandon`] when it panics or its future is dropped unfinished.
/// A failed commit rolls back too; the first error is the one returned.
///
/// `body` is a future, so nothing of it runs before the level is open.
pub(crate) async fn nested<H, T, E>(
    handle: &H,
    loc: &'static Location<'static>,
    body: impl Future<Output = Result<T, E>>,
) -> Result<T, E>
where
    H: Levels,
    E: From<Error>,
{
    let depth = handle.begin_level(loc).await?;
    let mut guard = Abandon { handle, depth, loc, armed: true };
    let result = body.await;
    guard.armed = false;
    match result {
        Ok(value) => match handle.commit_level(loc).await {
            Ok(_) => Ok(value),
            Err(e) => {
                // The commit's error is the one to report.
                let _ = handle.rollback_level(loc).await;
                Err(e.into())
            }
        },
        Err(e) => {
            // The body's error is the one to report; a failed rollback adds nothing useful.
            let _ = handle.rollback_level(loc).await;
            Err(e)
        }
    }
}

/// Runs `f` in a transaction on `handle`, which has no level open yet:
/// committed on `Ok`, rolled back on `Err`, on a panic, or when dropped.
pub(crate) async fn scope<H: Levels, T, E: From<Error>>(
    handle: H,
    loc: &'static Location<'static>,
    f: impl for<'t> FnOnce(&'t H) -> BoxedBody<'t, T, E>,
) -> Result<T, E> {
    nested(&handle, loc, f(&handle)).await
}

/// One step on the innermost level of a connection.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    Begin,
    Commit,
    Rollback,
}

impl Step {
    /// Takes the step on `conn`; gives the depth after it.
    pub(crate) async fn on<C: Connection>(self, conn: &mut C, loc: &'static Location<'static>) -> Result<u32> {
        match self {
            Step::Begin => conn.begin(loc).await?,
            Step::Commit => conn.commit(loc).await?,
            Step::Rollback => conn.rollback(loc).await?,
        }
        Ok(conn.depth())
    }
}

/// Rolls a level back if dropped while armed: on unwinding from a panic,
/// or when the future holding it is dropped before the body finished.
struct Abandon<'h, H: Levels> {
    handle: &'h H,
    depth: u32,
    loc: &'static Location<'static>,
    armed: bool,
}

impl<H: Levels> Drop for Abandon<'_, H> {
    fn drop(&mut self) {
        if self.armed {
            self.handle.abandon(self.depth, self.loc);
        }
    }
}

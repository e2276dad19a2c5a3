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
mod owned;

use std::future::Future;
use std::panic::Location;

pub use borrowed::Tx;
pub(crate) use borrowed::sync_nested;
pub use owned::{BoxedBody, OwnedConnection, Transaction};

use crate::error::{Error, Result};

/// A handle whose connection runs transaction levels: the operations
/// [`nested`] is written against. Not meant to be implemented elsewhere.
#[doc(hidden)]
pub trait Levels: Sync {
    /// Opens a level (a transaction at depth 0, a savepoint deeper) and
    /// returns the depth it opened.
    fn begin_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_;

    /// Commits (or releases) the innermost level.
    fn commit_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_;

    /// Rolls the innermost level back.
    fn rollback_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_;

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
            Ok(()) => Ok(value),
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

/// The error of a handle used after its transaction ended.
pub(crate) fn finished() -> Error {
    Error::TransactionFinished
}

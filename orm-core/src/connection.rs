//! The seam between jobs and drivers: one connection, as the jobs see it.
//!
//! Every job (`all`, `get`, `insert`, an eager load, ...) is written once, as
//! an `async` function over a [`Connection`]. The sqlx backends await it; the
//! SQLite connection completes every step at once, so its executor polls the
//! job a single time and stays synchronous, with no runtime and
//! no thread hop.

use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use sea_query::Value;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::events::{Operation, RelationLoad};
use crate::model::Binder;
use crate::row::FromRow;

/// What a connection needs to know of a statement besides its values.
#[doc(hidden)]
pub struct Stmt<'q> {
    pub(crate) sql: &'q Arc<str>,
    pub(crate) operation: Operation,
    pub(crate) table: Option<&'static str>,
    pub(crate) loc: &'static Location<'static>,
    pub(crate) relation: Option<RelationLoad>,
}

/// Values to bind to a statement's placeholders, in order. Rows bind
/// straight from their fields; nothing is copied for SQLite.
#[doc(hidden)]
pub trait Bind: Sync {
    /// Hands each value to `b`.
    fn bind_to<B: Binder>(&self, b: &mut B) -> Result<()>;
}

impl Bind for [Value] {
    fn bind_to<B: Binder>(&self, b: &mut B) -> Result<()> {
        self.iter().enumerate().try_for_each(|(i, v)| b.bind_value(v, i))
    }
}

/// No values.
impl Bind for () {
    fn bind_to<B: Binder>(&self, _: &mut B) -> Result<()> {
        Ok(())
    }
}

/// One database connection, as jobs use it. Implemented by ormlet's
/// backends; not meant to be implemented elsewhere.
#[doc(hidden)]
pub trait Connection: Send {
    /// The SQL dialect.
    fn backend(&self) -> Backend;

    /// The most values one statement may bind.
    fn max_params(&self) -> usize;

    /// Runs a read and hands each decoded row to `each`, until it returns
    /// `false`.
    fn fetch<'s, R, B, F>(
        &'s mut self,
        s: Stmt<'s>,
        bind: &'s B,
        each: F,
    ) -> impl Future<Output = Result<()>> + Send + 's
    where
        R: FromRow + Send,
        B: Bind + ?Sized,
        F: FnMut(R) -> bool + Send + 's;

    /// Runs a statement that returns no rows; gives the rows it changed.
    fn execute<'s, B: Bind + ?Sized>(
        &'s mut self,
        s: Stmt<'s>,
        bind: &'s B,
    ) -> impl Future<Output = Result<u64>> + Send + 's;

    /// The key the last `INSERT` on this connection generated (backends
    /// without `RETURNING`).
    fn last_insert_id(&self) -> i64;

    /// Open transaction levels: 0 outside a transaction, 1 inside one, 2 in
    /// a savepoint of it, ...
    fn depth(&self) -> u32;

    /// Rolls the innermost level back without waiting: at once where the
    /// backend can, before the connection's next statement where it cannot.
    /// The depth drops even if the rollback fails. For drops and unwinding.
    fn start_rollback(&mut self, loc: &'static Location<'static>);

    /// Makes the next transaction opened on this connection (not a
    /// savepoint) begin with `options`: isolation level, read-only.
    fn prepare_begin(&mut self, options: crate::transaction::TxOptions);

    /// Opens a transaction, or a savepoint inside the current one.
    fn begin(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_;

    /// Commits the innermost transaction or releases its savepoint.
    fn commit(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_;

    /// Rolls the innermost transaction or savepoint back.
    fn rollback(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_;

    /// Runs a script of statements without values (schema).
    fn batch<'s>(
        &'s mut self,
        sql: &'s Arc<str>,
        loc: &'static Location<'static>,
    ) -> impl Future<Output = Result<()>> + Send + 's;
}

/// Polls a job future that never waits (every SQLite step completes at
/// once) to its end, on the calling thread.
#[inline(always)]
pub(crate) fn complete<T, E: From<Error>>(fut: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    let mut fut = pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(Error::Unsupported { backend: "sqlite", feature: "a query step that waits" }.into()),
    }
}

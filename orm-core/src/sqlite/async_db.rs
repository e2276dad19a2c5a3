//! The async face of SQLite: the same query API, awaited.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::db::Db;
use super::pool::Lease;
use super::tx::Tx;
use crate::backend::Backend;
use crate::connection::{Connection, complete};
use crate::error::{Error, Result};
use crate::executor::{Executor, Job};
use crate::transaction::{Retryable, TxOptions};

/// A [`Db`] for async code: `.all(&db).await` instead of `.all(&db)?`.
///
/// Waiting for a free connection is an `.await`: while one task holds a
/// transaction across an await, other tasks' queries wait without blocking
/// the thread, so the holder can run and finish even on a current-thread
/// runtime (`#[tokio::test]`'s default). The wait ends with
/// [`Error::PoolTimeout`] after the busy timeout.
///
/// Once it has a connection, a query runs in the calling task. On a
/// multi-threaded tokio runtime, a read that was quick on its last run
/// runs right there; a read's first run, a read after a slow one, writes
/// and transaction control run under `tokio::task::block_in_place`, which
/// moves this worker's other tasks to another thread while SQLite works
/// (see [`DbOptions::offload_slower_than`](super::DbOptions::offload_slower_than)),
/// and so do transactions' closures, whole. On a current-thread runtime
/// (or outside tokio) every statement runs in place, since SQLite queries
/// take microseconds. Profiling scopes and borrowed arguments need no
/// copying either way. One wait still blocks: a write that finds another
/// connection's write transaction open waits in SQLite's busy handler. Keep
/// write transactions on a file database short, or give the pool one
/// connection (`pool_size(1)`) so writers queue on the pool instead.
///
/// ```
/// # async fn demo() -> ormlet_core::Result<()> {
/// use ormlet_core::sqlite::AsyncDb;
/// let db = AsyncDb::connect("sqlite::memory:")?;
/// db.transaction(|tx| tx.execute_batch("CREATE TABLE t (x INTEGER)")).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AsyncDb {
    db: Db,
}

impl AsyncDb {
    /// Opens a database from a URL (see [`Db::connect`]).
    pub fn connect(url: &str) -> Result<AsyncDb> {
        Db::connect(url).map(AsyncDb::from)
    }

    /// The synchronous handle to the same connections.
    pub fn sync(&self) -> &Db {
        &self.db
    }

    /// Runs a synchronous closure in a transaction, off the async workers.
    #[track_caller]
    pub fn transaction<'a, T: Send + 'a>(
        &'a self,
        f: impl FnOnce(&Tx<'_>) -> Result<T> + Send + 'a,
    ) -> impl Future<Output = Result<T>> + Send + 'a {
        self.transaction_with(f)
    }

    /// [`transaction`](AsyncDb::transaction) for the application's own error type.
    #[track_caller]
    pub fn transaction_with<'a, T: Send + 'a, E: From<Error> + Send + 'a>(
        &'a self,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'a,
    ) -> impl Future<Output = Result<T, E>> + Send + 'a {
        let loc = Location::caller();
        let db = &self.db;
        async move {
            let mut conn = db.pool().take_async().await?;
            run_blocking(|| super::tx::run_transaction(&mut conn, loc, f))
        }
    }
}

impl AsyncDb {
    /// [`transaction_with`](AsyncDb::transaction_with) in a transaction
    /// that begins with `options` (see [`Db::transaction_with_options`]).
    #[track_caller]
    pub fn transaction_with_options<'a, T: Send + 'a, E: From<Error> + Send + 'a>(
        &'a self,
        options: TxOptions,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E> + Send + 'a,
    ) -> impl Future<Output = Result<T, E>> + Send + 'a {
        let loc = Location::caller();
        async move {
            let mut conn = self.db.pool().take_async().await?;
            conn.prepare_begin(options);
            run_blocking(|| super::tx::run_transaction(&mut conn, loc, f))
        }
    }

    /// Runs `f` in a transaction, and again after a short growing pause
    /// while it fails with a conflict (a busy database), up to
    /// [`TxOptions::attempts`] times. `f` may run more than once.
    #[track_caller]
    pub fn transaction_with_retry<'a, T: Send + 'a, E: From<Error> + Retryable + Send + 'a>(
        &'a self,
        options: TxOptions,
        mut f: impl FnMut(&Tx<'_>) -> Result<T, E> + Send + 'a,
    ) -> impl Future<Output = Result<T, E>> + Send + 'a {
        let loc = Location::caller();
        async move {
            let mut attempt = 1;
            loop {
                let mut conn = self.db.pool().take_async().await?;
                conn.prepare_begin(options);
                match run_blocking(|| super::tx::run_transaction(&mut conn, loc, &mut f)) {
                    Err(e) if e.is_conflict() && attempt < options.attempts => {
                        drop(conn);
                        futures_timer::Delay::new(crate::transaction::backoff(attempt)).await;
                        attempt += 1;
                    }
                    done => return done,
                }
            }
        }
    }

    /// Runs a script of statements without values (schema set-up).
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        self.execute_batch_at(sql, Location::caller())
    }

    /// [`execute_batch`](AsyncDb::execute_batch), recorded at `loc`.
    pub(crate) async fn execute_batch_at(&self, sql: &str, loc: &'static Location<'static>) -> Result<()> {
        let conn = self.db.pool().take_async().await?;
        run_blocking(|| conn.batch(&std::sync::Arc::from(sql), loc))
    }
}

impl From<Db> for AsyncDb {
    fn from(db: Db) -> Self {
        AsyncDb { db }
    }
}

/// Runs `f` where blocking is allowed.
pub(crate) fn run_blocking<T>(f: impl FnOnce() -> T) -> T {
    if can_block_in_place() { tokio::task::block_in_place(f) } else { f() }
}

/// Whether this thread runs on a multi-threaded tokio runtime, the one
/// kind where `block_in_place` is allowed (elsewhere it panics).
pub(crate) fn can_block_in_place() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
}

pin_project_lite::pin_project! {
    /// The future of one query on an [`AsyncDb`]: it waits for a connection
    /// without blocking, then runs the query.
    #[must_use = "futures do nothing unless awaited"]
    pub struct AsyncQuery<'a, J> {
        db: &'a Db,
        job: Option<J>,
        // Set only when no connection was free at the first poll.
        waiting: Option<Pin<Box<dyn Future<Output = Result<Lease<'a>>> + Send + 'a>>>,
    }
}

impl<J: Job> Future for AsyncQuery<'_, J> {
    type Output = Result<J::Out>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let pool = this.db.pool();
        let lease = match this.waiting {
            Some(waiting) => waiting.as_mut().poll(cx),
            None => match pool.try_take() {
                Some(lease) => Poll::Ready(Ok(lease)),
                None => this.waiting.insert(Box::pin(pool.take_async())).as_mut().poll(cx),
            },
        };
        let Poll::Ready(lease) = lease else { return Poll::Pending };
        *this.waiting = None;
        Poll::Ready(match (lease, this.job.take()) {
            (Ok(mut conn), Some(job)) => super::pace::paced(|| complete(job.run(&mut *conn))),
            (Err(e), _) => Err(e),
            (Ok(_), None) => {
                Err(Error::Unsupported { backend: "sqlite", feature: "polling a finished query future again" })
            }
        })
    }
}

impl Executor for AsyncDb {
    type Output<'a, J: Job + 'a> = AsyncQuery<'a, J>;

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> AsyncQuery<'a, J> {
        AsyncQuery { db: &self.db, job: Some(job), waiting: None }
    }
}

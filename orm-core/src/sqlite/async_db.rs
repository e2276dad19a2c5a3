//! The async face of SQLite: the same query API, awaited.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::db::Db;
use super::tx::Tx;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job};

/// A [`Db`] for async code: `.all(&db).await` instead of `.all(&db)?`.
///
/// On a multi-threaded tokio runtime each query runs under
/// `tokio::task::block_in_place`: the runtime moves this worker's other tasks
/// to another thread while SQLite works, and the query still runs in the
/// calling task, so profiling scopes and borrowed arguments need no copying.
/// On a current-thread runtime (or outside tokio) the query runs inline;
/// SQLite queries take microseconds, so that is the right trade there.
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
            run_blocking(|| {
                let mut conn = db.checkout()?;
                super::tx::run_transaction(&mut conn, loc, f)
            })
        }
    }
}

impl From<Db> for AsyncDb {
    fn from(db: Db) -> Self {
        AsyncDb { db }
    }
}

/// Runs `f` where blocking is allowed.
pub(crate) fn run_blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The future of one query on an [`AsyncDb`].
#[must_use = "futures do nothing unless awaited"]
pub struct Blocking<'a, J> {
    db: &'a Db,
    job: Option<J>,
}

impl<J: Job + Unpin> Future for Blocking<'_, J> {
    type Output = Result<J::Out>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        Poll::Ready(match this.job.take() {
            Some(job) => run_blocking(|| this.db.run(job)),
            None => Err(Error::Unsupported { backend: "sqlite", feature: "polling a finished query future again" }),
        })
    }
}

impl Executor for AsyncDb {
    type Output<'a, J: Job + 'a> = Blocking<'a, J>;

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> Blocking<'a, J> {
        Blocking { db: &self.db, job: Some(job) }
    }
}

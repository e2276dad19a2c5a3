//! A SQLite transaction for async code: it owns its pooled connection, so
//! it can be held across `.await`s and handed to async closures.

use std::panic::Location;

use parking_lot::{ArcMutexGuard, RawMutex};

use super::async_db::{AsyncDb, run_blocking};
use super::conn::Conn;
use crate::backend::Backend;
use crate::connection::complete;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job, QueryFuture};

type Owned = ArcMutexGuard<RawMutex, Conn>;

/// An open SQLite transaction from [`AsyncDb::begin`]. [`commit`](AsyncTx::commit)
/// ends it; dropped unfinished, it rolls back.
pub struct AsyncTx {
    conn: tokio::sync::Mutex<Option<Owned>>,
}

fn finished() -> Error {
    Error::Unsupported { backend: "sqlite", feature: "a transaction that already ended" }
}

impl AsyncDb {
    /// Opens a transaction that async code can hold: `let tx = db.begin().await?;`
    /// ... `tx.commit().await?`. Dropped without a commit, it rolls back.
    #[track_caller]
    pub fn begin(&self) -> impl Future<Output = Result<AsyncTx>> + Send + '_ {
        self.begin_at(Location::caller())
    }

    pub(crate) async fn begin_at(&self, loc: &'static Location<'static>) -> Result<AsyncTx> {
        let conn = run_blocking(|| -> Result<Owned> {
            let conn = self.sync().checkout_owned()?;
            conn.begin_tx(loc)?;
            Ok(conn)
        })?;
        Ok(AsyncTx { conn: tokio::sync::Mutex::new(Some(conn)) })
    }
}

impl AsyncTx {
    async fn with<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut slot = self.conn.lock().await;
        let conn = slot.as_mut().ok_or_else(finished)?;
        run_blocking(|| f(conn))
    }

    /// Runs a script of statements without values inside the transaction.
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        let loc = Location::caller();
        async move { self.with(|c| c.batch(&std::sync::Arc::from(sql), loc)).await }
    }

    /// Commits (savepoints still open are released with it).
    #[track_caller]
    pub fn commit(self) -> impl Future<Output = Result<()>> + Send {
        let loc = Location::caller();
        async move {
            let conn = self.conn.lock().await.take().ok_or_else(finished)?;
            run_blocking(|| {
                while conn.depth() > 1 {
                    conn.commit_tx(loc)?;
                }
                conn.commit_tx(loc)
            })
        }
    }

    /// Rolls back.
    #[track_caller]
    pub fn rollback(self) -> impl Future<Output = Result<()>> + Send {
        let loc = Location::caller();
        async move {
            let conn = self.conn.lock().await.take().ok_or_else(finished)?;
            run_blocking(|| {
                while conn.depth() > 0 {
                    conn.rollback_tx(loc)?;
                }
                Ok(())
            })
        }
    }

    /// Runs `f` in a savepoint: released on `Ok`, rolled back to on `Err`;
    /// the transaction goes on either way.
    #[track_caller]
    pub fn transaction<'a, T: Send + 'a, F>(&'a self, f: F) -> impl Future<Output = Result<T>> + Send + 'a
    where
        F: for<'t> FnOnce(&'t AsyncTx) -> QueryFuture<'t, T> + Send + 'a,
    {
        let loc = Location::caller();
        async move {
            self.with(|c| c.begin_tx(loc)).await?;
            match f(self).await {
                Ok(v) => {
                    self.with(|c| c.commit_tx(loc)).await?;
                    Ok(v)
                }
                Err(e) => {
                    // The first error is the one to report.
                    let _ = self.with(|c| c.rollback_tx(loc)).await;
                    Err(e)
                }
            }
        }
    }
}

impl Drop for AsyncTx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.get_mut().as_mut() {
            // SQLite rolls back at once; nothing to report to from a drop.
            while conn.depth() > 0 {
                if conn.rollback_tx(Location::caller()).is_err() {
                    break;
                }
            }
        }
    }
}

impl Executor for AsyncTx {
    type Output<'a, J: Job + 'a> = QueryFuture<'a, J::Out>;

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> QueryFuture<'a, J::Out> {
        Box::pin(async move {
            let mut slot = self.conn.lock().await;
            let conn = slot.as_mut().ok_or_else(finished)?;
            run_blocking(|| complete(job.run(&mut **conn)))
        })
    }
}

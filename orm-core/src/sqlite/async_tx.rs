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
    /// Foreign keys were on and are turned back on when the transaction ends.
    restore_foreign_keys: bool,
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
        Ok(AsyncTx { conn: tokio::sync::Mutex::new(Some(conn)), restore_foreign_keys: false })
    }

    /// A transaction with foreign keys off until it ends, as rebuilding a
    /// table needs: SQLite cannot switch them inside a transaction, and
    /// dropping a referenced table with them on deletes or refuses its rows.
    /// Check `PRAGMA foreign_key_check` before the commit.
    pub(crate) async fn begin_without_foreign_keys(&self, loc: &'static Location<'static>) -> Result<AsyncTx> {
        let (conn, was_on) = run_blocking(|| -> Result<(Owned, bool)> {
            let conn = self.sync().checkout_owned()?;
            let was_on = conn.pragma_flag("foreign_keys")?;
            if was_on {
                conn.batch(&std::sync::Arc::from("PRAGMA foreign_keys = OFF"), loc)?;
            }
            if let Err(e) = conn.begin_tx(loc) {
                restore(&conn, was_on);
                return Err(e);
            }
            Ok((conn, was_on))
        })?;
        Ok(AsyncTx { conn: tokio::sync::Mutex::new(Some(conn)), restore_foreign_keys: was_on })
    }
}

/// Turns foreign keys back on after a transaction that turned them off; a
/// failure leaves them off on this pooled connection, which nothing reports to.
fn restore(conn: &Conn, on: bool) {
    if on {
        let _ = conn.batch(&std::sync::Arc::from("PRAGMA foreign_keys = ON"), Location::caller());
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
            let restore_on = self.restore_foreign_keys;
            run_blocking(|| {
                while conn.depth() > 1 {
                    conn.commit_tx(loc)?;
                }
                let done = conn.commit_tx(loc);
                restore(&conn, restore_on);
                done
            })
        }
    }

    /// Rolls back.
    #[track_caller]
    pub fn rollback(self) -> impl Future<Output = Result<()>> + Send {
        let loc = Location::caller();
        async move {
            let conn = self.conn.lock().await.take().ok_or_else(finished)?;
            let restore_on = self.restore_foreign_keys;
            run_blocking(|| {
                let mut done = Ok(());
                while conn.depth() > 0 && done.is_ok() {
                    done = conn.rollback_tx(loc);
                }
                restore(&conn, restore_on);
                done
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
            restore(conn, self.restore_foreign_keys);
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

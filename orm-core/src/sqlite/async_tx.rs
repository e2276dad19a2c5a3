//! A SQLite transaction for async code: it owns its pooled connection, so
//! it can be held across `.await`s and handed to async closures.

use std::future::Future;
use std::panic::Location;

use super::async_db::{AsyncDb, run_blocking};
use super::conn::Conn;
use super::pool::OwnedLease;
use crate::connection::complete;
use crate::error::Result;
use crate::executor::Job;
use crate::transaction::{OwnedConnection, Transaction, TxOptions};

/// An open SQLite transaction from [`AsyncDb::begin`]. `commit()` ends it;
/// dropped unfinished, it rolls back.
pub type AsyncTx = Transaction<Pooled>;

/// A connection taken from a [`Db`](super::Db)'s pool for as long as a
/// transaction holds it.
#[doc(hidden)]
pub struct Pooled(OwnedLease);

impl OwnedConnection for Pooled {
    type Conn = Conn;

    fn conn(&mut self) -> &mut Conn {
        &mut self.0
    }

    /// Every SQLite step completes at once: run it here, its slow
    /// statements where blocking is allowed.
    fn drive<'s, J: Job + 's>(&'s mut self, job: J) -> impl Future<Output = Result<J::Out>> + Send + 's {
        std::future::ready(super::pace::paced(|| complete(job.run(&mut *self.0))))
    }
}

impl AsyncDb {
    /// Opens a transaction that async code can hold: `let tx = db.begin().await?;`
    /// ... `tx.commit().await?`. Dropped without a commit, it rolls back.
    #[track_caller]
    pub fn begin(&self) -> impl Future<Output = Result<AsyncTx>> + Send + '_ {
        self.begin_at(Location::caller())
    }

    /// Opens a transaction that begins with `options` (see [`Db::transaction_with_options`](super::Db::transaction_with_options)).
    #[track_caller]
    pub fn begin_with(&self, options: TxOptions) -> impl Future<Output = Result<AsyncTx>> + Send + '_ {
        let loc = Location::caller();
        async move {
            let tx = Transaction::with_options(self.pooled().await?, loc, options);
            crate::transaction::Levels::begin_level(&tx, loc).await?;
            Ok(tx)
        }
    }

    pub(crate) async fn begin_at(&self, loc: &'static Location<'static>) -> Result<AsyncTx> {
        Transaction::begin(self.pooled().await?, loc).await
    }

    /// A pooled connection for a transaction, with no level opened yet:
    /// awaited, so waiting for one never blocks the thread.
    pub(crate) async fn pooled(&self) -> Result<Pooled> {
        self.sync().pool().take_owned_async().await.map(Pooled)
    }

    /// A transaction with foreign keys off until it ends, as rebuilding a
    /// table needs: SQLite cannot switch them inside a transaction, and
    /// dropping a referenced table with them on deletes or refuses its rows.
    /// Check `PRAGMA foreign_key_check` before the commit.
    pub(crate) async fn begin_without_foreign_keys(&self, loc: &'static Location<'static>) -> Result<AsyncTx> {
        let pooled = self.pooled().await?;
        let conn = &pooled.0;
        if conn.pragma_flag("foreign_keys")? {
            run_blocking(|| conn.transaction_setting("PRAGMA foreign_keys = OFF", loc))?;
            // Turned back on when the transaction ends, whichever way it ends.
            conn.foreign_keys_off_until_end();
        }
        Transaction::begin(pooled, loc).await
    }
}

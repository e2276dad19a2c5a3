//! Transactions and savepoints.

use std::cell::RefCell;
use std::panic::Location;
use std::sync::Arc;

use super::conn::Conn;
use crate::backend::Backend;
use crate::connection::complete;
use crate::error::{Error, Result};
use crate::events::Operation;
use crate::executor::{Executor, Job};

/// An open transaction (or savepoint). Queries run on it see its writes;
/// it ends when the closure that received it returns.
pub struct Tx<'c> {
    conn: RefCell<&'c mut Conn>,
}

impl<'c> Tx<'c> {
    fn conn(&self) -> Result<std::cell::RefMut<'_, &'c mut Conn>> {
        self.conn.try_borrow_mut().map_err(|_| Error::Unsupported {
            backend: "sqlite",
            feature: "using a transaction while a savepoint nested in it is open (use the inner one)",
        })
    }

    /// Nests a savepoint: released when `f` returns `Ok`, rolled back to when it
    /// returns `Err` or panics; the outer transaction goes on either way.
    #[track_caller]
    pub fn transaction<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let loc = Location::caller();
        let mut conn = self.conn()?;
        run_transaction(&mut conn, loc, f)
    }

    /// [`transaction`](Tx::transaction) for the application's own error type.
    #[track_caller]
    pub fn transaction_with<T, E: From<Error>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let loc = Location::caller();
        let mut conn = self.conn()?;
        run_transaction(&mut conn, loc, f)
    }

    /// Nesting depth: 1 for the outer transaction, 2 for a savepoint in it, ...
    pub fn depth(&self) -> u32 {
        self.conn().map_or(0, |c| c.depth())
    }

    /// Runs a script of statements without parameters.
    #[track_caller]
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        let loc = Location::caller();
        self.conn()?.batch(&Arc::from(sql), loc)
    }
}

impl Executor for Tx<'_> {
    type Output<'a, J: Job + 'a>
        = Result<J::Out>
    where
        Self: 'a;

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    #[inline]
    fn run<'a, J: Job + 'a>(&'a self, job: J) -> Result<J::Out> {
        let mut conn = self.conn()?;
        complete(job.run(&mut **conn))
    }
}

/// The statements that open, commit and roll back the transaction or
/// savepoint at `depth`.
struct Control {
    begin: Arc<str>,
    commit: Arc<str>,
    rollback: Vec<(Arc<str>, Operation)>,
}

impl Control {
    fn at(depth: u32) -> Self {
        if depth == 1 {
            // IMMEDIATE takes the write lock up front, so two writers never
            // deadlock upgrading from read to write mid-transaction.
            Control {
                begin: Arc::from("BEGIN IMMEDIATE"),
                commit: Arc::from("COMMIT"),
                rollback: vec![(Arc::from("ROLLBACK"), Operation::Rollback)],
            }
        } else {
            let name = format!("ormlet_sp{depth}");
            Control {
                begin: Arc::from(format!("SAVEPOINT {name}")),
                commit: Arc::from(format!("RELEASE SAVEPOINT {name}")),
                rollback: vec![
                    (Arc::from(format!("ROLLBACK TO SAVEPOINT {name}")), Operation::Rollback),
                    (Arc::from(format!("RELEASE SAVEPOINT {name}")), Operation::Release),
                ],
            }
        }
    }
}

impl Conn {
    /// `BEGIN IMMEDIATE`, or a savepoint inside the open transaction.
    pub(crate) fn begin_tx(&self, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth() + 1;
        let op = if depth == 1 { Operation::Begin } else { Operation::Savepoint };
        self.control(&Control::at(depth).begin, op, loc)?;
        self.set_depth(depth);
        Ok(())
    }

    /// Commits the innermost transaction, or releases its savepoint.
    pub(crate) fn commit_tx(&self, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth();
        let op = if depth == 1 { Operation::Commit } else { Operation::Release };
        self.control(&Control::at(depth).commit, op, loc)?;
        self.set_depth(depth - 1);
        Ok(())
    }

    /// Rolls the innermost transaction or savepoint back; the depth drops
    /// even when a statement fails, so the connection is usable after.
    pub(crate) fn rollback_tx(&self, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth();
        let mut result = Ok(());
        for (sql, op) in &Control::at(depth).rollback {
            if let Err(e) = self.control(sql, *op, loc) {
                result = result.and(Err(e));
            }
        }
        self.set_depth(depth.saturating_sub(1));
        result
    }
}

/// Rolls back if dropped while armed: on `Err`, and on unwinding from a panic.
struct RollbackGuard<'t, 'c> {
    tx: &'t Tx<'c>,
    loc: &'static Location<'static>,
    armed: bool,
}

impl Drop for RollbackGuard<'_, '_> {
    fn drop(&mut self) {
        if self.armed
            && let Ok(conn) = self.tx.conn.try_borrow_mut()
        {
            // Nothing to report to: the caller is already failing or unwinding.
            let _ = conn.rollback_tx(self.loc);
        }
    }
}

pub(crate) fn run_transaction<T, E: From<Error>>(
    conn: &mut Conn,
    loc: &'static Location<'static>,
    f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    conn.begin_tx(loc)?;
    let tx = Tx { conn: RefCell::new(conn) };
    let mut guard = RollbackGuard { tx: &tx, loc, armed: true };
    let value = f(&tx)?;
    guard.armed = false;
    let conn = tx.conn()?;
    match conn.commit_tx(loc) {
        Ok(()) => Ok(value),
        Err(e) => {
            let _ = conn.rollback_tx(loc);
            Err(e.into())
        }
    }
}

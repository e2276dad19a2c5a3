//! Transactions and savepoints.

use std::panic::Location;
use std::sync::Arc;

use super::conn::Conn;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::events::Operation;
use crate::executor::{Executor, Job};

/// An open transaction (or savepoint). Queries run on it see its writes;
/// it ends when the closure that received it returns.
pub struct Tx<'c> {
    conn: &'c Conn,
}

impl Tx<'_> {
    /// Nests a savepoint: released when `f` returns `Ok`, rolled back to when it
    /// returns `Err` or panics; the outer transaction goes on either way.
    #[track_caller]
    pub fn transaction<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        run_transaction(self.conn, Location::caller(), f)
    }

    /// [`transaction`](Tx::transaction) for the application's own error type.
    #[track_caller]
    pub fn transaction_with<T, E: From<Error>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        run_transaction(self.conn, Location::caller(), f)
    }

    /// Nesting depth: 1 for the outer transaction, 2 for a savepoint in it, ...
    pub fn depth(&self) -> u32 {
        self.conn.depth()
    }

    /// Runs a script of statements without parameters.
    #[track_caller]
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        self.conn.batch(&Arc::from(sql), Location::caller())
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
        job.run(self.conn)
    }
}

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

/// Rolls back if dropped while armed: on `Err`, and on unwinding from a panic.
struct RollbackGuard<'c> {
    conn: &'c Conn,
    control: &'c Control,
    depth: u32,
    loc: &'static Location<'static>,
    armed: bool,
}

impl RollbackGuard<'_> {
    fn rollback(&mut self) -> Result<()> {
        self.armed = false;
        let mut result = Ok(());
        for (sql, op) in &self.control.rollback {
            if let Err(e) = self.conn.control(sql, *op, self.loc) {
                result = result.and(Err(e));
            }
        }
        self.conn.set_depth(self.depth - 1);
        result
    }
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            // Nothing to report to: the caller is already failing or unwinding.
            let _ = self.rollback();
        }
    }
}

pub(crate) fn run_transaction<T, E: From<Error>>(
    conn: &Conn,
    loc: &'static Location<'static>,
    f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let depth = conn.depth() + 1;
    let control = Control::at(depth);
    conn.control(&control.begin, if depth == 1 { Operation::Begin } else { Operation::Savepoint }, loc)?;
    conn.set_depth(depth);
    let mut guard = RollbackGuard { conn, control: &control, depth, loc, armed: true };
    let value = f(&Tx { conn })?;
    let op = if depth == 1 { Operation::Commit } else { Operation::Release };
    match conn.control(&control.commit, op, loc) {
        Ok(()) => {
            guard.armed = false;
            conn.set_depth(depth - 1);
            Ok(value)
        }
        Err(e) => {
            let _ = guard.rollback();
            Err(e.into())
        }
    }
}

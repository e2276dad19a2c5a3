//! Transactions and savepoints.

use std::panic::Location;
use std::sync::Arc;

use super::conn::Conn;
use crate::error::{Error, Result};
use crate::events::Operation;
use crate::transaction::sync_nested;

/// An open SQLite transaction (or savepoint) on a connection borrowed for
/// the closure that received it. Queries run on it see its writes; its
/// methods are [`transaction::Tx`](crate::transaction::Tx)'s.
pub type Tx<'c> = crate::transaction::Tx<'c, Conn>;

/// Runs `f` in a transaction on `conn` (a savepoint if one is open).
pub(crate) fn run_transaction<T, E: From<Error>>(
    conn: &mut Conn,
    loc: &'static Location<'static>,
    f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
) -> Result<T, E> {
    sync_nested(&Tx::new(conn), loc, f)
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
    /// A read-only transaction begins deferred (it needs no write lock) and
    /// with `query_only` on; SQLite's transactions are serializable, which
    /// satisfies any isolation level asked for.
    pub(crate) fn begin_tx(&self, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth() + 1;
        let op = if depth == 1 { Operation::Begin } else { Operation::Savepoint };
        let options = if depth == 1 { self.take_next_begin() } else { None };
        let mut begin = Control::at(depth).begin;
        if options.is_some_and(|o| o.read_only) {
            self.transaction_setting("PRAGMA query_only = ON", loc)?;
            self.query_only_until_end();
            begin = Arc::from("BEGIN DEFERRED");
        }
        if let Err(e) = self.control(&begin, op, loc) {
            self.after_level(loc);
            return Err(e);
        }
        self.set_depth(depth);
        Ok(())
    }

    /// Commits the innermost transaction, or releases its savepoint.
    pub(crate) fn commit_tx(&self, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth();
        let op = if depth == 1 { Operation::Commit } else { Operation::Release };
        self.control(&Control::at(depth).commit, op, loc)?;
        self.set_depth(depth - 1);
        self.after_level(loc);
        Ok(())
    }

    /// Rolls the innermost transaction or savepoint back; the depth drops
    /// even when a statement fails, so the connection is usable after.
    pub(crate) fn rollback_tx(&self, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth();
        if depth == 0 {
            return Ok(());
        }
        let mut result = Ok(());
        for (sql, op) in &Control::at(depth).rollback {
            if let Err(e) = self.control(sql, *op, loc) {
                result = result.and(Err(e));
            }
        }
        self.set_depth(depth.saturating_sub(1));
        self.after_level(loc);
        result
    }

    /// Turns foreign keys back on when the transaction that turned them off
    /// ends. A failure leaves them off on this pooled connection, which
    /// nothing can report to.
    fn after_level(&self, loc: &'static Location<'static>) {
        if self.depth() == 0 && self.take_foreign_keys_off() {
            let _ = self.transaction_setting("PRAGMA foreign_keys = ON", loc);
        }
        if self.depth() == 0 && self.take_query_only() {
            let _ = self.transaction_setting("PRAGMA query_only = OFF", loc);
        }
    }
}

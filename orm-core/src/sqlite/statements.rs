//! Prepared statements a connection holds across queries, found first by
//! the address of their SQL text.
//!
//! rusqlite's `prepare_cached` finds a statement by its text: it trims and
//! hashes the text, takes the statement out of an LRU list, copies the text
//! into a new key and puts it all back when the statement is dropped — a
//! few hundred nanoseconds, as long as a one-row query itself. ormlet's SQL
//! comes from per-model `static`s and the per-thread shape cache, so the
//! same statement arrives as the same `Arc` every time: its address finds
//! the statement with one integer hash. Text from elsewhere (`raw`, a shape
//! rendered again) is found by its text.

use std::cell::RefCell;
use std::sync::Arc;

use rusqlite::{Connection, PrepFlags, Statement};
use rustc_hash::FxHashMap;

use super::pace::Pace;

/// Statements kept per connection before all are finalized and the list
/// starts again (as many as rusqlite's cache held).
const CAPACITY: usize = 256;

/// The statements one connection holds.
#[derive(Default)]
pub(crate) struct Statements<'c> {
    /// Each statement with the text it was prepared from and how its last
    /// run went. Holding the `Arc` keeps its address from being reused for
    /// another text while the statement is here.
    held: Vec<(Arc<str>, Statement<'c>, Pace)>,
    by_address: FxHashMap<usize, usize>,
    by_text: FxHashMap<Arc<str>, usize>,
}

impl<'c> Statements<'c> {
    /// The statement for `sql`, prepared on `conn` the first time, and its pace.
    pub(crate) fn get(
        &mut self,
        conn: &'c Connection,
        sql: &Arc<str>,
    ) -> rusqlite::Result<(&mut Statement<'c>, &mut Pace)> {
        let address = Arc::as_ptr(sql) as *const u8 as usize;
        let found = match self.by_address.get(&address) {
            Some(&i) => Some(i),
            None => self.by_text.get(&**sql).copied(),
        };
        let i = match found {
            Some(i) => i,
            None => self.prepare(conn, sql, address)?,
        };
        let (_, statement, pace) = &mut self.held[i];
        Ok((statement, pace))
    }

    /// Prepares `sql` and holds it: out of line, as it happens once per
    /// statement and connection.
    #[cold]
    #[inline(never)]
    fn prepare(&mut self, conn: &'c Connection, sql: &Arc<str>, address: usize) -> rusqlite::Result<usize> {
        if self.held.len() >= CAPACITY {
            self.clear();
        }
        let statement = conn.prepare_with_flags(sql, PrepFlags::SQLITE_PREPARE_PERSISTENT)?;
        let i = self.held.len();
        self.held.push((sql.clone(), statement, Pace::default()));
        self.by_address.insert(address, i);
        self.by_text.insert(sql.clone(), i);
        Ok(i)
    }

    /// Finalizes every statement.
    pub(crate) fn clear(&mut self) {
        self.by_address.clear();
        self.by_text.clear();
        self.held.clear();
    }
}

type HeldStatements<'c> = RefCell<Statements<'c>>;

self_cell::self_cell!(
    /// A rusqlite connection and the statements prepared on it.
    pub(crate) struct Handle {
        owner: Connection,
        #[not_covariant]
        dependent: HeldStatements,
    }
);

// SAFETY: a `Statement` is not `Send` only because it borrows its
// `Connection`, which is `!Sync`. Here the statements move with the one
// connection they borrow, as a whole, and are used only through it (never
// from two threads at once: the handle is not `Sync`). SQLite allows a
// connection and its statements to move between threads in its
// multi-thread mode, which is how rusqlite builds it; rusqlite's own
// statement cache moves inside a `Connection` the same way.
unsafe impl Send for Handle {}

impl Handle {
    pub(crate) fn open(conn: Connection) -> Self {
        Handle::new(conn, |_| RefCell::new(Statements::default()))
    }

    /// The connection.
    pub(crate) fn conn(&self) -> &Connection {
        self.borrow_owner()
    }

    /// Runs `f` on the statement for `sql` and its pace: a held one, or,
    /// while a held one is in use further up the stack, one from rusqlite's
    /// cache (whose pace is not known).
    pub(crate) fn with_statement<T>(
        &self,
        sql: &Arc<str>,
        f: impl FnOnce(&mut Statement<'_>, &mut Pace) -> T,
    ) -> rusqlite::Result<T> {
        self.with_dependent(|conn, held| match held.try_borrow_mut() {
            Ok(mut held) => {
                let (statement, pace) = held.get(conn, sql)?;
                Ok(f(statement, pace))
            }
            Err(_) => with_cached(conn, sql, f),
        })
    }
}

/// Runs `f` on the statement for `sql` from rusqlite's cache (a nested
/// query's: rare, so out of line).
#[cold]
#[inline(never)]
fn with_cached<T>(
    conn: &Connection,
    sql: &str,
    f: impl FnOnce(&mut Statement<'_>, &mut Pace) -> T,
) -> rusqlite::Result<T> {
    Ok(f(&mut *conn.prepare_cached(sql)?, &mut Pace::default()))
}

//! `Db`: a SQLite database handle holding one connection (in memory) or a
//! small pool (files).

use std::panic::Location;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::conn::Conn;
use super::pool::{Lease, Pool};
use super::tx::{Tx, run_transaction};
use crate::backend::Backend;
use crate::connection::Connection;
use crate::connection::complete;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job};
use crate::transaction::{Retryable, TxOptions};

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Memory,
    File(PathBuf),
}

/// Statements quicker than this on their last run stay on the async
/// worker (see [`DbOptions::offload_slower_than`]): the upper end of the
/// time tokio advises a task to run between awaits.
const DEFAULT_OFFLOAD_SLOWER_THAN: Duration = Duration::from_micros(100);

/// How to open a [`Db`]: `Db::options("sqlite://app.db")?.pool_size(8).open()`.
#[derive(Debug, Clone)]
pub struct DbOptions {
    url: String,
    location: Place,
    pool_size: usize,
    busy_timeout: Duration,
    statement_cache: usize,
    foreign_keys: bool,
    max_bound_params: Option<usize>,
    stable_query_plans: bool,
    offload_slower_than: Duration,
}

impl DbOptions {
    /// Parses `sqlite::memory:`, `sqlite://path`, `sqlite:///abs/path` or `sqlite:path`.
    pub fn new(url: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidUrl { url: url.to_owned(), reason: reason.to_owned() };
        let rest = url
            .strip_prefix("sqlite:")
            .ok_or_else(|| invalid("expected `sqlite::memory:` or `sqlite://path/to/file.db`"))?;
        if rest.contains('?') {
            return Err(invalid("URL parameters are not supported; set options with `Db::options(url)?`"));
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let place = match path {
            ":memory:" => Place::Memory,
            "" => return Err(invalid("no file path after `sqlite://`")),
            p => Place::File(PathBuf::from(p)),
        };
        Ok(DbOptions::at(url.to_owned(), place))
    }

    /// The database file, or `None` for an in-memory database.
    pub fn path(&self) -> Option<&std::path::Path> {
        match &self.location {
            Place::File(p) => Some(p),
            Place::Memory => None,
        }
    }

    /// Options for a file given as a path (any file name, no URL rules).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        DbOptions::at(format!("sqlite://{}", path.display()), Place::File(path))
    }

    fn at(url: String, place: Place) -> Self {
        let pool_size = if place == Place::Memory { 1 } else { 4 };
        DbOptions {
            url,
            location: place,
            pool_size,
            busy_timeout: Duration::from_secs(5),
            statement_cache: 256,
            foreign_keys: true,
            max_bound_params: None,
            stable_query_plans: true,
            offload_slower_than: DEFAULT_OFFLOAD_SLOWER_THAN,
        }
    }

    /// Connections in the pool (files only; an in-memory database is one connection).
    pub fn pool_size(mut self, n: usize) -> Self {
        if self.location != Place::Memory {
            self.pool_size = n.max(1);
        }
        self
    }

    /// How long a query waits for a locked database, and for a free connection.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Prepared statements kept per connection (default 256; rusqlite's own default is 16).
    pub fn statement_cache(mut self, n: usize) -> Self {
        self.statement_cache = n;
        self
    }

    /// Enforce foreign keys (default on).
    pub fn foreign_keys(mut self, on: bool) -> Self {
        self.foreign_keys = on;
        self
    }

    /// Lowers the most values one statement may bind (SQLite's
    /// `SQLITE_LIMIT_VARIABLE_NUMBER`, 32 766 by default). Batched inserts
    /// and eager loads split their work to stay under it.
    pub fn max_bound_params(mut self, n: usize) -> Self {
        self.max_bound_params = Some(n.max(1));
        self
    }

    /// Plan each statement once, whatever values it is run with (SQLite's
    /// query planner stability guarantee; default on).
    ///
    /// Off, SQLite plans some statements from the values bound to them: a
    /// bound `LIMIT` or `OFFSET`, a `LIKE` pattern (`starts_with`), and any
    /// compared value once `ANALYZE` has gathered statistics. Such a
    /// statement is parsed and planned again every time a value is bound to
    /// it, which is every run: a paginated query costs a parse each time
    /// instead of reusing its prepared statement. Turn this off only when a
    /// value-dependent plan matters more than that, such as a prefix search
    /// with `starts_with` over an index of a large table.
    pub fn stable_query_plans(mut self, on: bool) -> Self {
        self.stable_query_plans = on;
        self
    }

    /// Which statements of an [`AsyncDb`](super::AsyncDb) query leave the
    /// async worker (default 100 µs; applies on a multi-threaded tokio
    /// runtime, where blocking a worker delays its other tasks).
    ///
    /// Each read a connection holds prepared remembers how long its last
    /// run took. If that was less than `limit`, it runs on the worker that
    /// polls the query, as any short step of an async task does; its first
    /// run, and its next run after one that took `limit` or longer, run
    /// under `tokio::task::block_in_place`, which hands the worker's other
    /// tasks to another thread meanwhile. That hand-over costs a few
    /// microseconds, more than a typical indexed query, so running quick
    /// reads in place serves more requests per second; a read whose time
    /// depends on its values may hold a worker for one slow run before it
    /// is moved. Writes and transaction control always move (they may wait
    /// for the write lock). `Duration::ZERO` moves every statement.
    pub fn offload_slower_than(mut self, limit: Duration) -> Self {
        self.offload_slower_than = limit;
        self
    }

    /// Opens the connections.
    pub fn open(self) -> Result<Db> {
        let conns = (0..self.pool_size).map(|_| self.open_one()).collect::<Result<Vec<_>>>()?;
        Ok(Db { pool: Arc::new(Pool::new(conns, self.busy_timeout)) })
    }

    fn open_one(&self) -> Result<Conn> {
        let fail = |e: rusqlite::Error| Error::Connection { url: self.url.clone(), message: e.to_string() };
        let raw = match &self.location {
            Place::Memory => rusqlite::Connection::open_in_memory(),
            Place::File(p) => rusqlite::Connection::open(p),
        }
        .map_err(fail)?;
        raw.set_prepared_statement_cache_capacity(self.statement_cache);
        raw.busy_timeout(self.busy_timeout).map_err(fail)?;
        raw.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, self.stable_query_plans)
            .map_err(fail)?;
        let mut pragmas = String::new();
        // Said either way: the bundled SQLite is built with foreign keys on by default.
        pragmas.push_str(if self.foreign_keys { "PRAGMA foreign_keys = ON;" } else { "PRAGMA foreign_keys = OFF;" });
        if let Place::File(_) = self.location {
            // WAL lets readers run beside the writer; NORMAL is durable in WAL mode
            // except for the last commits on power loss, the usual server trade-off.
            pragmas.push_str("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        }
        // Switching a new file to WAL needs its write lock; two processes
        // opening it at once can get SQLITE_BUSY without the busy handler
        // being asked, so retry for as long as the busy timeout allows.
        let started = std::time::Instant::now();
        loop {
            match raw.execute_batch(&pragmas) {
                Ok(()) => break,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && started.elapsed() < self.busy_timeout =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(fail(e)),
            }
        }
        super::functions::register(&raw).map_err(fail)?;
        if let Some(n) = self.max_bound_params {
            let n = i32::try_from(n).unwrap_or(i32::MAX);
            raw.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_VARIABLE_NUMBER, n).map_err(fail)?;
        }
        Ok(Conn::new(raw, self.offload_slower_than))
    }
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Conn")
    }
}

/// A SQLite database: synchronous, the embedded default.
///
/// Cloning is cheap and shares the connections. Queries take a free
/// connection for their duration; a transaction keeps one until it ends.
///
/// ```
/// use ormlet_core::sqlite::Db;
/// let db = Db::connect("sqlite::memory:")?;
/// db.execute_batch("CREATE TABLE t (x INTEGER)")?;
/// # Ok::<(), ormlet_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Db {
    pool: Arc<Pool>,
}

impl Db {
    /// Opens a database from a URL: `sqlite::memory:` or `sqlite://path/to/file.db`
    /// (created if missing).
    pub fn connect(url: &str) -> Result<Db> {
        DbOptions::new(url)?.open()
    }

    /// Options for opening a database from a URL.
    pub fn options(url: &str) -> Result<DbOptions> {
        DbOptions::new(url)
    }

    /// Opens (or creates) a database file.
    pub fn open(path: impl Into<PathBuf>) -> Result<Db> {
        DbOptions::file(path).open()
    }

    /// A private in-memory database (one connection).
    pub fn open_in_memory() -> Result<Db> {
        Db::connect("sqlite::memory:")
    }

    /// A free connection, waited for as long as the busy timeout allows.
    #[inline]
    pub(crate) fn checkout(&self) -> Result<Lease<'_>> {
        self.pool.take()
    }

    pub(crate) fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// Runs `f` in a transaction: committed when `f` returns `Ok`, rolled back
    /// when it returns `Err` or panics. Inside, run queries on `tx`; calling
    /// `tx.transaction` nests a savepoint.
    ///
    /// ```
    /// # use ormlet_core::{prelude::*, doc_models::User, sqlite::Db};
    /// # let db = Db::connect("sqlite::memory:")?;
    /// # db.create_table::<User>()?;
    /// db.transaction(|tx| {
    ///     let mut u = User { id: Auto::new(), email: "a@x.io".into(), name: "A".into(), age: None };
    ///     u.insert(tx)?;
    ///     Ok(())
    /// })?;
    /// # Ok::<(), ormlet_core::Error>(())
    /// ```
    #[track_caller]
    pub fn transaction<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        self.transaction_with(f)
    }

    /// [`transaction`](Db::transaction) for closures that return the
    /// application's own error type (anything an [`Error`] converts into).
    #[track_caller]
    pub fn transaction_with<T, E: From<Error>>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let loc = Location::caller();
        let mut conn = self.checkout()?;
        run_transaction(&mut conn, loc, f)
    }

    /// [`transaction_with`](Db::transaction_with) in a transaction that
    /// begins with `options`. SQLite's transactions are serializable, so any
    /// isolation level is met; a read-only one begins deferred with
    /// `query_only` on, and a write in it fails.
    #[track_caller]
    pub fn transaction_with_options<T, E: From<Error>>(
        &self,
        options: TxOptions,
        f: impl FnOnce(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let loc = Location::caller();
        let mut conn = self.checkout()?;
        conn.prepare_begin(options);
        run_transaction(&mut conn, loc, f)
    }

    /// Runs `f` in a transaction, and again after a short growing pause
    /// while it fails with a conflict (a busy database), up to
    /// [`TxOptions::attempts`] times. `f` may run more than once.
    #[track_caller]
    pub fn transaction_with_retry<T, E: From<Error> + Retryable>(
        &self,
        options: TxOptions,
        mut f: impl FnMut(&Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let loc = Location::caller();
        let mut attempt = 1;
        loop {
            let mut conn = self.checkout()?;
            conn.prepare_begin(options);
            match run_transaction(&mut conn, loc, &mut f) {
                Err(e) if e.is_conflict() && attempt < options.attempts => {
                    drop(conn);
                    std::thread::sleep(crate::transaction::backoff(attempt));
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    /// Runs a script of statements without parameters (schema set-up).
    #[track_caller]
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        let loc = Location::caller();
        self.checkout()?.batch(&Arc::from(sql), loc)
    }

    /// Runs `f` with a connection of the pool, for direct rusqlite access.
    pub fn with_conn<T>(&self, f: impl FnOnce(&Conn) -> T) -> Result<T> {
        Ok(f(&*self.checkout()?))
    }
}

impl Executor for Db {
    type Output<'a, J: Job + 'a> = Result<J::Out>;

    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    #[inline]
    fn run<'a, J: Job + 'a>(&'a self, job: J) -> Result<J::Out> {
        complete(job.run(&mut *self.checkout()?))
    }
}

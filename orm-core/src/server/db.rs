//! A pool of server connections: options, queries and transactions.

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolOptions;

use super::conn::ServerConn;
use super::driver::Driver;
use super::lender::{Lender, Lent};
use super::{Tx, error};
use crate::backend::Backend;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job, QueryFuture};
use crate::transaction::{Transaction, scope, transaction_methods};

/// How to open a [`Db`]: `Db::options(url).pool_size(20).open().await`.
pub struct DbOptions<D> {
    url: String,
    pool_size: u32,
    acquire_timeout: Duration,
    statement_cache: usize,
    test_before_acquire: bool,
    min_connections: u32,
    idle_timeout: Option<Duration>,
    max_lifetime: Option<Duration>,
    _driver: std::marker::PhantomData<fn() -> D>,
}

impl<D> Clone for DbOptions<D> {
    fn clone(&self) -> Self {
        DbOptions { url: self.url.clone(), _driver: std::marker::PhantomData, ..*self }
    }
}

impl<D> std::fmt::Debug for DbOptions<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbOptions")
            .field("url", &super::url::redact(&self.url))
            .field("pool_size", &self.pool_size)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("statement_cache", &self.statement_cache)
            .field("test_before_acquire", &self.test_before_acquire)
            .field("min_connections", &self.min_connections)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_lifetime", &self.max_lifetime)
            .finish()
    }
}

impl<D: Driver> DbOptions<D> {
    fn new(url: &str) -> Self {
        DbOptions {
            url: url.to_owned(),
            pool_size: 10,
            acquire_timeout: Duration::from_secs(5),
            statement_cache: 256,
            test_before_acquire: false,
            min_connections: 0,
            idle_timeout: Some(Duration::from_secs(10 * 60)),
            max_lifetime: Some(Duration::from_secs(30 * 60)),
            _driver: std::marker::PhantomData,
        }
    }

    /// Whether a pooled connection is pinged before each query (default
    /// off: the ping is one more round trip per query).
    ///
    /// Without it, a connection the server ended while it sat idle fails
    /// the first statement it is given, and ormlet runs that statement
    /// once more on a new connection when it cannot have run: a read or
    /// a BEGIN, or a write the server refused with its own "session
    /// ended" error. Otherwise the statement fails with a retryable
    /// [`Error::Connection`] (see [`Error::is_retryable`]); inside a
    /// transaction nothing is run again.
    pub fn test_before_acquire(mut self, on: bool) -> Self {
        self.test_before_acquire = on;
        self
    }

    /// Connections the pool keeps open even when idle (default 0).
    pub fn min_connections(mut self, n: u32) -> Self {
        self.min_connections = n;
        self
    }

    /// How long a connection may sit idle before the pool closes it
    /// (default 10 min; `None`: never).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// How long a connection may live before the pool replaces it
    /// (default 30 min; `None`: forever).
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// Connections in the pool (default 10).
    pub fn pool_size(mut self, n: u32) -> Self {
        self.pool_size = n.max(1);
        self
    }

    /// How long a query waits for a free connection before
    /// [`Error::PoolTimeout`] (default 5 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Prepared statements kept per connection (default 256).
    pub fn statement_cache(mut self, n: usize) -> Self {
        self.statement_cache = n;
        self
    }

    /// Connects the pool (one connection up front, so a wrong URL or an
    /// unreachable server fails here).
    pub async fn open(self) -> Result<Db<D>> {
        use sqlx::ConnectOptions;
        // ormlet records every query itself; sqlx's own statement log would say it twice.
        let options = D::connect_options(&self.url, self.statement_cache)?.disable_statement_logging();
        // One attempt first, outside the pool: a refused connection or a bad
        // password fails at once, where the pool would retry until its
        // acquire timeout.
        let first = tokio::time::timeout(self.acquire_timeout, options.connect())
            .await
            .map_err(|_| error::connect(sqlx::Error::PoolTimedOut, &self.url))?
            .map_err(|e| error::connect(e, &self.url))?;
        let _ = sqlx::Connection::close(first).await;
        let pool = PoolOptions::<D>::new()
            .max_connections(self.pool_size)
            .min_connections(self.min_connections.min(self.pool_size))
            .acquire_timeout(self.acquire_timeout)
            .test_before_acquire(self.test_before_acquire)
            .idle_timeout(self.idle_timeout)
            .max_lifetime(self.max_lifetime)
            .connect_with(options)
            .await
            .map_err(|e| error::connect(e, &self.url))?;
        let url = Arc::from(super::url::redact(&self.url));
        Ok(Db { inner: Arc::new(Inner { lender: Arc::new(Lender::new(pool, false)), url, options: self }) })
    }
}

#[derive(Debug)]
struct Inner<D: Driver> {
    lender: Arc<Lender<D>>,
    /// The URL without its password, for errors on a pooled connection.
    url: Arc<str>,
    options: DbOptions<D>,
}

/// A pool of connections to a PostgreSQL or MySQL server; async.
///
/// Cloning is cheap and shares the pool. Each query takes a connection for
/// its duration; a transaction keeps one until it ends.
#[derive(Debug)]
pub struct Db<D: Driver> {
    inner: Arc<Inner<D>>,
}

impl<D: Driver> Clone for Db<D> {
    fn clone(&self) -> Self {
        Db { inner: self.inner.clone() }
    }
}

impl<D: Driver> Db<D> {
    /// Connects to the server at `url` with default options.
    pub async fn connect(url: &str) -> Result<Self> {
        DbOptions::new(url).open().await
    }

    /// Options for connecting to `url`.
    pub fn options(url: &str) -> DbOptions<D> {
        DbOptions::new(url)
    }

    /// Wraps a pool made with sqlx's own options (queries through it are
    /// profiled like any other).
    pub fn from_pool(pool: sqlx::Pool<D>) -> Self {
        let options = DbOptions::new("");
        let options = DbOptions {
            pool_size: pool.options().get_max_connections(),
            acquire_timeout: pool.options().get_acquire_timeout(),
            ..options
        };
        // The caller may acquire from its own clone of the pool: park nothing.
        let lender = Arc::new(Lender::new(pool, true));
        Db { inner: Arc::new(Inner { lender, url: Arc::from("(a pool made with sqlx)"), options }) }
    }

    /// The sqlx pool, for what ormlet does not cover. Queries run on it
    /// directly are not profiled.
    ///
    /// ormlet keeps a connection a query gives back for the next query,
    /// past sqlx's pool (which would ping it first). Once this is called it
    /// stops, so code acquiring from the pool never waits for a connection
    /// ormlet holds.
    pub fn pool(&self) -> &sqlx::Pool<D> {
        self.inner.lender.share()
    }

    async fn acquire(&self) -> Result<Lent<D>> {
        self.inner.lender.lend().await.map_err(|e| match e {
            sqlx::Error::PoolTimedOut => Error::PoolTimeout {
                size: self.inner.options.pool_size as usize,
                waited: self.inner.options.acquire_timeout,
            },
            e => error::connect(e, &self.inner.options.url),
        })
    }

    /// Opens a transaction: commit it with `commit()`; dropped without a
    /// commit, it rolls back.
    #[track_caller]
    pub fn begin(&self) -> impl Future<Output = Result<Tx<D>>> + Send + '_ {
        self.begin_at(Location::caller())
    }

    pub(crate) async fn begin_at(&self, loc: &'static Location<'static>) -> Result<Tx<D>> {
        Transaction::begin(self.conn().await?, loc).await
    }

    /// A pooled connection, with no transaction open.
    pub(crate) async fn conn(&self) -> Result<ServerConn<D>> {
        let url = self.inner.url.clone();
        self.acquire().await.map(|lent| ServerConn::new(lent, self.inner.lender.clone(), url))
    }

    transaction_methods!(
        Tx<D>,
        "Runs `f` in a transaction: committed when it returns `Ok`, rolled back when it returns `Err` (or panics, or its future is dropped).",
        |this, loc, f| async move { scope(Transaction::new(this.conn().await?, loc), loc, f).await }
    );

    crate::transaction::transaction_option_methods!(Tx<D>, |this, loc, options| async {
        Ok::<_, Error>(Transaction::with_options(this.conn().await?, loc, options))
    });

    /// Runs a script of statements without values, one at a time.
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        self.execute_batch_at(sql, Location::caller())
    }

    /// [`execute_batch`](Db::execute_batch), recorded at `loc`.
    pub(crate) async fn execute_batch_at(&self, sql: &str, loc: &'static Location<'static>) -> Result<()> {
        self.conn().await?.batch(&Arc::from(sql), loc).await
    }
}

impl<D: Driver> Executor for Db<D> {
    type Output<'a, J: Job + 'a> = QueryFuture<'a, J::Out>;

    fn backend(&self) -> Backend {
        D::BACKEND
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> QueryFuture<'a, J::Out> {
        Box::pin(async move { job.run(&mut self.conn().await?).await })
    }
}

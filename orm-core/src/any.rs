//! One handle for any backend, chosen by the URL at run time:
//! `AnyDb::connect(&std::env::var("DATABASE_URL")?)`.

use std::panic::Location;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job, QueryFuture};
use crate::sqlite::{AsyncDb, AsyncTx};
use crate::transaction::{Levels, Transaction, nested, scope, transaction_methods};

/// `$body` with `$inner` bound to the backend's own transaction inside an [`AnyTx`].
macro_rules! each_tx {
    ($tx:expr, |$inner:ident| $body:expr) => {
        match $tx {
            AnyTx::Sqlite($inner) => $body,
            #[cfg(feature = "postgres")]
            AnyTx::Postgres($inner) => $body,
            #[cfg(feature = "mysql")]
            AnyTx::MySql($inner) => $body,
        }
    };
}

/// A database picked from its URL: `sqlite::memory:` / `sqlite://file`,
/// `postgres://...` (feature `postgres`), `mysql://...` or `mariadb://...`
/// (feature `mysql`). Every query is awaited; SQLite runs through its async
/// face.
///
/// ```
/// # async fn demo() -> ormlet_core::Result<()> {
/// use ormlet_core::prelude::*;
/// # use ormlet_core::doc_models::User;
/// let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
/// let db = ormlet_core::AnyDb::connect(&url).await?;
/// db.create_table::<User>().await?;
/// let n = User::find().count(&db).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyDb {
    /// SQLite.
    Sqlite(AsyncDb),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::Db),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    MySql(crate::mysql::Db),
}

/// A transaction on an [`AnyDb`]; dropped unfinished, it rolls back.
#[non_exhaustive]
pub enum AnyTx {
    /// SQLite.
    Sqlite(AsyncTx),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::Tx),
    /// MySQL or MariaDB.
    #[cfg(feature = "mysql")]
    MySql(crate::mysql::Tx),
}

#[cfg(not(all(feature = "postgres", feature = "mysql")))]
fn missing(url: &str, feature: &str) -> Error {
    Error::InvalidUrl {
        url: url.split('@').next_back().unwrap_or(url).to_owned(),
        reason: format!("this build has no `{feature}` backend: enable ormlet's `{feature}` feature"),
    }
}

impl AnyDb {
    /// Connects to the database the URL names.
    pub async fn connect(url: &str) -> Result<AnyDb> {
        let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => AsyncDb::connect(url).map(AnyDb::Sqlite),
            #[cfg(feature = "postgres")]
            "postgres" | "postgresql" => crate::postgres::Db::connect(url).await.map(AnyDb::Postgres),
            #[cfg(feature = "mysql")]
            "mysql" => crate::mysql::Db::connect(url).await.map(AnyDb::MySql),
            #[cfg(feature = "mysql")]
            "mariadb" => {
                crate::mysql::Db::connect(&format!("mysql{}", &url["mariadb".len()..])).await.map(AnyDb::MySql)
            }
            #[cfg(not(feature = "postgres"))]
            "postgres" | "postgresql" => Err(missing(url, "postgres")),
            #[cfg(not(feature = "mysql"))]
            "mysql" | "mariadb" => Err(missing(url, "mysql")),
            _ => Err(Error::InvalidUrl {
                url: url.to_owned(),
                reason: "expected `sqlite::memory:`, `sqlite://path`, `postgres://...` or `mysql://...`".into(),
            }),
        }
    }

    /// Opens a transaction: `tx.commit().await?` ends it; dropped
    /// unfinished, it rolls back.
    #[track_caller]
    pub fn begin(&self) -> impl Future<Output = Result<AnyTx>> + Send + '_ {
        self.begin_at(Location::caller())
    }

    /// [`begin`](AnyDb::begin), recorded at `loc`.
    pub(crate) async fn begin_at(&self, loc: &'static Location<'static>) -> Result<AnyTx> {
        Ok(match self {
            AnyDb::Sqlite(db) => AnyTx::Sqlite(db.begin_at(loc).await?),
            #[cfg(feature = "postgres")]
            AnyDb::Postgres(db) => AnyTx::Postgres(db.begin_at(loc).await?),
            #[cfg(feature = "mysql")]
            AnyDb::MySql(db) => AnyTx::MySql(db.begin_at(loc).await?),
        })
    }

    /// A transaction for schema changes: on SQLite, foreign keys are off
    /// until it ends (a table rebuild needs it), so the caller checks them
    /// before committing.
    pub(crate) async fn begin_for_schema(&self, loc: &'static Location<'static>) -> Result<AnyTx> {
        match self {
            AnyDb::Sqlite(db) => Ok(AnyTx::Sqlite(db.begin_without_foreign_keys(loc).await?)),
            #[cfg(any(feature = "postgres", feature = "mysql"))]
            _ => self.begin_at(loc).await,
        }
    }

    transaction_methods!(
        AnyTx,
        "Runs `f` in a transaction: committed when it returns `Ok`, rolled back when it returns `Err` (or panics, or is dropped).",
        |this, loc, f| async move {
            let tx = match this {
                AnyDb::Sqlite(db) => AnyTx::Sqlite(Transaction::new(db.pooled().await?, loc)),
                #[cfg(feature = "postgres")]
                AnyDb::Postgres(db) => AnyTx::Postgres(Transaction::new(db.conn().await?, loc)),
                #[cfg(feature = "mysql")]
                AnyDb::MySql(db) => AnyTx::MySql(Transaction::new(db.conn().await?, loc)),
            };
            scope(tx, loc, f).await
        }
    );

    crate::transaction::transaction_option_methods!(AnyTx, |this, loc, options| async {
        Ok::<_, Error>(match this {
            AnyDb::Sqlite(db) => AnyTx::Sqlite(Transaction::with_options(db.pooled().await?, loc, options)),
            #[cfg(feature = "postgres")]
            AnyDb::Postgres(db) => AnyTx::Postgres(Transaction::with_options(db.conn().await?, loc, options)),
            #[cfg(feature = "mysql")]
            AnyDb::MySql(db) => AnyTx::MySql(Transaction::with_options(db.conn().await?, loc, options)),
        })
    });

    /// Runs a script of statements without values.
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        let loc = Location::caller();
        async move {
            match self {
                AnyDb::Sqlite(db) => db.execute_batch_at(sql, loc).await,
                #[cfg(feature = "postgres")]
                AnyDb::Postgres(db) => db.execute_batch_at(sql, loc).await,
                #[cfg(feature = "mysql")]
                AnyDb::MySql(db) => db.execute_batch_at(sql, loc).await,
            }
        }
    }
}

impl Executor for AnyDb {
    type Output<'a, J: Job + 'a> = QueryFuture<'a, J::Out>;

    fn portable_placeholders(&self) -> bool {
        true
    }

    fn backend(&self) -> Backend {
        match self {
            AnyDb::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            AnyDb::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            AnyDb::MySql(_) => Backend::MySql,
        }
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> QueryFuture<'a, J::Out> {
        match self {
            AnyDb::Sqlite(db) => Box::pin(db.run(job)),
            #[cfg(feature = "postgres")]
            AnyDb::Postgres(db) => db.run(job),
            #[cfg(feature = "mysql")]
            AnyDb::MySql(db) => db.run(job),
        }
    }
}

impl AnyTx {
    /// Runs a script of statements without values inside the transaction.
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        self.execute_batch_at(sql, Location::caller())
    }

    /// [`execute_batch`](AnyTx::execute_batch), recorded at `loc`.
    pub(crate) async fn execute_batch_at(&self, sql: &str, loc: &'static Location<'static>) -> Result<()> {
        each_tx!(self, |tx| tx.execute_batch_at(sql, loc).await)
    }

    /// Commits.
    #[track_caller]
    pub fn commit(self) -> impl Future<Output = Result<()>> {
        self.finish(true, Location::caller())
    }

    /// Rolls back.
    #[track_caller]
    pub fn rollback(self) -> impl Future<Output = Result<()>> {
        self.finish(false, Location::caller())
    }

    /// Commits (`commit`) or rolls back, recorded at `loc`.
    pub(crate) async fn finish(self, commit: bool, loc: &'static Location<'static>) -> Result<()> {
        each_tx!(self, |tx| tx.finish(commit, loc).await)
    }

    transaction_methods!(
        AnyTx,
        "Runs `f` in a savepoint: released on `Ok`, rolled back to on `Err` (or a panic, or when dropped); the transaction goes on either way.",
        |this, loc, f| nested(this, loc, f(this))
    );
}

/// Each level goes to the backend's own transaction.
impl Levels for AnyTx {
    async fn begin_level(&self, loc: &'static Location<'static>) -> Result<u32> {
        each_tx!(self, |tx| tx.begin_level(loc).await)
    }

    async fn commit_level(&self, loc: &'static Location<'static>) -> Result<u32> {
        each_tx!(self, |tx| tx.commit_level(loc).await)
    }

    async fn rollback_level(&self, loc: &'static Location<'static>) -> Result<u32> {
        each_tx!(self, |tx| tx.rollback_level(loc).await)
    }

    fn abandon(&self, depth: u32, loc: &'static Location<'static>) {
        each_tx!(self, |tx| tx.abandon(depth, loc))
    }
}

impl Executor for AnyTx {
    type Output<'a, J: Job + 'a> = QueryFuture<'a, J::Out>;

    fn portable_placeholders(&self) -> bool {
        true
    }

    fn backend(&self) -> Backend {
        each_tx!(self, |tx| tx.backend())
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> QueryFuture<'a, J::Out> {
        each_tx!(self, |tx| tx.run(job))
    }
}

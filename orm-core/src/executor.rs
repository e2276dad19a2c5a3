//! The seam between the query API and the backends.
//!
//! Every terminal method (`all`, `get`, `insert`, ...) packs its work into a
//! [`Job`] and hands it to an [`Executor`]. The executor decides *how* it runs:
//! the synchronous SQLite [`Db`](crate::sqlite::Db) and its transactions return
//! `Result<T>` directly, async executors return a future. One query API, both
//! worlds, no duplicated builders.

use std::future::Future;

use crate::backend::Backend;
use crate::connection::Connection;
use crate::error::Result;

/// The future of one query (or transaction body) on an async executor.
pub type QueryFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// Something queries run on: a database handle, a transaction, an async face.
pub trait Executor {
    /// What a terminal method returns: `Result<T>` for synchronous executors,
    /// a future of it for async ones.
    type Output<'a, J: Job + 'a>
    where
        Self: 'a;

    /// The SQL dialect.
    fn backend(&self) -> Backend;

    /// Runs one unit of work.
    #[doc(hidden)]
    fn run<'a, J: Job + 'a>(&'a self, job: J) -> Self::Output<'a, J>;

    /// Whether hand-written SQL uses `?` on every backend (see [`Raw`](crate::Raw)).
    #[doc(hidden)]
    fn portable_placeholders(&self) -> bool {
        false
    }
}

/// One unit of work for a connection: render, bind, run, decode. Written
/// once as an `async` function over any [`Connection`].
#[doc(hidden)]
pub trait Job: Send {
    /// The result.
    type Out: Send;
    /// Runs on a connection.
    fn run<C: Connection>(self, conn: &mut C) -> impl Future<Output = Result<Self::Out>> + Send;
}

/// Methods every executor has: the raw escape hatch and schema creation.
pub trait ExecutorExt: Executor + Sized {
    /// Hand-written SQL with bound values: `db.raw("SELECT ... WHERE id = ?", params![1])`.
    fn raw(&self, sql: impl Into<String>, params: Vec<sea_query::Value>) -> crate::query::Raw<'_, Self> {
        crate::query::Raw { db: self, sql: std::sync::Arc::from(sql.into()), values: params }
    }

    /// Creates the model's table and indexes if they do not exist. A name
    /// the backend would refuse or cut is an [`Error::InvalidName`](crate::Error::InvalidName) before
    /// anything runs.
    #[track_caller]
    fn create_table<M: crate::Model>(&self) -> Self::Output<'_, CreateTable> {
        let spec = crate::schema::TableSpec::of(M::meta());
        let statements = spec
            .check_names(self.backend().dialect())
            .map(|()| crate::schema::spec_sql(&spec, self.backend()).into_iter().map(std::sync::Arc::from).collect());
        self.run(CreateTable { statements, loc: std::panic::Location::caller() })
    }
}

impl<E: Executor> ExecutorExt for E {}

/// Job of [`ExecutorExt::create_table`].
#[doc(hidden)]
pub struct CreateTable {
    statements: Result<Vec<std::sync::Arc<str>>>,
    loc: &'static std::panic::Location<'static>,
}

impl Job for CreateTable {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        // Each statement prepared alone, never as a script: a name that
        // smuggled in a second statement fails to prepare instead of running.
        for sql in &self.statements? {
            let operation = crate::events::Operation::of_sql(sql);
            let s = crate::connection::Stmt { sql, operation, table: None, loc: self.loc, relation: None };
            conn.execute(s, &()).await?;
        }
        Ok(())
    }
}

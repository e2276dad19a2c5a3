//! The seam between the query API and the backends.
//!
//! Every terminal method (`all`, `get`, `insert`, ...) packs its work into a
//! [`Job`] and hands it to an [`Executor`]. The executor decides *how* it runs:
//! the synchronous SQLite [`Db`](crate::sqlite::Db) and its transactions return
//! `Result<T>` directly, the [`AsyncDb`](crate::sqlite::AsyncDb) face returns a
//! future. One query API, both worlds, no duplicated builders.

use crate::backend::Backend;
use crate::error::Result;
use crate::sqlite::Conn;

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
}

/// One unit of work for a connection: render, bind, run, decode.
#[doc(hidden)]
pub trait Job: Send {
    /// The result.
    type Out: Send;
    /// Runs on a SQLite connection.
    fn run(self, conn: &Conn) -> Result<Self::Out>;
}

/// Methods every executor has: the raw escape hatch and schema creation.
pub trait ExecutorExt: Executor + Sized {
    /// Hand-written SQL with bound values: `db.raw("SELECT ... WHERE id = ?", params![1])`.
    fn raw(&self, sql: impl Into<String>, params: Vec<sea_query::Value>) -> crate::query::Raw<'_, Self> {
        crate::query::Raw { db: self, sql: std::sync::Arc::from(sql.into()), values: params }
    }

    /// Creates the model's table and indexes if they do not exist.
    #[track_caller]
    fn create_table<M: crate::Model>(&self) -> Self::Output<'_, CreateTable> {
        let sql = crate::schema::table_sql::<M>(self.backend()).join(";\n");
        self.run(CreateTable { sql: std::sync::Arc::from(sql), loc: std::panic::Location::caller() })
    }
}

impl<E: Executor> ExecutorExt for E {}

/// Job of [`ExecutorExt::create_table`].
#[doc(hidden)]
pub struct CreateTable {
    sql: std::sync::Arc<str>,
    loc: &'static std::panic::Location<'static>,
}

impl Job for CreateTable {
    type Out = ();
    fn run(self, conn: &Conn) -> Result<()> {
        conn.batch(&self.sql, self.loc)
    }
}

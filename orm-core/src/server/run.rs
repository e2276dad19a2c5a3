//! Running statements through sqlx, the same way on every server.

use std::sync::Arc;

use sqlx::{AssertSqlSafe, ColumnIndex, Database, Executor, IntoArguments};

use super::{BoxFuture, BoxStream};

/// How a server connection runs SQL and reads its rows. Every sqlx database whose
/// `&mut Connection` is an executor has them, through the blanket impl
/// below; as a supertrait of `Driver`, code generic over a driver needs no
/// executor bounds of its own.
#[doc(hidden)]
pub trait Runs: Database {
    /// Runs a read as a prepared statement.
    fn fetch<'c>(
        conn: &'c mut Self::Connection,
        sql: Arc<str>,
        args: Self::Arguments,
    ) -> BoxStream<'c, Result<Self::Row, sqlx::Error>>;

    /// Runs a write as a prepared statement.
    fn execute<'c>(
        conn: &'c mut Self::Connection,
        sql: Arc<str>,
        args: Self::Arguments,
    ) -> BoxFuture<'c, Result<Self::QueryResult, sqlx::Error>>;

    /// Runs a script of statements without values (the simple protocol).
    fn script<'c>(conn: &'c mut Self::Connection, sql: Arc<str>) -> BoxFuture<'c, Result<(), sqlx::Error>>;

    /// The raw value of a row's column.
    fn raw(row: &Self::Row, index: usize) -> Result<Self::ValueRef<'_>, sqlx::Error>;
}

impl<DB> Runs for DB
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    usize: ColumnIndex<DB::Row>,
{
    fn fetch<'c>(
        conn: &'c mut DB::Connection,
        sql: Arc<str>,
        args: DB::Arguments,
    ) -> BoxStream<'c, Result<DB::Row, sqlx::Error>> {
        sqlx::query_with(AssertSqlSafe(sql), args).fetch(conn)
    }

    fn execute<'c>(
        conn: &'c mut DB::Connection,
        sql: Arc<str>,
        args: DB::Arguments,
    ) -> BoxFuture<'c, Result<DB::QueryResult, sqlx::Error>> {
        Box::pin(sqlx::query_with(AssertSqlSafe(sql), args).execute(conn))
    }

    fn script<'c>(conn: &'c mut DB::Connection, sql: Arc<str>) -> BoxFuture<'c, Result<(), sqlx::Error>> {
        Box::pin(async move { sqlx::raw_sql(AssertSqlSafe(sql)).execute(conn).await.map(|_| ()) })
    }

    fn raw(row: &DB::Row, index: usize) -> Result<DB::ValueRef<'_>, sqlx::Error> {
        sqlx::Row::try_get_raw(row, index)
    }
}

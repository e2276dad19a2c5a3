//! The jobs terminal methods hand to an executor: render (from the shape
//! cache), bind, run, decode.

use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use sea_query::Value;

use super::ast::{DeleteAst, SelectAst, UpdateAst};
use super::render::{self, Built, CountOf};
use crate::backend::Backend;
use crate::connection::{Connection, Stmt};
use crate::error::{Error, Result};
use crate::events::{Operation, RelationLoad};
use crate::executor::Job;
use crate::row::FromRow;

/// A statement from the builder or the raw escape hatch.
pub(crate) enum Source {
    Select(SelectAst),
    Count(CountOf),
    Update(UpdateAst),
    Delete(DeleteAst),
    Raw(Arc<str>, Vec<Value>),
    /// Hand-written SQL about the schema, whatever its verb: the migration
    /// runner's record and lock statements, which are bookkeeping to the
    /// profiler, never findings.
    Schema(Arc<str>, Vec<Value>),
}

/// The most rows a query's `LIMIT` reserves room for before any arrive.
const ROWS_RESERVED: usize = 64;
/// The most memory reserved that way: a limit promises at most so many
/// rows, not that many.
const BYTES_RESERVED: usize = 16 * 1024;

impl Source {
    /// Takes the tree's values, not the tree: a select's tree is a few
    /// hundred bytes, and each move of it by value is a copy.
    fn build(
        &mut self,
        backend: Backend,
        site: &'static Location<'static>,
    ) -> (Built, Operation, Option<&'static str>) {
        let site = Some(site);
        match self {
            Source::Select(q) => (render::build(q, backend, site), Operation::Select, Some(q.from.table)),
            Source::Count(q) => (render::build(q, backend, site), Operation::Select, Some(q.0.from.table)),
            Source::Update(q) => (render::build(q, backend, site), Operation::Update, Some(q.table.table)),
            Source::Delete(q) => (render::build(q, backend, site), Operation::Delete, Some(q.table.table)),
            Source::Raw(sql, values) => {
                let op = Operation::of_sql(sql);
                (Built { sql: sql.clone(), values: std::mem::take(values).into() }, op, None)
            }
            Source::Schema(sql, values) => {
                (Built { sql: sql.clone(), values: std::mem::take(values).into() }, Operation::Schema, None)
            }
        }
    }

    /// Room for the rows of `R` the query can return, as far as its `LIMIT`
    /// says (at most [`ROWS_RESERVED`] rows and [`BYTES_RESERVED`] bytes): a
    /// page of rows is then one allocation, not a list grown by doubling,
    /// each step a copy of the rows so far.
    pub(crate) fn rows_to_reserve<R>(&self) -> usize {
        let most = ROWS_RESERVED.min(BYTES_RESERVED / std::mem::size_of::<R>().max(1));
        match self {
            Source::Select(q) => q.limit.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX).min(most)),
            _ => 0,
        }
    }

    /// Renders the statement for `backend`: done before a job's future is
    /// made, so the future holds the SQL and values, not the query tree.
    pub(crate) fn prepare(
        &mut self,
        backend: Backend,
        loc: &'static Location<'static>,
        relation: Option<RelationLoad>,
    ) -> Prepared {
        let (built, operation, table) = self.build(backend, loc);
        Prepared { built, operation, table, loc, relation }
    }
}

/// Pushes `row`. A list with no room yet first gets room for a few rows
/// in one allocation, as `collect` would make, rather than through
/// `Vec`'s general growth path.
#[inline]
fn push_row<R>(out: &mut Vec<R>, row: R) {
    if out.capacity() == 0 {
        *out = Vec::with_capacity(if std::mem::size_of::<R>() <= 1024 { 4 } else { 1 });
    }
    out.push(row);
}

/// A rendered statement, ready to run.
pub(crate) struct Prepared {
    built: Built,
    operation: Operation,
    table: Option<&'static str>,
    loc: &'static Location<'static>,
    relation: Option<RelationLoad>,
}

impl Prepared {
    fn stmt(&self) -> Stmt<'_> {
        Stmt {
            sql: &self.built.sql,
            operation: self.operation,
            table: self.table,
            loc: self.loc,
            relation: self.relation,
        }
    }

    /// Runs it as a read, handing each row to `each` until it returns `false`.
    pub(crate) async fn fetch<C: Connection, R: FromRow + Send>(
        &self,
        conn: &mut C,
        each: impl FnMut(R) -> bool + Send,
    ) -> Result<()> {
        conn.fetch(self.stmt(), &self.built.values[..], each).await
    }

    /// Runs it as a write; gives the rows changed.
    pub(crate) async fn execute<C: Connection>(&self, conn: &mut C) -> Result<u64> {
        conn.execute(self.stmt(), &self.built.values[..]).await
    }
}

/// Every row. Returned by `all`.
#[doc(hidden)]
pub struct FetchAll<R> {
    pub(crate) source: Source,
    pub(crate) loc: &'static Location<'static>,
    pub(crate) _row: PhantomData<fn() -> R>,
}

impl<R: FromRow + Send> Job for FetchAll<R> {
    type Out = Vec<R>;
    fn run<C: Connection>(mut self, conn: &mut C) -> impl Future<Output = Result<Vec<R>>> + Send {
        let reserve = self.source.rows_to_reserve::<R>();
        let p = self.source.prepare(conn.backend(), self.loc, None);
        async move {
            let mut out = Vec::with_capacity(reserve);
            p.fetch(conn, |r| {
                push_row(&mut out, r);
                true
            })
            .await?;
            Ok(out)
        }
    }
}

/// The first row, if any. Returned by `first`.
#[doc(hidden)]
pub struct FetchOptional<R> {
    pub(crate) source: Source,
    pub(crate) loc: &'static Location<'static>,
    pub(crate) _row: PhantomData<fn() -> R>,
}

impl<R: FromRow + Send> Job for FetchOptional<R> {
    type Out = Option<R>;
    fn run<C: Connection>(mut self, conn: &mut C) -> impl Future<Output = Result<Option<R>>> + Send {
        let p = self.source.prepare(conn.backend(), self.loc, None);
        async move {
            let mut out = None;
            p.fetch(conn, |r| {
                out = Some(r);
                false
            })
            .await?;
            Ok(out)
        }
    }
}

/// Exactly one row, or [`Error::NotFound`]. Returned by `one`.
#[doc(hidden)]
pub struct FetchOne<R> {
    pub(crate) source: Source,
    pub(crate) model: &'static str,
    pub(crate) loc: &'static Location<'static>,
    pub(crate) _row: PhantomData<fn() -> R>,
}

impl<R: FromRow + Send> Job for FetchOne<R> {
    type Out = R;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<R> {
        let model = self.model;
        FetchOptional { source: self.source, loc: self.loc, _row: PhantomData }
            .run(conn)
            .await?
            .ok_or(Error::NotFound { model, key: None })
    }
}

/// A write without `RETURNING`; gives rows affected. Returned by `exec`.
#[doc(hidden)]
pub struct Execute {
    pub(crate) source: Source,
    pub(crate) loc: &'static Location<'static>,
}

impl Job for Execute {
    type Out = u64;
    fn run<C: Connection>(mut self, conn: &mut C) -> impl Future<Output = Result<u64>> + Send {
        let p = self.source.prepare(conn.backend(), self.loc, None);
        async move { p.execute(conn).await }
    }
}

/// Whether any row came back. Returned by `exists`.
#[doc(hidden)]
pub struct FetchExists {
    pub(crate) source: Source,
    pub(crate) loc: &'static Location<'static>,
}

impl Job for FetchExists {
    type Out = bool;
    fn run<C: Connection>(mut self, conn: &mut C) -> impl Future<Output = Result<bool>> + Send {
        let p = self.source.prepare(conn.backend(), self.loc, None);
        async move {
            let mut found = false;
            p.fetch(conn, |_: crate::row::Skip| {
                found = true;
                false
            })
            .await?;
            Ok(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Source;
    use crate::ModelExt;
    use crate::doc_models::User;

    fn reserved<R>(q: crate::Select<User, User>) -> usize {
        Source::Select(q.ast).rows_to_reserve::<R>()
    }

    #[test]
    fn a_limit_reserves_room_for_its_rows_up_to_a_bound() {
        assert_eq!(reserved::<User>(User::find()), 0, "no limit: nothing guessed");
        assert_eq!(reserved::<User>(User::find().limit(20)), 20);
        assert_eq!(reserved::<User>(User::find().limit(1_000_000)), 64, "a large limit is not trusted with memory");
        assert_eq!(reserved::<[u8; 1024]>(User::find().limit(40)), 16, "nor are large rows");
        assert_eq!(reserved::<User>(User::find().offset(5)), 0, "an offset alone renders an unbounded limit");
    }
}

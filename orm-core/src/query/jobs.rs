//! The jobs terminal methods hand to an executor: render (from the shape
//! cache), bind, run, decode.

use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use sea_query::Value;

use super::ast::{DeleteAst, SelectAst, UpdateAst};
use super::render::{self, Built, CountOf};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::events::{Operation, RelationLoad};
use crate::executor::Job;
use crate::row::FromRow;
use crate::sqlite::{Conn, Stmt};

/// A statement from the builder or the raw escape hatch.
pub(crate) enum Source {
    Select(SelectAst),
    Count(CountOf),
    Update(UpdateAst),
    Delete(DeleteAst),
    Raw(Arc<str>, Vec<Value>),
}

impl Source {
    fn build(self, backend: Backend) -> (Built, Operation, Option<&'static str>) {
        match self {
            Source::Select(q) => {
                let table = Some(q.from.table);
                (render::build(q, backend), Operation::Select, table)
            }
            Source::Count(q) => {
                let table = Some(q.0.from.table);
                (render::build(q, backend), Operation::Select, table)
            }
            Source::Update(q) => {
                let table = Some(q.table.table);
                (render::build(q, backend), Operation::Update, table)
            }
            Source::Delete(q) => {
                let table = Some(q.table.table);
                (render::build(q, backend), Operation::Delete, table)
            }
            Source::Raw(sql, values) => {
                let op = Operation::of_sql(&sql);
                (Built { sql, values }, op, None)
            }
        }
    }

    fn run<R: FromRow>(self, conn: &Conn, loc: &'static Location<'static>, each: impl FnMut(R) -> bool) -> Result<()> {
        self.run_as(conn, loc, None, each)
    }

    /// Runs a read, the event marked as a relation load when it is one.
    pub(crate) fn run_as<R: FromRow>(
        self,
        conn: &Conn,
        loc: &'static Location<'static>,
        relation: Option<RelationLoad>,
        each: impl FnMut(R) -> bool,
    ) -> Result<()> {
        let (built, operation, table) = self.build(Backend::Sqlite);
        let stmt = Stmt { sql: &built.sql, operation, table, loc, relation };
        conn.fetch(stmt, |b| b.bind_values(&built.values), each)
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
    fn run(self, conn: &Conn) -> Result<Vec<R>> {
        let mut out = Vec::new();
        self.source.run(conn, self.loc, |r| {
            out.push(r);
            true
        })?;
        Ok(out)
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
    fn run(self, conn: &Conn) -> Result<Option<R>> {
        let mut out = None;
        self.source.run(conn, self.loc, |r| {
            out = Some(r);
            false
        })?;
        Ok(out)
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
    fn run(self, conn: &Conn) -> Result<R> {
        let model = self.model;
        FetchOptional { source: self.source, loc: self.loc, _row: PhantomData }
            .run(conn)?
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
    fn run(self, conn: &Conn) -> Result<u64> {
        let (built, operation, table) = self.source.build(Backend::Sqlite);
        let stmt = Stmt { sql: &built.sql, operation, table, loc: self.loc, relation: None };
        conn.execute(stmt, |b| b.bind_values(&built.values))
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
    fn run(self, conn: &Conn) -> Result<bool> {
        let mut found = false;
        self.source.run(conn, self.loc, |_: crate::row::Skip| {
            found = true;
            false
        })?;
        Ok(found)
    }
}

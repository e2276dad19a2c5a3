//! The escape hatch: SQL written by hand, values still bound, still profiled.

use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use sea_query::Value;

use super::jobs::{Execute, FetchAll, FetchOne, FetchOptional, Source};
use crate::executor::Executor;
use crate::row::FromRow;

/// A hand-written statement on an executor, from [`ExecutorExt::raw`](crate::ExecutorExt::raw).
///
/// Placeholders are the backend's own (`?` on SQLite and MySQL, `$1` on
/// PostgreSQL), except on [`AnyDb`](crate::AnyDb) and its transactions,
/// where `?` serves every backend: it is written as `$1`, `$2`, ... on
/// PostgreSQL (outside quotes and comments; `??` is a literal `?`). Rows
/// decode by position, so list columns in field order (a `SELECT *` of a
/// table created from the model is in field order).
#[must_use = "a raw query does nothing until `.all()`, `.one()` or `.exec()` runs it"]
pub struct Raw<'a, E> {
    pub(crate) db: &'a E,
    pub(crate) sql: Arc<str>,
    pub(crate) values: Vec<Value>,
}

impl<'a, E: Executor> Raw<'a, E> {
    fn source(self) -> (&'a E, Source) {
        let sql = if self.db.portable_placeholders() {
            Arc::from(super::placeholders::portable(&self.sql, self.db.backend().dialect()))
        } else {
            self.sql
        };
        (self.db, Source::Raw(sql, self.values))
    }

    /// Every row, decoded as `R`.
    #[track_caller]
    pub fn all<R: FromRow + Send>(self) -> E::Output<'a, FetchAll<R>> {
        let (db, source) = self.source();
        db.run(FetchAll { source, loc: Location::caller(), _row: PhantomData })
    }

    /// The first row, if any.
    #[track_caller]
    pub fn first<R: FromRow + Send>(self) -> E::Output<'a, FetchOptional<R>> {
        let (db, source) = self.source();
        db.run(FetchOptional { source, loc: Location::caller(), _row: PhantomData })
    }

    /// The first row, or [`Error::NotFound`](crate::Error::NotFound).
    #[track_caller]
    pub fn one<R: FromRow + Send>(self) -> E::Output<'a, FetchOne<R>> {
        let (db, source) = self.source();
        db.run(FetchOne { source, model: "row", loc: Location::caller(), _row: PhantomData })
    }

    /// Runs a statement that returns no rows; gives the rows affected.
    #[track_caller]
    pub fn exec(self) -> E::Output<'a, Execute> {
        let (db, source) = self.source();
        db.run(Execute { source, loc: Location::caller() })
    }
}

/// Values for a raw query: `params![42, "ann", None::<i32>]`.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        ::std::vec![$($crate::Value::from($value)),*]
    };
}

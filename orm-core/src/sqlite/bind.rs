//! Binding values to a SQLite statement.

use rusqlite::types::ToSqlOutput;
use sea_query::Value;

use super::error::from_sqlite;
use crate::error::{Error, Result};
use crate::model::Binder;
use crate::types::FieldType;
use crate::types::value::{encode, hash_bound};

/// Binds values to consecutive placeholders of one statement.
pub struct SqliteBinder<'s, 'c> {
    stmt: &'s mut rusqlite::Statement<'c>,
    index: usize,
    record: Option<&'s mut Recorded>,
}

/// What a profiled execution keeps of its bound values.
#[derive(Default)]
pub(crate) struct Recorded {
    /// Copies of the values, when the sink wants them.
    pub values: Option<Vec<Value>>,
    /// Hash of what was bound (computed from the SQLite form, no allocation).
    pub hasher: rustc_hash::FxHasher,
}

impl<'s, 'c> SqliteBinder<'s, 'c> {
    pub(crate) fn new(stmt: &'s mut rusqlite::Statement<'c>, record: Option<&'s mut Recorded>) -> Self {
        SqliteBinder { stmt, index: 0, record }
    }

    #[inline(always)]
    fn put(&mut self, out: ToSqlOutput<'_>) -> Result<()> {
        self.index += 1;
        if let Some(r) = &mut self.record {
            hash_bound(&out, &mut r.hasher);
        }
        self.stmt.raw_bind_parameter(self.index, out).map_err(|e| from_sqlite(e, "<bind>"))
    }
}

impl Binder for SqliteBinder<'_, '_> {
    #[inline]
    fn bind<T: FieldType>(&mut self, value: &T, column: &'static str) -> Result<()> {
        let out = value.to_sqlite().map_err(|reason| invalid(column, reason))?;
        self.put(out)?;
        if let Some(values) = self.record.as_mut().and_then(|r| r.values.as_mut()) {
            values.push(value.to_value());
        }
        Ok(())
    }

    fn bind_value(&mut self, v: &Value, index: usize) -> Result<()> {
        let out = encode(v).map_err(|reason| invalid_parameter(index, reason))?;
        self.put(out)?;
        if let Some(values) = self.record.as_mut().and_then(|r| r.values.as_mut()) {
            values.push(v.clone());
        }
        Ok(())
    }
}

/// A value SQLite cannot store, named by its column: built out of line, so
/// binding is only the binds.
#[cold]
#[inline(never)]
fn invalid(column: &'static str, reason: String) -> Error {
    Error::InvalidValue { column: column.to_owned(), reason }
}

/// A value SQLite cannot store, named by its place (`index` from 0).
#[cold]
#[inline(never)]
fn invalid_parameter(index: usize, reason: String) -> Error {
    Error::InvalidValue { column: format!("parameter {}", index + 1), reason }
}

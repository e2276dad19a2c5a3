//! Binding values to a SQLite statement.

use rusqlite::types::{ToSqlOutput, Value as SqliteValue, ValueRef};
use sea_query::Value;

use super::error::from_sqlite;
use crate::error::{Error, Result};
use crate::model::Binder;
use crate::types::FieldType;

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

#[inline(always)]
fn hash_bound(out: &ToSqlOutput<'_>, h: &mut rustc_hash::FxHasher) {
    use std::hash::Hash;
    let v = match out {
        ToSqlOutput::Borrowed(v) => *v,
        ToSqlOutput::Owned(v) => v.into(),
        _ => ValueRef::Null,
    };
    match v {
        ValueRef::Null => 0u8.hash(h),
        ValueRef::Integer(i) => (1u8, i).hash(h),
        ValueRef::Real(f) => (2u8, f.to_bits()).hash(h),
        ValueRef::Text(t) => (3u8, t).hash(h),
        ValueRef::Blob(b) => (4u8, b).hash(h),
    }
}

/// Hashes a sea-query value the way bound SQLite values are hashed, so equal
/// values hash equal on every backend.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn hash_value(v: &Value, h: &mut rustc_hash::FxHasher) {
    match value_to_sqlite(v) {
        Ok(out) => hash_bound(&out, h),
        Err(_) => std::hash::Hash::hash(&format!("{v:?}"), h),
    }
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
        let out = value.to_sqlite().map_err(|reason| Error::InvalidValue { column: column.to_owned(), reason })?;
        self.put(out)?;
        if let Some(values) = self.record.as_mut().and_then(|r| r.values.as_mut()) {
            values.push(value.to_value());
        }
        Ok(())
    }

    fn bind_value(&mut self, v: &Value, index: usize) -> Result<()> {
        let out = value_to_sqlite(v)
            .map_err(|reason| Error::InvalidValue { column: format!("parameter {}", index + 1), reason })?;
        self.put(out)?;
        if let Some(values) = self.record.as_mut().and_then(|r| r.values.as_mut()) {
            values.push(v.clone());
        }
        Ok(())
    }
}

fn opt<'a, T: FieldType>(v: &'a Option<T>) -> Result<ToSqlOutput<'a>, String> {
    FieldType::to_sqlite(v)
}

/// A sea-query value as SQLite stores it (the same encoding as [`FieldType`]).
pub(crate) fn value_to_sqlite(v: &Value) -> Result<ToSqlOutput<'_>, String> {
    match v {
        Value::Bool(b) => opt(b),
        Value::TinyInt(i) => opt(i),
        Value::SmallInt(i) => opt(i),
        Value::Int(i) => opt(i),
        Value::BigInt(i) => opt(i),
        Value::TinyUnsigned(i) => opt(i),
        Value::SmallUnsigned(i) => opt(i),
        Value::Unsigned(i) => opt(i),
        Value::BigUnsigned(i) => opt(i),
        Value::Float(f) => opt(f),
        Value::Double(f) => opt(f),
        Value::String(s) => opt(s),
        Value::Char(c) => Ok(match c {
            Some(c) => ToSqlOutput::Owned(SqliteValue::Text(c.to_string())),
            None => ToSqlOutput::Borrowed(ValueRef::Null),
        }),
        Value::Bytes(b) => opt(b),
        #[cfg(feature = "json")]
        Value::Json(j) => Ok(match j {
            Some(j) => ToSqlOutput::Owned(SqliteValue::Text(j.to_string())),
            None => ToSqlOutput::Borrowed(ValueRef::Null),
        }),
        #[cfg(feature = "chrono")]
        Value::ChronoDate(d) => opt(d),
        #[cfg(feature = "chrono")]
        Value::ChronoTime(t) => opt(t),
        #[cfg(feature = "chrono")]
        Value::ChronoDateTime(t) => opt(t),
        #[cfg(feature = "chrono")]
        Value::ChronoDateTimeUtc(t) => opt(t),
        #[cfg(feature = "uuid")]
        Value::Uuid(u) => opt(u),
        other => Err(format!("values of this kind are not supported on SQLite: {other:?}")),
    }
}

//! The neutral value model: what every field type encodes to and decodes
//! from on every backend. It is SQLite's (null, integer, real, text, blob),
//! which the server backends convert their columns into.

pub(crate) use rusqlite::types::Value as Owned;
pub(crate) use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_query::Value;

use crate::types::FieldType;

/// Hashes a value as bound, so equal values hash equal on every backend.
#[inline(always)]
pub(crate) fn hash_bound(out: &ToSqlOutput<'_>, h: &mut rustc_hash::FxHasher) {
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

/// Hashes a sea-query value as [`hash_bound`] hashes its encoding.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn hash_value(v: &Value, h: &mut rustc_hash::FxHasher) {
    match encode(v) {
        Ok(out) => hash_bound(&out, h),
        Err(_) => std::hash::Hash::hash(&format!("{v:?}"), h),
    }
}

fn opt<'a, T: FieldType>(v: &'a Option<T>) -> Result<ToSqlOutput<'a>, String> {
    FieldType::to_sqlite(v)
}

/// A sea-query value in the neutral model (the same encoding as [`FieldType`]).
pub(crate) fn encode(v: &Value) -> Result<ToSqlOutput<'_>, String> {
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
            Some(c) => ToSqlOutput::Owned(Owned::Text(c.to_string())),
            None => ToSqlOutput::Borrowed(ValueRef::Null),
        }),
        Value::Bytes(b) => opt(b),
        #[cfg(feature = "json")]
        Value::Json(j) => Ok(match j {
            Some(j) => ToSqlOutput::Owned(Owned::Text(j.to_string())),
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
        other => Err(format!("values of this kind are not supported: {other:?}")),
    }
}

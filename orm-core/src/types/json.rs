//! JSON columns: `serde_json::Value`, and any serde type through `#[ormlet(json)]`.

use rusqlite::types::{ToSqlOutput, Value as SqliteValue, ValueRef};
use sea_query::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{DecodeFail, FieldType, SqlType};

impl FieldType for serde_json::Value {
    const SQL_TYPE: SqlType = SqlType::Json;
    const RUST_NAME: &'static str = "serde_json::Value";

    fn to_value(&self) -> Value {
        Value::Json(Some(Box::new(self.clone())))
    }
    fn into_value(self) -> Value {
        Value::Json(Some(Box::new(self)))
    }
    fn null_value() -> Value {
        Value::Json(None)
    }
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        Ok(ToSqlOutput::Owned(SqliteValue::Text(self.to_string())))
    }
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        decode_json(value, "serde_json::Value")
    }
}

crate::scalar!(serde_json::Value);

/// A serde value stored as one JSON text column; the type behind `#[ormlet(json)]`.
///
/// The column constant of a `#[ormlet(json)]` field has type `Column<M, Json<T>>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize + DeserializeOwned> FieldType for Json<T> {
    const SQL_TYPE: SqlType = SqlType::Json;
    const RUST_NAME: &'static str = "Json<T>";

    fn to_value(&self) -> Value {
        Value::Json(serde_json::to_value(&self.0).ok().map(Box::new))
    }
    fn null_value() -> Value {
        Value::Json(None)
    }
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        serde_json::to_string(&self.0)
            .map(|s| ToSqlOutput::Owned(SqliteValue::Text(s)))
            .map_err(|e| format!("cannot serialise to JSON: {e}"))
    }
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        decode_json(value, "Json<T>").map(Json)
    }
}

/// Serialise a field for a JSON column (used by the derive for `#[ormlet(json)]`).
pub(crate) fn encode_json<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| format!("cannot serialise to JSON: {e}"))
}

/// Parse a JSON column into any deserialisable type.
pub(crate) fn decode_json<T: DeserializeOwned>(value: ValueRef<'_>, expected: &'static str) -> Result<T, DecodeFail> {
    let bytes = match value {
        ValueRef::Text(b) | ValueRef::Blob(b) => b,
        other => return Err(DecodeFail::sqlite(expected, other)),
    };
    serde_json::from_slice(bytes).map_err(|e| DecodeFail { expected, found: format!("invalid JSON ({e})") })
}

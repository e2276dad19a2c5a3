//! UUIDs, stored in SQLite as 16-byte blobs.

use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_query::Value;
use uuid::Uuid;

use super::{DecodeFail, FieldType, SqlType};

impl FieldType for Uuid {
    const SQL_TYPE: SqlType = SqlType::Uuid;
    const RUST_NAME: &'static str = "Uuid";

    fn to_value(&self) -> Value {
        Value::Uuid(Some(*self))
    }
    fn null_value() -> Value {
        Value::Uuid(None)
    }
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.as_bytes())))
    }
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        match value {
            ValueRef::Blob(b) => Uuid::from_slice(b)
                .map_err(|_| DecodeFail { expected: "Uuid", found: format!("BLOB of {} bytes", b.len()) }),
            // Accept the text form too, for databases written by other tools.
            ValueRef::Text(t) => std::str::from_utf8(t)
                .ok()
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| DecodeFail { expected: "Uuid", found: "TEXT that is not a UUID".to_owned() }),
            other => Err(DecodeFail::sqlite("Uuid", other)),
        }
    }
}

crate::scalar!(Uuid);

//! SQLite's dialect.

use sea_query::ColumnDef;

use super::{Dialect, standard_column_type};
use crate::backend::Backend;
use crate::types::SqlType;

/// SQLite.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    /// SQLite's `LENGTH` counts characters of text (it has no `CHAR_LENGTH`).
    fn char_length(&self) -> &'static str {
        "LENGTH"
    }

    fn explain(&self) -> &'static str {
        "EXPLAIN QUERY PLAN "
    }

    /// Only a column declared exactly `INTEGER PRIMARY KEY` auto-increments.
    fn column_type(&self, d: &mut ColumnDef, ty: SqlType, auto_increment: bool, _keyed: bool) {
        standard_column_type(d, if auto_increment { SqlType::Integer } else { ty });
    }

    fn declared_type(&self, ty: SqlType, _keyed: bool, auto_increment: bool) -> &'static str {
        use SqlType::*;
        match ty {
            _ if auto_increment => "integer",
            TinyInt => "tinyint",
            SmallInt => "smallint",
            Integer | BigInt => "integer",
            Float => "float",
            Double => "double",
            Boolean => "boolean",
            Text => "text",
            Blob => "blob",
            Date => "date_text",
            Time => "time_text",
            DateTime => "datetime_text",
            TimestampTz => "timestamp_with_timezone_text",
            Uuid => "uuid_text",
            Json => "json_text",
        }
    }

    fn integer_is_64_bit(&self) -> bool {
        true
    }

    /// Foreign keys are off while a migration rebuilds tables, so they are
    /// checked before it commits.
    fn foreign_key_check(&self) -> Option<&'static str> {
        Some("PRAGMA foreign_key_check")
    }

    /// `BEGIN IMMEDIATE` already serialises migration runners; columns
    /// change by rebuilding their table.
    fn alters_columns(&self) -> bool {
        false
    }
}

//! Types and defaults as each backend declares and reports them, so a
//! model's column and a live one compare equal when they are the same.
//!
//! A [`ColumnSpec`]'s `sql_type` is either ormlet's name for the type
//! (`BigInt`, from a model) or the backend's declared type (`bigint`, from
//! [`introspect`](super::introspect)). Both are brought to the declared form
//! the backend reports before they are compared.

use super::snapshot::{ColumnSpec, TableSpec};
use crate::backend::Backend;
use crate::types::SqlType;

/// How a column's type is written in DDL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnKind {
    /// A model's type, rendered by sea-query as `create_table` does.
    Model(SqlType),
    /// A live column's declared type, written as is.
    Declared(String),
}

const ALL: [SqlType; 15] = [
    SqlType::TinyInt,
    SqlType::SmallInt,
    SqlType::Integer,
    SqlType::BigInt,
    SqlType::Float,
    SqlType::Double,
    SqlType::Boolean,
    SqlType::Text,
    SqlType::Blob,
    SqlType::Date,
    SqlType::Time,
    SqlType::DateTime,
    SqlType::TimestampTz,
    SqlType::Uuid,
    SqlType::Json,
];

/// The ormlet type a snapshot names (`"BigInt"`), if it names one.
pub(crate) fn model_type(name: &str) -> Option<SqlType> {
    ALL.into_iter().find(|t| format!("{t:?}") == name)
}

/// What kind of type a column of `table` has, with an auto-increment
/// column always an integer type (the only kind every backend generates).
pub(crate) fn column_kind(c: &ColumnSpec, backend: Backend) -> ColumnKind {
    if let Some(t) = model_type(&c.sql_type) {
        return ColumnKind::Model(t);
    }
    if c.auto_increment {
        let declared = normalize_type(backend, &c.sql_type);
        let t = match declared.as_str() {
            "tinyint" => SqlType::TinyInt,
            "smallint" => SqlType::SmallInt,
            "integer" | "int" if backend != Backend::Sqlite => SqlType::Integer,
            _ => SqlType::BigInt,
        };
        return ColumnKind::Model(t);
    }
    ColumnKind::Declared(c.sql_type.clone())
}

/// Whether an index or key covers the column: MySQL cannot index unbounded
/// text, so such a column is declared with a length there.
pub(crate) fn keyed(t: &TableSpec, c: &ColumnSpec) -> bool {
    c.primary_key
        || c.unique
        || t.indexes.iter().any(|i| i.columns.contains(&c.name))
        || t.foreign_keys.iter().any(|f| f.column == c.name)
}

/// The type `backend` reports for a column of `table`, normalised.
pub(crate) fn declared(t: &TableSpec, c: &ColumnSpec, backend: Backend) -> String {
    match model_type(&c.sql_type) {
        Some(ty) => declared_type(ty, backend, keyed(t, c), c.auto_increment).to_owned(),
        None => normalize_type(backend, &c.sql_type),
    }
}

/// What `backend`'s catalogue reports for a column created from `ty`.
pub(crate) fn declared_type(ty: SqlType, backend: Backend, keyed: bool, auto_increment: bool) -> &'static str {
    use SqlType::*;
    match backend {
        Backend::Sqlite => match ty {
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
        },
        Backend::Postgres => match ty {
            TinyInt | SmallInt => "smallint",
            Integer => "integer",
            BigInt => "bigint",
            Float => "real",
            Double => "double precision",
            Boolean => "boolean",
            Text => "text",
            Blob => "bytea",
            Date => "date",
            Time => "time without time zone",
            DateTime => "timestamp without time zone",
            TimestampTz => "timestamp with time zone",
            Uuid => "uuid",
            Json => "json",
        },
        Backend::MySql => match ty {
            TinyInt => "tinyint",
            SmallInt => "smallint",
            Integer => "int",
            BigInt => "bigint",
            Float => "float",
            Double => "double",
            Boolean => "tinyint(1)",
            Text if keyed => "varchar(255)",
            // MariaDB's JSON is LONGTEXT with a check.
            Text | Json => "longtext",
            Blob if keyed => "varbinary(255)",
            Blob => "longblob",
            Date => "date",
            Time => "time(6)",
            DateTime | TimestampTz => "datetime(6)",
            Uuid => "binary(16)",
        },
    }
}

/// A declared type as the comparison sees it: lower case, and without
/// MySQL's integer display widths (`bigint(20)`), which mean nothing
/// (MySQL 8 no longer shows them).
pub(crate) fn normalize_type(backend: Backend, declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    if backend != Backend::MySql {
        return t;
    }
    if t == "json" {
        return "longtext".into();
    }
    for int in ["tinyint", "smallint", "mediumint", "int", "bigint"] {
        if let Some(rest) = t.strip_prefix(int).and_then(|r| r.strip_prefix('('))
            && t != "tinyint(1)"
            && let Some(close) = rest.find(')')
        {
            return format!("{int}{}", &rest[close + 1..]);
        }
    }
    t
}

/// A default as the comparison sees it.
///
/// PostgreSQL adds casts (`'a'::text`), MariaDB escapes quotes with a
/// backslash and writes `current_timestamp(6)`, MySQL stores booleans as
/// `1`: each is brought to one spelling, with text literals quoted the
/// standard way (`'it''s'`).
pub(crate) fn normalize_default(backend: Backend, default: &str, boolean: bool) -> String {
    let mut d = default.trim();
    if backend == Backend::Postgres
        && let Some(cast) = cast_start(d)
    {
        d = &d[..cast];
    }
    if let Some(body) = d.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return quote(&unescape(body, backend == Backend::MySql));
    }
    let lower = d.to_ascii_lowercase();
    if boolean {
        match lower.as_str() {
            "1" | "true" => return "true".into(),
            "0" | "false" => return "false".into(),
            _ => {}
        }
    }
    let bare = lower.strip_suffix("()").unwrap_or(&lower);
    match bare {
        "now" | "current_timestamp" => "current_timestamp".into(),
        _ if bare.starts_with("current_timestamp(") => "current_timestamp".into(),
        _ => lower.trim_start_matches('(').trim_end_matches(')').to_owned(),
    }
}

/// Where a trailing `::type` cast begins, outside any quotes.
fn cast_start(d: &str) -> Option<usize> {
    let mut quoted = false;
    let bytes = d.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b':' if !quoted && bytes.get(i + 1) == Some(&b':') => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape(body: &str, backslashes: bool) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if backslashes => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('0') => out.push('\0'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            c => out.push(c),
        }
    }
    out
}

/// A quoted identifier, as `backend` writes one.
pub(crate) fn ident(backend: Backend, name: &str) -> String {
    match backend {
        Backend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// A SQL text literal.
pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_spellings_of_one_default_compare_equal() {
        use Backend::*;
        let n = normalize_default;
        assert_eq!(n(Postgres, "'it''s'::text", false), "'it''s'");
        assert_eq!(n(MySql, r"'it\'s'", false), "'it''s'");
        assert_eq!(n(Sqlite, "'it''s'", false), "'it''s'");
        assert_eq!(n(Postgres, "'a::b'::character varying", false), "'a::b'");
        assert_eq!(n(MySql, "current_timestamp(6)", false), "current_timestamp");
        assert_eq!(n(Postgres, "now()", false), "current_timestamp");
        assert_eq!(n(Sqlite, "CURRENT_TIMESTAMP", false), "current_timestamp");
        assert_eq!(n(MySql, "1", true), "true");
        assert_eq!(n(Sqlite, "TRUE", true), "true");
        assert_eq!(n(MySql, "1", false), "1");
        assert_eq!(n(Postgres, "1.5", false), "1.5");
    }

    #[test]
    fn mysql_display_widths_are_dropped_but_booleans_kept() {
        assert_eq!(normalize_type(Backend::MySql, "bigint(20)"), "bigint");
        assert_eq!(normalize_type(Backend::MySql, "int(10) unsigned"), "int unsigned");
        assert_eq!(normalize_type(Backend::MySql, "tinyint(1)"), "tinyint(1)");
        assert_eq!(normalize_type(Backend::MySql, "varchar(255)"), "varchar(255)");
        assert_eq!(normalize_type(Backend::Postgres, "Double Precision"), "double precision");
    }

    #[test]
    fn every_type_name_parses_back() {
        for t in ALL {
            assert_eq!(model_type(&format!("{t:?}")), Some(t));
        }
        assert_eq!(model_type("bigint"), None);
    }
}

//! Types and defaults as each backend declares and reports them, so a
//! model's column and a live one compare equal when they are the same.
//!
//! A [`ColumnSpec`]'s `sql_type` is either ormlet's name for the type
//! (`BigInt`, from a model) or the backend's declared type (`bigint`, from
//! `migrate::introspect`). Both are brought to the declared form
//! the backend reports before they are compared.

use super::spec::{ColumnSpec, TableSpec};
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
        let dialect = backend.dialect();
        let declared = dialect.normalize_type(&c.sql_type);
        let t = match declared.as_str() {
            "tinyint" => SqlType::TinyInt,
            "smallint" => SqlType::SmallInt,
            "integer" | "int" if !dialect.integer_is_64_bit() => SqlType::Integer,
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
        Some(ty) => backend.dialect().declared_type(ty, keyed(t, c), c.auto_increment).to_owned(),
        None => backend.dialect().normalize_type(&c.sql_type),
    }
}

/// A default as the comparison sees it.
///
/// PostgreSQL adds casts (`'a'::text`), MariaDB escapes quotes with a
/// backslash and writes `current_timestamp(6)`, MySQL stores booleans as
/// `1`: each is brought to one spelling, with text literals quoted the
/// standard way (`'it''s'`).
pub(crate) fn normalize_default(backend: Backend, default: &str, boolean: bool) -> String {
    let dialect = backend.dialect();
    let mut d = default.trim();
    if dialect.casts_defaults()
        && let Some(cast) = cast_start(d)
    {
        d = &d[..cast];
    }
    if let Some(body) = d.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return quote(&unescape(body, dialect.backslash_escapes()));
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
    backend.dialect().quote_ident(name)
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
        let (my, pg) = (Backend::MySql.dialect(), Backend::Postgres.dialect());
        assert_eq!(my.normalize_type("bigint(20)"), "bigint");
        assert_eq!(my.normalize_type("int(10) unsigned"), "int unsigned");
        assert_eq!(my.normalize_type("tinyint(1)"), "tinyint(1)");
        assert_eq!(my.normalize_type("varchar(255)"), "varchar(255)");
        assert_eq!(pg.normalize_type("Double Precision"), "double precision");
    }

    #[test]
    fn every_type_name_parses_back() {
        for t in ALL {
            assert_eq!(model_type(&format!("{t:?}")), Some(t));
        }
        assert_eq!(model_type("bigint"), None);
    }
}

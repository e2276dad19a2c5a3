//! rusqlite errors to typed ormlet errors.

use rusqlite::ErrorCode;

use crate::error::{ConflictKind, ConstraintKind, ConstraintViolation, Error};

// Extended result codes of SQLITE_CONSTRAINT (sqlite3.h).
const CONSTRAINT_CHECK: i32 = 275;
const CONSTRAINT_FOREIGNKEY: i32 = 787;
const CONSTRAINT_NOTNULL: i32 = 1299;
const CONSTRAINT_PRIMARYKEY: i32 = 1555;
const CONSTRAINT_UNIQUE: i32 = 2067;

#[cold]
pub(crate) fn from_sqlite(e: rusqlite::Error, sql: &str) -> Error {
    if let rusqlite::Error::SqliteFailure(code, message) = &e
        && code.code == ErrorCode::ConstraintViolation
    {
        return Error::Constraint(constraint(code.extended_code, message.as_deref().unwrap_or("")));
    }
    if let rusqlite::Error::SqliteFailure(code, _) = &e
        && matches!(code.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    {
        return Error::Conflict { kind: ConflictKind::Busy, message: e.to_string(), sql: sql.to_owned() };
    }
    Error::Database { message: e.to_string(), sql: sql.to_owned(), source: Some(Box::new(e)) }
}

/// SQLite names the columns as `table.column, table.column` after the colon
/// ("UNIQUE constraint failed: users.email"), and a CHECK by its name.
fn constraint(extended: i32, message: &str) -> ConstraintViolation {
    let kind = match extended {
        CONSTRAINT_UNIQUE => ConstraintKind::Unique,
        CONSTRAINT_PRIMARYKEY => ConstraintKind::PrimaryKey,
        CONSTRAINT_NOTNULL => ConstraintKind::NotNull,
        CONSTRAINT_FOREIGNKEY => ConstraintKind::ForeignKey,
        CONSTRAINT_CHECK => ConstraintKind::Check,
        _ => ConstraintKind::Other,
    };
    let detail = message.split_once(": ").map_or("", |(_, d)| d.trim());
    let mut table = None;
    let mut columns = Vec::new();
    let mut name = None;
    match kind {
        ConstraintKind::Unique | ConstraintKind::PrimaryKey | ConstraintKind::NotNull => {
            for part in detail.split(", ") {
                if let Some((t, c)) = part.split_once('.') {
                    table = Some(t.to_owned());
                    columns.push(c.to_owned());
                }
            }
        }
        ConstraintKind::Check if !detail.is_empty() => name = Some(detail.to_owned()),
        _ => {}
    }
    ConstraintViolation { kind, table, columns, constraint: name, message: message.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unique_columns() {
        let c = constraint(CONSTRAINT_UNIQUE, "UNIQUE constraint failed: users.email, users.org");
        assert_eq!(c.kind, ConstraintKind::Unique);
        assert_eq!(c.table.as_deref(), Some("users"));
        assert_eq!(c.columns, ["email", "org"]);
    }

    #[test]
    fn parses_check_name() {
        let c = constraint(CONSTRAINT_CHECK, "CHECK constraint failed: age_positive");
        assert_eq!(c.constraint.as_deref(), Some("age_positive"));
    }
}

//! The one error type of ormlet.

use std::fmt;
use std::time::Duration;

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in ormlet.
///
/// Each variant names what was wrong (the model, column, constraint or URL) so
/// the message alone tells the user where to look.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A lookup that must find a row found none (`get`, `one`, `update`, `delete`).
    #[error("no `{model}` row found{}", key.as_ref().map(|k| format!(" for key {k}")).unwrap_or_default())]
    NotFound {
        /// The model that was queried.
        model: &'static str,
        /// The key that was looked up, when there was one.
        key: Option<String>,
    },
    /// The database refused a write because of a constraint.
    #[error("{0}")]
    Constraint(ConstraintViolation),
    /// A stored value does not fit the Rust field it is read into.
    #[error("cannot decode `{model}.{column}`: expected {expected}, found {found}")]
    Decode {
        /// The model (or `row` for tuples and raw queries).
        model: &'static str,
        /// The column, or its position for tuples.
        column: String,
        /// The type the field wants.
        expected: &'static str,
        /// What the database returned.
        found: String,
    },
    /// A Rust value cannot be stored faithfully (NaN on SQLite, a `u64` above `i64::MAX`).
    #[error("cannot store value for `{column}`: {reason}")]
    InvalidValue {
        /// The column (or parameter) being bound.
        column: String,
        /// Why the value was refused.
        reason: String,
    },
    /// A table, column, index or constraint name the database would refuse,
    /// or change (PostgreSQL cuts names longer than 63 bytes).
    #[error("cannot use `{name}` as a name on {backend}: {reason}")]
    InvalidName {
        /// The name, as the model or migration gave it.
        name: String,
        /// The backend's name.
        backend: &'static str,
        /// What is wrong with it, and the limit it breaks.
        reason: String,
    },
    /// A model whose key is [`Auto`](crate::Auto) and not yet set was updated or deleted.
    #[error("`{model}` has no key yet: insert it before calling `{operation}`")]
    KeyNotSet {
        /// The model.
        model: &'static str,
        /// The method that needed the key.
        operation: &'static str,
    },
    /// The database URL could not be understood.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// Opening or configuring a connection failed.
    #[error("cannot connect to `{url}`: {message}")]
    Connection {
        /// The URL, with any password removed.
        url: String,
        /// The driver's message.
        message: String,
    },
    /// Every pooled connection stayed busy for the whole timeout.
    #[error(
        "all {size} connections stayed busy for {waited:?}; inside `transaction(|tx| ..)` run queries on `tx`, not on the outer `db`"
    )]
    PoolTimeout {
        /// How many connections the pool holds.
        size: usize,
        /// How long the caller waited.
        waited: Duration,
    },
    /// The backend cannot do what was asked (e.g. `RETURNING` on MySQL).
    #[error("{backend} does not support {feature}")]
    Unsupported {
        /// The backend's name.
        backend: &'static str,
        /// The feature asked for.
        feature: &'static str,
    },
    /// The database gave up on a statement because of other transactions:
    /// a serialization failure, a deadlock, a lock that stayed taken, or
    /// SQLite's busy database. Running the transaction again may succeed
    /// ([`Error::is_retryable`]).
    #[error("{kind}: {message}\n  while running: {sql}")]
    Conflict {
        /// What kind of conflict.
        kind: ConflictKind,
        /// The database's message.
        message: String,
        /// The SQL that was refused.
        sql: String,
    },
    /// A transaction handle was used after its transaction ended (committed,
    /// rolled back, or its connection handed back).
    #[error("this transaction has already ended: open a new one with `begin()` or `transaction(..)`")]
    TransactionFinished,
    /// A migration could not be read, applied or reverted.
    #[error("migration{}: {message}", version.map(|v| format!(" {v}")).unwrap_or_default())]
    Migration {
        /// The migration's version, when one is concerned.
        version: Option<i64>,
        /// What went wrong and what to do.
        message: String,
    },
    /// Any other error the database reported for a statement.
    #[error("{message}\n  while running: {sql}")]
    Database {
        /// The database's message.
        message: String,
        /// The SQL that failed (values are bound, never part of it).
        sql: String,
        /// The driver error, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// The message, or, when `values` is false, the message with whatever
    /// may hold a stored or bound value left out: what the profiler records
    /// for a failed query. A database's own text quotes the values it
    /// refused (`Duplicate entry 'a@x.io'`, `invalid input syntax: "abc"`),
    /// so its quoted parts become `…`.
    pub fn report(&self, values: bool) -> String {
        if values {
            return self.to_string();
        }
        match self {
            Error::NotFound { model, .. } => format!("no `{model}` row found for the key given"),
            Error::Constraint(c) => {
                let named = ConstraintViolation { message: without_quoted(&c.message), ..c.clone() };
                named.to_string()
            }
            Error::Decode { model, column, expected, .. } => {
                format!("cannot decode `{model}.{column}`: expected {expected}, found a value that is not one")
            }
            Error::InvalidValue { column, .. } => format!("cannot store the value given for `{column}`"),
            Error::Database { message, sql, .. } => format!("{}\n  while running: {sql}", without_quoted(message)),
            Error::Conflict { kind, message, sql } => {
                format!("{kind}: {}\n  while running: {sql}", without_quoted(message))
            }
            Error::Connection { url, message } => {
                Error::Connection { url: url.clone(), message: without_quoted(message) }.to_string()
            }
            other => other.to_string(),
        }
    }

    /// The constraint violation, if this error is one.
    pub fn as_constraint(&self) -> Option<&ConstraintViolation> {
        match self {
            Error::Constraint(c) => Some(c),
            _ => None,
        }
    }

    /// True for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// Whether running the work again may succeed: a [`Conflict`](Error::Conflict)
    /// with other transactions, a lost or refused [`Connection`](Error::Connection),
    /// or a pool that stayed busy. Not a constraint, a syntax error or bad data.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Conflict { .. } | Error::Connection { .. } | Error::PoolTimeout { .. })
    }

    /// Whether the database gave up on the transaction because of another
    /// one ([`Conflict`](Error::Conflict)): it was rolled back, and running
    /// it again is safe. Unlike [`is_retryable`](Error::is_retryable), a lost
    /// connection is not one: a `COMMIT` in flight may have happened.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }
}

/// Why the database refused a statement because of other transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConflictKind {
    /// The transaction could not be serialized with others (SQLSTATE 40001).
    Serialization,
    /// A deadlock: this transaction was chosen to end it.
    Deadlock,
    /// A lock stayed taken for longer than the server waits.
    LockTimeout,
    /// SQLite's database stayed locked for the whole busy timeout.
    Busy,
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConflictKind::Serialization => "serialization failure",
            ConflictKind::Deadlock => "deadlock",
            ConflictKind::LockTimeout => "lock wait timeout",
            ConflictKind::Busy => "database busy",
        })
    }
}

/// Which kind of constraint a write violated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConstraintKind {
    /// A UNIQUE index or constraint.
    Unique,
    /// The primary key (a duplicate key).
    PrimaryKey,
    /// A NOT NULL column received NULL.
    NotNull,
    /// A FOREIGN KEY points at no row.
    ForeignKey,
    /// A CHECK constraint failed.
    Check,
    /// A constraint the backend did not classify.
    Other,
}

impl fmt::Display for ConstraintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConstraintKind::Unique => "UNIQUE",
            ConstraintKind::PrimaryKey => "PRIMARY KEY",
            ConstraintKind::NotNull => "NOT NULL",
            ConstraintKind::ForeignKey => "FOREIGN KEY",
            ConstraintKind::Check => "CHECK",
            ConstraintKind::Other => "constraint",
        })
    }
}

/// A write the database refused because of a constraint, with what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintViolation {
    /// The kind of constraint.
    pub kind: ConstraintKind,
    /// The table, when the backend names it.
    pub table: Option<String>,
    /// The columns involved, when the backend names them.
    pub columns: Vec<String>,
    /// The constraint's name, when the backend names it.
    pub constraint: Option<String>,
    /// The backend's own message.
    pub message: String,
}

impl fmt::Display for ConstraintViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} constraint violated", self.kind)?;
        match (&self.table, self.columns.is_empty()) {
            (Some(t), false) => write!(f, " on {t}({})", self.columns.join(", "))?,
            (Some(t), true) => write!(f, " on {t}")?,
            (None, false) => write!(f, " on ({})", self.columns.join(", "))?,
            (None, true) => {}
        }
        if let Some(c) = &self.constraint {
            write!(f, " [{c}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// `text` with what stands between single or double quotes replaced by `…`.
fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '\'' || c == '"' {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_without_values_keep_no_quoted_text() {
        assert_eq!(without_quoted("Duplicate entry 'S3CR3T' for key 'email'"), "Duplicate entry '…' for key '…'");
        assert_eq!(
            without_quoted("invalid input syntax for type integer: \"S3CR3T\""),
            "invalid input syntax for type integer: \"…\""
        );
        assert_eq!(without_quoted("unterminated 'S3CR"), "unterminated '…");
        let e =
            Error::Decode { model: "User", column: "age".into(), expected: "i32", found: "INTEGER 7777777777".into() };
        assert!(!e.report(false).contains("7777777777"));
        assert!(e.report(true).contains("7777777777"));
    }
}

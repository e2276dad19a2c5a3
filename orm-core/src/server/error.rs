//! sqlx errors to typed ormlet errors.

use super::Driver;
use super::url::redact;
use crate::error::Error;

/// A failure to connect, naming the server without the password.
pub(crate) fn connect(e: sqlx::Error, url: &str) -> Error {
    let message = match &e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
            format!("{e} (is the server running and reachable at this address?)")
        }
        sqlx::Error::Configuration(_) => {
            format!("{e} (check the URL's form: scheme://user[:password]@host[:port]/database)")
        }
        // PostgreSQL's invalid_catalog_name; MySQL's 1049 (its SQLSTATE is generic).
        sqlx::Error::Database(db)
            if db.code().as_deref() == Some("3D000") || db.message().starts_with("Unknown database") =>
        {
            format!("{} (create it with `ormlet database create`)", db.message())
        }
        _ => e.to_string(),
    };
    Error::Connection { url: redact(url), message }
}

/// A failed statement on the connection to `url`: constraint violations,
/// conflicts with other transactions and lost connections typed, the rest
/// with the SQL.
pub(crate) fn query<D: Driver>(e: sqlx::Error, sql: &str, url: &str) -> Error {
    match e {
        sqlx::Error::Database(db) => {
            if let Some(c) = D::constraint(&*db) {
                return Error::Constraint(c);
            }
            if let Some(kind) = D::conflict(&*db) {
                return Error::Conflict { kind, message: db.message().to_owned(), sql: sql.to_owned() };
            }
            // The server ending the session (PostgreSQL's 57P01-57P03 on a
            // shutdown or pg_terminate_backend; SQLSTATE class 08) is a lost
            // connection, not a failed statement.
            if db.code().is_some_and(|c| c.starts_with("57P0") || c.starts_with("08")) {
                return Error::Connection {
                    url: redact(url),
                    message: format!(
                        "{} (the server ended the connection; nothing was committed by this statement)",
                        db.message()
                    ),
                };
            }
            Error::Database {
                message: db.message().to_owned(),
                sql: sql.to_owned(),
                source: Some(Box::new(sqlx::Error::Database(db))),
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Error::Connection {
            url: redact(url),
            message: format!("{e} (the connection was lost; nothing was committed by this statement)"),
        },
        other => Error::Database { message: other.to_string(), sql: sql.to_owned(), source: Some(Box::new(other)) },
    }
}

/// The server's own word that it ended the session (PostgreSQL's
/// 57P01-57P03, sent on a shutdown or `pg_terminate_backend`): a statement
/// that meets it did not run.
pub(crate) fn ended_by_server(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("57P0")))
}

/// A connection that is gone, whatever ended it.
pub(crate) fn is_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("57P0") || c.starts_with("08")),
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// The text between the first pair of `open`/`close` after `after`.
pub(crate) fn between<'a>(text: &'a str, after: &str, open: char, close: char) -> Option<&'a str> {
    let rest = &text[text.find(after)? + after.len()..];
    let start = rest.find(open)? + open.len_utf8();
    let end = start + rest[start..].find(close)?;
    Some(&rest[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_finds_delimited_text() {
        assert_eq!(between("Key (email)=(a@x) exists", "Key", '(', ')'), Some("email"));
        assert_eq!(between("for key 'users.email'", "for key", '\'', '\''), Some("users.email"));
        assert_eq!(between("nothing here", "Key", '(', ')'), None);
    }
}

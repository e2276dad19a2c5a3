//! SQL functions SQLite spells differently from the servers, made to agree.
//!
//! SQLite's built-in `lower` and `upper` fold ASCII only, so `lower('Ü')` is
//! `'Ü'` where PostgreSQL and MySQL give `'ü'`; and its `LIKE` ignores ASCII
//! case where PostgreSQL's does not. Each connection gets Unicode case
//! folding and a case-sensitive `LIKE`, so one query means one thing on
//! every backend (`ilike` and the `_ci` matchers are the case-blind forms).

use rusqlite::functions::{Context, FunctionFlags};

/// Sets up a new connection.
pub(crate) fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("lower", 1, flags, |ctx| fold(ctx, str::to_lowercase))?;
    conn.create_scalar_function("upper", 1, flags, |ctx| fold(ctx, str::to_uppercase))?;
    conn.execute_batch("PRAGMA case_sensitive_like = ON")
}

/// NULL stays NULL; text is folded; other values are read as text, as the
/// built-ins do.
fn fold(ctx: &Context<'_>, f: fn(&str) -> String) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match ctx.get_raw(0) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(f(&String::from_utf8_lossy(t))),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Blob(b) => Some(f(&String::from_utf8_lossy(b))),
    })
}

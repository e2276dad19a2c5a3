//! What differs between the server backends, and the binding they share.

use sea_query::Value;

use super::cell::Cell;
use super::run::Runs;
use crate::backend::Backend;
use crate::error::{ConflictKind, ConstraintViolation, Error, Result};
use crate::types::DecodeFail;

/// What differs between the server backends.
#[doc(hidden)]
pub trait Driver: Runs + Sized {
    /// The SQL dialect.
    const BACKEND: Backend;
    /// Bound values one statement may hold (both servers take more; this
    /// keeps statements a size they prepare quickly).
    const MAX_PARAMS: usize = 32_767;

    /// Sets the connect options' statement cache to `n` statements.
    const STATEMENT_CACHE: fn(
        <Self::Connection as sqlx::Connection>::Options,
        usize,
    ) -> <Self::Connection as sqlx::Connection>::Options;

    /// Parses a URL into connect options, with the statement cache set.
    fn connect_options(url: &str, statement_cache: usize) -> Result<<Self::Connection as sqlx::Connection>::Options> {
        let options = url.parse().map_err(|e: sqlx::Error| Error::InvalidUrl {
            url: super::url::redact(url),
            reason: format!("{e}; expected {}://user[:password]@host[:port]/database", Self::BACKEND.name()),
        })?;
        Ok((Self::STATEMENT_CACHE)(options, statement_cache))
    }

    /// Adds one value to the arguments; the reason when it cannot be stored.
    fn add(args: &mut Self::Arguments, value: &Value) -> std::result::Result<(), String>;

    /// Reads one column value.
    fn cell<'r>(value: Self::ValueRef<'r>) -> std::result::Result<Cell<'r>, DecodeFail> {
        use sqlx::{TypeInfo, ValueRef};
        if value.is_null() {
            return Ok(Cell::Borrowed(crate::types::value::ValueRef::Null));
        }
        let info = value.type_info().into_owned();
        Self::typed_cell(value, info.name())
    }

    /// Reads one non-NULL column value of the server type named `name`.
    fn typed_cell<'r>(value: Self::ValueRef<'r>, name: &str) -> std::result::Result<Cell<'r>, DecodeFail>;

    /// Rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;

    /// The key an INSERT generated (0 when none).
    fn last_insert_id(result: &Self::QueryResult) -> i64;

    /// A conflict with other transactions, from the server's error.
    fn conflict(error: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<ConflictKind>;

    /// A constraint violation, from the server's error.
    fn constraint(error: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<ConstraintViolation>;
}

/// Adds one value to a server's arguments, the reason when it cannot.
pub(crate) fn add<'q, D: sqlx::Database, T: sqlx::Encode<'q, D> + sqlx::Type<D>>(
    args: &mut D::Arguments,
    v: T,
) -> std::result::Result<(), String> {
    sqlx::Arguments::add(args, v).map_err(|e| e.to_string())
}

/// The value kinds both servers bind alike; `$($special)*` are a server's
/// own arms, tried first.
macro_rules! bind_value {
    ($db:ty, $args:expr, $value:expr, $server:literal, { $($special:tt)* }) => {{
        use $crate::server::driver::add;
        match $value {
            $($special)*
            Value::Bool(v) => add::<$db, _>($args, *v),
            Value::SmallInt(v) => add::<$db, _>($args, *v),
            Value::Int(v) => add::<$db, _>($args, *v),
            Value::BigInt(v) => add::<$db, _>($args, *v),
            Value::Float(v) => add::<$db, _>($args, *v),
            Value::Double(v) => add::<$db, _>($args, *v),
            Value::String(v) => add::<$db, _>($args, v.as_deref()),
            Value::Char(v) => add::<$db, _>($args, v.map(|c| c.to_string())),
            Value::Bytes(v) => add::<$db, _>($args, v.as_deref()),
            #[cfg(feature = "json")]
            Value::Json(v) => add::<$db, _>($args, v.as_deref().cloned().map(sqlx::types::Json)),
            #[cfg(feature = "chrono")]
            Value::ChronoDate(v) => add::<$db, _>($args, *v),
            #[cfg(feature = "chrono")]
            Value::ChronoTime(v) => add::<$db, _>($args, *v),
            #[cfg(feature = "chrono")]
            Value::ChronoDateTime(v) => add::<$db, _>($args, *v),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => add::<$db, _>($args, *v),
            other => Err(format!("values of this kind are not supported on {}: {other:?}", $server)),
        }
    }};
}
pub(crate) use bind_value;

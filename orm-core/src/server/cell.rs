//! Column values as every field type decodes them, and the conversions the
//! servers share.

use crate::types::value::Owned;
use crate::types::value::ValueRef;

use crate::types::DecodeFail;

/// A column value as the decoders read it: SQLite's value model, which
/// every [`FieldType`](crate::FieldType) decodes from.
#[doc(hidden)]
pub enum Cell<'r> {
    /// Borrowed from the row.
    Borrowed(ValueRef<'r>),
    /// Converted (dates, UUIDs, JSON, numerics).
    Owned(Owned),
}

impl Cell<'_> {
    #[inline]
    pub(crate) fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Cell::Borrowed(v) => *v,
            Cell::Owned(o) => o.into(),
        }
    }
}

/// Decodes one raw column value as `T`, naming the server's type on failure.
pub(crate) fn decode<'r, D: sqlx::Database, T: sqlx::Decode<'r, D>>(
    v: D::ValueRef<'r>,
    name: &str,
) -> Result<T, DecodeFail> {
    T::decode(v).map_err(|e| DecodeFail { expected: "a value", found: format!("{name} that failed to decode: {e}") })
}

/// A server type this build cannot read.
fn unsupported(server: &str, name: &str) -> DecodeFail {
    DecodeFail {
        expected: "a supported type",
        found: format!("{server} {name} (not supported, or its feature is off)"),
    }
}

/// A column of a type the driver's own decoding does not know: a date or
/// time (feature `chrono`), else one this build cannot read.
#[cfg(feature = "chrono")]
pub(crate) fn other_type<'r, D: super::Driver>(
    v: D::ValueRef<'r>,
    name: &str,
    server: &str,
) -> Result<Cell<'r>, DecodeFail>
where
    chrono::NaiveDate: sqlx::Decode<'r, D>,
    chrono::NaiveTime: sqlx::Decode<'r, D>,
    chrono::NaiveDateTime: sqlx::Decode<'r, D>,
    chrono::DateTime<chrono::Utc>: sqlx::Decode<'r, D>,
{
    time::read::<D>(D::BACKEND.dialect().time_type_names(), v, name).unwrap_or_else(|| Err(unsupported(server, name)))
}

/// A column of a type the driver's own decoding does not know.
#[cfg(not(feature = "chrono"))]
pub(crate) fn other_type<'r, D: super::Driver>(
    _: D::ValueRef<'r>,
    name: &str,
    server: &str,
) -> Result<Cell<'r>, DecodeFail> {
    Err(unsupported(server, name))
}

/// Dates and times, read as text in the forms SQLite stores them in.
#[cfg(feature = "chrono")]
mod time {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

    use super::{Cell, Owned, decode};
    use crate::types::DecodeFail;

    /// Reads a value of one of the four date and time types whose names
    /// `names` gives (as [`Dialect::time_type_names`](crate::dialect::Dialect::time_type_names)
    /// orders them), or `None` if `name` is not one of them.
    pub(crate) fn read<'r, D: sqlx::Database>(
        names: [&str; 4],
        v: D::ValueRef<'r>,
        name: &str,
    ) -> Option<Result<Cell<'r>, DecodeFail>>
    where
        NaiveDate: sqlx::Decode<'r, D>,
        NaiveTime: sqlx::Decode<'r, D>,
        NaiveDateTime: sqlx::Decode<'r, D>,
        DateTime<Utc>: sqlx::Decode<'r, D>,
    {
        let text = match names.iter().position(|n| *n == name)? {
            0 => decode::<D, NaiveDate>(v, name).map(|d| d.format("%F").to_string()),
            1 => decode::<D, NaiveTime>(v, name).map(|t| t.format("%T%.f").to_string()),
            2 => decode::<D, NaiveDateTime>(v, name).map(|t| t.format("%F %T%.f").to_string()),
            _ => decode::<D, DateTime<Utc>>(v, name).map(|t| t.format("%F %T%.f%:z").to_string()),
        };
        Some(text.map(|t| Cell::Owned(Owned::Text(t))))
    }
}

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
pub(crate) fn unsupported(server: &str, name: &str) -> DecodeFail {
    DecodeFail {
        expected: "a supported type",
        found: format!("{server} {name} (not supported, or its feature is off)"),
    }
}

/// Dates and times, read as text in the forms SQLite stores them in.
#[cfg(feature = "chrono")]
pub(crate) mod time {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

    use super::{Cell, Owned, decode};
    use crate::types::DecodeFail;

    /// A server's names for a date, a time of day, a date and time without
    /// a zone, and a point in time.
    pub(crate) struct Names {
        pub date: &'static str,
        pub time: &'static str,
        pub date_time: &'static str,
        pub utc: &'static str,
    }

    impl Names {
        /// Whether `name` is one of them.
        pub(crate) fn has(&self, name: &str) -> bool {
            [self.date, self.time, self.date_time, self.utc].contains(&name)
        }

        /// Reads a value of one of these types.
        pub(crate) fn read<'r, D: sqlx::Database>(&self, v: D::ValueRef<'r>, name: &str) -> Result<Cell<'r>, DecodeFail>
        where
            NaiveDate: sqlx::Decode<'r, D>,
            NaiveTime: sqlx::Decode<'r, D>,
            NaiveDateTime: sqlx::Decode<'r, D>,
            DateTime<Utc>: sqlx::Decode<'r, D>,
        {
            let text = if name == self.date {
                decode::<D, NaiveDate>(v, name)?.format("%F").to_string()
            } else if name == self.time {
                decode::<D, NaiveTime>(v, name)?.format("%T%.f").to_string()
            } else if name == self.date_time {
                decode::<D, NaiveDateTime>(v, name)?.format("%F %T%.f").to_string()
            } else {
                decode::<D, DateTime<Utc>>(v, name)?.format("%F %T%.f%:z").to_string()
            };
            Ok(Cell::Owned(Owned::Text(text)))
        }
    }
}

//! chrono dates and times, stored in SQLite as ISO-8601 text (sortable).
//!
//! Times are stored to the microsecond on every backend: PostgreSQL and
//! MySQL's `DATETIME(6)` hold no finer, and MySQL would round where the
//! others cut. Values are cut to the microsecond as they are written, so
//! the same value reads back the same everywhere (a `Utc::now()` with
//! nanoseconds reads back without them: compare with
//! `now.trunc_subsecs(6)`, chrono's `SubsecRound`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SubsecRound, Utc};
use rusqlite::types::{ToSqlOutput, Value as SqliteValue, ValueRef};
use sea_query::Value;

use super::{DecodeFail, FieldType, SqlType};

fn text<'a>(value: ValueRef<'a>, expected: &'static str) -> Result<&'a str, DecodeFail> {
    match value {
        ValueRef::Text(b) => std::str::from_utf8(b)
            .map_err(|_| DecodeFail { expected, found: "TEXT that is not valid UTF-8".to_owned() }),
        other => Err(DecodeFail::sqlite(expected, other)),
    }
}

fn unparsable(expected: &'static str, s: &str) -> DecodeFail {
    DecodeFail { expected, found: format!("TEXT {s:?}") }
}

/// A time cut to the microsecond, what every backend stores.
fn micros<T: SubsecRound + Copy>(t: &T) -> T {
    t.trunc_subsecs(6)
}

/// A date has no time to cut.
fn whole(d: &NaiveDate) -> NaiveDate {
    *d
}

macro_rules! chrono_type {
    ($t:ty, $name:literal, $sql:ident, $variant:ident, $fmt:literal, $stored:ident, |$s:ident| $parse:expr) => {
        impl FieldType for $t {
            const SQL_TYPE: SqlType = SqlType::$sql;
            const RUST_NAME: &'static str = $name;

            fn to_value(&self) -> Value {
                Value::$variant(Some($stored(self)))
            }
            fn null_value() -> Value {
                Value::$variant(None)
            }
            fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
                Ok(ToSqlOutput::Owned(SqliteValue::Text($stored(self).format($fmt).to_string())))
            }
            fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
                let $s = text(value, $name)?;
                $parse.ok_or_else(|| unparsable($name, $s))
            }
        }
        crate::scalar!($t);
    };
}

chrono_type!(NaiveDate, "NaiveDate", Date, ChronoDate, "%F", whole, |s| { NaiveDate::parse_from_str(s, "%F").ok() });
chrono_type!(NaiveTime, "NaiveTime", Time, ChronoTime, "%T%.f", micros, |s| {
    NaiveTime::parse_from_str(s, "%T%.f").ok()
});
chrono_type!(NaiveDateTime, "NaiveDateTime", DateTime, ChronoDateTime, "%F %T%.f", micros, |s| {
    NaiveDateTime::parse_from_str(s, "%F %T%.f").or_else(|_| NaiveDateTime::parse_from_str(s, "%FT%T%.f")).ok()
});
chrono_type!(DateTime<Utc>, "DateTime<Utc>", TimestampTz, ChronoDateTimeUtc, "%F %T%.f%:z", micros, |s| {
    DateTime::parse_from_str(s, "%F %T%.f%:z")
        .or_else(|_| DateTime::parse_from_rfc3339(s))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        // A DATETIME without zone (MySQL) holds UTC.
        .or_else(|| NaiveDateTime::parse_from_str(s, "%F %T%.f").ok().map(|n| n.and_utc()))
});

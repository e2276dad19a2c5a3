//! Rust types that map to columns: how each is bound, decoded and declared.
//!
//! [`FieldType`] is implemented for the integers, `f32`/`f64`, `bool`, `String`,
//! `Vec<u8>`, `Option<T>`, [`Auto<T>`](crate::Auto), and behind the features
//! `chrono`, `uuid` and `json` for their types. [`Operand<T>`] says which Rust
//! values may stand for a column of type `T` in a filter, which is what makes a
//! comparison with a value of the wrong type a compile error.
//!
//! # Floating point
//!
//! `f32` and `f64` round-trip exactly on every backend, with two exceptions
//! the databases impose:
//!
//! - **Negative zero**: PostgreSQL keeps the sign of `-0.0`; SQLite and
//!   MySQL/MariaDB return `+0.0`. The two compare equal, so only code that
//!   looks at the sign (`is_sign_negative`, `1.0 / x`) sees the difference.
//! - **NaN and infinities**: SQLite refuses NaN (it would store NULL) and
//!   MySQL/MariaDB refuse NaN and infinities; PostgreSQL stores all three.
//!
//! Reading a double too large for an `f32` field is a
//! [`Decode`](crate::Error::Decode) error, never a silent infinity.

mod auto;
#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "json")]
mod json;
mod primitive;
mod scalar;
mod stored;
#[cfg(feature = "uuid")]
mod uuid;
pub(crate) mod value;

pub use auto::Auto;
#[cfg(feature = "json")]
pub use json::Json;
#[cfg(feature = "json")]
pub(crate) use json::{decode_json, encode_json};
pub use stored::StoredAs;

use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_query::Value;

/// The column type a field declares in a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlType {
    /// 8-bit integer.
    TinyInt,
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// Boolean.
    Boolean,
    /// Text of any length.
    Text,
    /// Bytes.
    Blob,
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Date and time without zone.
    DateTime,
    /// Date and time in UTC.
    TimestampTz,
    /// UUID.
    Uuid,
    /// JSON document.
    Json,
}

/// Why a stored value could not become a Rust value; the executor adds the
/// model and column to make it an [`Error::Decode`](crate::Error::Decode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFail {
    /// The Rust type wanted.
    pub expected: &'static str,
    /// What was found instead.
    pub found: String,
}

impl DecodeFail {
    /// A failure for a SQLite value of the wrong storage class.
    #[cold]
    pub fn sqlite(expected: &'static str, found: ValueRef<'_>) -> Self {
        let found = match found {
            ValueRef::Null => "NULL".to_owned(),
            ValueRef::Integer(_) => "INTEGER".to_owned(),
            ValueRef::Real(_) => "REAL".to_owned(),
            ValueRef::Text(_) => "TEXT".to_owned(),
            ValueRef::Blob(_) => "BLOB".to_owned(),
        };
        DecodeFail { expected, found }
    }

    /// A SQLite integer that does not fit the Rust integer type wanted.
    #[cold]
    pub(crate) fn out_of_range(expected: &'static str, found: i64) -> Self {
        DecodeFail { expected, found: format!("INTEGER {found}, out of range") }
    }
}

/// A Rust type that is stored in one column.
///
/// Implemented by ormlet for the supported types; the derive checks every
/// field's type against it, so an unsupported type is a compile error on the field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supported column type",
    label = "not a column type",
    note = "supported: integers, f32, f64, bool, String, Vec<u8>, Option<T>, Auto<T>, and with features `chrono`, `uuid`, `json` their types",
    note = "store other serde types with #[ormlet(json)], or leave the field out of the table with #[ormlet(skip)]"
)]
pub trait FieldType: Sized {
    /// The declared column type.
    const SQL_TYPE: SqlType;
    /// Whether the column admits NULL (`Option<T>`).
    const NULLABLE: bool = false;
    /// The Rust type's name, for decode errors.
    const RUST_NAME: &'static str;

    /// This value as a sea-query value (used for filters, events and sqlx).
    fn to_value(&self) -> Value;
    /// This value as a sea-query value, taken rather than copied: owned
    /// text and bytes move into the value instead of being allocated again.
    #[inline]
    fn into_value(self) -> Value {
        self.to_value()
    }
    /// A typed NULL of this type.
    fn null_value() -> Value;
    /// This value bound to a SQLite statement, borrowed where possible.
    ///
    /// Errors with the reason when SQLite cannot store the value faithfully.
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String>;
    /// Decode a SQLite value.
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail>;
}

impl<T: FieldType> FieldType for Option<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const NULLABLE: bool = true;
    const RUST_NAME: &'static str = T::RUST_NAME;

    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => T::null_value(),
        }
    }
    #[inline]
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => T::null_value(),
        }
    }
    fn null_value() -> Value {
        T::null_value()
    }
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        match self {
            Some(v) => v.to_sqlite(),
            None => Ok(ToSqlOutput::Borrowed(ValueRef::Null)),
        }
    }
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_sqlite(v).map(Some),
        }
    }
}

/// A Rust value that may stand for a column of type `T` in a filter or an
/// assignment. `User::AGE.eq("x")` does not compile because `&str` is not an
/// `Operand<Option<i32>>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared with or stored in a column of type `{T}`",
    label = "expected a value for a `{T}` column",
    note = "a column's constant carries its Rust type: pass a value of that type (or `None` for an Option column)"
)]
pub trait Operand<T> {
    /// The value to bind.
    fn into_value(self) -> Value;
}

/// The result type of `MIN`/`MAX` over a column: always nullable (empty input gives NULL).
pub trait Nullable {
    /// `Option` of the base type.
    type Opt: FieldType;
}

/// Numeric columns that `SUM` and `AVG` accept, and the type `SUM` returns.
pub trait Numeric {
    /// `i64` for integers, `f64` for floats.
    type Sum: FieldType;
    /// Whole numbers: `/` between them truncates on every backend.
    #[doc(hidden)]
    const INTEGRAL: bool = false;
}

impl<T: Numeric> Numeric for Option<T> {
    type Sum = T::Sum;
    const INTEGRAL: bool = T::INTEGRAL;
}

/// Text columns, the ones `LIKE` applies to.
pub trait Textual {
    /// What `length()` of such a text is: `i64`, or `Option<i64>` for a nullable one.
    type Length: FieldType;
}
impl Textual for String {
    type Length = i64;
}
impl Textual for Option<String> {
    type Length = Option<i64>;
}

/// A nullable column type, `Option<T>`: what `coalesce` turns into `T`.
pub trait Optional {
    /// The type inside the `Option`.
    type Inner;
}
impl<T> Optional for Option<T> {
    type Inner = T;
}

//! Column types of the application's own: a Rust type stored as one ormlet
//! already maps. Enums (`#[derive(ormlet::Enum)]`) and newtypes implement
//! [`StoredAs`] and become column types, comparable in filters and usable
//! in `Option`, with no database crate in the application.

use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_query::Value;

use super::{DecodeFail, FieldType, Nullable, Operand, SqlType};
use crate::row::{FromRow, RowReader};

/// A Rust type stored as a column type ormlet has (`String`, `i32`, ...).
///
/// ```
/// use ormlet_core::types::StoredAs;
///
/// /// Cents, stored as an integer.
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// pub struct Cents(pub i64);
///
/// impl StoredAs for Cents {
///     type Stored = i64;
///     const NAME: &'static str = "Cents";
///     fn to_stored(&self) -> i64 {
///         self.0
///     }
///     fn from_stored(stored: i64) -> Result<Self, String> {
///         if stored < 0 { Err(format!("{stored}, a negative amount")) } else { Ok(Cents(stored)) }
///     }
/// }
/// ```
pub trait StoredAs: Sized {
    /// The column type it is stored as.
    type Stored: FieldType;
    /// Its name, in decode errors.
    const NAME: &'static str;
    /// The value to store.
    fn to_stored(&self) -> Self::Stored;
    /// The value back from what was stored; `Err` says what was found
    /// instead (it becomes an [`Error::Decode`](crate::Error::Decode)).
    fn from_stored(stored: Self::Stored) -> Result<Self, String>;
}

impl<T: StoredAs> FieldType for T {
    const SQL_TYPE: SqlType = T::Stored::SQL_TYPE;
    const RUST_NAME: &'static str = T::NAME;

    fn to_value(&self) -> Value {
        // The stored value is already a fresh one: moved, not copied again.
        self.to_stored().into_value()
    }
    fn null_value() -> Value {
        T::Stored::null_value()
    }
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        // The stored value is a temporary: hand SQLite an owned copy.
        match self.to_stored().to_sqlite()? {
            ToSqlOutput::Borrowed(v) => Ok(ToSqlOutput::Owned(owned(v))),
            ToSqlOutput::Owned(v) => Ok(ToSqlOutput::Owned(v)),
            _ => Err(format!("{} cannot be stored as {}", T::NAME, T::Stored::RUST_NAME)),
        }
    }
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        let stored = T::Stored::from_sqlite(value).map_err(|f| DecodeFail { expected: T::NAME, found: f.found })?;
        T::from_stored(stored).map_err(|found| DecodeFail { expected: T::NAME, found })
    }
}

impl<T: StoredAs> Operand<T> for T {
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl<T: StoredAs> Operand<T> for &T {
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl<T: StoredAs> Operand<Option<T>> for T {
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl<T: StoredAs> Operand<Option<T>> for &T {
    fn into_value(self) -> Value {
        self.to_value()
    }
}

impl<T: StoredAs> Operand<Option<T>> for Option<T> {
    fn into_value(self) -> Value {
        FieldType::to_value(&self)
    }
}

impl<T: StoredAs> Nullable for T {
    type Opt = Option<T>;
}

impl<T: StoredAs> Nullable for Option<T> {
    type Opt = Option<T>;
}

impl<T: StoredAs> FromRow for T {
    fn from_row<R: RowReader>(row: &mut R) -> crate::Result<Self> {
        row.read::<T>("row", "")
    }
    fn from_row_optional<R: RowReader>(row: &mut R) -> crate::Result<Option<Self>> {
        row.read::<Option<T>>("row", "")
    }
}

fn owned(v: ValueRef<'_>) -> rusqlite::types::Value {
    use rusqlite::types::Value as Owned;
    match v {
        ValueRef::Null => Owned::Null,
        ValueRef::Integer(i) => Owned::Integer(i),
        ValueRef::Real(r) => Owned::Real(r),
        ValueRef::Text(t) => Owned::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Owned::Blob(b.to_vec()),
    }
}

//! `Auto<T>`: a key the database generates.

use std::fmt;

use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_query::Value;

use super::{DecodeFail, FieldType, SqlType};

/// A key that the database assigns on insert.
///
/// A model whose primary key field is `Auto<i64>` (or `Auto<i32>`) leaves the
/// key out of its `INSERT`, and `insert` stores the generated key back in the
/// field and returns it. Rows read from the database always have it set. This
/// replaces the magic `id: 0` convention: an unset key is visible in the type,
/// and updating or deleting a row that was never inserted is a typed error
/// ([`Error::KeyNotSet`](crate::Error::KeyNotSet)) rather than a silent no-op.
///
/// ```
/// use ormlet_core::Auto;
/// let mut id: Auto<i64> = Auto::new();
/// assert_eq!(id.get(), None);
/// id = Auto::from(7);
/// assert_eq!(id.get(), Some(7));
/// assert!(id == 7 && 7 == id);
/// assert_eq!(id.to_string(), "7");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
pub struct Auto<T>(Option<T>);

impl<T> Auto<T> {
    /// A key not assigned yet.
    pub const fn new() -> Self {
        Auto(None)
    }

    /// Whether the database has assigned the key.
    pub const fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The key as an `Option`, by reference.
    pub const fn as_option(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<T: Copy> Auto<T> {
    /// The key, or `None` before the row was inserted.
    pub const fn get(&self) -> Option<T> {
        self.0
    }

    /// The key of a row that was inserted or read from the database, where
    /// it is always set; for a row never inserted, an
    /// [`Error::KeyNotSet`](crate::Error::KeyNotSet) rather than a panic.
    ///
    /// ```
    /// # use ormlet_core::Auto;
    /// let id: Auto<i64> = Auto::from(7);
    /// assert_eq!(id.key()?, 7);
    /// assert!(Auto::<i64>::new().key().is_err());
    /// # Ok::<(), ormlet_core::Error>(())
    /// ```
    pub fn key(&self) -> crate::Result<T> {
        self.0.ok_or(crate::Error::KeyNotSet { model: "row", operation: "Auto::key" })
    }
}

macro_rules! key_eq {
    ($($t:ty),*) => {$(
        impl PartialEq<Auto<$t>> for $t {
            fn eq(&self, other: &Auto<$t>) -> bool {
                other == self
            }
        }
    )*};
}
key_eq!(i32, i64, u32, u64);

impl<T> From<T> for Auto<T> {
    fn from(v: T) -> Self {
        Auto(Some(v))
    }
}

impl<T: PartialEq> PartialEq<T> for Auto<T> {
    fn eq(&self, other: &T) -> bool {
        self.0.as_ref() == Some(other)
    }
}

impl<T: fmt::Debug> fmt::Debug for Auto<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("Auto(unset)"),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Auto<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("unset"),
        }
    }
}

impl<T: FieldType> FieldType for Auto<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const RUST_NAME: &'static str = T::RUST_NAME;

    fn to_value(&self) -> Value {
        match &self.0 {
            Some(v) => v.to_value(),
            None => T::null_value(),
        }
    }
    #[inline]
    fn into_value(self) -> Value {
        match self.0 {
            Some(v) => v.into_value(),
            None => T::null_value(),
        }
    }
    fn null_value() -> Value {
        T::null_value()
    }
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        match &self.0 {
            Some(v) => v.to_sqlite(),
            None => Ok(ToSqlOutput::Borrowed(ValueRef::Null)),
        }
    }
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        T::from_sqlite(value).map(|v| Auto(Some(v)))
    }
}

//! Decoding result rows into Rust values, by column index.

use crate::error::Result;
use crate::types::FieldType;

/// Reads a row's columns left to right. Executors implement it over their
/// driver's row type; decoding code never sees the driver.
pub trait RowReader {
    /// Reads the next column as `T`; `model` and `column` name it in errors.
    fn read<T: FieldType>(&mut self, model: &'static str, column: &'static str) -> Result<T>;

    /// Reads the next column as JSON text into any deserialisable type.
    #[cfg(feature = "json")]
    fn read_json<T: serde::de::DeserializeOwned>(&mut self, model: &'static str, column: &'static str) -> Result<T>;

    /// Whether the column `offset` places after the next one is NULL.
    fn is_null(&self, offset: usize) -> bool;

    /// Skips `n` columns.
    fn skip(&mut self, n: usize);
}

/// A value built from consecutive columns of a result row: a model, a scalar,
/// a tuple of those, `Option<M>` for the nullable side of a LEFT JOIN, or a
/// struct with `#[derive(FromRow)]`.
pub trait FromRow: Sized {
    /// Decodes from the reader's current position, advancing it.
    fn from_row<R: RowReader>(row: &mut R) -> Result<Self>;

    /// Decodes `Option<Self>`: `None` for a NULL column, or for a model on
    /// the missing side of a LEFT JOIN. Types with no NULL of their own
    /// read as `Some`.
    #[doc(hidden)]
    fn from_row_optional<R: RowReader>(row: &mut R) -> Result<Option<Self>> {
        Self::from_row(row).map(Some)
    }
}

/// One impl for every `Option`: each type says how its absence reads.
impl<T: FromRow> FromRow for Option<T> {
    fn from_row<R: RowReader>(row: &mut R) -> Result<Self> {
        T::from_row_optional(row)
    }
}

macro_rules! tuple_from_row {
    ($($t:ident),+) => {
        impl<$($t: FromRow),+> FromRow for ($($t,)+) {
            fn from_row<R: RowReader>(row: &mut R) -> Result<Self> {
                Ok(($($t::from_row(row)?,)+))
            }
        }
    };
}
tuple_from_row!(A);
tuple_from_row!(A, B);
tuple_from_row!(A, B, C);
tuple_from_row!(A, B, C, D);
tuple_from_row!(A, B, C, D, E);
tuple_from_row!(A, B, C, D, E, F);
tuple_from_row!(A, B, C, D, E, F, G);
tuple_from_row!(A, B, C, D, E, F, G, H);

/// Decodes nothing: for queries whose rows only need counting.
#[doc(hidden)]
pub struct Skip;

impl FromRow for Skip {
    fn from_row<R: RowReader>(_row: &mut R) -> Result<Self> {
        Ok(Skip)
    }
}

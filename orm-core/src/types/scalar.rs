//! The impls every column type shares, stamped out per type by [`scalar!`].

/// Implements [`Operand`](crate::Operand), [`Nullable`](crate::types::Nullable)
/// and [`FromRow`](crate::FromRow) for a [`FieldType`](crate::FieldType) and
/// its `Option`, plus `Operand` for the listed narrower types.
///
/// Concrete impls per type (rather than a blanket over `Into`) keep integer
/// literals inferable and let `Auto<T>` stand for a `T` column.
#[doc(hidden)]
#[macro_export]
macro_rules! scalar {
    ($t:ty $(, from $($extra:ty),*)?) => {
        impl $crate::Operand<$t> for $t {
            fn into_value(self) -> $crate::Value {
                $crate::FieldType::into_value(self)
            }
        }
        impl $crate::Operand<$t> for &$t {
            fn into_value(self) -> $crate::Value {
                $crate::FieldType::to_value(self)
            }
        }
        impl $crate::Operand<$t> for $crate::Auto<$t> {
            fn into_value(self) -> $crate::Value {
                $crate::FieldType::into_value(self)
            }
        }
        impl $crate::Operand<Option<$t>> for $t {
            fn into_value(self) -> $crate::Value {
                $crate::FieldType::into_value(self)
            }
        }
        impl $crate::Operand<Option<$t>> for &$t {
            fn into_value(self) -> $crate::Value {
                $crate::FieldType::to_value(self)
            }
        }
        impl $crate::Operand<Option<$t>> for Option<$t> {
            fn into_value(self) -> $crate::Value {
                $crate::FieldType::into_value(self)
            }
        }
        $($(
            impl $crate::Operand<$t> for $extra {
                fn into_value(self) -> $crate::Value {
                    $crate::FieldType::into_value(<$t>::from(self))
                }
            }
            impl $crate::Operand<Option<$t>> for $extra {
                fn into_value(self) -> $crate::Value {
                    $crate::FieldType::into_value(<$t>::from(self))
                }
            }
        )*)?
        impl $crate::types::Nullable for $t {
            type Opt = Option<$t>;
        }
        impl $crate::types::Nullable for Option<$t> {
            type Opt = Option<$t>;
        }
        impl $crate::FromRow for $t {
            fn from_row<R: $crate::RowReader>(row: &mut R) -> $crate::Result<Self> {
                row.read::<$t>("row", "")
            }
            fn from_row_optional<R: $crate::RowReader>(row: &mut R) -> $crate::Result<Option<Self>> {
                row.read::<Option<$t>>("row", "")
            }
        }
    };
}

//! Integers, floats, bool, String and bytes.

use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_query::Value;

use super::{DecodeFail, FieldType, Numeric, SqlType};

macro_rules! integer {
    ($t:ty, $sql:ident, $variant:ident) => {
        impl FieldType for $t {
            const SQL_TYPE: SqlType = SqlType::$sql;
            const RUST_NAME: &'static str = stringify!($t);

            #[inline]
            fn to_value(&self) -> Value {
                Value::$variant(Some(*self))
            }
            fn null_value() -> Value {
                Value::$variant(None)
            }
            #[inline]
            fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
                i64::try_from(*self)
                    .map(|v| ToSqlOutput::Borrowed(ValueRef::Integer(v)))
                    .map_err(|_| format!("{} exceeds SQLite's 64-bit signed INTEGER", self))
            }
            #[inline]
            fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
                match value {
                    ValueRef::Integer(i) => <$t>::try_from(i).map_err(|_| DecodeFail::out_of_range(stringify!($t), i)),
                    other => Err(DecodeFail::sqlite(stringify!($t), other)),
                }
            }
        }
        impl Numeric for $t {
            type Sum = i64;
            const INTEGRAL: bool = true;
        }
    };
}

integer!(i8, TinyInt, TinyInt);
integer!(i16, SmallInt, SmallInt);
integer!(i32, Integer, Int);
integer!(i64, BigInt, BigInt);
integer!(u8, SmallInt, TinyUnsigned);
integer!(u16, Integer, SmallUnsigned);
integer!(u32, BigInt, Unsigned);
integer!(u64, BigInt, BigUnsigned);

macro_rules! float {
    ($t:ty, $sql:ident, $variant:ident) => {
        impl FieldType for $t {
            const SQL_TYPE: SqlType = SqlType::$sql;
            const RUST_NAME: &'static str = stringify!($t);

            #[inline]
            fn to_value(&self) -> Value {
                Value::$variant(Some(*self))
            }
            fn null_value() -> Value {
                Value::$variant(None)
            }
            #[inline]
            fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
                // SQLite silently stores NaN as NULL; refuse rather than lose it.
                if self.is_nan() {
                    return Err("NaN cannot be stored in SQLite (it would become NULL)".to_owned());
                }
                Ok(ToSqlOutput::Borrowed(ValueRef::Real(f64::from(*self))))
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            #[inline]
            fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
                match value {
                    // Narrowing to f32 turns a finite double too large for it into
                    // infinity: refuse rather than change the value.
                    ValueRef::Real(f) if (f as $t).is_infinite() && f.is_finite() => Err(DecodeFail {
                        expected: stringify!($t),
                        found: format!("REAL {f:e}, too large for {}", stringify!($t)),
                    }),
                    ValueRef::Real(f) => Ok(f as $t),
                    // REAL-affinity results of expressions may come back as INTEGER.
                    ValueRef::Integer(i) => Ok(i as $t),
                    other => Err(DecodeFail::sqlite(stringify!($t), other)),
                }
            }
        }
        impl Numeric for $t {
            type Sum = f64;
        }
    };
}

float!(f32, Float, Float);
float!(f64, Double, Double);

impl FieldType for bool {
    const SQL_TYPE: SqlType = SqlType::Boolean;
    const RUST_NAME: &'static str = "bool";

    fn to_value(&self) -> Value {
        Value::Bool(Some(*self))
    }
    fn null_value() -> Value {
        Value::Bool(None)
    }
    #[inline]
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*self))))
    }
    #[inline]
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        match value {
            ValueRef::Integer(0) => Ok(false),
            ValueRef::Integer(1) => Ok(true),
            ValueRef::Integer(i) => {
                Err(DecodeFail { expected: "bool", found: format!("INTEGER {i}, neither 0 nor 1") })
            }
            other => Err(DecodeFail::sqlite("bool", other)),
        }
    }
}

impl FieldType for String {
    const SQL_TYPE: SqlType = SqlType::Text;
    const RUST_NAME: &'static str = "String";

    fn to_value(&self) -> Value {
        Value::String(Some(self.clone()))
    }
    #[inline]
    fn into_value(self) -> Value {
        Value::String(Some(self))
    }
    fn null_value() -> Value {
        Value::String(None)
    }
    #[inline]
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.as_bytes())))
    }
    #[inline]
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        match value {
            ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
                .map_err(|_| DecodeFail { expected: "String", found: "TEXT that is not valid UTF-8".to_owned() }),
            other => Err(DecodeFail::sqlite("String", other)),
        }
    }
}

impl FieldType for Vec<u8> {
    const SQL_TYPE: SqlType = SqlType::Blob;
    const RUST_NAME: &'static str = "Vec<u8>";

    fn to_value(&self) -> Value {
        Value::Bytes(Some(self.clone()))
    }
    #[inline]
    fn into_value(self) -> Value {
        Value::Bytes(Some(self))
    }
    fn null_value() -> Value {
        Value::Bytes(None)
    }
    #[inline]
    fn to_sqlite(&self) -> Result<ToSqlOutput<'_>, String> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self)))
    }
    #[inline]
    fn from_sqlite(value: ValueRef<'_>) -> Result<Self, DecodeFail> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(DecodeFail::sqlite("Vec<u8>", other)),
        }
    }
}

crate::scalar!(i8);
crate::scalar!(i16, from i8, u8);
crate::scalar!(i32, from i8, i16, u8, u16);
crate::scalar!(i64, from i8, i16, i32, u8, u16, u32);
crate::scalar!(u8);
crate::scalar!(u16, from u8);
crate::scalar!(u32, from u8, u16);
crate::scalar!(u64, from u8, u16, u32);
crate::scalar!(f32);
crate::scalar!(f64, from f32);
crate::scalar!(bool);
crate::scalar!(String, from & str);
crate::scalar!(Vec<u8>, from & [u8]);

impl super::Operand<Option<String>> for Option<&str> {
    fn into_value(self) -> Value {
        Value::String(self.map(str::to_owned))
    }
}

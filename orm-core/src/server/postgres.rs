//! PostgreSQL: binding, decoding and error codes.

#[cfg(any(feature = "uuid", feature = "json"))]
use crate::types::value::Owned;
use crate::types::value::ValueRef;
use sea_query::Value;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArguments, PgConnectOptions, PgDatabaseError, PgQueryResult, PgValueFormat, PgValueRef};
use sqlx::{Decode, Postgres};

use super::cell::other_type;
use super::error::between;
use super::{Cell, Driver};
use crate::backend::Backend;
use crate::error::{ConflictKind, ConstraintKind, ConstraintViolation};
use crate::types::DecodeFail;

fn decode<'r, T: Decode<'r, Postgres>>(v: PgValueRef<'r>, name: &str) -> std::result::Result<T, DecodeFail> {
    super::cell::decode::<Postgres, T>(v, name)
}

/// NUMERIC in PostgreSQL's binary form (what `SUM` and `AVG` of integers
/// return): base-10000 digits. Whole numbers that fit become integers.
fn numeric(bytes: &[u8]) -> std::result::Result<ValueRef<'static>, DecodeFail> {
    let bad = || DecodeFail { expected: "a number", found: "a malformed NUMERIC".to_owned() };
    let word = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(bad);
    let (ndigits, weight, sign, scale) = (word(0)? as usize, word(2)? as i16, word(4)?, word(6)?);
    if sign == 0xC000 {
        return Ok(ValueRef::Real(f64::NAN));
    }
    let digits = (0..ndigits).map(|i| word(8 + 2 * i)).collect::<std::result::Result<Vec<u16>, _>>()?;
    let negative = sign == 0x4000;
    if scale == 0 {
        let mut n: i128 = 0;
        for (i, d) in digits.iter().enumerate() {
            let exp = i32::from(weight) - i as i32;
            if exp < 0 {
                break;
            }
            n = n.checked_add(i128::from(*d) * 10_000i128.checked_pow(exp as u32).ok_or_else(bad)?).ok_or_else(bad)?;
        }
        let n = if negative { -n } else { n };
        if let Ok(n) = i64::try_from(n) {
            return Ok(ValueRef::Integer(n));
        }
    }
    let mut x = 0f64;
    for (i, d) in digits.iter().enumerate() {
        x += f64::from(*d) * 10_000f64.powi(i32::from(weight) - i as i32);
    }
    Ok(ValueRef::Real(if negative { -x } else { x }))
}

/// A non-NULL column of one of the common built-in types, read straight
/// from its binary form by the type's OID; `None` for any other type or
/// form (read by name, through sqlx's decoding). Text is handed on as
/// bytes: the field type checks it is UTF-8, once.
#[inline]
fn binary_cell<'r>(v: &PgValueRef<'r>, bytes: &'r [u8]) -> Option<ValueRef<'r>> {
    use sqlx::ValueRef as _;
    if v.format() != PgValueFormat::Binary {
        return None;
    }
    let Oid(oid) = v.type_info().oid()?;
    // The OIDs are fixed in PostgreSQL's catalog (`pg_type.dat`).
    Some(match (oid, bytes.len()) {
        (20, 8) => ValueRef::Integer(i64::from_be_bytes(bytes.try_into().ok()?)),
        (23, 4) => ValueRef::Integer(i32::from_be_bytes(bytes.try_into().ok()?).into()),
        (21, 2) => ValueRef::Integer(i16::from_be_bytes(bytes.try_into().ok()?).into()),
        (701, 8) => ValueRef::Real(f64::from_be_bytes(bytes.try_into().ok()?)),
        (700, 4) => ValueRef::Real(f32::from_be_bytes(bytes.try_into().ok()?).into()),
        (16, 1) => ValueRef::Integer(i64::from(bytes[0] != 0)),
        // TEXT, VARCHAR, BPCHAR, NAME.
        (25 | 1043 | 1042 | 19, _) => ValueRef::Text(bytes),
        (17, _) => ValueRef::Blob(bytes),
        _ => return None,
    })
}

/// The keys of a relation load as one array parameter (`= ANY($1)`): small,
/// plain and big integers, or text, none NULL.
fn add_array(args: &mut PgArguments, items: &[Value]) -> std::result::Result<(), String> {
    use super::driver::add;
    fn all<'v, T>(items: &'v [Value], get: impl Fn(&'v Value) -> Option<T>) -> std::result::Result<Vec<T>, String> {
        items.iter().map(|v| get(v).ok_or_else(|| format!("an array of mixed or NULL values: {v:?}"))).collect()
    }
    if items.iter().any(|v| matches!(v, Value::String(Some(s)) if s.contains('\0'))) {
        return Err("PostgreSQL text cannot contain the NUL character".into());
    }
    // Every item of the variant the first has, unwrapped.
    macro_rules! array {
        ($variant:ident, $x:ident => $get:expr) => {
            add::<Postgres, _>(
                args,
                all(items, |v| match v {
                    Value::$variant($x) => $get,
                    _ => None,
                })?,
            )
        };
    }
    match items.first() {
        Some(Value::SmallInt(_)) => array!(SmallInt, x => *x),
        Some(Value::Int(_)) => array!(Int, x => *x),
        Some(Value::BigInt(_)) => array!(BigInt, x => *x),
        Some(Value::String(_)) => array!(String, x => x.as_deref()),
        other => Err(format!("arrays of this kind are not supported on PostgreSQL: {other:?}")),
    }
}

impl Driver for Postgres {
    const BACKEND: Backend = Backend::Postgres;
    const STATEMENT_CACHE: fn(PgConnectOptions, usize) -> PgConnectOptions = PgConnectOptions::statement_cache_capacity;

    fn add(args: &mut PgArguments, value: &Value) -> std::result::Result<(), String> {
        super::bind_value!(Postgres, args, value, "PostgreSQL", {
            // No one-byte or unsigned integers: widened, u64 only up to i64::MAX.
            Value::TinyInt(v) => add::<Postgres, _>(args, v.map(i16::from)),
            Value::TinyUnsigned(v) => add::<Postgres, _>(args, v.map(i16::from)),
            Value::SmallUnsigned(v) => add::<Postgres, _>(args, v.map(i32::from)),
            Value::Unsigned(v) => add::<Postgres, _>(args, v.map(i64::from)),
            Value::BigUnsigned(v) => {
                let v = v
                    .map(i64::try_from)
                    .transpose()
                    .map_err(|_| "exceeds PostgreSQL's BIGINT (i64::MAX)".to_owned())?;
                add::<Postgres, _>(args, v)
            }
            // The server would refuse it with an encoding error; say what is wrong instead.
            Value::String(Some(v)) if v.contains('\0') => Err("PostgreSQL text cannot contain the NUL character".into()),
            Value::Char(Some('\0')) => Err("PostgreSQL text cannot contain the NUL character".into()),
            #[cfg(feature = "chrono")]
            Value::ChronoDateTimeUtc(v) => add::<Postgres, _>(args, *v),
            Value::Array(_, Some(items)) => add_array(args, items),
        })
    }

    // Inline: every column of every row comes through here, and a call
    // returns the value through memory the caller then reads back.
    #[inline]
    fn cell<'r>(v: <Postgres as sqlx::Database>::ValueRef<'r>) -> std::result::Result<Cell<'r>, DecodeFail> {
        use sqlx::TypeInfo;
        let Ok(bytes) = v.as_bytes() else { return Ok(Cell::Borrowed(ValueRef::Null)) };
        if let Some(cell) = binary_cell(&v, bytes) {
            return Ok(Cell::Borrowed(cell));
        }
        let info = sqlx::ValueRef::type_info(&v).into_owned();
        Self::typed_cell(v, info.name())
    }

    fn typed_cell<'r>(
        v: <Postgres as sqlx::Database>::ValueRef<'r>,
        name: &str,
    ) -> std::result::Result<Cell<'r>, DecodeFail> {
        Ok(match name {
            "INT2" => Cell::Borrowed(ValueRef::Integer(decode::<i16>(v, name)?.into())),
            "INT4" => Cell::Borrowed(ValueRef::Integer(decode::<i32>(v, name)?.into())),
            "INT8" => Cell::Borrowed(ValueRef::Integer(decode::<i64>(v, name)?)),
            "FLOAT4" => Cell::Borrowed(ValueRef::Real(decode::<f32>(v, name)?.into())),
            "FLOAT8" => Cell::Borrowed(ValueRef::Real(decode::<f64>(v, name)?)),
            "BOOL" => Cell::Borrowed(ValueRef::Integer(decode::<bool>(v, name)?.into())),
            "NUMERIC" => {
                let bytes = v.as_bytes().map_err(|e| DecodeFail { expected: "a number", found: e.to_string() })?;
                Cell::Borrowed(numeric(bytes)?)
            }
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" | "CITEXT" | "UNKNOWN" => {
                Cell::Borrowed(ValueRef::Text(decode::<&str>(v, name)?.as_bytes()))
            }
            "BYTEA" => Cell::Borrowed(ValueRef::Blob(decode::<&[u8]>(v, name)?)),
            #[cfg(feature = "uuid")]
            "UUID" => Cell::Owned(Owned::Blob(decode::<uuid::Uuid>(v, name)?.as_bytes().to_vec())),
            #[cfg(feature = "json")]
            "JSON" | "JSONB" => Cell::Owned(Owned::Text(decode::<serde_json::Value>(v, name)?.to_string())),
            other => return other_type::<Postgres>(v, other, "PostgreSQL"),
        })
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    fn last_insert_id(_: &PgQueryResult) -> i64 {
        0
    }

    fn conflict(error: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<ConflictKind> {
        match error.code()?.as_ref() {
            "40001" => Some(ConflictKind::Serialization),
            "40P01" => Some(ConflictKind::Deadlock),
            "55P03" => Some(ConflictKind::LockTimeout),
            _ => None,
        }
    }

    fn constraint(error: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<ConstraintViolation> {
        let pg = error.try_downcast_ref::<PgDatabaseError>()?;
        let constraint = pg.constraint().map(str::to_owned);
        let kind = match pg.code() {
            "23505" if constraint.as_deref().is_some_and(|c| c.ends_with("_pkey")) => ConstraintKind::PrimaryKey,
            "23505" => ConstraintKind::Unique,
            "23503" => ConstraintKind::ForeignKey,
            "23502" => ConstraintKind::NotNull,
            "23514" => ConstraintKind::Check,
            _ => return None,
        };
        // "Key (email)=(a@x.io) already exists." / "Key (author_id)=(9) is not present in table ..."
        let still_referenced = pg.detail().is_some_and(|d| d.contains("is still referenced"));
        let columns = match (kind, pg.column()) {
            (ConstraintKind::NotNull, Some(c)) => vec![c.to_owned()],
            // Deleting a referenced row: the detail names the referenced key,
            // not the referencing column. ormlet names its foreign keys
            // `fk_<table>_<column>`, which gives the column; another name
            // gives none rather than the wrong one.
            (ConstraintKind::ForeignKey, _) if still_referenced => {
                let prefix = pg.table().map(|t| format!("fk_{t}_"));
                constraint
                    .as_deref()
                    .zip(prefix.as_deref())
                    .and_then(|(name, prefix)| name.strip_prefix(prefix))
                    .map(|column| vec![column.to_owned()])
                    .unwrap_or_default()
            }
            _ => pg
                .detail()
                .and_then(|d| between(d, "Key", '(', ')'))
                .map(|cols| cols.split(", ").map(|c| c.trim_matches('"').to_owned()).collect())
                .unwrap_or_default(),
        };
        Some(ConstraintViolation {
            kind,
            table: pg.table().map(str::to_owned),
            columns,
            constraint,
            message: pg.message().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::numeric;
    use crate::types::value::ValueRef;

    fn num(ndigits: u16, weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut b = Vec::new();
        for w in [ndigits, weight as u16, sign, scale] {
            b.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b
    }

    #[test]
    fn numerics_decode_to_integers_or_reals() {
        assert_eq!(numeric(&num(2, 1, 0, 0, &[12, 3456])).unwrap(), ValueRef::Integer(123_456));
        assert_eq!(numeric(&num(1, 0, 0x4000, 0, &[7])).unwrap(), ValueRef::Integer(-7));
        assert_eq!(numeric(&num(0, 0, 0, 0, &[])).unwrap(), ValueRef::Integer(0));
        assert_eq!(numeric(&num(2, 0, 0, 4, &[2, 5000])).unwrap(), ValueRef::Real(2.5));
        assert!(numeric(&[1, 2, 3]).is_err());
        assert!(numeric(&num(3, 0, 0, 0, &[1])).is_err(), "fewer digits than announced");
    }
}

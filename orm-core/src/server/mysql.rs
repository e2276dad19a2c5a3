//! MySQL and MariaDB: binding, decoding and error codes.

use crate::types::value::ValueRef;
use sea_query::Value;
use sqlx::mysql::{MySqlArguments, MySqlConnectOptions, MySqlDatabaseError, MySqlQueryResult, MySqlValueRef};
use sqlx::{Decode, MySql};

use super::cell::other_type;
use super::error::between;
use super::{Cell, Driver};
use crate::backend::Backend;
use crate::error::{ConflictKind, ConstraintKind, ConstraintViolation};
use crate::types::DecodeFail;

fn decode<'r, T: Decode<'r, MySql>>(v: MySqlValueRef<'r>, name: &str) -> std::result::Result<T, DecodeFail> {
    super::cell::decode::<MySql, T>(v, name)
}

/// DECIMAL arrives as text (what `SUM` and `AVG` return): whole numbers
/// that fit become integers.
fn decimal(text: &str) -> std::result::Result<ValueRef<'static>, DecodeFail> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(ValueRef::Integer(i));
    }
    text.parse::<f64>()
        .map(ValueRef::Real)
        .map_err(|_| DecodeFail { expected: "a number", found: format!("DECIMAL {text:?}") })
}

impl Driver for MySql {
    const BACKEND: Backend = Backend::MySql;
    const STATEMENT_CACHE: fn(MySqlConnectOptions, usize) -> MySqlConnectOptions =
        MySqlConnectOptions::statement_cache_capacity;

    fn add(args: &mut MySqlArguments, value: &Value) -> std::result::Result<(), String> {
        super::bind_value!(MySql, args, value, "MySQL", {
            Value::TinyInt(v) => add::<MySql, _>(args, *v),
            Value::TinyUnsigned(v) => add::<MySql, _>(args, *v),
            Value::SmallUnsigned(v) => add::<MySql, _>(args, *v),
            Value::Unsigned(v) => add::<MySql, _>(args, *v),
            Value::BigUnsigned(v) => add::<MySql, _>(args, *v),
            // As a naive UTC DATETIME: sent as TIMESTAMP, years past 2038 would be lost.
            #[cfg(feature = "chrono")]
            Value::ChronoDateTimeUtc(v) => add::<MySql, _>(args, v.map(|d| d.naive_utc())),
        })
    }

    fn typed_cell<'r>(
        v: <MySql as sqlx::Database>::ValueRef<'r>,
        name: &str,
    ) -> std::result::Result<Cell<'r>, DecodeFail> {
        Ok(match name {
            "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
                Cell::Borrowed(ValueRef::Integer(decode::<i64>(v, name)?))
            }
            "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "MEDIUMINT UNSIGNED" | "INT UNSIGNED" | "BIGINT UNSIGNED" => {
                let u = decode::<u64>(v, name)?;
                let i = i64::try_from(u)
                    .map_err(|_| DecodeFail { expected: "an integer up to i64::MAX", found: format!("{name} {u}") })?;
                Cell::Borrowed(ValueRef::Integer(i))
            }
            "FLOAT" => Cell::Borrowed(ValueRef::Real(decode::<f32>(v, name)?.into())),
            "DOUBLE" => Cell::Borrowed(ValueRef::Real(decode::<f64>(v, name)?)),
            "DECIMAL" => Cell::Borrowed(decimal(decode::<&str>(v, name)?)?),
            "VARCHAR" | "CHAR" | "TEXT" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM" | "SET" | "JSON" => {
                Cell::Borrowed(ValueRef::Text(decode::<&str>(v, name)?.as_bytes()))
            }
            "VARBINARY" | "BINARY" | "BLOB" | "TINYBLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BIT" => {
                Cell::Borrowed(ValueRef::Blob(decode::<&[u8]>(v, name)?))
            }
            "NULL" => Cell::Borrowed(ValueRef::Null),
            other => return other_type::<MySql>(v, other, "MySQL"),
        })
    }

    fn rows_affected(result: &MySqlQueryResult) -> u64 {
        result.rows_affected()
    }

    fn last_insert_id(result: &MySqlQueryResult) -> i64 {
        i64::try_from(result.last_insert_id()).unwrap_or(i64::MAX)
    }

    fn conflict(error: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<ConflictKind> {
        match error.try_downcast_ref::<MySqlDatabaseError>()?.number() {
            1213 => Some(ConflictKind::Deadlock),
            // 3572: MySQL's NOWAIT; MariaDB reports a lock timeout for it.
            1205 | 3572 => Some(ConflictKind::LockTimeout),
            _ => None,
        }
    }

    fn constraint(error: &(dyn sqlx::error::DatabaseError + 'static)) -> Option<ConstraintViolation> {
        let my = error.try_downcast_ref::<MySqlDatabaseError>()?;
        let message = my.message();
        let mut v = ConstraintViolation {
            kind: ConstraintKind::Other,
            table: None,
            columns: Vec::new(),
            constraint: None,
            message: message.to_owned(),
        };
        match my.number() {
            // "Duplicate entry 'a@x.io' for key 'users.email'" (MariaDB: "for key 'email'")
            1062 => {
                let key = between(message, "for key", '\'', '\'').unwrap_or("");
                let (table, index) = key.rsplit_once('.').map_or((None, key), |(t, i)| (Some(t.to_owned()), i));
                v.kind = if index == "PRIMARY" { ConstraintKind::PrimaryKey } else { ConstraintKind::Unique };
                v.table = table;
                v.constraint = (!index.is_empty()).then(|| index.to_owned());
                if v.kind == ConstraintKind::Unique && !index.is_empty() {
                    v.columns = vec![index.to_owned()];
                }
            }
            // "... a foreign key constraint fails (`db`.`posts`, CONSTRAINT `fk` FOREIGN KEY (`author_id`) REFERENCES ..."
            1451 | 1452 | 1216 | 1217 => {
                v.kind = ConstraintKind::ForeignKey;
                v.table = between(message, "fails", '(', ',')
                    .map(|t| t.rsplit('.').next().unwrap_or(t).trim_matches('`').to_owned());
                v.constraint = between(message, "CONSTRAINT", '`', '`').map(str::to_owned);
                v.columns = between(message, "FOREIGN KEY", '(', ')')
                    .map(|c| c.split(", ").map(|c| c.trim_matches('`').to_owned()).collect())
                    .unwrap_or_default();
            }
            // "Column 'name' cannot be null"
            1048 | 1364 => {
                v.kind = ConstraintKind::NotNull;
                v.columns = between(message, "olumn", '\'', '\'').map(|c| vec![c.to_owned()]).unwrap_or_default();
            }
            // MySQL 8 / MariaDB CHECK failures
            3819 | 4025 => {
                v.kind = ConstraintKind::Check;
                v.constraint = between(message, "onstraint", '\'', '\'')
                    .or_else(|| between(message, "CONSTRAINT", '`', '`'))
                    .map(str::to_owned);
            }
            _ => return None,
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::decimal;
    use crate::types::value::ValueRef;

    #[test]
    fn decimals_decode_to_integers_or_reals() {
        assert_eq!(decimal("42").unwrap(), ValueRef::Integer(42));
        assert_eq!(decimal("-2.5000").unwrap(), ValueRef::Real(-2.5));
        assert!(decimal("abc").is_err());
    }
}

//! The core of [ormlet](https://docs.rs/ormlet): models, the typed query
//! builder, the SQLite executor, errors, and the query events the profiler
//! records. Applications use it through the `ormlet` facade crate, whose
//! `#[derive(Model)]` implements [`Model`]; the example below spells out by
//! hand what the derive generates (in the hidden `doc_models` module).
//!
//! ```
//! use ormlet_core::prelude::*;
//! use ormlet_core::doc_models::User;
//! use ormlet_core::sqlite::Db;
//!
//! let db = Db::connect("sqlite::memory:")?;
//! db.create_table::<User>()?;
//! let mut ann = User { id: Auto::new(), email: "ann@x.io".into(), name: "Ann".into(), age: Some(31) };
//! let id = ann.insert(&db)?;
//! assert_eq!(ann.id, id);
//! let adults = User::find().filter(User::AGE.gte(18)).order_by(User::NAME.asc()).all(&db)?;
//! assert_eq!(adults, vec![ann]);
//! # Ok::<(), ormlet_core::Error>(())
//! ```

#![warn(missing_docs)]

mod any;
mod backend;
mod clock;
pub mod connection;
pub mod database;
pub mod dialect;
#[doc(hidden)]
pub mod doc_models;
mod error;
pub mod events;
mod executor;
pub mod migrate;
mod model;
#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "postgres")]
pub mod postgres;
mod query;
pub mod relation;
mod row;
pub mod schema;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub mod server;
pub mod sqlite;
mod trace;
pub mod transaction;
pub mod types;

pub use any::{AnyDb, AnyTx};
pub use backend::Backend;
pub use error::{ConflictKind, ConstraintKind, ConstraintViolation, Error, Result};
pub use executor::{CreateTable, Executor, ExecutorExt, Job, QueryFuture};
pub use model::{
    Binder, CheckMeta, ColumnMeta, DefaultValue, ForeignKeyMeta, IndexMeta, Key, Model, ModelMeta, ModelSql,
    ValueCollector,
};
pub use query::*;
pub use relation::{BelongsTo, HasMany, Loaded, ManyToMany, ToMany};
pub use row::{FromRow, RowReader, Skip};
pub use sea_query::Value;
pub use types::{Auto, FieldType, Operand, SqlType};

/// What application code needs in scope.
pub mod prelude {
    pub use crate::query::{Functions, ModelExt, OnConflict, Select, TypedExpr, count_all, exists, not_exists};
    pub use crate::relation::{Loaded, ToMany, WithRelation};
    pub use crate::{Auto, Executor, ExecutorExt, FromRow, Model, params};
}

/// Paths the derive macros generate code against. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::error::{Error, Result};
    pub use crate::executor::Executor;
    pub use crate::model::{
        Binder, CheckMeta, ColumnMeta, DefaultValue, ForeignKeyMeta, IndexMeta, Key, Model, ModelMeta, ModelSql,
        optional_model,
    };
    pub use crate::query::Column;
    pub use crate::relation::{
        BelongsTo, BelongsToField, ForeignKeyTo, HasMany, LoadRelation, Loaded, ManyToMany, Related, With,
        load_relation,
    };
    pub use crate::row::{FromRow, RowReader};
    pub use crate::schema::ReferentialAction;
    #[cfg(feature = "json")]
    pub use crate::types::Json;
    pub use crate::types::{Auto, FieldType, SqlType};

    /// Compile-time check that a field's type is a column type (error on the field's type).
    pub const fn assert_field_type<T: FieldType>() {}

    /// A literal that may be the `default` of a column of type `T`.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is not a valid default for a column of type `{T}`",
        label = "wrong type of default",
        note = "use a literal of the column's type, or `default_sql = \"...\"` for a SQL expression"
    )]
    pub trait DefaultLiteral<T> {}
    macro_rules! default_literals {
        ($lit:ty => $($t:ty),*) => { $(impl DefaultLiteral<$t> for $lit {} impl DefaultLiteral<Option<$t>> for $lit {})* };
    }
    default_literals!(i64 => i8, i16, i32, i64, u8, u16, u32, u64);
    default_literals!(f64 => f32, f64);
    default_literals!(bool => bool);
    default_literals!(&'static str => String);

    /// Compile-time check of a `default = <literal>` against the field's type.
    pub const fn check_default<T, L: DefaultLiteral<T>>(_literal: &L) {}

    /// Stores a key the database generated into an `Auto<T>` field.
    pub fn generated_key<T: TryFrom<i64>>(id: i64, model: &'static str, column: &'static str) -> Result<Auto<T>> {
        T::try_from(id).map(Auto::from).map_err(|_| Error::Decode {
            model,
            column: column.to_owned(),
            expected: "the key's type",
            found: format!("generated key {id}, out of range"),
        })
    }

    /// The key of an `Auto<T>` field, or `KeyNotSet`.
    pub fn auto_key<T: Copy>(key: &Auto<T>, model: &'static str, operation: &'static str) -> Result<T> {
        key.get().ok_or(Error::KeyNotSet { model, operation })
    }
}

//! The `Model` trait that `#[derive(Model)]` implements, and the schema
//! metadata it carries.

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::row::{FromRow, RowReader};
use crate::types::{FieldType, SqlType};

/// A struct mapped to a table. Implement it with `#[derive(Model)]`.
///
/// The derive also generates one typed [`Column`](crate::Column) constant per
/// field (`User::EMAIL`), which the query builder takes; the query methods are
/// on [`ModelExt`](crate::ModelExt), implemented for every model.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model",
    label = "not a model",
    note = "add `#[derive(Model)]` to `{Self}`, or point at a type that has it"
)]
pub trait Model: FromRow + Send + Sync + 'static {
    /// The primary key: the key column's type, or a tuple for composite keys.
    type Key: Key;

    /// Table, columns and indexes.
    fn meta() -> &'static ModelMeta;

    #[doc(hidden)]
    fn __sql_cache() -> &'static ModelSql;

    /// Binds every column that an `INSERT` writes (all but a generated key), in `meta()` order.
    #[doc(hidden)]
    fn __bind_insert<B: Binder>(&self, b: &mut B) -> Result<()>;

    /// Binds every non-key column, in `meta()` order (the `SET` list of an `UPDATE`).
    #[doc(hidden)]
    fn __bind_update<B: Binder>(&self, b: &mut B) -> Result<()>;

    /// This row's key, or [`Error::KeyNotSet`] for an `Auto` key not yet assigned.
    #[doc(hidden)]
    fn __key(&self, operation: &'static str) -> Result<Self::Key>;

    /// Stores a generated key; a no-op for models without an `Auto` key.
    #[doc(hidden)]
    fn __set_generated_key(&mut self, key: i64) -> Result<()>;
}

/// A primary key value: one column's type, or a tuple for a composite key.
pub trait Key: Send + Sync + Clone + Debug + 'static {
    /// Binds the key's columns in order.
    fn bind_key<B: Binder>(&self, b: &mut B) -> Result<()>;
}

impl<T: FieldType + Send + Sync + Clone + Debug + 'static> Key for T {
    fn bind_key<B: Binder>(&self, b: &mut B) -> Result<()> {
        b.bind(self, "key")
    }
}

macro_rules! tuple_key {
    ($($t:ident . $i:tt),+) => {
        impl<$($t: FieldType + Send + Sync + Clone + Debug + 'static),+> Key for ($($t,)+) {
            fn bind_key<B: Binder>(&self, b: &mut B) -> Result<()> {
                $(b.bind(&self.$i, "key")?;)+
                Ok(())
            }
        }
    };
}
tuple_key!(K0.0, K1.1);
tuple_key!(K0.0, K1.1, K2.2);
tuple_key!(K0.0, K1.1, K2.2, K3.3);

/// Receives values to bind, one per placeholder, in order. Executors bind
/// straight into their statement; other implementations collect.
pub trait Binder {
    /// Binds one value for `column` (named in errors).
    fn bind<T: FieldType>(&mut self, value: &T, column: &'static str) -> Result<()>;

    /// Binds a sea-query value (filters, raw parameters); `index` is its
    /// 0-based position among the statement's values, named in errors.
    fn bind_value(&mut self, value: &sea_query::Value, index: usize) -> Result<()>;

    /// Binds a `#[ormlet(json)]` field as JSON text.
    #[cfg(feature = "json")]
    fn bind_json<T: serde::Serialize>(&mut self, value: &T, column: &'static str) -> Result<()> {
        let text = crate::types::encode_json(value)
            .map_err(|reason| Error::InvalidValue { column: column.to_owned(), reason })?;
        self.bind(&text, column)
    }
}

/// Collects bound values as sea-query values (for events and the async face).
#[derive(Debug, Default)]
pub struct ValueCollector(pub Vec<sea_query::Value>);

impl Binder for ValueCollector {
    fn bind<T: FieldType>(&mut self, value: &T, _column: &'static str) -> Result<()> {
        self.0.push(value.to_value());
        Ok(())
    }

    fn bind_value(&mut self, value: &sea_query::Value, _index: usize) -> Result<()> {
        self.0.push(value.clone());
        Ok(())
    }
}

/// What the derive knows of a model: its table, columns and indexes.
#[derive(Debug)]
pub struct ModelMeta {
    /// The Rust struct's name.
    pub name: &'static str,
    /// The table's name.
    pub table: &'static str,
    /// Stored columns in field order (skipped fields are absent).
    pub columns: &'static [ColumnMeta],
    /// Indexes, single and multi-column.
    pub indexes: &'static [IndexMeta],
    /// Foreign keys (`belongs_to` fields).
    pub foreign_keys: &'static [ForeignKeyMeta],
    /// CHECK constraints (`check(name = "condition")`).
    pub checks: &'static [CheckMeta],
    /// Columns renamed (`renamed_from = "old"`): (column, its old name).
    pub renamed_columns: &'static [(&'static str, &'static str)],
}

impl ModelMeta {
    /// The primary key's columns, in order.
    pub fn primary_key(&self) -> impl Iterator<Item = &ColumnMeta> {
        self.columns.iter().filter(|c| c.primary_key)
    }

    /// The column the database generates on insert, if any.
    pub fn auto_column(&self) -> Option<&ColumnMeta> {
        self.columns.iter().find(|c| c.auto_increment)
    }

    /// Position of the first key column (used to tell a missing LEFT JOIN row).
    #[inline]
    pub fn key_offset(&self) -> usize {
        self.columns.iter().position(|c| c.primary_key).unwrap_or(0)
    }
}

/// One stored column.
#[derive(Debug)]
pub struct ColumnMeta {
    /// Column name in the database.
    pub name: &'static str,
    /// Field name in the struct.
    pub field: &'static str,
    /// Declared type.
    pub sql_type: SqlType,
    /// NULL allowed (`Option<T>`).
    pub nullable: bool,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Generated by the database (`Auto<T>`).
    pub auto_increment: bool,
    /// Has a single-column UNIQUE constraint.
    pub unique: bool,
    /// Default the schema declares.
    pub default: Option<DefaultValue>,
}

/// A column default in the schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A boolean literal.
    Bool(bool),
    /// A text literal (quoted by the schema builder).
    Text(&'static str),
    /// A SQL expression written as is, e.g. `CURRENT_TIMESTAMP`.
    Sql(&'static str),
}

/// A foreign key: a column that references another model's primary key.
#[derive(Debug)]
pub struct ForeignKeyMeta {
    /// The referencing column.
    pub column: &'static str,
    /// The referenced model (a function: statics cannot call `meta()`).
    pub target: fn() -> &'static ModelMeta,
    /// `on_delete = "cascade"` or `"set_null"`; `None` refuses the delete.
    pub on_delete: Option<crate::schema::ReferentialAction>,
    /// `on_update = ...`, likewise.
    pub on_update: Option<crate::schema::ReferentialAction>,
}

/// A named CHECK constraint: rows must meet `condition` (SQL).
#[derive(Debug)]
pub struct CheckMeta {
    /// Constraint name.
    pub name: &'static str,
    /// The condition, in SQL.
    pub condition: &'static str,
}

/// An index over one or more columns.
#[derive(Debug)]
pub struct IndexMeta {
    /// Index name.
    pub name: &'static str,
    /// Column names in order.
    pub columns: &'static [&'static str],
    /// A UNIQUE index.
    pub unique: bool,
    /// The condition of a partial index (`where = "..."`).
    pub where_clause: Option<&'static str>,
}

/// Per-model cache of the SQL of the fixed-shape statements (get, insert,
/// update, delete), one per backend, built once.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct ModelSql {
    slots: [[OnceLock<Arc<str>>; Backend::COUNT]; ModelStatement::COUNT],
}

/// The fixed-shape statements cached per model.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum ModelStatement {
    Get,
    Insert,
    Update,
    Delete,
}

impl ModelStatement {
    const COUNT: usize = 4;
}

impl ModelSql {
    /// An empty cache (const, so the derive can put it in a `static`).
    pub const fn new() -> Self {
        ModelSql { slots: [const { [const { OnceLock::new() }; Backend::COUNT] }; ModelStatement::COUNT] }
    }

    pub(crate) fn get_or_build(
        &self,
        statement: ModelStatement,
        backend: Backend,
        build: impl FnOnce() -> String,
    ) -> &Arc<str> {
        self.slots[statement as usize][backend as usize].get_or_init(|| Arc::from(build()))
    }
}

impl Error {
    pub(crate) fn not_found<M: Model>(key: Option<&M::Key>) -> Self {
        Error::NotFound { model: M::meta().name, key: key.map(|k| format!("{k:?}")) }
    }
}

/// A model on the nullable side of a LEFT JOIN: `None` when the row's key
/// is NULL. What the derive's `FromRow::from_row_optional` calls.
#[doc(hidden)]
pub fn optional_model<M: Model, R: RowReader>(row: &mut R) -> Result<Option<M>> {
    let meta = M::meta();
    if row.is_null(meta.key_offset()) {
        row.skip(meta.columns.len());
        Ok(None)
    } else {
        M::from_row(row).map(Some)
    }
}

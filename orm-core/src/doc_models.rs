//! A model written out by hand, exactly as `#[derive(Model)]` would generate
//! it, for this crate's examples and tests (the derive lives in the `ormlet`
//! facade). In application code, write:
//!
//! ```ignore
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[ormlet(table = "users")]
//! pub struct User {
//!     #[ormlet(primary_key)]
//!     pub id: Auto<i64>,
//!     #[ormlet(unique)]
//!     pub email: String,
//!     #[ormlet(index)]
//!     pub name: String,
//!     pub age: Option<i32>,
//! }
//! ```

use crate::__private::*;

/// A user: an `Auto` key, a unique email, an indexed name, a nullable age.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Generated key.
    pub id: Auto<i64>,
    /// Unique.
    pub email: String,
    /// Indexed.
    pub name: String,
    /// NULL allowed.
    pub age: Option<i32>,
}

#[allow(missing_docs)]
impl User {
    pub const ID: Column<User, i64> = Column::new("users", "id");
    pub const EMAIL: Column<User, String> = Column::new("users", "email");
    pub const NAME: Column<User, String> = Column::new("users", "name");
    pub const AGE: Column<User, Option<i32>> = Column::new("users", "age");
}

impl Model for User {
    type Key = i64;

    fn meta() -> &'static ModelMeta {
        static META: ModelMeta = ModelMeta {
            name: "User",
            table: "users",
            columns: &[
                ColumnMeta {
                    name: "id",
                    field: "id",
                    sql_type: <Auto<i64> as FieldType>::SQL_TYPE,
                    nullable: <Auto<i64> as FieldType>::NULLABLE,
                    primary_key: true,
                    auto_increment: true,
                    unique: false,
                    default: None,
                },
                ColumnMeta {
                    name: "email",
                    field: "email",
                    sql_type: <String as FieldType>::SQL_TYPE,
                    nullable: <String as FieldType>::NULLABLE,
                    primary_key: false,
                    auto_increment: false,
                    unique: true,
                    default: None,
                },
                ColumnMeta {
                    name: "name",
                    field: "name",
                    sql_type: <String as FieldType>::SQL_TYPE,
                    nullable: <String as FieldType>::NULLABLE,
                    primary_key: false,
                    auto_increment: false,
                    unique: false,
                    default: None,
                },
                ColumnMeta {
                    name: "age",
                    field: "age",
                    sql_type: <Option<i32> as FieldType>::SQL_TYPE,
                    nullable: <Option<i32> as FieldType>::NULLABLE,
                    primary_key: false,
                    auto_increment: false,
                    unique: false,
                    default: None,
                },
            ],
            indexes: &[IndexMeta { name: "idx_users_name", columns: &["name"], unique: false }],
        };
        &META
    }

    fn __sql_cache() -> &'static ModelSql {
        static SQL: ModelSql = ModelSql::new();
        &SQL
    }

    fn __bind_insert<B: Binder>(&self, b: &mut B) -> Result<()> {
        b.bind(&self.email, "email")?;
        b.bind(&self.name, "name")?;
        b.bind(&self.age, "age")
    }

    fn __bind_update<B: Binder>(&self, b: &mut B) -> Result<()> {
        b.bind(&self.email, "email")?;
        b.bind(&self.name, "name")?;
        b.bind(&self.age, "age")
    }

    fn __key(&self, operation: &'static str) -> Result<i64> {
        auto_key(&self.id, "User", operation)
    }

    fn __set_generated_key(&mut self, key: i64) -> Result<()> {
        self.id = generated_key(key, "User", "id")?;
        Ok(())
    }
}

impl FromRow for User {
    #[inline]
    fn from_row<R: RowReader>(row: &mut R) -> Result<Self> {
        Ok(User {
            id: row.read("User", "id")?,
            email: row.read("User", "email")?,
            name: row.read("User", "name")?,
            age: row.read("User", "age")?,
        })
    }
}

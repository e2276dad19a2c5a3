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
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[ormlet(table = "posts")]
//! pub struct Post {
//!     #[ormlet(primary_key)]
//!     pub id: Auto<i64>,
//!     #[ormlet(belongs_to = User)]
//!     pub author_id: i64,
//!     pub title: String,
//! }
//! ```
//!
//! with `#[ormlet(has_many(posts = Post))]` on `User`.

use crate::__private::*;

/// A user: an `Auto` key, a unique email, an indexed name, a nullable age.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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
    /// The user's posts.
    pub const POSTS: HasMany<Post, 1> = HasMany::new("User::POSTS");
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
            indexes: &[IndexMeta { name: "idx_users_name", columns: &["name"], unique: false, where_clause: None }],
            foreign_keys: &[],
            checks: &[],
            renamed_columns: &[],
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

    fn from_row_optional<R: RowReader>(row: &mut R) -> Result<Option<Self>> {
        crate::model::optional_model(row)
    }
}

/// A post: an `Auto` key, a `belongs_to = User` foreign key, a title.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Post {
    /// Generated key.
    pub id: Auto<i64>,
    /// References `users.id`.
    pub author_id: i64,
    /// Title.
    pub title: String,
}

#[allow(missing_docs)]
impl Post {
    pub const ID: Column<Post, i64> = Column::new("posts", "id");
    pub const AUTHOR_ID: Column<Post, i64> = Column::new("posts", "author_id");
    pub const TITLE: Column<Post, String> = Column::new("posts", "title");
    /// The post's author.
    pub const AUTHOR: BelongsTo<Post, 1> = BelongsTo::new();
}

impl BelongsToField<1> for Post {
    type Target = User;
    type Fk = i64;
    const NAME: &'static str = "Post::AUTHOR";
    const COLUMN: &'static str = "author_id";
    fn fk(&self) -> &i64 {
        &self.author_id
    }
}

impl ForeignKeyTo<User> for Post {
    const FIELD: usize = 1;
}

const fn column(name: &'static str, sql_type: SqlType, primary_key: bool) -> ColumnMeta {
    ColumnMeta {
        name,
        field: name,
        sql_type,
        nullable: false,
        primary_key,
        auto_increment: primary_key,
        unique: false,
        default: None,
    }
}

impl Model for Post {
    type Key = i64;

    fn meta() -> &'static ModelMeta {
        static META: ModelMeta = ModelMeta {
            name: "Post",
            table: "posts",
            columns: &[
                column("id", SqlType::BigInt, true),
                column("author_id", SqlType::BigInt, false),
                column("title", SqlType::Text, false),
            ],
            indexes: &[],
            foreign_keys: &[ForeignKeyMeta {
                column: "author_id",
                target: <User as Model>::meta,
                on_delete: None,
                on_update: None,
            }],
            checks: &[],
            renamed_columns: &[],
        };
        &META
    }

    fn __sql_cache() -> &'static ModelSql {
        static SQL: ModelSql = ModelSql::new();
        &SQL
    }

    fn __bind_insert<B: Binder>(&self, b: &mut B) -> Result<()> {
        b.bind(&self.author_id, "author_id")?;
        b.bind(&self.title, "title")
    }

    fn __bind_update<B: Binder>(&self, b: &mut B) -> Result<()> {
        self.__bind_insert(b)
    }

    fn __key(&self, operation: &'static str) -> Result<i64> {
        auto_key(&self.id, "Post", operation)
    }

    fn __set_generated_key(&mut self, key: i64) -> Result<()> {
        self.id = generated_key(key, "Post", "id")?;
        Ok(())
    }
}

impl FromRow for Post {
    #[inline]
    fn from_row<R: RowReader>(row: &mut R) -> Result<Self> {
        Ok(Post {
            id: row.read("Post", "id")?,
            author_id: row.read("Post", "author_id")?,
            title: row.read("Post", "title")?,
        })
    }

    fn from_row_optional<R: RowReader>(row: &mut R) -> Result<Option<Self>> {
        crate::model::optional_model(row)
    }
}

/// What a condition on `User` renders as after `WHERE`, on SQLite,
/// PostgreSQL and MySQL in that order: the examples' way to show the SQL of
/// one method on all three backends.
pub fn where_sql(condition: crate::Expr<User>) -> [String; 3] {
    use crate::ModelExt;
    let q = User::find().filter(condition);
    [crate::Backend::Sqlite, crate::Backend::Postgres, crate::Backend::MySql].map(|b| {
        let sql = q.to_sql(b).0;
        sql.split_once(" WHERE ").map(|(_, condition)| condition.to_owned()).unwrap_or(sql)
    })
}

/// What a selection of `User` columns or aggregates renders as between
/// `SELECT` and `FROM`, on SQLite, PostgreSQL and MySQL in that order.
pub fn select_sql<C: crate::query::Selection<User, I>, I>(columns: C) -> [String; 3] {
    use crate::ModelExt;
    let q = User::find().select(columns);
    [crate::Backend::Sqlite, crate::Backend::Postgres, crate::Backend::MySql].map(|b| {
        let sql = q.to_sql(b).0;
        let projection = sql.strip_prefix("SELECT ").unwrap_or(&sql);
        projection.split_once(" FROM ").map_or(projection, |(p, _)| p).to_owned()
    })
}

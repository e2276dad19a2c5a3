//! Schema from models: `CREATE TABLE` and `CREATE INDEX` for each backend.

use sea_query::{ColumnDef, Expr, ForeignKey, Index, IndexCreateStatement, Table, TableCreateStatement};

use crate::backend::{Backend, with_builder};
use crate::model::{ColumnMeta, DefaultValue, Model, ModelMeta};
use crate::types::SqlType;

/// The `CREATE TABLE IF NOT EXISTS` of a model: columns, NOT NULL, defaults,
/// primary key (single or composite), single-column UNIQUE.
///
/// ```
/// use ormlet_core::schema::create_table;
/// use ormlet_core::Backend;
/// # use ormlet_core::doc_models::User;
/// let sql = ormlet_core::schema::table_sql::<User>(Backend::Sqlite);
/// assert_eq!(
///     sql[0],
///     r#"CREATE TABLE IF NOT EXISTS "users" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "email" text NOT NULL UNIQUE, "name" text NOT NULL, "age" integer NULL )"#
/// );
/// assert_eq!(sql[1], r#"CREATE INDEX IF NOT EXISTS "idx_users_name" ON "users" ("name")"#);
/// ```
pub fn create_table<M: Model>() -> TableCreateStatement {
    table_statement(M::meta(), Backend::Postgres)
}

/// The `CREATE INDEX IF NOT EXISTS` statements of a model.
pub fn create_indexes<M: Model>() -> Vec<IndexCreateStatement> {
    index_statements(M::meta())
}

/// The table and index statements of a model, rendered for `backend`.
pub fn table_sql<M: Model>(backend: Backend) -> Vec<String> {
    let meta = M::meta();
    let mut out = vec![with_builder!(backend, |b| table_statement(meta, backend).to_string(b))];
    out.extend(index_statements(meta).iter().map(|i| with_builder!(backend, |b| i.to_string(b))));
    out
}

fn table_statement(meta: &ModelMeta, backend: Backend) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(meta.table).if_not_exists();
    let composite = meta.primary_key().count() > 1;
    for c in meta.columns {
        t.col(column_def(c, composite, keyed(meta, c), backend));
    }
    if composite {
        let mut pk = Index::create();
        for c in meta.primary_key() {
            pk.col(c.name);
        }
        t.primary_key(&mut pk);
    }
    for fk in meta.foreign_keys {
        let target = (fk.target)();
        let key = target.primary_key().next().map_or("id", |c| c.name);
        t.foreign_key(
            ForeignKey::create()
                .name(format!("fk_{}_{}", meta.table, fk.column))
                .from(meta.table, fk.column)
                .to(target.table, key),
        );
    }
    t.to_owned()
}

/// Whether an index or key covers the column (MySQL cannot index unbounded text).
fn keyed(meta: &ModelMeta, c: &ColumnMeta) -> bool {
    c.primary_key
        || c.unique
        || meta.indexes.iter().any(|i| i.columns.contains(&c.name))
        || meta.foreign_keys.iter().any(|f| f.column == c.name)
}

fn column_def(c: &ColumnMeta, composite_key: bool, keyed: bool, backend: Backend) -> ColumnDef {
    let mut d = ColumnDef::new(c.name);
    // SQLite only auto-increments a column declared exactly `INTEGER PRIMARY KEY`.
    let sql_type = if c.auto_increment && backend == Backend::Sqlite { SqlType::Integer } else { c.sql_type };
    match sql_type {
        SqlType::TinyInt => d.tiny_integer(),
        SqlType::SmallInt => d.small_integer(),
        SqlType::Integer => d.integer(),
        SqlType::BigInt => d.big_integer(),
        SqlType::Float => d.float(),
        SqlType::Double => d.double(),
        SqlType::Boolean => d.boolean(),
        // MySQL's TEXT and BLOB hold 64 KiB, and keys need a bounded length.
        SqlType::Text if backend == Backend::MySql && keyed => d.string_len(255),
        SqlType::Text if backend == Backend::MySql => d.custom("longtext"),
        SqlType::Text => d.text(),
        SqlType::Blob if backend == Backend::MySql && keyed => d.custom("varbinary(255)"),
        SqlType::Blob if backend == Backend::MySql => d.custom("longblob"),
        SqlType::Blob => d.blob(),
        SqlType::Date => d.date(),
        // MySQL keeps no fractions of a second unless asked; its TIMESTAMP ends in 2038.
        SqlType::Time if backend == Backend::MySql => d.custom("time(6)"),
        SqlType::Time => d.time(),
        SqlType::DateTime | SqlType::TimestampTz if backend == Backend::MySql => d.custom("datetime(6)"),
        SqlType::DateTime => d.date_time(),
        SqlType::TimestampTz => d.timestamp_with_time_zone(),
        SqlType::Uuid => d.uuid(),
        SqlType::Json => d.json(),
    };
    if c.nullable {
        d.null();
    } else {
        d.not_null();
    }
    if c.primary_key && !composite_key {
        d.primary_key();
    }
    if c.auto_increment {
        d.auto_increment();
    }
    if c.unique {
        d.unique_key();
    }
    if let Some(default) = c.default {
        match default {
            DefaultValue::Int(i) => d.default(i),
            DefaultValue::Float(f) => d.default(f),
            DefaultValue::Bool(b) => d.default(b),
            DefaultValue::Text(s) => d.default(s),
            DefaultValue::Sql(s) => d.default(Expr::cust(s)),
        };
    }
    d
}

fn index_statements(meta: &ModelMeta) -> Vec<IndexCreateStatement> {
    meta.indexes
        .iter()
        .map(|i| {
            let mut s = Index::create();
            s.name(i.name).table(meta.table).if_not_exists();
            for c in i.columns {
                s.col(*c);
            }
            if i.unique {
                s.unique();
            }
            s.to_owned()
        })
        .collect()
}

//! Schema from models: `CREATE TABLE` and `CREATE INDEX` for each backend.
//!
//! Models and the migration diff share one renderer, which works on a
//! [`TableSpec`]: what `create_table` declares is what `migrate diff` expects.

use sea_query::{ColumnDef, Expr, ForeignKey, Index, IndexCreateStatement, Table, TableCreateStatement};

use crate::backend::Backend;
pub(crate) mod declared;
mod spec;

pub use spec::{CheckSpec, ColumnSpec, ForeignKeySpec, IndexSpec, ReferentialAction, Renamed, TableSpec};

use crate::model::Model;
use declared::{ColumnKind, column_kind, keyed};

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
    table_statement(&TableSpec::of(M::meta()), Backend::Postgres)
}

/// The `CREATE INDEX IF NOT EXISTS` statements of a model, with names
/// escaped for `"`-quoting backends (SQLite, PostgreSQL).
pub fn create_indexes<M: Model>() -> Vec<IndexCreateStatement> {
    let spec = TableSpec::of(M::meta());
    spec.indexes.iter().map(|i| index_statement(&spec.name, i, Backend::Postgres)).collect()
}

/// The table and index statements of a model, rendered for `backend`.
pub fn table_sql<M: Model>(backend: Backend) -> Vec<String> {
    spec_sql(&TableSpec::of(M::meta()), backend)
}

/// The table and index statements of `table`, rendered for `backend`.
pub(crate) fn spec_sql(table: &TableSpec, backend: Backend) -> Vec<String> {
    let mut out = vec![backend.render(&table_statement(table, backend))];
    out.extend(table.indexes.iter().map(|i| backend.render(&index_statement(&table.name, i, backend))));
    out
}

pub(crate) fn table_statement(table: &TableSpec, backend: Backend) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(table.name.clone()).if_not_exists();
    let composite = table.columns.iter().filter(|c| c.primary_key).count() > 1;
    for c in &table.columns {
        t.col(column_def(table, c, composite, backend));
    }
    if composite {
        let mut pk = Index::create();
        for c in table.columns.iter().filter(|c| c.primary_key) {
            pk.col(c.name.clone());
        }
        t.primary_key(&mut pk);
    }
    for fk in &table.foreign_keys {
        t.foreign_key(&mut foreign_key(&table.name, fk, backend));
    }
    for c in &table.checks {
        // Written by the model's author, as a `default_sql` is.
        t.check(sea_query::Check::named(backend.dialect().escape_ident(&c.name), Expr::cust(c.condition.clone())));
    }
    t.to_owned()
}

/// The name ormlet gives a foreign key, which the diff drops it by.
pub(crate) fn foreign_key_name(table: &str, column: &str) -> String {
    format!("fk_{table}_{column}")
}

/// A foreign key, its name escaped for `backend` (sea-query writes it as given).
pub(crate) fn foreign_key(table: &str, fk: &ForeignKeySpec, backend: Backend) -> sea_query::ForeignKeyCreateStatement {
    let mut key = ForeignKey::create();
    key.name(backend.dialect().escape_ident(&foreign_key_name(table, &fk.column)))
        .from(table.to_owned(), fk.column.clone())
        .to(fk.references_table.clone(), fk.references_column.clone());
    if let Some(action) = fk.on_delete {
        key.on_delete(action.sea());
    }
    if let Some(action) = fk.on_update {
        key.on_update(action.sea());
    }
    key
}

/// A column's definition. `composite_key` leaves PRIMARY KEY to the table.
pub(crate) fn column_def(table: &TableSpec, c: &ColumnSpec, composite_key: bool, backend: Backend) -> ColumnDef {
    let mut d = restated_column(table, c, backend);
    if c.primary_key && !composite_key {
        d.primary_key();
    }
    if c.unique {
        d.unique_key();
    }
    d
}

/// A column's type, NULL, default and auto-increment, without its keys:
/// what MySQL's `MODIFY COLUMN` restates.
pub(crate) fn restated_column(table: &TableSpec, c: &ColumnSpec, backend: Backend) -> ColumnDef {
    let mut d = ColumnDef::new(c.name.clone());
    match column_kind(c, backend) {
        ColumnKind::Model(ty) => backend.dialect().column_type(&mut d, ty, c.auto_increment, keyed(table, c)),
        ColumnKind::Declared(ty) => {
            d.custom(ty);
        }
    }
    if c.nullable {
        d.null();
    } else {
        d.not_null();
    }
    if c.auto_increment {
        d.auto_increment();
    }
    if let Some(default) = &c.default {
        d.default(Expr::cust(default.clone()));
    }
    d
}

/// An index, its name escaped for `backend` (sea-query writes it as given).
pub(crate) fn index_statement(table: &str, i: &IndexSpec, backend: Backend) -> IndexCreateStatement {
    let mut s = Index::create();
    s.name(backend.dialect().escape_ident(&i.name)).table(table.to_owned()).if_not_exists();
    for c in &i.columns {
        s.col(c.clone());
    }
    if i.unique {
        s.unique();
    }
    if let Some(condition) = &i.where_clause {
        // Written by the model's author, as a `default_sql` is.
        sea_query::ConditionalStatement::and_where(&mut s, Expr::cust(condition.clone()));
    }
    s.to_owned()
}

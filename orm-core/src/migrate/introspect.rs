//! Reading a live database's schema into a [`Snapshot`], so it can be
//! compared with what the models describe. SQLite for now.
//!
//! Column types are the backend's declared ones (`bigint`, `text`); the
//! comparison maps a model's type to what the backend would declare.

use super::snapshot::{ColumnSpec, ForeignKeySpec, IndexSpec, SNAPSHOT_VERSION, Snapshot, TableSpec};
use crate::any::AnyDb;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::executor::{Executor, ExecutorExt};

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables of the database (ormlet's own record table left out).
pub async fn introspect(db: &AnyDb) -> Result<Snapshot> {
    match db.backend() {
        Backend::Sqlite => sqlite(db).await,
        other => {
            Err(Error::Unsupported { backend: other.name(), feature: "reading the live schema (SQLite only so far)" })
        }
    }
}

async fn sqlite(db: &AnyDb) -> Result<Snapshot> {
    let names: Vec<(String, String)> = db
        .raw(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> 'ormlet_migrations' ORDER BY name",
            vec![],
        )
        .all()
        .await?;
    let mut tables = Vec::new();
    for (table, create_sql) in names {
        let q = quote(&table);
        // cid, name, type, notnull, dflt_value, pk
        let cols: Vec<(i64, String, String, i64, Option<String>, i64)> =
            db.raw(format!("PRAGMA table_info({q})"), vec![]).all().await?;
        // seq, name, unique, origin, partial
        let idx: Vec<(i64, String, i64, String, i64)> = db.raw(format!("PRAGMA index_list({q})"), vec![]).all().await?;
        let mut indexes = Vec::new();
        let mut unique_columns = Vec::new();
        for (_, name, unique, origin, _) in &idx {
            // seqno, cid, name
            let on: Vec<(i64, i64, Option<String>)> =
                db.raw(format!("PRAGMA index_info({})", quote(name)), vec![]).all().await?;
            let columns: Vec<String> = on.into_iter().filter_map(|(_, _, c)| c).collect();
            match origin.as_str() {
                "u" if columns.len() == 1 => unique_columns.push(columns[0].clone()),
                "pk" => {}
                _ => indexes.push(IndexSpec { name: name.clone(), columns, unique: *unique != 0 }),
            }
        }
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        let fks: Vec<(String, String, Option<String>)> = db
            .raw(
                "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq",
                crate::params![table.clone()],
            )
            .all()
            .await?;
        let autoincrement = create_sql.to_ascii_uppercase().contains("AUTOINCREMENT");
        let pk_count = cols.iter().filter(|c| c.5 > 0).count();
        let columns = cols
            .into_iter()
            .map(|(_, name, ty, notnull, default, pk)| ColumnSpec {
                unique: unique_columns.contains(&name),
                name,
                sql_type: ty.to_ascii_lowercase(),
                nullable: notnull == 0 && pk == 0,
                primary_key: pk > 0,
                auto_increment: pk > 0 && pk_count == 1 && autoincrement,
                default,
            })
            .collect();
        let foreign_keys = fks
            .into_iter()
            .map(|(references_table, column, to)| ForeignKeySpec {
                column,
                references_table,
                references_column: to.unwrap_or_else(|| "id".into()),
            })
            .collect();
        tables.push(TableSpec { name: table, columns, indexes, foreign_keys });
    }
    Ok(Snapshot { version: SNAPSHOT_VERSION, tables })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_models::{Post, User};
    use crate::migrate::Snapshot;

    /// What a live table and a model's table agree on, types aside.
    fn shape(t: &TableSpec) -> impl PartialEq + std::fmt::Debug {
        let cols: Vec<(String, bool, bool, bool, bool)> =
            t.columns.iter().map(|c| (c.name.clone(), c.nullable, c.primary_key, c.auto_increment, c.unique)).collect();
        (t.name.clone(), cols, t.indexes.clone(), t.foreign_keys.clone())
    }

    #[tokio::test]
    async fn a_created_schema_reads_back_as_its_models_describe_it() {
        let db = AnyDb::connect("sqlite::memory:").await.unwrap();
        db.create_table::<User>().await.unwrap();
        db.create_table::<Post>().await.unwrap();
        let live = introspect(&db).await.unwrap();
        let models = Snapshot::of::<(Post, User)>();
        assert_eq!(live.tables.len(), 2);
        for (l, m) in live.tables.iter().zip(&models.tables) {
            assert_eq!(shape(l), shape(m));
        }
        let users = live.table("users").unwrap();
        assert_eq!(users.columns[1].sql_type, "text");
        assert!(live.table("ormlet_migrations").is_none());
    }
}

//! Reading a live database's schema into a [`Snapshot`], so it can be
//! compared with what the models describe: SQLite through its pragmas,
//! PostgreSQL through `pg_catalog`, MySQL through `information_schema`.
//!
//! Column types are the backend's declared ones (`bigint`, `text`); the
//! comparison maps a model's type to what the backend would declare.

use super::snapshot::{SNAPSHOT_VERSION, Snapshot};
use crate::any::AnyDb;
use crate::backend::Backend;
use crate::dialect::{Dialect, Sqlite};
use crate::error::Result;
use crate::executor::{Executor, ExecutorExt};
use crate::schema::{CheckSpec, ColumnSpec, ForeignKeySpec, IndexSpec, ReferentialAction, TableSpec};

/// The tables of the database (ormlet's own record table left out).
pub async fn introspect(db: &AnyDb) -> Result<Snapshot> {
    match db.backend() {
        Backend::Sqlite => sqlite(db).await,
        Backend::Postgres => postgres(db).await,
        Backend::MySql => mysql(db).await,
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
        let q = Sqlite.quote_ident(&table);
        // cid, name, type, notnull, dflt_value, pk
        let cols: Vec<(i64, String, String, i64, Option<String>, i64)> =
            db.raw(format!("PRAGMA table_info({q})"), vec![]).all().await?;
        // seq, name, unique, origin, partial
        let idx: Vec<(i64, String, i64, String, i64)> = db.raw(format!("PRAGMA index_list({q})"), vec![]).all().await?;
        let mut indexes = Vec::new();
        let mut unique_columns = Vec::new();
        for (_, name, unique, origin, partial) in &idx {
            // seqno, cid, name
            let on: Vec<(i64, i64, Option<String>)> =
                db.raw(format!("PRAGMA index_info({})", Sqlite.quote_ident(name)), vec![]).all().await?;
            let columns: Vec<String> = on.into_iter().filter_map(|(_, _, c)| c).collect();
            match origin.as_str() {
                "u" if columns.len() == 1 => unique_columns.push(columns[0].clone()),
                "pk" => {}
                _ => {
                    let where_clause = if *partial != 0 { sqlite_index_condition(db, name).await? } else { None };
                    indexes.push(IndexSpec { name: name.clone(), columns, unique: *unique != 0, where_clause })
                }
            }
        }
        let fks: Vec<(String, String, Option<String>, String, String)> = db
            .raw(
                "SELECT \"table\", \"from\", \"to\", on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq",
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
            .map(|(references_table, column, to, on_delete, on_update)| ForeignKeySpec {
                column,
                references_table,
                references_column: to.unwrap_or_else(|| "id".into()),
                on_delete: ReferentialAction::from_sql(&on_delete),
                on_update: ReferentialAction::from_sql(&on_update),
            })
            .collect();
        let checks = sqlite_checks(&create_sql);
        tables.push(TableSpec { name: table, columns, indexes, foreign_keys, checks, renamed: Vec::new() }.canonical());
    }
    Ok(Snapshot { version: SNAPSHOT_VERSION, tables })
}

/// The named CHECK constraints in a table's `CREATE TABLE` text:
/// `CONSTRAINT name CHECK (condition)`.
fn sqlite_checks(create_sql: &str) -> Vec<CheckSpec> {
    let mut out = Vec::new();
    let upper = create_sql.to_ascii_uppercase();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CONSTRAINT") {
        let start = from + at + "CONSTRAINT".len();
        from = start;
        let rest = create_sql[start..].trim_start();
        // The name: quoted (with "" for a quote) or a bare word.
        let (name, after) = match rest.strip_prefix('"') {
            Some(quoted) => {
                let mut name = String::new();
                let mut chars = quoted.char_indices().peekable();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    if c == '"' {
                        if chars.peek().is_some_and(|(_, n)| *n == '"') {
                            chars.next();
                            name.push('"');
                            continue;
                        }
                        end = i + 1;
                        break;
                    }
                    name.push(c);
                }
                (name, &quoted[end..])
            }
            None => {
                let end = rest.find(|c: char| c.is_whitespace() || c == '(').unwrap_or(rest.len());
                (rest[..end].to_owned(), &rest[end..])
            }
        };
        let after = after.trim_start();
        if !after.to_ascii_uppercase().starts_with("CHECK") {
            continue;
        }
        let Some(open) = after.find('(') else { continue };
        // The condition: to the parenthesis that closes the first, outside quotes.
        let (mut depth, mut quote, mut close) = (0usize, None, None);
        for (i, c) in after[open..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"' | '`') => quote = Some(c),
                (None, '(') => depth += 1,
                (None, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        if let Some(close) = close {
            out.push(CheckSpec { name, condition: after[open + 1..close].trim().to_owned() });
        }
    }
    out
}

/// A partial index's condition, from the SQL that created it.
async fn sqlite_index_condition(db: &AnyDb, index: &str) -> Result<Option<String>> {
    let sql: Option<String> = db
        .raw("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", crate::params![index.to_owned()])
        .one()
        .await?;
    Ok(sql.and_then(|sql| {
        let upper = sql.to_ascii_uppercase();
        upper.rfind(" WHERE ").map(|at| sql[at + " WHERE ".len()..].trim().to_owned())
    }))
}

/// Index rows (index, unique, column) grouped into indexes, in order; a
/// single-column unique index that `is_constraint` says backs a column's
/// UNIQUE becomes that column's `unique` flag instead.
fn group_indexes(
    rows: Vec<(String, bool, String)>,
    is_constraint: impl Fn(&str, &[String]) -> bool,
) -> (Vec<IndexSpec>, Vec<String>) {
    let mut indexes: Vec<IndexSpec> = Vec::new();
    for (name, unique, column) in rows {
        match indexes.last_mut() {
            Some(last) if last.name == name => last.columns.push(column),
            _ => indexes.push(IndexSpec { name, columns: vec![column], unique, where_clause: None }),
        }
    }
    let mut unique_columns = Vec::new();
    indexes.retain(|i| {
        if i.unique && i.columns.len() == 1 && is_constraint(&i.name, &i.columns) {
            unique_columns.push(i.columns[0].clone());
            false
        } else {
            true
        }
    });
    (indexes, unique_columns)
}

type PgColumn = (String, String, String, Option<String>, String);

async fn postgres(db: &AnyDb) -> Result<Snapshot> {
    let names: Vec<String> = db
        .raw(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name <> 'ormlet_migrations' ORDER BY 1",
            vec![],
        )
        .all()
        .await?;
    let mut tables = Vec::new();
    for table in names {
        let p = || crate::params![table.clone()];
        let cols: Vec<PgColumn> = db
            .raw(
                "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text, is_identity::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
                p(),
            )
            .all()
            .await?;
        let pk: Vec<String> = db
            .raw(
                "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid \
                 AND a.attnum = ANY(i.indkey) WHERE i.indrelid = quote_ident($1)::regclass AND i.indisprimary",
                p(),
            )
            .all()
            .await?;
        let rows: Vec<(String, bool, String, bool)> = db
            .raw(
                "SELECT ic.relname::text, ix.indisunique, a.attname::text, con.oid IS NOT NULL \
                 FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid \
                 JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) ON true \
                 JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum \
                 LEFT JOIN pg_constraint con ON con.conindid = ix.indexrelid AND con.contype = 'u' \
                 WHERE ix.indrelid = quote_ident($1)::regclass AND NOT ix.indisprimary ORDER BY ic.relname, k.n",
                p(),
            )
            .all()
            .await?;
        let constraints: Vec<String> = rows.iter().filter(|r| r.3).map(|r| r.0.clone()).collect();
        let rows = rows.into_iter().map(|(n, u, c, _)| (n, u, c)).collect();
        let (mut indexes, unique_columns) = group_indexes(rows, |name, _| constraints.iter().any(|c| c == name));
        let conditions: Vec<(String, String)> = db
            .raw(
                "SELECT ic.relname::text, pg_get_expr(ix.indpred, ix.indrelid) FROM pg_index ix \
                 JOIN pg_class ic ON ic.oid = ix.indexrelid \
                 WHERE ix.indrelid = quote_ident($1)::regclass AND ix.indpred IS NOT NULL",
                p(),
            )
            .all()
            .await?;
        for (name, condition) in conditions {
            if let Some(i) = indexes.iter_mut().find(|i| i.name == name) {
                i.where_clause = Some(condition);
            }
        }
        let fks: Vec<(String, String, String, String, String)> = db
            .raw(
                "SELECT a.attname::text, cf.relname::text, af.attname::text, \
                 CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE '' END, \
                 CASE c.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' ELSE '' END FROM pg_constraint c \
                 JOIN pg_class cf ON cf.oid = c.confrelid \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                 JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] \
                 WHERE c.conrelid = quote_ident($1)::regclass AND c.contype = 'f' ORDER BY c.conname",
                p(),
            )
            .all()
            .await?;
        let columns = cols
            .into_iter()
            .map(|(name, ty, nullable, default, identity)| ColumnSpec {
                unique: unique_columns.contains(&name),
                primary_key: pk.contains(&name),
                auto_increment: identity == "YES" || default.as_deref().is_some_and(|d| d.starts_with("nextval(")),
                nullable: nullable == "YES",
                sql_type: ty,
                default: default.filter(|d| !d.starts_with("nextval(")),
                name,
            })
            .collect();
        let foreign_keys = fks
            .into_iter()
            .map(|(column, references_table, references_column, on_delete, on_update)| ForeignKeySpec {
                column,
                references_table,
                references_column,
                on_delete: ReferentialAction::from_sql(&on_delete),
                on_update: ReferentialAction::from_sql(&on_update),
            })
            .collect();
        let checks: Vec<(String, String)> = db
            .raw(
                "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = quote_ident($1)::regclass AND contype = 'c' ORDER BY conname",
                p(),
            )
            .all()
            .await?;
        let checks = checks
            .into_iter()
            .map(|(name, def)| CheckSpec {
                name,
                condition: def.strip_prefix("CHECK ").unwrap_or(&def).trim().to_owned(),
            })
            .collect();
        tables.push(TableSpec { name: table, columns, indexes, foreign_keys, checks, renamed: Vec::new() }.canonical());
    }
    Ok(Snapshot { version: SNAPSHOT_VERSION, tables })
}

type MySqlColumn = (String, String, String, Option<String>, String, String);

async fn mysql(db: &AnyDb) -> Result<Snapshot> {
    let names: Vec<String> = db
        .raw(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() \
             AND table_type = 'BASE TABLE' AND table_name <> 'ormlet_migrations' ORDER BY table_name",
            vec![],
        )
        .all()
        .await?;
    let mut tables = Vec::new();
    for table in names {
        let p = || crate::params![table.clone()];
        let cols: Vec<MySqlColumn> = db
            .raw(
                "SELECT column_name, column_type, is_nullable, column_default, column_key, extra \
                 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? \
                 ORDER BY ordinal_position",
                p(),
            )
            .all()
            .await?;
        let fks: Vec<(String, String, String, String, String, String)> = db
            .raw(
                "SELECT k.constraint_name, k.column_name, k.referenced_table_name, k.referenced_column_name, \
                 r.delete_rule, r.update_rule FROM information_schema.key_column_usage k \
                 JOIN information_schema.referential_constraints r ON r.constraint_schema = k.constraint_schema \
                 AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name \
                 WHERE k.table_schema = DATABASE() AND k.table_name = ? \
                 AND k.referenced_table_name IS NOT NULL ORDER BY k.constraint_name, k.ordinal_position",
                p(),
            )
            .all()
            .await?;
        let rows: Vec<(String, i64, String)> = db
            .raw(
                "SELECT index_name, non_unique, column_name FROM information_schema.statistics \
                 WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' \
                 ORDER BY index_name, seq_in_index",
                p(),
            )
            .all()
            .await?;
        // The index MySQL makes for a foreign key carries the constraint's name: not the model's.
        let rows: Vec<(String, bool, String)> = rows
            .into_iter()
            .filter(|(name, _, _)| !fks.iter().any(|f| &f.0 == name))
            .map(|(name, non_unique, column)| (name, non_unique == 0, column))
            .collect();
        // A column's UNIQUE makes an index named after the column.
        let (indexes, unique_columns) = group_indexes(rows, |name, columns| columns[0] == name);
        let columns = cols
            .into_iter()
            .map(|(name, ty, nullable, default, key, extra)| ColumnSpec {
                unique: unique_columns.contains(&name),
                primary_key: key == "PRI",
                auto_increment: extra.to_ascii_lowercase().contains("auto_increment"),
                nullable: nullable == "YES",
                sql_type: ty.to_ascii_lowercase(),
                // MariaDB writes a NULL default as the text NULL.
                default: default.filter(|d| d != "NULL"),
                name,
            })
            .collect();
        let foreign_keys = fks
            .into_iter()
            .map(|(_, column, references_table, references_column, on_delete, on_update)| ForeignKeySpec {
                column,
                references_table,
                references_column,
                on_delete: ReferentialAction::from_sql(&on_delete),
                on_update: ReferentialAction::from_sql(&on_update),
            })
            .collect();
        let checks: Vec<(String, String)> = db
            .raw(
                "SELECT tc.constraint_name, cc.check_clause FROM information_schema.table_constraints tc \
                 JOIN information_schema.check_constraints cc ON cc.constraint_schema = tc.constraint_schema \
                 AND cc.constraint_name = tc.constraint_name \
                 WHERE tc.table_schema = DATABASE() AND tc.table_name = ? AND tc.constraint_type = 'CHECK' \
                 ORDER BY tc.constraint_name",
                p(),
            )
            .all()
            .await?;
        let checks = checks
            .into_iter()
            // MariaDB checks its JSON columns itself.
            .filter(|(_, clause)| !clause.trim_start().to_ascii_lowercase().starts_with("json_valid("))
            .map(|(name, condition)| CheckSpec { name, condition })
            .collect();
        tables.push(TableSpec { name: table, columns, indexes, foreign_keys, checks, renamed: Vec::new() }.canonical());
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

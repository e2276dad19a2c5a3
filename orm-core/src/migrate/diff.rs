//! The statements that take a database from one schema to another: what
//! `ormlet migrate diff` writes into `up.sql` (live → snapshot) and
//! `down.sql` (back).
//!
//! ```
//! use ormlet_core::Backend;
//! use ormlet_core::migrate::{Snapshot, diff};
//! # use ormlet_core::doc_models::{Post, User};
//! let empty = Snapshot::of::<User>();
//! let both = Snapshot::of::<(User, Post)>();
//! let up = diff(&empty, &both, Backend::Postgres)?;
//! assert!(up[0].starts_with(r#"CREATE TABLE IF NOT EXISTS "posts""#));
//! assert_eq!(diff(&both, &empty, Backend::Postgres)?, [r#"DROP TABLE "posts""#]);
//! assert!(diff(&both, &both, Backend::Sqlite)?.is_empty());
//! # Ok::<(), ormlet_core::Error>(())
//! ```
//!
//! What it generates, per table:
//! - tables created (referenced tables first) and dropped (referencing first);
//! - columns added and dropped; type, NULL and default changes (a column made
//!   NOT NULL that has a default gets its NULLs set to it first);
//! - indexes, single-column UNIQUE and foreign keys added and dropped.
//!
//! SQLite alters little in place, so a table with anything but added
//! columns and index changes is rebuilt: created anew, rows copied, the old
//! one dropped and the new one renamed (the migration runs with foreign keys
//! off, and checks them before it commits).
//!
//! A changed primary key or auto-increment is refused: write that
//! migration by hand. Foreign keys and UNIQUE constraints are found by the
//! names ormlet gives them (`fk_<table>_<column>`; PostgreSQL's
//! `<table>_<column>_key`). On MySQL, dropping a foreign key whose column
//! stays also drops the index MySQL made for it, when no other index could
//! serve the key.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sea_query::{ForeignKey, Index, Table};

use super::introspect::introspect;
use super::snapshot::Snapshot;
use crate::any::AnyDb;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::schema::declared::{declared, ident, normalize_default};
use crate::schema::{CheckSpec, ColumnSpec, TableSpec};
use crate::schema::{
    column_def, foreign_key, foreign_key_name, index_statement, restated_column, spec_sql, table_statement,
};
use crate::types::SqlType;

/// The statements for both directions of a migration.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// From the live schema to the snapshot.
    pub up: Vec<String>,
    /// From the snapshot back to the live schema.
    pub down: Vec<String>,
    /// What `up` deletes with its data, one line each (`table posts`,
    /// `column posts.likes`): the tables and columns the snapshot lacks.
    pub losses: Vec<String>,
    /// What the database has and the snapshot does not declare, left as it
    /// is ([`plan_keeping_unknown`]), one line each.
    pub notes: Vec<String>,
}

impl Plan {
    /// The database already matches.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// The plan as an in-memory migration, for [`Migrator::new`](super::Migrator::new).
    pub fn to_migration(&self, version: i64, name: &str) -> super::Migration {
        super::Migration::new(version, name, script("", &self.up), script("", &self.down))
    }

    /// Writes the plan as a new migration in `dir` (see [`write`](super::write)),
    /// each script opening with `header` as a comment; gives the folder.
    pub fn write(&self, dir: &Path, name: &str, header: &str, now: SystemTime) -> Result<PathBuf> {
        super::write(dir, name, now, &script(header, &self.up), &script(header, &self.down))
    }
}

/// A migration script: `header` as comment lines, then each statement.
pub(crate) fn script(header: &str, statements: &[String]) -> String {
    let mut s: String = header.lines().map(|l| format!("-- {l}\n")).collect();
    for st in statements {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(st);
        s.push_str(";\n");
    }
    s
}

/// Compares the live schema of `db` with `target`: [`Plan::up`] brings the
/// database to it, [`Plan::down`] back.
pub async fn plan(db: &AnyDb, target: &Snapshot) -> Result<Plan> {
    let live = introspect(db).await?;
    plan_between(&live, target, db.backend(), Vec::new())
}

/// [`plan`], except that what the database has and `target` does not
/// declare (tables, and indexes of the tables it declares: a hand-made
/// partial index, say) is left as it is, neither dropped by `up` nor made
/// by `down`, and listed in [`Plan::notes`]. What `ormlet migrate diff
/// --from-database` writes unless it is given `--drop`.
pub async fn plan_keeping_unknown(db: &AnyDb, target: &Snapshot) -> Result<Plan> {
    let mut live = introspect(db).await?;
    let notes = leave_undeclared(&mut live, target, true, "the models");
    plan_between(&live, target, db.backend(), notes)
}

fn plan_between(live: &Snapshot, target: &Snapshot, backend: Backend, notes: Vec<String>) -> Result<Plan> {
    Ok(Plan {
        up: diff(live, target, backend)?,
        down: diff(target, live, backend)?,
        losses: losses(live, target),
        notes,
    })
}

/// Takes out of `live` what `declared` does not declare: the indexes of
/// its tables and, with `tables`, whole tables, so a comparison leaves
/// them alone; gives one note for each (`index one_active_loan on loans is
/// not in {source}; left as is`).
pub(crate) fn leave_undeclared(live: &mut Snapshot, declared: &Snapshot, tables: bool, source: &str) -> Vec<String> {
    let mut notes = Vec::new();
    live.tables.retain(|t| {
        let known = declared.table(&t.name).is_some();
        if !known && tables {
            notes.push(format!("table {} is not in {source}; left as is", t.name));
        }
        known || !tables
    });
    for table in &mut live.tables {
        let Some(declared) = declared.table(&table.name) else { continue };
        table.indexes.retain(|i| {
            let known = declared.indexes.iter().any(|d| d.name == i.name);
            if !known {
                notes.push(format!("index {} on {} is not in {source}; left as is", i.name, table.name));
            }
            known
        });
    }
    notes
}

/// The tables and columns of `from` that `to` lacks.
pub(crate) fn losses(from: &Snapshot, to: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for t in &from.tables {
        match to.table(&t.name) {
            None => out.push(format!("table {}", t.name)),
            Some(kept) => {
                // A renamed column keeps its data.
                let (renamed, _) = renames(t, kept);
                out.extend(
                    renamed
                        .columns
                        .iter()
                        .filter(|c| !kept.columns.iter().any(|k| k.name == c.name))
                        .map(|c| format!("column {}.{}", t.name, c.name)),
                )
            }
        }
    }
    out
}

/// The statements that take a database whose schema is `from` to `to`, for
/// `backend`. Either side may come from models ([`Snapshot::of`]) or from a
/// live database ([`introspect`]).
pub fn diff(from: &Snapshot, to: &Snapshot, backend: Backend) -> Result<Vec<String>> {
    // The target's names must fit the backend; the source's are already there.
    for t in &to.tables {
        if from.table(&t.name) != Some(t) {
            t.check_names(backend.dialect())?;
        }
    }
    let mut out = Vec::new();
    let created: Vec<&TableSpec> = to.tables.iter().filter(|t| from.table(&t.name).is_none()).collect();
    for t in dependency_order(created) {
        out.extend(spec_sql(t, backend));
    }
    for t in &to.tables {
        if let Some(old) = from.table(&t.name) {
            let renamed = renames(old, t);
            for (was, now) in &renamed.1 {
                out.push(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    ident(backend, &t.name),
                    ident(backend, was),
                    ident(backend, now)
                ));
            }
            let old = &renamed.0;
            check_keys(old, t)?;
            if backend.dialect().alters_columns() {
                alter_in_place(old, t, backend, &mut out);
            } else {
                rebuild_changed(old, t, backend, &mut out);
            }
        }
    }
    let dropped: Vec<&TableSpec> = from.tables.iter().filter(|t| to.table(&t.name).is_none()).collect();
    for t in dependency_order(dropped).into_iter().rev() {
        out.push(backend.render(&Table::drop().table(t.name.clone()).to_owned()));
    }
    Ok(out)
}

/// The columns to rename between two versions of a table, (old, new), and
/// `from` as it is once they are: a column the models renamed
/// (`renamed_from`) that `from` still has under its old name, going up; one
/// `from` renamed that `to` has under its old name, going down.
pub(crate) fn renames(from: &TableSpec, to: &TableSpec) -> (TableSpec, Vec<(String, String)>) {
    let has = |t: &TableSpec, c: &str| t.columns.iter().any(|x| x.name == c);
    let mut pairs: Vec<(String, String)> = to
        .renamed
        .iter()
        .filter(|r| has(from, &r.from) && !has(from, &r.column) && has(to, &r.column))
        .map(|r| (r.from.clone(), r.column.clone()))
        .collect();
    pairs.extend(
        from.renamed
            .iter()
            .filter(|r| has(from, &r.column) && !has(to, &r.column) && has(to, &r.from) && !has(from, &r.from))
            .map(|r| (r.column.clone(), r.from.clone())),
    );
    let mut after = from.clone();
    for (was, now) in &pairs {
        let rename = |c: &mut String| {
            if c == was {
                c.clone_from(now);
            }
        };
        after.columns.iter_mut().for_each(|c| rename(&mut c.name));
        after.indexes.iter_mut().flat_map(|i| i.columns.iter_mut()).for_each(rename);
        after.foreign_keys.iter_mut().for_each(|f| rename(&mut f.column));
    }
    (after, pairs)
}

/// Tables after the ones they reference (among `tables`), else in order.
fn dependency_order(mut tables: Vec<&TableSpec>) -> Vec<&TableSpec> {
    let mut out: Vec<&TableSpec> = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            t.foreign_keys
                .iter()
                .all(|f| f.references_table == t.name || !tables.iter().any(|o| o.name == f.references_table))
        });
        // A cycle: keep the given order for the rest.
        out.push(tables.remove(ready.unwrap_or(0)));
    }
    out
}

/// The comparison can add and drop columns, not re-key a table.
fn check_keys(from: &TableSpec, to: &TableSpec) -> Result<()> {
    let keys = |t: &TableSpec| -> Vec<(String, bool)> {
        t.columns.iter().filter(|c| c.primary_key).map(|c| (c.name.clone(), c.auto_increment)).collect()
    };
    let (old, new) = (keys(from), keys(to));
    if old == new {
        return Ok(());
    }
    let show = |k: &[(String, bool)]| {
        k.iter().map(|(n, auto)| if *auto { format!("{n} (auto)") } else { n.clone() }).collect::<Vec<_>>().join(", ")
    };
    Err(Error::Migration {
        version: None,
        message: format!(
            "table `{}`: the primary key changes from ({}) to ({}), which diff does not generate; \
             write that migration by hand with `ormlet migrate new`",
            to.name,
            show(&old),
            show(&new)
        ),
    })
}

/// What a column looks like to the comparison, whichever side it came from.
#[derive(PartialEq)]
struct Shape {
    ty: String,
    nullable: bool,
    default: Option<String>,
    unique: bool,
}

fn shape(t: &TableSpec, c: &ColumnSpec, backend: Backend) -> Shape {
    let ty = declared(t, c, backend);
    let boolean = ty == backend.dialect().declared_type(SqlType::Boolean, false, false);
    Shape {
        default: c.default.as_deref().map(|d| normalize_default(backend, d, boolean)),
        nullable: c.nullable && !c.primary_key,
        unique: c.unique,
        ty,
    }
}

/// What changed in one table, by name.
struct Changes<'a> {
    added: Vec<&'a ColumnSpec>,
    dropped: Vec<&'a ColumnSpec>,
    /// (old, new) pairs that differ.
    changed: Vec<(&'a ColumnSpec, &'a ColumnSpec)>,
    indexes_dropped: Vec<&'a super::IndexSpec>,
    indexes_added: Vec<&'a super::IndexSpec>,
    fks_dropped: Vec<&'a super::ForeignKeySpec>,
    fks_added: Vec<&'a super::ForeignKeySpec>,
    checks_dropped: Vec<&'a CheckSpec>,
    checks_added: Vec<&'a CheckSpec>,
}

fn changes<'a>(from: &'a TableSpec, to: &'a TableSpec, backend: Backend) -> Changes<'a> {
    let col = |t: &'a TableSpec, name: &str| t.columns.iter().find(|c| c.name == name);
    Changes {
        added: to.columns.iter().filter(|c| col(from, &c.name).is_none()).collect(),
        dropped: from.columns.iter().filter(|c| col(to, &c.name).is_none()).collect(),
        changed: to
            .columns
            .iter()
            .filter_map(|new| col(from, &new.name).map(|old| (old, new)))
            .filter(|(old, new)| shape(from, old, backend) != shape(to, new, backend))
            .collect(),
        indexes_dropped: from.indexes.iter().filter(|i| !to.indexes.contains(i)).collect(),
        indexes_added: to.indexes.iter().filter(|i| !from.indexes.contains(i)).collect(),
        fks_dropped: from.foreign_keys.iter().filter(|f| !to.foreign_keys.contains(f)).collect(),
        fks_added: to.foreign_keys.iter().filter(|f| !from.foreign_keys.contains(f)).collect(),
        checks_dropped: from.checks.iter().filter(|c| !to.checks.contains(c)).collect(),
        checks_added: to.checks.iter().filter(|c| !from.checks.contains(c)).collect(),
    }
}

/// Sets a column's NULLs to its default before it becomes NOT NULL.
fn fill_nulls(table: &str, old: &ColumnSpec, new: &ColumnSpec, backend: Backend) -> Option<String> {
    let default = new.default.as_deref()?;
    (old.nullable && !new.nullable).then(|| {
        let c = ident(backend, &new.name);
        format!("UPDATE {} SET {c} = {default} WHERE {c} IS NULL", ident(backend, table))
    })
}

/// ALTER TABLE, statement by statement.
fn alter_in_place(from: &TableSpec, to: &TableSpec, backend: Backend, out: &mut Vec<String>) {
    let dialect = backend.dialect();
    let ch = changes(from, to, backend);
    let t = ident(backend, &to.name);
    // A condition may name a column about to change: checks go first, come back last.
    for c in &ch.checks_dropped {
        out.push(format!("ALTER TABLE {t} DROP CONSTRAINT {}", ident(backend, &c.name)));
    }
    for f in &ch.fks_dropped {
        let name = foreign_key_name(&from.name, &f.column);
        let escaped = dialect.escape_ident(&name);
        out.push(backend.render(&ForeignKey::drop().name(escaped).table(from.name.clone()).to_owned()));
        // An index made under the key's name, when no other index could
        // serve it, outlives the key: it goes too when the column stays.
        let kept = to.columns.iter().any(|c| c.name == f.column);
        if dialect.foreign_keys_make_indexes() && kept && !served_by_index(from, &f.column) {
            out.push(format!("DROP INDEX {} ON {t}", ident(backend, &name)));
        }
    }
    for i in &ch.indexes_dropped {
        let escaped = dialect.escape_ident(&i.name);
        out.push(backend.render(&Index::drop().name(escaped).table(from.name.clone()).to_owned()));
    }
    for (old, new) in &ch.changed {
        if old.unique && !new.unique {
            out.push(dialect.drop_unique(&to.name, &old.name));
        }
    }
    for c in &ch.dropped {
        let drop = Table::alter().table(from.name.clone()).drop_column(c.name.clone()).to_owned();
        out.push(backend.render(&drop));
    }
    for c in &ch.added {
        let add = Table::alter().table(to.name.clone()).add_column(column_def(to, c, true, backend)).to_owned();
        out.push(backend.render(&add));
    }
    for (old, new) in &ch.changed {
        let (was, now) = (shape(from, old, backend), shape(to, new, backend));
        let c = ident(backend, &new.name);
        if dialect.restates_changed_columns() {
            if (was.ty, was.nullable, was.default) != (now.ty, now.nullable, now.default) {
                out.extend(fill_nulls(&to.name, old, new, backend));
                // MODIFY restates the column; keys and UNIQUE stay as they are.
                let modify =
                    Table::alter().table(to.name.clone()).modify_column(restated_column(to, new, backend)).to_owned();
                out.push(backend.render(&modify));
            }
        } else {
            if was.ty != now.ty {
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}", ty = now.ty));
            }
            if was.default != now.default {
                out.push(match &new.default {
                    Some(d) => format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {d}"),
                    None => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"),
                });
            }
            if was.nullable != now.nullable {
                out.extend(fill_nulls(&to.name, old, new, backend));
                let set = if now.nullable { "DROP NOT NULL" } else { "SET NOT NULL" };
                out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} {set}"));
            }
        }
        if new.unique && !old.unique {
            out.push(dialect.add_unique(&to.name, &new.name));
        }
    }
    for i in &ch.indexes_added {
        out.push(backend.render(&index_statement(&to.name, i, backend)));
    }
    for f in &ch.fks_added {
        out.push(backend.render(&foreign_key(&to.name, f, backend)));
    }
    for c in &ch.checks_added {
        out.push(format!("ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({})", ident(backend, &c.name), c.condition));
    }
}

/// Whether an index of `table` starts with `column` (the primary key, a
/// UNIQUE column, or an index), so MySQL needs no index of its own for a
/// foreign key on it.
fn served_by_index(table: &TableSpec, column: &str) -> bool {
    table.columns.iter().find(|c| c.primary_key).is_some_and(|c| c.name == column)
        || table.columns.iter().any(|c| c.name == column && c.unique)
        || table.indexes.iter().any(|i| i.columns.first().is_some_and(|c| c == column))
}

/// A number, a quoted text, TRUE, FALSE or NULL: what SQLite's ADD COLUMN
/// takes as a default (no expressions, no CURRENT_TIMESTAMP).
fn is_literal(default: &str) -> bool {
    default.starts_with('\'')
        || matches!(default, "true" | "false" | "null")
        || default.trim_start_matches(['-', '+']).parse::<f64>().is_ok()
}

/// Where ALTER cannot change columns (SQLite): indexes and plain added
/// columns in place; anything else rebuilds the table.
fn rebuild_changed(from: &TableSpec, to: &TableSpec, b: Backend, out: &mut Vec<String>) {
    let ch = changes(from, to, b);
    // ADD COLUMN takes no key, no UNIQUE, no foreign key, and a NOT NULL
    // column only with a constant default.
    let addable = |c: &ColumnSpec| {
        let constant = c.default.as_deref().is_some_and(|d| is_literal(&normalize_default(b, d, false)));
        !c.primary_key && !c.unique && !to.foreign_keys.iter().any(|f| f.column == c.name) && (c.nullable || constant)
    };
    let rebuild = !ch.dropped.is_empty()
        || !ch.changed.is_empty()
        || !ch.fks_added.is_empty()
        || !ch.fks_dropped.is_empty()
        || !ch.checks_added.is_empty()
        || !ch.checks_dropped.is_empty()
        || !ch.added.iter().all(|c| addable(c));
    if !rebuild {
        for i in &ch.indexes_dropped {
            out.push(b.render(&Index::drop().name(b.dialect().escape_ident(&i.name)).to_owned()));
        }
        for c in &ch.added {
            let add = Table::alter().table(to.name.clone()).add_column(column_def(to, c, true, b)).to_owned();
            out.push(add.to_string(sea_query::SqliteQueryBuilder));
        }
        for i in &ch.indexes_added {
            out.push(b.render(&index_statement(&to.name, i, b)));
        }
        return;
    }
    let staging = format!("_ormlet_new_{}", to.name);
    let mut create = table_statement(to, b);
    create.table(staging.clone());
    out.push(create.to_string(sea_query::SqliteQueryBuilder));
    let kept: Vec<(&ColumnSpec, &ColumnSpec)> = to
        .columns
        .iter()
        .filter_map(|new| from.columns.iter().find(|c| c.name == new.name).map(|old| (old, new)))
        .collect();
    let names: Vec<String> = kept.iter().map(|(_, new)| ident(b, &new.name)).collect();
    let values: Vec<String> = kept
        .iter()
        .map(|(old, new)| match (&new.default, old.nullable && !new.nullable) {
            (Some(d), true) => format!("COALESCE({}, {d})", ident(b, &old.name)),
            _ => ident(b, &old.name),
        })
        .collect();
    out.push(format!(
        "INSERT INTO {} ({}) SELECT {} FROM {}",
        ident(b, &staging),
        names.join(", "),
        values.join(", "),
        ident(b, &from.name)
    ));
    out.push(format!("DROP TABLE {}", ident(b, &from.name)));
    out.push(format!("ALTER TABLE {} RENAME TO {}", ident(b, &staging), ident(b, &to.name)));
    // The old table's indexes went with it.
    for i in &to.indexes {
        out.push(b.render(&index_statement(&to.name, i, b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_models::{Post, User};

    fn users(f: impl FnOnce(&mut TableSpec)) -> Snapshot {
        let mut s = Snapshot::of::<User>();
        f(&mut s.tables[0]);
        s
    }

    #[test]
    fn a_changed_primary_key_is_refused_by_name() {
        let other_key = users(|t| {
            t.columns[0].primary_key = false;
            t.columns[1].primary_key = true;
        });
        let err = diff(&Snapshot::of::<User>(), &other_key, Backend::Postgres).unwrap_err();
        assert!(
            err.to_string().contains("table `users`: the primary key changes from (id (auto)) to (email)"),
            "{err}"
        );
    }

    #[test]
    fn sqlite_adds_a_column_in_place_only_with_a_constant_default() {
        let with = |default: &str| {
            users(|t| {
                let mut c = t.columns[3].clone();
                c.name = "seen".into();
                c.nullable = false;
                c.default = Some(default.into());
                t.columns.push(c);
            })
        };
        let up = diff(&Snapshot::of::<User>(), &with("0"), Backend::Sqlite).unwrap();
        assert_eq!(up, [r#"ALTER TABLE "users" ADD COLUMN "seen" integer NOT NULL DEFAULT (0)"#]);
        let up = diff(&Snapshot::of::<User>(), &with("CURRENT_TIMESTAMP"), Backend::Sqlite).unwrap();
        assert!(up[0].starts_with(r#"CREATE TABLE IF NOT EXISTS "_ormlet_new_users""#), "{up:#?}");
    }

    #[test]
    fn referenced_tables_are_created_first_and_dropped_last() {
        let none = Snapshot { version: 1, tables: vec![] };
        let both = Snapshot::of::<(Post, User)>();
        let up = diff(&none, &both, Backend::MySql).unwrap();
        let created: Vec<&str> =
            up.iter().filter_map(|s| s.strip_prefix("CREATE TABLE IF NOT EXISTS ")).map(|s| &s[..7]).collect();
        assert_eq!(created, ["`users`", "`posts`"]);
        assert_eq!(diff(&both, &none, Backend::MySql).unwrap(), ["DROP TABLE `posts`", "DROP TABLE `users`"]);
    }

    #[test]
    fn sqlite_rebuilds_a_table_whose_column_becomes_not_null_filling_its_default() {
        let strict = users(|t| {
            let age = t.columns.iter_mut().find(|c| c.name == "age").unwrap();
            age.nullable = false;
            age.default = Some("0".into());
        });
        let up = diff(&Snapshot::of::<User>(), &strict, Backend::Sqlite).unwrap();
        assert!(up[0].starts_with(r#"CREATE TABLE IF NOT EXISTS "_ormlet_new_users""#), "{up:#?}");
        assert!(up[1].contains(r#"COALESCE("age", 0)"#), "{}", up[1]);
        assert_eq!(&up[2..4], [r#"DROP TABLE "users""#, r#"ALTER TABLE "_ormlet_new_users" RENAME TO "users""#]);
        let pg = diff(&Snapshot::of::<User>(), &strict, Backend::Postgres).unwrap();
        assert_eq!(
            pg,
            [
                r#"ALTER TABLE "users" ALTER COLUMN "age" SET DEFAULT 0"#,
                r#"UPDATE "users" SET "age" = 0 WHERE "age" IS NULL"#,
                r#"ALTER TABLE "users" ALTER COLUMN "age" SET NOT NULL"#,
            ]
        );
    }
}

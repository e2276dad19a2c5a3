//! Diffs from history, not from a live database: each migration that
//! `ormlet migrate diff` writes records the models' schema after it
//! (`schema.json`), and the next diff compares the models with the last
//! one recorded, so it needs no database (as Django's `makemigrations`).
//! The change is rendered for every backend into one folder: `up.sql` and
//! `down.sql` where the three agree, each backend's own files where not.
//!
//! ```
//! use ormlet_core::migrate::{Change, Snapshot};
//! # use ormlet_core::doc_models::{Post, User};
//! let change = Change::between(&Snapshot::of::<User>(), &Snapshot::of::<(User, Post)>())?;
//! assert!(change.drops.is_empty());
//! let files = change.files("");
//! let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
//! // SQLite writes its key column differently: each backend gets its own files.
//! assert!(names.contains(&"up.postgres.sql") && names.contains(&"schema.json"));
//! # Ok::<(), ormlet_core::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::diff::{diff, losses};
use super::files::{BACKENDS, SCHEMA_FILE, read_dir, write_files};
use super::snapshot::{SNAPSHOT_VERSION, Snapshot};
use crate::backend::Backend;
use crate::error::{Error, Result};

/// The change from one recorded schema to the models' schema now, for
/// every backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The schema it starts from (the last one recorded).
    pub from: Snapshot,
    /// The schema it records (the models').
    pub to: Snapshot,
    /// Per backend, the statements up (from → to) and down (back).
    pub scripts: Vec<(Backend, Vec<String>, Vec<String>)>,
    /// Backends the change cannot be written for (MySQL has no partial
    /// indexes), each with why: the folder holds no script for them, and
    /// running it there fails saying so.
    pub skipped: Vec<(Backend, String)>,
    /// What the models no longer declare and `up` drops, one line each
    /// (`table posts`, `column posts.likes`, `index posts_title_idx`,
    /// `foreign key posts.author_id`): written only when asked for.
    pub drops: Vec<String>,
}

impl Change {
    /// The change from `from` to `to`, rendered for SQLite, PostgreSQL and MySQL.
    pub fn between(from: &Snapshot, to: &Snapshot) -> Result<Change> {
        let mut scripts = Vec::new();
        let mut skipped = Vec::new();
        for (backend, _) in BACKENDS {
            match diff(from, to, backend).and_then(|up| Ok((up, diff(to, from, backend)?))) {
                Ok((up, down)) => scripts.push((backend, up, down)),
                Err(e @ Error::Unsupported { .. }) => skipped.push((backend, e.to_string())),
                Err(e) => return Err(e),
            }
        }
        Ok(Change { from: from.clone(), to: to.clone(), scripts, skipped, drops: drops(from, to) })
    }

    /// The models' schema `to` against the last schema recorded in `dir`.
    pub fn since(dir: &Path, to: &Snapshot) -> Result<Change> {
        Change::between(&recorded(dir)?, to)
    }

    /// Nothing to migrate on any backend (a `renamed_from` left on a field
    /// after its rename ran, say, changes no statement).
    pub fn is_empty(&self) -> bool {
        self.skipped.is_empty() && self.scripts.iter().all(|(_, up, down)| up.is_empty() && down.is_empty())
    }

    /// The folder's files, name and text: `up.sql`/`down.sql` when every
    /// backend's statements are the same, else `up.<backend>.sql` and
    /// `down.<backend>.sql` for each; and `schema.json`. Each script opens
    /// with `header` as comment lines.
    pub fn files(&self, header: &str) -> Vec<(String, String)> {
        let same = self.skipped.is_empty() && self.scripts.windows(2).all(|w| w[0].1 == w[1].1 && w[0].2 == w[1].2);
        let mut out = Vec::new();
        for (backend, up, down) in &self.scripts {
            let tag = if same { String::new() } else { format!(".{}", super::file_tag(*backend)) };
            out.push((format!("up{tag}.sql"), super::diff::script(header, up)));
            out.push((format!("down{tag}.sql"), super::diff::script(header, down)));
            if same {
                break;
            }
        }
        out.push((SCHEMA_FILE.to_owned(), self.to.to_json()));
        out
    }

    /// Writes the change as a new migration in `dir`; gives the folder.
    /// Refuses, listing them, to drop what the models no longer declare
    /// unless `allow_drops`.
    pub fn write(&self, dir: &Path, name: &str, header: &str, allow_drops: bool, now: SystemTime) -> Result<PathBuf> {
        if !self.drops.is_empty() && !allow_drops {
            return Err(Error::Migration {
                version: None,
                message: format!(
                    "the models no longer declare {}: pass --drop to drop {} (and the data in them), \
                     or declare them again",
                    self.drops.join(", "),
                    if self.drops.len() == 1 { "it" } else { "them" }
                ),
            });
        }
        write_files(dir, name, now, &self.files(header))
    }
}

/// The schema the newest migration in `dir` recorded; empty when `dir` has
/// no migrations (or does not exist). Migrations of which none recorded a
/// schema are an error: their schema is only in a database.
pub fn recorded(dir: &Path) -> Result<Snapshot> {
    let empty = Snapshot { version: SNAPSHOT_VERSION, tables: Vec::new() };
    if !dir.exists() {
        return Ok(empty);
    }
    let migrations = read_dir(dir)?;
    match migrations.iter().rev().find_map(|m| m.schema.as_deref().map(|s| (m, s))) {
        Some((m, json)) => Snapshot::from_json(json).map_err(|e| Error::Migration {
            version: Some(m.version),
            message: format!("{}: {e}", m.dir.join(SCHEMA_FILE).display()),
        }),
        None if migrations.is_empty() => Ok(empty),
        None => Err(Error::Migration {
            version: None,
            message: format!(
                "no migration in {} records a schema ({SCHEMA_FILE}), so there is nothing to diff the models \
                 with: run `ormlet migrate diff --from-database` once, against a database at the latest migration",
                dir.display()
            ),
        }),
    }
}

/// Tables, columns, indexes and foreign keys of `from` that `to` lacks.
fn drops(from: &Snapshot, to: &Snapshot) -> Vec<String> {
    let mut out = losses(from, to);
    for t in &from.tables {
        let Some(kept) = to.table(&t.name) else { continue };
        // An index over renamed columns, made again under its new name, is not a drop.
        let (renamed, _) = super::diff::renames(t, kept);
        let remade = |i: &crate::schema::IndexSpec| {
            let now = renamed.indexes.iter().find(|r| r.name == i.name);
            now.is_some_and(|n| {
                kept.indexes
                    .iter()
                    .any(|k| k.columns == n.columns && k.unique == n.unique && k.where_clause == n.where_clause)
            })
        };
        for i in t.indexes.iter().filter(|i| !kept.indexes.iter().any(|k| k.name == i.name) && !remade(i)) {
            out.push(format!("index {}", i.name));
        }
        for f in t.foreign_keys.iter().filter(|f| !kept.foreign_keys.iter().any(|k| k.column == f.column)) {
            // Its column's drop is listed already.
            if kept.columns.iter().any(|c| c.name == f.column) {
                out.push(format!("foreign key {}.{}", t.name, f.column));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_models::{Post, User};

    #[test]
    fn an_empty_folder_records_an_empty_schema_and_the_first_change_creates_every_table() {
        let dir = std::env::temp_dir().join(format!("ormlet-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let models = Snapshot::of::<(User, Post)>();
        let change = Change::since(&dir, &models).unwrap();
        assert!(change.from.tables.is_empty());
        let folder = change.write(&dir, "init", "", false, SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(recorded(&dir).unwrap(), models, "the folder records the models' schema");
        assert!(Change::since(&dir, &models).unwrap().is_empty(), "nothing left to diff");
        assert!(folder.join("up.postgres.sql").is_file() && folder.join("down.sqlite.sql").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_rename_left_on_a_field_after_it_ran_is_no_change() {
        let models = Snapshot::of::<(User, Post)>();
        let mut kept = models.clone();
        kept.tables[0].renamed.push(crate::schema::Renamed { column: "name".into(), from: "full_name".into() });
        assert!(Change::between(&models, &kept).unwrap().is_empty());
    }

    #[test]
    fn drops_are_refused_unless_asked_for() {
        let dir = std::env::temp_dir().join(format!("ormlet-history-drop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let change = Change::between(&Snapshot::of::<(User, Post)>(), &Snapshot::of::<User>()).unwrap();
        assert_eq!(change.drops, ["table posts"]);
        let err = change.write(&dir, "drop_posts", "", false, SystemTime::UNIX_EPOCH).unwrap_err();
        assert!(err.to_string().contains("no longer declare table posts: pass --drop"), "{err}");
        assert!(!dir.exists(), "nothing written");
        change.write(&dir, "drop_posts", "", true, SystemTime::UNIX_EPOCH).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! `ormlet migrate check`: does a live database hold the schema its applied
//! migrations record? A CI step for drift, such as a column added by hand
//! in production or a migration edited after it ran.

use super::Migrator;
use super::diff::{diff, leave_undeclared};
use super::introspect::introspect;
use super::snapshot::Snapshot;
use crate::any::AnyDb;
use crate::error::{Error, Result};
use crate::executor::Executor;

/// How a database differs from the schema its applied migrations record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The applied migration whose recorded schema was compared.
    pub recorded_by: i64,
    /// What differs, as the statements that would bring the database to
    /// the recorded schema; empty when it holds it.
    pub differences: Vec<String>,
    /// Indexes in the database that no migration recorded (hand-made, say
    /// a partial index): left as they are, and listed.
    pub notes: Vec<String>,
}

impl Drift {
    /// The database holds the recorded schema.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Compares `db` with the schema recorded by the newest of `migrator`'s
/// migrations that is applied there and records one.
pub async fn check(db: &AnyDb, migrator: &Migrator) -> Result<Drift> {
    let applied = migrator.status(db).await?;
    let newest = migrator
        .migrations()
        .iter()
        .rev()
        .filter(|m| applied.iter().any(|s| s.version == m.version && matches!(s.state, super::State::Applied { .. })))
        .find_map(|m| m.schema.as_deref().map(|json| (m, json)));
    let Some((migration, json)) = newest else {
        return Err(Error::Migration {
            version: None,
            message: "no applied migration records a schema (schema.json) to compare the database with: \
                      write migrations with `ormlet migrate diff`, and run them"
                .into(),
        });
    };
    let recorded = Snapshot::from_json(json)?;
    let mut live = introspect(db).await?;
    // A table made by hand is drift; an index made by hand is not.
    let notes = leave_undeclared(&mut live, &recorded, false, "the recorded schema");
    Ok(Drift { recorded_by: migration.version, differences: diff(&live, &recorded, db.backend())?, notes })
}

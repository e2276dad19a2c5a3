//! Schema snapshots: what the models say the database should hold, as
//! JSON the `ormlet migrate diff` command compares with a live database.
//!
//! ```
//! use ormlet_core::migrate::Snapshot;
//! # use ormlet_core::doc_models::{Post, User};
//! let snapshot = Snapshot::of::<(User, Post)>();
//! let json = snapshot.to_json();
//! assert_eq!(Snapshot::from_json(&json)?, snapshot);
//! assert_eq!(snapshot.tables[1].foreign_keys[0].references_table, "users");
//! # Ok::<(), ormlet_core::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Model, ModelMeta};
use crate::schema::TableSpec;

/// The snapshot format's version, written into every file.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The tables a set of models describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SNAPSHOT_VERSION`] when written.
    pub version: u32,
    /// One per model, in the order given.
    pub tables: Vec<TableSpec>,
}

/// A model, or a tuple of models, whose tables a snapshot lists.
pub trait Models {
    /// Their metadata, in order.
    fn metas() -> Vec<&'static ModelMeta>;
}

impl<M: Model> Models for M {
    fn metas() -> Vec<&'static ModelMeta> {
        vec![M::meta()]
    }
}

macro_rules! tuple_models {
    ($($t:ident),+) => {
        impl<$($t: Model),+> Models for ($($t,)+) {
            fn metas() -> Vec<&'static ModelMeta> {
                vec![$($t::meta()),+]
            }
        }
    };
}
tuple_models!(A);
tuple_models!(A, B);
tuple_models!(A, B, C);
tuple_models!(A, B, C, D);
tuple_models!(A, B, C, D, E);
tuple_models!(A, B, C, D, E, F);
tuple_models!(A, B, C, D, E, F, G);
tuple_models!(A, B, C, D, E, F, G, H);
tuple_models!(A, B, C, D, E, F, G, H, I);
tuple_models!(A, B, C, D, E, F, G, H, I, J);
tuple_models!(A, B, C, D, E, F, G, H, I, J, K);
tuple_models!(A, B, C, D, E, F, G, H, I, J, K, L);

impl Snapshot {
    /// The tables of `T`: a model or a tuple of them, `Snapshot::of::<(User, Post)>()`.
    pub fn of<T: Models>() -> Snapshot {
        Snapshot { version: SNAPSHOT_VERSION, tables: T::metas().into_iter().map(TableSpec::of).collect() }
    }

    /// Pretty JSON, stable from run to run (a file to commit and diff).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Reads a snapshot; a malformed file or a newer format is an error naming what is wrong.
    pub fn from_json(json: &str) -> Result<Snapshot> {
        let s: Snapshot = serde_json::from_str(json)
            .map_err(|e| Error::Migration { version: None, message: format!("not a schema snapshot: {e}") })?;
        if s.version > SNAPSHOT_VERSION {
            return Err(Error::Migration {
                version: None,
                message: format!(
                    "the snapshot's format is version {}, this ormlet reads up to {SNAPSHOT_VERSION}: upgrade ormlet",
                    s.version
                ),
            });
        }
        Ok(s)
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_models::{Post, User};
    use crate::schema::ForeignKeySpec;

    #[test]
    fn a_snapshot_lists_columns_keys_indexes_and_foreign_keys() {
        let s = Snapshot::of::<(User, Post)>();
        assert_eq!(s.version, SNAPSHOT_VERSION);
        let users = s.table("users").unwrap();
        let id = &users.columns[0];
        assert_eq!((id.name.as_str(), id.primary_key, id.auto_increment, id.nullable), ("id", true, true, false));
        assert!(users.columns.iter().any(|c| c.name == "email" && c.unique));
        assert!(users.columns.iter().any(|c| c.name == "age" && c.nullable && c.sql_type == "Integer"));
        assert_eq!(users.indexes[0].columns, ["name"]);
        let posts = s.table("posts").unwrap();
        assert_eq!(
            posts.foreign_keys,
            [ForeignKeySpec {
                column: "author_id".into(),
                references_table: "users".into(),
                references_column: "id".into(),
                on_delete: None,
                on_update: None,
            }]
        );
    }

    #[test]
    fn json_round_trips_and_bad_files_are_typed_errors() {
        let s = Snapshot::of::<(User, Post)>();
        assert_eq!(Snapshot::from_json(&s.to_json()).unwrap(), s);
        assert!(matches!(Snapshot::from_json("{}"), Err(Error::Migration { .. })));
        let newer = s.to_json().replacen("\"version\": 1", "\"version\": 99", 1);
        let err = Snapshot::from_json(&newer).unwrap_err();
        assert!(err.to_string().contains("upgrade ormlet"), "{err}");
    }
}

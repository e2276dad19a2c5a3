//! Generated hostile names (every dialect's quotes, statement separators,
//! comment markers, Unicode, names past each backend's limit) for tables,
//! columns, indexes and foreign keys, through `migrate::plan`, the runner and
//! introspection, on a live database that also holds a canary table.

use ormlet::migrate::{ColumnSpec, ForeignKeySpec, IndexSpec, SNAPSHOT_VERSION, Snapshot, TableSpec};
use proptest::prelude::*;

/// Pieces names are made of: each one has broken some SQL writer somewhere.
const PIECES: &[&str] = &[
    "\"",
    "`",
    "'",
    "\"\"",
    ";",
    "--",
    "/*",
    "*/",
    "\\",
    " ",
    "%",
    "?",
    "$1",
    ")",
    "(",
    ",",
    ".",
    "DROP TABLE canary",
    "é",
    "名前",
    "ß",
    "🦀",
    "\u{200b}",
    "x",
    "Name",
    "0",
];

/// A hostile name: a few pieces, sometimes a long run of one.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(PIECES);
    let long = (prop::sample::select(&["a", "é", "\""][..]), 20usize..70).prop_map(|(p, n)| p.repeat(n));
    prop_oneof![
        8 => prop::collection::vec(piece, 1..5).prop_map(|v| v.concat()),
        1 => long,
    ]
}

/// The names of one case, each after its own ASCII letter so no two are the
/// same on a backend that folds case or accents in names.
#[derive(Debug, Clone)]
pub struct Names {
    pub parent: String,
    pub child: String,
    pub key: String,
    pub text: String,
    pub owner: String,
    pub stray_index: String,
}

pub fn names() -> impl Strategy<Value = Names> {
    (hostile(), hostile(), hostile(), hostile(), hostile(), hostile()).prop_map(|(p, c, k, t, o, s)| Names {
        parent: format!("p{p}"),
        child: format!("c{c}"),
        key: format!("k{k}"),
        text: format!("t{t}"),
        owner: format!("o{o}"),
        stray_index: format!("idx_s{s}"),
    })
}

fn column(name: &str, sql_type: &str, primary_key: bool) -> ColumnSpec {
    ColumnSpec {
        name: name.to_owned(),
        sql_type: sql_type.to_owned(),
        nullable: false,
        primary_key,
        auto_increment: primary_key,
        unique: false,
        default: None,
    }
}

/// A parent with an indexed text column and a child whose foreign key to
/// it is indexed too, every name from `n`.
pub fn tables(n: &Names) -> Vec<TableSpec> {
    let index = |table: &str, column: &str| IndexSpec {
        name: format!("idx_{table}_{column}"),
        columns: vec![column.to_owned()],
        unique: false,
        where_clause: None,
    };
    let parent = TableSpec {
        name: n.parent.clone(),
        columns: vec![column(&n.key, "BigInt", true), column(&n.text, "Text", false)],
        indexes: vec![index(&n.parent, &n.text)],
        foreign_keys: vec![],
        checks: vec![],
        renamed: vec![],
    };
    let child = TableSpec {
        name: n.child.clone(),
        columns: vec![column(&n.key, "BigInt", true), column(&n.owner, "BigInt", false)],
        indexes: vec![index(&n.child, &n.owner)],
        foreign_keys: vec![ForeignKeySpec {
            column: n.owner.clone(),
            references_table: n.parent.clone(),
            references_column: n.key.clone(),
            on_delete: None,
            on_update: None,
        }],
        checks: vec![],
        renamed: vec![],
    };
    vec![parent, child]
}

/// Every name the DDL of `tables(n)` writes, foreign keys' included.
pub fn written_names(n: &Names) -> Vec<String> {
    let mut out = Vec::new();
    for t in tables(n) {
        out.push(t.name.clone());
        out.extend(t.columns.iter().map(|c| c.name.clone()));
        out.extend(t.indexes.iter().map(|i| i.name.clone()));
        out.extend(t.foreign_keys.iter().map(|f| format!("fk_{}_{}", t.name, f.column)));
    }
    out
}

/// `base` with `extra` added.
pub fn with_tables(base: &Snapshot, extra: Vec<TableSpec>) -> Snapshot {
    let mut tables = base.tables.clone();
    tables.extend(extra);
    Snapshot { version: SNAPSHOT_VERSION, tables }
}

/// Each backend's test: proptest cases run one after another on the test's
/// own database.
macro_rules! hostile_name_tests {
    ($open:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn generated_hostile_names_round_trip_and_harm_no_table() {
            use ormlet::Error;
            use ormlet::migrate::{Migrator, introspect, plan};
            use ormlet::prelude::*;
            use proptest::test_runner::{Config, TestCaseError, TestRunner};
            use $crate::suite::AsAny;
            use $crate::suite::hostile_names::{Names, names, tables, with_tables, written_names};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            let dialect = db.backend().dialect();
            db.execute_batch("CREATE TABLE canary (x INTEGER)").await.unwrap();
            db.execute_batch("INSERT INTO canary (x) VALUES (7)").await.unwrap();
            let base = introspect(&db).await.unwrap();
            let version = std::cell::Cell::new(0);
            let accepted = std::cell::Cell::new(0);

            // One case: create by a plan, read back, plant a stray index and
            // plan it away, then drop the tables by a plan too.
            let run = |p: &ormlet::migrate::Plan| {
                version.set(version.get() + 1);
                Migrator::new(vec![p.to_migration(version.get(), "case")])
            };
            let case = async |n: Names| -> Result<bool, String> {
                // A failed case (while shrinking, say) may have left tables behind.
                let reset = plan(&db, &base).await.map_err(|e| format!("reset: {e}"))?;
                run(&reset).run(&db, None).await.map_err(|e| format!("reset: {e}\n{:#?}", reset.up))?;
                let target = with_tables(&base, tables(&n));
                let created = match plan(&db, &target).await {
                    Ok(p) => p,
                    // Refused before anything ran, naming the name.
                    Err(Error::InvalidName { name, .. }) => {
                        return if written_names(&n).contains(&name) {
                            Ok(false)
                        } else {
                            Err(format!("refused a name it does not write: {name:?}"))
                        };
                    }
                    Err(e) => return Err(format!("plan: {e}")),
                };
                run(&created).run(&db, None).await.map_err(|e| format!("create: {e}\n{:#?}", created.up))?;

                // Every name reads back as given: planning again finds nothing to do.
                let live = introspect(&db).await.map_err(|e| e.to_string())?;
                for spec in tables(&n) {
                    let table = live.table(&spec.name).ok_or_else(|| format!("table {:?} missing", spec.name))?;
                    for c in &spec.columns {
                        if !table.columns.iter().any(|l| l.name == c.name) {
                            return Err(format!("column {:?} read back as {:?}", c.name, table.columns));
                        }
                    }
                    for i in &spec.indexes {
                        if !table.indexes.iter().any(|l| l.name == i.name) {
                            return Err(format!("index {:?} read back as {:?}", i.name, table.indexes));
                        }
                    }
                    if table.foreign_keys != spec.foreign_keys {
                        return Err(format!(
                            "foreign keys {:?} read back as {:?}",
                            spec.foreign_keys, table.foreign_keys
                        ));
                    }
                }
                let again = plan(&db, &target).await.map_err(|e| e.to_string())?;
                if !again.up.is_empty() {
                    return Err(format!("the schema did not round-trip: {:#?}", again.up));
                }

                // A stray index the models lack, by a hostile name: the plan drops it by that name.
                if dialect.identifier_problem(&n.stray_index).is_none() {
                    let sql = format!(
                        "CREATE INDEX {} ON {} ({})",
                        dialect.quote_ident(&n.stray_index),
                        dialect.quote_ident(&n.parent),
                        dialect.quote_ident(&n.text)
                    );
                    db.execute_batch(&sql).await.map_err(|e| format!("stray index: {e}"))?;
                    let tidy = plan(&db, &target).await.map_err(|e| e.to_string())?;
                    run(&tidy).run(&db, None).await.map_err(|e| format!("drop stray: {e}\n{:#?}", tidy.up))?;
                    let live = introspect(&db).await.map_err(|e| e.to_string())?;
                    let parent = live.table(&n.parent).ok_or("parent missing")?;
                    if parent.indexes.iter().any(|i| i.name == n.stray_index) {
                        return Err(format!("the stray index {:?} is still there", n.stray_index));
                    }
                }

                // And gone again, by a plan back to the base.
                let drop = plan(&db, &base).await.map_err(|e| e.to_string())?;
                run(&drop).run(&db, None).await.map_err(|e| format!("drop: {e}\n{:#?}", drop.up))?;
                let left = introspect(&db).await.map_err(|e| e.to_string())?;
                if left != base {
                    return Err(format!("left behind: {:#?}", left.tables));
                }
                let canary: Vec<(i64,)> =
                    db.raw("SELECT x FROM canary", vec![]).all().await.map_err(|e| e.to_string())?;
                if canary != [(7,)] {
                    return Err(format!("the canary holds {canary:?}"));
                }
                Ok(true)
            };

            let mut runner = TestRunner::new(Config { cases: 64, failure_persistence: None, ..Config::default() });
            let handle = tokio::runtime::Handle::current();
            let result = tokio::task::block_in_place(|| {
                runner
                    .run(&names(), |n| match handle.block_on(case(n)) {
                        Ok(ok) => {
                            accepted.set(accepted.get() + usize::from(ok));
                            Ok(())
                        }
                        Err(e) => Err(TestCaseError::fail(e)),
                    })
                    .map_err(|e| e.to_string())
            });
            if let Err(e) = result {
                panic!("{e}");
            }
            println!("{} of the generated cases were accepted on {:?}", accepted.get(), db.backend());
            assert!(accepted.get() > 0, "every generated case was refused");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn names_a_backend_would_refuse_or_cut_are_typed_errors() {
            use ormlet::Error;
            use ormlet::migrate::{introspect, plan};
            use $crate::suite::AsAny;
            use $crate::suite::hostile_names::{Names, tables, with_tables};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            let backend = db.backend();
            let base = introspect(&db).await.unwrap();
            let long = |n: usize| format!("p{}", "é".repeat(n));
            // 65 characters, 129 bytes: over PostgreSQL's 63 bytes and MySQL's 64 characters.
            let names = Names {
                parent: long(64),
                child: "c".into(),
                key: "k".into(),
                text: "t".into(),
                owner: "o".into(),
                stray_index: "s".into(),
            };
            match plan(&db, &with_tables(&base, tables(&names))).await {
                Ok(p) => assert_eq!(backend, ormlet::Backend::Sqlite, "{:?}", p.up),
                Err(Error::InvalidName { name, .. }) => assert_eq!(name, names.parent),
                Err(e) => panic!("{e}"),
            }
            // Within every limit: accepted everywhere.
            let fits = Names { parent: long(20), ..names };
            plan(&db, &with_tables(&base, tables(&fits))).await.unwrap();
        }
    };
}

pub(crate) use hostile_name_tests;

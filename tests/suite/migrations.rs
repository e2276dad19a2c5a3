//! `migrate diff` round trips on every backend: models → migration → run →
//! nothing left to diff; a release's model changes → migration → run → the
//! live schema is the snapshot; revert → the schema before.

/// The suite's users and posts a release later.
pub mod v2 {
    use ormlet::Auto;
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "users")]
    pub struct User {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        #[ormlet(unique)]
        pub email: String,
        #[ormlet(column = "display_name", index)]
        pub name: String,
        pub age: Option<i32>,
        /// Added: NOT NULL, filled by its default.
        #[ormlet(default = 0)]
        pub karma: i64,
        /// Added: nullable.
        pub bio: Option<String>,
    }

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "posts")]
    pub struct Post {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        #[ormlet(belongs_to = User, index)]
        pub author_id: i64,
        /// Made nullable, and indexed.
        #[ormlet(index)]
        pub title: Option<String>,
        pub body: Option<String>,
        // `likes` is dropped.
    }
}

/// Constraints changing: UNIQUE dropped and added, a NULL column made NOT
/// NULL with a default, a default added.
pub mod v3 {
    use ormlet::Auto;
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "users")]
    pub struct User {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        /// No longer UNIQUE.
        pub email: String,
        #[ormlet(column = "display_name", index)]
        pub name: String,
        /// NOT NULL now, its NULLs set to the default.
        #[ormlet(default = 18)]
        pub age: i32,
    }

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "tags")]
    pub struct Tag {
        #[ormlet(primary_key)]
        pub code: String,
        /// UNIQUE now, with a default.
        #[ormlet(unique, default = "none")]
        pub label: String,
    }
}

/// A column's type widened, and a foreign key added with its column.
pub mod v4 {
    use ormlet::Auto;
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "users")]
    pub struct User {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        #[ormlet(unique)]
        pub email: String,
        #[ormlet(column = "display_name", index)]
        pub name: String,
        /// `i32` → `i64`.
        pub age: Option<i64>,
    }

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "labels")]
    pub struct Label {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        #[ormlet(unique)]
        pub name: String,
        /// Added, with a foreign key to users.
        #[ormlet(belongs_to = User)]
        pub owner_id: Option<i64>,
    }
}

/// A foreign key dropped while its column stays (on MySQL, the index the
/// key brought goes with it).
pub mod v5 {
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "post_labels")]
    pub struct PostLabel {
        #[ormlet(primary_key, belongs_to = crate::suite::Post)]
        pub post_id: i64,
        /// No longer a foreign key.
        #[ormlet(primary_key)]
        pub label_id: i64,
    }
}

/// The committed folder that `ormlet migrate diff` wrote, with no database,
/// for the suite's models and then their release (v2, which drops
/// `posts.likes`): the one folder every backend runs.
pub const HISTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/history_fixture");

/// Writes what `ormlet migrate diff` writes for the suite's models, then for
/// their release (`--drop`), into `dir`, at fixed times.
pub fn write_history(dir: &std::path::Path) {
    use crate::suite::{Kinds, Label, Post, PostLabel, Tag, User};
    use ormlet::migrate::{Change, Snapshot};
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_861_800);
    let header = "Written by `ormlet migrate diff` for the test suite's models.";
    let v1 = Snapshot::of::<(User, Post, Tag, Kinds, Label, PostLabel)>();
    Change::since(dir, &v1).unwrap().write(dir, "create_schema", header, false, at).unwrap();
    let v2 = Snapshot::of::<(v2::User, v2::Post, Tag, Kinds, Label, PostLabel)>();
    let release = Change::since(dir, &v2).unwrap();
    assert_eq!(release.drops, ["column posts.likes"]);
    release.write(dir, "release", header, true, at).unwrap();
}

/// Every file under `dir`, by path relative to it.
pub fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for folder in std::fs::read_dir(dir).unwrap() {
        let folder = folder.unwrap().path();
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            let name = file.strip_prefix(dir).unwrap().display().to_string();
            out.insert(name, std::fs::read_to_string(&file).unwrap());
        }
    }
    out
}

/// The committed history folder is what `diff` writes for the models now.
/// `ORMLET_UPDATE_SNAPSHOT=1 cargo test --test sqlite history_fixture` rewrites it.
#[test]
fn the_history_fixture_is_what_diff_writes_for_the_models() {
    let dir = temp_dir("history");
    write_history(&dir);
    let fixture = std::path::Path::new(HISTORY);
    if std::env::var("ORMLET_UPDATE_SNAPSHOT").as_deref() == Ok("1") {
        let _ = std::fs::remove_dir_all(fixture);
        std::fs::create_dir_all(fixture).unwrap();
        for (name, text) in files(&dir) {
            let path = fixture.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
    let (written, committed) = (files(&dir), files(fixture));
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "rewrite with ORMLET_UPDATE_SNAPSHOT=1"
    );
    for (name, text) in &written {
        assert_eq!(&committed[name], text, "{name}: rewrite with ORMLET_UPDATE_SNAPSHOT=1");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Shelves and what points at them, first with no foreign-key actions
/// (`plain`), then with them (`acting`): a book goes with its shelf, a
/// note loses it.
pub mod v6 {
    pub mod plain {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelves")]
        pub struct Shelf {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
        }

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelf_books")]
        pub struct Book {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(belongs_to = Shelf)]
            pub shelf_id: i64,
        }

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelf_notes")]
        pub struct Note {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(belongs_to = Shelf)]
            pub shelf_id: Option<i64>,
        }
    }

    pub mod acting {
        use ormlet::prelude::*;

        pub use super::plain::Shelf;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelf_books")]
        pub struct Book {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(belongs_to = Shelf, on_delete = "cascade", on_update = "cascade")]
            pub shelf_id: i64,
        }

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelf_notes")]
        pub struct Note {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(belongs_to = Shelf, on_delete = "set_null")]
            pub shelf_id: Option<i64>,
        }
    }
}

/// Labels on shelves that fall back to shelf 1 when theirs goes
/// (`ON DELETE SET DEFAULT`), before and after the action.
pub mod v6_fallback {
    pub use super::v6::plain::Shelf;

    /// Without the action.
    pub mod plain {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelf_labels")]
        pub struct Label {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(belongs_to = super::Shelf, default = 1)]
            pub shelf_id: i64,
        }
    }

    /// With it.
    pub mod acting {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "shelf_labels")]
        pub struct Label {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(belongs_to = super::Shelf, default = 1, on_delete = "set_default")]
            pub shelf_id: i64,
        }
    }
}

/// Loans with a named partial unique index: one active loan per member.
pub mod v7 {
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "loans", unique(member_id, name = "one_active_loan", where = "returned_at IS NULL"))]
    pub struct Loan {
        #[ormlet(primary_key)]
        pub id: ormlet::Auto<i64>,
        pub member_id: i64,
        pub returned_at: Option<String>,
    }

    /// The same loans without the index.
    pub mod bare {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "loans")]
        pub struct Loan {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            pub member_id: i64,
            pub returned_at: Option<String>,
        }
    }
}

/// Copies that may not go below zero (a CHECK), and the same without it.
pub mod v8 {
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone)]
    #[ormlet(table = "stock", check(copies_not_negative = "copies >= 0"))]
    pub struct Stock {
        #[ormlet(primary_key)]
        pub id: ormlet::Auto<i64>,
        pub copies: i64,
    }

    pub mod bare {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "stock")]
        pub struct Stock {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            pub copies: i64,
        }
    }
}

/// A column renamed: `name` becomes `full_name`.
pub mod v9 {
    pub mod before {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "readers", index(name))]
        pub struct Reader {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            pub name: String,
        }
    }

    pub mod after {
        use ormlet::prelude::*;

        #[derive(Model, Debug, Clone)]
        #[ormlet(table = "readers", index(full_name))]
        pub struct Reader {
            #[ormlet(primary_key)]
            pub id: ormlet::Auto<i64>,
            #[ormlet(renamed_from = "name")]
            pub full_name: String,
        }
    }
}

/// What a live table and a snapshot's table agree on, types aside;
/// columns by name, as an added column lands last.
pub fn shape(t: &ormlet::migrate::TableSpec) -> impl PartialEq + std::fmt::Debug {
    let mut cols: Vec<(String, bool, bool, bool, bool)> =
        t.columns.iter().map(|c| (c.name.clone(), c.nullable, c.primary_key, c.auto_increment, c.unique)).collect();
    cols.sort();
    (t.name.clone(), cols, t.indexes.clone(), t.foreign_keys.clone())
}

/// A folder of its own for a test's migrations.
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("ormlet-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A migration under way in a test: the folder `diff` wrote it to, its
/// runner, its plan, and the live schema before it.
pub struct Step {
    pub dir: std::path::PathBuf,
    pub migrator: ormlet::migrate::Migrator,
    pub plan: ormlet::migrate::Plan,
    pub before: ormlet::migrate::Snapshot,
    /// The live schema after it.
    pub after: ormlet::migrate::Snapshot,
}

/// Diffs `db` against `target`, writes and runs the migration, and checks
/// that the live schema is the snapshot and a second diff finds nothing.
pub async fn migrate_to(db: &ormlet::AnyDb, target: &ormlet::migrate::Snapshot, tag: &str) -> Step {
    use ormlet::migrate::{Migrator, introspect, plan};
    let before = introspect(db).await.unwrap();
    let dir = temp_dir(tag);
    let p = plan(db, target).await.unwrap();
    p.write(&dir, tag, tag, std::time::SystemTime::now()).unwrap();
    let migrator = Migrator::from_dir(&dir).unwrap();
    assert_eq!(migrator.run(db, None).await.unwrap().len(), 1);
    let after = introspect(db).await.unwrap();
    for m in &target.tables {
        let live = after.table(&m.name).unwrap_or_else(|| panic!("no table {} after {:#?}", m.name, p.up));
        assert_eq!(shape(live), shape(m), "table {} after {:#?}", m.name, p.up);
    }
    let left = plan(db, target).await.unwrap();
    assert!(left.is_empty(), "after running {:#?}, diff still found {:#?}", p.up, left.up);
    Step { dir, migrator, plan: p, before, after }
}

/// Reverts the step and checks the schema is as it was and a diff against
/// `models` (what the schema was made from) finds nothing; then up again
/// (the schema as after the step) and down again: up, down, up, down.
pub async fn revert(db: &ormlet::AnyDb, step: Step, models: &ormlet::migrate::Snapshot) {
    use ormlet::migrate::{introspect, plan};
    assert_eq!(step.migrator.revert(db, 1).await.unwrap().len(), 1);
    let reverted = introspect(db).await.unwrap();
    assert_eq!(reverted.tables.len(), step.before.tables.len());
    for b in &step.before.tables {
        let r = reverted.table(&b.name).unwrap_or_else(|| panic!("no table {} after {:#?}", b.name, step.plan.down));
        assert_eq!(shape(r), shape(b), "table {} after {:#?}", b.name, step.plan.down);
    }
    let back = plan(db, models).await.unwrap();
    assert!(back.is_empty(), "after revert, diff found {:#?}", back.up);
    // Up again: the same schema as the first time; then down for good.
    assert_eq!(step.migrator.run(db, None).await.unwrap().len(), 1);
    let again = introspect(db).await.unwrap();
    assert_eq!(again.tables.len(), step.after.tables.len());
    for a in &step.after.tables {
        let t = again.table(&a.name).unwrap_or_else(|| panic!("no table {} up again", a.name));
        assert_eq!(shape(t), shape(a), "table {} up a second time", a.name);
    }
    assert_eq!(step.migrator.revert(db, 1).await.unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&step.dir);
}

macro_rules! migration_tests {
    ($open:path) => {
        /// The one folder `diff` wrote with no database runs here, from disk
        /// and embedded, to the models' schema; down and up again leave the
        /// same schema; `check` finds no drift.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn one_migrations_folder_runs_on_every_backend_up_down_up() {
            use ormlet::migrate::{Migrator, Snapshot, check, introspect};
            use $crate::suite::migrations::{HISTORY, shape, v2};
            use $crate::suite::{AsAny, Kinds, Label, PostLabel, Tag};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            let models = Snapshot::of::<(v2::User, v2::Post, Tag, Kinds, Label, PostLabel)>();
            let embedded = ormlet::embed_migrations!("tests/history_fixture");
            for migrator in [Migrator::from_dir(HISTORY).unwrap(), embedded] {
                assert_eq!(migrator.run(&db, None).await.unwrap().len(), 2);
                let first = introspect(&db).await.unwrap();
                assert_eq!(first.tables.len(), models.tables.len());
                for m in &models.tables {
                    let live = first.table(&m.name).unwrap_or_else(|| panic!("no table {}", m.name));
                    assert_eq!(shape(live), shape(m), "table {}", m.name);
                }
                let drift = check(&db, &migrator).await.unwrap();
                assert!(drift.is_clean(), "{:#?}", drift.differences);

                assert_eq!(migrator.revert(&db, 2).await.unwrap().len(), 2);
                assert!(introspect(&db).await.unwrap().tables.is_empty());
                assert_eq!(migrator.run(&db, None).await.unwrap().len(), 2);
                let again = introspect(&db).await.unwrap();
                assert_eq!(again.tables.len(), first.tables.len());
                for t in &first.tables {
                    assert_eq!(shape(again.table(&t.name).unwrap()), shape(t), "table {} after down and up", t.name);
                }
                assert_eq!(migrator.revert(&db, 2).await.unwrap().len(), 2);
            }
        }

        /// A profile around the runner records its statements at the
        /// caller's line, as bookkeeping: two runs, a status and a revert
        /// repeat the record and lock statements but are no findings.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_runners_own_statements_are_bookkeeping_at_the_callers_line() {
            use ormlet::migrate::{Migrator, write};
            use $crate::suite::AsAny;
            use $crate::suite::migrations::temp_dir;

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            let dir = temp_dir("bookkeeping");
            let now = std::time::SystemTime::now();
            write(&dir, "a", now, "CREATE TABLE bk_a (id BIGINT PRIMARY KEY);", "DROP TABLE bk_a;").unwrap();
            write(&dir, "b", now, "CREATE TABLE bk_b (id BIGINT PRIMARY KEY);", "DROP TABLE bk_b;").unwrap();
            let migrator = Migrator::from_dir(&dir).unwrap();
            // This test's lines (in a macro, the line that expands it).
            let here = std::panic::Location::caller();
            let ((), profile) = ormlet::profile_async(async {
                assert_eq!(migrator.run(&db, None).await.unwrap().len(), 2);
                assert!(migrator.run(&db, None).await.unwrap().is_empty());
                assert_eq!(migrator.status(&db).await.unwrap().len(), 2);
                assert_eq!(migrator.revert(&db, 2).await.unwrap().len(), 2);
            })
            .await;
            assert!(profile.query_count() > 10, "{}", profile.to_text());
            assert!(profile.findings().is_empty(), "{}", profile.to_text());
            let ours = format!("{}:{}:", here.file(), here.line());
            for q in profile.queries() {
                let site = q.call_site_string();
                assert!(site.starts_with(&ours), "{site} is not this test's line ({ours}): {}", q.sql);
            }
            let _ = std::fs::remove_dir_all(&dir);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn diff_migrations_round_trip_a_release_of_model_changes() {
            use ormlet::migrate::{Migrator, Snapshot, introspect, plan};
            use ormlet::prelude::*;
            use $crate::suite::migrations::{shape, temp_dir, v2};
            use $crate::suite::{AsAny, Kinds, Label, Post, PostLabel, Tag, User};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            let dir = temp_dir("diff");
            let now = std::time::SystemTime::now();
            let count = |table: &'static str| {
                let db = db.clone();
                async move {
                    let n: Vec<(i64,)> = db.raw(format!("SELECT COUNT(*) FROM {table}"), vec![]).all().await.unwrap();
                    n[0].0
                }
            };

            // Models → diff → run → diff again: nothing.
            let v1 = Snapshot::of::<(User, Post, Tag, Kinds, Label, PostLabel)>();
            let first = plan(&db, &v1).await.unwrap();
            assert!(first.up.iter().filter(|s| s.starts_with("CREATE TABLE")).count() == 6, "{:#?}", first.up);
            first.write(&dir, "create_schema", "from the suite's models", now).unwrap();
            assert_eq!(Migrator::from_dir(&dir).unwrap().run(&db, None).await.unwrap().len(), 1);
            let again = plan(&db, &v1).await.unwrap();
            assert!(again.is_empty(), "a second diff found {:#?}", again.up);
            let before = introspect(&db).await.unwrap();

            // Rows to carry through: posts referenced by post_labels, users by posts.
            let mut ann = User::new("ann@x.io", "Ann", Some(31));
            ann.insert(&t.db).await.unwrap();
            let mut post = Post::new(ann.id.get().unwrap(), "Hello");
            post.insert(&t.db).await.unwrap();
            let mut label = Label { id: ormlet::Auto::new(), name: "rust".into() };
            label.insert(&t.db).await.unwrap();
            PostLabel { post_id: post.id.get().unwrap(), label_id: label.id.get().unwrap() }
                .insert(&t.db)
                .await
                .unwrap();

            // A release: two columns added, one made nullable and indexed, one dropped.
            let v2 = Snapshot::of::<(v2::User, v2::Post, Tag, Kinds, Label, PostLabel)>();
            let change = plan(&db, &v2).await.unwrap();
            assert!(!change.is_empty());
            change.write(&dir, "karma_and_titles", "a release", now).unwrap();
            let migrator = Migrator::from_dir(&dir).unwrap();
            assert_eq!(migrator.run(&db, None).await.unwrap().len(), 1);
            let after = introspect(&db).await.unwrap();
            for m in &v2.tables {
                let live = after.table(&m.name).unwrap_or_else(|| panic!("no table {}", m.name));
                assert_eq!(shape(live), shape(m), "table {} after the migration", m.name);
            }
            let users = after.table("users").unwrap();
            assert_eq!(
                users
                    .columns
                    .iter()
                    .find(|c| c.name == "karma")
                    .unwrap()
                    .default
                    .as_deref()
                    .map(|d| d.trim_matches(['(', ')'])),
                Some("0")
            );
            assert!(!after.table("posts").unwrap().columns.iter().any(|c| c.name == "likes"));
            let left = plan(&db, &v2).await.unwrap();
            assert!(left.is_empty(), "after running it, diff still found {:#?}", left.up);
            // The rows came through, the new NOT NULL column filled by its default.
            assert_eq!((count("users").await, count("posts").await, count("post_labels").await), (1, 1, 1));
            let karma: Vec<(i64, Option<String>)> = db
                .raw("SELECT karma, title FROM posts JOIN users ON users.id = posts.author_id", vec![])
                .all()
                .await
                .unwrap();
            assert_eq!(karma, [(0, Some("Hello".to_owned()))]);

            // Revert: the schema before, rows still there.
            assert_eq!(migrator.revert(&db, 1).await.unwrap().len(), 1);
            let reverted = introspect(&db).await.unwrap();
            assert_eq!(reverted.tables.len(), before.tables.len());
            for b in &before.tables {
                let r = reverted.table(&b.name).unwrap();
                assert_eq!(shape(r), shape(b), "table {} after revert", b.name);
            }
            let back = plan(&db, &v1).await.unwrap();
            assert!(back.is_empty(), "after revert, diff against the first models found {:#?}", back.up);
            assert_eq!((count("users").await, count("posts").await, count("post_labels").await), (1, 1, 1));
            let _ = std::fs::remove_dir_all(&dir);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn diff_migrations_change_unique_null_and_default_and_revert() {
            use ormlet::migrate::Snapshot;
            use ormlet::prelude::*;
            use $crate::suite::migrations::{migrate_to, revert, v3};
            use $crate::suite::{AsAny, Tag, User};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<User>().await.unwrap();
            t.db.create_table::<Tag>().await.unwrap();
            User::new("ann@x.io", "Ann", None).insert(&t.db).await.unwrap();
            Tag { code: "rs".into(), label: "Rust".into() }.insert(&t.db).await.unwrap();

            let step = migrate_to(&db, &Snapshot::of::<(v3::User, v3::Tag)>(), "constraints").await;
            let ages: Vec<(i32,)> = db.raw("SELECT age FROM users", vec![]).all().await.unwrap();
            assert_eq!(ages, [(18,)], "the NULL age took the new default");
            // The dropped UNIQUE no longer refuses a second ann; the new one refuses a second Rust.
            v3::User { id: ormlet::Auto::new(), email: "ann@x.io".into(), name: "Ann 2".into(), age: 20 }
                .insert(&t.db)
                .await
                .unwrap();
            let dup = Tag { code: "rust".into(), label: "Rust".into() }.insert(&t.db).await;
            assert!(matches!(dup, Err(ormlet::Error::Constraint { .. })), "{dup:?}");

            db.execute_batch("DELETE FROM users WHERE display_name = 'Ann 2'").await.unwrap();
            revert(&db, step, &Snapshot::of::<(User, Tag)>()).await;
        }

        /// `renamed_from`: a diff renames the column (its data kept, nothing
        /// listed as dropped) and the revert renames it back.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_renamed_column_keeps_its_data_both_ways() {
            use ormlet::migrate::{Change, Snapshot};
            use ormlet::prelude::*;
            use $crate::suite::AsAny;
            use $crate::suite::migrations::{migrate_to, revert, v9};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<v9::before::Reader>().await.unwrap();
            v9::before::Reader { id: ormlet::Auto::new(), name: "Ann".into() }.insert(&t.db).await.unwrap();
            let before = Snapshot::of::<v9::before::Reader>();
            let after = Snapshot::of::<v9::after::Reader>();
            let change = Change::between(&before, &after).unwrap();
            assert!(change.drops.is_empty(), "a rename loses nothing: {:?}", change.drops);
            assert!(change.scripts.iter().all(|(_, up, _)| up[0].contains("RENAME COLUMN")), "{:#?}", change.scripts);
            let step = migrate_to(&db, &after, "rename").await;
            let names: Vec<String> =
                v9::after::Reader::find().all(&t.db).await.unwrap().into_iter().map(|r| r.full_name).collect();
            assert_eq!(names, ["Ann"]);
            revert(&db, step, &before).await;
            let names: Vec<String> =
                v9::before::Reader::find().all(&t.db).await.unwrap().into_iter().map(|r| r.name).collect();
            assert_eq!(names, ["Ann"], "and back");
        }

        /// A named CHECK: added by a diff (a rebuild on SQLite), read back,
        /// enforced, and dropped by the revert, on every backend.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn check_constraints_round_trip_and_refuse_bad_rows() {
            use ormlet::migrate::{Snapshot, introspect};
            use ormlet::prelude::*;
            use $crate::suite::AsAny;
            use $crate::suite::migrations::{migrate_to, revert, v8};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<v8::bare::Stock>().await.unwrap();
            v8::bare::Stock { id: ormlet::Auto::new(), copies: 3 }.insert(&t.db).await.unwrap();
            let bare = Snapshot::of::<v8::bare::Stock>();
            let checked = Snapshot::of::<v8::Stock>();
            let step = migrate_to(&db, &checked, "check").await;
            let live = introspect(&db).await.unwrap();
            let read = &live.table("stock").unwrap().checks;
            assert_eq!(read, &checked.table("stock").unwrap().checks, "read back: {read:?}");
            let bad = v8::Stock { id: ormlet::Auto::new(), copies: -1 }.insert(&t.db).await.unwrap_err();
            assert!(matches!(bad, ormlet::Error::Constraint(_)), "a typed constraint error: {bad}");
            assert_eq!(v8::Stock::find().count(&t.db).await.unwrap(), 1, "the row came through, the bad one did not");
            revert(&db, step, &bare).await;
            v8::bare::Stock { id: ormlet::Auto::new(), copies: -1 }.insert(&t.db).await.unwrap();
        }

        /// A named partial unique index: created by a diff and read back with
        /// its condition (SQLite, PostgreSQL), enforced only where it holds,
        /// dropped by the revert; on MySQL, which has none, a typed refusal.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn partial_and_named_indexes_round_trip_where_the_backend_has_them() {
            use ormlet::migrate::{Change, Snapshot, introspect};
            use ormlet::prelude::*;
            use $crate::suite::AsAny;
            use $crate::suite::migrations::{migrate_to, revert, v7};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<v7::bare::Loan>().await.unwrap();
            let bare = Snapshot::of::<v7::bare::Loan>();
            let indexed = Snapshot::of::<v7::Loan>();
            let index = &indexed.table("loans").unwrap().indexes[0];
            assert_eq!(
                (index.name.as_str(), index.where_clause.as_deref()),
                ("one_active_loan", Some("returned_at IS NULL"))
            );
            if db.backend() == ormlet::Backend::MySql {
                let err = ormlet::migrate::plan(&db, &indexed).await.unwrap_err();
                assert!(matches!(err, ormlet::Error::Unsupported { .. }), "{err}");
                let change = Change::between(&bare, &indexed).unwrap();
                assert_eq!(change.skipped.len(), 1, "no MySQL script, and why");
                return;
            }
            let step = migrate_to(&db, &indexed, "partial_index").await;
            let live = introspect(&db).await.unwrap();
            let read = &live.table("loans").unwrap().indexes[0];
            assert!(read.where_clause.as_deref().is_some_and(|w| w.contains("returned_at")), "{read:?}");
            assert_eq!(read, index, "the condition reads back as written");

            let loan = |returned: Option<&str>| v7::Loan {
                id: ormlet::Auto::new(),
                member_id: 7,
                returned_at: returned.map(Into::into),
            };
            loan(Some("2026-01-01")).insert(&t.db).await.unwrap();
            loan(None).insert(&t.db).await.unwrap();
            loan(Some("2026-02-01")).insert(&t.db).await.unwrap();
            let second = loan(None).insert(&t.db).await.unwrap_err();
            assert!(matches!(second, ormlet::Error::Constraint(_)), "a second active loan: {second}");
            revert(&db, step, &bare).await;
        }

        /// `on_delete` / `on_update` on `belongs_to`: created, introspected
        /// back, added to existing keys by a diff and taken off by its revert;
        /// deleting a shelf takes its books and unsets its notes.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn foreign_key_actions_round_trip_and_act() {
            use ormlet::migrate::{Change, Snapshot, introspect};
            use ormlet::prelude::*;
            use ormlet::schema::ReferentialAction;
            use $crate::suite::AsAny;
            use $crate::suite::migrations::{migrate_to, revert, v6};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            let plain = Snapshot::of::<(v6::plain::Shelf, v6::plain::Book, v6::plain::Note)>();
            let acting = Snapshot::of::<(v6::acting::Shelf, v6::acting::Book, v6::acting::Note)>();
            let books = acting.table("shelf_books").unwrap();
            assert_eq!(books.foreign_keys[0].on_delete, Some(ReferentialAction::Cascade));
            t.db.create_table::<v6::plain::Shelf>().await.unwrap();
            t.db.create_table::<v6::plain::Book>().await.unwrap();
            t.db.create_table::<v6::plain::Note>().await.unwrap();
            // Actions added to existing keys (migrate_to compares them as introspected).
            let step = migrate_to(&db, &acting, "fk_actions").await;
            let live = introspect(&db).await.unwrap();
            let notes = &live.table("shelf_notes").unwrap().foreign_keys[0];
            assert_eq!((notes.on_delete, notes.on_update), (Some(ReferentialAction::SetNull), None));

            let shelf = v6::acting::Shelf { id: ormlet::Auto::new() }.insert(&t.db).await.unwrap();
            v6::acting::Book { id: ormlet::Auto::new(), shelf_id: shelf }.insert(&t.db).await.unwrap();
            let mut note = v6::acting::Note { id: ormlet::Auto::new(), shelf_id: Some(shelf) };
            note.insert(&t.db).await.unwrap();
            assert_eq!(v6::acting::Shelf::delete_where(v6::acting::Shelf::ID.eq(shelf)).exec(&t.db).await.unwrap(), 1);
            assert_eq!(v6::acting::Book::find().count(&t.db).await.unwrap(), 0, "the book went with its shelf");
            let left = v6::acting::Note::find().one(&t.db).await.unwrap();
            assert_eq!(left.shelf_id, None, "the note lost its shelf");

            // The same change from history, for every backend, takes them off again down.
            let change = Change::between(&plain, &acting).unwrap();
            assert!(change.scripts.iter().all(|(_, up, down)| !up.is_empty() && !down.is_empty()));
            revert(&db, step, &plain).await;
        }

        /// `on_delete = "set_default"`: added by a diff, read back, acting
        /// (a label whose shelf goes falls back to shelf 1), taken off by the
        /// revert; on MySQL, whose engines refuse it, a typed refusal and no
        /// script.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn set_default_actions_round_trip_where_the_backend_has_them() {
            use ormlet::migrate::{Change, Snapshot, introspect};
            use ormlet::prelude::*;
            use ormlet::schema::ReferentialAction;
            use $crate::suite::AsAny;
            use $crate::suite::migrations::{migrate_to, revert, v6_fallback as v};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<v::Shelf>().await.unwrap();
            t.db.create_table::<v::plain::Label>().await.unwrap();
            let plain = Snapshot::of::<(v::Shelf, v::plain::Label)>();
            let acting = Snapshot::of::<(v::Shelf, v::acting::Label)>();
            let key = &acting.table("shelf_labels").unwrap().foreign_keys[0];
            assert_eq!((key.on_delete, key.on_update), (Some(ReferentialAction::SetDefault), None));
            if db.backend() == ormlet::Backend::MySql {
                let err = ormlet::migrate::plan(&db, &acting).await.unwrap_err();
                assert!(matches!(err, ormlet::Error::Unsupported { .. }), "{err}");
                assert!(err.to_string().contains("set_default"), "{err}");
                let err = t.db.create_table::<v::acting::Label>().await.unwrap_err();
                assert!(matches!(err, ormlet::Error::Unsupported { .. }), "{err}");
                let change = Change::between(&plain, &acting).unwrap();
                assert_eq!(change.skipped.len(), 1, "no MySQL script, and why");
                return;
            }
            let step = migrate_to(&db, &acting, "fk_set_default").await;
            let live = introspect(&db).await.unwrap();
            assert_eq!(&live.table("shelf_labels").unwrap().foreign_keys[0], key, "read back as declared");

            let fallback = v::Shelf { id: ormlet::Auto::new() }.insert(&t.db).await.unwrap();
            assert_eq!(fallback, 1);
            let shelf = v::Shelf { id: ormlet::Auto::new() }.insert(&t.db).await.unwrap();
            v::acting::Label { id: ormlet::Auto::new(), shelf_id: shelf }.insert(&t.db).await.unwrap();
            assert_eq!(v::Shelf::delete_where(v::Shelf::ID.eq(shelf)).exec(&t.db).await.unwrap(), 1);
            let label = v::acting::Label::find().one(&t.db).await.unwrap();
            assert_eq!(label.shelf_id, fallback, "the label fell back to the default shelf");

            revert(&db, step, &plain).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn diff_migrations_change_a_type_and_add_a_foreign_key_and_revert() {
            use ormlet::migrate::Snapshot;
            use ormlet::prelude::*;
            use $crate::suite::migrations::{migrate_to, revert, v4};
            use $crate::suite::{AsAny, Label, User};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<User>().await.unwrap();
            t.db.create_table::<Label>().await.unwrap();
            let ann = User::new("ann@x.io", "Ann", Some(31)).insert(&t.db).await.unwrap();
            Label { id: ormlet::Auto::new(), name: "rust".into() }.insert(&t.db).await.unwrap();

            let step = migrate_to(&db, &Snapshot::of::<(v4::User, v4::Label)>(), "types").await;
            // The widened column holds what no i32 can, and the new key is enforced.
            // Written as SQL: the pool's connections keep statements prepared
            // before the migration, whose parameter 3 is still an int4 on
            // PostgreSQL (see the README on migrating a running process).
            db.execute_batch("INSERT INTO users (email, display_name, age) VALUES ('big@x.io', 'Big', 1099511627776)")
                .await
                .unwrap();
            let ages: Vec<(Option<i64>,)> = db.raw("SELECT age FROM users ORDER BY id", vec![]).all().await.unwrap();
            assert_eq!(ages, [(Some(31),), (Some(1 << 40),)]);
            let mut owned = v4::Label { id: ormlet::Auto::new(), name: "go".into(), owner_id: Some(ann) };
            owned.insert(&t.db).await.unwrap();
            let mut orphan = v4::Label { id: ormlet::Auto::new(), name: "zig".into(), owner_id: Some(999) };
            let err = orphan.insert(&t.db).await.unwrap_err();
            assert!(matches!(err, ormlet::Error::Constraint { .. }), "{err:?}");

            db.execute_batch("DELETE FROM users WHERE email = 'big@x.io'").await.unwrap();
            revert(&db, step, &Snapshot::of::<(User, Label)>()).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn diff_migrations_drop_a_foreign_key_and_keep_its_column() {
            use ormlet::migrate::Snapshot;
            use ormlet::prelude::*;
            use $crate::suite::migrations::{migrate_to, revert, v5};
            use $crate::suite::{AsAny, Label, Post, PostLabel, User};

            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            t.db.create_table::<User>().await.unwrap();
            t.db.create_table::<Post>().await.unwrap();
            t.db.create_table::<Label>().await.unwrap();
            t.db.create_table::<PostLabel>().await.unwrap();

            let step = migrate_to(&db, &Snapshot::of::<(User, Post, Label, v5::PostLabel)>(), "fk").await;
            // A label that does not exist is accepted now.
            db.execute_batch("INSERT INTO users (email, display_name) VALUES ('a@x.io', 'A')").await.unwrap();
            db.execute_batch("INSERT INTO posts (author_id, title) SELECT id, 't' FROM users").await.unwrap();
            db.execute_batch("INSERT INTO post_labels (post_id, label_id) SELECT id, 999 FROM posts").await.unwrap();
            db.execute_batch("DELETE FROM post_labels").await.unwrap();

            revert(&db, step, &Snapshot::of::<(User, Post, Label, PostLabel)>()).await;
        }
    };
}
pub(crate) use migration_tests;

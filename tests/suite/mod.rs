//! The behaviour suite every backend runs: written once, instantiated by
//! `tests/sqlite.rs`, `tests/postgres.rs` and `tests/mysql.rs`.
//!
//! Each test gets its own database: a fresh in-memory SQLite, a PostgreSQL
//! schema, or a MySQL database, created for the test and dropped after it
//! (also when it fails), so parallel tests and repeated runs never collide.
//! The servers' URLs come from `ORMLET_TEST_POSTGRES_URL` and
//! `ORMLET_TEST_MYSQL_URL`; with no server reachable the tests fail, unless
//! `ORMLET_SKIP_SERVER_TESTS=1` is set by hand.
// Each test file uses a different part of the suite.
#![allow(dead_code, unused_macros, unused_imports)]

use std::sync::atomic::{AtomicU32, Ordering};

use ormlet::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "users", has_many(posts = Post))]
pub struct User {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub email: String,
    #[ormlet(column = "display_name", index)]
    pub name: String,
    pub age: Option<i32>,
}

impl User {
    pub fn new(email: &str, name: &str, age: Option<i32>) -> Self {
        User { id: Auto::new(), email: email.into(), name: name.into(), age }
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "posts", many_to_many(labels = Label, through = PostLabel))]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = User, index)]
    pub author_id: i64,
    pub title: String,
    pub body: Option<String>,
    #[ormlet(default = 0)]
    pub likes: i64,
}

impl Post {
    pub fn new(author_id: i64, title: &str) -> Self {
        Post { id: Auto::new(), author_id, title: title.into(), body: None, likes: 0 }
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "labels")]
pub struct Label {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "post_labels")]
pub struct PostLabel {
    #[ormlet(primary_key, belongs_to = Post)]
    pub post_id: i64,
    #[ormlet(primary_key, belongs_to = Label)]
    pub label_id: i64,
}

/// A key the application chooses.
#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "tags")]
pub struct Tag {
    #[ormlet(primary_key)]
    pub code: String,
    pub label: String,
}

/// One column of each core type.
#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "kinds")]
pub struct Kinds {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub tiny: i8,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub byte: u8,
    pub word: u16,
    pub dword: u32,
    pub single: f32,
    pub double: f64,
    pub flag: bool,
    pub text: String,
    pub bytes: Vec<u8>,
    pub maybe_int: Option<i64>,
    pub maybe_text: Option<String>,
    pub maybe_flag: Option<bool>,
}

impl Kinds {
    pub fn sample(seed: i64) -> Self {
        Kinds {
            id: Auto::new(),
            tiny: -7,
            small: -12_345,
            int: 2_000_000_000,
            big: seed,
            byte: 255,
            word: 65_535,
            dword: 4_000_000_000,
            single: 1.5,
            double: -2.25e10,
            flag: true,
            text: "text ✓".into(),
            bytes: vec![0, 1, 2, 255],
            maybe_int: None,
            maybe_text: Some("set".into()),
            maybe_flag: None,
        }
    }
}

/// Names that try to close their quotes and run a second statement: a
/// table, an indexed column and a foreign key whose generated index and
/// key names carry both quote characters.
#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "h\"t`")]
pub struct HostileNames {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(column = "c\"; DROP TABLE canary; --", index)]
    pub c: String,
    #[ormlet(column = "d`; DROP TABLE canary; --", belongs_to = User, relation = "owner")]
    pub d: i64,
}

/// A column name no backend can hold.
#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "nul_name")]
pub struct NulName {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(column = "a\0b")]
    pub a: String,
}

pub const HOSTILE: &[&str] = &[
    "'; DROP TABLE users; --",
    "\" OR \"1\"=\"1",
    "Robert'); DROP TABLE posts;--",
    "back\\slash \\' \\\" \\0",
    "unicode ✓ 日本語 🦀 \u{202e}rtl",
    "%_ like wildcards %",
    "$1 ? :name @p placeholders",
    "",
    "line\nbreak\r\ttab",
];

/// Whether server tests were switched off by hand.
pub fn skip_servers() -> bool {
    std::env::var("ORMLET_SKIP_SERVER_TESTS").is_ok_and(|v| v == "1")
}

/// A name no other test, run or process uses.
pub fn unique_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("ormlet_t_{}_{}_{nanos}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A database for one test, dropped with it.
pub struct Isolated<D> {
    pub db: D,
    /// The URL `db` connected with (empty for SQLite).
    pub url: String,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl<D> Drop for Isolated<D> {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            // Its own thread and runtime: drop runs inside the test's runtime, maybe unwinding.
            let _ = std::thread::spawn(cleanup).join();
        }
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

pub async fn sqlite() -> Option<Isolated<ormlet::sqlite::AsyncDb>> {
    let db = ormlet::sqlite::AsyncDb::connect("sqlite::memory:").expect("in-memory database");
    Some(Isolated { db, url: String::new(), cleanup: None })
}

/// A SQLite file of its own (several connections, as an application has),
/// deleted with the test.
pub async fn sqlite_file() -> Option<Isolated<ormlet::sqlite::AsyncDb>> {
    let dir = std::env::temp_dir().join(format!("ormlet-{}", unique_name()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = ormlet::sqlite::AsyncDb::connect(&format!("sqlite://{}", dir.join("test.db").display()))
        .expect("file database");
    let cleanup = move || {
        let _ = std::fs::remove_dir_all(&dir);
    };
    Some(Isolated { db, url: String::new(), cleanup: Some(Box::new(cleanup)) })
}

pub fn postgres_url() -> String {
    std::env::var("ORMLET_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub fn mysql_url() -> String {
    std::env::var("ORMLET_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

/// A fresh PostgreSQL schema, the pool's search path.
pub async fn postgres() -> Option<Isolated<ormlet::postgres::Db>> {
    if skip_servers() {
        return None;
    }
    let url = postgres_url();
    let admin = ormlet::postgres::Db::connect(&url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is needed at {url} (ORMLET_TEST_POSTGRES_URL; ORMLET_SKIP_SERVER_TESTS=1 skips): {e}")
    });
    let name = unique_name();
    admin.execute_batch(&format!("CREATE SCHEMA {name}")).await.expect("create schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let own = format!("{url}{sep}options=-c%20search_path%3D{name}");
    let db = ormlet::postgres::Db::options(&own).pool_size(5).open().await.expect("connect to the test schema");
    let cleanup = move || {
        block_on(async {
            if let Ok(admin) = ormlet::postgres::Db::connect(&url).await {
                let _ = admin.execute_batch(&format!("DROP SCHEMA {name} CASCADE")).await;
            }
        })
    };
    Some(Isolated { db, url: own, cleanup: Some(Box::new(cleanup)) })
}

/// A fresh MySQL database.
pub async fn mysql() -> Option<Isolated<ormlet::mysql::Db>> {
    if skip_servers() {
        return None;
    }
    let url = mysql_url();
    let admin = ormlet::mysql::Db::connect(&url).await.unwrap_or_else(|e| {
        panic!("MySQL/MariaDB is needed at {url} (ORMLET_TEST_MYSQL_URL; ORMLET_SKIP_SERVER_TESTS=1 skips): {e}")
    });
    let name = unique_name();
    admin.execute_batch(&format!("CREATE DATABASE {name}")).await.expect("create database");
    let (base, query) = url.split_once('?').map_or((url.as_str(), ""), |(b, q)| (b, q));
    let root = base.rsplit_once('/').map_or(base, |(r, _)| r);
    let own = if query.is_empty() { format!("{root}/{name}") } else { format!("{root}/{name}?{query}") };
    let db = ormlet::mysql::Db::options(&own).pool_size(5).open().await.expect("connect to the test database");
    let own_url = own.clone();
    let cleanup = move || {
        block_on(async {
            if let Ok(admin) = ormlet::mysql::Db::connect(&url).await {
                let _ = admin.execute_batch(&format!("DROP DATABASE {name}")).await;
            }
        })
    };
    Some(Isolated { db, url: own_url, cleanup: Some(Box::new(cleanup)) })
}

/// The same database as an [`ormlet::AnyDb`] (for the migration tools).
pub trait AsAny {
    fn as_any(&self) -> ormlet::AnyDb;
}

impl AsAny for ormlet::sqlite::AsyncDb {
    fn as_any(&self) -> ormlet::AnyDb {
        ormlet::AnyDb::Sqlite(self.clone())
    }
}

impl AsAny for ormlet::postgres::Db {
    fn as_any(&self) -> ormlet::AnyDb {
        ormlet::AnyDb::Postgres(self.clone())
    }
}

impl AsAny for ormlet::mysql::Db {
    fn as_any(&self) -> ormlet::AnyDb {
        ormlet::AnyDb::MySql(self.clone())
    }
}

/// `?` or `$n` placeholders for hand-written SQL.
pub fn ph(backend: ormlet::Backend, n: usize) -> String {
    match backend {
        ormlet::Backend::Postgres => format!("${n}"),
        _ => "?".into(),
    }
}

/// The tests every backend runs. `$open` is an async fn giving an
/// `Option<Isolated<Db>>` (`None` when server tests are skipped by hand).
macro_rules! backend_tests {
    ($open:path) => {
        use ormlet::prelude::*;
        use ormlet::{ConstraintKind, Error};
        use $crate::suite::{HOSTILE, Kinds, Label, Post, PostLabel, Tag, User, ph};

        macro_rules! open {
            () => {
                match $open().await {
                    Some(t) => t,
                    None => return,
                }
            };
        }

        macro_rules! schema {
            ($db:expr) => {{
                $db.create_table::<User>().await.expect("users");
                $db.create_table::<Post>().await.expect("posts");
                $db.create_table::<Tag>().await.expect("tags");
                $db.create_table::<Kinds>().await.expect("kinds");
                $db.create_table::<Label>().await.expect("labels");
                $db.create_table::<PostLabel>().await.expect("post_labels");
            }};
        }

        macro_rules! seed {
            ($db:expr) => {{
                schema!($db);
                let mut users =
                    vec![User::new("ann@x.io", "Ann", Some(31)), User::new("bob@x.io", "Bob", Some(17)), User::new("cid@x.io", "Cid", None)];
                for u in &mut users {
                    u.insert($db).await.unwrap();
                }
                let (ann, bob) = (users[0].id.get().unwrap(), users[1].id.get().unwrap());
                for (a, t) in [(ann, "Ann 1"), (ann, "Ann 2"), (bob, "Bob 1")] {
                    Post::new(a, t).insert($db).await.unwrap();
                }
                users
            }};
        }

        fn names(users: &[User]) -> Vec<&str> {
            users.iter().map(|u| u.name.as_str()).collect()
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn insert_sets_the_generated_key_and_get_reads_it_back() {
            let t = open!();
            schema!(&t.db);
            let mut u = User::new("a@x.io", "Ann", Some(3));
            let id = u.insert(&t.db).await.unwrap();
            assert_eq!(u.id.get(), Some(id));
            assert_eq!(User::get(&t.db, id).await.unwrap(), u);
            let mut v = User::new("b@x.io", "Bob", None);
            assert!(v.insert(&t.db).await.unwrap() > id);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn get_of_a_missing_key_is_not_found_with_model_and_key() {
            let t = open!();
            schema!(&t.db);
            let err = User::get(&t.db, 404).await.unwrap_err();
            assert!(matches!(&err, Error::NotFound { model: "User", key: Some(k) } if k == "404"), "{err:?}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn update_writes_every_column_and_a_missing_row_is_not_found() {
            let t = open!();
            let mut users = seed!(&t.db);
            users[0].name = "Anna".into();
            users[0].age = None;
            users[0].update(&t.db).await.unwrap();
            assert_eq!(User::get(&t.db, users[0].id.get().unwrap()).await.unwrap(), users[0]);
            let ghost = User { id: Auto::from(9_999), ..users[1].clone() };
            assert!(ghost.update(&t.db).await.unwrap_err().is_not_found());
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn delete_removes_the_row_and_an_unsaved_row_has_no_key() {
            let t = open!();
            let users = seed!(&t.db);
            users[2].delete(&t.db).await.unwrap();
            assert_eq!(User::find().count(&t.db).await.unwrap(), 2);
            assert!(users[2].delete(&t.db).await.unwrap_err().is_not_found());
            let err = User::new("z@x.io", "Z", None).delete(&t.db).await.unwrap_err();
            assert!(matches!(err, Error::KeyNotSet { model: "User", .. }), "{err:?}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn insert_many_inserts_every_row_and_nothing_for_an_empty_slice() {
            let t = open!();
            schema!(&t.db);
            let rows: Vec<User> = (0..1_234).map(|i| User::new(&format!("u{i}@x.io"), &format!("U{i}"), Some(i))).collect();
            assert_eq!(User::insert_many(&t.db, &rows).await.unwrap(), 1_234);
            assert_eq!(User::find().count(&t.db).await.unwrap(), 1_234);
            assert_eq!(User::insert_many(&t.db, &[]).await.unwrap(), 0);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn insert_many_is_all_or_nothing_across_chunks() {
            let t = open!();
            schema!(&t.db);
            let mut rows: Vec<User> = (0..1_200).map(|i| User::new(&format!("u{i}@x.io"), "U", None)).collect();
            rows.push(User::new("u3@x.io", "duplicate email in the last chunk", None));
            let err = User::insert_many(&t.db, &rows).await.unwrap_err();
            assert_eq!(err.as_constraint().map(|c| c.kind), Some(ConstraintKind::Unique), "{err}");
            assert_eq!(User::find().count(&t.db).await.unwrap(), 0, "no chunk may stay inserted");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn comparisons_filter_as_sql_does() {
            let t = open!();
            seed!(&t.db);
            let q = |e| User::find().filter(e).order_by(User::NAME.asc());
            assert_eq!(names(&q(User::AGE.eq(31)).all(&t.db).await.unwrap()), ["Ann"]);
            assert_eq!(names(&q(User::AGE.ne(31)).all(&t.db).await.unwrap()), ["Bob"]);
            assert_eq!(names(&q(User::AGE.lt(31)).all(&t.db).await.unwrap()), ["Bob"]);
            assert_eq!(names(&q(User::AGE.le(31)).all(&t.db).await.unwrap()), ["Ann", "Bob"]);
            assert_eq!(names(&q(User::AGE.gt(17)).all(&t.db).await.unwrap()), ["Ann"]);
            assert_eq!(names(&q(User::AGE.ge(17)).all(&t.db).await.unwrap()), ["Ann", "Bob"]);
            assert_eq!(names(&q(User::AGE.between(10, 20)).all(&t.db).await.unwrap()), ["Bob"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn like_in_and_null_tests() {
            let t = open!();
            seed!(&t.db);
            let q = |e| User::find().filter(e).order_by(User::NAME.asc());
            assert_eq!(names(&q(User::NAME.like("A%")).all(&t.db).await.unwrap()), ["Ann"]);
            assert_eq!(names(&q(User::NAME.not_like("A%")).all(&t.db).await.unwrap()), ["Bob", "Cid"]);
            assert_eq!(names(&q(User::NAME.is_in(["Bob", "Cid"])).all(&t.db).await.unwrap()), ["Bob", "Cid"]);
            assert_eq!(names(&q(User::NAME.not_in(["Bob"])).all(&t.db).await.unwrap()), ["Ann", "Cid"]);
            assert!(q(User::NAME.is_in(Vec::<String>::new())).all(&t.db).await.unwrap().is_empty());
            assert_eq!(names(&q(User::AGE.is_null()).all(&t.db).await.unwrap()), ["Cid"]);
            assert_eq!(names(&q(User::AGE.is_not_null()).all(&t.db).await.unwrap()), ["Ann", "Bob"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn and_or_not_combine() {
            let t = open!();
            seed!(&t.db);
            let q = |e| User::find().filter(e).order_by(User::NAME.asc());
            assert_eq!(names(&q(User::AGE.gt(10).and(User::NAME.like("B%"))).all(&t.db).await.unwrap()), ["Bob"]);
            assert_eq!(names(&q(User::AGE.gt(30).or(User::AGE.is_null())).all(&t.db).await.unwrap()), ["Ann", "Cid"]);
            assert_eq!(names(&q(User::NAME.eq("Ann").not()).all(&t.db).await.unwrap()), ["Bob", "Cid"]);
            let both = User::find().filter(User::AGE.gt(10)).filter(User::AGE.lt(20)).all(&t.db).await.unwrap();
            assert_eq!(names(&both), ["Bob"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn order_limit_offset_and_pages() {
            let t = open!();
            seed!(&t.db);
            let desc = User::find().order_by(User::NAME.desc()).all(&t.db).await.unwrap();
            assert_eq!(names(&desc), ["Cid", "Bob", "Ann"]);
            let mid = User::find().order_by(User::NAME.asc()).limit(1).offset(1).all(&t.db).await.unwrap();
            assert_eq!(names(&mid), ["Bob"]);
            let page2 = User::find().order_by(User::NAME.asc()).page(2, 2).all(&t.db).await.unwrap();
            assert_eq!(names(&page2), ["Cid"]);
            let rest = User::find().order_by(User::NAME.asc()).offset(1).all(&t.db).await.unwrap();
            assert_eq!(names(&rest), ["Bob", "Cid"], "OFFSET without LIMIT");
            let none = User::find().order_by(User::NAME.asc()).offset(10).all(&t.db).await.unwrap();
            assert!(none.is_empty());
            assert_eq!(User::find().offset(1).count(&t.db).await.unwrap(), 2);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn doubles_too_large_for_an_f32_are_decode_errors() {
            let t = open!();
            let sql = format!("SELECT {}", ph(t.db.backend(), 1));
            let too_large: Result<Vec<(f32,)>, Error> = t.db.raw(sql.clone(), params![1e300f64]).all().await;
            let err = too_large.unwrap_err();
            assert!(matches!(err, Error::Decode { expected: "f32", .. }), "{err}");
            let fits: Vec<(f32,)> = t.db.raw(sql.clone(), params![1.5f64]).all().await.unwrap();
            assert_eq!(fits, [(1.5f32,)]);
            let wide: Vec<(f64,)> = t.db.raw(sql, params![1e300f64]).all().await.unwrap();
            assert_eq!(wide, [(1e300f64,)]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn hostile_identifiers_are_quoted_and_harm_no_table() {
            use $crate::suite::{AsAny, HostileNames};
            let t = open!();
            schema!(&t.db);
            let any = t.db.as_any();
            any.execute_batch("CREATE TABLE canary (x INTEGER)").await.unwrap();
            t.db.create_table::<HostileNames>().await.unwrap();
            let mut owner = User::new("o@x.io", "Owner", None);
            let owner_id = owner.insert(&t.db).await.unwrap();
            let mut row = HostileNames { id: Auto::new(), c: "c".into(), d: owner_id };
            row.insert(&t.db).await.unwrap();
            assert_eq!(HostileNames::find().filter(HostileNames::C.eq("c")).all(&t.db).await.unwrap(), [row]);
            let canary: Vec<(i64,)> = t.db.raw("SELECT COUNT(*) FROM canary", vec![]).all().await.unwrap();
            assert_eq!(canary, [(0,)], "the canary table is intact");
            // The names read back from the live database as the model gave them.
            let live = ormlet::migrate::introspect(&any).await.unwrap();
            let table = live.table("h\"t`").expect("the table by its name");
            assert!(table.columns.iter().any(|c| c.name == "c\"; DROP TABLE canary; --"), "{table:?}");
            assert!(table.indexes.iter().any(|i| i.name == "idx_h\"t`_c\"; DROP TABLE canary; --"), "{table:?}");
            assert!(table.foreign_keys.iter().any(|f| f.column == "d`; DROP TABLE canary; --"), "{table:?}");
            // NUL fits no backend's identifiers: a typed error before anything runs.
            let err = t.db.create_table::<$crate::suite::NulName>().await.unwrap_err();
            assert!(matches!(&err, Error::InvalidName { reason, .. } if reason.contains("NUL")), "{err}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_migration_plan_quotes_the_names_it_reads_from_the_database() {
            use $crate::suite::AsAny;
            use ormlet::migrate::{Migrator, Snapshot, plan};
            let t = open!();
            schema!(&t.db);
            let any = t.db.as_any();
            let d = t.db.backend().dialect();
            let name = "k\"`; DROP TABLE canary; --";
            let sql = format!("CREATE INDEX {} ON {} ({})", d.quote_ident(name), d.quote_ident("users"), d.quote_ident("age"));
            any.execute_batch(&sql).await.unwrap();
            // The live index is not in the models: the plan drops it, by its name.
            let models = Snapshot::of::<(User, Post, Tag, Kinds, Label, PostLabel)>();
            let p = plan(&any, &models).await.unwrap();
            assert!(p.up.iter().any(|s| s.contains(&d.quote_ident(name))), "{:?}", p.up);
            any.execute_batch("CREATE TABLE canary (x INTEGER)").await.unwrap();
            Migrator::new(vec![p.to_migration(1, "drop_hostile_index")]).run(&any, None).await.unwrap();
            let canary: Vec<(i64,)> = t.db.raw("SELECT COUNT(*) FROM canary", vec![]).all().await.unwrap();
            assert_eq!(canary, [(0,)], "the canary table is intact");
            let live = ormlet::migrate::introspect(&any).await.unwrap();
            assert!(live.table("users").unwrap().indexes.iter().all(|i| i.name != name));
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn contains_starts_with_and_ends_with_match_text_literally() {
            let t = open!();
            schema!(&t.db);
            for (i, name) in ["a\\%c", "a\\c", "a%c", "abc", "50%_off", "50x_off", "5!_x", "5!x"].iter().enumerate() {
                User::new(&format!("u{i}@x.io"), name, None).insert(&t.db).await.unwrap();
            }
            macro_rules! names_where {
                ($e:expr) => {{
                    let mut n: Vec<String> = User::find().filter($e).select(User::NAME).all(&t.db).await.unwrap();
                    n.sort();
                    n
                }};
            }
            assert_eq!(names_where!(User::NAME.contains("a\\%c")), ["a\\%c"]);
            assert_eq!(names_where!(User::NAME.contains("%")), ["50%_off", "a%c", "a\\%c"]);
            assert_eq!(names_where!(User::NAME.contains("%_")), ["50%_off"]);
            assert_eq!(names_where!(User::NAME.starts_with("50%")), ["50%_off"]);
            assert_eq!(names_where!(User::NAME.starts_with("5!")), ["5!_x", "5!x"]);
            assert_eq!(names_where!(User::NAME.ends_with("_x")), ["5!_x"]);
            assert_eq!(names_where!(User::NAME.ends_with("\\c")), ["a\\c"]);
            assert!(names_where!(User::NAME.contains("_o_")).is_empty());
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn failed_queries_keep_their_values_out_of_reports() {
            let t = open!();
            schema!(&t.db);
            let secret = "S3CR3T-5f2a";
            User::new(secret, "Ann", None).insert(&t.db).await.unwrap();
            let b = t.db.backend();
            // Everything `tracing` is given: spans, their fields, the profiler's warnings.
            let seen = $crate::suite::spans::Seen::default();
            let subscriber = seen.subscriber();
            let ((), p) = tracing::instrument::WithSubscriber::with_subscriber(
                ormlet::profile_async(async {
                    // A duplicate of the secret: the server quotes it in its message.
                    assert!(User::new(secret, "Bob", None).insert(&t.db).await.is_err());
                    // Text where a number goes: the server quotes the text.
                    let sql = format!("SELECT 1 FROM users WHERE id = {}", ph(b, 1));
                    let _ = t.db.raw(sql, params![secret]).all::<(i64,)>().await;
                    // A stored value too large for the field: decode errors name it.
                    let big: Result<Vec<(i32,)>, Error> =
                        t.db.raw(format!("SELECT {}", ph(b, 1)), params![7_777_777_777i64]).all().await;
                    assert!(big.is_err());
                    // The same lookup twice: a duplicate finding, warned about.
                    for _ in 0..2 {
                        User::find().filter(User::EMAIL.eq(secret)).all(&t.db).await.unwrap();
                    }
                }),
                subscriber,
            )
            .await;
            assert!(p.queries().iter().filter(|q| q.error.is_some()).count() >= 2, "{}", p.to_text_with(false));
            for report in [p.to_text_with(false), p.to_json(), p.to_html()] {
                assert!(!report.contains(secret) && !report.contains("7777777777"), "{report}");
            }
            let traced = seen.0.lock().unwrap().clone();
            assert!(traced.iter().any(|(name, _)| name == "event:WARN"), "the duplicate was warned about: {traced:?}");
            let traced = format!("{traced:?}");
            assert!(!traced.contains(secret) && !traced.contains("7777777777"), "{traced}");
            let kept = ormlet::profile_async_with(ormlet::ProfilerConfig::default().capture_values(true), async {
                let _ = User::new(secret, "Cid", None).insert(&t.db).await;
            })
            .await
            .1;
            assert!(kept.to_json().contains(secret), "with values captured the error keeps its text");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn distinct_count_exists_first_and_one() {
            let t = open!();
            seed!(&t.db);
            let authors: Vec<i64> = Post::find().select(Post::AUTHOR_ID).distinct().order_by(Post::AUTHOR_ID.asc()).all(&t.db).await.unwrap();
            assert_eq!(authors.len(), 2);
            assert_eq!(User::find().count(&t.db).await.unwrap(), 3);
            assert_eq!(User::find().filter(User::AGE.gt(18)).limit(5).count(&t.db).await.unwrap(), 1);
            assert!(User::find().filter(User::NAME.eq("Bob")).exists(&t.db).await.unwrap());
            assert!(!User::find().filter(User::NAME.eq("Zed")).exists(&t.db).await.unwrap());
            assert_eq!(User::find().order_by(User::NAME.asc()).first(&t.db).await.unwrap().unwrap().name, "Ann");
            assert!(User::find().filter(User::NAME.eq("Zed")).first(&t.db).await.unwrap().is_none());
            assert!(User::find().filter(User::NAME.eq("Zed")).one(&t.db).await.unwrap_err().is_not_found());
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn select_into_tuples() {
            let t = open!();
            seed!(&t.db);
            let rows: Vec<(String, Option<i32>)> =
                User::find().select((User::NAME, User::AGE)).order_by(User::NAME.asc()).all(&t.db).await.unwrap();
            assert_eq!(rows, [("Ann".into(), Some(31)), ("Bob".into(), Some(17)), ("Cid".into(), None)]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn inner_and_left_joins() {
            let t = open!();
            seed!(&t.db);
            let inner = User::find().inner_join(User::ID.equals(Post::AUTHOR_ID)).order_by(Post::ID.asc()).all(&t.db).await.unwrap();
            let pairs: Vec<(&str, &str)> = inner.iter().map(|(u, p)| (u.name.as_str(), p.title.as_str())).collect();
            assert_eq!(pairs, [("Ann", "Ann 1"), ("Ann", "Ann 2"), ("Bob", "Bob 1")]);
            let left = User::find()
                .left_join(User::ID.equals(Post::AUTHOR_ID))
                .filter(User::NAME.eq("Cid"))
                .all(&t.db)
                .await
                .unwrap();
            assert_eq!(left.len(), 1);
            assert!(left[0].1.is_none());
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn group_by_having_and_aggregates() {
            let t = open!();
            seed!(&t.db);
            let per_author: Vec<(i64, i64)> = Post::find()
                .select((Post::AUTHOR_ID, Post::ID.count()))
                .group_by(Post::AUTHOR_ID)
                .having(Post::ID.count().gt(1))
                .all(&t.db)
                .await
                .unwrap();
            assert_eq!(per_author.len(), 1);
            assert_eq!(per_author[0].1, 2);
            let (sum, avg, min, max): (Option<i64>, Option<f64>, Option<i32>, Option<i32>) = User::find()
                .select((User::AGE.sum(), User::AGE.avg(), User::AGE.min(), User::AGE.max()))
                .one(&t.db)
                .await
                .unwrap();
            assert_eq!((sum, min, max), (Some(48), Some(17), Some(31)));
            assert!((avg.unwrap() - 24.0).abs() < 1e-9, "{avg:?}");
            let empty: Option<i64> = User::find().filter(User::AGE.gt(100)).select(User::AGE.sum()).one(&t.db).await.unwrap();
            assert_eq!(empty, None);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn subqueries_in_and_exists() {
            let t = open!();
            seed!(&t.db);
            let writers = User::find()
                .filter(User::ID.in_subquery(Post::find().select(Post::AUTHOR_ID)))
                .order_by(User::NAME.asc())
                .all(&t.db)
                .await
                .unwrap();
            assert_eq!(names(&writers), ["Ann", "Bob"]);
            let silent = User::find()
                .filter(not_exists(Post::find().filter(Post::TITLE.eq("nothing"))))
                .count(&t.db)
                .await
                .unwrap();
            assert_eq!(silent, 3);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn update_where_and_delete_where_report_rows_changed() {
            let t = open!();
            seed!(&t.db);
            let n = User::update_where(User::AGE.is_null(), [User::AGE.set(1)]).exec(&t.db).await.unwrap();
            assert_eq!(n, 1);
            assert_eq!(User::find().filter(User::AGE.eq(1)).count(&t.db).await.unwrap(), 1);
            let gone = Post::delete_where(Post::TITLE.like("Ann%")).exec(&t.db).await.unwrap();
            assert_eq!(gone, 2);
            assert_eq!(Post::find().count(&t.db).await.unwrap(), 1);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn returning_gives_the_changed_rows_where_the_backend_has_it() {
            let t = open!();
            seed!(&t.db);
            if !t.db.backend().supports_returning() {
                return;
            }
            let changed = User::update_where(User::NAME.eq("Bob"), [User::AGE.set(18)]).returning(&t.db).await.unwrap();
            assert_eq!(changed.len(), 1);
            assert_eq!(changed[0].age, Some(18));
            let removed = Post::delete_where(Post::TITLE.eq("Bob 1")).returning(&t.db).await.unwrap();
            assert_eq!(removed[0].title, "Bob 1");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn upsert_updates_or_keeps_the_existing_row() {
            let t = open!();
            seed!(&t.db);
            let mut again = User::new("ann@x.io", "Ann B.", Some(32));
            again.upsert(&t.db, OnConflict::columns(User::EMAIL)).await.unwrap();
            let ann = User::find().filter(User::EMAIL.eq("ann@x.io")).one(&t.db).await.unwrap();
            assert_eq!((ann.name.as_str(), ann.age), ("Ann B.", Some(32)));
            assert_eq!(again.id, ann.id, "an updating upsert gives the existing row's key");
            let mut keep = User::new("bob@x.io", "Not Bob", None);
            keep.upsert(&t.db, OnConflict::columns(User::EMAIL).do_nothing()).await.unwrap();
            let bob = User::find().filter(User::EMAIL.eq("bob@x.io")).one(&t.db).await.unwrap();
            assert_eq!(bob.name, "Bob");
            assert_eq!(keep.id, bob.id, "a kept row's key comes back: get or create in one call");
            let mut fresh = User::new("new@x.io", "New", None);
            fresh.upsert(&t.db, OnConflict::columns(User::EMAIL)).await.unwrap();
            assert_eq!(User::find().count(&t.db).await.unwrap(), 4);
            assert_eq!(User::get(&t.db, fresh.id.get().unwrap()).await.unwrap().email, "new@x.io");
            // Many at once: kept rows stay as they were, new ones come in.
            let batch = [User::new("bob@x.io", "Not Bob", None), User::new("many@x.io", "Many", None)];
            User::upsert_many(&t.db, &batch, OnConflict::columns(User::EMAIL).do_nothing()).await.unwrap();
            User::upsert_many(&t.db, &batch, OnConflict::columns(User::EMAIL).update(User::AGE)).await.unwrap();
            assert_eq!(User::find().filter(User::EMAIL.eq("bob@x.io")).one(&t.db).await.unwrap().name, "Bob");
            assert_eq!(User::find().count(&t.db).await.unwrap(), 5);
            User::delete_where(User::EMAIL.eq("many@x.io")).exec(&t.db).await.unwrap();
            let mut created = User::new("cid2@x.io", "Cid 2", None);
            created.upsert(&t.db, OnConflict::columns(User::EMAIL).do_nothing()).await.unwrap();
            assert_eq!(User::get(&t.db, created.id.get().unwrap()).await.unwrap().name, "Cid 2");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn raw_queries_bind_their_values() {
            let t = open!();
            seed!(&t.db);
            let b = t.db.backend();
            let sql = format!("SELECT id, email, display_name, age FROM users WHERE display_name = {}", ph(b, 1));
            let rows: Vec<User> = t.db.raw(sql, params!["Bob"]).all().await.unwrap();
            assert_eq!(names(&rows), ["Bob"]);
            let n = t.db.raw(format!("UPDATE users SET age = {} WHERE age IS NULL", ph(b, 1)), params![5]).exec().await.unwrap();
            assert_eq!(n, 1);
            let count: i64 = t.db.raw("SELECT COUNT(*) FROM users", vec![]).one().await.unwrap();
            assert_eq!(count, 3);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn hostile_strings_round_trip_and_harm_no_table() {
            let t = open!();
            schema!(&t.db);
            for (i, s) in HOSTILE.iter().enumerate() {
                let mut u = User::new(&format!("{i}{s}"), s, None);
                let id = u.insert(&t.db).await.unwrap();
                assert_eq!(User::get(&t.db, id).await.unwrap().name, *s);
                let found = User::find().filter(User::NAME.eq(*s)).all(&t.db).await.unwrap();
                assert!(found.iter().any(|f| f.id == id), "filter by {s:?}");
            }
            assert_eq!(User::find().count(&t.db).await.unwrap(), HOSTILE.len() as i64);
            assert_eq!(Post::find().count(&t.db).await.unwrap(), 0);
            let n = User::find().filter(User::NAME.is_in(HOSTILE.iter().copied())).count(&t.db).await.unwrap();
            assert_eq!(n, HOSTILE.len() as i64);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_nul_character_round_trips_or_is_a_typed_error() {
            let t = open!();
            schema!(&t.db);
            let mut u = User::new("nul@x.io", "nul \0 inside", None);
            match u.insert(&t.db).await {
                Ok(id) => assert_eq!(User::get(&t.db, id).await.unwrap().name, "nul \0 inside"),
                // PostgreSQL text cannot hold NUL: refused before it is sent.
                Err(e) => {
                    assert_eq!(t.db.backend(), ormlet::Backend::Postgres, "{e}");
                    assert!(matches!(&e, Error::InvalidValue { column, .. } if column == "display_name"), "{e:?}");
                    assert_eq!(User::find().count(&t.db).await.unwrap(), 0);
                }
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn one_mebibyte_text_and_blob_round_trip() {
            let t = open!();
            schema!(&t.db);
            let mut k = Kinds::sample(1);
            k.text = "x".repeat(1 << 20);
            k.bytes = (0..(1u32 << 20)).map(|i| (i % 251) as u8).collect();
            let id = k.insert(&t.db).await.unwrap();
            assert_eq!(Kinds::get(&t.db, id).await.unwrap(), k);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn negative_zero_comes_back_as_the_types_docs_say() {
            let t = open!();
            schema!(&t.db);
            let mut k = Kinds::sample(1);
            k.single = -0.0;
            k.double = -0.0;
            let id = k.insert(&t.db).await.unwrap();
            let back = Kinds::get(&t.db, id).await.unwrap();
            // Equal either way (-0.0 == 0.0); the sign is what differs.
            assert_eq!((back.single, back.double), (0.0, 0.0));
            let kept = t.db.backend() == ormlet::Backend::Postgres;
            assert_eq!(back.single.is_sign_negative(), kept, "f32 on {:?}", t.db.backend());
            assert_eq!(back.double.is_sign_negative(), kept, "f64 on {:?}", t.db.backend());
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn nan_and_infinities_are_stored_or_refused_as_the_types_docs_say() {
            let t = open!();
            schema!(&t.db);
            let backend = t.db.backend();
            for (value, stored) in [
                (f64::NAN, backend == ormlet::Backend::Postgres),
                (f64::INFINITY, backend != ormlet::Backend::MySql),
                (f64::NEG_INFINITY, backend != ormlet::Backend::MySql),
            ] {
                let mut k = Kinds::sample(1);
                k.double = value;
                match k.insert(&t.db).await {
                    Ok(id) => {
                        assert!(stored, "{value} was stored on {backend:?}");
                        let back = Kinds::get(&t.db, id).await.unwrap().double;
                        assert!(back.to_bits() == value.to_bits() || (back.is_nan() && value.is_nan()), "{back}");
                    }
                    Err(e) => assert!(!stored, "{value} was refused on {backend:?}: {e}"),
                }
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn every_core_type_round_trips_with_its_extremes() {
            let t = open!();
            schema!(&t.db);
            let mut rows = vec![Kinds::sample(i64::MAX), Kinds::sample(i64::MIN), Kinds::sample(0)];
            rows[1].tiny = i8::MIN;
            rows[1].small = i16::MIN;
            rows[1].int = i32::MIN;
            rows[1].byte = 0;
            rows[1].word = 0;
            rows[1].dword = 0;
            rows[1].flag = false;
            rows[1].maybe_int = Some(-1);
            rows[1].maybe_flag = Some(false);
            rows[1].maybe_text = None;
            rows[2].tiny = i8::MAX;
            rows[2].small = i16::MAX;
            rows[2].int = i32::MAX;
            rows[2].single = -0.125;
            rows[2].double = f64::MAX;
            rows[2].bytes = vec![];
            rows[2].text = String::new();
            for k in &mut rows {
                let id = k.insert(&t.db).await.unwrap();
                assert_eq!(&Kinds::get(&t.db, id).await.unwrap(), k);
            }
            let by_flag = Kinds::find().filter(Kinds::FLAG.eq(true)).count(&t.db).await.unwrap();
            assert_eq!(by_flag, 2);
            let by_bytes = Kinds::find().filter(Kinds::BYTES.eq(vec![0u8, 1, 2, 255])).count(&t.db).await.unwrap();
            assert_eq!(by_bytes, 2);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn application_keys_and_duplicate_primary_keys() {
            let t = open!();
            schema!(&t.db);
            let mut rust = Tag { code: "rs".into(), label: "Rust".into() };
            assert_eq!(rust.insert(&t.db).await.unwrap(), "rs");
            assert_eq!(Tag::get(&t.db, "rs".to_owned()).await.unwrap().label, "Rust");
            let err = rust.insert(&t.db).await.unwrap_err();
            let c = err.as_constraint().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(c.kind, ConstraintKind::PrimaryKey, "{c:?}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn unique_violations_are_typed_and_name_the_column() {
            let t = open!();
            seed!(&t.db);
            let err = User::new("ann@x.io", "Other Ann", None).insert(&t.db).await.unwrap_err();
            let c = err.as_constraint().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(c.kind, ConstraintKind::Unique);
            assert!(c.columns.iter().any(|col| col == "email") || c.constraint.as_deref().is_some_and(|n| n.contains("email")), "{c:?}");
            assert_eq!(User::find().count(&t.db).await.unwrap(), 3);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn not_null_violations_are_typed_and_name_the_column() {
            let t = open!();
            schema!(&t.db);
            let b = t.db.backend();
            let sql = format!("INSERT INTO users (email, display_name) VALUES ({}, NULL)", ph(b, 1));
            let err = t.db.raw(sql, params!["n@x.io"]).exec().await.unwrap_err();
            let c = err.as_constraint().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(c.kind, ConstraintKind::NotNull);
            assert_eq!(c.columns, ["display_name"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn foreign_key_violations_are_typed() {
            let t = open!();
            schema!(&t.db);
            let err = Post::new(404, "orphan").insert(&t.db).await.unwrap_err();
            let c = err.as_constraint().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(c.kind, ConstraintKind::ForeignKey);
            assert_eq!(Post::find().count(&t.db).await.unwrap(), 0);
            // Deleting a referenced row names the referencing table and column.
            let mut ann = User::new("ann@x.io", "Ann", None);
            let id = ann.insert(&t.db).await.unwrap();
            Post::new(id, "kept").insert(&t.db).await.unwrap();
            let err = ann.delete(&t.db).await.unwrap_err();
            let c = err.as_constraint().unwrap_or_else(|| panic!("{err:?}"));
            assert_eq!(c.kind, ConstraintKind::ForeignKey);
            if t.db.backend() != ormlet::Backend::Sqlite {
                // SQLite's message names nothing.
                assert_eq!((c.table.as_deref(), &c.columns[..]), (Some("posts"), &["author_id".to_owned()][..]), "{err}");
                assert!(c.message.contains("users"), "the referenced table: {err}");
            }
            assert_eq!(User::find().count(&t.db).await.unwrap(), 1);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn decode_errors_name_the_column_and_types() {
            let t = open!();
            seed!(&t.db);
            let err = t.db.raw("SELECT display_name FROM users", vec![]).all::<i64>().await.unwrap_err();
            assert!(matches!(&err, Error::Decode { expected: "i64", .. }), "{err:?}");
            let err = t.db.raw("SELECT id FROM users", vec![]).all::<User>().await.unwrap_err();
            assert!(matches!(&err, Error::Decode { column, .. } if column == "email"), "{err:?}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn bad_sql_is_a_database_error_with_the_sql() {
            let t = open!();
            let err = t.db.raw("SELEKT 1", vec![]).exec().await.unwrap_err();
            assert!(matches!(&err, Error::Database { sql, .. } if sql == "SELEKT 1"), "{err:?}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn relations_load_lazily_and_eagerly() {
            use $crate::suite::{PostRelations, UserRelations};
            let t = open!();
            seed!(&t.db);
            let post = Post::find().filter(Post::TITLE.eq("Bob 1")).one(&t.db).await.unwrap();
            assert_eq!(post.author(&t.db).await.unwrap().name, "Bob");
            let (posts, p) = ormlet::profile_async(Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).all(&t.db)).await;
            let posts = posts.unwrap();
            assert_eq!(p.query_count(), 2);
            // Its scope ended before the rows were read: an unused eager load there.
            assert_eq!(p.findings_of(ormlet::profiler::FindingKind::UnusedEagerLoad).count(), 1, "{}", p.to_text());
            assert_eq!(posts.iter().map(|p| p.author().name.as_str()).collect::<Vec<_>>(), ["Ann", "Ann", "Bob"]);
            let (first, p) = ormlet::profile_async(async {
                let posts = Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).all(&t.db).await.unwrap();
                posts[0].author().name.clone()
            })
            .await;
            assert_eq!(first, "Ann");
            assert!(p.findings().is_empty(), "{}", p.to_text());
            let users = User::find().order_by(User::NAME.asc()).with(User::POSTS).all(&t.db).await.unwrap();
            assert_eq!(users.iter().map(|u| u.posts().len()).collect::<Vec<_>>(), [2, 1, 0]);
            let counts: Vec<(User, i64)> = User::find().order_by(User::NAME.asc()).annotate_count(User::POSTS).all(&t.db).await.unwrap();
            assert_eq!(counts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [2, 1, 0]);
            let busy = User::find().filter(User::POSTS.any(Post::TITLE.like("%2"))).all(&t.db).await.unwrap();
            assert_eq!(names(&busy), ["Ann"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn nested_and_many_to_many_relations_cost_one_query_per_level() {
            use $crate::suite::{PostRelations, UserRelations};
            let t = open!();
            seed!(&t.db);
            let rust = Label { id: Auto::new(), name: "rust".into() }.insert(&t.db).await.unwrap();
            let sql = Label { id: Auto::new(), name: "sql".into() }.insert(&t.db).await.unwrap();
            let posts: Vec<i64> = Post::find().select(Post::ID).order_by(Post::ID.asc()).all(&t.db).await.unwrap();
            for (post_id, label_id) in [(posts[0], rust), (posts[0], sql), (posts[2], rust)] {
                PostLabel { post_id, label_id }.insert(&t.db).await.unwrap();
            }
            let (users, p) = ormlet::profile_async(
                User::find().order_by(User::NAME.asc()).with(User::POSTS.with(Post::LABELS)).all(&t.db),
            )
            .await;
            let users = users.unwrap();
            assert_eq!(p.query_count(), 3, "{}", p.to_text());
            let ann_first = users[0].posts().iter().find(|p| p.title == "Ann 1").unwrap();
            let mut labels: Vec<&str> = ann_first.labels().iter().map(|l| l.name.as_str()).collect();
            labels.sort_unstable();
            assert_eq!(labels, ["rust", "sql"]);
            assert!(users[2].posts().is_empty());
            let (posts, p) = ormlet::profile_async(
                Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).with(Post::LABELS).all(&t.db),
            )
            .await;
            let posts = posts.unwrap();
            assert_eq!(p.query_count(), 3);
            assert_eq!(posts.iter().map(|p| p.labels().len()).collect::<Vec<_>>(), [2, 0, 1]);
            assert_eq!(posts[2].author().name, "Bob");
            let tagged = Post::find().filter(Post::LABELS.any(Label::NAME.eq("sql"))).all(&t.db).await.unwrap();
            assert_eq!(tagged.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["Ann 1"]);
            let counts: Vec<(Post, i64)> =
                Post::find().order_by(Post::ID.asc()).annotate_count(Post::LABELS).all(&t.db).await.unwrap();
            assert_eq!(counts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [2, 0, 1]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn five_thousand_parents_load_in_a_fixed_number_of_queries() {
            use $crate::suite::UserRelations;
            let t = open!();
            schema!(&t.db);
            let users: Vec<User> = (0..5_000).map(|i| User::new(&format!("u{i}@x.io"), &format!("U{i}"), None)).collect();
            User::insert_many(&t.db, &users).await.unwrap();
            let ids: Vec<i64> = User::find().select(User::ID).all(&t.db).await.unwrap();
            let posts: Vec<Post> = ids.iter().map(|&a| Post::new(a, "p")).collect();
            Post::insert_many(&t.db, &posts).await.unwrap();
            // Every backend's parameter limit holds 5 000 keys (padded to 8 192): 1 + 1 queries.
            let (loaded, p) = ormlet::profile_async(User::find().with(User::POSTS).all(&t.db)).await;
            let loaded = loaded.unwrap();
            assert_eq!(p.query_count(), 2, "{}", p.summary());
            // N+1s and duplicates are what this test is about (a busy machine
            // can make the 5 000-row read slow, and the rows are read after
            // the scope, which makes its eager load an unused one there).
            use ormlet::profiler::FindingKind::{Duplicate, NPlusOne};
            assert!(!p.findings().iter().any(|f| matches!(f.kind, NPlusOne | Duplicate)), "{}", p.to_text());
            assert_eq!(loaded.len(), 5_000);
            assert!(loaded.iter().all(|u| u.posts().len() == 1));
            // A relation filter and a count per parent: one query each.
            let (n, p) = ormlet::profile_async(User::find().filter(User::POSTS.exists()).count(&t.db)).await;
            assert_eq!((n.unwrap(), p.query_count()), (5_000, 1));
            let (counts, p) =
                ormlet::profile_async(User::find().annotate_count(User::POSTS).limit(10).all(&t.db)).await;
            assert_eq!(p.query_count(), 1);
            assert!(counts.unwrap().iter().all(|(_, n)| *n == 1));
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_live_schema_reads_back_as_the_models_describe_it() {
            use $crate::suite::AsAny;
            use ormlet::migrate::{Snapshot, TableSpec, introspect};
            let t = open!();
            schema!(&t.db);
            let live = introspect(&t.db.as_any()).await.unwrap();
            let models = Snapshot::of::<(User, Post, Tag, Kinds, Label, PostLabel)>();
            // Types stay each backend's own; the rest must agree.
            fn shape(t: &TableSpec) -> impl PartialEq + std::fmt::Debug {
                let cols: Vec<(String, bool, bool, bool, bool)> = t
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.nullable, c.primary_key, c.auto_increment, c.unique))
                    .collect();
                (t.name.clone(), cols, t.indexes.clone(), t.foreign_keys.clone())
            }
            assert_eq!(live.tables.len(), models.tables.len(), "{live:#?}");
            for m in &models.tables {
                let l = live.table(&m.name).unwrap_or_else(|| panic!("no table {}", m.name));
                assert_eq!(shape(l), shape(m), "table {}", m.name);
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn every_query_is_recorded_with_this_files_call_site() {
            let t = open!();
            schema!(&t.db);
            let ((), p) = ormlet::profile_async(async {
                User::find().all(&t.db).await.unwrap();
                User::new("e@x.io", "E", None).insert(&t.db).await.unwrap();
            })
            .await;
            assert_eq!(p.query_count(), 2);
            for q in p.queries() {
                // Inside this macro, `file!()` and the call sites name the file that instantiates it.
                assert_eq!(q.call_site.file(), file!());
                assert_eq!(q.backend, t.db.backend());
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn dropping_an_unfinished_transaction_rolls_it_back() {
            let t = open!();
            schema!(&t.db);
            {
                let tx = t.db.begin().await.unwrap();
                User::new("a@x.io", "Ann", None).insert(&tx).await.unwrap();
                assert_eq!(User::find().count(&tx).await.unwrap(), 1);
            }
            assert_eq!(User::find().count(&t.db).await.unwrap(), 0);
            // Every pooled connection is usable and outside any transaction afterwards.
            for _ in 0..6 {
                User::find().count(&t.db).await.unwrap();
            }
            let tx = t.db.begin().await.unwrap();
            User::new("b@x.io", "Bob", None).insert(&tx).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(User::find().count(&t.db).await.unwrap(), 1);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_explicit_rollback_discards_the_writes() {
            let t = open!();
            schema!(&t.db);
            let tx = t.db.begin().await.unwrap();
            User::new("a@x.io", "Ann", None).insert(&tx).await.unwrap();
            tx.rollback().await.unwrap();
            assert_eq!(User::find().count(&t.db).await.unwrap(), 0);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_panic_inside_a_transaction_rolls_it_back() {
            use $crate::suite::AsAny;
            let t = open!();
            schema!(&t.db);
            let db = t.db.as_any();
            let joined = tokio::spawn(async move {
                db.transaction(|tx| {
                    Box::pin(async move {
                        User::new("a@x.io", "Ann", None).insert(tx).await?;
                        panic!("the handler failed");
                        #[allow(unreachable_code)]
                        Ok(())
                    })
                })
                .await
            })
            .await;
            assert!(joined.unwrap_err().is_panic());
            assert_eq!(User::find().count(&t.db).await.unwrap(), 0);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_failed_savepoint_rolls_back_alone() {
            let t = open!();
            schema!(&t.db);
            let tx = t.db.begin().await.unwrap();
            User::new("a@x.io", "Ann", None).insert(&tx).await.unwrap();
            let inner = tx
                .transaction(|tx| {
                    Box::pin(async move {
                        User::new("b@x.io", "Bob", None).insert(tx).await?;
                        Err::<(), _>(Error::NotFound { model: "User", key: None })
                    })
                })
                .await;
            assert!(inner.unwrap_err().is_not_found());
            let kept = tx
                .transaction(|tx| Box::pin(async move { User::new("c@x.io", "Cid", None).insert(tx).await }))
                .await;
            assert!(kept.is_ok());
            tx.commit().await.unwrap();
            let names: Vec<String> =
                User::find().select(User::NAME).order_by(User::NAME.asc()).all(&t.db).await.unwrap();
            assert_eq!(names, ["Ann", "Cid"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn insert_many_in_a_transaction_goes_with_it() {
            let t = open!();
            schema!(&t.db);
            let rows: Vec<User> = (0..1_100).map(|i| User::new(&format!("u{i}@x.io"), "U", None)).collect();
            let tx = t.db.begin().await.unwrap();
            assert_eq!(User::insert_many(&tx, &rows).await.unwrap(), 1_100);
            tx.rollback().await.unwrap();
            assert_eq!(User::find().count(&t.db).await.unwrap(), 0);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn transactions_roll_back_on_the_applications_own_error() {
            use $crate::suite::AsAny;
            #[derive(Debug)]
            enum LoanError {
                AlreadyOnLoan,
                Db(Error),
            }
            impl From<Error> for LoanError {
                fn from(e: Error) -> Self {
                    LoanError::Db(e)
                }
            }
            let t = open!();
            schema!(&t.db);
            let refused = t
                .db
                .as_any()
                .transaction_with(|tx| {
                    Box::pin(async move {
                        User::new("a@x.io", "Ann", None).insert(tx).await?;
                        Err::<(), _>(LoanError::AlreadyOnLoan)
                    })
                })
                .await;
            assert!(matches!(refused, Err(LoanError::AlreadyOnLoan)), "{refused:?}");
            assert_eq!(User::find().count(&t.db).await.unwrap(), 0);

            let tx = t.db.begin().await.unwrap();
            User::new("b@x.io", "Bob", None).insert(&tx).await.unwrap();
            let inner = tx
                .transaction_with(|tx| {
                    Box::pin(async move {
                        User::new("c@x.io", "Cid", None).insert(tx).await?;
                        Err::<(), _>(LoanError::AlreadyOnLoan)
                    })
                })
                .await;
            assert!(matches!(inner, Err(LoanError::AlreadyOnLoan)), "{inner:?}");
            let failed_write = tx
                .transaction_with(|tx| {
                    Box::pin(async move {
                        User::new("b@x.io", "Bob again", None).insert(tx).await?;
                        Ok::<_, LoanError>(())
                    })
                })
                .await;
            assert!(matches!(failed_write, Err(LoanError::Db(Error::Constraint(_)))), "{failed_write:?}");
            tx.commit().await.unwrap();
            assert_eq!(names(&User::find().all(&t.db).await.unwrap()), ["Bob"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_cancelled_savepoint_rolls_back_alone() {
            let t = open!();
            schema!(&t.db);
            let tx = t.db.begin().await.unwrap();
            User::new("a@x.io", "Ann", None).insert(&tx).await.unwrap();
            let savepoint = tx.transaction(|tx| {
                Box::pin(async move {
                    User::new("b@x.io", "Bob", None).insert(tx).await?;
                    std::future::pending::<()>().await;
                    Ok(())
                })
            });
            let cancelled = tokio::time::timeout(std::time::Duration::from_millis(100), savepoint).await;
            assert!(cancelled.is_err(), "the savepoint never finishes on its own");
            User::new("c@x.io", "Cid", None).insert(&tx).await.unwrap();
            tx.commit().await.unwrap();
            let mut got = User::find().all(&t.db).await.unwrap();
            got.sort_by(|a, b| a.name.cmp(&b.name));
            assert_eq!(names(&got), ["Ann", "Cid"]);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_n_plus_one_is_found_on_every_backend() {
            let t = open!();
            seed!(&t.db);
            let ((), p) = ormlet::profile_async(async {
                for post in Post::find().all(&t.db).await.unwrap() {
                    post.author(&t.db).await.unwrap();
                }
            })
            .await;
            let f = &p.findings()[0];
            assert_eq!((f.kind, f.count), (ormlet::profiler::FindingKind::NPlusOne, 3));
            assert!(f.suggestion.to_string().contains(".with(Post::AUTHOR)"), "{}", f.suggestion);
        }
    };
}
pub(crate) use backend_tests;

/// What only the server backends have: their transaction API, pools and URLs.
/// `$db` is the backend's `Db` type, `$url` a fn giving its test URL.
macro_rules! server_tests {
    ($open:path, $db:ty, $url:path) => {
        mod server {
            use std::time::Duration;

            use ormlet::Error;
            use ormlet::prelude::*;
            use $crate::suite::{Post, User};

            macro_rules! open {
                () => {
                    match $open().await {
                        Some(t) => {
                            t.db.create_table::<User>().await.expect("users");
                            t.db.create_table::<Post>().await.expect("posts");
                            t
                        }
                        None => return,
                    }
                };
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_transaction_commits_on_ok() {
                let t = open!();
                let id =
                    t.db.transaction(|tx| {
                        Box::pin(async move {
                            let id = User::new("a@x.io", "Ann", None).insert(tx).await?;
                            Post::new(id, "first").insert(tx).await?;
                            Ok(id)
                        })
                    })
                    .await
                    .unwrap();
                assert_eq!(User::get(&t.db, id).await.unwrap().name, "Ann");
                assert_eq!(Post::find().count(&t.db).await.unwrap(), 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_transaction_rolls_back_on_err() {
                let t = open!();
                let err =
                    t.db.transaction(|tx| {
                        Box::pin(async move {
                            User::new("a@x.io", "Ann", None).insert(tx).await?;
                            User::new("a@x.io", "Ann again", None).insert(tx).await?;
                            Ok(())
                        })
                    })
                    .await
                    .unwrap_err();
                assert!(err.as_constraint().is_some(), "{err:?}");
                assert_eq!(User::find().count(&t.db).await.unwrap(), 0);
            }

            /// ormlet keeps a connection a query gives back for the next
            /// one: a transaction dropped without a commit leaves nothing on
            /// it, and sqlx's pool used directly is never kept waiting.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_pool_of_one_lends_its_connection_again_and_shares_it_with_sqlx() {
                let t = open!();
                let db = <$db>::options(&t.url)
                    .pool_size(1)
                    .acquire_timeout(Duration::from_millis(500))
                    .open()
                    .await
                    .unwrap();
                {
                    let tx = db.begin().await.unwrap();
                    User::new("a@x.io", "Ann", None).insert(&tx).await.unwrap();
                }
                assert_eq!(User::find().count(&db).await.unwrap(), 0, "the dropped transaction rolled back");
                User::new("b@x.io", "Bob", None).insert(&db).await.unwrap();
                assert_eq!(User::find().count(&t.db).await.unwrap(), 1, "committed, outside any transaction");
                let raw = tokio::time::timeout(Duration::from_secs(2), db.pool().acquire()).await;
                drop(raw.expect("sqlx's pool is not kept waiting").unwrap());
                assert_eq!(User::find().count(&db).await.unwrap(), 1);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_exhausted_pool_is_a_typed_timeout() {
                let Some(_t) = $open().await else { return };
                let url = $url();
                let db =
                    <$db>::options(&url).pool_size(1).acquire_timeout(Duration::from_millis(200)).open().await.unwrap();
                let tx = db.begin().await.unwrap();
                let err = db.execute_batch("SELECT 1").await.unwrap_err();
                assert!(matches!(err, Error::PoolTimeout { size: 1, .. }), "{err:?}");
                tx.rollback().await.unwrap();
                db.execute_batch("SELECT 1").await.unwrap();
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn slow_reads_carry_the_servers_plan_and_writes_none() {
                use ormlet::profiler::{FindingKind, ProfilerConfig};
                let t = open!();
                User::new("ann@x.io", "Ann", None).insert(&t.db).await.unwrap();
                let config = ProfilerConfig::default().slow_threshold(Duration::ZERO).explain_slow(true);
                let ((), p) = ormlet::profiler::profile_async_with(config, async {
                    User::find().filter(User::EMAIL.eq("ann@x.io")).all(&t.db).await.unwrap();
                    User::new("bob@x.io", "Bob", None).insert(&t.db).await.unwrap();
                })
                .await;
                let plan = p.queries()[0].plan.as_deref().expect("a plan for the slow read");
                assert!(plan.contains("users"), "{plan}");
                assert!(p.queries()[1].plan.is_none(), "a write is never explained");
                let slow = p.findings_of(FindingKind::Slow).find(|f| f.queries == [1]).expect("the read is slow");
                assert_eq!(slow.plan.as_deref(), Some(plan));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn queries_are_spans_with_the_servers_database_attributes() {
                use tracing::instrument::WithSubscriber;
                use $crate::suite::spans::{Seen, field};
                let t = open!();
                let seen = Seen::default();
                let subscriber = seen.subscriber();
                async {
                    let id = User::new("ann@x.io", "Ann", None).insert(&t.db).await.unwrap();
                    User::get(&t.db, id).await.unwrap();
                }
                .with_subscriber(subscriber)
                .await;
                let spans = seen.spans("db.query");
                assert_eq!(spans.len(), 2, "{spans:?}");
                let system = t.db.backend().name();
                for (span, op) in spans.iter().zip(["INSERT", "SELECT"]) {
                    assert_eq!(field(span, "db.system.name"), Some(system));
                    assert_eq!(field(span, "db.operation.name"), Some(op));
                    assert_eq!(field(span, "db.collection.name"), Some("users"));
                    assert_eq!(field(span, "code.filepath"), Some(file!()));
                }
                assert!(field(&spans[1], "db.query.text").unwrap().starts_with("SELECT"));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn bad_urls_and_unreachable_servers_are_typed_errors() {
                if $crate::suite::skip_servers() {
                    return;
                }
                let url = $url();
                let scheme = url.split("://").next().unwrap();
                let err = <$db>::connect(&format!("{scheme}://user@host:notaport/db")).await.unwrap_err();
                assert!(matches!(err, Error::InvalidUrl { .. }), "{err:?}");
                // A refused connection fails at once, well inside the acquire timeout.
                let started = std::time::Instant::now();
                let err = <$db>::options(&format!("{scheme}://u:secret@127.0.0.1:1/db"))
                    .acquire_timeout(Duration::from_secs(5))
                    .open()
                    .await
                    .unwrap_err();
                assert!(started.elapsed() < Duration::from_secs(1), "refused after {:?}", started.elapsed());
                assert!(matches!(&err, Error::Connection { .. }) && err.is_retryable(), "{err:?}");
                assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
                assert!(!err.to_string().contains("secret"), "{err}");
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_deadlock_is_a_typed_retryable_conflict() {
                let t = open!();
                let a = User::new("a@x.io", "A", None).insert(&t.db).await.unwrap();
                let b = User::new("b@x.io", "B", None).insert(&t.db).await.unwrap();
                let (tx1, tx2) = (t.db.begin().await.unwrap(), t.db.begin().await.unwrap());
                User::update_where(User::ID.eq(a), [User::AGE.set(1)]).exec(&tx1).await.unwrap();
                User::update_where(User::ID.eq(b), [User::AGE.set(2)]).exec(&tx2).await.unwrap();
                // Each now waits for the row the other holds: the server ends one.
                let (r1, r2) = tokio::join!(
                    User::update_where(User::ID.eq(b), [User::AGE.set(1)]).exec(&tx1),
                    User::update_where(User::ID.eq(a), [User::AGE.set(2)]).exec(&tx2),
                );
                let err = [r1, r2].into_iter().find_map(Result::err).expect("one transaction is the deadlock's victim");
                assert!(matches!(&err, Error::Conflict { kind: ormlet::ConflictKind::Deadlock, .. }), "{err:?}");
                assert!(err.is_retryable());
                assert!(!Error::NotFound { model: "User", key: None }.is_retryable());
            }
        }
    };
}
pub(crate) use server_tests;

#[cfg(all(feature = "chrono", feature = "uuid", feature = "json"))]
pub mod hostile_names;
pub mod migrations;
pub mod queries;
pub mod spans;

pub mod feature_types {
    use ormlet::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
    pub struct Prefs {
        pub theme: String,
        pub sizes: Vec<u32>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[ormlet(table = "events")]
    pub struct Event {
        #[ormlet(primary_key)]
        pub id: uuid::Uuid,
        pub date: chrono::NaiveDate,
        pub time: chrono::NaiveTime,
        pub datetime: chrono::NaiveDateTime,
        pub utc: chrono::DateTime<chrono::Utc>,
        pub payload: serde_json::Value,
        pub maybe_when: Option<chrono::NaiveDateTime>,
        pub maybe_ref: Option<uuid::Uuid>,
        #[ormlet(json)]
        pub prefs: Prefs,
        #[ormlet(json)]
        pub tags: Vec<String>,
    }

    pub fn sample(n: u128) -> Event {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let time = chrono::NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap();
        Event {
            id: uuid::Uuid::from_u128(n),
            date,
            time,
            datetime: date.and_time(time),
            utc: date.and_time(time).and_utc(),
            payload: serde_json::json!({"a": [1, 2, {"b": null}], "c": "d'\"e"}),
            maybe_when: None,
            maybe_ref: None,
            prefs: Prefs { theme: "dark".into(), sizes: vec![1, 2] },
            tags: vec!["x".into(), "y z".into()],
        }
    }
}

/// chrono, uuid and JSON columns on every backend (with those features).
macro_rules! feature_type_tests {
    ($open:path) => {
        #[cfg(all(feature = "chrono", feature = "uuid", feature = "json"))]
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn chrono_uuid_and_json_columns_round_trip() {
            use ormlet::prelude::*;
            use $crate::suite::feature_types::{Event, sample};
            let Some(t) = $open().await else { return };
            t.db.create_table::<Event>().await.unwrap();
            let mut a = sample(1);
            a.insert(&t.db).await.unwrap();
            let mut b = sample(u128::MAX);
            // Within every backend's range (MySQL DATETIME: years 1000-9999).
            b.maybe_when = Some(chrono::NaiveDate::from_ymd_opt(1000, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap());
            b.maybe_ref = Some(uuid::Uuid::nil());
            b.utc = chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
                .unwrap()
                .and_hms_micro_opt(23, 59, 59, 999_999)
                .unwrap()
                .and_utc();
            b.insert(&t.db).await.unwrap();
            assert_eq!(Event::get(&t.db, a.id).await.unwrap(), a);
            assert_eq!(Event::get(&t.db, b.id).await.unwrap(), b);
            let later = Event::find().filter(Event::UTC.gt(a.utc)).all(&t.db).await.unwrap();
            assert_eq!(later, [b.clone()]);
            let by_ref = Event::find().filter(Event::MAYBE_REF.eq(uuid::Uuid::nil())).count(&t.db).await.unwrap();
            assert_eq!(by_ref, 1);
        }

        #[cfg(all(feature = "chrono", feature = "uuid", feature = "json"))]
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn times_are_cut_to_the_microsecond_on_every_backend() {
            use chrono::SubsecRound;
            use ormlet::prelude::*;
            use $crate::suite::feature_types::{Event, sample};
            let Some(t) = $open().await else { return };
            t.db.create_table::<Event>().await.unwrap();
            let mut e = sample(7);
            // 999 nanoseconds past the microsecond: MySQL would round them up, PostgreSQL cut them.
            e.time = chrono::NaiveTime::from_hms_nano_opt(23, 59, 58, 123_456_999).unwrap();
            e.datetime = e.date.and_time(e.time);
            e.utc = e.datetime.and_utc();
            e.insert(&t.db).await.unwrap();
            let back = Event::get(&t.db, e.id).await.unwrap();
            assert_eq!(back.time, e.time.trunc_subsecs(6));
            assert_eq!(back.datetime, e.datetime.trunc_subsecs(6));
            assert_eq!(back.utc, e.utc.trunc_subsecs(6));
            // Filters cut the same way: the stored value equals the one given.
            assert_eq!(Event::find().filter(Event::UTC.eq(e.utc)).count(&t.db).await.unwrap(), 1);
        }
    };
}
pub(crate) use feature_type_tests;

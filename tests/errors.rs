//! Typed errors name what was wrong.

mod common;

use common::{Post, User, db};
use ormlet::prelude::*;
use ormlet::{ConstraintKind, Error};

#[test]
fn unique_violation_names_table_and_column() {
    let db = db();
    User::new("a@x.io", "A", None).insert(&db).unwrap();
    let err = User::new("a@x.io", "B", None).insert(&db).unwrap_err();
    let c = err.as_constraint().expect("constraint error");
    assert_eq!(c.kind, ConstraintKind::Unique);
    assert_eq!(c.table.as_deref(), Some("users"));
    assert_eq!(c.columns, ["email"]);
    assert_eq!(err.to_string(), "UNIQUE constraint violated on users(email): UNIQUE constraint failed: users.email");
}

#[test]
fn not_null_violation_names_the_column() {
    let db = db();
    let err = db.raw("INSERT INTO posts (author_id, title) VALUES (?, NULL)", params![1]).exec().unwrap_err();
    let c = err.as_constraint().expect("constraint error");
    assert_eq!((c.kind, c.columns.as_slice()), (ConstraintKind::NotNull, &["title".to_owned()][..]));
}

#[test]
fn decode_of_a_wrong_column_type_names_model_column_and_types() {
    let db = db();
    db.raw("INSERT INTO users (email, display_name, age) VALUES (?, ?, ?)", params!["a@x.io", "A", "not a number"])
        .exec()
        .unwrap();
    let err = User::find().all(&db).unwrap_err();
    match &err {
        Error::Decode { model, column, expected, found } => {
            assert_eq!((*model, column.as_str(), *expected, found.as_str()), ("User", "age", "i32", "TEXT"));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(err.to_string(), "cannot decode `User.age`: expected i32, found TEXT");
}

#[test]
fn out_of_range_integers_are_decode_errors_not_truncation() {
    let db = db();
    db.raw("INSERT INTO users (email, display_name, age) VALUES (?, ?, ?)", params!["a@x.io", "A", i64::MAX])
        .exec()
        .unwrap();
    let err = User::find().one(&db).unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

#[test]
fn a_raw_query_with_too_few_columns_is_a_decode_error() {
    let db = db();
    User::new("a@x.io", "A", None).insert(&db).unwrap();
    let err = db.raw("SELECT id, email FROM users", vec![]).all::<User>().unwrap_err();
    assert!(matches!(&err, Error::Decode { column, .. } if column == "display_name"), "{err:?}");
}

#[test]
fn bad_sql_is_a_database_error_carrying_the_sql() {
    let db = db();
    let err = db.raw("SELEKT 1", vec![]).exec().unwrap_err();
    match err {
        Error::Database { sql, message, .. } => {
            assert_eq!(sql, "SELEKT 1");
            assert!(message.contains("syntax error"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_urls_are_typed_errors() {
    for url in ["postgres-ish://x", "sqlite://", "sqlite://a.db?mode=ro", "mysql"] {
        let err = ormlet::sqlite::Db::connect(url).unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{url}: {err:?}");
    }
    let err = ormlet::sqlite::Db::connect("sqlite:///nonexistent-dir/x/y.db").unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    // A path is not a URL: any file name opens.
    let dir = std::env::temp_dir().join(format!("ormlet-odd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = ormlet::sqlite::Db::open(dir.join("what?#.db")).unwrap();
    db.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    drop(db);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn foreign_key_violations_are_typed() {
    #[derive(Model, Debug)]
    #[ormlet(table = "comments")]
    struct Comment {
        #[ormlet(primary_key)]
        id: Auto<i64>,
        post_id: i64,
    }
    let db = db();
    db.execute_batch(
        "CREATE TABLE comments (id INTEGER PRIMARY KEY AUTOINCREMENT, post_id INTEGER NOT NULL REFERENCES posts(id))",
    )
    .unwrap();
    let err = Comment { id: Auto::new(), post_id: 99 }.insert(&db).unwrap_err();
    assert_eq!(err.as_constraint().map(|c| c.kind), Some(ConstraintKind::ForeignKey));
    let _ = Post::find();
}

#[test]
fn using_db_inside_its_own_transaction_times_out_with_advice() {
    use std::time::Duration;
    let db =
        ormlet::sqlite::Db::options("sqlite::memory:").unwrap().busy_timeout(Duration::from_millis(50)).open().unwrap();
    db.create_table::<User>().unwrap();
    let err = db
        .transaction(|_tx| {
            // Wrong on purpose: the only connection is held by the transaction.
            User::find().count(&db)
        })
        .unwrap_err();
    assert!(matches!(err, Error::PoolTimeout { size: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("run queries on `tx`"), "{err}");
    // The failed transaction rolled back and released its connection.
    assert_eq!(User::find().count(&db).unwrap(), 0);
}

#[test]
fn a_file_pool_serves_concurrent_readers() {
    let dir = std::env::temp_dir().join(format!("ormlet-pool-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("pool.db").display());
    let db = ormlet::sqlite::Db::options(&url).unwrap().pool_size(3).statement_cache(8).open().unwrap();
    db.create_table::<User>().unwrap();
    User::new("a@x.io", "A", None).insert(&db).unwrap();
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                for _ in 0..50 {
                    assert_eq!(User::find().count(&db).unwrap(), 1);
                }
            });
        }
    });
    drop(db);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A write that waits out the busy timeout behind another writer is a
/// retryable conflict, not just any database error.
#[test]
fn a_busy_sqlite_database_is_a_retryable_conflict() {
    let path = std::env::temp_dir().join(format!("ormlet_busy_{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let first = ormlet::sqlite::Db::open(&path).unwrap();
    first.create_table::<User>().unwrap();
    let second = ormlet::sqlite::Db::options(&format!("sqlite://{}", path.display()))
        .unwrap()
        .busy_timeout(std::time::Duration::from_millis(50))
        .open()
        .unwrap();
    let err = first
        .transaction(|_tx| {
            // The first writer holds the write lock (BEGIN IMMEDIATE) while the second tries.
            Ok(User::new("b@x.io", "B", None).insert(&second).unwrap_err())
        })
        .unwrap();
    assert!(matches!(err, Error::Conflict { kind: ormlet::ConflictKind::Busy, .. }), "{err:?}");
    assert!(err.is_retryable());
    let _ = std::fs::remove_file(&path);
}

//! `AnyDb`: the backend is picked from the URL, and the same code (queries,
//! transactions) runs on each.

mod suite;

use ormlet::prelude::*;
use ormlet::{AnyDb, Backend, Error};
use suite::User;

async fn exercise(db: &AnyDb) {
    db.create_table::<User>().await.unwrap();
    let mut ann = User::new("ann@x.io", "Ann", Some(3));
    let id = ann.insert(db).await.unwrap();
    assert_eq!(User::get(db, id).await.unwrap(), ann);

    // Committed on Ok...
    db.transaction(|tx| Box::pin(async move { User::new("bob@x.io", "Bob", None).insert(tx).await.map(|_| ()) }))
        .await
        .unwrap();
    // ...rolled back on Err, by hand, and when dropped unfinished.
    let err = db
        .transaction(|tx| {
            Box::pin(async move {
                User::new("cid@x.io", "Cid", None).insert(tx).await?;
                User::new("ann@x.io", "Ann again", None).insert(tx).await?;
                Ok(())
            })
        })
        .await
        .unwrap_err();
    assert!(err.as_constraint().is_some(), "{err:?}");
    let tx = db.begin().await.unwrap();
    User::new("dan@x.io", "Dan", None).insert(&tx).await.unwrap();
    assert_eq!(User::find().count(&tx).await.unwrap(), 3);
    tx.rollback().await.unwrap();
    {
        let tx = db.begin().await.unwrap();
        User::new("eve@x.io", "Eve", None).insert(&tx).await.unwrap();
    }
    let names: Vec<String> = User::find().select(User::NAME).order_by(User::NAME.asc()).all(db).await.unwrap();
    assert_eq!(names, ["Ann", "Bob"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_urls_give_sqlite() {
    let db = AnyDb::connect("sqlite::memory:").await.unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    exercise(&db).await;
}

#[tokio::test]
async fn sqlite_waits_for_a_held_connection_without_stalling_the_runtime() {
    let db = AnyDb::connect("sqlite::memory:").await.unwrap();
    db.create_table::<User>().await.unwrap();
    let tx = db.begin().await.unwrap();
    let started = std::time::Instant::now();
    let holder = async move {
        User::new("ann@x.io", "Ann", None).insert(&tx).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        tx.commit().await.unwrap();
        started.elapsed()
    };
    let reader = async {
        let n = User::find().count(&db).await.unwrap();
        db.execute_batch("SELECT 1").await.unwrap();
        let m = db.transaction(|tx| Box::pin(async move { User::find().count(tx).await })).await.unwrap();
        (n, m)
    };
    let (held, counts) = tokio::join!(holder, reader);
    assert!(held < std::time::Duration::from_millis(1000), "the transaction took {held:?}");
    assert_eq!(counts, (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_urls_give_postgres() {
    let Some(t) = suite::postgres().await else { return };
    let db = AnyDb::connect(&t.url).await.unwrap();
    assert_eq!(db.backend(), Backend::Postgres);
    exercise(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_and_mariadb_urls_give_mysql() {
    let Some(t) = suite::mysql().await else { return };
    let db = AnyDb::connect(&t.url).await.unwrap();
    assert_eq!(db.backend(), Backend::MySql);
    exercise(&db).await;
    let maria = AnyDb::connect(&t.url.replacen("mysql://", "mariadb://", 1)).await.unwrap();
    assert_eq!(User::find().count(&maria).await.unwrap(), 2);
}

#[tokio::test]
async fn unknown_schemes_are_typed_errors() {
    for url in ["oracle://x/y", "", "memory"] {
        let err = AnyDb::connect(url).await.unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{url}: {err:?}");
    }
}

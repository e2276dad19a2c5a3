//! The async face of SQLite: the same API, awaited, on both tokio flavours.

mod common;

use common::{Post, User};
use ormlet::prelude::*;
use ormlet::sqlite::AsyncDb;

async fn scenario(db: &AsyncDb) -> ormlet::Result<()> {
    db.create_table::<User>().await?;
    db.create_table::<Post>().await?;
    let mut ann = User::new("ann@x.io", "Ann", Some(31));
    let id = ann.insert(db).await?;
    assert_eq!(ann.id, id);
    Post::new(id, "hello").insert(db).await?;
    let users = User::find().filter(User::AGE.gt(18)).all(db).await?;
    assert_eq!(users, vec![ann.clone()]);
    assert_eq!(User::get(db, id).await?.name, "Ann");
    assert_eq!(Post::find().count(db).await?, 1);
    ann.age = Some(32);
    ann.update(db).await?;
    let rows: Vec<User> = db.raw("SELECT * FROM users", vec![]).all().await?;
    assert_eq!(rows[0].age, Some(32));
    let n = db
        .transaction(move |tx| {
            Post::new(id, "in tx").insert(tx)?;
            Post::find().count(tx)
        })
        .await?;
    assert_eq!(n, 2);
    let failed: ormlet::Result<()> = db
        .transaction(move |tx| {
            Post::new(id, "rolled back").insert(tx)?;
            Err(ormlet::Error::NotFound { model: "x", key: None })
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(Post::find().count(db).await?, 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_on_a_multi_threaded_runtime() -> ormlet::Result<()> {
    scenario(&AsyncDb::connect("sqlite::memory:")?).await
}

#[tokio::test]
async fn works_on_a_current_thread_runtime() -> ormlet::Result<()> {
    scenario(&AsyncDb::connect("sqlite::memory:")?).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_share_a_file_database() -> ormlet::Result<()> {
    let dir = std::env::temp_dir().join(format!("ormlet-async-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("a.db");
    let _ = std::fs::remove_file(&path);
    let db = AsyncDb::connect(&format!("sqlite://{}", path.display()))?;
    db.create_table::<User>().await?;
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                User::new(&format!("{i}@x.io"), "U", Some(i)).insert(&db).await?;
                User::find().filter(User::AGE.le(i)).count(&db).await
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task")?;
    }
    assert_eq!(User::find().count(&db).await?, 32);
    std::fs::remove_dir_all(&dir).expect("cleanup");
    Ok(())
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn query_futures_are_send() {
    let db = AsyncDb::connect("sqlite::memory:").unwrap();
    let f = User::find().all(&db);
    assert_send(&f);
    let mut u = User::new("a", "b", None);
    let g = u.insert(&db);
    assert_send(&g);
}

/// Task A holds a transaction across an await; task B queries meanwhile.
/// B must wait without blocking the thread, so A runs on and finishes in
/// about its sleep time, then B gets the connection.
async fn a_held_transaction_does_not_stall(db: AsyncDb) {
    db.create_table::<User>().await.unwrap();
    let started = std::time::Instant::now();
    let tx = db.begin().await.unwrap();
    let holder = {
        async move {
            User::new("a@x.io", "A", None).insert(&tx).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tx.commit().await.unwrap();
            started.elapsed()
        }
    };
    let reader = {
        let db = db.clone();
        async move { User::find().count(&db).await }
    };
    let (held, counted) = tokio::join!(holder, reader);
    assert!(held < std::time::Duration::from_millis(1000), "the transaction took {held:?}");
    assert_eq!(counted.unwrap(), 1, "the reader ran after the commit");
}

#[tokio::test]
async fn a_transaction_held_across_an_await_does_not_stall_a_current_thread_runtime() {
    a_held_transaction_does_not_stall(AsyncDb::connect("sqlite::memory:").unwrap()).await;
}

#[tokio::test]
async fn a_file_database_with_a_busy_pool_does_not_stall_a_current_thread_runtime() {
    let dir = std::env::temp_dir().join(format!("ormlet-async-stall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("a.db");
    let _ = std::fs::remove_file(&path);
    let db = ormlet::sqlite::Db::options(&format!("sqlite://{}", path.display())).unwrap().pool_size(1).open().unwrap();
    a_held_transaction_does_not_stall(AsyncDb::from(db)).await;
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_held_across_an_await_does_not_stall_a_multi_threaded_runtime() {
    a_held_transaction_does_not_stall(AsyncDb::connect("sqlite::memory:").unwrap()).await;
}

#[tokio::test]
async fn the_async_transaction_closure_waits_for_the_connection_too() {
    let db = AsyncDb::connect("sqlite::memory:").unwrap();
    db.create_table::<User>().await.unwrap();
    let tx = db.begin().await.unwrap();
    let holder = async move {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        User::new("a@x.io", "A", None).insert(&tx).await.unwrap();
        tx.commit().await.unwrap();
    };
    let second = db.transaction(|tx| User::find().count(tx));
    let ((), n) = tokio::join!(holder, second);
    assert_eq!(n.unwrap(), 1);
}

#[tokio::test]
async fn a_connection_never_given_back_is_a_timeout_that_leaves_the_thread_free() {
    let db = AsyncDb::from(
        ormlet::sqlite::Db::options("sqlite::memory:")
            .unwrap()
            .busy_timeout(std::time::Duration::from_millis(300))
            .open()
            .unwrap(),
    );
    db.create_table::<User>().await.unwrap();
    let tx = db.begin().await.unwrap();
    // While the reader waits, this task keeps running: the thread is free.
    let started = std::time::Instant::now();
    let ticker = async {
        for _ in 0..5 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        started.elapsed()
    };
    let (ticked, err) = tokio::join!(ticker, User::find().count(&db));
    assert!(ticked < std::time::Duration::from_millis(300), "the other task waited {ticked:?}");
    let err = err.unwrap_err();
    assert!(matches!(err, ormlet::Error::PoolTimeout { size: 1, .. }), "{err:?}");
    tx.rollback().await.unwrap();
    assert_eq!(User::find().count(&db).await.unwrap(), 0);
}

#[test]
fn waiting_for_a_connection_needs_no_tokio_time_driver() {
    // A runtime built without `enable_time`: the pool's wait must not need it.
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let db = AsyncDb::connect("sqlite::memory:").unwrap();
        db.create_table::<User>().await.unwrap();
        let tx = db.begin().await.unwrap();
        let holder = async move {
            tokio::task::yield_now().await;
            User::new("a@x.io", "A", None).insert(&tx).await.unwrap();
            tx.commit().await.unwrap();
        };
        let ((), n) = tokio::join!(holder, User::find().count(&db));
        assert_eq!(n.unwrap(), 1);
    });
}

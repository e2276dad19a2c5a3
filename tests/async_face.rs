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

//! The behaviour suite (tests/suite) on mysql: each test on its own database.

mod suite;

async fn open() -> Option<suite::Isolated<ormlet::mysql::Db>> {
    suite::mysql().await
}

suite::backend_tests!(open);
suite::feature_type_tests!(crate::open);
suite::server_tests!(crate::open, ormlet::mysql::Db, crate::suite::mysql_url);
suite::migrations::migration_tests!(crate::open);
suite::hostile_names::hostile_name_tests!(crate::open);
suite::queries::query_tests!(crate::open);
suite::queries::concurrency_tests!(crate::open);

/// The runners' lock is MySQL's session-wide `GET_LOCK`: a migration that
/// fails must release it, or the pooled connection keeps it and the next
/// runner waits for nothing.
mod migration_lock {
    use std::time::{Duration, Instant};

    use ormlet::migrate::{Migration, Migrator};
    use ormlet::prelude::*;

    async fn one_connection(url: &str) -> ormlet::AnyDb {
        ormlet::AnyDb::MySql(ormlet::mysql::Db::options(url).pool_size(1).open().await.unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_migration_releases_the_lock_so_a_retry_runs_at_once() {
        let Some(t) = crate::open().await else { return };
        let db = one_connection(&t.url).await;
        let bad =
            Migration::new(1, "bad", "CREATE TABLE a (x INT);\nSELECT * FROM no_such_table;\n".into(), String::new());
        assert!(Migrator::new(vec![bad]).run(&db, None).await.is_err());
        let good = Migration::new(1, "good", "CREATE TABLE IF NOT EXISTS b (x INT);\n".into(), String::new());
        let started = Instant::now();
        assert_eq!(Migrator::new(vec![good]).run(&db, None).await.unwrap(), [1]);
        assert!(started.elapsed() < Duration::from_secs(2), "the retry waited {:?}", started.elapsed());
        let free: Vec<(Option<i64>,)> =
            t.db.raw("SELECT IS_FREE_LOCK(CONCAT('ormlet_migrations:', DATABASE()))", vec![]).all().await.unwrap();
        assert_eq!(free, [(Some(1),)], "nobody holds the lock afterwards");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_runner_that_cannot_get_the_lock_fails_and_names_who_holds_it() {
        let Some(t) = crate::open().await else { return };
        let holder = ormlet::mysql::Db::options(&t.url).pool_size(1).open().await.unwrap();
        let tx = holder.begin().await.unwrap();
        let id: Vec<(i64,)> = tx.raw("SELECT CONNECTION_ID()", vec![]).all().await.unwrap();
        let got: Vec<(i64,)> =
            tx.raw("SELECT GET_LOCK(CONCAT('ormlet_migrations:', DATABASE()), 0)", vec![]).all().await.unwrap();
        assert_eq!(got, [(1,)]);
        let db = one_connection(&t.url).await;
        let m = Migration::new(1, "m", "CREATE TABLE c (x INT);\n".into(), String::new());
        let started = Instant::now();
        let err = Migrator::new(vec![m]).lock_timeout(Duration::from_secs(1)).run(&db, None).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        let text = err.to_string();
        assert!(text.contains("migration lock") && text.contains(&id[0].0.to_string()), "{text}");
        tx.execute_batch("DO RELEASE_LOCK(CONCAT('ormlet_migrations:', DATABASE()))").await.unwrap();
        tx.rollback().await.unwrap();
    }
}

/// With no ping before a query (the default), a connection the server
/// killed while idle is replaced and a read run again on a new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_on_a_connection_the_server_killed_runs_again_on_a_new_one() {
    use ormlet::ExecutorExt;
    let Some(t) = open().await else { return };
    let db = ormlet::mysql::Db::options(&t.url).pool_size(1).open().await.unwrap();
    let id = || db.raw("SELECT CONNECTION_ID()", vec![]).one::<i64>();
    let first = id().await.unwrap();
    // The connection sits idle, kept for the next query: kill it, and give
    // the server time to close it.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    t.db.execute_batch(&format!("KILL {first}")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let second = id().await.expect("a read on a killed connection runs again on a new one");
    assert_ne!(first, second);
}

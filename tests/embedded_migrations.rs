//! `embed_migrations!`: the files built into the binary, applied at start-up.

use ormlet::AnyDb;
use ormlet::migrate::{Migrator, State};
use ormlet::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_migrations_apply_once_and_match_the_files() {
    let embedded = ormlet::embed_migrations!("tests/migrations_fixture");
    let on_disk = Migrator::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations_fixture")).unwrap();
    let pairs: Vec<(i64, &str, String)> = embedded
        .migrations()
        .iter()
        .map(|m| (m.version, m.name.as_str(), m.checksum_for(ormlet::Backend::Sqlite)))
        .collect();
    let files: Vec<(i64, &str, String)> = on_disk
        .migrations()
        .iter()
        .map(|m| (m.version, m.name.as_str(), m.checksum_for(ormlet::Backend::Sqlite)))
        .collect();
    assert_eq!(pairs, files);

    let db = AnyDb::connect("sqlite::memory:").await.unwrap();
    assert_eq!(embedded.run(&db, None).await.unwrap(), [1, 2]);
    assert!(embedded.run(&db, None).await.unwrap().is_empty(), "a second start applies nothing");
    let states: Vec<bool> =
        embedded.status(&db).await.unwrap().iter().map(|s| matches!(s.state, State::Applied { .. })).collect();
    assert_eq!(states, [true, true]);
    let n: i64 = db.raw("SELECT COUNT(*) FROM posts", vec![]).one().await.unwrap();
    assert_eq!(n, 0);

    assert_eq!(embedded.revert(&db, 2).await.unwrap(), [2, 1]);
    let left: i64 =
        db.raw("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('users', 'posts')", vec![]).one().await.unwrap();
    assert_eq!(left, 0);
}

//! The behaviour suite (tests/suite) on mysql: each test on its own database.

mod suite;

async fn open() -> Option<suite::Isolated<ormlet::mysql::Db>> {
    suite::mysql().await
}

suite::backend_tests!(open);
suite::feature_type_tests!(crate::open);
suite::server_tests!(crate::open, ormlet::mysql::Db, crate::suite::mysql_url);
suite::migrations::migration_tests!(crate::open);

//! The behaviour suite (tests/suite) on sqlite: each test on its own database.

mod suite;

async fn open() -> Option<suite::Isolated<ormlet::sqlite::AsyncDb>> {
    suite::sqlite().await
}

async fn open_file() -> Option<suite::Isolated<ormlet::sqlite::AsyncDb>> {
    suite::sqlite_file().await
}

suite::backend_tests!(open);
suite::feature_type_tests!(crate::open);
suite::migrations::migration_tests!(crate::open);
suite::hostile_names::hostile_name_tests!(crate::open);
suite::queries::query_tests!(crate::open);
suite::queries::concurrency_tests!(crate::open_file);

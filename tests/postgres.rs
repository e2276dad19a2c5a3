//! The behaviour suite (tests/suite) on postgres: each test on its own database.

mod suite;

async fn open() -> Option<suite::Isolated<ormlet::postgres::Db>> {
    suite::postgres().await
}

suite::backend_tests!(open);
suite::feature_type_tests!(crate::open);
suite::server_tests!(crate::open, ormlet::postgres::Db, crate::suite::postgres_url);

/// 200 tasks of mixed reads and writes on a pool of 10: every write lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_tasks_on_a_pool_of_ten_lose_no_write() {
    use ormlet::prelude::*;
    use suite::{Post, User};
    let Some(t) = open().await else { return };
    t.db.create_table::<User>().await.unwrap();
    t.db.create_table::<Post>().await.unwrap();
    // The same schema, through a pool of exactly 10; waiting for a connection is normal here.
    let db = ormlet::postgres::Db::options(&t.url)
        .pool_size(10)
        .acquire_timeout(std::time::Duration::from_secs(30))
        .open()
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut u = User::new(&format!("u{i}@x.io"), &format!("U{i}"), Some(i));
            let id = u.insert(&db).await?;
            Post::new(id, "hello").insert(&db).await?;
            let seen = User::find().filter(User::AGE.le(i)).count(&db).await?;
            assert!(seen >= 1);
            let again = User::get(&db, id).await?;
            assert_eq!(again, u);
            ormlet::Result::Ok(())
        }));
    }
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) | Err(ormlet::Error::PoolTimeout { .. }) => {}
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(User::find().count(&db).await.unwrap(), 200);
    assert_eq!(Post::find().count(&db).await.unwrap(), 200);
}
suite::migrations::migration_tests!(crate::open);
suite::hostile_names::hostile_name_tests!(crate::open);
suite::queries::query_tests!(crate::open);
suite::queries::concurrency_tests!(crate::open);

/// The pool's knobs, through `DbOptions` alone, with no ping before a
/// query (the default): a connection the server ended while idle is
/// replaced and the statement run again when it cannot have run; inside a
/// transaction the loss is a retryable error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_knobs_and_a_connection_the_server_ended_without_a_ping() {
    use ormlet::ExecutorExt;
    use std::time::Duration;
    let Some(t) = open().await else { return };
    let options = ormlet::postgres::Db::options(&t.url)
        .pool_size(1)
        .min_connections(1)
        .idle_timeout(Some(Duration::from_secs(60)))
        .max_lifetime(None);
    let shown = format!("{options:?}");
    assert!(shown.contains("test_before_acquire: false") && shown.contains("min_connections: 1"), "{shown}");
    let db = options.open().await.unwrap();
    let end = |pid: i32| {
        let admin = t.db.clone();
        async move {
            // The connection sits idle, kept for the next query: end it, and
            // give the server time to close it.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let ended: bool = admin.raw("SELECT pg_terminate_backend($1)", ormlet::params![pid]).one().await.unwrap();
            assert!(ended);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let pid = || db.raw("SELECT pg_backend_pid()", vec![]).one::<i32>();

    let first = pid().await.unwrap();
    end(first).await;
    let second = pid().await.expect("a read on a connection the server ended runs again on a new one");
    assert_ne!(first, second);

    end(second).await;
    let written = db.raw("CREATE TEMPORARY TABLE scratch (id INT)", vec![]).exec().await;
    written.expect("the server's own word that it ended the session lets a write run again");

    let tx = db.begin().await.unwrap();
    let third: i32 = tx.raw("SELECT pg_backend_pid()", vec![]).one().await.unwrap();
    end(third).await;
    let err = tx.raw("SELECT 1", vec![]).one::<i32>().await.unwrap_err();
    assert!(err.is_retryable(), "a connection lost inside a transaction is a retryable error: {err:?}");
    drop(tx);
    let again: i32 = db.raw("SELECT 1", vec![]).one().await.unwrap();
    assert_eq!(again, 1, "the pool replaced the connection");
}

/// Columns of the common built-in types are read from their binary form
/// by OID: every width at its edges, NULLs, padded and Unicode text, bytes;
/// a wrong Rust type is still a decode error naming both types, and other
/// types (NUMERIC) still read by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn built_in_types_read_from_their_binary_form() {
    use ormlet::ExecutorExt;
    let Some(t) = open().await else { return };
    let db = &t.db;
    type Ints = (i64, i64, i64, i64, i64, i64);
    let ints: Vec<Ints> = db
        .raw(
            "SELECT (-32768)::int2, 32767::int2, (-2147483648)::int4, 2147483647::int4, \
             (-9223372036854775808)::int8, 9223372036854775807::int8",
            vec![],
        )
        .all()
        .await
        .unwrap();
    assert_eq!(ints, [(i16::MIN.into(), i16::MAX.into(), i32::MIN.into(), i32::MAX.into(), i64::MIN, i64::MAX)]);
    let small: Vec<(i16, i32)> = db.raw("SELECT 7::int2, (-7)::int4", vec![]).all().await.unwrap();
    assert_eq!(small, [(7, -7)]);

    let numbers: Vec<(f64, f32, bool, bool, Option<i64>)> =
        db.raw("SELECT 1.5::float8, (-0.25)::float4, true, false, NULL::int8", vec![]).all().await.unwrap();
    assert_eq!(numbers, [(1.5, -0.25, true, false, None)]);
    type Texts = (String, String, String, Vec<u8>, Option<String>);
    let texts: Vec<Texts> = db
        .raw("SELECT 'héllo 🦀'::text, 'ab'::char(4), 'v'::varchar(3), '\\x00ff10'::bytea, NULL::text", vec![])
        .all()
        .await
        .unwrap();
    assert_eq!(texts, [("héllo 🦀".into(), "ab  ".into(), "v".into(), vec![0u8, 0xff, 0x10], None)]);
    let name: Vec<(String,)> = db.raw("SELECT current_user::name", vec![]).all().await.unwrap();
    assert!(!name[0].0.is_empty());

    let err = db.raw("SELECT 3000000000::int8", vec![]).all::<(i32,)>().await.unwrap_err();
    assert!(matches!(&err, ormlet::Error::Decode { expected: "i32", .. }), "{err}");
    let err = db.raw("SELECT 'text'::text", vec![]).all::<(i64,)>().await.unwrap_err();
    assert!(matches!(&err, ormlet::Error::Decode { expected: "i64", .. }), "{err}");
    let numeric: Vec<(i64, f64)> = db.raw("SELECT 12::numeric, 2.5::numeric", vec![]).all().await.unwrap();
    assert_eq!(numeric, [(12, 2.5)]);
}

/// Countries keyed by their code, and their cities.
mod coded {
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[ormlet(table = "countries", has_many(cities = City))]
    pub struct Country {
        #[ormlet(primary_key)]
        pub code: String,
        pub name: String,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[ormlet(table = "cities")]
    pub struct City {
        #[ormlet(primary_key)]
        pub id: ormlet::Auto<i64>,
        #[ormlet(belongs_to = Country, relation = "country")]
        pub country_code: String,
        pub name: String,
    }
}

/// Text keys load as one `text[]` parameter both ways (`= ANY($1)`), with
/// the same rows an `IN` list gives; one query per level, whatever the count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_keys_load_relations_through_one_array() {
    // (With the traits that give loaded rows their relation accessors.)
    use coded::*;
    use ormlet::prelude::*;
    let Some(t) = open().await else { return };
    let db = &t.db;
    db.create_table::<Country>().await.unwrap();
    db.create_table::<City>().await.unwrap();
    for (code, name) in [("fr", "France"), ("jp", "Japan"), ("nz", "New Zealand"), ("zz", "Nowhere")] {
        Country { code: code.into(), name: name.into() }.insert(db).await.unwrap();
    }
    for (code, name) in [("fr", "Lyon"), ("jp", "Osaka"), ("fr", "Paris"), ("nz", "Wellington"), ("jp", "Kyoto")] {
        City { id: ormlet::Auto::new(), country_code: code.into(), name: name.into() }.insert(db).await.unwrap();
    }
    let (countries, p) =
        ormlet::profile_async(Country::find().order_by(Country::CODE.asc()).with(Country::CITIES).all(db)).await;
    let countries = countries.unwrap();
    let names: Vec<Vec<&str>> = countries
        .iter()
        .map(|c| {
            let mut names: Vec<&str> = c.cities().iter().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            names
        })
        .collect();
    assert_eq!(names, [vec!["Lyon", "Paris"], vec!["Kyoto", "Osaka"], vec!["Wellington"], vec![]]);
    let sql: Vec<String> = p.queries().iter().map(|q| q.sql.to_string()).collect();
    assert_eq!(sql.len(), 2, "{sql:#?}");
    assert!(sql[1].contains("= ANY($1)"), "{sql:#?}");

    let cities = City::find().order_by(City::NAME.asc()).with(City::COUNTRY).all(db).await.unwrap();
    let pairs: Vec<(String, String)> = cities.iter().map(|c| (c.name.clone(), c.country().name.clone())).collect();
    assert_eq!(pairs[0], ("Kyoto".to_owned(), "Japan".to_owned()));
    assert_eq!(pairs[4], ("Wellington".to_owned(), "New Zealand".to_owned()));
}

//! Queries applications need beyond single-table filters: computed values,
//! row locks, isolation and retries, on every backend.

use ormlet::prelude::*;

/// One counter row per test, incremented concurrently.
#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "counters")]
pub struct Counter {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub n: i64,
    pub note: Option<String>,
}

/// The tests every backend runs; `$open` gives an `Option<Isolated<Db>>`.
macro_rules! query_tests {
    ($open:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn computed_values_filter_order_select_and_update() {
            use ormlet::prelude::*;
            use $crate::suite::queries::Counter;
            let Some(t) = $open().await else { return };
            let db = &t.db;
            db.create_table::<Counter>().await.unwrap();
            let mut ids = Vec::new();
            for (n, note) in [(7, Some("Ünïcode")), (-3, None), (10, Some("abc"))] {
                let mut c = Counter { id: Auto::new(), n, note: note.map(str::to_owned) };
                ids.push(c.insert(db).await.unwrap());
            }
            // An atomic update computed from the row itself.
            let changed =
                Counter::update_where(Counter::ID.eq(ids[0]), [Counter::N.set(Counter::N + 1)]).exec(db).await.unwrap();
            assert_eq!(changed, 1);
            assert_eq!(Counter::get(db, ids[0]).await.unwrap().n, 8);
            // Arithmetic in filters and orderings, columns on both sides.
            let big: Vec<i64> = Counter::find()
                .filter((Counter::N * 2).gt(Counter::N + 5))
                .order_by((Counter::N - 100).desc())
                .select(Counter::N)
                .all(db)
                .await
                .unwrap();
            assert_eq!(big, [10, 8]);
            // Integer division truncates on every backend.
            let halves: Vec<(i64, i64, i64)> = Counter::find()
                .order_by(Counter::ID.asc())
                .select((Counter::N / 2, Counter::N.abs(), Counter::N * Counter::N))
                .all(db)
                .await
                .unwrap();
            assert_eq!(halves, [(4, 8, 64), (-1, 3, 9), (5, 10, 100)]);
            // Text functions count characters and fold case.
            let texts: Vec<(Option<String>, Option<String>, Option<i64>, String)> = Counter::find()
                .order_by(Counter::ID.asc())
                .select((
                    Counter::NOTE.lower(),
                    Counter::NOTE.upper(),
                    Counter::NOTE.length(),
                    Counter::NOTE.coalesce("none"),
                ))
                .all(db)
                .await
                .unwrap();
            assert_eq!(texts[0], (Some("ünïcode".into()), Some("ÜNÏCODE".into()), Some(7), "Ünïcode".into()));
            assert_eq!(texts[1], (None, None, None, "none".into()));
            let by_lower = Counter::find().filter(Counter::NOTE.upper().eq(Some("ABC"))).count(db).await.unwrap();
            assert_eq!(by_lower, 1);
            // A computed value set from another column.
            Counter::update_where(
                Counter::ID.eq(ids[1]),
                [Counter::NOTE.set(Some("set")), Counter::N.set(Counter::N.abs() * 10)],
            )
            .exec(db)
            .await
            .unwrap();
            let c = Counter::get(db, ids[1]).await.unwrap();
            assert_eq!((c.n, c.note.as_deref()), (30, Some("set")));
            // The database's clock.
            let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
            assert_eq!(Counter::find().filter(ormlet::now().gt(epoch)).count(db).await.unwrap(), 3);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn text_matching_means_the_same_on_every_backend() {
            use ormlet::prelude::*;
            use $crate::suite::User;
            let Some(t) = $open().await else { return };
            let db = &t.db;
            db.create_table::<User>().await.unwrap();
            for (i, name) in ["Book One", "book two", "BOOK", "Übung", "übung", "a_b%c"].iter().enumerate() {
                User::new(&format!("u{i}@x.io"), name, None).insert(db).await.unwrap();
            }
            macro_rules! names_where {
                ($e:expr) => {{
                    let mut n: Vec<String> = User::find().filter($e).select(User::NAME).all(db).await.unwrap();
                    n.sort();
                    n
                }};
            }
            // LIKE tells case apart everywhere; ILIKE ignores it everywhere, Unicode included.
            assert_eq!(names_where!(User::NAME.like("book%")), ["book two"]);
            assert_eq!(names_where!(User::NAME.like("B%")), ["BOOK", "Book One"]);
            assert_eq!(names_where!(User::NAME.ilike("book%")), ["BOOK", "Book One", "book two"]);
            assert_eq!(names_where!(User::NAME.ilike("üb%")), ["Übung", "übung"]);
            assert_eq!(names_where!(User::NAME.contains("Ü")), ["Übung"]);
            assert_eq!(names_where!(User::NAME.contains_ci("ÜBUNG")), ["Übung", "übung"]);
            assert_eq!(names_where!(User::NAME.starts_with_ci("bOoK ")), ["Book One", "book two"]);
            assert_eq!(names_where!(User::NAME.ends_with_ci("O")), ["book two"]);
            assert_eq!(names_where!(User::NAME.contains_ci("_B%")), ["a_b%c"]);
            assert_eq!(names_where!(User::NAME.not_like("%o%")), ["BOOK", "a_b%c", "Übung", "übung"]);
        }
    };
}

pub(crate) use query_tests;

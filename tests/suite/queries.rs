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

/// Stored as text, by renamed variant names.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[ormlet(rename_all = "snake_case")]
pub enum Status {
    OnShelf,
    OnLoan,
    #[ormlet(rename = "lost!")]
    Lost,
}

/// Stored as an integer, by discriminant.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[ormlet(repr = "i16")]
pub enum Priority {
    Low = 1,
    High = 10,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "copies")]
pub struct Copy {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(index)]
    pub status: Status,
    pub priority: Priority,
    pub previous: Option<Status>,
}

/// A lending library: authors write books, members borrow them, books have genres.
pub mod library {
    use ormlet::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
    #[ormlet(table = "authors", has_many(books = Book))]
    pub struct Author {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        pub name: String,
    }

    #[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
    #[ormlet(table = "books", many_to_many(genres = Genre, through = BookGenre), has_many(loans = Loan))]
    pub struct Book {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        #[ormlet(belongs_to = Author)]
        pub author_id: i64,
        pub title: String,
    }

    #[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
    #[ormlet(table = "members", has_many(loans = Loan))]
    pub struct Member {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        pub name: String,
    }

    #[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
    #[ormlet(table = "loans")]
    pub struct Loan {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        #[ormlet(belongs_to = Book)]
        pub book_id: i64,
        #[ormlet(belongs_to = Member)]
        pub member_id: i64,
        pub days: i32,
    }

    #[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
    #[ormlet(table = "genres")]
    pub struct Genre {
        #[ormlet(primary_key)]
        pub id: Auto<i64>,
        pub name: String,
    }

    #[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
    #[ormlet(table = "book_genres")]
    pub struct BookGenre {
        #[ormlet(primary_key, belongs_to = Book)]
        pub book_id: i64,
        #[ormlet(primary_key, belongs_to = Genre)]
        pub genre_id: i64,
    }
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

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn enums_are_columns_stored_as_text_or_integers() {
            use ormlet::prelude::*;
            use $crate::suite::AsAny;
            use $crate::suite::queries::{Copy, Priority, Status};
            let Some(t) = $open().await else { return };
            let db = &t.db;
            db.create_table::<Copy>().await.unwrap();
            let rows = [
                (Status::OnShelf, Priority::Low, None),
                (Status::OnLoan, Priority::High, Some(Status::OnShelf)),
                (Status::Lost, Priority::High, Some(Status::OnLoan)),
            ];
            for (status, priority, previous) in rows {
                Copy { id: Auto::new(), status, priority, previous }.insert(db).await.unwrap();
            }
            let on_loan = Copy::find().filter(Copy::STATUS.eq(Status::OnLoan)).one(db).await.unwrap();
            assert_eq!((on_loan.priority, on_loan.previous), (Priority::High, Some(Status::OnShelf)));
            let gone: Vec<Status> = Copy::find()
                .filter(Copy::STATUS.is_in([Status::OnLoan, Status::Lost]).and(Copy::PRIORITY.eq(Priority::High)))
                .order_by(Copy::ID.asc())
                .select(Copy::STATUS)
                .all(db)
                .await
                .unwrap();
            assert_eq!(gone, [Status::OnLoan, Status::Lost]);
            assert_eq!(Copy::find().filter(Copy::PREVIOUS.is_null()).count(db).await.unwrap(), 1);
            assert_eq!(Copy::find().filter(Copy::PREVIOUS.eq(Status::OnLoan)).count(db).await.unwrap(), 1);
            // Stored as the names and numbers the attributes say.
            let raw: Vec<(String, i64)> =
                db.as_any().raw("SELECT status, priority FROM copies ORDER BY id", vec![]).all().await.unwrap();
            assert_eq!(raw, [("on_shelf".into(), 1), ("on_loan".into(), 10), ("lost!".into(), 10)]);
            // A stored value no variant has is a decode error naming the enum.
            db.as_any().execute_batch("UPDATE copies SET status = 'burnt' WHERE priority = 1").await.unwrap();
            let err = Copy::find().all(db).await.unwrap_err();
            assert!(matches!(&err, ormlet::Error::Decode { expected: "Status", .. }), "{err}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn joins_of_three_and_four_models_through_relations_with_eager_loading() {
            use ormlet::prelude::*;
            use $crate::suite::queries::library::*;
            let Some(t) = $open().await else { return };
            let db = &t.db;
            db.create_table::<Author>().await.unwrap();
            db.create_table::<Book>().await.unwrap();
            db.create_table::<Member>().await.unwrap();
            db.create_table::<Loan>().await.unwrap();
            db.create_table::<Genre>().await.unwrap();
            db.create_table::<BookGenre>().await.unwrap();
            let mut ids = std::collections::HashMap::new();
            for name in ["Zola", "Austen"] {
                ids.insert(name, Author { id: Auto::new(), name: name.into() }.insert(db).await.unwrap());
            }
            let mut books = Vec::new();
            for (title, author) in [("Germinal", "Zola"), ("Emma", "Austen"), ("Persuasion", "Austen")] {
                books.push(
                    Book { id: Auto::new(), author_id: ids[author], title: title.into() }.insert(db).await.unwrap(),
                );
            }
            let ann = Member { id: Auto::new(), name: "Ann".into() }.insert(db).await.unwrap();
            let bob = Member { id: Auto::new(), name: "Bob".into() }.insert(db).await.unwrap();
            Member { id: Auto::new(), name: "Cid".into() }.insert(db).await.unwrap();
            for (book, member, days) in [(books[0], ann, 7), (books[1], bob, 14), (books[2], ann, 21)] {
                Loan { id: Auto::new(), book_id: book, member_id: member, days }.insert(db).await.unwrap();
            }
            let novel = Genre { id: Auto::new(), name: "novel".into() }.insert(db).await.unwrap();
            let classic = Genre { id: Auto::new(), name: "classic".into() }.insert(db).await.unwrap();
            for (book, genre) in [(books[0], novel), (books[1], novel), (books[1], classic)] {
                BookGenre { book_id: book, genre_id: genre }.insert(db).await.unwrap();
            }

            // Three models, through declared relations; filter and order on joined columns.
            let anns: Vec<(Loan, Book, Member)> = Loan::find()
                .inner_join(Loan::BOOK)
                .inner_join(Loan::MEMBER)
                .filter(Member::NAME.eq("Ann"))
                .order_by(Book::TITLE.asc())
                .all(db)
                .await
                .unwrap();
            let titles: Vec<(&str, i32, &str)> =
                anns.iter().map(|(l, b, m)| (b.title.as_str(), l.days, m.name.as_str())).collect();
            assert_eq!(titles, [("Germinal", 7, "Ann"), ("Persuasion", 21, "Ann")]);

            // Four: the book's author too, joined from the second model.
            let rows: Vec<(Loan, Book, Member, Author)> = Loan::find()
                .inner_join(Loan::BOOK)
                .inner_join(Loan::MEMBER)
                .inner_join(Book::AUTHOR)
                .filter(Author::NAME.eq("Austen"))
                .order_by(Loan::DAYS.desc())
                .all(db)
                .await
                .unwrap();
            let who: Vec<(&str, &str)> = rows.iter().map(|(_, b, m, _)| (b.title.as_str(), m.name.as_str())).collect();
            assert_eq!(who, [("Persuasion", "Ann"), ("Emma", "Bob")]);

            // LEFT JOIN through a has_many: members without loans have `None`.
            let idle: Vec<String> = Member::find()
                .left_join(Member::LOANS)
                .filter(Loan::ID.is_null())
                .select(Member::NAME)
                .all(db)
                .await
                .unwrap();
            assert_eq!(idle, ["Cid"]);
            let pairs: Vec<(Member, Option<Loan>)> =
                Member::find().left_join(Member::LOANS).order_by(Member::NAME.asc()).all(db).await.unwrap();
            assert_eq!(pairs.len(), 4);
            assert!(pairs.last().unwrap().1.is_none());

            // Books by author name, with their genres: one chain, two queries.
            let ((), p) = ormlet::profile_async(async {
                let shelf = Book::find()
                    .inner_join(Book::AUTHOR)
                    .order_by(Author::NAME.asc())
                    .order_by(Book::TITLE.asc())
                    .with(Book::GENRES)
                    .all(db)
                    .await
                    .unwrap();
                let got: Vec<(&str, Vec<&str>)> = shelf
                    .iter()
                    .map(|b| (b.title.as_str(), b.get(Book::GENRES).iter().map(|g| g.name.as_str()).collect()))
                    .collect();
                let mut got = got;
                for (_, g) in &mut got {
                    g.sort();
                }
                assert_eq!(
                    got,
                    [("Emma", vec!["classic", "novel"]), ("Persuasion", vec![]), ("Germinal", vec!["novel"])]
                );
            })
            .await;
            assert_eq!(p.queries().len(), 2, "{}", p.to_text_with(false));

            // Loaded rows serialise as the model's fields plus one per relation, nested too.
            let authors = Author::find()
                .order_by(Author::NAME.asc())
                .with(Author::BOOKS.with(Book::GENRES))
                .all(db)
                .await
                .unwrap();
            let json = serde_json::to_value(&authors[0]).unwrap();
            assert_eq!(json["name"], "Austen");
            let books = json["books"].as_array().unwrap();
            assert_eq!(books.len(), 2);
            let emma = books.iter().find(|b| b["title"] == "Emma").unwrap();
            assert_eq!(emma["genres"].as_array().unwrap().len(), 2);
            let shelf = Book::find()
                .order_by(Book::TITLE.asc())
                .with(Book::AUTHOR)
                .with(Book::GENRES)
                .first(db)
                .await
                .unwrap()
                .unwrap();
            let text = serde_json::to_string(&shelf).unwrap();
            let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} in {text}"));
            let order = ["\"id", "author_id", "title", "author\"", "genres"].map(|k| at(k.trim_matches('"')));
            assert!(order.windows(2).all(|w| w[0] < w[1]), "fields, then relations in .with order: {text}");
            assert_eq!(serde_json::to_value(&shelf).unwrap()["author"]["name"], "Austen");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn any_db_takes_question_marks_on_every_backend() {
            use ormlet::prelude::*;
            use $crate::suite::AsAny;
            use $crate::suite::queries::Counter;
            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            db.create_table::<Counter>().await.unwrap();
            Counter { id: Auto::new(), n: 4, note: Some("a?b".into()) }.insert(&db).await.unwrap();
            let sql = "SELECT n, note FROM counters WHERE n > ? AND note = ? AND note <> 'x?' -- y?";
            let rows: Vec<(i64, String)> = db.raw(sql, params![1, "a?b"]).all().await.unwrap();
            assert_eq!(rows, [(4, "a?b".to_owned())]);
            let tx = db.begin().await.unwrap();
            let n = tx.raw("UPDATE counters SET n = n + ? WHERE n = ?", params![1, 4]).exec().await.unwrap();
            assert_eq!(n, 1);
            tx.commit().await.unwrap();
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn row_locks_wait_fail_or_skip() {
            use ormlet::prelude::*;
            use $crate::suite::AsAny;
            use $crate::suite::queries::Counter;
            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            db.create_table::<Counter>().await.unwrap();
            let mut ids = Vec::new();
            for n in 0..3 {
                ids.push(Counter { id: Auto::new(), n, note: None }.insert(&db).await.unwrap());
            }
            let holder = db.begin().await.unwrap();
            let held = Counter::find().filter(Counter::ID.eq(ids[0])).for_update().one(&holder).await.unwrap();
            assert_eq!(held.n, 0);
            if db.backend() == ormlet::Backend::Sqlite {
                // No row locks: the open write transaction holds the whole database.
                holder.rollback().await.unwrap();
                return;
            }
            let other = db.begin().await.unwrap();
            // NOWAIT: the held row is a conflict at once.
            let err =
                Counter::find().filter(Counter::ID.eq(ids[0])).for_update().nowait().one(&other).await.unwrap_err();
            assert!(err.is_conflict(), "{err:?}");
            other.rollback().await.unwrap();
            let other = db.begin().await.unwrap();
            // SKIP LOCKED: the free rows only, as a work queue takes them.
            let free: Vec<i64> = Counter::find()
                .order_by(Counter::ID.asc())
                .select(Counter::ID)
                .skip_locked()
                .all(&other)
                .await
                .unwrap();
            assert_eq!(free, ids[1..]);
            other.rollback().await.unwrap();
            holder.rollback().await.unwrap();
            // Shared locks share.
            let a = db.begin().await.unwrap();
            let b = db.begin().await.unwrap();
            Counter::find().filter(Counter::ID.eq(ids[1])).for_share().one(&a).await.unwrap();
            Counter::find().filter(Counter::ID.eq(ids[1])).for_share().nowait().one(&b).await.unwrap();
            a.rollback().await.unwrap();
            b.rollback().await.unwrap();
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn transactions_begin_read_only_or_at_an_isolation_level() {
            use ormlet::prelude::*;
            use ormlet::transaction::{Isolation, TxOptions};
            use $crate::suite::AsAny;
            use $crate::suite::queries::Counter;
            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            db.create_table::<Counter>().await.unwrap();
            let id = Counter { id: Auto::new(), n: 1, note: None }.insert(&db).await.unwrap();
            // A write in a read-only transaction fails, and the transaction rolls back.
            let read_only = TxOptions::new().read_only();
            let err = db
                .transaction_with_options(read_only, |tx| {
                    Box::pin(
                        async move { Counter::update_where(Counter::ID.eq(id), [Counter::N.set(5)]).exec(tx).await },
                    )
                })
                .await
                .unwrap_err();
            assert!(matches!(err, ormlet::Error::Database { .. }), "{err:?}");
            let n = db
                .transaction_with_options(read_only, |tx| {
                    Box::pin(async move { Counter::get(tx, id).await.map(|c| c.n) })
                })
                .await
                .unwrap();
            assert_eq!(n, 1);
            // The connections are writable again afterwards.
            for _ in 0..4 {
                Counter::update_where(Counter::ID.eq(id), [Counter::N.set(Counter::N + 1)]).exec(&db).await.unwrap();
            }
            assert_eq!(Counter::get(&db, id).await.unwrap().n, 5);
            // Every level begins, and a serializable transaction sees one snapshot.
            for level in [Isolation::ReadCommitted, Isolation::RepeatableRead, Isolation::Serializable] {
                let tx = db.begin_with(TxOptions::new().isolation(level)).await.unwrap();
                assert_eq!(Counter::get(&tx, id).await.unwrap().n, 5);
                tx.commit().await.unwrap();
            }
            // With the profiler on, the BEGIN recorded is the one that ran.
            let ((), p) = ormlet::profile_async(async {
                let tx = db.begin_with(TxOptions::new().isolation(Isolation::Serializable)).await.unwrap();
                tx.rollback().await.unwrap();
            })
            .await;
            let begin = &p.queries()[0].sql;
            match db.backend() {
                ormlet::Backend::Sqlite => assert_eq!(begin.as_ref(), "BEGIN IMMEDIATE"),
                ormlet::Backend::Postgres => assert_eq!(begin.as_ref(), "BEGIN ISOLATION LEVEL SERIALIZABLE"),
                _ => assert_eq!(begin.as_ref(), "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION"),
            }
        }
    };
}

pub(crate) use query_tests;

/// 200 tasks × 20 increments of one counter, three ways, each ending at
/// exactly 4000: an atomic `N = N + 1`, a locked read then a write, and a
/// serializable read-then-write run again on conflicts. Without a lock the
/// read-then-write loses updates.
macro_rules! concurrency_tests {
    ($open:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn concurrent_increments_lose_nothing() {
            use ormlet::prelude::*;
            use ormlet::transaction::{Isolation, TxOptions};
            use $crate::suite::AsAny;
            use $crate::suite::queries::Counter;
            const TASKS: i64 = 200;
            const EACH: i64 = 20;
            let Some(t) = $open().await else { return };
            let db = t.db.as_any();
            db.create_table::<Counter>().await.unwrap();

            async fn run_all<F, Fut>(db: &ormlet::AnyDb, id: i64, increment: F) -> i64
            where
                F: Fn(ormlet::AnyDb, i64) -> Fut,
                Fut: std::future::Future<Output = ormlet::Result<()>> + Send + 'static,
            {
                let tasks: Vec<_> = (0..TASKS)
                    .map(|_| {
                        let work = (0..EACH).map(|_| increment(db.clone(), id)).collect::<Vec<_>>();
                        tokio::spawn(async move {
                            for w in work {
                                w.await?;
                            }
                            Ok::<_, ormlet::Error>(())
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task").expect("increment");
                }
                Counter::get(db, id).await.unwrap().n
            }

            let fresh = |db: ormlet::AnyDb| async move {
                Counter { id: Auto::new(), n: 0, note: None }.insert(&db).await.unwrap()
            };

            let id = fresh(db.clone()).await;
            let atomic = run_all(&db, id, |db, id| async move {
                Counter::update_where(Counter::ID.eq(id), [Counter::N.set(Counter::N + 1)]).exec(&db).await.map(|_| ())
            })
            .await;
            assert_eq!(atomic, TASKS * EACH, "N = N + 1");

            let id = fresh(db.clone()).await;
            let locked = run_all(&db, id, |db, id| async move {
                db.transaction(|tx| {
                    Box::pin(async move {
                        let c = Counter::find().filter(Counter::ID.eq(id)).for_update().one(tx).await?;
                        Counter::update_where(Counter::ID.eq(id), [Counter::N.set(c.n + 1)]).exec(tx).await?;
                        Ok(())
                    })
                })
                .await
            })
            .await;
            assert_eq!(locked, TASKS * EACH, "FOR UPDATE, then the write");

            let id = fresh(db.clone()).await;
            let serializable = TxOptions::new().isolation(Isolation::Serializable).attempts(10_000);
            let runs = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
            let counted = runs.clone();
            let retried = run_all(&db, id, move |db, id| {
                let runs = counted.clone();
                async move {
                    db.transaction_with_retry(serializable, |tx| {
                        runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        Box::pin(async move {
                            let c = Counter::get(tx, id).await?;
                            Counter::update_where(Counter::ID.eq(id), [Counter::N.set(c.n + 1)]).exec(tx).await?;
                            Ok(())
                        })
                    })
                    .await
                }
            })
            .await;
            assert_eq!(retried, TASKS * EACH, "serializable, run again on conflicts");
            let runs = runs.load(std::sync::atomic::Ordering::Relaxed);
            if db.backend() != ormlet::Backend::Sqlite {
                // The servers ran transactions side by side, so some conflicted and ran again.
                assert!(runs > TASKS * EACH, "{runs} runs: no conflict was retried");
            }
        }
    };
}

pub(crate) use concurrency_tests;

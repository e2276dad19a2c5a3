//! The cases: each builds two identical in-memory databases, one driven by
//! ormlet and one by hand-written rusqlite, and compares the same work.

use std::hint::black_box;

use ormlet::prelude::*;
use ormlet::sqlite::{AsyncDb, Db};
use rusqlite::Connection;

use crate::diesel_suite as suite;
use crate::harness::{CaseResult, Plan, compare, compare_with_setup};
use crate::models::{Post, RawUser, SCHEMA, User, raw_user};

pub struct Case {
    pub name: &'static str,
    pub run: fn(&Plan) -> CaseResult,
}

pub fn all() -> Vec<Case> {
    vec![
        Case { name: "trivial_query_1", run: |p| suite::trivial_query(p, "trivial_query_1", 1) },
        Case { name: "trivial_query_10k", run: |p| suite::trivial_query(p, "trivial_query_10k", 10_000) },
        Case { name: "medium_complex_1", run: |p| suite::medium_complex(p, "medium_complex_1", 1) },
        Case { name: "medium_complex_10k", run: |p| suite::medium_complex(p, "medium_complex_10k", 10_000) },
        Case { name: "insert_1", run: |p| suite::insert(p, "insert_1", 1) },
        Case { name: "insert_100", run: |p| suite::insert(p, "insert_100", 100) },
        Case { name: "load_associations", run: suite::load_associations },
        Case { name: "get_by_pk", run: suite::get_by_pk },
        Case { name: "filter_order_limit", run: filter_order_limit },
        Case { name: "async_get_by_pk", run: async_get_by_pk },
        Case { name: "profiler_no_scope", run: profiler_no_scope },
        Case { name: "profiler_in_scope", run: profiler_in_scope },
        Case { name: "profiler_in_scope_count_only", run: profiler_in_scope_count_only },
        Case { name: "profiler_clock_only", run: profiler_clock_only },
        Case { name: "profiler_in_async_scope", run: profiler_in_async_scope },
        Case { name: "profiler_scope_one_query", run: profiler_scope_one_query },
        Case { name: "profiler_empty_scope", run: profiler_empty_scope },
        Case { name: "profiler_scope_10k_rows", run: profiler_scope_10k_rows },
        Case { name: "profiler_scope_eager", run: profiler_scope_eager },
        Case { name: "pg_trivial_query_1", run: |p| crate::pg_suite::trivial_query(p, "pg_trivial_query_1", 1) },
        Case {
            name: "pg_trivial_query_10k",
            run: |p| crate::pg_suite::trivial_query(p, "pg_trivial_query_10k", 10_000),
        },
        Case { name: "pg_medium_complex_1", run: |p| crate::pg_suite::medium_complex(p, "pg_medium_complex_1", 1) },
        Case {
            name: "pg_medium_complex_10k",
            run: |p| crate::pg_suite::medium_complex(p, "pg_medium_complex_10k", 10_000),
        },
        Case { name: "pg_insert_1_peers", run: |p| crate::pg_suite::insert(p, "pg_insert_1_peers", 1) },
        Case { name: "pg_insert_100", run: |p| crate::pg_suite::insert(p, "pg_insert_100", 100) },
        Case { name: "pg_load_associations", run: crate::pg_suite::load_associations },
        Case { name: "pg_select_10k_rows", run: crate::postgres::select_10k_rows },
        Case { name: "pg_get_by_pk", run: crate::postgres::get_by_pk },
        Case { name: "pg_insert_1", run: crate::postgres::insert_1 },
        Case { name: "realworld_articles_sqlite", run: crate::realworld::sqlite },
        Case { name: "realworld_articles_pg", run: crate::realworld::postgres },
    ]
}

/// Two databases with the same schema and `n` users (`hair(i)` as hair colour).
fn pair(n: usize, hair: impl Fn(usize) -> Option<&'static str>) -> (Db, Connection) {
    let db = Db::connect("sqlite::memory:").expect("ormlet db");
    db.execute_batch(SCHEMA).expect("schema");
    let raw = crate::models::raw_database();
    raw.execute_batch("PRAGMA foreign_keys = ON").expect("pragma");
    let users: Vec<User> = (0..n)
        .map(|i| User { id: Auto::new(), name: format!("User {i}"), hair_color: hair(i).map(Into::into) })
        .collect();
    User::insert_many(&db, &users).expect("seed ormlet");
    db.with_conn(|c| c.rusqlite().set_prepared_statement_cache_capacity(256)).expect("conn");
    {
        let mut stmt = raw.prepare("INSERT INTO users (name, hair_color) VALUES (?, ?)").expect("prepare");
        for u in &users {
            stmt.execute(rusqlite::params![u.name, u.hair_color]).expect("seed raw");
        }
    }
    (db, raw)
}

/// [`pair`] with `per_user` posts for each of `users` users.
fn with_posts(users: usize, per_user: usize) -> (Db, Connection) {
    let (db, raw) = pair(users, |_| None);
    let posts: Vec<Post> = (1..=users as i32)
        .flat_map(|u| (0..per_user).map(move |i| (u, i)))
        .map(|(u, i)| Post { id: Auto::new(), user_id: u, title: format!("Post {i}"), body: None })
        .collect();
    Post::insert_many(&db, &posts).expect("seed ormlet");
    {
        let mut stmt = raw.prepare("INSERT INTO posts (user_id, title, body) VALUES (?, ?, ?)").expect("prepare");
        for p in &posts {
            stmt.execute(rusqlite::params![p.user_id, p.title, p.body]).expect("seed raw");
        }
    }
    (db, raw)
}

pub(crate) fn keys(n: usize) -> impl FnMut() -> i32 {
    let mut k: usize = 0;
    move || {
        k = (k + 7919) % n;
        k as i32 + 1
    }
}

fn filter_order_limit(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, raw) = pair(n, |i| if i % 3 == 0 { None } else { Some("brown") });
    let names: Vec<String> = (0..n).map(|i| format!("User {}", (i * 7919) % n)).collect();
    let query = |name: &str| User::find().filter(User::NAME.gt(name)).order_by(User::NAME.asc()).limit(20);
    let sql = query("x").to_sql(ormlet::Backend::Sqlite).0;
    let (mut io, mut ib) = (0usize, 0usize);
    compare(
        plan,
        "filter_order_limit",
        "rusqlite",
        || {
            io = (io + 1) % n;
            black_box(query(&names[io]).all(&db).expect("ormlet"));
        },
        || {
            ib = (ib + 1) % n;
            let mut stmt = raw.prepare_cached(&sql).expect("prepare");
            let users: Vec<RawUser> = stmt
                .query_map(rusqlite::params![names[ib], 20], raw_user)
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            black_box(users);
        },
    )
}

/// The async face's hand-off: `User::get(&async_db, k).await` in a task on a
/// multi-threaded runtime, against the synchronous `User::get(&db, k)` in the
/// same kind of task, so the difference is what the async face adds.
fn async_get_by_pk(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, _raw) = pair(n, |_| None);
    let adb = AsyncDb::from(db.clone());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (mut ko, mut kb) = (keys(n), keys(n));
    compare(
        plan,
        "async_get_by_pk",
        "ormlet sync Db in the same task",
        || {
            let (k, adb) = (ko(), adb.clone());
            let user = rt.block_on(async move { tokio::spawn(async move { User::get(&adb, k).await }).await });
            black_box(user.expect("task").expect("ormlet"));
        },
        || {
            let (k, db) = (kb(), db.clone());
            let user = rt.block_on(async move { tokio::spawn(async move { User::get(&db, k) }).await });
            black_box(user.expect("task").expect("ormlet"));
        },
    )
}

/// `get_by_pk` with the profiler installed but no scope open, against the
/// same with no profiler at all (the hook removed).
fn profiler_no_scope(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, _raw) = pair(n, |_| None);
    let (mut ko, mut kb) = (keys(n), keys(n));
    let result = compare_with_setup(
        plan,
        "profiler_no_scope",
        "ormlet without profiler",
        (ormlet::profiler::install, || get_each(&db, &mut ko, 1)),
        (
            || {
                ormlet::events::clear_hook();
            },
            || get_each(&db, &mut kb, 1),
        ),
    );
    ormlet::profiler::install();
    result
}

/// 100 `get_by_pk` inside one scope, then its findings (fingerprints, N+1,
/// duplicates: what a request's log or `assert_no_n_plus_one` asks for),
/// against 100 with no profiler.
fn profiler_in_scope(plan: &Plan) -> CaseResult {
    in_scope(plan, "profiler_in_scope", |profile| {
        black_box(profile.findings());
    })
}

/// The same scope when nothing reads its findings (`assert_num_queries`, a
/// request with no log subscriber): recording alone.
fn profiler_in_scope_count_only(plan: &Plan) -> CaseResult {
    in_scope(plan, "profiler_in_scope_count_only", |_| {})
}

/// (`then` is a function pointer, so both cases run one copy of this code
/// and differ by what `then` does alone.)
fn in_scope(plan: &Plan, name: &'static str, then: fn(&ormlet::profiler::Profile)) -> CaseResult {
    let n = 10_000;
    let (db, _raw) = pair(n, |_| None);
    let (mut ko, mut kb) = (keys(n), keys(n));
    let result = compare_with_setup(
        plan,
        name,
        "ormlet without profiler",
        (ormlet::profiler::install, || {
            let ((), profile) = ormlet::profile(|| get_each(&db, &mut ko, 100));
            assert_eq!(profile.query_count(), 100);
            then(&profile);
            black_box(profile);
        }),
        (
            || {
                ormlet::events::clear_hook();
            },
            || get_each(&db, &mut kb, 100),
        ),
    );
    ormlet::profiler::install();
    result
}

/// 100 `get_by_pk`, each between two readings of the events' clock (what
/// a scope times a query with), against 100 without: the part of the
/// in-scope ratios that is reading the clock, with no profiler at all.
fn profiler_clock_only(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, _raw) = pair(n, |_| None);
    let (mut ko, mut kb) = (keys(n), keys(n));
    ormlet::events::clear_hook();
    let result = compare(
        plan,
        "profiler_clock_only",
        "ormlet without clock",
        || get_each_timed(&db, &mut ko, 100, black_box(true)),
        || get_each_timed(&db, &mut kb, 100, black_box(false)),
    );
    ormlet::profiler::install();
    result
}

/// [`get_each`], reading the events' clock before and after each query
/// when `read`: one copy for both sides of [`profiler_clock_only`].
#[inline(never)]
fn get_each_timed(db: &Db, key: &mut impl FnMut() -> i32, n: usize, read: bool) {
    for _ in 0..n {
        let started = read.then(ormlet::events::Tick::now);
        black_box(User::get(db, key()).expect("ormlet"));
        black_box((started, read.then(ormlet::events::Tick::now)));
    }
}

/// 100 `get_by_pk` through the async face inside one `profile_async` scope,
/// against 100 with no profiler: how a request under `ProfilerLayer`
/// records, each poll into a recording of its own that joins the scope's,
/// behind its lock, when the poll ends. Recording only (no findings).
fn profiler_in_async_scope(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, _raw) = pair(n, |_| None);
    let adb = AsyncDb::from(db);
    // Queries run inline on a current-thread runtime: no hand-off to measure.
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let (mut ko, mut kb) = (keys(n), keys(n));
    let result = compare_with_setup(
        plan,
        "profiler_in_async_scope",
        "ormlet without profiler",
        (ormlet::profiler::install, || {
            let ((), profile) = rt.block_on(ormlet::profile_async(get_each_async(&adb, &mut ko, 100)));
            assert_eq!(profile.query_count(), 100);
            black_box(profile);
        }),
        (
            || {
                ormlet::events::clear_hook();
            },
            || rt.block_on(get_each_async(&adb, &mut kb, 100)),
        ),
    );
    ormlet::profiler::install();
    result
}

/// [`get_each`] through the async face, boxed so both sides poll one copy.
fn get_each_async<'a>(
    db: &'a AsyncDb,
    key: &'a mut (dyn FnMut() -> i32 + 'a),
    n: usize,
) -> std::pin::Pin<Box<dyn Future<Output = ()> + 'a>> {
    Box::pin(async move {
        for _ in 0..n {
            black_box(User::get(db, key()).await.expect("ormlet"));
        }
    })
}

/// One `get_by_pk` in a scope of its own, findings computed: a request's
/// shape under `ProfilerLayer`, against the same query with no profiler.
fn profiler_scope_one_query(plan: &Plan) -> CaseResult {
    let n = 10_000;
    let (db, _raw) = pair(n, |_| None);
    let mut key = keys(n);
    scoped(plan, "profiler_scope_one_query", &mut || get_each(&db, &mut key, 1))
}

/// A scope with no query, findings read, against doing nothing: the
/// difference of the two times is what a scope costs by itself (opening,
/// ending, its profile), the floor under `profiler_scope_one_query`.
fn profiler_empty_scope(plan: &Plan) -> CaseResult {
    scoped(plan, "profiler_empty_scope", &mut || {})
}

/// 10,000 rows read in a scope: recording is per query, so it should not
/// show against the rows' decoding.
fn profiler_scope_10k_rows(plan: &Plan) -> CaseResult {
    let (db, _raw) = pair(10_000, |_| None);
    scoped(plan, "profiler_scope_10k_rows", &mut || {
        let users: Vec<User> = User::find().all(&db).expect("ormlet");
        assert_eq!(users.len(), 10_000);
        black_box(users);
    })
}

/// 1,000 users with their 10,000 posts (`.with(User::POSTS)`) in a scope.
fn profiler_scope_eager(plan: &Plan) -> CaseResult {
    let (db, _raw) = with_posts(1_000, 10);
    scoped(plan, "profiler_scope_eager", &mut || {
        let loaded = User::find().with(User::POSTS).all(&db).expect("ormlet");
        assert_eq!(loaded.len(), 1_000);
        black_box(loaded);
    })
}

/// `work` in a scope of its own whose findings are read, against `work`
/// with no profiler installed. Both sides call the one copy of `work`.
fn scoped(plan: &Plan, name: &'static str, work: &mut dyn FnMut()) -> CaseResult {
    let work = std::cell::RefCell::new(work);
    let result = compare_with_setup(
        plan,
        name,
        "ormlet without profiler",
        (ormlet::profiler::install, || {
            let ((), profile) = ormlet::profile(|| (work.borrow_mut())());
            black_box(profile.findings());
            black_box(profile);
        }),
        (
            || {
                ormlet::events::clear_hook();
            },
            || (work.borrow_mut())(),
        ),
    );
    ormlet::profiler::install();
    result
}

/// `n` `get_by_pk`s with keys from `key`. Both sides of a profiler case
/// call this one copy, so they differ by the profiler alone and not by
/// where the compiler put each side's inlined queries.
#[inline(never)]
fn get_each(db: &Db, key: &mut impl FnMut() -> i32, n: usize) {
    for _ in 0..n {
        black_box(User::get(db, key()).expect("ormlet"));
    }
}

//! The profiler over real queries: scopes, detectors, reports, assertions.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use common::{Post, User, db, seed};
use ormlet::prelude::*;
use ormlet::profiler::{self, FindingKind, ProfilerConfig};
use ormlet::sqlite::AsyncDb;

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn duplicates_are_found_unless_a_write_came_between() {
    let db = db();
    seed(&db, 0);
    let ((), p) = ormlet::profile(|| {
        User::get(&db, 1).unwrap();
        User::get(&db, 1).unwrap(); // duplicate of the first
        User::get(&db, 1).unwrap(); // and again
    });
    let dups: Vec<_> = p.findings_of(FindingKind::Duplicate).collect();
    assert_eq!(dups.len(), 1, "{}", p.to_text_with(false));
    assert_eq!(dups[0].count, 3);
    assert_eq!(dups[0].queries, [1, 2, 3]);

    let ((), p) = ormlet::profile(|| {
        User::get(&db, 1).unwrap();
        User::update_where(User::ID.eq(1), [User::AGE.set(40)]).exec(&db).unwrap();
        User::get(&db, 1).unwrap(); // re-read after a write: legitimate
    });
    assert_eq!(p.findings_of(FindingKind::Duplicate).count(), 0, "{}", p.to_text_with(false));
}

/// A request's usual few queries: each from its own line, none alike, so
/// no finding; yet the same query from two lines is a duplicate, and one
/// line running SQL with its value written into the text is a loop.
#[test]
fn a_few_distinct_queries_have_no_finding_but_a_repeat_among_them_does() {
    let db = db();
    seed(&db, 0);
    let ((), p) = ormlet::profile(|| {
        User::get(&db, 1).unwrap();
        User::find().count(&db).unwrap();
        let _: Vec<(i64,)> = db.raw("SELECT 1", vec![]).all().unwrap();
    });
    assert_eq!((p.query_count(), p.findings().len()), (3, 0), "{}", p.to_text_with(false));

    let ((), p) = ormlet::profile(|| {
        User::get(&db, 1).unwrap();
        User::find().count(&db).unwrap();
        User::get(&db, 1).unwrap(); // the first again, from another line
    });
    assert_eq!(p.findings_of(FindingKind::Duplicate).map(|f| f.count).collect::<Vec<_>>(), [2]);

    let ((), p) = ormlet::profile(|| {
        for id in [1, 2] {
            let _: Vec<(i64,)> = db.raw(format!("SELECT {id}"), vec![]).all().unwrap();
        }
    });
    assert_eq!(p.findings_of(FindingKind::NPlusOne).map(|f| f.count).collect::<Vec<_>>(), [2]);
}

fn lookups(db: &ormlet::sqlite::Db, ids: &[i64]) {
    for id in ids {
        User::get(db, *id).unwrap();
    }
}

#[test]
fn n_plus_one_below_at_and_above_the_threshold() {
    let db = db();
    seed(&db, 0);
    let config = || ProfilerConfig::default().n_plus_one_threshold(3);
    let ((), below) = profiler::profile_with(config(), || lookups(&db, &[1, 2]));
    assert_eq!(below.findings_of(FindingKind::NPlusOne).count(), 0);
    let ((), at) = profiler::profile_with(config(), || lookups(&db, &[1, 2, 3]));
    assert_eq!(at.findings_of(FindingKind::NPlusOne).map(|f| f.count).collect::<Vec<_>>(), [3]);
    let ((), above) = profiler::profile_with(config(), || lookups(&db, &[1, 2, 3, 1, 2]));
    let f = above.findings_of(FindingKind::NPlusOne).next().expect("N+1");
    assert_eq!(f.count, 5);
    assert_eq!(f.call_sites.len(), 1);
    assert!(f.call_sites[0].file().ends_with("tests/profiler.rs"));
    // The default threshold is 2 (Prosopite's rule).
    let ((), default) = ormlet::profile(|| lookups(&db, &[1, 2]));
    assert_eq!(default.findings_of(FindingKind::NPlusOne).count(), 1);
    // The same values every time is a duplicate, not an N+1.
    let ((), same) = ormlet::profile(|| lookups(&db, &[1, 1, 1]));
    assert_eq!(same.findings_of(FindingKind::NPlusOne).count(), 0);
    assert_eq!(same.findings_of(FindingKind::Duplicate).count(), 1);
}

#[test]
fn interleaved_loops_are_one_n_plus_one_each_and_a_repeat_across_them_a_duplicate() {
    let db = db();
    seed(&db, 1);
    let ((), p) = ormlet::profile(|| {
        for id in [1, 2, 3] {
            User::get(&db, id).unwrap();
            Post::find().filter(Post::AUTHOR_ID.eq(id)).all(&db).unwrap();
        }
        User::get(&db, 2).unwrap(); // the loop's second user again, from another line
    });
    let report = p.to_text_with(false);
    let n_plus_ones: Vec<_> = p.findings_of(FindingKind::NPlusOne).map(|f| (f.queries.clone(), f.count)).collect();
    assert_eq!(n_plus_ones, [(vec![1, 3, 5], 3), (vec![2, 4, 6], 3)], "{report}");
    let dups: Vec<_> = p.findings_of(FindingKind::Duplicate).map(|f| f.queries.clone()).collect();
    assert_eq!(dups, [vec![3, 7]], "{report}");
    let dup = p.findings_of(FindingKind::Duplicate).next().expect("duplicate");
    assert_eq!(dup.call_sites.len(), 2, "the loop's line and the repeat's: {report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_n_plus_one_names_the_awaiting_line() {
    let db = AsyncDb::connect("sqlite::memory:").unwrap();
    db.create_table::<User>().await.unwrap();
    for i in 0..4 {
        User::new(&format!("{i}@x.io"), "U", None).insert(&db).await.unwrap();
    }
    let expected_line = line!() + 4;
    let ((), p) = ormlet::profile_async(async {
        let users = User::find().all(&db).await.unwrap();
        for u in &users {
            User::get(&db, u.id.get().unwrap()).await.unwrap();
        }
    })
    .await;
    assert_eq!(p.query_count(), 5);
    let f = p.findings_of(FindingKind::NPlusOne).next().expect("N+1");
    assert_eq!(f.count, 4);
    assert_eq!((f.call_sites[0].file(), f.call_sites[0].line()), (file!(), expected_line));
}

#[test]
fn slow_queries_are_found() {
    let db = db();
    // Far between the two queries' times, so a busy machine (a preempted
    // COUNT can take milliseconds) does not blur them.
    let config = ProfilerConfig::default().slow_threshold(Duration::from_millis(40));
    let ((), p) = profiler::profile_with(config, || {
        let n: Vec<i64> = db
            .raw(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000) SELECT count(*) FROM c",
                vec![],
            )
            .all()
            .unwrap();
        assert_eq!(n, [400_000]);
        User::find().count(&db).unwrap();
    });
    let slow: Vec<_> = p.findings_of(FindingKind::Slow).collect();
    assert_eq!(slow.len(), 1, "{}", p.to_text_with(false));
    assert!(slow[0].sql.starts_with("WITH RECURSIVE"));
    assert!(slow[0].max >= Duration::from_millis(40));
    assert!(slow[0].plan.is_none(), "plans only when asked for");
}

#[test]
fn slow_reads_get_their_plan_when_asked_and_writes_never() {
    let db = db();
    seed(&db, 0);
    let config = ProfilerConfig::default().slow_threshold(Duration::ZERO).explain_slow(true);
    let ((), p) = profiler::profile_with(config, || {
        User::find().filter(User::AGE.gt(1)).all(&db).unwrap();
        User::find().filter(User::NAME.eq("Ann")).all(&db).unwrap();
        User::update_where(User::AGE.gt(100), [User::AGE.set(1)]).exec(&db).unwrap();
    });
    let plans: Vec<_> = p.findings_of(FindingKind::Slow).map(|f| f.plan.clone()).collect();
    assert_eq!(plans.len(), 3, "every query is slow at a zero threshold");
    assert!(plans[0].as_deref().unwrap().contains("SCAN users"), "{plans:?}");
    assert!(plans[1].as_deref().unwrap().contains("USING INDEX idx_users_display_name"), "{plans:?}");
    assert_eq!(plans[2], None, "no EXPLAIN of writes");
    assert!(p.to_text_with(false).contains("plan:"));
}

#[test]
fn assertion_failures_show_the_report_with_call_sites() {
    let db = db();
    seed(&db, 0);
    let msg = panic_message(|| {
        profiler::assert_num_queries(1, || lookups(&db, &[1, 2, 3]));
    });
    assert!(msg.starts_with("expected 1 queries, ran 3"), "{msg}");
    assert!(msg.contains("tests/profiler.rs:"), "{msg}");
    assert!(msg.contains("×3"), "{msg}");

    let msg = panic_message(|| profiler::assert_max_queries(2, || lookups(&db, &[1, 2, 3])));
    assert!(msg.starts_with("expected at most 2 queries, ran 3"), "{msg}");
    assert!(msg.contains("tests/profiler.rs:"), "the budget failure names the call sites: {msg}");
    let msg = panic_message(|| profiler::assert_no_n_plus_one(|| lookups(&db, &[1, 2])));
    assert!(msg.contains("N+1 ×2") && msg.contains("fix:"), "{msg}");
    let msg = panic_message(|| profiler::assert_no_duplicates(|| lookups(&db, &[2, 2])));
    assert!(msg.contains("duplicate ×2"), "{msg}");
    // Passing cases return the closure's value.
    assert_eq!(profiler::assert_num_queries(1, || User::find().count(&db).unwrap()), 3);
}

#[test]
fn budgets_and_the_scaling_check() {
    let db = db();
    seed(&db, 0);
    let config = ProfilerConfig::default().max_queries(2);
    let ((), p) = profiler::profile_with(config, || lookups(&db, &[1, 2, 3]));
    let budget: Vec<_> = p.findings_of(FindingKind::Budget).collect();
    assert_eq!(budget.len(), 1);
    assert!(p.summary().ends_with("over budget"), "{}", p.summary());

    // Loading authors one by one grows with the data; one IN query does not.
    let scaled = |n: usize| {
        profiler::pause(|| {
            let db = common::db();
            for i in 0..n {
                let id = User::new(&format!("{i}@x.io"), "A", None).insert(&db).unwrap();
                Post::new(id, &format!("p{i}")).insert(&db).unwrap();
            }
            db
        })
    };
    let msg = panic_message(|| {
        profiler::assert_queries_do_not_scale(2, 5, |n| {
            let db = scaled(n);
            for p in Post::find().all(&db).unwrap() {
                User::get(&db, p.author_id).unwrap();
            }
        })
    });
    assert!(msg.starts_with("query count grows with the data: 3 queries for 2, 6 for 5"), "{msg}");
    assert!(msg.contains("tests/profiler.rs:"), "{msg}");
    profiler::assert_queries_do_not_scale(2, 5, |n| {
        let db = scaled(n);
        let posts = Post::find().all(&db).unwrap();
        let ids: Vec<i64> = posts.iter().map(|p| p.author_id).collect();
        User::find().filter(User::ID.is_in(ids)).all(&db).unwrap();
    });
}

#[test]
fn pause_allow_lists_and_bookkeeping_are_not_findings() {
    let db = db();
    seed(&db, 0);
    let ((), p) = ormlet::profile(|| {
        profiler::pause(|| lookups(&db, &[1, 2, 3]));
        db.transaction(|tx| User::find().count(tx).map(|_| ())).unwrap();
        db.transaction(|tx| User::find().first(tx).map(|_| ())).unwrap();
    });
    assert_eq!(p.query_count(), 6, "paused queries are not recorded: {}", p.to_text_with(false));
    assert!(p.findings().is_empty(), "BEGIN/COMMIT repeat but are bookkeeping: {}", p.to_text_with(false));

    let config = ProfilerConfig::default().allow_table("users");
    let ((), p) = profiler::profile_with(config, || lookups(&db, &[1, 2, 3]));
    assert!(p.findings().is_empty());
    let config = ProfilerConfig::default().allow_call_site("tests/profiler.rs");
    let ((), p) = profiler::profile_with(config, || lookups(&db, &[1, 2, 3]));
    assert!(p.findings().is_empty());
}

#[test]
fn values_are_redacted_unless_captured() {
    let db = db();
    seed(&db, 0);
    let ((), p) = ormlet::profile(|| {
        User::find().filter(User::EMAIL.eq("secret@x.io")).all(&db).unwrap();
    });
    assert!(p.queries()[0].values.is_none());
    assert!(!p.to_json().contains("secret@x.io"));
    assert!(!p.to_text_with(false).contains("secret@x.io"));
    let config = ProfilerConfig::default().capture_values(true);
    let ((), p) = profiler::profile_with(config.clone(), || {
        User::find().filter(User::EMAIL.eq("secret@x.io")).all(&db).unwrap();
    });
    // Kept, they show in every report: JSON, HTML and text.
    assert!(p.to_json().contains("secret@x.io"));
    assert!(p.to_html().contains("secret@x.io"));
    assert!(p.to_text_with(false).contains("values: 'secret@x.io'"), "{}", p.to_text_with(false));
    // Cut to `max_value_len`; a folded loop shows its first and last values.
    let long = "x".repeat(500);
    let ((), p) = profiler::profile_with(config.max_value_len(20), || {
        User::find().filter(User::EMAIL.eq(long.as_str())).all(&db).unwrap();
        lookups(&db, &[1, 2, 3]);
    });
    let text = p.to_text_with(false);
    assert!(!text.contains(&"x".repeat(30)), "{text}");
    assert!(text.contains("values: 1 … 3"), "{text}");
}

#[test]
fn json_report_has_the_documented_schema() {
    let db = db();
    seed(&db, 0);
    let ((), p) = ormlet::profile(|| lookups(&db, &[1, 2]));
    let v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
    assert_eq!(v["schema"], "ormlet.profile");
    assert_eq!(v["version"], 1);
    assert_eq!(v["query_count"], 2);
    assert_eq!(v["findings"][0]["kind"], "n_plus_one");
    assert_eq!(v["findings"][0]["fingerprint"].as_str().map(str::len), Some(16));
    assert_eq!(v["queries"][1]["seq"], 2);
    assert_eq!(v["queries"][1]["operation"], "select");
    assert_eq!(v["queries"][1]["table"], "users");
    assert_eq!(v["queries"][1]["backend"], "sqlite");
    assert!(v["queries"][1]["call_site"].as_str().unwrap().starts_with("tests/profiler.rs:"));
}

#[test]
fn a_query_belongs_to_its_innermost_scope_and_every_enclosing_one() {
    let db = db();
    seed(&db, 0);
    let (inner, outer) = ormlet::profile(|| {
        User::find().count(&db).unwrap();
        let ((), inner) = ormlet::profile(|| lookups(&db, &[1, 2, 3]));
        inner
    });
    assert_eq!((outer.query_count(), inner.query_count()), (4, 3));
    // Each scope's findings are its own queries': the loop is an N+1 in both.
    assert_eq!(inner.findings_of(FindingKind::NPlusOne).count(), 1);
    assert_eq!(outer.findings_of(FindingKind::NPlusOne).count(), 1);
    assert!(outer.queries().windows(2).all(|w| w[0].seq < w[1].seq), "in the order they ran");
}

/// An async scope inside a synchronous one is the innermost while its
/// future runs, and its queries are the enclosing scope's too; a task
/// spawned without `ormlet::spawn` on another runtime's worker is in no
/// enclosing scope.
#[test]
fn an_async_scope_inside_a_sync_scope_records_its_own_queries() {
    let db = db();
    seed(&db, 0);
    let adb = AsyncDb::from(db.clone());
    let current = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (rt, _) = runtime_with_posts();
    let (inner, outer) = ormlet::profile(|| {
        User::find().count(&db).unwrap();
        let ((), on_current) = current.block_on(ormlet::profile_async(async {
            User::find().count(&adb).await.unwrap();
        }));
        let adb = adb.clone();
        let on_worker = rt.block_on(async move {
            tokio::spawn(ormlet::profile_async(async move {
                User::find().count(&adb).await.unwrap();
                User::find().count(&adb).await.unwrap();
            }))
            .await
            .unwrap()
            .1
        });
        (on_current.query_count(), on_worker.query_count())
    });
    assert_eq!((outer.query_count(), inner), (2, (1, 2)));
}

/// A multi-threaded runtime, for tasks spawned from a synchronous scope, and
/// an async database with the posts table.
fn runtime_with_posts() -> (tokio::runtime::Runtime, AsyncDb) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let adb = AsyncDb::connect("sqlite::memory:").unwrap();
    rt.block_on(adb.create_table::<Post>()).unwrap();
    (rt, adb)
}

/// A synchronous scope records its own thread's queries apart from those of
/// the tasks it spawns; the profile has both, in the order they started.
#[test]
fn a_sync_scope_merges_its_threads_and_its_tasks_queries_in_order() {
    let db = db();
    seed(&db, 0);
    let (rt, adb) = runtime_with_posts();
    let ((), p) = profiler::profile_with(ProfilerConfig::default().capture_values(true), || {
        User::get(&db, 1).unwrap();
        let adb = adb.clone();
        rt.block_on(async move {
            ormlet::spawn(async move { Post::find().filter(Post::ID.eq(7)).count(&adb).await.unwrap() }).await
        })
        .unwrap();
        User::find().count(&db).unwrap();
    });
    let tables: Vec<_> = p.queries().iter().map(|q| (q.seq, q.table, q.operation)).collect();
    assert_eq!(
        tables,
        [
            (1, Some("users"), ormlet::events::Operation::Select),
            (2, Some("posts"), ormlet::events::Operation::Select),
            (3, Some("users"), ormlet::events::Operation::Select),
        ],
        "{}",
        p.to_text_with(false)
    );
    // The spawned task's statement and values are its own, not the thread's.
    assert!(p.queries()[1].sql.contains("posts"));
    let values: Vec<_> = p.queries().iter().map(|q| q.values.clone().unwrap_or_default()).collect();
    assert_eq!(values, [vec!["1".to_owned()], vec!["7".to_owned()], vec![]]);
    assert_eq!(p.query_count(), 3);
}

/// Past `max_queries_kept` a scope counts queries and their time but keeps
/// none, on its own thread and when its tasks' queries are merged in.
#[test]
fn the_keep_limit_keeps_the_first_queries_and_counts_them_all() {
    let db = db();
    seed(&db, 0);
    let (rt, adb) = runtime_with_posts();
    let config = ProfilerConfig::default().max_queries_kept(4);

    let ((), alone) = profiler::profile_with(config.clone(), || lookups(&db, &[1, 2, 3, 1, 2, 3, 1]));
    assert_eq!((alone.query_count(), alone.queries().len()), (7, 4));
    let kept: Duration = alone.queries().iter().map(|q| q.duration).sum();
    assert!(alone.db_time() > kept, "the 3 unkept queries' time counts: {:?} vs {kept:?}", alone.db_time());

    // An async scope keeps its queries behind its lock alone; the same limit.
    let ((), in_task) = rt.block_on(profiler::profile_async_with(config.clone(), async {
        for id in [1, 2, 3, 1, 2, 3, 1] {
            Post::find().filter(Post::ID.eq(id)).count(&adb).await.unwrap();
        }
    }));
    assert_eq!((in_task.query_count(), in_task.queries().len()), (7, 4));
    let kept: Duration = in_task.queries().iter().map(|q| q.duration).sum();
    assert!(in_task.db_time() > kept);
    let kinds: Vec<_> = in_task.findings().iter().map(|f| f.kind).collect();
    // Over the 4 kept (1, 2, 3, 1): one loop, its repeat counted inside it.
    assert_eq!(kinds, [FindingKind::NPlusOne], "over the 4 kept: 1, 2, 3, 1");

    let ((), merged) = profiler::profile_with(config, || {
        lookups(&db, &[1, 2, 3]);
        let adb = adb.clone();
        rt.block_on(async move {
            ormlet::spawn(async move {
                for id in 0..3 {
                    Post::find().filter(Post::ID.eq(id)).count(&adb).await.unwrap();
                }
            })
            .await
        })
        .unwrap();
    });
    assert_eq!((merged.query_count(), merged.queries().len()), (6, 4));
    let tables: Vec<_> = merged.queries().iter().map(|q| q.table).collect();
    assert_eq!(tables, [Some("users"), Some("users"), Some("users"), Some("posts")], "the first 4, in order");
    let kept: Duration = merged.queries().iter().map(|q| q.duration).sum();
    assert!(merged.db_time() > kept);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tasks_each_get_exactly_their_own_queries() {
    let dir = std::env::temp_dir().join(format!("ormlet-prof-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.db");
    let _ = std::fs::remove_file(&path);
    let db = AsyncDb::connect(&format!("sqlite://{}", path.display())).unwrap();
    db.create_table::<User>().await.unwrap();
    User::new("a@x.io", "A", Some(1)).insert(&db).await.unwrap();

    let tasks: Vec<_> = (0..64i32)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let ((), p) = ormlet::profile_async(async {
                    for _ in 0..i {
                        User::find().filter(User::AGE.ge(i)).count(&db).await.unwrap();
                        tokio::task::yield_now().await;
                    }
                    // A helper task carries the scope along.
                    let db2 = db.clone();
                    ormlet::spawn(async move { User::get(&db2, 1).await.unwrap() }).await.unwrap();
                })
                .await;
                (i, p)
            })
        })
        .collect();
    for t in tasks {
        let (i, p) = t.await.unwrap();
        assert_eq!(p.query_count(), i as u64 + 1, "task {i}: {}", p.to_text_with(false));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn outside_any_scope_nothing_is_recorded() {
    let db = db();
    seed(&db, 0);
    lookups(&db, &[1, 2, 3]);
    let ((), p) = ormlet::profile(|| {});
    assert_eq!(p.query_count(), 0);
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let db = db();
    seed(&db, 0);
    let config = ProfilerConfig::default().capture_values(true);
    let ((), p) = profiler::profile_with(config, || {
        lookups(&db, &[1, 2]);
        let _ = db.raw("SELECT '<script>alert(1)</script>'", vec![]).all::<String>();
    });
    let html = p.to_html();
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script"), "database text is escaped");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no external resources");
    assert!(html.contains("N+1 ×2"));
    assert!(html.contains("tests/profiler.rs:"));
    assert!(html.contains("By fingerprint") && html.contains("Timeline"));
}

/// SQL, errors and plans can carry terminal control sequences (a string
/// literal, a table name); the text report writes them as escapes.
#[test]
fn the_text_report_never_sends_control_characters_to_the_terminal() {
    let db = db();
    let ((), p) = ormlet::profile(|| {
        let _: Vec<(String,)> = db.raw("SELECT '\u{1b}[2J' || ?", params!["x"]).all().unwrap();
        let _: Vec<(String,)> = db.raw("SELECT '\u{1b}[2J' || ?", params!["y"]).all().unwrap();
        let missing: ormlet::Result<Vec<(i64,)>> = db.raw("SELECT 1 FROM \"gone\u{1b}]0;pwned\u{7}\"", vec![]).all();
        assert!(missing.is_err());
    });
    let text = p.to_text_with(false);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("\\u{1b}[2J"), "{text}");
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
    // Only the terminal report escapes: the JSON keeps the text as it was.
    assert!(p.to_json().contains("\\u001b[2J"));
}

/// `pause_async` hides a future's queries; `pause(|| fut)` would only have
/// paused making it.
#[tokio::test]
async fn pause_async_hides_the_queries_of_a_future() {
    let db = db();
    seed(&db, 0);
    let adb = AsyncDb::from(db.clone());
    let ((), p) = ormlet::profile_async(async {
        ormlet::pause_async(async {
            User::find().count(&adb).await.unwrap();
            User::find().count(&adb).await.unwrap();
        })
        .await;
        User::find().count(&adb).await.unwrap();
    })
    .await;
    assert_eq!(p.query_count(), 1, "{}", p.to_text_with(false));
}

/// The async assertions: scaling checked over futures, and a failure that
/// names the line the assertion was written on.
#[tokio::test]
async fn async_assertions_check_scaling_and_name_their_line() {
    let db = db();
    seed(&db, 0);
    let adb = AsyncDb::from(db.clone());
    // A fixed number of queries whatever the size: passes.
    profiler::assert_queries_do_not_scale_async(1, 5, |n| {
        let adb = adb.clone();
        async move {
            let ids: Vec<i64> = (1..=n as i64).collect();
            User::find().filter(User::ID.is_in(ids)).all(&adb).await.unwrap();
        }
    })
    .await;
    // One query per row: fails, with both reports.
    let grows = AssertUnwindSafe(profiler::assert_queries_do_not_scale_async(1, 3, |n| {
        let adb = adb.clone();
        async move {
            for id in 1..=n as i64 {
                User::find().filter(User::ID.eq(id)).all(&adb).await.unwrap();
            }
        }
    }));
    let err = futures_catch(grows).await.unwrap_err();
    assert!(err.contains("query count grows with the data: 1 queries for 1, 3 for 3"), "{err}");
    let (counting, line) =
        (profiler::assert_num_queries_async(5, async { User::find().count(&adb).await.unwrap() }), line!());
    let counted = AssertUnwindSafe(counting);
    let err = futures_catch(counted).await.unwrap_err();
    assert!(err.contains(&format!("(assertion at tests/profiler.rs:{line})")), "{err}");
}

/// The panic message of `fut`, if it panics.
async fn futures_catch<F: std::future::Future + std::panic::UnwindSafe>(fut: F) -> Result<F::Output, String> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
        Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
        Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
        Err(e) => std::task::Poll::Ready(Err(e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default())),
    })
    .await
}

/// 8 lookups over 3 distinct authors: one N+1 finding that counts the
/// repeats, not one N+1 and three duplicates.
#[test]
fn repeats_inside_a_loop_are_part_of_its_one_finding() {
    let db = db();
    seed(&db, 3);
    let ((), p) = ormlet::profile(|| {
        let posts = Post::find().order_by(Post::ID.asc()).limit(8).all(&db).unwrap();
        for post in &posts {
            User::get(&db, post.author_id).unwrap();
        }
    });
    let n1: Vec<_> = p.findings_of(FindingKind::NPlusOne).collect();
    assert_eq!(n1.len(), 1, "{}", p.to_text_with(false));
    assert_eq!(n1[0].count, 8);
    let text = n1[0].suggestion.to_string();
    assert!(text.starts_with("8 queries on `users` over 3 distinct values; 5 were repeats"), "{text}");
    assert_eq!(p.findings_of(FindingKind::Duplicate).count(), 0, "{}", p.to_text_with(false));
    // A repeat outside any loop is still a duplicate.
    let ((), p) = ormlet::profile(|| {
        User::find().filter(User::NAME.eq("Ann")).all(&db).unwrap();
        User::find().filter(User::NAME.eq("Ann")).all(&db).unwrap();
    });
    assert_eq!(p.findings_of(FindingKind::Duplicate).count(), 1, "{}", p.to_text_with(false));
}

/// Values written into the SQL text, in a loop, are an N+1 like bound ones
/// (the fingerprint replaces literals); the same text twice is a duplicate.
#[test]
fn a_loop_of_hand_written_sql_with_inline_values_is_an_n_plus_one() {
    let db = db();
    seed(&db, 0);
    let ((), p) = ormlet::profile(|| {
        for id in 1..=3 {
            let _: Vec<User> = db.raw(format!("SELECT * FROM users WHERE id = {id}"), vec![]).all().unwrap();
        }
    });
    assert_eq!(p.findings_of(FindingKind::NPlusOne).count(), 1, "{}", p.to_text_with(false));
    assert_eq!(p.findings_of(FindingKind::Duplicate).count(), 0, "{}", p.to_text_with(false));
    let ((), p) = ormlet::profile(|| {
        for _ in 0..2 {
            let _: Vec<User> = db.raw("SELECT * FROM users WHERE id = 1", vec![]).all().unwrap();
        }
    });
    assert_eq!(p.findings_of(FindingKind::Duplicate).count(), 1, "{}", p.to_text_with(false));
    assert_eq!(p.findings_of(FindingKind::NPlusOne).count(), 0, "{}", p.to_text_with(false));
}

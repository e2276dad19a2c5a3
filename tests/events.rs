//! Every execution emits one QueryEvent, with the caller's file and line.

mod common;

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use common::{Post, User, db, seed};
use ormlet::events::{Operation, QueryEvent, QueryHook, QuerySink, ScopeOpen, SharedSink, Tick, set_hook};
use ormlet::prelude::*;

/// What these tests check of a [`QueryEvent`], copied out of the lent event.
#[derive(Debug, Clone)]
struct Event {
    sql: String,
    values: Vec<ormlet::Value>,
    operation: Operation,
    table: Option<&'static str>,
    rows: u64,
    error: Option<String>,
    call_site: &'static std::panic::Location<'static>,
    tx_depth: u32,
    started: ormlet::events::Tick,
    ended: ormlet::events::Tick,
    duration: std::time::Duration,
}

#[derive(Default)]
struct Collect(Mutex<Vec<Event>>);

impl QuerySink for Collect {
    fn record(&self, e: &QueryEvent<'_>) {
        self.0.lock().unwrap().push(Event {
            sql: e.sql.to_string(),
            values: e.values.to_vec(),
            operation: e.operation,
            table: e.table,
            rows: e.rows,
            error: e.error.map(str::to_owned),
            call_site: e.call_site,
            tx_depth: e.tx_depth,
            started: e.started,
            ended: e.ended,
            duration: e.duration(),
        });
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Collect>>> = const { RefCell::new(None) };
}

struct ThreadHook;

impl QueryHook for ThreadHook {
    fn current(&self) -> Option<SharedSink> {
        CURRENT.with_borrow(|c| c.clone().map(|c| c as SharedSink))
    }
}

static HOOK: &dyn QueryHook = &ThreadHook;

/// Runs `f` with a collecting sink installed on this thread, counted as an
/// open scope. The hook only implements `current`, so SQLite queries go
/// through the default `with_current`.
fn record(f: impl FnOnce()) -> Vec<Event> {
    set_hook(&HOOK);
    let _open = ScopeOpen::new();
    let sink = Arc::new(Collect::default());
    CURRENT.with_borrow_mut(|c| *c = Some(sink.clone()));
    f();
    CURRENT.with_borrow_mut(|c| *c = None);
    sink.0.lock().unwrap().clone()
}

#[test]
fn a_select_reports_sql_values_rows_table_and_call_site() {
    let db = db();
    seed(&db, 0);
    let mut line = 0;
    let events = record(|| {
        line = line!() + 1;
        let adults = User::find().filter(User::AGE.ge(18)).all(&db).unwrap();
        assert_eq!(adults.len(), 1);
    });
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.operation, Operation::Select);
    assert_eq!(e.table, Some("users"));
    assert_eq!(e.rows, 1);
    assert_eq!(e.values, [ormlet::Value::from(18)]);
    assert!(e.sql.contains(r#"WHERE "users"."age" >= ?"#), "{}", e.sql);
    assert_eq!((e.call_site.file(), e.call_site.line()), (file!(), line));
    assert!(e.error.is_none());
    assert_eq!(e.tx_depth, 0);
}

#[test]
fn a_query_is_timed_on_the_events_clock() {
    let db = db();
    seed(&db, 0);
    let (before, before_instant) = (Tick::now(), ormlet::events::now());
    let events = record(|| {
        User::find().all(&db).unwrap();
    });
    let (after, after_instant) = (Tick::now(), ormlet::events::now());
    let e = &events[0];
    assert!(before <= e.started, "started before the test's first reading");
    assert!(e.started < e.ended && e.ended <= after, "ended after the test's last reading");
    assert!(e.duration > std::time::Duration::ZERO);
    assert_eq!(e.duration, e.ended.duration_since(e.started));
    assert!(e.duration <= after.duration_since(before));
    // Scaled readings agree with the clock's `Instant`s.
    assert!(before_instant <= e.started.instant() && e.ended.instant() <= after_instant);
}

#[test]
fn no_scope_records_nothing() {
    let db = db();
    set_hook(&HOOK);
    User::find().all(&db).unwrap(); // no sink installed on this thread: nothing kept
    let events = record(|| {});
    assert!(events.is_empty());
}

#[test]
fn writes_transactions_and_failures_are_events_too() {
    let db = db();
    let events = record(|| {
        db.transaction(|tx| {
            let id = User::new("a@x.io", "A", None).insert(tx)?;
            Post::new(id, "t").insert(tx)?;
            Ok(())
        })
        .unwrap();
        let _ = User::new("a@x.io", "dup", None).insert(&db);
    });
    let ops: Vec<Operation> = events.iter().map(|e| e.operation).collect();
    assert_eq!(ops, [Operation::Begin, Operation::Insert, Operation::Insert, Operation::Commit, Operation::Insert]);
    assert_eq!(events[1].tx_depth, 1);
    assert_eq!(events[1].rows, 1);
    assert!(events[1].values.contains(&ormlet::Value::from("a@x.io")));
    assert!(events[4].error.as_deref().unwrap_or("").contains("UNIQUE"), "{:?}", events[4].error);
}

#[test]
fn each_loop_iteration_is_one_event_from_the_same_call_site() {
    let db = db();
    seed(&db, 1);
    let events = record(|| {
        let posts = Post::find().all(&db).unwrap();
        for p in &posts {
            User::get(&db, p.author_id).unwrap();
        }
    });
    assert_eq!(events.len(), 4);
    let sites: std::collections::HashSet<u32> = events[1..].iter().map(|e| e.call_site.line()).collect();
    assert_eq!(sites.len(), 1, "the three gets share one call site");
    assert_ne!(events[0].call_site.line(), events[1].call_site.line());
}

#[test]
fn raw_queries_are_recorded_with_their_operation() {
    let db = db();
    let events = record(|| {
        db.raw("UPDATE users SET age = ? WHERE age IS NULL", params![1]).exec().unwrap();
        db.execute_batch("CREATE TABLE extra (x INTEGER)").unwrap();
    });
    assert_eq!(events.iter().map(|e| e.operation).collect::<Vec<_>>(), [Operation::Update, Operation::Schema]);
    assert_eq!(events[0].values, [ormlet::Value::from(1)]);
}

#[test]
fn a_lent_sink_comes_before_the_hook_and_is_taken_back_after() {
    use ormlet::events::lend_sink;
    let db = db();
    let lent = Collect::default();
    let events = record(|| {
        lend_sink(Some(&lent), || User::find().all(&db).unwrap());
        User::find().all(&db).unwrap();
        // `None` hides queries from the hook too (the profiler's `pause`).
        lend_sink(None, || User::find().all(&db).unwrap());
        // A panic inside still takes the lent sink back.
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lend_sink(Some(&lent), || -> () { panic!("inside a lend") })
        }));
        assert!(caught.is_err());
        User::find().all(&db).unwrap();
    });
    assert_eq!(lent.0.lock().unwrap().len(), 1, "the lent sink saw only the query it was lent for");
    assert_eq!(events.len(), 2, "the hook's sink saw the two queries outside any lend");
}

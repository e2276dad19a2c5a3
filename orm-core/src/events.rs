//! One [`QueryEvent`] per execution, handed to whoever subscribed.
//!
//! The profiler installs a [`QueryHook`] once; for each query the executor
//! asks it for the current scope's [`QuerySink`] *on the calling thread or
//! task* (so a query the async face runs elsewhere still lands in the scope
//! that issued it), and only then starts a clock and keeps the values.
//! A scope also [lends](lend_sink) a sink to its thread while its code runs
//! there (a synchronous scope for its whole call, an async one for each
//! poll), which executors read before asking the hook. Hooks count their
//! scopes with [`ScopeOpen`]: while no scope is open and no sink is lent
//! anywhere, a query costs one atomic load.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::time::Duration;

pub use crate::clock::{Instant, Tick, Ticks, now};

use sea_query::Value;

use crate::backend::Backend;

/// What kind of statement ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// SELECT
    Select,
    /// INSERT (also upserts)
    Insert,
    /// UPDATE
    Update,
    /// DELETE
    Delete,
    /// BEGIN
    Begin,
    /// COMMIT
    Commit,
    /// ROLLBACK (also ROLLBACK TO a savepoint)
    Rollback,
    /// SAVEPOINT
    Savepoint,
    /// RELEASE of a savepoint
    Release,
    /// CREATE / ALTER / DROP and other schema statements
    Schema,
    /// Anything else (PRAGMA, raw SQL not recognised)
    Other,
}

impl Operation {
    /// Classifies raw SQL by its first keyword.
    pub fn of_sql(sql: &str) -> Operation {
        let word: String =
            sql.trim_start().chars().take_while(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase()).collect();
        match word.as_str() {
            "SELECT" | "WITH" | "VALUES" => Operation::Select,
            "INSERT" | "REPLACE" => Operation::Insert,
            "UPDATE" => Operation::Update,
            "DELETE" => Operation::Delete,
            "BEGIN" | "START" => Operation::Begin,
            "COMMIT" | "END" => Operation::Commit,
            "ROLLBACK" => Operation::Rollback,
            "SAVEPOINT" => Operation::Savepoint,
            "RELEASE" => Operation::Release,
            "CREATE" | "ALTER" | "DROP" => Operation::Schema,
            _ => Operation::Other,
        }
    }

    /// The statement's keyword, as OpenTelemetry's `db.operation.name` wants it.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Select => "SELECT",
            Operation::Insert => "INSERT",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Begin => "BEGIN",
            Operation::Commit => "COMMIT",
            Operation::Rollback => "ROLLBACK",
            Operation::Savepoint => "SAVEPOINT",
            Operation::Release => "RELEASE",
            Operation::Schema => "DDL",
            Operation::Other => "OTHER",
        }
    }

    /// Transaction control (excluded from the profiler's findings).
    pub fn is_transaction_control(self) -> bool {
        matches!(
            self,
            Operation::Begin | Operation::Commit | Operation::Rollback | Operation::Savepoint | Operation::Release
        )
    }

    /// A statement that changes rows.
    pub fn is_write(self) -> bool {
        matches!(self, Operation::Insert | Operation::Update | Operation::Delete)
    }
}

/// A query that loads a relation (`post.author(&db)`, or a batch of
/// `.with(Post::AUTHOR)`), so the profiler can name the fix for an N+1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelationLoad {
    /// The relation as application code names it: `"Post::AUTHOR"`.
    pub relation: &'static str,
    /// The table of the models the relation was loaded for (`"posts"`).
    pub parent_table: &'static str,
    /// Part of an eager load (`.with(...)`, one query per chunk of keys)
    /// rather than a lazy load for one parent.
    pub eager: bool,
}

/// One execution of one statement, lent to the sink for the length of
/// [`QuerySink::record`]: the sink copies what it keeps, so a query in a
/// scope costs no reference counting and no allocation on the way.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct QueryEvent<'a> {
    /// The SQL as sent, with placeholders (shared: builder SQL is one
    /// `Arc` per query shape, so a sink can tell repeats by address).
    pub sql: &'a Arc<str>,
    /// The bound values, in placeholder order; empty unless the sink
    /// [wants them](QuerySink::wants_values).
    pub values: &'a [Value],
    /// A hash of the bound values, always present: equal values give equal
    /// hashes, which is what tells a duplicate from an N+1.
    pub values_hash: u64,
    /// The statement kind.
    pub operation: Operation,
    /// The main table, when known.
    pub table: Option<&'static str>,
    /// The backend that ran it.
    pub backend: Backend,
    /// When execution started.
    pub started: Tick,
    /// When it ended, the rows read.
    pub ended: Tick,
    /// Rows returned (reads) or affected (writes).
    pub rows: u64,
    /// The error message, if it failed.
    pub error: Option<&'a str>,
    /// Where in the application the query was issued.
    pub call_site: &'static Location<'static>,
    /// Transaction nesting depth when it ran (0 outside a transaction).
    pub tx_depth: u32,
    /// The backend's query plan, when the sink asked for plans of queries
    /// this slow ([`QuerySink::explain_slower_than`]); reads only.
    pub plan: Option<&'a str>,
    /// Set when the query loads a relation.
    pub relation: Option<&'a RelationLoad>,
}

impl QueryEvent<'_> {
    /// How long it took, including reading the rows.
    pub fn duration(&self) -> Duration {
        self.ended.duration_since(self.started)
    }
}

/// Receives the events of one profiling scope.
///
/// A sink the [hook](QueryHook) hands out is shared between threads
/// ([`SharedSink`]); one [lent](lend_sink) to a thread need not be, so it
/// can keep what it records without a lock.
pub trait QuerySink {
    /// Called once per execution, after it finished.
    fn record(&self, event: &QueryEvent<'_>);

    /// Whether events should carry the bound values (copying them costs;
    /// the hash is always there).
    fn wants_values(&self) -> bool {
        true
    }

    /// Reads at least this slow get the backend's plan attached (`EXPLAIN`,
    /// never `EXPLAIN ANALYZE`, never for writes). `None`: no plans.
    fn explain_slower_than(&self) -> Option<std::time::Duration> {
        None
    }
}

/// A sink the hook hands out: queries on any thread or task may reach it.
pub type SharedSink = Arc<dyn QuerySink + Send + Sync>;

/// Finds the scope that is current where a query is issued.
///
/// A hook holds a [`ScopeOpen`] for each scope it may hand out: while none
/// is alive, executors do not ask it.
pub trait QueryHook: Send + Sync + 'static {
    /// The sink of the current scope, or `None` outside any scope. Executors
    /// that await while a query runs hold on to it.
    fn current(&self) -> Option<SharedSink>;

    /// Calls `f` with the current scope's sink, lent, or `None`. Executors
    /// that run a query to completion inside `f` (SQLite) use this: no
    /// reference count changes hands. Calling `f` more than once, or not at
    /// all, is a bug in the hook; the query then runs once, unrecorded.
    fn with_current(&self, f: &mut dyn FnMut(Option<&dyn QuerySink>)) {
        match self.current() {
            Some(sink) => f(Some(&*sink)),
            None => f(None),
        }
    }
}

/// Scopes open anywhere in the process, and sinks lent: while there are
/// none, a query finds out with this one load and records nothing.
static OPEN_SCOPES: AtomicUsize = AtomicUsize::new(0);

/// Counts one open scope for as long as it lives. A [`QueryHook`] holds one
/// per scope it may hand out: while none is alive (and no sink is
/// [lent](lend_sink)), queries do not ask the hook at all.
#[derive(Debug)]
pub struct ScopeOpen(());

impl ScopeOpen {
    /// Counts a scope as open until this is dropped.
    #[must_use = "the scope counts as open only while this lives"]
    pub fn new() -> Self {
        OPEN_SCOPES.fetch_add(1, Ordering::Relaxed);
        ScopeOpen(())
    }
}

impl Default for ScopeOpen {
    fn default() -> Self {
        ScopeOpen::new()
    }
}

impl Drop for ScopeOpen {
    fn drop(&mut self) {
        OPEN_SCOPES.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether a scope may be open or a sink lent anywhere. (Relaxed: a scope
/// this thread opened, or one carried here through a spawn or a channel,
/// is seen; one opened elsewhere this instant cannot own this query.)
#[inline(always)]
fn any_scope_open() -> bool {
    OPEN_SCOPES.load(Ordering::Relaxed) > 0
}

/// The installed hook, as a thin pointer to a `static` holding the trait object.
static HOOK: AtomicPtr<&'static dyn QueryHook> = AtomicPtr::new(std::ptr::null_mut());

/// Installs the process-wide hook if none is installed; returns `false` if
/// another hook was installed already (which stays). The double reference
/// keeps the hook a thin pointer: `static H: &dyn QueryHook = &MyHook; set_hook(&H)`.
pub fn set_hook(hook: &'static &'static dyn QueryHook) -> bool {
    let slot = std::ptr::from_ref(hook).cast_mut();
    HOOK.compare_exchange(std::ptr::null_mut(), slot, Ordering::AcqRel, Ordering::Acquire).is_ok()
}

/// Removes the hook, so queries cost nothing extra again (benchmarks compare
/// with and without a profiler this way). Returns whether one was installed.
pub fn clear_hook() -> bool {
    !HOOK.swap(std::ptr::null_mut(), Ordering::AcqRel).is_null()
}

/// Whether a hook is installed.
pub fn has_hook() -> bool {
    !HOOK.load(Ordering::Acquire).is_null()
}

/// The installed hook, if any.
#[inline]
fn hook() -> Option<&'static dyn QueryHook> {
    let slot = HOOK.load(Ordering::Acquire);
    // SAFETY: non-null values come from a `&'static &'static dyn QueryHook`
    // in `set_hook`, so they point to a static that is never freed or mutated.
    (!slot.is_null()).then(|| unsafe { *slot })
}

/// The current scope's sink, if a hook is installed and a scope is open.
#[inline]
pub fn current_sink() -> Option<SharedSink> {
    if !any_scope_open() {
        return None;
    }
    hook().and_then(|h| h.current())
}

/// What [`lend_sink`] lent to this thread.
#[derive(Clone, Copy)]
enum Lent {
    /// Nothing: ask the hook.
    Nothing,
    /// Queries here are not recorded.
    Paused,
    /// Queries here go to this sink. Not really `'static`: it lives in the
    /// `lend_sink` call whose `f` is running, which restores the previous
    /// value before it returns or unwinds, and it is only handed out under
    /// a higher-ranked lifetime (see `with_recipient`). One pointer, so a
    /// query's read of the thread-local copies two words.
    Sink(&'static LentSink<'static>),
}

/// A lent sink, with what it wants of each query (asked once, when lent).
pub(crate) struct LentSink<'s> {
    pub sink: &'s dyn QuerySink,
    pub wants: Wants,
}

/// What a sink asks of each query: the values, and plans of reads at least
/// this slow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wants {
    pub values: bool,
    pub explain_slower_than: Option<Duration>,
}

impl Wants {
    pub(crate) fn of(sink: &dyn QuerySink) -> Self {
        Wants { values: sink.wants_values(), explain_slower_than: sink.explain_slower_than() }
    }
}

thread_local! {
    static LENT: std::cell::Cell<Lent> = const { std::cell::Cell::new(Lent::Nothing) };
}

/// Lends `sink` to every query `f` runs on this thread, ahead of the hook
/// (`None`: queries in `f` are not recorded), then restores what was lent
/// before, also when `f` panics.
///
/// A synchronous scope is a call, and so is each poll of an async one, so
/// this is how the profiler hands its scope to the SQLite executor: a
/// thread-local read per query, where asking the hook costs a few calls
/// through `dyn`.
/// The sink is asked what it wants ([`QuerySink::wants_values`],
/// [`QuerySink::explain_slower_than`]) once, here, not per query.
pub fn lend_sink<R>(sink: Option<&dyn QuerySink>, f: impl FnOnce() -> R) -> R {
    struct Restore(Lent);
    impl Drop for Restore {
        fn drop(&mut self) {
            LENT.with(|l| l.set(self.0));
        }
    }
    // A lent sink counts as an open scope (see `any_scope_open`).
    let _open = sink.map(|_| ScopeOpen::new());
    let lent_sink = sink.map(|sink| LentSink { sink, wants: Wants::of(sink) });
    let lent = match &lent_sink {
        None => Lent::Paused,
        // SAFETY: see `Lent::Sink`; `_restore`, declared after `lent_sink`,
        // takes it back before `lent_sink` is dropped.
        Some(l) => Lent::Sink(unsafe { std::mem::transmute::<&LentSink<'_>, &'static LentSink<'static>>(l) }),
    };
    let _restore = Restore(LENT.with(|l| l.replace(lent)));
    f()
}

/// Runs `f` with the current scope's sink lent to it: what [`lend_sink`]
/// lent to this thread, else the hook's (see [`QueryHook::with_current`]);
/// with neither, `f(None)` directly.
#[inline]
pub fn with_current_sink<R>(f: impl FnOnce(Option<&dyn QuerySink>) -> R) -> R {
    with_recipient(|to| match to {
        Recipient::Lent(lent) => f(Some(lent.sink)),
        Recipient::Nobody => f(None),
        Recipient::Hook(hook) => with_hook_sink(hook, f),
    })
}

/// Where the events of queries issued here go, as of now.
#[derive(Clone, Copy)]
pub(crate) enum Recipient<'s> {
    /// Nowhere: recording is paused, or no scope is open.
    Nobody,
    /// The sink lent to this thread, and what it said it wants when lent.
    Lent(&'s LentSink<'s>),
    /// Nothing lent, and a scope may be open: ask the hook.
    Hook(&'static dyn QueryHook),
}

/// Calls `f` with where events go from here: one thread-local read, and
/// for a lent sink nothing more (executors that run a query to completion
/// on this thread hold on to it for the query).
#[inline]
pub(crate) fn with_recipient<R>(f: impl for<'s> FnOnce(Recipient<'s>) -> R) -> R {
    if !any_scope_open() {
        return f(Recipient::Nobody);
    }
    match LENT.with(std::cell::Cell::get) {
        Lent::Sink(lent) => f(Recipient::Lent(lent)),
        Lent::Paused => f(Recipient::Nobody),
        Lent::Nothing => match hook() {
            Some(hook) => f(Recipient::Hook(hook)),
            None => f(Recipient::Nobody),
        },
    }
}

/// Runs `f` with `hook`'s current sink (see [`QueryHook::with_current`]).
pub(crate) fn with_hook_sink<R>(hook: &dyn QueryHook, f: impl FnOnce(Option<&dyn QuerySink>) -> R) -> R {
    let mut f = Some(f);
    let mut out = None;
    hook.with_current(&mut |sink| {
        if let Some(f) = f.take() {
            out = Some(f(sink));
        }
    });
    match (out, f) {
        (Some(out), _) => out,
        // The hook never called back: run unrecorded.
        (None, Some(f)) => f(None),
        (None, None) => unreachable!("`f` ran, so `out` is set"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static ASKED: AtomicUsize = AtomicUsize::new(0);

    /// Counts how often it is asked; never has a scope.
    struct Counting;

    impl QueryHook for Counting {
        fn current(&self) -> Option<SharedSink> {
            ASKED.fetch_add(1, Ordering::Relaxed);
            None
        }
    }

    static COUNTING: &dyn QueryHook = &Counting;

    fn recipient() -> &'static str {
        with_recipient(|r| match r {
            Recipient::Nobody => "nobody",
            Recipient::Lent(_) => "lent",
            Recipient::Hook(_) => "hook",
        })
    }

    /// Outside every scope the hook is not asked; a counted scope or a lent
    /// sink makes queries look again, and only while it lives.
    #[test]
    fn queries_ask_the_hook_only_while_a_scope_is_open() {
        // No other test of this crate installs a hook or opens a scope.
        assert!(set_hook(&COUNTING));
        assert_eq!(recipient(), "nobody");
        assert!(current_sink().is_none());
        assert_eq!(ASKED.load(Ordering::Relaxed), 0, "the hook was asked with no scope open");
        let open = ScopeOpen::new();
        assert_eq!(recipient(), "hook");
        drop(open);
        assert_eq!(recipient(), "nobody");
        struct Ignore;
        impl QuerySink for Ignore {
            fn record(&self, _: &QueryEvent<'_>) {}
        }
        assert_eq!(lend_sink(Some(&Ignore), recipient), "lent");
        assert_eq!(recipient(), "nobody", "the lent sink's count ends with the lend");
        assert!(clear_hook());
    }
}

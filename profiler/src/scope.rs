//! Profiling scopes: which queries belong to which request or test.
//!
//! Synchronous scopes live on a thread-local stack; async scopes in a tokio
//! task-local, because a task moves between threads and thread-locals would
//! mix requests. While an async scope's future is polled, the scope is also
//! this thread's innermost and lends it its sink, so a query issued there
//! finds its scope as a synchronous scope's queries do, without asking the
//! task. A query is recorded in the innermost scope current where it was
//! issued, without a lock: a synchronous scope keeps its thread's queries
//! until it ends, a poll its queries until the poll ends, and then they join
//! the scope's shared recording behind its mutex (where the server
//! executors, which hold a scope across awaits, record directly). While no
//! scope is alive anywhere, a query costs one atomic load to find that out.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use std::time::Duration;

use ormlet_core::events::{
    QueryEvent, QueryHook, QuerySink, ScopeOpen, SharedSink, Tick, has_hook, lend_sink, set_hook,
};

use crate::config::ProfilerConfig;
use crate::profile::Profile;
use crate::recording::{Recording, TYPICAL_QUERIES, keep_limit};

/// The live state of one scope, shared by whatever may record into it.
pub(crate) struct ScopeState {
    config: Arc<ProfilerConfig>,
    /// On the events' clock, so query offsets are one subtraction.
    started: Tick,
    /// Queries of other threads: each poll's, added when the poll ends, and
    /// those of the server executors, which record when their query ends.
    /// (A synchronous scope's own thread records into its [`OwnThread`].)
    shared: Mutex<Recording>,
    /// Counted as open while alive (including in tasks that hold it), so
    /// queries outside every scope skip the hook.
    _open: ScopeOpen,
}

impl ScopeState {
    fn new(config: Arc<ProfilerConfig>) -> Arc<Self> {
        install();
        // Empty: the first poll's recording moves in as it is.
        let shared = Mutex::new(Recording::default());
        Arc::new(ScopeState { config, started: Tick::now(), shared, _open: ScopeOpen::new() })
    }

    #[cfg(feature = "axum")]
    fn totals(&self) -> (u64, Duration) {
        let shared = self.shared.lock();
        (shared.seen(), shared.db_time())
    }

    /// Runs `f` (a poll of the scope's future, or a step of a request) with
    /// this scope as the thread's innermost: pushed on its stack, for
    /// [`current`], and a sink of its own lent, for the queries `f` runs.
    /// They are kept without a lock, as a synchronous scope's are, and
    /// added to the scope when `f` ends (or unwinds): one lock a poll,
    /// not one a query.
    fn enter<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        LOCAL.with(|l| l.scopes.borrow_mut().push(self.clone()));
        let _pop = PopOnDrop;
        let poll = PollRecording { state: self, own: OwnThread::new(&self.config, Recording::default()) };
        lend_sink(Some(&poll.own), f)
    }

    /// Ends the scope: what `own` (its thread's, if synchronous) and other
    /// threads recorded, as one profile.
    fn finish(&self, own: Recording) -> Profile {
        let elapsed = Tick::now().duration_since(self.started);
        let shared = std::mem::take(&mut *self.shared.lock()).into_start_order();
        let all = own.merge(shared, keep_limit(&self.config));
        let profile = Profile::new(all, self.started, elapsed, self.config.clone());
        if !tracing::enabled!(target: "ormlet::profiler", tracing::Level::WARN) {
            return profile;
        }
        for f in profile.findings() {
            let site = f.call_sites.first().map(|l| crate::format::site(l));
            tracing::warn!(
                target: "ormlet::profiler",
                kind = f.kind.label(),
                count = f.count,
                call_site = site.as_deref().unwrap_or(""),
                "{}",
                f.suggestion
            );
        }
        profile
    }
}

impl QuerySink for ScopeState {
    fn wants_values(&self) -> bool {
        self.config.capture_values
    }

    fn explain_slower_than(&self) -> Option<Duration> {
        self.config.explain_slower_than()
    }

    fn record(&self, event: &QueryEvent<'_>) {
        self.shared.lock().record(event, &self.config);
    }
}

/// A recording lent to one thread (it is not `Sync`): a synchronous
/// scope's for as long as it runs, an async scope's for one poll. A query
/// is kept without a lock: a lock per query would cost more than keeping it.
struct OwnThread<'s> {
    config: &'s ProfilerConfig,
    recording: RefCell<Recording>,
}

impl<'s> OwnThread<'s> {
    fn new(config: &'s ProfilerConfig, recording: Recording) -> Self {
        OwnThread { config, recording: RefCell::new(recording) }
    }
}

/// One poll's queries, added to the scope's shared recording when dropped.
struct PollRecording<'s> {
    state: &'s ScopeState,
    own: OwnThread<'s>,
}

impl Drop for PollRecording<'_> {
    fn drop(&mut self) {
        let recording = std::mem::take(self.own.recording.get_mut());
        if recording.seen() > 0 {
            self.state.shared.lock().append(recording, keep_limit(&self.state.config));
        }
    }
}

impl QuerySink for OwnThread<'_> {
    fn wants_values(&self) -> bool {
        self.config.capture_values
    }

    fn explain_slower_than(&self) -> Option<Duration> {
        self.config.explain_slower_than()
    }

    fn record(&self, event: &QueryEvent<'_>) {
        // Never borrowed already: recording calls nothing that queries.
        if let Ok(mut r) = self.recording.try_borrow_mut() {
            r.record(event, self.config);
        }
    }
}

/// This thread's synchronous scopes and pause depth, in one thread-local,
/// for [`current`], which spawned tasks carry along. (This thread's own
/// queries do not look here: `profile_with` lends them its [`OwnThread`]
/// and `pause` lends none, with `lend_sink`.)
struct Local {
    paused: Cell<u32>,
    scopes: RefCell<Vec<Arc<ScopeState>>>,
}

thread_local! {
    static LOCAL: Local = const { Local { paused: Cell::new(0), scopes: RefCell::new(Vec::new()) } };
}

tokio::task_local! {
    static TASK_SCOPE: Arc<ScopeState>;
}

/// Async scopes alive in the process; while there are none, a query does not
/// look for a task-local at all.
static ASYNC_SCOPES: AtomicUsize = AtomicUsize::new(0);

/// Counts one live async scope for as long as it exists.
struct AsyncScopeAlive;

impl AsyncScopeAlive {
    fn new() -> Self {
        ASYNC_SCOPES.fetch_add(1, Ordering::Relaxed);
        AsyncScopeAlive
    }
}

impl Drop for AsyncScopeAlive {
    fn drop(&mut self) {
        ASYNC_SCOPES.fetch_sub(1, Ordering::Relaxed);
    }
}

fn current() -> Option<Arc<ScopeState>> {
    let mut found = None;
    with_scope(&mut |s| found = s.cloned());
    found
}

/// Calls `f` with the innermost scope current here: this thread's (none
/// while paused), else the task's, borrowed rather than cloned.
fn with_scope(f: &mut dyn FnMut(Option<&Arc<ScopeState>>)) {
    let sync = LOCAL.with(|l| if l.paused.get() > 0 { Err(()) } else { Ok(l.scopes.borrow().last().cloned()) });
    match sync {
        Err(()) => f(None),
        // (Held by its own `Arc`, so `f` runs with no borrow of `LOCAL`.)
        Ok(Some(s)) => f(Some(&s)),
        Ok(None) if ASYNC_SCOPES.load(Ordering::Relaxed) == 0 => f(None),
        Ok(None) => {
            if TASK_SCOPE.try_with(|s| f(Some(s))).is_err() {
                f(None);
            }
        }
    }
}

struct Hook;

impl QueryHook for Hook {
    fn current(&self) -> Option<SharedSink> {
        current().map(|s| s as SharedSink)
    }

    /// [`current`], with the task's scope borrowed rather than cloned: a
    /// query asks twice (what to keep, then to record), and a clone would
    /// add two atomic operations to each.
    fn with_current(&self, f: &mut dyn FnMut(Option<&dyn QuerySink>)) {
        with_scope(&mut |s| f(s.map(|s| &**s as &dyn QuerySink)));
    }
}

static HOOK: &dyn QueryHook = &Hook;

/// Installs the profiler's hook if no hook is installed (scopes do this
/// themselves; call it to re-install after [`clear_hook`](ormlet_core::events::clear_hook)).
pub fn install() {
    if !has_hook() {
        // Another subscriber may win a race here; then ours is not used.
        let _ = set_hook(&HOOK);
    }
}

/// Pops the scope even when the closure panics.
struct PopOnDrop;

impl Drop for PopOnDrop {
    fn drop(&mut self) {
        LOCAL.with(|l| l.scopes.borrow_mut().pop());
    }
}

/// Runs `f` in a new scope with the default configuration; gives its result
/// and the [`Profile`] of every query it ran on this thread.
///
/// ```
/// let ((), profile) = ormlet_profiler::profile(|| { /* queries */ });
/// assert_eq!(profile.query_count(), 0);
/// ```
pub fn profile<T>(f: impl FnOnce() -> T) -> (T, Profile) {
    profile_in(default_config(), f)
}

/// [`profile`] with a configuration.
pub fn profile_with<T>(config: ProfilerConfig, f: impl FnOnce() -> T) -> (T, Profile) {
    profile_in(Arc::new(config), f)
}

/// The default configuration, shared by every scope that uses it.
fn default_config() -> Arc<ProfilerConfig> {
    static DEFAULT: std::sync::OnceLock<Arc<ProfilerConfig>> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Arc::default).clone()
}

fn profile_in<T>(config: Arc<ProfilerConfig>, f: impl FnOnce() -> T) -> (T, Profile) {
    // Only queries from elsewhere (spawned tasks) take the lock.
    let state = ScopeState::new(config);
    LOCAL.with(|l| l.scopes.borrow_mut().push(state.clone()));
    let own = OwnThread::new(&state.config, Recording::with_capacity(TYPICAL_QUERIES));
    let out = {
        let _pop = PopOnDrop;
        lend_sink(Some(&own), f)
    };
    let own = own.recording.into_inner();
    (out, state.finish(own))
}

/// Runs a future in a new scope; gives its output and the [`Profile`] of
/// every query it (and tasks it spawns with [`spawn`]) ran.
pub async fn profile_async<F: Future>(fut: F) -> (F::Output, Profile) {
    profile_async_in(default_config(), fut).await
}

/// [`profile_async`] with a configuration.
pub async fn profile_async_with<F: Future>(config: ProfilerConfig, fut: F) -> (F::Output, Profile) {
    profile_async_in(Arc::new(config), fut).await
}

async fn profile_async_in<F: Future>(config: Arc<ProfilerConfig>, fut: F) -> (F::Output, Profile) {
    let state = ScopeState::new(config);
    let _alive = AsyncScopeAlive::new();
    let out = in_scope(state.clone(), fut).await;
    (out, state.finish(Recording::default()))
}

/// `fut` inside `state`: the task carries the scope (to the tasks it
/// spawns and the threads it moves to), and each poll enters it.
async fn in_scope<F: Future>(state: Arc<ScopeState>, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let entered = state.clone();
    TASK_SCOPE.scope(state, std::future::poll_fn(move |cx| entered.enter(|| fut.as_mut().poll(cx)))).await
}

/// Carries the current scope (if any) into a future that will run elsewhere,
/// e.g. on a spawned task. Its queries join the scope's profile as each of
/// its polls ends, so await the task before the scope ends: what a poll
/// still running then does is not in the profile.
pub fn in_current_profile<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    let scope = current();
    async move {
        match scope {
            Some(s) => {
                let _alive = AsyncScopeAlive::new();
                in_scope(s, fut).await
            }
            None => fut.await,
        }
    }
}

/// `tokio::spawn`, with the current scope carried into the task.
pub fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(in_current_profile(fut))
}

/// Runs `f` without recording its queries (fixtures, set-up).
pub fn pause<T>(f: impl FnOnce() -> T) -> T {
    struct Resume;
    impl Drop for Resume {
        fn drop(&mut self) {
            LOCAL.with(|l| l.paused.set(l.paused.get().saturating_sub(1)));
        }
    }
    LOCAL.with(|l| l.paused.set(l.paused.get() + 1));
    let _resume = Resume;
    lend_sink(None, f)
}

#[cfg(feature = "axum")]
/// A scope opened without a closure, for servers: entered around the
/// handler's future and around each poll of the response body, finished when
/// the body ends.
pub(crate) struct OpenScope {
    state: Arc<ScopeState>,
    _alive: AsyncScopeAlive,
}

#[cfg(feature = "axum")]
impl OpenScope {
    pub(crate) fn new(config: Arc<ProfilerConfig>) -> Self {
        OpenScope { state: ScopeState::new(config), _alive: AsyncScopeAlive::new() }
    }

    /// Runs a future inside the scope.
    pub(crate) fn run<F: Future>(&self, fut: F) -> impl Future<Output = F::Output> {
        in_scope(self.state.clone(), fut)
    }

    /// Runs a synchronous step (a body poll) inside the scope.
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        TASK_SCOPE.sync_scope(self.state.clone(), || self.state.enter(f))
    }

    /// Queries and database time so far.
    pub(crate) fn totals(&self) -> (u64, Duration) {
        self.state.totals()
    }

    pub(crate) fn finish(self) -> Profile {
        self.state.finish(Recording::default())
    }
}

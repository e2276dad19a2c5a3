//! Which scope is current: this thread's innermost synchronous scope (or
//! the async scope being polled here), else the task's. The one place that
//! owns that state; the hook the executors ask reads it.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ormlet_core::events::{QueryHook, QuerySink, SharedSink, has_hook, lend_sink, set_hook};

use crate::recording::Recording;
use crate::state::{OwnThread, PollRecording, ScopeState};

/// This thread's synchronous scopes and pause depth, in one thread-local,
/// for [`current`], which spawned tasks carry along. (This thread's own
/// queries do not look here: `profile_with` lends them its [`OwnThread`]
/// and `pause` lends none, with `lend_sink`.)
struct Local {
    paused: Cell<u32>,
    /// Each held by an `Arc` of whoever pushed it, for as long as it is
    /// here (see [`push`]): no reference count changes hands a scope.
    scopes: RefCell<Vec<*const ScopeState>>,
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
pub(crate) struct AsyncScopeAlive;

impl AsyncScopeAlive {
    pub(crate) fn new() -> Self {
        ASYNC_SCOPES.fetch_add(1, Ordering::Relaxed);
        AsyncScopeAlive
    }
}

impl Drop for AsyncScopeAlive {
    fn drop(&mut self) {
        ASYNC_SCOPES.fetch_sub(1, Ordering::Relaxed);
    }
}

pub(crate) fn current() -> Option<Arc<ScopeState>> {
    let mut found = None;
    with_scope(&mut |s| found = s.cloned());
    found
}

/// Calls `f` with the innermost scope current here: this thread's (none
/// while paused), else the task's, borrowed rather than cloned.
fn with_scope(f: &mut dyn FnMut(Option<&Arc<ScopeState>>)) {
    let sync = LOCAL.with(|l| if l.paused.get() > 0 { Err(()) } else { Ok(l.scopes.borrow().last().copied()) });
    match sync {
        Err(()) => f(None),
        Ok(Some(s)) => {
            // SAFETY: `s` came from `Arc::as_ptr` in `push`, and the `Arc` it
            // borrowed outlives the guard that pops it, which cannot drop
            // while this call runs on top of it. Not dropped here: the count
            // stays the pusher's. (`f` runs with no borrow of `LOCAL`.)
            let s = std::mem::ManuallyDrop::new(unsafe { Arc::from_raw(s) });
            f(Some(&s));
        }
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

/// Makes `state` this thread's innermost scope until the guard drops
/// (also when the code in it panics). The guard borrows `state`, so the
/// scope it points to outlives its place on the stack.
pub(crate) fn push(state: &Arc<ScopeState>) -> PopOnDrop<'_> {
    LOCAL.with(|l| l.scopes.borrow_mut().push(Arc::as_ptr(state)));
    PopOnDrop(std::marker::PhantomData)
}

/// Pops the scope [`push`] pushed.
pub(crate) struct PopOnDrop<'s>(std::marker::PhantomData<&'s Arc<ScopeState>>);

impl Drop for PopOnDrop<'_> {
    fn drop(&mut self) {
        LOCAL.with(|l| l.scopes.borrow_mut().pop());
    }
}

/// Runs `f` (a poll of the scope's future, or a step of a request) with
/// this scope as the thread's innermost: pushed on its stack, for
/// [`current`], and a sink of its own lent, for the queries `f` runs.
/// They are kept without a lock, as a synchronous scope's are, and
/// added to the scope when `f` ends (or unwinds): one lock a poll,
/// not one a query.
pub(crate) fn enter<R>(state: &Arc<ScopeState>, f: impl FnOnce() -> R) -> R {
    let _pop = push(state);
    let poll = PollRecording { state, own: OwnThread::new(&state.config, Recording::from_spare()) };
    lend_sink(Some(&poll.own), f)
}

/// `fut` inside `state`: the task carries the scope (to the tasks it
/// spawns and the threads it moves to), and each poll enters it.
pub(crate) async fn in_scope<F: Future>(state: Arc<ScopeState>, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let entered = state.clone();
    TASK_SCOPE.scope(state, std::future::poll_fn(move |cx| enter(&entered, || fut.as_mut().poll(cx)))).await
}

/// Hides this thread's scopes from the queries run until the guard drops.
pub(crate) fn pause_here() -> Resume {
    LOCAL.with(|l| l.paused.set(l.paused.get() + 1));
    Resume
}

/// Ends a [`pause_here`].
pub(crate) struct Resume;

impl Drop for Resume {
    fn drop(&mut self) {
        LOCAL.with(|l| l.paused.set(l.paused.get().saturating_sub(1)));
    }
}

/// Runs a synchronous step (a body poll) inside `state`, as its task's scope
/// and this thread's innermost.
#[cfg(feature = "axum")]
pub(crate) fn enter_task<R>(state: &Arc<ScopeState>, f: impl FnOnce() -> R) -> R {
    TASK_SCOPE.sync_scope(state.clone(), || enter(state, f))
}

//! Which scope is current: this thread's innermost, a synchronous scope or
//! the async scope being polled here. An async scope is pushed around each
//! poll of its future, so the thread's stack is all there is to read: a
//! task-local would only say again what the stack says. The one place that
//! owns that state; the hook the executors ask reads it.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::Arc;

use ormlet_core::events::{QueryHook, QuerySink, SharedSink, has_hook, lend_sink, set_hook};

use crate::state::{OwnThread, PollQueries, PollRecording, ScopeState, SharedState};

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

pub(crate) fn current() -> Option<SharedState> {
    let mut found = None;
    with_scope(&mut |s| found = s.cloned());
    found
}

/// Calls `f` with the innermost scope current here (none while paused),
/// borrowed rather than cloned.
fn with_scope(f: &mut dyn FnMut(Option<&SharedState>)) {
    let innermost = LOCAL.with(|l| if l.paused.get() > 0 { None } else { l.scopes.borrow().last().copied() });
    match innermost {
        None => f(None),
        Some(s) => {
            // SAFETY: `s` came from `SharedState::as_ptr` in `push`, and the `Arc` it
            // borrowed outlives the guard that pops it, which cannot drop
            // while this call runs on top of it. Not dropped here: the count
            // stays the pusher's. (`f` runs with no borrow of `LOCAL`.)
            let s = std::mem::ManuallyDrop::new(unsafe { SharedState::from_raw(s) });
            f(Some(&s));
        }
    }
}

struct Hook;

impl QueryHook for Hook {
    fn current(&self) -> Option<SharedSink> {
        current().map(|s| Arc::new(Carried(s)) as SharedSink)
    }

    /// [`current`], with the scope borrowed rather than cloned: a
    /// query asks twice (what to keep, then to record), and a clone would
    /// add two atomic operations to each.
    fn with_current(&self, f: &mut dyn FnMut(Option<&dyn QuerySink>)) {
        with_scope(&mut |s| f(s.map(|s| &**s as &dyn QuerySink)));
    }
}

/// A scope held across awaits by an executor, as the `std` `Arc` the
/// events' [`SharedSink`] is: one allocation per such query (a server
/// round trip), so that every scope's own start and end need no atomic
/// read-modify-write (see [`SharedState`]).
struct Carried(SharedState);

impl QuerySink for Carried {
    fn wants_values(&self) -> bool {
        self.0.wants_values()
    }

    fn explain_slower_than(&self) -> Option<std::time::Duration> {
        self.0.explain_slower_than()
    }

    fn record(&self, event: &ormlet_core::events::QueryEvent<'_>) {
        self.0.record(event);
    }

    fn eager_loaded(&self, relations: &Arc<ormlet_core::events::LoadedRelations>) {
        self.0.eager_loaded(relations);
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
pub(crate) fn push(state: &SharedState) -> PopOnDrop<'_> {
    LOCAL.with(|l| l.scopes.borrow_mut().push(state.as_ptr()));
    PopOnDrop(std::marker::PhantomData)
}

/// Pops the scope [`push`] pushed.
pub(crate) struct PopOnDrop<'s>(std::marker::PhantomData<&'s SharedState>);

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
pub(crate) fn enter<R>(state: &SharedState, f: impl FnOnce() -> R) -> R {
    let _pop = push(state);
    let poll = PollRecording { state, own: OwnThread::new(&state.config, PollQueries::default()) };
    lend_sink(Some(&poll.own), f)
}

/// `fut` inside `state`: each poll enters it, on whatever thread the task
/// is polled (the future holds the scope, so it goes where the task goes).
pub(crate) async fn in_scope<F: Future>(state: SharedState, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| enter(&state, || fut.as_mut().poll(cx))).await
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

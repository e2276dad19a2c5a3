//! The process-wide hook that finds the current scope, and the count of
//! open scopes that lets queries outside every scope skip it.

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use super::{QuerySink, SharedSink};

/// Finds the scope that is current where a query is issued.
///
/// A hook holds a [`ScopeOpen`] for each scope it may hand out on a thread
/// where no sink is [lent](super::lend_sink): while none is alive, executors
/// ask it only where a sink is lent. (The profiler's scopes always lend one
/// where their code runs, so it holds none.)
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

/// Scopes open anywhere in the process that a hook may hand to a thread
/// where no sink is lent: while there are none, such a query finds out
/// with this one load and records nothing.
static OPEN_SCOPES: AtomicUsize = AtomicUsize::new(0);

/// Counts one open scope for as long as it lives. A [`QueryHook`] holds one
/// per scope it may hand out: while none is alive (and no sink is
/// [lent](super::lend_sink)), queries do not ask the hook at all.
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

/// Whether a hook's scope may be open anywhere. (Relaxed: a scope
/// this thread opened, or one carried here through a spawn or a channel,
/// is seen; one opened elsewhere this instant cannot own this query.)
#[inline(always)]
pub(crate) fn any_scope_open() -> bool {
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
pub(crate) fn hook() -> Option<&'static dyn QueryHook> {
    let slot = HOOK.load(Ordering::Acquire);
    // SAFETY: non-null values come from a `&'static &'static dyn QueryHook`
    // in `set_hook`, so they point to a static that is never freed or mutated.
    (!slot.is_null()).then(|| unsafe { *slot })
}

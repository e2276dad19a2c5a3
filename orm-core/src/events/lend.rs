//! Sinks lent to a thread while a scope's code runs there: what the SQLite
//! executor reads before asking the hook.

use std::time::Duration;

use super::hook::{any_scope_open, hook};
use super::{QueryHook, QuerySink, SharedSink};

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
///
/// Queries read what is lent before anything else, so lending touches no
/// shared state: a scope that lends its sink needs no [`ScopeOpen`](super::ScopeOpen).
pub fn lend_sink<R>(sink: Option<&dyn QuerySink>, f: impl FnOnce() -> R) -> R {
    struct Restore(Lent);
    impl Drop for Restore {
        fn drop(&mut self) {
            LENT.with(|l| l.set(self.0));
        }
    }
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
/// on this thread hold on to it for the query). With nothing lent, the
/// hook is asked only while a scope counts as open somewhere.
#[inline]
pub(crate) fn with_recipient<R>(f: impl for<'s> FnOnce(Recipient<'s>) -> R) -> R {
    match LENT.with(std::cell::Cell::get) {
        Lent::Sink(lent) => f(Recipient::Lent(lent)),
        Lent::Paused => f(Recipient::Nobody),
        Lent::Nothing => match hook() {
            Some(hook) if any_scope_open() => f(Recipient::Hook(hook)),
            _ => f(Recipient::Nobody),
        },
    }
}

/// The current scope's sink to hold across awaits (what the server
/// executors record into), if a hook is installed and a sink is lent here
/// or a scope counts as open.
#[inline]
pub fn current_sink() -> Option<SharedSink> {
    let ask = match LENT.with(std::cell::Cell::get) {
        Lent::Sink(_) => true,
        Lent::Paused => false,
        Lent::Nothing => any_scope_open(),
    };
    if ask { hook().and_then(|h| h.current()) } else { None }
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
    use std::sync::atomic::{AtomicUsize, Ordering};

    use crate::events::{QueryEvent, ScopeOpen, SharedSink, clear_hook, set_hook};

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
        assert!(lend_sink(Some(&Ignore), || current_sink().is_none()), "the hook is asked where a sink is lent");
        assert_eq!(ASKED.load(Ordering::Relaxed), 1);
        assert_eq!(recipient(), "nobody", "the lend ends with its call");
        assert_eq!(lend_sink(None, recipient), "nobody");
        assert!(clear_hook());
    }
}

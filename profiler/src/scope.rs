//! Profiling scopes: which queries belong to which request or test.
//!
//! Synchronous scopes live on a thread-local stack for as long as their
//! closure runs. An async scope is held by its future, which goes wherever
//! its task is polled, and is pushed on the polling thread's stack for each
//! poll (a thread-local kept across polls would mix the requests a thread
//! takes turns on). While it is polled it is this thread's innermost and
//! lends it its sink, so a query issued there finds its scope as a
//! synchronous scope's queries do. A query is recorded in the innermost scope current where it was
//! issued, without a lock: a synchronous scope keeps its thread's queries
//! until it ends, a poll its queries until the poll ends, and then they join
//! the scope's shared recording behind its mutex (where the server
//! executors, which hold a scope across awaits, record directly). A query
//! outside every scope finds nothing lent to its thread and no scope
//! counted open: a thread-local read and one atomic load.
//!
//! A scope remembers the scope current where it began; when it ends, its
//! recording joins that scope's shared one, so enclosing scopes see every
//! query of the scopes inside them at the cost of one copy per nested
//! scope, not one per query.

use std::future::Future;
use std::sync::Arc;
#[cfg(feature = "axum")]
use std::time::Duration;

use ormlet_core::events::lend_sink;

use crate::config::ProfilerConfig;
#[cfg(feature = "axum")]
use crate::current::enter;
pub use crate::current::install;
use crate::current::{current, in_scope, pause_here, push};
use crate::profile::{Pending, Profile};
#[cfg(feature = "axum")]
use crate::state::SharedState;
use crate::state::{OwnThread, ScopeState};

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
    profile_in(&Arc::new(config), f)
}

/// The default configuration, shared by every scope that uses it.
fn default_config() -> &'static Arc<ProfilerConfig> {
    static DEFAULT: std::sync::OnceLock<Arc<ProfilerConfig>> = std::sync::OnceLock::new();
    DEFAULT.get_or_init(Arc::default)
}

fn profile_in<T>(config: &Arc<ProfilerConfig>, f: impl FnOnce() -> T) -> (T, Profile) {
    // Only queries from elsewhere (spawned tasks) take the lock.
    install();
    let state = ScopeState::new(config);
    // Lent `config`, the same as the state's: the state moves into `end`.
    let own = OwnThread::new(config, Pending::new(config));
    let out = {
        let _pop = push(&state);
        lend_sink(Some(&own), f)
    };
    (out, ScopeState::end(state, own.recording.into_inner()))
}

/// Runs a future in a new scope; gives its output and the [`Profile`] of
/// every query it (and tasks it spawns with [`spawn`]) ran.
pub async fn profile_async<F: Future>(fut: F) -> (F::Output, Profile) {
    profile_async_in(default_config().clone(), fut).await
}

/// [`profile_async`] with a configuration.
pub async fn profile_async_with<F: Future>(config: ProfilerConfig, fut: F) -> (F::Output, Profile) {
    profile_async_in(Arc::new(config), fut).await
}

async fn profile_async_in<F: Future>(config: Arc<ProfilerConfig>, fut: F) -> (F::Output, Profile) {
    install();
    let state = ScopeState::new(&config);
    let out = in_scope(state.clone(), fut).await;
    let own = Pending::new(&state.config);
    (out, ScopeState::end(state, own))
}

/// Carries the current scope (if any) into a future that will run elsewhere,
/// e.g. on a spawned task. Its queries join the scope's profile as each of
/// its polls ends, so await the task before the scope ends: what a poll
/// still running then does is not in the profile.
pub fn in_current_profile<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    let scope = current();
    async move {
        match scope {
            Some(s) => in_scope(s, fut).await,
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

/// Runs `f` without recording its queries (fixtures, set-up). For async
/// code use [`pause_async`]: `pause(|| fut)` pauses only the making of
/// the future, not its queries.
pub fn pause<T>(f: impl FnOnce() -> T) -> T {
    let _resume = pause_here();
    lend_sink(None, f)
}

/// Runs `fut` without recording its queries: every poll of it is paused.
///
/// ```
/// # async fn demo(db: &ormlet_core::sqlite::AsyncDb) {
/// let ((), p) = ormlet_profiler::profile_async(async {
///     ormlet_profiler::pause_async(async { /* fixtures */ }).await;
/// })
/// .await;
/// assert_eq!(p.query_count(), 0);
/// # }
/// ```
pub async fn pause_async<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        let _resume = pause_here();
        lend_sink(None, || fut.as_mut().poll(cx))
    })
    .await
}

#[cfg(feature = "axum")]
/// A scope opened without a closure, for servers: entered around each poll
/// of the handler's future and of the response body, finished when
/// the body ends.
pub(crate) struct OpenScope {
    state: SharedState,
}

#[cfg(feature = "axum")]
impl OpenScope {
    pub(crate) fn new(config: Arc<ProfilerConfig>) -> Self {
        install();
        OpenScope { state: ScopeState::new(&config) }
    }

    /// Runs a synchronous step (a body poll) inside the scope.
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        enter(&self.state, f)
    }

    /// Queries and database time so far.
    pub(crate) fn totals(&self) -> (u64, Duration) {
        self.state.totals()
    }

    pub(crate) fn finish(self) -> Profile {
        let OpenScope { state } = self;
        // The next request on this thread reuses it, unless a task still holds it.
        let own = Pending::new(&state.config);
        ScopeState::end(state, own)
    }
}

//! The live state of a scope and the recordings its queries go into.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use ormlet_core::events::{LoadedRelations, QueryEvent, QuerySink, Tick};
use parking_lot::Mutex;

use crate::config::ProfilerConfig;
use crate::profile::{Pending, Profile};
use crate::recording::{Recording, keep_limit};

/// A scope's state as its holders share it. `triomphe`'s `Arc` has no weak
/// references, so telling whether a state is unique, at every scope's
/// start and end, is a load where `std`'s `Arc::get_mut` pays a
/// compare-and-swap.
pub(crate) type SharedState = triomphe::Arc<ScopeState>;

/// The live state of one scope, shared by whatever may record into it.
pub(crate) struct ScopeState {
    pub(crate) config: Arc<ProfilerConfig>,
    /// On the events' clock, so query offsets are one subtraction.
    started: Tick,
    /// Queries of other threads: each poll's, added when the poll ends, and
    /// those of the server executors, which record when their query ends.
    /// (A synchronous scope's own thread records into its [`OwnThread`].)
    shared: Mutex<Recording>,
    /// The scope that was current when this one began: its queries are
    /// that scope's too, handed over when this one ends.
    parent: Option<SharedState>,
}

thread_local! {
    /// The state of this thread's last scope, when nothing held
    /// it any more as it ended: the next scope reuses its allocation.
    static SPARE: std::cell::Cell<Option<SharedState>> = const { std::cell::Cell::new(None) };
}

impl ScopeState {
    pub(crate) fn new(config: &Arc<ProfilerConfig>) -> SharedState {
        let parent = crate::current::current();
        if let Some(mut spare) = SPARE.try_with(std::cell::Cell::take).ok().flatten()
            && let Some(state) = SharedState::get_mut(&mut spare)
        {
            // Its recording is empty: `finish` took what it held.
            if !Arc::ptr_eq(&state.config, config) {
                state.config = config.clone();
            }
            state.started = Tick::now();
            state.parent = parent;
            return spare;
        }
        // Empty: the first poll's recording moves in as it is.
        let shared = Mutex::new(Recording::default());
        let config = config.clone();
        SharedState::new(ScopeState { config, started: Tick::now(), shared, parent })
    }

    /// Ends the scope (see [`finish`](Self::finish)). When nothing else
    /// holds its state any more (a task it was carried into may), the
    /// queries from elsewhere are taken without the lock and the state is
    /// kept for this thread's next scope.
    pub(crate) fn end(mut state: SharedState, mut own: Pending) -> Profile {
        let Some(s) = SharedState::get_mut(&mut state) else {
            return state.finish(own);
        };
        // Usually nothing came from elsewhere: nothing to merge.
        if !s.shared.get_mut().is_empty() {
            let shared = std::mem::take(s.shared.get_mut());
            s.merge_into(own.recording(), shared);
        }
        let profile = s.finish_with(own);
        s.parent = None;
        let _ = SPARE.try_with(|spare| spare.set(Some(state)));
        profile
    }

    #[cfg(feature = "axum")]
    pub(crate) fn totals(&self) -> (u64, Duration) {
        let shared = self.shared.lock();
        (shared.seen(), shared.db_time())
    }

    /// Ends the scope: what `own` (its thread's, if synchronous) and other
    /// threads recorded, as one profile.
    fn finish(&self, mut own: Pending) -> Profile {
        let shared = std::mem::take(&mut *self.shared.lock());
        if !shared.is_empty() {
            self.merge_into(own.recording(), shared);
        }
        self.finish_with(own)
    }

    /// Adds what came from elsewhere to `own`, in start order.
    fn merge_into(&self, own: &mut Recording, shared: Recording) {
        *own = std::mem::take(own).merge(shared.into_start_order(), keep_limit(&self.config));
    }

    /// The profile of `all`, the scope's every query, which the enclosing
    /// scope gets too.
    fn finish_with(&self, mut all: Pending) -> Profile {
        let elapsed = Tick::now().ticks_since(self.started);
        if let Some(parent) = &self.parent {
            // Nested: every query here is the enclosing scope's too.
            parent.shared.lock().append(all.recording().clone(), keep_limit(&parent.config));
        }
        let profile = all.finish(self.started, elapsed);
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

    fn eager_loaded(&self, relations: &Arc<LoadedRelations>) {
        self.shared.lock().loaded.push(relations.clone());
    }
}

/// A recording lent to one thread (it is not `Sync`): a synchronous
/// scope's for as long as it runs, an async scope's for one poll. A query
/// is kept without a lock: a lock per query would cost more than keeping it.
/// (`R` is the scope's [`Pending`] profile, or a poll's [`PollQueries`].)
pub(crate) struct OwnThread<'s, R> {
    config: &'s ProfilerConfig,
    pub(crate) recording: RefCell<R>,
}

impl<'s, R> OwnThread<'s, R> {
    pub(crate) fn new(config: &'s ProfilerConfig, recording: R) -> Self {
        OwnThread { config, recording: RefCell::new(recording) }
    }
}

/// One poll's queries, added to the scope's shared recording when dropped.
pub(crate) struct PollRecording<'s> {
    pub(crate) state: &'s ScopeState,
    pub(crate) own: OwnThread<'s, PollQueries>,
}

/// A poll's recording, made when its first query comes: most polls (a
/// body's frames, a wait for a connection) run none, and then cost no
/// buffers to take and give back.
#[derive(Default)]
pub(crate) struct PollQueries(Option<Recording>);

impl AsMut<Recording> for PollQueries {
    fn as_mut(&mut self) -> &mut Recording {
        self.0.get_or_insert_with(Recording::from_spare)
    }
}

impl Drop for PollRecording<'_> {
    fn drop(&mut self) {
        let Some(recording) = self.own.recording.get_mut().0.take() else { return };
        if recording.is_empty() {
            recording.give_back();
        } else {
            self.state.shared.lock().append(recording, keep_limit(&self.state.config));
        }
    }
}

impl<R: AsMut<Recording>> QuerySink for OwnThread<'_, R> {
    fn wants_values(&self) -> bool {
        self.config.capture_values
    }

    fn explain_slower_than(&self) -> Option<Duration> {
        self.config.explain_slower_than()
    }

    fn record(&self, event: &QueryEvent<'_>) {
        // Never borrowed already: recording calls nothing that queries.
        if let Ok(mut r) = self.recording.try_borrow_mut() {
            r.as_mut().record(event, self.config);
        }
    }

    fn eager_loaded(&self, relations: &Arc<LoadedRelations>) {
        if let Ok(mut r) = self.recording.try_borrow_mut() {
            r.as_mut().loaded.push(relations.clone());
        }
    }
}

//! What a scope has recorded so far, from one thread or from many.
//!
//! A synchronous scope keeps two: one its own thread writes without a lock
//! (the sink it lends, see [`scope`](crate::scope)) and one behind a mutex
//! for queries from tasks it spawned and other threads. They are merged
//! when the scope ends. (The first is the scope's pending profile's, so
//! the profile is the recording, not a copy; see `Pending`.)

use std::sync::Arc;
use std::time::Duration;

use ormlet_core::events::{LoadedRelations, QueryEvent, Ticks};

use crate::config::ProfilerConfig;
use crate::entry::{Entry, Extra, NO_EXTRA, Statement, Statements};

/// Room a scope's own recording starts with: small enough that a scope of
/// one query costs one small allocation (7 KB for 128 cost more than the
/// query), and doubling from it copies little.
const TYPICAL_QUERIES: usize = 16;

/// Room for distinct statements a new recording starts with: as many as a
/// scope's statement list finds by a scan.
const TYPICAL_STATEMENTS: usize = crate::keyed::SCANNED;

/// How many queries a scope keeps: entries index their statement with a
/// u32.
#[inline(always)]
pub(crate) fn keep_limit(config: &ProfilerConfig) -> usize {
    config.max_queries_kept.min(u32::MAX as usize)
}

/// The time of `entries` plus `unkept` ticks.
pub(crate) fn db_time(entries: &[Entry], unkept: Ticks) -> Duration {
    entries.iter().map(Entry::ticks).fold(unkept, Ticks::saturating_add).duration()
}

/// Entries, the statements they point into, and totals.
#[derive(Debug, Default, Clone)]
pub(crate) struct Recording {
    pub entries: Vec<Entry>,
    pub statements: Statements,
    /// What few entries have: errors, plans, kept values.
    pub extras: Vec<Extra>,
    /// Rows of eager loads handed to the application, and what of them it read.
    pub loaded: Vec<Arc<LoadedRelations>>,
    /// Queries past the keep limit: counted, not kept. (The kept ones are
    /// counted and their times summed when asked, not per query.)
    unkept: u64,
    unkept_ticks: Ticks,
}

/// Buffers past this many entries are not kept for reuse.
const SPARE_LIMIT: usize = 256;

thread_local! {
    /// The buffers of a recording emptied on this thread (a poll's, or one
    /// appended to a scope's), for its next poll: a request's polls then
    /// allocate nothing for their queries.
    static SPARE: std::cell::Cell<Option<Buffers>> = const { std::cell::Cell::new(None) };
}

/// A recording's buffers, kept for a thread's next poll.
type Buffers = (Vec<Entry>, Vec<Statement>, Vec<Arc<LoadedRelations>>);

/// Keeps an emptied recording's buffers for this thread's next poll
/// (small ones only, and one set).
pub(crate) fn give_back(
    mut entries: Vec<Entry>,
    mut statements: Vec<Statement>,
    mut loaded: Vec<Arc<LoadedRelations>>,
) {
    if entries.capacity() < TYPICAL_QUERIES || too_big_to_keep(entries.capacity(), statements.capacity()) {
        return;
    }
    entries.clear();
    statements.clear();
    loaded.clear();
    // During the thread's teardown there is nowhere to keep them.
    let _ = SPARE.try_with(|spare| spare.set(Some((entries, statements, loaded))));
}

/// Whether buffers with room for so many entries and statements grew past
/// what a thread keeps for its next scope or poll.
fn too_big_to_keep(entries: usize, statements: usize) -> bool {
    entries > SPARE_LIMIT || statements > SPARE_LIMIT
}

impl Recording {
    /// This thread's spare buffers if it has some, else new ones with room
    /// for a scope's usual queries (a poll's, as its first query comes).
    /// Buffers that size are given back and reused when emptied; smaller
    /// ones would be grown and thrown away, at every request, on a thread
    /// whose spare went with a scope that ended on another.
    pub(crate) fn from_spare() -> Self {
        let (entries, statements, loaded) = match SPARE.try_with(std::cell::Cell::take).ok().flatten() {
            Some(buffers) => buffers,
            None => (Vec::with_capacity(TYPICAL_QUERIES), Vec::with_capacity(TYPICAL_STATEMENTS), Vec::new()),
        };
        Recording { entries, statements: Statements::with_list(statements), loaded, ..Recording::default() }
    }

    /// Empties it for the thread's next scope, its buffers kept; `false`
    /// if they grew past what is worth keeping.
    pub(crate) fn empty_for_reuse(&mut self) -> bool {
        if too_big_to_keep(self.entries.capacity(), self.statements.capacity()) {
            return false;
        }
        self.entries.clear();
        self.statements.clear();
        self.extras.clear();
        self.loaded.clear();
        self.unkept = 0;
        self.unkept_ticks = Ticks::default();
        true
    }

    /// Gives an emptied recording's buffers to this thread's next poll.
    pub(crate) fn give_back(self) {
        give_back(self.entries, self.statements.into_list(), self.loaded);
    }

    /// Counts `event`, and keeps it while under `max_queries_kept`.
    ///
    /// The common case (room in the buffer, the previous query's statement,
    /// nothing extra to keep) is a few compares and one store; everything
    /// else is out of line, so this part saves no registers.
    #[inline(always)]
    pub(crate) fn record(&mut self, event: &QueryEvent<'_>, config: &ProfilerConfig) {
        let len = self.entries.len();
        if len < self.entries.capacity()
            && len < keep_limit(config)
            && let Some(stmt) = self.statements.same_as_last(event)
            && !Entry::has_extra(event, config)
        {
            self.entries.push(Entry::new(event, stmt, NO_EXTRA));
            return;
        }
        self.record_slow(event, config);
    }

    #[cold]
    #[inline(never)]
    fn record_slow(&mut self, event: &QueryEvent<'_>, config: &ProfilerConfig) {
        if self.entries.len() >= keep_limit(config) {
            self.unkept += 1;
            self.unkept_ticks = self.unkept_ticks.saturating_add(event.ended.ticks_since(event.started));
            return;
        }
        let stmt = self.statements.id(event);
        let extra =
            if Entry::has_extra(event, config) { Extra::add(&mut self.extras, event, config) } else { NO_EXTRA };
        self.entries.push(Entry::new(event, stmt, extra));
    }

    /// Nothing recorded at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.extras.is_empty() && self.unkept == 0 && self.loaded.is_empty()
    }

    /// Queries seen, kept or not.
    pub(crate) fn seen(&self) -> u64 {
        self.entries.len() as u64 + self.unkept
    }

    /// Total database time.
    #[cfg(feature = "axum")]
    pub(crate) fn db_time(&self) -> Duration {
        db_time(&self.entries, self.unkept_ticks)
    }

    /// The time of the queries past the keep limit.
    pub(crate) fn unkept_ticks(&self) -> Ticks {
        self.unkept_ticks
    }

    /// Both recordings in one, entries in the order they started, at most
    /// `keep` of them.
    pub(crate) fn merge(mut self, mut other: Recording, keep: usize) -> Recording {
        // A synchronous scope's queries from elsewhere: usually none.
        if other.is_empty() && self.entries.len() <= keep {
            return self;
        }
        self.loaded.append(&mut other.loaded);
        // An async scope's own recording is empty: all it has is `other`.
        if self.entries.is_empty() {
            self.append(other, keep);
            return self;
        }
        self.unkept += other.unkept;
        self.unkept_ticks = self.unkept_ticks.saturating_add(other.unkept_ticks);
        if other.entries.is_empty() && self.entries.len() <= keep {
            return self;
        }
        let renumber = self.adopt(&mut other);
        let other_entries = std::mem::take(&mut other.entries);
        let mine = std::mem::take(&mut self.entries);
        let mut entries = Vec::with_capacity((mine.len() + other_entries.len()).min(keep));
        let mut a = mine.into_iter().peekable();
        let mut b = other_entries.into_iter().map(|e| renumber.entry(e));
        let mut next_b = b.next();
        while entries.len() < keep {
            let take_a = match (a.peek(), &next_b) {
                (Some(x), Some(y)) => x.started <= y.started,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if take_a {
                entries.extend(a.next());
            } else {
                entries.extend(next_b.take());
                next_b = b.next();
            }
        }
        // What did not fit is counted with the unkept.
        for e in a.chain(next_b).chain(b) {
            self.count_unkept(&e);
        }
        self.entries = entries;
        self
    }

    /// Adds `later`'s queries (a poll's, as it ends) after this recording's,
    /// keeping at most `keep` in all and counting the rest. One task's
    /// polls end in the order they ran; a scope's tasks on several threads
    /// may interleave theirs, which [`into_start_order`](Self::into_start_order)
    /// sorts out when the scope ends.
    pub(crate) fn append(&mut self, mut later: Recording, keep: usize) {
        if later.is_empty() {
            return;
        }
        self.unkept += later.unkept;
        self.unkept_ticks = self.unkept_ticks.saturating_add(later.unkept_ticks);
        if self.entries.is_empty() && self.extras.is_empty() && later.entries.len() <= keep {
            // Eager loads noted before stay first; with none, the list is
            // taken as it is rather than copied into a new one.
            let loaded = if self.loaded.is_empty() {
                std::mem::take(&mut later.loaded)
            } else {
                let mut loaded = std::mem::take(&mut self.loaded);
                loaded.append(&mut later.loaded);
                loaded
            };
            let emptied = std::mem::replace(
                self,
                Recording { unkept: self.unkept, unkept_ticks: self.unkept_ticks, loaded, ..later },
            );
            // Its buffers serve this thread's next poll.
            emptied.give_back();
            return;
        }
        self.loaded.append(&mut later.loaded);
        if self.entries.len() >= keep {
            // Full: neither its entries nor the extras they point to.
            later.entries.iter().for_each(|e| self.count_unkept(e));
            return;
        }
        let renumber = self.adopt(&mut later);
        for e in later.entries.drain(..) {
            if self.entries.len() < keep {
                self.entries.push(renumber.entry(e));
            } else {
                self.count_unkept(&e);
            }
        }
        // Emptied: its buffers serve this thread's next poll.
        later.give_back();
    }

    /// The entries sorted by when they started, if they are not.
    pub(crate) fn into_start_order(mut self) -> Recording {
        if !self.entries.is_sorted_by_key(|e| e.started) {
            self.entries.sort_by_key(|e| e.started);
        }
        self
    }

    /// Takes `other`'s statements and extras into this recording, leaving
    /// its statements empty; gives how to renumber `other`'s entries.
    fn adopt(&mut self, other: &mut Recording) -> Renumber {
        let list = std::mem::take(&mut other.statements).into_list();
        let statements = list.iter().map(|s| self.statements.intern(s)).collect();
        other.statements = Statements::with_list(list);
        let extras_from = u32::try_from(self.extras.len()).unwrap_or(NO_EXTRA);
        self.extras.append(&mut other.extras);
        Renumber { statements, extras_from }
    }

    fn count_unkept(&mut self, e: &Entry) {
        self.unkept += 1;
        self.unkept_ticks = self.unkept_ticks.saturating_add(e.ticks());
    }
}

/// Where another recording's statements and extras went in this one.
struct Renumber {
    statements: Vec<u32>,
    extras_from: u32,
}

impl Renumber {
    /// `e`, pointing into this recording's tables.
    fn entry(&self, mut e: Entry) -> Entry {
        e.stmt = self.statements.get(e.stmt as usize).copied().unwrap_or(e.stmt);
        if e.extra != NO_EXTRA {
            e.extra = e.extra.saturating_add(self.extras_from);
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use std::panic::Location;
    use std::sync::Arc;

    use ormlet_core::Backend;
    use ormlet_core::events::{Operation, Tick};

    use super::*;
    use crate::entry::Statement;

    /// `n` readings of the clock, each later than the one before.
    fn readings(n: usize) -> Vec<Tick> {
        let mut out: Vec<Tick> = Vec::with_capacity(n);
        while out.len() < n {
            let t = Tick::now();
            if out.last().is_none_or(|last| *last < t) {
                out.push(t);
            }
        }
        out
    }

    /// A recording of queries of `sql`, started at `at`.
    fn recording(sql: &Arc<str>, at: &[Tick]) -> Recording {
        let mut r = Recording::default();
        let statement = Statement {
            sql: sql.clone(),
            table: None,
            relation: None,
            operation: Operation::Select,
            backend: Backend::Sqlite,
        };
        let stmt = r.statements.intern(&statement);
        let call_site = Location::caller();
        r.entries.extend(at.iter().map(|&t| Entry {
            stmt,
            tx_depth: 0,
            values_hash: 0,
            started: t,
            ended: t,
            rows: 0,
            call_site,
            extra: NO_EXTRA,
        }));
        r
    }

    /// An emptied recording's buffers serve the thread's next recording;
    /// big ones are not kept.
    #[test]
    fn the_next_scope_reuses_the_last_dropped_buffers() {
        let sql: Arc<str> = Arc::from("SELECT 1");
        let first = recording(&sql, &readings(3));
        let (entries, statements) = (first.entries, first.statements.into_list());
        assert!(entries.capacity() < TYPICAL_QUERIES);
        give_back(entries, statements, Vec::new());
        assert!(SPARE.with(|s| s.take()).is_none(), "a small buffer is not kept");

        let mut kept = Vec::with_capacity(TYPICAL_QUERIES);
        kept.extend(recording(&sql, &readings(2)).entries);
        let ptr = kept.as_ptr();
        give_back(kept, vec![], Vec::new());
        let next = Recording::from_spare();
        assert_eq!((next.entries.as_ptr(), next.entries.len()), (ptr, 0));
        assert!(Recording::from_spare().entries.as_ptr() != ptr, "one pair, taken once");
        give_back(Vec::with_capacity(SPARE_LIMIT + 1), vec![], Vec::new());
        assert!(Recording::from_spare().entries.capacity() <= SPARE_LIMIT);
    }

    /// A dropped profile's recording is emptied for the next scope, its buffers
    /// kept, unless they grew past what is worth keeping.
    #[test]
    fn a_recording_is_emptied_for_reuse_unless_it_grew_big() {
        let sql: Arc<str> = Arc::from("SELECT 1");
        let mut small = recording(&sql, &readings(3));
        let ptr = small.entries.as_ptr();
        assert!(small.empty_for_reuse());
        assert_eq!((small.entries.as_ptr(), small.seen(), small.statements.list().len()), (ptr, 0, 0));
        let mut big = recording(&sql, &readings(SPARE_LIMIT + 1));
        assert!(!big.empty_for_reuse());
    }

    /// A poll's recording, appended to the scope's, leaves its buffers for
    /// the thread's next poll; with none kept, new ones are made the size
    /// that is kept.
    #[test]
    fn a_poll_appended_gives_its_buffers_to_the_next_poll() {
        let sql: Arc<str> = Arc::from("SELECT 1");
        let _ = SPARE.with(|s| s.take());

        let at = readings(4);
        let mut scope = recording(&sql, &at[..2]);
        let mut poll = Recording::from_spare();
        assert!(poll.entries.capacity() >= TYPICAL_QUERIES, "none kept: room for the usual queries");
        poll.entries.extend(recording(&sql, &at[2..]).entries);
        poll.statements = recording(&sql, &[]).statements;
        let ptr = poll.entries.as_ptr();
        scope.append(poll, usize::MAX);
        assert_eq!(scope.entries.len(), 4);
        assert!(scope.entries.iter().all(|e| e.stmt == 0), "one statement, renumbered");
        let next = Recording::from_spare();
        assert_eq!((next.entries.as_ptr(), next.entries.len(), next.statements.into_list().len()), (ptr, 0, 0));
    }

    /// Polls of a scope's tasks on several threads end in any order: the
    /// scope keeps up to its limit in the order they came, counts the rest,
    /// and ends in the order the queries started.
    #[test]
    fn appended_polls_are_kept_up_to_the_limit_and_end_in_start_order() {
        let t = readings(6);
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("SELECT a"), Arc::from("SELECT b"));
        let mut shared = Recording::default();
        shared.append(recording(&a, &[t[0], t[3]]), 5);
        // Another task's poll, which started earlier and ended later.
        shared.append(recording(&b, &[t[1], t[2]]), 5);
        shared.append(recording(&a, &[t[4], t[5]]), 5);
        assert_eq!((shared.seen(), shared.entries.len()), (6, 5));

        let ended = shared.into_start_order();
        let starts: Vec<Tick> = ended.entries.iter().map(|e| e.started).collect();
        assert_eq!(starts, t[..5]);
        let stmts: Vec<u32> = ended.entries.iter().map(|e| e.stmt).collect();
        let list = ended.statements.into_list();
        let sqls: Vec<&str> = stmts.iter().map(|&i| &*list[i as usize].sql).collect();
        assert_eq!(sqls, ["SELECT a", "SELECT b", "SELECT b", "SELECT a", "SELECT a"]);
    }
}

//! What a scope has recorded so far, from one thread or from many.
//!
//! A synchronous scope keeps two: one its own thread writes without a lock
//! (the sink it lends, see [`scope`](crate::scope)) and one behind a mutex
//! for queries from tasks it spawned and other threads. They are merged
//! when the scope ends.

use std::time::Duration;

use ormlet_core::events::{QueryEvent, Ticks};

use crate::config::ProfilerConfig;
use crate::entry::{Entry, Extra, NO_EXTRA, Statement, Statements};

/// Room for a typical request's queries without growing.
pub(crate) const TYPICAL_QUERIES: usize = 128;

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
#[derive(Debug, Default)]
pub(crate) struct Recording {
    pub entries: Vec<Entry>,
    pub statements: Statements,
    /// What few entries have: errors, plans, kept values.
    pub extras: Vec<Extra>,
    /// Queries past the keep limit: counted, not kept. (The kept ones are
    /// counted and their times summed when asked, not per query.)
    unkept: u64,
    unkept_ticks: Ticks,
}

impl Recording {
    /// Room for `n` queries: growing a `Vec` copies all it holds.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Recording { entries: Vec::with_capacity(n), ..Recording::default() }
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
    pub(crate) fn merge(mut self, other: Recording, keep: usize) -> Recording {
        self.unkept += other.unkept;
        self.unkept_ticks = self.unkept_ticks.saturating_add(other.unkept_ticks);
        if other.entries.is_empty() && self.entries.len() <= keep {
            return self;
        }
        // An async scope's own recording is empty: all it has is `other`.
        if self.entries.is_empty() && self.extras.is_empty() && other.entries.len() <= keep {
            return Recording { unkept: self.unkept, unkept_ticks: self.unkept_ticks, ..other };
        }
        // `other`'s statements, renumbered into this table.
        let other_list: Vec<Statement> = other.statements.into_list();
        let renumber: Vec<u32> = other_list.iter().map(|s| self.statements.intern(s)).collect();
        let extras_from = u32::try_from(self.extras.len()).unwrap_or(NO_EXTRA);
        self.extras.extend(other.extras);
        let mine = std::mem::take(&mut self.entries);
        let mut entries = Vec::with_capacity((mine.len() + other.entries.len()).min(keep));
        let mut a = mine.into_iter().peekable();
        let mut b = other.entries.into_iter().map(|mut e| {
            e.stmt = renumber.get(e.stmt as usize).copied().unwrap_or(e.stmt);
            if e.extra != NO_EXTRA {
                e.extra = e.extra.saturating_add(extras_from);
            }
            e
        });
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
            self.unkept += 1;
            self.unkept_ticks = self.unkept_ticks.saturating_add(e.ticks());
        }
        self.entries = entries;
        self
    }
}

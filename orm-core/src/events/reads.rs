//! What one eager load handed the application, and which of its relations
//! the application read: how the profiler finds a `.with(rel)` whose rows
//! nobody looked at.

use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};

/// One relation an eager load loaded: its name and the `.with(..)` that asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EagerRelation {
    /// The relation as code names it: `"Post::TAGS"`.
    pub relation: &'static str,
    /// The `.with(..)` call that asked for it (for a nested relation, the
    /// outer `.with(..)` it is part of).
    pub with_site: &'static Location<'static>,
}

/// The relations one batch of [`Loaded`](crate::relation::Loaded) rows
/// holds, shared by those rows, and which of them were read: through
/// `get`, the derive's accessors, `into_parts`, serialising, `Debug` or
/// `==`. Handed to the profiling scope (see [`QuerySink::eager_loaded`](super::QuerySink::eager_loaded))
/// when the rows are made; the scope looks at what was read when it ends.
#[derive(Debug)]
pub struct LoadedRelations {
    relations: Box<[EagerRelation]>,
    rows: usize,
    /// Where the query that loaded the rows ran (the eager queries' call site).
    call_site: &'static Location<'static>,
    /// One bit per relation, in `relations`' order.
    read: AtomicU64,
}

/// Relations past this many in one list are counted as read: a bit each.
const TRACKED: usize = 64;

impl LoadedRelations {
    pub(crate) fn new(relations: Box<[EagerRelation]>, rows: usize, call_site: &'static Location<'static>) -> Self {
        LoadedRelations { relations, rows, call_site, read: AtomicU64::new(0) }
    }

    /// The relations, in the order the rows hold them (the last `.with(..)` first).
    pub fn relations(&self) -> &[EagerRelation] {
        &self.relations
    }

    /// How many rows hold them.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Where the eager load ran (`.all(&db)` and the like).
    pub fn call_site(&self) -> &'static Location<'static> {
        self.call_site
    }

    /// Whether the application read relation `i` of any of the rows.
    pub fn was_read(&self, i: usize) -> bool {
        i >= TRACKED || self.read.load(Ordering::Relaxed) & (1 << i) != 0
    }

    /// Notes a read of relation `i`. A load first: after the first read of
    /// a relation, reading it again writes nothing shared.
    #[inline]
    pub(crate) fn mark(&self, i: usize) {
        if i < TRACKED {
            let bit = 1 << i;
            if self.read.load(Ordering::Relaxed) & bit == 0 {
                self.read.fetch_or(bit, Ordering::Relaxed);
            }
        }
    }

    /// Notes a read of every relation (the rows' data moved out or shown whole).
    #[inline]
    pub(crate) fn mark_all(&self) {
        if self.read.load(Ordering::Relaxed) != u64::MAX {
            self.read.store(u64::MAX, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_noted_per_relation_and_past_the_bits_count_as_read() {
        let at = Location::caller();
        let rel = |relation| EagerRelation { relation, with_site: at };
        let loaded = LoadedRelations::new(vec![rel("Post::TAGS"), rel("Post::AUTHOR")].into(), 3, at);
        assert!(!loaded.was_read(0) && !loaded.was_read(1));
        loaded.mark(1);
        assert!(!loaded.was_read(0) && loaded.was_read(1));
        assert!(loaded.was_read(TRACKED), "relations past the bits are never reported");
        loaded.mark_all();
        assert!(loaded.was_read(0));
        assert_eq!((loaded.relations()[1].relation, loaded.rows()), ("Post::AUTHOR", 3));
    }
}

//! Unused eager loads: a `.with(rel)` whose loaded rows the application
//! never read before its scope ended (Bullet's "unused eager loading").
//!
//! Each batch of loaded rows notes which of its relations were read; the
//! scope looks when it ends. A relation asked for by one `.with(..)` is
//! unused only if no batch it loaded in the scope was read, so a helper
//! that loads in a loop and reads some of its results is not reported.

use std::panic::Location;
use std::sync::Arc;

use ormlet_core::events::LoadedRelations;

use super::{FindingKind, Q, Queries, Suggestion, finding};
use crate::detect::Finding;

/// A relation loaded by one `.with(..)` and read nowhere in the scope.
#[derive(Debug, Clone)]
pub(crate) struct Unread {
    relation: &'static str,
    with_site: &'static Location<'static>,
    /// Where the eager queries ran (the terminal call: `.all(&db)`).
    call_site: &'static Location<'static>,
    /// Parent rows it was loaded for, over every batch.
    rows: usize,
}

/// What the scope's eager loads left unread, as they stand now (when the
/// scope ends). Loads of one relation from one `.with(..)` are judged
/// together.
pub(crate) fn unread(loaded: &[Arc<LoadedRelations>]) -> Vec<Unread> {
    // The usual end: every relation loaded was read (checked without
    // the list below, which allocates).
    if loaded.iter().all(|batch| (0..batch.relations().len()).all(|i| batch.was_read(i))) {
        return Vec::new();
    }
    // (relation, `.with` site) → read anywhere, and the first unread load.
    let mut seen: Vec<(Unread, bool)> = Vec::new();
    for batch in loaded {
        for (i, r) in batch.relations().iter().enumerate() {
            let read = batch.was_read(i);
            let same = |(u, _): &&mut (Unread, bool)| u.relation == r.relation && *u.with_site == *r.with_site;
            match seen.iter_mut().find(same) {
                Some((u, any_read)) => {
                    u.rows += batch.rows();
                    *any_read |= read;
                }
                None => seen.push((
                    Unread {
                        relation: r.relation,
                        with_site: r.with_site,
                        call_site: batch.call_site(),
                        rows: batch.rows(),
                    },
                    read,
                )),
            }
        }
    }
    seen.into_iter().filter_map(|(u, read)| (!read).then_some(u)).collect()
}

/// One finding per unread relation, covering the eager queries that loaded it.
pub(super) fn find(all: &Queries<'_>, unread: &[Unread]) -> Vec<Finding> {
    if unread.is_empty() {
        return Vec::new();
    }
    let fingerprints = (all.fingerprints)();
    unread
        .iter()
        .map(|u| {
            let queries: Vec<Q<'_>> = all
                .entries
                .iter()
                .zip(1..)
                .filter_map(|(e, seq)| {
                    let s = all.statements.get(e.stmt as usize)?;
                    let rel = s.relation.as_ref()?;
                    let ours = rel.eager && rel.relation == u.relation && *e.call_site == *u.call_site;
                    let fp = fingerprints.get(e.stmt as usize).map_or(0, |f| f.hash);
                    ours.then_some(Q { seq, e, s, fp })
                })
                .collect();
            let mut f = finding(
                FindingKind::UnusedEagerLoad,
                &queries,
                Suggestion::remove_eager(u.relation, u.rows, u.with_site),
            );
            // The line to change is the `.with(..)`, not the query's.
            f.call_sites.retain(|l| **l != *u.with_site);
            f.call_sites.insert(0, u.with_site);
            f
        })
        .collect()
}

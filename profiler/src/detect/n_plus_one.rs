//! N+1: the same call site and fingerprint with different values,
//! `n_plus_one_threshold` times or more.

use std::panic::Location;

use ormlet_core::events::{Operation, RelationLoad};

use super::seen::count_distinct;
use super::{Finding, FindingKind, Q, Run, Suggestion, Tally, View};
use crate::config::ProfilerConfig;
use crate::keyed::{Keyed, KeyedList};

/// What the first pass keeps of a (call site, fingerprint) group.
struct Group<'a> {
    site: &'static Location<'static>,
    fp: u64,
    /// The values of its first query, to tell a loop from a repeat.
    first_values: u64,
    /// Its first statement: SQL with values written into the text (one
    /// text per value) is a loop too, as Prosopite counts it.
    first_stmt: u32,
    first_sql: &'a str,
    count: usize,
    varies: bool,
}

impl Keyed for Group<'_> {
    /// The site by its value: one line may sit at more than one address.
    type Key = (&'static Location<'static>, u64);

    fn key(&self) -> Self::Key {
        (self.site, self.fp)
    }
}

impl Group<'_> {
    /// Whether `run` is one of this group's (by the site's value: one line
    /// may sit at more than one address).
    fn has(&self, run: &Run<'_>) -> bool {
        run.fp == self.fp && (std::ptr::eq(run.site, self.site) || *run.site == *self.site) && !skipped(run)
    }
}

/// Writes, and the chunks of one eager load (which share a line and a
/// fingerprint by design), are never an N+1.
fn skipped(run: &Run<'_>) -> bool {
    run.s.operation.is_write() || run.s.relation.is_some_and(|r| r.eager)
}

pub(super) fn find(view: &View<'_>, config: &ProfilerConfig) -> Vec<Finding> {
    // Groups in order of first appearance, found by (call site, fingerprint):
    // a loop's queries are one run, so one lookup.
    let mut groups: KeyedList<Group> = KeyedList::default();
    for run in &view.runs {
        let entries = run.entries(view.entries);
        let Some(first) = entries.first().filter(|_| !skipped(run)) else { continue };
        let g = groups.find_or_add((run.site, run.fp), || Group {
            site: run.site,
            fp: run.fp,
            first_values: first.values_hash,
            first_stmt: run.stmt,
            first_sql: &run.s.sql,
            count: 0,
            varies: false,
        });
        if let Some(group) = groups.get_mut(g) {
            group.count += entries.len();
            // Another statement of the same text (a raw string made again)
            // is the same query; another text is other values.
            let other_text = run.stmt != group.first_stmt && *run.s.sql != *group.first_sql;
            group.varies = group.varies || other_text || entries.iter().any(|e| e.values_hash != group.first_values);
        }
    }
    // Only the groups that are findings gather their queries, run by run.
    let mut found = Vec::new();
    for group in groups.items() {
        if group.count < config.n_plus_one_threshold || !group.varies {
            continue;
        }
        let mut runs = view.runs.iter().filter(|run| group.has(run));
        let Some(first) = runs.next().and_then(|run| run.queries(view.entries).next()) else { continue };
        let relation = first.s.relation.filter(|r| runs.all(|run| run.s.relation == Some(*r)));
        let keys: Vec<u64> = view
            .runs
            .iter()
            .filter(|run| group.has(run))
            .flat_map(|run| {
                let text = text_hash(&run.s.sql);
                run.entries(view.entries).iter().map(move |e| e.values_hash ^ text)
            })
            .collect();
        let distinct = count_distinct(&keys);
        let suggestion = fix(view, first, group.count, distinct, relation);
        // A run's queries share a call site: one look at it per run.
        let mut tally = Tally::with_capacity(group.count);
        for run in view.runs.iter().filter(|run| group.has(run)) {
            tally.add_site(run.site);
            tally.add_run(run);
        }
        found.push(tally.finding(FindingKind::NPlusOne, Some((first.fp, first.s)), suggestion));
    }
    found
}

/// The fix for an N+1 of `n` queries from `first`'s line: for lazy loads of
/// one relation, `.with(...)` on the query that loaded the parents (the last
/// earlier read of their table from another line); otherwise, one query for
/// all the keys.
fn fix(view: &View<'_>, first: Q<'_>, n: usize, distinct: usize, relation: Option<RelationLoad>) -> Suggestion {
    let at = first.e.call_site;
    let Some(rel) = relation else {
        return Suggestion::one_query(n, distinct, first.s.table, at);
    };
    // Runs share a statement and a call site: judge each run once.
    let parents = view
        .runs
        .iter()
        .rev()
        .filter(|r| r.start < first.seq - 1)
        .find(|r| r.s.operation == Operation::Select && r.s.table == Some(rel.parent_table) && *r.site != *at);
    Suggestion::eager_load(n, distinct, rel, at, parents.map(|p| p.site))
}

/// A hash of a statement's text: queries of one fingerprint differ by it
/// when their values are written into the SQL.
pub(super) fn text_hash(sql: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    sql.hash(&mut h);
    h.finish()
}

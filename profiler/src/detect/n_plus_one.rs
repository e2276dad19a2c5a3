//! N+1: the same call site and fingerprint with different values,
//! `n_plus_one_threshold` times or more.

use rustc_hash::FxHashMap as HashMap;
use std::panic::Location;

use ormlet_core::events::{Operation, RelationLoad};

use super::{Finding, FindingKind, Q, Run, Tally, View};
use crate::config::ProfilerConfig;
use crate::profile::site;

/// What the first pass keeps of a (call site, fingerprint) group.
struct Group {
    /// The values of its first query, to tell a loop from a repeat.
    first_values: u64,
    count: usize,
    varies: bool,
}

/// Not in any group.
const NONE: u32 = u32::MAX;

pub(super) fn find(view: &View<'_>, config: &ProfilerConfig) -> Vec<Finding> {
    // Groups in order of first appearance, found by (call site, fingerprint),
    // the site by value (it may sit at more than one address): a loop's
    // queries are one run, so one lookup.
    let mut index: HashMap<(&'static Location<'static>, u64), u32> = HashMap::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: Vec<u32> = Vec::with_capacity(view.runs.len());
    for run in &view.runs {
        let entries = run.entries(view.entries);
        // The chunks of one eager load share a line and a fingerprint by design.
        let skip = run.s.operation.is_write() || run.s.relation.is_some_and(|r| r.eager);
        let Some(first) = entries.first().filter(|_| !skip) else {
            group_of.push(NONE);
            continue;
        };
        let g = *index.entry((run.site, run.fp)).or_insert_with(|| {
            groups.push(Group { first_values: first.values_hash, count: 0, varies: false });
            u32::try_from(groups.len() - 1).unwrap_or(NONE)
        });
        if let Some(group) = groups.get_mut(g as usize) {
            group.count += entries.len();
            group.varies = group.varies || entries.iter().any(|e| e.values_hash != group.first_values);
        }
        group_of.push(g);
    }
    // Only the groups that are findings gather their queries, run by run.
    let mut found = Vec::new();
    for (g, group) in (0u32..).zip(&groups) {
        if group.count < config.n_plus_one_threshold || !group.varies {
            continue;
        }
        let runs: Vec<&Run<'_>> =
            view.runs.iter().zip(&group_of).filter(|(_, of)| **of == g).map(|(run, _)| run).collect();
        let Some(first) = runs.first().and_then(|run| run.queries(view.entries).next()) else { continue };
        let relation = first.s.relation.filter(|r| runs.iter().all(|run| run.s.relation == Some(*r)));
        let suggestion = fix(view, first, group.count, relation);
        // A run's queries share a call site: one look at it per run.
        let mut tally = Tally::with_capacity(group.count);
        for run in &runs {
            tally.add_site(run.site);
            tally.add_run(run, view.entries);
        }
        found.push(tally.finding(FindingKind::NPlusOne, Some((first.fp, first.s)), suggestion));
    }
    found
}

/// The fix for an N+1 of `n` queries from `first`'s line: for lazy loads of
/// one relation, `.with(...)` on the query that loaded the parents (the last
/// earlier read of their table from another line); otherwise, one query for
/// all the keys.
fn fix(view: &View<'_>, first: Q<'_>, n: usize, relation: Option<RelationLoad>) -> String {
    let table = first.s.table.map(|t| format!(" on `{t}`")).unwrap_or_default();
    let Some(rel) = relation else {
        return format!(
            "{n} queries{table} from one line with different values: load them in one query at {} (collect the keys and filter with `.is_in(keys)`, or eager-load the relation)",
            site(first.e.call_site)
        );
    };
    // Runs share a statement and a call site: judge each run once.
    let parents = view.runs.iter().rev().filter(|r| r.start < first.seq - 1).find(|r| {
        r.s.operation == Operation::Select && r.s.table == Some(rel.parent_table) && *r.site != *first.e.call_site
    });
    match parents {
        Some(p) => format!(
            "{n} lazy loads of `{}` (at {}): use `.with({})` at {}, where the `{}` rows are loaded",
            rel.relation,
            site(first.e.call_site),
            rel.relation,
            site(p.site),
            rel.parent_table
        ),
        None => format!(
            "{n} lazy loads of `{}` (at {}): load the `{}` rows with `.with({})`",
            rel.relation,
            site(first.e.call_site),
            rel.parent_table,
            rel.relation
        ),
    }
}

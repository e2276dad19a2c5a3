//! N+1: the same call site and fingerprint with different values,
//! `n_plus_one_threshold` times or more.

use rustc_hash::FxHashMap as HashMap;
use std::panic::Location;

use ormlet_core::events::Operation;

use super::{Finding, FindingKind, Q, View, finding};
use crate::config::ProfilerConfig;
use crate::profile::site;

/// What the first pass keeps of a (call site, fingerprint) group.
struct Group {
    /// The values of its first query, to tell a loop from a repeat.
    first_values: u64,
    count: usize,
    varies: bool,
    /// Its place among the findings, once it is one.
    finding: Option<usize>,
}

/// Not in any group.
const NONE: u32 = u32::MAX;

pub(super) fn find(view: &View<'_>, config: &ProfilerConfig) -> Vec<Finding> {
    let mut sites = SiteIds::default();
    // Groups in order of first appearance, found by (call site, fingerprint).
    let mut index: HashMap<(u32, u64), u32> = HashMap::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of = vec![NONE; view.entries.len()];
    // A loop issues one line's query over and over: the previous query's
    // group is checked first, by address and statement, before any hashing.
    let mut last: Option<(*const Location<'static>, u32, u32)> = None;
    for (i, e) in view.entries.iter().enumerate() {
        let Some((fp, s)) = view.kept(i, e) else { continue };
        // The chunks of one eager load share a line and a fingerprint by design.
        if s.operation.is_write() || s.relation.is_some_and(|r| r.eager) {
            continue;
        }
        let site_ptr = std::ptr::from_ref(e.call_site);
        let g = match last {
            Some((s, stmt, g)) if s == site_ptr && stmt == e.stmt => g,
            _ => *index.entry((sites.id(e.call_site), fp)).or_insert_with(|| {
                groups.push(Group { first_values: e.values_hash, count: 0, varies: false, finding: None });
                u32::try_from(groups.len() - 1).unwrap_or(NONE)
            }),
        };
        last = Some((site_ptr, e.stmt, g));
        if let Some(group) = groups.get_mut(g as usize) {
            group.count += 1;
            group.varies |= e.values_hash != group.first_values;
            group_of[i] = g;
        }
    }
    // Only the groups that are findings gather their queries.
    let mut found: Vec<Vec<Q<'_>>> = Vec::new();
    for g in &mut groups {
        if g.count >= config.n_plus_one_threshold && g.varies {
            g.finding = Some(found.len());
            found.push(Vec::with_capacity(g.count));
        }
    }
    if found.is_empty() {
        return Vec::new();
    }
    for (i, g) in group_of.iter().enumerate() {
        let Some(slot) = groups.get(*g as usize).and_then(|g| g.finding) else { continue };
        if let Some(q) = view.entries.get(i).and_then(|e| view.q(i, e)) {
            found[slot].push(q);
        }
    }
    found.iter().map(|group| finding(FindingKind::NPlusOne, group, fix(view, group))).collect()
}

/// Numbers call sites by value, looking them up by address: one static per
/// call site in practice, so hashing a pointer replaces hashing a file name.
#[derive(Default)]
struct SiteIds {
    by_ptr: HashMap<*const Location<'static>, u32>,
    distinct: Vec<&'static Location<'static>>,
}

impl SiteIds {
    fn id(&mut self, l: &'static Location<'static>) -> u32 {
        if let Some(id) = self.by_ptr.get(&std::ptr::from_ref(l)) {
            return *id;
        }
        // A new address: the same file:line:column may sit at another one.
        let id = match self.distinct.iter().position(|d| **d == *l) {
            Some(i) => i as u32,
            None => {
                self.distinct.push(l);
                (self.distinct.len() - 1) as u32
            }
        };
        self.by_ptr.insert(std::ptr::from_ref(l), id);
        id
    }
}

/// The fix for an N+1: for lazy relation loads, `.with(...)` on the query
/// that loaded the parents (the last earlier read of their table from
/// another line); otherwise, one query for all the keys.
fn fix(view: &View<'_>, group: &[Q<'_>]) -> String {
    let first = group[0];
    let n = group.len();
    let table = first.s.table.map(|t| format!(" on `{t}`")).unwrap_or_default();
    let same_relation = first.s.relation.filter(|r| group.iter().all(|q| q.s.relation == Some(*r)));
    let Some(rel) = same_relation else {
        return format!(
            "{n} queries{table} from one line with different values: load them in one query at {} (collect the keys and filter with `.is_in(keys)`, or eager-load the relation)",
            site(first.e.call_site)
        );
    };
    let before = view.entries.get(..first.seq - 1).unwrap_or_default();
    let parents = before.iter().enumerate().rev().filter_map(|(i, e)| view.q(i, e)).find(|q| {
        q.s.operation == Operation::Select
            && q.s.table == Some(rel.parent_table)
            && *q.e.call_site != *first.e.call_site
    });
    match parents {
        Some(p) => format!(
            "{n} lazy loads of `{}` (at {}): use `.with({})` at {}, where the `{}` rows are loaded",
            rel.relation,
            site(first.e.call_site),
            rel.relation,
            site(p.e.call_site),
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

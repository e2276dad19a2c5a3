//! The detectors: duplicate, N+1, slow, budget.

use rustc_hash::FxHashMap as HashMap;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::config::ProfilerConfig;
use crate::entry::{Entry, Statement};
use crate::fingerprint::Fingerprint;
use crate::profile::site;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The same query with the same values, run again with no write in between.
    Duplicate,
    /// The same query from the same line with different values, in a loop.
    NPlusOne,
    /// A query at or above the slow threshold.
    Slow,
    /// The scope ran more queries, or spent more time, than its budget.
    Budget,
}

impl FindingKind {
    /// Short label for text reports.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Duplicate => "duplicate",
            FindingKind::NPlusOne => "N+1",
            FindingKind::Slow => "slow",
            FindingKind::Budget => "budget",
        }
    }
}

/// One problem found in a scope, with where it came from and what to do.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Finding {
    /// Kind.
    pub kind: FindingKind,
    /// Fingerprint hash (absent for budget findings).
    pub fingerprint: Option<u64>,
    /// An example of the SQL.
    pub sql: String,
    /// How many queries it covers.
    pub count: usize,
    /// Their total time.
    pub total: Duration,
    /// The longest one.
    pub max: Duration,
    /// Where they were issued, in order of first appearance.
    pub call_sites: Vec<&'static Location<'static>>,
    /// The queries' sequence numbers.
    pub queries: Vec<usize>,
    /// One line on how to fix it.
    pub suggestion: String,
    /// The query plan (slow findings, when `explain_slow` is on).
    pub plan: Option<String>,
}

/// One query the detectors look at: its position, entry, statement and
/// fingerprint hash.
#[derive(Clone, Copy)]
struct Q<'a> {
    seq: usize,
    e: &'a Entry,
    s: &'a Statement,
    fp: u64,
}

/// A scope's queries as the detectors read them.
pub(crate) struct Queries<'a> {
    pub entries: &'a [Entry],
    /// Indexed by `Entry::stmt`.
    pub statements: &'a [Statement],
    /// Their fingerprints, likewise.
    pub fingerprints: &'a [Arc<Fingerprint>],
}

/// Which queries the detectors look at. Statements are judged once each
/// (bookkeeping, allowed fingerprint or table) and call sites once each,
/// so a loop's thousand queries cost a thousand index lookups.
struct Filter<'c> {
    config: &'c ProfilerConfig,
    /// Per statement: its fingerprint hash, or `None` when never reported.
    statements: Vec<Option<u64>>,
    sites: HashMap<*const Location<'static>, bool>,
}

impl<'c> Filter<'c> {
    fn new(q: &Queries<'_>, config: &'c ProfilerConfig) -> Self {
        let statements = q
            .statements
            .iter()
            .zip(q.fingerprints)
            .map(|(s, fp)| {
                let hidden = s.is_bookkeeping()
                    || config.allowed_fingerprints.iter().any(|f| f.eq_ignore_ascii_case(&fp.hex()))
                    || s.table.is_some_and(|t| config.allowed_tables.iter().any(|a| a == t));
                (!hidden).then_some(fp.hash)
            })
            .collect();
        Filter { config, statements, sites: HashMap::default() }
    }

    /// The fingerprint hash of a query the detectors should see.
    #[inline]
    fn keep(&mut self, e: &Entry) -> Option<u64> {
        let fp = self.statements.get(e.stmt as usize).copied().flatten()?;
        let config = self.config;
        let hidden_site = !config.allowed_call_sites.is_empty()
            && *self.sites.entry(std::ptr::from_ref(e.call_site)).or_insert_with(|| {
                let site = site(e.call_site);
                config.allowed_call_sites.iter().any(|p| site.contains(p.as_str()))
            });
        (!hidden_site).then_some(fp)
    }
}

fn finding(kind: FindingKind, group: &[Q<'_>], suggestion: String) -> Finding {
    let mut call_sites: Vec<&'static Location<'static>> = Vec::new();
    let mut queries = Vec::with_capacity(group.len());
    let (mut total, mut max) = (Duration::ZERO, Duration::ZERO);
    let mut last_site: *const Location<'static> = std::ptr::null();
    for q in group {
        let at = q.e.call_site;
        // A loop's queries share one call site: compare with the last first.
        if !std::ptr::eq(last_site, at) {
            last_site = at;
            if !call_sites.iter().any(|l| std::ptr::eq(*l, at) || **l == *at) {
                call_sites.push(at);
            }
        }
        queries.push(q.seq);
        total += q.e.duration();
        max = max.max(q.e.duration());
    }
    Finding {
        kind,
        fingerprint: group.first().map(|q| q.fp),
        sql: group.first().map(|q| q.s.sql.to_string()).unwrap_or_default(),
        count: group.len(),
        total,
        max,
        call_sites,
        queries,
        suggestion,
        plan: None,
    }
}

/// Runs every detector over a scope's queries.
pub(crate) fn run(all: &Queries<'_>, seen: u64, db_time: Duration, config: &ProfilerConfig) -> Vec<Finding> {
    let mut filter = Filter::new(all, config);
    let candidates: Vec<Q<'_>> = all
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let fp = filter.keep(e)?;
            Some(Q { seq: i + 1, e, s: all.statements.get(e.stmt as usize)?, fp })
        })
        .collect();
    let mut out = Vec::new();
    out.extend(n_plus_one(&candidates, config));
    out.extend(duplicates(&candidates));
    out.extend(slow(&candidates, config));
    out.extend(budget(seen, db_time, config));
    out
}

/// Same call site and fingerprint, different values, `threshold` times or more.
fn n_plus_one(queries: &[Q<'_>], config: &ProfilerConfig) -> Vec<Finding> {
    let mut sites = SiteIds::default();
    // Groups in order of first appearance, found by (call site, fingerprint).
    let mut index: HashMap<(u32, u64), usize> = HashMap::with_capacity_and_hasher(16, Default::default());
    let mut groups: Vec<Vec<Q<'_>>> = Vec::new();
    // The chunks of one eager load share a line and a fingerprint by design.
    let batched = |q: &Q<'_>| q.s.relation.is_some_and(|r| r.eager);
    // A loop issues one line's query over and over: the previous query's
    // group is checked first, by address and statement, before any hashing.
    let mut last: Option<(*const Location<'static>, u32, usize)> = None;
    for q in queries.iter().filter(|q| !q.s.operation.is_write() && !batched(q)) {
        let site_ptr = std::ptr::from_ref(q.e.call_site);
        let group = match last {
            Some((s, stmt, g)) if s == site_ptr && stmt == q.e.stmt => g,
            _ => *index.entry((sites.id(q.e.call_site), q.fp)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            }),
        };
        last = Some((site_ptr, q.e.stmt, group));
        groups[group].push(*q);
    }
    groups
        .into_iter()
        .filter_map(|group| {
            let varies = group.iter().any(|q| q.e.values_hash != group[0].e.values_hash);
            (group.len() >= config.n_plus_one_threshold && varies)
                .then(|| finding(FindingKind::NPlusOne, &group, n_plus_one_fix(queries, &group)))
        })
        .collect()
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
fn n_plus_one_fix(queries: &[Q<'_>], group: &[Q<'_>]) -> String {
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
    let parents = queries.iter().rev().find(|q| {
        q.seq < first.seq
            && q.s.operation == ormlet_core::events::Operation::Select
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

/// Same fingerprint and values, no write to the same table in between.
fn duplicates<'q>(queries: &[Q<'q>]) -> Vec<Finding> {
    /// Most reads run once: no `Vec` until a second one comes.
    enum Seen<'q> {
        Once(Q<'q>),
        Again(Vec<Q<'q>>),
    }
    let mut open: HashMap<(u64, u64), Seen<'q>> = HashMap::with_capacity_and_hasher(queries.len(), Default::default());
    let mut done: Vec<Vec<Q<'q>>> = Vec::new();
    let table_of = |s: &Seen<'q>| match s {
        Seen::Once(q) => q.s.table,
        Seen::Again(g) => g[0].s.table,
    };
    for q in queries {
        if q.s.operation.is_write() {
            // A write to a table makes repeated reads of it legitimate again.
            let stale: Vec<(u64, u64)> = open
                .iter()
                .filter(|(_, s)| table_of(s).is_none() || table_of(s) == q.s.table || q.s.table.is_none())
                .map(|(k, _)| *k)
                .collect();
            for k in stale {
                if let Some(Seen::Again(g)) = open.remove(&k) {
                    done.push(g);
                }
            }
            continue;
        }
        let key = (q.fp, q.e.values_hash);
        match open.get_mut(&key) {
            None => {
                open.insert(key, Seen::Once(*q));
            }
            Some(Seen::Again(g)) => g.push(*q),
            Some(seen @ Seen::Once(_)) => {
                if let Seen::Once(first) = *seen {
                    *seen = Seen::Again(vec![first, *q]);
                }
            }
        }
    }
    done.extend(open.into_values().filter_map(|s| match s {
        Seen::Again(g) => Some(g),
        Seen::Once(_) => None,
    }));
    done.sort_by_key(|g| g[0].seq);
    done.into_iter()
        .map(|g| {
            let at = site(g[1].e.call_site);
            finding(
                FindingKind::Duplicate,
                &g,
                format!(
                    "the same query with the same values ran {} times: reuse the first result (again at {at})",
                    g.len()
                ),
            )
        })
        .collect()
}

fn slow(queries: &[Q<'_>], config: &ProfilerConfig) -> Vec<Finding> {
    queries
        .iter()
        .filter(|q| q.e.duration() >= config.slow_threshold)
        .map(|q| {
            let plan = q.e.plan();
            let advice = if plan.is_some() { "see the plan below" } else { "check the plan with EXPLAIN" };
            let mut f = finding(
                FindingKind::Slow,
                &[*q],
                format!(
                    "took {} (threshold {}): {advice}; an index on its filter or order usually helps",
                    crate::report::ms(q.e.duration()),
                    crate::report::ms(config.slow_threshold)
                ),
            );
            f.plan = plan.map(str::to_owned);
            f
        })
        .collect()
}

fn budget(seen: u64, db_time: Duration, config: &ProfilerConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let empty = |suggestion: String| Finding {
        kind: FindingKind::Budget,
        fingerprint: None,
        sql: String::new(),
        count: usize::try_from(seen).unwrap_or(usize::MAX),
        total: db_time,
        max: Duration::ZERO,
        call_sites: Vec::new(),
        queries: Vec::new(),
        suggestion,
        plan: None,
    };
    if let Some(max) = config.max_queries
        && seen > max as u64
    {
        out.push(empty(format!("{seen} queries, budget {max}: remove N+1 and duplicate queries first")));
    }
    if let Some(max) = config.max_db_time
        && db_time > max
    {
        out.push(empty(format!("{} in the database, budget {}", crate::report::ms(db_time), crate::report::ms(max))));
    }
    out
}

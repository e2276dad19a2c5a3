//! The detectors: duplicate, N+1, slow, budget.
//!
//! They read a scope's compact entries directly. Each statement is judged
//! once (bookkeeping, allowed fingerprint or table) and each call site once,
//! and a detector gathers a finding's queries only once it knows there is a
//! finding, so a scope with none costs a pass or two over its entries.

mod duplicates;
mod n_plus_one;

use rustc_hash::FxHashMap as HashMap;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::config::ProfilerConfig;
use crate::entry::{Entry, Extra, Statement};
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

/// A scope's queries as the profile holds them.
pub(crate) struct Queries<'a> {
    pub entries: &'a [Entry],
    /// Indexed by `Entry::stmt`.
    pub statements: &'a [Statement],
    /// Indexed by `Entry::extra`.
    pub extras: &'a [Extra],
    /// Their fingerprints, likewise.
    pub fingerprints: &'a [Arc<Fingerprint>],
}

/// One query a finding covers: its position, entry, statement and
/// fingerprint hash.
#[derive(Clone, Copy)]
struct Q<'a> {
    seq: usize,
    e: &'a Entry,
    s: &'a Statement,
    fp: u64,
}

/// Which queries the detectors look at, with each statement judged once.
struct View<'a> {
    entries: &'a [Entry],
    statements: &'a [Statement],
    /// Per statement: its fingerprint hash and itself, or `None` when never
    /// reported (one lookup per query).
    judged: Vec<Option<(u64, &'a Statement)>>,
    /// Per entry, only when call sites are allow-listed: whether its site is.
    hidden_sites: Vec<bool>,
}

impl<'a> View<'a> {
    fn new(q: &Queries<'a>, config: &ProfilerConfig) -> Self {
        let judged = q
            .statements
            .iter()
            .zip(q.fingerprints)
            .map(|(s, fp)| {
                let hidden = s.is_bookkeeping()
                    || config.allowed_fingerprints.iter().any(|f| f.eq_ignore_ascii_case(&fp.hex()))
                    || s.table.is_some_and(|t| config.allowed_tables.iter().any(|a| a == t));
                (!hidden).then_some((fp.hash, s))
            })
            .collect();
        let hidden_sites = if config.allowed_call_sites.is_empty() {
            Vec::new()
        } else {
            // A loop's queries share one `Location`: judge each address once.
            let mut judged: HashMap<*const Location<'static>, bool> = HashMap::default();
            q.entries
                .iter()
                .map(|e| {
                    *judged.entry(std::ptr::from_ref(e.call_site)).or_insert_with(|| {
                        let site = site(e.call_site);
                        config.allowed_call_sites.iter().any(|p| site.contains(p.as_str()))
                    })
                })
                .collect()
        };
        View { entries: q.entries, statements: q.statements, judged, hidden_sites }
    }

    /// Entry `i` (which is `e`) with its fingerprint hash and statement, if
    /// the detectors look at it.
    #[inline]
    fn kept(&self, i: usize, e: &Entry) -> Option<(u64, &'a Statement)> {
        let kept = self.judged.get(e.stmt as usize).copied().flatten()?;
        if !self.hidden_sites.is_empty() && self.hidden_sites.get(i).copied().unwrap_or(false) {
            return None;
        }
        Some(kept)
    }

    /// The kept queries, with their positions.
    fn queries(&self) -> impl Iterator<Item = Q<'a>> + '_ {
        self.entries.iter().enumerate().filter_map(|(i, e)| self.q(i, e))
    }

    #[inline]
    fn q(&self, i: usize, e: &'a Entry) -> Option<Q<'a>> {
        let (fp, s) = self.kept(i, e)?;
        Some(Q { seq: i + 1, e, s, fp })
    }
}

fn finding(kind: FindingKind, group: &[Q<'_>], suggestion: String) -> Finding {
    let mut call_sites: Vec<&'static Location<'static>> = Vec::new();
    let mut queries = Vec::with_capacity(group.len());
    let (mut total, mut max) = (0u64, 0u64);
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
        total = total.saturating_add(q.e.duration_ns);
        max = max.max(q.e.duration_ns);
    }
    Finding {
        kind,
        fingerprint: group.first().map(|q| q.fp),
        sql: group.first().map(|q| q.s.sql.to_string()).unwrap_or_default(),
        count: group.len(),
        total: Duration::from_nanos(total),
        max: Duration::from_nanos(max),
        call_sites,
        queries,
        suggestion,
        plan: None,
    }
}

/// Runs every detector over a scope's queries.
pub(crate) fn run(all: &Queries<'_>, seen: u64, db_time: Duration, config: &ProfilerConfig) -> Vec<Finding> {
    let view = View::new(all, config);
    let mut out = n_plus_one::find(&view, config);
    out.extend(duplicates::find(&view));
    out.extend(slow(&view, all.extras, config));
    out.extend(budget(seen, db_time, config));
    out
}

fn slow(view: &View<'_>, extras: &[Extra], config: &ProfilerConfig) -> Vec<Finding> {
    let threshold = u64::try_from(config.slow_threshold.as_nanos()).unwrap_or(u64::MAX);
    view.entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.duration_ns >= threshold)
        .filter_map(|(i, e)| view.q(i, e))
        .map(|q| {
            let plan = q.e.extra(extras).and_then(|x| x.plan.as_deref());
            let advice = if plan.is_some() { "see the plan below" } else { "check the plan with EXPLAIN" };
            let mut f = finding(
                FindingKind::Slow,
                &[q],
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

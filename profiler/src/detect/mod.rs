//! The detectors: duplicate, N+1, slow, budget.
//!
//! They read a scope's compact entries directly, in runs: consecutive
//! queries of one statement from one call site, which is what a loop
//! issues. Each statement is judged once (bookkeeping, allowed fingerprint
//! or table), each call site once and each run once, and a detector gathers
//! a finding's queries only once it knows there is a finding, so a scope
//! with none costs a pass or two over its entries.

mod duplicates;
mod n_plus_one;

use rustc_hash::FxHashMap as HashMap;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use ormlet_core::events::Ticks;

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

/// Consecutive queries of one statement from one call site, `start..end`
/// in the scope: what a loop issues. Detectors judge a run once, not each
/// of its queries.
#[derive(Clone, Copy)]
struct Run<'a> {
    start: usize,
    end: usize,
    /// Index of its statement, which is `s`.
    stmt: u32,
    s: &'a Statement,
    fp: u64,
    site: &'static Location<'static>,
}

impl<'a> Run<'a> {
    fn entries(&self, all: &'a [Entry]) -> &'a [Entry] {
        all.get(self.start..self.end).unwrap_or_default()
    }

    fn queries(self, all: &'a [Entry]) -> impl Iterator<Item = Q<'a>> {
        self.entries(all).iter().zip(self.start + 1..).map(move |(e, seq)| Q { seq, e, s: self.s, fp: self.fp })
    }
}

/// The queries the detectors look at: a scope's entries less those never
/// reported (bookkeeping, allow-listed), in runs.
struct View<'a> {
    entries: &'a [Entry],
    statements: &'a [Statement],
    runs: Vec<Run<'a>>,
    /// The longest query's time, in raw ticks.
    longest: Ticks,
}

impl<'a> View<'a> {
    fn new(q: &Queries<'a>, config: &ProfilerConfig) -> Self {
        // Each statement judged once: its fingerprint hash, or never reported.
        let judged: Vec<Option<u64>> = q
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
        // And each call site's address once, when sites are allow-listed.
        let mut sites: HashMap<*const Location<'static>, bool> = HashMap::default();
        let mut site_hidden = |l: &'static Location<'static>| {
            !config.allowed_call_sites.is_empty()
                && *sites.entry(std::ptr::from_ref(l)).or_insert_with(|| {
                    let site = site(l);
                    config.allowed_call_sites.iter().any(|p| site.contains(p.as_str()))
                })
        };
        let mut runs = Vec::new();
        let mut longest = Ticks::default();
        let mut start = 0;
        while let Some(first) = q.entries.get(start) {
            let mut end = start + 1;
            while let Some(e) = q.entries.get(end)
                && e.stmt == first.stmt
                && std::ptr::eq(e.call_site, first.call_site)
            {
                end += 1;
            }
            let s = q.statements.get(first.stmt as usize);
            if let (Some(s), Some(Some(fp))) = (s, judged.get(first.stmt as usize))
                && !site_hidden(first.call_site)
            {
                let run = Run { start, end, stmt: first.stmt, s, fp: *fp, site: first.call_site };
                longest = run.entries(q.entries).iter().map(Entry::ticks).fold(longest, Ticks::max);
                runs.push(run);
            }
            start = end;
        }
        View { entries: q.entries, statements: q.statements, runs, longest }
    }

    /// The queries looked at, in order.
    fn queries(&self) -> impl Iterator<Item = Q<'a>> + '_ {
        self.runs.iter().flat_map(|r| r.queries(self.entries))
    }
}

fn finding(kind: FindingKind, group: &[Q<'_>], suggestion: String) -> Finding {
    let mut tally = Tally::with_capacity(group.len());
    for q in group {
        tally.add_site(q.e.call_site);
        tally.add(q.seq, q.e);
    }
    tally.finding(kind, group.first().map(|q| (q.fp, q.s)), suggestion)
}

/// What a finding sums up of its queries, gathered query by query or run
/// by run.
struct Tally {
    call_sites: Vec<&'static Location<'static>>,
    /// The last site added: a loop's queries share one, so it is compared
    /// first, by address.
    last_site: *const Location<'static>,
    queries: Vec<usize>,
    total: Ticks,
    max: Ticks,
}

impl Tally {
    fn with_capacity(n: usize) -> Self {
        Tally {
            call_sites: Vec::new(),
            last_site: std::ptr::null(),
            queries: Vec::with_capacity(n),
            total: Ticks::default(),
            max: Ticks::default(),
        }
    }

    /// Notes the call site of the queries added next.
    #[inline]
    fn add_site(&mut self, at: &'static Location<'static>) {
        if std::ptr::eq(self.last_site, at) {
            return;
        }
        self.last_site = at;
        if !self.call_sites.iter().any(|l| std::ptr::eq(*l, at) || **l == *at) {
            self.call_sites.push(at);
        }
    }

    /// Adds query `seq`, which is `e`.
    #[inline]
    fn add(&mut self, seq: usize, e: &Entry) {
        self.queries.push(seq);
        self.add_time(e);
    }

    /// Adds a run's queries: positions as one range, then the times.
    #[inline]
    fn add_run(&mut self, run: &Run<'_>, all: &[Entry]) {
        self.queries.extend(run.start + 1..=run.end);
        run.entries(all).iter().for_each(|e| self.add_time(e));
    }

    #[inline]
    fn add_time(&mut self, e: &Entry) {
        let t = e.ticks();
        self.total = self.total.saturating_add(t);
        self.max = self.max.max(t);
    }

    /// The finding, with the fingerprint hash and statement of its first query.
    fn finding(self, kind: FindingKind, first: Option<(u64, &Statement)>, suggestion: String) -> Finding {
        Finding {
            kind,
            fingerprint: first.map(|(fp, _)| fp),
            sql: first.map(|(_, s)| s.sql.to_string()).unwrap_or_default(),
            count: self.queries.len(),
            total: self.total.duration(),
            max: self.max.duration(),
            call_sites: self.call_sites,
            queries: self.queries,
            suggestion,
            plan: None,
        }
    }
}

/// Runs every detector over a scope's queries.
/// (`db_time` sums every query's time: asked only for a budget finding.)
pub(crate) fn run(
    all: &Queries<'_>,
    seen: u64,
    db_time: impl Fn() -> Duration,
    config: &ProfilerConfig,
) -> Vec<Finding> {
    let view = View::new(all, config);
    let mut out = n_plus_one::find(&view, config);
    out.extend(duplicates::find(&view));
    out.extend(slow(&view, all.extras, config));
    out.extend(budget(seen, db_time, config));
    out
}

fn slow(view: &View<'_>, extras: &[Extra], config: &ProfilerConfig) -> Vec<Finding> {
    // Most scopes have no slow query: one conversion tells.
    if view.longest.duration() < config.slow_threshold {
        return Vec::new();
    }
    view.queries()
        .filter(|q| q.e.duration() >= config.slow_threshold)
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

fn budget(seen: u64, db_time: impl Fn() -> Duration, config: &ProfilerConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    if config.max_queries.is_none() && config.max_db_time.is_none() {
        return out;
    }
    let db_time = db_time();
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

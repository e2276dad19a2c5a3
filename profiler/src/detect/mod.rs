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
mod seen;
mod suggestion;
mod unused_eager;

pub use suggestion::Suggestion;
pub(crate) use unused_eager::{Unread, unread};

use rustc_hash::FxHashMap as HashMap;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use ormlet_core::events::Ticks;

use crate::config::ProfilerConfig;
use crate::entry::{Entry, Extra, Statement};
use crate::fingerprint::Fingerprint;
use crate::format::site;

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
    /// A `.with(rel)` whose loaded rows were never read before the scope ended.
    UnusedEagerLoad,
}

impl FindingKind {
    /// Short label for text reports.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Duplicate => "duplicate",
            FindingKind::NPlusOne => "N+1",
            FindingKind::Slow => "slow",
            FindingKind::Budget => "budget",
            FindingKind::UnusedEagerLoad => "unused eager load",
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
    /// An example of the SQL (empty for budget findings).
    pub sql: Arc<str>,
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
    /// One line on how to fix it (written when displayed).
    pub suggestion: Suggestion,
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
    /// Their fingerprints, likewise: worked out when first asked for (a
    /// scope of one quick query needs none).
    pub fingerprints: &'a dyn Fn() -> &'a [Arc<Fingerprint>],
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
    /// Its queries' total time and the longest, in raw ticks.
    total: Ticks,
    max: Ticks,
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
        // A statement's fingerprint hash, or `None`: never reported. With
        // allow lists each statement is judged once, up front; without, a
        // run's statement is judged as it comes, which needs no table.
        let lists = !config.allowed_fingerprints.is_empty() || !config.allowed_tables.is_empty();
        let reported = |s: &Statement, fp: &Fingerprint| {
            let hidden = s.is_bookkeeping()
                || config.allowed_fingerprints.iter().any(|f| f.eq_ignore_ascii_case(&fp.hex()))
                || s.table.is_some_and(|t| config.allowed_tables.iter().any(|a| a == t));
            (!hidden).then_some(fp.hash)
        };
        let judged: Vec<Option<u64>> = if lists {
            q.statements.iter().zip((q.fingerprints)()).map(|(s, fp)| reported(s, fp)).collect()
        } else {
            Vec::new()
        };
        let judge = |i: usize, s: &Statement| match judged.get(i) {
            Some(verdict) => *verdict,
            None => (q.fingerprints)().get(i).and_then(|fp| reported(s, fp)),
        };
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
            // The run's extent and times in one pass.
            let (mut end, mut total, mut max) = (start + 1, first.ticks(), first.ticks());
            while let Some(e) = q.entries.get(end)
                && e.stmt == first.stmt
                && std::ptr::eq(e.call_site, first.call_site)
            {
                total = total.saturating_add(e.ticks());
                max = max.max(e.ticks());
                end += 1;
            }
            if let Some(s) = q.statements.get(first.stmt as usize)
                && let Some(fp) = judge(first.stmt as usize, s)
                && !site_hidden(first.call_site)
            {
                longest = longest.max(max);
                runs.push(Run { start, end, stmt: first.stmt, s, fp, site: first.call_site, total, max });
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

fn finding(kind: FindingKind, group: &[Q<'_>], suggestion: Suggestion) -> Finding {
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

    /// Adds a run's queries: positions as one range, times as summed.
    #[inline]
    fn add_run(&mut self, run: &Run<'_>) {
        self.queries.extend(run.start + 1..=run.end);
        self.total = self.total.saturating_add(run.total);
        self.max = self.max.max(run.max);
    }

    #[inline]
    fn add_time(&mut self, e: &Entry) {
        let t = e.ticks();
        self.total = self.total.saturating_add(t);
        self.max = self.max.max(t);
    }

    /// The finding, with the fingerprint hash and statement of its first query.
    fn finding(self, kind: FindingKind, first: Option<(u64, &Statement)>, suggestion: Suggestion) -> Finding {
        Finding {
            kind,
            fingerprint: first.map(|(fp, _)| fp),
            sql: first.map_or_else(|| Arc::from(""), |(_, s)| s.sql.clone()),
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

/// Runs every detector over a scope's queries, and reports what its eager
/// loads left `unread`.
/// (`db_time` sums every query's time: asked only for a budget finding.)
pub(crate) fn run(
    all: &Queries<'_>,
    unread: &[Unread],
    seen: u64,
    db_time: impl Fn() -> Duration,
    config: &ProfilerConfig,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // One quick query (a request's usual scope) is neither a repeat nor
    // slow: no view of the scope, no fingerprints.
    let view = (!one_quick_query(all.entries, config)).then(|| View::new(all, config));
    // A repeat needs two queries.
    if let Some(view) = &view
        && (view.runs.len() > 1 || view.runs.first().is_some_and(|r| r.end - r.start > 1))
    {
        out = n_plus_one::find(view, config);
        // One problem, one finding: a repeat inside an N+1 loop is that loop's
        // (its suggestion counts the repeats), not a duplicate of its own.
        let mut in_loops: Vec<usize> = out.iter().flat_map(|f| f.queries.iter().copied()).collect();
        // Every query in a loop (a query is in one loop at most): whatever
        // repeats among them is those loops', and there is nothing to look for.
        let looked_at: usize = view.runs.iter().map(|r| r.end - r.start).sum();
        if in_loops.len() < looked_at {
            in_loops.sort_unstable();
            let dups = duplicates::find(view);
            out.extend(dups.into_iter().filter(|d| !d.queries.iter().all(|q| in_loops.binary_search(q).is_ok())));
        }
    }
    out.extend(unused_eager::find(all, unread));
    if let Some(view) = &view {
        out.extend(slow(view, all.extras, config));
    }
    out.extend(budget(seen, db_time, config));
    out
}

/// At most one query, and quick (a request's usual scope): neither a
/// repeat nor slow, so no view of the scope and no fingerprints are needed.
fn one_quick_query(entries: &[Entry], config: &ProfilerConfig) -> bool {
    entries.len() < 2 && entries.iter().all(|e| e.duration() < config.slow_threshold)
}

/// Whether a scope of `entries`, whose eager loads left `unread`, can have
/// no finding at all, known without running the detectors.
pub(crate) fn surely_none(
    entries: &[Entry],
    statements: &[Statement],
    unread: &[Unread],
    config: &ProfilerConfig,
) -> bool {
    unread.is_empty()
        && config.max_queries.is_none()
        && config.max_db_time.is_none()
        && (one_quick_query(entries, config) || few_distinct_quick_queries(entries, statements, config))
}

/// A few queries (a request's usual scope), each quick, no two from one
/// line (but the chunks of eager loads and writes, which no loop counts)
/// and no two of one text and values: no loop, no repeat, nothing slow.
/// (Out of line: a scope of one query never gets here.)
#[inline(never)]
fn few_distinct_quick_queries(entries: &[Entry], statements: &[Statement], config: &ProfilerConfig) -> bool {
    const FEW: usize = 8;
    if entries.len() > FEW || entries.iter().any(|e| e.duration() >= config.slow_threshold) {
        return false;
    }
    let statement = |e: &Entry| statements.get(e.stmt as usize);
    // Queries an N+1 group may count (as its detector skips the others).
    let loopable = |s: &Statement| !s.operation.is_write() && !s.relation.is_some_and(|r| r.eager);
    entries.iter().enumerate().all(|(i, a)| {
        entries[i + 1..].iter().all(|b| {
            let (Some(sa), Some(sb)) = (statement(a), statement(b)) else { return false };
            let one_line = *a.call_site == *b.call_site && loopable(sa) && loopable(sb);
            let alike = a.values_hash == b.values_hash && (a.stmt == b.stmt || sa.sql == sb.sql);
            !one_line && !alike
        })
    })
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
            let fix = Suggestion::index(q.e.duration(), config.slow_threshold, plan.is_some());
            let mut f = finding(FindingKind::Slow, &[q], fix);
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
    let empty = |suggestion: Suggestion| Finding {
        kind: FindingKind::Budget,
        fingerprint: None,
        sql: Arc::from(""),
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
        out.push(empty(Suggestion::query_budget(seen, max)));
    }
    if let Some(max) = config.max_db_time
        && db_time > max
    {
        out.push(empty(Suggestion::time_budget(db_time, max)));
    }
    out
}

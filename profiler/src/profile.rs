//! What a scope recorded: its queries, and the findings over them.

use std::sync::{LazyLock, OnceLock};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use ormlet_core::Backend;
use ormlet_core::events::{Operation, RelationLoad};

use crate::config::ProfilerConfig;
use crate::detect::{self, Finding, FindingKind};
use crate::fingerprint::Fingerprint;

/// One query of a scope.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedQuery {
    /// 1-based position in the scope.
    pub seq: usize,
    /// SQL as sent.
    pub sql: Arc<str>,
    /// Filled in when the scope ends (fingerprinting is off the query's path).
    pub fingerprint: Option<Arc<Fingerprint>>,
    /// Statement kind.
    pub operation: Operation,
    /// Main table, when known.
    pub table: Option<&'static str>,
    /// Bound values, rendered and truncated; `None` unless `capture_values`.
    pub values: Option<Vec<String>>,
    /// Hash of the bound values (always kept: it tells duplicates from N+1).
    pub values_hash: u64,
    /// Offset from the start of the scope.
    pub start: Duration,
    /// Execution time.
    pub duration: Duration,
    /// Rows returned or affected.
    pub rows: u64,
    /// Backend.
    pub backend: Backend,
    /// Error message, if it failed.
    pub error: Option<String>,
    /// Transaction depth.
    pub tx_depth: u32,
    /// Where the application issued it.
    pub call_site: &'static Location<'static>,
    /// The backend's plan, for slow reads when `explain_slow` is on.
    pub plan: Option<String>,
    /// The relation it loaded, if it was a relation load.
    pub relation: Option<RelationLoad>,
}

impl RecordedQuery {
    /// The fingerprint (computed when the scope ended).
    pub fn fingerprint(&self) -> &Fingerprint {
        self.fingerprint.as_ref().expect("fingerprints are filled when the profile is built")
    }

    /// `file:line:column` of the call site.
    pub fn call_site_string(&self) -> String {
        site(self.call_site)
    }

    /// Transaction control and schema statements: recorded, never findings.
    pub fn is_bookkeeping(&self) -> bool {
        self.operation.is_transaction_control() || self.operation == Operation::Schema
    }
}

/// `file:line:column`, the one way call sites are written in reports.
pub(crate) fn site(l: &Location<'_>) -> String {
    format!("{}:{}:{}", l.file(), l.line(), l.column())
}

pub(crate) fn render_value(v: &ormlet_core::Value, max: usize) -> String {
    let s = format!("{v:?}");
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Distinct SQL texts fingerprinted so far; past this the cache starts over.
const FINGERPRINT_CACHE_CAP: usize = 10_000;

/// Fingerprints by SQL text, shared by all scopes (keyed by text, not by
/// pointer: a freed `Arc`'s address can come back holding other SQL).
fn cached_fingerprint(sql: &Arc<str>) -> Arc<Fingerprint> {
    static CACHE: LazyLock<Mutex<FxHashMap<Arc<str>, Arc<Fingerprint>>>> = LazyLock::new(Mutex::default);
    if let Some(fp) = CACHE.lock().get(sql) {
        return fp.clone();
    }
    let fp = Arc::new(Fingerprint::of(sql));
    let mut cache = CACHE.lock();
    if cache.len() >= FINGERPRINT_CACHE_CAP {
        cache.clear();
    }
    cache.insert(sql.clone(), fp.clone());
    fp
}

/// The queries of one scope and the findings over them.
///
/// Findings are worked out when first asked for (or when the scope ends, if
/// a `tracing` subscriber wants the profiler's warnings): a test that only
/// counts queries, or a request nobody looks at, does not pay for them.
#[derive(Debug, Clone)]
pub struct Profile {
    queries: Vec<RecordedQuery>,
    seen: u64,
    db_time: Duration,
    elapsed: Duration,
    findings: OnceLock<Vec<Finding>>,
    config: Arc<ProfilerConfig>,
}

impl Profile {
    pub(crate) fn new(
        mut queries: Vec<RecordedQuery>,
        seen: u64,
        db_time: Duration,
        elapsed: Duration,
        config: Arc<ProfilerConfig>,
    ) -> Self {
        // Builder SQL is one shared `Arc` per shape, so within a scope most
        // lookups hit by pointer (the previous query's, most often); across
        // scopes the text-keyed cache does.
        let mut by_ptr: FxHashMap<*const u8, Arc<Fingerprint>> = FxHashMap::default();
        let mut last: Option<(*const u8, Arc<Fingerprint>)> = None;
        for q in &mut queries {
            let ptr = q.sql.as_ptr();
            let fp = match &last {
                Some((p, fp)) if *p == ptr => fp.clone(),
                _ => {
                    let fp = by_ptr.entry(ptr).or_insert_with(|| cached_fingerprint(&q.sql)).clone();
                    last = Some((ptr, fp.clone()));
                    fp
                }
            };
            q.fingerprint = Some(fp);
        }
        Profile { queries, seen, db_time, elapsed, findings: OnceLock::new(), config }
    }

    /// Queries run in the scope (including any past the keep limit).
    pub fn query_count(&self) -> u64 {
        self.seen
    }

    /// The kept queries, in order.
    pub fn queries(&self) -> &[RecordedQuery] {
        &self.queries
    }

    /// Total database time.
    pub fn db_time(&self) -> Duration {
        self.db_time
    }

    /// Wall time of the scope.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Duplicate, N+1, slow and budget findings (worked out on first call).
    pub fn findings(&self) -> &[Finding] {
        self.findings.get_or_init(|| detect::run(&self.queries, self.seen, self.db_time, &self.config))
    }

    /// Findings of one kind.
    pub fn findings_of(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings().iter().filter(move |f| f.kind == kind)
    }

    /// The configuration the scope ran with.
    pub fn config(&self) -> &ProfilerConfig {
        &self.config
    }

    /// "11 queries, 3.2 ms, 1 N+1, 0 duplicate, 0 slow"
    pub fn summary(&self) -> String {
        let n = |k| self.findings_of(k).count();
        format!(
            "{} quer{}, {}, {} N+1, {} duplicate, {} slow{}",
            self.seen,
            if self.seen == 1 { "y" } else { "ies" },
            crate::report::ms(self.db_time),
            n(FindingKind::NPlusOne),
            n(FindingKind::Duplicate),
            n(FindingKind::Slow),
            if n(FindingKind::Budget) > 0 { ", over budget" } else { "" },
        )
    }
}

//! What the profiler reports and what it keeps.

use std::time::Duration;

/// Thresholds, budgets, allow lists and privacy settings of a scope.
///
/// ```
/// use std::time::Duration;
/// use ormlet_profiler::ProfilerConfig;
/// let config = ProfilerConfig::default()
///     .n_plus_one_threshold(3)
///     .slow_threshold(Duration::from_millis(50))
///     .max_queries(20)
///     .allow_call_site("tests/fixtures.rs");
/// ```
#[derive(Debug, Clone)]
pub struct ProfilerConfig {
    /// Same call site and fingerprint with different values this many times is an N+1 (default 2).
    pub n_plus_one_threshold: usize,
    /// Queries at least this long are slow (default 100 ms).
    pub slow_threshold: Duration,
    /// More queries than this in one scope is a budget finding.
    pub max_queries: Option<usize>,
    /// More database time than this in one scope is a budget finding.
    pub max_db_time: Option<Duration>,
    /// Attach the backend's plan to slow reads (default off: it runs one more
    /// statement each). Never `EXPLAIN ANALYZE`, never a write: SQLite's
    /// `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN`, MySQL's `EXPLAIN
    /// FORMAT=JSON`, with the same values bound. On the servers, reads inside
    /// a transaction are not explained (a failed EXPLAIN would abort it).
    pub explain_slow: bool,
    /// Keep bound values in the report (default off: values are redacted).
    pub capture_values: bool,
    /// Longest rendering of one value when values are kept (default 64 chars).
    pub max_value_len: usize,
    /// Queries kept per scope; past this, queries are counted but not kept (default 10 000).
    pub max_queries_kept: usize,
    /// Call sites (path substrings, e.g. `tests/fixtures.rs` or `src/seed.rs:12`) never reported.
    pub allowed_call_sites: Vec<String>,
    /// Fingerprints (16 hex digits) never reported.
    pub allowed_fingerprints: Vec<String>,
    /// Tables whose queries are never reported.
    pub allowed_tables: Vec<String>,
}

impl Default for ProfilerConfig {
    fn default() -> Self {
        ProfilerConfig {
            n_plus_one_threshold: 2,
            slow_threshold: Duration::from_millis(100),
            max_queries: None,
            max_db_time: None,
            explain_slow: false,
            capture_values: false,
            max_value_len: 64,
            max_queries_kept: 10_000,
            allowed_call_sites: Vec::new(),
            allowed_fingerprints: Vec::new(),
            allowed_tables: Vec::new(),
        }
    }
}

impl ProfilerConfig {
    /// Reads at least this slow get a plan, when `explain_slow` is on: what
    /// a scope's sinks answer to `QuerySink::explain_slower_than`.
    pub(crate) fn explain_slower_than(&self) -> Option<Duration> {
        self.explain_slow.then_some(self.slow_threshold)
    }

    /// Sets [`n_plus_one_threshold`](Self::n_plus_one_threshold) (at least 2).
    pub fn n_plus_one_threshold(mut self, n: usize) -> Self {
        self.n_plus_one_threshold = n.max(2);
        self
    }
    /// Sets [`slow_threshold`](Self::slow_threshold).
    pub fn slow_threshold(mut self, d: Duration) -> Self {
        self.slow_threshold = d;
        self
    }
    /// Sets [`max_queries`](Self::max_queries).
    pub fn max_queries(mut self, n: usize) -> Self {
        self.max_queries = Some(n);
        self
    }
    /// Sets [`max_db_time`](Self::max_db_time).
    pub fn max_db_time(mut self, d: Duration) -> Self {
        self.max_db_time = Some(d);
        self
    }
    /// Attaches the query plan to slow reads.
    pub fn explain_slow(mut self, on: bool) -> Self {
        self.explain_slow = on;
        self
    }
    /// Sets [`max_queries_kept`](Self::max_queries_kept).
    pub fn max_queries_kept(mut self, n: usize) -> Self {
        self.max_queries_kept = n;
        self
    }
    /// The longest rendering of one kept value, in characters (at least 8).
    pub fn max_value_len(mut self, n: usize) -> Self {
        self.max_value_len = n.max(8);
        self
    }

    /// Keeps bound values in reports (they may hold personal data).
    pub fn capture_values(mut self, on: bool) -> Self {
        self.capture_values = on;
        self
    }
    /// Never reports queries from call sites containing `path`.
    pub fn allow_call_site(mut self, path: impl Into<String>) -> Self {
        self.allowed_call_sites.push(path.into());
        self
    }
    /// Never reports queries with this fingerprint (16 hex digits).
    pub fn allow_fingerprint(mut self, hex: impl Into<String>) -> Self {
        self.allowed_fingerprints.push(hex.into());
        self
    }
    /// Never reports queries on this table.
    pub fn allow_table(mut self, table: impl Into<String>) -> Self {
        self.allowed_tables.push(table.into());
        self
    }
}

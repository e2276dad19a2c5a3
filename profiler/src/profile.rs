//! What a scope recorded: its queries, and the findings over them.

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::sync::{LazyLock, OnceLock};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use ormlet_core::Backend;
use ormlet_core::events::{Operation, RelationLoad, Tick, Ticks};

use crate::config::ProfilerConfig;
use crate::detect::{self, Finding, FindingKind};
use crate::fingerprint::Fingerprint;
use crate::recording::Recording;

/// One query of a scope, as reports show it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedQuery {
    /// 1-based position in the scope.
    pub seq: usize,
    /// SQL as sent.
    pub sql: Arc<str>,
    /// Its fingerprint.
    pub fingerprint: Arc<Fingerprint>,
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
    /// Its fingerprint.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// `file:line:column` of the call site.
    pub fn call_site_string(&self) -> String {
        crate::format::site(self.call_site)
    }

    /// Transaction control and schema statements: recorded, never findings.
    pub fn is_bookkeeping(&self) -> bool {
        crate::entry::is_bookkeeping(self.operation)
    }
}

/// Distinct SQL texts fingerprinted so far; past this the cache starts over.
const FINGERPRINT_CACHE_CAP: usize = 10_000;

/// Fingerprints by SQL text, shared by all scopes. Found first by the
/// text's address (the builder's statements share one `Arc` per shape, so
/// most lookups end there without hashing the text), then by the text. The
/// cache holds each `Arc` it is keyed by, so while an entry lives its
/// address cannot come back holding other SQL.
#[derive(Default)]
struct FingerprintCache {
    by_address: FxHashMap<usize, (Arc<str>, Arc<Fingerprint>)>,
    by_text: FxHashMap<Arc<str>, Arc<Fingerprint>>,
}

fn cached_fingerprint(sql: &Arc<str>) -> Arc<Fingerprint> {
    static CACHE: LazyLock<Mutex<FingerprintCache>> = LazyLock::new(Mutex::default);
    let address = sql.as_ptr() as usize;
    let mut cache = CACHE.lock();
    if let Some((_, fp)) = cache.by_address.get(&address) {
        return fp.clone();
    }
    if cache.by_address.len() >= FINGERPRINT_CACHE_CAP || cache.by_text.len() >= FINGERPRINT_CACHE_CAP {
        *cache = FingerprintCache::default();
    }
    let fp = match cache.by_text.get(sql) {
        Some(fp) => fp.clone(),
        None => {
            // Worked out without the lock: other scopes need not wait.
            drop(cache);
            let fp = Arc::new(Fingerprint::of(sql));
            cache = CACHE.lock();
            cache.by_text.insert(sql.clone(), fp.clone());
            fp
        }
    };
    cache.by_address.insert(address, (sql.clone(), fp.clone()));
    fp
}

/// The queries of one scope and the findings over them.
///
/// A scope keeps compact entries; fingerprints, the [`RecordedQuery`] list
/// and the findings are worked out when first asked for (findings also when
/// the scope ends, if a `tracing` subscriber wants the profiler's warnings).
/// A test that only counts queries, or a request nobody looks at, pays for
/// recording alone.
///
/// One pointer: a scope's profile is handed up through a few calls when
/// it ends, and its parts, moved at each, cost more than the scope's query.
#[derive(Clone)]
pub struct Profile(ManuallyDrop<Box<ProfileData>>);

/// What a [`Profile`] holds.
#[derive(Debug, Clone)]
struct ProfileData {
    /// The scope's queries, recorded here in place while it ran (see
    /// [`Pending`]).
    rec: Recording,
    started: Tick,
    /// The scope's wall time, in ticks (turned into time when asked).
    elapsed: Ticks,
    fingerprints: OnceLock<Vec<Arc<Fingerprint>>>,
    queries: OnceLock<Vec<RecordedQuery>>,
    findings: OnceLock<Vec<Finding>>,
    /// Known to have no finding when the scope ended (then `findings` is
    /// never filled: even an initialised `OnceLock` costs a synchronised write).
    surely_none: bool,
    /// What the scope's eager loads had left unread when it ended.
    unread: Vec<detect::Unread>,
    config: Arc<ProfilerConfig>,
}

impl ProfileData {
    /// Nothing recorded yet, with room for a scope's usual queries.
    fn empty(config: Arc<ProfilerConfig>) -> Self {
        ProfileData {
            rec: Recording::from_spare(),
            started: Tick::default(),
            elapsed: Ticks::default(),
            fingerprints: OnceLock::new(),
            queries: OnceLock::new(),
            findings: OnceLock::new(),
            surely_none: false,
            unread: Vec::new(),
            config,
        }
    }
}

thread_local! {
    /// The last profile dropped on this thread, emptied, for its next scope.
    static SPARE: Cell<Option<Box<ProfileData>>> = const { Cell::new(None) };
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and `self.0` is not used after.
        let mut data = unsafe { ManuallyDrop::take(&mut self.0) };
        // The box and its buffers serve this thread's next scope, unless
        // they grew past what is worth keeping.
        if data.rec.empty_for_reuse() {
            data.unread.clear();
            data.fingerprints.take();
            data.queries.take();
            data.findings.take();
            let _ = SPARE.try_with(|spare| spare.set(Some(data)));
        }
    }
}

/// A profile while its scope runs: the box the [`Profile`] will be, its
/// recording filled in place, so that ending a scope hands on one pointer
/// rather than moving a recording's parts from call to call. The box is
/// this thread's last dropped profile's when there is one.
pub(crate) struct Pending(Box<ProfileData>);

impl Pending {
    pub(crate) fn new(config: &Arc<ProfilerConfig>) -> Self {
        match SPARE.try_with(Cell::take).ok().flatten() {
            Some(mut data) => {
                if !Arc::ptr_eq(&data.config, config) {
                    data.config = config.clone();
                }
                Pending(data)
            }
            None => Pending(Box::new(ProfileData::empty(config.clone()))),
        }
    }

    /// Where the scope's queries go.
    pub(crate) fn recording(&mut self) -> &mut Recording {
        &mut self.0.rec
    }

    /// The profile of the finished scope: when it started and how long it ran.
    pub(crate) fn finish(self, started: Tick, elapsed: Ticks) -> Profile {
        let mut data = self.0;
        let unread = detect::unread(&data.rec.loaded);
        // Read: the rows they tracked need not live as long as the profile.
        data.rec.loaded.clear();
        // Every query kept: none unseen could make a finding.
        let all_kept = data.rec.seen() == data.rec.entries.len() as u64;
        // A request's usual scope has no finding, and this tells at once.
        data.surely_none =
            all_kept && detect::surely_none(&data.rec.entries, data.rec.statements.list(), &unread, &data.config);
        data.started = started;
        data.elapsed = elapsed;
        data.unread = unread;
        Profile(ManuallyDrop::new(data))
    }
}

impl AsMut<Recording> for Pending {
    fn as_mut(&mut self) -> &mut Recording {
        self.recording()
    }
}

impl Profile {
    /// One fingerprint per distinct SQL text of the scope.
    fn fingerprints(&self) -> &[Arc<Fingerprint>] {
        self.0
            .fingerprints
            .get_or_init(|| self.0.rec.statements.list().iter().map(|s| cached_fingerprint(&s.sql)).collect())
    }

    /// Queries run in the scope (including any past the keep limit).
    pub fn query_count(&self) -> u64 {
        self.0.rec.seen()
    }

    /// The kept queries, in order (built on first call).
    pub fn queries(&self) -> &[RecordedQuery] {
        self.0.queries.get_or_init(|| {
            let fingerprints = self.fingerprints();
            self.0
                .rec
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let extra = e.extra(&self.0.rec.extras);
                    let s = &self.0.rec.statements.list()[e.stmt as usize];
                    RecordedQuery {
                        seq: i + 1,
                        sql: s.sql.clone(),
                        fingerprint: fingerprints[e.stmt as usize].clone(),
                        operation: s.operation,
                        table: s.table,
                        values: extra.and_then(|x| x.values.clone()),
                        values_hash: e.values_hash,
                        start: e.started.duration_since(self.0.started),
                        duration: e.duration(),
                        rows: e.rows,
                        backend: s.backend,
                        error: extra.and_then(|x| x.error.clone()),
                        tx_depth: e.tx_depth,
                        call_site: e.call_site,
                        plan: extra.and_then(|x| x.plan.clone()),
                        relation: s.relation,
                    }
                })
                .collect()
        })
    }

    /// Queries kept (at most `max_queries_kept`), without building them.
    pub(crate) fn kept(&self) -> usize {
        self.0.rec.entries.len()
    }

    /// Total database time.
    pub fn db_time(&self) -> Duration {
        crate::recording::db_time(&self.0.rec.entries, self.0.rec.unkept_ticks())
    }

    /// Wall time of the scope.
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed.duration()
    }

    /// Duplicate, N+1, unused eager load, slow and budget findings (worked
    /// out on first call; what eager loads left unread is as of the scope's end).
    pub fn findings(&self) -> &[Finding] {
        if self.0.surely_none {
            return &[];
        }
        self.0.findings.get_or_init(|| {
            let queries = detect::Queries {
                entries: &self.0.rec.entries,
                statements: self.0.rec.statements.list(),
                extras: &self.0.rec.extras,
                fingerprints: &|| self.fingerprints(),
            };
            detect::run(&queries, &self.0.unread, self.0.rec.seen(), || self.db_time(), &self.0.config)
        })
    }

    /// Findings of one kind.
    pub fn findings_of(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings().iter().filter(move |f| f.kind == kind)
    }

    /// The configuration the scope ran with.
    pub fn config(&self) -> &ProfilerConfig {
        &self.0.config
    }

    /// "11 queries, 3.2 ms, 1 N+1, 0 duplicate, 0 slow" (and ", 1 unused
    /// eager load", ", over budget" when there are).
    pub fn summary(&self) -> String {
        let n = |k| self.findings_of(k).count();
        let unused = match n(FindingKind::UnusedEagerLoad) {
            0 => String::new(),
            1 => ", 1 unused eager load".to_owned(),
            k => format!(", {k} unused eager loads"),
        };
        format!(
            "{} quer{}, {}, {} N+1, {} duplicate, {} slow{unused}{}",
            self.0.rec.seen(),
            if self.0.rec.seen() == 1 { "y" } else { "ies" },
            crate::format::ms(self.db_time()),
            n(FindingKind::NPlusOne),
            n(FindingKind::Duplicate),
            n(FindingKind::Slow),
            if n(FindingKind::Budget) > 0 { ", over budget" } else { "" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(p: &Profile) -> *const ProfileData {
        &**p.0
    }

    /// A scope records into the box its thread's last dropped profile was,
    /// emptied; one held elsewhere is not reused.
    #[test]
    fn a_scope_records_into_the_last_dropped_profile() {
        std::thread::spawn(|| {
            let ((), first) = crate::profile(|| {});
            let first_at = address(&first);
            drop(first);
            let ((), second) = crate::profile(|| {});
            assert_eq!(address(&second), first_at);
            assert_eq!((second.query_count(), second.kept(), second.findings().len()), (0, 0, 0));
            let ((), third) = crate::profile(|| {});
            assert_ne!(address(&third), first_at, "the second is still held");
        })
        .join()
        .unwrap();
    }
}

//! Duplicates: the same fingerprint and values, with no write to the same
//! table in between.
//!
//! Writes split a scope into stretches per table ([`Windows`]); two reads
//! are duplicates when fingerprint, values and stretch agree. A first pass
//! only asks whether any key repeats, in a set of 64-bit hashes: most scopes
//! have no duplicate, and they stop there. Otherwise an exact pass groups
//! the reads by the keys themselves.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap as HashMap, FxHasher};

use super::seen::SeenHashes;
use super::{Finding, FindingKind, Q, Suggestion, View, finding};
use crate::entry::Statement;

pub(super) fn find(view: &View<'_>) -> Vec<Finding> {
    if !any_repeat(view) {
        return Vec::new();
    }
    // Groups in order of their first query.
    // By text, not only fingerprint: SQL with values in its text differs
    // from one value to the next.
    let mut index: HashMap<(u64, u64, u64, (u64, u64)), usize> = HashMap::default();
    let mut groups: Vec<Vec<Q<'_>>> = Vec::new();
    let mut windows = Windows::new(view.statements);
    for run in &view.runs {
        let Some(window) = windows.see(run.stmt, run.s) else { continue };
        let text = super::n_plus_one::text_hash(&run.s.sql);
        for q in run.queries(view.entries) {
            let g = *index.entry((q.fp, text, q.e.values_hash, window)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(q);
        }
    }
    groups
        .iter()
        .filter(|g| g.len() > 1)
        .map(|g| finding(FindingKind::Duplicate, g, Suggestion::reuse(g.len(), g[1].e.call_site)))
        .collect()
}

/// Whether any read's (fingerprint, values, stretch) comes twice, as far as
/// a 64-bit hash of it tells (a collision only costs the exact pass). A
/// run's reads share fingerprint and stretch, hashed once per run.
fn any_repeat(view: &View<'_>) -> bool {
    SeenHashes::with_room_for(view.entries.len(), |seen| any_repeat_in(view, seen))
}

fn any_repeat_in(view: &View<'_>, seen: &mut SeenHashes<'_>) -> bool {
    let mut windows = Windows::new(view.statements);
    for run in &view.runs {
        let Some(window) = windows.see(run.stmt, run.s) else { continue };
        let mut h = FxHasher::default();
        (run.fp, window).hash(&mut h);
        let run_key = h.finish();
        for e in run.entries(view.entries) {
            if !seen.insert(run_key ^ e.values_hash) {
                return true;
            }
        }
    }
    false
}

/// Counts writes, so that a read knows which write-free stretch of its
/// table it is in: a read of table `t` is in the same stretch as an earlier
/// one while no write to `t` and no write to an unknown table came between;
/// a read of an unknown table, while no write came between at all. Only
/// whether a write came between matters, so a run of writes counts once.
struct Windows {
    /// Per statement: the first statement of its table, and (at that
    /// first statement) the writes to the table so far.
    tables: Vec<(Option<usize>, u64)>,
    untabled_writes: u64,
    writes: u64,
}

impl Windows {
    fn new(statements: &[Statement]) -> Self {
        // With no write at all, every read is in stretch (0, 0): no tables.
        let writes = statements.iter().any(|s| s.operation.is_write());
        let tables = statements
            .iter()
            .enumerate()
            .filter(|_| writes)
            .map(|(i, s)| {
                let first = s.table.map(|t| statements[..i].iter().position(|x| x.table == Some(t)).unwrap_or(i));
                (first, 0)
            })
            .collect();
        Windows { tables, untabled_writes: 0, writes: 0 }
    }

    /// Notes a write and gives `None`, or gives a read's stretch.
    #[inline]
    fn see(&mut self, stmt: u32, s: &Statement) -> Option<(u64, u64)> {
        let table = self.tables.get(stmt as usize).and_then(|(first, _)| *first);
        if s.operation.is_write() {
            self.writes += 1;
            match table.and_then(|t| self.tables.get_mut(t)) {
                Some((_, n)) => *n += 1,
                None => self.untabled_writes += 1,
            }
            return None;
        }
        // With no write in the scope every read is in stretch (0, 0).
        Some(match table.and_then(|t| self.tables.get(t)) {
            Some((_, n)) => (*n, self.untabled_writes),
            None => (self.writes, self.writes),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use ormlet_core::Backend;
    use ormlet_core::events::{Operation, Tick};

    use crate::config::ProfilerConfig;
    use crate::detect::{FindingKind, Queries, run};
    use crate::entry::{Entry, Statement};
    use crate::fingerprint::Fingerprint;

    /// A scope from `(statement, values)` steps over four statements: read
    /// and write of `a`, write of `b`, and a write and a read whose table is
    /// unknown (raw SQL).
    fn duplicates(steps: &[(u32, u64)]) -> Vec<Vec<usize>> {
        let statement = |sql: &str, table, operation| Statement {
            sql: Arc::from(sql),
            table,
            relation: None,
            operation,
            backend: Backend::Sqlite,
        };
        let statements = [
            statement("SELECT * FROM a WHERE id = ?", Some("a"), Operation::Select),
            statement("UPDATE a SET x = ?", Some("a"), Operation::Update),
            statement("UPDATE b SET x = ?", Some("b"), Operation::Update),
            statement("DELETE FROM c", None, Operation::Delete),
            statement("SELECT * FROM c WHERE id = ?", None, Operation::Select),
        ];
        let fingerprints: Vec<_> = statements.iter().map(|s| Arc::new(Fingerprint::of(&s.sql))).collect();
        // A call site per step: repeats from one line with other values
        // between them would be a loop's (an N+1 finding), not duplicates.
        #[track_caller]
        fn at() -> &'static std::panic::Location<'static> {
            std::panic::Location::caller()
        }
        let sites = [at(), at(), at(), at(), at(), at(), at(), at()];
        let entries: Vec<Entry> = steps
            .iter()
            .zip(sites.iter().cycle())
            .map(|(&(stmt, values_hash), &site)| Entry {
                stmt,
                tx_depth: 0,
                values_hash,
                started: Tick::now(),
                ended: Tick::now(),
                rows: 0,
                call_site: site,
                extra: crate::entry::NO_EXTRA,
            })
            .collect();
        let queries =
            Queries { entries: &entries, statements: &statements, extras: &[], fingerprints: &|| &fingerprints };
        run(&queries, &[], entries.len() as u64, || Duration::ZERO, &ProfilerConfig::default())
            .into_iter()
            .filter(|f| f.kind == FindingKind::Duplicate)
            .map(|f| f.queries)
            .collect()
    }

    const READ_A: u32 = 0;
    const WRITE_A: u32 = 1;
    const WRITE_B: u32 = 2;
    const WRITE_UNKNOWN: u32 = 3;
    const READ_UNKNOWN: u32 = 4;

    /// The pre-check's set against `HashSet`, on keys that collide in
    /// their top bits, wrap around the table, and include `0` and `1`.
    #[test]
    fn seen_hashes_find_exactly_the_repeats_a_hash_set_finds() {
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        for n in [1usize, 2, 15, 16, 17, 100, 128, 129, 1000] {
            for round in 0..20 {
                super::SeenHashes::with_room_for(n, |seen| {
                    let mut set = std::collections::HashSet::new();
                    for i in 0..n {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // Few distinct values in some rounds, top bits all alike in others.
                        let key = match round % 4 {
                            0 => x,
                            1 => x % 7,
                            2 => (x & 0xFFFF) | (u64::MAX << 48),
                            _ => (i as u64) << 60,
                        };
                        assert_eq!(seen.insert(key), set.insert(key.max(1)), "n {n} round {round} key {key}");
                    }
                });
            }
        }
    }

    #[test]
    fn a_write_to_another_table_keeps_reads_duplicates() {
        assert_eq!(duplicates(&[(READ_A, 1), (WRITE_B, 9), (READ_A, 1)]), [vec![1, 3]]);
    }

    #[test]
    fn a_write_to_the_table_or_an_unknown_one_ends_the_stretch() {
        assert!(duplicates(&[(READ_A, 1), (WRITE_A, 9), (READ_A, 1)]).is_empty());
        assert!(duplicates(&[(READ_A, 1), (WRITE_UNKNOWN, 9), (READ_A, 1)]).is_empty());
    }

    #[test]
    fn a_read_of_an_unknown_table_is_ended_by_any_write() {
        assert_eq!(duplicates(&[(READ_UNKNOWN, 1), (READ_UNKNOWN, 1)]), [vec![1, 2]]);
        assert!(duplicates(&[(READ_UNKNOWN, 1), (WRITE_B, 9), (READ_UNKNOWN, 1)]).is_empty());
    }

    #[test]
    fn each_stretch_is_its_own_finding_and_other_values_are_not_duplicates() {
        let steps = [(READ_A, 1), (READ_A, 1), (READ_A, 2), (READ_A, 1), (WRITE_A, 9), (READ_A, 1), (READ_A, 1)];
        assert_eq!(duplicates(&steps), [vec![1, 2, 4], vec![6, 7]]);
    }
}

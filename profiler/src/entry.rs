//! What a scope keeps of each query while it runs: a compact entry that
//! costs no reference counting and no allocation, and one table of the
//! distinct SQL texts the entries point into.
//!
//! [`RecordedQuery`](crate::RecordedQuery), with its own SQL and
//! fingerprint, is built from these only when a report asks for it.

use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use ormlet_core::Backend;
use ormlet_core::events::{Instant, Operation, QueryEvent, RelationLoad};
use rustc_hash::FxHashMap;

use crate::config::ProfilerConfig;

/// What every execution of one query shape shares: its SQL text, table,
/// relation, kind and backend. Kept once per scope, not once per query.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub sql: Arc<str>,
    pub table: Option<&'static str>,
    pub relation: Option<RelationLoad>,
    pub operation: Operation,
    pub backend: Backend,
}

impl Statement {
    /// See [`is_bookkeeping`].
    pub(crate) fn is_bookkeeping(&self) -> bool {
        is_bookkeeping(self.operation)
    }
}

/// Transaction control and schema statements: recorded, never findings.
pub(crate) fn is_bookkeeping(operation: Operation) -> bool {
    operation.is_transaction_control() || operation == Operation::Schema
}

/// One query of a scope: 56 bytes, so a hundred of them stay in a few
/// cache lines' reach of the database's own working set.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Index of its [`Statement`] in the scope.
    pub stmt: u32,
    pub tx_depth: u32,
    pub values_hash: u64,
    pub started: Instant,
    duration_ns: u64,
    pub rows: u64,
    pub call_site: &'static Location<'static>,
    /// What most queries do not have: an error, a plan, kept values.
    pub extra: Option<Box<Extra>>,
}

/// The rare parts of an [`Entry`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    pub error: Option<String>,
    pub plan: Option<String>,
    /// Rendered and truncated; only with `capture_values`.
    pub values: Option<Vec<String>>,
}

impl Entry {
    /// Keeps what `config` asks of `event`; its statement is `stmt`.
    #[inline]
    pub(crate) fn new(event: &QueryEvent<'_>, stmt: u32, config: &ProfilerConfig) -> Self {
        let extra = if event.error.is_some() || event.plan.is_some() || config.capture_values {
            Some(Box::new(Extra {
                error: event.error.map(str::to_owned),
                plan: event.plan.map(str::to_owned),
                values: config
                    .capture_values
                    .then(|| event.values.iter().map(|v| render_value(v, config.max_value_len)).collect()),
            }))
        } else {
            None
        };
        Entry {
            stmt,
            tx_depth: event.tx_depth,
            values_hash: event.values_hash,
            started: event.started,
            duration_ns: u64::try_from(event.duration.as_nanos()).unwrap_or(u64::MAX),
            rows: event.rows,
            call_site: event.call_site,
            extra,
        }
    }

    pub(crate) fn duration(&self) -> Duration {
        Duration::from_nanos(self.duration_ns)
    }

    pub(crate) fn plan(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.plan.as_deref())
    }
}

/// A value as reports show it, cut at `max` characters.
pub(crate) fn render_value(v: &ormlet_core::Value, max: usize) -> String {
    let s = format!("{v:?}");
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// What makes two executions the same [`Statement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    /// Address of the SQL's `Arc`.
    sql: usize,
    table: Option<&'static str>,
    relation: Option<RelationLoad>,
    operation: Operation,
    backend: Backend,
}

/// The distinct statements of a scope, each kept once.
///
/// Builder SQL is one shared `Arc` per query shape, so a statement is found
/// by the address of its `Arc`: the previous query's first (a loop repeats
/// one), then a map. An address cannot be reused for other text while the
/// `Arc` is held here, which it is for as long as the address is a key.
#[derive(Debug, Default)]
pub(crate) struct Statements {
    list: Vec<Statement>,
    by_key: FxHashMap<Key, u32>,
    last: Option<(Key, u32)>,
}

impl Statements {
    /// The index of `event`'s statement, added if new.
    #[inline]
    pub(crate) fn id(&mut self, event: &QueryEvent<'_>) -> u32 {
        let key = Key {
            sql: event.sql.as_ptr() as usize,
            table: event.table,
            relation: event.relation,
            operation: event.operation,
            backend: event.backend,
        };
        if let Some((k, id)) = self.last
            && k == key
        {
            return id;
        }
        let id = match self.by_key.get(&key) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
                self.list.push(Statement {
                    sql: event.sql.clone(),
                    table: event.table,
                    relation: event.relation,
                    operation: event.operation,
                    backend: event.backend,
                });
                self.by_key.insert(key, id);
                id
            }
        };
        self.last = Some((key, id));
        id
    }

    /// The statements, by index.
    pub(crate) fn into_list(self) -> Vec<Statement> {
        self.list
    }
}

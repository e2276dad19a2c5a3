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
use ormlet_core::events::{Operation, QueryEvent, RelationLoad, Tick, Ticks};

use crate::config::ProfilerConfig;
use crate::keyed::{Keyed, KeyedList};

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

/// One query of a scope: 56 bytes and `Copy` (no drop glue: dropping a
/// scope's entries is freeing one buffer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Index of its [`Statement`] in the scope.
    pub stmt: u32,
    pub tx_depth: u32,
    pub values_hash: u64,
    pub started: Tick,
    pub ended: Tick,
    pub rows: u64,
    pub call_site: &'static Location<'static>,
    /// What most queries do not have (an error, a plan, kept values): an
    /// index into the scope's extras, or [`NO_EXTRA`].
    pub extra: u32,
}

/// An [`Entry`] with nothing extra.
pub(crate) const NO_EXTRA: u32 = u32::MAX;

/// The rare parts of an [`Entry`].
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    pub error: Option<String>,
    pub plan: Option<String>,
    /// Rendered and truncated; only with `capture_values`.
    pub values: Option<Vec<String>>,
}

impl Extra {
    /// Keeps `event`'s rare parts in `extras`; gives their index. Out of
    /// line, so the common path of recording stays small.
    #[cold]
    #[inline(never)]
    pub(crate) fn add(extras: &mut Vec<Extra>, event: &QueryEvent<'_>, config: &ProfilerConfig) -> u32 {
        extras.push(Extra {
            error: event.error.map(str::to_owned),
            plan: event.plan.map(str::to_owned),
            values: config
                .capture_values
                .then(|| event.values.iter().map(|v| render_value(v, config.max_value_len)).collect()),
        });
        u32::try_from(extras.len() - 1).unwrap_or(NO_EXTRA)
    }
}

impl Entry {
    /// Whether `event` has parts kept in an [`Extra`].
    #[inline(always)]
    pub(crate) fn has_extra(event: &QueryEvent<'_>, config: &ProfilerConfig) -> bool {
        event.error.is_some() || event.plan.is_some() || config.capture_values
    }

    /// The entry of `event`, whose statement is `stmt` and extra parts
    /// `extra` (or [`NO_EXTRA`]).
    #[inline(always)]
    pub(crate) fn new(event: &QueryEvent<'_>, stmt: u32, extra: u32) -> Self {
        Entry {
            stmt,
            tx_depth: event.tx_depth,
            values_hash: event.values_hash,
            started: event.started,
            ended: event.ended,
            rows: event.rows,
            call_site: event.call_site,
            extra,
        }
    }

    pub(crate) fn duration(&self) -> Duration {
        self.ended.duration_since(self.started)
    }

    /// Its time in the clock's raw ticks, for sums converted once.
    #[inline]
    pub(crate) fn ticks(&self) -> Ticks {
        self.ended.ticks_since(self.started)
    }

    /// Its extra parts, if it has any, from its scope's `extras`.
    pub(crate) fn extra<'x>(&self, extras: &'x [Extra]) -> Option<&'x Extra> {
        extras.get(self.extra as usize)
    }
}

/// A value as reports show it, cut at `max` characters.
pub(crate) fn render_value(v: &ormlet_core::Value, max: usize) -> String {
    use ormlet_core::Value as V;
    fn or_null<T>(v: &Option<T>, f: impl FnOnce(&T) -> String) -> String {
        v.as_ref().map_or_else(|| "NULL".to_owned(), f)
    }
    // As SQL would write them: numbers bare, text quoted, NULL; other
    // types (dates, JSON, UUIDs) as their debug form.
    let s = match v {
        V::Bool(b) => or_null(b, ToString::to_string),
        V::TinyInt(i) => or_null(i, ToString::to_string),
        V::SmallInt(i) => or_null(i, ToString::to_string),
        V::Int(i) => or_null(i, ToString::to_string),
        V::BigInt(i) => or_null(i, ToString::to_string),
        V::TinyUnsigned(i) => or_null(i, ToString::to_string),
        V::SmallUnsigned(i) => or_null(i, ToString::to_string),
        V::Unsigned(i) => or_null(i, ToString::to_string),
        V::BigUnsigned(i) => or_null(i, ToString::to_string),
        V::Float(f) => or_null(f, ToString::to_string),
        V::Double(f) => or_null(f, ToString::to_string),
        V::String(t) => or_null(t, |t| format!("'{}'", t.replace('\'', "''"))),
        V::Char(c) => or_null(c, |c| format!("'{c}'")),
        V::Bytes(b) => or_null(b, |b| format!("<{} bytes>", b.len())),
        other => format!("{other:?}"),
    };
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// What makes two executions the same [`Statement`]. The table and the
/// kind follow from the text, which one `Arc` address holds while it is a
/// key; the relation does not (a lazy and an eager load may share their
/// SQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    /// Address of the SQL's `Arc`.
    sql: usize,
    relation: Option<RelationLoad>,
    backend: Backend,
}

impl Key {
    fn of(event: &QueryEvent<'_>) -> Self {
        Key { sql: event.sql.as_ptr() as usize, relation: event.relation.copied(), backend: event.backend }
    }
}

impl Keyed for Statement {
    type Key = Key;

    fn key(&self) -> Key {
        Key { sql: self.sql.as_ptr() as usize, relation: self.relation, backend: self.backend }
    }
}

/// The distinct statements of a scope, each kept once.
///
/// Builder SQL is one shared `Arc` per query shape, so a statement is found
/// by the address of its `Arc`: the previous query's first (a loop repeats
/// one), then the others. An address cannot be reused for other text while the
/// `Arc` is held here, which it is for as long as the address is a key.
#[derive(Debug, Default, Clone)]
pub(crate) struct Statements {
    list: KeyedList<Statement>,
    /// The previous query's statement: its SQL's address and index.
    last: Option<(usize, u32)>,
}

impl Statements {
    /// The index of `event`'s statement if it is the previous query's, by
    /// addresses: what a loop repeating one query gives, with no string
    /// comparison. (`None` only means "look it up".)
    #[inline(always)]
    pub(crate) fn same_as_last(&self, event: &QueryEvent<'_>) -> Option<u32> {
        let (sql, id) = self.last?;
        let s = self.list.items().get(id as usize)?;
        let relation_eq = match (&s.relation, event.relation) {
            (Some(a), Some(b)) => {
                std::ptr::eq(a.relation, b.relation)
                    && std::ptr::eq(a.parent_table, b.parent_table)
                    && a.eager == b.eager
            }
            (a, b) => a.is_none() && b.is_none(),
        };
        (sql == event.sql.as_ptr() as usize && s.backend == event.backend && relation_eq).then_some(id)
    }

    /// The index of `event`'s statement, added if new.
    pub(crate) fn id(&mut self, event: &QueryEvent<'_>) -> u32 {
        if let Some(id) = self.same_as_last(event) {
            return id;
        }
        let key = Key::of(event);
        let id = self.find_or_add(key, || Statement {
            sql: event.sql.clone(),
            table: event.table,
            relation: event.relation.copied(),
            operation: event.operation,
            backend: event.backend,
        });
        self.last = Some((key.sql, id));
        id
    }

    /// The index of a statement of another scope's table, added if new.
    pub(crate) fn intern(&mut self, s: &Statement) -> u32 {
        self.find_or_add(s.key(), || s.clone())
    }

    fn find_or_add(&mut self, key: Key, statement: impl FnOnce() -> Statement) -> u32 {
        // (Recording stops at `u32::MAX` entries, so at as many statements.)
        u32::try_from(self.list.find_or_add(key, statement)).unwrap_or(u32::MAX)
    }

    /// None yet, with room in `list`'s buffer (emptied).
    pub(crate) fn with_list(mut list: Vec<Statement>) -> Self {
        list.clear();
        Statements { list: KeyedList::from_items(list), last: None }
    }

    /// The statements, by index.
    pub(crate) fn list(&self) -> &[Statement] {
        self.list.items()
    }

    /// How many statements its buffer has room for.
    pub(crate) fn capacity(&self) -> usize {
        self.list.capacity()
    }

    /// None, with the buffer kept.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.last = None;
    }

    /// The statements, by index.
    pub(crate) fn into_list(self) -> Vec<Statement> {
        self.list.into_items()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyed::SCANNED;

    fn statement(sql: &Arc<str>, relation: Option<RelationLoad>) -> Statement {
        Statement {
            sql: sql.clone(),
            table: Some("a"),
            relation,
            operation: Operation::Select,
            backend: Backend::Sqlite,
        }
    }

    /// Past the scanned few, statements are found by the map: each keeps
    /// its first index, whether it was added before or after the map.
    #[test]
    fn statements_keep_their_index_past_the_scanned_few() {
        let sqls: Vec<Arc<str>> = (0..3 * SCANNED).map(|i| Arc::from(format!("SELECT {i}"))).collect();
        let mut statements = Statements::default();
        for (i, sql) in (0u32..).zip(&sqls) {
            assert_eq!(statements.intern(&statement(sql, None)), i);
        }
        for (i, sql) in sqls.iter().enumerate().rev() {
            assert_eq!(statements.intern(&statement(sql, None)) as usize, i);
        }
        // The same SQL loading a relation is another statement.
        let load = RelationLoad { relation: "Post::AUTHOR", parent_table: "posts", eager: false };
        assert_eq!(statements.intern(&statement(&sqls[0], Some(load))), 3 * SCANNED as u32);
        assert_eq!(statements.into_list().len(), 3 * SCANNED + 1);
    }
}

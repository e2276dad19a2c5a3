//! One [`QueryEvent`] per execution, handed to whoever subscribed.
//!
//! The profiler installs a [`QueryHook`] once; for each query the executor
//! asks it for the current scope's [`QuerySink`] *on the calling thread or
//! task* (so a query the async face runs elsewhere still lands in the scope
//! that issued it), and only then starts a clock and keeps the values.
//! A scope also [lends](lend_sink) a sink to its thread while its code runs
//! there (a synchronous scope for its whole call, an async one for each
//! poll), which executors read first: a query where nothing is lent asks
//! the hook only while a hook counts a scope it may hand out as open
//! ([`ScopeOpen`]), so outside every scope a query costs a thread-local
//! read and, with nothing lent, one atomic load.

mod hook;
mod lend;
mod reads;

use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

pub use crate::clock::{Instant, Tick, Ticks, now};

use sea_query::Value;

use crate::backend::Backend;

/// What kind of statement ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// SELECT
    Select,
    /// INSERT (also upserts)
    Insert,
    /// UPDATE
    Update,
    /// DELETE
    Delete,
    /// BEGIN
    Begin,
    /// COMMIT
    Commit,
    /// ROLLBACK (also ROLLBACK TO a savepoint)
    Rollback,
    /// SAVEPOINT
    Savepoint,
    /// RELEASE of a savepoint
    Release,
    /// CREATE / ALTER / DROP and other schema statements
    Schema,
    /// Anything else (PRAGMA, raw SQL not recognised)
    Other,
}

impl Operation {
    /// Classifies raw SQL by its first keyword.
    pub fn of_sql(sql: &str) -> Operation {
        let word: String =
            sql.trim_start().chars().take_while(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase()).collect();
        match word.as_str() {
            "SELECT" | "WITH" | "VALUES" => Operation::Select,
            "INSERT" | "REPLACE" => Operation::Insert,
            "UPDATE" => Operation::Update,
            "DELETE" => Operation::Delete,
            "BEGIN" | "START" => Operation::Begin,
            "COMMIT" | "END" => Operation::Commit,
            "ROLLBACK" => Operation::Rollback,
            "SAVEPOINT" => Operation::Savepoint,
            "RELEASE" => Operation::Release,
            "CREATE" | "ALTER" | "DROP" => Operation::Schema,
            _ => Operation::Other,
        }
    }

    /// The statement's keyword, as OpenTelemetry's `db.operation.name` wants it.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Select => "SELECT",
            Operation::Insert => "INSERT",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Begin => "BEGIN",
            Operation::Commit => "COMMIT",
            Operation::Rollback => "ROLLBACK",
            Operation::Savepoint => "SAVEPOINT",
            Operation::Release => "RELEASE",
            Operation::Schema => "DDL",
            Operation::Other => "OTHER",
        }
    }

    /// Transaction control (excluded from the profiler's findings).
    pub fn is_transaction_control(self) -> bool {
        matches!(
            self,
            Operation::Begin | Operation::Commit | Operation::Rollback | Operation::Savepoint | Operation::Release
        )
    }

    /// A statement that changes rows.
    pub fn is_write(self) -> bool {
        matches!(self, Operation::Insert | Operation::Update | Operation::Delete)
    }
}

/// A query that loads a relation (`post.author(&db)`, or a batch of
/// `.with(Post::AUTHOR)`), so the profiler can name the fix for an N+1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelationLoad {
    /// The relation as application code names it: `"Post::AUTHOR"`.
    pub relation: &'static str,
    /// The table of the models the relation was loaded for (`"posts"`).
    pub parent_table: &'static str,
    /// Part of an eager load (`.with(...)`, one query per chunk of keys)
    /// rather than a lazy load for one parent.
    pub eager: bool,
}

/// One execution of one statement, lent to the sink for the length of
/// [`QuerySink::record`]: the sink copies what it keeps, so a query in a
/// scope costs no reference counting and no allocation on the way.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct QueryEvent<'a> {
    /// The SQL as sent, with placeholders (shared: builder SQL is one
    /// `Arc` per query shape, so a sink can tell repeats by address).
    pub sql: &'a Arc<str>,
    /// The bound values, in placeholder order; empty unless the sink
    /// [wants them](QuerySink::wants_values).
    pub values: &'a [Value],
    /// A hash of the bound values, always present: equal values give equal
    /// hashes, which is what tells a duplicate from an N+1.
    pub values_hash: u64,
    /// The statement kind.
    pub operation: Operation,
    /// The main table, when known.
    pub table: Option<&'static str>,
    /// The backend that ran it.
    pub backend: Backend,
    /// When execution started.
    pub started: Tick,
    /// When it ended, the rows read.
    pub ended: Tick,
    /// Rows returned (reads) or affected (writes).
    pub rows: u64,
    /// The error message, if it failed.
    pub error: Option<&'a str>,
    /// Where in the application the query was issued.
    pub call_site: &'static Location<'static>,
    /// Transaction nesting depth when it ran (0 outside a transaction).
    pub tx_depth: u32,
    /// The backend's query plan, when the sink asked for plans of queries
    /// this slow ([`QuerySink::explain_slower_than`]); reads only.
    pub plan: Option<&'a str>,
    /// Set when the query loads a relation.
    pub relation: Option<&'a RelationLoad>,
}

impl QueryEvent<'_> {
    /// How long it took, including reading the rows.
    pub fn duration(&self) -> Duration {
        self.ended.duration_since(self.started)
    }
}

/// Receives the events of one profiling scope.
///
/// A sink the [hook](QueryHook) hands out is shared between threads
/// ([`SharedSink`]); one [lent](lend_sink) to a thread need not be, so it
/// can keep what it records without a lock.
pub trait QuerySink {
    /// Called once per execution, after it finished.
    fn record(&self, event: &QueryEvent<'_>);

    /// Whether events should carry the bound values (copying them costs;
    /// the hash is always there).
    fn wants_values(&self) -> bool {
        true
    }

    /// Reads at least this slow get the backend's plan attached (`EXPLAIN`,
    /// never `EXPLAIN ANALYZE`, never for writes). `None`: no plans.
    fn explain_slower_than(&self) -> Option<std::time::Duration> {
        None
    }

    /// Called when an eager load hands rows to the application (after its
    /// queries were recorded), with what they hold: a sink that keeps it
    /// can tell, when its scope ends, which relations were never read.
    fn eager_loaded(&self, relations: &Arc<LoadedRelations>) {
        let _ = relations;
    }
}

/// A sink the hook hands out: queries on any thread or task may reach it.
pub type SharedSink = Arc<dyn QuerySink + Send + Sync>;

pub use hook::{QueryHook, ScopeOpen, clear_hook, has_hook, set_hook};
pub(crate) use lend::{Recipient, Wants, with_hook_sink, with_recipient};
pub use lend::{current_sink, lend_sink, with_current_sink};
pub use reads::{EagerRelation, LoadedRelations};

//! One SQLite connection: runs statements, binds, decodes, emits events.

use std::cell::Cell;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use rusqlite::types::ValueRef;

use super::bind::{Recorded, SqliteBinder};
use super::error::from_sqlite;
use super::pace;
use super::statements::Handle;
use crate::backend::Backend;
use crate::clock::Ticker;
use crate::connection::{Bind, Connection, Stmt};
use crate::dialect::{Dialect, Sqlite};
use crate::error::{Error, Result};
use crate::events::{self, Operation, QueryEvent, Recipient, Wants};
use crate::row::{FromRow, RowReader};
use crate::transaction::TxOptions;
use crate::types::FieldType;

/// A SQLite connection owned by a [`Db`](super::Db). Jobs run on it.
pub struct Conn {
    handle: Handle,
    depth: Cell<u32>,
    /// Foreign keys were turned off for the open transaction, and are turned
    /// back on when it ends.
    foreign_keys_off: Cell<bool>,
    /// How the next transaction begins (from `prepare_begin`).
    next_begin: Cell<Option<TxOptions>>,
    /// The open transaction is read-only: `query_only` goes off when it ends.
    query_only: Cell<bool>,
    max_params: usize,
    /// Statements that took longer on their last run leave the async
    /// worker on their next (see [`pace`](super::pace)).
    offload_slower_than: std::time::Duration,
}

impl Conn {
    pub(crate) fn new(raw: rusqlite::Connection, offload_slower_than: std::time::Duration) -> Self {
        let max_params =
            usize::try_from(raw.limit(rusqlite::limits::Limit::SQLITE_LIMIT_VARIABLE_NUMBER).unwrap_or(999))
                .unwrap_or(999)
                .max(1);
        Conn {
            handle: Handle::open(raw),
            depth: Cell::new(0),
            foreign_keys_off: Cell::new(false),
            next_begin: Cell::new(None),
            query_only: Cell::new(false),
            max_params,
            offload_slower_than,
        }
    }

    /// The rusqlite connection, for what ormlet does not cover. Queries run
    /// on it directly are not profiled.
    pub fn rusqlite(&self) -> &rusqlite::Connection {
        self.handle.conn()
    }

    pub(crate) fn depth(&self) -> u32 {
        self.depth.get()
    }

    pub(crate) fn set_depth(&self, depth: u32) {
        self.depth.set(depth);
    }

    /// Marks foreign keys as turned off until the transaction ends.
    pub(crate) fn foreign_keys_off_until_end(&self) {
        self.foreign_keys_off.set(true);
    }

    /// Whether foreign keys were turned off for the transaction that ended.
    pub(crate) fn take_foreign_keys_off(&self) -> bool {
        self.foreign_keys_off.replace(false)
    }

    /// The options of the transaction about to begin, taken.
    pub(crate) fn take_next_begin(&self) -> Option<TxOptions> {
        self.next_begin.take()
    }

    /// Marks the open transaction read-only, until it ends.
    pub(crate) fn query_only_until_end(&self) {
        self.query_only.set(true);
    }

    /// Whether the transaction that ended was read-only.
    pub(crate) fn take_query_only(&self) -> bool {
        self.query_only.replace(false)
    }

    /// A boolean pragma's value (`foreign_keys`), read without profiling.
    pub(crate) fn pragma_flag(&self, name: &str) -> Result<bool> {
        let sql = format!("PRAGMA {name}");
        self.handle.conn().query_row(&sql, [], |r| r.get::<_, i64>(0)).map(|v| v != 0).map_err(|e| from_sqlite(e, &sql))
    }

    pub(crate) fn last_insert_rowid(&self) -> i64 {
        self.handle.conn().last_insert_rowid()
    }

    /// Runs a statement: prepare (cached), bind, `exec`, then report the event
    /// to the current profiling scope, if any.
    pub(crate) fn run<T>(
        &self,
        s: Stmt<'_>,
        bind: impl FnOnce(&mut SqliteBinder<'_, '_>) -> Result<()>,
        exec: impl FnOnce(&mut rusqlite::Statement<'_>, &str) -> Result<(T, u64)>,
    ) -> Result<T> {
        if tracing::dispatcher::has_been_set() {
            return self.run_traced(s, bind, exec);
        }
        let select = s.operation == Operation::Select;
        self.observe(&s, |record| self.run_inner(s.sql, select, record, bind, exec))
    }

    /// [`run`](Self::run) inside the query's `tracing` span, out of line:
    /// without a dispatcher there is no span, and a query's path is shorter
    /// without the code that would make and enter one.
    #[inline(never)]
    fn run_traced<T>(
        &self,
        s: Stmt<'_>,
        bind: impl FnOnce(&mut SqliteBinder<'_, '_>) -> Result<()>,
        exec: impl FnOnce(&mut rusqlite::Statement<'_>, &str) -> Result<(T, u64)>,
    ) -> Result<T> {
        let span = crate::trace::span_of(Backend::Sqlite, &s);
        let _entered = span.enter();
        let select = s.operation == Operation::Select;
        self.observe(&s, |record| self.run_inner(s.sql, select, record, bind, exec))
    }

    /// Runs `exec` and, inside a profiling scope, times it and reports one
    /// event; outside any scope `exec` runs with nothing recorded.
    ///
    /// A sink lent to this thread is read once and held for the query:
    /// nothing the query runs can lend another, as it runs to completion
    /// here. A hook's sink is asked for twice, for what it wants and to
    /// record, so the query stays out of the hook's `dyn` callback.
    #[inline]
    fn observe<T>(&self, s: &Stmt<'_>, exec: impl FnOnce(Option<&mut Recorded>) -> Result<(T, u64)>) -> Result<T> {
        events::with_recipient(|to| match to {
            Recipient::Nobody => exec(None).map(|(t, _)| t),
            to => self.observed(s, to, exec),
        })
    }

    /// [`observe`](Self::observe) with somebody to tell, out of line: the
    /// timing and the event stay off the path of an unprofiled query.
    #[inline(never)]
    fn observed<T>(
        &self,
        s: &Stmt<'_>,
        to: Recipient<'_>,
        exec: impl FnOnce(Option<&mut Recorded>) -> Result<(T, u64)>,
    ) -> Result<T> {
        match to {
            Recipient::Nobody => exec(None).map(|(t, _)| t),
            Recipient::Lent(lent) => self.timed(s, lent.wants, exec, |event| lent.sink.record(event)),
            Recipient::Hook(hook) => match events::with_hook_sink(hook, |sink| sink.map(Wants::of)) {
                None => exec(None).map(|(t, _)| t),
                Some(wants) => self.timed(s, wants, exec, |event| {
                    events::with_hook_sink(hook, |sink| {
                        if let Some(sink) = sink {
                            sink.record(event);
                        }
                    });
                }),
            },
        }
    }

    /// Runs `exec` timed, with what `wants` asks kept, and hands the event
    /// to `record`.
    #[inline]
    fn timed<T>(
        &self,
        s: &Stmt<'_>,
        wants: Wants,
        exec: impl FnOnce(Option<&mut Recorded>) -> Result<(T, u64)>,
        record: impl FnOnce(&QueryEvent<'_>),
    ) -> Result<T> {
        let clock = Ticker::get();
        let started = clock.now();
        let mut recorded = Recorded { values: wants.values.then(Vec::new), ..Recorded::default() };
        let result = exec(Some(&mut recorded));
        let ended = clock.now();
        let mut event = QueryEvent {
            sql: s.sql,
            values: recorded.values.as_deref().unwrap_or_default(),
            values_hash: std::hash::Hasher::finish(&recorded.hasher),
            operation: s.operation,
            table: s.table,
            backend: Backend::Sqlite,
            started,
            ended,
            rows: 0,
            error: None,
            call_site: s.loc,
            tx_depth: self.depth.get(),
            plan: None,
            relation: s.relation.as_ref(),
        };
        match &result {
            Ok((_, rows)) if wants.explain_slower_than.is_none() => {
                event.rows = *rows;
                record(&event);
            }
            _ => self.record_rare(event, &result, wants, record),
        }
        result.map(|(t, _)| t)
    }

    /// The event of a query that failed, or whose plan may be wanted: out
    /// of line, so the common event carries no text to drop.
    #[cold]
    #[inline(never)]
    fn record_rare<T>(
        &self,
        event: QueryEvent<'_>,
        result: &Result<(T, u64)>,
        wants: Wants,
        record: impl FnOnce(&QueryEvent<'_>),
    ) {
        let (rows, error) = match result {
            Ok((_, n)) => (*n, None),
            Err(e) => (0, Some(e.report(wants.values))),
        };
        let plan = match wants.explain_slower_than {
            Some(t) if event.duration() >= t && event.operation == Operation::Select && error.is_none() => {
                self.plan(event.sql)
            }
            _ => None,
        };
        record(&QueryEvent { rows, error: error.as_deref(), plan: plan.as_deref(), ..event });
    }

    /// `EXPLAIN QUERY PLAN` of a read, as an indented tree of its steps.
    /// Parameters stay unbound: SQLite plans do not depend on them.
    fn plan(&self, sql: &str) -> Option<String> {
        let mut stmt = self.handle.conn().prepare(&format!("{}{sql}", Sqlite.explain())).ok()?;
        let mut depth: Vec<(i64, usize)> = Vec::new();
        let mut out = String::new();
        let mut rows = stmt.raw_query();
        while let Ok(Some(row)) = rows.next() {
            let (id, parent, detail): (i64, i64, String) = (row.get(0).ok()?, row.get(1).ok()?, row.get(3).ok()?);
            let level = depth.iter().find(|(i, _)| *i == parent).map_or(0, |(_, l)| l + 1);
            depth.push((id, level));
            out.push_str(&format!("{}{detail}\n", "  ".repeat(level)));
        }
        (!out.is_empty()).then_some(out)
    }

    /// Binds and runs a statement (a `select` by the builder's or raw SQL's
    /// own account, which SQLite is asked to confirm before it may be paced
    /// as a read).
    fn run_inner<T>(
        &self,
        sql: &Arc<str>,
        select: bool,
        record: Option<&mut Recorded>,
        bind: impl FnOnce(&mut SqliteBinder<'_, '_>) -> Result<()>,
        exec: impl FnOnce(&mut rusqlite::Statement<'_>, &str) -> Result<(T, u64)>,
    ) -> Result<(T, u64)> {
        self.handle
            .with_statement(sql, |stmt, pace| {
                let step = |stmt: &mut rusqlite::Statement<'_>| {
                    bind(&mut SqliteBinder::new(stmt, record))?;
                    exec(stmt, sql)
                };
                if !pace::paced_here() {
                    return step(stmt);
                }
                let read = select && stmt.readonly();
                pace.run(self.offload_slower_than, read, || step(stmt))
            })
            .map_err(|e| from_sqlite(e, sql))?
    }

    /// Runs a query and hands each decoded row to `each`, until it returns
    /// `false` (single-row reads stop without stepping SQLite again).
    pub(crate) fn fetch<R: FromRow>(
        &self,
        s: Stmt<'_>,
        bind: impl FnOnce(&mut SqliteBinder<'_, '_>) -> Result<()>,
        mut each: impl FnMut(R) -> bool,
    ) -> Result<()> {
        self.run(s, bind, |stmt, sql| {
            let mut rows = stmt.raw_query();
            let mut n = 0u64;
            while let Some(row) = rows.next().map_err(|e| from_sqlite(e, sql))? {
                n += 1;
                if !each(R::from_row(&mut SqliteRow { row, next: 0 })?) {
                    break;
                }
            }
            Ok(((), n))
        })
    }

    /// Runs a statement that returns no rows; gives the number of rows changed.
    pub(crate) fn execute(
        &self,
        s: Stmt<'_>,
        bind: impl FnOnce(&mut SqliteBinder<'_, '_>) -> Result<()>,
    ) -> Result<u64> {
        self.run(s, bind, |stmt, sql| {
            let n = stmt.raw_execute().map_err(|e| from_sqlite(e, sql))? as u64;
            Ok((n, n))
        })
    }

    /// Runs a transaction-control or schema statement without values.
    pub(crate) fn control(&self, sql: &Arc<str>, operation: Operation, loc: &'static Location<'static>) -> Result<()> {
        let s = Stmt { sql, operation, table: None, loc, relation: None };
        self.run(
            s,
            |_| Ok(()),
            |stmt, sql| {
                stmt.raw_execute().map_err(|e| from_sqlite(e, sql))?;
                Ok(((), 0))
            },
        )
    }

    /// Runs possibly several statements without values (schema scripts).
    pub(crate) fn batch(&self, sql: &Arc<str>, loc: &'static Location<'static>) -> Result<()> {
        self.batch_as(sql, Operation::of_sql(sql), loc)
    }

    /// A setting a transaction of ormlet's turns on or off around itself
    /// (foreign keys, read-only): recorded as schema bookkeeping, so a loop
    /// of such transactions is not a duplicate finding.
    pub(crate) fn transaction_setting(&self, sql: &'static str, loc: &'static Location<'static>) -> Result<()> {
        self.batch_as(&Arc::from(sql), Operation::Schema, loc)
    }

    fn batch_as(&self, sql: &Arc<str>, operation: Operation, loc: &'static Location<'static>) -> Result<()> {
        let s = Stmt { sql, operation, table: None, loc, relation: None };
        self.observe(&s, |_| self.handle.conn().execute_batch(sql).map(|()| ((), 0)).map_err(|e| from_sqlite(e, sql)))
    }
}

/// Every step completes before the future is first polled: SQLite jobs
/// never wait, and their executors poll them once.
impl Connection for Conn {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn max_params(&self) -> usize {
        self.max_params
    }

    fn fetch<'s, R, B, F>(
        &'s mut self,
        s: Stmt<'s>,
        bind: &'s B,
        each: F,
    ) -> impl Future<Output = Result<()>> + Send + 's
    where
        R: FromRow + Send,
        B: Bind + ?Sized,
        F: FnMut(R) -> bool + Send + 's,
    {
        std::future::ready(Conn::fetch(self, s, |b| bind.bind_to(b), each))
    }

    fn execute<'s, B: Bind + ?Sized>(
        &'s mut self,
        s: Stmt<'s>,
        bind: &'s B,
    ) -> impl Future<Output = Result<u64>> + Send + 's {
        std::future::ready(Conn::execute(self, s, |b| bind.bind_to(b)))
    }

    fn last_insert_id(&self) -> i64 {
        self.last_insert_rowid()
    }

    fn prepare_begin(&mut self, options: TxOptions) {
        self.next_begin.set(Some(options));
    }

    fn depth(&self) -> u32 {
        self.depth.get()
    }

    fn start_rollback(&mut self, loc: &'static Location<'static>) {
        // SQLite rolls back at once; nothing to report to from a drop.
        let _ = self.rollback_tx(loc);
    }

    fn begin(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        std::future::ready(self.begin_tx(loc))
    }

    fn commit(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        std::future::ready(self.commit_tx(loc))
    }

    fn rollback(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        std::future::ready(self.rollback_tx(loc))
    }

    fn batch<'s>(
        &'s mut self,
        sql: &'s Arc<str>,
        loc: &'static Location<'static>,
    ) -> impl Future<Output = Result<()>> + Send + 's {
        std::future::ready(Conn::batch(self, sql, loc))
    }
}

/// Reads a rusqlite row by column index.
pub(crate) struct SqliteRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    next: usize,
}

fn column_label(column: &'static str, index: usize) -> String {
    if column.is_empty() { format!("#{index}") } else { column.to_owned() }
}

/// A read past the row's last column. Errors are built out of line, so a
/// row's decoding is only the reads.
#[cold]
#[inline(never)]
fn missing_column(model: &'static str, column: &'static str, index: usize, expected: &'static str) -> Error {
    Error::Decode {
        model,
        column: column_label(column, index),
        expected,
        found: "no such column: the query returned fewer columns".to_owned(),
    }
}

/// A value the field's type cannot hold.
#[cold]
#[inline(never)]
fn undecodable(model: &'static str, column: &'static str, index: usize, f: crate::types::DecodeFail) -> Error {
    Error::Decode { model, column: column_label(column, index), expected: f.expected, found: f.found }
}

impl RowReader for SqliteRow<'_, '_> {
    #[inline]
    fn read<T: FieldType>(&mut self, model: &'static str, column: &'static str) -> Result<T> {
        let i = self.next;
        self.next += 1;
        let value = self.row.get_ref(i).map_err(|_| missing_column(model, column, i, T::RUST_NAME))?;
        T::from_sqlite(value).map_err(|f| undecodable(model, column, i, f))
    }

    #[cfg(feature = "json")]
    fn read_json<T: serde::de::DeserializeOwned>(&mut self, model: &'static str, column: &'static str) -> Result<T> {
        let i = self.next;
        self.next += 1;
        let value = self.row.get_ref(i).map_err(|_| missing_column(model, column, i, "JSON"))?;
        crate::types::decode_json(value, "JSON").map_err(|f| undecodable(model, column, i, f))
    }

    fn is_null(&self, offset: usize) -> bool {
        matches!(self.row.get_ref(self.next + offset), Ok(ValueRef::Null))
    }

    fn skip(&mut self, n: usize) {
        self.next += n;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rusqlite::StatementStatus;

    use crate::doc_models::User;
    use crate::sqlite::DbOptions;
    use crate::{Backend, ModelExt};

    /// How often SQLite prepared the statement of `User::find().limit(..)`
    /// again, after three runs with three different limits.
    fn times_prepared_again(stable_query_plans: bool) -> i32 {
        let db = DbOptions::new("sqlite::memory:")
            .expect("url")
            .stable_query_plans(stable_query_plans)
            .open()
            .expect("open");
        db.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL, age INTEGER)",
        )
        .expect("schema");
        for n in 1..=3 {
            User::find().limit(n).all(&db).expect("query");
        }
        let sql: Arc<str> = User::find().limit(1).to_sql(Backend::Sqlite).0.into();
        assert!(sql.ends_with("LIMIT ?"), "the limit is bound: {sql}");
        db.with_conn(|conn| conn.handle.with_statement(&sql, |s, _| s.get_status(StatementStatus::RePrepare)))
            .expect("connection")
            .expect("statement")
    }

    #[test]
    fn a_bound_limit_is_planned_once_not_at_every_run() {
        assert_eq!(times_prepared_again(true), 0);
        // What the default avoids: SQLite plans a bound LIMIT from its value,
        // so each new binding throws the prepared statement away.
        assert!(times_prepared_again(false) >= 2);
    }
}

//! One pooled server connection as jobs see it: bind, run, decode, record.

use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::time::Instant;

use crate::transaction::TxOptions;
use crate::types::DecodeFail;
use crate::types::value::ValueRef;
use futures_util::TryStreamExt;
use sea_query::Value;
use sqlx::ValueRef as _;
use sqlx::pool::PoolConnection;
use sqlx_core::transaction::TransactionManager;

use super::lender::{Lender, Lent};
use super::{Driver, error};
use crate::backend::Backend;
use crate::connection::{Bind, Connection, Stmt};
use crate::error::{Error, Result};
use crate::events::{self, Operation, QueryEvent, SharedSink, Tick, Wants};
use crate::model::Binder;
use crate::row::{FromRow, RowReader};
use crate::trace;
use crate::transaction::OwnedConnection;
use crate::types::FieldType;
use tracing::Instrument;

/// A pooled server connection, held for one job or a whole transaction.
#[doc(hidden)]
pub struct ServerConn<D: Driver> {
    /// `None` only after a lost connection could not be replaced.
    conn: Option<PoolConnection<D>>,
    /// When `conn` was taken from sqlx's pool.
    taken: Instant,
    /// Where the connection goes back to.
    home: Arc<Lender<D>>,
    /// This loan has run nothing yet: a connection the server ended while
    /// it sat idle fails its first statement, which is then run again on a
    /// new connection (see [`ServerConn::retries`]).
    fresh: bool,
    /// A statement started and has not finished (its future was dropped
    /// mid-way): the connection may hold the rest of its reply.
    busy: bool,
    last_id: i64,
    /// The server's URL without its password, for errors.
    url: Arc<str>,
    /// How the next transaction begins (from `prepare_begin`).
    next_begin: Option<TxOptions>,
}

impl<D: Driver> ServerConn<D> {
    pub(crate) fn new(lent: Lent<D>, home: Arc<Lender<D>>, url: Arc<str>) -> Self {
        ServerConn {
            conn: Some(lent.conn),
            taken: lent.taken,
            home,
            fresh: true,
            busy: false,
            last_id: 0,
            url,
            next_begin: None,
        }
    }

    /// Marks a statement started: the loan is no longer fresh, and the
    /// connection is not clean until [`ServerConn::finished`].
    fn started(&mut self) -> bool {
        self.busy = true;
        std::mem::replace(&mut self.fresh, false)
    }

    fn finished(&mut self) {
        self.busy = false;
    }

    /// The live connection, or the error saying it was lost for good.
    fn live(&mut self) -> Result<&mut D::Connection> {
        match &mut self.conn {
            Some(conn) => Ok(&mut **conn),
            None => Err(Error::Connection {
                url: super::url::redact(&self.url),
                message: "the connection was lost and no new one could be opened".to_owned(),
            }),
        }
    }

    /// Whether `e`, failing the first statement of a loan (`fresh`) outside
    /// a transaction, says the server had ended the connection before the
    /// statement could run: a read or a BEGIN on any lost connection, a
    /// write only on the server's own word that it ended the session (an
    /// I/O error after a write was sent leaves unknown whether it
    /// committed).
    fn retries(&self, fresh: bool, op: Operation, e: &sqlx::Error) -> bool {
        let idempotent = matches!(op, Operation::Select | Operation::Begin);
        fresh && self.depth() == 0 && (error::ended_by_server(e) || (idempotent && error::is_lost(e)))
    }

    /// Swaps the lost connection for a new one from sqlx's pool.
    async fn reconnect(&mut self, e: &sqlx::Error) -> Result<()> {
        tracing::info!(error = %e, "the server had ended a pooled connection; running the statement on a new one");
        // Detached, the dead connection gives its place in the pool back at once.
        drop(self.conn.take().map(PoolConnection::detach));
        let conn = self.home.pool().acquire().await.map_err(|e| error::connect(e, &self.url))?;
        self.conn = Some(conn);
        self.taken = Instant::now();
        Ok(())
    }
}

/// A connection whose last statement ended, outside any transaction, is
/// parked for the next query; any other goes back to sqlx, whose ping on
/// return tidies it (a cut-off reply, a rollback still to send).
impl<D: Driver> Drop for ServerConn<D> {
    fn drop(&mut self) {
        let clean = !self.busy && self.depth() == 0;
        // Not clean: the field's own drop hands it to sqlx.
        if clean && let Some(conn) = self.conn.take() {
            self.home.give_back(Lent { conn, taken: self.taken });
        }
    }
}

impl<D: Driver> OwnedConnection for ServerConn<D> {
    type Conn = Self;

    fn conn(&mut self) -> &mut Self {
        self
    }
}

/// Collects values into the driver's arguments, keeping what the profiler wants.
struct ServerBinder<D: Driver> {
    args: D::Arguments,
    values: Option<Vec<Value>>,
    hasher: rustc_hash::FxHasher,
    /// Inside a profiling scope: hash (and maybe keep) what is bound.
    recording: bool,
}

impl<D: Driver> ServerBinder<D> {
    fn new(recording: bool, keep_values: bool) -> Self {
        ServerBinder {
            args: Default::default(),
            values: keep_values.then(Vec::new),
            hasher: Default::default(),
            recording,
        }
    }

    fn put(&mut self, v: &Value, column: impl FnOnce() -> String) -> Result<()> {
        D::add(&mut self.args, v).map_err(|reason| Error::InvalidValue { column: column(), reason })?;
        // Outside a scope nothing reads the hash: no work per value.
        if self.recording {
            crate::types::value::hash_value(v, &mut self.hasher);
        }
        if let Some(values) = &mut self.values {
            values.push(v.clone());
        }
        Ok(())
    }
}

impl<D: Driver> Binder for ServerBinder<D> {
    fn bind<T: FieldType>(&mut self, value: &T, column: &'static str) -> Result<()> {
        self.put(&value.to_value(), || column.to_owned())
    }

    fn bind_value(&mut self, value: &Value, index: usize) -> Result<()> {
        self.put(value, || format!("parameter {}", index + 1))
    }

    /// As a JSON value, not text: PostgreSQL will not store text in a JSON column.
    #[cfg(feature = "json")]
    fn bind_json<T: serde::Serialize>(&mut self, value: &T, column: &'static str) -> Result<()> {
        let json = serde_json::to_value(value).map_err(|e| Error::InvalidValue {
            column: column.to_owned(),
            reason: format!("cannot serialise to JSON: {e}"),
        })?;
        self.put(&Value::Json(Some(Box::new(json))), || column.to_owned())
    }
}

/// Reads a server row by column index.
struct ServerRow<'r, D: Driver> {
    row: &'r D::Row,
    next: usize,
}

fn label(column: &'static str, index: usize) -> String {
    if column.is_empty() { format!("#{index}") } else { column.to_owned() }
}

/// The error of a column that did not decode: out of line, so the reads
/// stay short.
#[cold]
#[inline(never)]
fn decode_error(
    model: &'static str,
    column: &'static str,
    index: usize,
    expected: &'static str,
    found: String,
) -> Error {
    Error::Decode { model, column: label(column, index), expected, found }
}

impl<D: Driver> ServerRow<'_, D> {
    /// Decodes the next column with `decode`. Generic over what it gives,
    /// so each field's read is one piece of code: a cell handed back from
    /// a call of its own went through memory the caller then read back.
    #[inline]
    fn next_as<T>(
        &mut self,
        model: &'static str,
        column: &'static str,
        expected: &'static str,
        decode: impl FnOnce(ValueRef<'_>) -> std::result::Result<T, DecodeFail>,
    ) -> Result<T> {
        let i = self.next;
        self.next += 1;
        let Ok(raw) = D::raw(self.row, i) else {
            let found = "no such column: the query returned fewer columns".to_owned();
            return Err(decode_error(model, column, i, expected, found));
        };
        let cell = D::cell(raw).map_err(|f| decode_error(model, column, i, expected, f.found))?;
        decode(cell.as_ref()).map_err(|f| decode_error(model, column, i, f.expected, f.found))
    }
}

impl<D: Driver> RowReader for ServerRow<'_, D> {
    #[inline]
    fn read<T: FieldType>(&mut self, model: &'static str, column: &'static str) -> Result<T> {
        self.next_as(model, column, T::RUST_NAME, T::from_sqlite)
    }

    #[cfg(feature = "json")]
    fn read_json<T: serde::de::DeserializeOwned>(&mut self, model: &'static str, column: &'static str) -> Result<T> {
        self.next_as(model, column, "JSON", |v| crate::types::decode_json(v, "JSON"))
    }

    fn is_null(&self, offset: usize) -> bool {
        D::raw(self.row, self.next + offset).is_ok_and(|v| v.is_null())
    }

    fn skip(&mut self, n: usize) {
        self.next += n;
    }
}

/// Why reading a statement's rows stopped early.
enum Failure {
    /// The server or the connection failed.
    Server(sqlx::Error),
    /// A row did not decode.
    Row(Error),
}

/// Runs a read, handing each decoded row to `each` until it returns false;
/// the rows read and what failed, if anything.
async fn read_rows<D: Driver, R: FromRow, F: FnMut(R) -> bool>(
    conn: &mut D::Connection,
    s: &Stmt<'_>,
    args: D::Arguments,
    each: &mut F,
) -> (u64, Option<Failure>) {
    let mut rows = D::fetch(conn, s.sql.clone(), args);
    let mut n = 0u64;
    loop {
        match rows.try_next().await {
            Err(e) => return (n, Some(Failure::Server(e))),
            Ok(None) => return (n, None),
            Ok(Some(row)) => {
                n += 1;
                match R::from_row(&mut ServerRow::<D> { row: &row, next: 0 }) {
                    Err(e) => return (n, Some(Failure::Row(e))),
                    Ok(r) => {
                        if !each(r) {
                            return (n, None);
                        }
                    }
                }
            }
        }
    }
}

/// Sends BEGIN (after `setup`, and as `begin` when given), COMMIT or
/// ROLLBACK through sqlx's transaction manager, which tracks the depth.
async fn send_control<D: Driver>(
    conn: &mut D::Connection,
    op: Operation,
    setup: Option<&str>,
    begin: Option<&str>,
) -> std::result::Result<(), sqlx::Error> {
    match op {
        Operation::Begin | Operation::Savepoint => {
            if let Some(setup) = setup {
                D::script(conn, Arc::from(setup)).await?;
            }
            let statement = begin.map(|b| sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(b.to_owned())));
            <D::TransactionManager as TransactionManager>::begin(conn, statement).await
        }
        Operation::Commit | Operation::Release => <D::TransactionManager as TransactionManager>::commit(conn).await,
        _ => <D::TransactionManager as TransactionManager>::rollback(conn).await,
    }
}

impl<D: Driver> ServerConn<D> {
    /// The profiling scope's sink and a binder for one statement. Values are
    /// kept when the scope wants them, or may want a slow read's plan (which
    /// binds them again).
    fn start(&self) -> (Option<SharedSink>, ServerBinder<D>, Tick) {
        let sink = events::current_sink();
        let wants = sink.as_deref().map(|s| Wants::of(s));
        let keep = wants.is_some_and(|w| w.values || w.explain_slower_than.is_some());
        let binder = ServerBinder::<D>::new(sink.is_some(), keep);
        (sink, binder, Tick::now())
    }

    /// The plan of a read that took `took`, when the scope asks for plans of
    /// reads that slow. Outside transactions only: on PostgreSQL a failed
    /// EXPLAIN would abort the transaction it ran in.
    async fn slow_plan(
        &mut self,
        sink: Option<&SharedSink>,
        s: &Stmt<'_>,
        took: std::time::Duration,
        values: Option<&[Value]>,
    ) -> Option<String> {
        let threshold = sink?.explain_slower_than()?;
        if took < threshold || s.operation != Operation::Select || self.depth() > 0 {
            return None;
        }
        let mut binder = ServerBinder::<D>::new(false, false);
        for v in values.unwrap_or_default() {
            binder.put(v, String::new).ok()?;
        }
        let sql: Arc<str> = Arc::from(format!("{}{}", D::BACKEND.dialect().explain(), s.sql));
        let mut rows = D::fetch(self.live().ok()?, sql, binder.args);
        let mut out = String::new();
        while let Ok(Some(row)) = rows.try_next().await {
            let cell = D::raw(&row, 0).ok().and_then(|raw| D::cell(raw).ok())?;
            if let ValueRef::Text(t) | ValueRef::Blob(t) = cell.as_ref() {
                out.push_str(&String::from_utf8_lossy(t));
                out.push('\n');
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Reports one event, which ran from `started` to `ended`, to the
    /// scope, if any.
    #[allow(clippy::too_many_arguments)]
    fn record<T>(
        &self,
        sink: Option<SharedSink>,
        s: &Stmt<'_>,
        (started, ended): (Tick, Tick),
        result: &Result<(T, u64)>,
        values: Option<Vec<Value>>,
        hasher: &rustc_hash::FxHasher,
        plan: Option<String>,
    ) {
        let Some(sink) = sink else { return };
        let wants_values = sink.wants_values();
        let values = if wants_values { values } else { None };
        let (rows, error) = match result {
            Ok((_, n)) => (*n, None),
            Err(e) => (0, Some(e.report(wants_values))),
        };
        sink.record(&QueryEvent {
            sql: s.sql,
            values: values.as_deref().unwrap_or_default(),
            values_hash: std::hash::Hasher::finish(hasher),
            operation: s.operation,
            table: s.table,
            backend: D::BACKEND,
            started,
            ended,
            rows,
            error: error.as_deref(),
            call_site: s.loc,
            tx_depth: self.depth(),
            plan: plan.as_deref(),
            relation: s.relation.as_ref(),
        });
    }

    /// BEGIN / SAVEPOINT, COMMIT / RELEASE, ROLLBACK through sqlx's
    /// transaction manager (which tracks the depth), recorded like a query.
    async fn control(&mut self, op: Operation, loc: &'static Location<'static>) -> Result<()> {
        let depth = self.depth();
        // A transaction with options begins with the dialect's statements:
        // a setting for the next transaction (MySQL), then the BEGIN itself.
        let (setup, begin) = match (op, self.next_begin.take()) {
            (Operation::Begin, Some(options)) if depth == 0 && options.changes_begin() => {
                let (setup, begin) = D::BACKEND.dialect().begin_statements(&options);
                (setup, Some(begin))
            }
            _ => (None, None),
        };
        let sql: Arc<str> = match (&setup, &begin) {
            (Some(setup), Some(begin)) => Arc::from(format!("{setup}; {begin}")),
            (None, Some(begin)) => Arc::from(begin.as_str()),
            _ => Arc::from(match (op, depth) {
                (Operation::Begin, _) => "BEGIN",
                (Operation::Savepoint, _) => "SAVEPOINT",
                (Operation::Commit, _) => "COMMIT",
                (Operation::Release, _) => "RELEASE SAVEPOINT",
                (_, 1) => "ROLLBACK",
                _ => "ROLLBACK TO SAVEPOINT",
            }),
        };
        let s = Stmt { sql: &sql, operation: op, table: None, loc, relation: None };
        let span = trace::query_span(D::BACKEND, &s);
        let (sink, binder, started) = self.start();
        let mut fresh = self.started();
        let result = async {
            loop {
                match send_control::<D>(self.live()?, op, setup.as_deref(), begin.as_deref()).await {
                    Ok(()) => return Ok(((), 0)),
                    Err(e) if self.retries(std::mem::take(&mut fresh), op, &e) => self.reconnect(&e).await?,
                    Err(e) => return Err(error::query::<D>(e, &sql, &self.url)),
                }
            }
        }
        .instrument(span)
        .await;
        self.record(sink, &s, (started, Tick::now()), &result, binder.values, &binder.hasher, None);
        self.finished();
        result.map(|_| ())
    }
}

impl<D: Driver> Connection for ServerConn<D> {
    fn backend(&self) -> Backend {
        D::BACKEND
    }

    fn prepare_begin(&mut self, options: TxOptions) {
        self.next_begin = Some(options);
    }

    fn max_params(&self) -> usize {
        D::MAX_PARAMS
    }

    // Not `async fn`: the future must not carry `R: 's`, which the trait does not promise.
    #[allow(clippy::manual_async_fn)]
    fn fetch<'s, R, B, F>(
        &'s mut self,
        s: Stmt<'s>,
        bind: &'s B,
        mut each: F,
    ) -> impl Future<Output = Result<()>> + Send + 's
    where
        R: FromRow + Send,
        B: Bind + ?Sized,
        F: FnMut(R) -> bool + Send + 's,
    {
        let span = trace::query_span(D::BACKEND, &s);
        async move {
            let (sink, mut binder, started) = self.start();
            let mut fresh = self.started();
            let result = loop {
                if let Err(e) = bind.bind_to(&mut binder) {
                    break Err(e);
                }
                let args = std::mem::take(&mut binder.args);
                let (n, failed) = match self.live() {
                    Err(e) => break Err(e),
                    Ok(conn) => read_rows::<D, R, F>(conn, &s, args, &mut each).await,
                };
                match failed {
                    None => break Ok(((), n)),
                    Some(Failure::Row(e)) => break Err(e),
                    Some(Failure::Server(e)) => {
                        if n > 0 || !self.retries(std::mem::take(&mut fresh), s.operation, &e) {
                            break Err(error::query::<D>(e, s.sql, &self.url));
                        }
                        if let Err(lost) = self.reconnect(&e).await {
                            break Err(lost);
                        }
                        binder = ServerBinder::new(binder.recording, binder.values.is_some());
                    }
                }
            };
            let ended = Tick::now();
            let took = ended.duration_since(started);
            let plan = match &result {
                Ok(_) => self.slow_plan(sink.as_ref(), &s, took, binder.values.as_deref()).await,
                Err(_) => None,
            };
            self.record(sink, &s, (started, ended), &result, binder.values, &binder.hasher, plan);
            self.finished();
            result.map(|_| ())
        }
        .instrument(span)
    }

    async fn execute<'s, B: Bind + ?Sized>(&'s mut self, s: Stmt<'s>, bind: &'s B) -> Result<u64> {
        let span = trace::query_span(D::BACKEND, &s);
        let (sink, mut binder, started) = self.start();
        let mut fresh = self.started();
        let result = async {
            loop {
                bind.bind_to(&mut binder)?;
                let args = std::mem::take(&mut binder.args);
                match D::execute(self.live()?, s.sql.clone(), args).await {
                    Ok(done) => {
                        self.last_id = D::last_insert_id(&done);
                        let n = D::rows_affected(&done);
                        return Ok((n, n));
                    }
                    Err(e) if self.retries(std::mem::take(&mut fresh), s.operation, &e) => self.reconnect(&e).await?,
                    Err(e) => return Err(error::query::<D>(e, s.sql, &self.url)),
                }
                binder = ServerBinder::new(binder.recording, binder.values.is_some());
            }
        }
        .instrument(span)
        .await;
        self.record(sink, &s, (started, Tick::now()), &result, binder.values, &binder.hasher, None);
        self.finished();
        result.map(|(n, _)| n)
    }

    fn last_insert_id(&self) -> i64 {
        self.last_id
    }

    fn depth(&self) -> u32 {
        let Some(conn) = &self.conn else { return 0 };
        let depth = <D::TransactionManager as TransactionManager>::get_transaction_depth(conn);
        u32::try_from(depth).unwrap_or(u32::MAX)
    }

    fn start_rollback(&mut self, _loc: &'static Location<'static>) {
        // The ROLLBACK is still to send: the connection is not clean, and
        // goes back to sqlx, whose ping on return sends it.
        self.busy = true;
        // Queued: sent before the connection's next use, as sqlx's own transactions do.
        if let Some(conn) = &mut self.conn {
            <D::TransactionManager as TransactionManager>::start_rollback(conn);
        }
    }

    fn begin(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        let op = if self.depth() == 0 { Operation::Begin } else { Operation::Savepoint };
        self.control(op, loc)
    }

    fn commit(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        let op = if self.depth() <= 1 { Operation::Commit } else { Operation::Release };
        self.control(op, loc)
    }

    fn rollback(&mut self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        self.control(Operation::Rollback, loc)
    }

    async fn batch<'s>(&'s mut self, sql: &'s Arc<str>, loc: &'static Location<'static>) -> Result<()> {
        let s = Stmt { sql, operation: Operation::of_sql(sql), table: None, loc, relation: None };
        let span = trace::query_span(D::BACKEND, &s);
        let (sink, binder, started) = self.start();
        self.started();
        let result = match self.live() {
            Err(e) => Err(e),
            Ok(conn) => D::script(conn, sql.clone())
                .instrument(span)
                .await
                .map(|()| ((), 0))
                .map_err(|e| error::query::<D>(e, sql, &self.url)),
        };
        self.record(sink, &s, (started, Tick::now()), &result, binder.values, &binder.hasher, None);
        self.finished();
        result.map(|_| ())
    }
}

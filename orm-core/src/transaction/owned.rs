//! A transaction that owns its pooled connection, so async code can hold it
//! across `.await`s: `let tx = db.begin().await?; ...; tx.commit().await?`.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;

use super::borrowed::abandon_levels;
use super::{Levels, Step, nested, transaction_methods};
use crate::backend::Backend;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job, QueryFuture};

/// A pooled connection a [`Transaction`] holds for its whole life.
/// Implemented by ormlet's backends; not meant to be implemented elsewhere.
#[doc(hidden)]
pub trait OwnedConnection: Send {
    /// The connection jobs run on.
    type Conn: Connection;

    /// The connection.
    fn conn(&mut self) -> &mut Self::Conn;

    /// Runs one job to its end on the connection. Async connections await
    /// it; SQLite's runs it at once, where blocking is allowed.
    fn drive<'s, J: Job + 's>(&'s mut self, job: J) -> impl Future<Output = Result<J::Out>> + Send + 's {
        job.run(self.conn())
    }
}

/// An open transaction that owns its connection: queries run on it see its
/// writes; [`commit`](Transaction::commit) ends it; dropped unfinished, it
/// rolls back ([`Levels::abandon`]).
///
/// The async executors' transactions are this type:
/// [`sqlite::AsyncTx`](crate::sqlite::AsyncTx), `postgres::Tx`, `mysql::Tx`.
pub struct Transaction<O: OwnedConnection> {
    /// `None` once committed or rolled back.
    conn: tokio::sync::Mutex<Option<O>>,
    backend: Backend,
    /// Where it was opened: the call site of a rollback on drop.
    loc: &'static Location<'static>,
}

/// What a savepoint's closure returns: `Box::pin(async move { ...; Ok(v) })`.
pub type BoxedBody<'t, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>>;

impl<O: OwnedConnection> Transaction<O> {
    /// A handle on `conn` with no level opened yet: [`nested`] opens the
    /// transaction itself.
    pub(crate) fn new(mut conn: O, loc: &'static Location<'static>) -> Self {
        let backend = conn.conn().backend();
        Transaction { conn: tokio::sync::Mutex::new(Some(conn)), backend, loc }
    }

    /// A handle on `conn` whose transaction will begin with `options`.
    pub(crate) fn with_options(mut conn: O, loc: &'static Location<'static>, options: super::TxOptions) -> Self {
        conn.conn().prepare_begin(options);
        Transaction::new(conn, loc)
    }

    /// Opens a transaction on `conn`.
    pub(crate) async fn begin(conn: O, loc: &'static Location<'static>) -> Result<Self> {
        let tx = Transaction::new(conn, loc);
        tx.begin_level(loc).await?;
        Ok(tx)
    }

    /// Runs `step` on the connection, or fails if the transaction ended.
    async fn step<J: Job>(&self, step: J) -> Result<J::Out> {
        let mut slot = self.conn.lock().await;
        slot.as_mut().ok_or(Error::TransactionFinished)?.drive(step).await
    }

    /// Commits. Savepoints left open by an abandoned nested transaction are
    /// rolled back first.
    #[track_caller]
    pub fn commit(self) -> impl Future<Output = Result<()>> + Send {
        self.finish(true, Location::caller())
    }

    /// Rolls back, savepoints and all.
    #[track_caller]
    pub fn rollback(self) -> impl Future<Output = Result<()>> + Send {
        self.finish(false, Location::caller())
    }

    /// Ends the transaction: commits it, or rolls it back. The connection
    /// stays in the handle until the end, so a failed or cancelled finish
    /// still rolls back what is left when the handle drops.
    pub(crate) async fn finish(self, commit: bool, loc: &'static Location<'static>) -> Result<()> {
        self.step(Finish { commit, loc }).await
    }

    transaction_methods!(
        Transaction<O>,
        "Runs `f` in a savepoint: released on `Ok`, rolled back to on `Err` (or a panic, or when dropped); the transaction goes on either way.",
        |this, loc, f| nested(this, loc, f(this))
    );

    /// Runs a script of statements without values inside the transaction.
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        self.execute_batch_at(sql, Location::caller())
    }

    /// [`execute_batch`](Transaction::execute_batch), recorded at `loc`.
    pub(crate) fn execute_batch_at<'a>(
        &'a self,
        sql: &'a str,
        loc: &'static Location<'static>,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        self.step(Batch { sql: Arc::from(sql), loc })
    }
}

impl<O: OwnedConnection> Levels for Transaction<O> {
    fn begin_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_ {
        self.step(LevelStep { step: Step::Begin, loc })
    }

    fn commit_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_ {
        self.step(LevelStep { step: Step::Commit, loc })
    }

    fn rollback_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_ {
        self.step(LevelStep { step: Step::Rollback, loc })
    }

    fn abandon(&self, depth: u32, loc: &'static Location<'static>) {
        // Free by now: a step's lock is released before the body that held it is dropped.
        if let Ok(mut slot) = self.conn.try_lock()
            && let Some(conn) = slot.as_mut()
        {
            abandon_levels(conn.conn(), depth, loc);
        }
    }
}

impl<O: OwnedConnection> Drop for Transaction<O> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.get_mut() {
            abandon_levels(conn.conn(), 1, self.loc);
        }
    }
}

impl<O: OwnedConnection> Executor for Transaction<O> {
    type Output<'a, J: Job + 'a>
        = QueryFuture<'a, J::Out>
    where
        Self: 'a;

    fn backend(&self) -> Backend {
        self.backend
    }

    fn run<'a, J: Job + 'a>(&'a self, job: J) -> QueryFuture<'a, J::Out> {
        Box::pin(self.step(job))
    }
}

/// A [`Step`] as a job, so SQLite's connections run it where blocking is allowed.
struct LevelStep {
    step: Step,
    loc: &'static Location<'static>,
}

impl Job for LevelStep {
    type Out = u32;
    fn run<C: Connection>(self, conn: &mut C) -> impl Future<Output = Result<u32>> + Send {
        self.step.on(conn, self.loc)
    }
}

/// Ends the whole transaction: open savepoints roll back, then the
/// transaction commits (rolled back if the commit fails) or rolls back.
struct Finish {
    commit: bool,
    loc: &'static Location<'static>,
}

impl Job for Finish {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        while conn.depth() > 1 {
            conn.rollback(self.loc).await?;
        }
        if conn.depth() == 0 {
            // Nothing left to end: the connection lost its transaction.
            return Ok(());
        }
        if !self.commit {
            return conn.rollback(self.loc).await;
        }
        let committed = conn.commit(self.loc).await;
        if committed.is_err() && conn.depth() > 0 {
            // The commit's error is the one to report.
            let _ = conn.rollback(self.loc).await;
        }
        committed
    }
}

/// A script of statements without values.
struct Batch {
    sql: Arc<str>,
    loc: &'static Location<'static>,
}

impl Job for Batch {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        conn.batch(&self.sql, self.loc).await
    }
}

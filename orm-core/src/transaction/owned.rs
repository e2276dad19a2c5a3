//! A transaction that owns its pooled connection, so async code can hold it
//! across `.await`s: `let tx = db.begin().await?; ...; tx.commit().await?`.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;

use super::borrowed::abandon_levels;
use super::{Levels, finished, nested};
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

    /// Opens a transaction on `conn`.
    pub(crate) async fn begin(conn: O, loc: &'static Location<'static>) -> Result<Self> {
        let tx = Transaction::new(conn, loc);
        tx.begin_level(loc).await?;
        Ok(tx)
    }

    /// Runs `step` on the connection, or fails if the transaction ended.
    async fn step<J: Job>(&self, step: J) -> Result<J::Out> {
        let mut slot = self.conn.lock().await;
        slot.as_mut().ok_or_else(finished)?.drive(step).await
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

    /// Ends the transaction: commits it, or rolls it back.
    pub(crate) async fn finish(self, commit: bool, loc: &'static Location<'static>) -> Result<()> {
        let mut conn = self.conn.lock().await.take().ok_or_else(finished)?;
        conn.drive(Finish { commit, loc }).await
    }

    /// Runs `f` in a savepoint: released on `Ok`, rolled back to on `Err`
    /// (or a panic, or when dropped); the transaction goes on either way.
    ///
    /// `tx.transaction(|tx| Box::pin(async move { row.insert(tx).await?; Ok(()) })).await?`
    #[track_caller]
    pub fn transaction<'a, T: Send + 'a, F>(&'a self, f: F) -> impl Future<Output = Result<T>> + Send + 'a
    where
        F: for<'t> FnOnce(&'t Transaction<O>) -> QueryFuture<'t, T> + Send + 'a,
    {
        self.transaction_with(f)
    }

    /// [`transaction`](Transaction::transaction) for the application's own
    /// error type (anything an [`Error`] converts into).
    #[track_caller]
    pub fn transaction_with<'a, T: Send + 'a, E: From<Error> + Send + 'a, F>(
        &'a self,
        f: F,
    ) -> impl Future<Output = Result<T, E>> + Send + 'a
    where
        F: for<'t> FnOnce(&'t Transaction<O>) -> BoxedBody<'t, T, E> + Send + 'a,
    {
        nested(self, Location::caller(), f(self))
    }

    /// Runs a script of statements without values inside the transaction.
    #[track_caller]
    pub fn execute_batch<'a>(&'a self, sql: &'a str) -> impl Future<Output = Result<()>> + Send + 'a {
        let loc = Location::caller();
        self.step(Batch { sql: Arc::from(sql), loc })
    }
}

impl<O: OwnedConnection> Levels for Transaction<O> {
    fn begin_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<u32>> + Send + '_ {
        self.step(Begin { loc })
    }

    fn commit_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        self.step(Commit { loc })
    }

    fn rollback_level(&self, loc: &'static Location<'static>) -> impl Future<Output = Result<()>> + Send + '_ {
        self.step(Rollback { loc })
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

/// Opens a level; gives the depth it opened.
struct Begin {
    loc: &'static Location<'static>,
}

impl Job for Begin {
    type Out = u32;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<u32> {
        conn.begin(self.loc).await?;
        Ok(conn.depth())
    }
}

/// Commits or releases the innermost level.
struct Commit {
    loc: &'static Location<'static>,
}

impl Job for Commit {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        conn.commit(self.loc).await
    }
}

/// Rolls the innermost level back.
struct Rollback {
    loc: &'static Location<'static>,
}

impl Job for Rollback {
    type Out = ();
    async fn run<C: Connection>(self, conn: &mut C) -> Result<()> {
        conn.rollback(self.loc).await
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

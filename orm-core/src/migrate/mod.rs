//! Migrations: SQL files applied in order, each once, recorded with a
//! checksum in `ormlet_migrations`.
//!
//! ```no_run
//! # async fn demo() -> ormlet_core::Result<()> {
//! use ormlet_core::{AnyDb, migrate::Migrator};
//! let db = AnyDb::connect("sqlite://app.db").await?;
//! let migrator = Migrator::from_dir("migrations")?;
//! let applied = migrator.run(&db, None).await?;
//! for s in migrator.status(&db).await? {
//!     println!("{} {} {:?}", s.version, s.name, s.state);
//! }
//! # Ok(()) }
//! ```
//!
//! Each migration runs in its own transaction where the backend can undo
//! DDL (SQLite, PostgreSQL): a failing statement leaves the schema and the
//! record as they were. MySQL commits DDL as it goes; there the error names
//! the statement that failed, and the ones before it stay applied.
//!
//! On SQLite, foreign keys are off while a migration runs, so a table can
//! be rebuilt under rows that reference it; before the commit,
//! `PRAGMA foreign_key_check` must find nothing broken, or nothing applies.
//!
//! Runners started together are serialised: inside each migration's
//! transaction SQLite's `BEGIN IMMEDIATE` (or PostgreSQL's
//! `pg_advisory_xact_lock`) is taken before the record is checked, so each
//! migration applies once. On MySQL, `GET_LOCK` narrows the race but cannot
//! close it (DDL commits by itself): start one runner at a time there.

mod diff;
mod drift;
mod files;
mod history;
mod introspect;
mod snapshot;
mod split;

use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::path::Path;
use std::time::{Duration, Instant};

/// The table descriptions snapshots are made of (defined in [`schema`](crate::schema)).
pub use crate::schema::{ColumnSpec, ForeignKeySpec, IndexSpec, TableSpec};
pub use diff::{Plan, diff, plan, plan_keeping_unknown};
pub use drift::{Drift, check};
pub use files::{BACKENDS, BackendScripts, Migration, SCHEMA_FILE, checksum, create, file_tag, read_dir, write};
pub use history::{Change, recorded};
pub use introspect::introspect;
pub use snapshot::{Models, SNAPSHOT_VERSION, Snapshot};
pub use split::statements;

use crate::any::{AnyDb, AnyTx};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::executor::{Executor, QueryFuture};
use crate::query::jobs::{Execute, FetchAll, Source};
use sea_query::Value;

/// The table that records applied migrations.
pub const TABLE: &str = "ormlet_migrations";

/// Where a migration stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Applied at this time (UTC, RFC 3339).
    Applied {
        /// When.
        at: String,
    },
    /// Not applied yet.
    Pending,
    /// Applied, but its `up.sql` changed since: refused until restored.
    Changed,
    /// Recorded as applied, but its folder is gone.
    Missing,
}

/// One line of `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Version.
    pub version: i64,
    /// Name.
    pub name: String,
    /// Where it stands.
    pub state: State,
}

/// A set of migrations and what to do with them.
#[derive(Debug, Clone)]
pub struct Migrator {
    migrations: Vec<Migration>,
    lock_timeout: Duration,
}

/// A migration as recorded.
struct Record {
    version: i64,
    name: String,
    checksum: String,
    applied_at: String,
}

fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let s = files::utc_stamp(now.as_secs()).to_string();
    format!("{}-{}-{}T{}:{}:{}Z", &s[0..4], &s[4..6], &s[6..8], &s[8..10], &s[10..12], &s[12..14])
}

fn placeholders(backend: Backend, n: usize) -> String {
    (1..=n).map(|i| backend.dialect().placeholder(i)).collect::<Vec<_>>().join(", ")
}

impl Migrator {
    /// The migrations in `dir` (see [`read_dir`]).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        Ok(Migrator::new(read_dir(dir.as_ref())?))
    }

    /// A given set (what `embed_migrations!` builds), sorted by version.
    pub fn new(mut migrations: Vec<Migration>) -> Self {
        migrations.sort_by_key(|m| m.version);
        Migrator { migrations, lock_timeout: Duration::from_secs(60) }
    }

    /// How long a runner waits for the lock that serialises runners, where
    /// the backend's lock takes a timeout (MySQL's `GET_LOCK`), before
    /// failing with an error naming the connection that holds it
    /// (default 60 s).
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The migrations, in order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Creates the record table, under the runners' lock: two `CREATE TABLE
    /// IF NOT EXISTS` racing each other fail on PostgreSQL.
    async fn ensure_table(&self, db: &AnyDb, at: At) -> Result<()> {
        let tx = db.begin_at(at).await?;
        self.locked(&tx, at, async {
            tx.execute_batch_at(
                &format!(
                    "CREATE TABLE IF NOT EXISTS {TABLE} (version BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, \
                     checksum VARCHAR(64) NOT NULL, applied_at VARCHAR(40) NOT NULL, duration_ms BIGINT NOT NULL)"
                ),
                at,
            )
            .await
        })
        .await?;
        tx.finish(true, at).await
    }

    /// Runs `body` holding the runners' lock on `tx`'s connection, and
    /// releases it whatever `body` returns: a lock that outlives the
    /// transaction (MySQL's) must not stay with a pooled connection.
    async fn locked<T>(&self, tx: &AnyTx, at: At, body: impl Future<Output = Result<T>>) -> Result<T> {
        lock(tx, self.lock_timeout, at).await?;
        let out = body.await;
        let released = unlock(tx, at).await;
        // The body's error is the one to report.
        let value = out?;
        released.map(|()| value)
    }

    async fn records(db: &impl Bookkeeping, at: At) -> Result<Vec<Record>> {
        let sql = format!("SELECT version, name, checksum, applied_at FROM {TABLE} ORDER BY version");
        let rows: Vec<(i64, String, String, String)> = db.rows(sql, Vec::new(), at).await?;
        Ok(rows
            .into_iter()
            .map(|(version, name, checksum, applied_at)| Record { version, name, checksum, applied_at })
            .collect())
    }

    /// Every migration, on disk or recorded, with where it stands.
    #[track_caller]
    pub fn status<'a>(&'a self, db: &'a AnyDb) -> impl Future<Output = Result<Vec<Status>>> + 'a {
        let at = Location::caller();
        async move { self.status_at(db, at).await }
    }

    async fn status_at(&self, db: &AnyDb, at: At) -> Result<Vec<Status>> {
        let backend = db.backend();
        self.ensure_table(db, at).await?;
        let records = Self::records(db, at).await?;
        let mut out: Vec<Status> = self
            .migrations
            .iter()
            .map(|m| {
                let state = match records.iter().find(|r| r.version == m.version) {
                    None => State::Pending,
                    Some(r) if r.checksum != m.checksum_for(backend) => State::Changed,
                    Some(r) => State::Applied { at: r.applied_at.clone() },
                };
                Status { version: m.version, name: m.name.clone(), state }
            })
            .collect();
        for r in records.iter().filter(|r| !self.migrations.iter().any(|m| m.version == r.version)) {
            out.push(Status { version: r.version, name: r.name.clone(), state: State::Missing });
        }
        out.sort_by_key(|s| s.version);
        Ok(out)
    }

    /// Refuses to go on when an applied migration's file changed.
    fn check_unchanged(&self, records: &[Record], backend: Backend) -> Result<()> {
        for m in &self.migrations {
            if let Some(r) = records.iter().find(|r| r.version == m.version)
                && r.checksum != m.checksum_for(backend)
            {
                return Err(Error::Migration {
                    version: Some(m.version),
                    message: format!(
                        "`{}` was applied, then its up script changed ({}): restore the file, or write a new migration for the change",
                        m.name,
                        m.up_file(backend).display()
                    ),
                });
            }
        }
        Ok(())
    }

    /// Applies every pending migration (up to and including `to`), in
    /// order; gives the versions it applied. A profile records the runner's
    /// statements at the line that called this, as bookkeeping.
    #[track_caller]
    pub fn run<'a>(&'a self, db: &'a AnyDb, to: Option<i64>) -> impl Future<Output = Result<Vec<i64>>> + 'a {
        let at = Location::caller();
        async move {
            self.ensure_table(db, at).await?;
            self.check_unchanged(&Self::records(db, at).await?, db.backend())?;
            let mut applied = Vec::new();
            for m in self.migrations.iter().filter(|m| to.is_none_or(|to| m.version <= to)) {
                if self.apply(db, m, at).await? {
                    applied.push(m.version);
                }
            }
            Ok(applied)
        }
    }

    /// Applies one migration in its own transaction, unless a concurrent
    /// runner did; `false` when it was applied already.
    async fn apply(&self, db: &AnyDb, m: &Migration, at: At) -> Result<bool> {
        let tx = db.begin_for_schema(at).await?;
        let applied = self
            .locked(&tx, at, async {
                let backend = tx.backend();
                let checksum = m.checksum_for(backend);
                let recorded = Self::records(&tx, at).await?;
                if let Some(r) = recorded.iter().find(|r| r.version == m.version) {
                    return if r.checksum == checksum {
                        Ok(false)
                    } else {
                        self.check_unchanged(&recorded, backend).map(|()| false)
                    };
                }
                let started = Instant::now();
                run_script(&tx, m.version, m.up_for(backend)?, at).await?;
                check_foreign_keys(&tx, m.version, at).await?;
                let sql = format!(
                    "INSERT INTO {TABLE} (version, name, checksum, applied_at, duration_ms) VALUES ({})",
                    placeholders(tx.backend(), 5)
                );
                let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
                let values = crate::params![m.version, m.name.clone(), checksum, now_rfc3339(), ms];
                tx.exec(sql, values, at).await?;
                Ok(true)
            })
            .await?;
        tx.finish(applied, at).await?;
        Ok(applied)
    }

    /// Reverts the last `steps` applied migrations, newest first, each with
    /// its `down.sql` in its own transaction; gives their versions.
    #[track_caller]
    pub fn revert<'a>(&'a self, db: &'a AnyDb, steps: usize) -> impl Future<Output = Result<Vec<i64>>> + 'a {
        let at = Location::caller();
        async move { self.revert_at(db, steps, at).await }
    }

    async fn revert_at(&self, db: &AnyDb, steps: usize, at: At) -> Result<Vec<i64>> {
        self.ensure_table(db, at).await?;
        let records = Self::records(db, at).await?;
        self.check_unchanged(&records, db.backend())?;
        let mut reverted = Vec::new();
        for r in records.iter().rev().take(steps) {
            let m = self.migrations.iter().find(|m| m.version == r.version).ok_or_else(|| Error::Migration {
                version: Some(r.version),
                message: format!("`{}` is applied but its folder is gone: cannot revert without its down.sql", r.name),
            })?;
            let tx = db.begin_for_schema(at).await?;
            self.locked(&tx, at, async {
                run_script(&tx, m.version, m.down_for(tx.backend()), at).await?;
                check_foreign_keys(&tx, m.version, at).await?;
                let sql = format!("DELETE FROM {TABLE} WHERE version = {}", placeholders(tx.backend(), 1));
                tx.exec(sql, crate::params![m.version], at).await
            })
            .await?;
            tx.finish(true, at).await?;
            reverted.push(m.version);
        }
        Ok(reverted)
    }

    /// Reverts the last applied migration and applies it again.
    #[track_caller]
    pub fn redo<'a>(&'a self, db: &'a AnyDb) -> impl Future<Output = Result<Option<i64>>> + 'a {
        let at = Location::caller();
        async move {
            let Some(v) = self.revert_at(db, 1, at).await?.first().copied() else { return Ok(None) };
            let m = self.migrations.iter().find(|m| m.version == v).expect("reverted from this set");
            self.apply(db, m, at).await?;
            Ok(Some(v))
        }
    }
}

/// Serialises concurrent runners inside a migration's transaction.
/// (SQLite's `BEGIN IMMEDIATE` already holds the write lock.) Where the
/// lock takes a timeout, its result is read: a runner that did not get the
/// lock fails, naming who holds it, instead of going on without it.
async fn lock(tx: &AnyTx, timeout: Duration, at: At) -> Result<()> {
    let dialect = tx.backend().dialect();
    let Some(sql) = dialect.migration_lock(timeout.as_secs()) else { return Ok(()) };
    let Some(holder_sql) = dialect.migration_lock_holder() else { return tx.exec(sql, Vec::new(), at).await.map(drop) };
    let got: Vec<(Option<i64>,)> = tx.rows(sql, Vec::new(), at).await?;
    if got.first().and_then(|r| r.0) == Some(1) {
        return Ok(());
    }
    let holder: Vec<(Option<i64>,)> = tx.rows(holder_sql.to_owned(), Vec::new(), at).await?;
    let who = match holder.first().and_then(|r| r.0) {
        Some(id) => format!("the database connection with id {id}"),
        None => "another connection (it has let go since)".to_owned(),
    };
    Err(Error::Migration {
        version: None,
        message: format!(
            "the migration lock was not free within {timeout:?}: {who} holds it. Wait for that runner, or end its \
             session"
        ),
    })
}

/// Releases MySQL's session lock before the commit (the connection goes
/// back to the pool after it). A runner waiting on it may then read the
/// record before this commit lands; MySQL runners are best not started together.
async fn unlock(tx: &AnyTx, at: At) -> Result<()> {
    match tx.backend().dialect().migration_unlock() {
        Some(sql) => tx.exec(sql.to_owned(), Vec::new(), at).await.map(drop),
        None => Ok(()),
    }
}

/// SQLite runs migrations with foreign keys off (see
/// [`AnyDb::begin_for_schema`]), and its dialect names the query that lists
/// broken ones; this refuses to commit one that leaves a
/// row whose key matches nothing.
async fn check_foreign_keys(tx: &AnyTx, version: i64, at: At) -> Result<()> {
    let Some(check) = tx.backend().dialect().foreign_key_check() else { return Ok(()) };
    // table, rowid, parent, fkid
    let broken: Vec<(String, Option<i64>, String, i64)> = tx.rows(check.into(), Vec::new(), at).await?;
    match broken.first() {
        None => Ok(()),
        Some((table, rowid, parent, _)) => Err(Error::Migration {
            version: Some(version),
            message: format!(
                "the migration leaves {} row(s) whose foreign key matches no row; the first: `{table}` rowid {} \
                 references a missing `{parent}` row. Nothing was applied",
                broken.len(),
                rowid.map_or_else(|| "?".to_owned(), |r| r.to_string())
            ),
        }),
    }
}

/// Runs a migration's script, one statement at a time, naming the one that fails.
async fn run_script(tx: &AnyTx, version: i64, script: &str, at: At) -> Result<()> {
    for (i, statement) in statements(script, tx.backend().dialect()).into_iter().enumerate() {
        tx.execute_batch_at(statement, at).await.map_err(|e| {
            // The server's words, then the statement once.
            let reason = match &e {
                Error::Database { message, .. } => message.clone(),
                other => other.to_string(),
            };
            Error::Migration {
                version: Some(version),
                message: format!("statement {} failed: {reason}\n  statement: {statement}", i + 1),
            }
        })?;
    }
    Ok(())
}

/// Where the runner's statements are recorded: the line that called it.
type At = &'static Location<'static>;

/// The runner's own statements (its record, its lock, the foreign-key
/// check), on a database or in a transaction: recorded at the caller's line
/// as schema bookkeeping, which a profile never reports as a finding.
trait Bookkeeping: Sync {
    fn rows<'a, R: crate::FromRow + Send + 'a>(
        &'a self,
        sql: String,
        values: Vec<Value>,
        at: At,
    ) -> QueryFuture<'a, Vec<R>>;
    fn exec(&self, sql: String, values: Vec<Value>, at: At) -> QueryFuture<'_, u64>;
}

macro_rules! bookkeeping {
    ($($executor:ty),*) => {$(
        impl Bookkeeping for $executor {
            fn rows<'a, R: crate::FromRow + Send + 'a>(
                &'a self,
                sql: String,
                values: Vec<Value>,
                at: At,
            ) -> QueryFuture<'a, Vec<R>> {
                self.run(FetchAll { source: Source::Schema(sql.into(), values), loc: at, _row: PhantomData })
            }

            fn exec(&self, sql: String, values: Vec<Value>, at: At) -> QueryFuture<'_, u64> {
                self.run(Execute { source: Source::Schema(sql.into(), values), loc: at })
            }
        }
    )*};
}
bookkeeping!(AnyDb, AnyTx);

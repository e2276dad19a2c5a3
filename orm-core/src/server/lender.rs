//! Lends pooled connections to queries, keeping the ones they give back.
//!
//! sqlx's pool pings every connection that comes back to it, in a task of
//! its own, and the next query to want that connection waits for the ping:
//! a round trip, and a task switch, per query. A connection a query gives
//! back in a clean state (no statement cut off, no transaction open) is
//! parked here instead and lent again as it is. A connection the server
//! ended while parked fails its next statement, which is then sent once
//! more on a new connection (see `ServerConn`); one given back mid-way, or
//! with a transaction still open, goes back to sqlx, whose ping tidies it.
//!
//! Parked connections still count against sqlx's pool size, so a query
//! waiting in sqlx's queue could wait for one parked here: every query that
//! waits says so first, and a connection parked while one waits goes back
//! to sqlx at once (the wait is announced before the parked list is looked
//! at a last time, and the count read after parking, so one of the two
//! sides always sees the other).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sqlx::pool::PoolConnection;

use super::Driver;

/// How long a connection may be lent over and over before it goes back to
/// sqlx once (which applies its maximum lifetime and idle checks).
const RECYCLE_AFTER: Duration = Duration::from_secs(60);

/// A connection lent out, with when it was taken from sqlx.
pub(crate) struct Lent<D: Driver> {
    pub(crate) conn: PoolConnection<D>,
    pub(crate) taken: Instant,
}

struct Parked<D: Driver> {
    lent: Lent<D>,
    since: Instant,
}

/// sqlx's pool and the connections parked beside it.
pub(crate) struct Lender<D: Driver> {
    pool: sqlx::Pool<D>,
    parked: Mutex<Vec<Parked<D>>>,
    waiting: AtomicUsize,
    /// Off when every acquire should be sqlx's own (it pings before each),
    /// or once the pool is shared with code that acquires from it directly.
    parks: AtomicBool,
    idle_timeout: Option<Duration>,
}

impl<D: Driver> std::fmt::Debug for Lender<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lender").field("parked", &self.parked.lock().len()).finish_non_exhaustive()
    }
}

/// Counts a query as waiting in sqlx's queue while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<D: Driver> Lender<D> {
    /// A lender that parks connections unless `shared` (someone else
    /// acquires from `pool` too) or sqlx is to ping before each acquire.
    pub(crate) fn new(pool: sqlx::Pool<D>, shared: bool) -> Self {
        let parks = AtomicBool::new(!shared && !pool.options().get_test_before_acquire());
        let idle_timeout = pool.options().get_idle_timeout();
        Lender { pool, parked: Mutex::new(Vec::new()), waiting: AtomicUsize::new(0), parks, idle_timeout }
    }

    /// sqlx's pool, for ormlet's own use.
    pub(crate) fn pool(&self) -> &sqlx::Pool<D> {
        &self.pool
    }

    /// sqlx's pool, for code that acquires from it directly: from now on
    /// nothing is parked, so such code never waits for a connection parked
    /// here.
    pub(crate) fn share(&self) -> &sqlx::Pool<D> {
        if self.parks.swap(false, Ordering::SeqCst) {
            release(std::mem::take(&mut *self.parked.lock()));
        }
        &self.pool
    }

    /// The most recently parked connection that has not idled too long.
    fn unpark(&self) -> Option<Lent<D>> {
        loop {
            let parked = self.parked.lock().pop()?;
            match self.idle_timeout {
                // Back to sqlx, which closes it.
                Some(timeout) if parked.since.elapsed() > timeout => drop(parked),
                _ => return Some(parked.lent),
            }
        }
    }

    /// A parked connection, or one from sqlx's pool.
    pub(crate) async fn lend(&self) -> Result<Lent<D>, sqlx::Error> {
        if let Some(lent) = self.unpark() {
            return Ok(lent);
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        if let Some(lent) = self.unpark() {
            return Ok(lent);
        }
        let conn = self.pool.acquire().await?;
        Ok(Lent { conn, taken: Instant::now() })
    }

    /// Takes back a connection whose last statement ended cleanly outside
    /// any transaction.
    pub(crate) fn give_back(&self, lent: Lent<D>) {
        if !self.parks.load(Ordering::Relaxed) || lent.taken.elapsed() > RECYCLE_AFTER || self.pool.is_closed() {
            return drop(lent.conn);
        }
        self.parked.lock().push(Parked { lent, since: Instant::now() });
        if self.waiting.load(Ordering::SeqCst) > 0 {
            // Someone waits in sqlx's queue: sqlx hands this one over.
            drop(self.parked.lock().pop());
        }
    }
}

impl<D: Driver> Drop for Lender<D> {
    fn drop(&mut self) {
        release(std::mem::take(self.parked.get_mut()));
    }
}

/// Hands parked connections back to sqlx.
fn release<D: Driver>(parked: Vec<Parked<D>>) {
    if parked.is_empty() || tokio::runtime::Handle::try_current().is_ok() {
        return drop(parked);
    }
    // A pooled connection goes back to sqlx in a task, which needs a
    // runtime: outside one (a `Db` dropped after its runtime), lend one.
    match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => {
            let _entered = rt.enter();
            drop(parked);
        }
        // Without one, dropping them would panic; leave them to the process.
        Err(_) => std::mem::forget(parked),
    }
}

//! The connections of a [`Db`](super::Db) and how callers wait for one.
//!
//! Synchronous callers block on a slot's lock. Async callers must never block
//! their thread: on a current-thread runtime the task holding the connection
//! could then never run to give it back. They wait on [`Pool::released`]
//! instead, which every lease wakes as it ends, whichever face took it.

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::task::Poll;
use std::time::{Duration, Instant};

use parking_lot::{ArcMutexGuard, Mutex, MutexGuard, RawMutex};
use tokio::sync::Notify;

use super::conn::Conn;
use crate::error::{Error, Result};

/// The connections, each behind its own lock.
#[derive(Debug)]
pub(crate) struct Pool {
    slots: Box<[Arc<Mutex<Conn>>]>,
    /// Where the next search for a free slot starts, to spread the load.
    next: AtomicUsize,
    /// Async callers waiting for a slot: a lease ending wakes them only when
    /// there are some, so the synchronous path pays one uncontended read-modify-write.
    waiting: AtomicUsize,
    released: Notify,
    timeout: Duration,
}

/// A connection borrowed from the pool until this is dropped.
pub(crate) struct Lease<'p> {
    // Fields drop in order: the lock is released before waiters are woken.
    guard: MutexGuard<'p, Conn>,
    _wake: Wake<&'p Pool>,
}

/// A connection held by value, for a transaction that outlives a borrow.
pub(crate) struct OwnedLease {
    guard: ArcMutexGuard<RawMutex, Conn>,
    _wake: Wake<Arc<Pool>>,
}

/// Wakes the pool's async waiters when dropped.
struct Wake<P: Deref<Target = Pool>>(P);

impl<P: Deref<Target = Pool>> Drop for Wake<P> {
    fn drop(&mut self) {
        // A read-modify-write, not a fence and a load: either it comes after
        // a waiter's increment in `waiting`'s order and sees it, or that
        // increment reads from it and the waiter's next look at the slots
        // sees them unlocked. (On x86 a locked add costs less than `mfence`.)
        if self.0.waiting.fetch_add(0, Ordering::SeqCst) > 0 {
            wake_waiters(&self.0);
        }
    }
}

#[cold]
#[inline(never)]
fn wake_waiters(pool: &Pool) {
    pool.released.notify_waiters();
}

impl Pool {
    pub(crate) fn new(conns: Vec<Conn>, timeout: Duration) -> Pool {
        Pool {
            slots: conns.into_iter().map(|c| Arc::new(Mutex::new(c))).collect(),
            next: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            released: Notify::new(),
            timeout,
        }
    }

    fn start(&self) -> usize {
        let n = self.slots.len();
        if n == 1 { 0 } else { self.next.fetch_add(1, Ordering::Relaxed) % n }
    }

    fn timed_out(&self) -> Error {
        Error::PoolTimeout { size: self.slots.len(), waited: self.timeout }
    }

    /// A free connection now, if there is one.
    #[inline]
    pub(crate) fn try_take(&self) -> Option<Lease<'_>> {
        let n = self.slots.len();
        let start = self.start();
        (0..n).find_map(|i| self.slots[(start + i) % n].try_lock()).map(|guard| Lease { guard, _wake: Wake(self) })
    }

    fn try_take_owned(self: &Arc<Self>) -> Option<OwnedLease> {
        let n = self.slots.len();
        let start = self.start();
        (0..n)
            .find_map(|i| self.slots[(start + i) % n].try_lock_arc())
            .map(|guard| OwnedLease { guard, _wake: Wake(Arc::clone(self)) })
    }

    /// A connection, blocking the thread until one is free or the timeout passes.
    #[inline]
    pub(crate) fn take(&self) -> Result<Lease<'_>> {
        match self.try_take() {
            Some(lease) => Ok(lease),
            None => self.take_waiting(),
        }
    }

    /// [`take`](Self::take) when every connection is busy: out of line, off
    /// the path of a query that finds one free.
    #[cold]
    #[inline(never)]
    fn take_waiting(&self) -> Result<Lease<'_>> {
        let slot = &self.slots[self.start()];
        let guard = slot.try_lock_for(self.timeout).ok_or_else(|| self.timed_out())?;
        Ok(Lease { guard, _wake: Wake(self) })
    }

    /// A connection, awaited: the thread stays free for the task holding one.
    pub(crate) async fn take_async(&self) -> Result<Lease<'_>> {
        match self.try_take() {
            Some(lease) => Ok(lease),
            None => self.wait(|| self.try_take()).await,
        }
    }

    /// An owned connection, awaited.
    pub(crate) async fn take_owned_async(self: &Arc<Self>) -> Result<OwnedLease> {
        match self.try_take_owned() {
            Some(lease) => Ok(lease),
            None => self.wait(|| self.try_take_owned()).await,
        }
    }

    /// Waits until `take` succeeds after a lease ends, or the timeout passes.
    async fn wait<L>(&self, mut take: impl FnMut() -> Option<L>) -> Result<L> {
        let _waiting = Waiting::new(&self.waiting);
        let deadline = Instant::now() + self.timeout;
        // A timer of its own thread: this works on any executor, and on a
        // tokio runtime built without its time driver.
        let mut timer = pin!(futures_timer::Delay::new(self.timeout));
        loop {
            let mut released = pin!(self.released.notified());
            // Registered before looking, so a lease ending in between still wakes us.
            released.as_mut().enable();
            fence(Ordering::SeqCst);
            if let Some(lease) = take() {
                return Ok(lease);
            }
            if Instant::now() >= deadline {
                return Err(self.timed_out());
            }
            let woke = std::future::poll_fn(|cx| {
                if released.as_mut().poll(cx).is_ready() {
                    Poll::Ready(true)
                } else {
                    timer.as_mut().poll(cx).map(|()| false)
                }
            })
            .await;
            if !woke {
                // One last look: a lease may have ended just as the timer fired.
                return take().ok_or_else(|| self.timed_out());
            }
        }
    }
}

/// Counts one async waiter for as long as it waits, even if its future is dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Deref for Lease<'_> {
    type Target = Conn;
    #[inline]
    fn deref(&self) -> &Conn {
        &self.guard
    }
}

impl DerefMut for Lease<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.guard
    }
}

impl Deref for OwnedLease {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.guard
    }
}

impl DerefMut for OwnedLease {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.guard
    }
}

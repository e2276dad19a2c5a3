//! How a transaction begins: its isolation level, whether it may write, and
//! how many times a conflicting one is tried.

use crate::error::Error;

/// The isolation level of a transaction (SQL's names).
///
/// SQLite's transactions are always serializable, which every level here
/// allows, so it takes any of them as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Isolation {
    /// Each statement sees what was committed before it began.
    ReadCommitted,
    /// The transaction sees what was committed before it began (MySQL's default).
    RepeatableRead,
    /// As if transactions ran one after another; a transaction that cannot
    /// be placed in such an order fails with [`Error::Conflict`], to be run
    /// again ([`transaction_with_retry`](crate::postgres::Db::transaction_with_retry)).
    Serializable,
}

impl Isolation {
    /// The level as SQL writes it.
    pub fn sql(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "READ COMMITTED",
            Isolation::RepeatableRead => "REPEATABLE READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

/// How a transaction begins: `TxOptions::new().isolation(Isolation::Serializable).read_only()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxOptions {
    pub(crate) isolation: Option<Isolation>,
    pub(crate) read_only: bool,
    pub(crate) attempts: u32,
}

impl Default for TxOptions {
    fn default() -> Self {
        TxOptions { isolation: None, read_only: false, attempts: 3 }
    }
}

impl TxOptions {
    /// The backend's defaults: its own isolation level, writes allowed, and
    /// three attempts for [`transaction_with_retry`](crate::postgres::Db::transaction_with_retry).
    pub fn new() -> Self {
        TxOptions::default()
    }

    /// The isolation level.
    pub fn isolation(mut self, level: Isolation) -> Self {
        self.isolation = Some(level);
        self
    }

    /// The transaction only reads: a write in it fails (PostgreSQL and MySQL
    /// `READ ONLY`; SQLite's `query_only` for the transaction's duration).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// How many times `transaction_with_retry` runs a transaction that
    /// fails with a conflict (at least once).
    pub fn attempts(mut self, n: u32) -> Self {
        self.attempts = n.max(1);
        self
    }

    /// Whether beginning needs more than the backend's plain `BEGIN`.
    #[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
    pub(crate) fn changes_begin(&self) -> bool {
        self.isolation.is_some() || self.read_only
    }
}

/// An error that can say whether the transaction it ended should be run
/// again: implemented for [`Error`] (a [`Conflict`](Error::Conflict):
/// serialization failure, deadlock, lock timeout, busy database). An
/// application's error type implements it by asking its database error.
///
/// ```
/// # use ormlet_core::{Error, transaction::Retryable};
/// enum AppError { Db(Error), OnLoan }
/// impl From<Error> for AppError {
///     fn from(e: Error) -> Self { AppError::Db(e) }
/// }
/// impl Retryable for AppError {
///     fn is_conflict(&self) -> bool {
///         matches!(self, AppError::Db(e) if e.is_conflict())
///     }
/// }
/// ```
pub trait Retryable {
    /// The database gave up on the transaction because of another one;
    /// running it again may succeed.
    fn is_conflict(&self) -> bool;
}

impl Retryable for Error {
    fn is_conflict(&self) -> bool {
        Error::is_conflict(self)
    }
}

/// How long to wait before attempt `n + 1` (from 1): growing, with jitter so
/// that transactions which collided do not collide again in step.
pub(crate) fn backoff(n: u32) -> std::time::Duration {
    use std::hash::{BuildHasher, RandomState};
    let base_ms = 2u64.saturating_pow(n.min(7)); // 2, 4, ... 128 ms
    let jitter = RandomState::new().hash_one(std::time::Instant::now()) % (base_ms * 1000);
    std::time::Duration::from_micros(base_ms * 500 + jitter / 2)
}

//! The server backends, PostgreSQL and MySQL/MariaDB, on sqlx pools.
//!
//! One generic [`Db`] and [`Tx`] over a [`Driver`]; what differs between
//! the servers (binding, decoding, error codes) is each driver's few
//! functions. The jobs are the same ones SQLite runs, and transactions are
//! the engine's ([`Transaction`]).

mod cell;
mod conn;
mod db;
mod driver;
mod error;
mod lender;
#[cfg(feature = "mysql")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod run;
mod url;

use std::future::Future;
use std::pin::Pin;

pub use cell::Cell;
pub use conn::ServerConn;
pub use db::{Db, DbOptions};
pub use driver::Driver;
pub(crate) use driver::bind_value;
pub(crate) use error::connect as connect_error;
pub use run::Runs;

pub use crate::executor::QueryFuture;
use crate::transaction::Transaction;

type BoxStream<'c, T> = Pin<Box<dyn futures_util::Stream<Item = T> + Send + 'c>>;
type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// An open transaction on a server backend; queries run on it see its
/// writes. `commit()` ends it; dropping it rolls it back.
pub type Tx<D> = Transaction<ServerConn<D>>;

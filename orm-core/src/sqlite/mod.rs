//! SQLite through rusqlite: the embedded default.
//!
//! [`Db`] is synchronous; [`AsyncDb`] is the same database for async code.
//!
//! Each connection holds its prepared statements across queries, and plans
//! each one once whatever values it runs with (see
//! [`DbOptions::stable_query_plans`]); foreign keys are on, and a file
//! database runs in WAL mode with a pool of connections.

mod async_db;
mod async_tx;
mod bind;
mod conn;
mod db;
mod error;
mod functions;
mod pace;
mod pool;
mod statements;
mod tx;

pub use async_db::{AsyncDb, AsyncQuery};
pub use async_tx::{AsyncTx, Pooled};
pub use bind::SqliteBinder;
pub use conn::Conn;
pub use db::{Db, DbOptions};
pub use tx::Tx;

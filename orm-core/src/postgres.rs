//! PostgreSQL through sqlx (feature `postgres`): the same models and
//! queries as SQLite, awaited.
//!
//! ```no_run
//! # async fn demo() -> ormlet_core::Result<()> {
//! use ormlet_core::prelude::*;
//! # use ormlet_core::doc_models::User;
//! let db = ormlet_core::postgres::Db::connect("postgres://postgres@127.0.0.1/app").await?;
//! db.create_table::<User>().await?;
//! let adults = User::find().filter(User::AGE.gte(18)).all(&db).await?;
//! # Ok(()) }
//! ```

/// A PostgreSQL connection pool.
pub type Db = crate::server::Db<sqlx::Postgres>;
/// An open PostgreSQL transaction.
pub type Tx = crate::server::Tx<sqlx::Postgres>;
/// Options for opening a [`Db`].
pub type DbOptions = crate::server::DbOptions<sqlx::Postgres>;
pub use crate::server::QueryFuture;

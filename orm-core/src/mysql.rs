//! MySQL and MariaDB through sqlx (feature `mysql`): the same models and
//! queries as SQLite, awaited.
//!
//! DDL commits implicitly on MySQL: a transaction that creates or alters
//! tables cannot be rolled back past that statement.
//!
//! ```no_run
//! # async fn demo() -> ormlet_core::Result<()> {
//! use ormlet_core::prelude::*;
//! # use ormlet_core::doc_models::User;
//! let db = ormlet_core::mysql::Db::connect("mysql://root@127.0.0.1/app").await?;
//! db.create_table::<User>().await?;
//! let adults = User::find().filter(User::AGE.gte(18)).all(&db).await?;
//! # Ok(()) }
//! ```

/// A MySQL or MariaDB connection pool.
pub type Db = crate::server::Db<sqlx::MySql>;
/// An open MySQL transaction.
pub type Tx = crate::server::Tx<sqlx::MySql>;
/// Options for opening a [`Db`].
pub type DbOptions = crate::server::DbOptions<sqlx::MySql>;
pub use crate::server::QueryFuture;

//! The query profiler of [ormlet](https://docs.rs/ormlet): every query a
//! request or a test runs, with the line of application code that issued it,
//! and what is wrong with them — duplicates, N+1 loops, eager loads nobody
//! read, slow queries, budgets.
//!
//! ```
//! use ormlet_core::{prelude::*, doc_models::User, sqlite::Db};
//! use ormlet_profiler::{profile, FindingKind};
//!
//! let db = Db::connect("sqlite::memory:")?;
//! db.create_table::<User>()?;
//! let ids: Vec<i64> = (0..3)
//!     .map(|i| User { id: Auto::new(), email: format!("{i}@x.io"), name: "U".into(), age: None }.insert(&db))
//!     .collect::<Result<_, _>>()?;
//!
//! let (_, p) = profile(|| {
//!     for id in &ids {
//!         User::get(&db, *id).unwrap(); // one query per id: an N+1
//!     }
//! });
//! assert_eq!(p.query_count(), 3);
//! let n1 = p.findings_of(FindingKind::NPlusOne).next().unwrap();
//! assert_eq!(n1.count, 3);
//! println!("{}", p.to_text());
//! # Ok::<(), ormlet_core::Error>(())
//! ```
//!
//! Scopes: [`profile`] for synchronous code, [`profile_async`] for a future
//! (held by the future and entered at each of its polls, so concurrent
//! requests never mix, whichever threads run them); [`spawn`] and
//! [`in_current_profile`] carry a scope into spawned tasks; [`pause`] hides
//! fixtures. Outside any scope nothing is kept.
//!
//! Scopes nest: a query belongs to its innermost scope and to every scope
//! that was current when that one began (a sync scope in a sync one, an
//! async one in an async one, `ProfilerLayer`'s request scope inside a
//! test's `assert_num_queries_async` around `router.oneshot(..)`). Each
//! scope's findings are computed over its own queries; an inner scope hands
//! its queries to the enclosing one when it ends.
//!
//! Unused eager loads: rows loaded with `.with(rel)` note which relations
//! the application read (through `get`, the derive's accessors,
//! `into_parts`, serialising, `Debug` or `==`). A relation that no load of
//! one `.with(..)` call had read when the scope ended is a
//! [`FindingKind::UnusedEagerLoad`] at that call, whose fix is to remove it.
//! Rows read only after the scope ended count as unread there.

#![warn(missing_docs)]

mod assert;
mod config;
mod current;
mod detect;
mod entry;
pub mod fingerprint;
mod format;
mod keyed;
mod profile;
mod recording;
pub(crate) mod report;
mod scope;
#[cfg(feature = "axum")]
pub mod server;
mod state;

pub use assert::{
    assert_max_queries, assert_max_queries_async, assert_no_duplicates, assert_no_duplicates_async,
    assert_no_n_plus_one, assert_no_n_plus_one_async, assert_num_queries, assert_num_queries_async,
    assert_queries_do_not_scale, assert_queries_do_not_scale_async,
};
pub use config::ProfilerConfig;
pub use detect::{Finding, FindingKind, Suggestion};
pub use fingerprint::{FINGERPRINT_VERSION, Fingerprint};
pub use profile::{Profile, RecordedQuery};
pub use report::JSON_SCHEMA_VERSION;
pub use scope::{
    in_current_profile, install, pause, pause_async, profile, profile_async, profile_async_with, profile_with, spawn,
};
#[cfg(feature = "axum")]
pub use server::{History, ProfilerLayer};

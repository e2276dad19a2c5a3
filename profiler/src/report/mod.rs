//! Rendering a profile: a terminal table ([`text`]), a versioned JSON
//! document ([`json`]) and a self-contained page ([`html`]).
//!
//! JSON schema (`"schema": "ormlet.profile"`, `"version": 1`):
//! `summary`, `query_count`, `queries_kept`, `db_time_ms`, `elapsed_ms`,
//! `fingerprint_version`, `findings[]` (`kind`: `n_plus_one` | `duplicate` |
//! `unused_eager_load` | `slow` | `budget`, `fingerprint` as 16 hex digits or null, `sql`, `count`,
//! `total_ms`, `max_ms`, `call_sites[]` as `file:line:column`, `queries[]`
//! sequence numbers, `suggestion`, `plan` or null) and `queries[]` (`seq`, `sql`,
//! `fingerprint`, `operation`, `table`, `values` (null unless captured),
//! `start_ms`, `duration_ms`, `rows`, `backend`, `error`, `tx_depth`,
//! `call_site`, `relation`: the relation a query loaded (`"Post::AUTHOR"`) or
//! null). Fields are only ever added within a version.

pub(crate) mod html;
mod json;
mod snapshot;
mod text;

pub use json::JSON_SCHEMA_VERSION;

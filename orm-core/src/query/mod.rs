//! The typed query builder: pure (it builds a tree, runs nothing), rendered
//! through sea-query, cached per shape.

pub(crate) mod ast;
mod calc;
mod crud;
mod expr;
pub(crate) mod jobs;
mod join;
mod placeholders;
mod raw;
mod render;
mod select;
mod write;

pub use ast::{LockWait, RowLock};
#[cfg(feature = "chrono")]
pub use calc::now;
pub use calc::{Calc, Functions, Term, term_kind};
pub use crud::{Columns, DeleteRow, Get, Insert, InsertMany, ModelExt, OnConflict, UpdateRow, Upsert, UpsertMany};
pub use expr::{
    Agg, Assignment, Column, Contains, Expr, ExprNode, JoinOn, Order, ProjectionList, Selection, TypedExpr, count_all,
    index,
};
pub use jobs::{Execute, FetchAll, FetchExists, FetchOne, FetchOptional};
pub use join::{JoinModels, JoinPath, JoinRow, Joined};
pub use raw::Raw;
pub use select::{Select, exists, not_exists};
pub use write::{DeleteWhere, UpdateWhere};

//! Joins of up to four models: what a join adds to the query's models and
//! to its rows, and the conditions a join may be on (two columns, or a
//! declared relation).

use super::ast::ColumnRef;
use super::expr::JoinOn;
use crate::model::{Model, ModelMeta};
use crate::relation::{BelongsTo, BelongsToField, HasMany};

/// The models a query reads once `N` is joined: `M` → `(M, N)`,
/// `(A, B)` → `(A, B, N)`, `(A, B, C)` → `(A, B, C, N)`.
#[diagnostic::on_unimplemented(
    message = "a query over `{Self}` cannot join one more model",
    note = "a query joins at most four models"
)]
pub trait JoinModels<N> {
    /// The models after the join.
    type Out;
}

impl<M: Model, N> JoinModels<N> for M {
    type Out = (M, N);
}
impl<A: Model, B, N> JoinModels<N> for (A, B) {
    type Out = (A, B, N);
}
impl<A: Model, B, C, N> JoinModels<N> for (A, B, C) {
    type Out = (A, B, C, N);
}

/// The rows of a query once `N` (or `Option<N>`, for a LEFT JOIN) is
/// joined: a model row `M` → `(M, N)`, a pair → a triple, and so on.
#[diagnostic::on_unimplemented(
    message = "rows of `{Self}` cannot take the columns of a joined model",
    note = "join before `select(..)`: a join adds the joined model to each row"
)]
pub trait JoinRow<N> {
    /// The rows after the join.
    type Out;
}

impl<M: Model, N> JoinRow<N> for M {
    type Out = (M, N);
}
impl<A, B, N> JoinRow<N> for (A, B) {
    type Out = (A, B, N);
}
impl<A, B, C, N> JoinRow<N> for (A, B, C) {
    type Out = (A, B, C, N);
}

/// The models of a joined query: what `.with(..)` loads relations for.
pub trait Joined {
    /// The first model.
    type Root: Model;
}
impl<A: Model, B> Joined for (A, B) {
    type Root = A;
}
impl<A: Model, B, C> Joined for (A, B, C) {
    type Root = A;
}
impl<A: Model, B, C, D> Joined for (A, B, C, D) {
    type Root = A;
}

/// What a join is on: two columns (`User::ID.equals(Post::AUTHOR_ID)`), or
/// a declared relation whose keys it reuses (`Book::AUTHOR`, `Author::BOOKS`).
/// `X` is the model already in the query, `N` the one joined.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a way to join `{N}` to `{X}`",
    label = "expected `A::COLUMN.equals(B::COLUMN)` or a relation constant from `{X}` to `{N}`",
    note = "a relation joins from the model it is declared on: `Book::AUTHOR` joins `Author` to a query over `Book`"
)]
pub trait JoinPath<X, N> {
    #[doc(hidden)]
    fn on(self) -> JoinKeys;
}

/// The two columns a join is on, equal; opaque outside ormlet.
#[doc(hidden)]
pub struct JoinKeys(pub(crate) [ColumnRef; 2]);

impl<X, N> JoinPath<X, N> for JoinOn<X, N> {
    fn on(self) -> JoinKeys {
        JoinKeys(self.on)
    }
}

fn columns_equal(a: &'static str, a_col: &'static str, b: &'static str, b_col: &'static str) -> JoinKeys {
    JoinKeys([ColumnRef { table: a, name: a_col }, ColumnRef { table: b, name: b_col }])
}

/// The single-column key a foreign key points at.
fn key_column(meta: &'static ModelMeta) -> &'static str {
    meta.primary_key().next().map_or("id", |c| c.name)
}

/// `Book::AUTHOR`: `JOIN authors ON books.author_id = authors.id`.
impl<M, const F: usize> JoinPath<M, <M as BelongsToField<F>>::Target> for BelongsTo<M, F>
where
    M: BelongsToField<F>,
{
    fn on(self) -> JoinKeys {
        let target = <M as BelongsToField<F>>::Target::meta();
        columns_equal(M::meta().table, <M as BelongsToField<F>>::COLUMN, target.table, key_column(target))
    }
}

/// `Author::BOOKS`: `JOIN books ON authors.id = books.author_id`.
impl<C, const F: usize> JoinPath<<C as BelongsToField<F>>::Target, C> for HasMany<C, F>
where
    C: BelongsToField<F>,
{
    fn on(self) -> JoinKeys {
        let parent = <C as BelongsToField<F>>::Target::meta();
        columns_equal(parent.table, key_column(parent), C::meta().table, <C as BelongsToField<F>>::COLUMN)
    }
}

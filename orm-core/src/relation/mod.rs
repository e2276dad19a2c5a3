//! Relations between models, and loading them: lazily, one parent at a
//! time (`post.author(&db)`), or eagerly for a whole result in one query per
//! relation (`Post::find().with(Post::AUTHOR)`), the fix for an N+1.
//!
//! The derive declares them:
//!
//! - `#[ormlet(belongs_to = User)]` on a foreign-key field `author_id`
//!   gives `Post::AUTHOR` (the field's name without `_id`), a `FOREIGN KEY`
//!   in the schema, and `post.author(&db)`;
//! - `#[ormlet(has_many(posts = Post))]` on `User` gives `User::POSTS`, the
//!   inverse of `Post`'s one `belongs_to = User` field, and `user.posts(&db)`;
//! - `#[ormlet(many_to_many(tags = Tag, through = ArticleTag))]` on
//!   `Article` gives `Article::TAGS` through a join model with a
//!   `belongs_to` to each side, and `article.tags(&db)`.
//!
//! Eager results are [`Loaded`] values: they dereference to the model and
//! hold what was loaded, read with [`Loaded::get`] (`post.get(Post::AUTHOR)`)
//! or the accessor trait the derive generates (`post.author()`, from
//! `PostRelations`). Asking for a relation that the query did not load is a
//! compile error, not a hidden query.
//!
//! A foreign key whose target row is missing (possible only without
//! foreign-key enforcement) is an [`Error::NotFound`]
//! naming the target model and key, lazily and eagerly; a NULL in an
//! `Option` foreign key loads as `None`.

mod eager;
mod filter;
mod lazy;
mod load;
#[cfg(feature = "serde")]
mod serialize;

use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;

pub use eager::{
    Eager, EagerAll, EagerOne, EagerOptional, Holds, Include, IncludeData, Loaded, Nested, Related, With, WithRelation,
    WithSites, index,
};
pub use filter::ToMany;
pub use lazy::{LoadRelation, load_relation};

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::events::RelationLoad;
use crate::model::Model;
use crate::row::FromRow;
use crate::types::FieldType;

/// A `belongs_to` foreign-key field of a model; the derive implements it for
/// the field at position `F`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `belongs_to` field at position {F}",
    note = "relations are declared with `#[ormlet(belongs_to = Target)]` on a foreign-key field"
)]
pub trait BelongsToField<const F: usize>: Model {
    /// The model the key points at.
    type Target: Model;
    /// The field's type: the target's key, or an `Option` of it.
    type Fk: ForeignKeyField<<Self::Target as Model>::Key> + FromRow;
    /// The relation as code names it: `"Post::AUTHOR"`.
    const NAME: &'static str;
    /// The foreign-key column.
    const COLUMN: &'static str;
    /// The field's value.
    fn fk(&self) -> &Self::Fk;
}

/// The type of a foreign-key field pointing at a model whose key is `K`:
/// `K` itself (the target must exist) or `Option<K>` (NULL: no target).
#[diagnostic::on_unimplemented(
    message = "a foreign key of type `{Self}` cannot point at a key of type `{K}`",
    label = "this field's type does not match the target's primary key",
    note = "a `belongs_to` field has the target's key type, or an `Option` of it"
)]
pub trait ForeignKeyField<K>: Send + Sync {
    /// What one parent holds once the target is loaded: `T`, or `Option<T>`.
    type One<T: Clone + Send>: Clone + Send;
    /// The key, or `None` for NULL.
    fn key(&self) -> Option<&K>;
    /// Wraps the loaded target; a missing target for a non-NULL key is `NotFound`.
    fn one<T: Clone + Send>(&self, found: Option<T>, target: &'static str) -> Result<Self::One<T>>;
}

fn dangling<K: std::fmt::Debug>(target: &'static str, key: &K) -> Error {
    Error::NotFound { model: target, key: Some(format!("{key:?}")) }
}

impl<K: FieldType + std::fmt::Debug + Send + Sync> ForeignKeyField<K> for K {
    type One<T: Clone + Send> = T;
    fn key(&self) -> Option<&K> {
        Some(self)
    }
    fn one<T: Clone + Send>(&self, found: Option<T>, target: &'static str) -> Result<T> {
        found.ok_or_else(|| dangling(target, self))
    }
}

impl<K: FieldType + std::fmt::Debug + Send + Sync> ForeignKeyField<K> for Option<K> {
    type One<T: Clone + Send> = Option<T>;
    fn key(&self) -> Option<&K> {
        self.as_ref()
    }
    fn one<T: Clone + Send>(&self, found: Option<T>, target: &'static str) -> Result<Option<T>> {
        match self {
            None => Ok(None),
            Some(k) => found.map(Some).ok_or_else(|| dangling(target, k)),
        }
    }
}

/// The one `belongs_to` field of `Self` that points at `T`, which a
/// `has_many` or `many_to_many` on `T` goes through.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no single `belongs_to = {T}` field",
    label = "`has_many` and `many_to_many` go through the one foreign key of this model that points back",
    note = "add `#[ormlet(belongs_to = {T})]` to the foreign-key field of `{Self}` (exactly one such field)"
)]
pub trait ForeignKeyTo<T: Model>: Model {
    /// Position of the field, as in [`BelongsToField`].
    const FIELD: usize;
}

/// A relation: how to load the `Target`s of a batch of `Parent`s. Implemented
/// by [`BelongsTo`], [`HasMany`] and [`ManyToMany`].
pub trait Relation: Copy + Send + Sync + 'static {
    /// The model the relation is declared on.
    type Parent: Model;
    /// The model it loads.
    type Target: Model;
    /// What one parent holds once loaded, given the loaded target type `X`:
    /// `X` or `Option<X>` for `belongs_to`, `Vec<X>` for the to-many kinds.
    type Data<X: Clone + Send>: Clone + Send;

    /// The relation's name in code, e.g. `"Post::AUTHOR"`.
    fn name(&self) -> &'static str;

    /// Loads the targets of `parents`, one query per chunk of keys, loads
    /// `nest` (relations of the targets) for them, and groups them by
    /// parent, in the parents' order.
    #[doc(hidden)]
    fn load<'a, C: Connection, N: With<Self::Target>>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        parents: &'a [Self::Parent],
        nest: &'a N,
    ) -> impl Future<Output = Result<Vec<Self::Data<N::Item>>>> + Send + 'a;
}

/// Where and how a load runs: the application's call site and whether it
/// is an eager batch (for the profiler).
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct LoadSite {
    pub(crate) loc: &'static std::panic::Location<'static>,
    pub(crate) eager: bool,
    /// The `.with(..)` that asked for the relation being loaded (its nested
    /// relations are reported there too); `loc` for a lazy load.
    pub(crate) with_at: &'static std::panic::Location<'static>,
}

impl LoadSite {
    pub(crate) fn eager(loc: &'static std::panic::Location<'static>) -> Self {
        LoadSite { loc, eager: true, with_at: loc }
    }

    pub(crate) fn lazy(loc: &'static std::panic::Location<'static>) -> Self {
        LoadSite { loc, eager: false, with_at: loc }
    }

    /// The same load, for the relation asked for at `with_at`.
    pub(crate) fn asked_at(self, with_at: &'static std::panic::Location<'static>) -> Self {
        LoadSite { with_at, ..self }
    }

    fn event<R: Relation>(self, rel: &R) -> RelationLoad {
        RelationLoad { relation: rel.name(), parent_table: R::Parent::meta().table, eager: self.eager }
    }
}

/// `Post::AUTHOR`: the model `M`'s foreign-key field at position `F`, and
/// the model it points at.
pub struct BelongsTo<M, const F: usize>(PhantomData<fn() -> M>);

/// `User::POSTS`: the children `C` whose foreign-key field `F` points at the
/// parent (the inverse of a [`BelongsTo<C, F>`]).
pub struct HasMany<C, const F: usize> {
    name: &'static str,
    _c: PhantomData<fn() -> C>,
}

/// `Article::TAGS`: targets reached through the join model `J`, whose field
/// `P` points at the parent and field `T` at the target.
pub struct ManyToMany<J, const P: usize, const T: usize> {
    name: &'static str,
    _j: PhantomData<fn() -> J>,
}

impl<M, const F: usize> BelongsTo<M, F> {
    /// The relation constant (the derive generates it).
    pub const fn new() -> Self {
        BelongsTo(PhantomData)
    }
}

impl<M, const F: usize> Default for BelongsTo<M, F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C, const F: usize> HasMany<C, F> {
    /// The relation constant named `name` in code (the derive generates it).
    pub const fn new(name: &'static str) -> Self {
        HasMany { name, _c: PhantomData }
    }
}

impl<J, const P: usize, const T: usize> ManyToMany<J, P, T> {
    /// The relation constant named `name` in code (the derive generates it).
    pub const fn new(name: &'static str) -> Self {
        ManyToMany { name, _j: PhantomData }
    }
}

macro_rules! copy_impls {
    ($name:ident < $m:ident $(, const $c:ident)* >) => {
        impl<$m $(, const $c: usize)*> Clone for $name<$m $(, $c)*> {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<$m $(, const $c: usize)*> Copy for $name<$m $(, $c)*> {}
    };
}
copy_impls!(BelongsTo<M, const F>);
copy_impls!(HasMany<C, const F>);
copy_impls!(ManyToMany<J, const P, const T>);

impl<M: BelongsToField<F>, const F: usize> std::fmt::Debug for BelongsTo<M, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(M::NAME)
    }
}

impl<C, const F: usize> std::fmt::Debug for HasMany<C, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl<J, const P: usize, const T: usize> std::fmt::Debug for ManyToMany<J, P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The key types relations can batch on: hashable single-column keys.
pub trait RelationKey: FieldType + Hash + Eq + Clone + std::fmt::Debug + Send + Sync + 'static {}
impl<K: FieldType + Hash + Eq + Clone + std::fmt::Debug + Send + Sync + 'static> RelationKey for K {}

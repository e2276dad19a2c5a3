//! Eager loading: `.with(Post::AUTHOR)` on a query, one query per relation
//! level, and [`Loaded`] rows that hold what was loaded.

use std::marker::PhantomData;
use std::panic::Location;

use std::sync::Arc;

use super::{BelongsTo, HasMany, LoadSite, ManyToMany, Relation};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::events::{self, EagerRelation, LoadedRelations};
use crate::executor::{Executor, Job};
use crate::model::Model;
use crate::query::jobs::Source;
use crate::query::{Contains, Expr, Order, Select};
use std::future::Future;

/// The relations to load for rows of `M`: `()` for none, or `(I, Rest)`,
/// which [`WithRelation::with`] and [`Eager::with`] build. Never written by hand.
pub trait With<M: Model>: Send + Sync {
    /// What a row becomes: `M` itself when nothing is loaded, else [`Loaded<M, Self>`].
    type Item: Clone + Send;
    /// What one row holds.
    #[doc(hidden)]
    type Data: Clone + Send;

    #[doc(hidden)]
    fn data<'a, C: Connection>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        sites: WithSites<'a>,
        rows: &'a [M],
    ) -> impl Future<Output = Result<Vec<Self::Data>>> + Send + 'a;

    #[doc(hidden)]
    fn attach<'a, C: Connection>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        sites: WithSites<'a>,
        rows: Vec<M>,
    ) -> impl Future<Output = Result<Vec<Self::Item>>> + Send + 'a;

    /// The relations, named as in code (`"Post::AUTHOR"`), with the
    /// `.with(..)` that asked for each, in `Data`'s order.
    #[doc(hidden)]
    fn relations(&self, at: LoadSite, sites: WithSites<'_>, out: &mut Vec<EagerRelation>);
}

/// Where each relation of a list was asked for: a query's `.with(..)`
/// calls (in call order, so the list's first relation is the last call),
/// or one outer `.with(..)` for every relation of a nested list.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum WithSites<'a> {
    Each(&'a [&'static Location<'static>]),
    All(&'static Location<'static>),
}

impl<'a> WithSites<'a> {
    /// The site of the list's first relation (`or` if none was noted).
    fn first(self, or: &'static Location<'static>) -> &'static Location<'static> {
        match self {
            WithSites::Each(sites) => sites.last().copied().unwrap_or(or),
            WithSites::All(site) => site,
        }
    }

    /// The sites of the relations after the first.
    fn rest(self) -> WithSites<'a> {
        match self {
            WithSites::Each(sites) => WithSites::Each(sites.split_last().map_or(sites, |(_, rest)| rest)),
            all => all,
        }
    }
}

impl<M: Model + Clone> With<M> for () {
    type Item = M;
    type Data = ();

    fn data<'a, C: Connection>(
        &'a self,
        _: &'a mut C,
        _: LoadSite,
        _: WithSites<'a>,
        rows: &'a [M],
    ) -> impl Future<Output = Result<Vec<()>>> + Send + 'a {
        std::future::ready(Ok(vec![(); rows.len()]))
    }

    fn attach<'a, C: Connection>(
        &'a self,
        _: &'a mut C,
        _: LoadSite,
        _: WithSites<'a>,
        rows: Vec<M>,
    ) -> impl Future<Output = Result<Vec<M>>> + Send + 'a {
        std::future::ready(Ok(rows))
    }

    fn relations(&self, _: LoadSite, _: WithSites<'_>, _: &mut Vec<EagerRelation>) {}
}

/// What one parent holds for the include `I`.
pub type IncludeData<I> = <<I as Include>::Rel as Relation>::Data<
    <<I as Include>::Nest as With<<<I as Include>::Rel as Relation>::Target>>::Item,
>;

impl<M, I, Rest> With<M> for (I, Rest)
where
    M: Model + Clone,
    I: Include,
    I::Rel: Relation<Parent = M>,
    Rest: With<M>,
{
    type Item = Loaded<M, Self>;
    type Data = (IncludeData<I>, Rest::Data);

    async fn data<'a, C: Connection>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        sites: WithSites<'a>,
        rows: &'a [M],
    ) -> Result<Vec<Self::Data>> {
        // `Rest` holds the earlier `.with(...)` calls: they load first.
        let rest = self.1.data(conn, at, sites.rest(), rows).await?;
        let (rel, nest) = self.0.parts();
        let mine = rel.load(conn, at.asked_at(sites.first(at.loc)), rows, nest).await?;
        Ok(mine.into_iter().zip(rest).collect())
    }

    async fn attach<'a, C: Connection>(
        &'a self,
        conn: &'a mut C,
        at: LoadSite,
        sites: WithSites<'a>,
        rows: Vec<M>,
    ) -> Result<Vec<Self::Item>> {
        let data = self.data(conn, at, sites, &rows).await?;
        let mut relations = Vec::new();
        self.relations(at, sites, &mut relations);
        let loaded = Arc::new(LoadedRelations::new(relations.into(), rows.len(), at.loc));
        // The scope looks at what was read when it ends.
        events::with_current_sink(|sink| {
            if let Some(sink) = sink {
                sink.eager_loaded(&loaded);
            }
        });
        Ok(rows.into_iter().zip(data).map(|(model, data)| Loaded { model, data, loaded: loaded.clone() }).collect())
    }

    fn relations(&self, at: LoadSite, sites: WithSites<'_>, out: &mut Vec<EagerRelation>) {
        out.push(EagerRelation { relation: self.0.parts().0.name(), with_site: sites.first(at.loc) });
        self.1.relations(at, sites.rest(), out);
    }
}

/// One relation to load, possibly with relations of its own: a relation
/// constant (`Post::AUTHOR`) or a [`Nested`] one (`User::POSTS.with(Post::COMMENTS)`).
pub trait Include: Send + Sync + 'static {
    /// The relation.
    type Rel: Relation;
    /// What to load for its targets in turn.
    type Nest: With<<Self::Rel as Relation>::Target>;

    #[doc(hidden)]
    fn parts(&self) -> (&Self::Rel, &Self::Nest);
}

macro_rules! include_relation {
    ($name:ident < $m:ident $(, const $c:ident)* >) => {
        impl<$m: 'static $(, const $c: usize)*> Include for $name<$m $(, $c)*>
        where
            Self: Relation,
            <Self as Relation>::Target: Clone,
        {
            type Rel = Self;
            type Nest = ();
            fn parts(&self) -> (&Self, &()) {
                (self, &())
            }
        }

        impl<$m $(, const $c: usize)*> $name<$m $(, $c)*> {
            /// Loads `inner` for this relation's targets too:
            /// `User::POSTS.with(Post::COMMENTS)`.
            pub fn with<I>(self, inner: I) -> Nested<Self, (I, ())>
            where
                Self: Relation,
                I: Include,
                I::Rel: Relation<Parent = <Self as Relation>::Target>,
            {
                Nested { rel: self, nest: (inner, ()) }
            }
        }
    };
}
include_relation!(BelongsTo<M, const F>);
include_relation!(HasMany<C, const F>);
include_relation!(ManyToMany<J, const P, const T>);

/// A relation with relations of its targets to load: `User::POSTS.with(Post::COMMENTS)`.
#[derive(Clone, Copy)]
pub struct Nested<R, N> {
    rel: R,
    nest: N,
}

impl<R: Relation, N> Nested<R, N> {
    /// Loads one more relation of the targets.
    pub fn with<I>(self, inner: I) -> Nested<R, (I, N)>
    where
        I: Include,
        I::Rel: Relation<Parent = R::Target>,
    {
        Nested { rel: self.rel, nest: (inner, self.nest) }
    }
}

impl<R: Relation, N: With<R::Target> + 'static> Include for Nested<R, N> {
    type Rel = R;
    type Nest = N;
    fn parts(&self) -> (&R, &N) {
        (&self.rel, &self.nest)
    }
}

/// Index types for [`Holds`]; inferred, never named.
#[doc(hidden)]
pub mod index {
    /// The relation is the list's first.
    pub struct Here;
    /// The relation is further down the list.
    pub struct There<I>(std::marker::PhantomData<I>);
}
use index::{Here, There};

/// Proves that the list `Self` loads the relation `R` for rows of `M`.
#[diagnostic::on_unimplemented(
    message = "the relation `{R}` was not loaded by this query",
    label = "not loaded with `.with(...)`",
    note = "add `.with(...)` with this relation to the query, or load it lazily with the accessor that takes `&db`"
)]
pub trait Holds<M: Model, R, Idx>: With<M> {
    /// What each row holds for `R`.
    type Out;
    /// `R`'s position in the list (and in `Data`).
    #[doc(hidden)]
    const INDEX: usize;
    #[doc(hidden)]
    fn pick(data: &Self::Data) -> &Self::Out;
}

#[diagnostic::do_not_recommend]
impl<M, I, Rest> Holds<M, I::Rel, Here> for (I, Rest)
where
    M: Model + Clone,
    I: Include,
    I::Rel: Relation<Parent = M>,
    Rest: With<M>,
{
    type Out = IncludeData<I>;
    const INDEX: usize = 0;
    fn pick(data: &Self::Data) -> &Self::Out {
        &data.0
    }
}

#[diagnostic::do_not_recommend]
impl<M, I, Rest, R, Idx> Holds<M, R, There<Idx>> for (I, Rest)
where
    M: Model + Clone,
    I: Include,
    I::Rel: Relation<Parent = M>,
    Rest: Holds<M, R, Idx>,
{
    type Out = Rest::Out;
    const INDEX: usize = Rest::INDEX + 1;
    fn pick(data: &Self::Data) -> &Self::Out {
        Rest::pick(&data.1)
    }
}

/// A row of `M` with the relations `L` loaded. Dereferences to the model;
/// read a relation with [`get`](Loaded::get) or the derive's accessor trait.
pub struct Loaded<M: Model, L: With<M>> {
    pub(super) model: M,
    pub(super) data: L::Data,
    /// The relations, in `data`'s order (named for serialising), and which
    /// of them were read; shared by the rows of one load.
    pub(super) loaded: Arc<LoadedRelations>,
}

impl<M: Model, L: With<M>> Loaded<M, L> {
    /// What `rel` loaded for this row: the target (`Option` of it for a
    /// nullable key) for `belongs_to`, a `Vec` for the to-many kinds.
    /// A relation the query did not load does not compile.
    pub fn get<R, Idx>(&self, rel: R) -> &L::Out
    where
        L: Holds<M, R, Idx>,
    {
        let _ = rel;
        self.loaded.mark(L::INDEX);
        L::pick(&self.data)
    }

    /// The model, dropping what was loaded.
    pub fn into_inner(self) -> M {
        self.model
    }

    /// The model and what was loaded, moved out without cloning. The
    /// relations come as nested pairs, the last `.with(..)` first:
    /// `Post::find().with(Post::AUTHOR).with(Post::TAGS)` gives
    /// `(post, (tags, (author, ())))`.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, Post};
    /// # let db = ormlet_core::sqlite::Db::connect("sqlite::memory:")?;
    /// # db.create_table::<User>()?; db.create_table::<Post>()?;
    /// # let ann_id = User { id: Auto::new(), email: "a@x.io".into(), name: "Ann".into(), age: None }.insert(&db)?;
    /// # Post { id: Auto::new(), author_id: ann_id, title: "Hi".into() }.insert(&db)?;
    /// let post = Post::find().with(Post::AUTHOR).one(&db)?;
    /// let (post, (author, ())) = post.into_parts();
    /// assert_eq!((post.title.as_str(), author.name.as_str()), ("Hi", "Ann"));
    /// # Ok::<(), ormlet_core::Error>(())
    /// ```
    pub fn into_parts(self) -> (M, L::Data) {
        self.loaded.mark_all();
        (self.model, self.data)
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }
}

/// The derive's accessor traits read relations through this; `Out` is a
/// parameter rather than an associated type so that a relation that was not
/// loaded fails on the derive's own trait, whose error names the constant.
pub trait Related<R, Idx, Out> {
    /// What the row holds for `R`.
    fn related(&self) -> &Out;
}

#[diagnostic::do_not_recommend]
impl<M: Model, L: Holds<M, R, Idx, Out = Out>, R, Idx, Out> Related<R, Idx, Out> for Loaded<M, L> {
    fn related(&self) -> &Out {
        self.loaded.mark(L::INDEX);
        L::pick(&self.data)
    }
}

impl<M: Model, L: With<M>> std::ops::Deref for Loaded<M, L> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.model
    }
}

impl<M: Model, L: With<M>> std::ops::DerefMut for Loaded<M, L> {
    fn deref_mut(&mut self) -> &mut M {
        &mut self.model
    }
}

impl<M: Model + Clone, L: With<M>> Clone for Loaded<M, L> {
    fn clone(&self) -> Self {
        Loaded { model: self.model.clone(), data: self.data.clone(), loaded: self.loaded.clone() }
    }
}

impl<M: Model + std::fmt::Debug, L: With<M>> std::fmt::Debug for Loaded<M, L>
where
    L::Data: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.loaded.mark_all();
        f.debug_struct("Loaded").field("model", &self.model).field("relations", &self.data).finish()
    }
}

impl<M: Model + PartialEq, L: With<M>> PartialEq for Loaded<M, L>
where
    L::Data: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.loaded.mark_all();
        other.loaded.mark_all();
        self.model == other.model && self.data == other.data
    }
}

/// `.with(rel)` on a query: the relations its rows load too. In the prelude.
pub trait WithRelation<M>: Sized {
    /// Loads a relation of the rows too, in one more query per relation
    /// level (keys batched with `IN`): the fix for an N+1. Rows come back
    /// as [`Loaded`].
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, Post};
    /// # let db = ormlet_core::sqlite::Db::connect("sqlite::memory:")?;
    /// # db.create_table::<User>()?; db.create_table::<Post>()?;
    /// # let mut ann = User { id: Auto::new(), email: "a@x.io".into(), name: "Ann".into(), age: None };
    /// # let ann_id = ann.insert(&db)?;
    /// # Post { id: Auto::new(), author_id: ann_id, title: "Hi".into() }.insert(&db)?;
    /// let posts = Post::find().with(Post::AUTHOR).all(&db)?; // 2 queries, whatever the number of posts
    /// for post in &posts {
    ///     assert_eq!(post.get(Post::AUTHOR).name, "Ann");
    /// }
    /// # Ok::<(), ormlet_core::Error>(())
    /// ```
    #[track_caller]
    fn with<I>(self, rel: I) -> Eager<M, (I, ())>
    where
        I: Include,
        I::Rel: Relation<Parent = M>;
}

/// Every query of whole rows (a `Select<M, M>`, or what converts into one).
impl<M: Model + Clone, Q: Into<Select<M, M>>> WithRelation<M> for Q {
    #[track_caller]
    fn with<I>(self, rel: I) -> Eager<M, (I, ())>
    where
        I: Include,
        I::Rel: Relation<Parent = M>,
    {
        Eager { select: self.into(), with: (rel, ()), sites: vec![Location::caller()], _source: PhantomData }
    }
}

/// A query of `M` whose rows load the relations `L` too; from [`WithRelation::with`].
/// `S` is what the query reads: `M`, or the models of a join (whose rows
/// are `M`'s, the joined models serving filters and orderings).
#[must_use = "a query does nothing until a terminal method such as `.all(&db)` runs it"]
pub struct Eager<M, L, S = M> {
    select: Select<M, M>,
    with: L,
    /// Where each `.with(..)` was called, in call order (for the profiler's
    /// unused-eager-load finding).
    sites: Vec<&'static Location<'static>>,
    _source: PhantomData<fn() -> S>,
}

impl<M: Model + Clone, I: Include> Eager<M, (I, ()), M> {
    /// The rows of a joined query, with `rel` loaded: only `M`'s columns are read.
    pub(crate) fn of_join<S>(
        mut ast: crate::query::ast::SelectAst,
        rel: I,
        at: &'static Location<'static>,
    ) -> Eager<M, (I, ()), S> {
        ast.projection = vec![crate::query::ast::Projection::Model(M::meta())];
        Eager { select: Select::from_ast(ast), with: (rel, ()), sites: vec![at], _source: PhantomData }
    }
}

impl<M: Model + Clone, L: With<M>, S> Eager<M, L, S> {
    /// Loads one more relation.
    #[track_caller]
    pub fn with<I>(mut self, rel: I) -> Eager<M, (I, L), S>
    where
        I: Include,
        I::Rel: Relation<Parent = M>,
    {
        self.sites.push(Location::caller());
        Eager { select: self.select, with: (rel, self.with), sites: self.sites, _source: PhantomData }
    }

    /// Adds a condition (see [`Select::filter`]), on any model the query reads.
    pub fn filter<F, I>(mut self, condition: Expr<F>) -> Self
    where
        S: Contains<F, I>,
    {
        self.select.and_filter(condition.node);
        self
    }

    /// Adds a sort key (see [`Select::order_by`]), on any model the query reads.
    pub fn order_by<F, I>(mut self, order: Order<F>) -> Self
    where
        S: Contains<F, I>,
    {
        self.select.push_order(order);
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.select = self.select.limit(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.select = self.select.offset(n);
        self
    }

    /// Page `page` (from 1) of `per_page` rows.
    pub fn page(mut self, page: u64, per_page: u64) -> Self {
        self.select = self.select.page(page, per_page);
        self
    }

    /// Every row, with its relations.
    #[track_caller]
    pub fn all<E: Executor>(self, db: &E) -> E::Output<'_, EagerAll<M, L>> {
        db.run(EagerAll { select: self.select, with: self.with, sites: self.sites, loc: Location::caller() })
    }

    /// The first row with its relations, or `None`.
    #[track_caller]
    pub fn first<E: Executor>(self, db: &E) -> E::Output<'_, EagerOptional<M, L>> {
        db.run(EagerOptional {
            select: self.select.limit(1),
            with: self.with,
            sites: self.sites,
            loc: Location::caller(),
        })
    }

    /// The first row with its relations, or [`Error::NotFound`].
    #[track_caller]
    pub fn one<E: Executor>(self, db: &E) -> E::Output<'_, EagerOne<M, L>> {
        db.run(EagerOne { select: self.select.limit(1), with: self.with, sites: self.sites, loc: Location::caller() })
    }
}

async fn run_eager<C: Connection, M: Model + Clone, L: With<M>>(
    conn: &mut C,
    select: Select<M, M>,
    with: &L,
    sites: &[&'static Location<'static>],
    loc: &'static Location<'static>,
) -> Result<Vec<L::Item>> {
    let mut source = Source::Select(select.ast);
    let mut rows = Vec::with_capacity(source.rows_to_reserve::<M>());
    let p = source.prepare(conn.backend(), loc, None);
    p.fetch(conn, |r: M| {
        rows.push(r);
        true
    })
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    with.attach(conn, LoadSite::eager(loc), WithSites::Each(sites), rows).await
}

/// Job of [`Eager::all`].
#[doc(hidden)]
pub struct EagerAll<M, L> {
    select: Select<M, M>,
    with: L,
    sites: Vec<&'static Location<'static>>,
    loc: &'static Location<'static>,
}

impl<M: Model + Clone, L: With<M>> Job for EagerAll<M, L> {
    type Out = Vec<L::Item>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Self::Out> {
        run_eager(conn, self.select, &self.with, &self.sites, self.loc).await
    }
}

/// Job of [`Eager::first`].
#[doc(hidden)]
pub struct EagerOptional<M, L> {
    select: Select<M, M>,
    with: L,
    sites: Vec<&'static Location<'static>>,
    loc: &'static Location<'static>,
}

impl<M: Model + Clone, L: With<M>> Job for EagerOptional<M, L> {
    type Out = Option<L::Item>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Self::Out> {
        Ok(run_eager(conn, self.select, &self.with, &self.sites, self.loc).await?.into_iter().next())
    }
}

/// Job of [`Eager::one`].
#[doc(hidden)]
pub struct EagerOne<M, L> {
    select: Select<M, M>,
    with: L,
    sites: Vec<&'static Location<'static>>,
    loc: &'static Location<'static>,
}

impl<M: Model + Clone, L: With<M>> Job for EagerOne<M, L> {
    type Out = L::Item;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Self::Out> {
        run_eager(conn, self.select, &self.with, &self.sites, self.loc)
            .await?
            .into_iter()
            .next()
            .ok_or(Error::NotFound { model: M::meta().name, key: None })
    }
}

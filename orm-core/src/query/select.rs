//! `Select`: the typed, pure SELECT builder.

use std::marker::PhantomData;
use std::panic::Location;

use super::ast::{ColumnRef, JoinKind, LockWait, Node, Projection, RowLock, SelectAst};
use super::expr::{Contains, Expr, Order, ProjectionList, Selection, TypedExpr};
use super::jobs::{FetchAll, FetchExists, FetchOne, FetchOptional, Source};
use super::join::{JoinModels, JoinPath, JoinRow, Joined};
use super::render::{self, CountOf};
use crate::backend::Backend;
use crate::executor::Executor;
use crate::model::Model;
use crate::relation::{Eager, Include, Relation};
use crate::row::FromRow;

/// A SELECT over `S` (a model, or a join of two) whose rows decode into `R`.
///
/// Building runs nothing; a terminal method (`all`, `first`, `one`, `count`,
/// `exists`) runs it on an executor.
///
/// ```
/// use ormlet_core::{prelude::*, Backend};
/// # use ormlet_core::doc_models::User;
/// let q = User::find()
///     .filter(User::AGE.gte(18).and(User::NAME.like("A%")))
///     .order_by(User::NAME.asc())
///     .limit(20);
/// assert_eq!(
///     q.to_sql(Backend::Sqlite).0,
///     r#"SELECT "users"."id", "users"."email", "users"."name", "users"."age" FROM "users" WHERE "users"."age" >= ? AND "users"."name" LIKE ? ORDER BY "users"."name" ASC LIMIT ?"#
/// );
/// assert_eq!(
///     q.to_sql(Backend::Postgres).0,
///     r#"SELECT "users"."id", "users"."email", "users"."name", "users"."age" FROM "users" WHERE "users"."age" >= $1 AND "users"."name" LIKE $2 ORDER BY "users"."name" ASC LIMIT $3"#
/// );
/// assert_eq!(
///     q.to_sql(Backend::MySql).0,
///     "SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`age` FROM `users` WHERE `users`.`age` >= ? AND `users`.`name` LIKE (? COLLATE utf8mb4_bin) ORDER BY `users`.`name` ASC LIMIT ?"
/// );
/// ```
#[must_use = "a query does nothing until a terminal method such as `.all(&db)` runs it"]
pub struct Select<S, R> {
    pub(crate) ast: SelectAst,
    _types: PhantomData<fn() -> (S, R)>,
}

impl<S, R> Clone for Select<S, R> {
    fn clone(&self) -> Self {
        Select::from_ast(self.ast.clone())
    }
}

impl<S, R> std::fmt::Debug for Select<S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Select").field(&self.to_sql(Backend::Sqlite).0).finish()
    }
}

impl<M: Model> Select<M, M> {
    /// All rows of `M` (what `M::find()` returns).
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let sql = r#"SELECT "users"."id", "users"."email", "users"."name", "users"."age" FROM "users""#;
    /// assert_eq!(Select::<User, User>::of().to_sql(Backend::Sqlite).0, sql);
    /// assert_eq!(User::find().to_sql(Backend::Postgres).0, sql);
    /// assert_eq!(User::find().to_sql(Backend::MySql).0, "SELECT `users`.`id`, `users`.`email`, `users`.`name`, `users`.`age` FROM `users`");
    /// ```
    pub fn of() -> Self {
        Select::from_ast(SelectAst::new(M::meta()))
    }
}

impl<S, R> Select<S, R> {
    pub(crate) fn from_ast(ast: SelectAst) -> Self {
        Select { ast, _types: PhantomData }
    }

    fn retype<R2>(self) -> Select<S, R2> {
        Select::from_ast(self.ast)
    }

    /// Adds a condition; several `filter` calls are ANDed.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::AGE.gt(30)).filter(User::NAME.eq("Ann"));
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE "users"."age" > ? AND "users"."name" = ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE "users"."age" > $1 AND "users"."name" = $2"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE `users`.`age` > ? AND `users`.`name` = ?"));
    /// ```
    pub fn filter<F, I>(mut self, condition: Expr<F>) -> Self
    where
        S: Contains<F, I>,
    {
        self.and_filter(condition.node);
        self
    }

    #[inline]
    pub(crate) fn and_filter(&mut self, condition: Node) {
        self.ast.filter = Some(match self.ast.filter.take() {
            None => condition,
            Some(prev) => Node::binary(prev, super::ast::BinOp::And, condition),
        });
    }

    /// Adds a sort key; earlier keys sort first.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().order_by(User::AGE.desc()).order_by(User::ID.asc());
    /// let tail = r#"ORDER BY "users"."age" DESC, "users"."id" ASC"#;
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("ORDER BY `users`.`age` DESC, `users`.`id` ASC"));
    /// ```
    pub fn order_by<F, I>(mut self, order: Order<F>) -> Self
    where
        S: Contains<F, I>,
    {
        self.push_order(order);
        self
    }

    pub(crate) fn push_order<F>(&mut self, order: Order<F>) {
        self.ast.order_by.push(order.into_parts());
    }

    /// At most `n` rows.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().limit(5);
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"FROM "users" LIMIT ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"FROM "users" LIMIT $1"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `users` LIMIT ?"));
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.ast.limit = Some(n);
        self
    }

    /// Skips the first `n` rows. Without a [`limit`](Select::limit), every
    /// row after them (a LIMIT of `i64::MAX`: SQLite and MySQL have no OFFSET
    /// without a LIMIT).
    ///
    /// ```
    /// use ormlet_core::{Backend, Value, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().offset(10);
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"FROM "users" LIMIT ? OFFSET ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"FROM "users" LIMIT $1 OFFSET $2"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `users` LIMIT ? OFFSET ?"));
    /// let every_row = Value::BigUnsigned(Some(i64::MAX as u64));
    /// assert_eq!(q.to_sql(Backend::Sqlite).1, [every_row, Value::BigUnsigned(Some(10))]);
    /// ```
    pub fn offset(mut self, n: u64) -> Self {
        self.ast.offset = Some(n);
        self
    }

    /// Page `page` (from 1) of `per_page` rows: LIMIT and OFFSET. Order the
    /// query for pages to be stable.
    ///
    /// ```
    /// use ormlet_core::{Backend, Value, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().order_by(User::ID.asc()).page(3, 20);
    /// let (sql, values) = q.to_sql(Backend::Postgres);
    /// assert!(sql.ends_with(r#"ORDER BY "users"."id" ASC LIMIT $1 OFFSET $2"#));
    /// assert_eq!(values, [Value::BigUnsigned(Some(20)), Value::BigUnsigned(Some(40))]);
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"ASC LIMIT ? OFFSET ?"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("ASC LIMIT ? OFFSET ?"));
    /// ```
    pub fn page(self, page: u64, per_page: u64) -> Self {
        let offset = page.saturating_sub(1).saturating_mul(per_page);
        self.limit(per_page).offset(offset)
    }

    /// Locks the rows read until the transaction ends (`FOR UPDATE`), so a
    /// "read, change, save" in a transaction cannot lose another's update:
    /// a second transaction's `for_update()` of the same rows waits.
    ///
    /// SQLite has no row locks and needs none: its transactions begin with
    /// `BEGIN IMMEDIATE`, which takes the database's write lock, so the
    /// clause is left out there. Outside a transaction the lock ends with
    /// the statement.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::ID.eq(1)).for_update();
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE "users"."id" = ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE "users"."id" = $1 FOR UPDATE"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE `users`.`id` = ? FOR UPDATE"));
    /// ```
    pub fn for_update(mut self) -> Self {
        self.ast.lock = Some(RowLock { exclusive: true, wait: self.lock_wait() });
        self
    }

    /// Locks the rows read against changes but lets others read and share-lock
    /// them (`FOR SHARE`; `LOCK IN SHARE MODE` on MySQL, which MariaDB also
    /// reads). Left out on SQLite, as [`for_update`](Select::for_update) is.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().for_share().nowait();
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"FROM "users""#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"FROM "users" FOR SHARE NOWAIT"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `users` LOCK IN SHARE MODE NOWAIT"));
    /// ```
    pub fn for_share(mut self) -> Self {
        self.ast.lock = Some(RowLock { exclusive: false, wait: self.lock_wait() });
        self
    }

    /// Leaves out rows another transaction has locked instead of waiting
    /// for them: several workers taking jobs from one table each get
    /// different rows. Locks `FOR UPDATE` unless [`for_share`](Select::for_share)
    /// was asked for.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().order_by(User::ID.asc()).limit(1).skip_locked();
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with("LIMIT ?"));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with("LIMIT $1 FOR UPDATE SKIP LOCKED"));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("LIMIT ? FOR UPDATE SKIP LOCKED"));
    /// ```
    pub fn skip_locked(self) -> Self {
        self.with_wait(LockWait::SkipLocked)
    }

    /// Fails at once with [`Error::Conflict`](crate::Error::Conflict) when a
    /// row is locked by another transaction, instead of waiting. Locks
    /// `FOR UPDATE` unless [`for_share`](Select::for_share) was asked for.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().for_update().nowait();
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"FROM "users""#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"FROM "users" FOR UPDATE NOWAIT"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `users` FOR UPDATE NOWAIT"));
    /// ```
    pub fn nowait(self) -> Self {
        self.with_wait(LockWait::NoWait)
    }

    fn lock_wait(&self) -> LockWait {
        self.ast.lock.map_or(LockWait::Wait, |l| l.wait)
    }

    fn with_wait(mut self, wait: LockWait) -> Self {
        let exclusive = self.ast.lock.is_none_or(|l| l.exclusive);
        self.ast.lock = Some(RowLock { exclusive, wait });
        self
    }

    /// `SELECT DISTINCT`.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().select(User::NAME).distinct();
    /// assert_eq!(q.to_sql(Backend::Sqlite).0, r#"SELECT DISTINCT "users"."name" FROM "users""#);
    /// assert_eq!(q.to_sql(Backend::Postgres).0, r#"SELECT DISTINCT "users"."name" FROM "users""#);
    /// assert_eq!(q.to_sql(Backend::MySql).0, "SELECT DISTINCT `users`.`name` FROM `users`");
    /// ```
    pub fn distinct(mut self) -> Self {
        self.ast.distinct = true;
        self
    }

    /// Selects columns or aggregates instead of whole models; rows decode
    /// into the matching tuple (`(i64, String)` for `(User::ID, User::NAME)`).
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = Post::find().select((Post::AUTHOR_ID, count_all::<Post>())).group_by(Post::AUTHOR_ID);
    /// let sql = r#"SELECT "posts"."author_id", COUNT(*) FROM "posts" GROUP BY "posts"."author_id""#;
    /// assert_eq!(q.to_sql(Backend::Sqlite).0, sql);
    /// assert_eq!(q.to_sql(Backend::Postgres).0, sql);
    /// assert_eq!(q.to_sql(Backend::MySql).0, "SELECT `posts`.`author_id`, COUNT(*) FROM `posts` GROUP BY `posts`.`author_id`");
    /// ```
    pub fn select<C: Selection<S, I>, I>(mut self, columns: C) -> Select<S, C::Row> {
        let mut list = ProjectionList(Vec::new());
        columns.project(&mut list);
        self.ast.projection = list.0;
        self.retype()
    }

    /// Decodes rows into another [`FromRow`] type with the same columns in the
    /// same order, e.g. a `#[derive(FromRow)]` struct after `select(...)`.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// // A `#[derive(FromRow)] struct Named { id: i64, name: String }` reads the same.
    /// let q = User::find().select((User::ID, User::NAME)).into_row::<(i64, String)>();
    /// assert_eq!(q.to_sql(Backend::Sqlite).0, r#"SELECT "users"."id", "users"."name" FROM "users""#);
    /// assert_eq!(q.to_sql(Backend::Postgres).0, r#"SELECT "users"."id", "users"."name" FROM "users""#);
    /// assert_eq!(q.to_sql(Backend::MySql).0, "SELECT `users`.`id`, `users`.`name` FROM `users`");
    /// ```
    pub fn into_row<T: FromRow>(self) -> Select<S, T> {
        self.retype()
    }

    /// `GROUP BY` an expression of the query's models.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = Post::find().select((Post::AUTHOR_ID, count_all::<Post>())).group_by(Post::AUTHOR_ID);
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"FROM "posts" GROUP BY "posts"."author_id""#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"FROM "posts" GROUP BY "posts"."author_id""#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `posts` GROUP BY `posts`.`author_id`"));
    /// ```
    pub fn group_by<F, T, I>(mut self, expr: impl TypedExpr<F, T>) -> Self
    where
        S: Contains<F, I>,
    {
        self.ast.group_by.push(expr.into_node().0);
        self
    }

    /// `HAVING` condition, usually over aggregates; several calls are ANDed.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = Post::find()
    ///     .select((Post::AUTHOR_ID, count_all::<Post>()))
    ///     .group_by(Post::AUTHOR_ID)
    ///     .having(count_all::<Post>().gt(2));
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"GROUP BY "posts"."author_id" HAVING COUNT(*) > ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"GROUP BY "posts"."author_id" HAVING COUNT(*) > $1"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("GROUP BY `posts`.`author_id` HAVING COUNT(*) > ?"));
    /// ```
    pub fn having<F, I>(mut self, condition: Expr<F>) -> Self
    where
        S: Contains<F, I>,
    {
        self.ast.having = Some(Box::new(match self.ast.having.take() {
            None => condition.node,
            Some(prev) => Node::binary(*prev, super::ast::BinOp::And, condition.node),
        }));
        self
    }

    /// The SQL and values this query runs as on `backend` (pure; for tests,
    /// logs and `EXPLAIN`).
    ///
    /// ```
    /// use ormlet_core::{Backend, Value, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let (sql, values) = User::find().filter(User::NAME.eq("Ann")).to_sql(Backend::Postgres);
    /// assert_eq!(sql, r#"SELECT "users"."id", "users"."email", "users"."name", "users"."age" FROM "users" WHERE "users"."name" = $1"#);
    /// assert_eq!(values, [Value::String(Some("Ann".into()))]);
    /// ```
    pub fn to_sql(&self, backend: Backend) -> (String, Vec<sea_query::Value>) {
        let b = render::build(&mut self.ast.clone(), backend, None);
        (b.sql.to_string(), b.values.into_vec())
    }

    /// Every row.
    #[track_caller]
    pub fn all<E: Executor>(self, db: &E) -> E::Output<'_, FetchAll<R>>
    where
        R: FromRow + Send,
    {
        db.run(FetchAll { source: Source::Select(self.ast), loc: Location::caller(), _row: PhantomData })
    }

    /// The first row, or `None` (adds `LIMIT 1`).
    #[track_caller]
    pub fn first<E: Executor>(self, db: &E) -> E::Output<'_, FetchOptional<R>>
    where
        R: FromRow + Send,
    {
        let q = self.limit(1);
        db.run(FetchOptional { source: Source::Select(q.ast), loc: Location::caller(), _row: PhantomData })
    }

    /// The first row, or [`Error::NotFound`](crate::Error::NotFound).
    #[track_caller]
    pub fn one<E: Executor>(self, db: &E) -> E::Output<'_, FetchOne<R>>
    where
        R: FromRow + Send,
    {
        let q = self.limit(1);
        let model = q.ast.from.name;
        db.run(FetchOne { source: Source::Select(q.ast), model, loc: Location::caller(), _row: PhantomData })
    }

    /// The number of rows the query returns.
    #[track_caller]
    pub fn count<E: Executor>(mut self, db: &E) -> E::Output<'_, FetchOne<i64>> {
        let model = self.ast.from.name;
        let q = &mut self.ast;
        let source = if q.limit.is_some() || q.offset.is_some() || q.distinct || !q.group_by.is_empty() {
            Source::Count(CountOf(self.ast))
        } else {
            q.order_by.clear();
            q.projection = vec![Projection::Expr(Node::Aggregate(super::ast::AggFn::Count, None))];
            Source::Select(self.ast)
        };
        db.run(FetchOne { source, model, loc: Location::caller(), _row: PhantomData })
    }

    /// Whether the query returns any row (reads at most one).
    #[track_caller]
    pub fn exists<E: Executor>(mut self, db: &E) -> E::Output<'_, FetchExists> {
        let from = self.ast.from;
        let first = from.columns.first().map_or("rowid", |c| c.name);
        self.ast.projection = vec![Projection::Expr(Node::Column { table: from.table, name: first })];
        self.ast.order_by.clear();
        self.ast.limit = Some(1);
        db.run(FetchExists { source: Source::Select(self.ast), loc: Location::caller() })
    }
}

impl<S, R> Select<S, R> {
    /// `INNER JOIN N ON ...`: each row gains the joined model (`M` becomes
    /// `(M, N)`, `(A, B)` becomes `(A, B, N)`, up to four models). The
    /// condition is two columns (`Loan::BOOK_ID.equals(Book::ID)`) or a
    /// declared relation, whose keys it reuses (`Book::AUTHOR`, `Author::BOOKS`).
    /// Filters and orderings may then use every joined model's columns.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = Post::find().inner_join(Post::AUTHOR).order_by(User::NAME.asc());
    /// let from = r#"FROM "posts" INNER JOIN "users" ON "posts"."author_id" = "users"."id" ORDER BY "users"."name" ASC"#;
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(from));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(from));
    /// let from = "FROM `posts` INNER JOIN `users` ON `posts`.`author_id` = `users`.`id` ORDER BY `users`.`name` ASC";
    /// assert!(q.to_sql(Backend::MySql).0.ends_with(from));
    /// ```
    pub fn inner_join<X, N: Model, I>(
        self,
        on: impl JoinPath<X, N>,
    ) -> Select<<S as JoinModels<N>>::Out, <R as JoinRow<N>>::Out>
    where
        S: Contains<X, I> + JoinModels<N>,
        R: JoinRow<N>,
    {
        self.join(JoinKind::Inner, N::meta(), on.on().0)
    }

    /// `LEFT JOIN N ON ...`: as [`inner_join`](Select::inner_join), with
    /// `Option<N>`, `None` where no row of `N` matches.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = User::find().left_join(User::POSTS).filter(Post::ID.is_null());
    /// let tail = r#"LEFT JOIN "posts" ON "users"."id" = "posts"."author_id" WHERE "posts"."id" IS NULL"#;
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(tail));
    /// let tail = "LEFT JOIN `posts` ON `users`.`id` = `posts`.`author_id` WHERE `posts`.`id` IS NULL";
    /// assert!(q.to_sql(Backend::MySql).0.ends_with(tail));
    /// ```
    pub fn left_join<X, N: Model, I>(
        self,
        on: impl JoinPath<X, N>,
    ) -> Select<<S as JoinModels<N>>::Out, <R as JoinRow<Option<N>>>::Out>
    where
        S: Contains<X, I> + JoinModels<N>,
        R: JoinRow<Option<N>>,
    {
        self.join(JoinKind::Left, N::meta(), on.on().0)
    }

    fn join<S2, R2>(
        mut self,
        kind: JoinKind,
        model: &'static crate::model::ModelMeta,
        on: [ColumnRef; 2],
    ) -> Select<S2, R2> {
        self.ast.joins.push(super::ast::Join { kind, model, on });
        // An empty projection already stands for every joined model.
        if !self.ast.projection.is_empty() {
            self.ast.projection.push(Projection::Model(model));
        }
        Select::from_ast(self.ast)
    }
}

impl<S: Joined, R> Select<S, R> {
    /// Loads a relation of the first model's rows, as [`WithRelation::with`]
    /// does: rows are that model's (the joined models serve filters and
    /// orderings). "Books by author name, with their tags":
    /// `Book::find().inner_join(Book::AUTHOR).order_by(Author::NAME.asc()).with(Book::TAGS)`.
    /// Join through `belongs_to` relations here: a to-many join would repeat rows.
    ///
    /// [`WithRelation::with`]: crate::relation::WithRelation::with
    #[track_caller]
    pub fn with<I>(self, rel: I) -> Eager<S::Root, (I, ()), S>
    where
        S::Root: Clone,
        I: Include,
        I::Rel: Relation<Parent = S::Root>,
    {
        Eager::of_join(self.ast, rel, std::panic::Location::caller())
    }
}

/// `EXISTS (query)`
///
/// ```
/// use ormlet_core::{Backend, prelude::*};
/// # use ormlet_core::doc_models::{User, Post};
/// let q = User::find().filter(exists(Post::find().filter(Post::TITLE.eq("Hi"))));
/// let tail = r#"WHERE EXISTS(SELECT "posts"."id", "posts"."author_id", "posts"."title" FROM "posts" WHERE "posts"."title" = ?)"#;
/// assert!(q.to_sql(Backend::Sqlite).0.ends_with(tail));
/// assert!(q.to_sql(Backend::Postgres).0.ends_with(&tail.replace('?', "$1")));
/// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `posts` WHERE `posts`.`title` = ?)"));
/// ```
pub fn exists<M, S, R>(query: Select<S, R>) -> Expr<M> {
    Expr::new(Node::Exists { query: Box::new(query.ast), negated: false })
}

/// `NOT EXISTS (query)`
///
/// ```
/// use ormlet_core::{Backend, prelude::*};
/// # use ormlet_core::doc_models::{User, Post};
/// let q = User::find().filter(not_exists(Post::find().filter(Post::TITLE.eq("Hi"))));
/// assert!(q.to_sql(Backend::Sqlite).0.contains(r#"WHERE NOT EXISTS(SELECT "posts"."id""#));
/// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE "posts"."title" = $1)"#));
/// assert!(q.to_sql(Backend::MySql).0.contains("WHERE NOT EXISTS(SELECT `posts`.`id`"));
/// ```
pub fn not_exists<M, S, R>(query: Select<S, R>) -> Expr<M> {
    Expr::new(Node::Exists { query: Box::new(query.ast), negated: true })
}

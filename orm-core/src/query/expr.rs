//! Typed expressions: what `User::AGE.gte(18)` builds.
//!
//! Every expression carries the model it reads (`Expr<User>`) and, through
//! [`TypedExpr`], the Rust type of its value, so filters on the wrong model or
//! with the wrong value type do not compile.

use std::marker::PhantomData;

use sea_query::Value;

use super::ast::{AggFn, Between, BinOp, ColumnRef, Node, Projection};
use super::calc::Term;
use crate::model::Model;
use crate::row::FromRow;
use crate::types::{FieldType, Nullable, Numeric, Operand, Textual};

/// A boolean condition over the columns of `M` (or of a join, see [`Contains`]).
pub struct Expr<M> {
    pub(crate) node: Node,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Expr<M> {
    fn clone(&self) -> Self {
        Expr::new(self.node.clone())
    }
}

impl<M> std::fmt::Debug for Expr<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<M> Expr<M> {
    pub(crate) fn new(node: Node) -> Self {
        Expr { node, _model: PhantomData }
    }

    /// Both conditions hold.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::AGE.gt(30).and(User::NAME.eq("Ann")).or(User::AGE.is_null().not()));
    /// let tail = r#"WHERE ("users"."age" > ? AND "users"."name" = ?) OR (NOT "users"."age" IS NULL)"#;
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE ("users"."age" > $1 AND "users"."name" = $2) OR (NOT "users"."age" IS NULL)"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE (`users`.`age` > ? AND `users`.`name` = ?) OR (NOT `users`.`age` IS NULL)"));
    /// ```
    pub fn and(self, other: Expr<M>) -> Expr<M> {
        Expr::new(Node::binary(self.node, BinOp::And, other.node))
    }

    /// Either condition holds.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::NAME.eq("Ann").or(User::NAME.eq("Bob")));
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE "users"."name" = ? OR "users"."name" = ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE "users"."name" = $1 OR "users"."name" = $2"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE `users`.`name` = ? OR `users`.`name` = ?"));
    /// ```
    pub fn or(self, other: Expr<M>) -> Expr<M> {
        Expr::new(Node::binary(self.node, BinOp::Or, other.node))
    }

    /// The condition does not hold.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::NAME.eq("Ann").not());
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE NOT "users"."name" = ?"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE NOT "users"."name" = $1"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE NOT `users`.`name` = ?"));
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr<M> {
        Expr::new(Node::Not(Box::new(self.node)))
    }
}

impl<M> std::ops::Not for Expr<M> {
    type Output = Expr<M>;
    fn not(self) -> Expr<M> {
        Expr::not(self)
    }
}

/// A sort key: `User::NAME.asc()`.
pub struct Order<M> {
    pub(crate) node: Node,
    pub(crate) asc: bool,
    _model: PhantomData<fn() -> M>,
}

/// A value expression of the model `M` whose Rust type is `T`: a column, or an
/// aggregate over one, or a computed value. The comparison methods take a
/// [`Term`]: a Rust value, a column, or a computed value of the same type.
// `is_in`/`is_null` take `self` like every builder method; the names are SQL's.
#[allow(clippy::wrong_self_convention)]
pub trait TypedExpr<M, T>: Sized {
    #[doc(hidden)]
    fn into_node(self) -> ExprNode;

    /// `self = value`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::NAME.eq("Ann"));
    /// assert_eq!(sqlite, r#""users"."name" = ?"#);
    /// assert_eq!(postgres, r#""users"."name" = $1"#);
    /// assert_eq!(mysql, "`users`.`name` = ?");
    /// ```
    fn eq<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        compare(self, BinOp::Eq, value)
    }
    /// `self <> value`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::NAME.ne("Ann"));
    /// assert_eq!(sqlite, r#""users"."name" <> ?"#);
    /// assert_eq!(postgres, r#""users"."name" <> $1"#);
    /// assert_eq!(mysql, "`users`.`name` <> ?");
    /// ```
    fn ne<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        compare(self, BinOp::Ne, value)
    }
    /// `self < value`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.lt(18));
    /// assert_eq!(sqlite, r#""users"."age" < ?"#);
    /// assert_eq!(postgres, r#""users"."age" < $1"#);
    /// assert_eq!(mysql, "`users`.`age` < ?");
    /// ```
    fn lt<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        compare(self, BinOp::Lt, value)
    }
    /// `self <= value`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.le(18));
    /// assert_eq!(sqlite, r#""users"."age" <= ?"#);
    /// assert_eq!(postgres, r#""users"."age" <= $1"#);
    /// assert_eq!(mysql, "`users`.`age` <= ?");
    /// ```
    fn le<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        compare(self, BinOp::Le, value)
    }
    /// `self > value`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.gt(65));
    /// assert_eq!(sqlite, r#""users"."age" > ?"#);
    /// assert_eq!(postgres, r#""users"."age" > $1"#);
    /// assert_eq!(mysql, "`users`.`age` > ?");
    /// ```
    fn gt<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        compare(self, BinOp::Gt, value)
    }
    /// `self >= value`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.ge(65));
    /// assert_eq!(sqlite, r#""users"."age" >= ?"#);
    /// assert_eq!(postgres, r#""users"."age" >= $1"#);
    /// assert_eq!(mysql, "`users`.`age` >= ?");
    /// ```
    fn ge<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        compare(self, BinOp::Ge, value)
    }
    /// Same as [`le`](TypedExpr::le), with sea-query's name.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.lte(18));
    /// assert_eq!(sqlite, r#""users"."age" <= ?"#);
    /// assert_eq!(postgres, r#""users"."age" <= $1"#);
    /// assert_eq!(mysql, "`users`.`age` <= ?");
    /// ```
    fn lte<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        self.le(value)
    }
    /// Same as [`ge`](TypedExpr::ge), with sea-query's name.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.gte(65));
    /// assert_eq!(sqlite, r#""users"."age" >= ?"#);
    /// assert_eq!(postgres, r#""users"."age" >= $1"#);
    /// assert_eq!(mysql, "`users`.`age` >= ?");
    /// ```
    fn gte<K>(self, value: impl Term<M, T, K>) -> Expr<M> {
        self.ge(value)
    }
    /// `self BETWEEN low AND high`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.between(18, 65));
    /// assert_eq!(sqlite, r#""users"."age" BETWEEN ? AND ?"#);
    /// assert_eq!(postgres, r#""users"."age" BETWEEN $1 AND $2"#);
    /// assert_eq!(mysql, "`users`.`age` BETWEEN ? AND ?");
    /// ```
    fn between(self, low: impl Operand<T>, high: impl Operand<T>) -> Expr<M> {
        Expr::new(Node::Between(Box::new(Between {
            expr: self.into_node().0,
            low: low.into_value(),
            high: high.into_value(),
            negated: false,
        })))
    }
    /// `self IN (...)`; an empty list matches nothing.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::ID.is_in([1, 2, 3]));
    /// assert_eq!(sqlite, r#""users"."id" IN (?, ?, ?)"#);
    /// assert_eq!(postgres, r#""users"."id" IN ($1, $2, $3)"#);
    /// assert_eq!(mysql, "`users`.`id` IN (?, ?, ?)");
    /// ```
    fn is_in<V: Operand<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        in_list(self, values, false)
    }
    /// `self NOT IN (...)`; an empty list matches everything.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::ID.not_in([1, 2]));
    /// assert_eq!(sqlite, r#""users"."id" NOT IN (?, ?)"#);
    /// assert_eq!(postgres, r#""users"."id" NOT IN ($1, $2)"#);
    /// assert_eq!(mysql, "`users`.`id` NOT IN (?, ?)");
    /// ```
    fn not_in<V: Operand<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        in_list(self, values, true)
    }
    /// `self IN (SELECT ...)` over a one-column query of the same type.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, Post, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::ID.in_subquery(Post::find().select(Post::AUTHOR_ID)));
    /// assert_eq!(sqlite, r#""users"."id" IN (SELECT "posts"."author_id" FROM "posts")"#);
    /// assert_eq!(postgres, r#""users"."id" IN (SELECT "posts"."author_id" FROM "posts")"#);
    /// assert_eq!(mysql, "`users`.`id` IN (SELECT `posts`.`author_id` FROM `posts`)");
    /// ```
    fn in_subquery<S>(self, query: super::Select<S, T>) -> Expr<M> {
        Expr::new(Node::InSubquery { expr: Box::new(self.into_node().0), query: Box::new(query.ast), negated: false })
    }
    /// `self` contains `text`, taken literally: `%`, `_` and the escape
    /// character in it match themselves (`LIKE '%…%' ESCAPE '!'`). Case
    /// matters, on every backend; [`contains_ci`](TypedExpr::contains_ci)
    /// ignores it.
    ///
    /// ```
    /// use ormlet_core::{Backend, Value, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::NAME.contains("50%_off"));
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE "users"."name" LIKE ? ESCAPE ('!')"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE "users"."name" LIKE $1 ESCAPE ('!')"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE `users`.`name` LIKE (? COLLATE utf8mb4_bin) ESCAPE ('!')"));
    /// assert_eq!(q.to_sql(Backend::Sqlite).1, [Value::from("%50!%!_off%")]);
    /// ```
    fn contains(self, text: &str) -> Expr<M>
    where
        T: Textual,
    {
        like_literal(self.into_node().0, super::ast::literal_pattern(text, true, true), false)
    }
    /// `self` starts with `text`, taken literally (see [`contains`](TypedExpr::contains)).
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::NAME.starts_with("An"));
    /// assert_eq!(sqlite, r#""users"."name" LIKE ? ESCAPE ('!')"#);
    /// assert_eq!(postgres, r#""users"."name" LIKE $1 ESCAPE ('!')"#);
    /// assert_eq!(mysql, "`users`.`name` LIKE (? COLLATE utf8mb4_bin) ESCAPE ('!')");
    /// ```
    fn starts_with(self, text: &str) -> Expr<M>
    where
        T: Textual,
    {
        like_literal(self.into_node().0, super::ast::literal_pattern(text, false, true), false)
    }
    /// `self` ends with `text`, taken literally (see [`contains`](TypedExpr::contains)).
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::EMAIL.ends_with("@x.io"));
    /// assert_eq!(sqlite, r#""users"."email" LIKE ? ESCAPE ('!')"#);
    /// assert_eq!(postgres, r#""users"."email" LIKE $1 ESCAPE ('!')"#);
    /// assert_eq!(mysql, "`users`.`email` LIKE (? COLLATE utf8mb4_bin) ESCAPE ('!')");
    /// ```
    fn ends_with(self, text: &str) -> Expr<M>
    where
        T: Textual,
    {
        like_literal(self.into_node().0, super::ast::literal_pattern(text, true, false), false)
    }
    /// [`contains`](TypedExpr::contains), ignoring case (Unicode case
    /// folding, by `LOWER` on both sides), the same on every backend.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::NAME.contains_ci("Ann"));
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE LOWER("users"."name") LIKE LOWER(?) ESCAPE ('!')"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE LOWER("users"."name") LIKE LOWER($1) ESCAPE ('!')"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE LOWER(`users`.`name`) LIKE (LOWER(?) COLLATE utf8mb4_bin) ESCAPE ('!')"));
    /// ```
    fn contains_ci(self, text: &str) -> Expr<M>
    where
        T: Textual,
    {
        like_literal(self.into_node().0, super::ast::literal_pattern(text, true, true), true)
    }
    /// [`starts_with`](TypedExpr::starts_with), ignoring case.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::NAME.starts_with_ci("an"));
    /// assert_eq!(sqlite, r#"LOWER("users"."name") LIKE LOWER(?) ESCAPE ('!')"#);
    /// assert_eq!(postgres, r#"LOWER("users"."name") LIKE LOWER($1) ESCAPE ('!')"#);
    /// assert_eq!(mysql, "LOWER(`users`.`name`) LIKE (LOWER(?) COLLATE utf8mb4_bin) ESCAPE ('!')");
    /// ```
    fn starts_with_ci(self, text: &str) -> Expr<M>
    where
        T: Textual,
    {
        like_literal(self.into_node().0, super::ast::literal_pattern(text, false, true), true)
    }
    /// [`ends_with`](TypedExpr::ends_with), ignoring case.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::EMAIL.ends_with_ci("@X.io"));
    /// assert_eq!(sqlite, r#"LOWER("users"."email") LIKE LOWER(?) ESCAPE ('!')"#);
    /// assert_eq!(postgres, r#"LOWER("users"."email") LIKE LOWER($1) ESCAPE ('!')"#);
    /// assert_eq!(mysql, "LOWER(`users`.`email`) LIKE (LOWER(?) COLLATE utf8mb4_bin) ESCAPE ('!')");
    /// ```
    fn ends_with_ci(self, text: &str) -> Expr<M>
    where
        T: Textual,
    {
        like_literal(self.into_node().0, super::ast::literal_pattern(text, true, false), true)
    }
    /// `self LIKE pattern` (text columns only). `%` and `_` are wildcards and
    /// case matters, on every backend (SQLite's own `LIKE` would ignore ASCII
    /// case, MySQL's `_ci` collations all case: ormlet makes both tell case
    /// apart). What a backslash means still differs (SQLite: nothing;
    /// PostgreSQL and MySQL: an escape): to match text literally, use
    /// [`contains`](TypedExpr::contains), [`starts_with`](TypedExpr::starts_with)
    /// or [`ends_with`](TypedExpr::ends_with).
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::NAME.like("A_n%"));
    /// assert_eq!(sqlite, r#""users"."name" LIKE ?"#);
    /// assert_eq!(postgres, r#""users"."name" LIKE $1"#);
    /// assert_eq!(mysql, "`users`.`name` LIKE (? COLLATE utf8mb4_bin)");
    /// ```
    fn like(self, pattern: impl Into<String>) -> Expr<M>
    where
        T: Textual,
    {
        Expr::new(Node::binary(self.into_node().0, BinOp::Like, Node::Value(Value::String(Some(pattern.into())))))
    }
    /// `self LIKE pattern`, ignoring case on every backend (Unicode case
    /// folding, by `LOWER` on both sides; PostgreSQL's `ILIKE`).
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().filter(User::NAME.ilike("an%"));
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(r#"WHERE LOWER("users"."name") LIKE LOWER(?)"#));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(r#"WHERE LOWER("users"."name") LIKE LOWER($1)"#));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("WHERE LOWER(`users`.`name`) LIKE (LOWER(?) COLLATE utf8mb4_bin)"));
    /// ```
    fn ilike(self, pattern: impl Into<String>) -> Expr<M>
    where
        T: Textual,
    {
        Expr::new(Node::binary(
            lower(self.into_node().0),
            BinOp::Like,
            lower(Node::Value(Value::String(Some(pattern.into())))),
        ))
    }
    /// `self NOT LIKE pattern` (text columns only).
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::NAME.not_like("A%"));
    /// assert_eq!(sqlite, r#""users"."name" NOT LIKE ?"#);
    /// assert_eq!(postgres, r#""users"."name" NOT LIKE $1"#);
    /// assert_eq!(mysql, "`users`.`name` NOT LIKE (? COLLATE utf8mb4_bin)");
    /// ```
    fn not_like(self, pattern: impl Into<String>) -> Expr<M>
    where
        T: Textual,
    {
        Expr::new(Node::binary(self.into_node().0, BinOp::NotLike, Node::Value(Value::String(Some(pattern.into())))))
    }
    /// `self IS NULL`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.is_null());
    /// assert_eq!(sqlite, r#""users"."age" IS NULL"#);
    /// assert_eq!(postgres, r#""users"."age" IS NULL"#);
    /// assert_eq!(mysql, "`users`.`age` IS NULL");
    /// ```
    fn is_null(self) -> Expr<M> {
        Expr::new(Node::IsNull { expr: Box::new(self.into_node().0), negated: false })
    }
    /// `self IS NOT NULL`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::AGE.is_not_null());
    /// assert_eq!(sqlite, r#""users"."age" IS NOT NULL"#);
    /// assert_eq!(postgres, r#""users"."age" IS NOT NULL"#);
    /// assert_eq!(mysql, "`users`.`age` IS NOT NULL");
    /// ```
    fn is_not_null(self) -> Expr<M> {
        Expr::new(Node::IsNull { expr: Box::new(self.into_node().0), negated: true })
    }
    /// Ascending sort key.
    fn asc(self) -> Order<M> {
        Order { node: self.into_node().0, asc: true, _model: PhantomData }
    }
    /// Descending sort key.
    fn desc(self) -> Order<M> {
        Order { node: self.into_node().0, asc: false, _model: PhantomData }
    }
    /// `COUNT(self)`: non-NULL values.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.count());
    /// assert_eq!(sqlite, r#"COUNT("users"."age")"#);
    /// assert_eq!(postgres, r#"COUNT("users"."age")"#);
    /// assert_eq!(mysql, "COUNT(`users`.`age`)");
    /// ```
    fn count(self) -> Agg<M, i64> {
        Agg::new(AggFn::Count, self)
    }
    /// `COUNT(DISTINCT self)`
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.count_distinct());
    /// assert_eq!(sqlite, r#"COUNT(DISTINCT "users"."age")"#);
    /// assert_eq!(postgres, r#"COUNT(DISTINCT "users"."age")"#);
    /// assert_eq!(mysql, "COUNT(DISTINCT `users`.`age`)");
    /// ```
    fn count_distinct(self) -> Agg<M, i64> {
        Agg::new(AggFn::CountDistinct, self)
    }
    /// `SUM(self)`: NULL over no rows.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.sum());
    /// assert_eq!(sqlite, r#"SUM("users"."age")"#);
    /// assert_eq!(postgres, r#"SUM("users"."age")"#);
    /// assert_eq!(mysql, "SUM(`users`.`age`)");
    /// ```
    fn sum(self) -> Agg<M, Option<T::Sum>>
    where
        T: Numeric,
    {
        Agg::new(AggFn::Sum, self)
    }
    /// `AVG(self)`: NULL over no rows.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.avg());
    /// assert_eq!(sqlite, r#"AVG("users"."age")"#);
    /// assert_eq!(postgres, r#"AVG("users"."age")"#);
    /// assert_eq!(mysql, "AVG(`users`.`age`)");
    /// ```
    fn avg(self) -> Agg<M, Option<f64>>
    where
        T: Numeric,
    {
        Agg::new(AggFn::Avg, self)
    }
    /// `MIN(self)`: NULL over no rows.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::AGE.min());
    /// assert_eq!(sqlite, r#"MIN("users"."age")"#);
    /// assert_eq!(postgres, r#"MIN("users"."age")"#);
    /// assert_eq!(mysql, "MIN(`users`.`age`)");
    /// ```
    fn min(self) -> Agg<M, T::Opt>
    where
        T: Nullable,
    {
        Agg::new(AggFn::Min, self)
    }
    /// `MAX(self)`: NULL over no rows.
    ///
    /// ```
    /// use ormlet_core::prelude::*;
    /// # use ormlet_core::doc_models::{User, select_sql};
    /// let [sqlite, postgres, mysql] = select_sql(User::NAME.max());
    /// assert_eq!(sqlite, r#"MAX("users"."name")"#);
    /// assert_eq!(postgres, r#"MAX("users"."name")"#);
    /// assert_eq!(mysql, "MAX(`users`.`name`)");
    /// ```
    fn max(self) -> Agg<M, T::Opt>
    where
        T: Nullable,
    {
        Agg::new(AggFn::Max, self)
    }
}

/// An expression tree node, opaque outside ormlet.
#[doc(hidden)]
pub struct ExprNode(pub(crate) Node);

fn compare<M, T, K, E: TypedExpr<M, T>>(e: E, op: BinOp, value: impl Term<M, T, K>) -> Expr<M> {
    Expr::new(Node::binary(e.into_node().0, op, value.into_term().0))
}

fn in_list<M, T, E: TypedExpr<M, T>, V: Operand<T>>(
    e: E,
    values: impl IntoIterator<Item = V>,
    negated: bool,
) -> Expr<M> {
    Expr::new(Node::In {
        expr: Box::new(e.into_node().0),
        values: values.into_iter().map(Operand::into_value).collect(),
        negated,
    })
}

/// A typed column of the model `M` holding `T`; the derive generates one
/// constant per field (`User::EMAIL: Column<User, String>`).
pub struct Column<M, T> {
    table: &'static str,
    name: &'static str,
    _type: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Column<M, T> {}

impl<M, T> std::fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.table, self.name)
    }
}

impl<M, T> Column<M, T> {
    /// A column of `table` (used by the derive).
    pub const fn new(table: &'static str, name: &'static str) -> Self {
        Column { table, name, _type: PhantomData }
    }

    /// The column's name in the database.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The table's name.
    pub const fn table(&self) -> &'static str {
        self.table
    }

    pub(crate) fn node(&self) -> Node {
        Node::Column { table: self.table, name: self.name }
    }

    /// `SET column = value`, for [`ModelExt::update_where`](crate::ModelExt::update_where).
    /// The value may be computed from the row's columns: `Counter::N.set(Counter::N + 1)`
    /// is an atomic increment.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::update_where(User::ID.eq(1), [User::NAME.set("Ann"), User::AGE.set(User::AGE + 1)]);
    /// assert_eq!(q.to_sql(Backend::Sqlite).0, r#"UPDATE "users" SET "name" = ?, "age" = "users"."age" + ? WHERE "users"."id" = ?"#);
    /// assert_eq!(q.to_sql(Backend::Postgres).0, r#"UPDATE "users" SET "name" = $1, "age" = "users"."age" + $2 WHERE "users"."id" = $3"#);
    /// assert_eq!(q.to_sql(Backend::MySql).0, "UPDATE `users` SET `name` = ?, `age` = `users`.`age` + ? WHERE `users`.`id` = ?");
    /// ```
    pub fn set<K>(self, value: impl Term<M, T, K>) -> Assignment<M> {
        Assignment { column: self.name, node: value.into_term().0, _model: PhantomData }
    }

    /// The join condition `self = other` between two models' columns of one type.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = Post::find().inner_join(Post::AUTHOR_ID.equals(User::ID));
    /// let tail = r#"FROM "posts" INNER JOIN "users" ON "posts"."author_id" = "users"."id""#;
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::MySql).0.ends_with("FROM `posts` INNER JOIN `users` ON `posts`.`author_id` = `users`.`id`"));
    /// ```
    pub fn equals<N>(self, other: Column<N, T>) -> JoinOn<M, N> {
        let on = [ColumnRef { table: self.table, name: self.name }, ColumnRef { table: other.table, name: other.name }];
        JoinOn { on, _models: PhantomData }
    }
}

impl<M, T: FieldType> TypedExpr<M, T> for Column<M, T> {
    fn into_node(self) -> ExprNode {
        ExprNode(self.node())
    }
}

/// An aggregate over a column of `M`, with result type `T`.
pub struct Agg<M, T> {
    node: Node,
    _type: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Agg<M, T> {
    fn new<U, E: TypedExpr<M, U>>(f: AggFn, e: E) -> Self {
        Agg { node: Node::Aggregate(f, Some(Box::new(e.into_node().0))), _type: PhantomData }
    }
}

impl<M> Agg<M, i64> {
    /// `COUNT(*)` over the rows of `M`.
    pub fn count_all() -> Agg<M, i64> {
        Agg { node: Node::Aggregate(AggFn::Count, None), _type: PhantomData }
    }
}

impl<M, T> TypedExpr<M, T> for Agg<M, T> {
    fn into_node(self) -> ExprNode {
        ExprNode(self.node)
    }
}

/// `COUNT(*)` over the rows of `M`: `count_all::<User>()`.
///
/// ```
/// use ormlet_core::{Backend, prelude::*};
/// # use ormlet_core::doc_models::User;
/// let q = User::find().select(count_all::<User>());
/// assert_eq!(q.to_sql(Backend::Sqlite).0, r#"SELECT COUNT(*) FROM "users""#);
/// assert_eq!(q.to_sql(Backend::Postgres).0, r#"SELECT COUNT(*) FROM "users""#);
/// assert_eq!(q.to_sql(Backend::MySql).0, "SELECT COUNT(*) FROM `users`");
/// ```
pub fn count_all<M: Model>() -> Agg<M, i64> {
    Agg::count_all()
}

/// One `SET column = value` of an update.
pub struct Assignment<M> {
    pub(crate) column: &'static str,
    pub(crate) node: Node,
    _model: PhantomData<fn() -> M>,
}

/// `expr LIKE pattern ESCAPE '!'`, both sides lowered when case is to be ignored.
fn like_literal<M>(expr: Node, pattern: String, ignore_case: bool) -> Expr<M> {
    let pattern = Node::Value(Value::String(Some(pattern)));
    let (expr, pattern) = if ignore_case { (lower(expr), lower(pattern)) } else { (expr, pattern) };
    Expr::new(Node::binary(expr, BinOp::LikeLiteral, pattern))
}

fn lower(n: Node) -> Node {
    Node::Func(super::ast::ScalarFn::Lower, vec![n])
}

/// A join condition between the models `M` and `N`, from [`Column::equals`].
pub struct JoinOn<M, N> {
    pub(crate) on: [ColumnRef; 2],
    _models: PhantomData<fn() -> (M, N)>,
}

/// Proves that a query over `Self` (a model, or a join of models) may use
/// columns of `M`. `I` is an index inferred by the compiler; never name it.
#[diagnostic::on_unimplemented(
    message = "a column of `{M}` cannot be used in a query over `{Self}`",
    label = "this expression reads `{M}`, which the query does not select from",
    note = "filters, orders and selections may only use columns of the queried model or of a joined one"
)]
pub trait Contains<M, I> {}

/// Index types for [`Contains`].
#[doc(hidden)]
pub mod index {
    /// The query's own model.
    pub struct Root;
    /// The first model of a join.
    pub struct Left;
    /// The second model of a join.
    pub struct Right;
    /// The third model of a join.
    pub struct Third;
    /// The fourth model of a join.
    pub struct Fourth;
}

impl<M: Model> Contains<M, index::Root> for M {}
impl<A: Model, B: Model> Contains<A, index::Left> for (A, B) {}
impl<A: Model, B: Model> Contains<B, index::Right> for (A, B) {}
impl<A: Model, B: Model, C: Model> Contains<A, index::Left> for (A, B, C) {}
impl<A: Model, B: Model, C: Model> Contains<B, index::Right> for (A, B, C) {}
impl<A: Model, B: Model, C: Model> Contains<C, index::Third> for (A, B, C) {}
impl<A: Model, B: Model, C: Model, D: Model> Contains<A, index::Left> for (A, B, C, D) {}
impl<A: Model, B: Model, C: Model, D: Model> Contains<B, index::Right> for (A, B, C, D) {}
impl<A: Model, B: Model, C: Model, D: Model> Contains<C, index::Third> for (A, B, C, D) {}
impl<A: Model, B: Model, C: Model, D: Model> Contains<D, index::Fourth> for (A, B, C, D) {}

/// What `select(...)` accepts: a column, an aggregate, or a tuple of them, all
/// of models the query reads. `Row` is what each result row decodes into.
pub trait Selection<S, I> {
    /// The decoded row type.
    type Row: FromRow;
    #[doc(hidden)]
    fn project(self, out: &mut ProjectionList);
}

/// The SELECT list under construction, opaque outside ormlet.
#[doc(hidden)]
pub struct ProjectionList(pub(crate) Vec<Projection>);

impl<S, M, T, I> Selection<S, I> for Column<M, T>
where
    S: Contains<M, I>,
    T: FieldType + FromRow,
{
    type Row = T;
    fn project(self, out: &mut ProjectionList) {
        out.0.push(Projection::Expr(self.node()));
    }
}

impl<S, M, T, I> Selection<S, I> for Agg<M, T>
where
    S: Contains<M, I>,
    T: FromRow,
{
    type Row = T;
    fn project(self, out: &mut ProjectionList) {
        out.0.push(Projection::Expr(self.node));
    }
}

macro_rules! tuple_selection {
    ($($t:ident $i:ident),+) => {
        impl<S, $($t, $i),+> Selection<S, ($($i,)+)> for ($($t,)+)
        where
            $($t: Selection<S, $i>),+
        {
            type Row = ($($t::Row,)+);
            #[allow(non_snake_case)]
            fn project(self, out: &mut ProjectionList) {
                let ($($t,)+) = self;
                $($t.project(out);)+
            }
        }
    };
}
tuple_selection!(A IA);
tuple_selection!(A IA, B IB);
tuple_selection!(A IA, B IB, C IC);
tuple_selection!(A IA, B IB, C IC, D ID);
tuple_selection!(A IA, B IB, C IC, D ID, E IE);
tuple_selection!(A IA, B IB, C IC, D ID, E IE, F IF);

impl<M> Order<M> {
    pub(crate) fn into_parts(self) -> (Node, bool) {
        (self.node, self.asc)
    }
}

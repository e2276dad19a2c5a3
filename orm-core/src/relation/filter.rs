//! Filtering across a relation and counting per parent, each as a
//! correlated subquery of the one query: no N+1.

use super::load::key_column;
use super::{BelongsTo, BelongsToField, HasMany, ManyToMany, Relation};
use crate::model::{Model, ModelMeta};
use crate::query::ast::{AggFn, BinOp, ColumnRef, Join, JoinKind, Node, Projection, SelectAst};
use crate::query::{Expr, Select};

fn column(table: &'static str, name: &'static str) -> Node {
    Node::Column { table, name }
}

/// The key column's name; models with relations have a one-column key.
fn key_name(meta: &'static ModelMeta) -> &'static str {
    key_column(meta).map_or("rowid", |c| c.name)
}

fn eq(l: Node, r: Node) -> Node {
    Node::binary(l, BinOp::Eq, r)
}

fn and(l: Node, r: Node) -> Node {
    Node::binary(l, BinOp::And, r)
}

fn exists<M>(mut q: SelectAst, negated: bool) -> Expr<M> {
    let from = q.from;
    // Any one column: EXISTS ignores the list, and a join table may have no single key.
    let first = from.columns.first().map_or("rowid", |c| c.name);
    q.projection = vec![Projection::Expr(column(from.table, first))];
    Expr::new(Node::Exists { query: Box::new(q), negated })
}

impl<M: BelongsToField<F>, const F: usize> BelongsTo<M, F> {
    /// Rows whose target matches `condition`:
    /// `Post::AUTHOR.matches(User::NAME.eq("Ann"))` is
    /// `EXISTS (SELECT ... FROM users WHERE users.id = posts.author_id AND ...)`.
    ///
    /// ```
    /// use ormlet_core::{Backend, prelude::*};
    /// # use ormlet_core::doc_models::{User, Post};
    /// let q = Post::find().filter(Post::AUTHOR.matches(User::NAME.eq("Ann")));
    /// let tail = r#"WHERE EXISTS(SELECT "users"."id" FROM "users" WHERE "users"."id" = "posts"."author_id" AND "users"."name" = ?)"#;
    /// assert!(q.to_sql(Backend::Sqlite).0.ends_with(tail));
    /// assert!(q.to_sql(Backend::Postgres).0.ends_with(&tail.replace('?', "$1")));
    /// let tail = "WHERE EXISTS(SELECT `users`.`id` FROM `users` WHERE `users`.`id` = `posts`.`author_id` AND `users`.`name` = ?)";
    /// assert!(q.to_sql(Backend::MySql).0.ends_with(tail));
    /// ```
    pub fn matches(self, condition: Expr<M::Target>) -> Expr<M> {
        let target = M::Target::meta();
        let mut q = SelectAst::new(target);
        let link = eq(column(target.table, key_name(target)), column(M::meta().table, M::COLUMN));
        q.filter = Some(and(link, condition.node));
        exists(q, false)
    }
}

/// A correlated query over a relation's link rows, opaque outside ormlet.
#[doc(hidden)]
pub struct Linked(pub(crate) SelectAst);

/// `has_many` and `many_to_many`: relations with any number of targets
/// per parent, which can be tested and counted inside one query.
pub trait ToMany: Relation {
    /// The rows linked to the outer parent row, as a correlated query
    /// (`WHERE child.fk = parent.id`), joined to the targets when `targets`.
    #[doc(hidden)]
    fn linked(&self, targets: bool) -> Linked;

    /// Parents with at least one target matching `condition`:
    /// `User::POSTS.any(Post::TITLE.like("%rust%"))`.
    ///
    /// ```
    /// use ormlet_core::{prelude::*, relation::ToMany};
    /// # use ormlet_core::doc_models::{User, Post, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::POSTS.any(Post::TITLE.eq("Hi")));
    /// assert_eq!(sqlite, r#"EXISTS(SELECT "posts"."id" FROM "posts" WHERE "posts"."author_id" = "users"."id" AND "posts"."title" = ?)"#);
    /// assert_eq!(postgres, r#"EXISTS(SELECT "posts"."id" FROM "posts" WHERE "posts"."author_id" = "users"."id" AND "posts"."title" = $1)"#);
    /// assert_eq!(mysql, "EXISTS(SELECT `posts`.`id` FROM `posts` WHERE `posts`.`author_id` = `users`.`id` AND `posts`.`title` = ?)");
    /// ```
    fn any(&self, condition: Expr<Self::Target>) -> Expr<Self::Parent> {
        let mut q = self.linked(true).0;
        q.filter = q.filter.map(|f| and(f, condition.node));
        exists(q, false)
    }

    /// Parents with no target matching `condition`.
    ///
    /// ```
    /// use ormlet_core::{prelude::*, relation::ToMany};
    /// # use ormlet_core::doc_models::{User, Post, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::POSTS.none(Post::TITLE.eq("Hi")));
    /// assert_eq!(sqlite, r#"NOT EXISTS(SELECT "posts"."id" FROM "posts" WHERE "posts"."author_id" = "users"."id" AND "posts"."title" = ?)"#);
    /// assert_eq!(postgres, r#"NOT EXISTS(SELECT "posts"."id" FROM "posts" WHERE "posts"."author_id" = "users"."id" AND "posts"."title" = $1)"#);
    /// assert_eq!(mysql, "NOT EXISTS(SELECT `posts`.`id` FROM `posts` WHERE `posts`.`author_id` = `users`.`id` AND `posts`.`title` = ?)");
    /// ```
    fn none(&self, condition: Expr<Self::Target>) -> Expr<Self::Parent> {
        let mut q = self.linked(true).0;
        q.filter = q.filter.map(|f| and(f, condition.node));
        exists(q, true)
    }

    /// Parents with at least one target at all.
    ///
    /// ```
    /// use ormlet_core::{prelude::*, relation::ToMany};
    /// # use ormlet_core::doc_models::{User, Post, where_sql};
    /// let [sqlite, postgres, mysql] = where_sql(User::POSTS.exists());
    /// assert_eq!(sqlite, r#"EXISTS(SELECT "posts"."id" FROM "posts" WHERE "posts"."author_id" = "users"."id")"#);
    /// assert_eq!(postgres, sqlite);
    /// assert_eq!(mysql, "EXISTS(SELECT `posts`.`id` FROM `posts` WHERE `posts`.`author_id` = `users`.`id`)");
    /// ```
    fn exists(&self) -> Expr<Self::Parent> {
        exists(self.linked(false).0, false)
    }
}

impl<C, const F: usize> ToMany for HasMany<C, F>
where
    Self: Relation<Parent = C::Target, Target = C>,
    C: BelongsToField<F>,
{
    fn linked(&self, _targets: bool) -> Linked {
        let parent = C::Target::meta();
        let mut q = SelectAst::new(C::meta());
        q.filter = Some(eq(column(C::meta().table, C::COLUMN), column(parent.table, key_name(parent))));
        Linked(q)
    }
}

impl<J, const P: usize, const T: usize> ToMany for ManyToMany<J, P, T>
where
    Self: Relation<Parent = <J as BelongsToField<P>>::Target, Target = <J as BelongsToField<T>>::Target>,
    J: BelongsToField<P> + BelongsToField<T>,
{
    fn linked(&self, targets: bool) -> Linked {
        let parent = <Self as Relation>::Parent::meta();
        let join = J::meta();
        let mut q = SelectAst::new(join);
        let to_parent = <J as BelongsToField<P>>::COLUMN;
        q.filter = Some(eq(column(join.table, to_parent), column(parent.table, key_name(parent))));
        if targets {
            let target = <Self as Relation>::Target::meta();
            let to_target = <J as BelongsToField<T>>::COLUMN;
            q.joins.push(Join {
                kind: JoinKind::Inner,
                model: target,
                on: [
                    ColumnRef { table: join.table, name: to_target },
                    ColumnRef { table: target.table, name: key_name(target) },
                ],
            });
        }
        Linked(q)
    }
}

impl<M: Model, R> Select<M, R> {
    /// Adds the number of each row's targets of `rel` as a last column, in
    /// the same query: `User::find().annotate_count(User::POSTS)` gives
    /// `(User, i64)` rows.
    ///
    /// ```
    /// use ormlet_core::{prelude::*, Backend};
    /// # use ormlet_core::doc_models::User;
    /// let q = User::find().annotate_count(User::POSTS);
    /// assert_eq!(
    ///     q.to_sql(Backend::Sqlite).0,
    ///     r#"SELECT "users"."id", "users"."email", "users"."name", "users"."age", (SELECT COUNT(*) FROM "posts" WHERE "posts"."author_id" = "users"."id") FROM "users""#
    /// );
    /// ```
    pub fn annotate_count<T: ToMany<Parent = M>>(mut self, rel: T) -> Select<M, (R, i64)> {
        let mut count = rel.linked(false).0;
        count.projection = vec![Projection::Expr(Node::Aggregate(AggFn::Count, None))];
        self.ast.spelled_out_projection().push(Projection::Expr(Node::Subquery(Box::new(count))));
        Select::from_ast(self.ast)
    }
}

//! Set-based writes: `update_where` and `delete_where`.

use std::marker::PhantomData;
use std::panic::Location;

use super::ast::{DeleteAst, UpdateAst};
use super::expr::{Assignment, Expr};
use super::jobs::{Execute, FetchAll, Source};
use crate::backend::Backend;
use crate::executor::Executor;
use crate::model::Model;

/// `UPDATE ... SET ... WHERE ...` over the rows of `M` that match.
///
/// ```
/// use ormlet_core::{prelude::*, Backend};
/// # use ormlet_core::doc_models::User;
/// let q = User::update_where(User::AGE.lt(0), [User::AGE.set(None)]);
/// assert_eq!(q.to_sql(Backend::Sqlite).0, r#"UPDATE "users" SET "age" = ? WHERE "users"."age" < ?"#);
/// assert_eq!(q.to_sql(Backend::Postgres).0, r#"UPDATE "users" SET "age" = $1 WHERE "users"."age" < $2"#);
/// assert_eq!(q.to_sql(Backend::MySql).0, "UPDATE `users` SET `age` = ? WHERE `users`.`age` < ?");
/// ```
#[must_use = "an update does nothing until `.exec(&db)` runs it"]
pub struct UpdateWhere<M> {
    ast: UpdateAst,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> UpdateWhere<M> {
    pub(crate) fn new(filter: Option<Expr<M>>, sets: impl IntoIterator<Item = Assignment<M>>) -> Self {
        UpdateWhere {
            ast: UpdateAst {
                table: M::meta(),
                sets: sets.into_iter().map(|a| (a.column, a.node)).collect(),
                filter: filter.map(|f| f.node),
                returning: false,
            },
            _model: PhantomData,
        }
    }

    /// The SQL and values on `backend`.
    pub fn to_sql(&self, backend: Backend) -> (String, Vec<sea_query::Value>) {
        let b = super::render::build(&mut self.ast.clone(), backend, None);
        (b.sql.to_string(), b.values.into_vec())
    }

    /// Runs it; gives the number of rows changed.
    #[track_caller]
    pub fn exec<E: Executor>(self, db: &E) -> E::Output<'_, Execute> {
        db.run(Execute { source: Source::Update(self.ast), loc: Location::caller() })
    }

    /// Runs it with `RETURNING`; gives the changed rows as they are now
    /// (SQLite, PostgreSQL; MySQL has no `RETURNING`).
    #[track_caller]
    pub fn returning<E: Executor>(mut self, db: &E) -> E::Output<'_, FetchAll<M>> {
        self.ast.returning = true;
        db.run(FetchAll { source: Source::Update(self.ast), loc: Location::caller(), _row: PhantomData })
    }
}

/// `DELETE FROM ... WHERE ...` over the rows of `M` that match.
///
/// ```
/// use ormlet_core::{prelude::*, Backend};
/// # use ormlet_core::doc_models::User;
/// let q = User::delete_where(User::EMAIL.like("%@spam.io"));
/// assert_eq!(q.to_sql(Backend::Sqlite).0, r#"DELETE FROM "users" WHERE "users"."email" LIKE ?"#);
/// assert_eq!(q.to_sql(Backend::Postgres).0, r#"DELETE FROM "users" WHERE "users"."email" LIKE $1"#);
/// assert_eq!(q.to_sql(Backend::MySql).0, "DELETE FROM `users` WHERE `users`.`email` LIKE (? COLLATE utf8mb4_bin)");
/// ```
#[must_use = "a delete does nothing until `.exec(&db)` runs it"]
pub struct DeleteWhere<M> {
    ast: DeleteAst,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> DeleteWhere<M> {
    pub(crate) fn new(filter: Option<Expr<M>>) -> Self {
        DeleteWhere {
            ast: DeleteAst { table: M::meta(), filter: filter.map(|f| f.node), returning: false },
            _model: PhantomData,
        }
    }

    /// The SQL and values on `backend`.
    pub fn to_sql(&self, backend: Backend) -> (String, Vec<sea_query::Value>) {
        let b = super::render::build(&mut self.ast.clone(), backend, None);
        (b.sql.to_string(), b.values.into_vec())
    }

    /// Runs it; gives the number of rows deleted.
    #[track_caller]
    pub fn exec<E: Executor>(self, db: &E) -> E::Output<'_, Execute> {
        db.run(Execute { source: Source::Delete(self.ast), loc: Location::caller() })
    }

    /// Runs it with `RETURNING`; gives the deleted rows.
    #[track_caller]
    pub fn returning<E: Executor>(mut self, db: &E) -> E::Output<'_, FetchAll<M>> {
        self.ast.returning = true;
        db.run(FetchAll { source: Source::Delete(self.ast), loc: Location::caller(), _row: PhantomData })
    }
}

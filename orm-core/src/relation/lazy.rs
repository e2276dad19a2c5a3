//! Lazy loading: one relation of one row, one query (`post.author(&db)`).
//! Each call is recorded with the relation's name, so a profiler that sees
//! it in a loop can name the eager fix.

use std::panic::Location;

use super::{LoadSite, Relation};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::executor::{Executor, Job};

/// Job of a lazy relation accessor.
#[doc(hidden)]
pub struct LoadRelation<'p, R: Relation> {
    rel: R,
    parent: &'p R::Parent,
    loc: &'static Location<'static>,
}

impl<R: Relation> Job for LoadRelation<'_, R>
where
    R::Target: Clone,
{
    type Out = R::Data<R::Target>;
    async fn run<C: Connection>(self, conn: &mut C) -> Result<Self::Out> {
        let at = LoadSite::lazy(self.loc);
        self.rel
            .load(conn, at, std::slice::from_ref(self.parent), &())
            .await?
            .pop()
            .ok_or(Error::NotFound { model: <R::Target as crate::Model>::meta().name, key: None })
    }
}

/// Loads `rel` for one `parent`: what the derive's accessors
/// (`post.author(&db)`, `user.posts(&db)`) call.
#[track_caller]
pub fn load_relation<'a, R, E>(rel: R, parent: &'a R::Parent, db: &'a E) -> E::Output<'a, LoadRelation<'a, R>>
where
    R: Relation,
    R::Target: Clone,
    E: Executor,
{
    db.run(LoadRelation { rel, parent, loc: Location::caller() })
}

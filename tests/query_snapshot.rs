//! A profile's snapshot pinned with insta: adding a query to this code
//! changes `tests/snapshots/query_snapshot__*.snap`, and the diff names it.
//! (`INSTA_UPDATE=always cargo test --test query_snapshot` accepts a change.)

mod common;

use common::{User, db, seed};
use ormlet::prelude::*;

#[test]
fn the_users_page_runs_these_queries() {
    let db = db();
    seed(&db, 2);
    let ((), profile) = ormlet::profile(|| {
        let users = User::find().order_by(User::NAME.asc()).all(&db).unwrap();
        for u in &users {
            // One query per user: the snapshot folds it and names the N+1.
            common::Post::find().filter(common::Post::AUTHOR_ID.eq(u.id.get().unwrap())).all(&db).unwrap();
        }
        User::find().count(&db).unwrap();
    });
    insta::assert_snapshot!(profile.snapshot());
}

use ormlet::prelude::*;

#[derive(Model, Clone)]
#[ormlet(has_many(posts = Post))]
struct User {
    #[ormlet(primary_key)]
    id: Auto<i64>,
}

#[derive(Model, Clone)]
struct Post {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    author_id: i64,
}

fn main() {}

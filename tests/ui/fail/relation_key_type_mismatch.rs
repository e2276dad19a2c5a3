use ormlet::prelude::*;

#[derive(Model, Clone)]
struct User {
    #[ormlet(primary_key)]
    id: Auto<i64>,
}

#[derive(Model, Clone)]
struct Post {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    #[ormlet(belongs_to = User)]
    author_id: String,
}

fn main() {}

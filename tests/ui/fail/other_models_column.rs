use ormlet::prelude::*;

#[derive(Model)]
struct User {
    #[ormlet(primary_key)]
    id: Auto<i64>,
}

#[derive(Model)]
struct Post {
    #[ormlet(primary_key)]
    id: Auto<i64>,
    title: String,
}

fn main() {
    let _ = User::find().filter(Post::TITLE.eq("hello"));
}

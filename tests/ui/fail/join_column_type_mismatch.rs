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
    author: String,
}

fn main() {
    let _ = User::find().inner_join(User::ID.equals(Post::AUTHOR));
}

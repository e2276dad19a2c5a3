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
    #[ormlet(belongs_to = User)]
    author_id: i64,
}

fn main() {
    // `Post::AUTHOR` starts from posts, not users.
    let _ = User::find().with(Post::AUTHOR);
}

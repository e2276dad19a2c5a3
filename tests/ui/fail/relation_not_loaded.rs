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
    author_id: i64,
    #[ormlet(belongs_to = User)]
    editor_id: Option<i64>,
}

fn main() -> ormlet::Result<()> {
    let db = ormlet::sqlite::Db::connect("sqlite::memory:")?;
    let posts = Post::find().with(Post::AUTHOR).all(&db)?;
    // The editor was not loaded: no hidden query, a compile error.
    let _ = posts[0].editor();
    Ok(())
}

//! ormlet in one screen, on embedded SQLite: no server, no set-up.
//!
//!     cargo run --example quickstart
//!
//! The same program runs unchanged on a server:
//!
//!     DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --example quickstart
//!     DATABASE_URL=mysql://root@127.0.0.1:3306/test cargo run --example quickstart
//!
//! (it drops and recreates the tables `posts` and `users` there, and its
//! record in `ormlet_migrations`).

use ormlet::AnyDb;
use ormlet::migrate::{self, Migrator, Snapshot};
use ormlet::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "users", has_many(posts = Post))]
pub struct User {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub email: String,
    #[ormlet(column = "display_name", index)]
    pub name: String,
    pub age: Option<i32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "posts")]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = User, index)]
    pub author_id: i64,
    pub title: String,
    #[ormlet(default = 0)]
    pub likes: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
    let db = AnyDb::connect(&url).await?;

    // Schema through a migration: diff the models against the database and
    // run what that wrote (`ormlet migrate diff` writes the same to files).
    db.execute_batch("DROP TABLE IF EXISTS posts").await?;
    db.execute_batch("DROP TABLE IF EXISTS users").await?;
    let _ = db.execute_batch("DELETE FROM ormlet_migrations WHERE name = 'quickstart_schema'").await;
    let plan = migrate::plan(&db, &Snapshot::of::<(User, Post)>()).await?;
    println!("migration up.sql ({:?}):", db.backend());
    for sql in &plan.up {
        println!("  {sql};");
    }
    let migrator = Migrator::new(vec![plan.to_migration(1, "quickstart_schema")]);
    println!("applied: {:?}", migrator.run(&db, None).await?);
    assert!(migrate::plan(&db, &Snapshot::of::<(User, Post)>()).await?.is_empty(), "the schema matches the models");

    // Insert: the generated key comes back and is stored in the row.
    let mut ann = User { id: Auto::new(), email: "ann@example.com".into(), name: "Ann".into(), age: Some(31) };
    let ann_id = ann.insert(&db).await?;
    let mut bob = User { id: Auto::new(), email: "bob@example.com".into(), name: "Bob".into(), age: Some(17) };
    let bob_id = bob.insert(&db).await?;
    println!("\ninserted {} (id {ann_id}) and {} (id {bob_id})", ann.name, bob.name);

    let posts: Vec<Post> = (1..=3)
        .map(|i| Post {
            id: Auto::new(),
            author_id: if i == 2 { bob_id } else { ann_id },
            title: format!("Post {i}"),
            likes: 0,
        })
        .collect();
    println!("insert_many: {} posts in one statement", Post::insert_many(&db, &posts).await?);

    // Typed queries: a wrong column or value type does not compile.
    let adults = User::find().filter(User::AGE.gte(18)).order_by(User::NAME.asc()).all(&db).await?;
    println!("adults: {:?}", adults.iter().map(|u| &u.name).collect::<Vec<_>>());
    let per_author: Vec<(i64, i64)> = Post::find()
        .select((Post::AUTHOR_ID, Post::ID.count()))
        .group_by(Post::AUTHOR_ID)
        .order_by(Post::AUTHOR_ID.asc())
        .all(&db)
        .await?;
    println!("posts per author: {per_author:?}");
    let with_authors: Vec<(Post, User)> =
        Post::find().inner_join(Post::AUTHOR_ID.equals(User::ID)).order_by(Post::TITLE.asc()).all(&db).await?;
    for (post, author) in &with_authors {
        println!("  {:<7} by {}", post.title, author.name);
    }

    // Update a row, and a set of rows.
    bob.age = Some(18);
    bob.update(&db).await?;
    let liked = Post::update_where(Post::TITLE.is_in(["Post 1", "Post 2"]), [Post::LIKES.set(5)]).exec(&db).await?;
    println!("\nbob is now {:?}; {liked} posts liked", User::get(&db, bob_id).await?.age);

    // A transaction: all or nothing. This one fails on the unique email and rolls back.
    let failed = db
        .transaction(|tx| {
            Box::pin(async move {
                Post { id: Auto::new(), author_id: ann_id, title: "draft".into(), likes: 0 }.insert(tx).await?;
                User { id: Auto::new(), email: "ann@example.com".into(), name: "Ann again".into(), age: None }
                    .insert(tx)
                    .await?;
                Ok(())
            })
        })
        .await;
    println!("transaction: {}", failed.unwrap_err());
    println!("posts after rollback: {}", Post::find().count(&db).await?);

    // Delete.
    let gone = Post::delete_where(Post::LIKES.eq(0)).exec(&db).await?;
    println!("deleted {gone} unliked post(s); {} left", Post::find().count(&db).await?);

    // The escape hatch: raw SQL (in the backend's own dialect), still profiled.
    let names: Vec<String> = db.raw("SELECT display_name FROM users ORDER BY display_name", vec![]).all().await?;
    println!("raw query: {names:?}");

    // The profiler: every query of a scope with the line that issued it.
    // Loading each post's author in a loop is the classic N+1...
    let (looped, profile): (ormlet::Result<()>, _) = ormlet::profile_async(async {
        for post in Post::find().all(&db).await? {
            let author = post.author(&db).await?; // one query per post
            let _ = (post.title, author.name);
        }
        Ok(())
    })
    .await;
    looped?;
    println!("\n--- profile of the author loop ---\n{}", profile.to_text());

    // ...and `.with(...)`, which the report names, is the fix: 2 queries.
    let (fixed_run, fixed): (ormlet::Result<()>, _) = ormlet::profile_async(async {
        for post in Post::find().with(Post::AUTHOR).all(&db).await? {
            let _ = (&post.title, &post.author().name);
        }
        Ok(())
    })
    .await;
    fixed_run?;
    println!("--- after the fix ---\n{}", fixed.to_text());

    // Relations also filter and count inside one query.
    let prolific = User::find().filter(User::POSTS.any(Post::LIKES.ge(5))).count(&db).await?;
    let per_user: Vec<(User, i64)> =
        User::find().order_by(User::NAME.asc()).annotate_count(User::POSTS).all(&db).await?;
    let counts: Vec<String> = per_user.iter().map(|(u, n)| format!("{}: {n}", u.name)).collect();
    println!("posts per user: {} ({prolific} with a liked post)", counts.join(", "));
    Ok(())
}

//! The classic N+1, caught and fixed: load 10 posts, then each post's author.
//!
//!     cargo run --example n_plus_one                      # text report of the N+1
//!     cargo run --example n_plus_one -- --json            # the same, as JSON
//!     cargo run --example n_plus_one -- --json --eager    # the fix: 2 queries, no findings

use ormlet::prelude::*;
use ormlet::profiler::Profile;
use ormlet::sqlite::Db;

#[derive(Model, Debug, Clone)]
#[ormlet(table = "authors", has_many(posts = Post))]
pub struct Author {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[ormlet(table = "posts")]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Author, index)]
    pub author_id: i64,
    pub title: String,
}

/// Lists "title by author" for 10 posts, the naive way or with `.with(...)`.
pub fn run(db: &Db, eager: bool) -> (ormlet::Result<Vec<String>>, Profile) {
    ormlet::profile(|| {
        if eager {
            let posts = Post::find().order_by(Post::ID.asc()).limit(10).with(Post::AUTHOR).all(db)?;
            Ok(posts.iter().map(|post| format!("{} by {}", post.title, post.author().name)).collect())
        } else {
            let posts = Post::find().order_by(Post::ID.asc()).limit(10).all(db)?;
            let mut lines = Vec::new();
            for post in &posts {
                let author = post.author(db)?; // one query per post: the N+1
                lines.push(format!("{} by {}", post.title, author.name));
            }
            Ok(lines)
        }
    })
}

/// An in-memory database with 10 authors of one post each.
pub fn seeded_db() -> ormlet::Result<Db> {
    let db = Db::connect("sqlite::memory:")?;
    db.create_table::<Author>()?;
    db.create_table::<Post>()?;
    for i in 1..=10 {
        let author_id = Author { id: Auto::new(), name: format!("Author {i}") }.insert(&db)?;
        Post { id: Auto::new(), author_id, title: format!("Post {i}") }.insert(&db)?;
    }
    Ok(db)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let json = std::env::args().any(|a| a == "--json");
    let eager = std::env::args().any(|a| a == "--eager");
    let db = seeded_db()?;
    let (lines, profile) = run(&db, eager);
    let lines = lines?;
    if json {
        println!("{}", profile.to_json());
    } else {
        for l in &lines {
            println!("{l}");
        }
        println!();
        print!("{}", profile.to_text());
    }
    Ok(())
}

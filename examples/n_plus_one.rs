//! The classic N+1, caught: load 10 posts, then each post's author in a loop.
//!
//!     cargo run --example n_plus_one            # text report
//!     cargo run --example n_plus_one -- --json  # JSON report

use ormlet::prelude::*;
use ormlet::sqlite::Db;

#[derive(Model, Debug, Clone)]
#[ormlet(table = "authors")]
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
    #[ormlet(index)]
    pub author_id: i64,
    pub title: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let json = std::env::args().any(|a| a == "--json");
    let db = Db::connect("sqlite::memory:")?;
    db.create_table::<Author>()?;
    db.create_table::<Post>()?;
    for i in 1..=10 {
        let author_id = Author { id: Auto::new(), name: format!("Author {i}") }.insert(&db)?;
        Post { id: Auto::new(), author_id, title: format!("Post {i}") }.insert(&db)?;
    }

    let (lines, profile) = ormlet::profile(|| -> ormlet::Result<Vec<String>> {
        let posts = Post::find().order_by(Post::ID.asc()).limit(10).all(&db)?;
        let mut lines = Vec::new();
        for post in &posts {
            let author = Author::get(&db, post.author_id)?; // one query per post: the N+1
            lines.push(format!("{} by {}", post.title, author.name));
        }
        Ok(lines)
    });
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

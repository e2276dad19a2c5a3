//! Diesel's benchmark schema, as ormlet models and as SQL.

use ormlet::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "users", has_many(posts = Post))]
pub struct User {
    #[ormlet(primary_key)]
    pub id: Auto<i32>,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "posts", has_many(comments = Comment))]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i32>,
    #[ormlet(belongs_to = User)]
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "comments")]
pub struct Comment {
    #[ormlet(primary_key)]
    pub id: Auto<i32>,
    #[ormlet(belongs_to = Post)]
    pub post_id: i32,
    pub text: String,
}

/// The schema both sides run on (Diesel's, plus the index the
/// filter/order/limit case filters on).
pub const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR NOT NULL, hair_color VARCHAR);
    CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, title VARCHAR NOT NULL, body TEXT);
    CREATE TABLE comments (id INTEGER PRIMARY KEY AUTOINCREMENT, post_id INTEGER NOT NULL, text TEXT NOT NULL);
    CREATE INDEX users_name ON users (name);
";

/// An in-memory rusqlite database with [`SCHEMA`], planning statements as
/// ormlet's connections do (SQLite's query planner stability guarantee), so
/// no baseline is slowed by a statement prepared again that ormlet keeps.
pub fn raw_database() -> rusqlite::Connection {
    let raw = rusqlite::Connection::open_in_memory().expect("rusqlite db");
    raw.execute_batch(SCHEMA).expect("schema");
    raw.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).expect("planner setting");
    raw
}

/// A raw row, decoded by index the way hand-written rusqlite does.
#[derive(Debug)]
#[allow(dead_code)] // read only through black_box
pub struct RawUser {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Debug)]
#[allow(dead_code)] // read only through black_box
pub struct RawPost {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

pub fn raw_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok(RawUser { id: row.get(0)?, name: row.get(1)?, hair_color: row.get(2)? })
}

#[derive(Debug)]
#[allow(dead_code)] // read only through black_box
pub struct RawComment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

pub fn raw_post(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawPost> {
    Ok(RawPost { id: row.get(0)?, user_id: row.get(1)?, title: row.get(2)?, body: row.get(3)? })
}

pub fn raw_comment(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawComment> {
    Ok(RawComment { id: row.get(0)?, post_id: row.get(1)?, text: row.get(2)? })
}

/// Users with their posts, each with its comments.
pub type Grouped = Vec<(RawUser, Vec<(RawPost, Vec<RawComment>)>)>;

/// Groups each level under its parent through an index of parent ids, as
/// hand-written code loading associations does.
pub fn group(users: Vec<RawUser>, posts: Vec<RawPost>, comments: Vec<RawComment>) -> Grouped {
    use std::collections::HashMap;
    let post_index: HashMap<i32, usize> = posts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut posts: Vec<(RawPost, Vec<RawComment>)> = posts.into_iter().map(|p| (p, Vec::new())).collect();
    for c in comments {
        if let Some(&i) = post_index.get(&c.post_id) {
            posts[i].1.push(c);
        }
    }
    let user_index: HashMap<i32, usize> = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut grouped: Grouped = users.into_iter().map(|u| (u, Vec::new())).collect();
    for p in posts {
        if let Some(&i) = user_index.get(&p.0.user_id) {
            grouped[i].1.push(p);
        }
    }
    grouped
}

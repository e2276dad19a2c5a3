//! Models and helpers shared by the integration tests.
#![allow(dead_code)]

use ormlet::prelude::*;
use ormlet::sqlite::Db;

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "users")]
pub struct User {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub email: String,
    #[ormlet(column = "display_name", index)]
    pub name: String,
    pub age: Option<i32>,
}

impl User {
    pub fn new(email: &str, name: &str, age: Option<i32>) -> Self {
        User { id: Auto::new(), email: email.into(), name: name.into(), age }
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[ormlet(table = "posts")]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub author_id: i64,
    pub title: String,
    pub body: Option<String>,
}

impl Post {
    pub fn new(author_id: i64, title: &str) -> Self {
        Post { id: Auto::new(), author_id, title: title.into(), body: None }
    }
}

/// An in-memory database with `users` and `posts`.
pub fn db() -> Db {
    let db = Db::connect("sqlite::memory:").expect("in-memory database");
    db.create_table::<User>().expect("users");
    db.create_table::<Post>().expect("posts");
    db
}

/// Inserts Ann (31), Bob (17), Cid (no age), each with `posts` posts.
pub fn seed(db: &Db, posts: usize) -> Vec<User> {
    let mut users = vec![
        User::new("ann@x.io", "Ann", Some(31)),
        User::new("bob@x.io", "Bob", Some(17)),
        User::new("cid@x.io", "Cid", None),
    ];
    for u in &mut users {
        let id = u.insert(db).expect("insert user");
        for i in 0..posts {
            Post::new(id, &format!("{} #{i}", u.name)).insert(db).expect("insert post");
        }
    }
    users
}

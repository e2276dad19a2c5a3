//! The tables: users and who follows whom, articles with tags, favorites
//! and comments.

use chrono::{DateTime, Utc};
use ormlet::prelude::*;

#[derive(Model, Debug, Clone)]
#[ormlet(table = "users")]
pub struct User {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub username: String,
    #[ormlet(unique)]
    pub email: String,
    pub password_hash: String,
    pub bio: Option<String>,
    pub image: Option<String>,
}

/// `follower_id` follows `followee_id`.
#[derive(Model, Debug, Clone)]
#[ormlet(table = "follows")]
pub struct Follow {
    #[ormlet(primary_key, belongs_to = User, relation = "follower")]
    pub follower_id: i64,
    #[ormlet(primary_key, belongs_to = User, relation = "followee", index)]
    pub followee_id: i64,
}

#[derive(Model, Debug, Clone)]
#[ormlet(table = "articles", many_to_many(tags = Tag, through = ArticleTag))]
pub struct Article {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub slug: String,
    pub title: String,
    pub description: String,
    pub body: String,
    #[ormlet(belongs_to = User, index)]
    pub author_id: i64,
    #[ormlet(index)]
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Model, Debug, Clone)]
#[ormlet(table = "tags")]
pub struct Tag {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone)]
#[ormlet(table = "article_tags")]
pub struct ArticleTag {
    #[ormlet(primary_key, belongs_to = Article)]
    pub article_id: i64,
    #[ormlet(primary_key, belongs_to = Tag, index)]
    pub tag_id: i64,
}

/// `user_id` favorited `article_id`.
#[derive(Model, Debug, Clone)]
#[ormlet(table = "favorites")]
pub struct Favorite {
    #[ormlet(primary_key, belongs_to = User)]
    pub user_id: i64,
    #[ormlet(primary_key, belongs_to = Article, index)]
    pub article_id: i64,
}

#[derive(Model, Debug, Clone)]
#[ormlet(table = "comments")]
pub struct Comment {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Article, index)]
    pub article_id: i64,
    #[ormlet(belongs_to = User)]
    pub author_id: i64,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every model, in the order their tables are created.
pub type All = (User, Follow, Article, Tag, ArticleTag, Favorite, Comment);

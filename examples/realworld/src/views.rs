//! The JSON the spec returns, and the queries that fill in each viewer's
//! flags: one query per flag for a whole page, never one per row.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use ormlet::AnyDb;
use ormlet::prelude::*;
use serde::Serialize;

use crate::error::AppResult;
use crate::models::{Article, Comment, Favorite, Follow, Tag, User};

/// `createdAt` and `updatedAt`: ISO 8601 with milliseconds, in UTC.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The signed-in user, with their token.
#[derive(Serialize)]
pub struct UserView {
    pub email: String,
    pub token: String,
    pub username: String,
    pub bio: Option<String>,
    pub image: Option<String>,
}

impl UserView {
    pub fn new(user: User, token: String) -> Self {
        UserView { email: user.email, token, username: user.username, bio: user.bio, image: user.image }
    }
}

/// A user as others see them.
#[derive(Serialize, Clone)]
pub struct Profile {
    pub username: String,
    pub bio: Option<String>,
    pub image: Option<String>,
    pub following: bool,
}

impl Profile {
    pub fn new(user: &User, following: bool) -> Self {
        Profile { username: user.username.clone(), bio: user.bio.clone(), image: user.image.clone(), following }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub body: String,
    pub tag_list: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub favorited: bool,
    pub favorites_count: i64,
    pub author: Profile,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    pub id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub body: String,
    pub author: Profile,
}

/// An article with its author and tags, as the article queries load them.
pub type ArticleRow = (Article, User, Vec<Tag>);

/// Which of `authors` the viewer follows: one query, none without a viewer.
pub async fn followed(db: &AnyDb, viewer: Option<i64>, authors: &[i64]) -> AppResult<HashSet<i64>> {
    let Some(me) = viewer else { return Ok(HashSet::new()) };
    if authors.is_empty() {
        return Ok(HashSet::new());
    }
    let mut unique = authors.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let ids: Vec<i64> = Follow::find()
        .filter(Follow::FOLLOWER_ID.eq(me).and(Follow::FOLLOWEE_ID.is_in(unique)))
        .select(Follow::FOLLOWEE_ID)
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// The views of `rows` for `viewer`: favorites counts in one query, the
/// viewer's favorites in one, whom they follow in one.
pub async fn articles(db: &AnyDb, rows: Vec<ArticleRow>, viewer: Option<i64>) -> AppResult<Vec<ArticleView>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = rows.iter().map(|(a, _, _)| a.id.key()).collect::<ormlet::Result<Vec<i64>>>()?;
    let counts: HashMap<i64, i64> = Favorite::find()
        .filter(Favorite::ARTICLE_ID.is_in(ids.clone()))
        .group_by(Favorite::ARTICLE_ID)
        .select((Favorite::ARTICLE_ID, ormlet::count_all::<Favorite>()))
        .all(db)
        .await?
        .into_iter()
        .collect();
    let favorited: HashSet<i64> = match viewer {
        Some(me) => Favorite::find()
            .filter(Favorite::USER_ID.eq(me).and(Favorite::ARTICLE_ID.is_in(ids)))
            .select(Favorite::ARTICLE_ID)
            .all(db)
            .await?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    let authors: Vec<i64> = rows.iter().map(|(a, _, _)| a.author_id).collect();
    let following = followed(db, viewer, &authors).await?;
    Ok(rows
        .into_iter()
        .map(|(a, author, tags)| {
            let id = a.id.get().unwrap_or_default();
            article_view(
                a,
                &author,
                tags,
                favorited.contains(&id),
                counts.get(&id).copied().unwrap_or(0),
                following.contains(&author_key(&author)),
            )
        })
        .collect())
}

fn author_key(user: &User) -> i64 {
    user.id.get().unwrap_or_default()
}

/// One article's view, its flags known.
pub fn article_view(
    a: Article,
    author: &User,
    tags: Vec<Tag>,
    favorited: bool,
    count: i64,
    following: bool,
) -> ArticleView {
    let mut tag_list: Vec<String> = tags.into_iter().map(|t| t.name).collect();
    tag_list.sort();
    ArticleView {
        slug: a.slug,
        title: a.title,
        description: a.description,
        body: a.body,
        tag_list,
        created_at: timestamp(&a.created_at),
        updated_at: timestamp(&a.updated_at),
        favorited,
        favorites_count: count,
        author: Profile::new(author, following),
    }
}

/// The views of comments with their authors, for `viewer`: one query for whom they follow.
pub async fn comments(db: &AnyDb, rows: Vec<(Comment, User)>, viewer: Option<i64>) -> AppResult<Vec<CommentView>> {
    let authors: Vec<i64> = rows.iter().map(|(c, _)| c.author_id).collect();
    let following = followed(db, viewer, &authors).await?;
    Ok(rows.into_iter().map(|(c, author)| comment_view(c, &author, following.contains(&author_key(&author)))).collect())
}

pub fn comment_view(c: Comment, author: &User, following: bool) -> CommentView {
    CommentView {
        id: c.id.get().unwrap_or_default(),
        created_at: timestamp(&c.created_at),
        updated_at: timestamp(&c.updated_at),
        body: c.body,
        author: Profile::new(author, following),
    }
}

//! Articles: lists with filters, the feed, one article, writing, favorites.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Json, Router, routing};
use chrono::Utc;
use ormlet::prelude::*;
use ormlet::{AnyDb, AnyTx, OnConflict, Select};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{AuthUser, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::models::{Article, ArticleTag, Comment, Favorite, Follow, Tag, User};
use crate::routes::users::required;
use crate::views::{self, ArticleRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/articles", routing::get(list).post(create))
        .route("/articles/feed", routing::get(feed))
        .route("/articles/{slug}", routing::get(show).put(update).delete(remove))
        .route("/articles/{slug}/favorite", routing::post(favorite).delete(unfavorite))
}

#[derive(Deserialize)]
pub struct Filters {
    tag: Option<String>,
    author: Option<String>,
    favorited: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

#[derive(Deserialize)]
pub struct Body<T> {
    article: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewArticle {
    title: Option<String>,
    description: Option<String>,
    body: Option<String>,
    tag_list: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub struct ArticleChanges {
    title: Option<String>,
    description: Option<String>,
    body: Option<String>,
}

/// Articles of `q`, newest first, with their authors and tags: three
/// queries whatever the number of articles.
async fn load(db: &AnyDb, q: Select<Article, Article>) -> AppResult<Vec<ArticleRow>> {
    let rows = q.order_by(Article::CREATED_AT.desc()).with(Article::AUTHOR).with(Article::TAGS).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (article, (tags, (author, ()))) = row.into_parts();
            (article, author, tags)
        })
        .collect())
}

/// The article at `slug`, with its author and tags, or 404.
async fn by_slug(db: &AnyDb, slug: &str) -> AppResult<ArticleRow> {
    load(db, Article::find().filter(Article::SLUG.eq(slug)).limit(1)).await?.pop().ok_or(AppError::NotFound("article"))
}

/// A page of articles and how many there are in all.
async fn page(db: &AnyDb, q: Select<Article, Article>, f: &Filters, viewer: Option<i64>) -> AppResult<Json<Value>> {
    let count = q.clone().count(db).await?;
    let rows = load(db, q.limit(f.limit.unwrap_or(20).min(100)).offset(f.offset.unwrap_or(0))).await?;
    let articles = views::articles(db, rows, viewer).await?;
    Ok(Json(json!({ "articles": articles, "articlesCount": count })))
}

fn single(view: views::ArticleView) -> Json<Value> {
    Json(json!({ "article": view }))
}

async fn list(State(s): State<AppState>, MaybeUser(me): MaybeUser, Query(f): Query<Filters>) -> AppResult<Json<Value>> {
    let mut q = Article::find();
    if let Some(author) = &f.author {
        q = q.filter(Article::AUTHOR_ID.in_subquery(User::find().filter(User::USERNAME.eq(author)).select(User::ID)));
    }
    if let Some(fan) = &f.favorited {
        let fans = User::find().filter(User::USERNAME.eq(fan)).select(User::ID);
        let liked = Favorite::find().filter(Favorite::USER_ID.in_subquery(fans)).select(Favorite::ARTICLE_ID);
        q = q.filter(Article::ID.in_subquery(liked));
    }
    if let Some(tag) = &f.tag {
        let tag_ids = Tag::find().filter(Tag::NAME.eq(tag)).select(Tag::ID);
        let tagged = ArticleTag::find().filter(ArticleTag::TAG_ID.in_subquery(tag_ids)).select(ArticleTag::ARTICLE_ID);
        q = q.filter(Article::ID.in_subquery(tagged));
    }
    page(&s.db, q, &f, me).await
}

async fn feed(State(s): State<AppState>, AuthUser(me): AuthUser, Query(f): Query<Filters>) -> AppResult<Json<Value>> {
    let followed = Follow::find().filter(Follow::FOLLOWER_ID.eq(me)).select(Follow::FOLLOWEE_ID);
    page(&s.db, Article::find().filter(Article::AUTHOR_ID.in_subquery(followed)), &f, Some(me)).await
}

async fn show(State(s): State<AppState>, MaybeUser(me): MaybeUser, Path(slug): Path<String>) -> AppResult<Json<Value>> {
    let row = by_slug(&s.db, &slug).await?;
    let view = views::articles(&s.db, vec![row], me).await?.pop().ok_or(AppError::NotFound("article"))?;
    Ok(single(view))
}

/// `How to Train Your Dragon` → `how-to-train-your-dragon-1a2b3c`: readable,
/// and unique by its suffix.
fn slug_of(title: &str) -> String {
    use std::hash::{BuildHasher, RandomState};
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let suffix = RandomState::new().hash_one(std::time::SystemTime::now()) & 0xff_ffff;
    format!("{}-{suffix:06x}", words.join("-"))
}

/// The tags called `names`, created where missing: two statements for any number.
async fn tags_named(tx: &AnyTx, names: &[String]) -> ormlet::Result<Vec<Tag>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Tag> = names.iter().map(|n| Tag { id: Auto::new(), name: n.clone() }).collect();
    Tag::upsert_many(tx, &rows, OnConflict::columns(Tag::NAME).do_nothing()).await?;
    Tag::find().filter(Tag::NAME.is_in(names.iter().map(String::as_str))).all(tx).await
}

async fn create(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Json(body): Json<Body<NewArticle>>,
) -> AppResult<(StatusCode, Json<Value>)> {
    let n = body.article;
    let (title, description, text) =
        (required(n.title, "title")?, required(n.description, "description")?, required(n.body, "body")?);
    let mut names: Vec<String> = n.tag_list.unwrap_or_default().into_iter().filter(|t| !t.trim().is_empty()).collect();
    names.sort();
    names.dedup();
    let author = User::get(&s.db, me).await.map_err(|_| AppError::Unauthorized)?;
    let now = Utc::now();
    let mut article = Article {
        id: Auto::new(),
        slug: slug_of(&title),
        title,
        description,
        body: text,
        author_id: me,
        created_at: now,
        updated_at: now,
    };
    let (article, tags) =
        s.db.transaction_with(|tx| {
            Box::pin(async move {
                let id = article.insert(tx).await?;
                let tags = tags_named(tx, &names).await?;
                let links: Vec<ArticleTag> = tags
                    .iter()
                    .map(|t| t.id.key().map(|tag_id| ArticleTag { article_id: id, tag_id }))
                    .collect::<ormlet::Result<_>>()?;
                ArticleTag::insert_many(tx, &links).await?;
                Ok::<_, AppError>((article, tags))
            })
        })
        .await?;
    Ok((StatusCode::CREATED, single(views::article_view(article, &author, tags, false, 0, false))))
}

/// The article at `slug` if `me` wrote it: 404 or 403 otherwise.
async fn own(db: &AnyDb, slug: &str, me: i64) -> AppResult<ArticleRow> {
    let row = by_slug(db, slug).await?;
    if row.0.author_id == me { Ok(row) } else { Err(AppError::Forbidden) }
}

async fn update(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path(slug): Path<String>,
    Json(body): Json<Body<ArticleChanges>>,
) -> AppResult<Json<Value>> {
    let (mut article, author, tags) = own(&s.db, &slug, me).await?;
    let c = body.article;
    if let Some(title) = c.title {
        article.slug = slug_of(&title);
        article.title = required(Some(title), "title")?;
    }
    if let Some(description) = c.description {
        article.description = required(Some(description), "description")?;
    }
    if let Some(text) = c.body {
        article.body = required(Some(text), "body")?;
    }
    article.updated_at = Utc::now();
    article.update(&s.db).await?;
    let view = views::articles(&s.db, vec![(article, author, tags)], Some(me)).await?.pop();
    Ok(single(view.ok_or(AppError::NotFound("article"))?))
}

async fn remove(State(s): State<AppState>, AuthUser(me): AuthUser, Path(slug): Path<String>) -> AppResult<StatusCode> {
    let article =
        Article::find().filter(Article::SLUG.eq(&slug)).first(&s.db).await?.ok_or(AppError::NotFound("article"))?;
    if article.author_id != me {
        return Err(AppError::Forbidden);
    }
    let id = article.id.key()?;
    // What refers to the article goes with it, all or nothing.
    s.db.transaction(|tx| {
        Box::pin(async move {
            ArticleTag::delete_where(ArticleTag::ARTICLE_ID.eq(id)).exec(tx).await?;
            Favorite::delete_where(Favorite::ARTICLE_ID.eq(id)).exec(tx).await?;
            Comment::delete_where(Comment::ARTICLE_ID.eq(id)).exec(tx).await?;
            article.delete(tx).await
        })
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn favorite(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path(slug): Path<String>,
) -> AppResult<Json<Value>> {
    let row = by_slug(&s.db, &slug).await?;
    let mut fav = Favorite { user_id: me, article_id: row.0.id.key()? };
    fav.upsert(&s.db, OnConflict::columns((Favorite::USER_ID, Favorite::ARTICLE_ID)).do_nothing()).await?;
    let view = views::articles(&s.db, vec![row], Some(me)).await?.pop();
    Ok(single(view.ok_or(AppError::NotFound("article"))?))
}

async fn unfavorite(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path(slug): Path<String>,
) -> AppResult<Json<Value>> {
    let row = by_slug(&s.db, &slug).await?;
    let id = row.0.id.key()?;
    Favorite::delete_where(Favorite::USER_ID.eq(me).and(Favorite::ARTICLE_ID.eq(id))).exec(&s.db).await?;
    let view = views::articles(&s.db, vec![row], Some(me)).await?.pop();
    Ok(single(view.ok_or(AppError::NotFound("article"))?))
}

//! Comments on an article.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Json, Router, routing};
use chrono::Utc;
use ormlet::AnyDb;
use ormlet::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{AuthUser, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::models::{Article, Comment, User};
use crate::routes::users::required;
use crate::views;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/articles/{slug}/comments", routing::get(list).post(add))
        .route("/articles/{slug}/comments/{id}", routing::delete(remove))
}

#[derive(Deserialize)]
pub struct Body {
    comment: NewComment,
}

#[derive(Deserialize)]
pub struct NewComment {
    body: Option<String>,
}

/// The id of the article at `slug`, or 404.
async fn article_id(db: &AnyDb, slug: &str) -> AppResult<i64> {
    let ids: Vec<i64> = Article::find().filter(Article::SLUG.eq(slug)).select(Article::ID).limit(1).all(db).await?;
    ids.first().copied().ok_or(AppError::NotFound("article"))
}

async fn list(State(s): State<AppState>, MaybeUser(me): MaybeUser, Path(slug): Path<String>) -> AppResult<Json<Value>> {
    let id = article_id(&s.db, &slug).await?;
    let rows = Comment::find()
        .filter(Comment::ARTICLE_ID.eq(id))
        .order_by(Comment::CREATED_AT.asc())
        .with(Comment::AUTHOR)
        .all(&s.db)
        .await?;
    let rows: Vec<(Comment, User)> = rows
        .into_iter()
        .map(|row| {
            let (comment, (author, ())) = row.into_parts();
            (comment, author)
        })
        .collect();
    Ok(Json(json!({ "comments": views::comments(&s.db, rows, me).await? })))
}

async fn add(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path(slug): Path<String>,
    Json(body): Json<Body>,
) -> AppResult<Json<Value>> {
    let text = required(body.comment.body, "body")?;
    let id = article_id(&s.db, &slug).await?;
    let author = User::get(&s.db, me).await.map_err(|_| AppError::Unauthorized)?;
    let now = Utc::now();
    let mut comment =
        Comment { id: Auto::new(), article_id: id, author_id: me, body: text, created_at: now, updated_at: now };
    comment.insert(&s.db).await?;
    Ok(Json(json!({ "comment": views::comment_view(comment, &author, false) })))
}

async fn remove(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path((slug, comment_id)): Path<(String, i64)>,
) -> AppResult<StatusCode> {
    let id = article_id(&s.db, &slug).await?;
    let comment = Comment::find()
        .filter(Comment::ID.eq(comment_id).and(Comment::ARTICLE_ID.eq(id)))
        .first(&s.db)
        .await?
        .ok_or(AppError::NotFound("comment"))?;
    if comment.author_id != me {
        return Err(AppError::Forbidden);
    }
    comment.delete(&s.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

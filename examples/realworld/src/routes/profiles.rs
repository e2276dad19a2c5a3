//! Profiles, following and unfollowing.

use axum::extract::{Path, State};
use axum::{Json, Router, routing};
use ormlet::prelude::*;
use ormlet::{AnyDb, OnConflict};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{AuthUser, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::models::{Follow, User};
use crate::views::{Profile, followed};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/profiles/{username}", routing::get(show))
        .route("/profiles/{username}/follow", routing::post(follow).delete(unfollow))
}

/// The user called `username`, or 404.
pub async fn by_name(db: &AnyDb, username: &str) -> AppResult<User> {
    User::find().filter(User::USERNAME.eq(username)).first(db).await?.ok_or(AppError::NotFound("profile"))
}

fn body(user: &User, following: bool) -> Json<Value> {
    Json(json!({ "profile": Profile::new(user, following) }))
}

async fn show(
    State(s): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    let user = by_name(&s.db, &username).await?;
    let following = followed(&s.db, me, &[user.id.key()?]).await?;
    Ok(body(&user, !following.is_empty()))
}

async fn follow(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    let user = by_name(&s.db, &username).await?;
    let mut f = Follow { follower_id: me, followee_id: user.id.key()? };
    // Following twice keeps the one row.
    f.upsert(&s.db, OnConflict::columns((Follow::FOLLOWER_ID, Follow::FOLLOWEE_ID)).do_nothing()).await?;
    Ok(body(&user, true))
}

async fn unfollow(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Path(username): Path<String>,
) -> AppResult<Json<Value>> {
    let user = by_name(&s.db, &username).await?;
    Follow::delete_where(Follow::FOLLOWER_ID.eq(me).and(Follow::FOLLOWEE_ID.eq(user.id.key()?))).exec(&s.db).await?;
    Ok(body(&user, false))
}

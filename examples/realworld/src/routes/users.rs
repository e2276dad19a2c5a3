//! Registration, login, and the signed-in user.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router, routing};
use ormlet::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{AuthUser, hash_password, verify_password};
use crate::error::{AppError, AppResult};
use crate::models::User;
use crate::views::UserView;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", routing::post(register))
        .route("/users/login", routing::post(login))
        .route("/user", routing::get(current).put(update))
}

#[derive(Deserialize)]
pub struct Body<T> {
    user: T,
}

#[derive(Deserialize)]
pub struct NewUser {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
pub struct Login {
    email: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
pub struct UpdateUser {
    email: Option<String>,
    username: Option<String>,
    password: Option<String>,
    bio: Option<String>,
    image: Option<String>,
}

/// A required, non-blank field.
pub fn required(value: Option<String>, name: &str) -> AppResult<String> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(AppError::Invalid(format!("{name} can't be blank"))),
    }
}

fn user_body(user: User, token: String) -> Json<Value> {
    Json(json!({ "user": UserView::new(user, token) }))
}

async fn register(State(s): State<AppState>, Json(body): Json<Body<NewUser>>) -> AppResult<(StatusCode, Json<Value>)> {
    let n = body.user;
    let (username, email, password) =
        (required(n.username, "username")?, required(n.email, "email")?, required(n.password, "password")?);
    let mut user =
        User { id: Auto::new(), username, email, password_hash: hash_password(&password)?, bio: None, image: None };
    // A taken username or email comes back as the UNIQUE constraint's error: 422.
    let id = user.insert(&s.db).await?;
    Ok((StatusCode::CREATED, user_body(user, s.keys.token(id)?)))
}

async fn login(State(s): State<AppState>, Json(body): Json<Body<Login>>) -> AppResult<Json<Value>> {
    let (email, password) = (required(body.user.email, "email")?, required(body.user.password, "password")?);
    let user = User::find().filter(User::EMAIL.eq(email)).first(&s.db).await?;
    match user {
        Some(user) if verify_password(&password, &user.password_hash) => {
            let token = s.keys.token(user.id.key()?)?;
            Ok(user_body(user, token))
        }
        _ => Err(AppError::Invalid("email or password is invalid".into())),
    }
}

async fn current(State(s): State<AppState>, AuthUser(me): AuthUser) -> AppResult<Json<Value>> {
    let user = User::get(&s.db, me).await.map_err(|_| AppError::Unauthorized)?;
    Ok(user_body(user, s.keys.token(me)?))
}

async fn update(
    State(s): State<AppState>,
    AuthUser(me): AuthUser,
    Json(body): Json<Body<UpdateUser>>,
) -> AppResult<Json<Value>> {
    let mut user = User::get(&s.db, me).await.map_err(|_| AppError::Unauthorized)?;
    let u = body.user;
    if let Some(email) = u.email {
        user.email = required(Some(email), "email")?;
    }
    if let Some(username) = u.username {
        user.username = required(Some(username), "username")?;
    }
    if let Some(password) = u.password {
        user.password_hash = hash_password(&required(Some(password), "password")?)?;
    }
    if u.bio.is_some() {
        user.bio = u.bio;
    }
    if u.image.is_some() {
        user.image = u.image;
    }
    user.update(&s.db).await?;
    Ok(user_body(user, s.keys.token(me)?))
}

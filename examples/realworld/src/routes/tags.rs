//! The tags in use.

use axum::extract::State;
use axum::{Json, Router, routing};
use ormlet::prelude::*;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::AppResult;
use crate::models::Tag;

pub fn routes() -> Router<AppState> {
    Router::new().route("/tags", routing::get(list))
}

async fn list(State(s): State<AppState>) -> AppResult<Json<Value>> {
    let tags: Vec<String> = Tag::find().order_by(Tag::NAME.asc()).select(Tag::NAME).all(&s.db).await?;
    Ok(Json(json!({ "tags": tags })))
}

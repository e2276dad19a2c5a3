//! The blog's routes, shared by `main.rs` and the socket test in `tests/blog.rs`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use ormlet::prelude::*;
use ormlet::profiler::server::{History, ProfilerLayer};
use ormlet::sqlite::AsyncDb;
use serde::{Deserialize, Serialize};

#[derive(Model, Debug, Clone, Serialize)]
#[ormlet(table = "authors", has_many(posts = Post))]
pub struct Author {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    pub name: String,
}

#[derive(Model, Debug, Clone, Serialize)]
#[ormlet(table = "posts")]
pub struct Post {
    #[ormlet(primary_key)]
    pub id: Auto<i64>,
    #[ormlet(belongs_to = Author, index)]
    pub author_id: i64,
    pub title: String,
}

#[derive(Serialize)]
pub struct PostView {
    pub title: String,
    pub author: String,
}

#[derive(Deserialize)]
pub struct NewPost {
    pub author_id: i64,
    pub title: String,
}

type ApiError = (StatusCode, String);

fn internal(e: ormlet::Error) -> ApiError {
    match e {
        ormlet::Error::NotFound { .. } => (StatusCode::NOT_FOUND, e.to_string()),
        e => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// An in-memory database with ten authors, one post each. The schema comes
/// from the migrations in `examples/blog/migrations`, built into the binary;
/// `ormlet migrate diff --snapshot examples/blog/schema.json` wrote them.
pub async fn seeded_db() -> ormlet::Result<AsyncDb> {
    let db = AsyncDb::connect("sqlite::memory:")?;
    ormlet::embed_migrations!("examples/blog/migrations").run(&ormlet::AnyDb::Sqlite(db.clone()), None).await?;
    for i in 1..=10 {
        let author_id = Author { id: Auto::new(), name: format!("Author {i}") }.insert(&db).await?;
        Post { id: Auto::new(), author_id, title: format!("Post {i}") }.insert(&db).await?;
    }
    Ok(db)
}

/// The N+1: every post's author is loaded on its own.
async fn posts(State(db): State<AsyncDb>) -> Result<Json<Vec<PostView>>, ApiError> {
    let posts = Post::find().order_by(Post::ID.asc()).all(&db).await.map_err(internal)?;
    let mut out = Vec::new();
    for p in posts {
        let author = p.author(&db).await.map_err(internal)?;
        out.push(PostView { title: p.title, author: author.name });
    }
    Ok(Json(out))
}

/// The fix the report names: `.with(Post::AUTHOR)`, two queries whatever the number of posts.
async fn posts_fixed(State(db): State<AsyncDb>) -> Result<Json<Vec<PostView>>, ApiError> {
    let posts = Post::find().order_by(Post::ID.asc()).with(Post::AUTHOR).all(&db).await.map_err(internal)?;
    Ok(Json(posts.iter().map(|p| PostView { title: p.title.clone(), author: p.author().name.clone() }).collect()))
}

async fn author(State(db): State<AsyncDb>, Path(id): Path<i64>) -> Result<Json<Author>, ApiError> {
    Author::get(&db, id).await.map(Json).map_err(internal)
}

async fn create_post(
    State(db): State<AsyncDb>,
    Json(new): Json<NewPost>,
) -> Result<(StatusCode, Json<Post>), ApiError> {
    Author::get(&db, new.author_id).await.map_err(internal)?;
    let mut post = Post { id: Auto::new(), author_id: new.author_id, title: new.title };
    post.insert(&db).await.map_err(internal)?;
    Ok((StatusCode::CREATED, Json(post)))
}

/// The routes, profiled per request; `/_ormlet` shows the last reports
/// (mounted here on purpose: it is a demo, never mount it unprotected).
pub fn router(db: AsyncDb, history: History) -> Router {
    Router::new()
        .route("/posts", get(posts).post(create_post))
        .route("/posts/fixed", get(posts_fixed))
        .route("/authors/{id}", get(author))
        .with_state(db)
        .layer(ProfilerLayer::new().history(history.clone()))
        .nest("/_ormlet", history.router())
}

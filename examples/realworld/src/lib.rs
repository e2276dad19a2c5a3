//! The RealWorld ("Conduit") API on ormlet: users and JWT auth, profiles and
//! follows, articles with tags, favorites and comments, a feed, pagination.
//! One binary serves SQLite, PostgreSQL or MySQL, picked by `DATABASE_URL`;
//! every request is profiled, and `/_ormlet` shows the reports.

pub mod auth;
pub mod error;
pub mod models;
pub mod routes;
pub mod views;

use axum::Router;
use ormlet::AnyDb;
use ormlet::migrate::Migrator;
use ormlet::profiler::server::{History, ProfilerLayer};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: AnyDb,
    pub keys: auth::Keys,
}

/// The migrations, built into the binary: one folder, each backend running
/// its own scripts.
pub fn migrations() -> Migrator {
    ormlet::embed_migrations!("migrations")
}

/// Opens the database at `url` and brings its schema up to date.
pub async fn open(url: &str) -> ormlet::Result<AnyDb> {
    let db = AnyDb::connect(url).await?;
    migrations().run(&db, None).await?;
    Ok(db)
}

/// The API under `/api`, each request profiled into `history`, which
/// `/_ormlet` shows (HTML) and `/_ormlet/json` gives.
pub fn router(state: AppState, history: History) -> Router {
    api(state).layer(ProfilerLayer::new().history(history.clone())).nest("/_ormlet", history.router())
}

/// The API under `/api`, without the profiler (what its cost is measured against).
pub fn api(state: AppState) -> Router {
    let routes = Router::new()
        .merge(routes::users::routes())
        .merge(routes::profiles::routes())
        .merge(routes::articles::routes())
        .merge(routes::comments::routes())
        .merge(routes::tags::routes())
        .with_state(state);
    Router::new().nest("/api", routes)
}

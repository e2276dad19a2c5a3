//! A small blog API on axum + embedded SQLite, profiled per request.
//!
//!     PORT=3000 cargo run --example blog
//!     curl -i localhost:3000/posts          # an N+1: see the log and Server-Timing
//!     curl -i localhost:3000/posts/fixed    # the same data in 2 queries
//!     open http://localhost:3000/_ormlet    # the last requests' reports

mod app;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().map_err(|_| format!("PORT must be a port number, got {p:?}"))?,
        Err(_) => 3000,
    };
    let db = app::seeded_db().await?;
    let app = app::router(db, ormlet::profiler::server::History::new(50));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

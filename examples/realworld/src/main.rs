//! `cargo run -p ormlet-realworld`: the API at `http://127.0.0.1:3000/api` on
//! an SQLite file, or on the server `DATABASE_URL` names
//! (`postgres://…`, `mysql://…`); `BIND` sets the address, `JWT_SECRET`
//! the token key. `ormlet-realworld snapshot` prints the models' schema
//! for `ormlet migrate diff --snapshot`.

use ormlet::migrate::Snapshot;
use ormlet::profiler::server::History;
use ormlet_realworld::{AppState, auth, models, open, router};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().nth(1).as_deref() == Some("snapshot") {
        println!("{}", Snapshot::of::<models::All>().to_json());
        return Ok(());
    }
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://realworld.db".to_owned());
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let secret = std::env::var("JWT_SECRET").unwrap_or_else(|_| "a development secret: set JWT_SECRET".to_owned());
    let db = open(&url).await.map_err(|e| format!("cannot open {url}: {e}"))?;
    let history = History::new(1000);
    let app = router(AppState { db, keys: auth::Keys::new(secret.as_bytes())? }, history);
    let listener = tokio::net::TcpListener::bind(&bind).await.map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    eprintln!("listening on http://{}/api (profiles at /_ormlet)", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

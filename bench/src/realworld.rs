//! The RealWorld app serving `GET /api/articles?limit=20` over 50 articles
//! to 32 concurrent keep-alive connections on loopback, with the profiler
//! layer and without it, in alternating rounds of one run. The figures are
//! time per request (the inverse of requests per second), so `ratio` is
//! the layer's cost: ≤ 1.031 means at least 0.97 of the requests per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use ormlet::profiler::server::{History, ProfilerLayer};
use ormlet_realworld::{AppState, auth};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::{CaseResult, Plan};

const CONNECTIONS: usize = 32;
const REQUEST: &[u8] = b"GET /api/articles?limit=20 HTTP/1.1\r\nHost: bench\r\n\r\n";

/// Set, both sides serve the app without the layer: the ratio then shows
/// how far apart two identical servers read on this host.
const CONTROL: &str = "ORMLET_BENCH_RW_CONTROL";

/// Set, the profiled side serves only part of what the layer does, so the
/// ratio shows what that part costs (see [`LayerPart`]).
const PART: &str = "ORMLET_BENCH_RW_LAYER";

/// What of the profiler layer the profiled side serves.
#[derive(Clone, Copy)]
pub enum LayerPart {
    /// The app as it ships, with a history of 100 requests (`PART` unset).
    Full,
    /// The layer around every route and response body, profiling only the
    /// first request (`wrap`).
    Wrap,
    /// Every request profiled; no `Server-Timing`, no history (`scope`).
    Scope,
    /// Every request profiled, with `Server-Timing`; no history (`timing`).
    Timing,
}

impl LayerPart {
    /// The part `ORMLET_BENCH_RW_LAYER` names.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(PART).unwrap_or_default().as_str() {
            "" => Ok(LayerPart::Full),
            "wrap" => Ok(LayerPart::Wrap),
            "scope" => Ok(LayerPart::Scope),
            "timing" => Ok(LayerPart::Timing),
            other => Err(format!("{PART}={other}: expected wrap, scope or timing")),
        }
    }
}

/// The profiled side's app, as [`PART`] and [`CONTROL`] ask, and what the
/// result's baseline column says it was measured against.
fn profiled_app(state: AppState, part: LayerPart) -> (axum::Router, &'static str) {
    if std::env::var_os(CONTROL).is_some() {
        return (ormlet_realworld::api(state), "no ProfilerLayer (control: on neither side)");
    }
    let layer = ProfilerLayer::new();
    let (layer, baseline) = match part {
        LayerPart::Full => return (ormlet_realworld::router(state, History::new(100)), "no ProfilerLayer"),
        // One request in 2^64 is profiled: the first.
        LayerPart::Wrap => (layer.server_timing(false).sample(u64::MAX), "no ProfilerLayer (layer part: wrap)"),
        LayerPart::Scope => (layer.server_timing(false), "no ProfilerLayer (layer part: scope)"),
        LayerPart::Timing => (layer, "no ProfilerLayer (layer part: timing)"),
    };
    (ormlet_realworld::api(state).layer(layer), baseline)
}

/// One keep-alive connection's request: send, read the headers, read the body.
async fn get(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<()> {
    stream.write_all(REQUEST).await?;
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    if !head.starts_with("http/1.1 200") {
        return Err(std::io::Error::other(format!("unexpected response: {head}")));
    }
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| std::io::Error::other("no content-length"))?;
    while buf.len() < header_end + len {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(())
}

/// Requests served in `time` by `CONNECTIONS` clients of `addr`.
async fn load(addr: std::net::SocketAddr, time: Duration) -> u64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (done, stop) = (done.clone(), stop.clone());
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let mut buf = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    get(&mut stream, &mut buf).await.expect("request");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    tokio::time::sleep(time).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client");
    }
    done.load(Ordering::Relaxed)
}

/// Serves `app` on a loopback port of its own.
async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

/// 50 articles with two tags each, by one author.
async fn seed(app: axum::Router) {
    use tower::ServiceExt;
    let send = |req: axum::http::Request<axum::body::Body>| app.clone().oneshot(req);
    let user = json!({ "user": { "username": "bench", "email": "bench@x.io", "password": "secret" } });
    let res = send(json_request("/api/users", None, &user)).await.expect("register");
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
    let token = serde_json::from_slice::<serde_json::Value>(&body).expect("json")["user"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    for i in 0..50 {
        let article = json!({ "article": { "title": format!("Article {i}"), "description": "d", "body": "b", "tagList": ["rust", "orm"] } });
        let res = send(json_request("/api/articles", Some(&token), &article)).await.expect("create");
        assert!(res.status().is_success(), "seeding failed: {}", res.status());
    }
}

fn json_request(path: &str, token: Option<&str>, body: &serde_json::Value) -> axum::http::Request<axum::body::Body> {
    let mut req = axum::http::Request::post(path).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Token {t}"));
    }
    req.body(axum::body::Body::from(body.to_string())).expect("request")
}

/// The comparison on the database at `url`.
fn run(plan: &Plan, name: &str, url: String) -> CaseResult {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let db = ormlet_realworld::open(&url).await.expect("database");
        let state = AppState { db, keys: auth::Keys::new(b"bench").expect("keys") };
        // Checked by `main` before any case runs.
        let part = LayerPart::from_env().unwrap_or_else(|e| panic!("{e}"));
        let (profiled, baseline) = profiled_app(state.clone(), part);
        let bare = ormlet_realworld::api(state.clone());
        seed(bare.clone()).await;
        let (with, without) = (serve(profiled).await, serve(bare).await);
        // Each round is a steady state of hundreds of requests; many short
        // rounds, alternating, ride out the host's slow spells better than
        // a few long ones (see `CONTROL` for how to check).
        let rounds = if plan.rounds > 50 { 81 } else { 9 };
        let time = Duration::from_millis(if plan.rounds > 50 { 150 } else { 100 });
        load(with, time / 2).await;
        load(without, time / 2).await;
        let (mut ws, mut bs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (w, b) = if round % 2 == 0 {
                let w = load(with, time).await;
                (w, load(without, time).await)
            } else {
                let b = load(without, time).await;
                (load(with, time).await, b)
            };
            let ns = |n: u64| time.as_nanos() as f64 / n.max(1) as f64;
            ws.push(ns(w));
            bs.push(ns(b));
            ratios.push(ns(w) / ns(b));
        }
        // The q-th quarter mark of `v`, sorted (q = 2: the median).
        let quartile = |v: &mut Vec<f64>, q: usize| {
            v.sort_by(f64::total_cmp);
            v[v.len() * q / 4]
        };
        // How far the rounds spread: a median whose quartiles straddle the
        // target says less than one between them.
        let (low, ratio, high) = (quartile(&mut ratios, 1), quartile(&mut ratios, 2), quartile(&mut ratios, 3));
        eprintln!("  ({name}: {rounds} rounds, ratio quartiles {low:.3} / {ratio:.3} / {high:.3})");
        CaseResult {
            name: name.to_owned(),
            ormlet_ns: quartile(&mut ws, 2),
            baseline,
            baseline_ns: quartile(&mut bs, 2),
            ratio,
            pg_peers: None,
            peers: None,
        }
    })
}

pub fn sqlite(plan: &Plan) -> CaseResult {
    let dir = std::env::temp_dir().join(format!("ormlet-bench-rw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let r = run(plan, "realworld_articles_sqlite", format!("sqlite://{}", dir.join("rw.db").display()));
    let _ = std::fs::remove_dir_all(&dir);
    r
}

pub fn postgres(plan: &Plan) -> CaseResult {
    let url =
        std::env::var("ORMLET_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("ormlet_bench_rw_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let made = rt.block_on(async {
        let admin = ormlet::postgres::Db::connect(&url).await?;
        admin.execute_batch(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await
    });
    if let Err(e) = made {
        eprintln!("  (realworld on PostgreSQL skipped: {e})");
        return CaseResult {
            name: "realworld_articles_pg".into(),
            ormlet_ns: f64::NAN,
            baseline: "no server",
            baseline_ns: f64::NAN,
            ratio: f64::NAN,
            pg_peers: None,
            peers: None,
        };
    }
    let r = run(plan, "realworld_articles_pg", format!("{url}?options=-c%20search_path%3D{schema}"));
    rt.block_on(async {
        if let Ok(admin) = ormlet::postgres::Db::connect(&url).await {
            let _ = admin.execute_batch(&format!("DROP SCHEMA {schema} CASCADE")).await;
        }
    });
    r
}

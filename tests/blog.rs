//! The blog example, served on a real socket: Server-Timing carries the query
//! count, and the log names the N+1 with its call site.

#[path = "../examples/blog/app.rs"]
#[allow(dead_code)]
mod app;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Logs {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut line = Line(event.metadata().level().to_string());
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
}

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response
        .split("\r\n\r\n")
        .next()?
        .lines()
        .find_map(|l| l.split_once(": ").filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_n_plus_one_endpoint_reports_itself() {
    let logs = Logs::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(logs.clone())).unwrap();

    let db = app::seeded_db().await.unwrap();
    let history = ormlet::profiler::server::History::new(10);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app::router(db, history.clone())).into_future());

    let slow = get(addr, "/posts").await;
    assert!(slow.starts_with("HTTP/1.1 200"), "{slow}");
    let timing = header(&slow, "server-timing").expect("Server-Timing header");
    assert!(timing.starts_with("db;dur=") && timing.ends_with("desc=\"11 queries\""), "{timing}");
    assert!(slow.contains("\"author\":\"Author 10\""));

    let fixed = get(addr, "/posts/fixed").await;
    assert!(header(&fixed, "server-timing").unwrap().ends_with("desc=\"2 queries\""));

    let missing = get(addr, "/authors/999").await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");

    // The report is filed once the body has been sent.
    for _ in 0..50 {
        if history.entries().len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let entries = history.entries();
    assert_eq!(entries.len(), 3);
    let (info, report) = &entries[2];
    assert_eq!((info.method.as_str(), info.path.as_str(), info.status), ("GET", "/posts", 200));
    assert_eq!(report.query_count(), 11);

    let logs = logs.0.lock().unwrap().join("\n");
    assert!(logs.contains("kind=\"N+1\""), "{logs}");
    assert!(logs.contains("examples/blog/app.rs:69:24\""), "the call site of the loop: {logs}");

    let page = get(addr, "/_ormlet").await;
    assert!(page.contains("<span class=path>/posts</span>") && page.contains("<span class=num>11</span>"), "{page}");
    // The reports keep their styles on the history page: one stylesheet, in the head.
    let head = page.split("</head>").next().unwrap_or_default();
    assert_eq!(page.matches("<style>").count(), 1, "{page}");
    assert!(head.contains("<style>") && head.contains("table{border-collapse"), "{head}");
}

/// The blog's committed `schema.json` is what its models say: the file that
/// `ormlet migrate diff` wrote the blog's migrations from.
/// `ORMLET_UPDATE_SNAPSHOT=1 cargo test --test blog` rewrites it after a model change.
#[test]
fn the_blog_snapshot_is_its_models() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/blog/schema.json");
    let models = ormlet::migrate::Snapshot::of::<(app::Author, app::Post)>().to_json();
    if std::env::var("ORMLET_UPDATE_SNAPSHOT").as_deref() == Ok("1") {
        std::fs::write(path, &models).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        committed, models,
        "the models changed: rewrite {path} with ORMLET_UPDATE_SNAPSHOT=1, then `ormlet migrate diff`"
    );
}

/// The embedded migrations build exactly the models' schema: nothing left to diff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blog_migrations_build_the_models_schema() {
    let db = app::seeded_db().await.unwrap();
    let target = ormlet::migrate::Snapshot::of::<(app::Author, app::Post)>();
    let left = ormlet::migrate::plan(&ormlet::AnyDb::Sqlite(db), &target).await.unwrap();
    assert!(left.is_empty(), "the blog's migrations lag its models; run `ormlet migrate diff`: {:#?}", left.up);
}

//! The `/_ormlet` dashboard as a person sees it: the blog example served on
//! a loopback port, the page loaded in headless Chromium, assertions on the
//! DOM the browser built, and screenshots saved under `target/tmp/`.
//!
//! Needs Chromium (`.ci/run` installs Debian's `chromium` when missing);
//! `ORMLET_TEST_CHROMIUM` names another binary.

#[path = "../examples/blog/app.rs"]
#[allow(dead_code)]
mod app;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ormlet::profiler::server::History;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn chromium() -> String {
    std::env::var("ORMLET_TEST_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned())
}

/// Runs headless Chromium with `args` and the URL; gives what it printed.
async fn browse(args: &[&str], url: &str) -> String {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("chromium-{}-{run}", std::process::id()));
    let mut cmd = std::process::Command::new(chromium());
    cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url);
    let out = tokio::time::timeout(Duration::from_secs(90), tokio::task::spawn_blocking(move || cmd.output()))
        .await
        .expect("Chromium finished within 90 s")
        .expect("the Chromium task")
        .unwrap_or_else(|e| panic!("could not run `{}` ({e}): install Debian's chromium, as .ci/run does", chromium()));
    let _ = std::fs::remove_dir_all(&profile);
    assert!(out.status.success(), "Chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 DOM")
}

async fn screenshot(url: &str, path: &Path) {
    let _ = std::fs::remove_file(path);
    browse(&["--window-size=1280,900", &format!("--screenshot={}", path.display())], url).await;
    let png = std::fs::read(path).expect("Chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} is a real picture", path.display());
}

async fn get(addr: SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

/// The `<details class="request…">` elements of a DOM, in order.
fn requests(dom: &str) -> Vec<&str> {
    dom.split("<details class=\"request").skip(1).map(|d| d.split("</details>").next().unwrap_or(d)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_renders_in_a_real_browser() {
    let db = app::seeded_db().await.unwrap();
    let history = History::new(10);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, app::router(db, history.clone())).into_future());

    for path in ["/posts", "/posts/fixed", "/authors/1", "/authors/999"] {
        get(addr, path).await;
    }
    for _ in 0..100 {
        if history.entries().len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(history.entries().len(), 4, "every request was filed");

    let page = format!("http://{addr}/_ormlet");
    let dom = browse(&["--dump-dom"], &page).await;
    let rows = requests(&dom);
    assert_eq!(rows.len(), 4, "{dom}");
    // Newest first, one line each: method, path, status, queries, db time, findings.
    let paths: Vec<&str> = rows
        .iter()
        .map(|r| r.split("<span class=\"path\">").nth(1).and_then(|p| p.split('<').next()).unwrap_or_default())
        .collect();
    assert_eq!(paths, ["/authors/999", "/authors/1", "/posts/fixed", "/posts"]);
    let n_plus_one = rows[3];
    assert!(n_plus_one.starts_with(" with-findings\""), "{n_plus_one}");
    for cell in
        ["<span class=\"method\">GET</span>", "<span class=\"status\">200</span>", "<span class=\"num\">11</span>"]
    {
        assert!(n_plus_one.contains(cell), "{cell} in {n_plus_one}");
    }
    assert!(n_plus_one.contains("<span class=\"findings\">1 N+1</span>"), "{n_plus_one}");
    assert!(rows[0].contains("<span class=\"status\">404</span>") && rows[0].contains(">none</span>"), "{}", rows[0]);
    assert!(rows.iter().all(|r| !r.contains(" open=")), "every request starts closed");
    assert!(dom.contains(">all 4 requests</a>") && dom.contains(">1 with findings</a>"), "{dom}");
    assert!(!dom.contains("<script"), "no script");
    assert!(!dom.contains("http://") && !dom.contains("https://"), "nothing from elsewhere");

    // The filter, with the one request opened onto its report: findings
    // first, then queries by fingerprint, then the timeline.
    let dom = browse(&["--dump-dom"], &format!("{page}?findings&open=0")).await;
    let rows = requests(&dom);
    assert_eq!(rows.len(), 1, "{dom}");
    let report = rows[0];
    assert!(report.contains(" open=\"\""), "{report}");
    let order: Vec<usize> = ["<h2>Findings</h2>", "<h2>By fingerprint</h2>", "<h2>Timeline</h2>"]
        .iter()
        .map(|h| report.find(h).unwrap_or_else(|| panic!("{h} in {report}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(report.contains("fix:") && report.contains(".with(Post::AUTHOR)"), "{report}");

    // The JSON endpoint the page links to carries the same lines.
    let json = get(addr, "/_ormlet/json").await;
    let body = json.split("\r\n\r\n").nth(1).expect("a body");
    let items: serde_json::Value = serde_json::from_str(body).expect("JSON");
    let paths: Vec<&str> = items.as_array().unwrap().iter().filter_map(|i| i["path"].as_str()).collect();
    assert_eq!(paths, ["/authors/999", "/authors/1", "/posts/fixed", "/posts"], "the page asks for nothing else");
    assert_eq!((items[3]["queries"].as_u64(), items[3]["findings"].as_str()), (Some(11), Some("1 N+1")));
    assert!(items[3]["db_time_ms"].as_f64().is_some_and(|t| t > 0.0));

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    screenshot(&page, &dir.join("ormlet-dashboard.png")).await;
    screenshot(&format!("{page}?findings&open=0"), &dir.join("ormlet-dashboard-report.png")).await;
}

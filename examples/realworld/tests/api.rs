//! The API through its router, profiler layer in place, on an in-memory
//! SQLite database: responses as the spec shapes them, and each endpoint's
//! query count, fixed whatever the number of rows.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use ormlet::profiler::Profile;
use ormlet::profiler::server::History;
use ormlet_realworld::{AppState, auth, open, router};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

struct App {
    router: Router,
    history: History,
}

impl App {
    async fn new() -> App {
        let db = open("sqlite::memory:").await.expect("database");
        let history = History::new(100);
        let state = AppState { db, keys: auth::Keys::new(b"test secret").expect("keys") };
        App { router: router(state, history.clone()), history }
    }

    /// Sends a request; gives the status, the JSON body and the number of
    /// queries it ran.
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, u64) {
        let (status, json, profile) = self.profiled(method, path, token, body).await;
        (status, json, profile.query_count())
    }

    /// Sends a request; gives the status, the JSON body and its profile.
    async fn profiled(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, Arc<Profile>) {
        let mut req = Request::builder().method(method).uri(format!("/api{path}"));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Token {t}"));
        }
        let req = match body {
            Some(b) => req.header("Content-Type", "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .expect("request");
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON body") };
        let (_, profile) = self.history.entries().into_iter().next().expect("the request was profiled");
        assert!(
            !profile.findings().iter().any(|f| matches!(f.kind.label(), "N+1" | "duplicate")),
            "{path}: {}",
            profile.to_text_with(false)
        );
        (status, json, profile)
    }

    async fn register(&self, name: &str) -> String {
        let user = json!({ "user": { "username": name, "email": format!("{name}@x.io"), "password": "secret" } });
        let (status, body, _) = self.call(Method::POST, "/users", None, Some(user)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["user"]["token"].as_str().expect("token").to_owned()
    }

    async fn write(&self, token: &str, n: usize) {
        for i in 0..n {
            let article = json!({ "article": { "title": format!("Post {i}"), "description": "d", "body": "b", "tagList": ["x", "y"] } });
            let (status, body, _) = self.call(Method::POST, "/articles", Some(token), Some(article)).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
}

#[tokio::test]
async fn taken_names_and_bad_tokens_are_the_specs_errors() {
    let app = App::new().await;
    app.register("ann").await;
    let again = json!({ "user": { "username": "ann", "email": "other@x.io", "password": "p" } });
    let (status, body, _) = app.call(Method::POST, "/users", None, Some(again)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, json!({ "errors": { "body": ["username has already been taken"] } }));
    let (status, _, _) = app.call(Method::GET, "/user", Some("not-a-token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.call(Method::GET, "/articles/nope", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_author_changes_an_article() {
    let app = App::new().await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    app.write(&ann, 1).await;
    let (_, list, _) = app.call(Method::GET, "/articles", None, None).await;
    let slug = list["articles"][0]["slug"].as_str().unwrap().to_owned();
    let change = json!({ "article": { "body": "mine now" } });
    let (status, _, _) = app.call(Method::PUT, &format!("/articles/{slug}"), Some(&bob), Some(change)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = app.call(Method::DELETE, &format!("/articles/{slug}"), Some(&ann), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// Each list endpoint's queries, for one article and for fifty.
#[tokio::test]
async fn list_endpoints_run_a_fixed_number_of_queries() {
    let mut counts = Vec::new();
    for n in [1, 50] {
        let app = App::new().await;
        let ann = app.register("ann").await;
        let bob = app.register("bob").await;
        app.write(&ann, n).await;
        app.call(Method::POST, "/profiles/ann/follow", Some(&bob), None).await;
        let (_, list, anonymous) = app.call(Method::GET, &format!("/articles?limit={n}"), None, None).await;
        assert_eq!(list["articles"].as_array().unwrap().len(), n);
        assert_eq!(list["articlesCount"], n);
        let slug = list["articles"][0]["slug"].as_str().unwrap().to_owned();
        for i in 0..n {
            let comment = json!({ "comment": { "body": format!("c{i}") } });
            app.call(Method::POST, &format!("/articles/{slug}/comments"), Some(&bob), Some(comment)).await;
        }
        app.call(Method::POST, &format!("/articles/{slug}/favorite"), Some(&bob), None).await;
        let (_, _, signed_in) = app.call(Method::GET, &format!("/articles?limit={n}"), Some(&bob), None).await;
        let (_, _, by_tag) = app.call(Method::GET, &format!("/articles?tag=x&limit={n}"), Some(&bob), None).await;
        let (_, feed, feed_count) = app.call(Method::GET, &format!("/articles/feed?limit={n}"), Some(&bob), None).await;
        assert_eq!(feed["articles"][0]["author"]["following"], true);
        let (_, comments, comment_count) =
            app.call(Method::GET, &format!("/articles/{slug}/comments"), Some(&bob), None).await;
        assert_eq!(comments["comments"].as_array().unwrap().len(), n);
        let (_, one, single) = app.call(Method::GET, &format!("/articles/{slug}"), Some(&bob), None).await;
        assert_eq!(
            (one["article"]["favorited"].clone(), one["article"]["favoritesCount"].clone()),
            (json!(true), json!(1))
        );
        assert_eq!(one["article"]["tagList"], json!(["x", "y"]));
        let (_, _, profile) = app.call(Method::GET, "/profiles/ann", Some(&bob), None).await;
        counts.push([anonymous, signed_in, by_tag, feed_count, comment_count, single, profile]);
    }
    assert_eq!(
        counts[0], counts[1],
        "queries for 1 row and for 50 (list, signed in, by tag, feed, comments, one, profile)"
    );
    // A list: count, articles, authors, tags (one join), favorites counts;
    // signed in, the viewer's favorites and follows too. Comments: the
    // article, comments, their authors, follows. A profile: the user, follows.
    assert_eq!(counts[0], [5, 7, 7, 7, 4, 6, 2]);
}

/// GitLab's QueryRecorder check through the router, the profiler layer in
/// place: each list endpoint runs as many queries over 50 rows as over 1
/// (the set-up paused, so only the endpoint's request counts).
#[tokio::test]
async fn list_endpoints_queries_do_not_scale() {
    use ormlet::profiler::{assert_queries_do_not_scale_async, pause_async};
    for endpoint in ["list articles", "feed", "comments", "profile"] {
        assert_queries_do_not_scale_async(1, 50, |n| async move {
            let (app, bob, slug) = pause_async(seeded(n)).await;
            let path = match endpoint {
                "list articles" => format!("/articles?limit={n}"),
                "feed" => format!("/articles/feed?limit={n}"),
                "comments" => format!("/articles/{slug}/comments"),
                _ => "/profiles/ann".to_owned(),
            };
            let (status, body, _) = app.call(Method::GET, &path, Some(&bob), None).await;
            assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
        })
        .await;
    }
}

/// An app where ann wrote `n` articles, bob follows her, favorited the
/// newest and left `n` comments on it; gives bob's token and its slug.
async fn seeded(n: usize) -> (App, String, String) {
    let app = App::new().await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    app.write(&ann, n).await;
    app.call(Method::POST, "/profiles/ann/follow", Some(&bob), None).await;
    let (_, list, _) = app.call(Method::GET, "/articles?limit=1", None, None).await;
    let slug = list["articles"][0]["slug"].as_str().expect("slug").to_owned();
    for i in 0..n {
        let comment = json!({ "comment": { "body": format!("c{i}") } });
        app.call(Method::POST, &format!("/articles/{slug}/comments"), Some(&bob), Some(comment)).await;
    }
    app.call(Method::POST, &format!("/articles/{slug}/favorite"), Some(&bob), None).await;
    (app, bob, slug)
}

/// What each read endpoint runs, pinned: a pull request that adds a query
/// to one shows it in the snapshot's diff. (`INSTA_UPDATE=always` accepts.)
#[tokio::test]
async fn each_read_endpoint_runs_these_queries() {
    let app = App::new().await;
    let ann = app.register("ann").await;
    let bob = app.register("bob").await;
    app.write(&ann, 3).await;
    app.call(Method::POST, "/profiles/ann/follow", Some(&bob), None).await;
    let (_, list, _) = app.call(Method::GET, "/articles", None, None).await;
    let slug = list["articles"][0]["slug"].as_str().unwrap().to_owned();
    let comment = json!({ "comment": { "body": "nice" } });
    app.call(Method::POST, &format!("/articles/{slug}/comments"), Some(&bob), Some(comment)).await;
    app.call(Method::POST, &format!("/articles/{slug}/favorite"), Some(&bob), None).await;
    let endpoints = [
        ("list_articles", "/articles?limit=20".to_owned()),
        ("list_articles_by_tag", "/articles?tag=x&limit=20".to_owned()),
        ("feed", "/articles/feed?limit=20".to_owned()),
        ("get_article", format!("/articles/{slug}")),
        ("comments", format!("/articles/{slug}/comments")),
        ("profile", "/profiles/ann".to_owned()),
        ("current_user", "/user".to_owned()),
        ("tags", "/tags".to_owned()),
    ];
    for (name, path) in endpoints {
        let (status, _, profile) = app.profiled(Method::GET, &path, Some(&bob), None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        insta::assert_snapshot!(name, profile.snapshot());
    }
}

/// The profiler layer's per-request scope nests in the test's: the test's
/// assertions count what the endpoint ran, as Django's `assertNumQueries`
/// counts through its middleware.
#[tokio::test]
async fn assertions_around_a_request_count_the_queries_behind_the_layer() {
    use ormlet::profiler::{assert_no_n_plus_one_async, assert_num_queries_async};
    let app = App::new().await;
    let ann = app.register("ann").await;
    app.write(&ann, 5).await;
    let request = || Request::get("/api/articles?limit=5").body(Body::empty()).expect("request");
    let res = assert_num_queries_async(5, async {
        let res = app.router.clone().oneshot(request()).await.expect("response");
        res.into_body().collect().await.expect("body").to_bytes()
    })
    .await;
    let body: Value = serde_json::from_slice(&res).expect("json");
    assert_eq!(body["articlesCount"], 5);
    assert_no_n_plus_one_async(async { app.router.clone().oneshot(request()).await.expect("response") }).await;
}

/// The layer's options: no `Server-Timing` when turned off, one request in
/// N profiled, and the header that forces one.
#[tokio::test]
async fn the_layer_samples_requests_and_can_leave_server_timing_out() {
    use ormlet::profiler::server::{FORCE_HEADER, ProfilerLayer};
    let db = open("sqlite::memory:").await.expect("database");
    let state = AppState { db, keys: auth::Keys::new(b"test secret").expect("keys") };
    let get = |router: Router, force: bool| async move {
        let mut req = Request::get("/api/tags");
        if force {
            req = req.header(FORCE_HEADER, "1");
        }
        let res = router.oneshot(req.body(Body::empty()).expect("request")).await.expect("response");
        let timing = res.headers().get("server-timing").is_some();
        res.into_body().collect().await.expect("body");
        timing
    };
    let history = History::new(100);
    let quiet = ormlet_realworld::api(state.clone())
        .layer(ProfilerLayer::new().history(history.clone()).server_timing(false).sample(3));
    let mut timings = Vec::new();
    for _ in 0..6 {
        timings.push(get(quiet.clone(), false).await);
    }
    assert!(timings.iter().all(|t| !t), "no Server-Timing when it is off");
    assert_eq!(history.entries().len(), 2, "one request in three");
    get(quiet.clone(), true).await;
    assert_eq!(history.entries().len(), 3, "the header forces one");
    let loud = ormlet_realworld::api(state).layer(ProfilerLayer::new());
    assert!(get(loud, false).await, "Server-Timing by default");
}

/// The committed migrations record the models' schema: `ormlet migrate
/// diff` has nothing left to write, and `schema.json` is the models'.
#[test]
fn the_migrations_record_the_models_schema() {
    use ormlet::migrate::{Change, Snapshot};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let models = Snapshot::of::<ormlet_realworld::models::All>();
    let committed = std::fs::read_to_string(root.join("schema.json")).expect("schema.json");
    assert_eq!(committed.trim_end(), models.to_json().trim_end(), "regenerate schema.json, then diff");
    let change = Change::since(&root.join("migrations"), &models).expect("the recorded history");
    assert!(change.is_empty(), "the models changed: run `ormlet migrate diff`: {:#?}", change.scripts);
}

//! The tower / axum layer: one scope per request, kept open while the
//! response body streams; `Server-Timing` with the query count; findings
//! logged through `tracing`; optionally the last reports kept in a
//! [`History`] whose page the application mounts itself (nothing is mounted
//! by default, and values are redacted unless the configuration keeps them).
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use ormlet_profiler::server::{History, ProfilerLayer};
//!
//! let history = History::new(50);
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "hello" }))
//!     .layer(ProfilerLayer::new().history(history.clone()))
//!     // Opt-in, and behind your own access control in production:
//!     .nest("/_ormlet", history.router());
//! ```

mod history;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response};
use http_body::{Body, Frame, SizeHint};
use tower_layer::Layer;
use tower_service::Service;

use crate::config::ProfilerConfig;
use crate::scope::OpenScope;

pub use history::{Entry, History};

/// Opens a profiling scope for every request. See the [module docs](self).
#[derive(Clone, Default)]
pub struct ProfilerLayer {
    config: Arc<ProfilerConfig>,
    history: Option<History>,
}

impl ProfilerLayer {
    /// A layer with the default configuration; servers often raise
    /// [`n_plus_one_threshold`](ProfilerConfig::n_plus_one_threshold).
    pub fn new() -> Self {
        ProfilerLayer::default()
    }

    /// Uses this configuration for every request.
    pub fn config(mut self, config: ProfilerConfig) -> Self {
        self.config = Arc::new(config);
        self
    }

    /// Keeps each request's report in `history`.
    pub fn history(mut self, history: History) -> Self {
        self.history = Some(history);
        self
    }
}

impl<S> Layer<S> for ProfilerLayer {
    type Service = ProfilerService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ProfilerService { inner, layer: self.clone() }
    }
}

/// The service [`ProfilerLayer`] wraps around yours.
#[derive(Clone)]
pub struct ProfilerService<S> {
    inner: S,
    layer: ProfilerLayer,
}

/// What the report of one request is filed under.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// HTTP method.
    pub method: String,
    /// Path (without the query string, which may hold personal data).
    pub path: String,
    /// Response status.
    pub status: u16,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ProfilerService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Send,
    S::Future: Send + 'static,
    ResBody: Body,
{
    type Response = Response<ProfiledBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let method = req.method().to_string();
        let path = req.uri().path().to_owned();
        let scope = OpenScope::new(self.layer.config.clone());
        let history = self.layer.history.clone();
        let fut = scope.enter(|| self.inner.call(req));
        Box::pin(async move {
            let response = scope.run(fut).await?;
            let (count, db_time) = scope.totals();
            let (mut parts, body) = response.into_parts();
            let timing = format!(
                "db;dur={:.3};desc=\"{count} quer{}\"",
                db_time.as_secs_f64() * 1000.0,
                if count == 1 { "y" } else { "ies" }
            );
            if let Ok(v) = HeaderValue::from_str(&timing) {
                parts.headers.append("server-timing", v);
            }
            let info = RequestInfo { method, path, status: parts.status.as_u16() };
            let body = ProfiledBody { inner: body, finish: Some(Finish { scope, history, info }) };
            Ok(Response::from_parts(parts, body))
        })
    }
}

struct Finish {
    scope: OpenScope,
    history: Option<History>,
    info: RequestInfo,
}

impl Finish {
    fn run(self) {
        let profile = self.scope.finish();
        if !profile.findings().is_empty() {
            tracing::warn!(
                target: "ormlet::profiler",
                method = %self.info.method,
                path = %self.info.path,
                "{}",
                profile.summary()
            );
        }
        if let Some(h) = self.history {
            h.push(self.info, profile);
        }
    }
}

pin_project_lite::pin_project! {
    /// A response body whose polls run inside the request's scope; the scope
    /// ends (and is reported) when the body ends or is dropped.
    pub struct ProfiledBody<B> {
        #[pin]
        inner: B,
        finish: Option<Finish>,
    }

    impl<B> PinnedDrop for ProfiledBody<B> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(f) = this.project().finish.take() {
                f.run();
            }
        }
    }
}

impl<B: Body> Body for ProfiledBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        let inner = this.inner;
        let poll = match this.finish.as_ref() {
            Some(f) => f.scope.enter(|| inner.poll_frame(cx)),
            None => inner.poll_frame(cx),
        };
        if matches!(poll, Poll::Ready(None))
            && let Some(f) = this.finish.take()
        {
            f.run();
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

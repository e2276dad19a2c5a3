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

mod dashboard;
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

/// The request header that has a request profiled whatever the sampling:
/// `x-ormlet-profile: 1`.
pub const FORCE_HEADER: &str = "x-ormlet-profile";

/// Opens a profiling scope for every request. See the [module docs](self).
#[derive(Clone)]
pub struct ProfilerLayer {
    config: Arc<ProfilerConfig>,
    history: Option<History>,
    server_timing: bool,
    /// Profile one request in this many (1: all).
    sample_every: u64,
    seen: Arc<std::sync::atomic::AtomicU64>,
    log_level: Option<tracing::Level>,
}

impl Default for ProfilerLayer {
    fn default() -> Self {
        ProfilerLayer {
            config: Arc::default(),
            history: None,
            server_timing: true,
            sample_every: 1,
            seen: Arc::default(),
            log_level: Some(tracing::Level::WARN),
        }
    }
}

impl ProfilerLayer {
    /// A layer with the default configuration; servers often raise
    /// [`n_plus_one_threshold`](ProfilerConfig::n_plus_one_threshold).
    pub fn new() -> Self {
        ProfilerLayer::default()
    }

    /// Whether responses carry a `Server-Timing` header with the query
    /// count and database time (default on; browsers' dev tools show it).
    pub fn server_timing(mut self, on: bool) -> Self {
        self.server_timing = on;
        self
    }

    /// Profiles one request in `n` (the first, then every `n`th); a
    /// request with the header [`FORCE_HEADER`] (`x-ormlet-profile: 1`) is
    /// profiled whatever the count. Others run with no scope at all.
    pub fn sample(mut self, n: u64) -> Self {
        self.sample_every = n.max(1);
        self
    }

    /// The level the summary of a request with findings is logged at
    /// through `tracing` (default `WARN`); `None` logs nothing.
    pub fn log_level(mut self, level: Option<tracing::Level>) -> Self {
        self.log_level = level;
        self
    }

    /// Whether this request is profiled.
    fn profiles<B>(&self, req: &Request<B>) -> bool {
        if self.sample_every == 1 || req.headers().get(FORCE_HEADER).is_some_and(|v| v.as_bytes() == b"1") {
            return true;
        }
        self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(self.sample_every)
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
        if !self.layer.profiles(&req) {
            let fut = self.inner.call(req);
            return Box::pin(async move {
                let (parts, body) = fut.await?.into_parts();
                Ok(Response::from_parts(parts, ProfiledBody { inner: body, finish: None }))
            });
        }
        let method = req.method().to_string();
        let path = req.uri().path().to_owned();
        let scope = OpenScope::new(self.layer.config.clone());
        let (history, server_timing, log_level) =
            (self.layer.history.clone(), self.layer.server_timing, self.layer.log_level);
        let fut = scope.enter(|| self.inner.call(req));
        Box::pin(async move {
            let response = scope.run(fut).await?;
            let (mut parts, body) = response.into_parts();
            if server_timing {
                let (count, db_time) = scope.totals();
                let timing = format!(
                    "db;dur={:.3};desc=\"{count} quer{}\"",
                    db_time.as_secs_f64() * 1000.0,
                    if count == 1 { "y" } else { "ies" }
                );
                if let Ok(v) = HeaderValue::from_str(&timing) {
                    parts.headers.append("server-timing", v);
                }
            }
            let info = RequestInfo { method, path, status: parts.status.as_u16() };
            let body = ProfiledBody { inner: body, finish: Some(Finish { scope, history, info, log_level }) };
            Ok(Response::from_parts(parts, body))
        })
    }
}

struct Finish {
    scope: OpenScope,
    history: Option<History>,
    info: RequestInfo,
    log_level: Option<tracing::Level>,
}

impl Finish {
    fn run(self) {
        let profile = self.scope.finish();
        if let Some(level) = self.log_level
            && !profile.findings().is_empty()
        {
            let (method, path, summary) = (&self.info.method, &self.info.path, profile.summary());
            // `tracing` takes its level as a constant: one call per level.
            macro_rules! log {
                ($level:expr) => {
                    tracing::event!(target: "ormlet::profiler", $level, method = %method, path = %path, "{summary}")
                };
            }
            match level {
                tracing::Level::ERROR => log!(tracing::Level::ERROR),
                tracing::Level::WARN => log!(tracing::Level::WARN),
                tracing::Level::INFO => log!(tracing::Level::INFO),
                tracing::Level::DEBUG => log!(tracing::Level::DEBUG),
                _ => log!(tracing::Level::TRACE),
            }
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

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
#[derive(Clone, Default)]
pub struct ProfilerLayer {
    // One reference count per request's clone of the service.
    options: Arc<Options>,
}

#[derive(Clone)]
struct Options {
    config: Arc<ProfilerConfig>,
    history: Option<History>,
    server_timing: bool,
    /// Profile one request in this many (1: all).
    sample_every: u64,
    seen: Arc<std::sync::atomic::AtomicU64>,
    log_level: Option<tracing::Level>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
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

    fn with(mut self, set: impl FnOnce(&mut Options)) -> Self {
        set(Arc::make_mut(&mut self.options));
        self
    }

    /// Whether responses carry a `Server-Timing` header with the query
    /// count and database time (default on; browsers' dev tools show it).
    pub fn server_timing(self, on: bool) -> Self {
        self.with(|o| o.server_timing = on)
    }

    /// Profiles one request in `n` (the first, then every `n`th); a
    /// request with the header [`FORCE_HEADER`] (`x-ormlet-profile: 1`) is
    /// profiled whatever the count. Others run with no scope at all.
    pub fn sample(self, n: u64) -> Self {
        self.with(|o| o.sample_every = n.max(1))
    }

    /// The level the summary of a request with findings is logged at
    /// through `tracing` (default `WARN`); `None` logs nothing.
    pub fn log_level(self, level: Option<tracing::Level>) -> Self {
        self.with(|o| o.log_level = level)
    }

    /// Uses this configuration for every request.
    pub fn config(self, config: ProfilerConfig) -> Self {
        self.with(|o| o.config = Arc::new(config))
    }

    /// Keeps each request's report in `history`.
    pub fn history(self, history: History) -> Self {
        self.with(|o| o.history = Some(history))
    }
}

impl Options {
    /// Whether this request is profiled.
    fn profiles<B>(&self, req: &Request<B>) -> bool {
        if self.sample_every == 1 || req.headers().get(FORCE_HEADER).is_some_and(|v| v.as_bytes() == b"1") {
            return true;
        }
        self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed).is_multiple_of(self.sample_every)
    }
}

impl<S> Layer<S> for ProfilerLayer {
    type Service = ProfilerService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ProfilerService { inner, options: self.options.clone() }
    }
}

/// The service [`ProfilerLayer`] wraps around yours.
#[derive(Clone)]
pub struct ProfilerService<S> {
    inner: S,
    options: Arc<Options>,
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
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Body,
{
    type Response = Response<ProfiledBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        if !self.options.profiles(&req) {
            return ResponseFuture { inner: self.inner.call(req), request: None };
        }
        // Kept as they are (no copy) until a report needs them as text.
        let (method, uri) = (req.method().clone(), req.uri().clone());
        let scope = OpenScope::new(self.options.config.clone());
        let inner = scope.enter(|| self.inner.call(req));
        let request = Some(Profiled { scope, options: self.options.clone(), method, uri });
        ResponseFuture { inner, request }
    }
}

/// A profiled request on its way to its response head.
struct Profiled {
    scope: OpenScope,
    options: Arc<Options>,
    method: http::Method,
    uri: http::Uri,
}

pin_project_lite::pin_project! {
    /// The future of [`ProfilerService`]: the handler's, each poll inside
    /// the request's scope.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        request: Option<Profiled>,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ProfiledBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let polled = match this.request {
            Some(r) => r.scope.enter(|| inner.poll(cx)),
            None => inner.poll(cx),
        };
        let Poll::Ready(response) = polled else { return Poll::Pending };
        let (mut parts, body) = response?.into_parts();
        let finish = this.request.take().map(|r| {
            if r.options.server_timing {
                let (count, db_time) = r.scope.totals();
                if let Some(v) = server_timing(count, db_time) {
                    parts.headers.append(SERVER_TIMING, v);
                }
            }
            Finish { request: r, status: parts.status.as_u16() }
        });
        Poll::Ready(Ok(Response::from_parts(parts, ProfiledBody { inner: body, finish })))
    }
}

/// `db;dur=1.234;desc="3 queries"`, written without a heap string.
fn server_timing(count: u64, db_time: std::time::Duration) -> Option<HeaderValue> {
    // Milliseconds to the microsecond in integers, written without `fmt`:
    // formatting was most of what this header cost.
    let micros = db_time.as_micros();
    let thousandths = (micros % 1000) as u16;
    let (mut millis, mut queries) = (itoa::Buffer::new(), itoa::Buffer::new());
    let mut buf = [0u8; 96];
    let mut len = 0;
    let noun: &[u8] = if count == 1 { b" query\"" } else { b" queries\"" };
    let parts: [&[u8]; 6] = [
        b"db;dur=",
        millis.format(micros / 1000).as_bytes(),
        &[
            b'.',
            b'0' + (thousandths / 100) as u8,
            b'0' + (thousandths / 10 % 10) as u8,
            b'0' + (thousandths % 10) as u8,
        ],
        b";desc=\"",
        queries.format(count).as_bytes(),
        noun,
    ];
    for part in parts {
        buf.get_mut(len..len + part.len())?.copy_from_slice(part);
        len += part.len();
    }
    HeaderValue::from_bytes(&buf[..len]).ok()
}

/// `Server-Timing`, parsed once.
const SERVER_TIMING: http::HeaderName = http::HeaderName::from_static("server-timing");

/// A profiled request with its response status, reported when its body ends.
struct Finish {
    request: Profiled,
    status: u16,
}

impl Finish {
    fn run(self) {
        let Profiled { scope, options, method, uri } = self.request;
        let profile = scope.finish();
        if let Some(level) = options.log_level
            && !profile.findings().is_empty()
        {
            let summary = profile.summary();
            let (method, path) = (method.as_str(), uri.path());
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
        if let Some(h) = &options.history {
            h.push(method.as_str(), uri.path(), self.status, profile);
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
            Some(f) => f.request.scope.enter(|| inner.poll_frame(cx)),
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::server_timing;

    #[test]
    fn server_timing_gives_milliseconds_to_the_microsecond_and_the_query_count() {
        let header = |count, time| server_timing(count, time).expect("header").to_str().expect("ascii").to_owned();
        assert_eq!(header(3, Duration::from_micros(1_234)), r#"db;dur=1.234;desc="3 queries""#);
        assert_eq!(header(1, Duration::from_nanos(56_789_999)), r#"db;dur=56.789;desc="1 query""#);
        assert_eq!(header(0, Duration::ZERO), r#"db;dur=0.000;desc="0 queries""#);
        assert_eq!(header(12, Duration::from_secs(3_600)), r#"db;dur=3600000.000;desc="12 queries""#);
        let most = header(u64::MAX, Duration::MAX);
        assert!(most.starts_with("db;dur=18446744073709551615999.999;desc=\"18446744073709551615 "), "{most}");
    }
}

//! The last requests' reports, and the page and JSON that show them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::OriginalUri;
use axum::response::{Html, IntoResponse};

use super::RequestInfo;
use super::dashboard::{self, View};
use crate::profile::Profile;

/// One request's report.
pub type Entry = (RequestInfo, Arc<Profile>);

/// The last N requests' reports, newest first, for a page the application
/// mounts explicitly with [`History::router`].
#[derive(Clone)]
pub struct History {
    entries: Arc<Mutex<VecDeque<Entry>>>,
    capacity: usize,
}

impl History {
    /// Keeps the reports of the last `capacity` requests.
    pub fn new(capacity: usize) -> Self {
        History { entries: Arc::default(), capacity: capacity.max(1) }
    }

    pub(super) fn push(&self, info: RequestInfo, profile: Profile) {
        let entry = (info, Arc::new(profile));
        let evicted = {
            let mut e = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let evicted = if e.len() >= self.capacity { e.pop_back() } else { None };
            e.push_front(entry);
            evicted
        };
        // Dropped after the lock: other requests need not wait for its frees.
        drop(evicted);
    }

    /// The kept reports, newest first.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }

    /// The kept reports as one HTML page: the requests newest first, one
    /// line each, each opening onto its full report.
    pub fn to_html(&self) -> String {
        dashboard::page(&self.entries(), View::default(), "json")
    }

    /// The kept reports as a JSON array, newest first, of `{method, path,
    /// status, queries, db_time_ms, findings, report}` (`findings` as the
    /// page's line says it, `report` as [`Profile::to_json`] writes it).
    pub fn to_json(&self) -> String {
        let items: Vec<serde_json::Value> = self
            .entries()
            .iter()
            .map(|(info, p)| {
                serde_json::json!({
                    "method": info.method,
                    "path": info.path,
                    "status": info.status,
                    "queries": p.query_count(),
                    "db_time_ms": p.db_time().as_secs_f64() * 1000.0,
                    "findings": dashboard::findings_label(p),
                    "report": serde_json::from_str::<serde_json::Value>(&p.to_json()).unwrap_or_default(),
                })
            })
            .collect();
        serde_json::to_string_pretty(&items).unwrap_or_default()
    }

    /// An axum router serving the page at `/` (`?findings` lists only the
    /// requests with findings, `?open=0` opens the first listed) and the
    /// same data as JSON at `/json`; mount
    /// it yourself (`.nest("/_ormlet", history.router())`), behind access
    /// control in production.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        let html = self.clone();
        let json = self.clone();
        let page = move |OriginalUri(uri): OriginalUri| {
            let view = View::from_query(uri.query());
            let json_path = format!("{}/json", uri.path().trim_end_matches('/'));
            std::future::ready(Html(dashboard::page(&html.entries(), view, &json_path)))
        };
        axum::Router::new().route("/", axum::routing::get(page)).route(
            "/json",
            axum::routing::get(move || {
                std::future::ready(([(http::header::CONTENT_TYPE, "application/json")], json.to_json()).into_response())
            }),
        )
    }
}

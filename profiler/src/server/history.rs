//! The last requests' reports, and the page and JSON that show them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::response::{Html, IntoResponse};

use super::RequestInfo;
use crate::format::esc;
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
        let mut e = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if e.len() == self.capacity {
            e.pop_back();
        }
        e.push_front((info, Arc::new(profile)));
    }

    /// The kept reports, newest first.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }

    /// The kept reports as one HTML page.
    pub fn to_html(&self) -> String {
        // The reports' own styles: each report below is its page's body.
        let mut page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ormlet: recent requests</title><style>{}</style></head><body><h1>Recent requests</h1>",
            crate::report::html::STYLE
        );
        for (i, (info, p)) in self.entries().iter().enumerate() {
            let report = p.to_html();
            let body = report.split_once("<body>").and_then(|(_, b)| b.rsplit_once("</body>")).map_or("", |(b, _)| b);
            page.push_str(&format!(
                "<details{}><summary>{} {} → {}: {}</summary>{body}</details>",
                if i == 0 { " open" } else { "" },
                esc(&info.method),
                esc(&info.path),
                info.status,
                esc(&p.summary())
            ));
        }
        page.push_str("</body></html>\n");
        page
    }

    /// The kept reports as a JSON array of `{method, path, status, report}`.
    pub fn to_json(&self) -> String {
        let items: Vec<serde_json::Value> = self
            .entries()
            .iter()
            .map(|(info, p)| {
                serde_json::json!({
                    "method": info.method,
                    "path": info.path,
                    "status": info.status,
                    "report": serde_json::from_str::<serde_json::Value>(&p.to_json()).unwrap_or_default(),
                })
            })
            .collect();
        serde_json::to_string_pretty(&items).unwrap_or_default()
    }

    /// An axum router serving `/` (HTML) and `/json`; mount it yourself,
    /// behind access control in production.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> axum::Router<S> {
        let html = self.clone();
        let json = self.clone();
        axum::Router::new().route("/", axum::routing::get(move || std::future::ready(Html(html.to_html())))).route(
            "/json",
            axum::routing::get(move || {
                std::future::ready(([(http::header::CONTENT_TYPE, "application/json")], json.to_json()).into_response())
            }),
        )
    }
}

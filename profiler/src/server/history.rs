//! The last requests' reports, and the page and JSON that show them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::OriginalUri;
use axum::response::{Html, IntoResponse};

use super::RequestInfo;
use super::dashboard::{self, View};
use crate::profile::Profile;

/// `text`, written into `into`'s own buffer.
fn refill(into: &mut String, text: &str) {
    into.clear();
    into.push_str(text);
}

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

    /// Files a request's report. Once full, the oldest entry's place is
    /// refilled where nothing else holds it: its strings take the new
    /// request's text and its `Arc` the new profile, so a push allocates
    /// nothing and frees nothing that another thread allocated (under
    /// load, such frees contend for the allocator's locks).
    pub(super) fn push(&self, method: &str, path: &str, status: u16, profile: Profile) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let oldest = if entries.len() >= self.capacity { entries.pop_back() } else { None };
        let (entry, evicted) = match oldest {
            Some((mut info, mut kept)) => {
                refill(&mut info.method, method);
                refill(&mut info.path, path);
                info.status = status;
                match Arc::get_mut(&mut kept) {
                    Some(slot) => {
                        let old = std::mem::replace(slot, profile);
                        ((info, kept), Some(old))
                    }
                    // A page being written holds it: it keeps that copy.
                    None => ((info, Arc::new(profile)), None),
                }
            }
            None => {
                ((RequestInfo { method: method.to_owned(), path: path.to_owned(), status }, Arc::new(profile)), None)
            }
        };
        entries.push_front(entry);
        drop(entries);
        // Dropped after the lock; its buffers serve this thread's next scope.
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::History;
    use crate::scope::profile;

    fn push(history: &History, method: &str, path: &str, status: u16) {
        history.push(method, path, status, profile(|| ()).1);
    }

    fn lines(history: &History) -> Vec<String> {
        history.entries().iter().map(|(i, _)| format!("{} {} {}", i.method, i.path, i.status)).collect()
    }

    #[test]
    fn a_full_history_keeps_the_newest_and_refills_the_oldest_place_exactly() {
        let history = History::new(2);
        push(&history, "GET", "/api/articles/a-long-slug-to-leave-room", 200);
        push(&history, "DELETE", "/api/x", 204);
        assert_eq!(lines(&history), ["DELETE /api/x 204", "GET /api/articles/a-long-slug-to-leave-room 200"]);
        // The long path's place now holds a short one: nothing of it is left.
        push(&history, "PUT", "/b", 422);
        assert_eq!(lines(&history), ["PUT /b 422", "DELETE /api/x 204"]);
        push(&history, "GET", "/api/tags", 200);
        push(&history, "POST", "/api/users", 201);
        assert_eq!(lines(&history), ["POST /api/users 201", "GET /api/tags 200"]);
    }

    #[test]
    fn a_report_someone_holds_is_not_refilled() {
        let history = History::new(1);
        push(&history, "GET", "/first", 200);
        let held = history.entries().remove(0).1;
        push(&history, "GET", "/second", 200);
        let (info, now) = history.entries().remove(0);
        assert_eq!(info.path, "/second");
        assert!(!Arc::ptr_eq(&held, &now), "the held report was written over");
        // Once nothing else holds it, its place is refilled in place.
        drop((held, now));
        let before = Arc::as_ptr(&history.entries()[0].1);
        push(&history, "GET", "/third", 200);
        assert_eq!(Arc::as_ptr(&history.entries()[0].1), before);
        assert_eq!(lines(&history), ["GET /third 200"]);
    }
}

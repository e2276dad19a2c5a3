//! The `/_ormlet` page: recent requests newest first, one line each (method,
//! path, status, queries, db time, findings), each opening onto its full
//! report. One self-contained page: no script, no CDN, no build step; the
//! "with findings" filter (`?findings`) and the request shown opened
//! (`?open=0`) are links the server answers.

use std::fmt::Write as _;

use super::history::Entry;
use crate::detect::FindingKind;
use crate::format::{esc, ms};
use crate::profile::Profile;

/// The dashboard's own styles, after the report's.
const STYLE: &str = ".filter{margin:1rem 0}.filter a{margin-right:1rem}.filter a.on{font-weight:bold;color:#222;text-decoration:none}\
.row{display:grid;grid-template-columns:5rem minmax(10rem,1fr) 4rem 5rem 6rem minmax(8rem,14rem);gap:.5rem;padding:.35rem .5rem;align-items:baseline}\
.head{font-weight:bold;border-bottom:2px solid #ccc}details.request{border-bottom:1px solid #ddd}\
details.request>summary{cursor:pointer;list-style:none}details.request>summary::-webkit-details-marker{display:none}\
details.request>summary:hover{background:#f6f8fa}details.request[open]>summary{background:#eef3fb}\
details.request.with-findings>summary .findings{color:#c33;font-weight:bold}.report{padding:.5rem 1rem 1.5rem}\
.status.error{color:#c33}.path{overflow-wrap:anywhere;font-family:ui-monospace,monospace;font-size:13px}.empty{color:#666}";

/// Which requests the page lists, and which one it shows opened.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct View {
    /// Only requests with findings (`?findings`).
    pub with_findings: bool,
    /// The listed request to show opened, counting from 0 (`?open=0`).
    pub open: Option<usize>,
}

impl View {
    /// Reads `findings` and `open=N` from a query string.
    pub(super) fn from_query(query: Option<&str>) -> View {
        let mut view = View::default();
        for pair in query.unwrap_or_default().split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "findings" => view.with_findings = true,
                "open" => view.open = value.parse().ok(),
                _ => {}
            }
        }
        view
    }
}

/// The page for `entries` (newest first); `json` is the JSON endpoint's path.
pub(super) fn page(entries: &[Entry], view: View, json: &str) -> String {
    let with_findings = entries.iter().filter(|(_, p)| !p.findings().is_empty()).count();
    let mut h = String::with_capacity(4096);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ormlet: recent requests</title><link rel=icon href=\"data:,\">\
<style>{}{STYLE}</style></head><body><h1>Recent requests</h1>",
        crate::report::html::STYLE
    );
    let _ = write!(
        h,
        "<nav class=filter><a href=\"?\" id=all{}>all {} requests</a><a href=\"?findings\" id=with-findings{}>{with_findings} with findings</a><a href=\"{}\" id=json>JSON</a></nav>",
        if view.with_findings { "" } else { " class=on" },
        entries.len(),
        if view.with_findings { " class=on" } else { "" },
        esc(json),
    );
    h.push_str(
        "<div class=requests><div class=\"row head\"><span>method</span><span>path</span><span>status</span>\
<span class=num>queries</span><span class=num>db time</span><span>findings</span></div>",
    );
    let shown: Vec<&Entry> = entries.iter().filter(|(_, p)| !view.with_findings || !p.findings().is_empty()).collect();
    if shown.is_empty() {
        h.push_str("<p class=empty>No requests to show yet.</p>");
    }
    for (i, (info, profile)) in shown.into_iter().enumerate() {
        let class = if profile.findings().is_empty() { "request" } else { "request with-findings" };
        let status_class = if info.status >= 500 { "status error" } else { "status" };
        let _ = write!(
            h,
            "<details class=\"{class}\" id=request-{i}{}><summary class=row><span class=method>{}</span><span class=path>{}</span>\
<span class=\"{status_class}\">{}</span><span class=num>{}</span><span class=num>{}</span><span class=findings>{}</span></summary><div class=report>",
            if view.open == Some(i) { " open" } else { "" },
            esc(&info.method),
            esc(&info.path),
            info.status,
            profile.query_count(),
            ms(profile.db_time()),
            esc(&findings_label(profile)),
        );
        profile.html_sections(&mut h);
        h.push_str("</div></details>");
    }
    h.push_str("</div></body></html>\n");
    h
}

/// "1 N+1, 2 duplicate", or "none".
pub(super) fn findings_label(profile: &Profile) -> String {
    let kinds = [FindingKind::NPlusOne, FindingKind::Duplicate, FindingKind::Slow, FindingKind::Budget];
    let parts: Vec<String> = kinds
        .iter()
        .filter_map(|&k| {
            let n = profile.findings_of(k).count();
            (n > 0).then(|| format!("{n} {}", k.label()))
        })
        .collect();
    if parts.is_empty() { "none".to_owned() } else { parts.join(", ") }
}

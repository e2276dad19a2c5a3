//! The HTML report: one self-contained page (no CDN, no JavaScript) with the
//! summary, findings, a timeline, queries grouped by fingerprint, and every
//! query with its call site. Everything from the database is escaped.

use std::fmt::Write as _;
use std::time::Duration;

use crate::format::{esc, ms, site};
use crate::profile::Profile;

/// The report's styles, shared with the history page that shows many reports.
pub(crate) const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}\
h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}td,th{padding:.25rem .5rem;\
border-bottom:1px solid #ddd;text-align:left;vertical-align:top}code,pre{font:12px/1.4 ui-monospace,monospace}\
pre{white-space:pre-wrap;margin:0}.finding{border-left:4px solid #c33;padding:.5rem 1rem;margin:.75rem 0;background:#fff5f5}\
.finding.duplicate,.finding.slow,.finding.unusedeagerload{border-color:#d80;background:#fffaf0}.bar{position:relative;height:10px;background:#f2f2f2}\
.bar span{position:absolute;top:0;height:10px;background:#36c;min-width:1px}.num{text-align:right;white-space:nowrap}";

impl Profile {
    /// The report as one self-contained HTML page.
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ormlet profile</title><style>{STYLE}</style></head><body>"
        );
        let _ = write!(h, "<h1>ormlet: {}</h1>", esc(&self.summary()));
        self.html_sections(&mut h);
        h.push_str("</body></html>\n");
        h
    }

    /// The report's sections without the page around them: findings, then
    /// queries by fingerprint, then the timeline (the dashboard shows one
    /// per request).
    pub(crate) fn html_sections(&self, h: &mut String) {
        self.html_findings(h);
        self.html_groups(h);
        self.html_queries(h);
    }

    fn html_findings(&self, h: &mut String) {
        if self.findings().is_empty() {
            h.push_str("<p>No findings.</p>");
            return;
        }
        h.push_str("<h2>Findings</h2>");
        for f in self.findings() {
            let class = format!("{:?}", f.kind).to_lowercase();
            let _ = write!(
                h,
                "<div class=\"finding {class}\"><strong>{} ×{}</strong> — {} total, {} max<pre>{}</pre>",
                esc(f.kind.label()),
                f.count,
                ms(f.total),
                ms(f.max),
                esc(&f.sql)
            );
            for l in &f.call_sites {
                let _ = write!(h, "<div>at <code>{}</code></div>", esc(&site(l)));
            }
            let _ = write!(h, "<div><strong>fix:</strong> {}</div>", esc(&f.suggestion.to_string()));
            if let Some(plan) = &f.plan {
                let _ = write!(h, "<div><strong>plan:</strong><pre>{}</pre></div>", esc(plan));
            }
            h.push_str("</div>");
        }
    }

    fn html_groups(&self, h: &mut String) {
        // Group by fingerprint, in order of first appearance.
        let mut groups: Vec<(u64, &str, usize, Duration, Vec<String>)> = Vec::new();
        for q in self.queries() {
            let fp = q.fingerprint();
            let site = q.call_site_string();
            match groups.iter_mut().find(|g| g.0 == fp.hash) {
                Some(g) => {
                    g.2 += 1;
                    g.3 += q.duration;
                    if !g.4.contains(&site) {
                        g.4.push(site);
                    }
                }
                None => groups.push((fp.hash, &fp.normalized, 1, q.duration, vec![site])),
            }
        }
        h.push_str("<h2>By fingerprint</h2><table><tr><th class=num>count</th><th class=num>time</th><th>query</th><th>call sites</th></tr>");
        for (hash, sql, count, time, sites) in groups {
            let _ = write!(
                h,
                "<tr><td class=num>{count}</td><td class=num>{}</td><td><pre>{}</pre><small><code>{hash:016x}</code></small></td><td><code>{}</code></td></tr>",
                ms(time),
                esc(sql),
                sites.iter().map(|s| esc(s)).collect::<Vec<_>>().join("<br>")
            );
        }
        h.push_str("</table>");
    }

    fn html_queries(&self, h: &mut String) {
        let span = self
            .queries()
            .iter()
            .map(|q| q.start + q.duration)
            .max()
            .unwrap_or_default()
            .max(self.elapsed())
            .as_secs_f64()
            .max(1e-9);
        h.push_str("<h2>Timeline</h2><table><tr><th class=num>#</th><th style=\"width:30%\">when</th><th class=num>time</th><th class=num>rows</th><th>call site</th><th>sql</th></tr>");
        for q in self.queries() {
            let left = 100.0 * q.start.as_secs_f64() / span;
            let width = 100.0 * q.duration.as_secs_f64() / span;
            let error = q
                .error
                .as_deref()
                .map(|e| format!("<div><strong>error:</strong> {}</div>", esc(e)))
                .unwrap_or_default();
            let values = q
                .values
                .as_ref()
                .map(|v| format!("<div><small>values: {}</small></div>", esc(&v.join(", "))))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td class=num>{}</td><td><div class=bar><span style=\"left:{left:.2}%;width:{width:.2}%\"></span></div></td><td class=num>{}</td><td class=num>{}</td><td><code>{}</code></td><td><pre>{}</pre>{values}{error}</td></tr>",
                q.seq,
                ms(q.duration),
                q.rows,
                esc(&q.call_site_string()),
                esc(&q.sql)
            );
        }
        h.push_str("</table>");
    }
}

//! Rendering a profile: a terminal table and a versioned JSON document.
//!
//! JSON schema (`"schema": "ormlet.profile"`, `"version": 1`):
//! `summary`, `query_count`, `queries_kept`, `db_time_ms`, `elapsed_ms`,
//! `fingerprint_version`, `findings[]` (`kind`: `n_plus_one` | `duplicate` |
//! `slow` | `budget`, `fingerprint` as 16 hex digits or null, `sql`, `count`,
//! `total_ms`, `max_ms`, `call_sites[]` as `file:line:column`, `queries[]`
//! sequence numbers, `suggestion`, `plan` or null) and `queries[]` (`seq`, `sql`,
//! `fingerprint`, `operation`, `table`, `values` (null unless captured),
//! `start_ms`, `duration_ms`, `rows`, `backend`, `error`, `tx_depth`,
//! `call_site`, `relation`: the relation a query loaded (`"Post::AUTHOR"`) or
//! null). Fields are only ever added within a version.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Duration;

use serde::Serialize;

use crate::detect::{Finding, FindingKind};
use crate::fingerprint::FINGERPRINT_VERSION;
use crate::profile::{Profile, RecordedQuery, site};

/// Version of the JSON report's schema.
pub const JSON_SCHEMA_VERSION: u32 = 1;

pub(crate) fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

impl Profile {
    /// The text report, coloured when stderr is a terminal and `NO_COLOR` is unset.
    pub fn to_text(&self) -> String {
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
        self.to_text_with(color)
    }

    /// The text report: summary line, findings, then the numbered queries
    /// (consecutive repeats of one query from one line folded into `×N`).
    pub fn to_text_with(&self, color: bool) -> String {
        let p = Paint(color);
        let mut s = String::new();
        let _ = writeln!(s, "{}", p.bold(&format!("ormlet: {}", self.summary())));
        for f in self.findings() {
            write_finding(&mut s, f, &p);
        }
        if self.queries().is_empty() {
            return s;
        }
        let _ = writeln!(s);
        let rows = fold(self.queries());
        let site_w = rows.iter().map(|r| r.site.len()).max().unwrap_or(0).max(9);
        let _ = writeln!(
            s,
            "{}",
            p.dim(&format!("{:>7}  {:>9}  {:>6}  {:<site_w$}  sql", "#", "time", "rows", "call site"))
        );
        for r in rows {
            let _ = writeln!(
                s,
                "{:>7}  {:>9}  {:>6}  {:<site_w$}  {}",
                r.label,
                r.time,
                r.rows,
                r.site,
                shorten(&r.sql, 100)
            );
        }
        if self.query_count() > self.kept() as u64 {
            let _ = writeln!(
                s,
                "{}",
                p.dim(&format!("… {} more queries not kept", self.query_count() - self.kept() as u64))
            );
        }
        s
    }

    /// The JSON report (see the module docs for the schema).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.json()).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    fn json(&self) -> JsonReport<'_> {
        JsonReport {
            schema: "ormlet.profile",
            version: JSON_SCHEMA_VERSION,
            fingerprint_version: FINGERPRINT_VERSION,
            summary: self.summary(),
            query_count: self.query_count(),
            queries_kept: self.kept(),
            db_time_ms: millis(self.db_time()),
            elapsed_ms: millis(self.elapsed()),
            findings: self.findings().iter().map(JsonFinding::from).collect(),
            queries: self.queries().iter().map(JsonQuery::from).collect(),
        }
    }
}

fn write_finding(s: &mut String, f: &Finding, p: &Paint) {
    let head = match f.kind {
        FindingKind::NPlusOne | FindingKind::Budget => p.red(f.kind.label()),
        _ => p.yellow(f.kind.label()),
    };
    let _ = writeln!(s, "\n{head} ×{}  {} total, {} max", f.count, ms(f.total), ms(f.max));
    if !f.sql.is_empty() {
        let _ = writeln!(s, "  {}", shorten(&f.sql, 300));
    }
    for l in &f.call_sites {
        let _ = writeln!(s, "  at {}", site(l));
    }
    let _ = writeln!(s, "  {} {}", p.bold("fix:"), f.suggestion);
    if let Some(plan) = &f.plan {
        let _ = writeln!(s, "  plan:");
        for line in plan.lines() {
            let _ = writeln!(s, "    {line}");
        }
    }
}

struct Row {
    label: String,
    time: String,
    rows: String,
    site: String,
    sql: String,
}

/// Consecutive queries with one fingerprint from one call site become one row.
fn fold(queries: &[RecordedQuery]) -> Vec<Row> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < queries.len() {
        let q = &queries[i];
        let mut j = i + 1;
        while j < queries.len()
            && queries[j].fingerprint().hash == q.fingerprint().hash
            && *queries[j].call_site == *q.call_site
        {
            j += 1;
        }
        let group = &queries[i..j];
        let n = group.len();
        let total: Duration = group.iter().map(|q| q.duration).sum();
        let rows: u64 = group.iter().map(|q| q.rows).sum();
        let sql = match &q.error {
            Some(e) => format!("{}  [error: {}]", q.sql, shorten(e, 80)),
            None => q.sql.to_string(),
        };
        out.push(Row {
            label: if n == 1 { q.seq.to_string() } else { format!("{}–{}", q.seq, group[n - 1].seq) },
            time: ms(total),
            rows: rows.to_string(),
            site: if n == 1 { site(q.call_site) } else { format!("{} ×{n}", site(q.call_site)) },
            sql,
        });
        i = j;
    }
    out
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    version: u32,
    fingerprint_version: u32,
    summary: String,
    query_count: u64,
    queries_kept: usize,
    db_time_ms: f64,
    elapsed_ms: f64,
    findings: Vec<JsonFinding>,
    queries: Vec<JsonQuery<'a>>,
}

#[derive(Serialize)]
struct JsonFinding {
    kind: FindingKind,
    fingerprint: Option<String>,
    sql: String,
    count: usize,
    total_ms: f64,
    max_ms: f64,
    call_sites: Vec<String>,
    queries: Vec<usize>,
    suggestion: String,
    plan: Option<String>,
}

impl From<&Finding> for JsonFinding {
    fn from(f: &Finding) -> Self {
        JsonFinding {
            kind: f.kind,
            fingerprint: f.fingerprint.map(|h| format!("{h:016x}")),
            sql: f.sql.to_string(),
            count: f.count,
            total_ms: millis(f.total),
            max_ms: millis(f.max),
            call_sites: f.call_sites.iter().map(|l| site(l)).collect(),
            queries: f.queries.clone(),
            suggestion: f.suggestion.to_string(),
            plan: f.plan.clone(),
        }
    }
}

#[derive(Serialize)]
struct JsonQuery<'a> {
    seq: usize,
    sql: &'a str,
    fingerprint: String,
    operation: String,
    table: Option<&'static str>,
    values: Option<&'a [String]>,
    start_ms: f64,
    duration_ms: f64,
    rows: u64,
    backend: &'static str,
    error: Option<&'a str>,
    tx_depth: u32,
    call_site: String,
    relation: Option<&'static str>,
}

impl<'a> From<&'a RecordedQuery> for JsonQuery<'a> {
    fn from(q: &'a RecordedQuery) -> Self {
        JsonQuery {
            seq: q.seq,
            sql: &q.sql,
            fingerprint: q.fingerprint().hex(),
            operation: format!("{:?}", q.operation).to_lowercase(),
            table: q.table,
            values: q.values.as_deref(),
            start_ms: millis(q.start),
            duration_ms: millis(q.duration),
            rows: q.rows,
            backend: q.backend.name(),
            error: q.error.as_deref(),
            tx_depth: q.tx_depth,
            call_site: site(q.call_site),
            relation: q.relation.map(|r| r.relation),
        }
    }
}

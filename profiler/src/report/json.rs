//! The JSON report (schema in the [module docs](super)).

use serde::Serialize;

use crate::detect::{Finding, FindingKind};
use crate::fingerprint::FINGERPRINT_VERSION;
use crate::format::{millis, site};
use crate::profile::{Profile, RecordedQuery};

/// Version of the JSON report's schema.
pub const JSON_SCHEMA_VERSION: u32 = 1;

impl Profile {
    /// The JSON report (see the module docs for the schema).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&JsonReport::of(self)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl<'a> JsonReport<'a> {
    fn of(p: &'a Profile) -> Self {
        JsonReport {
            schema: "ormlet.profile",
            version: JSON_SCHEMA_VERSION,
            fingerprint_version: FINGERPRINT_VERSION,
            summary: p.summary(),
            query_count: p.query_count(),
            queries_kept: p.kept(),
            db_time_ms: millis(p.db_time()),
            elapsed_ms: millis(p.elapsed()),
            findings: p.findings().iter().map(JsonFinding::from).collect(),
            queries: p.queries().iter().map(JsonQuery::from).collect(),
        }
    }
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

//! Every query is a tracing span with OpenTelemetry's database attributes,
//! and every profiler finding is a warning.

mod common;

#[path = "suite/spans.rs"]
mod spans;

use common::{User, db, seed};
use ormlet::prelude::*;
use spans::{Seen, field};

#[test]
fn queries_are_spans_and_findings_are_warnings() {
    let seen = Seen::default();
    let subscriber = seen.subscriber();
    let db = db();
    seed(&db, 0);
    tracing::subscriber::with_default(subscriber, || {
        let ((), _p) = ormlet::profile(|| {
            for id in [1, 2] {
                User::get(&db, id).unwrap();
            }
        });
    });
    let spans = seen.spans("db.query");
    assert_eq!(spans.len(), 2);
    let f = &spans[0];
    assert_eq!(field(f, "db.system.name"), Some("sqlite"));
    assert_eq!(field(f, "db.operation.name"), Some("SELECT"));
    assert_eq!(field(f, "db.collection.name"), Some("users"));
    assert!(field(f, "db.query.text").unwrap().starts_with("SELECT \"users\".\"id\""));
    assert_eq!(field(f, "code.filepath"), Some(file!()));
    let warnings = seen.spans("event:WARN");
    assert_eq!(warnings.len(), 1, "one N+1 finding: {warnings:?}");
    assert_eq!(field(&warnings[0], "kind"), Some("N+1"));
    assert!(field(&warnings[0], "call_site").unwrap().starts_with("tests/tracing.rs:"));
}

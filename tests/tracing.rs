//! Every query is a tracing span with OpenTelemetry's database attributes,
//! and every profiler finding is a warning.

mod common;

use std::sync::{Arc, Mutex};

use common::{User, db, seed};
use ormlet::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// A span or event name with its recorded fields.
type Record = (String, Vec<(String, String)>);

#[derive(Default, Clone)]
struct Seen(Arc<Mutex<Vec<Record>>>);

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
}

impl<S: Subscriber> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        let mut f = Fields(Vec::new());
        attrs.record(&mut f);
        self.0.lock().unwrap().push((attrs.metadata().name().to_owned(), f.0));
    }
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut f = Fields(Vec::new());
        event.record(&mut f);
        self.0.lock().unwrap().push((format!("event:{}", event.metadata().level()), f.0));
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

#[test]
fn queries_are_spans_and_findings_are_warnings() {
    let seen = Seen::default();
    let subscriber = tracing_subscriber::registry().with(seen.clone());
    let db = db();
    seed(&db, 0);
    tracing::subscriber::with_default(subscriber, || {
        let ((), _p) = ormlet::profile(|| {
            for id in [1, 2] {
                User::get(&db, id).unwrap();
            }
        });
    });
    let seen = seen.0.lock().unwrap();
    let spans: Vec<_> = seen.iter().filter(|(n, _)| n == "db.query").collect();
    assert_eq!(spans.len(), 2);
    let f = &spans[0].1;
    assert_eq!(field(f, "db.system.name"), Some("sqlite"));
    assert_eq!(field(f, "db.operation.name"), Some("SELECT"));
    assert_eq!(field(f, "db.collection.name"), Some("users"));
    assert!(field(f, "db.query.text").unwrap().starts_with("SELECT \"users\".\"id\""));
    assert_eq!(field(f, "code.filepath"), Some(file!()));
    let warnings: Vec<_> = seen.iter().filter(|(n, _)| n == "event:WARN").collect();
    assert_eq!(warnings.len(), 1, "one N+1 finding: {seen:?}");
    assert_eq!(field(&warnings[0].1, "kind"), Some("N+1"));
    assert!(field(&warnings[0].1, "call_site").unwrap().starts_with("tests/tracing.rs:"));
}

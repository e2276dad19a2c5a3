//! A `tracing` layer that keeps the name and fields of every span and event,
//! for tests of what ormlet emits.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// A span or event name with its recorded fields.
pub type Record = (String, Vec<(String, String)>);

/// The spans (by name) and events (as `event:LEVEL`) seen so far.
#[derive(Default, Clone)]
pub struct Seen(pub Arc<Mutex<Vec<Record>>>);

impl Seen {
    /// The fields of every span called `name` (or event, `event:WARN`), in order.
    pub fn spans(&self, name: &str) -> Vec<Vec<(String, String)>> {
        self.0.lock().unwrap().iter().filter(|(n, _)| n == name).map(|(_, f)| f.clone()).collect()
    }
}

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

impl Seen {
    /// A subscriber recording into `self`, for one test to scope around its
    /// work. `tracing` keeps one global maximum level, recomputed as scoped
    /// subscribers come and go; a test dropping its subscriber while another
    /// test's is live can lower it, and that test's spans then vanish. A
    /// global registry, set once, keeps the maximum at its highest.
    pub fn subscriber(&self) -> impl Subscriber + Send + Sync + 'static {
        use tracing_subscriber::layer::SubscriberExt;
        static GLOBAL: std::sync::Once = std::sync::Once::new();
        GLOBAL.call_once(|| {
            let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
        });
        tracing_subscriber::registry().with(self.clone())
    }
}

/// The value of one field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

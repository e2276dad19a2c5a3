//! The `tracing` span of one query.

use crate::backend::Backend;
use crate::connection::Stmt;

/// One span per execution, named as OpenTelemetry's database conventions say.
///
/// Until a `tracing` dispatcher exists there is nobody to give it to, and
/// building it anyway is not free: with `tracing`'s `log` feature on (sqlx
/// turns it on) a disabled span is offered to the `log` crate field by field
/// on every query. `has_been_set` is the check `tracing` documents for
/// eliding trace points before one is set.
#[cfg(any(feature = "postgres", feature = "mysql"))]
#[inline]
pub(crate) fn query_span(backend: Backend, s: &Stmt<'_>) -> tracing::Span {
    if !tracing::dispatcher::has_been_set() {
        return tracing::Span::none();
    }
    span_of(backend, s)
}

/// The span itself, out of line: most programs never set a dispatcher, and
/// the macro's code would otherwise sit in the middle of every query's path.
#[cold]
#[inline(never)]
pub(crate) fn span_of(backend: Backend, s: &Stmt<'_>) -> tracing::Span {
    tracing::info_span!(
        "db.query",
        db.system.name = backend.name(),
        db.query.text = s.sql.as_ref() as &str,
        db.operation.name = s.operation.name(),
        db.collection.name = s.table,
        code.filepath = s.loc.file(),
        code.lineno = s.loc.line(),
    )
}

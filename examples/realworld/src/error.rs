//! Errors as the spec writes them: a status and `{"errors": {"body": [...]}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ormlet::ConstraintKind;

/// What a handler can fail with.
#[derive(Debug)]
pub enum AppError {
    /// No valid token where one is needed (401).
    Unauthorized,
    /// Not the author of what is being changed (403).
    Forbidden,
    /// No such article, profile or comment (404).
    NotFound(&'static str),
    /// Input the spec refuses: a taken name, a missing field (422).
    Invalid(String),
    /// Anything else from the database (500).
    Database(ormlet::Error),
}

impl From<ormlet::Error> for AppError {
    fn from(e: ormlet::Error) -> Self {
        if e.is_not_found() {
            return AppError::NotFound("record");
        }
        // A taken username or email, from the UNIQUE constraint itself: no
        // check-then-insert race, and no string matching.
        match e.as_constraint() {
            Some(c) if matches!(c.kind, ConstraintKind::Unique) => {
                let what = ["username", "email", "slug", "name"]
                    .into_iter()
                    .find(|f| c.columns.iter().chain(c.constraint.iter()).any(|col| col.contains(f)))
                    .unwrap_or("value");
                AppError::Invalid(format!("{what} has already been taken"))
            }
            _ => AppError::Database(e),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "missing or invalid token".to_owned()),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "only the author may do that".to_owned()),
            AppError::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what} not found")),
            AppError::Invalid(message) => (StatusCode::UNPROCESSABLE_ENTITY, message),
            AppError::Database(e) => {
                tracing::error!(error = %e, "database error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
            }
        };
        (status, Json(serde_json::json!({ "errors": { "body": [message] } }))).into_response()
    }
}

/// A handler's result.
pub type AppResult<T> = Result<T, AppError>;

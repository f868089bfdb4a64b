//! The one place where use-case errors become HTTP responses. Internal detail goes to the
//! log, never to the client, who gets the request's id to quote (see `request_id`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::AppError;
use serde_json::json;

#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Rule { .. } | AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(&e);
        let body = match &e {
            AppError::Internal(detail) | AppError::Unavailable(detail) => {
                tracing::error!(code = e.code(), %detail, "request failed");
                json!({"error": {"code": e.code(), "message": "something went wrong on our side; it was logged", "request_id": crate::request_id::current()}})
            }
            AppError::Invalid(problems) => json!({"error": {
                "code": e.code(),
                "message": e.to_string(),
                "fields": problems.iter().map(|p| json!({"field": p.what, "message": p.to_string()})).collect::<Vec<_>>(),
            }}),
            _ => json!({"error": {"code": e.code(), "message": e.to_string()}}),
        };
        with_retry_after(&e, (status, Json(body)).into_response())
    }
}

/// `Retry-After` on answers that say "too many requests".
pub(crate) fn with_retry_after(e: &AppError, res: Response) -> Response {
    match e {
        AppError::TooMany {
            retry_after_secs, ..
        } => crate::too_many(*retry_after_secs, res),
        _ => res,
    }
}

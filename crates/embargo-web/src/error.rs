//! The one place where use-case errors become HTTP responses. Internal detail goes to the
//! log, never to the client, who gets the request's id to quote (see `request_id`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

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

/// Every refusal of the JSON API: nothing changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable: `not_found`, `forbidden`, `invalid_input`, `conflict`, `illegal_transition`,
    /// `two_person_rule`, `checklist_order`, `deadline`, `locked`, `rate_limited`,
    /// `unauthorized`, `unavailable`, `internal`, `too_large`, `too_many_requests`,
    /// `unsupported_media_type`.
    pub code: &'static str,
    pub message: String,
    /// On invalid input: each field's problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldProblem>>,
    /// On errors on our side: the request's id (also in the `X-Request-Id` header), to
    /// quote when reporting the problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// On `rate_limited`: seconds to wait (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
}

/// One field's problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                fields: None,
                request_id: None,
                retry_after: None,
            },
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = status_of(&e);
        let body = match &e {
            AppError::Internal(detail) | AppError::Unavailable(detail) => {
                tracing::error!(code = e.code(), %detail, "request failed");
                let mut body =
                    ErrorBody::new(e.code(), "something went wrong on our side; it was logged");
                body.error.request_id = crate::request_id::current();
                body
            }
            AppError::Invalid(problems) => {
                let mut body = ErrorBody::new(e.code(), e.to_string());
                body.error.fields = Some(
                    problems
                        .iter()
                        .map(|p| FieldProblem {
                            field: p.what.to_string(),
                            message: p.to_string(),
                        })
                        .collect(),
                );
                body
            }
            _ => ErrorBody::new(e.code(), e.to_string()),
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

//! Turning templates into responses, and the HTML face of errors.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use embargo_app::AppError;

use crate::error::status_of;

/// Renders a page; a template error is a bug, logged and answered with a plain 500.
pub fn page<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
pub struct Notice {
    pub org: String,
    pub heading: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

/// A short page that says what happened (errors, confirmations).
pub fn notice(
    org: &str,
    status: StatusCode,
    heading: &str,
    text: &str,
    link: Option<(&str, &str)>,
) -> Response {
    let t = Notice {
        org: org.to_string(),
        heading: heading.to_string(),
        text: text.to_string(),
        link: link.map(|(h, l)| (h.to_string(), l.to_string())),
    };
    page(status, &t)
}

/// An error as an HTML page, with the same status the JSON API would give.
pub fn error_page(org: &str, e: &AppError) -> Response {
    let status = status_of(e);
    let (heading, text) = match e {
        AppError::NotFound => (
            "Not found",
            "There is nothing here, or this link is no longer valid.".to_string(),
        ),
        AppError::Internal(d) | AppError::Unavailable(d) => {
            tracing::error!(code = e.code(), detail = %d, "request failed");
            (
                "Something went wrong",
                format!(
                    "Something went wrong on our side. It was logged; please try again later.{}",
                    crate::request_id::current()
                        .map(|id| format!(" If it happens again, tell us this reference: {id}."))
                        .unwrap_or_default()
                ),
            )
        }
        AppError::Conflict(_) => ("Changed meanwhile", e.to_string()),
        _ => ("Not possible", e.to_string()),
    };
    let page = notice(
        org,
        status,
        heading,
        &text,
        Some(("/", "Back to the start")),
    );
    crate::error::with_retry_after(e, page)
}

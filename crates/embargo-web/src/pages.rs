//! The pages of the foundation: a landing page that states the organization's promises,
//! and the health check.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::WebState;

/// `GET /healthz`: 200 when the database answers, 503 otherwise (load balancers take the
/// instance out of rotation).
pub async fn health(State(state): State<WebState>) -> Response {
    match state.app.store().ping().await {
        Ok(()) => Json(json!({"status": "ok", "database": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "database": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// `GET /`: what the organization promises reporters (PROCESS.md, Clocks).
pub async fn home(State(state): State<WebState>) -> Html<String> {
    let org = escape(&state.organization);
    let policy = state.app.policy();
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Security reports: {org}</title></head><body><main>\
         <h1>Report a security vulnerability to {org}</h1>\
         <p>{org} follows coordinated disclosure. We acknowledge every report within \
         {ack} days and disclose known vulnerabilities within {disclose} days of the report, \
         whether a fix is available or not. Reporters are credited as they choose.</p>\
         <p>Software that {org} only redistributes is out of scope: please report it to its \
         upstream maintainers.</p></main></body></html>\n",
        ack = policy.acknowledge_within_days(),
        disclose = policy.disclose_within_days(),
    ))
}

/// Minimal HTML escaping for text placed in element content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

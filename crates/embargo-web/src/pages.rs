//! The home page, the stylesheet and the health check.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::WebState;
use crate::render::page;

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

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    org: String,
    ack_days: u16,
    disclose_days: u16,
    has_key: bool,
}

/// `GET /`: what the organization promises reporters (PROCESS.md, Clocks).
pub async fn home(State(state): State<WebState>) -> Response {
    let policy = match state.app.current_policy().await {
        Ok(p) => p,
        Err(e) => return crate::render::error_page(&state.site.organization, &e),
    };
    page(
        StatusCode::OK,
        &Home {
            org: state.site.organization.clone(),
            ack_days: policy.acknowledge_within_days(),
            disclose_days: policy.disclose_within_days(),
            has_key: state.site.team_public_key.is_some(),
        },
    )
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/embargo.css"),
    )
        .into_response()
}

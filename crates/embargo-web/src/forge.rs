//! `POST /api/v1/webhooks/github`: GitHub's `repository_advisory` event with action
//! `reported` (private vulnerability reporting) becomes a case, which keeps that advisory
//! as its draft. Any other action about an advisory a case holds (published, withdrawn,
//! a CVE id assigned) updates the case; one about an advisory no case holds is
//! acknowledged and ignored. The body is verified with `X-Hub-Signature-256` (HMAC-SHA256
//! of the raw body with the shared secret) before it is parsed; a redelivery of the same
//! advisory files nothing new.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, WebhookOutcome};
use embargo_core::ValueError;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

use crate::api::doc::Refused;
use crate::error::ErrorBody;
use crate::{WebError, WebState};

/// What became of a delivery.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Delivery {
    /// The case it filed or updated.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    case_id: Option<embargo_core::CaseId>,
    /// A redelivery of an advisory already filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicate: Option<bool>,
    /// The event's action that updated the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    /// Why nothing was done.
    #[serde(skip_serializing_if = "Option::is_none")]
    ignored: Option<String>,
    /// A ping.
    #[serde(skip_serializing_if = "Option::is_none")]
    ok: Option<bool>,
}

fn reply(status: StatusCode, body: Delivery) -> Response {
    (status, Json(body)).into_response()
}

/// Constant-time check of `sha256=<hex>` against the body.
pub fn signature_ok(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/github",
    operation_id = "githubWebhook",
    summary = "GitHub repository_advisory events (action: reported, and updates)",
    request_body(content = Object, content_type = "application/json"),
    security(("github" = [])),
    responses(
        (status = 201, description = "Filed as a new case", body = Delivery),
        (status = 200, description = "Already filed (redelivery), an update, or a ping", body = Delivery),
        (status = 202, description = "Ignored (another event, or an advisory no case holds)", body = Delivery),
        (status = 401, response = Refused),
        (status = 404, response = Refused),
        (status = 422, response = Refused),
    )
)]
pub async fn github(State(state): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    // Off unless configured: without a secret nobody can prove a delivery is GitHub's.
    let Some(secret) = &state.site.github_webhook_secret else {
        return WebError(AppError::NotFound).into_response();
    };
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if !signature_ok(secret, &body, header("x-hub-signature-256")) {
        let body = ErrorBody::new(
            "bad_signature",
            "X-Hub-Signature-256 does not match the body",
        );
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    match header("x-github-event") {
        Some("ping") => {
            let pong = Delivery {
                ok: Some(true),
                ..Delivery::default()
            };
            return reply(StatusCode::OK, pong);
        }
        Some("repository_advisory") => {}
        other => {
            let ignored = Delivery {
                ignored: Some(format!("event {}", other.unwrap_or("(none)"))),
                ..Delivery::default()
            };
            return reply(StatusCode::ACCEPTED, ignored);
        }
    }
    let document: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return WebError(AppError::invalid(ValueError::new(
                "payload",
                format!("is not a repository_advisory event: {e}"),
            )))
            .into_response();
        }
    };
    match state
        .app
        .github_advisory_webhook(&document, (state.clock)())
        .await
    {
        Ok(WebhookOutcome::Filed(case_id)) => reply(
            StatusCode::CREATED,
            Delivery {
                case_id: Some(case_id),
                ..Delivery::default()
            },
        ),
        Ok(WebhookOutcome::Duplicate(case_id)) => reply(
            StatusCode::OK,
            Delivery {
                case_id: Some(case_id),
                duplicate: Some(true),
                ..Delivery::default()
            },
        ),
        Ok(WebhookOutcome::Updated(case_id)) => reply(
            StatusCode::OK,
            Delivery {
                case_id: Some(case_id),
                updated: document["action"].as_str().map(str::to_string),
                ..Delivery::default()
            },
        ),
        Ok(WebhookOutcome::Ignored(why)) => reply(
            StatusCode::ACCEPTED,
            Delivery {
                ignored: Some(why),
                ..Delivery::default()
            },
        ),
        Err(e) => WebError(e).into_response(),
    }
}

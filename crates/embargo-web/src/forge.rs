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
use serde_json::json;
use sha2::Sha256;

use crate::{WebError, WebState};

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
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

pub async fn github(State(state): State<WebState>, headers: HeaderMap, body: Bytes) -> Response {
    // Off unless configured: without a secret nobody can prove a delivery is GitHub's.
    let Some(secret) = &state.site.github_webhook_secret else {
        return WebError(AppError::NotFound).into_response();
    };
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if !signature_ok(secret, &body, header("x-hub-signature-256")) {
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"code": "bad_signature", "message": "X-Hub-Signature-256 does not match the body"}}),
        );
    }
    match header("x-github-event") {
        Some("ping") => return reply(StatusCode::OK, json!({"ok": true})),
        Some("repository_advisory") => {}
        other => {
            return reply(
                StatusCode::ACCEPTED,
                json!({"ignored": format!("event {}", other.unwrap_or("(none)"))}),
            );
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
        Ok(WebhookOutcome::Filed(case_id)) => {
            reply(StatusCode::CREATED, json!({"case_id": case_id}))
        }
        Ok(WebhookOutcome::Duplicate(case_id)) => reply(
            StatusCode::OK,
            json!({"case_id": case_id, "duplicate": true}),
        ),
        Ok(WebhookOutcome::Updated(case_id)) => reply(
            StatusCode::OK,
            json!({"case_id": case_id, "updated": document["action"]}),
        ),
        Ok(WebhookOutcome::Ignored(why)) => reply(StatusCode::ACCEPTED, json!({"ignored": why})),
        Err(e) => WebError(e).into_response(),
    }
}

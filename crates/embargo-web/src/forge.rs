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
use embargo_app::{AppError, Intake};
use embargo_core::{Channel, RawReport, ValueError};
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::{WebError, WebState};

#[derive(Deserialize)]
struct Event {
    action: String,
    repository_advisory: Advisory,
    repository: Repository,
    sender: Option<Sender>,
}

#[derive(Deserialize)]
struct Advisory {
    ghsa_id: String,
    summary: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize)]
struct Vulnerability {
    package: Option<Package>,
    vulnerable_version_range: Option<String>,
}

#[derive(Deserialize)]
struct Package {
    ecosystem: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Repository {
    full_name: String,
}

#[derive(Deserialize)]
struct Sender {
    login: String,
}

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
    let not_an_event = |e: String| {
        WebError(AppError::invalid(ValueError::new(
            "payload",
            format!("is not a repository_advisory event: {e}"),
        )))
        .into_response()
    };
    let document: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return not_an_event(e.to_string()),
    };
    let event: Event = match serde_json::from_value(document.clone()) {
        Ok(e) => e,
        Err(e) => return not_an_event(e.to_string()),
    };
    let Some(remote) = embargo_github::RemoteAdvisory::from_json(&document["repository_advisory"])
    else {
        return not_an_event("the advisory has no ghsa_id".into());
    };
    if event.action != "reported" {
        return match state
            .app
            .github_advisory_event(&remote, (state.clock)())
            .await
        {
            Ok(Some(case_id)) => reply(
                StatusCode::OK,
                json!({"case_id": case_id, "updated": event.action}),
            ),
            Ok(None) => reply(
                StatusCode::ACCEPTED,
                json!({"ignored": format!("no case holds {}", remote.ghsa_id)}),
            ),
            Err(e) => WebError(e).into_response(),
        };
    }
    let external_ref = format!("github:{}", event.repository_advisory.ghsa_id);
    match state.app.case_by_external_ref(&external_ref).await {
        Ok(Some(case_id)) => {
            // The first delivery may have stopped before linking the advisory.
            let linked = state
                .app
                .link_github_report(
                    case_id,
                    &event.repository.full_name,
                    &remote,
                    (state.clock)(),
                )
                .await;
            if let Err(e) = linked {
                return WebError(e).into_response();
            }
            return reply(
                StatusCode::OK,
                json!({"case_id": case_id, "duplicate": true}),
            );
        }
        Ok(None) => {}
        Err(e) => return WebError(e).into_response(),
    }
    let project = match state
        .app
        .project_of_repository(&event.repository.full_name)
        .await
    {
        Ok(p) => p,
        Err(e) => return WebError(e).into_response(),
    };
    let a = event.repository_advisory;
    let ranges: Vec<String> = a
        .vulnerabilities
        .unwrap_or_default()
        .iter()
        .map(|v| {
            let pkg = v.package.as_ref();
            format!(
                "{} {} {}",
                pkg.and_then(|p| p.ecosystem.as_deref()).unwrap_or(""),
                pkg.and_then(|p| p.name.as_deref()).unwrap_or(""),
                v.vulnerable_version_range.as_deref().unwrap_or("")
            )
            .trim()
            .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let login = event.sender.map(|s| s.login).unwrap_or_default();
    let mut description = a.description.unwrap_or_default();
    description.push_str(&format!(
        "\n\n---\nImported from GitHub private vulnerability report {} on {}{}{}",
        a.ghsa_id,
        event.repository.full_name,
        a.html_url.map(|u| format!(" ({u})")).unwrap_or_default(),
        a.severity
            .map(|s| format!("; severity suggested by the reporter: {s}"))
            .unwrap_or_default(),
    ));
    let raw = RawReport {
        project: project.to_string(),
        title: a.summary,
        description,
        affected_versions: ranges.join("; "),
        reporter_name: login.clone(),
        credit_kind: if login.is_empty() {
            "anonymous".into()
        } else {
            "handle".into()
        },
        credit_value: login,
        ..RawReport::default()
    };
    let content = match state.app.check_report(raw).await {
        Ok(c) => c,
        Err(e) => return WebError(e).into_response(),
    };
    let intake = Intake {
        channel: Channel::Forge,
        content,
        attachments: Vec::new(),
        external_ref: Some(external_ref),
        mail_portal_link: false,
        encrypted: false,
    };
    let now = (state.clock)();
    let submitted = match state.app.submit_report(intake, now).await {
        Ok(s) => s,
        Err(e) => return WebError(e).into_response(),
    };
    // The report is filed (a crash here leaves a case without the link, and the redelivery
    // finds the case by its reference); the link lets the drafts and webhooks reach it.
    if let Err(e) = state
        .app
        .link_github_report(submitted.case_id, &event.repository.full_name, &remote, now)
        .await
    {
        tracing::warn!(
            code = e.code(),
            "the reported advisory could not be linked to its case"
        );
    }
    reply(StatusCode::CREATED, json!({"case_id": submitted.case_id}))
}

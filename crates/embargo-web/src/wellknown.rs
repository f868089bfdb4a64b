//! `/.well-known/security.txt` (RFC 9116) and the team's OpenPGP key.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;

use crate::WebState;

/// How far ahead `Expires` points. RFC 9116 recommends less than a year; the file is
/// generated on each request, so it never goes stale while the installation runs.
const EXPIRES_IN_DAYS: i64 = 180;

pub fn security_txt(state: &WebState) -> String {
    let site = &state.site;
    let now = (state.clock)();
    let expires = now + SignedDuration::from_hours(24 * EXPIRES_IN_DAYS);
    let mut lines = Vec::new();
    if let Some(email) = &site.contact_email {
        lines.push(format!("Contact: mailto:{email}"));
    }
    lines.push(format!("Contact: {}", site.url("/report")));
    lines.push(format!(
        "Expires: {}",
        expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    ));
    if site.team_public_key.is_some() {
        lines.push(format!("Encryption: {}", site.url("/pgp-key.txt")));
    }
    lines.push(format!(
        "Policy: {}",
        site.policy_url.clone().unwrap_or_else(|| site.url("/"))
    ));
    if !site.preferred_languages.is_empty() {
        lines.push(format!(
            "Preferred-Languages: {}",
            site.preferred_languages.join(", ")
        ));
    }
    // CSAF 2.0, section 7.1.8: security.txt points to the provider metadata.
    lines.push(format!(
        "CSAF: {}",
        site.url("/.well-known/csaf/provider-metadata.json")
    ));
    lines.push(format!(
        "Canonical: {}",
        site.url("/.well-known/security.txt")
    ));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

pub async fn security_txt_handler(State(state): State<WebState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        security_txt(&state),
    )
        .into_response()
}

pub async fn team_key(State(state): State<WebState>) -> Response {
    match &state.site.team_public_key {
        Some(key) => (
            [
                (header::CONTENT_TYPE, "application/pgp-keys; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            key.clone(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "this installation has no OpenPGP key configured\n",
        )
            .into_response(),
    }
}

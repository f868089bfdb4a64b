//! The API's OpenAPI document, generated from the handlers' `#[utoipa::path]` and the
//! request and response types, so that it cannot drift from the code. A test compares it
//! with the committed snapshot (`tests/web/snapshots/`), so that every change of the
//! published contract is seen in review.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::error::ErrorBody;

/// A refusal: nothing changed. Every error status shares it.
#[derive(Debug)]
pub struct Refused;

impl<'s> ToResponse<'s> for Refused {
    fn response() -> (&'s str, RefOr<utoipa::openapi::Response>) {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        let response = ResponseBuilder::new()
            .description("The request was refused; nothing changed.")
            .content("application/json", content)
            .build();
        ("Refused", response.into())
    }
}

/// The two ways to authenticate: an API token, and GitHub's webhook signature.
struct Authentication;

impl Modify for Authentication {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from `embargo user token`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "github",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Hub-Signature-256",
                "HMAC-SHA256 of the body with the webhook secret, as `sha256=<hex>`.",
            ))),
        );
    }
}

/// Operations grouped by what they are about (utoipa would name groups after modules).
struct Tags;

/// The group of the operation at `path`.
fn tag_of(path: &str) -> &'static str {
    if path.starts_with("/v1/") || path == "/api/v1/query" || path == "/api/v1/advisories" {
        "public advisories"
    } else if path.starts_with("/api/v1/reports") || path.starts_with("/api/v1/webhooks") {
        "reports"
    } else if path.contains("/github") {
        "GitHub"
    } else if path.starts_with("/api/v1/cve-ids") || path.contains("/cve") {
        "CVE ids"
    } else if path.contains("/advisory") || path.ends_with("/teams") {
        "advisory drafts"
    } else if path.starts_with("/api/v1/cases") {
        "cases"
    } else {
        "service"
    }
}

impl Modify for Tags {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let tag = tag_of(path);
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                operation.tags = Some(vec![tag.to_string()]);
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "embargo API",
        version = "1",
        description = "The coordinated-disclosure desk's JSON API. Reports are filed anonymously; everything else needs `Authorization: Bearer <token>` (create one with `embargo user token`). Errors have one shape: `{\"error\": {\"code\", \"message\", \"fields\"?}}`. A case you may not see answers 404, exactly like a case that does not exist.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/")),
    paths(
        crate::reports_api::create,
        super::list,
        super::show,
        super::act,
        super::messages,
        super::events::events,
        crate::advisory_api::show,
        crate::advisory_api::save,
        crate::advisory_api::preview,
        crate::advisory_api::approve,
        crate::advisory_api::publish_revision,
        crate::advisory_api::take_cve,
        crate::advisory_api::add_team,
        crate::advisory_api::published,
        crate::cve_api::pool,
        crate::cve_api::reserve,
        crate::cve_api::sync,
        crate::cve_api::case_cve,
        crate::cve_api::reject,
        crate::cve_api::release,
        crate::github_api::show,
        crate::github_api::open_drafts,
        crate::github_api::request_cve,
        crate::github_api::create_fork,
        crate::github_api::mirror_ci,
        crate::forge::github,
        crate::osv_api::query_alias,
        crate::osv_api::query,
        crate::osv_api::query_batch,
        crate::osv_api::vuln,
        crate::pages::health,
        openapi,
    ),
    components(schemas(ErrorBody), responses(Refused)),
    modifiers(&Authentication, &Tags),
)]
pub struct ApiDoc;

/// The document as served: generated once.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    })
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    summary = "This document",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object))
)]
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}

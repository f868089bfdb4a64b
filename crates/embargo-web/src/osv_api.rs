//! osv.dev's API on this installation's advisories: `POST /v1/query`, `POST /v1/querybatch`
//! and `GET /v1/vulns/{id}`, with osv.dev's request and response shapes (its published
//! description is vendored in `vendor/osv.dev/`). `POST /api/v1/query` is the same query.
//! Errors take osv.dev's shape too: `{"code": <gRPC status>, "message": ...}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, OSV_PAGE_SIZE, OsvPackage, OsvPage, OsvQuery};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::WebState;

/// A query as osv.dev reads it; fields it does not know are ignored, as osv.dev does.
#[derive(Debug, Default, Deserialize)]
struct QueryBody {
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    package: Option<PackageBody>,
    #[serde(default)]
    page_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PackageBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    ecosystem: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct BatchBody {
    #[serde(default)]
    queries: Vec<QueryBody>,
}

/// proto3 JSON: an empty string is an unset field.
fn set(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

impl From<QueryBody> for OsvQuery {
    fn from(b: QueryBody) -> Self {
        OsvQuery {
            commit: set(b.commit),
            version: set(b.version),
            package: b.package.map(|p| OsvPackage {
                name: set(p.name),
                ecosystem: set(p.ecosystem),
                purl: set(p.purl),
            }),
            page_token: set(b.page_token),
        }
    }
}

/// osv.dev's error document: gRPC status codes (3 invalid argument, 5 not found, 13
/// internal, 14 unavailable).
fn error(e: &AppError) -> Response {
    let (status, code, message) = match e {
        AppError::Invalid(_) => (StatusCode::BAD_REQUEST, 3, e.to_string()),
        AppError::NotFound => (StatusCode::NOT_FOUND, 5, "Bug not found.".to_string()),
        AppError::Unavailable(d) | AppError::Internal(d) => {
            tracing::error!(detail = %d, "OSV API request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                13,
                "Server error.".to_string(),
            )
        }
        _ => (StatusCode::BAD_REQUEST, 3, e.to_string()),
    };
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::invalid(embargo_core::ValueError::new(
            "query",
            format!("is not valid JSON of the query's shape: {e}"),
        ))
    })
}

/// An answer as osv.dev writes it: nothing at all when nothing matched.
fn page_json(page: &OsvPage, vuln: impl Fn(&embargo_core::Publication) -> Value) -> Value {
    let mut out = serde_json::Map::new();
    if !page.vulns.is_empty() {
        out.insert(
            "vulns".into(),
            Value::Array(page.vulns.iter().map(vuln).collect()),
        );
    }
    if let Some(t) = &page.next_page_token {
        out.insert("next_page_token".into(), json!(t));
    }
    Value::Object(out)
}

/// `POST /v1/query` (and its alias `POST /api/v1/query`).
pub async fn query(State(state): State<WebState>, body: Bytes) -> Response {
    let body: QueryBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    match state.app.osv_query(&body.into(), OSV_PAGE_SIZE).await {
        Ok(page) => {
            let publisher = &state.app.publication_settings().publisher;
            Json(page_json(&page, |p| {
                embargo_formats::osv::document(publisher, p)
            }))
            .into_response()
        }
        Err(e) => error(&e),
    }
}

/// `POST /v1/querybatch`: ids and `modified` only, in the order of the queries.
pub async fn query_batch(State(state): State<WebState>, body: Bytes) -> Response {
    let body: BatchBody = match parse(&body) {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    let queries: Vec<OsvQuery> = body.queries.into_iter().map(Into::into).collect();
    match state.app.osv_query_batch(&queries, OSV_PAGE_SIZE).await {
        Ok(pages) => {
            let results: Vec<Value> = pages
                .iter()
                .map(|page| {
                    page_json(page, |p| {
                        json!({
                            "id": embargo_formats::osv::id(&p.id),
                            "modified": p.modified.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        })
                    })
                })
                .collect();
            Json(json!({"results": results})).into_response()
        }
        Err(e) => error(&e),
    }
}

/// `GET /v1/vulns/{id}`.
pub async fn vuln(State(state): State<WebState>, Path(id): Path<String>) -> Response {
    match state.app.osv_vuln(&id).await {
        Ok(p) => Json(embargo_formats::osv::document(
            &state.app.publication_settings().publisher,
            &p,
        ))
        .into_response(),
        Err(e) => error(&e),
    }
}

//! osv.dev's API on this installation's advisories: `POST /v1/query`, `POST /v1/querybatch`
//! and `GET /v1/vulns/{id}`, with osv.dev's request and response shapes (its published
//! description is vendored in `vendor/osv.dev/`). `POST /api/v1/query` is the same query.
//! Errors take osv.dev's shape too: `{"code": <gRPC status>, "message": ...}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, OSV_PAGE_SIZE, OsvDocuments, OsvPackage, OsvQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::WebState;

/// A query as osv.dev reads it; fields it does not know are ignored, as osv.dev does.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Query {
    /// A commit hash (no advisory here has commit ranges: always empty).
    #[serde(default)]
    commit: Option<String>,
    /// A version of `package`, in its ecosystem's syntax.
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    package: Option<Package>,
    /// `next_page_token` of the previous answer.
    #[serde(default)]
    page_token: Option<String>,
}

/// A package, by name and ecosystem or by purl (which may carry the version).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Package {
    #[serde(default)]
    name: Option<String>,
    /// OSV's ecosystem name: `PyPI`, `npm`, `crates.io`, ...
    #[serde(default)]
    ecosystem: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

/// Several queries at once.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchQuery {
    #[serde(default)]
    queries: Vec<Query>,
}

// Described to the OpenAPI document; the answer itself is written by `vulns_json`,
// from documents already serialized.
/// The advisories that match: nothing at all when none does.
#[derive(Debug, Serialize, ToSchema)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct Vulns {
    /// OSV documents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    vulns: Vec<Value>,
    /// There is more: send it back as `page_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
}

/// The answers of a batch, in the order of the queries.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResults {
    results: Vec<BatchResult>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResult {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulns: Vec<VulnRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_page_token: Option<String>,
}

/// An advisory's id and when it last changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct VulnRef {
    id: String,
    #[schema(format = DateTime)]
    modified: String,
}

/// osv.dev's error document (a gRPC status).
#[derive(Debug, Serialize, ToSchema)]
pub struct RpcStatus {
    /// 3 invalid argument, 5 not found, 13 internal.
    code: i32,
    message: String,
}

/// proto3 JSON: an empty string is an unset field.
fn set(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

impl From<Query> for OsvQuery {
    fn from(b: Query) -> Self {
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
    (status, Json(RpcStatus { code, message })).into_response()
}

fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::invalid(embargo_core::ValueError::new(
            "query",
            format!("is not valid JSON of the query's shape: {e}"),
        ))
    })
}

/// `POST /v1/query` (and its alias `POST /api/v1/query`).
#[utoipa::path(
    post,
    path = "/v1/query",
    operation_id = "osvQuery",
    summary = "osv.dev's query: the advisories that affect a package version",
    request_body = Query,
    responses(
        (status = 200, description = "The matching advisories", body = Vulns),
        (status = 400, description = "Not a query", body = RpcStatus),
    )
)]
pub async fn query(State(state): State<WebState>, body: Bytes) -> Response {
    let body: Query = match parse(&body) {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    match state
        .app
        .osv_query_documents(&body.into(), OSV_PAGE_SIZE)
        .await
    {
        Ok(page) => vulns_json(&page),
        Err(e) => error(&e),
    }
}

/// [`Vulns`] written from documents already serialized (kept between queries): joined,
/// not parsed and written again.
fn vulns_json(page: &OsvDocuments) -> Response {
    let size = page.vulns.iter().map(|d| d.len() + 1).sum::<usize>() + 64;
    let mut out = String::with_capacity(size);
    out.push('{');
    if !page.vulns.is_empty() {
        out.push_str("\"vulns\":[");
        for (i, d) in page.vulns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(d);
        }
        out.push(']');
    }
    if let Some(token) = &page.next_page_token {
        if !page.vulns.is_empty() {
            out.push(',');
        }
        out.push_str("\"next_page_token\":");
        // A token is base64url: nothing to escape, but written as JSON all the same.
        out.push_str(&serde_json::to_string(token).unwrap_or_default());
    }
    out.push('}');
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        out,
    )
        .into_response()
}

/// `POST /api/v1/query`: the same query under the API's prefix.
#[utoipa::path(
    post,
    path = "/api/v1/query",
    operation_id = "query",
    summary = "The OSV query (as `POST /v1/query`)",
    request_body = Query,
    responses(
        (status = 200, description = "The matching advisories", body = Vulns),
        (status = 400, description = "Not a query", body = RpcStatus),
    )
)]
pub async fn query_alias(state: State<WebState>, body: Bytes) -> Response {
    query(state, body).await
}

/// `POST /v1/querybatch`: ids and `modified` only, in the order of the queries.
#[utoipa::path(
    post,
    path = "/v1/querybatch",
    operation_id = "osvQueryBatch",
    summary = "osv.dev's batch query: ids and modification times",
    request_body = BatchQuery,
    responses(
        (status = 200, description = "One answer per query", body = BatchResults),
        (status = 400, description = "Not a batch of queries", body = RpcStatus),
    )
)]
pub async fn query_batch(State(state): State<WebState>, body: Bytes) -> Response {
    let body: BatchQuery = match parse(&body) {
        Ok(b) => b,
        Err(e) => return error(&e),
    };
    let queries: Vec<OsvQuery> = body.queries.into_iter().map(Into::into).collect();
    match state.app.osv_query_batch(&queries, OSV_PAGE_SIZE).await {
        Ok(pages) => {
            let results = pages
                .into_iter()
                .map(|page| BatchResult {
                    vulns: page
                        .vulns
                        .iter()
                        .map(|p| VulnRef {
                            id: embargo_formats::osv::id(&p.id),
                            modified: p.modified.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        })
                        .collect(),
                    next_page_token: page.next_page_token,
                })
                .collect();
            Json(BatchResults { results }).into_response()
        }
        Err(e) => error(&e),
    }
}

/// `GET /v1/vulns/{id}`.
#[utoipa::path(
    get,
    path = "/v1/vulns/{id}",
    operation_id = "osvVuln",
    summary = "One advisory as an OSV document",
    params(("id" = String, Path, description = "The advisory's id, or an alias (CVE id)")),
    responses(
        (status = 200, description = "An OSV document", body = Object),
        (status = 404, description = "No such advisory", body = RpcStatus),
    )
)]
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The joined answer is the JSON that serializing `Vulns` would give.
    #[tokio::test]
    async fn joined_answers_are_the_serialized_shape() {
        let doc = |id: &str| serde_json::json!({"id": id, "summary": "a \"quoted\" word"});
        for (docs, token) in [
            (vec![], None),
            (vec![doc("A-1")], None),
            (vec![doc("A-1"), doc("A-2")], Some("QS0y".to_string())),
            (vec![], Some("QS0y".to_string())),
        ] {
            let page = OsvDocuments {
                vulns: docs.iter().map(|d| d.to_string().into()).collect(),
                next_page_token: token.clone(),
            };
            let body = axum::body::to_bytes(vulns_json(&page).into_body(), usize::MAX)
                .await
                .unwrap();
            let expected = serde_json::to_value(Vulns {
                vulns: docs,
                next_page_token: token,
            })
            .unwrap();
            assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), expected);
        }
    }
}

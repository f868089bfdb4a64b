//! CVE ids through the JSON API: the pool, reservation and synchronization through CVE
//! Services (administrators), and a case's id: its record's state, its rejection or its
//! release (the case's Coordinator). Same use cases as the admin and case pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::AppError;
use embargo_app::PooledCve;
use embargo_core::{CaseId, ValueError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::ApiUser;
use crate::{WebError, WebState};

fn case_id(id: &str) -> Result<CaseId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

fn bad_body(e: &JsonRejection) -> AppError {
    AppError::Invalid(vec![ValueError::new("body", e.body_text())])
}

/// One pool id as the API shows it.
pub(crate) fn pooled_json(c: &PooledCve) -> Value {
    json!({
        "cve": c.cve,
        "case_id": c.case_id,
        "state": c.state.name(),
        "record_revision": c.record_revision,
        "rejection_confirmed": c.reject_reason.is_some(),
        "synced_at": c.synced_at,
        "last_error": c.last_error,
        "last_error_at": c.last_error_at,
    })
}

/// `GET /api/v1/cve-ids`: the pool (administrators).
pub async fn pool(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
) -> Result<Response, WebError> {
    let pool = state.app.cve_pool(p).await?;
    let ids: Vec<Value> = pool.iter().map(pooled_json).collect();
    Ok(Json(json!({"cve_ids": ids})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveBody {
    count: u32,
    #[serde(default)]
    year: Option<i16>,
    #[serde(default = "yes")]
    sequential: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/cve-ids` with `{"count": n, "year"?: y, "sequential"?: bool}`: reserves
/// ids through CVE Services into the pool (administrators).
pub async fn reserve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    body: Result<Json<ReserveBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let r = state
        .app
        .reserve_cve_ids(p, body.count, body.year, body.sequential, (state.clock)())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "reserved": r.ids,
            "available_before": r.available_before,
            "available_after": r.available_after,
        })),
    )
        .into_response())
}

/// `POST /api/v1/cve-ids/sync`: takes in the organization's ids from CVE Services.
pub async fn sync(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
) -> Result<Response, WebError> {
    let s = state.app.sync_cve_pool(p, (state.clock)()).await?;
    Ok(Json(json!({"listed": s.listed, "added": s.added, "changed": s.changed})).into_response())
}

/// `GET /api/v1/cases/{id}/cve`: the case's pool id and its record at CVE Services.
pub async fn case_cve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let pooled = state.app.case_cve_record(p, case_id(&id)?).await?;
    Ok(Json(json!({"cve_id": pooled.as_ref().map(pooled_json)})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    reason: String,
}

/// `POST /api/v1/cases/{id}/cve/reject` with `{"reason": ...}`: the Coordinator confirms
/// the rejection of a closed case's id; a job sends it to CVE Services.
pub async fn reject(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<RejectBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let cve = state
        .app
        .confirm_cve_rejection(p, case_id(&id)?, &body.reason, (state.clock)())
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"cve": cve, "rejection": "confirmed"})),
    )
        .into_response())
}

/// `POST /api/v1/cases/{id}/cve/release`: a closed case's never-published id goes back
/// to the pool.
pub async fn release(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let cve = state
        .app
        .release_cve_id(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok(Json(json!({"cve": cve, "released": true})).into_response())
}

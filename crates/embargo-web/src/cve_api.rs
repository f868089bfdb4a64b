//! CVE ids through the JSON API: the pool, reservation and synchronization through CVE
//! Services (administrators), and a case's id: its record's state, its rejection or its
//! release (the case's Coordinator). Same use cases as the admin and case pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use embargo_app::PooledCve;
use embargo_core::{CaseId, CveId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::doc::Refused;
use crate::api::schema::{maybe_at, one_of};
use crate::api::{ApiUser, bad_body, case_id};
use crate::{WebError, WebState};

/// One id of the organization's pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolId {
    cve: CveId,
    /// The case that took it.
    #[schema(value_type = Option<String>, format = Uuid)]
    case_id: Option<CaseId>,
    /// Its state at CVE Services (`CveState::name`).
    #[schema(schema_with = cve_states)]
    state: &'static str,
    /// The advisory revision CVE Services holds the record of, once published.
    record_revision: Option<i64>,
    /// A Coordinator confirmed its rejection.
    rejection_confirmed: bool,
    #[schema(format = DateTime)]
    synced_at: Option<String>,
    /// The last failure talking to CVE Services about it.
    last_error: Option<String>,
    #[schema(format = DateTime)]
    last_error_at: Option<String>,
}

fn cve_states() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    one_of(embargo_core::CveState::all().map(embargo_core::CveState::name))
}

impl PoolId {
    fn of(c: &PooledCve) -> Self {
        Self {
            cve: c.cve.clone(),
            case_id: c.case_id,
            state: c.state.name(),
            record_revision: c.record_revision,
            rejection_confirmed: c.reject_reason.is_some(),
            synced_at: maybe_at(c.synced_at),
            last_error: c.last_error.clone(),
            last_error_at: maybe_at(c.last_error_at),
        }
    }
}

/// The organization's pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pool {
    cve_ids: Vec<PoolId>,
}

/// `GET /api/v1/cve-ids`: the pool (administrators).
#[utoipa::path(
    get,
    path = "/api/v1/cve-ids",
    operation_id = "cvePool",
    summary = "The organization's pool of CVE ids (administrators)",
    security(("token" = [])),
    responses(
        (status = 200, description = "The pool", body = Pool),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
    )
)]
pub async fn pool(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
) -> Result<Json<Pool>, WebError> {
    let pool = state.app.cve_pool(p).await?;
    Ok(Json(Pool {
        cve_ids: pool.iter().map(PoolId::of).collect(),
    }))
}

/// Ids to reserve through CVE Services.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveBody {
    #[schema(minimum = 1)]
    count: u32,
    /// The ids' year (this year unless given).
    #[serde(default)]
    year: Option<i16>,
    /// Consecutive ids (the default) or scattered ones.
    #[serde(default = "yes")]
    #[schema(default = true)]
    sequential: bool,
}

fn yes() -> bool {
    true
}

/// The ids reserved into the pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reserved {
    reserved: Vec<CveId>,
    /// Ids the organization could still reserve before, and after (when the service said).
    available_before: u64,
    available_after: Option<u64>,
}

/// `POST /api/v1/cve-ids` with `{"count": n, "year"?: y, "sequential"?: bool}`: reserves
/// ids through CVE Services into the pool (administrators).
#[utoipa::path(
    post,
    path = "/api/v1/cve-ids",
    operation_id = "reserveCveIds",
    summary = "Reserve CVE ids through CVE Services into the pool (administrators)",
    request_body = ReserveBody,
    security(("token" = [])),
    responses(
        (status = 201, description = "Reserved", body = Reserved),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
        (status = 502, response = Refused),
    )
)]
pub async fn reserve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    body: Result<Json<ReserveBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Reserved>), WebError> {
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let r = state
        .app
        .reserve_cve_ids(p, body.count, body.year, body.sequential, (state.clock)())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Reserved {
            reserved: r.ids,
            available_before: r.available_before,
            available_after: r.available_after,
        }),
    ))
}

/// What a synchronization with CVE Services found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Synced {
    listed: usize,
    added: u64,
    changed: u64,
}

/// `POST /api/v1/cve-ids/sync`: takes in the organization's ids from CVE Services.
#[utoipa::path(
    post,
    path = "/api/v1/cve-ids/sync",
    operation_id = "syncCveIds",
    summary = "Take in the organization's ids from CVE Services (administrators)",
    security(("token" = [])),
    responses(
        (status = 200, description = "Synchronized", body = Synced),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 502, response = Refused),
    )
)]
pub async fn sync(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
) -> Result<Json<Synced>, WebError> {
    let s = state.app.sync_cve_pool(p, (state.clock)()).await?;
    Ok(Json(Synced {
        listed: s.listed,
        added: s.added,
        changed: s.changed,
    }))
}

/// The case's pool id, if it took one.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseCve {
    cve_id: Option<PoolId>,
}

/// `GET /api/v1/cases/{id}/cve`: the case's pool id and its record at CVE Services.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/cve",
    operation_id = "caseCve",
    summary = "The case's CVE id from the pool, and its record's state",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "The case's id", body = CaseCve),
        (status = 401, response = Refused),
        (status = 404, response = Refused),
    )
)]
pub async fn case_cve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<CaseCve>, WebError> {
    let pooled = state.app.case_cve_record(p, case_id(&id)?).await?;
    Ok(Json(CaseCve {
        cve_id: pooled.as_ref().map(PoolId::of),
    }))
}

/// Why the id is rejected (public at CVE Services).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    reason: String,
}

/// A rejection confirmed, for a job to send.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionConfirmed {
    cve: CveId,
    #[schema(example = "confirmed")]
    rejection: &'static str,
}

/// A never-published id back in the pool.
#[derive(Debug, Serialize, ToSchema)]
pub struct Released {
    cve: CveId,
    released: bool,
}

/// `POST /api/v1/cases/{id}/cve/reject` with `{"reason": ...}`: the Coordinator confirms
/// the rejection of a closed case's id; a job sends it to CVE Services.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/cve/reject",
    operation_id = "rejectCaseCve",
    summary = "Confirm the rejection of a closed case's CVE id",
    params(("id" = String, Path, format = Uuid)),
    request_body = RejectBody,
    security(("token" = [])),
    responses(
        (status = 202, description = "Confirmed; a job sends it", body = RejectionConfirmed),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
    )
)]
pub async fn reject(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<RejectBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RejectionConfirmed>), WebError> {
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let cve = state
        .app
        .confirm_cve_rejection(p, case_id(&id)?, &body.reason, (state.clock)())
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(RejectionConfirmed {
            cve,
            rejection: "confirmed",
        }),
    ))
}

/// `POST /api/v1/cases/{id}/cve/release`: a closed case's never-published id goes back
/// to the pool.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/cve/release",
    operation_id = "releaseCaseCve",
    summary = "Give a closed case's never-published CVE id back to the pool",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "Released", body = Released),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
    )
)]
pub async fn release(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Released>, WebError> {
    let cve = state
        .app
        .release_cve_id(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok(Json(Released {
        cve,
        released: true,
    }))
}

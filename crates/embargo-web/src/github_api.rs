//! GitHub through the JSON API: the case's drafts, and policy steps 4 (open the drafts),
//! 7 (a temporary private fork) and 9 (a CVE through GitHub). Same use cases as the case
//! page; they check who may.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::AppError;
use embargo_core::{CaseId, ValueError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::ApiUser;
use crate::{WebError, WebState};

fn case_id(id: &str) -> Result<CaseId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// `GET /api/v1/cases/{id}/github`: the drafts, what the viewer may ask, and what GitHub's
/// draft does not carry. `{"connected": false}` without `[github]`.
pub async fn show(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let Some(panel) = state.app.github_panel(p, case_id(&id)?).await? else {
        return Ok(Json(json!({"connected": false})).into_response());
    };
    let drafts: Vec<Value> = panel
        .drafts
        .iter()
        .map(|d| {
            json!({
                "repository": d.repository,
                "ghsa_id": d.ghsa_id,
                "html_url": d.html_url,
                "state": d.state,
                "cve_id": d.cve_id,
                "cve_requested_at": d.cve_requested_at,
                "private_fork": d.private_fork,
                "last_error": d.last_error,
                "last_error_at": d.last_error_at,
            })
        })
        .collect();
    Ok(Json(json!({
        "connected": true,
        "repositories": panel.repositories,
        "drafts": drafts,
        "notes": panel.notes,
        "without_login": panel.without_login,
        "open_blocked": panel.open_blocked,
        "can_open": panel.can_open,
        "can_request_cve": panel.can_request_cve,
        "can_fork": panel.can_fork,
        "ci_mirrors": panel.ci_mirrors.iter().map(|m| json!({
            "fork": m.fork,
            "branch": m.branch,
            "mirror_branch": m.mirror_branch,
            "sha": m.sha,
            "runs": serde_json::from_str::<Value>(&m.runs).unwrap_or(Value::Array(Vec::new())),
            "deleted_at": m.deleted_at,
            "last_error": m.last_error,
        })).collect::<Vec<_>>(),
        "ci_forks": panel.ci_forks,
    }))
    .into_response())
}

/// `POST /api/v1/cases/{id}/github/drafts`: opens the drafts (a job does it).
pub async fn open_drafts(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let n = state
        .app
        .open_github_drafts(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"repositories": n}))).into_response())
}

/// `POST /api/v1/cases/{id}/github/cve`: asks GitHub for a CVE id (a job does it).
pub async fn request_cve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    state
        .app
        .request_github_cve(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"cve": "requested"}))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiBody {
    fork: String,
    branch: String,
}

/// `POST /api/v1/cases/{id}/github/ci` with `{"fork", "branch"}`: the branch goes to the
/// private CI mirror (a job copies it and reads the runs).
pub async fn mirror_ci(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<CiBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(body) =
        body.map_err(|e| AppError::Invalid(vec![ValueError::new("body", e.body_text())]))?;
    let branch = state
        .app
        .mirror_ci(
            p,
            case_id(&id)?,
            body.fork.trim(),
            &body.branch,
            (state.clock)(),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"mirror_branch": branch}))).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkBody {
    repository: String,
}

/// `POST /api/v1/cases/{id}/github/forks` with `{"repository": "owner/name"}`: the
/// draft's temporary private fork, recorded on the case.
pub async fn create_fork(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<ForkBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let Json(body) =
        body.map_err(|e| AppError::Invalid(vec![ValueError::new("body", e.body_text())]))?;
    let (fork, fork_id) = state
        .app
        .create_github_fork(p, case_id(&id)?, body.repository.trim(), (state.clock)())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"fork": fork, "fork_id": fork_id})),
    )
        .into_response())
}

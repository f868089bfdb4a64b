//! GitHub through the JSON API: the case's drafts, and policy steps 4 (open the drafts),
//! 7 (a temporary private fork) and 9 (a CVE through GitHub). Same use cases as the case
//! page; they check who may.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::doc::Refused;
use crate::api::schema::maybe_at;
use crate::api::{ApiUser, bad_body, case_id};
use crate::{WebError, WebState};

/// The case on GitHub. Without `[github]`, only `connected: false`.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct GitHubCase {
    connected: bool,
    /// The project's repositories (`owner/name`), where drafts are opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    repositories: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drafts: Option<Vec<GitHubDraft>>,
    /// What GitHub's draft cannot carry of the advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<Vec<String>>,
    /// The case's people who recorded no GitHub login.
    #[serde(skip_serializing_if = "Option::is_none")]
    without_login: Option<Vec<String>>,
    /// Why drafts cannot be opened now, when they cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    open_blocked: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_open: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_request_cve: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    can_fork: Option<bool>,
    /// The private CI mirror's copies (step 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    ci_mirrors: Option<Vec<CiMirror>>,
    /// The forks whose branches may go to the CI mirror now.
    #[serde(skip_serializing_if = "Option::is_none")]
    ci_forks: Option<Vec<String>>,
}

/// A repository's draft security advisory.
#[derive(Debug, Serialize, ToSchema)]
pub struct GitHubDraft {
    repository: String,
    /// None while it is being opened (or the opening failed).
    ghsa_id: Option<String>,
    html_url: Option<String>,
    /// `opening`, `triage`, `draft`, `published`, `closed` or `withdrawn`.
    state: String,
    cve_id: Option<String>,
    #[schema(format = DateTime)]
    cve_requested_at: Option<String>,
    /// The temporary private fork, `owner/name`.
    private_fork: Option<String>,
    last_error: Option<String>,
    #[schema(format = DateTime)]
    last_error_at: Option<String>,
}

/// A branch copied to the private CI mirror, and its runs.
#[derive(Debug, Serialize, ToSchema)]
pub struct CiMirror {
    fork: String,
    branch: String,
    mirror_branch: String,
    sha: Option<String>,
    /// `[{name, status, conclusion, html_url}]`, as last read.
    #[schema(value_type = Vec<Object>)]
    runs: Value,
    #[schema(format = DateTime)]
    deleted_at: Option<String>,
    last_error: Option<String>,
}

/// `GET /api/v1/cases/{id}/github`: the drafts, what the viewer may ask, and what GitHub's
/// draft does not carry. `{"connected": false}` without `[github]`.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/github",
    operation_id = "caseGitHub",
    summary = "The case on GitHub: drafts, forks, CI mirror",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "The case on GitHub", body = GitHubCase),
        (status = 401, response = Refused),
        (status = 404, response = Refused),
    )
)]
pub async fn show(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<GitHubCase>, WebError> {
    let Some(panel) = state.app.github_panel(p, case_id(&id)?).await? else {
        return Ok(Json(GitHubCase::default()));
    };
    let drafts = panel
        .drafts
        .iter()
        .map(|d| GitHubDraft {
            repository: d.repository.clone(),
            ghsa_id: d.ghsa_id.clone(),
            html_url: d.html_url.clone(),
            state: d.state.clone(),
            cve_id: d.cve_id.clone(),
            cve_requested_at: maybe_at(d.cve_requested_at),
            private_fork: d.private_fork.clone(),
            last_error: d.last_error.clone(),
            last_error_at: maybe_at(d.last_error_at),
        })
        .collect();
    let ci_mirrors = panel
        .ci_mirrors
        .iter()
        .map(|m| CiMirror {
            fork: m.fork.clone(),
            branch: m.branch.clone(),
            mirror_branch: m.mirror_branch.clone(),
            sha: m.sha.clone(),
            runs: serde_json::from_str::<Value>(&m.runs).unwrap_or(Value::Array(Vec::new())),
            deleted_at: maybe_at(m.deleted_at),
            last_error: m.last_error.clone(),
        })
        .collect();
    Ok(Json(GitHubCase {
        connected: true,
        repositories: Some(panel.repositories),
        drafts: Some(drafts),
        notes: Some(panel.notes),
        without_login: Some(panel.without_login),
        open_blocked: panel.open_blocked,
        can_open: Some(panel.can_open),
        can_request_cve: Some(panel.can_request_cve),
        can_fork: Some(panel.can_fork),
        ci_mirrors: Some(ci_mirrors),
        ci_forks: Some(panel.ci_forks),
    }))
}

/// The drafts being opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftsOpening {
    /// How many repositories get a draft.
    repositories: usize,
}

/// `POST /api/v1/cases/{id}/github/drafts`: opens the drafts (a job does it).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/github/drafts",
    operation_id = "openGitHubDrafts",
    summary = "Open a draft security advisory in each project repository (policy step 4)",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 202, description = "A job opens them", body = DraftsOpening),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
    )
)]
pub async fn open_drafts(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<DraftsOpening>), WebError> {
    let repositories = state
        .app
        .open_github_drafts(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(DraftsOpening { repositories })))
}

/// A CVE id asked of GitHub.
#[derive(Debug, Serialize, ToSchema)]
pub struct CveRequested {
    #[schema(example = "requested")]
    cve: &'static str,
}

/// `POST /api/v1/cases/{id}/github/cve`: asks GitHub for a CVE id (a job does it).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/github/cve",
    operation_id = "requestGitHubCve",
    summary = "Ask GitHub for a CVE id (policy step 9)",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 202, description = "A job asks", body = CveRequested),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
    )
)]
pub async fn request_cve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<CveRequested>), WebError> {
    state
        .app
        .request_github_cve(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CveRequested { cve: "requested" }),
    ))
}

/// A fork's branch for the private CI mirror.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CiBody {
    /// The fork, `owner/name`.
    fork: String,
    branch: String,
}

/// The branch's name in the mirror.
#[derive(Debug, Serialize, ToSchema)]
pub struct CiMirrored {
    mirror_branch: String,
}

/// `POST /api/v1/cases/{id}/github/ci` with `{"fork", "branch"}`: the branch goes to the
/// private CI mirror (a job copies it and reads the runs).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/github/ci",
    operation_id = "mirrorGitHubCi",
    summary = "Run CI on a fork's branch in the private CI mirror (policy step 8)",
    params(("id" = String, Path, format = Uuid)),
    request_body = CiBody,
    security(("token" = [])),
    responses(
        (status = 202, description = "A job copies it", body = CiMirrored),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
    )
)]
pub async fn mirror_ci(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<CiBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CiMirrored>), WebError> {
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let mirror_branch = state
        .app
        .mirror_ci(
            p,
            case_id(&id)?,
            body.fork.trim(),
            &body.branch,
            (state.clock)(),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(CiMirrored { mirror_branch })))
}

/// The repository whose draft gets a temporary private fork.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForkBody {
    /// `owner/name`.
    repository: String,
}

/// The fork, recorded on the case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForkCreated {
    /// `owner/name`.
    fork: String,
    /// The fork as the case records it, once recorded.
    #[schema(value_type = Option<String>, format = Uuid)]
    fork_id: Option<embargo_core::ForkId>,
}

/// `POST /api/v1/cases/{id}/github/forks` with `{"repository": "owner/name"}`: the
/// draft's temporary private fork, recorded on the case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/github/forks",
    operation_id = "createGitHubFork",
    summary = "Create the draft's temporary private fork (policy step 7)",
    params(("id" = String, Path, format = Uuid)),
    request_body = ForkBody,
    security(("token" = [])),
    responses(
        (status = 201, description = "Created", body = ForkCreated),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
        (status = 502, response = Refused),
    )
)]
pub async fn create_fork(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<ForkBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ForkCreated>), WebError> {
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let (fork, fork_id) = state
        .app
        .create_github_fork(p, case_id(&id)?, body.repository.trim(), (state.clock)())
        .await?;
    Ok((StatusCode::CREATED, Json(ForkCreated { fork, fork_id })))
}

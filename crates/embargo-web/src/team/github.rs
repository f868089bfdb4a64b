//! GitHub on the case page: the drafts in each repository with their GHSA ids, states,
//! CVE ids and private forks, what the draft cannot carry, and the forms for policy
//! steps 4 (open the drafts), 7 (a private fork) and 9 (a CVE through GitHub). The use
//! cases check who may; these only read the forms.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AppError, GitHubPanel};
use embargo_core::CaseId;
use serde::Deserialize;

use super::form::CsrfForm;
use super::{Moment, TeamSession};
use crate::WebState;
use crate::page_error::{CasePath, PageError};
use crate::render::notice;

/// One repository's line in the panel.
pub(crate) struct DraftLine {
    pub repository: String,
    pub ghsa_id: Option<String>,
    pub html_url: Option<String>,
    pub state: String,
    pub cve: String,
    pub fork: Option<String>,
    /// The fork's pull requests: (`#n title`, link, "merged …" / "open" / "closed").
    pub pulls: Vec<(String, String, String)>,
    pub error: Option<(String, Moment)>,
}

/// The panel as the template reads it.
pub(crate) struct GitHubView {
    pub drafts: Vec<DraftLine>,
    /// Repositories without a draft yet.
    pub pending: Vec<String>,
    pub without_login: Vec<String>,
    pub notes: Vec<String>,
    pub open_blocked: Option<String>,
    pub can_open: bool,
    pub can_request_cve: bool,
    /// Repositories whose draft may get a private fork.
    pub fork_targets: Vec<String>,
    pub ci: Vec<CiLine>,
    /// The tracking issue: (text, link) and its last failure.
    pub tracking: Option<(String, String)>,
    pub tracking_error: Option<String>,
    /// Forks whose branches may go to the CI mirror.
    pub ci_forks: Vec<String>,
}

/// One branch on the private CI mirror, with its runs: (name, link, outcome).
pub(crate) struct CiLine {
    pub fork: String,
    pub branch: String,
    pub mirror_branch: String,
    pub commit: String,
    pub runs: Vec<(String, String, String)>,
    pub deleted: bool,
    pub error: Option<String>,
}

impl CiLine {
    fn of(m: embargo_app::CiMirror) -> Self {
        let runs: Vec<serde_json::Value> = serde_json::from_str(&m.runs).unwrap_or_default();
        Self {
            commit: m
                .sha
                .as_deref()
                .map_or("not copied yet", |s| &s[..s.len().min(12)])
                .to_string(),
            runs: runs
                .iter()
                .map(|r| {
                    let outcome = r["conclusion"]
                        .as_str()
                        .or(r["status"].as_str())
                        .unwrap_or("")
                        .replace('_', " ");
                    (
                        r["name"].as_str().unwrap_or("").to_string(),
                        r["html_url"].as_str().unwrap_or("").to_string(),
                        outcome,
                    )
                })
                .collect(),
            deleted: m.deleted_at.is_some(),
            error: m.last_error,
            fork: m.fork,
            branch: m.branch,
            mirror_branch: m.mirror_branch,
        }
    }
}

impl GitHubView {
    fn of(p: GitHubPanel, session: &TeamSession) -> Self {
        let pending = p
            .repositories
            .iter()
            .filter(|r| {
                !p.drafts
                    .iter()
                    .any(|d| &d.repository == *r && d.ghsa_id.is_some())
            })
            .cloned()
            .collect();
        let fork_targets = if p.can_fork {
            p.drafts
                .iter()
                .filter(|d| d.ghsa_id.is_some() && d.private_fork.is_none())
                .map(|d| d.repository.clone())
                .collect()
        } else {
            Vec::new()
        };
        let drafts = p
            .drafts
            .into_iter()
            .map(|d| {
                let cve = match (&d.cve_id, d.cve_requested_at) {
                    (Some(id), _) => id.clone(),
                    (None, Some(at)) => format!("requested {}", session.when(at)),
                    (None, None) => String::new(),
                };
                let pulls = pull_lines(&d.pull_requests, session);
                DraftLine {
                    pulls,
                    error: d
                        .last_error
                        .map(|e| (e, session.when(d.last_error_at.unwrap_or(d.updated_at)))),
                    repository: d.repository,
                    ghsa_id: d.ghsa_id,
                    html_url: d.html_url,
                    state: d.state,
                    cve,
                    fork: d.private_fork,
                }
            })
            .collect();
        Self {
            drafts,
            pending,
            without_login: p.without_login,
            notes: p.notes,
            open_blocked: p.open_blocked,
            can_open: p.can_open,
            can_request_cve: p.can_request_cve,
            fork_targets,
            tracking: p.tracking_issue.as_ref().map(|i| {
                let text = match i.number {
                    Some(n) => format!(
                        "{}#{n}{}",
                        i.repository,
                        if i.closed { " (closed)" } else { "" }
                    ),
                    None => format!("{}: being opened", i.repository),
                };
                (text, i.html_url.clone().unwrap_or_default())
            }),
            tracking_error: p.tracking_issue.and_then(|i| i.last_error),
            ci: p.ci_mirrors.into_iter().map(CiLine::of).collect(),
            ci_forks: p.ci_forks,
        }
    }
}

/// The stored pull requests as lines; merged ones say when.
fn pull_lines(json: &str, session: &TeamSession) -> Vec<(String, String, String)> {
    let list: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    list.iter()
        .map(|p| {
            let merged = p["merged_at"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok());
            let status = match merged {
                Some(at) => format!("merged {}", session.when(at)),
                None => p["state"].as_str().unwrap_or("open").to_string(),
            };
            (
                format!("#{} {}", p["number"], p["title"].as_str().unwrap_or("")),
                p["html_url"].as_str().unwrap_or("").to_string(),
                status,
            )
        })
        .collect()
}

/// The panel for the case page; `None` without `[github]`.
pub(crate) async fn github_view(
    state: &WebState,
    session: &TeamSession,
    case_id: CaseId,
) -> Result<Option<GitHubView>, AppError> {
    Ok(state
        .app
        .github_panel(session.principal, case_id)
        .await?
        .map(|p| GitHubView::of(p, session)))
}

/// `POST /cases/{id}/github/drafts`, `/github/cve`, `/github/fork` (with `repository`),
/// `/github/ci` (with `fork` and `branch`) or `/github/refresh`.
/// The fields the GitHub forms post (each form only some of them).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GitHubForm {
    repository: String,
    fork: String,
    branch: String,
}

pub async fn case_action(
    State(state): State<WebState>,
    CasePath(case_id): CasePath,
    Path((_, action)): Path<(String, String)>,
    CsrfForm { session, form }: CsrfForm<GitHubForm>,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let now = (state.clock)();
    let app = &state.app;
    let result = match action.as_str() {
        "drafts" => app
            .open_github_drafts(session.principal, case_id, now)
            .await
            .map(|n| {
                (
                    "Draft advisories requested",
                    format!(
                        "embargo opens a draft security advisory in {n} repositor{} on GitHub, adds the case's people, and keeps the drafts in step with the advisory. The case page shows each GHSA id as it arrives.",
                        if n == 1 { "y" } else { "ies" }
                    ),
                )
            }),
        "cve" => app
            .request_github_cve(session.principal, case_id, now)
            .await
            .map(|()| {
                (
                    "CVE requested",
                    "embargo asks GitHub for a CVE id for the draft advisory; the case page shows the id once GitHub assigns it.".to_string(),
                )
            }),
        "fork" => app
            .create_github_fork(session.principal, case_id, form.repository.trim(), now)
            .await
            .map(|(fork, _)| {
                (
                    "Private fork created",
                    format!(
                        "GitHub created the temporary private fork {fork} (it can take a few minutes before it can be cloned). It is recorded as one of the case's forks: sign off its manual test there (step 8)."
                    ),
                )
            }),
        "ci" => app
            .mirror_ci(session.principal, case_id, form.fork.trim(), &form.branch, now)
            .await
            .map(|branch| {
                (
                    "Sent to the CI mirror",
                    format!(
                        "embargo copies the branch to {branch} of the private CI repository and shows the workflow runs on the case as they finish."
                    ),
                )
            }),
        "refresh" => app
            .refresh_github(session.principal, case_id, now)
            .await
            .map(|()| {
                (
                    "Reading GitHub again",
                    "embargo reads the drafts, their CVE ids and the forks' pull requests again, and sends what changed.".to_string(),
                )
            }),
        _ => Err(AppError::NotFound),
    };
    let (heading, text) = result?;
    Ok(notice(
        &org,
        StatusCode::OK,
        heading,
        &text,
        Some((&format!("/cases/{case_id}"), "Back to the case")),
    ))
}

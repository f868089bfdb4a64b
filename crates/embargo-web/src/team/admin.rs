//! `/admin`: people, projects (the scope) and the policy's clocks. Administrators only; the
//! use cases check it, the page is just the form.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, NewUser, Project, QueueSummary};
use embargo_core::{InstallationRoles, Policy, UserId, ValueError};

use super::{TeamSession, csrf_form};
use crate::WebState;
use crate::page_error::PageError;
use crate::render::page;

struct PersonRow {
    id: String,
    name: String,
    email: String,
    roles: &'static str,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct Admin {
    org: String,
    me: String,
    csrf: String,
    notice: Option<String>,
    people: Vec<PersonRow>,
    projects: Vec<Project>,
    ack_days: u16,
    disclose_days: u16,
    /// id, kind, attempts, last error
    dead: Vec<(String, String, i64, String)>,
    queue: QueueRow,
    /// Every live API token, with its owner's name.
    tokens: Vec<(String, super::account::TokenRow)>,
    templates: Vec<(String, String)>,
    /// (CVE id, case reference or "free", state at CVE Services)
    cves: Vec<(String, String, &'static str)>,
    /// Whether CVE Services is connected (reservation and sync forms).
    cve_services: bool,
    /// (id, name, member names)
    teams: Vec<(String, String, String)>,
}

/// The job runner and its queue, as the admin page shows them.
struct QueueRow {
    /// "running", "stalled", or "not in this process" (a separate `embargo worker`).
    runner: &'static str,
    last_tick: String,
    restarts: u32,
    summary: QueueSummary,
    /// When the oldest due job was due, or "none".
    oldest_due: String,
}

fn queue_row(state: &WebState, summary: QueueSummary) -> QueueRow {
    let now = (state.clock)();
    let (runner, last_tick, restarts) = match &state.runner {
        Some(w) => {
            let pulse = w.heartbeat.pulse();
            (
                w.heartbeat.state(now, w.stale_after).as_str(),
                pulse
                    .last_tick
                    .strftime("%Y-%m-%d %H:%M:%S UTC")
                    .to_string(),
                pulse.restarts,
            )
        }
        None => ("not in this process", String::new(), 0),
    };
    QueueRow {
        runner,
        last_tick,
        restarts,
        summary,
        oldest_due: summary.oldest_due.map_or_else(
            || "none".to_string(),
            |t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        ),
    }
}

async fn render(
    state: &WebState,
    s: &TeamSession,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let people = state.app.people(s.principal).await?;
    let projects = state.app.projects().await?;
    let policy = state.app.current_policy().await?;
    let dead = state
        .app
        .dead_jobs(s.principal)
        .await?
        .into_iter()
        .map(|j| {
            (
                j.id.to_string(),
                j.kind.replace('_', " "),
                j.attempts,
                j.last_error.unwrap_or_default(),
            )
        })
        .collect();
    let summary = state
        .app
        .queue_summary(s.principal, (state.clock)())
        .await?;
    let queue = queue_row(state, summary);
    let tokens = super::account::token_rows(
        state.app.all_api_tokens(s.principal).await?,
        (state.clock)(),
        &s.zone,
    );
    let templates = state.app.templates().await?.into_iter().collect();
    let cves = state.app.cve_pool(s.principal).await?;
    let teams = state.app.teams().await?;
    let cves = cves
        .into_iter()
        .map(|c| {
            let to = match (&c.case_reference, c.case_id) {
                (Some(reference), _) => format!("taken by {reference}"),
                (None, Some(id)) => format!("taken by {id}"),
                (None, None) => "free".to_string(),
            };
            (c.cve.to_string(), to, c.state.name())
        })
        .collect();
    let name_of = |id: &UserId| {
        people
            .iter()
            .find(|p| p.id == *id)
            .map_or_else(|| id.to_string(), |p| p.display_name.to_string())
    };
    let teams = teams
        .iter()
        .map(|t| {
            let names: Vec<String> = t.members.iter().map(name_of).collect();
            (t.id.clone(), t.name.clone(), names.join(", "))
        })
        .collect();
    let tokens = tokens
        .into_iter()
        .filter(|t| t.state == "active")
        .map(|t| (name_of(&t.user_id), t))
        .collect();
    let people = people
        .into_iter()
        .map(|p| PersonRow {
            id: p.id.to_string(),
            name: p.display_name.to_string(),
            email: p.email.to_string(),
            roles: match (p.roles.admin, p.roles.coordinator, p.disabled_at.is_some()) {
                (_, _, true) => "disabled",
                (true, true, _) => "admin, coordinator",
                (true, false, _) => "admin",
                (false, true, _) => "coordinator",
                (false, false, _) => "member",
            },
            disabled: p.disabled_at.is_some(),
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &Admin {
            org,
            me: s.name.clone(),
            csrf: s.csrf.clone(),
            notice,
            people,
            projects,
            ack_days: policy.acknowledge_within_days(),
            disclose_days: policy.disclose_within_days(),
            dead,
            queue,
            tokens,
            templates,
            cves,
            cve_services: state.app.cve_services().is_some(),
            teams,
        },
    ))
}

pub async fn show(
    State(state): State<WebState>,
    session: TeamSession,
) -> Result<Response, PageError> {
    render(&state, &session, None).await
}

/// The admin page after an action: its notice on success, the error page otherwise.
pub(crate) async fn done(
    state: &WebState,
    session: &TeamSession,
    result: Result<String, AppError>,
) -> Response {
    let shown = match result {
        Ok(notice) => render(state, session, Some(notice)).await,
        Err(e) => Err(e.into()),
    };
    shown.unwrap_or_else(axum::response::IntoResponse::into_response)
}

pub async fn add_user(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let password = p.text("password");
    let new = NewUser {
        email: p.text("email"),
        display_name: p.text("name"),
        roles: InstallationRoles {
            coordinator: p.flag("coordinator"),
            admin: p.flag("admin"),
        },
        password: (!password.is_empty()).then_some(password),
    };
    let result = state
        .app
        .add_user(session.principal, new, (state.clock)())
        .await
        .map(|p| format!("Added {}.", p.email));
    done(&state, &session, result).await
}

pub async fn set_disabled(
    State(state): State<WebState>,
    session: TeamSession,
    Path((id, what)): Path<(String, String)>,
    req: Request,
) -> Response {
    if let Err(r) = csrf_form(&state, &session, req).await {
        return r;
    }
    let (Ok(user), Some(disable)) = (
        id.parse::<UserId>(),
        match what.as_str() {
            "disable" => Some(true),
            "enable" => Some(false),
            _ => None,
        },
    ) else {
        return PageError(AppError::NotFound).into_response();
    };
    let result = state
        .app
        .set_user_disabled(session.principal, user, disable, (state.clock)())
        .await
        .map(|()| {
            if disable {
                "The account was disabled.".to_string()
            } else {
                "The account was enabled.".to_string()
            }
        });
    done(&state, &session, result).await
}

pub async fn add_project(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let repos: Vec<String> = p
        .text("repositories")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let result = state
        .app
        .add_project(
            session.principal,
            &p.text("slug"),
            &p.text("name"),
            &p.text("description"),
            &repos,
            (state.clock)(),
        )
        .await
        .map(|p| format!("Added the project {}.", p.name));
    done(&state, &session, result).await
}

pub async fn set_policy(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let days = |name: &str| {
        p.text(name)
            .trim()
            .parse::<u16>()
            .map_err(|_| AppError::invalid(ValueError::new("policy", "days must be whole numbers")))
    };
    let result = match (
        days("acknowledge_within_days"),
        days("disclose_within_days"),
    ) {
        (Ok(a), Ok(d)) => match Policy::new(a, d) {
            Ok(policy) => state
                .app
                .set_policy(session.principal, policy, (state.clock)())
                .await
                .map(|()| "The policy was saved.".to_string()),
            Err(e) => Err(AppError::invalid(e)),
        },
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    done(&state, &session, result).await
}

pub async fn retry_job(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    if let Err(r) = csrf_form(&state, &session, req).await {
        return r;
    }
    let Ok(id) = id.parse::<embargo_core::JobId>() else {
        return PageError(AppError::NotFound).into_response();
    };
    let result = state
        .app
        .retry_job(session.principal, id, (state.clock)())
        .await
        .map(|()| "The delivery will be tried again now.".to_string());
    done(&state, &session, result).await
}

pub async fn set_template(
    State(state): State<WebState>,
    session: TeamSession,
    Path(name): Path<String>,
    req: Request,
) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = state
        .app
        .set_template(session.principal, &name, &p.text("text"), (state.clock)())
        .await
        .map(|()| "The text was saved.".to_string());
    done(&state, &session, result).await
}

/// `POST /admin/cves`: reserved CVE ids into the pool.
pub async fn add_cves(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let result = state
        .app
        .add_cve_ids(session.principal, &p.text("ids"), (state.clock)())
        .await
        .map(|n| format!("{n} new CVE ids in the pool."));
    done(&state, &session, result).await
}

/// `POST /admin/teams`: a new team, or (with `team`) a member added to one.
pub async fn teams(State(state): State<WebState>, session: TeamSession, req: Request) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let now = (state.clock)();
    let team = p.text("team");
    let result = if team.is_empty() {
        state
            .app
            .create_team(session.principal, &p.text("name"), now)
            .await
            .map(|_| format!("Team {} created.", p.text("name").trim()))
    } else {
        state
            .app
            .add_team_member(session.principal, &team, &p.text("email"), now)
            .await
            .map(|()| format!("{} added to the team.", p.text("email").trim()))
    };
    done(&state, &session, result).await
}

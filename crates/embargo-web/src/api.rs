//! The team's JSON API under `/api/v1`, authenticated by `Authorization: Bearer <token>`
//! (tokens from `embargo user token`). Every action goes through the same use cases as the
//! pages; the command is read with the same parser as the case page's forms.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, Principal, TeamCaseView};
use embargo_core::{Author, CaseId, Step};
use serde_json::{Value, json};

use crate::multipart::Posted;
use crate::team::actions::{VersionRule, dispatch};
use crate::{WebError, WebState};

/// A caller authenticated by an API token.
#[derive(Debug, Clone, Copy)]
pub struct ApiUser(pub Principal);

impl FromRequestParts<WebState> for ApiUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let unauthorized = || {
            let body = json!({"error": {"code": "unauthorized", "message": "send Authorization: Bearer <token> (see `embargo user token`)"}});
            let mut res = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            res
        };
        let Some(token) = token else {
            return Err(unauthorized());
        };
        match state.app.api_principal(token, (state.clock)()).await {
            Ok(p) => Ok(Self(p)),
            Err(AppError::NotFound) => Err(unauthorized()),
            Err(e) => Err(WebError(e).into_response()),
        }
    }
}

fn err(e: AppError) -> Response {
    WebError(e).into_response()
}

fn case_id(id: &str) -> Option<CaseId> {
    id.parse::<CaseId>().ok()
}

/// `GET /api/v1/cases`: one page of the caller's cases, as the dashboard filters them
/// (`q`, `project`, `view`, `mine`, `overdue`), the most urgent first; `next_cursor` goes
/// to `?after=`.
pub async fn list(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    params: Result<
        axum::extract::Query<crate::team::DashboardParams>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Response {
    // A query string serde cannot read (a parameter twice, a limit that is no number) is
    // bad input like any other: 422 with the reason.
    let params = match params {
        Ok(axum::extract::Query(p)) => p,
        Err(e) => {
            return err(AppError::invalid(embargo_core::ValueError::new(
                "query",
                e.body_text(),
            )));
        }
    };
    let filter = match params.filter() {
        Ok(f) => f,
        Err(e) => return err(e),
    };
    let limit = params.limit.unwrap_or(100);
    let page = match state
        .app
        .dashboard(p, &filter, params.after.as_deref(), limit, (state.clock)())
        .await
    {
        Ok(page) => page,
        Err(e) => return err(e),
    };
    let mut counts = serde_json::Map::new();
    for (queue, n) in &page.counts {
        counts.insert(queue.name().to_string(), json!(n));
    }
    counts.insert("done".into(), json!(page.done));
    Json(json!({
        "cases": page.rows.iter().map(|r| json!({
            "id": r.case.id,
            "reference": r.case.reference,
            "title": r.case.title,
            "project": r.case.project,
            "state": r.case.state.name(),
            "queue": r.queue.map(|q| q.name()),
            "queue_title": r.queue.map(|q| q.title()),
            "due": r.due.map(|d| d.to_string()),
            "overdue": r.overdue,
        })).collect::<Vec<_>>(),
        "next_cursor": page.next,
        "counts": counts,
    }))
    .into_response()
}

/// A case as JSON, for its team.
pub fn case_json(v: &TeamCaseView, actions: &[&str]) -> Value {
    let c = &v.case;
    let report = v.report.content.reveal();
    let name = |id: &embargo_core::UserId| json!({"id": id, "name": v.names.get(id)});
    json!({
        "id": c.id,
        "reference": v.reference,
        "receipt": c.id.receipt(),
        "version": c.version,
        "project": c.project,
        "state": c.state.name(),
        "state_text": c.state.to_string(),
        "received_at": c.received_at.to_string(),
        "acknowledge_by": c.deadlines.acknowledge_by.to_string(),
        "acknowledged_at": c.acknowledged_at.map(|t| t.to_string()),
        "disclose_by": c.deadlines.disclose_by.to_string(),
        "extensions": c.deadlines.extensions.iter().map(|e| json!({"from": e.from.to_string(), "to": e.to.to_string(), "reason": e.reason})).collect::<Vec<_>>(),
        "dates": c.dates.as_ref().map(|d| json!({"release_on": d.release_on.to_string(), "announce_at": d.announce_at.to_string(), "zone": d.zone, "announce_instant": d.announcement_instant().to_string()})),
        "published_at": c.published_at.map(|t| t.to_string()),
        "fix_available": c.fix_available,
        "coordinator": c.coordinator.as_ref().map(name),
        "developers": c.developers.iter().map(name).collect::<Vec<_>>(),
        "report": {
            "channel": v.report.channel.name(),
            "title": report.title,
            "description": report.description,
            "affected_versions": report.affected_versions,
            "reproduction": report.reproduction,
            "impact": report.impact,
            "already_public": report.already_public,
            "exploited": report.exploited,
            "reporter_name": report.reporter_name,
            "reporter_email": report.reporter_email,
            "credit": {"kind": report.credit.kind(), "value": report.credit.value()},
        },
        "checklist": Step::all().map(|s| json!({
            "step": s.number(),
            "title": s.title(),
            "done": c.checklist.is_done(s),
            "signoffs": c.checklist.signoffs(s).iter().map(|o| json!({"by": o.by, "role": o.role.map(|r| r.as_str()), "at": o.at.to_string(), "note": o.note})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "forks": c.forks.iter().map(|f| json!({"id": f.id, "name": f.name.reveal(), "tested": f.tested.as_ref().map(|t| t.at.to_string())})).collect::<Vec<_>>(),
        "messages": v.messages.iter().map(|m| json!({
            "id": m.id,
            "author": match m.author { Author::Reporter => json!("reporter"), Author::User(u) => name(&u), Author::System => json!("system") },
            "visibility": m.visibility,
            "notice": m.notice,
            "body": m.body.reveal(),
            "at": m.created_at.to_string(),
        })).collect::<Vec<_>>(),
        "attachments": v.attachments,
        "available_actions": actions,
    })
}

/// The action names the API accepts (`CommandKind::name`), for each command the state
/// machine allows now.
fn action_names(commands: &[embargo_core::Command]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = commands.iter().map(|c| c.kind().name()).collect();
    names.dedup();
    names
}

async fn show_case(state: &WebState, p: Principal, id: CaseId) -> Response {
    match case_body(state, p, id).await {
        Ok(body) => Json(body).into_response(),
        Err(e) => err(e),
    }
}

/// The case as its team sees it, with the actions the caller may take now.
async fn case_body(state: &WebState, p: Principal, id: CaseId) -> Result<Value, AppError> {
    let view = state.app.team_view(p, id).await?;
    let commands = state.app.available_commands(p, id, (state.clock)()).await?;
    Ok(case_json(&view, &action_names(&commands)))
}

pub async fn show(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Response {
    match case_id(&id) {
        Some(id) => show_case(&state, p, id).await,
        // By its reference (`EMB-2026-0042`), as people type it.
        None if embargo_app::looks_like_case_reference(&id) => {
            match state.app.case_by_reference(p, &id).await {
                Ok(id) => show_case(&state, p, id).await,
                Err(e) => err(e),
            }
        }
        None => err(AppError::NotFound),
    }
}

/// `POST /api/v1/cases/{id}/actions` with `{"action": "...", "version": n, ...}`; the
/// version is optional here (scripts may act on whatever state the case is in).
pub async fn act(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, Value>>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Some(id) = case_id(&id) else {
        return err(AppError::NotFound);
    };
    let Ok(Json(body)) = body else {
        return err(AppError::invalid(embargo_core::ValueError::new(
            "body",
            "must be a JSON object with an \"action\"",
        )));
    };
    let mut posted = Posted::default();
    for (k, v) in body {
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        posted.fields.insert(k, text);
    }
    let action = posted.text("action");
    if let Err(e) = dispatch(&state, p, id, posted, VersionRule::Optional).await {
        return err(e);
    }
    // The action is applied: its outcome, the case's new state and version (for the next
    // action's `version`), and what may follow. Not the whole case, which may hold
    // thousands of messages: that stays one GET away. A caller the action took off the
    // case (a Developer who removed themself, a case closed or marked spam) gets the
    // outcome too, never a 404 that reads as "nothing happened".
    let case = state.app.case_as_system(id).await.ok();
    let mut outcome = json!({
        "action": action,
        "outcome": "applied",
        "case_id": id,
        "state": case.as_ref().map(|c| c.state.name()),
        "version": case.as_ref().map(|c| c.version),
    });
    match state.app.available_commands(p, id, (state.clock)()).await {
        Ok(commands) => outcome["available_actions"] = json!(action_names(&commands)),
        Err(AppError::NotFound) => {}
        Err(e) => return err(e),
    }
    Json(outcome).into_response()
}

pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../openapi.json"),
    )
        .into_response()
}

//! The team's JSON API under `/api/v1`, authenticated by `Authorization: Bearer <token>`
//! (tokens from `embargo user token`). Every action goes through the same use cases as the
//! pages; the command is read with the same parser as the case page's forms.
//!
//! Requests and responses are typed structs; the OpenAPI document (`doc.rs`) is generated
//! from them and from the `#[utoipa::path]` of each handler.

mod case;
pub mod doc;
mod events;
pub mod schema;

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, Principal};
use embargo_core::CaseId;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub use self::case::Case;
pub use self::events::events;
use self::schema::case_state;
use crate::team::DashboardParams;
use crate::team::action_request::ActionRequest;
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
            let body = crate::error::ErrorBody::new(
                "unauthorized",
                "send Authorization: Bearer <token> (see `embargo user token`)",
            );
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

/// The case named by a route's `{id}`; anything that is not a case id is "not found",
/// like a case the caller may not see.
pub(crate) fn case_id(id: &str) -> Result<CaseId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

/// A JSON body serde could not read: 422 with serde's reason.
pub(crate) fn bad_body(e: &axum::extract::rejection::JsonRejection) -> AppError {
    AppError::invalid(embargo_core::ValueError::new("body", e.body_text()))
}

/// One page of the caller's cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    cases: Vec<CaseRow>,
    /// `?after=` this for the next page; none on the last.
    next_cursor: Option<String>,
    /// Cases in each queue for the same search and filters, and `done`: published or
    /// closed ones.
    counts: std::collections::BTreeMap<&'static str, i64>,
}

/// A case as the dashboard lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRow {
    #[schema(value_type = String, format = Uuid)]
    id: CaseId,
    reference: String,
    title: String,
    project: String,
    #[schema(schema_with = case_state)]
    state: &'static str,
    /// The queue it waits in; none for a case in no queue.
    queue: Option<&'static str>,
    queue_title: Option<&'static str>,
    /// The next promise the team must keep.
    #[schema(format = DateTime)]
    due: Option<String>,
    overdue: bool,
}

/// `GET /api/v1/cases`: one page of the caller's cases, as the dashboard filters them, the
/// most urgent first.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    operation_id = "listCases",
    summary = "The caller's cases, searched and filtered, the most urgent first, paged",
    params(DashboardParams),
    security(("token" = [])),
    responses(
        (status = 200, description = "Cases", body = CaseList),
        (status = 401, response = doc::Refused),
        (status = 422, response = doc::Refused),
    )
)]
pub async fn list(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    params: Result<axum::extract::Query<DashboardParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CaseList>, WebError> {
    // A query string serde cannot read (a parameter twice, a limit that is no number) is
    // bad input like any other: 422 with the reason.
    let axum::extract::Query(params) = params
        .map_err(|e| AppError::invalid(embargo_core::ValueError::new("query", e.body_text())))?;
    let filter = params.filter()?;
    let limit = params.limit.unwrap_or(100);
    let page = state
        .app
        .dashboard(p, &filter, params.after.as_deref(), limit, (state.clock)())
        .await?;
    let mut counts: std::collections::BTreeMap<&'static str, i64> =
        page.counts.iter().map(|(q, n)| (q.name(), *n)).collect();
    counts.insert("done", page.done);
    Ok(Json(CaseList {
        cases: page
            .rows
            .iter()
            .map(|r| CaseRow {
                id: r.case.id,
                reference: r.case.reference.clone(),
                title: r.case.title.clone(),
                project: r.case.project.to_string(),
                state: r.case.state.name(),
                queue: r.queue.map(|q| q.name()),
                queue_title: r.queue.map(|q| q.title()),
                due: schema::maybe_at(r.due),
                overdue: r.overdue,
            })
            .collect(),
        next_cursor: page.next,
        counts,
    }))
}

/// The action names the API accepts (`CommandKind::name`), for each command the state
/// machine allows now.
fn action_names(commands: &[embargo_core::Command]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = commands.iter().map(|c| c.kind().name()).collect();
    names.dedup();
    names
}

/// Messages a case shows at most; older ones are a page away (`/messages?before=`).
const THREAD_PAGE: usize = 100;
/// The largest page of `/messages`.
const THREAD_MAX_PAGE: usize = 500;

/// The case as its team sees it, with the actions the caller may take now.
async fn case_body(state: &WebState, p: Principal, id: CaseId) -> Result<Case, AppError> {
    let view = state.app.team_view_recent(p, id, THREAD_PAGE + 1).await?;
    let commands = state.app.available_commands(p, id, (state.clock)()).await?;
    Ok(Case::of(&view, action_names(&commands), THREAD_PAGE))
}

/// A 422 naming the field.
fn invalid(field: &'static str, why: &str) -> AppError {
    AppError::invalid(embargo_core::ValueError::new(field, why.to_string()))
}

/// The size of a page: `default` unless asked, from 1 to `max`.
fn page_limit(asked: Option<usize>, default: usize, max: usize) -> Result<usize, AppError> {
    match asked {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(invalid("limit", &format!("must be from 1 to {max}"))),
    }
}

/// The `before` of a paged list: none when absent or empty, else what `read` makes of it,
/// or a 422 saying `why`.
fn before_cursor<T>(
    raw: Option<&str>,
    why: &str,
    read: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, AppError> {
    match raw.filter(|b| !b.is_empty()) {
        None => Ok(None),
        Some(b) => read(b).map(Some).ok_or_else(|| invalid("before", why)),
    }
}

/// A page of the thread.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// The `older` (or the case's `older_messages`) of the previous page.
    #[serde(default)]
    #[param(format = Uuid)]
    before: Option<String>,
    /// Messages per page (100 unless asked).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

/// `GET /api/v1/cases/{id}/messages?before=&limit=`: the thread a page at a time, newest
/// pages first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/messages",
    operation_id = "caseMessages",
    summary = "A page of the case's thread, older than `before`",
    params(("id" = String, Path, format = Uuid), ThreadQuery),
    security(("token" = [])),
    responses(
        (status = 200, description = "Messages, oldest first", body = case::MessageList),
        (status = 401, response = doc::Refused),
        (status = 404, response = doc::Refused),
        (status = 422, response = doc::Refused),
    )
)]
pub async fn messages(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<ThreadQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<case::MessageList>, WebError> {
    let id = case_id(&id)?;
    let axum::extract::Query(query) = query.map_err(|e| invalid("query", &e.body_text()))?;
    let limit = page_limit(query.limit, THREAD_PAGE, THREAD_MAX_PAGE)?;
    let before = before_cursor(
        query.before.as_deref(),
        "must be a message id from the previous page",
        |b| b.parse::<embargo_core::MessageId>().ok(),
    )?;
    let page = state.app.team_messages(p, id, before, limit).await?;
    Ok(Json(case::MessageList {
        messages: page
            .messages
            .iter()
            .map(|m| case::Message::of(m, &page.names))
            .collect(),
        older: page.older.map(|m| m.to_string()),
    }))
}

/// `GET /api/v1/cases/{id}`, by id or by reference (`EMB-2026-0042`, as people type it).
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    operation_id = "getCase",
    summary = "A case, as its team sees it",
    params(("id" = String, Path, description = "The case's id, or its reference (EMB-2026-0042).")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The case", body = Case),
        (status = 401, response = doc::Refused),
        (status = 404, response = doc::Refused),
    )
)]
pub async fn show(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Case>, WebError> {
    let id = match id.parse::<CaseId>() {
        Ok(id) => id,
        Err(_) if embargo_app::looks_like_case_reference(&id) => {
            state.app.case_by_reference(p, &id).await?
        }
        Err(_) => return Err(AppError::NotFound.into()),
    };
    Ok(Json(case_body(&state, p, id).await?))
}

/// What an action did: not the whole case, which may hold thousands of messages (that
/// stays one GET away).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionOutcome {
    action: String,
    /// Always `applied`: a refused action answers an error instead.
    #[schema(example = "applied")]
    outcome: &'static str,
    #[schema(value_type = String, format = Uuid)]
    case_id: CaseId,
    /// The case's new state and version (for the next action's `version`).
    #[schema(schema_with = case_state)]
    state: Option<&'static str>,
    version: Option<u64>,
    /// What the caller may do next, while they still see the case (a Developer who
    /// removed themself, or a case closed or marked spam, has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    available_actions: Option<Vec<&'static str>>,
}

/// `POST /api/v1/cases/{id}/actions`; the version is optional here (scripts may act on
/// whatever state the case is in).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/actions",
    operation_id = "actOnCase",
    summary = "Act on a case",
    params(("id" = String, Path, format = Uuid)),
    request_body = ActionRequest,
    security(("token" = [])),
    responses(
        (status = 200, description = "The action was applied: its outcome, the case's new state and version, and the actions the caller may take next.", body = ActionOutcome),
        (status = 401, response = doc::Refused),
        (status = 403, response = doc::Refused),
        (status = 404, response = doc::Refused),
        (status = 409, response = doc::Refused),
        (status = 422, response = doc::Refused),
    )
)]
pub async fn act(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<serde_json::Map<String, Value>>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ActionOutcome>, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|_| {
        AppError::invalid(embargo_core::ValueError::new(
            "body",
            "must be a JSON object with an \"action\"",
        ))
    })?;
    let request = ActionRequest::from_json(body)?;
    let action = request.action.clone();
    dispatch(&state, p, id, request, Vec::new(), VersionRule::Optional).await?;
    // A caller the action took off the case gets the outcome too, never a 404 that reads
    // as "nothing happened".
    let case = state.app.case_as_system(id).await.ok();
    let available_actions = match state.app.available_commands(p, id, (state.clock)()).await {
        Ok(commands) => Some(action_names(&commands)),
        Err(AppError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Json(ActionOutcome {
        action,
        outcome: "applied",
        case_id: id,
        state: case.as_ref().map(|c| c.state.name()),
        version: case.as_ref().map(|c| c.version),
        available_actions,
    }))
}

//! `GET /api/v1/cases/{id}/events?before=&limit=`: a case's audit trail a page at a time,
//! newest pages first (keyset on the chain's sequence numbers). Audit details hold ids and
//! state names, never private text, so the team sees them whole.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::schema::at;
use super::{ApiUser, before_cursor, case_id, doc, invalid, page_limit};
use crate::{WebError, WebState};

/// Entries a page holds unless asked.
const EVENTS_PAGE: usize = 100;
/// The largest page.
const EVENTS_MAX_PAGE: usize = 500;

/// One entry of the case's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// Its place in the installation's hash chain (`embargo audit verify`).
    seq: i64,
    #[schema(format = DateTime)]
    at: String,
    /// Who acted: `user:<id>`, `reporter`, `system`...
    actor: String,
    /// The person's name, when a person acted.
    actor_name: Option<String>,
    /// What was done (`acknowledge`, `post_message`, `add_developer`...).
    action: String,
    /// Ids and state names of what was done.
    #[schema(value_type = Object)]
    detail: Value,
}

/// A page of a case's audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    /// Oldest first.
    events: Vec<Event>,
    /// There are older entries: `?before=` this.
    older: Option<i64>,
}

/// Which page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The `older` of the previous page.
    // Read as text, so that a wrong one gets this field's own 422.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1)]
    before: Option<String>,
    /// Entries per page (100 unless asked).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/events",
    operation_id = "caseEvents",
    summary = "A page of the case's audit trail, older than `before`",
    params(("id" = String, Path, format = Uuid), EventsQuery),
    security(("token" = [])),
    responses(
        (status = 200, description = "Entries, oldest first", body = EventList),
        (status = 401, response = doc::Refused),
        (status = 404, response = doc::Refused),
        (status = 422, response = doc::Refused),
    )
)]
pub async fn events(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<EventList>, WebError> {
    let id = case_id(&id)?;
    let axum::extract::Query(query) = query.map_err(|e| invalid("query", &e.body_text()))?;
    let limit = page_limit(query.limit, EVENTS_PAGE, EVENTS_MAX_PAGE)?;
    let before = before_cursor(
        query.before.as_deref(),
        "must be the `older` of the previous page",
        |b| b.parse::<i64>().ok().filter(|n| *n > 0),
    )?;
    let page = state.app.team_events(p, id, before, limit).await?;
    let name = |actor: &str| {
        let id = actor.strip_prefix("user:")?.parse().ok()?;
        page.names.get(&id).cloned()
    };
    Ok(Json(EventList {
        events: page
            .events
            .iter()
            .map(|e| Event {
                seq: e.seq,
                at: at(e.at),
                actor: e.actor.clone(),
                actor_name: name(&e.actor),
                action: e.action.clone(),
                // Written by us as JSON; an unreadable one is shown as its text.
                detail: serde_json::from_str(&e.detail)
                    .unwrap_or_else(|_| Value::String(e.detail.clone())),
            })
            .collect(),
        older: page.older,
    }))
}

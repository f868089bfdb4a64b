//! The advisory through the JSON API: `GET`/`PUT /api/v1/cases/{id}/advisory`, the preview
//! and its approval. Same use cases as the editor's pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use embargo_app::{AdvisoryEditor, AppError};
use embargo_core::{Advisory, CaseId, ValueError};
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

fn editor_json(e: &AdvisoryEditor) -> Value {
    json!({
        "revision": e.revision,
        "approved": e.approved,
        "advisory": e.advisory,
        "reporter_credit": e.reporter_credit,
        "problems": e.problems,
        "can_edit": e.can_edit,
        "can_approve": e.can_approve,
        "published": e.published.as_ref().map(|p| json!({"id": p.id, "revision": p.revision})),
    })
}

/// `GET /api/v1/cases/{id}/advisory`.
pub async fn show(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let editor = state.app.advisory_editor(p, case_id(&id)?).await?;
    Ok(Json(editor_json(&editor)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    /// The revision the change is based on (0 for the first save).
    revision: i64,
    advisory: Advisory,
}

/// `PUT /api/v1/cases/{id}/advisory` with `{"revision": n, "advisory": {...}}`.
pub async fn save(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<SaveBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    state
        .app
        .save_advisory(p, id, body.revision, body.advisory, (state.clock)())
        .await?;
    let editor = state.app.advisory_editor(p, id).await?;
    Ok(Json(editor_json(&editor)).into_response())
}

/// `GET /api/v1/cases/{id}/advisory/preview`: the publication and its documents as they
/// would be published now.
pub async fn preview(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let preview = state.app.preview(p, case_id(&id)?, (state.clock)()).await?;
    let publisher = &state.app.publication_settings().publisher;
    let doc = &preview.publication;
    Ok(Json(json!({
        "revision": preview.editor.revision,
        "approved": preview.editor.approved,
        "problems": preview.editor.problems,
        "publication": doc,
        "osv": embargo_formats::osv::document(publisher, doc),
        "csaf": embargo_formats::csaf::document(publisher, doc),
        "cve_cna": embargo_formats::cve5::cna_container(publisher, doc),
        // With CVE Services connected and a pool id: what will be sent, what the schema
        // says of it, and the container the service holds now (for a revision).
        "cve_services": preview.cve_record.as_ref().map(|r| json!({
            "cve": r.cve,
            "container": r.container,
            "problems": r.problems,
            "published_container": r.sent.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
        })),
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    revision: i64,
}

/// `POST /api/v1/cases/{id}/advisory/approve` with `{"revision": n}`.
pub async fn approve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<ApproveBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    state
        .app
        .approve_preview(p, id, body.revision, (state.clock)())
        .await?;
    let editor = state.app.advisory_editor(p, id).await?;
    Ok(Json(editor_json(&editor)).into_response())
}

/// `POST /api/v1/cases/{id}/advisory/publish`: the approved revision of a published
/// advisory goes public; answers the new public document.
pub async fn publish_revision(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let publication = state
        .app
        .publish_revision(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok(Json(json!({"publication": publication})).into_response())
}

/// `POST /api/v1/cases/{id}/advisory/cve`: the next free id of the CNA pool into the draft.
pub async fn take_cve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = case_id(&id)?;
    let cve = state.app.take_cve(p, id, (state.clock)()).await?;
    let editor = state.app.advisory_editor(p, id).await?;
    Ok(Json(json!({"cve": cve, "draft": editor_json(&editor)})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    team: String,
}

/// `POST /api/v1/cases/{id}/teams` with `{"team": id}`: its members join the Developers.
pub async fn add_team(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<TeamBody>, JsonRejection>,
) -> Result<Response, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let outcome = state
        .app
        .add_team_to_case(p, id, &body.team, (state.clock)())
        .await?;
    let skipped: Vec<Value> = outcome
        .skipped
        .iter()
        .map(|(name, why)| json!({"name": name, "why": why}))
        .collect();
    Ok(Json(json!({"added": outcome.added, "skipped": skipped})).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The default and largest page of `GET /api/v1/advisories`.
const API_PAGE: usize = 100;
const API_MAX_PAGE: usize = 500;

/// `GET /api/v1/advisories?cursor=&limit=`: the published advisories as OSV documents,
/// newest first, a page at a time; `next_cursor` leads to the next (older) page.
pub async fn published(
    State(state): State<WebState>,
    q: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    // A malformed query string (a parameter twice, say) is bad input like any other.
    let axum::extract::Query(q) =
        q.map_err(|e| AppError::invalid(ValueError::new("query string", e.body_text())))?;
    let limit = match q.limit.as_deref() {
        None | Some("") => API_PAGE,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=API_MAX_PAGE).contains(n))
            .ok_or_else(|| {
                AppError::invalid(ValueError::new(
                    "limit",
                    format!("must be a number from 1 to {API_MAX_PAGE}"),
                ))
            })?,
    };
    let request = embargo_app::PageRequest {
        after: q.cursor.filter(|c| !c.is_empty()),
        before: None,
    };
    let page = state
        .app
        .published_page(&embargo_app::PublicationFilter::default(), &request, limit)
        .await?;
    let publisher = &state.app.publication_settings().publisher;
    let docs: Vec<Value> = page
        .items
        .iter()
        .map(|p| embargo_formats::osv::document(publisher, p))
        .collect();
    Ok(Json(json!({"advisories": docs, "next_cursor": page.older})).into_response())
}

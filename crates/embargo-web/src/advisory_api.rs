//! The advisory through the JSON API: `GET`/`PUT /api/v1/cases/{id}/advisory`, the preview
//! and its approval. Same use cases as the editor's pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use embargo_app::{AdvisoryEditor, AppError};
use embargo_core::{Advisory, Credit, CveId, Publication, ValueError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::api::doc::Refused;
use crate::api::{ApiUser, bad_body, case_id};
use crate::error::FieldProblem;
use crate::{WebError, WebState};

fn problems(list: &[embargo_formats::Problem]) -> Vec<FieldProblem> {
    list.iter()
        .map(|p| FieldProblem {
            field: p.field.clone(),
            message: p.message.clone(),
        })
        .collect()
}

/// The advisory's draft as its editor shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryDraft {
    /// 0 before the first save; send it back to save.
    revision: i64,
    /// Whether the preview of this revision was approved.
    approved: bool,
    advisory: Advisory,
    /// The credit the reporter chose, as the preview shows it.
    reporter_credit: Option<Credit>,
    /// What keeps it from being published.
    problems: Vec<FieldProblem>,
    can_edit: bool,
    can_approve: bool,
    /// The public id and revision, once published.
    published: Option<PublishedId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedId {
    id: String,
    revision: u32,
}

impl AdvisoryDraft {
    fn of(e: &AdvisoryEditor) -> Self {
        Self {
            revision: e.revision,
            approved: e.approved,
            advisory: e.advisory.clone(),
            reporter_credit: e.reporter_credit.clone(),
            problems: problems(&e.problems),
            can_edit: e.can_edit,
            can_approve: e.can_approve,
            published: e.published.as_ref().map(|p| PublishedId {
                id: p.id.clone(),
                revision: p.revision,
            }),
        }
    }
}

/// `GET /api/v1/cases/{id}/advisory`.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/advisory",
    operation_id = "getAdvisory",
    summary = "The case's advisory draft",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "The draft", body = AdvisoryDraft),
        (status = 401, response = Refused),
        (status = 404, response = Refused),
    )
)]
pub async fn show(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AdvisoryDraft>, WebError> {
    let editor = state.app.advisory_editor(p, case_id(&id)?).await?;
    Ok(Json(AdvisoryDraft::of(&editor)))
}

/// A change of the draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAdvisory {
    /// The revision the change is based on (0 for the first save).
    revision: i64,
    advisory: Advisory,
}

/// `PUT /api/v1/cases/{id}/advisory` with `{"revision": n, "advisory": {...}}`.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/advisory",
    operation_id = "saveAdvisory",
    summary = "Save the advisory draft (a new revision)",
    params(("id" = String, Path, format = Uuid)),
    request_body = SaveAdvisory,
    security(("token" = [])),
    responses(
        (status = 200, description = "Saved", body = AdvisoryDraft),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
    )
)]
pub async fn save(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<SaveAdvisory>, JsonRejection>,
) -> Result<Json<AdvisoryDraft>, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    state
        .app
        .save_advisory(p, id, body.revision, body.advisory, (state.clock)())
        .await?;
    let editor = state.app.advisory_editor(p, id).await?;
    Ok(Json(AdvisoryDraft::of(&editor)))
}

/// The publication and its documents as they would be published now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    revision: i64,
    approved: bool,
    problems: Vec<FieldProblem>,
    /// Exactly what becomes public.
    publication: Publication,
    /// The OSV document (OSV schema 1.7).
    #[schema(value_type = Object)]
    osv: Value,
    /// The CSAF 2.0 document.
    #[schema(value_type = Object)]
    csaf: Value,
    /// The CVE record's CNA container (CVE JSON 5.1).
    #[schema(value_type = Object)]
    cve_cna: Value,
    /// With CVE Services connected and a CVE id from the pool: what will be sent.
    cve_services: Option<CveServicesPreview>,
}

/// The CNA container that will be sent, the CVE Record Format's complaints about it, and
/// the container CVE Services holds now (for a revision).
#[derive(Debug, Serialize, ToSchema)]
pub struct CveServicesPreview {
    cve: CveId,
    #[schema(value_type = Object)]
    container: Value,
    problems: Vec<String>,
    #[schema(value_type = Option<Object>)]
    published_container: Option<Value>,
}

/// `GET /api/v1/cases/{id}/advisory/preview`: the publication and its documents as they
/// would be published now.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/advisory/preview",
    operation_id = "previewAdvisory",
    summary = "The publication as it would be now, in every format",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "The preview", body = Preview),
        (status = 401, response = Refused),
        (status = 404, response = Refused),
    )
)]
pub async fn preview(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Preview>, WebError> {
    let preview = state.app.preview(p, case_id(&id)?, (state.clock)()).await?;
    let publisher = &state.app.publication_settings().publisher;
    let doc = &preview.publication;
    Ok(Json(Preview {
        revision: preview.editor.revision,
        approved: preview.editor.approved,
        problems: problems(&preview.editor.problems),
        osv: embargo_formats::osv::document(publisher, doc),
        csaf: embargo_formats::csaf::document(publisher, doc),
        cve_cna: embargo_formats::cve5::cna_container(publisher, doc),
        cve_services: preview.cve_record.as_ref().map(|r| CveServicesPreview {
            cve: r.cve.clone(),
            container: r.container.clone(),
            problems: r.problems.clone(),
            published_container: r
                .sent
                .as_deref()
                .and_then(|s| serde_json::from_str::<Value>(s).ok()),
        }),
        publication: preview.publication,
    }))
}

/// The revision whose preview is approved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    revision: i64,
}

/// `POST /api/v1/cases/{id}/advisory/approve` with `{"revision": n}`.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/advisory/approve",
    operation_id = "approvePreview",
    summary = "Approve the preview of a revision",
    params(("id" = String, Path, format = Uuid)),
    request_body = Approve,
    security(("token" = [])),
    responses(
        (status = 200, description = "Approved", body = AdvisoryDraft),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
    )
)]
pub async fn approve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<Approve>, JsonRejection>,
) -> Result<Json<AdvisoryDraft>, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    state
        .app
        .approve_preview(p, id, body.revision, (state.clock)())
        .await?;
    let editor = state.app.advisory_editor(p, id).await?;
    Ok(Json(AdvisoryDraft::of(&editor)))
}

/// The new public document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    publication: Publication,
}

/// `POST /api/v1/cases/{id}/advisory/publish`: the approved revision of a published
/// advisory goes public; answers the new public document.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/advisory/publish",
    operation_id = "publishRevision",
    summary = "Publish the approved revision of a published advisory",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "Published", body = Published),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
    )
)]
pub async fn publish_revision(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Published>, WebError> {
    let publication = state
        .app
        .publish_revision(p, case_id(&id)?, (state.clock)())
        .await?;
    Ok(Json(Published { publication }))
}

/// The id taken from the pool, and the draft that now carries it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakenCve {
    cve: CveId,
    draft: AdvisoryDraft,
}

/// `POST /api/v1/cases/{id}/advisory/cve`: the next free id of the CNA pool into the draft.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/advisory/cve",
    operation_id = "takeCve",
    summary = "Take the next free CVE id of the pool into the draft",
    params(("id" = String, Path, format = Uuid)),
    security(("token" = [])),
    responses(
        (status = 200, description = "Taken", body = TakenCve),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
    )
)]
pub async fn take_cve(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<TakenCve>, WebError> {
    let id = case_id(&id)?;
    let cve = state.app.take_cve(p, id, (state.clock)()).await?;
    let editor = state.app.advisory_editor(p, id).await?;
    Ok(Json(TakenCve {
        cve,
        draft: AdvisoryDraft::of(&editor),
    }))
}

/// A team whose members join the case's Developers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTeam {
    /// The team's id.
    team: String,
}

/// What adding the team did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamAdded {
    /// Names of the members now Developers on the case.
    added: Vec<String>,
    /// Members left out, with why (already on it, or the two-person rule).
    skipped: Vec<Skipped>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Skipped {
    name: String,
    why: String,
}

/// `POST /api/v1/cases/{id}/teams` with `{"team": id}`: its members join the Developers.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/teams",
    operation_id = "addTeam",
    summary = "Add a team's members as Developers",
    params(("id" = String, Path, format = Uuid)),
    request_body = AddTeam,
    security(("token" = [])),
    responses(
        (status = 200, description = "Added", body = TeamAdded),
        (status = 401, response = Refused),
        (status = 403, response = Refused),
        (status = 404, response = Refused),
        (status = 409, response = Refused),
        (status = 422, response = Refused),
    )
)]
pub async fn add_team(
    State(state): State<WebState>,
    ApiUser(p): ApiUser,
    Path(id): Path<String>,
    body: Result<Json<AddTeam>, JsonRejection>,
) -> Result<Json<TeamAdded>, WebError> {
    let id = case_id(&id)?;
    let Json(body) = body.map_err(|e| bad_body(&e))?;
    let outcome = state
        .app
        .add_team_to_case(p, id, &body.team, (state.clock)())
        .await?;
    Ok(Json(TeamAdded {
        added: outcome.added,
        skipped: outcome
            .skipped
            .into_iter()
            .map(|(name, why)| Skipped { name, why })
            .collect(),
    }))
}

/// A page of published advisories.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `next_cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
    /// Advisories per page (100 unless asked).
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
}

/// Published advisories as OSV documents, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdvisoryList {
    #[schema(value_type = Vec<Object>)]
    advisories: Vec<Value>,
    /// `?cursor=` this for the next (older) page; none on the last.
    next_cursor: Option<String>,
}

/// The default and largest page of `GET /api/v1/advisories`.
const API_PAGE: usize = 100;
const API_MAX_PAGE: usize = 500;

/// `GET /api/v1/advisories?cursor=&limit=`: the published advisories as OSV documents,
/// newest first, a page at a time; `next_cursor` leads to the next (older) page.
#[utoipa::path(
    get,
    path = "/api/v1/advisories",
    operation_id = "listAdvisories",
    summary = "Published advisories as OSV documents, newest first, paged",
    params(ListQuery),
    responses(
        (status = 200, description = "A page", body = AdvisoryList),
        (status = 422, response = Refused),
    )
)]
pub async fn published(
    State(state): State<WebState>,
    q: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AdvisoryList>, WebError> {
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
    Ok(Json(AdvisoryList {
        advisories: docs,
        next_cursor: page.older,
    }))
}

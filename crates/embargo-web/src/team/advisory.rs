//! `/cases/{id}/advisory`: the advisory editor (public fields, visibly apart from the
//! case's private content) and `/cases/{id}/advisory/preview`: exactly what becomes public,
//! with the Coordinator's approval.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::AppError;
use embargo_core::{CaseId, ValueError};

use super::advisory_form::AdvisoryForm;
use super::{TeamSession, csrf_form};
use crate::WebState;
use crate::advisories::AdvisoryBody;
use crate::render::{error_page, page};

#[derive(Template)]
#[template(path = "advisory_edit.html")]
struct Editor {
    org: String,
    me: String,
    csrf: String,
    id: String,
    reference: String,
    revision: i64,
    form: AdvisoryForm,
    errors: Vec<String>,
    notice: Option<String>,
    problems: Vec<String>,
    approved: Option<String>,
    reporter_credit: Option<String>,
    can_edit: bool,
    credit_kinds: String,
    reference_kinds: String,
    /// "EMBARGO-2026-0001, revision 2", once public.
    published: Option<(String, String)>,
    /// Free ids in the CNA pool (offered while the advisory has none).
    free_cves: usize,
    /// Computed scores of the saved vectors: "9.1 critical".
    score_v3: Option<String>,
    score_v4: Option<String>,
}

fn parse_id(id: &str) -> Result<CaseId, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

async fn render_editor(
    state: &WebState,
    s: &TeamSession,
    id: CaseId,
    form: Option<AdvisoryForm>,
    errors: Vec<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let org = state.site.organization.clone();
    let editor = match state.app.advisory_editor(s.principal, id).await {
        Ok(e) => e,
        Err(e) => return error_page(&org, &e),
    };
    let approved = editor.approved.then(|| {
        format!(
            "approved{}",
            editor
                .approved_at
                .map(|t| format!(" on {}", s.when(t)))
                .unwrap_or_default()
        )
    });
    let free_cves = match state.app.free_cve_ids().await {
        Ok(n) => n,
        Err(e) => return error_page(&org, &e),
    };
    let reference = match state.app.case_reference(s.principal, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&org, &e),
    };
    let score = |v: &Option<String>,
                 f: fn(&str) -> Result<embargo_formats::cvss::Scored, String>| {
        v.as_deref()
            .and_then(|v| f(v).ok())
            .map(|s| format!("{:.1} {}", s.score, s.severity.to_lowercase()))
    };
    let t = Editor {
        score_v3: score(&editor.advisory.cvss_v3, embargo_formats::cvss::v3),
        score_v4: score(&editor.advisory.cvss_v4, embargo_formats::cvss::v4),
        free_cves,
        org,
        me: s.name.clone(),
        csrf: s.csrf.clone(),
        id: id.to_string(),
        reference,
        revision: editor.revision,
        form: form.unwrap_or_else(|| AdvisoryForm::of(&editor.advisory)),
        errors,
        notice,
        problems: editor.problems.iter().map(ToString::to_string).collect(),
        approved,
        reporter_credit: editor.reporter_credit.map(|c| match c.link {
            Some(l) => format!("{} ({l})", c.name),
            None => c.name,
        }),
        published: editor
            .published
            .as_ref()
            .map(|p| (p.id.clone(), format!("{}, revision {}", p.id, p.revision))),
        can_edit: editor.can_edit,
        credit_kinds: embargo_core::CreditKind::ALL
            .map(embargo_core::CreditKind::as_str)
            .join(", "),
        reference_kinds: embargo_core::ReferenceKind::ALL
            .map(embargo_core::ReferenceKind::as_str)
            .join(", "),
    };
    page(status, &t)
}

/// `GET /cases/{id}/advisory`.
pub async fn edit(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let notice = q.contains_key("saved").then(|| {
        "Saved. Saving again after an approval needs a new approval of the preview.".to_string()
    });
    match parse_id(&id) {
        Ok(id) => render_editor(&state, &session, id, None, vec![], notice, StatusCode::OK).await,
        Err(e) => error_page(&state.site.organization, &e),
    }
}

/// `POST /cases/{id}/advisory`: saves a revision; mistakes re-render with the input kept.
pub async fn save(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let org = state.site.organization.clone();
    let (id, posted) = match posted_for_case(&state, &session, &id, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = AdvisoryForm::posted(&posted);
    let revision: i64 = posted.text("revision").parse().unwrap_or(-1);
    let advisory = match form.advisory() {
        Ok(a) => a,
        Err(errors) => {
            let errors = errors.iter().map(ValueError::to_string).collect();
            return render_editor(
                &state,
                &session,
                id,
                Some(form),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let now = (state.clock)();
    match state
        .app
        .save_advisory(session.principal, id, revision, advisory, now)
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{id}/advisory?saved=1")).into_response(),
        Err(AppError::Invalid(errors)) => {
            let errors = errors.iter().map(ValueError::to_string).collect();
            render_editor(
                &state,
                &session,
                id,
                Some(form),
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(why)) => {
            render_editor(
                &state,
                &session,
                id,
                Some(form),
                vec![why],
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => error_page(&org, &e),
    }
}

#[derive(Template)]
#[template(path = "advisory_preview.html")]
struct PreviewPage {
    org: String,
    me: String,
    csrf: String,
    id: String,
    reference: String,
    revision: i64,
    b: AdvisoryBody,
    problems: Vec<String>,
    approved: bool,
    can_approve: bool,
    osv: String,
    csaf: String,
    cve: String,
    notice: Option<String>,
    /// The id, once public: approval is then followed by "publish revision".
    published: Option<String>,
    /// What CVE Services will receive, with CVE Services connected and a pool id.
    cve_send: Option<CveSend>,
}

/// The record CVE Services will receive: the exact container, the schema's complaints,
/// and (for a revision) the lines that change against the record it holds.
struct CveSend {
    id: String,
    container: String,
    problems: Vec<String>,
    /// (`+`, `-`, ` ` or `…` for kept lines left out, the line).
    diff: Option<Vec<(char, String)>>,
}

fn cve_send(r: &embargo_app::CveRecordPreview) -> CveSend {
    use embargo_formats::diff::{Line, changes, lines};
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let container = pretty(&r.container);
    let diff = r.sent.as_deref().map(|sent| {
        let before = serde_json::from_str::<serde_json::Value>(sent)
            .map(|v| pretty(&v))
            .unwrap_or_default();
        changes(&lines(&before, &container), 2)
            .into_iter()
            .map(|l| match l {
                Some(Line::Added(t)) => ('+', t),
                Some(Line::Removed(t)) => ('-', t),
                Some(Line::Same(t)) => (' ', t),
                None => ('…', String::new()),
            })
            .collect()
    });
    CveSend {
        id: r.cve.to_string(),
        container,
        problems: r.problems.clone(),
        diff,
    }
}

/// `GET /cases/{id}/advisory/preview`: the public page and documents as they would be
/// published now, and nothing else.
pub async fn preview(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let org = state.site.organization.clone();
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&org, &e),
    };
    let preview = match state
        .app
        .preview(session.principal, id, (state.clock)())
        .await
    {
        Ok(p) => p,
        Err(e) => return error_page(&org, &e),
    };
    let reference = match state.app.case_reference(session.principal, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&org, &e),
    };
    let publisher = &state.app.publication_settings().publisher;
    let p = &preview.publication;
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let t = PreviewPage {
        org,
        me: session.name.clone(),
        csrf: session.csrf.clone(),
        id: id.to_string(),
        reference,
        revision: preview.editor.revision,
        b: AdvisoryBody::of(p, publisher, false),
        problems: preview
            .editor
            .problems
            .iter()
            .map(ToString::to_string)
            .collect(),
        approved: preview.editor.approved,
        can_approve: preview.editor.can_approve,
        osv: pretty(&embargo_formats::osv::document(publisher, p)),
        csaf: pretty(&embargo_formats::csaf::document(publisher, p)),
        cve: pretty(&embargo_formats::cve5::cna_container(publisher, p)),
        notice: if q.contains_key("revised") {
            Some("The revision is public.".to_string())
        } else {
            q.contains_key("approved")
                .then(|| "Preview approved: this text is what will be published.".to_string())
        },
        published: preview.editor.published.as_ref().map(|p| p.id.clone()),
        cve_send: preview.cve_record.as_ref().map(cve_send),
    };
    page(StatusCode::OK, &t)
}

/// A posted advisory form of a case: the case id and the CSRF-checked fields, or the page
/// to answer with.
async fn posted_for_case(
    state: &WebState,
    session: &TeamSession,
    id: &str,
    req: Request,
) -> Result<(CaseId, crate::multipart::Posted), Response> {
    let id = parse_id(id).map_err(|e| error_page(&state.site.organization, &e))?;
    let posted = csrf_form(state, session, req).await?;
    Ok((id, posted))
}

/// Where a successful action goes, or the error page.
fn redirect_or_error<T>(state: &WebState, result: Result<T, AppError>, to: String) -> Response {
    match result {
        Ok(_) => Redirect::to(&to).into_response(),
        Err(e) => error_page(&state.site.organization, &e),
    }
}

/// `POST /cases/{id}/advisory/approve`.
pub async fn approve(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (id, posted) = match posted_for_case(&state, &session, &id, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let revision: i64 = posted.text("revision").parse().unwrap_or(-1);
    let result = state
        .app
        .approve_preview(session.principal, id, revision, (state.clock)())
        .await;
    redirect_or_error(
        &state,
        result,
        format!("/cases/{id}/advisory/preview?approved=1"),
    )
}

/// `POST /cases/{id}/advisory/publish`: a published advisory's approved revision goes public.
pub async fn publish_revision(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (id, _) = match posted_for_case(&state, &session, &id, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let result = state
        .app
        .publish_revision(session.principal, id, (state.clock)())
        .await;
    redirect_or_error(
        &state,
        result,
        format!("/cases/{id}/advisory/preview?revised=1"),
    )
}

/// `POST /cases/{id}/advisory/cve`: the next free id of the CNA pool into the draft.
pub async fn take_cve(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (id, _) = match posted_for_case(&state, &session, &id, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let result = state
        .app
        .take_cve(session.principal, id, (state.clock)())
        .await;
    redirect_or_error(&state, result, format!("/cases/{id}/advisory?saved=1"))
}

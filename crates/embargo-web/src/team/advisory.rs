//! `/cases/{id}/advisory`: the advisory editor (public fields, visibly apart from the
//! case's private content) and `/cases/{id}/advisory/preview`: exactly what becomes public,
//! with the Coordinator's approval.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::AppError;
use embargo_core::{CaseId, ValueError};

use super::advisory_form::AdvisoryForm;
use super::form::CsrfForm;
use super::{TeamSession, csrf_form};
use crate::WebState;
use crate::advisories::AdvisoryBody;
use crate::page_error::{CasePath, PageError};
use crate::render::page;

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

async fn render_editor(
    state: &WebState,
    s: &TeamSession,
    id: CaseId,
    form: Option<AdvisoryForm>,
    errors: Vec<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let editor = state.app.advisory_editor(s.principal, id).await?;
    let approved = editor.approved.then(|| {
        format!(
            "approved{}",
            editor
                .approved_at
                .map(|t| format!(" on {}", s.when(t)))
                .unwrap_or_default()
        )
    });
    let free_cves = state.app.free_cve_ids().await?;
    let reference = state.app.case_reference(s.principal, id).await?;
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
    Ok(page(status, &t))
}

/// `GET /cases/{id}/advisory`.
pub async fn edit(
    State(state): State<WebState>,
    session: TeamSession,
    CasePath(id): CasePath,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let notice = q.contains_key("saved").then(|| {
        "Saved. Saving again after an approval needs a new approval of the preview.".to_string()
    });
    render_editor(&state, &session, id, None, vec![], notice, StatusCode::OK).await
}

/// `POST /cases/{id}/advisory`: saves a revision; mistakes re-render with the input kept.
pub async fn save(
    State(state): State<WebState>,
    session: TeamSession,
    CasePath(id): CasePath,
    req: Request,
) -> Result<Response, PageError> {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
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
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}/advisory?saved=1")).into_response()),
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
        Err(e) => Err(e.into()),
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
    CasePath(id): CasePath,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let preview = state
        .app
        .preview(session.principal, id, (state.clock)())
        .await?;
    let reference = state.app.case_reference(session.principal, id).await?;
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
    Ok(page(StatusCode::OK, &t))
}

/// The approval form: the revision the Coordinator saw.
#[derive(Debug, serde::Deserialize)]
pub struct RevisionForm {
    #[serde(default)]
    revision: String,
}

/// The forms that carry nothing but their token.
#[derive(Debug, serde::Deserialize)]
pub struct EmptyForm {}

/// `POST /cases/{id}/advisory/approve`.
pub async fn approve(
    State(state): State<WebState>,
    CasePath(id): CasePath,
    CsrfForm { session, form }: CsrfForm<RevisionForm>,
) -> Result<Response, PageError> {
    let revision: i64 = form.revision.parse().unwrap_or(-1);
    state
        .app
        .approve_preview(session.principal, id, revision, (state.clock)())
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}/advisory/preview?approved=1")).into_response())
}

/// `POST /cases/{id}/advisory/publish`: a published advisory's approved revision goes public.
pub async fn publish_revision(
    State(state): State<WebState>,
    CasePath(id): CasePath,
    CsrfForm { session, .. }: CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    state
        .app
        .publish_revision(session.principal, id, (state.clock)())
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}/advisory/preview?revised=1")).into_response())
}

/// `POST /cases/{id}/advisory/cve`: the next free id of the CNA pool into the draft.
pub async fn take_cve(
    State(state): State<WebState>,
    CasePath(id): CasePath,
    CsrfForm { session, .. }: CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    state
        .app
        .take_cve(session.principal, id, (state.clock)())
        .await?;
    Ok(Redirect::to(&format!("/cases/{id}/advisory?saved=1")).into_response())
}

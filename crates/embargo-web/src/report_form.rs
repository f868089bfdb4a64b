//! `GET /report` and `POST /report`: the report form, for people, without JavaScript.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AppError, Intake, MAX_FILE_BYTES, MAX_FILES, Project};
use embargo_core::{Channel, RawReport, ValueError};

use crate::client::ClientAddr;
use crate::multipart::{Posted, read_form};
use crate::page_error::PageError;
use crate::render::page;
use crate::{WebState, please_wait};

#[derive(Template)]
#[template(path = "report_form.html")]
struct ReportForm {
    org: String,
    projects: Vec<Project>,
    v: RawReport,
    errors: Vec<String>,
    had_files: bool,
    ack_days: u16,
    disclose_days: u16,
    max_files: usize,
    max_file_mib: usize,
}

#[derive(Template)]
#[template(path = "report_sent.html")]
struct ReportSent {
    org: String,
    reference: String,
    acknowledge_by: String,
    portal_url: String,
}

async fn form_page(
    state: &WebState,
    v: RawReport,
    errors: Vec<ValueError>,
    had_files: bool,
) -> Result<Response, PageError> {
    let projects = state.app.projects().await?;
    let policy = state.app.current_policy().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(
        status,
        &ReportForm {
            org: state.site.organization.clone(),
            projects,
            v,
            errors: errors.iter().map(ToString::to_string).collect(),
            had_files,
            ack_days: policy.acknowledge_within_days(),
            disclose_days: policy.disclose_within_days(),
            max_files: MAX_FILES,
            max_file_mib: MAX_FILE_BYTES >> 20,
        },
    ))
}

pub async fn show(State(state): State<WebState>) -> Result<Response, PageError> {
    form_page(&state, RawReport::default(), Vec::new(), false).await
}

pub fn raw_report(p: &Posted) -> RawReport {
    RawReport {
        project: p.text("project"),
        title: p.text("title"),
        description: p.text("description"),
        affected_versions: p.text("affected_versions"),
        reproduction: p.text("reproduction"),
        impact: p.text("impact"),
        already_public: p.flag("already_public"),
        exploited: p.flag("exploited"),
        reporter_name: p.text("reporter_name"),
        reporter_email: p.text("reporter_email"),
        credit_kind: p.text("credit_kind"),
        credit_value: p.text("credit_value"),
        openpgp_key: p.text("openpgp_key"),
    }
}

pub async fn submit(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    req: Request,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let now = (state.clock)();
    if let Err(retry) = state
        .limiter
        .check(ip, "report", state.site.reports_per_hour, now)
    {
        let text = "Too many reports from your address in the last hour. Your report was not stored; please try again later.";
        return Ok(please_wait(&state, retry, text));
    }
    let posted = match read_form(req, &state, "attachments").await {
        Ok(p) => p,
        Err(AppError::Invalid(problems)) => {
            return form_page(&state, RawReport::default(), problems, false).await;
        }
        Err(e) => return Err(e.into()),
    };
    let raw = raw_report(&posted);
    let had_files = !posted.files.is_empty();
    // The honeypot: people never see this field; bots fill it. They get a page that looks
    // like success, and nothing is stored.
    if !posted.text("website").trim().is_empty() {
        tracing::info!("report form honeypot filled; nothing stored");
        let fake = embargo_core::CaseId::from_random_bytes([0x5a; 16]);
        return Ok(page(
            StatusCode::OK,
            &ReportSent {
                org,
                reference: fake.receipt(),
                acknowledge_by: String::new(),
                portal_url: state.site.url("/portal"),
            },
        ));
    }
    let content = match state.app.check_report(raw.clone()).await {
        Ok(c) => c,
        Err(AppError::Invalid(problems)) => {
            return form_page(&state, raw, problems, had_files).await;
        }
        Err(e) => return Err(e.into()),
    };
    let intake = Intake {
        channel: Channel::Web,
        content,
        attachments: posted.files,
        external_ref: None,
        mail_portal_link: false,
        encrypted: false,
    };
    match state.app.submit_report(intake, now).await {
        Ok(s) => Ok(page(
            StatusCode::OK,
            &ReportSent {
                org,
                reference: s.case_id.receipt(),
                acknowledge_by: s.acknowledge_by.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                portal_url: state.site.url(&format!("/portal/{}", s.portal_token)),
            },
        )),
        Err(AppError::Invalid(problems)) => form_page(&state, raw, problems, had_files).await,
        Err(e) => Err(e.into()),
    }
}

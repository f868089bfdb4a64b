//! `POST /api/v1/reports`: the report form as an API, JSON or multipart (a `report` part
//! holding the JSON, and `attachments` parts). 201 only after the report is committed.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use embargo_app::{AppError, Intake};
use embargo_core::{CaseId, Channel, RawReport, ValueError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::doc::Refused;
use crate::client::ClientAddr;
use crate::error::ErrorBody;
use crate::multipart::{is_json, is_multipart, read_multipart};
use crate::{WebError, WebState, too_many};

/// A report filed with files: the report as JSON in a `report` part, and the files.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Only its schema is used: the parts are read by `read_multipart`.
pub struct ReportWithFiles {
    /// The report as JSON (`RawReport`).
    report: String,
    #[schema(value_type = Vec<String>, format = Binary)]
    attachments: Vec<Vec<u8>>,
}

/// The report is stored; the portal link is shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFiled {
    #[schema(value_type = String, format = Uuid)]
    case_id: CaseId,
    /// The reporter's portal: the thread with the team. Keep it secret.
    #[schema(format = Uri)]
    portal_url: String,
    portal_token: String,
    #[schema(format = DateTime)]
    acknowledge_by: String,
    #[schema(format = DateTime)]
    disclose_by: String,
}

fn api_error(e: AppError) -> Response {
    WebError(e).into_response()
}

fn parse_json(bytes: &[u8]) -> Result<RawReport, AppError> {
    serde_json::from_slice::<RawReport>(bytes).map_err(|e| {
        AppError::invalid(ValueError::new(
            "report",
            format!("is not valid JSON for a report: {e}"),
        ))
    })
}

/// `POST /api/v1/reports`: 201 only after the report, its case, its audit entry and its
/// jobs are committed.
#[utoipa::path(
    post,
    path = "/api/v1/reports",
    operation_id = "fileReport",
    summary = "File a report (anyone, no account)",
    request_body(content(
        (RawReport = "application/json"),
        (ReportWithFiles = "multipart/form-data"),
    )),
    security(()),
    responses(
        (status = 201, description = "Stored; the portal link is shown once.", body = ReportFiled),
        (status = 415, response = Refused),
        (status = 422, response = Refused),
        (status = 429, response = Refused),
    )
)]
pub async fn create(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    req: Request,
) -> Response {
    let now = (state.clock)();
    if let Err(retry) = state
        .limiter
        .check(ip, "report", state.site.reports_per_hour, now)
    {
        let mut body = ErrorBody::new(
            "rate_limited",
            "too many reports from this address; nothing was stored",
        );
        body.error.retry_after = Some(retry);
        return too_many(
            retry,
            (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response(),
        );
    }
    let (raw, files) = if is_json(&req) {
        match axum::body::Bytes::from_request(req, &state).await {
            Ok(bytes) => match parse_json(&bytes) {
                Ok(raw) => (raw, Vec::new()),
                Err(e) => return api_error(e),
            },
            Err(e) => return api_error(AppError::invalid(ValueError::new("body", e.body_text()))),
        }
    } else if is_multipart(&req) {
        let mp = match Multipart::from_request(req, &state).await {
            Ok(mp) => mp,
            Err(e) => return api_error(AppError::invalid(ValueError::new("body", e.body_text()))),
        };
        let posted = match read_multipart(mp, "attachments").await {
            Ok(p) => p,
            Err(e) => return api_error(e),
        };
        let Some(report) = posted.fields.get("report") else {
            return api_error(AppError::invalid(ValueError::new(
                "report",
                "part is missing (JSON)",
            )));
        };
        match parse_json(report.as_bytes()) {
            Ok(raw) => (raw, posted.files),
            Err(e) => return api_error(e),
        }
    } else {
        let body = ErrorBody::new(
            "unsupported_media_type",
            "send application/json or multipart/form-data",
        );
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, Json(body)).into_response();
    };
    let content = match state.app.check_report(raw).await {
        Ok(c) => c,
        Err(e) => return api_error(e),
    };
    let intake = Intake {
        channel: Channel::Api,
        content,
        attachments: files,
        external_ref: None,
        mail_portal_link: false,
        encrypted: false,
    };
    match state.app.submit_report(intake, now).await {
        Ok(s) => {
            let portal_url = state.site.url(&format!("/portal/{}", s.portal_token));
            let body = ReportFiled {
                case_id: s.case_id,
                portal_url: portal_url.clone(),
                portal_token: s.portal_token.to_string(),
                acknowledge_by: s.acknowledge_by.to_string(),
                disclose_by: s.disclose_by.to_string(),
            };
            (
                StatusCode::CREATED,
                [(header::LOCATION, portal_url)],
                Json(body),
            )
                .into_response()
        }
        Err(e) => api_error(e),
    }
}

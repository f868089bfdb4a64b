//! The reporter's portal behind the secret link. `GET /portal/{token}` trades the link for
//! a cookie and redirects, so the secret leaves the address bar and history; the cookie is
//! HttpOnly, SameSite=Strict (no cross-site form can act with it) and scoped to /portal.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::{AppError, Principal, ReporterCaseView};
use embargo_core::{Author, CaseId, CaseState, CreditPreference, Resolution, Visibility};

use crate::client::ClientAddr;
use crate::multipart::read_form;
use crate::page_error::PageError;
use crate::render::{notice, page};
use crate::{WebState, please_wait};

const COOKIE: &str = "embargo_portal";

fn cookie(state: &WebState, token: &str) -> HeaderValue {
    let secure = if state.site.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/portal; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

fn token_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn not_valid(state: &WebState) -> Response {
    notice(
        &state.site.organization,
        StatusCode::NOT_FOUND,
        "This link is not valid",
        "The link may be mistyped, or it was replaced by a newer one. If you gave an e-mail address with your report, you can ask for a new link.",
        Some(("/portal/lost", "Get a new link")),
    )
}

/// The reporter behind the request's cookie; without a valid one, the "not valid" page.
#[derive(Debug)]
pub struct Reporter {
    principal: Principal,
    case: CaseId,
}

impl FromRequestParts<WebState> for Reporter {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = token_from(&parts.headers) else {
            return Err(not_valid(state));
        };
        match state.app.reporter_principal(&token).await {
            Ok(principal @ Principal::Reporter(case)) => Ok(Self { principal, case }),
            Ok(_) | Err(AppError::NotFound) => Err(not_valid(state)),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

/// Whether the request is a person opening the link (a top-level navigation), as the
/// browser's Fetch Metadata says. An image, a frame or a script fetching `/portal/TOKEN`
/// (say, an `<img>` planted in a report a team member reads) must not swap that browser's
/// portal cookie for the attacker's. Clients that send no such headers are let through.
fn is_top_level_navigation(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let dest_ok = value("sec-fetch-dest").is_none_or(|d| d == "document");
    let mode_ok = value("sec-fetch-mode").is_none_or(|m| m == "navigate");
    dest_ok && mode_ok
}

pub async fn enter(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let now = (state.clock)();
    if !is_top_level_navigation(&headers) {
        return not_valid(&state);
    }
    // Guessing 256-bit links is hopeless; the limit keeps anyone from trying at volume.
    if let Err(retry) = state.limiter.check(ip, "portal_link", 120, now) {
        return please_wait(&state, retry, "Too many attempts from your address.");
    }
    match state.app.enter_portal(&token, now).await {
        Ok(_) => (
            [(header::SET_COOKIE, cookie(&state, &token))],
            Redirect::to("/portal"),
        )
            .into_response(),
        Err(AppError::NotFound) => not_valid(&state),
        Err(e) => PageError(e).into_response(),
    }
}

struct MessageView {
    author: String,
    at: String,
    body_html: String,
    from_team: bool,
    files: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal.html")]
struct Portal {
    org: String,
    title: String,
    status: String,
    notice: Option<String>,
    new_link: Option<String>,
    timeline: Vec<(String, String)>,
    messages: Vec<MessageView>,
    can_write: bool,
    report: embargo_core::ReportContent,
    description_html: String,
    reproduction_html: String,
    impact_html: String,
    report_files: Vec<(String, String)>,
    received: String,
    credit_kind: String,
    credit_value: String,
}

fn when(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// The status in the reporter's words: no internal detail.
fn status_text(state: CaseState) -> &'static str {
    match state {
        CaseState::Received => "Received, waiting for acknowledgement",
        CaseState::Acknowledged | CaseState::Triage => "Being reviewed",
        CaseState::AwaitingReporter => "Waiting for your answer",
        CaseState::Accepted | CaseState::Fixing | CaseState::Scheduled => {
            "Accepted: a fix is being prepared"
        }
        CaseState::Published
        | CaseState::Closed {
            resolution: Resolution::Published,
        } => "Published",
        CaseState::Closed {
            resolution: Resolution::Rejected { .. },
        } => "Closed: not accepted",
        CaseState::Closed {
            resolution: Resolution::Withdrawn,
        } => "Withdrawn",
        CaseState::Closed {
            resolution: Resolution::Spam,
        } => "Closed",
    }
}

fn render(
    state: &WebState,
    view: ReporterCaseView,
    notice: Option<String>,
    new_link: Option<String>,
) -> Response {
    let files_of = |message: Option<embargo_core::MessageId>| -> Vec<(String, String)> {
        view.attachments
            .iter()
            .filter(|a| a.message_id == message)
            .map(|a| (a.id.to_string(), a.filename.clone()))
            .collect()
    };
    let messages = view
        .messages
        .iter()
        .map(|m| MessageView {
            author: if m.author == Author::Reporter {
                "You".into()
            } else {
                format!("{} security team", state.site.organization)
            },
            at: when(m.created_at),
            body_html: crate::markdown::render(m.body.reveal()),
            from_team: m.author != Author::Reporter,
            files: files_of(Some(m.id)),
        })
        .collect();
    let mut timeline = vec![(
        when(view.received_at),
        format!("Report {} received", view.case_id.receipt()),
    )];
    if let Some(t) = view.acknowledged_at {
        timeline.push((when(t), "Acknowledged by the security team".into()));
    }
    if let Some(t) = view.published_at {
        timeline.push((when(t), "Advisory published".into()));
    }
    let report = view.report.content.reveal().clone();
    page(
        StatusCode::OK,
        &Portal {
            org: state.site.organization.clone(),
            title: report.title.clone(),
            status: status_text(view.state).to_string(),
            notice,
            new_link,
            timeline,
            messages,
            can_write: !matches!(view.state, CaseState::Closed { .. }),
            credit_kind: report.credit.kind().to_string(),
            credit_value: report.credit.value().to_string(),
            description_html: crate::markdown::render(&report.description),
            reproduction_html: crate::markdown::render(&report.reproduction),
            impact_html: crate::markdown::render(&report.impact),
            report,
            report_files: files_of(None),
            received: when(view.received_at),
        },
    )
}

async fn show_with(
    state: &WebState,
    reporter: &Reporter,
    notice: Option<String>,
    new_link: Option<String>,
) -> Result<Response, PageError> {
    let view = state
        .app
        .reporter_view(reporter.principal, reporter.case)
        .await?;
    Ok(render(state, view, notice, new_link))
}

pub async fn show(
    State(state): State<WebState>,
    reporter: Reporter,
) -> Result<Response, PageError> {
    show_with(&state, &reporter, None, None).await
}

/// Portal posts per client address and hour, on top of the per-case limit the use case
/// keeps: one address cannot feed many cases either.
const PORTAL_POSTS_PER_HOUR: u32 = 60;

pub async fn post_message(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    reporter: Reporter,
    req: Request,
) -> Result<Response, PageError> {
    if let Err(retry) =
        state
            .limiter
            .check(ip, "portal_post", PORTAL_POSTS_PER_HOUR, (state.clock)())
    {
        return Ok(please_wait(
            &state,
            retry,
            "Too many messages from your address; try again later.",
        ));
    }
    let posted = read_form(req, &state, "attachments").await?;
    state
        .app
        .post_message(
            reporter.principal,
            reporter.case,
            Visibility::Reporter,
            &posted.text("body"),
            posted.files,
            (state.clock)(),
        )
        .await?;
    Ok(Redirect::to("/portal").into_response())
}

pub async fn set_credit(
    State(state): State<WebState>,
    reporter: Reporter,
    req: Request,
) -> Result<Response, PageError> {
    let posted = read_form(req, &state, "").await?;
    let credit =
        CreditPreference::from_parts(&posted.text("credit_kind"), &posted.text("credit_value"))
            .map_err(AppError::invalid)?;
    state
        .app
        .set_credit(reporter.principal, reporter.case, credit, (state.clock)())
        .await?;
    let saved = Some("Your credit choice was saved.".into());
    show_with(&state, &reporter, saved, None).await
}

pub async fn revoke(
    State(state): State<WebState>,
    reporter: Reporter,
) -> Result<Response, PageError> {
    let token = state
        .app
        .rotate_portal_link(reporter.principal, reporter.case, (state.clock)())
        .await?;
    let link = state.site.url(&format!("/portal/{token}"));
    let replaced = Some("Your link was replaced.".into());
    let page = show_with(&state, &reporter, replaced, Some(link)).await?;
    Ok(([(header::SET_COOKIE, cookie(&state, &token))], page).into_response())
}

pub async fn attachment(
    State(state): State<WebState>,
    reporter: Reporter,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.parse::<uuid::Uuid>().map_err(|_| AppError::NotFound)?;
    let (info, data) = state
        .app
        .attachment(reporter.principal, reporter.case, id)
        .await?;
    Ok(download(&info.filename, data.into_revealed()))
}

/// Files are always downloaded, never rendered: an uploaded HTML file cannot run in our origin.
pub fn download(filename: &str, data: Vec<u8>) -> Response {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987's attr-char, conservatively: letters, digits, `.`, `_`, `-`.
    const ATTR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'_')
        .remove(b'-');
    let encoded = percent_encoding::utf8_percent_encode(filename, ATTR).to_string();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        data,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_download_names_its_file_in_ascii_and_in_utf8() {
        let res = super::download("résumé 1.pdf", b"x".to_vec());
        let disposition = res.headers()[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.ends_with("filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf"),
            "{disposition}"
        );
    }
}

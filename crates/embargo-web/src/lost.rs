//! `GET|POST /portal/lost`: a reporter who lost the link asks for new ones by e-mail. The
//! answer is the same whether or not the address reported anything.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::AppError;

use crate::client::ClientAddr;
use crate::multipart::read_form;
use crate::page_error::PageError;
use crate::render::page;
use crate::{WebState, please_wait};

#[derive(Template)]
#[template(path = "lost.html")]
struct Lost {
    org: String,
    sent: bool,
    error: Option<String>,
}

pub async fn show(State(state): State<WebState>) -> Response {
    page(
        StatusCode::OK,
        &Lost {
            org: state.site.organization.clone(),
            sent: false,
            error: None,
        },
    )
}

pub async fn request(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    req: Request,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let now = (state.clock)();
    if let Err(retry) = state
        .limiter
        .check(ip, "lost_link", state.site.reports_per_hour, now)
    {
        let text = "Too many requests from your address; try again later.";
        return Ok(please_wait(&state, retry, text));
    }
    let posted = read_form(req, &state, "").await?;
    let answer = match state
        .app
        .request_portal_links(&posted.text("email"), now)
        .await
    {
        Ok(()) => page(
            StatusCode::OK,
            &Lost {
                org,
                sent: true,
                error: None,
            },
        ),
        Err(AppError::Invalid(p)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Lost {
                org,
                sent: false,
                error: Some(
                    p.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            },
        ),
        Err(e) => return Err(e.into()),
    };
    Ok(answer)
}

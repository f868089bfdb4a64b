//! `/invite/{token}`: an invited collaborator sets a password and is signed in.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::AppError;

use super::signed_in;
use crate::client::ClientAddr;
use crate::multipart::read_form;
use crate::page_error::PageError;
use crate::render::{notice, page};
use crate::{WebState, please_wait};

#[derive(Template)]
#[template(path = "invite.html")]
struct Invite {
    org: String,
    token: String,
}

fn not_valid(state: &WebState) -> Response {
    notice(
        &state.site.organization,
        StatusCode::NOT_FOUND,
        "This invitation is not valid",
        "It was already used, it expired, or the link is mistyped. Ask the case's Coordinator for a new one.",
        None,
    )
}

pub async fn show(
    State(state): State<WebState>,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    if !state.app.invitation_usable(&token, (state.clock)()).await? {
        return Ok(not_valid(&state));
    }
    let org = state.site.organization.clone();
    Ok(page(StatusCode::OK, &Invite { org, token }))
}

/// Invitation posts per client address and hour: an invited person needs one or two; each
/// post may cost a password hash.
const INVITE_POSTS_PER_HOUR: u32 = 20;

pub async fn accept(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    Path(token): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let now = (state.clock)();
    if let Err(retry) = state
        .limiter
        .check(ip, "invite", INVITE_POSTS_PER_HOUR, now)
    {
        let text = "Too many attempts from your address; try again later.";
        return Ok(please_wait(&state, retry, text));
    }
    let posted = read_form(req, &state, "").await?;
    match state
        .app
        .accept_invitation(&token, &posted.text("password"), now)
        .await
    {
        Ok(signed) => Ok(signed_in(&state, &signed.session_token, "/cases")),
        Err(AppError::NotFound) => Ok(not_valid(&state)),
        Err(e) => Err(e.into()),
    }
}

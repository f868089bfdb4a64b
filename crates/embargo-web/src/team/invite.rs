//! `/invite/{token}`: an invited collaborator sets a password and is signed in.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::AppError;

use super::SESSION_COOKIE;
use crate::client::ClientAddr;
use crate::multipart::read_form;
use crate::render::{error_page, notice, page};
use crate::{WebState, too_many};

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

pub async fn show(State(state): State<WebState>, Path(token): Path<String>) -> Response {
    match state.app.invitation_usable(&token, (state.clock)()).await {
        Ok(true) => page(
            StatusCode::OK,
            &Invite {
                org: state.site.organization.clone(),
                token,
            },
        ),
        Ok(false) => not_valid(&state),
        Err(e) => error_page(&state.site.organization, &e),
    }
}

/// Invitation posts per client address and hour: an invited person needs one or two; each
/// post may cost a password hash.
const INVITE_POSTS_PER_HOUR: u32 = 20;

pub async fn accept(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    Path(token): Path<String>,
    req: Request,
) -> Response {
    let now = (state.clock)();
    if let Err(retry) = state
        .limiter
        .check(ip, "invite", INVITE_POSTS_PER_HOUR, now)
    {
        return too_many(
            retry,
            notice(
                &state.site.organization,
                StatusCode::TOO_MANY_REQUESTS,
                "Please wait",
                "Too many attempts from your address; try again later.",
                None,
            ),
        );
    }
    let posted = match read_form(req, &state, "").await {
        Ok(p) => p,
        Err(e) => return error_page(&state.site.organization, &e),
    };
    match state
        .app
        .accept_invitation(&token, &posted.text("password"), now)
        .await
    {
        Ok(signed) => {
            let secure = if state.site.secure_cookies() {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                signed.session_token,
                embargo_app::SESSION_LIFETIME.as_secs()
            );
            let mut res = Redirect::to("/cases").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(AppError::NotFound) => not_valid(&state),
        Err(e) => error_page(&state.site.organization, &e),
    }
}

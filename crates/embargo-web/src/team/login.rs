//! `GET|POST /login`, `POST /logout`.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::AppError;
use serde::Deserialize;

use super::form::CsrfForm;
use super::{cookie_value, same_secret, signed_in};
use crate::client::ClientAddr;
use crate::multipart::read_form;
use crate::page_error::PageError;
use crate::render::{notice, page};
use crate::{WebState, please_wait};

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    org: String,
    /// The sign-in form's CSRF token, also in the `embargo_login` cookie: a form posted from
    /// another site carries neither (login CSRF would sign a victim into the attacker's
    /// account, where what they type is the attacker's to read).
    csrf: String,
    error: Option<String>,
    next: String,
    email: String,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only paths of this site: a login link must not send anyone to another site afterwards.
/// Browsers drop tabs and line breaks inside URLs and read `\\` as `/`, so `/\t/evil`,
/// `/\\evil` and `//evil` all lead elsewhere: a path starts with exactly one `/` and holds no
/// backslash, control character or whitespace.
fn safe_next(next: &str) -> String {
    let same_origin = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    if same_origin {
        next.to_string()
    } else {
        "/cases".to_string()
    }
}

pub async fn show(
    State(state): State<WebState>,
    Query(q): Query<Next>,
) -> Result<Response, PageError> {
    let next = safe_next(q.next.as_deref().unwrap_or("/cases"));
    let csrf = state.app.new_form_token()?;
    let cookie = login_cookie(&state, &csrf);
    let mut res = page(
        StatusCode::OK,
        &Login {
            org: state.site.organization.clone(),
            csrf,
            error: None,
            next,
            email: String::new(),
        },
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

const LOGIN_COOKIE: &str = "embargo_login";

fn login_cookie(state: &WebState, token: &str) -> String {
    let secure = if state.site.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{secure}")
}

pub async fn submit(
    State(state): State<WebState>,
    ClientAddr(ip): ClientAddr,
    req: Request,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let now = (state.clock)();
    // Per address, on top of the per-account lock: slows password spraying across accounts.
    if let Err(retry) = state.limiter.check(ip, "login", 60, now) {
        let text = "Too many sign-in attempts from your address.";
        return Ok(please_wait(&state, retry, text));
    }
    let form_cookie = cookie_value(req.headers(), LOGIN_COOKIE).unwrap_or_default();
    let posted = read_form(req, &state, "").await?;
    if !same_secret(&form_cookie, &posted.text("csrf")) {
        return Ok(notice(
            &org,
            StatusCode::FORBIDDEN,
            "This sign-in form expired",
            "The form was open too long, or it was sent from another site. Open the sign-in page again.",
            Some(("/login", "Sign in")),
        ));
    }
    let csrf = form_cookie;
    let (email, next) = (posted.text("email"), safe_next(&posted.text("next")));
    let code = posted.text("code");
    let code = (!code.trim().is_empty()).then_some(code.as_str());
    let answer = match state
        .app
        .login(&email, &posted.text("password"), code, now)
        .await
    {
        Ok(signed) => signed_in(&state, &signed.session_token, &next),
        Err(e @ AppError::Rule { .. }) => page(
            StatusCode::UNAUTHORIZED,
            &Login {
                org,
                csrf,
                error: Some(e.to_string()),
                next,
                email,
            },
        ),
        Err(e) => return Err(e.into()),
    };
    Ok(answer)
}

/// The sign-out form carries only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct SignOut {}

pub async fn logout(
    State(state): State<WebState>,
    CsrfForm { session, .. }: CsrfForm<SignOut>,
) -> Result<Response, PageError> {
    state.app.logout(&session.token).await?;
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("embargo_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        for ok in ["/cases", "/cases/abc?x=1#y", "/admin"] {
            assert_eq!(safe_next(ok), ok);
        }
        for elsewhere in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "/ /evil.example",
            "https://evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(elsewhere), "/cases", "{elsewhere:?}");
        }
    }
}

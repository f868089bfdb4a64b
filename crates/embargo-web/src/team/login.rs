//! `GET|POST /login`, `POST /logout`.

use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::AppError;
use serde::Deserialize;

use super::{SESSION_COOKIE, TeamSession, cookie_value, same_secret};
use crate::client::ClientAddr;
use crate::multipart::read_form;
use crate::render::{error_page, notice, page};
use crate::{WebState, too_many};

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

pub async fn show(State(state): State<WebState>, Query(q): Query<Next>) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/cases"));
    let csrf = match state.app.new_form_token() {
        Ok(t) => t,
        Err(e) => return error_page(&state.site.organization, &e),
    };
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
    res
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
) -> Response {
    let org = state.site.organization.clone();
    let now = (state.clock)();
    // Per address, on top of the per-account lock: slows password spraying across accounts.
    if let Err(retry) = state.limiter.check(ip, "login", 60, now) {
        return too_many(
            retry,
            notice(
                &org,
                StatusCode::TOO_MANY_REQUESTS,
                "Please wait",
                "Too many sign-in attempts from your address.",
                None,
            ),
        );
    }
    let form_cookie = cookie_value(req.headers(), LOGIN_COOKIE).unwrap_or_default();
    let posted = match read_form(req, &state, "").await {
        Ok(p) => p,
        Err(e) => return error_page(&org, &e),
    };
    if !same_secret(&form_cookie, &posted.text("csrf")) {
        return notice(
            &org,
            StatusCode::FORBIDDEN,
            "This sign-in form expired",
            "The form was open too long, or it was sent from another site. Open the sign-in page again.",
            Some(("/login", "Sign in")),
        );
    }
    let csrf = form_cookie;
    let (email, next) = (posted.text("email"), safe_next(&posted.text("next")));
    let code = posted.text("code");
    let code = (!code.trim().is_empty()).then_some(code.as_str());
    match state
        .app
        .login(&email, &posted.text("password"), code, now)
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
            let mut res = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
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
        Err(e) => error_page(&org, &e),
    }
}

pub async fn logout(State(state): State<WebState>, session: TeamSession, req: Request) -> Response {
    let posted = match read_form(req, &state, "").await {
        Ok(p) => p,
        Err(e) => return error_page(&state.site.organization, &e),
    };
    if !session.csrf_ok(&posted.text("csrf")) {
        return error_page(
            &state.site.organization,
            &AppError::Forbidden("the form expired; reload the page and try again".into()),
        );
    }
    if let Err(e) = state.app.logout(&session.token).await {
        return error_page(&state.site.organization, &e);
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("embargo_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    res
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

//! The team's side: sign-in, the dashboard, the case page and its actions. Every page
//! needs a session; every form carries the session's CSRF token.

pub mod account;
pub mod action_request;
mod action_views;
pub mod actions;
pub mod admin;
pub mod advisory;
pub mod advisory_form;
pub mod case_page;
pub mod cve;
pub mod dashboard;
pub mod form;
pub mod github;
pub mod hints;
pub mod invite;
pub mod login;
pub mod metrics;

pub use dashboard::DashboardParams;

pub use login::logout as logout_route;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::{AppError, Principal};

use crate::WebState;
use crate::page_error::PageError;

pub const SESSION_COOKIE: &str = "embargo_session";

/// A signed-in team member.
#[derive(Debug, Clone)]
pub struct TeamSession {
    pub principal: Principal,
    pub name: String,
    pub csrf: String,
    pub token: String,
    /// The zone the person's pages show times in.
    pub zone: embargo_core::TimeZoneName,
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

impl FromRequestParts<WebState> for TeamSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/cases");
            Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
        };
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match state.app.session(&token, (state.clock)()).await {
            Ok(s) => Ok(Self {
                principal: s.principal,
                name: s.display_name,
                csrf: s.csrf_token,
                token,
                zone: s.time_zone,
            }),
            Err(AppError::NotFound) => Err(to_login()),
            Err(e) => Err(PageError(e).into_response()),
        }
    }
}

impl TeamSession {
    /// A time as this person reads it.
    pub fn when(&self, t: jiff::Timestamp) -> Moment {
        when(t, &self.zone)
    }

    /// Constant-time comparison of a form's CSRF token with the session's.
    pub fn csrf_ok(&self, posted: &str) -> bool {
        same_secret(&self.csrf, posted)
    }
}

/// Compares two secrets in time that does not depend on where they differ.
pub(crate) fn same_secret(expected: &str, posted: &str) -> bool {
    use subtle::ConstantTimeEq;
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(posted.as_bytes()))
}

/// The posted form, if its CSRF token is the session's; otherwise the "form expired" page.
pub async fn csrf_form(
    state: &WebState,
    session: &TeamSession,
    req: axum::extract::Request,
) -> Result<crate::multipart::Posted, Response> {
    let posted = crate::multipart::read_form(req, state, "")
        .await
        .map_err(|e| PageError(e).into_response())?;
    if !session.csrf_ok(&posted.text("csrf")) {
        let expired = "the form expired or came from another site; reload the page and try again";
        return Err(PageError(AppError::Forbidden(expired.into())).into_response());
    }
    Ok(posted)
}

/// Signs a person in (after a password or an accepted invitation): the session cookie, and
/// on to `next`.
pub(crate) fn signed_in(state: &WebState, session_token: &str, next: &str) -> Response {
    let secure = if state.site.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={session_token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        embargo_app::SESSION_LIFETIME.as_secs()
    );
    let mut res = Redirect::to(next).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(axum::http::header::SET_COOKIE, v);
    }
    res
}

/// A path and query as the value of `?next=`: unreserved characters and `/` stay.
const NEXT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, NEXT).to_string()
}

/// A time as one person reads it: in the zone they chose on their account page, with
/// UTC on hover (what the audit log, mails and other people's pages say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub local: String,
    pub utc: String,
    pub iso: String,
}

impl Moment {
    /// Our own digits, letters and a zone abbreviation: nothing to escape.
    pub fn html(&self) -> String {
        format!(
            "<time datetime=\"{}\" title=\"{}\">{}</time>",
            self.iso, self.utc, self.local
        )
    }
}

impl std::fmt::Display for Moment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.local)
    }
}

/// `t` in `zone`, as [`Moment`].
pub fn when(t: jiff::Timestamp, zone: &embargo_core::TimeZoneName) -> Moment {
    let utc = t.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let local = if *zone == embargo_core::TimeZoneName::utc() {
        utc.clone()
    } else {
        t.to_zoned_datetime(zone.zone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    Moment {
        local,
        utc,
        iso: t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_return_path_keeps_its_slashes_and_encodes_the_rest() {
        assert_eq!(
            super::urlencode("/cases?q=a b&x=é"),
            "/cases%3Fq%3Da%20b%26x%3D%C3%A9"
        );
    }
}

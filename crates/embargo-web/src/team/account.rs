//! `/account`: two-factor sign-in, API tokens, password.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AppError, TotpSetup};

use super::{TeamSession, csrf_form, when};
use crate::WebState;
use crate::render::{error_page, page};

#[derive(Template)]
#[template(path = "account.html")]
struct Account {
    org: String,
    me: String,
    csrf: String,
    notice: Option<String>,
    has_totp: bool,
    setup: Option<TotpSetup>,
    new_token: Option<String>,
    /// name, created, last used, id, revoked
    tokens: Vec<(String, String, String, String, bool)>,
}

async fn render(
    state: &WebState,
    s: &TeamSession,
    notice: Option<String>,
    setup: Option<TotpSetup>,
    new_token: Option<String>,
) -> Response {
    let org = state.site.organization.clone();
    let (has_totp, tokens) = match (
        state.app.has_totp(s.principal).await,
        state.app.api_tokens(s.principal).await,
    ) {
        (Ok(h), Ok(t)) => (h, t),
        (Err(e), _) | (_, Err(e)) => return error_page(&org, &e),
    };
    let tokens = tokens
        .into_iter()
        .map(|t| {
            (
                t.name,
                when(t.created_at),
                t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
                t.id.to_string(),
                t.revoked,
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &Account {
            org,
            me: s.name.clone(),
            csrf: s.csrf.clone(),
            notice,
            has_totp,
            setup,
            new_token,
            tokens,
        },
    )
}

pub async fn show(State(state): State<WebState>, session: TeamSession) -> Response {
    render(&state, &session, None, None, None).await
}

pub async fn totp_start(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    if let Err(r) = csrf_form(&state, &session, req).await {
        return r;
    }
    match state
        .app
        .start_totp(session.principal, &state.site.organization, (state.clock)())
        .await
    {
        Ok(setup) => render(&state, &session, None, Some(setup), None).await,
        Err(e) => error_page(&state.site.organization, &e),
    }
}

pub async fn totp_confirm(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match state
        .app
        .confirm_totp(session.principal, &posted.text("code"), (state.clock)())
        .await
    {
        Ok(()) => {
            render(
                &state,
                &session,
                Some("Two-factor sign-in is on.".into()),
                None,
                None,
            )
            .await
        }
        Err(e) => error_page(&state.site.organization, &e),
    }
}

pub async fn totp_disable(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match state
        .app
        .disable_totp(session.principal, &posted.text("code"), (state.clock)())
        .await
    {
        Ok(()) => {
            render(
                &state,
                &session,
                Some("Two-factor sign-in is off.".into()),
                None,
                None,
            )
            .await
        }
        Err(e) => error_page(&state.site.organization, &e),
    }
}

pub async fn token_create(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match state
        .app
        .create_api_token(session.principal, &posted.text("name"), (state.clock)())
        .await
    {
        Ok(token) => render(&state, &session, None, None, Some(token)).await,
        Err(e) => error_page(&state.site.organization, &e),
    }
}

pub async fn token_revoke(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    if let Err(r) = csrf_form(&state, &session, req).await {
        return r;
    }
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return error_page(&state.site.organization, &AppError::NotFound);
    };
    match state
        .app
        .revoke_api_token(session.principal, id, (state.clock)())
        .await
    {
        Ok(()) => {
            render(
                &state,
                &session,
                Some("The token was revoked.".into()),
                None,
                None,
            )
            .await
        }
        Err(e) => error_page(&state.site.organization, &e),
    }
}

pub async fn password(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(user) = (match session.principal {
        embargo_app::Principal::User(u) => Some(u),
        _ => None,
    }) else {
        return error_page(&state.site.organization, &AppError::NotFound);
    };
    match state
        .app
        .set_password(
            session.principal,
            user,
            &posted.text("password"),
            (state.clock)(),
        )
        .await
    {
        Ok(()) => {
            render(
                &state,
                &session,
                Some("Your password was changed.".into()),
                None,
                None,
            )
            .await
        }
        Err(e) => error_page(&state.site.organization, &e),
    }
}

//! `/account`: preferences, the GitHub login, two-factor sign-in, API tokens, password.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::{AppError, Proof, TotpSetup};

use super::{TeamSession, csrf_form, when};
use crate::WebState;
use crate::page_error::PageError;
use crate::render::page;

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
    tokens: Vec<TokenRow>,
    default_days: u16,
    time_zone: String,
    /// (job kind, label, chosen) for each team event a person may be mailed about.
    mail_events: Vec<(&'static str, &'static str, bool)>,
    /// The person's GitHub login (step 5 adds it to the drafts of their cases).
    github_login: String,
}

/// One API token as the account and admin pages list it.
pub(super) struct TokenRow {
    pub(super) id: String,
    pub(super) user_id: embargo_core::UserId,
    pub(super) name: String,
    pub(super) created: String,
    pub(super) last_used: String,
    pub(super) expires: String,
    /// "active", "expired" or "revoked".
    pub(super) state: &'static str,
}

/// Lists tokens for the account page and the admin page.
pub(super) fn token_rows(
    tokens: Vec<embargo_app::ApiTokenInfo>,
    now: jiff::Timestamp,
    zone: &embargo_core::TimeZoneName,
) -> Vec<TokenRow> {
    let when = |t| when(t, zone).to_string();
    tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            user_id: t.user_id,
            state: if t.revoked {
                "revoked"
            } else if t.live(now) {
                "active"
            } else {
                "expired"
            },
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            expires: t.expires_at.map(when).unwrap_or_else(|| "never".into()),
        })
        .collect()
}

/// The current password (and code) a form carries to prove who is typing.
fn proof(posted: &crate::multipart::Posted) -> Proof {
    let code = posted.text("current_code");
    Proof {
        password: posted.text("current_password"),
        code: (!code.trim().is_empty()).then(|| code.trim().to_string()),
    }
}

async fn render(
    state: &WebState,
    s: &TeamSession,
    notice: Option<String>,
    setup: Option<TotpSetup>,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let (has_totp, tokens, preferences, github_login) = match (
        state.app.has_totp(s.principal).await,
        state.app.api_tokens(s.principal).await,
        state.app.preferences(s.principal).await,
        state.app.github_login(s.principal).await,
    ) {
        (Ok(h), Ok(t), Ok(p), Ok(g)) => (h, t, p, g.unwrap_or_default()),
        (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
            return Err(e.into());
        }
    };
    let tokens = token_rows(tokens, (state.clock)(), &s.zone);
    Ok(page(
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
            default_days: embargo_app::DEFAULT_TOKEN_DAYS,
            time_zone: preferences.time_zone.to_string(),
            mail_events: embargo_app::MAIL_EVENTS
                .iter()
                .map(|(kind, label)| (*kind, *label, preferences.mail_events.contains(kind)))
                .collect(),
            github_login,
        },
    ))
}

pub async fn show(
    State(state): State<WebState>,
    session: TeamSession,
) -> Result<Response, PageError> {
    render(&state, &session, None, None, None).await
}

/// `POST /account/preferences`: the time zone and the events that mail the person.
pub async fn preferences(
    State(state): State<WebState>,
    mut session: TeamSession,
    req: Request,
) -> Result<Response, PageError> {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let chosen: Vec<String> = embargo_app::MAIL_EVENTS
        .iter()
        .filter(|(kind, _)| !posted.text(&format!("mail_{kind}")).is_empty())
        .map(|(kind, _)| (*kind).to_string())
        .collect();
    match state
        .app
        .set_preferences(
            session.principal,
            &posted.text("time_zone"),
            &chosen,
            (state.clock)(),
        )
        .await
    {
        Ok(p) => {
            // This very page already shows times in the new zone.
            session.zone = p.time_zone;
            let notice = "Your preferences were saved.".to_string();
            render(&state, &session, Some(notice), None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The account page's GitHub form.
#[derive(Debug, serde::Deserialize)]
pub struct GitHubLoginForm {
    #[serde(default)]
    github_login: String,
}

/// `POST /account/github`: the person's GitHub login (empty clears it).
pub async fn github_login(
    State(state): State<WebState>,
    super::form::CsrfForm { session, form }: super::form::CsrfForm<GitHubLoginForm>,
) -> Result<Response, PageError> {
    match state
        .app
        .set_github_login(session.principal, &form.github_login, (state.clock)())
        .await
    {
        Ok(Some(login)) => {
            let notice = format!(
                "Your GitHub login {login} was saved: the draft advisories of your cases add you as a collaborator."
            );
            render(&state, &session, Some(notice), None, None).await
        }
        Ok(None) => {
            let notice = "Your GitHub login was removed.".to_string();
            render(&state, &session, Some(notice), None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn totp_start(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Result<Response, PageError> {
    if let Err(r) = csrf_form(&state, &session, req).await {
        return Ok(r);
    }
    match state
        .app
        .start_totp(session.principal, &state.site.organization, (state.clock)())
        .await
    {
        Ok(setup) => render(&state, &session, None, Some(setup), None).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn totp_confirm(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Result<Response, PageError> {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
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
        Err(e) => Err(e.into()),
    }
}

pub async fn totp_disable(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Result<Response, PageError> {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    match state
        .app
        .disable_totp(
            session.principal,
            &posted.text("current_password"),
            &posted.text("code"),
            (state.clock)(),
        )
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
        Err(e) => Err(e.into()),
    }
}

pub async fn token_create(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Result<Response, PageError> {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    match state
        .app
        .create_api_token(
            session.principal,
            &posted.text("name"),
            posted
                .text("days")
                .parse()
                .unwrap_or(embargo_app::DEFAULT_TOKEN_DAYS),
            &proof(&posted),
            (state.clock)(),
        )
        .await
    {
        Ok(token) => render(&state, &session, None, None, Some(token)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn token_revoke(
    State(state): State<WebState>,
    session: TeamSession,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    if let Err(r) = csrf_form(&state, &session, req).await {
        return Ok(r);
    }
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return Err(AppError::NotFound.into());
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
        Err(e) => Err(e.into()),
    }
}

pub async fn password(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Result<Response, PageError> {
    let posted = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    match state
        .app
        .change_password(
            session.principal,
            &proof(&posted),
            &posted.text("password"),
            &session.token,
            posted.text("revoke_tokens") == "yes",
            (state.clock)(),
        )
        .await
    {
        Ok(changed) => {
            let tokens = if changed.tokens_revoked > 0 {
                format!(" {} API tokens were revoked.", changed.tokens_revoked)
            } else {
                String::new()
            };
            let notice = format!(
                "Your password was changed. Your other sessions ({}) were ended.{tokens}",
                changed.sessions_ended
            );
            render(&state, &session, Some(notice), None, None).await
        }
        Err(e) => Err(e.into()),
    }
}

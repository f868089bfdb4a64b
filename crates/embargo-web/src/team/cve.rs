//! CVE Services from the pages: the admin page's connection check, reservation and
//! synchronization, and a closed case's id (rejected with a reason, or released to the
//! pool). The use cases check who may; these only read the forms.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use embargo_app::AppError;
use embargo_core::CaseId;

use super::{TeamSession, csrf_form};
use crate::WebState;
use crate::page_error::{CasePath, PageError};
use crate::render::notice;

/// `POST /admin/cve-services` with `action` = `check`, `reserve` (`count`, `year`,
/// `scattered`) or `sync`.
pub async fn admin_action(
    State(state): State<WebState>,
    session: TeamSession,
    req: Request,
) -> Response {
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let now = (state.clock)();
    let result = match p.text("action").as_str() {
        "check" => state.app.cve_account(session.principal).await.map(|a| {
            format!(
                "CVE Services: {} ({}) with roles {}; user {}{}; {} of {} ids available.",
                a.short_name,
                a.organization,
                a.org_roles.join(", "),
                a.user,
                if a.user_active { "" } else { " (inactive)" },
                a.quota.available,
                a.quota.id_quota
            )
        }),
        "reserve" => match parse_reserve(&p.text("count"), &p.text("year")) {
            Ok((count, year)) => state
                .app
                .reserve_cve_ids(
                    session.principal,
                    count,
                    year,
                    p.text("scattered").is_empty(),
                    now,
                )
                .await
                .map(|r| {
                    let ids: Vec<String> = r.ids.iter().map(ToString::to_string).collect();
                    format!(
                        "Reserved {} into the pool. Ids available before: {}; after: {}.",
                        ids.join(", "),
                        r.available_before,
                        r.available_after
                            .map_or_else(|| "unknown".into(), |n| n.to_string())
                    )
                }),
            Err(e) => Err(e),
        },
        "sync" => state
            .app
            .sync_cve_pool(session.principal, now)
            .await
            .map(|s| {
                format!(
                    "CVE Services lists {} ids: {} new in the pool, {} changed state.",
                    s.listed, s.added, s.changed
                )
            }),
        _ => Err(AppError::NotFound),
    };
    super::admin::done(&state, &session, result).await
}

fn parse_reserve(count: &str, year: &str) -> Result<(u32, Option<i16>), AppError> {
    fn bad(what: &'static str, why: &str) -> AppError {
        AppError::invalid(embargo_core::ValueError::new(what, why.to_string()))
    }
    let count = count
        .trim()
        .parse::<u32>()
        .map_err(|_| bad("number of ids", "must be a whole number"))?;
    let year = match year.trim() {
        "" => None,
        y => Some(
            y.parse::<i16>()
                .map_err(|_| bad("year", "must be a year such as 2026"))?,
        ),
    };
    Ok((count, year))
}

/// `POST /cases/{id}/cve/reject` (with `reason`) or `/cases/{id}/cve/release`.
pub async fn case_action(
    State(state): State<WebState>,
    session: TeamSession,
    CasePath(case_id): CasePath,
    Path((_, action)): Path<(String, String)>,
    req: Request,
) -> Result<Response, PageError> {
    let org = state.site.organization.clone();
    let p = match csrf_form(&state, &session, req).await {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let now = (state.clock)();
    let result = match action.as_str() {
        "reject" => state
            .app
            .confirm_cve_rejection(session.principal, case_id, &p.text("reason"), now)
            .await
            .map(|cve| {
                (
                    "Rejection confirmed",
                    format!("{cve} will be rejected at CVE Services with this reason; the case shows when it is done."),
                )
            }),
        "release" => state
            .app
            .release_cve_id(session.principal, case_id, now)
            .await
            .map(|cve| {
                (
                    "Id released",
                    format!("{cve} is back in the pool for another case."),
                )
            }),
        _ => Err(AppError::NotFound),
    };
    let (heading, text) = result?;
    Ok(notice(
        &org,
        StatusCode::OK,
        heading,
        &text,
        Some((&format!("/cases/{case_id}"), "Back to the case")),
    ))
}

/// The case page's CVE panel: the pool id, what CVE Services holds, the last failure,
/// and (once the case is closed unpublished) the forms to reject or release the id.
pub(crate) struct CveRow {
    pub id: String,
    pub state: &'static str,
    /// e.g. "record of revision 2, checked 2026-11-30 12:00 UTC".
    pub detail: String,
    pub last_error: Option<String>,
    pub rejection_confirmed: bool,
    /// Closed without publication: reject or release apply.
    pub closed_unpublished: bool,
}

pub(crate) async fn cve_row(
    state: &WebState,
    session: &TeamSession,
    case_id: CaseId,
    case_state: embargo_core::CaseState,
) -> Result<Option<CveRow>, AppError> {
    let Some(c) = state
        .app
        .case_cve_record(session.principal, case_id)
        .await?
    else {
        return Ok(None);
    };
    let mut detail = Vec::new();
    if let Some(r) = c.record_revision {
        detail.push(format!("record of advisory revision {r}"));
    }
    if let Some(at) = c.synced_at {
        detail.push(format!("confirmed {}", at.strftime("%Y-%m-%d %H:%M UTC")));
    }
    let closed_unpublished = matches!(
        case_state,
        embargo_core::CaseState::Closed { resolution } if resolution != embargo_core::Resolution::Published
    );
    Ok(Some(CveRow {
        id: c.cve.to_string(),
        state: c.state.name(),
        detail: detail.join(", "),
        last_error: c.last_error.map(|e| {
            c.last_error_at.map_or(e.clone(), |at| {
                format!("{} ({})", e, at.strftime("%Y-%m-%d %H:%M UTC"))
            })
        }),
        rejection_confirmed: c.reject_reason.is_some(),
        closed_unpublished: closed_unpublished && state.app.cve_services().is_some(),
    }))
}

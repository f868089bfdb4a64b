//! `POST /cases/{id}/act`: one form per action. Checks the CSRF token and the case version
//! the page showed, builds the command, and lets the use case authorize and apply it.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use embargo_app::{AppError, Principal};
use embargo_core::{
    CaseId, Command, CommandKind, EmbargoDates, Private, RejectReason, RequiredText, Step,
    TimeZoneName, ValueError, Visibility,
};

use super::TeamSession;
use super::action_request::ActionRequest;
use crate::WebState;
use crate::multipart::read_form;
use crate::page_error::{CasePath, PageError};
use embargo_app::Upload;

fn invalid(what: &'static str, why: &str) -> AppError {
    AppError::invalid(ValueError::new(what, why.to_string()))
}

fn text(value: &str, what: &'static str) -> Result<RequiredText, AppError> {
    RequiredText::parse(value).map_err(|e| AppError::invalid(ValueError::new(what, e.why)))
}

fn note(r: &ActionRequest) -> Option<String> {
    let n = r.note.trim();
    (!n.is_empty()).then(|| n.to_string())
}

/// Kinds given by the reporter's portal or the scheduler, or not offered to people: no
/// form or API call names them.
const NOT_ASKED: [CommandKind; 5] = [
    CommandKind::ReporterReplied,
    CommandKind::AssignCoordinator,
    CommandKind::RemoveDeveloper,
    CommandKind::PublishAsScheduled,
    CommandKind::DiscloseAtDeadline,
];

/// The `action` names a form or the JSON API may post: the command kinds people ask for,
/// posting a message and saving an announcement draft. The OpenAPI document lists exactly
/// these (a test checks it).
pub fn action_names() -> Vec<&'static str> {
    CommandKind::all()
        .filter(|k| !NOT_ASKED.contains(k))
        .map(CommandKind::name)
        .chain(["message", "save_draft"])
        .collect()
}

/// The command a request stands for, by its kind's one name (`CommandKind::name`).
pub fn command(r: &ActionRequest) -> Result<Command, AppError> {
    let message = || text(&r.message, "message to the reporter").map(Private::new);
    let kind = match CommandKind::from_name(&r.action) {
        Some(kind) if !NOT_ASKED.contains(&kind) => kind,
        _ => return Err(invalid("action", "is unknown")),
    };
    Ok(match kind {
        CommandKind::Acknowledge => Command::Acknowledge {
            message: message()?,
        },
        CommandKind::StartTriage => Command::StartTriage,
        CommandKind::RequestInfo => Command::RequestInfo {
            message: message()?,
        },
        CommandKind::Accept => Command::Accept,
        CommandKind::Reject => Command::Reject {
            reason: match r.reason.as_str() {
                "not_a_vulnerability" => RejectReason::NotAVulnerability,
                "out_of_scope" => RejectReason::OutOfScope,
                "cannot_reproduce" => RejectReason::CannotReproduce,
                _ => return Err(invalid("reason", "choose why the report is rejected")),
            },
            message: message()?,
        },
        CommandKind::Duplicate => Command::Reject {
            reason: RejectReason::Duplicate {
                of: r
                    .duplicate_of
                    .parse::<CaseId>()
                    .map_err(AppError::invalid)?,
            },
            message: message()?,
        },
        CommandKind::MarkSpam => Command::MarkSpam,
        CommandKind::Withdraw => Command::Withdraw {
            reason: Private::new(text(&r.reason, "reason")?),
        },
        CommandKind::StartFixing => Command::StartFixing,
        CommandKind::SignOffFork => Command::SignOffFork {
            fork: r.fork.parse().map_err(AppError::invalid)?,
            note: note(r),
        },
        CommandKind::CompleteStep => Command::CompleteStep {
            step: r
                .step
                .as_deref()
                .unwrap_or_default()
                .parse::<u8>()
                .ok()
                .and_then(|n| Step::new(n).ok())
                .ok_or_else(|| invalid("step", "is not a step (1-18)"))?,
            note: note(r),
        },
        CommandKind::SetDates => {
            let zone = TimeZoneName::parse(&r.zone).map_err(AppError::invalid)?;
            let release_on = r
                .release_on
                .parse()
                .map_err(|_| invalid("release date", "must be a date (YYYY-MM-DD)"))?;
            let announce_at = r.announce_at.parse().map_err(|_| {
                invalid("announcement", "must be a date and time (YYYY-MM-DDTHH:MM)")
            })?;
            Command::SetDates {
                dates: EmbargoDates {
                    release_on,
                    announce_at,
                    zone,
                },
            }
        }
        CommandKind::ExtendDisclosure => {
            let day: jiff::civil::Date = r
                .until
                .parse()
                .map_err(|_| invalid("new deadline", "must be a date (YYYY-MM-DD)"))?;
            let until = day
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map_err(|_| invalid("new deadline", "is out of range"))?
                .timestamp();
            Command::ExtendDisclosure {
                until,
                reason: text(&r.reason, "reason for the extension")?,
            }
        }
        CommandKind::Publish => Command::Publish,
        CommandKind::Close => Command::Close,
        CommandKind::Reopen => Command::Reopen {
            reason: text(&r.reason, "reason")?,
        },
        // With fields of their own, dispatched before this; and the kinds nobody asks for.
        CommandKind::ReporterReplied
        | CommandKind::AssignCoordinator
        | CommandKind::AddDeveloper
        | CommandKind::RemoveDeveloper
        | CommandKind::RecordFork
        | CommandKind::PublishAsScheduled
        | CommandKind::DiscloseAtDeadline => return Err(invalid("action", "is unknown")),
    })
}

pub async fn act(
    State(state): State<WebState>,
    session: TeamSession,
    CasePath(case_id): CasePath,
    req: Request,
) -> Result<Response, PageError> {
    // Files ride along (attachments to a message), so the form is read here, not by
    // CsrfForm.
    let posted = read_form(req, &state, "attachments").await?;
    if !session.csrf_ok(&posted.text("csrf")) {
        return Err(AppError::Forbidden(
            "the form expired or came from another site; reload the page and try again".into(),
        )
        .into());
    }
    let request = ActionRequest::from_form(posted.fields)?;
    dispatch(
        &state,
        session.principal,
        case_id,
        request,
        posted.files,
        VersionRule::Required,
    )
    .await?;
    Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
}

/// Whether an action must name the case version it was prepared on: forms must (stale pages
/// are refused), API calls may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRule {
    Required,
    Optional,
}

/// Carries out one action on a case: the one dispatcher behind the case page's forms and
/// the JSON API. `files` are a message's attachments.
pub async fn dispatch(
    state: &WebState,
    p: Principal,
    case_id: CaseId,
    mut r: ActionRequest,
    files: Vec<Upload>,
    rule: VersionRule,
) -> Result<(), AppError> {
    let now = (state.clock)();
    let app = &state.app;
    // The other case of a duplicate, as people type it: its reference (`EMB-2026-0042`).
    if embargo_app::looks_like_case_reference(r.duplicate_of.trim()) {
        let id = app.case_by_reference(p, r.duplicate_of.trim()).await?;
        r.duplicate_of = id.to_string();
    }
    match r.action.as_str() {
        "message" => {
            let visibility = if r.visibility == "reporter" {
                Visibility::Reporter
            } else {
                Visibility::Internal
            };
            app.post_message(p, case_id, visibility, &r.body, files, now)
                .await
                .map(|_| ())
        }
        "save_draft" => app.save_draft(p, case_id, &r.kind, &r.body, now).await,
        "add_developer" => app
            .add_collaborator(p, case_id, &r.email, &r.name, now)
            .await
            .map(|_| ()),
        "record_fork" => app
            .record_fork(p, case_id, &r.fork_name, now)
            .await
            .map(|_| ()),
        _ => {
            let c = command(&r)?;
            match (r.version.as_deref().map(str::parse::<u64>), rule) {
                (Some(Ok(version)), _) => app
                    .act_at_version(p, case_id, version, c, now)
                    .await
                    .map(|_| ()),
                (Some(Err(_)), _) => Err(invalid("version", "must be a number")),
                (None, VersionRule::Required) => {
                    Err(invalid("form", "has no case version; reload the page"))
                }
                (None, VersionRule::Optional) => app.act(p, case_id, c, now).await.map(|_| ()),
            }
        }
    }
}

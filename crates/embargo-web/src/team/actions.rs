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
use crate::WebState;
use crate::multipart::{Posted, read_form};
use crate::page_error::{CasePath, PageError};

fn invalid(what: &'static str, why: &str) -> AppError {
    AppError::invalid(ValueError::new(what, why.to_string()))
}

fn text(p: &Posted, name: &str, what: &'static str) -> Result<RequiredText, AppError> {
    RequiredText::parse(&p.text(name)).map_err(|e| AppError::invalid(ValueError::new(what, e.why)))
}

fn note(p: &Posted) -> Option<String> {
    let n = p.text("note");
    (!n.trim().is_empty()).then(|| n.trim().to_string())
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

/// The command a form stands for, by its kind's one name (`CommandKind::name`).
pub fn command(p: &Posted) -> Result<Command, AppError> {
    let message = || text(p, "message", "message to the reporter").map(Private::new);
    let action = p.text("action");
    let kind = match CommandKind::from_name(&action) {
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
            reason: match p.text("reason").as_str() {
                "not_a_vulnerability" => RejectReason::NotAVulnerability,
                "out_of_scope" => RejectReason::OutOfScope,
                "cannot_reproduce" => RejectReason::CannotReproduce,
                _ => return Err(invalid("reason", "choose why the report is rejected")),
            },
            message: message()?,
        },
        CommandKind::Duplicate => Command::Reject {
            reason: RejectReason::Duplicate {
                of: p
                    .text("duplicate_of")
                    .parse::<CaseId>()
                    .map_err(AppError::invalid)?,
            },
            message: message()?,
        },
        CommandKind::MarkSpam => Command::MarkSpam,
        CommandKind::Withdraw => Command::Withdraw {
            reason: Private::new(text(p, "reason", "reason")?),
        },
        CommandKind::StartFixing => Command::StartFixing,
        CommandKind::SignOffFork => Command::SignOffFork {
            fork: p.text("fork").parse().map_err(AppError::invalid)?,
            note: note(p),
        },
        CommandKind::CompleteStep => Command::CompleteStep {
            step: p
                .text("step")
                .parse::<u8>()
                .ok()
                .and_then(|n| Step::new(n).ok())
                .ok_or_else(|| invalid("step", "is not a step (1-18)"))?,
            note: note(p),
        },
        CommandKind::SetDates => {
            let zone = TimeZoneName::parse(&p.text("zone")).map_err(AppError::invalid)?;
            let release_on = p
                .text("release_on")
                .parse()
                .map_err(|_| invalid("release date", "must be a date (YYYY-MM-DD)"))?;
            let announce_at = p.text("announce_at").parse().map_err(|_| {
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
            let day: jiff::civil::Date = p
                .text("until")
                .parse()
                .map_err(|_| invalid("new deadline", "must be a date (YYYY-MM-DD)"))?;
            let until = day
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map_err(|_| invalid("new deadline", "is out of range"))?
                .timestamp();
            Command::ExtendDisclosure {
                until,
                reason: text(p, "reason", "reason for the extension")?,
            }
        }
        CommandKind::Publish => Command::Publish,
        CommandKind::Close => Command::Close,
        CommandKind::Reopen => Command::Reopen {
            reason: text(p, "reason", "reason")?,
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
    dispatch(
        &state,
        session.principal,
        case_id,
        posted,
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

/// Carries out one posted action on a case: the one dispatcher behind the case page's
/// forms and the JSON API.
pub async fn dispatch(
    state: &WebState,
    p: Principal,
    case_id: CaseId,
    mut posted: Posted,
    rule: VersionRule,
) -> Result<(), AppError> {
    let now = (state.clock)();
    let app = &state.app;
    // The other case of a duplicate, as people type it: its reference (`EMB-2026-0042`).
    let other = posted.text("duplicate_of");
    if embargo_app::looks_like_case_reference(other.trim()) {
        let id = app.case_by_reference(p, other.trim()).await?;
        posted.fields.insert("duplicate_of".into(), id.to_string());
    }
    match posted.text("action").as_str() {
        "message" => {
            let visibility = if posted.text("visibility") == "reporter" {
                Visibility::Reporter
            } else {
                Visibility::Internal
            };
            app.post_message(
                p,
                case_id,
                visibility,
                &posted.text("body"),
                posted.files,
                now,
            )
            .await
            .map(|_| ())
        }
        "save_draft" => {
            app.save_draft(p, case_id, &posted.text("kind"), &posted.text("body"), now)
                .await
        }
        "add_developer" => app
            .add_collaborator(p, case_id, &posted.text("email"), &posted.text("name"), now)
            .await
            .map(|_| ()),
        "record_fork" => app
            .record_fork(p, case_id, &posted.text("fork_name"), now)
            .await
            .map(|_| ()),
        _ => {
            let c = command(&posted)?;
            match (posted.fields.get("version").map(|v| v.parse::<u64>()), rule) {
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

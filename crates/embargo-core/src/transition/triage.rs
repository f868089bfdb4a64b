//! From receipt to the decision: acknowledge, triage, ask, accept or reject.

use super::Ctx;
use crate::checklist::{SignOff, Step};
use crate::error::DomainError;
use crate::event::{Event, Notice};
use crate::private::Private;
use crate::role::CaseRole;
use crate::state::{CaseState, RejectReason, Resolution};
use crate::values::RequiredText;

fn tell_reporter(ctx: &mut Ctx, notice: Notice, message: &Private<RequiredText>) {
    ctx.events.push(Event::ReporterNotified {
        notice,
        message: Private::new(message.reveal().to_string()),
    });
}

/// The acting Coordinator takes the case if it has none yet.
fn take_coordination(ctx: &mut Ctx) {
    if ctx.case.coordinator.is_none()
        && let Some(user) = ctx.user()
    {
        ctx.case.coordinator = Some(user);
        ctx.events.push(Event::CoordinatorAssigned { user });
    }
}

fn sign_by_actor(ctx: &mut Ctx, step: Step) -> Result<(), DomainError> {
    let signoff = SignOff {
        by: ctx.user(),
        role: Some(CaseRole::Coordinator),
        at: ctx.now,
        note: None,
    };
    ctx.case.checklist.sign(step, signoff)?;
    ctx.events.push(Event::StepSigned {
        step,
        role: Some(CaseRole::Coordinator),
    });
    Ok(())
}

pub(super) fn acknowledge(
    ctx: &mut Ctx,
    message: &Private<RequiredText>,
) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(|s| *s == CaseState::Received)?;
    take_coordination(ctx);
    ctx.case.acknowledged_at = Some(ctx.now);
    sign_by_actor(ctx, Step::ACKNOWLEDGE)?;
    sign_by_actor(ctx, Step::OPEN_TRACKING_ISSUE)?;
    tell_reporter(ctx, Notice::Acknowledged, message);
    ctx.move_to(CaseState::Acknowledged);
    Ok(())
}

pub(super) fn start_triage(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(|s| *s == CaseState::Acknowledged)?;
    take_coordination(ctx);
    ctx.move_to(CaseState::Triage);
    Ok(())
}

pub(super) fn request_info(
    ctx: &mut Ctx,
    message: &Private<RequiredText>,
) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(|s| *s == CaseState::Triage)?;
    tell_reporter(ctx, Notice::InformationRequested, message);
    ctx.move_to(CaseState::AwaitingReporter);
    Ok(())
}

pub(super) fn reporter_replied(ctx: &mut Ctx) -> Result<(), DomainError> {
    if !ctx.roles.reporter {
        return Err(DomainError::forbidden(
            "only the reporter replies to a request for information",
        ));
    }
    ctx.require_state(|s| *s == CaseState::AwaitingReporter)?;
    ctx.move_to(CaseState::Triage);
    Ok(())
}

pub(super) fn accept(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(|s| *s == CaseState::Triage)?;
    take_coordination(ctx);
    sign_by_actor(ctx, Step::TRIAGE)?;
    ctx.move_to(CaseState::Accepted);
    Ok(())
}

pub(super) fn reject(
    ctx: &mut Ctx,
    reason: RejectReason,
    message: &Private<RequiredText>,
) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    // Any reason before acceptance; once accepted, only "duplicate" (PROCESS.md: any open
    // state may close as a duplicate).
    match reason {
        RejectReason::Duplicate { of } => {
            if of == ctx.case.id {
                return Err(crate::error::ValueError::new(
                    "duplicate",
                    "a case cannot be a duplicate of itself",
                )
                .into());
            }
            ctx.require_state(|s| s.is_open())?;
        }
        _ => ctx.require_state(CaseState::is_before_acceptance)?,
    }
    take_coordination(ctx);
    tell_reporter(ctx, Notice::Rejected, message);
    ctx.move_to(CaseState::Closed {
        resolution: Resolution::Rejected { reason },
    });
    Ok(())
}

pub(super) fn mark_spam(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(CaseState::is_before_acceptance)?;
    ctx.move_to(CaseState::Closed {
        resolution: Resolution::Spam,
    });
    Ok(())
}

pub(super) fn withdraw(ctx: &mut Ctx) -> Result<(), DomainError> {
    if !(ctx.roles.reporter || ctx.roles.coordinator) {
        return Err(DomainError::forbidden(
            "withdraw is for the reporter or a Coordinator",
        ));
    }
    ctx.require_state(CaseState::is_open)?;
    ctx.move_to(CaseState::Closed {
        resolution: Resolution::Withdrawn,
    });
    Ok(())
}

pub(super) fn reopen(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    match ctx.case.state {
        // What is public cannot go back behind the embargo: a published case is revised by
        // a new advisory version, not re-triaged.
        CaseState::Closed {
            resolution: Resolution::Published,
        } => Err(DomainError::IllegalTransition {
            command: "reopen",
            state: "closed after publication (publish a revised advisory instead)".to_string(),
        }),
        CaseState::Closed { .. } => {
            take_coordination(ctx);
            // A report closed before anyone acknowledged it (e.g. as spam) still owes the
            // reporter an acknowledgement (step 1): it goes back to the start, not to triage.
            let to = if ctx.case.step_done(Step::ACKNOWLEDGE) {
                CaseState::Triage
            } else {
                CaseState::Received
            };
            ctx.move_to(to);
            Ok(())
        }
        _ => Err(DomainError::IllegalTransition {
            command: "reopen",
            state: ctx.case.state.to_string(),
        }),
    }
}

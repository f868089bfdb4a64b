//! Dates, the disclosure deadline, publication and closing.

use jiff::Timestamp;

use super::Ctx;
use crate::case::EmbargoDates;
use crate::checklist::{SignOff, Step};
use crate::error::DomainError;
use crate::event::Event;
use crate::policy::Extension;
use crate::role::{Actor, CaseRole};
use crate::state::{CaseState, Resolution};
use crate::values::RequiredText;

pub(super) fn set_dates(ctx: &mut Ctx, dates: &EmbargoDates) -> Result<(), DomainError> {
    ctx.require_team()?;
    ctx.require_state(CaseState::is_in_remediation)?;
    let announcement = dates.announcement_instant();
    if announcement <= ctx.now {
        return Err(DomainError::Deadline(
            "the announcement must be in the future".to_string(),
        ));
    }
    if announcement > ctx.case.deadlines.disclose_by {
        return Err(DomainError::Deadline(format!(
            "the announcement is after the disclosure deadline ({}); record an extension with its reason first",
            ctx.case.deadlines.disclose_by
        )));
    }
    if dates.release_on > dates.announce_at.date() {
        return Err(DomainError::Deadline(
            "the release must not come after the announcement".to_string(),
        ));
    }
    ctx.case.dates = Some(dates.clone());
    ctx.events.push(Event::DatesSet { announcement });
    // Changed dates must be agreed again by both roles (step 10), and the agreed ones
    // posted again (step 11): the old announcement is stale.
    for step in [Step::DECIDE_DATES, Step::POST_DATES] {
        if !ctx.case.checklist.signoffs(step).is_empty() {
            ctx.case.checklist.clear(step);
            ctx.events.push(Event::StepReopened { step });
        }
    }
    if ctx.case.state == CaseState::Scheduled {
        ctx.move_to(CaseState::Fixing);
    }
    Ok(())
}

pub(super) fn extend_disclosure(
    ctx: &mut Ctx,
    until: Timestamp,
    reason: &RequiredText,
) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(CaseState::is_open)?;
    let from = ctx.case.deadlines.disclose_by;
    if until <= from {
        return Err(DomainError::Deadline(format!(
            "an extension must move the disclosure deadline later than {from}"
        )));
    }
    let Some(by) = ctx.user() else {
        return Err(DomainError::forbidden(
            "extensions are recorded by a person",
        ));
    };
    ctx.case.deadlines.disclose_by = until;
    ctx.case.deadlines.extensions.push(Extension {
        from,
        to: until,
        reason: reason.clone(),
        by,
        at: ctx.now,
    });
    ctx.events
        .push(Event::DisclosureExtended { from, to: until });
    Ok(())
}

pub(super) fn publish(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    publish_checks(ctx)?;
    go_public(ctx, Some(CaseRole::Coordinator), false)
}

pub(super) fn publish_as_scheduled(ctx: &mut Ctx) -> Result<(), DomainError> {
    if ctx.actor != Actor::System {
        return Err(DomainError::forbidden(
            "publication at the announcement time is done by the scheduler",
        ));
    }
    publish_checks(ctx)?;
    go_public(ctx, None, false)
}

/// What every publication before the deadline needs: the case scheduled, the checklist's
/// order (step 15 after 10), two persons, and the announcement time reached.
fn publish_checks(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_state(|s| *s == CaseState::Scheduled)?;
    ctx.case.checklist.check_order(Step::PUBLISH_ADVISORY)?;
    ctx.case.check_two_persons()?;
    let announcement = ctx
        .case
        .dates
        .as_ref()
        .map(EmbargoDates::announcement_instant)
        .unwrap_or(Timestamp::MAX);
    if ctx.now < announcement {
        return Err(DomainError::Deadline(format!(
            "the announcement is set for {announcement}; publishing earlier breaks the embargo (change the dates first)"
        )));
    }
    Ok(())
}

pub(super) fn disclose_at_deadline(ctx: &mut Ctx) -> Result<(), DomainError> {
    if ctx.actor != Actor::System {
        return Err(DomainError::forbidden(
            "disclosure at the deadline is done by the scheduler",
        ));
    }
    ctx.require_state(CaseState::is_in_remediation)?;
    if ctx.now < ctx.case.deadlines.disclose_by {
        return Err(DomainError::Deadline(format!(
            "the disclosure deadline is {}",
            ctx.case.deadlines.disclose_by
        )));
    }
    // The policy: disclose within 90 days "whether a patch is available or not", so the
    // ordering rules of steps 7-13 do not hold this back.
    go_public(ctx, None, true)
}

fn go_public(ctx: &mut Ctx, role: Option<CaseRole>, at_deadline: bool) -> Result<(), DomainError> {
    let fix_available = ctx.case.step_done(Step::RELEASE);
    ctx.case.checklist.sign(
        Step::PUBLISH_ADVISORY,
        SignOff {
            by: ctx.user(),
            role,
            at: ctx.now,
            note: None,
        },
    )?;
    ctx.events.push(Event::StepSigned {
        step: Step::PUBLISH_ADVISORY,
        role,
    });
    ctx.case.published_at = Some(ctx.now);
    ctx.case.fix_available = Some(fix_available);
    ctx.events.push(Event::Published {
        fix_available,
        at_deadline,
    });
    ctx.move_to(CaseState::Published);
    Ok(())
}

pub(super) fn close(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(|s| *s == CaseState::Published)?;
    ctx.case.checklist.check_order(Step::CLOSE)?;
    ctx.case.checklist.sign(
        Step::CLOSE,
        SignOff {
            by: ctx.user(),
            role: Some(CaseRole::Coordinator),
            at: ctx.now,
            note: None,
        },
    )?;
    ctx.events.push(Event::StepSigned {
        step: Step::CLOSE,
        role: Some(CaseRole::Coordinator),
    });
    ctx.move_to(CaseState::Closed {
        resolution: Resolution::Published,
    });
    Ok(())
}

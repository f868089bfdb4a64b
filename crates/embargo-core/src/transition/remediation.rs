//! After acceptance: people, forks and the checklist.

use super::Ctx;
use crate::case::Fork;
use crate::checklist::{Completion, SignOff, Step};
use crate::error::DomainError;
use crate::event::Event;
use crate::ids::{ForkId, UserId};
use crate::private::Private;
use crate::role::CaseRole;
use crate::state::CaseState;

pub(super) fn assign_coordinator(ctx: &mut Ctx, user: UserId) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(CaseState::is_open)?;
    if ctx.case.developers.contains(&user) {
        return Err(DomainError::TwoPersonRule(
            "a Developer of the case cannot be its Coordinator".to_string(),
        ));
    }
    if ctx.case.reporter_user == Some(user) {
        return Err(DomainError::TwoPersonRule(
            "the Reporter of the case cannot be its Coordinator".to_string(),
        ));
    }
    if ctx.case.coordinator == Some(user) {
        return Ok(());
    }
    ctx.case.coordinator = Some(user);
    ctx.events.push(Event::CoordinatorAssigned { user });
    Ok(())
}

pub(super) fn add_developer(ctx: &mut Ctx, user: UserId) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(CaseState::is_open)?;
    if ctx.case.coordinator == Some(user) {
        return Err(DomainError::TwoPersonRule(
            "the Coordinator of the case cannot also be one of its Developers".to_string(),
        ));
    }
    if ctx.case.developers.insert(user) {
        ctx.events.push(Event::DeveloperAdded { user });
    }
    Ok(())
}

pub(super) fn remove_developer(ctx: &mut Ctx, user: UserId) -> Result<(), DomainError> {
    ctx.require_coordinator()?;
    ctx.require_state(CaseState::is_open)?;
    if !ctx.case.developers.remove(&user) {
        return Err(crate::error::ValueError::new("developer", "is not on this case").into());
    }
    if ctx.case.developers.is_empty() && ctx.case.state == CaseState::Fixing {
        return Err(DomainError::IllegalTransition {
            command: "remove_developer",
            state: "fixing with no other Developer (add another Developer first)".to_string(),
        });
    }
    ctx.events.push(Event::DeveloperRemoved { user });
    Ok(())
}

pub(super) fn start_fixing(ctx: &mut Ctx) -> Result<(), DomainError> {
    ctx.require_team()?;
    ctx.require_state(|s| *s == CaseState::Accepted)?;
    if ctx.case.developers.is_empty() {
        return Err(DomainError::IllegalTransition {
            command: "start_fixing",
            state: "accepted with no Developer (add a Developer first)".to_string(),
        });
    }
    ctx.move_to(CaseState::Fixing);
    Ok(())
}

pub(super) fn record_fork(
    ctx: &mut Ctx,
    id: ForkId,
    name: &Private<String>,
) -> Result<(), DomainError> {
    ctx.require_team()?;
    ctx.require_state(CaseState::is_in_remediation)?;
    if name.reveal().trim().is_empty() {
        return Err(crate::error::ValueError::new("fork", "needs a name or link").into());
    }
    if ctx.case.fork(id).is_some() {
        return Err(crate::error::ValueError::new("fork", "is already recorded").into());
    }
    if ctx.case.step_done(Step::MERGE) {
        return Err(DomainError::Checklist(
            "the fix was merged already (step 12); a new fork needs a new case".to_string(),
        ));
    }
    ctx.case.forks.push(Fork {
        id,
        name: name.clone(),
        tested: None,
    });
    ctx.events.push(Event::ForkRecorded { fork: id });
    // A new untested fork means "every fork tested" (step 8) no longer holds.
    if ctx.case.step_done(Step::MANUAL_TEST) {
        ctx.case.checklist.clear(Step::MANUAL_TEST);
        ctx.events.push(Event::StepReopened {
            step: Step::MANUAL_TEST,
        });
    }
    Ok(())
}

pub(super) fn sign_off_fork(
    ctx: &mut Ctx,
    fork: ForkId,
    note: &Option<String>,
) -> Result<(), DomainError> {
    if !ctx.roles.developer {
        return Err(DomainError::forbidden(
            "the manual test of a fork is signed off by a Developer of the case",
        ));
    }
    ctx.require_state(CaseState::is_in_remediation)?;
    let signoff = SignOff {
        by: ctx.user(),
        role: Some(CaseRole::Developer),
        at: ctx.now,
        note: note.clone(),
    };
    let entry = ctx
        .case
        .forks
        .iter_mut()
        .find(|f| f.id == fork)
        .ok_or_else(|| crate::error::ValueError::new("fork", "is not recorded on this case"))?;
    if entry.tested.is_some() {
        return Err(DomainError::Checklist(
            "this fork is already signed off".to_string(),
        ));
    }
    entry.tested = Some(signoff.clone());
    ctx.events.push(Event::ForkTested { fork });
    // The last fork's sign-off completes step 8: nobody has to tick what is already true.
    if ctx.case.every_fork_tested() && !ctx.case.step_done(Step::MANUAL_TEST) {
        ctx.case.checklist.sign(Step::MANUAL_TEST, signoff)?;
        ctx.events.push(Event::StepSigned {
            step: Step::MANUAL_TEST,
            role: Some(CaseRole::Developer),
        });
    }
    Ok(())
}

pub(super) fn complete_step(
    ctx: &mut Ctx,
    step: Step,
    note: &Option<String>,
) -> Result<(), DomainError> {
    if let Completion::ByCommand(command) = step.completion() {
        return Err(DomainError::Checklist(format!(
            "step {} is done by the {command} action, not ticked by hand",
            step.number()
        )));
    }
    let Some(role) = step.signer_role(&ctx.roles) else {
        return Err(DomainError::forbidden(format!(
            "step {} belongs to the {:?} role",
            step.number(),
            step.owner()
        )));
    };
    // Announcements and the reporter's release notice come after publication; the rest
    // during remediation.
    if step == Step::PUBLISH_ANNOUNCEMENTS || step == Step::NOTIFY_REPORTER {
        ctx.require_state(|s| *s == CaseState::Published)?;
    } else {
        ctx.require_state(CaseState::is_in_remediation)?;
    }
    ctx.case.checklist.check_order(step)?;
    match step {
        Step::MANUAL_TEST if !ctx.case.every_fork_tested() => {
            return Err(DomainError::Checklist(
                "step 8 needs a manual-test sign-off on every recorded fork (and at least one fork)"
                    .to_string(),
            ));
        }
        Step::DECIDE_DATES if ctx.case.dates.is_none() => {
            return Err(DomainError::Checklist(
                "step 10 needs release and announcement dates to agree on".to_string(),
            ));
        }
        _ => {}
    }
    ctx.case.checklist.sign(
        step,
        SignOff {
            by: ctx.user(),
            role: Some(role),
            at: ctx.now,
            note: note.clone(),
        },
    )?;
    ctx.events.push(Event::StepSigned {
        step,
        role: Some(role),
    });
    // Both the Developer and the Coordinator agreed on the dates: the case is scheduled.
    if step == Step::DECIDE_DATES && ctx.case.step_done(Step::DECIDE_DATES) {
        ctx.move_to(CaseState::Scheduled);
    }
    Ok(())
}

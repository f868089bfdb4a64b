//! `transition(case, command, actor, now)`: the only way a case changes.
//!
//! Each command checks, in this order: who may do it (the actor's roles on the case), whether
//! the case's state allows it, and the policy's rules (two-person rule, checklist order,
//! clocks). A refused command returns an error that names the rule and changes nothing: the
//! input case is borrowed, never mutated.

mod offered;
mod publication;
mod remediation;
mod triage;

pub use offered::offered;

use jiff::Timestamp;

use crate::case::Case;
use crate::command::Command;
use crate::error::DomainError;
use crate::event::Event;
use crate::role::{Actor, RolesOnCase};
use crate::state::CaseState;

/// The outcome of an accepted command: the case as it now is, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub case: Case,
    pub events: Vec<Event>,
}

pub fn transition(
    case: &Case,
    command: &Command,
    actor: &Actor,
    now: Timestamp,
) -> Result<Transition, DomainError> {
    let mut ctx = Ctx {
        case: case.clone(),
        events: Vec::new(),
        roles: RolesOnCase::of(actor, case),
        actor: *actor,
        command: command.name(),
        now,
    };
    if !ctx.roles.any() && !matches!(actor, Actor::System) {
        return Err(DomainError::forbidden("you have no role on this case"));
    }
    match command {
        Command::Acknowledge { message } => triage::acknowledge(&mut ctx, message)?,
        Command::StartTriage => triage::start_triage(&mut ctx)?,
        Command::RequestInfo { message } => triage::request_info(&mut ctx, message)?,
        Command::ReporterReplied => triage::reporter_replied(&mut ctx)?,
        Command::Accept => triage::accept(&mut ctx)?,
        Command::Reject { reason, message } => triage::reject(&mut ctx, *reason, message)?,
        Command::MarkSpam => triage::mark_spam(&mut ctx)?,
        Command::Withdraw { .. } => triage::withdraw(&mut ctx)?,
        Command::Reopen { .. } => triage::reopen(&mut ctx)?,
        Command::AssignCoordinator { user } => remediation::assign_coordinator(&mut ctx, *user)?,
        Command::AddDeveloper { user } => remediation::add_developer(&mut ctx, *user)?,
        Command::RemoveDeveloper { user } => remediation::remove_developer(&mut ctx, *user)?,
        Command::StartFixing => remediation::start_fixing(&mut ctx)?,
        Command::RecordFork { id, name } => remediation::record_fork(&mut ctx, *id, name)?,
        Command::SignOffFork { fork, note } => remediation::sign_off_fork(&mut ctx, *fork, note)?,
        Command::CompleteStep { step, note } => remediation::complete_step(&mut ctx, *step, note)?,
        Command::SetDates { dates } => publication::set_dates(&mut ctx, dates)?,
        Command::ExtendDisclosure { until, reason } => {
            publication::extend_disclosure(&mut ctx, *until, reason)?
        }
        Command::Publish => publication::publish(&mut ctx)?,
        Command::PublishAsScheduled => publication::publish_as_scheduled(&mut ctx)?,
        Command::DiscloseAtDeadline => publication::disclose_at_deadline(&mut ctx)?,
        Command::Close => publication::close(&mut ctx)?,
    }
    if ctx.case.state.needs_two_persons() {
        ctx.case.check_two_persons()?;
    }
    ctx.case.version += 1;
    Ok(Transition {
        case: ctx.case,
        events: ctx.events,
    })
}

/// The working copy of one transition.
struct Ctx {
    case: Case,
    events: Vec<Event>,
    roles: RolesOnCase,
    actor: Actor,
    command: &'static str,
    now: Timestamp,
}

impl Ctx {
    fn require_coordinator(&self) -> Result<(), DomainError> {
        if self.roles.coordinator {
            Ok(())
        } else if self.roles.developer || self.roles.reporter {
            Err(DomainError::forbidden(format!(
                "{} is for the case's Coordinator, who must be neither its Reporter nor one of its Developers",
                self.command
            )))
        } else {
            Err(DomainError::forbidden(format!(
                "{} is for a Coordinator",
                self.command
            )))
        }
    }

    fn require_team(&self) -> Result<(), DomainError> {
        if self.roles.team() {
            Ok(())
        } else {
            Err(DomainError::forbidden(format!(
                "{} is for the case's Coordinator or Developers",
                self.command
            )))
        }
    }

    fn require_state(&self, allowed: fn(&CaseState) -> bool) -> Result<(), DomainError> {
        if allowed(&self.case.state) {
            Ok(())
        } else {
            Err(DomainError::IllegalTransition {
                command: self.command,
                state: self.case.state.to_string(),
            })
        }
    }

    fn user(&self) -> Option<crate::ids::UserId> {
        match self.actor {
            Actor::User { id, .. } => Some(id),
            _ => None,
        }
    }

    fn move_to(&mut self, to: CaseState) {
        let from = self.case.state;
        self.case.state = to;
        self.events.push(Event::StateChanged { from, to });
    }
}

#[cfg(test)]
mod tests;

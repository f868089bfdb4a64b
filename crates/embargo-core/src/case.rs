//! The case aggregate: the private tracking issue of the policy, with its people, clocks,
//! checklist and forks. The report's text lives in the store's `reports` table; the state
//! machine does not need it.

use std::collections::BTreeSet;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use crate::checklist::{Checklist, SignOff, Step};
use crate::error::DomainError;
use crate::ids::{CaseId, ForkId, UserId};
use crate::policy::{Deadlines, Policy};
use crate::private::Private;
use crate::state::CaseState;
use crate::values::{ProjectSlug, TimeZoneName};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub project: ProjectSlug,
    pub state: CaseState,
    pub received_at: Timestamp,
    pub deadlines: Deadlines,
    /// Set when the reporter is also a person with an account (the two-person rule needs
    /// to know), once they proved the address they gave is theirs. Anonymous reporters,
    /// and reporters not verified yet, have none.
    pub reporter_user: Option<UserId>,
    pub coordinator: Option<UserId>,
    pub developers: BTreeSet<UserId>,
    pub checklist: Checklist,
    pub forks: Vec<Fork>,
    pub dates: Option<EmbargoDates>,
    pub acknowledged_at: Option<Timestamp>,
    pub published_at: Option<Timestamp>,
    /// Whether a fix had been released when the advisory went public.
    pub fix_available: Option<bool>,
    /// Bumped by every transition: the store refuses to save over a newer version
    /// (a stale form gets a clear message instead of overwriting someone's work).
    pub version: u64,
}

impl Case {
    /// A freshly received report.
    pub fn received(
        id: CaseId,
        project: ProjectSlug,
        received_at: Timestamp,
        reporter_user: Option<UserId>,
        policy: &Policy,
    ) -> Self {
        Self {
            id,
            project,
            state: CaseState::Received,
            received_at,
            deadlines: policy.deadlines_for(received_at),
            reporter_user,
            coordinator: None,
            developers: BTreeSet::new(),
            checklist: Checklist::default(),
            forks: Vec::new(),
            dates: None,
            acknowledged_at: None,
            published_at: None,
            fix_available: None,
            version: 0,
        }
    }

    /// The next promise the team must keep, and when: the acknowledgement while the report
    /// is new, the announcement once dates are set, the disclosure deadline in between;
    /// none once the advisory is public or the case closed.
    pub fn due(&self) -> Option<Timestamp> {
        match self.state {
            CaseState::Received => Some(self.deadlines.acknowledge_by),
            // Publication happens by itself then: a scheduled case is never overdue.
            CaseState::Scheduled => self.dates.as_ref().map(EmbargoDates::announcement_instant),
            CaseState::Published | CaseState::Closed { .. } => None,
            _ => Some(self.deadlines.disclose_by),
        }
    }

    /// Signs off a step embargo carries out itself, once its delivery succeeded: step 11
    /// (the agreed dates posted to the team's channels), step 17 (the reporter told of
    /// the publication), and with GitHub connected steps 4, 5 and 9 (drafts opened in
    /// every repository, the case's people added to them, a CVE requested through GitHub).
    /// `evidence` says where it went; the sign-off is embargo's (no person, no role).
    /// Refused like a hand sign-off would be: out of order, in the wrong state, or already
    /// done.
    pub fn sign_off_delivered(
        &mut self,
        step: Step,
        evidence: String,
        now: Timestamp,
    ) -> Result<(), DomainError> {
        let state_fits = match step {
            Step::POST_DATES => self.state == CaseState::Scheduled,
            Step::NOTIFY_REPORTER => self.state == CaseState::Published,
            Step::DRAFT_ADVISORY | Step::ADD_PEOPLE | Step::REQUEST_CVE => {
                self.state.is_in_remediation()
            }
            other => {
                return Err(DomainError::Checklist(format!(
                    "step {} is not one embargo carries out",
                    other.number()
                )));
            }
        };
        if !state_fits {
            return Err(DomainError::Checklist(format!(
                "step {} does not apply while the case is {}",
                step.number(),
                self.state
            )));
        }
        self.checklist.check_order(step)?;
        self.checklist.sign(
            step,
            SignOff {
                by: None,
                role: None,
                at: now,
                note: Some(evidence),
            },
        )?;
        self.version += 1;
        Ok(())
    }

    /// Whether the acknowledgement is overdue at `now`.
    pub fn acknowledgement_overdue(&self, now: Timestamp) -> bool {
        self.acknowledged_at.is_none()
            && self.state.is_open()
            && now > self.deadlines.acknowledge_by
    }

    /// Checks the two-person rule: the case has a Coordinator who is neither its Reporter
    /// nor one of its Developers.
    pub fn check_two_persons(&self) -> Result<(), DomainError> {
        let Some(coordinator) = self.coordinator else {
            return Err(DomainError::TwoPersonRule(
                "the case has no Coordinator".to_string(),
            ));
        };
        if self.reporter_user == Some(coordinator) {
            return Err(DomainError::TwoPersonRule(
                "the Coordinator must not be the Reporter of the case".to_string(),
            ));
        }
        if self.developers.contains(&coordinator) {
            return Err(DomainError::TwoPersonRule(
                "the Coordinator must not be a Developer of the case".to_string(),
            ));
        }
        Ok(())
    }

    pub fn fork(&self, id: ForkId) -> Option<&Fork> {
        self.forks.iter().find(|f| f.id == id)
    }

    pub fn every_fork_tested(&self) -> bool {
        !self.forks.is_empty() && self.forks.iter().all(|f| f.tested.is_some())
    }

    pub fn step_done(&self, step: Step) -> bool {
        self.checklist.is_done(step)
    }
}

/// A private security fork where a fix is developed. CI does not run there, so each fork
/// needs a manual-test sign-off before the fix is merged (policy step 8, rule 12 needs 8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    pub id: ForkId,
    /// e.g. `conda-forge/conda-smithy-ghsa-xxxx`: private forever.
    pub name: Private<String>,
    pub tested: Option<SignOff>,
}

/// Release and announcement dates, always with their time zone (PROCESS.md, Clocks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbargoDates {
    pub release_on: Date,
    pub announce_at: DateTime,
    pub zone: TimeZoneName,
}

impl EmbargoDates {
    /// The announcement as an instant. An ambiguous or skipped local time (DST change)
    /// resolves the way jiff's "compatible" strategy does, like most calendar software.
    pub fn announcement_instant(&self) -> Timestamp {
        self.announce_at
            .to_zoned_datetime(self.zone.zone())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    }
}

//! The policy's clocks as jobs (issue: deadlines and scheduled work). They are written in
//! the transaction of the change that sets a deadline, carry the deadline they were made
//! for, and do nothing if it moved since (an extension makes new ones): so a job is safe to
//! run late, twice, or after a restart that missed its time.

use embargo_core::{Case, CaseState, Event};
use embargo_store::Tx;
use jiff::{SignedDuration, Timestamp};

use crate::App;
use crate::JobSpec;
use crate::error::AppError;

/// Warnings before the disclosure deadline, in days.
pub const DISCLOSURE_WARNINGS: [i64; 4] = [30, 14, 7, 1];
/// The team is reminded this long before the acknowledgement is due.
pub const ACKNOWLEDGEMENT_REMINDER: SignedDuration = SignedDuration::from_hours(48);

impl App {
    /// Schedules the jobs a transition's clock changes call for.
    pub(crate) async fn schedule_clocks(
        &self,
        tx: &mut Tx,
        case: &Case,
        events: &[Event],
        now: Timestamp,
    ) -> Result<(), AppError> {
        for e in events {
            if let Event::DatesSet { announcement } = e
                && *announcement > now
            {
                // Publication at the announcement time, if the preview is approved then.
                self.enqueue(
                    tx,
                    JobSpec::PublishAdvisory {
                        case_id: case.id,
                        announce_at: *announcement,
                    },
                    *announcement,
                    now,
                )
                .await?;
            }
        }
        let accepted = events.iter().any(|e| {
            matches!(
                e,
                Event::StateChanged {
                    to: CaseState::Accepted,
                    ..
                }
            )
        });
        let extended = events
            .iter()
            .any(|e| matches!(e, Event::DisclosureExtended { .. }));
        if !(accepted || extended) || !case.state.is_in_remediation() {
            return Ok(());
        }
        let due = case.deadlines.disclose_by;
        for days in DISCLOSURE_WARNINGS {
            let at = due - SignedDuration::from_hours(24 * days);
            if at > now {
                self.enqueue(
                    tx,
                    JobSpec::DisclosureWarning {
                        case_id: case.id,
                        disclose_by: due,
                        days,
                    },
                    at,
                    now,
                )
                .await?;
            }
        }
        self.enqueue(
            tx,
            JobSpec::DiscloseAtDeadline {
                case_id: case.id,
                disclose_by: due,
                days: 0,
            },
            due,
            now,
        )
        .await
    }

    /// The scheduler's disclosure at the deadline. `Ok(false)` when there is nothing to do:
    /// the case was published or closed meanwhile, or its deadline moved (`scheduled_for`
    /// is the deadline the job was made for).
    pub async fn disclose_if_due(
        &self,
        case_id: embargo_core::CaseId,
        scheduled_for: Timestamp,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        let case = self.store.case(case_id).await?;
        if !case.state.is_in_remediation()
            || case.deadlines.disclose_by != scheduled_for
            || now < scheduled_for
        {
            return Ok(false);
        }
        self.disclose_at_deadline(case_id, now).await?;
        Ok(true)
    }

    /// The scheduler at the announcement time (`scheduled_for`, the instant the job was
    /// made for). Publishes when the case is scheduled for exactly then and its preview is
    /// approved; says why not otherwise, so the team can be told.
    pub async fn publish_if_due(
        &self,
        case_id: embargo_core::CaseId,
        scheduled_for: Timestamp,
        now: Timestamp,
    ) -> Result<ScheduledPublication, AppError> {
        let case = self.store.case(case_id).await?;
        let announcement = case
            .dates
            .as_ref()
            .map(embargo_core::EmbargoDates::announcement_instant);
        if announcement != Some(scheduled_for) || now < scheduled_for || !case.state.is_open() {
            return Ok(ScheduledPublication::NotDue);
        }
        match self
            .act(
                crate::Principal::System,
                case_id,
                embargo_core::Command::PublishAsScheduled,
                now,
            )
            .await
        {
            Ok(_) => Ok(ScheduledPublication::Published),
            Err(AppError::Rule { message, .. } | AppError::Forbidden(message)) => {
                Ok(ScheduledPublication::Blocked(message))
            }
            Err(e) => Err(e),
        }
    }
}

/// What the scheduler did at an announcement time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduledPublication {
    Published,
    /// Nothing to do: the dates moved, the case is public or closed, or it is early.
    NotDue,
    /// Due but refused (preview not approved, dates not agreed, ...): the reason is for
    /// the team.
    Blocked(String),
}

/// The acknowledgement deadline's clock, one job at intake: the reminder, which queues the
/// alert at the deadline when it has run; the alert alone when the reminder would be due
/// already (a policy with a short acknowledgement time).
pub(crate) fn acknowledgement_clock(
    case: &embargo_core::Case,
    now: Timestamp,
) -> (crate::JobSpec, Timestamp) {
    let due = case.deadlines.acknowledge_by;
    let at = due - ACKNOWLEDGEMENT_REMINDER;
    if at > now {
        let reminder = crate::JobSpec::AcknowledgementReminder {
            case_id: case.id,
            then_due: true,
        };
        (reminder, at)
    } else {
        (crate::JobSpec::AcknowledgementDue { case_id: case.id }, due)
    }
}

impl App {
    /// The reminder's follow-up: the alert at the acknowledgement deadline, queued once
    /// however often the reminder runs (its id is derived from the reminder's).
    pub async fn queue_acknowledgement_due(
        &self,
        reminder: embargo_core::JobId,
        case: &embargo_core::Case,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let spec = crate::JobSpec::AcknowledgementDue { case_id: case.id };
        let job = embargo_store::NewJob {
            kind: spec.kind().to_string(),
            case_id: Some(case.id),
            payload: spec.payload(),
            run_at: case.deadlines.acknowledge_by,
        };
        let id = crate::delivery_job_id(reminder, spec.kind());
        let mut tx = self.store.begin().await?;
        tx.enqueue_job_once(id, &job, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

//! The team's dashboard: the cases a person may see, in the queues of the policy, with
//! their deadlines, overdue ones first.

use embargo_core::{CaseState, Resolution};
use embargo_store::CaseSummary;
use jiff::{SignedDuration, Timestamp};

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

/// The dashboard's queues, in the order of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    NeedsAcknowledgement,
    InTriage,
    AwaitingReporter,
    Fixing,
    Scheduled,
    PublishedRecently,
}

impl Queue {
    pub const ALL: [Queue; 6] = [
        Queue::NeedsAcknowledgement,
        Queue::InTriage,
        Queue::AwaitingReporter,
        Queue::Fixing,
        Queue::Scheduled,
        Queue::PublishedRecently,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Queue::NeedsAcknowledgement => "Needs acknowledgement",
            Queue::InTriage => "In triage",
            Queue::AwaitingReporter => "Awaiting the reporter",
            Queue::Fixing => "Accepted and fixing",
            Queue::Scheduled => "Scheduled",
            Queue::PublishedRecently => "Published in the last 30 days",
        }
    }

    fn of(state: CaseState, published_at: Option<Timestamp>, now: Timestamp) -> Option<Queue> {
        Some(match state {
            CaseState::Received => Queue::NeedsAcknowledgement,
            CaseState::Acknowledged | CaseState::Triage => Queue::InTriage,
            CaseState::AwaitingReporter => Queue::AwaitingReporter,
            CaseState::Accepted | CaseState::Fixing => Queue::Fixing,
            CaseState::Scheduled => Queue::Scheduled,
            CaseState::Published
            | CaseState::Closed {
                resolution: Resolution::Published,
            } if published_at
                .is_some_and(|p| now.duration_since(p) < SignedDuration::from_hours(24 * 30)) =>
            {
                Queue::PublishedRecently
            }
            _ => return None,
        })
    }
}

/// One row: the case and the deadline that matters for its queue.
#[derive(Debug, Clone)]
pub struct DashboardRow {
    pub case: CaseSummary,
    pub queue: Queue,
    /// The next promise the team must keep: acknowledgement before acceptance, the
    /// announcement or the disclosure deadline after.
    pub due: Option<Timestamp>,
    pub overdue: bool,
}

impl App {
    /// The cases `principal` works on: Coordinators see every case they may coordinate,
    /// Developers the cases they are on; nobody sees, as team, a case they reported.
    pub async fn dashboard(
        &self,
        principal: Principal,
        now: Timestamp,
    ) -> Result<Vec<DashboardRow>, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let person = self.store.person(user).await?;
        if person.disabled_at.is_some() {
            return Err(AppError::NotFound);
        }
        let mut rows: Vec<DashboardRow> = self
            .store
            .case_summaries(user)
            .await?
            .into_iter()
            .filter(|c| {
                // The same rule as RolesOnCase: team = developer, or coordinator who is
                // neither a developer nor the reporter.
                c.viewer_is_developer || (person.roles.coordinator && c.reporter_user != Some(user))
            })
            .filter_map(|c| {
                let queue = Queue::of(c.state, c.published_at, now)?;
                let due = match queue {
                    Queue::NeedsAcknowledgement => Some(c.acknowledge_by),
                    Queue::PublishedRecently => None,
                    Queue::Scheduled => c.dates.as_ref().map(|d| d.announcement_instant()),
                    _ => Some(c.disclose_by),
                };
                let overdue = due.is_some_and(|d| d < now) && queue != Queue::Scheduled;
                Some(DashboardRow {
                    case: c,
                    queue,
                    due,
                    overdue,
                })
            })
            .collect();
        rows.sort_by_key(|r| (!r.overdue, r.due.unwrap_or(Timestamp::MAX)));
        Ok(rows)
    }
}

//! What happened, as the state machine reports it. The app layer turns events into audit
//! entries, stored messages and jobs (e-mail to the reporter, chat posts).

use jiff::Timestamp;

use crate::checklist::Step;
use crate::ids::{ForkId, UserId};
use crate::private::Private;
use crate::role::CaseRole;
use crate::state::CaseState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    StateChanged {
        from: CaseState,
        to: CaseState,
    },
    /// A message goes to the reporter (it is stored on the case and sent by a job).
    ReporterNotified {
        notice: Notice,
        message: Private<String>,
    },
    CoordinatorAssigned {
        user: UserId,
    },
    DeveloperAdded {
        user: UserId,
    },
    DeveloperRemoved {
        user: UserId,
    },
    ForkRecorded {
        fork: ForkId,
    },
    ForkTested {
        fork: ForkId,
    },
    StepSigned {
        step: Step,
        role: Option<CaseRole>,
    },
    /// A step's sign-offs were withdrawn because what they agreed to changed.
    StepReopened {
        step: Step,
    },
    DatesSet {
        announcement: Timestamp,
    },
    DisclosureExtended {
        from: Timestamp,
        to: Timestamp,
    },
    Published {
        fix_available: bool,
        at_deadline: bool,
    },
}

/// Why the reporter hears from the team (issue: notifications the reporter receives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Acknowledged,
    InformationRequested,
    Rejected,
}

impl Notice {
    pub fn name(&self) -> &'static str {
        match self {
            Notice::Acknowledged => "acknowledged",
            Notice::InformationRequested => "information_requested",
            Notice::Rejected => "rejected",
        }
    }
}

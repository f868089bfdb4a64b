//! What people (and the scheduler) ask of a case.

use jiff::Timestamp;

use crate::case::EmbargoDates;
use crate::checklist::Step;
use crate::ids::{ForkId, UserId};
use crate::private::Private;
use crate::state::RejectReason;
use crate::values::RequiredText;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Tell the reporter the report arrived (policy step 1, within the acknowledgement time).
    Acknowledge {
        message: Private<RequiredText>,
    },
    StartTriage,
    /// Ask the reporter for more information (the case waits for their reply).
    RequestInfo {
        message: Private<RequiredText>,
    },
    /// The reporter answered a request for information.
    ReporterReplied,
    Accept,
    /// Not accepted: the reporter is always told why.
    Reject {
        reason: RejectReason,
        message: Private<RequiredText>,
    },
    /// Close quietly, without writing to the sender.
    MarkSpam,
    Withdraw {
        reason: Private<RequiredText>,
    },
    AssignCoordinator {
        user: UserId,
    },
    AddDeveloper {
        user: UserId,
    },
    RemoveDeveloper {
        user: UserId,
    },
    StartFixing,
    RecordFork {
        id: ForkId,
        name: Private<String>,
    },
    SignOffFork {
        fork: ForkId,
        note: Option<String>,
    },
    CompleteStep {
        step: Step,
        note: Option<String>,
    },
    SetDates {
        dates: EmbargoDates,
    },
    Publish,
    /// The scheduler at the announcement time, once the Coordinator approved the preview
    /// (the approval is the Coordinator's act; this only keeps the time).
    PublishAsScheduled,
    /// The scheduler at the disclosure deadline: publish, fixed or not.
    DiscloseAtDeadline,
    ExtendDisclosure {
        until: Timestamp,
        reason: RequiredText,
    },
    Close,
    Reopen {
        reason: RequiredText,
    },
}

impl Command {
    /// The command's name, for audit entries and error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Acknowledge { .. } => "acknowledge",
            Command::StartTriage => "start_triage",
            Command::RequestInfo { .. } => "request_info",
            Command::ReporterReplied => "reporter_replied",
            Command::Accept => "accept",
            Command::Reject { .. } => "reject",
            Command::MarkSpam => "mark_spam",
            Command::Withdraw { .. } => "withdraw",
            Command::AssignCoordinator { .. } => "assign_coordinator",
            Command::AddDeveloper { .. } => "add_developer",
            Command::RemoveDeveloper { .. } => "remove_developer",
            Command::StartFixing => "start_fixing",
            Command::RecordFork { .. } => "record_fork",
            Command::SignOffFork { .. } => "sign_off_fork",
            Command::CompleteStep { .. } => "complete_step",
            Command::SetDates { .. } => "set_dates",
            Command::Publish => "publish",
            Command::PublishAsScheduled => "publish_as_scheduled",
            Command::DiscloseAtDeadline => "disclose_at_deadline",
            Command::ExtendDisclosure { .. } => "extend_disclosure",
            Command::Close => "close",
            Command::Reopen { .. } => "reopen",
        }
    }
}

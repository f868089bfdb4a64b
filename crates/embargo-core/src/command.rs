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

/// What a command does, without its data: the one name of each case action, used by
/// audit entries, the case page's forms, the JSON API (and its OpenAPI document) and the
/// CLI. Closing as a duplicate is its own kind: the page offers it apart from rejecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandKind {
    Acknowledge,
    StartTriage,
    RequestInfo,
    ReporterReplied,
    Accept,
    Reject,
    Duplicate,
    MarkSpam,
    Withdraw,
    AssignCoordinator,
    AddDeveloper,
    RemoveDeveloper,
    StartFixing,
    RecordFork,
    SignOffFork,
    CompleteStep,
    SetDates,
    Publish,
    PublishAsScheduled,
    DiscloseAtDeadline,
    ExtendDisclosure,
    Close,
    Reopen,
}

/// The name table: each kind once, each name once.
const NAMES: [(CommandKind, &str); 23] = [
    (CommandKind::Acknowledge, "acknowledge"),
    (CommandKind::StartTriage, "start_triage"),
    (CommandKind::RequestInfo, "request_info"),
    (CommandKind::ReporterReplied, "reporter_replied"),
    (CommandKind::Accept, "accept"),
    (CommandKind::Reject, "reject"),
    (CommandKind::Duplicate, "duplicate"),
    (CommandKind::MarkSpam, "mark_spam"),
    (CommandKind::Withdraw, "withdraw"),
    (CommandKind::AssignCoordinator, "assign_coordinator"),
    (CommandKind::AddDeveloper, "add_developer"),
    (CommandKind::RemoveDeveloper, "remove_developer"),
    (CommandKind::StartFixing, "start_fixing"),
    (CommandKind::RecordFork, "record_fork"),
    (CommandKind::SignOffFork, "sign_off_fork"),
    (CommandKind::CompleteStep, "complete_step"),
    (CommandKind::SetDates, "set_dates"),
    (CommandKind::Publish, "publish"),
    (CommandKind::PublishAsScheduled, "publish_as_scheduled"),
    (CommandKind::DiscloseAtDeadline, "disclose_at_deadline"),
    (CommandKind::ExtendDisclosure, "extend_disclosure"),
    (CommandKind::Close, "close"),
    (CommandKind::Reopen, "reopen"),
];

impl CommandKind {
    /// Every kind, in the table's order.
    pub fn all() -> impl Iterator<Item = CommandKind> {
        NAMES.iter().map(|(k, _)| *k)
    }

    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("unknown", |(_, n)| *n)
    }

    /// The kind a name stands for (exactly as [`CommandKind::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(k, _)| *k)
    }
}

impl std::fmt::Display for CommandKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Acknowledge { .. } => CommandKind::Acknowledge,
            Command::StartTriage => CommandKind::StartTriage,
            Command::RequestInfo { .. } => CommandKind::RequestInfo,
            Command::ReporterReplied => CommandKind::ReporterReplied,
            Command::Accept => CommandKind::Accept,
            Command::Reject {
                reason: RejectReason::Duplicate { .. },
                ..
            } => CommandKind::Duplicate,
            Command::Reject { .. } => CommandKind::Reject,
            Command::MarkSpam => CommandKind::MarkSpam,
            Command::Withdraw { .. } => CommandKind::Withdraw,
            Command::AssignCoordinator { .. } => CommandKind::AssignCoordinator,
            Command::AddDeveloper { .. } => CommandKind::AddDeveloper,
            Command::RemoveDeveloper { .. } => CommandKind::RemoveDeveloper,
            Command::StartFixing => CommandKind::StartFixing,
            Command::RecordFork { .. } => CommandKind::RecordFork,
            Command::SignOffFork { .. } => CommandKind::SignOffFork,
            Command::CompleteStep { .. } => CommandKind::CompleteStep,
            Command::SetDates { .. } => CommandKind::SetDates,
            Command::Publish => CommandKind::Publish,
            Command::PublishAsScheduled => CommandKind::PublishAsScheduled,
            Command::DiscloseAtDeadline => CommandKind::DiscloseAtDeadline,
            Command::ExtendDisclosure { .. } => CommandKind::ExtendDisclosure,
            Command::Close => CommandKind::Close,
            Command::Reopen { .. } => CommandKind::Reopen,
        }
    }

    /// The command's name, for audit entries and error messages.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_one_name_and_each_name_one_kind() {
        let kinds: Vec<CommandKind> = CommandKind::all().collect();
        let mut unique = kinds.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), kinds.len());
        for k in kinds {
            assert_eq!(CommandKind::from_name(k.name()), Some(k));
        }
        assert_eq!(CommandKind::from_name("spam"), None);
    }
}

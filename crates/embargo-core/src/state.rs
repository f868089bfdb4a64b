//! The lifecycle of a case (PROCESS.md, "Lifecycle of a case").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::CaseId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CaseState {
    /// A report arrived; nobody has answered the reporter yet (the 7-day clock runs).
    Received,
    /// The reporter was told the report arrived.
    Acknowledged,
    /// A Coordinator reviews it for completeness and suitability.
    Triage,
    /// The Coordinator asked the reporter for more information.
    AwaitingReporter,
    /// Accepted as a vulnerability; the advisory is being drafted.
    Accepted,
    /// Developers replicate and fix it in private forks.
    Fixing,
    /// Release and announcement dates are agreed by a Developer and the Coordinator.
    Scheduled,
    /// The advisory is public.
    Published,
    /// Closed, with why.
    Closed { resolution: Resolution },
}

/// Why a case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "resolution", rename_all = "snake_case")]
pub enum Resolution {
    /// Not accepted; the reporter was told why (a rejection always carries a message).
    Rejected { reason: RejectReason },
    /// Closed quietly as spam: no message goes to the sender.
    Spam,
    /// Withdrawn by the reporter, or by a Coordinator at the reporter's request.
    Withdrawn,
    /// The advisory was published and every step done (policy step 18).
    Published,
}

/// The policy's reasons to reject a report (PROCESS.md, Lifecycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RejectReason {
    NotAVulnerability,
    /// The software is only redistributed: the reporter is pointed upstream.
    OutOfScope,
    Duplicate {
        of: CaseId,
    },
    CannotReproduce,
}

impl CaseState {
    /// Open: neither closed nor published.
    pub fn is_open(&self) -> bool {
        !matches!(self, CaseState::Closed { .. } | CaseState::Published)
    }

    /// Before the decision to accept.
    pub fn is_before_acceptance(&self) -> bool {
        matches!(
            self,
            CaseState::Received
                | CaseState::Acknowledged
                | CaseState::Triage
                | CaseState::AwaitingReporter
        )
    }

    /// Accepted and being worked on (the embargo runs).
    pub fn is_in_remediation(&self) -> bool {
        matches!(
            self,
            CaseState::Accepted | CaseState::Fixing | CaseState::Scheduled
        )
    }

    /// States in which the two-person rule must hold (PROCESS.md, Who).
    pub fn needs_two_persons(&self) -> bool {
        self.is_in_remediation()
            || matches!(
                self,
                CaseState::Published
                    | CaseState::Closed {
                        resolution: Resolution::Published
                    }
            )
    }

    /// Every state's [`CaseState::name`], in the lifecycle's order.
    pub fn all_names() -> [&'static str; 9] {
        [
            CaseState::Received,
            CaseState::Acknowledged,
            CaseState::Triage,
            CaseState::AwaitingReporter,
            CaseState::Accepted,
            CaseState::Fixing,
            CaseState::Scheduled,
            CaseState::Published,
            CaseState::Closed {
                resolution: Resolution::Spam,
            },
        ]
        .map(|s| s.name())
    }

    /// The state's name for storage and APIs.
    pub fn name(&self) -> &'static str {
        match self {
            CaseState::Received => "received",
            CaseState::Acknowledged => "acknowledged",
            CaseState::Triage => "triage",
            CaseState::AwaitingReporter => "awaiting_reporter",
            CaseState::Accepted => "accepted",
            CaseState::Fixing => "fixing",
            CaseState::Scheduled => "scheduled",
            CaseState::Published => "published",
            CaseState::Closed { .. } => "closed",
        }
    }

    /// The inverse of [`CaseState::name`] plus the resolution columns.
    pub fn from_parts(
        name: &str,
        resolution: Option<&str>,
        reason: Option<&str>,
        duplicate_of: Option<CaseId>,
    ) -> Result<Self, ValueError> {
        let bad = |what: &str| ValueError::new("case state", format!("unknown {what}"));
        Ok(match name {
            "received" => CaseState::Received,
            "acknowledged" => CaseState::Acknowledged,
            "triage" => CaseState::Triage,
            "awaiting_reporter" => CaseState::AwaitingReporter,
            "accepted" => CaseState::Accepted,
            "fixing" => CaseState::Fixing,
            "scheduled" => CaseState::Scheduled,
            "published" => CaseState::Published,
            "closed" => CaseState::Closed {
                resolution: match resolution {
                    Some("spam") => Resolution::Spam,
                    Some("withdrawn") => Resolution::Withdrawn,
                    Some("published") => Resolution::Published,
                    Some("rejected") => Resolution::Rejected {
                        reason: match (reason, duplicate_of) {
                            (Some("not_a_vulnerability"), _) => RejectReason::NotAVulnerability,
                            (Some("out_of_scope"), _) => RejectReason::OutOfScope,
                            (Some("cannot_reproduce"), _) => RejectReason::CannotReproduce,
                            (Some("duplicate"), Some(of)) => RejectReason::Duplicate { of },
                            _ => return Err(bad("reject reason")),
                        },
                    },
                    _ => return Err(bad("resolution")),
                },
            },
            _ => return Err(bad("state")),
        })
    }
}

impl Resolution {
    pub fn name(&self) -> &'static str {
        match self {
            Resolution::Rejected { .. } => "rejected",
            Resolution::Spam => "spam",
            Resolution::Withdrawn => "withdrawn",
            Resolution::Published => "published",
        }
    }
}

impl RejectReason {
    pub fn name(&self) -> &'static str {
        match self {
            RejectReason::NotAVulnerability => "not_a_vulnerability",
            RejectReason::OutOfScope => "out_of_scope",
            RejectReason::Duplicate { .. } => "duplicate",
            RejectReason::CannotReproduce => "cannot_reproduce",
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseState::Closed {
                resolution: Resolution::Rejected { reason },
            } => write!(f, "closed (rejected: {})", reason.name().replace('_', " ")),
            CaseState::Closed { resolution } => write!(f, "closed ({})", resolution.name()),
            other => f.write_str(&other.name().replace('_', " ")),
        }
    }
}

//! The domain's errors. Every refusal names the rule that refused it, with a stable code
//! the outer layers map to HTTP statuses and CLI exit codes in exactly one place each.

use std::fmt;

/// A value that failed its checking constructor: `what` is the kind of value (e.g. "CVE id"),
/// `why` a human sentence. Never contains private content beyond what the user typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {why}")]
pub struct ValueError {
    pub what: &'static str,
    pub why: String,
}

impl ValueError {
    pub fn new(what: &'static str, why: impl Into<String>) -> Self {
        Self {
            what,
            why: why.into(),
        }
    }
}

/// Why the state machine refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The actor may not do this on this case (or cannot see the case at all). Outer layers
    /// answer it exactly like "not found" to outsiders.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// The command does not apply in the case's current state.
    #[error("{command} is not possible while the case is {state}")]
    IllegalTransition {
        command: &'static str,
        state: String,
    },
    /// The two-person rule of the policy would be broken.
    #[error("two-person rule: {0}")]
    TwoPersonRule(String),
    /// A checklist ordering rule (e.g. "step 12 needs step 8").
    #[error("checklist: {0}")]
    Checklist(String),
    /// A clock rule (deadlines, extensions, embargo dates).
    #[error("deadline: {0}")]
    Deadline(String),
    /// An input value is missing or malformed.
    #[error(transparent)]
    Invalid(#[from] ValueError),
}

impl DomainError {
    /// A stable machine-readable code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Forbidden(_) => "forbidden",
            DomainError::IllegalTransition { .. } => "illegal_transition",
            DomainError::TwoPersonRule(_) => "two_person_rule",
            DomainError::Checklist(_) => "checklist_order",
            DomainError::Deadline(_) => "deadline",
            DomainError::Invalid(_) => "invalid_input",
        }
    }

    pub(crate) fn forbidden(why: impl fmt::Display) -> Self {
        DomainError::Forbidden(why.to_string())
    }
}

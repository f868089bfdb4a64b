//! The use cases' one error type. Outer layers map it to HTTP statuses and exit codes in
//! exactly one place each; `code()` is stable for API clients.

use embargo_core::{DomainError, ValueError};
use embargo_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or not visible to this principal: the two look the same to outsiders.
    #[error("not found")]
    NotFound,
    /// The principal can see the object but may not do this (team members only).
    #[error("{0}")]
    Forbidden(String),
    /// A policy rule refused the action (state, two-person rule, checklist, clocks).
    #[error("{message}")]
    Rule { code: &'static str, message: String },
    /// Bad input, with every problem found.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ValueError>),
    /// Over a size quota (a case's files): nothing of the request was stored.
    #[error("{0}")]
    TooLarge(String),
    /// Too many requests of this kind for now: nothing was stored; try again after
    /// `retry_after_secs`.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after_secs: i64,
    },
    /// Someone else changed the object, or a uniqueness rule.
    #[error("{0}")]
    Conflict(String),
    /// An outside service (CVE Services, GitHub) refused or failed. The sentence is for
    /// the team (it names what was asked and what the service said, never a secret);
    /// `temporary` when trying again later may succeed by itself; `wait_secs` when the
    /// service said how long to wait first (a rate limit).
    #[error("{message}")]
    Upstream {
        message: String,
        temporary: bool,
        wait_secs: Option<u64>,
    },
    /// The database cannot be used; the detail is logged, not shown.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else; the detail is logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden(_) => "forbidden",
            AppError::Rule { code, .. } => code,
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::TooMany { .. } => "too_many_requests",
            AppError::Upstream { .. } => "upstream",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn invalid(e: ValueError) -> Self {
        AppError::Invalid(vec![e])
    }

    /// A domain refusal, as the principal may see it: a refusal to someone with no role on
    /// the case is "not found", so nobody learns that a case exists by poking at it.
    pub(crate) fn from_domain(e: DomainError, can_see_case: bool) -> Self {
        match e {
            DomainError::Forbidden(_) if !can_see_case => AppError::NotFound,
            DomainError::Forbidden(why) => AppError::Forbidden(why),
            DomainError::Invalid(v) => AppError::Invalid(vec![v]),
            other => AppError::Rule {
                code: other.code(),
                message: other.to_string(),
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Stale => AppError::Conflict(e.to_string()),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Refused(m) => AppError::Unavailable(m),
            StoreError::Corrupt(m) => AppError::Internal(format!("corrupt data: {m}")),
            StoreError::Database(db) => AppError::Internal(format!("database: {db}")),
        }
    }
}

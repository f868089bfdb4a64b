//! What a failed job tells the runner: try again later, or give up (dead letter).

use embargo_app::AppError;

#[derive(Debug, Clone)]
pub struct Failure {
    pub temporary: bool,
    pub message: String,
    /// How long the service asked to wait before the next try (a rate limit): the retry
    /// is not earlier than this, whatever the backoff says.
    pub wait_secs: Option<u64>,
}

impl Failure {
    pub fn permanent(m: impl Into<String>) -> Self {
        Self {
            temporary: false,
            message: m.into(),
            wait_secs: None,
        }
    }

    pub fn temporary(m: impl Into<String>) -> Self {
        Self {
            temporary: true,
            message: m.into(),
            wait_secs: None,
        }
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unavailable(m) | AppError::Internal(m) | AppError::Conflict(m) => {
                Failure::temporary(m)
            }
            AppError::TooMany { message, .. } => Failure::temporary(message),
            AppError::Upstream {
                message,
                temporary,
                wait_secs,
            } => Failure {
                temporary,
                message,
                wait_secs,
            },
            other => Failure::permanent(other.to_string()),
        }
    }
}

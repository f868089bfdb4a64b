//! What a failed job tells the runner: try again later, or give up (dead letter).

use embargo_app::AppError;

#[derive(Debug)]
pub struct Failure {
    pub temporary: bool,
    pub message: String,
}

impl Failure {
    pub fn permanent(m: impl Into<String>) -> Self {
        Self {
            temporary: false,
            message: m.into(),
        }
    }

    pub fn temporary(m: impl Into<String>) -> Self {
        Self {
            temporary: true,
            message: m.into(),
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
            AppError::Upstream { message, temporary } => Failure { temporary, message },
            other => Failure::permanent(other.to_string()),
        }
    }
}

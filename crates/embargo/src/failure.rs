//! Why a command failed, and its exit code. Scripts and mail servers read exit codes, so
//! they are stable: 1 a check found problems, 2 usage (clap), 3 configuration or database
//! refused, 4 the action was refused (input or policy), 5 internal error.

use std::process::ExitCode;

use embargo_app::AppError;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    CheckFailed(String),
    #[error("{0}")]
    Setup(String),
    #[error("{0}")]
    Refused(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// `ingest-email`: a sysexits.h code for the mail server, and why.
    #[error("{1}")]
    Mail(u8, String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::CheckFailed(_) => 1,
            Failure::Setup(_) => 3,
            Failure::Refused(_) => 4,
            Failure::Internal(_) => 5,
            Failure::Mail(code, _) => *code,
        })
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unavailable(m) => Failure::Setup(m),
            AppError::Internal(m) => Failure::Internal(m),
            other => Failure::Refused(other.to_string()),
        }
    }
}

impl From<embargo_store::StoreError> for Failure {
    fn from(e: embargo_store::StoreError) -> Self {
        match e {
            embargo_store::StoreError::Refused(m) => Failure::Setup(m),
            other => Failure::from(AppError::from(other)),
        }
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        Failure::Setup(e.to_string())
    }
}

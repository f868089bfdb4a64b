//! What an operator's monitoring reads (`/metrics`): counts from the database and the job
//! queue, for the installation's operator only.

use embargo_store::{OperationCounts, QueueSummary};
use jiff::Timestamp;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;

#[derive(Debug, Clone)]
pub struct Operations {
    pub counts: OperationCounts,
    pub queue: QueueSummary,
}

impl App {
    pub async fn operations(
        &self,
        principal: Principal,
        now: Timestamp,
    ) -> Result<Operations, AppError> {
        if principal != Principal::Operator {
            return Err(AppError::NotFound);
        }
        Ok(Operations {
            counts: self.store.operation_counts(now).await?,
            queue: self.store.queue_summary(now).await?,
        })
    }
}

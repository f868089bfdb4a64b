//! Counts for operators (the Prometheus endpoint): reports, cases by state, overdue cases,
//! and jobs by kind and status. Each is one indexed or grouped query.

use jiff::Timestamp;
use sqlx::Row;

use crate::Store;
use crate::codec::ts;
use crate::error::StoreError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationCounts {
    pub reports: i64,
    /// (state, cases)
    pub cases_by_state: Vec<(String, i64)>,
    /// Cases past their due promise (announcements excepted).
    pub overdue: i64,
    /// (kind, status, jobs)
    pub jobs: Vec<(String, String, i64)>,
}

impl Store {
    pub async fn operation_counts(&self, now: Timestamp) -> Result<OperationCounts, StoreError> {
        let reports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reports")
            .fetch_one(self.pool())
            .await?;
        let cases_by_state =
            sqlx::query("SELECT state, COUNT(*) AS n FROM cases GROUP BY state ORDER BY state")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
                .collect::<Result<Vec<_>, StoreError>>()?;
        let overdue: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE due_at < $1 AND state <> 'scheduled'",
        )
        .bind(ts(now))
        .fetch_one(self.pool())
        .await?;
        let jobs = sqlx::query(
            "SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status ORDER BY kind, status",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("status")?, r.try_get("n")?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(OperationCounts {
            reports,
            cases_by_state,
            overdue,
            jobs,
        })
    }
}

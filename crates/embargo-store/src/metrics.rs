//! What the disclosure metrics are computed from: for each case received in a period, the
//! times of its milestones. Triage ends with the first acceptance, rejection or spam
//! verdict, read from the audit trail (the case row keeps only the current state).

use embargo_core::{CaseState, ProjectSlug};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;

use crate::Store;
use crate::codec::{from_ts, opt_ts, ts};
use crate::error::StoreError;

/// One case's milestones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub project: ProjectSlug,
    pub state: CaseState,
    pub received_at: Timestamp,
    pub acknowledge_by: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    /// The first verdict: accepted, rejected or marked as spam.
    pub triaged_at: Option<Timestamp>,
    /// The agreed release date of the fix, once dates are set.
    pub release_on: Option<Date>,
    pub published_at: Option<Timestamp>,
    pub fix_available: Option<bool>,
}

impl Store {
    /// The cases received in `[from, to)`, of one project or all, oldest first.
    pub async fn case_facts(
        &self,
        from: Timestamp,
        to: Timestamp,
        project: Option<&ProjectSlug>,
    ) -> Result<Vec<CaseFacts>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.project, c.state, c.resolution, c.reject_reason, c.duplicate_of, \
             c.received_at, c.acknowledge_by, c.acknowledged_at, c.release_on, c.published_at, \
             c.fix_available, \
             (SELECT MIN(a.at) FROM audit_log a WHERE a.case_id = c.id \
                AND a.action IN ('accept', 'reject', 'duplicate', 'mark_spam')) AS triaged_at \
             FROM cases c \
             WHERE c.received_at >= $1 AND c.received_at < $2 AND ($3 IS NULL OR c.project = $3) \
             ORDER BY c.received_at, c.id",
        )
        .bind(ts(from))
        .bind(ts(to))
        .bind(project.map(ToString::to_string))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseFacts {
                    project: ProjectSlug::parse(&r.try_get::<String, _>("project")?)?,
                    state: crate::codec::case_state(r)?,
                    received_at: from_ts(r.try_get("received_at")?)?,
                    acknowledge_by: from_ts(r.try_get("acknowledge_by")?)?,
                    acknowledged_at: opt_ts(r.try_get("acknowledged_at")?)?,
                    triaged_at: opt_ts(r.try_get("triaged_at")?)?,
                    release_on: r
                        .try_get::<Option<String>, _>("release_on")?
                        .map(|d| crate::codec::parse(&d))
                        .transpose()?,
                    published_at: opt_ts(r.try_get("published_at")?)?,
                    fix_available: r
                        .try_get::<Option<i64>, _>("fix_available")?
                        .map(|f| f != 0),
                })
            })
            .collect()
    }
}

impl Store {
    /// When each case still open (not published, not closed) was received, of one project
    /// or all.
    pub async fn open_cases_received(
        &self,
        project: Option<&ProjectSlug>,
    ) -> Result<Vec<Timestamp>, StoreError> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT received_at FROM cases WHERE state NOT IN ('published', 'closed') \
             AND ($1 IS NULL OR project = $1) ORDER BY received_at",
        )
        .bind(project.map(ToString::to_string))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(from_ts).collect()
    }
}

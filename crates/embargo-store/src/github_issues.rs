//! The case's issue in the private tracking repository on GitHub (policy steps 2 and 18),
//! and the pull requests of its drafts' private forks (step 12), as embargo last read them.

use embargo_core::CaseId;
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{flag, from_ts, opt_ts, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

/// The tracking issue embargo keeps for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingIssue {
    pub repository: String,
    /// `None` while it is being opened (or the opening failed).
    pub number: Option<i64>,
    pub html_url: Option<String>,
    /// A digest of the title and body GitHub holds.
    pub synced_digest: Option<String>,
    pub closed: bool,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

impl Store {
    pub async fn tracking_issue(
        &self,
        case_id: CaseId,
    ) -> Result<Option<TrackingIssue>, StoreError> {
        let row = sqlx::query(
            "SELECT repository, number, html_url, synced_digest, closed, last_error, \
             last_error_at, updated_at FROM github_issues WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(TrackingIssue {
                repository: r.try_get("repository")?,
                number: r.try_get("number")?,
                html_url: r.try_get("html_url")?,
                synced_digest: r.try_get("synced_digest")?,
                closed: r.try_get::<i64, _>("closed")? != 0,
                last_error: r.try_get("last_error")?,
                last_error_at: opt_ts(r.try_get("last_error_at")?)?,
                updated_at: from_ts(r.try_get("updated_at")?)?,
            })
        })
        .transpose()
    }
}

impl Tx {
    /// Claims the case's tracking issue before GitHub is asked for it; `false` when an
    /// earlier attempt claimed it.
    pub async fn tracking_issue_opening(
        &mut self,
        case_id: CaseId,
        repository: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO github_issues (case_id, repository, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(case_id.to_string())
        .bind(repository)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// GitHub holds the issue with this title and body (digest), open or closed.
    pub async fn tracking_issue_synced(
        &mut self,
        case_id: CaseId,
        number: i64,
        html_url: &str,
        digest: &str,
        closed: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_issues SET number = $2, html_url = $3, synced_digest = $4, \
             closed = $5, last_error = NULL, last_error_at = NULL, updated_at = $6 \
             WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .bind(number)
        .bind(html_url)
        .bind(digest)
        .bind(flag(closed))
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn tracking_issue_failure(
        &mut self,
        case_id: CaseId,
        sentence: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_issues SET last_error = $2, last_error_at = $3 WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .bind(sentence)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The pull requests of the draft's private fork, as read now (JSON).
    pub async fn github_pull_requests(
        &mut self,
        ghsa_id: &str,
        pulls_json: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET pull_requests = $2, updated_at = $3 WHERE ghsa_id = $1",
        )
        .bind(ghsa_id)
        .bind(pulls_json)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

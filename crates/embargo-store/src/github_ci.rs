//! The private CI mirror's copies (policy step 8): which fork branch was copied where, the
//! commit, its workflow runs as last read, and when the mirror branch was deleted.

use embargo_core::CaseId;
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{from_ts, opt_ts, parse, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiMirror {
    pub case_id: CaseId,
    pub fork: String,
    pub branch: String,
    pub mirror_branch: String,
    pub sha: Option<String>,
    /// JSON: `[{name, status, conclusion, html_url}]`.
    pub runs: String,
    pub pushed_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

impl Store {
    pub async fn ci_mirrors(&self, case_id: CaseId) -> Result<Vec<CiMirror>, StoreError> {
        let rows = sqlx::query(
            "SELECT case_id, fork, branch, mirror_branch, sha, runs, pushed_at, deleted_at, \
             last_error, last_error_at, updated_at FROM github_ci_mirrors WHERE case_id = $1 \
             ORDER BY fork, branch",
        )
        .bind(case_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CiMirror {
                    case_id: parse(&r.try_get::<String, _>("case_id")?)?,
                    fork: r.try_get("fork")?,
                    branch: r.try_get("branch")?,
                    mirror_branch: r.try_get("mirror_branch")?,
                    sha: r.try_get("sha")?,
                    runs: r.try_get("runs")?,
                    pushed_at: opt_ts(r.try_get("pushed_at")?)?,
                    deleted_at: opt_ts(r.try_get("deleted_at")?)?,
                    last_error: r.try_get("last_error")?,
                    last_error_at: opt_ts(r.try_get("last_error_at")?)?,
                    updated_at: from_ts(r.try_get("updated_at")?)?,
                })
            })
            .collect()
    }
}

impl Tx {
    /// The branch was asked for (again): a new copy replaces the last one's commit and runs.
    pub async fn ci_mirror_requested(
        &mut self,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        mirror_branch: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO github_ci_mirrors (case_id, fork, branch, mirror_branch, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, fork, branch) DO UPDATE SET \
             deleted_at = NULL, updated_at = $5",
        )
        .bind(case_id.to_string())
        .bind(fork)
        .bind(branch)
        .bind(mirror_branch)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The copy was pushed: its commit (the runs of an earlier commit are dropped).
    pub async fn ci_mirror_pushed(
        &mut self,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        sha: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_ci_mirrors SET sha = $4, runs = '[]', pushed_at = $5, \
             last_error = NULL, last_error_at = NULL, updated_at = $5 \
             WHERE case_id = $1 AND fork = $2 AND branch = $3",
        )
        .bind(case_id.to_string())
        .bind(fork)
        .bind(branch)
        .bind(sha)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The commit's workflow runs as read now (JSON).
    pub async fn ci_mirror_runs(
        &mut self,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        runs: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_ci_mirrors SET runs = $4, last_error = NULL, last_error_at = NULL, \
             updated_at = $5 WHERE case_id = $1 AND fork = $2 AND branch = $3",
        )
        .bind(case_id.to_string())
        .bind(fork)
        .bind(branch)
        .bind(runs)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn ci_mirror_failure(
        &mut self,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        sentence: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_ci_mirrors SET last_error = $4, last_error_at = $5 \
             WHERE case_id = $1 AND fork = $2 AND branch = $3",
        )
        .bind(case_id.to_string())
        .bind(fork)
        .bind(branch)
        .bind(sentence)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The mirror branch was deleted on GitHub (after publication).
    pub async fn ci_mirror_deleted(
        &mut self,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_ci_mirrors SET deleted_at = $4, updated_at = $4 \
             WHERE case_id = $1 AND fork = $2 AND branch = $3",
        )
        .bind(case_id.to_string())
        .bind(fork)
        .bind(branch)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

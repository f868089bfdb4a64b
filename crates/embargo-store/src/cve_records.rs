//! What CVE Services holds for each pool id: written by the jobs that talk to it, read by
//! the case page and the preview. Each write is one statement, so a crash leaves either
//! the old or the new knowledge, and the next job run reads the service back.

use embargo_core::{CaseId, CveId, CveState};
use jiff::Timestamp;

use crate::Tx;
use crate::codec::{parse_opt, ts};
use crate::error::StoreError;

impl Tx {
    /// Takes in the organization's ids as CVE Services lists them: new ids join the pool
    /// (free), known ones take the service's state. Returns (added, changed).
    pub async fn sync_cve_ids(
        &mut self,
        ids: &[(CveId, CveState)],
        now: Timestamp,
    ) -> Result<(u64, u64), StoreError> {
        let (mut added, mut changed) = (0, 0);
        for (cve, state) in ids {
            added += sqlx::query(
                "INSERT INTO cve_pool (cve_id, added_at, state, synced_at) VALUES ($1, $2, $3, $2) \
                 ON CONFLICT (cve_id) DO NOTHING",
            )
            .bind(cve.as_ref())
            .bind(ts(now))
            .bind(state.name())
            .execute(self.conn())
            .await?
            .rows_affected();
            changed += sqlx::query(
                "UPDATE cve_pool SET state = $2, synced_at = $3 WHERE cve_id = $1 AND state <> $2",
            )
            .bind(cve.as_ref())
            .bind(state.name())
            .bind(ts(now))
            .execute(self.conn())
            .await?
            .rows_affected();
            sqlx::query("UPDATE cve_pool SET synced_at = $2 WHERE cve_id = $1")
                .bind(cve.as_ref())
                .bind(ts(now))
                .execute(self.conn())
                .await?;
        }
        Ok((added, changed))
    }

    /// CVE Services holds the record of this advisory revision (published or updated).
    pub async fn cve_record_sent(
        &mut self,
        cve: &CveId,
        revision: i64,
        container: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE cve_pool SET state = 'published', record_revision = $2, record_sent = $3, \
             synced_at = $4, last_error = NULL, last_error_at = NULL WHERE cve_id = $1",
        )
        .bind(cve.as_ref())
        .bind(revision)
        .bind(container)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A call about this id failed: the sentence is shown on the case.
    pub async fn cve_failure(
        &mut self,
        cve: &CveId,
        sentence: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE cve_pool SET last_error = $2, last_error_at = $3 WHERE cve_id = $1")
            .bind(cve.as_ref())
            .bind(sentence)
            .bind(ts(now))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// A Coordinator confirmed the rejection of the case's id; `false` when the case has
    /// no id, or its id is rejected already.
    pub async fn confirm_cve_rejection(
        &mut self,
        case_id: CaseId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "UPDATE cve_pool SET reject_reason = $2 WHERE case_id = $1 AND state <> 'rejected'",
        )
        .bind(case_id.to_string())
        .bind(reason)
        .execute(self.conn())
        .await?
        .rows_affected()
            == 1)
    }

    /// CVE Services rejected the id.
    pub async fn cve_rejected(&mut self, cve: &CveId, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE cve_pool SET state = 'rejected', synced_at = $2, last_error = NULL, \
             last_error_at = NULL WHERE cve_id = $1",
        )
        .bind(cve.as_ref())
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Gives the case's id back to the pool, if it was never public (no record, not
    /// rejected). Returns the id released.
    pub async fn release_cve(&mut self, case_id: CaseId) -> Result<Option<CveId>, StoreError> {
        let released: Option<String> = sqlx::query_scalar(
            "UPDATE cve_pool SET case_id = NULL, assigned_at = NULL, reject_reason = NULL, \
             last_error = NULL, last_error_at = NULL \
             WHERE case_id = $1 AND state = 'reserved' AND record_revision IS NULL \
             RETURNING cve_id",
        )
        .bind(case_id.to_string())
        .fetch_optional(self.conn())
        .await?;
        parse_opt(released)
    }
}

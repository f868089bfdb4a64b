//! The CNA's pool of reserved CVE ids (policy step 9): handed to cases one at a time, and
//! private until the advisory that uses one is published.

use embargo_core::{CaseId, CveId};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{parse, parse_opt, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

/// One reserved id and the case it went to, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledCve {
    pub cve: CveId,
    pub case_id: Option<CaseId>,
}

impl Tx {
    /// Adds reserved ids; ids already in the pool are skipped. Returns how many were new.
    pub async fn add_cve_ids(&mut self, ids: &[CveId], now: Timestamp) -> Result<u64, StoreError> {
        let mut added = 0;
        for id in ids {
            added += sqlx::query(
                "INSERT INTO cve_pool (cve_id, added_at) VALUES ($1, $2) ON CONFLICT (cve_id) DO NOTHING",
            )
            .bind(id.as_ref())
            .bind(ts(now))
            .execute(self.conn())
            .await?
            .rows_affected();
        }
        Ok(added)
    }

    /// The case's pool id, taking the oldest free one if it has none yet; `None` when the
    /// pool is empty.
    pub async fn take_cve(
        &mut self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<Option<CveId>, StoreError> {
        let mine: Option<String> =
            sqlx::query_scalar("SELECT cve_id FROM cve_pool WHERE case_id = $1")
                .bind(case_id.to_string())
                .fetch_optional(self.conn())
                .await?;
        if mine.is_some() {
            return parse_opt(mine);
        }
        let taken: Option<String> = sqlx::query_scalar(
            // `case_id IS NULL` again outside: two concurrent takers on a server that does
            // not serialize writers must not both get the same id.
            "UPDATE cve_pool SET case_id = $1, assigned_at = $2 WHERE case_id IS NULL AND cve_id = \
             (SELECT cve_id FROM cve_pool WHERE case_id IS NULL ORDER BY added_at, cve_id LIMIT 1) \
             RETURNING cve_id",
        )
        .bind(case_id.to_string())
        .bind(ts(now))
        .fetch_optional(self.conn())
        .await?;
        parse_opt(taken)
    }
}

impl Store {
    pub async fn cve_pool(&self) -> Result<Vec<PooledCve>, StoreError> {
        sqlx::query("SELECT cve_id, case_id FROM cve_pool ORDER BY added_at, cve_id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(PooledCve {
                    cve: parse(&r.try_get::<String, _>(0)?)?,
                    case_id: parse_opt(r.try_get(1)?)?,
                })
            })
            .collect()
    }
}

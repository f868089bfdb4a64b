//! The CNA's pool of reserved CVE ids (policy step 9): handed to cases one at a time, and
//! private until the advisory that uses one is published. With CVE Services connected,
//! each id also carries what the service holds for it (see `cve_records.rs`).

use embargo_core::{CaseId, CveId, CveState};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{opt_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

/// One reserved id, the case it went to, and its record at CVE Services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PooledCve {
    pub cve: CveId,
    pub case_id: Option<CaseId>,
    /// The reference of the case that took the id.
    pub case_reference: Option<String>,
    pub state: CveState,
    /// The advisory revision CVE Services holds the record of, once published.
    pub record_revision: Option<i64>,
    /// The CNA container last sent (JSON), for the difference a revision makes.
    pub record_sent: Option<String>,
    /// The rejection a Coordinator confirmed, until CVE Services has it.
    pub reject_reason: Option<String>,
    pub synced_at: Option<Timestamp>,
    /// The last failure talking to CVE Services about this id, as a sentence.
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
}

/// `SELECT` of every pool column, then the rest of the statement (a constant string).
macro_rules! select_pool {
    ($rest:literal) => {
        concat!(
            "SELECT cve_id, case_id, state, record_revision, record_sent, reject_reason, \
             synced_at, last_error, last_error_at, \
             (SELECT reference FROM cases c WHERE c.id = cve_pool.case_id) AS case_reference \
             FROM cve_pool ",
            $rest
        )
    };
}

pub(crate) fn pooled(r: &AnyRow) -> Result<PooledCve, StoreError> {
    Ok(PooledCve {
        cve: parse(&r.try_get::<String, _>("cve_id")?)?,
        case_id: parse_opt(r.try_get("case_id")?)?,
        case_reference: r.try_get("case_reference")?,
        state: parse(&r.try_get::<String, _>("state")?)?,
        record_revision: r.try_get("record_revision")?,
        record_sent: r.try_get("record_sent")?,
        reject_reason: r.try_get("reject_reason")?,
        synced_at: opt_ts(r.try_get("synced_at")?)?,
        last_error: r.try_get("last_error")?,
        last_error_at: opt_ts(r.try_get("last_error_at")?)?,
    })
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
             (SELECT cve_id FROM cve_pool WHERE case_id IS NULL AND state = 'reserved' ORDER BY added_at, cve_id LIMIT 1) \
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
        sqlx::query(select_pool!("ORDER BY added_at, cve_id"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(pooled)
            .collect()
    }

    /// The pool id a case holds, if any.
    pub async fn case_cve(&self, case_id: CaseId) -> Result<Option<PooledCve>, StoreError> {
        sqlx::query(select_pool!("WHERE case_id = $1"))
            .bind(case_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(pooled)
            .transpose()
    }
}

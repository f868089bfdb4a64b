//! Drafts of the texts that announce a case (blog post, announcement): private.

use embargo_core::{CaseId, Private, UserId};
use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{from_ts, parse, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: String,
    pub body: Private<String>,
    pub updated_by: UserId,
    pub updated_at: Timestamp,
}

impl Tx {
    pub async fn save_draft(
        &mut self,
        case_id: CaseId,
        kind: &str,
        body: &str,
        by: UserId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO case_texts (case_id, kind, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (case_id, kind) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(case_id.to_string())
        .bind(kind)
        .bind(body)
        .bind(by.to_string())
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn drafts(&self, case_id: CaseId) -> Result<Vec<Draft>, StoreError> {
        sqlx::query("SELECT kind, body, updated_by, updated_at FROM case_texts WHERE case_id = $1 ORDER BY kind")
            .bind(case_id.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Draft {
                    kind: r.try_get(0)?,
                    body: Private::new(r.try_get(1)?),
                    updated_by: parse(&r.try_get::<String, _>(2)?)?,
                    updated_at: from_ts(r.try_get(3)?)?,
                })
            })
            .collect()
    }
}

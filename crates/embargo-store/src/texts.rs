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
                    kind: r.try_get("kind")?,
                    body: Private::new(r.try_get("body")?),
                    updated_by: parse(&r.try_get::<String, _>("updated_by")?)?,
                    updated_at: from_ts(r.try_get("updated_at")?)?,
                })
            })
            .collect()
    }
}

/// An invitation that is still usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub user_id: UserId,
    pub case_id: Option<CaseId>,
}

impl Tx {
    pub async fn insert_invitation(
        &mut self,
        token_hash: &str,
        user: UserId,
        case: Option<CaseId>,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO invitations (token_hash, user_id, case_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(user.to_string())
            .bind(case.map(|c| c.to_string()))
            .bind(ts(now))
            .bind(ts(expires))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Uses an invitation: it must exist, be unused and unexpired; it is spent at once.
    pub async fn use_invitation(
        &mut self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Invitation, StoreError> {
        let row = sqlx::query(
            "UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id, case_id",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Invitation {
            user_id: parse(&row.try_get::<String, _>("user_id")?)?,
            case_id: crate::codec::parse_opt(row.try_get("case_id")?)?,
        })
    }
}

impl Store {
    /// Whether an invitation is usable (for showing its page), without spending it.
    pub async fn invitation_usable(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(token_hash)
            .bind(ts(now))
            .fetch_one(self.pool())
            .await?;
        Ok(n == 1)
    }
}

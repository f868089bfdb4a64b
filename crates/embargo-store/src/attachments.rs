//! Files on a case. Their bytes are private forever.

use embargo_core::{Author, CaseId, MessageId, Private};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::codec::{from_ts, parse, parse_opt, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

/// A file about to be stored.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: uuid::Uuid,
    pub case_id: CaseId,
    pub message_id: Option<MessageId>,
    pub author: Author,
    /// Already sanitized by the caller (no paths).
    pub filename: String,
    pub content_type: String,
    pub data: Private<Vec<u8>>,
}

/// What lists show: everything but the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: uuid::Uuid,
    pub case_id: CaseId,
    pub message_id: Option<MessageId>,
    pub by_reporter: bool,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: Timestamp,
}

impl Tx {
    /// The bytes of every file on a case (its quota's use), read inside the writing
    /// transaction so two uploads cannot both squeeze under the quota.
    pub async fn attachment_bytes(&mut self, case_id: CaseId) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE case_id = $1",
        )
        .bind(case_id.to_string())
        .fetch_one(self.conn())
        .await?)
    }

    pub async fn insert_attachment(
        &mut self,
        a: &NewAttachment,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (kind, user) = match a.author {
            Author::Reporter => ("reporter", None),
            Author::User(u) => ("user", Some(u.to_string())),
            Author::System => ("system", None),
        };
        let bytes = a.data.reveal();
        sqlx::query(
            "INSERT INTO attachments (id, case_id, message_id, author_kind, author_user, filename, content_type, size, sha256, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(a.id.to_string())
        .bind(a.case_id.to_string())
        .bind(a.message_id.map(|m| m.to_string()))
        .bind(kind)
        .bind(user)
        .bind(&a.filename)
        .bind(&a.content_type)
        .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
        .bind(hex::encode(Sha256::digest(bytes)))
        .bind(bytes.as_slice())
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

const INFO_COLUMNS: &str =
    "id, case_id, message_id, author_kind, filename, content_type, size, sha256, created_at";

fn row_info(r: &sqlx::any::AnyRow) -> Result<AttachmentInfo, StoreError> {
    Ok(AttachmentInfo {
        id: parse(&r.try_get::<String, _>("id")?)?,
        case_id: parse(&r.try_get::<String, _>("case_id")?)?,
        message_id: parse_opt(r.try_get("message_id")?)?,
        by_reporter: r.try_get::<String, _>("author_kind")? == "reporter",
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_at: from_ts(r.try_get("created_at")?)?,
    })
}

impl Store {
    pub async fn attachments(&self, case_id: CaseId) -> Result<Vec<AttachmentInfo>, StoreError> {
        let sql = format!(
            "SELECT {INFO_COLUMNS} FROM attachments WHERE case_id = $1 ORDER BY created_at, filename, id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_info)
            .collect()
    }

    /// One attachment with its bytes, only if it belongs to `case_id`.
    pub async fn attachment(
        &self,
        case_id: CaseId,
        id: uuid::Uuid,
    ) -> Result<(AttachmentInfo, Private<Vec<u8>>), StoreError> {
        let sql =
            format!("SELECT {INFO_COLUMNS}, data FROM attachments WHERE case_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id.to_string())
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row_info(&row)?, Private::new(row.try_get("data")?)))
    }
}

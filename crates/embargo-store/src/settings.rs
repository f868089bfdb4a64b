//! Installation settings administrators change at run time, as JSON values.

use jiff::Timestamp;
use sqlx::Row;

use crate::codec::ts;
use crate::error::StoreError;
use crate::{Store, Tx};

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let row = sqlx::query(SETTING)
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        parse_setting(key, row)
    }
}

const SETTING: &str = "SELECT value FROM settings WHERE key = $1";

fn parse_setting(
    key: &str,
    row: Option<sqlx::any::AnyRow>,
) -> Result<Option<serde_json::Value>, StoreError> {
    row.map(|r| {
        let text: String = r.try_get("value")?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("setting {key}: {e}")))
    })
    .transpose()
}

impl Tx {
    /// A setting as this transaction sees it (the intake writer reads the policy on its own
    /// connection, instead of waiting for one of the pool's).
    pub async fn setting(&mut self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let row = sqlx::query(SETTING)
            .bind(key)
            .fetch_optional(self.conn())
            .await?;
        parse_setting(key, row)
    }

    pub async fn set_setting(
        &mut self,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value.to_string())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Disables (or re-enables) an account; its sessions and tokens stop working at once
    /// because every request checks the account.
    pub async fn set_disabled(
        &mut self,
        id: embargo_core::UserId,
        at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE people SET disabled_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(at.map(ts))
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

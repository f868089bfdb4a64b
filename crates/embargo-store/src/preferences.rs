//! Each person's own choices: the time zone their pages show times in, and which team
//! events also mail them personally.

use embargo_core::UserId;
use sqlx::Row;

use crate::error::StoreError;
use crate::{Store, Tx};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredPreferences {
    /// An IANA time zone name; `None` is UTC.
    pub time_zone: Option<String>,
    /// Job kinds of team notices that mail the person too.
    pub mail_events: Vec<String>,
}

impl Store {
    /// The person's time zone alone (every page asks; the mail choices only the account
    /// page and the worker need).
    pub async fn time_zone(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT time_zone FROM people WHERE id = $1")
            .bind(user.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("time_zone")?)
    }

    pub async fn preferences(&self, user: UserId) -> Result<StoredPreferences, StoreError> {
        let time_zone = self.time_zone(user).await?;
        let events =
            sqlx::query("SELECT event FROM mail_preferences WHERE user_id = $1 ORDER BY event")
                .bind(user.to_string())
                .fetch_all(self.pool())
                .await?;
        Ok(StoredPreferences {
            time_zone,
            mail_events: events
                .iter()
                .map(|r| r.try_get("event"))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The enabled people who asked to be mailed about `event`.
    pub async fn people_mailed_for(&self, event: &str) -> Result<Vec<UserId>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.user_id FROM mail_preferences m JOIN people p ON p.id = m.user_id \
             WHERE m.event = $1 AND p.disabled_at IS NULL ORDER BY m.user_id",
        )
        .bind(event)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| crate::codec::parse(&r.try_get::<String, _>("user_id")?))
            .collect()
    }
}

impl Tx {
    /// Replaces the person's choices.
    pub async fn set_preferences(
        &mut self,
        user: UserId,
        p: &StoredPreferences,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE people SET time_zone = $2 WHERE id = $1")
            .bind(user.to_string())
            .bind(p.time_zone.as_deref())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM mail_preferences WHERE user_id = $1")
            .bind(user.to_string())
            .execute(self.conn())
            .await?;
        for event in &p.mail_events {
            sqlx::query("INSERT INTO mail_preferences (user_id, event) VALUES ($1, $2)")
                .bind(user.to_string())
                .bind(event)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}

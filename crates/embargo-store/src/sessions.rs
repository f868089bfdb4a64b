//! Sign-in sessions, login throttling and API tokens.

use embargo_core::UserId;
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row;

use crate::codec::{from_ts, opt_ts, parse, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiTokenInfo {
    pub id: uuid::Uuid,
    /// Whose token it is.
    pub user_id: UserId,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    /// `None` only for tokens the operator issued without a lifetime.
    pub expires_at: Option<Timestamp>,
    pub revoked: bool,
}

impl ApiTokenInfo {
    /// Whether the token still opens the API at `now`.
    pub fn live(&self, now: Timestamp) -> bool {
        !self.revoked && self.expires_at.is_none_or(|e| e > now)
    }
}

const TOKEN_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, expires_at, revoked_at";

fn row_token(r: &sqlx::any::AnyRow) -> Result<ApiTokenInfo, StoreError> {
    Ok(ApiTokenInfo {
        id: parse(&r.try_get::<String, _>("id")?)?,
        user_id: parse(&r.try_get::<String, _>("user_id")?)?,
        name: r.try_get("name")?,
        created_at: from_ts(r.try_get("created_at")?)?,
        last_used_at: opt_ts(r.try_get("last_used_at")?)?,
        expires_at: opt_ts(r.try_get("expires_at")?)?,
        revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
    })
}

impl Tx {
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        s: &Session,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(token_hash)
        .bind(s.user_id.to_string())
        .bind(&s.csrf_token)
        .bind(ts(now))
        .bind(ts(s.expires_at))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Failures so far and the lock, for an e-mail key.
    pub async fn login_throttle(
        &mut self,
        email_key: &str,
    ) -> Result<(i64, Option<Timestamp>), StoreError> {
        let row =
            sqlx::query("SELECT failures, locked_until FROM login_throttle WHERE email_key = $1")
                .bind(email_key)
                .fetch_optional(self.conn())
                .await?;
        match row {
            Some(r) => Ok((r.try_get("failures")?, opt_ts(r.try_get("locked_until")?)?)),
            None => Ok((0, None)),
        }
    }

    pub async fn set_login_throttle(
        &mut self,
        email_key: &str,
        failures: i64,
        locked_until: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        if failures == 0 {
            sqlx::query("DELETE FROM login_throttle WHERE email_key = $1")
                .bind(email_key)
                .execute(self.conn())
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO login_throttle (email_key, failures, locked_until) VALUES ($1, $2, $3) \
             ON CONFLICT (email_key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until",
        )
        .bind(email_key)
        .bind(failures)
        .bind(locked_until.map(ts))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        id: uuid::Uuid,
        user: UserId,
        name: &str,
        token_hash: &str,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id.to_string())
            .bind(user.to_string())
            .bind(name)
            .bind(token_hash)
            .bind(ts(now))
            .bind(expires_at.map(ts))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Ends every session of `user` but the one whose token hash is `keep` (after a
    /// password change); returns how many ended.
    pub async fn end_other_sessions(
        &mut self,
        user: UserId,
        keep: &str,
    ) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user.to_string())
                .bind(keep)
                .execute(self.conn())
                .await?
                .rows_affected(),
        )
    }

    /// Revokes every live API token of `user`; returns how many.
    pub async fn revoke_all_api_tokens(
        &mut self,
        user: UserId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        Ok(sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(user.to_string())
        .bind(ts(now))
        .execute(self.conn())
        .await?
        .rows_affected())
    }
}

/// How often a session or an API token in use is marked so (`last_seen_at`,
/// `last_used_at`): once a minute, not at every request. Each mark is a write, and a
/// Coordinator's page or API read that writes waits for its turn behind the reports being
/// filed (`write_gate`); the account page shows the time to the minute anyway.
const MARKED_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_mins(1);

impl Store {
    /// Marks the session or token `token_hash` in use at `now` with `update` (its table's
    /// statement, `$1` the hash and `$2` the time), unless its mark made at `last` is
    /// younger than [`MARKED_EVERY`].
    async fn mark_in_use(
        &self,
        update: &'static str,
        token_hash: &str,
        last: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if last.is_some_and(|last| now.duration_since(last) < MARKED_EVERY) {
            return Ok(());
        }
        let _turn = self.write_turn().await;
        sqlx::query(update)
            .bind(token_hash)
            .bind(ts(now))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The live session with this token hash; expired sessions are removed on the way.
    pub async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Session, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let session = Session {
            user_id: parse(&row.try_get::<String, _>("user_id")?)?,
            csrf_token: row.try_get("csrf_token")?,
            expires_at: from_ts(row.try_get("expires_at")?)?,
        };
        if session.expires_at <= now {
            self.end_session(token_hash).await?;
            return Err(StoreError::NotFound);
        }
        self.mark_in_use(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
            token_hash,
            opt_ts(row.try_get("last_seen_at")?)?,
            now,
        )
        .await?;
        Ok(session)
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The owner of a live API token, marking it used (to the minute, see [`MARKED_EVERY`]).
    pub async fn api_token_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<UserId, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, last_used_at FROM api_tokens WHERE token_hash = $1 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        self.mark_in_use(
            "UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1",
            token_hash,
            opt_ts(row.try_get("last_used_at")?)?,
            now,
        )
        .await?;
        parse(&row.try_get::<String, _>("user_id")?)
    }

    /// One person's tokens (`Some`), or everyone's (`None`, for administrators), oldest
    /// first.
    pub async fn api_tokens(&self, user: Option<UserId>) -> Result<Vec<ApiTokenInfo>, StoreError> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE ($1 IS NULL OR user_id = $1) ORDER BY created_at, id"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.map(|u| u.to_string()))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_token)
            .collect()
    }

    /// Revokes a live token: `user`'s own (`Some`), or anyone's (`None`, administrators).
    pub async fn revoke_api_token(
        &self,
        user: Option<UserId>,
        id: uuid::Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND ($2 IS NULL OR user_id = $2) AND revoked_at IS NULL")
            .bind(id.to_string())
            .bind(user.map(|u| u.to_string()))
            .bind(ts(now))
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }
}

//! People with accounts.

use embargo_core::{DisplayName, Email, InstallationRoles, UserId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{flag, from_ts, opt_ts, parse, ts};
use crate::error::{StoreError, unique_as};
use crate::{Store, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub email: Email,
    pub display_name: DisplayName,
    pub roles: InstallationRoles,
    /// argon2id PHC string; `None` for people who cannot sign in with a password yet.
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

const PERSON_COLUMNS: &str =
    "id, email, display_name, is_coordinator, is_admin, password_hash, created_at, disabled_at";

fn row_person(r: &AnyRow) -> Result<Person, StoreError> {
    Ok(Person {
        id: parse(&r.try_get::<String, _>("id")?)?,
        email: Email::parse(&r.try_get::<String, _>("email")?)?,
        display_name: DisplayName::parse(&r.try_get::<String, _>("display_name")?)?,
        roles: InstallationRoles {
            coordinator: r.try_get::<i64, _>("is_coordinator")? != 0,
            admin: r.try_get::<i64, _>("is_admin")? != 0,
        },
        password_hash: r.try_get("password_hash")?,
        created_at: from_ts(r.try_get("created_at")?)?,
        disabled_at: opt_ts(r.try_get("disabled_at")?)?,
    })
}

fn email_key(email: &Email) -> String {
    email.as_ref().to_lowercase()
}

impl Tx {
    pub async fn insert_person(&mut self, p: &Person) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO people (id, email, email_key, display_name, is_coordinator, is_admin, password_hash, created_at, disabled_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.id.to_string())
        .bind(p.email.as_ref())
        .bind(email_key(&p.email))
        .bind(p.display_name.as_ref())
        .bind(flag(p.roles.coordinator))
        .bind(flag(p.roles.admin))
        .bind(p.password_hash.as_deref())
        .bind(ts(p.created_at))
        .bind(p.disabled_at.map(ts))
        .execute(self.conn())
        .await
        .map_err(unique_as("a person with this e-mail address already exists"))?;
        Ok(())
    }

    pub async fn person(&mut self, id: UserId) -> Result<Person, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        row_person(&row)
    }

    pub async fn person_by_email(&mut self, email: &Email) -> Result<Person, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE email_key = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email_key(email))
            .fetch_optional(self.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        row_person(&row)
    }

    pub async fn set_password_hash(&mut self, id: UserId, hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE people SET password_hash = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(hash)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The second-factor state of a person: (confirmed secret, pending secret, last step).
    pub async fn totp(
        &mut self,
        id: UserId,
    ) -> Result<(Option<String>, Option<String>, Option<i64>), StoreError> {
        let r = sqlx::query(
            "SELECT totp_secret, totp_pending, totp_last_step FROM people WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
        let secret = self.sealer.open_opt(
            r.try_get("totp_secret")?,
            &format!("people.totp_secret:{id}"),
        )?;
        let pending = self.sealer.open_opt(
            r.try_get("totp_pending")?,
            &format!("people.totp_pending:{id}"),
        )?;
        Ok((secret, pending, r.try_get("totp_last_step")?))
    }

    pub async fn set_totp(
        &mut self,
        id: UserId,
        secret: Option<&str>,
        pending: Option<&str>,
        last_step: Option<i64>,
    ) -> Result<(), StoreError> {
        let secret = self
            .sealer
            .seal_opt(secret, &format!("people.totp_secret:{id}"))?;
        let pending = self
            .sealer
            .seal_opt(pending, &format!("people.totp_pending:{id}"))?;
        sqlx::query("UPDATE people SET totp_secret = $2, totp_pending = $3, totp_last_step = $4 WHERE id = $1")
            .bind(id.to_string())
            .bind(secret)
            .bind(pending)
            .bind(last_step)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn count_admins(&mut self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT count(*) FROM people WHERE is_admin = 1 AND disabled_at IS NULL",
        )
        .fetch_one(self.conn())
        .await?)
    }
}

impl Store {
    pub async fn person(&self, id: UserId) -> Result<Person, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        row_person(&row)
    }

    pub async fn person_by_email(&self, email: &Email) -> Result<Person, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE email_key = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email_key(email))
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        row_person(&row)
    }

    pub async fn people(&self) -> Result<Vec<Person>, StoreError> {
        let sql = format!("SELECT {PERSON_COLUMNS} FROM people ORDER BY created_at, id");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(row_person)
            .collect()
    }
}

//! Secrets at rest: second-factor secrets and e-mail reply tokens are stored sealed
//! (AES-256-GCM) with a key kept outside the database, in the data directory's
//! `secrets.key` (owner-only). A copy of the database, or a backup made without
//! `--include-key`, does not reveal them. Each value is bound to its column and row (the
//! associated data), so a sealed value copied to another row does not open there.
//!
//! Stored form: `sealed:v1:` then hex of the 12-byte nonce followed by the ciphertext and
//! its tag. Values written before sealing existed are plain text; [`Store::unseal_with`]
//! seals them when it first opens the database with a key.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use crate::error::StoreError;

const PREFIX: &str = "sealed:v1:";

/// The key: 32 random bytes. Debug never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SealingKey([u8; 32]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey([redacted])")
    }
}

impl SealingKey {
    /// A new random key (`embargo init`, or the first start of an older installation).
    pub fn generate() -> Result<Self, StoreError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| StoreError::Refused(format!("no randomness for a key: {e}")))?;
        Ok(Self(key))
    }

    /// The key from its file's text (64 hex digits, surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self, StoreError> {
        let bytes = hex::decode(text.trim()).map_err(|_| bad_key())?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| bad_key())?;
        Ok(Self(key))
    }

    /// The text of the key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

fn bad_key() -> StoreError {
    StoreError::Refused("the secrets key must be 64 hexadecimal digits (32 bytes)".into())
}

/// Seals and opens values with the installation's key; `None` until a key is loaded.
#[derive(Clone, Default)]
pub(crate) struct Sealer(Option<Arc<Aes256Gcm>>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Sealer(key loaded)"
        } else {
            "Sealer(no key)"
        })
    }
}

fn no_key() -> StoreError {
    StoreError::Refused("the secrets key is not loaded (secrets.key in the data directory)".into())
}

impl Sealer {
    pub(crate) fn new(key: &SealingKey) -> Result<Self, StoreError> {
        let cipher = Aes256Gcm::new_from_slice(&key.0).map_err(|_| bad_key())?;
        Ok(Self(Some(Arc::new(cipher))))
    }

    /// Seals `plain` for the place `aad` names (e.g. `people.totp_secret:<id>`).
    pub(crate) fn seal(&self, plain: &str, aad: &str) -> Result<String, StoreError> {
        let cipher = self.0.as_ref().ok_or_else(no_key)?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::Refused(format!("no randomness for a nonce: {e}")))?;
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Corrupt("a value could not be sealed".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", hex::encode(bytes)))
    }

    /// Opens a stored value. A value from before sealing (no prefix) is returned as it
    /// is; a sealed value that does not open with this key and place is refused.
    pub(crate) fn open(&self, stored: &str, aad: &str) -> Result<String, StoreError> {
        let Some(hex_text) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let cipher = self.0.as_ref().ok_or_else(no_key)?;
        let bytes = hex::decode(hex_text)
            .map_err(|_| StoreError::Corrupt("a sealed value is not hexadecimal".into()))?;
        if bytes.len() < 12 {
            return Err(StoreError::Corrupt("a sealed value is too short".into()));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| StoreError::Corrupt("a sealed value is too short".into()))?;
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| {
                StoreError::Refused(
                    "a sealed value does not open with this installation's secrets key".into(),
                )
            })?;
        String::from_utf8(plain)
            .map_err(|_| StoreError::Corrupt("a sealed value is not text".into()))
    }

    pub(crate) fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// Seals an optional value.
    pub(crate) fn seal_opt(
        &self,
        plain: Option<&str>,
        aad: &str,
    ) -> Result<Option<String>, StoreError> {
        plain.map(|p| self.seal(p, aad)).transpose()
    }

    pub(crate) fn open_opt(
        &self,
        stored: Option<String>,
        aad: &str,
    ) -> Result<Option<String>, StoreError> {
        stored.map(|s| self.open(&s, aad)).transpose()
    }
}

/// The setting holding a sealed known value: a key that does not open it is not this
/// database's key.
const KEY_CHECK: &str = "secrets_key_check";
const KEY_CHECK_TEXT: &str = "embargo secrets key check";

impl crate::Store {
    /// Whether this database's secrets were sealed with some key already (a key that is
    /// not that one will be refused).
    pub async fn has_secrets_key(&self) -> Result<bool, StoreError> {
        Ok(self.setting(KEY_CHECK).await?.is_some())
    }

    /// Loads the installation's secrets key. The first time (a new database, or one from
    /// before sealing) it seals the second-factor secrets and reply tokens still stored in
    /// clear and records a check value, in one transaction; afterwards a different key is
    /// refused with a sentence, before anything is written with it. Opening an already
    /// sealed database reads one setting: no table is scanned at start-up.
    pub async fn unseal_with(mut self, key: &SealingKey) -> Result<Self, StoreError> {
        let sealer = Sealer::new(key)?;
        self.sealer = sealer.clone();
        match self.setting(KEY_CHECK).await? {
            Some(check) => verify_key(&sealer, &check)?,
            None => self.seal_for_the_first_time().await?,
        }
        Ok(self)
    }

    /// Seals what an older version stored in clear and records the check value, under the
    /// writer lock: of two instances starting at once, the second finds the check written.
    async fn seal_for_the_first_time(&self) -> Result<(), StoreError> {
        use sqlx::Row;
        let mut tx = self.begin().await?;
        let check: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(KEY_CHECK)
            .fetch_optional(tx.conn())
            .await?;
        if let Some(text) = check {
            let value = serde_json::from_str(&text)
                .map_err(|_| StoreError::Corrupt(format!("setting {KEY_CHECK}")))?;
            return verify_key(&self.sealer, &value);
        }
        let people = sqlx::query(
            "SELECT id, totp_secret, totp_pending FROM people \
             WHERE (totp_secret IS NOT NULL AND totp_secret NOT LIKE 'sealed:v1:%') \
                OR (totp_pending IS NOT NULL AND totp_pending NOT LIKE 'sealed:v1:%')",
        )
        .fetch_all(tx.conn())
        .await?;
        for row in &people {
            let id: String = row.try_get("id")?;
            let seal = |value: Option<String>, column: &str| match value {
                Some(v) if !Sealer::is_sealed(&v) => self
                    .sealer
                    .seal(&v, &format!("people.{column}:{id}"))
                    .map(Some),
                other => Ok(other),
            };
            let secret = seal(row.try_get("totp_secret")?, "totp_secret")?;
            let pending = seal(row.try_get("totp_pending")?, "totp_pending")?;
            sqlx::query("UPDATE people SET totp_secret = $2, totp_pending = $3 WHERE id = $1")
                .bind(&id)
                .bind(secret)
                .bind(pending)
                .execute(tx.conn())
                .await?;
        }
        let reports = sqlx::query(
            "SELECT case_id, reply_token FROM reports \
             WHERE reply_token IS NOT NULL AND reply_token NOT LIKE 'sealed:v1:%'",
        )
        .fetch_all(tx.conn())
        .await?;
        for row in &reports {
            let case_id: String = row.try_get("case_id")?;
            let token: String = row.try_get("reply_token")?;
            sqlx::query(
                "UPDATE reports SET reply_token = $2, reply_token_hash = $3 WHERE case_id = $1",
            )
            .bind(&case_id)
            .bind(
                self.sealer
                    .seal(&token, &format!("reports.reply_token:{case_id}"))?,
            )
            .bind(crate::token_keys::reply_token_key(&token))
            .execute(tx.conn())
            .await?;
        }
        tx.set_setting(
            KEY_CHECK,
            &serde_json::Value::String(self.sealer.seal(KEY_CHECK_TEXT, KEY_CHECK)?),
        )
        .await?;
        tx.commit().await?;
        if !people.is_empty() || !reports.is_empty() {
            tracing::info!(
                people = people.len(),
                reports = reports.len(),
                "sealed secrets stored in clear by an older version"
            );
        }
        Ok(())
    }
}

/// Refuses a key that does not open the database's check value.
fn verify_key(sealer: &Sealer, check: &serde_json::Value) -> Result<(), StoreError> {
    let serde_json::Value::String(check) = check else {
        return Err(StoreError::Corrupt(format!("setting {KEY_CHECK}")));
    };
    if sealer.open(check, KEY_CHECK).ok().as_deref() == Some(KEY_CHECK_TEXT) {
        Ok(())
    } else {
        Err(StoreError::Refused(
            "this secrets.key is not the key this database's secrets were sealed with: use the \
             secrets.key of the installation the database comes from (every instance sharing \
             a database needs the same one)"
                .into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_place() {
        let key = SealingKey::generate().unwrap();
        let sealer = Sealer::new(&key).unwrap();
        let stored = sealer
            .seal("JBSWY3DPEHPK3PXP", "people.totp_secret:1")
            .unwrap();
        assert!(stored.starts_with("sealed:v1:") && !stored.contains("JBSWY3DP"));
        assert_eq!(
            sealer.open(&stored, "people.totp_secret:1").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(
            sealer.open(&stored, "people.totp_secret:2").is_err(),
            "another row"
        );
        let other = Sealer::new(&SealingKey::generate().unwrap()).unwrap();
        assert!(
            other.open(&stored, "people.totp_secret:1").is_err(),
            "another key"
        );
        assert_eq!(sealer.open("legacy-plain", "x").unwrap(), "legacy-plain");
        assert!(
            Sealer::default().seal("x", "y").is_err(),
            "no key, no storing in clear"
        );
        let again = SealingKey::from_hex(&format!(" {}\n", key.to_hex())).unwrap();
        assert_eq!(
            Sealer::new(&again)
                .unwrap()
                .open(&stored, "people.totp_secret:1")
                .unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(SealingKey::from_hex("abc").is_err());
    }
}

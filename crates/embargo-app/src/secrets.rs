//! Randomness, passwords and secret links.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use embargo_core::ValueError;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Where randomness comes from. Production uses the operating system; tests may too (they
/// never depend on particular ids).
pub trait Random: Send + Sync + std::fmt::Debug {
    fn fill(&self, buf: &mut [u8]) -> Result<(), AppError>;

    /// The random part of a time-ordered id.
    fn bytes10(&self) -> Result<[u8; 10], AppError> {
        let mut b = [0; 10];
        self.fill(&mut b)?;
        Ok(b)
    }

    fn bytes16(&self) -> Result<[u8; 16], AppError> {
        let mut b = [0; 16];
        self.fill(&mut b)?;
        Ok(b)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), AppError> {
        getrandom::fill(buf).map_err(|e| AppError::Internal(format!("no randomness: {e}")))
    }
}

/// A secret link token: 256 random bits, hex. Only its SHA-256 is stored.
pub fn new_token(random: &dyn Random) -> Result<String, AppError> {
    let mut b = [0u8; 32];
    random.fill(&mut b)?;
    Ok(hex::encode(b))
}

/// A reporter's portal link token: the millisecond it was made, then 256 random bits, hex.
/// Only its key is stored (`embargo_store::portal_token_key`), which the time makes land
/// at the end of its index.
pub fn new_portal_token(random: &dyn Random, now: Timestamp) -> Result<String, AppError> {
    let mut b = [0u8; embargo_store::PORTAL_TOKEN_BYTES];
    random.fill(&mut b)?;
    Ok(embargo_store::time_led_token(now.as_millisecond(), &b))
}

/// An e-mail reply token: the millisecond it was made, then 96 random bits, as 32 hex
/// characters. It only lets mail be filed on a case (never read it), so it may travel in
/// subjects and addresses.
pub fn new_reply_token(random: &dyn Random, now: Timestamp) -> Result<String, AppError> {
    let mut b = [0u8; embargo_store::REPLY_TOKEN_BYTES];
    random.fill(&mut b)?;
    Ok(embargo_store::time_led_token(now.as_millisecond(), &b))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_BYTES: usize = 1024;

/// How many passwords are hashed or verified at once. Each takes ~19 MiB and a core for
/// tens of milliseconds: bounded, and never on the async runtime's threads, so a flood of
/// sign-ins or invitation posts cannot stall the pages, `/healthz` or the job runner.
const HASHERS: usize = 2;

/// Password hashing on the blocking pool, at most [`HASHERS`] at a time. Cloned with the
/// `App`: every clone shares the permits.
#[derive(Debug, Clone)]
pub(crate) struct Hasher {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(HASHERS)),
        }
    }
}

impl Hasher {
    /// [`hash_password`] off the runtime's threads.
    pub(crate) async fn hash(
        &self,
        password: &str,
        random: &dyn Random,
    ) -> Result<String, AppError> {
        check_password(password)?;
        let mut salt = [0u8; 16];
        random.fill(&mut salt)?;
        let password = password.to_string();
        self.run(move || hash_with_salt(&password, &salt)).await?
    }

    /// [`verify_password`] off the runtime's threads.
    pub(crate) async fn verify(&self, password: &str, phc: &str) -> Result<bool, AppError> {
        let (password, phc) = (password.to_string(), phc.to_string());
        self.run(move || verify_password(&password, &phc)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable("password hashing is shut down".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
    }
}

fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(ValueError::new(
            "password",
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::invalid(ValueError::new(
            "password",
            "is too long",
        )));
    }
    Ok(())
}

fn hash_with_salt(password: &str, salt: &[u8; 16]) -> Result<String, AppError> {
    let hash: PasswordHash = Argon2::default()
        .hash_password_with_salt(password.as_bytes(), salt)
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))?;
    Ok(hash.to_string())
}

/// argon2id with the crate's defaults (OWASP's recommended m=19 MiB, t=2, p=1). Blocking:
/// use cases go through [`Hasher`].
pub fn hash_password(password: &str, random: &dyn Random) -> Result<String, AppError> {
    check_password(password)?;
    let mut salt = [0u8; 16];
    random.fill(&mut salt)?;
    hash_with_salt(password, &salt)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod hasher_tests {
    #![allow(clippy::unwrap_used)] // test code
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// On a single-threaded runtime, work run inline could never overlap; through the
    /// hasher exactly `HASHERS` pieces overlap: it runs off the runtime, and bounded.
    #[tokio::test(flavor = "current_thread")]
    async fn hashing_runs_off_the_runtime_and_at_most_two_at_once() {
        let hasher = Hasher::default();
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs = (0..6).map(|_| {
            let (hasher, now, max) = (hasher.clone(), now.clone(), max.clone());
            async move {
                hasher
                    .run(move || {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        max.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .unwrap();
            }
        });
        let all: Vec<_> = jobs.map(tokio::spawn).collect();
        for job in all {
            job.await.unwrap();
        }
        assert_eq!(max.load(Ordering::SeqCst), HASHERS);
    }

    #[tokio::test]
    async fn the_hasher_hashes_and_verifies() {
        let hasher = Hasher::default();
        let phc = hasher
            .hash("correct horse battery", &OsRandom)
            .await
            .unwrap();
        assert!(hasher.verify("correct horse battery", &phc).await.unwrap());
        assert!(!hasher.verify("wrong horse battery!", &phc).await.unwrap());
        assert!(matches!(
            hasher.hash("short", &OsRandom).await,
            Err(AppError::Invalid(_))
        ));
    }
}

//! Randomness, passwords and secret links.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use embargo_core::ValueError;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Where randomness comes from. Production uses the operating system; tests may too (they
/// never depend on particular ids).
pub trait Random: Send + Sync + std::fmt::Debug {
    fn fill(&self, buf: &mut [u8]) -> Result<(), AppError>;

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

/// An e-mail reply token: 96 random bits as 24 hex characters. It only lets mail be filed
/// on a case (never read it), so it may travel in subjects and addresses.
pub fn new_reply_token(random: &dyn Random) -> Result<String, AppError> {
    let mut b = [0u8; 12];
    random.fill(&mut b)?;
    Ok(hex::encode(b))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_BYTES: usize = 1024;

/// argon2id with the crate's defaults (OWASP's recommended m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str, random: &dyn Random) -> Result<String, AppError> {
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
    let mut salt = [0u8; 16];
    random.fill(&mut salt)?;
    let hash: PasswordHash = Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))?;
    Ok(hash.to_string())
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

//! Signing in: passwords (argon2id), sessions, failed-login backoff, API tokens.
//!
//! Unknown addresses and wrong passwords answer the same, after the same work: an unknown
//! address is checked against a fixed dummy hash, so timing tells nothing either.

use embargo_core::{Email, UserId, ValueError};
use embargo_store::{Session, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;
use crate::secrets::{new_token, token_hash};
use crate::totp;

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// Failed sign-ins allowed before the address is locked; each further failure doubles
/// the lock, starting at this many minutes, up to a day.
pub const FREE_FAILURES: i64 = 5;
const FIRST_LOCK_MINUTES: i64 = 5;

/// What a successful sign-in hands the browser.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: UserId,
    /// The cookie's value; only its hash is stored.
    pub session_token: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// A live session, as the web layer sees it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub principal: Principal,
    pub user_id: UserId,
    pub display_name: String,
    pub csrf_token: String,
    /// The zone the person's pages show times in.
    pub time_zone: embargo_core::TimeZoneName,
}

const WRONG: &str = "wrong e-mail address, password or code";

fn lock_for(failures: i64) -> SignedDuration {
    let doublings = (failures - FREE_FAILURES).clamp(0, 10);
    SignedDuration::from_mins((FIRST_LOCK_MINUTES << doublings).min(24 * 60))
}

impl App {
    /// Signs in with a password, and the current code when the account has a second factor.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        code: Option<&str>,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        let key = email.trim().to_lowercase();
        // Read first, hash outside any transaction: a write transaction is the one writer
        // of the whole installation, and argon2 takes tens of milliseconds.
        let mut read = self.store.begin_read().await?;
        let (_, locked_until) = read.login_throttle(&key).await?;
        refuse_while_locked(
            locked_until,
            now,
            "too many failed sign-ins for this address",
        )?;
        let person = match Email::parse(email) {
            Ok(e) => match read.person_by_email(&e).await {
                Ok(p) if p.disabled_at.is_none() => Some(p),
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            Err(_) => None,
        };
        drop(read);
        let hash = person.as_ref().and_then(|p| p.password_hash.clone());
        let ok = self
            .hasher
            .verify(password, hash.as_deref().unwrap_or(self.dummy_hash()))
            .await?;
        let mut tx = self.store.begin().await?;
        // Counted now, in the writing transaction: concurrent failures all count.
        let (failures, _) = tx.login_throttle(&key).await?;
        // The second factor, when the account has one; a code is good once.
        let second = match person.as_ref().filter(|_| ok && hash.is_some()) {
            Some(p) => {
                let (secret, _, last) = tx.totp(p.id).await?;
                match secret {
                    None => Ok(None),
                    Some(secret) => {
                        let step = totp::base32_decode(&secret)
                            .and_then(|s| totp::verify(&s, code.unwrap_or(""), now));
                        match step {
                            Some(step) if last.is_none_or(|l| step > l) => Ok(Some((secret, step))),
                            _ => Err(()),
                        }
                    }
                }
            }
            None => Err(()),
        };
        let Some(person) = person.filter(|_| ok && hash.is_some() && second.is_ok()) else {
            let failures = failures + 1;
            let lock = (failures >= FREE_FAILURES).then(|| now + lock_for(failures));
            tx.set_login_throttle(&key, failures, lock).await?;
            self.audit(
                &mut tx,
                Principal::System,
                None,
                "login_failed",
                json!({"failures": failures}),
                now,
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::Rule {
                code: "login_failed",
                message: WRONG.into(),
            });
        };
        tx.set_login_throttle(&key, 0, None).await?;
        if let Ok(Some((secret, step))) = &second {
            tx.set_totp(person.id, Some(secret), None, Some(*step))
                .await?;
        }
        self.audit(
            &mut tx,
            Principal::User(person.id),
            None,
            "login",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.start_session(person.id, now).await
    }

    /// A fixed argon2id hash for addresses without an account (see the module comment).
    fn dummy_hash(&self) -> &'static str {
        "$argon2id$v=19$m=19456,t=2,p=1$ZW1iYXJnby1kdW1teQ$zKzM5P3wXr4l0m7gJ2Cj6iXGJ9yqQ3W7S0kq5v7y8cA"
    }

    /// A new session for `user` (after a sign-in or an accepted invitation).
    pub(crate) async fn start_session(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        let session_token = new_token(self.random.as_ref())?;
        let csrf_token = new_token(self.random.as_ref())?;
        let expires_at = now + SESSION_LIFETIME;
        let session = Session {
            user_id: user,
            csrf_token: csrf_token.clone(),
            expires_at,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_session(&token_hash(&session_token), &session, now)
            .await?;
        tx.commit().await?;
        Ok(SignedIn {
            user_id: user,
            session_token,
            csrf_token,
            expires_at,
        })
    }

    /// The session behind a cookie, or "not found" (expired, signed out, disabled account).
    pub async fn session(
        &self,
        session_token: &str,
        now: Timestamp,
    ) -> Result<SessionInfo, AppError> {
        let s = self.store.session(&token_hash(session_token), now).await?;
        let person = self.store.person(s.user_id).await?;
        if person.disabled_at.is_some() {
            return Err(AppError::NotFound);
        }
        let time_zone = self.time_zone_of(s.user_id).await?;
        Ok(SessionInfo {
            principal: Principal::User(s.user_id),
            user_id: s.user_id,
            display_name: person.display_name.to_string(),
            csrf_token: s.csrf_token,
            time_zone,
        })
    }

    /// A fresh random token for a form that has no session yet (the sign-in form's CSRF
    /// token, checked against a cookie holding the same value).
    pub fn new_form_token(&self) -> Result<String, AppError> {
        new_token(self.random.as_ref())
    }

    pub async fn logout(&self, session_token: &str) -> Result<(), AppError> {
        Ok(self.store.end_session(&token_hash(session_token)).await?)
    }

    /// Sets another person's password (an administrator, or the operator). People change
    /// their own with [`App::change_password`], which asks for the current one.
    pub async fn set_password(
        &self,
        principal: Principal,
        user: UserId,
        password: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if principal == Principal::User(user) {
            return Err(AppError::Forbidden(
                "change your own password with your current one".into(),
            ));
        }
        self.require_admin(principal).await?;
        let hash = self.hasher.hash(password, self.random.as_ref()).await?;
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(user, &hash).await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "set_password",
            json!({"user": user}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What a signed-in person types to prove again that they are themself before a change
/// that outlives the session (a new password, a token, turning two-factor sign-in off).
#[derive(Clone, Default)]
pub struct Proof {
    pub password: String,
    /// The current code, when two-factor sign-in is on.
    pub code: Option<String>,
}

impl std::fmt::Debug for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Proof([redacted])")
    }
}

/// What a password change also did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChanged {
    /// The person's other sessions, ended.
    pub sessions_ended: u64,
    /// Their API tokens, revoked (when they asked for it).
    pub tokens_revoked: u64,
}

impl App {
    /// Checks `proof` for `user`: the current password, and a fresh code when two-factor
    /// sign-in is on. Wrong answers count and lock like sign-in failures, so a stolen
    /// session cannot be used to guess the password.
    pub(crate) async fn confirm_identity(
        &self,
        user: UserId,
        proof: &Proof,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let key = format!("reauth:{user}");
        let mut read = self.store.begin_read().await?;
        let (_, locked_until) = read.login_throttle(&key).await?;
        refuse_while_locked(locked_until, now, "too many wrong passwords or codes")?;
        let (secret, _, last) = read.totp(user).await?;
        drop(read);
        let hash = self.store.person(user).await?.password_hash;
        let password_ok = self
            .hasher
            .verify(
                &proof.password,
                hash.as_deref().unwrap_or(self.dummy_hash()),
            )
            .await?
            && hash.is_some();
        let step = match &secret {
            None => Ok(None),
            Some(secret) => totp::base32_decode(secret)
                .and_then(|s| totp::verify(&s, proof.code.as_deref().unwrap_or(""), now))
                .filter(|step| last.is_none_or(|l| *step > l))
                .map(Some)
                .ok_or(()),
        };
        let mut tx = self.store.begin().await?;
        let (failures, _) = tx.login_throttle(&key).await?;
        let Ok(step) = step.and_then(|s| if password_ok { Ok(s) } else { Err(()) }) else {
            let failures = failures + 1;
            let lock = (failures >= FREE_FAILURES).then(|| now + lock_for(failures));
            tx.set_login_throttle(&key, failures, lock).await?;
            self.audit(
                &mut tx,
                Principal::User(user),
                None,
                "confirm_identity_failed",
                json!({"failures": failures}),
                now,
            )
            .await?;
            tx.commit().await?;
            let what = if secret.is_some() {
                "current password or code"
            } else {
                "current password"
            };
            return Err(AppError::invalid(ValueError::new(what, "is wrong")));
        };
        tx.set_login_throttle(&key, 0, None).await?;
        if let (Some(step), Some(secret)) = (step, &secret) {
            tx.set_totp(user, Some(secret), None, Some(step)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A person changes their own password, proving who they are first. Every other
    /// session of theirs ends (whoever else was signed in as them is out), and their API
    /// tokens are revoked when they ask for it.
    pub async fn change_password(
        &self,
        principal: Principal,
        proof: &Proof,
        new_password: &str,
        current_session: &str,
        revoke_tokens: bool,
        now: Timestamp,
    ) -> Result<PasswordChanged, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        self.confirm_identity(user, proof, now).await?;
        let hash = self.hasher.hash(new_password, self.random.as_ref()).await?;
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(user, &hash).await?;
        let sessions_ended = tx
            .end_other_sessions(user, &token_hash(current_session))
            .await?;
        let tokens_revoked = if revoke_tokens {
            tx.revoke_all_api_tokens(user, now).await?
        } else {
            0
        };
        self.audit(
            &mut tx,
            principal,
            None,
            "change_password",
            json!({"sessions_ended": sessions_ended, "tokens_revoked": tokens_revoked}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(PasswordChanged {
            sessions_ended,
            tokens_revoked,
        })
    }
}

/// A second factor being set up: the secret to type or import into an authenticator.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

impl App {
    /// Starts setting up a second factor (it is on only once a code confirms it).
    pub async fn start_totp(
        &self,
        principal: Principal,
        issuer: &str,
        now: Timestamp,
    ) -> Result<TotpSetup, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let person = self.store.person(user).await?;
        let mut secret = [0u8; 20];
        self.random.fill(&mut secret)?;
        let encoded = totp::base32(&secret);
        let mut tx = self.store.begin().await?;
        let (current, _, last) = tx.totp(user).await?;
        tx.set_totp(user, current.as_deref(), Some(&encoded), last)
            .await?;
        self.audit(&mut tx, principal, None, "start_totp", json!({}), now)
            .await?;
        tx.commit().await?;
        Ok(TotpSetup {
            otpauth_uri: totp::otpauth_uri(issuer, person.email.as_ref(), &secret),
            secret_base32: encoded,
        })
    }

    /// Turns the second factor on with a code from the authenticator.
    pub async fn confirm_totp(
        &self,
        principal: Principal,
        code: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let mut tx = self.store.begin().await?;
        let failures = code_attempts(&mut tx, user, now).await?;
        let (_, pending, _) = tx.totp(user).await?;
        let pending = pending.ok_or_else(|| {
            AppError::invalid(ValueError::new("two-factor setup", "was not started"))
        })?;
        let Some(step) = totp::base32_decode(&pending).and_then(|s| totp::verify(&s, code, now))
        else {
            self.code_failed(tx, principal, failures, now).await?;
            return Err(AppError::invalid(ValueError::new(
                "code",
                "does not match: check the time on your device",
            )));
        };
        tx.set_login_throttle(&code_key(user), 0, None).await?;
        tx.set_totp(user, Some(&pending), None, Some(step)).await?;
        self.audit(&mut tx, principal, None, "enable_totp", json!({}), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns the second factor off: needs the current password (see
    /// [`App::confirm_identity`]) and a current code.
    pub async fn disable_totp(
        &self,
        principal: Principal,
        password: &str,
        code: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let proof = Proof {
            password: password.to_string(),
            code: Some(code.to_string()),
        };
        self.confirm_identity(user, &proof, now).await?;
        let mut tx = self.store.begin().await?;
        tx.set_totp(user, None, None, None).await?;
        self.audit(&mut tx, principal, None, "disable_totp", json!({}), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts a wrong code on the account page (and locks further attempts like sign-in
    /// does), committing that even though the action itself is refused.
    async fn code_failed(
        &self,
        mut tx: embargo_store::Tx,
        principal: Principal,
        failures: i64,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let failures = failures + 1;
        let lock = (failures >= FREE_FAILURES).then(|| now + lock_for(failures));
        tx.set_login_throttle(&code_key(user), failures, lock)
            .await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "totp_code_failed",
            json!({"failures": failures}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the principal's account has a second factor.
    pub async fn has_totp(&self, principal: Principal) -> Result<bool, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let mut tx = self.store.begin_read().await?;
        let (secret, _, _) = tx.totp(user).await?;
        tx.rollback().await?;
        Ok(secret.is_some())
    }
}

/// The throttle key of a person's two-factor codes on the account page (an e-mail address
/// never starts like this).
fn code_key(user: UserId) -> String {
    format!("totp:{user}")
}

/// Refuses while the person's code attempts are locked; else the failures so far.
async fn code_attempts(
    tx: &mut embargo_store::Tx,
    user: UserId,
    now: Timestamp,
) -> Result<i64, AppError> {
    let (failures, locked_until) = tx.login_throttle(&code_key(user)).await?;
    refuse_while_locked(locked_until, now, "too many wrong codes")?;
    Ok(failures)
}

/// Refuses while a throttle's lock lasts, saying why and for how many more minutes.
fn refuse_while_locked(
    locked_until: Option<Timestamp>,
    now: Timestamp,
    why: &str,
) -> Result<(), AppError> {
    match locked_until.filter(|u| *u > now) {
        Some(until) => {
            let minutes = (until.duration_since(now).as_secs() + 59) / 60;
            Err(AppError::Rule {
                code: "locked",
                message: format!("{why}; try again in {minutes} minutes"),
            })
        }
        None => Ok(()),
    }
}

/// The code an authenticator would show at `now` (for tests and the CLI).
pub fn current_code(secret_base32: &str, now: Timestamp) -> Option<String> {
    let secret = totp::base32_decode(secret_base32)?;
    Some(format!(
        "{:06}",
        totp::hotp(&secret, u64::try_from(totp::step_of(now)).ok()?)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_a_day() {
        let m = |f| lock_for(f).as_secs() / 60;
        assert_eq!([m(5), m(6), m(7), m(15)], [5, 10, 20, 1440]);
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2id_hash() {
        // If it did not parse, unknown addresses would be rejected faster than known ones.
        use argon2::password_hash::phc::PasswordHash;
        let h = "$argon2id$v=19$m=19456,t=2,p=1$ZW1iYXJnby1kdW1teQ$zKzM5P3wXr4l0m7gJ2Cj6iXGJ9yqQ3W7S0kq5v7y8cA";
        assert!(PasswordHash::new(h).is_ok());
    }
}

//! API tokens (`Authorization: Bearer emb_...`): created by their owner (who proves who
//! they are again), issued by an administrator or the operator, listed and revoked; each
//! expires, 90 days after creation unless another lifetime was chosen.

use embargo_core::UserId;
use embargo_store::ApiTokenInfo;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::App;
use crate::accounts::Proof;
use crate::error::AppError;
use crate::principal::Principal;
use crate::secrets::{new_token, token_hash};

/// A token's lifetime unless another is chosen.
pub const DEFAULT_TOKEN_DAYS: u16 = 90;
/// The longest lifetime a person may choose.
pub const MAX_TOKEN_DAYS: u16 = 366;

impl App {
    /// A new API token for the principal's own account, living `days` days; shown once.
    /// Whoever holds the session must prove again that they are its owner (password, and a
    /// code when two-factor sign-in is on): a token outlives the session.
    pub async fn create_api_token(
        &self,
        principal: Principal,
        name: &str,
        days: u16,
        proof: &Proof,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        self.confirm_identity(user, proof, now).await?;
        self.issue_api_token(principal, user, name, Some(days), now)
            .await
    }

    /// A new API token for `user`, issued by themself (after [`App::create_api_token`]'s
    /// check), an admin, or the operator. `None` days: no expiry, for the operator only.
    pub async fn issue_api_token(
        &self,
        principal: Principal,
        user: UserId,
        name: &str,
        days: Option<u16>,
        now: Timestamp,
    ) -> Result<String, AppError> {
        if principal != Principal::User(user) {
            self.require_admin(principal).await?;
        }
        if days.is_none() && principal != Principal::Operator {
            return Err(AppError::Forbidden(
                "only the operator issues tokens without an expiry".into(),
            ));
        }
        if let Some(d) = days
            && !(1..=MAX_TOKEN_DAYS).contains(&d)
        {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "expires in",
                format!("must be 1 to {MAX_TOKEN_DAYS} days"),
            )));
        }
        let person = self.store.person(user).await?;
        if person.disabled_at.is_some() {
            return Err(AppError::NotFound);
        }
        let name = embargo_core::one_line("token name", name, 100).map_err(AppError::invalid)?;
        let expires_at = days.map(|d| now + SignedDuration::from_hours(24 * i64::from(d)));
        let token = format!("emb_{}", new_token(self.random.as_ref())?);
        let id = uuid::Builder::from_random_bytes(self.random.bytes16()?).into_uuid();
        let mut tx = self.store.begin().await?;
        tx.insert_api_token(id, user, &name, &token_hash(&token), expires_at, now)
            .await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "create_api_token",
            json!({"token": id, "user": user, "expires_at": expires_at.map(|t| t.to_string())}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The principal behind an API token (`Authorization: Bearer ...`): live tokens only
    /// (not revoked, not expired), of people not disabled. Marks the token used.
    pub async fn api_principal(&self, token: &str, now: Timestamp) -> Result<Principal, AppError> {
        let user = self.store.api_token_user(&token_hash(token), now).await?;
        let person = self.store.person(user).await?;
        if person.disabled_at.is_some() {
            return Err(AppError::NotFound);
        }
        Ok(Principal::User(user))
    }

    /// The principal's own tokens.
    pub async fn api_tokens(&self, principal: Principal) -> Result<Vec<ApiTokenInfo>, AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        Ok(self.store.api_tokens(Some(user)).await?)
    }

    /// Every token of the installation, for administrators.
    pub async fn all_api_tokens(
        &self,
        principal: Principal,
    ) -> Result<Vec<ApiTokenInfo>, AppError> {
        self.require_admin(principal).await?;
        Ok(self.store.api_tokens(None).await?)
    }

    /// Revokes a token: the owner their own, an administrator anyone's. Audited.
    pub async fn revoke_api_token(
        &self,
        principal: Principal,
        id: uuid::Uuid,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        let owner_only = match self.require_admin(principal).await {
            Ok(()) => None,
            Err(_) => Some(user),
        };
        self.store.revoke_api_token(owner_only, id, now).await?;
        let mut tx = self.store.begin().await?;
        self.audit(
            &mut tx,
            principal,
            None,
            "revoke_api_token",
            json!({"token": id}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

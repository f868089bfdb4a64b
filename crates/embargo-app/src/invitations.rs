//! Inviting outside collaborators: a one-time link, mailed by the worker, lets them set a
//! password; they then see only the cases they are on.

use embargo_core::{CaseId, UserId};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::App;
use crate::accounts::SignedIn;
use crate::error::AppError;
use crate::principal::Principal;
use crate::secrets::{new_token, token_hash};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 7);

/// What the worker mails to an invited collaborator.
#[derive(Debug, Clone)]
pub struct InvitationMail {
    pub email: embargo_core::Email,
    pub name: String,
    pub token: String,
    pub case_id: Option<CaseId>,
}

impl App {
    /// Issues the invitation link to mail now (system only: the worker). The link exists
    /// only in the mail; its hash is stored.
    pub async fn issue_invitation(
        &self,
        user: UserId,
        case_id: Option<CaseId>,
        now: Timestamp,
    ) -> Result<InvitationMail, AppError> {
        let person = self.store.person(user).await?;
        let token = new_token(self.random.as_ref())?;
        let mut tx = self.store.begin().await?;
        tx.insert_invitation(
            &token_hash(&token),
            user,
            case_id,
            now,
            now + INVITATION_LIFETIME,
        )
        .await?;
        self.audit(
            &mut tx,
            Principal::System,
            case_id,
            "issue_invitation",
            json!({"user": user}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(InvitationMail {
            email: person.email,
            name: person.display_name.to_string(),
            token,
            case_id,
        })
    }

    pub async fn invitation_usable(&self, token: &str, now: Timestamp) -> Result<bool, AppError> {
        Ok(self
            .store
            .invitation_usable(&token_hash(token), now)
            .await?)
    }

    /// Accepts an invitation: sets the password and signs in. The link is spent.
    pub async fn accept_invitation(
        &self,
        token: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<SignedIn, AppError> {
        // The link first: a stranger posting to random links must not make us hash.
        if !self
            .store
            .invitation_usable(&token_hash(token), now)
            .await?
        {
            return Err(AppError::NotFound);
        }
        let hash = self.hasher.hash(password, self.random.as_ref()).await?;
        let mut tx = self.store.begin().await?;
        let invitation = tx.use_invitation(&token_hash(token), now).await?;
        tx.set_password_hash(invitation.user_id, &hash).await?;
        let principal = Principal::User(invitation.user_id);
        self.audit(
            &mut tx,
            principal,
            invitation.case_id,
            "accept_invitation",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        self.start_session(invitation.user_id, now).await
    }
}

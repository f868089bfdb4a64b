//! The reporter's side after filing: credit choice, the secret link (revoke, re-send).

use embargo_core::{Author, CaseId, CreditPreference, Email, Private, Visibility};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};
use crate::record::{Draft, jobs};
use crate::secrets::new_portal_token;
use embargo_store::portal_token_key;

/// Links mailed per case and day on request ("I lost my link").
pub const LOST_LINKS_PER_DAY: i64 = 3;

impl App {
    /// The reporter chooses how to be credited on the advisory. The approved preview froze
    /// the credit it showed: a change gives the advisory draft a new revision, so it needs a
    /// new approval before it is published, and the team is told on the case.
    pub async fn set_credit(
        &self,
        principal: Principal,
        case_id: CaseId,
        credit: CreditPreference,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if principal != Principal::Reporter(case_id) {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin().await?;
        tx.case(case_id).await?;
        let (before, _) = tx.reporter_credit_in(case_id).await?;
        tx.set_credit(case_id, &credit).await?;
        let approval_withdrawn = before != credit && tx.revise_for_credit(case_id).await?;
        if approval_withdrawn {
            let body = "The reporter changed how they want to be credited. The approval of the \
                        publication preview is withdrawn: review the preview and approve it again \
                        before publication.";
            let draft = Draft {
                case_id,
                author: Author::System,
                visibility: Visibility::Internal,
                notice: Some("credit_changed"),
                body: Private::new(body.to_string()),
            };
            self.store_message(&mut tx, draft, now).await?;
        }
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "set_credit",
            json!({"kind": credit.kind(), "approval_withdrawn": approval_withdrawn}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues a new secret link; the old one stops working at once. The reporter may revoke
    /// their own link; the case's Coordinator may, e.g. when a link leaked.
    pub async fn rotate_portal_link(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let mut tx = self.store.begin().await?;
        let case = tx.case(case_id).await?;
        let actor = actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let roles = embargo_core::RolesOnCase::of(&actor, &case);
        if !(roles.reporter || roles.coordinator) {
            return Err(if roles.any() {
                AppError::Forbidden(
                    "the reporter's link is managed by the reporter or the Coordinator".into(),
                )
            } else {
                AppError::NotFound
            });
        }
        let token = new_portal_token(self.random.as_ref(), now)?;
        tx.rotate_portal_token(case_id, &portal_token_key(&token), now)
            .await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "rotate_portal_link",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// "I lost my link": e-mails an extra link for every case reported from `email` (the
    /// reporter's other links keep working: knowing an address must not log its owner
    /// out). At most [`LOST_LINKS_PER_DAY`] mails per case a day, so the form cannot flood
    /// a mailbox. Always answers the same, so the form tells nobody whether an address
    /// reported anything, or was limited. The worker issues the link when it sends the
    /// mail, so no usable link is stored.
    pub async fn request_portal_links(&self, email: &str, now: Timestamp) -> Result<(), AppError> {
        let Ok(email) = Email::parse(email) else {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "e-mail address",
                "is not valid",
            )));
        };
        let cases = self.store.cases_reported_by(&email).await?;
        if cases.is_empty() {
            return Ok(());
        }
        let since = now - jiff::SignedDuration::from_hours(24);
        let mut tx = self.store.begin().await?;
        for case_id in cases {
            let recent = self
                .store
                .jobs_enqueued_since(jobs::SEND_PORTAL_LINK, case_id, since)
                .await?;
            if recent >= LOST_LINKS_PER_DAY {
                continue;
            }
            self.enqueue(&mut tx, JobSpec::SendPortalLink { case_id }, now, now)
                .await?;
            self.audit(
                &mut tx,
                Principal::Reporter(case_id),
                Some(case_id),
                "request_portal_link",
                json!({}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

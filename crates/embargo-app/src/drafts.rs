//! Policy step 14: the Developer and the Coordinator draft the blog post and announcement
//! texts, in private, before publication.

use embargo_core::{CaseId, RequiredText, RolesOnCase, ValueError};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};

pub const DRAFT_KINDS: [&str; 2] = ["blog_post", "announcement"];

impl App {
    pub async fn save_draft(
        &self,
        principal: Principal,
        case_id: CaseId,
        kind: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if !DRAFT_KINDS.contains(&kind) {
            return Err(AppError::invalid(ValueError::new(
                "draft",
                "is a blog_post or an announcement",
            )));
        }
        let body = RequiredText::parse(body)
            .map_err(|e| AppError::invalid(ValueError::new("draft", e.why)))?;
        let mut tx = self.store.begin().await?;
        let case = tx.case(case_id).await?;
        let actor = actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let roles = RolesOnCase::of(&actor, &case);
        let Principal::User(user) = principal else {
            return Err(AppError::NotFound);
        };
        if !roles.team() {
            return Err(if roles.any() {
                AppError::Forbidden("drafts are written by the case's team".into())
            } else {
                AppError::NotFound
            });
        }
        if !case.state.is_in_remediation() {
            return Err(AppError::Rule {
                code: "illegal_transition",
                message: format!(
                    "drafts are written while the case is accepted and not yet public (it is {})",
                    case.state
                ),
            });
        }
        tx.save_draft(case_id, kind, body.as_ref(), user, now)
            .await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "save_draft",
            json!({"kind": kind}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

//! Writing on a case: the reporter's thread and the team's internal comments.

use embargo_core::{
    Author, CaseId, CaseState, Command, MessageId, Private, RequiredText, RolesOnCase, Visibility,
};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::{Principal, actor_on_case};
use crate::record::Draft;
use crate::uploads::{Upload, check_uploads};

impl App {
    /// Posts a message. The reporter always writes to their thread; the team writes to the
    /// reporter or internally. A reporter's answer to a request for information puts the
    /// case back into triage, in the same transaction.
    pub async fn post_message(
        &self,
        principal: Principal,
        case_id: CaseId,
        visibility: Visibility,
        body: &str,
        attachments: Vec<Upload>,
        now: Timestamp,
    ) -> Result<MessageId, AppError> {
        check_uploads(&attachments)?;
        let body = RequiredText::parse(body)
            .map_err(|e| AppError::invalid(embargo_core::ValueError::new("message", e.why)))?;
        let mut tx = self.store.begin().await?;
        let case = tx.case(case_id).await?;
        let actor = actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let roles = RolesOnCase::of(&actor, &case);
        let author = match principal {
            Principal::User(id) if roles.team() => Author::User(id),
            Principal::Reporter(_) if roles.reporter => Author::Reporter,
            _ => return Err(AppError::NotFound),
        };
        if author == Author::Reporter && visibility == Visibility::Internal {
            return Err(AppError::Forbidden(
                "reporters write to their own thread only".into(),
            ));
        }
        if matches!(case.state, CaseState::Closed { .. }) && author == Author::Reporter {
            return Err(AppError::Rule {
                code: "illegal_transition",
                message: "this case is closed; send a new report if something changed".into(),
            });
        }
        if author == Author::Reporter {
            self.check_reporter_rate(&mut tx, case_id, now).await?;
        }
        let draft = Draft {
            case_id,
            author,
            visibility,
            notice: None,
            body: Private::new(body.to_string()),
        };
        let id = self.store_message(&mut tx, draft, now).await?;
        let files = self
            .store_uploads(&mut tx, case_id, Some(id), author, attachments, now)
            .await?;
        let mut events = Vec::new();
        if author == Author::Reporter && case.state == CaseState::AwaitingReporter {
            let t = embargo_core::transition(&case, &Command::ReporterReplied, &actor, now)
                .map_err(|e| AppError::from_domain(e, true))?;
            tx.update_case(&t.case).await?;
            events = self
                .record_events(&mut tx, case_id, author, &t.events, None, now)
                .await?;
        }
        let detail = json!({
            "message_id": id,
            "visibility": match visibility { Visibility::Reporter => "reporter", Visibility::Internal => "internal" },
            "events": events,
            "attachments": files,
        });
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "post_message",
            detail,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

impl App {
    /// Refuses a reporter's post past `reporter_posts_per_hour` on this case (portal and
    /// e-mail alike), saying when the next one will be taken.
    async fn check_reporter_rate(
        &self,
        tx: &mut embargo_store::Tx,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let hour = jiff::SignedDuration::from_hours(1);
        let (count, first) = tx.reporter_messages_since(case_id, now - hour).await?;
        if count < self.limits.reporter_posts_per_hour {
            return Ok(());
        }
        let retry_after_secs = first
            .map(|f| (f + hour).duration_since(now).as_secs().max(1))
            .unwrap_or(3600);
        Err(AppError::TooMany {
            message: format!(
                "this case has {count} messages from you in the last hour, the most it takes; \
                 please wait {} minutes, or put more in one message",
                (retry_after_secs + 59) / 60
            ),
            retry_after_secs,
        })
    }
}

//! What the worker reads to deliver side effects. Only the system principal gets these:
//! they hand out the reporter's address and the text of messages meant for them.

use embargo_core::{CaseId, Email, MessageId, Visibility};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::error::AppError;
use crate::principal::Principal;
use crate::secrets::{new_token, token_hash};

/// Where mail to a case's reporter goes, and how.
#[derive(Debug, Clone)]
pub struct ReporterAddress {
    pub case_id: CaseId,
    pub email: Email,
    pub name: String,
    /// Mail to them is encrypted to this key when they gave one.
    pub openpgp_key: Option<String>,
    /// For the Reply-To address and the subject, so replies find the case.
    pub reply_token: Option<String>,
}

/// A message of the reporter's thread, ready to mail.
#[derive(Debug, Clone)]
pub struct ReporterMail {
    pub to: ReporterAddress,
    pub notice: Option<String>,
    pub body: String,
}

impl App {
    /// A case, for the system's own work (reminders, notices).
    pub async fn case_as_system(&self, case_id: CaseId) -> Result<embargo_core::Case, AppError> {
        Ok(self.store.case(case_id).await?)
    }

    /// The case's reference (`EMB-2026-0042`), for notices to the team.
    pub async fn case_reference_as_system(&self, case_id: CaseId) -> Result<String, AppError> {
        Ok(self.store.case_reference(case_id).await?)
    }

    /// The reporter's address, or `None` when they gave none (they read the portal).
    pub async fn reporter_address(
        &self,
        case_id: CaseId,
    ) -> Result<Option<ReporterAddress>, AppError> {
        let report = self.store.report(case_id).await?;
        let content = report.content.into_revealed();
        Ok(content.reporter_email.map(|email| ReporterAddress {
            case_id,
            email,
            name: content.reporter_name,
            openpgp_key: content.openpgp_key,
            reply_token: report.reply_token,
        }))
    }

    /// A message to mail to the reporter. Internal comments are never returned.
    pub async fn reporter_mail(
        &self,
        case_id: CaseId,
        message_id: MessageId,
    ) -> Result<Option<ReporterMail>, AppError> {
        let Some(to) = self.reporter_address(case_id).await? else {
            return Ok(None);
        };
        let messages = self.store.messages(case_id, true).await?;
        let message = messages
            .into_iter()
            .find(|m| m.id == message_id && m.visibility == Visibility::Reporter)
            .ok_or(AppError::NotFound)?;
        Ok(Some(ReporterMail {
            to,
            notice: message.notice,
            body: message.body.into_revealed(),
        }))
    }

    /// Issues an extra portal link to be mailed now (the reporter's other links keep
    /// working), or `None` when the reporter gave no address. The link exists only in the
    /// mail.
    pub async fn issue_portal_link_for_mail(
        &self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<Option<(ReporterAddress, String)>, AppError> {
        let Some(to) = self.reporter_address(case_id).await? else {
            return Ok(None);
        };
        let token = new_token(self.random.as_ref())?;
        let mut tx = self.store.begin().await?;
        tx.add_portal_link(case_id, &token_hash(&token), now)
            .await?;
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            "mail_portal_link",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some((to, token)))
    }
}

/// The job queue, for the worker.
impl App {
    pub async fn claim_job(
        &self,
        now: Timestamp,
        lease: jiff::SignedDuration,
        kinds: &[&str],
    ) -> Result<Option<embargo_store::Job>, AppError> {
        Ok(self.store.claim_job(now, lease, kinds).await?)
    }

    pub async fn finish_job(
        &self,
        id: embargo_core::JobId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        Ok(self.store.finish_job(id, now).await?)
    }

    pub async fn fail_job(
        &self,
        id: embargo_core::JobId,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<(), AppError> {
        Ok(self.store.fail_job(id, error, retry_at, now).await?)
    }
}

impl App {
    /// Fans a team notice out to channels: one delivery job per channel, with ids derived
    /// from the job that makes them (`source`), so repeating that job repeats nothing.
    pub async fn enqueue_deliveries(
        &self,
        source: embargo_core::JobId,
        case_id: Option<CaseId>,
        channels: &[String],
        notice: &serde_json::Value,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if channels.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        for channel in channels {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(format!("{source}/{channel}").as_bytes());
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&digest[..16]);
            let job = embargo_store::NewJob {
                kind: crate::record::jobs::DELIVER_NOTICE.to_string(),
                case_id,
                payload: json!({"channel": channel, "notice": notice}),
                run_at: now,
            };
            tx.enqueue_job_once(embargo_core::JobId::from_random_bytes(bytes), &job, now)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

//! What the worker reads to deliver side effects. Only the system principal gets these:
//! they hand out the reporter's address and the text of messages meant for them.

use embargo_core::{CaseId, Email, MessageId, Visibility};
use jiff::Timestamp;
use serde_json::json;

use crate::error::AppError;
use crate::principal::Principal;
use crate::secrets::new_portal_token;
use crate::{App, NewReportLine};
use embargo_store::portal_token_key;

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

    /// What a digest of new reports lists about each of `cases` (see
    /// [`embargo_store::Store::new_report_lines`]).
    pub async fn new_report_lines(&self, cases: &[CaseId]) -> Result<Vec<NewReportLine>, AppError> {
        Ok(self.store.new_report_lines(cases).await?)
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
        let token = new_portal_token(self.random.as_ref(), now)?;
        let mut tx = self.store.begin().await?;
        tx.add_portal_link(case_id, &portal_token_key(&token), now)
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

    /// Up to `limit` more due jobs of `kind`, claimed at once (see
    /// [`embargo_store::Store::claim_jobs_of_kind`]).
    pub async fn claim_jobs_of_kind(
        &self,
        now: Timestamp,
        lease: jiff::SignedDuration,
        kind: &str,
        limit: u32,
    ) -> Result<Vec<embargo_store::Job>, AppError> {
        Ok(self
            .store
            .claim_jobs_of_kind(now, lease, kind, limit)
            .await?)
    }

    pub async fn finish_job(
        &self,
        id: embargo_core::JobId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        Ok(self.store.finish_job(id, now).await?)
    }

    pub async fn finish_jobs(
        &self,
        ids: &[embargo_core::JobId],
        now: Timestamp,
    ) -> Result<(), AppError> {
        Ok(self.store.finish_jobs(ids, now).await?)
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
            let spec = crate::JobSpec::DeliverNotice {
                channel: channel.clone(),
                notice: notice.clone(),
            };
            let job = embargo_store::NewJob {
                kind: spec.kind().to_string(),
                case_id,
                payload: spec.payload(),
                run_at: now,
            };
            tx.enqueue_job_once(delivery_job_id(source, channel), &job, now)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The job delivering notice `source` to `channel`: derived from both, so that a notice is
/// delivered once per channel however often its job runs, and its deliveries can be found.
pub fn delivery_job_id(source: embargo_core::JobId, channel: &str) -> embargo_core::JobId {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{source}/{channel}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    embargo_core::JobId::from_random_bytes(bytes)
}

impl App {
    /// Whether every one of the jobs is done.
    pub async fn jobs_all_done(&self, ids: &[embargo_core::JobId]) -> Result<bool, AppError> {
        Ok(self.store.jobs_done(ids).await? == ids.len())
    }

    /// Signs off a step embargo carried out (11: the dates posted; 17: the reporter told of
    /// the publication) with where it went as evidence. For step 11, `announcement` is the
    /// announcement the notice carried: dates changed since are not signed off with it.
    /// Returns whether the step was signed now; a step that no longer applies (done
    /// already, the dates changed, the case moved on) is left as it is.
    pub async fn sign_off_delivered(
        &self,
        case_id: CaseId,
        step: embargo_core::Step,
        announcement: Option<Timestamp>,
        evidence: &str,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        let mut tx = self.store.begin().await?;
        let mut case = tx.case(case_id).await?;
        let current = case
            .dates
            .as_ref()
            .map(embargo_core::EmbargoDates::announcement_instant);
        if announcement.is_some() && announcement != current {
            tx.rollback().await?;
            return Ok(false);
        }
        if case.checklist.is_done(step)
            || case
                .sign_off_delivered(step, evidence.to_string(), now)
                .is_err()
        {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.update_case(&case).await?;
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            "complete_step",
            json!({"events": [{"event": "step_signed", "step": step.number(), "role": "system"}], "evidence": evidence}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The notice (template) of a message, e.g. `published`.
    pub async fn message_notice(
        &self,
        case_id: CaseId,
        message_id: embargo_core::MessageId,
    ) -> Result<Option<String>, AppError> {
        Ok(self
            .store
            .messages(case_id, true)
            .await?
            .into_iter()
            .find(|m| m.id == message_id)
            .and_then(|m| m.notice))
    }
}

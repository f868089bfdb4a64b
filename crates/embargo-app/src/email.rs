//! Mail to the security team: a new report, or a reply to a case by its reply token.

use embargo_core::{CaseId, Channel, RawReport, Visibility};
use embargo_store::StoreError;
use jiff::Timestamp;

use crate::App;
use crate::error::AppError;
use crate::intake::{Intake, Submitted};
use crate::principal::Principal;
use crate::uploads::Upload;

/// One message as the mail parser understood it (decrypted if it was encrypted).
#[derive(Debug, Clone)]
pub struct IncomingMail {
    pub from: String,
    pub from_name: Option<String>,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<Upload>,
    pub encrypted: bool,
    /// From `security+TOKEN@...` or `[embargo:TOKEN]` in the subject.
    pub reply_token: Option<String>,
}

/// What became of a mail.
#[derive(Debug, Clone)]
pub enum Filed {
    NewCase(Submitted),
    Reply { case_id: CaseId },
}

impl App {
    /// Files a mail. A reply token that matches no case is "not found" (the mail server
    /// bounces it: a mistyped token must not silently open a new case).
    pub async fn file_email(
        &self,
        mail: IncomingMail,
        project: &str,
        now: Timestamp,
    ) -> Result<Filed, AppError> {
        match mail.reply_token.clone() {
            Some(token) => self.file_reply(mail, &token, now).await,
            None => self
                .file_new_report(mail, project, now)
                .await
                .map(Filed::NewCase),
        }
    }

    async fn file_reply(
        &self,
        mail: IncomingMail,
        token: &str,
        now: Timestamp,
    ) -> Result<Filed, AppError> {
        let case_id = match self.store.case_by_reply_token(token).await {
            Ok(id) => id,
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let report = self.store.report(case_id).await?;
        let reporter = report
            .content
            .reveal()
            .reporter_email
            .as_ref()
            .map(|e| e.as_ref().to_lowercase());
        let mut body = mail.text.trim().to_string();
        // The token is the credential; a different sender (a colleague, a forward) is
        // filed too, but the team sees who it was.
        if reporter.as_deref() != Some(mail.from.trim().to_lowercase().as_str()) {
            body = format!("(sent from {})\n\n{body}", mail.from.trim());
        }
        if body.is_empty() {
            body = "(no text; see the attached files)".to_string();
        }
        self.post_message(
            Principal::Reporter(case_id),
            case_id,
            Visibility::Reporter,
            &body,
            mail.attachments,
            now,
        )
        .await?;
        Ok(Filed::Reply { case_id })
    }

    async fn file_new_report(
        &self,
        mail: IncomingMail,
        project: &str,
        now: Timestamp,
    ) -> Result<Submitted, AppError> {
        let subject: String = mail
            .subject
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let name = mail.from_name.clone().unwrap_or_default();
        let description = if mail.text.trim().is_empty() {
            "(no text; see the attached files)".to_string()
        } else {
            mail.text.clone()
        };
        let raw = RawReport {
            project: project.to_string(),
            title: if subject.trim().is_empty() {
                "(no subject)".to_string()
            } else {
                subject
            },
            description,
            reporter_name: name.clone(),
            reporter_email: mail.from.clone(),
            credit_kind: if name.trim().is_empty() {
                "anonymous".into()
            } else {
                "name".into()
            },
            ..RawReport::default()
        };
        let content = self.check_report(raw).await?;
        // The reporter gets their portal link by mail; the worker issues a fresh one when it
        // sends, so the link made here, shown to nobody, is never usable.
        let intake = Intake {
            channel: Channel::Email,
            content,
            attachments: mail.attachments,
            external_ref: None,
            mail_portal_link: true,
            encrypted: mail.encrypted,
        };
        self.submit_report(intake, now).await
    }
}

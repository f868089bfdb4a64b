//! One function per job kind. Each reads what it needs through the app (as the system),
//! builds its mail and sends it. Texts say what the recipient needs and nothing private
//! beyond what that recipient may read.

use embargo_app::{Job, ReporterAddress, jobs};
use embargo_core::{CaseId, MessageId};
use lettre::message::Mailbox;
use serde_json::Value;

use crate::Worker;
use crate::compose::Outgoing;
use crate::failure::Failure;

/// Mail to one person (a reporter, an invited collaborator): needs a mailer.
pub use jobs::{MAIL_KINDS, TEAM_KINDS};

/// Kinds that change state and need no channel: they run wherever the worker runs.
pub const SYSTEM_KINDS: &[&str] = &[
    jobs::DISCLOSE_AT_DEADLINE,
    jobs::PUBLISH_ADVISORY,
    jobs::CVE_RECORD,
    jobs::REJECT_CVE_ID,
    jobs::GITHUB_DRAFTS,
    jobs::GITHUB_CVE,
    jobs::GITHUB_PUBLISH,
    jobs::GITHUB_TRACKING,
    jobs::GITHUB_CI,
];

impl Worker {
    pub(crate) fn mailbox(name: &str, email: &str) -> Result<Mailbox, Failure> {
        let addr = email
            .parse()
            .map_err(|_| Failure::permanent("the recipient's address is not valid"))?;
        Ok(Mailbox::new(
            (!name.trim().is_empty()).then(|| name.trim().to_string()),
            addr,
        ))
    }

    /// `security+TOKEN@example.org`: replies carry the token back to the case.
    fn reply_to(&self, to: &ReporterAddress) -> Option<Mailbox> {
        let contact = self.links.contact_email.as_deref()?;
        let token = to.reply_token.as_deref()?;
        let (local, domain) = contact.split_once('@')?;
        format!(
            "{} security <{local}+{token}@{domain}>",
            self.links.organization
        )
        .parse()
        .ok()
    }

    fn footer(&self, to: &ReporterAddress) -> String {
        let token = to
            .reply_token
            .as_deref()
            .map(|t| format!(" Keep [embargo:{t}] in the subject."))
            .unwrap_or_default();
        format!(
            "\n\n-- \n{org} security team\nAnswer by replying to this e-mail.{token}\nYour private link shows the whole thread; lost it? {url}/portal/lost\n",
            org = self.links.organization,
            url = self.links.public_url,
        )
    }

    pub(crate) async fn notify_reporter(
        &self,
        job: &Job,
        case_id: CaseId,
        message_id: MessageId,
    ) -> Result<(), Failure> {
        let Some(mail) = self.app.reporter_mail(case_id, message_id).await? else {
            // No address: the reporter reads it in the portal, where it is now.
            let notice = self.app.message_notice(case_id, message_id).await?;
            return self
                .sign_off_reporter_told(
                    case_id,
                    notice.as_deref(),
                    "on the reporter's portal (they gave no address)",
                )
                .await;
        };
        let what = match mail.notice.as_deref() {
            Some("acknowledged") => "We received your security report",
            Some("information_requested") => "A question about your security report",
            Some("rejected") => "Our decision on your security report",
            _ => "A new message about your security report",
        };
        let token = mail
            .to
            .reply_token
            .as_deref()
            .map(|t| format!(" [embargo:{t}]"))
            .unwrap_or_default();
        let outgoing = Outgoing {
            to: Self::mailbox(&mail.to.name, mail.to.email.as_ref())?,
            reply_to: self.reply_to(&mail.to),
            subject: format!(
                "[{}] {what} {}{token}",
                self.links.organization,
                case_id.receipt()
            ),
            body: format!("{}{}", mail.body, self.footer(&mail.to)),
            encrypt_to: mail.to.openpgp_key.clone(),
            message_id: self.message_id(job),
        };
        self.send(outgoing).await?;
        self.sign_off_reporter_told(
            case_id,
            mail.notice.as_deref(),
            "mailed to the reporter by embargo",
        )
        .await
    }

    pub(crate) async fn send_portal_link(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let Some((to, token)) = self
            .app
            .issue_portal_link_for_mail(case_id, (self.clock)())
            .await?
        else {
            return Ok(());
        };
        let body = format!(
            "Here is your private link to security report {reference}:\n\n{url}/portal/{token}\n\n\
             It shows the status of your report and our messages, and lets you answer and add files.\n\
             Anyone with this link can read your report: keep it to yourself. Your earlier links still work; if one may have leaked, replace your link from the portal, which ends them all.{footer}",
            reference = case_id.receipt(),
            url = self.links.public_url,
            footer = self.footer(&to),
        );
        let outgoing = Outgoing {
            to: Self::mailbox(&to.name, to.email.as_ref())?,
            reply_to: self.reply_to(&to),
            subject: format!(
                "[{}] Your private link to security report {}",
                self.links.organization,
                case_id.receipt()
            ),
            body,
            encrypt_to: to.openpgp_key.clone(),
            message_id: self.message_id(job),
        };
        self.send(outgoing).await
    }

    /// The case's reference for the team (`EMB-2026-0042`); reporters are told their
    /// receipt instead.
    async fn reference(&self, case_id: CaseId) -> Result<String, Failure> {
        Ok(self.app.case_reference_as_system(case_id).await?)
    }

    /// Team notices carry the reference and a link, never the report's text: a mailing
    /// list archive is not the place for it.
    pub(crate) async fn to_team(
        &self,
        job: &Job,
        subject: String,
        body: String,
    ) -> Result<(), Failure> {
        self.to_team_about(job, subject, body, None).await
    }

    /// [`Self::to_team`] for a notice about an announcement (the agreed dates): the
    /// deliveries carry it, so that the step they complete is not signed off for dates that
    /// changed meanwhile.
    pub(crate) async fn to_team_about(
        &self,
        job: &Job,
        subject: String,
        body: String,
        announcement: Option<jiff::Timestamp>,
    ) -> Result<(), Failure> {
        // Chat rooms and webhooks get their own delivery jobs (made once per notice).
        let reference = match job.case_id {
            Some(c) => Some(self.reference(c).await?),
            None => None,
        };
        let notice = serde_json::json!({
            "event": job.kind,
            "case_id": job.case_id,
            "reference": reference,
            "subject": subject,
            "text": body,
            "source": job.id,
            "announcement": announcement.map(|a| a.to_string()),
        });
        self.app
            .enqueue_deliveries(
                job.id,
                job.case_id,
                &self.channels.names(),
                &notice,
                (self.clock)(),
            )
            .await?;
        self.enqueue_personal_copies(job, &subject, &body).await?;
        let (Some(team), Some(_)) = (self.team.clone(), &self.mailer) else {
            return Ok(());
        };
        let outgoing = Outgoing {
            to: team,
            reply_to: None,
            subject,
            body,
            encrypt_to: None,
            message_id: self.message_id(job),
        };
        self.send(outgoing).await
    }

    pub(crate) async fn notify_team_new_report(
        &self,
        job: &Job,
        case_id: CaseId,
    ) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let case = self.app.case_as_system(case_id).await?;
        let subject = format!(
            "[{}] New security report {} ({})",
            self.links.organization, reference, case.project
        );
        let body = format!(
            "A new report {reference} arrived for {project}.\nAcknowledge it by {due} (policy).\n\n{url}/cases/{case_id}\n",
            project = case.project,
            due = case.deadlines.acknowledge_by.strftime("%Y-%m-%d %H:%M UTC"),
            url = self.links.public_url,
        );
        self.to_team(job, subject, body).await
    }

    pub(crate) async fn acknowledgement_due(
        &self,
        job: &Job,
        case_id: CaseId,
    ) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let case = self.app.case_as_system(case_id).await?;
        if case.acknowledged_at.is_some() || !case.state.is_open() {
            return Ok(());
        }
        let subject = format!(
            "[{}] Acknowledgement overdue: report {}",
            self.links.organization, reference
        );
        let body = format!(
            "Report {reference} was received {received} and has not been acknowledged; the policy promised it by {due}.\n\n{url}/cases/{case_id}\n",
            received = case.received_at.strftime("%Y-%m-%d %H:%M UTC"),
            due = case.deadlines.acknowledge_by.strftime("%Y-%m-%d %H:%M UTC"),
            url = self.links.public_url,
        );
        self.to_team(job, subject, body).await
    }

    pub(crate) async fn invite_collaborator(
        &self,
        job: &Job,
        user: embargo_core::UserId,
        case_id: Option<CaseId>,
    ) -> Result<(), Failure> {
        let invitation = self
            .app
            .issue_invitation(user, case_id, (self.clock)())
            .await?;
        let reference = match case_id {
            Some(c) => format!(" (case {})", self.reference(c).await?),
            None => String::new(),
        };
        let body = format!(
            "Hello {name},\n\nthe {org} security team added you to a private security case{reference}.\n\
             Set your password to see it (this link works once, for 7 days):\n\n{url}/invite/{token}\n\n\
             The case stays private until its advisory is published: please keep it to yourself.\n",
            name = invitation.name,
            org = self.links.organization,
            url = self.links.public_url,
            token = invitation.token,
        );
        let outgoing = Outgoing {
            to: Self::mailbox(&invitation.name, invitation.email.as_ref())?,
            reply_to: None,
            subject: format!(
                "[{}] You were invited to a security case",
                self.links.organization
            ),
            body,
            encrypt_to: None,
            message_id: self.message_id(job),
        };
        self.send(outgoing).await
    }

    pub(crate) async fn acknowledgement_reminder(
        &self,
        job: &Job,
        case_id: CaseId,
        then_due: bool,
    ) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let case = self.app.case_as_system(case_id).await?;
        if case.acknowledged_at.is_some() || !case.state.is_open() {
            return Ok(());
        }
        // The alert is queued before the reminder goes, so that it comes even if this mail
        // never does.
        if then_due {
            self.app
                .queue_acknowledgement_due(job.id, &case, (self.clock)())
                .await?;
        }
        // Caught up after a pause, past the deadline: the alert speaks instead.
        if (self.clock)() >= case.deadlines.acknowledge_by {
            return Ok(());
        }
        let subject = format!(
            "[{}] Acknowledgement due soon: report {}",
            self.links.organization, reference
        );
        let body = format!(
            "Report {reference} must be acknowledged by {due} (policy).\n\n{url}/cases/{case_id}\n",
            due = case.deadlines.acknowledge_by.strftime("%Y-%m-%d %H:%M UTC"),
            url = self.links.public_url,
        );
        self.to_team(job, subject, body).await
    }

    pub(crate) async fn disclosure_warning(
        &self,
        job: &Job,
        case_id: CaseId,
        due: jiff::Timestamp,
        days: i64,
    ) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let case = self.app.case_as_system(case_id).await?;
        let now = (self.clock)();
        // Stale (the deadline moved, the case is public or closed), or caught up after a
        // pause and already past the next, closer warning: that one will speak.
        let next_due = embargo_app::DISCLOSURE_WARNINGS
            .iter()
            .filter(|d| **d < days)
            .map(|d| due - jiff::SignedDuration::from_hours(24 * d))
            .min();
        if case.deadlines.disclose_by != due
            || !case.state.is_in_remediation()
            || next_due.is_some_and(|n| now >= n)
        {
            return Ok(());
        }
        let subject = format!(
            "[{}] Case {} is disclosed in {days} day{}",
            self.links.organization,
            reference,
            if days == 1 { "" } else { "s" }
        );
        let body = format!(
            "Case {reference} will be published at its disclosure deadline, {due}, whether fixed or not, unless a Coordinator records an extension with its reason.\n\n{url}/cases/{case_id}\n",
            due = due.strftime("%Y-%m-%d %H:%M UTC"),
            url = self.links.public_url,
        );
        self.to_team(job, subject, body).await
    }

    pub(crate) async fn disclose_at_deadline(
        &self,
        job: &Job,
        case_id: CaseId,
        due: jiff::Timestamp,
    ) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let disclosed = self
            .app
            .disclose_if_due(case_id, due, (self.clock)())
            .await?;
        if disclosed && self.mailer.is_some() {
            let subject = format!(
                "[{}] Case {} was disclosed at its deadline",
                self.links.organization, reference
            );
            let body = format!(
                "The disclosure deadline of case {} passed; it is now published.\n\n{}/cases/{case_id}\n",
                reference, self.links.public_url
            );
            // Best effort: the disclosure stands whatever the mail does.
            if let Err(e) = self.to_team(job, subject, body).await {
                tracing::warn!(job = %job.id, temporary = e.temporary, "could not tell the team about a deadline disclosure");
            }
        }
        Ok(())
    }

    /// At the announcement time: publish if the preview is approved; otherwise tell the
    /// team why it did not happen (the embargo is not broken by waiting; the deadline
    /// still stands).
    pub(crate) async fn publish_as_scheduled(
        &self,
        job: &Job,
        case_id: CaseId,
        at: jiff::Timestamp,
    ) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let outcome = self.app.publish_if_due(case_id, at, (self.clock)()).await?;
        let (subject, body) = match outcome {
            embargo_app::ScheduledPublication::NotDue => return Ok(()),
            embargo_app::ScheduledPublication::Published => (
                format!(
                    "[{}] Case {} was published as scheduled",
                    self.links.organization, reference
                ),
                format!(
                    "The advisory of case {} is public since its announcement time.\n\n{}/cases/{case_id}\n",
                    reference, self.links.public_url
                ),
            ),
            embargo_app::ScheduledPublication::Blocked(why) => (
                format!(
                    "[{}] Case {} was NOT published at its announcement time",
                    self.links.organization, reference
                ),
                format!(
                    "The announcement time of case {} passed, but the advisory could not be published: {why}\n\nA Coordinator can publish it from the case page once that is fixed.\n\n{}/cases/{case_id}\n",
                    reference, self.links.public_url
                ),
            ),
        };
        if self.mailer.is_some()
            && let Err(e) = self.to_team(job, subject, body).await
        {
            tracing::warn!(job = %job.id, temporary = e.temporary, "could not tell the team about a scheduled publication");
        }
        Ok(())
    }

    /// Policy step 11: the agreed dates go to the core chat room and the mailing list.
    pub(crate) async fn dates_agreed(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let reference = self.reference(case_id).await?;
        let case = self.app.case_as_system(case_id).await?;
        let Some(dates) = case
            .dates
            .filter(|_| case.state == embargo_core::CaseState::Scheduled)
        else {
            return Ok(()); // the dates changed again since: a newer notice will follow
        };
        let subject = format!(
            "[{}] Dates agreed for case {}",
            self.links.organization, reference
        );
        let body = format!(
            "Case {reference}: release on {release} ({zone}), announcement {at} {zone}.\nEmbargoed until then.\n\n{url}/cases/{case_id}\n",
            release = dates.release_on,
            at = dates.announce_at.strftime("%Y-%m-%d %H:%M"),
            zone = dates.zone,
            url = self.links.public_url,
        );
        let announcement = dates.announcement_instant();
        self.to_team_about(job, subject, body, Some(announcement))
            .await?;
        // Step 11, once every channel has it (the last delivery to finish signs it off).
        self.sign_off_posted_dates(case_id, job.id, job.id, announcement)
            .await
    }

    pub(crate) async fn deliver_notice(
        &self,
        job: &Job,
        channel: String,
        notice: Value,
    ) -> Result<(), Failure> {
        let sent = notice.clone();
        let delivery = job.id.to_string();
        let channels = self.channels.clone();
        let text = format!(
            "{}\n{}",
            notice.get("subject").and_then(Value::as_str).unwrap_or(""),
            notice.get("text").and_then(Value::as_str).unwrap_or("")
        );
        tokio::task::spawn_blocking(move || match channel.as_str() {
            "matrix" => match &channels.matrix {
                Some(room) => crate::channels::post_matrix(room, &delivery, &text),
                None => Err(Failure::permanent("no chat room is configured any more")),
            },
            other => {
                let hook = other
                    .strip_prefix("webhook:")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| channels.webhooks.get(i));
                match hook {
                    Some(h) => crate::channels::post_webhook(h, &delivery, &sent),
                    None => Err(Failure::permanent(format!("no channel {other}"))),
                }
            }
        })
        .await
        .map_err(|e| Failure::temporary(format!("delivery task: {e}")))??;
        self.after_delivery(job, &notice).await
    }
}

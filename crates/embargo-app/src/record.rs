//! What a transition leaves behind, written in the transaction of the change: one audit
//! entry per action, the messages to the reporter, and the jobs (outbox) that deliver them.
//! Audit details hold ids and state names, never private text.

use embargo_core::{
    Author, CaseId, CaseState, Event, JobId, Message, MessageId, Private, Publication, Visibility,
};
use embargo_store::{NewAuditEntry, NewJob, Tx};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;
use crate::templates::publication_placeholders;

/// Job kinds: names the worker dispatches on.
pub mod jobs {
    /// E-mail a message that is already stored on the case to its reporter.
    pub const NOTIFY_REPORTER: &str = "notify_reporter";
    /// Tell the team a new report arrived.
    pub const NOTIFY_TEAM_NEW_REPORT: &str = "notify_team_new_report";
    /// Remind the Coordinators before the acknowledgement deadline.
    pub const ACKNOWLEDGEMENT_DUE: &str = "acknowledgement_due";
    /// Publish at the announcement time once the preview is approved (the public
    /// documents are frozen in the publishing transaction itself).
    pub const PUBLISH_ADVISORY: &str = "publish_advisory";
    /// Issue a fresh portal link and e-mail it to the reporter.
    pub const SEND_PORTAL_LINK: &str = "send_portal_link";
    /// Remind the team that an acknowledgement is due soon.
    pub const ACKNOWLEDGEMENT_REMINDER: &str = "acknowledgement_reminder";
    /// Warn the team N days before the disclosure deadline.
    pub const DISCLOSURE_WARNING: &str = "disclosure_warning";
    /// Publish at the disclosure deadline, fixed or not (unless extended or done).
    pub const DISCLOSE_AT_DEADLINE: &str = "disclose_at_deadline";
    /// Tell the team (mail, chat, webhooks) the agreed release and announcement dates
    /// (policy step 11).
    pub const DATES_AGREED: &str = "dates_agreed";
    /// Publish or update the case's CVE record at CVE Services (after each publication).
    pub const CVE_RECORD: &str = "cve_record";
    /// Reject the case's CVE id at CVE Services, with the reason a Coordinator confirmed.
    pub const REJECT_CVE_ID: &str = "reject_cve_id";
    /// Deliver one team notice to one chat room or webhook.
    pub const DELIVER_NOTICE: &str = "deliver_notice";
    /// Invite an outside collaborator to a case.
    pub const INVITE_COLLABORATOR: &str = "invite_collaborator";
    /// Mail one person the copy of a team notice they chose to receive.
    pub const NOTIFY_PERSON: &str = "notify_person";
    /// Open the case's draft advisories on GitHub and keep them in sync (steps 4, 5).
    pub const GITHUB_DRAFTS: &str = "github_drafts";
    /// Ask GitHub for a CVE id for the case's draft (step 9).
    pub const GITHUB_CVE: &str = "github_cve";
    /// Publish the case's drafts on GitHub with the publication (step 15).
    pub const GITHUB_PUBLISH: &str = "github_publish";
    /// Open, update or close the case's issue in the private tracking repository (2, 18).
    pub const GITHUB_TRACKING: &str = "github_tracking";
    /// Copy a fork's branch to the private CI mirror and read its workflow runs (step 8).
    pub const GITHUB_CI: &str = "github_ci";

    /// Mail to one person: the reporter, a collaborator.
    pub const MAIL_KINDS: &[&str] = &[
        NOTIFY_REPORTER,
        SEND_PORTAL_LINK,
        INVITE_COLLABORATOR,
        NOTIFY_PERSON,
    ];

    /// Notices to the team: by mail to the team address and to every chat room and webhook.
    pub const TEAM_KINDS: &[&str] = &[
        NOTIFY_TEAM_NEW_REPORT,
        ACKNOWLEDGEMENT_DUE,
        ACKNOWLEDGEMENT_REMINDER,
        DISCLOSURE_WARNING,
        DATES_AGREED,
    ];

    /// Whether jobs of `kind` send mail.
    pub fn sends_mail(kind: &str) -> bool {
        MAIL_KINDS.contains(&kind) || TEAM_KINDS.contains(&kind)
    }
}

/// A message about to be stored.
pub(crate) struct Draft {
    pub case_id: CaseId,
    pub author: Author,
    pub visibility: Visibility,
    pub notice: Option<&'static str>,
    pub body: Private<String>,
}

impl App {
    pub(crate) async fn audit(
        &self,
        tx: &mut Tx,
        principal: Principal,
        case_id: Option<CaseId>,
        action: &str,
        detail: Value,
        now: Timestamp,
    ) -> Result<(), AppError> {
        tx.append_audit(&NewAuditEntry {
            at: now,
            actor: principal.audit_name(),
            case_id,
            action: action.to_string(),
            detail,
        })
        .await?;
        Ok(())
    }

    pub(crate) async fn enqueue(
        &self,
        tx: &mut Tx,
        spec: crate::JobSpec,
        run_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let jobs = self.new_jobs(&[(spec, run_at)])?;
        tx.enqueue_jobs(&jobs, now).await?;
        Ok(())
    }

    /// The rows of jobs to queue, each with a new id.
    pub(crate) fn new_jobs(
        &self,
        specs: &[(crate::JobSpec, Timestamp)],
    ) -> Result<Vec<(JobId, NewJob)>, AppError> {
        specs
            .iter()
            .map(|(spec, run_at)| {
                // Ordered by when the job runs (each kind's jobs come in that order), so that
                // new jobs go to the ends of the index rather than each onto a page of its
                // own (as case ids, `intake`).
                let id = JobId::time_ordered(
                    crate::intake::unix_millis(*run_at),
                    self.random.bytes10()?,
                );
                let job = NewJob {
                    kind: spec.kind().to_string(),
                    case_id: spec.case_id(),
                    payload: spec.payload(),
                    run_at: *run_at,
                };
                Ok((id, job))
            })
            .collect()
    }

    /// Stores a message and, for the reporter's thread, the job that e-mails it.
    pub(crate) async fn store_message(
        &self,
        tx: &mut Tx,
        draft: Draft,
        now: Timestamp,
    ) -> Result<MessageId, AppError> {
        let id = MessageId::from_random_bytes(self.random.bytes16()?);
        let (case_id, author, visibility) = (draft.case_id, draft.author, draft.visibility);
        tx.insert_message(&Message {
            id,
            case_id,
            author,
            visibility,
            notice: draft.notice.map(str::to_string),
            body: draft.body,
            created_at: now,
        })
        .await?;
        if visibility == Visibility::Reporter && author != Author::Reporter {
            self.enqueue(
                tx,
                JobSpec::NotifyReporter {
                    case_id,
                    message_id: id,
                },
                now,
                now,
            )
            .await?;
        }
        Ok(id)
    }

    /// A notice to the reporter from an editable template, recorded on the case and mailed.
    pub(crate) async fn notify_reporter_from_template(
        &self,
        tx: &mut Tx,
        case_id: CaseId,
        template: &'static str,
        more: &[(&str, String)],
        now: Timestamp,
    ) -> Result<(), AppError> {
        let body = self
            .template_with(template, case_id, &self.organization, more)
            .await?;
        let draft = Draft {
            case_id,
            author: Author::System,
            visibility: Visibility::Reporter,
            notice: Some(template),
            body: Private::new(body),
        };
        self.store_message(tx, draft, now).await?;
        Ok(())
    }

    /// Applies the side effects of a transition's events and returns their audit summaries.
    /// `publication`: the document frozen by this transition, when it published the case.
    pub(crate) async fn record_events(
        &self,
        tx: &mut Tx,
        case_id: CaseId,
        author: Author,
        events: &[Event],
        publication: Option<&Publication>,
        now: Timestamp,
    ) -> Result<Vec<Value>, AppError> {
        let mut summary = Vec::with_capacity(events.len());
        for event in events {
            summary.push(match event {
                Event::StateChanged { from, to: to @ CaseState::Scheduled } => {
                    self.enqueue(tx, JobSpec::DatesAgreed { case_id }, now, now).await?;
                    json!({"event": "state_changed", "from": from.to_string(), "to": to.to_string()})
                }
                Event::StateChanged { from, to: to @ CaseState::Accepted } => {
                    self.notify_reporter_from_template(tx, case_id, "accepted", &[], now).await?;
                    json!({"event": "state_changed", "from": from.to_string(), "to": to.to_string()})
                }
                Event::StateChanged { from, to } => {
                    json!({"event": "state_changed", "from": from.to_string(), "to": to.to_string()})
                }
                Event::ReporterNotified { notice, message } => {
                    let draft = Draft {
                        case_id,
                        author,
                        visibility: Visibility::Reporter,
                        notice: Some(notice.name()),
                        body: message.clone(),
                    };
                    let id = self.store_message(tx, draft, now).await?;
                    json!({"event": "reporter_notified", "notice": notice.name(), "message_id": id})
                }
                Event::CoordinatorAssigned { user } => json!({"event": "coordinator_assigned", "user": user}),
                Event::DeveloperAdded { user } => json!({"event": "developer_added", "user": user}),
                Event::DeveloperRemoved { user } => json!({"event": "developer_removed", "user": user}),
                Event::ForkRecorded { fork } => json!({"event": "fork_recorded", "fork": fork}),
                Event::ForkTested { fork } => json!({"event": "fork_tested", "fork": fork}),
                Event::StepSigned { step, role } => json!({
                    "event": "step_signed",
                    "step": step.number(),
                    "role": role.map(|r| r.as_str()).unwrap_or("system"),
                }),
                Event::StepReopened { step } => json!({"event": "step_reopened", "step": step.number()}),
                Event::DatesSet { announcement } => {
                    json!({"event": "dates_set", "announcement": announcement.to_string()})
                }
                Event::DisclosureExtended { from, to } => {
                    json!({"event": "disclosure_extended", "from": from.to_string(), "to": to.to_string()})
                }
                Event::Published { fix_available, at_deadline } => {
                    // The policy's promise to the reporter: told of the publication (at the
                    // deadline too, fixed or not), with the advisory, its CVE and the fix.
                    let more = publication
                        .map(|p| publication_placeholders(&self.publication.publisher, p))
                        .unwrap_or_default();
                    let template = if *at_deadline { "disclosed" } else { "published" };
                    if let Some(p) = publication {
                        self.enqueue_cve_record(tx, case_id, p, now).await?;
                    }
                    self.enqueue_github_publish(tx, case_id, now).await?;
                    self.notify_reporter_from_template(tx, case_id, template, &more, now)
                        .await?;
                    json!({"event": "published", "fix_available": fix_available, "at_deadline": at_deadline})
                }
            });
        }
        Ok(summary)
    }
}

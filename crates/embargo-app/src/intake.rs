//! A report arrives and becomes a case.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use embargo_core::{Author, Case, CaseId, Channel, Private, ReportContent};
use embargo_store::{NewAuditEntry, NewReport, StoreError};
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;
use crate::secrets::{new_portal_token, new_reply_token};
use crate::uploads::{Upload, check_uploads};
use embargo_store::portal_token_key;

/// A report as it arrived, with its files.
#[derive(Debug, Clone)]
pub struct Intake {
    pub channel: Channel,
    pub content: ReportContent,
    pub attachments: Vec<Upload>,
    /// Where an imported report came from (e.g. `github:GHSA-...`): filed once.
    pub external_ref: Option<String>,
    /// Mail the reporter their portal link (reports that arrived by e-mail never saw it).
    pub mail_portal_link: bool,
    /// The report arrived encrypted (recorded in the audit log).
    pub encrypted: bool,
}

/// What the reporter gets back: the case id and the secret link token to their portal.
/// The token is shown once; only its hash is stored.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub case_id: CaseId,
    pub portal_token: String,
    /// For e-mail replies (`security+TOKEN@...`).
    pub reply_token: String,
    pub acknowledge_by: Timestamp,
    pub disclose_by: Timestamp,
}

/// A checked report with its new ids, waiting for its batch. Its case is made by the
/// writer, under the policy the batch reads once.
#[derive(Clone)]
pub(crate) struct Filing {
    case_id: CaseId,
    portal_token: String,
    reply_token: String,
    channel: Channel,
    content: ReportContent,
    attachments: Vec<Upload>,
    external_ref: Option<String>,
    mail_portal_link: bool,
    encrypted: bool,
    now: Timestamp,
}

impl Filing {
    pub(crate) fn has_files(&self) -> bool {
        !self.attachments.is_empty()
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.now
    }
}

/// What one filing writes, planned before anything is: the same for a report written
/// alone and for one written with its batch.
pub(crate) struct Planned {
    pub(crate) case: Case,
    pub(crate) report: NewReport,
    /// For the audit entry, whose files are known only once they are stored.
    channel: Channel,
    encrypted: bool,
    pub(crate) jobs: Vec<(JobSpec, Timestamp)>,
    pub(crate) submitted: Submitted,
}

impl Planned {
    pub(crate) fn new(filing: Filing, policy: &embargo_core::Policy) -> (Self, Vec<Upload>) {
        let Filing {
            case_id,
            portal_token,
            reply_token,
            channel,
            content,
            attachments,
            external_ref,
            mail_portal_link,
            encrypted,
            now,
        } = filing;
        let case = Case::received(case_id, content.project.clone(), now, None, policy);
        // The team hears of it now; the acknowledgement deadline is watched; a report that
        // came by e-mail gets its portal link mailed.
        let mut jobs = vec![
            (JobSpec::NotifyTeamNewReport { case_id }, now),
            crate::clocks::acknowledgement_clock(&case, now),
        ];
        if mail_portal_link {
            jobs.push((JobSpec::SendPortalLink { case_id }, now));
        }
        let submitted = Submitted {
            case_id,
            portal_token: portal_token.clone(),
            reply_token: reply_token.clone(),
            acknowledge_by: case.deadlines.acknowledge_by,
            disclose_by: case.deadlines.disclose_by,
        };
        let report = NewReport {
            case_id,
            channel,
            content: Private::new(content),
            portal_token_hash: portal_token_key(&portal_token),
            reply_token,
            external_ref,
            received_at: now,
        };
        let planned = Self {
            case,
            report,
            channel,
            encrypted,
            jobs,
            submitted,
        };
        (planned, attachments)
    }

    /// The audit entry of the report's arrival, with its stored files.
    pub(crate) fn audit_entry(&self, files: &[uuid::Uuid]) -> NewAuditEntry {
        NewAuditEntry {
            at: self.case.received_at,
            actor: Principal::Reporter(self.case.id).audit_name(),
            case_id: Some(self.case.id),
            action: "report_received".into(),
            detail: json!({
                "channel": self.channel.name(),
                "encrypted": self.encrypted,
                "attachments": files,
                "acknowledge_by": self.case.deadlines.acknowledge_by.to_string(),
                "disclose_by": self.case.deadlines.disclose_by.to_string(),
            }),
        }
    }
}

/// Milliseconds since 1970 for a time-ordered id (0 before then: ids stay valid).
pub(crate) fn unix_millis(t: Timestamp) -> u64 {
    u64::try_from(t.as_millisecond()).unwrap_or(0)
}

impl App {
    /// Files a report. Anyone may (no account); the answer comes only after the case, the
    /// report, its audit entry and its jobs are committed together. Reports arriving at
    /// the same time are committed in one transaction (`intake_batch`): each is answered
    /// when its batch is on disk, and a refused one is undone alone.
    pub async fn submit_report(
        &self,
        intake: Intake,
        now: Timestamp,
    ) -> Result<Submitted, AppError> {
        let Intake {
            channel,
            content,
            attachments,
            external_ref,
            mail_portal_link,
            encrypted,
        } = intake;
        let content = match (content.check(), check_uploads(&attachments)) {
            (Ok(c), Ok(())) => c,
            (Err(mut a), Err(AppError::Invalid(b))) => {
                a.extend(b);
                return Err(AppError::Invalid(a));
            }
            (Err(a), _) => return Err(AppError::Invalid(a)),
            (_, Err(b)) => return Err(b),
        };
        // Nobody is signed in here (the form, the API and e-mail are anonymous), and the
        // address the reporter gave is not verified yet: the case is bound to an account
        // only once the reporter opens a link mailed to that address (`enter_portal`).
        // Anyone can type a team member's address; that must not make them the reporter.
        let filing = Filing {
            // Time-ordered: new cases go to the end of every index keyed by case.
            case_id: CaseId::time_ordered(unix_millis(now), self.random.bytes10()?),
            portal_token: new_portal_token(self.random.as_ref(), now)?,
            reply_token: new_reply_token(self.random.as_ref(), now)?,
            channel,
            content,
            attachments,
            external_ref,
            mail_portal_link,
            encrypted,
            now,
        };
        self.file_in_batch(filing).await
    }

    /// Writes one filing in `tx`, statement by statement: the case, the report, its files,
    /// its audit entry and its jobs.
    pub(crate) async fn write_filing(
        &self,
        tx: &mut embargo_store::Tx,
        filing: Filing,
        policy: &embargo_core::Policy,
    ) -> Result<Submitted, AppError> {
        let now = filing.now;
        let (planned, attachments) = Planned::new(filing, policy);
        let case_id = planned.case.id;
        tx.insert_case(&planned.case).await.map_err(scope_error)?;
        tx.insert_report(&planned.report).await?;
        let files = self
            .store_uploads(tx, case_id, None, Author::Reporter, attachments, now)
            .await?;
        tx.append_audit(&planned.audit_entry(&files)).await?;
        let jobs = self.new_jobs(&planned.jobs)?;
        tx.enqueue_jobs(&jobs, now).await?;
        Ok(planned.submitted)
    }

    /// Checks a report as typed, including that its project is in scope, and returns every
    /// problem at once (forms show them together).
    pub async fn check_report(
        &self,
        raw: embargo_core::RawReport,
    ) -> Result<ReportContent, AppError> {
        let in_scope = self.in_scope(raw.project.trim()).await?;
        let known_shape = embargo_core::ProjectSlug::parse(&raw.project).is_ok();
        match raw.check() {
            Ok(c) if in_scope => Ok(c),
            Ok(_) => Err(AppError::invalid(embargo_core::ValueError::new(
                "project",
                "choose one of the projects listed",
            ))),
            Err(mut problems) => {
                if known_shape && !in_scope {
                    problems.insert(
                        0,
                        embargo_core::ValueError::new(
                            "project",
                            "choose one of the projects listed",
                        ),
                    );
                }
                Err(AppError::Invalid(problems))
            }
        }
    }

    /// The project whose repositories include `owner/name` (forge imports).
    pub async fn project_of_repository(
        &self,
        full_name: &str,
    ) -> Result<embargo_core::ProjectSlug, AppError> {
        let wanted = full_name.trim().to_ascii_lowercase();
        self.store
            .projects()
            .await?
            .into_iter()
            .find(|p| p.repositories.contains(&wanted))
            .map(|p| p.slug)
            .ok_or_else(|| {
                AppError::invalid(embargo_core::ValueError::new(
                    "repository",
                    format!("{full_name} is not in the installation's scope (add it to a project)"),
                ))
            })
    }

    /// The case an imported report was filed as, if it was.
    pub async fn case_by_external_ref(
        &self,
        external_ref: &str,
    ) -> Result<Option<CaseId>, AppError> {
        match self.store.case_by_external_ref(external_ref).await {
            Ok(id) => Ok(Some(id)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A reporter opens their portal by a link. A link that was mailed to the address they
    /// gave proves they receive mail there: if that address is an account's, the case's
    /// reporter is from now on that person (the two-person rule keeps them from
    /// coordinating it). The link shown when the report was filed proves nothing (whoever
    /// filed it typed the address). Unknown links are "not found".
    pub async fn enter_portal(&self, token: &str, now: Timestamp) -> Result<Principal, AppError> {
        let hash = portal_token_key(token);
        let case_id = self.store.case_by_portal_token_hash(&hash).await?;
        if self.store.is_mailed_portal_link(&hash).await? {
            self.bind_verified_reporter(case_id, now).await?;
        }
        Ok(Principal::Reporter(case_id))
    }

    /// Records the account whose address the reporter verified as the case's reporter.
    async fn bind_verified_reporter(
        &self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let report = self.store.report(case_id).await?;
        let Some(email) = report.content.into_revealed().reporter_email else {
            return Ok(());
        };
        let user = match self.store.person_by_email(&email).await {
            Ok(p) => p.id,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let mut tx = self.store.begin().await?;
        let mut case = tx.case(case_id).await?;
        if case.reporter_user.is_some() {
            return Ok(());
        }
        case.reporter_user = Some(user);
        case.version += 1;
        tx.update_case(&case).await?;
        self.audit(
            &mut tx,
            Principal::Reporter(case_id),
            Some(case_id),
            "reporter_verified",
            json!({"user": user}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The case a reporter's secret link opens. Unknown links are "not found".
    pub async fn reporter_principal(&self, token: &str) -> Result<Principal, AppError> {
        let case = self
            .store
            .case_by_portal_token_hash(&portal_token_key(token))
            .await?;
        Ok(Principal::Reporter(case))
    }
}

/// A case whose project left the scope meanwhile is refused like an unknown project.
pub(crate) fn scope_error(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(m) => AppError::invalid(embargo_core::ValueError::new("project", m)),
        other => other.into(),
    }
}

/// The projects in scope as last read. A report naming one of them is checked without a
/// database read; the cases' foreign key still refuses one that left the scope since. Any
/// other name is looked up again, so a project added a moment ago (on any instance) is
/// never refused.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownProjects(Arc<RwLock<HashSet<String>>>);

impl App {
    async fn in_scope(&self, slug: &str) -> Result<bool, AppError> {
        let known = |set: &HashSet<String>| set.contains(slug);
        if self.known_projects.0.read().is_ok_and(|set| known(&set)) {
            return Ok(true);
        }
        let projects: HashSet<String> = self
            .store
            .projects()
            .await?
            .into_iter()
            .map(|p| p.slug.to_string())
            .collect();
        let in_scope = known(&projects);
        if let Ok(mut set) = self.known_projects.0.write() {
            *set = projects;
        }
        Ok(in_scope)
    }
}

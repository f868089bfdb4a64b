//! embargo's use cases: the only entry the web layer, the CLI and the worker call.
//!
//! Each use case takes the principal (who asks) and `now`, authorizes inside, applies the
//! domain transition, and stores state, audit entry and jobs in one transaction.

mod accounts;
mod admin;
mod advisory;
mod case_actions;
mod case_page;
mod clocks;
mod commit_index;
mod cve_pool;
mod cve_records;
mod dashboard;
mod delivery;
mod drafts;
mod duplicates;
mod email;
mod error;
mod forge;
mod github;
mod github_ci;
mod github_sync;
mod github_tracking;
mod heartbeat;
mod intake;
mod intake_batch;
mod intake_checkpoints;
mod invitations;
mod job_spec;
mod messages;
mod metrics;
mod operations;
mod osv_api;
mod osv_cache;
mod paging;
mod portal;
mod preferences;
mod principal;
mod public;
mod record;
mod secrets;
mod shared_read;
mod teams;
mod templates;
mod tokens;
mod totp;
mod uploads;
mod views;

use std::sync::Arc;

use embargo_core::Policy;
use embargo_store::Store;

pub use accounts::{
    PasswordChanged, Proof, SESSION_LIFETIME, SessionInfo, SignedIn, TotpSetup, current_code,
};
pub use admin::NewUser;
pub use advisory::{AdvisoryEditor, Preview, PublicationSettings};
pub use clocks::{ACKNOWLEDGEMENT_REMINDER, DISCLOSURE_WARNINGS, ScheduledPublication};
pub use commit_index::CommitIndex;
pub use cve_records::{CveRecordPreview, PoolSync, RecordOutcome, Reservation};
pub use dashboard::{
    DASHBOARD_MAX_PAGE, DashboardFilter, DashboardPage, DashboardRow, DashboardView, Queue,
};
pub use delivery::{ReporterAddress, ReporterMail, delivery_job_id};
pub use drafts::DRAFT_KINDS;
pub use duplicates::{AdvisoryHint, CaseHint, DuplicateHints};
pub use email::{Filed, IncomingMail};
pub use embargo_store::ApiTokenInfo;
pub use embargo_store::NewReportLine;
pub use embargo_store::PublicationFilter;
pub use embargo_store::looks_like_case_reference;
pub use embargo_store::{
    AttachmentInfo, CaseSummary, CiMirror, Draft, GitHubDraft, Job, JobStatus, Person, PooledCve,
    Project, QueueSummary, StoredReport, Team, TrackingIssue,
};
pub use error::AppError;
pub use forge::WebhookOutcome;
pub use github::{GitHubCheck, GitHubPanel};
pub use github_ci::CiMirrorSettings;
pub use github_sync::GitHubRun;
pub use github_tracking::TrackingSettings;
pub use heartbeat::{Heartbeat, Pulse, RunnerState};
pub use intake::{Intake, Submitted};
pub use invitations::{INVITATION_LIFETIME, InvitationMail};
pub use job_spec::JobSpec;
pub use metrics::{AGE_GROUPS, DurationStat, Metrics, OUTCOMES, PromiseStat, WeekRow};
pub use operations::Operations;
pub use osv_api::{OSV_MAX_BATCH, OSV_PAGE_SIZE, OsvDocuments, OsvPackage, OsvPage, OsvQuery};
pub use osv_cache::DOCUMENT_BYTES as OSV_DOCUMENT_BYTES;
/// Stored shapes the views hand out (read-only).
pub use paging::{PageRequest, PublicationPage};
pub use portal::LOST_LINKS_PER_DAY;
pub use preferences::{MAIL_EVENTS, PersonalNotice, Preferences};
pub use principal::Principal;
pub use public::{INDEX_LIMIT, ImportOutcome, Thanks};
pub use record::jobs;
pub use secrets::{MIN_PASSWORD_CHARS, OsRandom, Random, token_hash, verify_password};
pub use teams::TeamAdded;
pub use templates::DEFAULT_TEMPLATES;
pub use tokens::{DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS};
pub use uploads::{CaseLimits, MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, Upload};
pub use views::{EventPage, MessagePage, ReporterCaseView, TeamCaseView};

#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    policy: Policy,
    random: Arc<dyn Random>,
    /// Named in texts to reporters.
    organization: String,
    /// Who publishes advisories, and their ids.
    publication: PublicationSettings,
    /// Password hashing, off the runtime's threads and bounded.
    hasher: secrets::Hasher,
    /// What one case and its reporter may add over time.
    limits: uploads::CaseLimits,
    /// CVE Services, when the organization is a CNA and connected it.
    cve_services: Option<embargo_cve_services::CveServices>,
    /// GitHub, when the organization connected it.
    github: Option<embargo_github::GitHub>,
    /// The private tracking repository's issues, when configured.
    tracking: Option<github_tracking::TrackingSettings>,
    /// The private CI mirror repository, when configured.
    ci_mirror: Option<github_ci::CiMirrorSettings>,
    /// Reports waiting to be committed together (group commit).
    intake_queue: intake_batch::IntakeQueue,
    /// The projects in scope as last read, for checking reports without a read each.
    known_projects: intake::KnownProjects,
    /// What the OSV query keeps between queries.
    osv_cache: osv_cache::OsvCache,
}

impl App {
    pub fn new(store: Store, policy: Policy, random: Arc<dyn Random>) -> Self {
        Self {
            store,
            policy,
            random,
            organization: "our organization".to_string(),
            publication: PublicationSettings::default(),
            hasher: secrets::Hasher::default(),
            limits: uploads::CaseLimits::default(),
            cve_services: None,
            github: None,
            tracking: None,
            ci_mirror: None,
            intake_queue: intake_batch::IntakeQueue::default(),
            known_projects: intake::KnownProjects::default(),
            osv_cache: osv_cache::OsvCache::default(),
        }
    }

    /// Per-case quotas (files, reporter posts per hour).
    pub fn with_case_limits(mut self, limits: CaseLimits) -> Self {
        self.limits = limits;
        // Its own writer, which files with these settings.
        self.intake_queue = intake_batch::IntakeQueue::default();
        self
    }

    /// Who publishes, and the prefix of advisory ids.
    pub fn with_publication(mut self, settings: PublicationSettings) -> Self {
        self.publication = settings;
        self.intake_queue = intake_batch::IntakeQueue::default();
        // Its documents name the publisher.
        self.osv_cache = osv_cache::OsvCache::default();
        self
    }

    /// How many bytes of OSV documents the OSV query keeps in memory between queries
    /// (default [`OSV_DOCUMENT_BYTES`]): a history larger than that is partly read again
    /// for each answer.
    pub fn with_osv_document_bytes(mut self, bytes: usize) -> Self {
        self.osv_cache = osv_cache::OsvCache::keeping(bytes);
        self
    }

    /// The organization's name, used in texts to reporters.
    pub fn with_organization(mut self, name: &str) -> Self {
        self.organization = name.to_string();
        self.intake_queue = intake_batch::IntakeQueue::default();
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The installation's scope: public (the report form lists it).
    pub async fn projects(&self) -> Result<Vec<Project>, AppError> {
        Ok(self.store.projects().await?)
    }
}

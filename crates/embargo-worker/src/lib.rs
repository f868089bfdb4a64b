//! embargo's worker: runs the jobs use cases enqueue (the outbox), at least once, with
//! exponential backoff and a dead-letter list. Runs inside `embargo serve`.

mod channels;
mod compose;
mod cve_jobs;
mod digest;
mod failure;
mod github_jobs;
mod handlers;
mod html;
mod mailer;
mod personal;
mod runner;
mod signoffs;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use embargo_app::{App, Heartbeat, Job, JobSpec};
use jiff::{SignedDuration, Timestamp};
use lettre::message::Mailbox;

pub use channels::{Channels, MatrixRoom, Webhook};
pub use compose::Outgoing;
pub use failure::Failure;
pub use handlers::{MAIL_KINDS, SYSTEM_KINDS, TEAM_KINDS};
pub use mailer::{Mailer, Security, SendError, SmtpSettings};
pub use runner::supervise;

/// A job handler supplied from outside the worker (see [`Worker::with_handler`]).
pub type Handler =
    Arc<dyn Fn(Job) -> Pin<Box<dyn Future<Output = Result<(), Failure>> + Send>> + Send + Sync>;

/// The clock the worker reads `now` from.
pub type Clock = std::sync::Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// What mails say about the installation.
#[derive(Debug, Clone)]
pub struct Links {
    pub organization: String,
    pub public_url: String,
    /// The team's address; replies to reporters go to its plus-address.
    pub contact_email: Option<String>,
}

/// A job is given up after this many attempts (about two days with the backoff below).
pub const MAX_ATTEMPTS: i64 = 12;
/// How long a claimed job is the claimer's before another worker may take it over, unless
/// configured otherwise.
const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// What one step of the runner did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ran {
    Done { kind: String },
    Retry { kind: String, at: Timestamp },
    Dead { kind: String },
}

#[derive(Clone)]
pub struct Worker {
    app: App,
    mailer: Option<Mailer>,
    team: Option<Mailbox>,
    links: Links,
    clock: Clock,
    channels: Channels,
    lease: SignedDuration,
    heartbeat: Option<Heartbeat>,
    handlers: Arc<BTreeMap<String, Handler>>,
    /// When the last digest of new reports went out (Unix seconds; see `digest`).
    last_digest: Arc<AtomicI64>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("links", &self.links)
            .field("mailer", &self.mailer)
            .finish_non_exhaustive()
    }
}

/// The delay before attempt `attempts + 1`: 1, 2, 4 ... minutes, at most 6 hours.
pub fn backoff(attempts: i64) -> SignedDuration {
    let minutes = 1i64 << attempts.clamp(1, 10).saturating_sub(1);
    SignedDuration::from_mins(minutes.min(360))
}

impl Worker {
    /// `team`: where notices to the team go (e.g. the security team's list).
    pub fn new(
        app: App,
        mailer: Option<Mailer>,
        team: Option<&str>,
        links: Links,
        clock: Clock,
    ) -> Result<Self, String> {
        let team = team
            .map(|t| {
                t.parse::<Mailbox>()
                    .map_err(|e| format!("the team address {t:?} is not valid: {e}"))
            })
            .transpose()?;
        Ok(Self {
            app,
            mailer,
            team,
            links,
            clock,
            channels: Channels::default(),
            lease: LEASE,
            heartbeat: None,
            handlers: Arc::default(),
            last_digest: Arc::new(AtomicI64::new(i64::MIN)),
        })
    }

    /// The kinds this worker can deliver: without a mailer, none (the jobs wait, and are
    /// delivered once mail is configured).
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds = handlers::SYSTEM_KINDS.to_vec();
        if self.mailer.is_some() {
            kinds.extend_from_slice(MAIL_KINDS);
        }
        let channels = !self.channels.names().is_empty();
        if (self.mailer.is_some() && self.team.is_some()) || channels {
            kinds.extend_from_slice(TEAM_KINDS);
        }
        if channels {
            kinds.push(embargo_app::jobs::DELIVER_NOTICE);
        }
        kinds
    }

    /// How long a claimed job stays this worker's (see `[worker] lease_seconds`).
    pub fn with_lease(mut self, lease: SignedDuration) -> Self {
        self.lease = lease;
        self
    }

    /// Ticks `heartbeat` between jobs, for `/healthz` and the admin page.
    pub fn with_heartbeat(mut self, heartbeat: Heartbeat) -> Self {
        self.heartbeat = Some(heartbeat);
        self
    }

    /// Handles jobs of `kind` with `handler` instead of the built-in one (an installation's
    /// own job kinds; tests use it to make a handler fail in ways the real ones should not).
    pub fn with_handler(mut self, kind: &str, handler: Handler) -> Self {
        Arc::make_mut(&mut self.handlers).insert(kind.to_string(), handler);
        self
    }

    /// How long one job may run before it is stopped and retried: half its lease, so a
    /// stopped job is never also taken over by another instance while still running.
    fn job_time_limit(&self) -> Duration {
        self.lease.unsigned_abs() / 2
    }

    fn tick(&self) {
        if let Some(h) = &self.heartbeat {
            h.tick((self.clock)());
        }
    }

    /// Adds chat rooms and webhooks, checked now (a misconfigured channel stops startup).
    pub fn with_channels(mut self, channels: Channels) -> Result<Self, String> {
        channels.check()?;
        self.channels = channels;
        Ok(self)
    }

    fn message_id(&self, job: &Job) -> String {
        let domain = self
            .mailer
            .as_ref()
            .map(|m| m.from().email.domain().to_string())
            .unwrap_or_else(|| "localhost".into());
        format!("<job-{}@{domain}>", job.id)
    }

    pub(crate) async fn send(&self, mail: Outgoing) -> Result<(), Failure> {
        let Some(mailer) = &self.mailer else {
            return Err(Failure::temporary("no mailer configured"));
        };
        let message = compose::build(mailer.from(), mail).map_err(Failure::permanent)?;
        mailer.send(message).await.map_err(|e| Failure {
            temporary: e.temporary,
            message: e.message,
            wait_secs: None,
        })
    }

    async fn handle(&self, job: &Job) -> Result<(), Failure> {
        if let Some(handler) = self.handlers.get(&job.kind) {
            return handler(job.clone()).await;
        }
        let spec = JobSpec::parse(&job.kind, &job.payload).map_err(Failure::permanent)?;
        match spec {
            JobSpec::NotifyReporter {
                case_id,
                message_id,
            } => self.notify_reporter(job, case_id, message_id).await,
            JobSpec::SendPortalLink { case_id } => self.send_portal_link(job, case_id).await,
            JobSpec::NotifyTeamNewReport { case_id } => {
                self.notify_team_new_report(job, case_id).await
            }
            JobSpec::AcknowledgementDue { case_id } => self.acknowledgement_due(job, case_id).await,
            JobSpec::InviteCollaborator { user, case_id } => {
                self.invite_collaborator(job, user, case_id).await
            }
            JobSpec::NotifyPerson {
                user,
                subject,
                body,
                cases,
            } => self.notify_person(job, user, (subject, body), &cases).await,
            JobSpec::AcknowledgementReminder { case_id, then_due } => {
                self.acknowledgement_reminder(job, case_id, then_due).await
            }
            JobSpec::DisclosureWarning {
                case_id,
                disclose_by,
                days,
            } => {
                self.disclosure_warning(job, case_id, disclose_by, days)
                    .await
            }
            JobSpec::DiscloseAtDeadline {
                case_id,
                disclose_by,
                ..
            } => self.disclose_at_deadline(job, case_id, disclose_by).await,
            JobSpec::PublishAdvisory {
                case_id,
                announce_at,
            } => self.publish_as_scheduled(job, case_id, announce_at).await,
            JobSpec::DatesAgreed { case_id } => self.dates_agreed(job, case_id).await,
            JobSpec::DeliverNotice { channel, notice } => {
                self.deliver_notice(job, channel, notice).await
            }
            JobSpec::CveRecord { case_id, .. } => self.cve_record(job, case_id).await,
            JobSpec::RejectCveId { case_id } => self.reject_cve_id(job, case_id).await,
            JobSpec::GithubDrafts { case_id, refresh } => {
                self.github_drafts(job, case_id, refresh).await
            }
            JobSpec::GithubCve { case_id } => self.github_cve(job, case_id).await,
            JobSpec::GithubPublish { case_id } => self.github_publish(job, case_id).await,
            JobSpec::GithubTracking { case_id } => self.github_tracking(job, case_id).await,
            JobSpec::GithubCi {
                case_id,
                fork,
                branch,
                polls,
            } => self.github_ci(job, case_id, (fork, branch, polls)).await,
        }
    }

    /// Claims and runs one due job, or a burst of new-report notices as one digest (see
    /// `digest`). Empty when nothing is due. Each job runs isolated (see `runner`):
    /// whatever its handler does, this returns and the next job can run.
    pub async fn run_once(&self) -> Result<Vec<Ran>, embargo_app::AppError> {
        let now = (self.clock)();
        let mut kinds = self.kinds();
        kinds.extend(self.handlers.keys().map(String::as_str));
        if self.digest_paused(now) {
            kinds.retain(|k| *k != embargo_app::jobs::NOTIFY_TEAM_NEW_REPORT);
        }
        let Some(job) = self.app.claim_job(now, self.lease, &kinds).await? else {
            return Ok(Vec::new());
        };
        if job.kind != embargo_app::jobs::NOTIFY_TEAM_NEW_REPORT
            || self.handlers.contains_key(&job.kind)
        {
            return Ok(vec![self.run_claimed(job).await?]);
        }
        self.run_new_report_notices(job, now).await
    }

    /// Runs one claimed job and records its outcome.
    pub(crate) async fn run_claimed(&self, job: Job) -> Result<Ran, embargo_app::AppError> {
        let worker = self.clone();
        let claimed = job.clone();
        let outcome = runner::isolated(&job.kind, self.job_time_limit(), async move {
            worker.handle(&claimed).await
        })
        .await;
        self.record(&job, outcome).await
    }

    /// Marks a claimed job done, to be retried, or dead, after `outcome`.
    pub(crate) async fn record(
        &self,
        job: &Job,
        outcome: Result<(), Failure>,
    ) -> Result<Ran, embargo_app::AppError> {
        let kind = job.kind.clone();
        let (id, attempts) = (job.id, job.attempts);
        let now = (self.clock)();
        Ok(match outcome {
            Ok(()) => {
                self.app.finish_job(id, now).await?;
                Ran::Done { kind }
            }
            Err(f) if f.temporary && attempts < MAX_ATTEMPTS => {
                // A rate limit says when to come back; the backoff is the least pause.
                let waited = f
                    .wait_secs
                    .and_then(|s| i64::try_from(s).ok())
                    .map(SignedDuration::from_secs);
                let at = now + waited.map_or(backoff(attempts), |w| w.max(backoff(attempts)));
                // The error text may name a recipient: it stays in the job row (private),
                // the log gets the kind and the outcome only.
                tracing::warn!(job = %id, %kind, attempts, "job failed; will retry");
                self.app.fail_job(id, &f.message, Some(at), now).await?;
                Ran::Retry { kind, at }
            }
            Err(f) => {
                tracing::error!(job = %id, %kind, attempts, "job failed for good (dead letter)");
                self.app.fail_job(id, &f.message, None, now).await?;
                Ran::Dead { kind }
            }
        })
    }

    /// Runs due jobs until none is left (the tests' way to let time pass).
    pub async fn run_until_idle(&self) -> Result<Vec<Ran>, embargo_app::AppError> {
        let mut ran = Vec::new();
        loop {
            let step = self.run_once().await?;
            if step.is_empty() {
                return Ok(ran);
            }
            ran.extend(step);
        }
    }

    /// Runs until `shutdown`, looking for due jobs every `every`. The loop runs under a
    /// supervisor: should it ever stop unexpectedly, it is started again (and the heartbeat
    /// counts the restart). On `shutdown` the job in progress finishes first.
    pub async fn run(self, every: Duration, shutdown: impl Future<Output = ()>) {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let heartbeat = self.heartbeat.clone();
        let supervised = supervise(
            move || self.clone().run_loop(every, stopped.clone()),
            Duration::from_secs(1),
            move |_| {
                if let Some(h) = &heartbeat {
                    h.restarted();
                }
            },
        );
        tokio::pin!(supervised);
        tokio::select! {
            () = &mut supervised => return,
            () = shutdown => {}
        }
        let _ = stop.send(true);
        supervised.await;
    }

    /// The runner's loop: due jobs one at a time, a tick between them, then a pause.
    async fn run_loop(self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            self.tick();
            loop {
                if *stop.borrow() {
                    return;
                }
                match self.run_once().await {
                    Ok(ran) if !ran.is_empty() => self.tick(),
                    Ok(_) => break,
                    Err(e) => {
                        tracing::error!(error = %e, "worker: cannot reach the job queue");
                        break;
                    }
                }
            }
            self.tick();
            tokio::select! {
                changed = stop.changed() => if changed.is_err() || *stop.borrow() { return },
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}

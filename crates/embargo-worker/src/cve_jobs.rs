//! CVE Services jobs, and the alert every outside-service job shares: the case's record after each publication, and the rejection of an
//! id a Coordinator confirmed. A failure is retried with the usual backoff (the advisory
//! itself is public already and is not held back); the team hears of it when it cannot
//! get better by itself, and once more when it keeps failing.

use embargo_app::Job;
use embargo_core::CaseId;

use crate::failure::Failure;
use crate::{MAX_ATTEMPTS, Worker};

/// After this many failed attempts of a temporary kind, the team is told (and again when
/// the job is given up).
pub const ALERT_AFTER_ATTEMPTS: i64 = 3;

impl Worker {
    pub(crate) async fn cve_record(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let result = self.app.publish_cve_record(case_id, (self.clock)()).await;
        self.settle(
            job,
            case_id,
            "its CVE record is not published at CVE Services",
            result,
        )
        .await
    }

    pub(crate) async fn reject_cve_id(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let result = self.app.reject_cve_id(case_id, (self.clock)()).await;
        self.settle(
            job,
            case_id,
            "its CVE id is not rejected at CVE Services yet",
            result,
        )
        .await
    }

    /// A job's outcome: a failure alerts the team when it should, and goes to the runner.
    async fn settle<T>(
        &self,
        job: &Job,
        case_id: CaseId,
        what: &str,
        result: Result<T, embargo_app::AppError>,
    ) -> Result<(), Failure> {
        let hint = "This will not get better by itself: fix the cause, then publish a revision of the advisory (or confirm the rejection again) to try once more.";
        self.settle_with(job, case_id, what, hint, result).await
    }

    /// [`Worker::settle`] with the sentence that says what to do about a failure that
    /// will not get better by itself.
    pub(crate) async fn settle_with<T>(
        &self,
        job: &Job,
        case_id: CaseId,
        what: &str,
        permanent_hint: &str,
        result: Result<T, embargo_app::AppError>,
    ) -> Result<(), Failure> {
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let failure = Failure::from(e);
                self.alert(job, case_id, what, permanent_hint, &failure)
                    .await;
                Err(failure)
            }
        }
    }

    /// Tells the team, best effort (the job's own retry is what matters).
    async fn alert(
        &self,
        job: &Job,
        case_id: CaseId,
        what: &str,
        permanent_hint: &str,
        failure: &Failure,
    ) {
        let tell = !failure.temporary
            || job.attempts == ALERT_AFTER_ATTEMPTS
            || job.attempts >= MAX_ATTEMPTS;
        if !tell {
            return;
        }
        let next = if !failure.temporary {
            permanent_hint
        } else if job.attempts >= MAX_ATTEMPTS {
            "embargo has stopped trying. An administrator can retry the job from the admin page once the cause is fixed."
        } else {
            "embargo keeps trying, with longer pauses."
        };
        let reference = match self.app.case_reference_as_system(case_id).await {
            Ok(r) => r,
            Err(_) => case_id.to_string(),
        };
        let subject = format!("[{}] Case {reference}: {what}", self.links.organization);
        let body = format!(
            "Case {reference}: {what} (attempt {attempts}).\n\n{message}\n\n{next}\n\n{url}/cases/{case_id}\n",
            attempts = job.attempts,
            message = failure.message,
            url = self.links.public_url,
        );
        if let Err(e) = self.to_team(job, subject, body).await {
            tracing::warn!(job = %job.id, temporary = e.temporary, "could not alert the team about a failed job");
        }
    }
}

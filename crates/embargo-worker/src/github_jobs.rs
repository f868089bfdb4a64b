//! GitHub jobs: the drafts opened and kept in sync (steps 4, 5), the CVE request (9), and
//! the publication of the drafts with the case (15). A failure is retried with the usual
//! backoff, or after GitHub's rate limit resets; the team hears of it when it cannot get
//! better by itself, after a few attempts, and when the worker gives up.

use embargo_app::Job;
use embargo_core::CaseId;

use crate::Worker;
use crate::failure::Failure;

const FIX_AND_RETRY: &str = "This will not get better by itself: fix the cause (the sentence above names it), then an administrator retries the job from the admin page.";

impl Worker {
    pub(crate) async fn github_drafts(
        &self,
        job: &Job,
        case_id: CaseId,
        refresh: bool,
    ) -> Result<(), Failure> {
        let result = self
            .app
            .sync_github_drafts(case_id, refresh, (self.clock)())
            .await;
        self.settle_with(
            job,
            case_id,
            "its draft advisories on GitHub are not up to date",
            FIX_AND_RETRY,
            result,
        )
        .await
    }

    pub(crate) async fn github_cve(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let result = self
            .app
            .request_github_cve_now(case_id, (self.clock)())
            .await;
        self.settle_with(
            job,
            case_id,
            "its CVE request to GitHub did not go through",
            FIX_AND_RETRY,
            result,
        )
        .await
    }

    pub(crate) async fn github_tracking(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let result = self.app.sync_tracking_issue(case_id, (self.clock)()).await;
        self.settle_with(
            job,
            case_id,
            "its issue in the tracking repository is not up to date",
            FIX_AND_RETRY,
            result,
        )
        .await
    }

    pub(crate) async fn github_ci(
        &self,
        job: &Job,
        case_id: CaseId,
        (fork, branch, polls): (String, String, u64),
    ) -> Result<(), Failure> {
        let result = self
            .app
            .run_ci_mirror(case_id, &fork, &branch, polls, (self.clock)())
            .await;
        self.settle_with(
            job,
            case_id,
            "a fork's branch did not reach the CI mirror",
            FIX_AND_RETRY,
            result,
        )
        .await
    }

    pub(crate) async fn github_publish(&self, job: &Job, case_id: CaseId) -> Result<(), Failure> {
        let result = self
            .app
            .publish_github_drafts(case_id, (self.clock)())
            .await;
        self.settle_with(
            job,
            case_id,
            "its advisory is public here but not yet on GitHub",
            FIX_AND_RETRY,
            result,
        )
        .await
    }
}

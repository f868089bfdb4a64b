//! The private CI mirror (policy step 8, `[github] ci_repository`): GitHub runs no
//! workflows in temporary private forks, so teams test by hand and sometimes break CI at
//! merge. A Developer asks for a fork's branch to be copied to the organization's private
//! CI repository; a job pushes it, starts the configured workflow (or just observes the
//! runs the push triggers), and reads the runs until they finish. The results show on the
//! case beside the manual-test sign-off; the mirror branches are deleted after publication.

use embargo_core::CaseId;
use embargo_github::{GitHub, valid_branch};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;

/// `[github] ci_repository` and `ci_workflow`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiMirrorSettings {
    /// `owner/name` of the private repository where Actions run.
    pub repository: String,
    /// A workflow file (`ci.yml`) to start on the copied branch; without it, the runs the
    /// push itself triggers are observed.
    pub workflow: Option<String>,
}

/// Runs are read again this often until they all finish, at most this many times.
const POLL: SignedDuration = SignedDuration::from_mins(5);
const MAX_POLLS: u64 = 48;

impl App {
    pub fn with_ci_mirror(mut self, settings: CiMirrorSettings) -> Self {
        self.ci_mirror = Some(settings);
        self.intake_queue = crate::intake_batch::IntakeQueue::default();
        self
    }

    pub fn ci_mirror(&self) -> Option<&CiMirrorSettings> {
        self.ci_mirror.as_ref()
    }

    /// Asks for `branch` of the case's fork `fork` to run CI on the private mirror. The
    /// case's Developers and Coordinator ask, while the fix is worked on.
    pub async fn mirror_ci(
        &self,
        principal: Principal,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        now: Timestamp,
    ) -> Result<String, AppError> {
        self.require_github()?;
        let settings = self.ci_mirror.clone().ok_or_else(|| AppError::Rule {
            code: "ci_mirror_off",
            message: "no CI mirror is configured: see [github] ci_repository".into(),
        })?;
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        if !(roles.coordinator || roles.developer) || !case.state.is_in_remediation() {
            return Err(AppError::Forbidden(
                "the case's Developers and Coordinator run CI on its forks while the fix is worked on".into(),
            ));
        }
        if !case.forks.iter().any(|f| f.name.reveal() == fork) {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "fork",
                "is not one of the case's forks",
            )));
        }
        let branch = branch.trim();
        if !valid_branch(branch) {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "branch",
                "is a branch name: letters, digits, - _ . and /",
            )));
        }
        let reference = self.store.case_reference(case_id).await?;
        let mirror_branch = format!("embargo/{reference}/{}/{branch}", fork.replace('/', "-"));
        let mut tx = self.store.begin().await?;
        tx.ci_mirror_requested(case_id, fork, branch, &mirror_branch, now)
            .await?;
        let spec = JobSpec::GithubCi {
            case_id,
            fork: fork.to_string(),
            branch: branch.to_string(),
            polls: 0,
        };
        self.enqueue(&mut tx, spec, now, now).await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "mirror_ci",
            json!({"mirror": settings.repository}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(mirror_branch)
    }

    /// Job `github_ci`: pushes the branch (unless this run only reads, `polls` > 0),
    /// starts the workflow, reads the runs, and comes back while they are not finished.
    pub async fn run_ci_mirror(
        &self,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        polls: u64,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let client = self.require_github()?.clone();
        let Some(settings) = self.ci_mirror.clone() else {
            return Ok(());
        };
        let (fork, branch) = (fork.to_string(), branch.to_string());
        let Some(row) = self
            .store
            .ci_mirrors(case_id)
            .await?
            .into_iter()
            .find(|m| m.fork == fork && m.branch == branch)
        else {
            return Ok(());
        };
        if row.deleted_at.is_some() {
            return Ok(());
        }
        let gh = |e| Self::github_error(e, now);
        let result = async {
            let sha = match (&row.sha, polls) {
                (Some(sha), p) if p > 0 => sha.clone(),
                _ => {
                    let sha = client
                        .mirror_branch(&fork, &branch, &settings.repository, &row.mirror_branch)
                        .await
                        .map_err(gh)?;
                    let mut tx = self.store.begin().await?;
                    tx.ci_mirror_pushed(case_id, &fork, &branch, &sha, now)
                        .await?;
                    self.audit(
                        &mut tx,
                        Principal::System,
                        Some(case_id),
                        "ci_mirror_pushed",
                        json!({"sha": sha}),
                        now,
                    )
                    .await?;
                    tx.commit().await?;
                    if let Some(workflow) = &settings.workflow {
                        client
                            .dispatch_workflow(&settings.repository, workflow, &row.mirror_branch)
                            .await
                            .map_err(gh)?;
                    }
                    sha
                }
            };
            self.read_ci_runs(&client, case_id, &fork, &branch, &sha, &settings, now)
                .await
        }
        .await;
        let finished = match result {
            Ok(finished) => finished,
            Err(e) => {
                let mut tx = self.store.begin().await?;
                tx.ci_mirror_failure(case_id, &fork, &branch, &e.to_string(), now)
                    .await?;
                tx.commit().await?;
                return Err(e);
            }
        };
        if !finished && polls < MAX_POLLS {
            let spec = JobSpec::GithubCi {
                case_id,
                fork: fork.clone(),
                branch: branch.clone(),
                polls: polls + 1,
            };
            let mut tx = self.store.begin().await?;
            self.enqueue(&mut tx, spec, now + POLL, now).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Reads the runs of `sha` and stores them; whether there are some and all finished.
    #[allow(clippy::too_many_arguments)] // one mirror's identity and its settings
    async fn read_ci_runs(
        &self,
        client: &GitHub,
        case_id: CaseId,
        fork: &str,
        branch: &str,
        sha: &str,
        settings: &CiMirrorSettings,
        now: Timestamp,
    ) -> Result<bool, AppError> {
        let runs = client
            .workflow_runs(&settings.repository, sha)
            .await
            .map_err(|e| Self::github_error(e, now))?;
        let listed: Vec<Value> = runs
            .iter()
            .map(|r| json!({"name": r.name, "status": r.status, "conclusion": r.conclusion, "html_url": r.html_url}))
            .collect();
        let mut tx = self.store.begin().await?;
        tx.ci_mirror_runs(
            case_id,
            fork,
            branch,
            &Value::Array(listed).to_string(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(!runs.is_empty() && runs.iter().all(|r| r.status == "completed"))
    }

    /// After publication: the case's mirror branches are deleted.
    pub(crate) async fn delete_ci_mirrors(
        &self,
        client: &GitHub,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Some(settings) = self.ci_mirror.clone() else {
            return Ok(());
        };
        for mirror in self.store.ci_mirrors(case_id).await? {
            if mirror.deleted_at.is_some() {
                continue;
            }
            client
                .delete_branch(&settings.repository, &mirror.mirror_branch)
                .await
                .map_err(|e| Self::github_error(e, now))?;
            let mut tx = self.store.begin().await?;
            tx.ci_mirror_deleted(case_id, &mirror.fork, &mirror.branch, now)
                .await?;
            self.audit(
                &mut tx,
                Principal::System,
                Some(case_id),
                "ci_mirror_deleted",
                json!({}),
                now,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

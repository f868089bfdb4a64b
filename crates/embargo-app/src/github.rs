//! GitHub, for organizations that connected it (`[github]`): the policy's GitHub steps done
//! by embargo instead of twice by hand. What the team asks for here is checked and
//! enqueued; the jobs in `github_sync.rs` talk to GitHub, retry, and store each id GitHub
//! hands out before moving on. Without `[github]` none of this runs and every step is
//! signed off by hand as before.

use embargo_core::{CaseId, CaseState, ForkId};
use embargo_github::{GitHub, GitHubError};
use embargo_store::GitHubDraft;
use jiff::Timestamp;
use serde_json::json;

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;

impl From<GitHubError> for AppError {
    fn from(e: GitHubError) -> Self {
        AppError::Upstream {
            temporary: e.is_temporary(),
            // How long to wait needs `now`: see `App::github_error`.
            wait_secs: None,
            message: e.sentence,
        }
    }
}

/// What the case page shows of GitHub, and what the viewer may ask of it.
#[derive(Debug, Clone)]
pub struct GitHubPanel {
    /// The project's repositories (`owner/name`), where drafts are opened.
    pub repositories: Vec<String>,
    pub drafts: Vec<GitHubDraft>,
    /// The case's people who recorded no GitHub login: they cannot be added to drafts.
    pub without_login: Vec<String>,
    /// What GitHub's draft cannot carry of the advisory (credits without a GitHub
    /// profile, ecosystems GitHub does not know).
    pub notes: Vec<String>,
    /// Why drafts cannot be opened now, when they cannot.
    pub open_blocked: Option<String>,
    pub can_open: bool,
    pub can_request_cve: bool,
    pub can_fork: bool,
    /// The private CI mirror's copies (step 8), when `[github] ci_repository` is set.
    pub ci_mirrors: Vec<embargo_store::CiMirror>,
    /// The case's forks whose branches may go to the CI mirror now (empty when the
    /// viewer may not, or no mirror is configured).
    pub ci_forks: Vec<String>,
    /// The case's issue in the private tracking repository, when there is one.
    pub tracking_issue: Option<embargo_store::TrackingIssue>,
}

/// What `embargo github check` reports.
#[derive(Debug, Clone)]
pub struct GitHubCheck {
    /// Who the credentials are.
    pub who: String,
    /// Each project repository with what the credentials may do there, or why not.
    pub repositories: Vec<(String, Result<embargo_github::RepositoryAccess, String>)>,
}

impl App {
    /// Who the credentials are and what they may do on every project repository: the
    /// operator's check, and the start-up check's first half.
    pub async fn github_check(&self, principal: Principal) -> Result<GitHubCheck, AppError> {
        if !matches!(principal, Principal::Operator | Principal::System) {
            return Err(AppError::NotFound);
        }
        let client = self.require_github()?.clone();
        let who = client.whoami().await?;
        let mut repositories = Vec::new();
        for project in self.store.projects().await? {
            for repository in project.repositories {
                let access = client
                    .check_repository(&repository)
                    .await
                    .map_err(|e| e.sentence);
                repositories.push((repository, access));
            }
        }
        Ok(GitHubCheck { who, repositories })
    }

    /// Connects GitHub (see `[github]`).
    pub fn with_github(mut self, client: GitHub) -> Self {
        self.github = Some(client);
        self.intake_queue = crate::intake_batch::IntakeQueue::default();
        self
    }

    pub fn github(&self) -> Option<&GitHub> {
        self.github.as_ref()
    }

    pub(crate) fn require_github(&self) -> Result<&GitHub, AppError> {
        self.github.as_ref().ok_or_else(|| AppError::Rule {
            code: "github_off",
            message: "GitHub is not connected: see [github] in the configuration".into(),
        })
    }

    /// A GitHub error as the worker needs it: a primary rate limit's reset time becomes a
    /// wait from `now`.
    pub(crate) fn github_error(e: GitHubError, now: Timestamp) -> AppError {
        let wait = e.wait_secs(now);
        match AppError::from(e) {
            AppError::Upstream {
                message, temporary, ..
            } => AppError::Upstream {
                message,
                temporary,
                wait_secs: wait,
            },
            other => other,
        }
    }

    /// The project's repositories for the case.
    pub(crate) async fn case_repositories(&self, case_id: CaseId) -> Result<Vec<String>, AppError> {
        let case = self.store.case(case_id).await?;
        Ok(self
            .store
            .projects()
            .await?
            .into_iter()
            .find(|p| p.slug == case.project)
            .map(|p| p.repositories)
            .unwrap_or_default())
    }

    /// The GitHub panel of the case page; `None` without `[github]`. Team only.
    pub async fn github_panel(
        &self,
        principal: Principal,
        case_id: CaseId,
    ) -> Result<Option<GitHubPanel>, AppError> {
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        if self.github.is_none() {
            return Ok(None);
        }
        let repositories = self.case_repositories(case_id).await?;
        let drafts = self.store.github_drafts(case_id).await?;
        let advisory = self
            .store
            .advisory_draft(case_id)
            .await?
            .map(|d| d.advisory)
            .unwrap_or_default();
        let notes = embargo_formats::github::repository_advisory(&advisory).notes;
        let mut without_login = Vec::new();
        for person in case.coordinator.iter().chain(case.developers.iter()) {
            if self.store.github_login(*person).await?.is_none() {
                without_login.push(self.store.person(*person).await?.display_name.to_string());
            }
        }
        let open_blocked = open_blocked(&case.state, &repositories, &advisory);
        let has_drafts = drafts.iter().any(|d| d.ghsa_id.is_some());
        let remediation = case.state.is_in_remediation();
        let ci_mirrors = self.store.ci_mirrors(case_id).await?;
        let ci_forks =
            if self.ci_mirror.is_some() && (roles.coordinator || roles.developer) && remediation {
                case.forks.iter().map(|f| f.name.reveal().clone()).collect()
            } else {
                Vec::new()
            };
        let tracking_issue = self.store.tracking_issue(case_id).await?;
        Ok(Some(GitHubPanel {
            tracking_issue,
            ci_mirrors,
            ci_forks,
            can_open: roles.coordinator && open_blocked.is_none(),
            can_request_cve: (roles.coordinator || roles.developer)
                && remediation
                && has_drafts
                && advisory.cve.is_none()
                && !drafts
                    .iter()
                    .any(|d| d.cve_requested_at.is_some() || d.cve_id.is_some()),
            can_fork: (roles.coordinator || roles.developer) && remediation && has_drafts,
            repositories,
            drafts,
            without_login,
            notes,
            open_blocked,
        }))
    }

    /// Policy step 4: opens a draft advisory in each of the project's repositories (and
    /// keeps them in sync from then on). The case's Coordinator asks; a job does it.
    pub async fn open_github_drafts(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<usize, AppError> {
        self.require_github()?;
        let (case, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        if !roles.coordinator {
            return Err(AppError::Forbidden(
                "only the case's Coordinator opens its draft advisories (policy step 4)".into(),
            ));
        }
        let repositories = self.case_repositories(case_id).await?;
        let advisory = self
            .store
            .advisory_draft(case_id)
            .await?
            .map(|d| d.advisory)
            .unwrap_or_default();
        if let Some(why) = open_blocked(&case.state, &repositories, &advisory) {
            return Err(AppError::Rule {
                code: "github_drafts_blocked",
                message: why,
            });
        }
        let mut tx = self.store.begin().await?;
        self.enqueue(
            &mut tx,
            JobSpec::GithubDrafts {
                case_id,
                refresh: false,
            },
            now,
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "open_github_drafts",
            json!({"repositories": repositories}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(repositories.len())
    }

    /// Policy step 9 through GitHub: asks GitHub for a CVE id for the case's first draft
    /// (one vulnerability, one id). A Coordinator or Developer of the case asks; a job does
    /// it, and the id is recorded when GitHub assigns it.
    pub async fn request_github_cve(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let panel = self
            .github_panel(principal, case_id)
            .await?
            .ok_or_else(|| self.require_github().err().unwrap_or(AppError::NotFound))?;
        if !panel.can_request_cve {
            return Err(AppError::Rule {
                code: "github_cve_blocked",
                message: "a CVE can be requested through GitHub by the case's Coordinator or a Developer, once a draft is open on GitHub, while the case is being fixed, and only when the advisory has no CVE id and none was requested".into(),
            });
        }
        let mut tx = self.store.begin().await?;
        self.enqueue(&mut tx, JobSpec::GithubCve { case_id }, now, now)
            .await?;
        self.audit(
            &mut tx,
            principal,
            Some(case_id),
            "request_github_cve",
            json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Policy step 7: creates the draft's temporary private fork on GitHub (GitHub answers
    /// with the existing one when asked again) and records it as one of the case's forks,
    /// by the person who asked.
    pub async fn create_github_fork(
        &self,
        principal: Principal,
        case_id: CaseId,
        repository: &str,
        now: Timestamp,
    ) -> Result<(String, Option<ForkId>), AppError> {
        let client = self.require_github()?.clone();
        let panel = self
            .github_panel(principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !panel.can_fork {
            return Err(AppError::Forbidden(
                "the case's Developers and Coordinator create private forks, once a draft is open on GitHub and while the case is being fixed".into(),
            ));
        }
        let draft = panel
            .drafts
            .iter()
            .find(|d| d.repository == repository)
            .and_then(|d| d.ghsa_id.clone().map(|g| (d, g)));
        let Some((_, ghsa_id)) = draft else {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "repository",
                "has no draft advisory of this case on GitHub",
            )));
        };
        self.fork_allowed(principal, case_id, now).await?;
        let fork = client
            .create_fork(repository, &ghsa_id)
            .await
            .map_err(|e| Self::github_error(e, now))?;
        let mut tx = self.store.begin().await?;
        tx.github_fork_created(&ghsa_id, &fork.full_name, now)
            .await?;
        tx.commit().await?;
        let case = self.store.case(case_id).await?;
        let known = case
            .forks
            .iter()
            .any(|f| f.name.reveal().as_str() == fork.full_name);
        if known {
            return Ok((fork.full_name, None));
        }
        let (_, id) = self
            .record_fork(principal, case_id, &fork.full_name, now)
            .await?;
        Ok((fork.full_name, Some(id)))
    }

    /// Whether the case would take a new fork now (the state machine's answer to
    /// `record_fork`), asked before GitHub makes one that could not be recorded.
    async fn fork_allowed(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin_read().await?;
        let case = tx.case(case_id).await?;
        let actor = crate::principal::actor_on_case(&mut tx, principal, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.rollback().await?;
        let probe = embargo_core::Command::RecordFork {
            id: ForkId::from_random_bytes([0; 16]),
            name: embargo_core::Private::new("probe".to_string()),
        };
        embargo_core::transition(&case, &probe, &actor, now)
            .map(|_| ())
            .map_err(|e| AppError::from_domain(e, true))
    }

    /// Reads GitHub again for the case (the drafts' states and CVE ids, the forks' pull
    /// requests) and sends what changed: any member of the case's team asks, a job does it.
    pub async fn refresh_github(
        &self,
        principal: Principal,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        self.require_github()?;
        let (_, roles) = self.roles_on(principal, case_id).await?;
        if !roles.team() {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin().await?;
        self.enqueue(
            &mut tx,
            JobSpec::GithubDrafts {
                case_id,
                refresh: true,
            },
            now,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records (or, with an empty login, clears) the person's own GitHub login: it makes
    /// them a collaborator on the drafts of their cases (step 5). With GitHub connected,
    /// a login GitHub does not know is refused.
    pub async fn set_github_login(
        &self,
        principal: Principal,
        login: &str,
        now: Timestamp,
    ) -> Result<Option<String>, AppError> {
        let Principal::User(person) = principal else {
            return Err(AppError::NotFound);
        };
        let login = login.trim().trim_start_matches('@');
        let login = if login.is_empty() {
            None
        } else {
            let valid = login.len() <= 39
                && !login.starts_with('-')
                && !login.ends_with('-')
                && login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid {
                return Err(AppError::invalid(embargo_core::ValueError::new(
                    "GitHub login",
                    "is 1 to 39 letters, digits or single hyphens, as GitHub allows",
                )));
            }
            if let Some(client) = &self.github
                && !client
                    .user_exists(login)
                    .await
                    .map_err(|e| Self::github_error(e, now))?
            {
                return Err(AppError::invalid(embargo_core::ValueError::new(
                    "GitHub login",
                    format!("{login} is not a GitHub account"),
                )));
            }
            Some(login.to_string())
        };
        let mut tx = self.store.begin().await?;
        tx.set_github_login(person, login.as_deref()).await?;
        // Their cases' drafts get (or lose) them as a collaborator.
        for case_id in self.store.github_cases_of(person).await? {
            self.queue_github_sync(&mut tx, case_id, now).await?;
        }
        self.audit(
            &mut tx,
            principal,
            None,
            "set_github_login",
            json!({"set": login.is_some()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(login)
    }

    /// The person's own GitHub login.
    pub async fn github_login(&self, principal: Principal) -> Result<Option<String>, AppError> {
        let Principal::User(person) = principal else {
            return Err(AppError::NotFound);
        };
        Ok(self.store.github_login(person).await?)
    }

    /// A `repository_advisory` webhook about an advisory embargo holds (opened by it, or
    /// the private report a case came from): its state and CVE id are taken in. `None`
    /// for an advisory no case holds (acknowledged and ignored).
    pub async fn github_advisory_event(
        &self,
        remote: &embargo_github::RemoteAdvisory,
        now: Timestamp,
    ) -> Result<Option<CaseId>, AppError> {
        let Some(row) = self.store.github_draft_by_ghsa(&remote.ghsa_id).await? else {
            return Ok(None);
        };
        self.take_remote_news(row.case_id, remote, now).await?;
        Ok(Some(row.case_id))
    }

    /// A case filed from a GitHub private vulnerability report keeps that advisory as its
    /// draft in the repository: opening the drafts (step 4) fills it in instead of opening
    /// a second one, and webhooks about it reach the case.
    pub async fn link_github_report(
        &self,
        case_id: CaseId,
        repository: &str,
        remote: &embargo_github::RemoteAdvisory,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if self
            .store
            .github_draft_by_ghsa(&remote.ghsa_id)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        tx.github_draft_opening(case_id, repository, now).await?;
        let state = if remote.state.is_empty() {
            "triage"
        } else {
            remote.state.as_str()
        };
        let opened = embargo_store::OpenedDraft {
            ghsa_id: &remote.ghsa_id,
            html_url: &remote.html_url,
            state,
            revision: None,
        };
        tx.github_draft_opened(case_id, repository, opened, now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a sync of the case's drafts (public fields, collaborators) after a change
    /// they carry; nothing when GitHub is off or the case has no draft.
    pub(crate) async fn queue_github_sync(
        &self,
        tx: &mut embargo_store::Tx,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        if self.github.is_none() || self.store.github_drafts(case_id).await?.is_empty() {
            return Ok(());
        }
        self.enqueue(
            tx,
            JobSpec::GithubDrafts {
                case_id,
                refresh: false,
            },
            now,
            now,
        )
        .await
    }
}

/// Why drafts cannot be opened: the state, no repository, or no public text yet.
fn open_blocked(
    state: &CaseState,
    repositories: &[String],
    advisory: &embargo_core::Advisory,
) -> Option<String> {
    if !state.is_in_remediation() {
        return Some(format!(
            "draft advisories are opened once the report is accepted and until publication; the case is {state}"
        ));
    }
    if repositories.is_empty() {
        return Some(
            "the project lists no GitHub repository (owner/name): an administrator adds them to the project".into(),
        );
    }
    if advisory.title.trim().is_empty() || advisory.description.trim().is_empty() {
        return Some(
            "write the advisory's title and description first: the draft on GitHub carries only the advisory's public fields, never the report".into(),
        );
    }
    None
}

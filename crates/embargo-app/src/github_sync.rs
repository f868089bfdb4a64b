//! The GitHub jobs: open and sync the case's drafts (steps 4 and 5), request a CVE (9),
//! publish the drafts with the case (15). Each stores what GitHub created the moment it
//! answers, and a draft's row exists before the call that creates it: a retry after a
//! crash finds the row without an id and adopts the draft GitHub already holds (same
//! title, not linked to another case) instead of opening a second one.

use embargo_core::{CaseId, CaseState, Step};
use embargo_github::{GitHub, RemoteAdvisory};
use embargo_store::{GitHubDraft, OpenedDraft};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::App;
use crate::JobSpec;
use crate::error::AppError;
use crate::principal::Principal;

/// While GitHub has not assigned a requested CVE id, the drafts are read again this often.
const CVE_POLL: SignedDuration = SignedDuration::from_mins(15);

/// What one repository's sync sends, and whether GitHub is read again regardless.
#[derive(Debug, Clone, Copy)]
struct SyncInputs<'a> {
    fields: &'a Value,
    revision: Option<i64>,
    logins: &'a [String],
    refresh: bool,
}

/// What one run of a GitHub job did, for the worker's log and the tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHubRun {
    /// GHSA ids opened on GitHub in this run.
    pub opened: Vec<String>,
    /// GHSA ids found on GitHub after an earlier attempt that stopped before storing them.
    pub adopted: Vec<String>,
    /// GHSA ids whose fields or collaborators were sent.
    pub updated: Vec<String>,
    /// GHSA ids published, or asked a CVE for.
    pub published: Vec<String>,
    pub cve_requested: Vec<String>,
}

impl App {
    /// Job `github_drafts`: every repository of the project gets its draft, and each
    /// draft gets the advisory's current public fields and the case's people.
    pub async fn sync_github_drafts(
        &self,
        case_id: CaseId,
        refresh: bool,
        now: Timestamp,
    ) -> Result<GitHubRun, AppError> {
        let client = self.require_github()?.clone();
        let case = self.store.case(case_id).await?;
        let mut run = GitHubRun::default();
        if !case.state.is_in_remediation() {
            // Published drafts are the publication job's; a closed case keeps its drafts.
            return Ok(run);
        }
        let draft = self.store.advisory_draft(case_id).await?;
        let revision = draft.as_ref().map(|d| d.revision);
        let advisory = draft.map(|d| d.advisory).unwrap_or_default();
        if advisory.title.trim().is_empty() {
            return Err(AppError::Upstream {
                message: "the advisory has no title yet: GitHub's draft needs one".into(),
                temporary: false,
                wait_secs: None,
            });
        }
        let fields = embargo_formats::github::repository_advisory(&advisory).fields;
        let people: Vec<_> = case
            .coordinator
            .iter()
            .chain(case.developers.iter())
            .copied()
            .collect();
        let logins = self.store.github_logins(&people).await?;
        let mut failure = None;
        for repository in self.case_repositories(case_id).await? {
            let inputs = SyncInputs {
                fields: &fields,
                revision,
                logins: &logins,
                refresh,
            };
            let result = self
                .sync_one(&client, case_id, &repository, &inputs, &mut run, now)
                .await;
            if let Err(e) = result {
                self.github_failed(case_id, &repository, &e, now).await?;
                failure.get_or_insert(e);
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        self.read_fork_pulls(&client, case_id, now).await?;
        self.sign_off_github_steps(case_id, &logins, now).await?;
        let waiting_for_cve = self
            .store
            .github_drafts(case_id)
            .await?
            .iter()
            .any(|d| d.cve_requested_at.is_some() && d.cve_id.is_none());
        if waiting_for_cve {
            let mut tx = self.store.begin().await?;
            self.queue_cve_poll(&mut tx, case_id, now).await?;
            tx.commit().await?;
        }
        Ok(run)
    }

    async fn sync_one(
        &self,
        client: &GitHub,
        case_id: CaseId,
        repository: &str,
        inputs: &SyncInputs<'_>,
        run: &mut GitHubRun,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let gh = |e| Self::github_error(e, now);
        let SyncInputs {
            fields,
            revision,
            logins,
            refresh,
        } = *inputs;
        let known = self.draft_row(case_id, repository).await?;
        let (ghsa_id, synced_revision, synced_people, waiting_for_cve) = match known {
            Some(GitHubDraft {
                ghsa_id: Some(id),
                synced_revision,
                collaborators,
                state,
                cve_requested_at,
                cve_id,
                ..
            }) => {
                if !matches!(state.as_str(), "draft" | "triage") {
                    return Ok(());
                }
                let waiting = cve_requested_at.is_some() && cve_id.is_none();
                (id, synced_revision, collaborators, waiting)
            }
            existing => {
                let mut tx = self.store.begin().await?;
                tx.github_draft_opening(case_id, repository, now).await?;
                tx.commit().await?;
                let adopted = match existing {
                    // An earlier attempt claimed the row: GitHub may hold its draft.
                    Some(_) => self.unlinked_draft(client, repository, fields, now).await?,
                    None => None,
                };
                let (remote, revision_sent) = match adopted {
                    Some(remote) => {
                        run.adopted.push(remote.ghsa_id.clone());
                        (remote, None)
                    }
                    None => {
                        let remote = client
                            .create_advisory(repository, fields.clone())
                            .await
                            .map_err(gh)?;
                        run.opened.push(remote.ghsa_id.clone());
                        (remote, revision)
                    }
                };
                self.store_opened(case_id, repository, &remote, revision_sent, now)
                    .await?;
                (remote.ghsa_id, revision_sent, Vec::new(), false)
            }
        };
        let wanted: Vec<String> = logins.to_vec();
        let current = synced_revision == revision && same_people(&synced_people, &wanted);
        if current && !waiting_for_cve && !refresh {
            return Ok(());
        }
        // People added on GitHub by hand stay; those embargo added and who left the case go.
        let remote = client.advisory(repository, &ghsa_id).await.map_err(gh)?;
        self.take_remote_news(case_id, &remote, now).await?;
        if current || !matches!(remote.state.as_str(), "draft" | "triage") {
            return Ok(());
        }
        let mut collaborators: Vec<String> = remote
            .collaborating_users
            .iter()
            .filter(|l| !synced_people.iter().any(|s| s.eq_ignore_ascii_case(l)))
            .cloned()
            .collect();
        for login in &wanted {
            if !collaborators.iter().any(|c| c.eq_ignore_ascii_case(login)) {
                collaborators.push(login.clone());
            }
        }
        let mut patch = fields.clone();
        patch["collaborating_users"] = json!(collaborators);
        client
            .update_advisory(repository, &ghsa_id, patch)
            .await
            .map_err(gh)?;
        let mut tx = self.store.begin().await?;
        tx.github_draft_synced(&ghsa_id, revision, &wanted, now)
            .await?;
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            "github_draft_synced",
            json!({"repository": repository, "ghsa_id": ghsa_id, "revision": revision, "collaborators": wanted.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        run.updated.push(ghsa_id);
        Ok(())
    }

    /// Step 12: the pull requests of each draft's private fork, read again (whether the
    /// fix was merged shows on the case).
    async fn read_fork_pulls(
        &self,
        client: &GitHub,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        for draft in self.store.github_drafts(case_id).await? {
            let (Some(ghsa_id), Some(fork)) = (&draft.ghsa_id, &draft.private_fork) else {
                continue;
            };
            let pulls = client
                .pull_requests(fork)
                .await
                .map_err(|e| Self::github_error(e, now))?;
            let listed: Vec<Value> = pulls
                .iter()
                .map(|p| {
                    json!({"number": p.number, "title": p.title, "html_url": p.html_url,
                           "state": p.state, "merged_at": p.merged_at})
                })
                .collect();
            let text = Value::Array(listed).to_string();
            if text != draft.pull_requests {
                let mut tx = self.store.begin().await?;
                tx.github_pull_requests(ghsa_id, &text, now).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    async fn draft_row(
        &self,
        case_id: CaseId,
        repository: &str,
    ) -> Result<Option<GitHubDraft>, AppError> {
        Ok(self
            .store
            .github_drafts(case_id)
            .await?
            .into_iter()
            .find(|d| d.repository == repository))
    }

    /// A draft on GitHub with the advisory's title that no case holds: what an attempt
    /// that stopped between GitHub's answer and storing it left behind.
    async fn unlinked_draft(
        &self,
        client: &GitHub,
        repository: &str,
        fields: &Value,
        now: Timestamp,
    ) -> Result<Option<RemoteAdvisory>, AppError> {
        let title = fields["summary"].as_str().unwrap_or_default();
        let drafts = client
            .advisories(repository, "draft")
            .await
            .map_err(|e| Self::github_error(e, now))?;
        for remote in drafts {
            if remote.summary == title
                && self
                    .store
                    .github_draft_by_ghsa(&remote.ghsa_id)
                    .await?
                    .is_none()
            {
                return Ok(Some(remote));
            }
        }
        Ok(None)
    }

    async fn store_opened(
        &self,
        case_id: CaseId,
        repository: &str,
        remote: &RemoteAdvisory,
        revision: Option<i64>,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let opened = OpenedDraft {
            ghsa_id: &remote.ghsa_id,
            html_url: &remote.html_url,
            state: &remote.state,
            revision,
        };
        tx.github_draft_opened(case_id, repository, opened, now)
            .await?;
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            "github_draft_opened",
            json!({"repository": repository, "ghsa_id": remote.ghsa_id}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What GitHub says that embargo did not know: the state, an assigned CVE id.
    pub(crate) async fn take_remote_news(
        &self,
        case_id: CaseId,
        remote: &RemoteAdvisory,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let Some(row) = self.store.github_draft_by_ghsa(&remote.ghsa_id).await? else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        if row.state != remote.state && !remote.state.is_empty() {
            tx.github_draft_state(&remote.ghsa_id, &remote.state, now)
                .await?;
            self.audit(
                &mut tx,
                Principal::System,
                Some(case_id),
                "github_draft_state",
                json!({"ghsa_id": remote.ghsa_id, "state": remote.state}),
                now,
            )
            .await?;
        }
        let new_cve = remote
            .cve_id
            .as_ref()
            .filter(|c| row.cve_id.as_ref() != Some(*c));
        if let Some(cve) = new_cve {
            tx.github_cve_assigned(&remote.ghsa_id, cve, now).await?;
            self.audit(
                &mut tx,
                Principal::System,
                Some(case_id),
                "github_cve_assigned",
                json!({"ghsa_id": remote.ghsa_id, "cve_id": cve}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        if let Some(cve) = new_cve {
            let evidence = format!("GitHub assigned {cve} to {}", remote.ghsa_id);
            self.sign_off_delivered(case_id, Step::REQUEST_CVE, None, &evidence, now)
                .await?;
        }
        Ok(())
    }

    async fn github_failed(
        &self,
        case_id: CaseId,
        repository: &str,
        e: &AppError,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        tx.github_failure(case_id, repository, &e.to_string(), now)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Step 4 once every repository has its draft; step 5 once the case's people with a
    /// login are on each.
    async fn sign_off_github_steps(
        &self,
        case_id: CaseId,
        logins: &[String],
        now: Timestamp,
    ) -> Result<(), AppError> {
        let drafts = self.store.github_drafts(case_id).await?;
        let ids: Vec<String> = drafts
            .iter()
            .filter_map(|d| {
                d.ghsa_id
                    .as_ref()
                    .map(|g| format!("{g} in {}", d.repository))
            })
            .collect();
        if ids.is_empty() || ids.len() != drafts.len() {
            return Ok(());
        }
        let evidence = format!("drafts opened on GitHub by embargo: {}", ids.join(", "));
        self.sign_off_delivered(case_id, Step::DRAFT_ADVISORY, None, &evidence, now)
            .await?;
        if !logins.is_empty() {
            let evidence = format!("added on GitHub by embargo: {}", logins.join(", "));
            self.sign_off_delivered(case_id, Step::ADD_PEOPLE, None, &evidence, now)
                .await?;
        }
        Ok(())
    }

    /// Job `github_cve`: asks GitHub for a CVE id for the case's first draft.
    pub async fn request_github_cve_now(
        &self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<GitHubRun, AppError> {
        let client = self.require_github()?.clone();
        let mut run = GitHubRun::default();
        let drafts = self.store.github_drafts(case_id).await?;
        if drafts
            .iter()
            .any(|d| d.cve_requested_at.is_some() || d.cve_id.is_some())
        {
            return Ok(run);
        }
        let Some((draft, ghsa_id)) = drafts
            .iter()
            .find_map(|d| d.ghsa_id.clone().map(|g| (d, g)))
        else {
            return Ok(run);
        };
        // An earlier attempt may have asked and GitHub assigned the id since: read first.
        let remote = client
            .advisory(&draft.repository, &ghsa_id)
            .await
            .map_err(|e| Self::github_error(e, now))?;
        if remote.cve_id.is_some() {
            self.take_remote_news(case_id, &remote, now).await?;
            return Ok(run);
        }
        let result = client.request_cve(&draft.repository, &ghsa_id).await;
        if let Err(e) = result {
            let e = Self::github_error(e, now);
            self.github_failed(case_id, &draft.repository, &e, now)
                .await?;
            return Err(e);
        }
        let mut tx = self.store.begin().await?;
        tx.github_cve_requested(&ghsa_id, now).await?;
        self.audit(
            &mut tx,
            Principal::System,
            Some(case_id),
            "github_cve_requested",
            json!({"ghsa_id": ghsa_id}),
            now,
        )
        .await?;
        self.queue_cve_poll(&mut tx, case_id, now).await?;
        tx.commit().await?;
        let evidence = format!("CVE requested from GitHub for {ghsa_id}");
        self.sign_off_delivered(case_id, Step::REQUEST_CVE, None, &evidence, now)
            .await?;
        run.cve_requested.push(ghsa_id);
        Ok(run)
    }

    /// Job `github_publish`, enqueued by the publication (the announcement time, or the
    /// disclosure deadline): each draft gets the published text, then is published.
    pub async fn publish_github_drafts(
        &self,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<GitHubRun, AppError> {
        let client = self.require_github()?.clone();
        let mut run = GitHubRun::default();
        let case = self.store.case(case_id).await?;
        let published = matches!(case.state, CaseState::Published) || case.published_at.is_some();
        let Some(publication) = self.store.publication_of_case(case_id).await? else {
            return Ok(run);
        };
        if !published {
            // Never before the publication: the job was enqueued by it, so this is a
            // reopened case, and its drafts wait for the next publication.
            return Ok(run);
        }
        let fields = embargo_formats::github::repository_advisory(&publication.advisory).fields;
        let mut failure = None;
        for draft in self.store.github_drafts(case_id).await? {
            let Some(ghsa_id) = draft.ghsa_id.clone() else {
                continue;
            };
            if !matches!(draft.state.as_str(), "draft" | "triage") {
                continue;
            }
            let mut patch = fields.clone();
            patch["state"] = json!("published");
            match client
                .update_advisory(&draft.repository, &ghsa_id, patch)
                .await
            {
                Ok(remote) => {
                    let mut tx = self.store.begin().await?;
                    tx.github_draft_state(&ghsa_id, "published", now).await?;
                    self.audit(
                        &mut tx,
                        Principal::System,
                        Some(case_id),
                        "github_draft_published",
                        json!({"ghsa_id": ghsa_id, "repository": draft.repository}),
                        now,
                    )
                    .await?;
                    tx.commit().await?;
                    self.take_remote_news(case_id, &remote, now).await?;
                    run.published.push(ghsa_id);
                }
                Err(e) => {
                    let e = Self::github_error(e, now);
                    self.github_failed(case_id, &draft.repository, &e, now)
                        .await?;
                    failure.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        // Nothing is embargoed any more: the CI mirror's copies go.
        self.delete_ci_mirrors(&client, case_id, now).await?;
        Ok(run)
    }

    /// The drafts are read back in [`CVE_POLL`]: GitHub assigns a requested CVE id
    /// asynchronously (a webhook may say so first).
    async fn queue_cve_poll(
        &self,
        tx: &mut embargo_store::Tx,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let poll = JobSpec::GithubDrafts {
            case_id,
            refresh: false,
        };
        self.enqueue(tx, poll, now + CVE_POLL, now).await
    }

    /// Enqueued in the publishing transaction when the case has drafts on GitHub.
    pub(crate) async fn enqueue_github_publish(
        &self,
        tx: &mut embargo_store::Tx,
        case_id: CaseId,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let nothing_there = self.store.github_drafts(case_id).await?.is_empty()
            && self.store.ci_mirrors(case_id).await?.is_empty();
        if self.github.is_none() || nothing_there {
            return Ok(());
        }
        self.enqueue(tx, JobSpec::GithubPublish { case_id }, now, now)
            .await
    }
}

fn same_people(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|x| b.iter().any(|y| y.eq_ignore_ascii_case(x)))
}

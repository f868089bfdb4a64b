//! The case's repository security advisories on GitHub, as far as embargo knows them:
//! written by the jobs that talk to GitHub and by GitHub's webhooks, read by the case page.
//! Each write is one statement; the row is there before the call that creates the draft,
//! which is how a retry after a crash knows to look for it on GitHub first.

use embargo_core::{CaseId, UserId};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::codec::{from_ts, opt_ts, parse, ts};
use crate::error::StoreError;
use crate::{Store, Tx};

/// One repository's draft of the case's advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubDraft {
    pub case_id: CaseId,
    /// `owner/name`.
    pub repository: String,
    /// `None` while it is being opened (or the opening failed).
    pub ghsa_id: Option<String>,
    pub html_url: Option<String>,
    /// `opening`, `triage`, `draft`, `published`, `closed` or `withdrawn`.
    pub state: String,
    /// The advisory draft revision whose public fields GitHub holds.
    pub synced_revision: Option<i64>,
    /// The logins GitHub holds as collaborating users.
    pub collaborators: Vec<String>,
    pub cve_requested_at: Option<Timestamp>,
    pub cve_id: Option<String>,
    /// The temporary private fork, `owner/name`: private forever.
    pub private_fork: Option<String>,
    /// The fork's pull requests as last read, JSON (`[{number, title, html_url, state,
    /// merged_at}]`).
    pub pull_requests: String,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What GitHub answered when the draft was opened (or found after a crash).
#[derive(Debug, Clone, Copy)]
pub struct OpenedDraft<'a> {
    pub ghsa_id: &'a str,
    pub html_url: &'a str,
    pub state: &'a str,
    /// The advisory draft revision it was opened with.
    pub revision: Option<i64>,
}

/// The columns [`draft`] reads, as a literal (queries stay static strings).
macro_rules! columns {
    () => {
        "case_id, repository, ghsa_id, html_url, state, synced_revision, collaborators, \
         cve_requested_at, cve_id, private_fork, pull_requests, last_error, last_error_at, \
         created_at, updated_at"
    };
}

fn draft(r: &AnyRow) -> Result<GitHubDraft, StoreError> {
    let collaborators: String = r.try_get("collaborators")?;
    Ok(GitHubDraft {
        case_id: parse(&r.try_get::<String, _>("case_id")?)?,
        repository: r.try_get("repository")?,
        ghsa_id: r.try_get("ghsa_id")?,
        html_url: r.try_get("html_url")?,
        state: r.try_get("state")?,
        synced_revision: r.try_get("synced_revision")?,
        collaborators: collaborators
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        cve_requested_at: opt_ts(r.try_get("cve_requested_at")?)?,
        cve_id: r.try_get("cve_id")?,
        private_fork: r.try_get("private_fork")?,
        pull_requests: r.try_get("pull_requests")?,
        last_error: r.try_get("last_error")?,
        last_error_at: opt_ts(r.try_get("last_error_at")?)?,
        created_at: from_ts(r.try_get("created_at")?)?,
        updated_at: from_ts(r.try_get("updated_at")?)?,
    })
}

impl Store {
    /// The case's drafts, by repository.
    pub async fn github_drafts(&self, case_id: CaseId) -> Result<Vec<GitHubDraft>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM github_advisories WHERE case_id = $1 ORDER BY repository"
        ))
        .bind(case_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(draft).collect()
    }

    /// The draft GitHub knows as `ghsa_id`, whichever case it belongs to.
    pub async fn github_draft_by_ghsa(
        &self,
        ghsa_id: &str,
    ) -> Result<Option<GitHubDraft>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM github_advisories WHERE ghsa_id = $1"
        ))
        .bind(ghsa_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(draft).transpose()
    }

    /// The GitHub logins of these people, where they recorded one.
    pub async fn github_logins(&self, people: &[UserId]) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for person in people {
            let login: Option<String> = sqlx::query_scalar(
                "SELECT github_login FROM people WHERE id = $1 AND disabled_at IS NULL",
            )
            .bind(person.to_string())
            .fetch_optional(self.pool())
            .await?
            .flatten();
            out.extend(login.filter(|l| !l.is_empty()));
        }
        Ok(out)
    }

    /// The cases with drafts on GitHub where the person coordinates or develops: their
    /// drafts' collaborators change with the person's login.
    pub async fn github_cases_of(&self, person: UserId) -> Result<Vec<CaseId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT g.case_id FROM github_advisories g JOIN cases c ON c.id = g.case_id \
             WHERE c.coordinator = $1 OR g.case_id IN \
             (SELECT case_id FROM case_members WHERE user_id = $1) ORDER BY g.case_id",
        )
        .bind(person.to_string())
        .fetch_all(self.pool())
        .await?;
        ids.iter().map(|i| parse(i)).collect()
    }

    /// One person's GitHub login.
    pub async fn github_login(&self, person: UserId) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT github_login FROM people WHERE id = $1")
                .bind(person.to_string())
                .fetch_optional(self.pool())
                .await?
                .flatten(),
        )
    }
}

impl Tx {
    /// Claims `repository` for the case's draft before GitHub is called; `false` when
    /// the row was there already (an earlier attempt).
    pub async fn github_draft_opening(
        &mut self,
        case_id: CaseId,
        repository: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO github_advisories (case_id, repository, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT (case_id, repository) DO NOTHING",
        )
        .bind(case_id.to_string())
        .bind(repository)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// GitHub holds the draft: its id, link and state, and the revision it carries.
    pub async fn github_draft_opened(
        &mut self,
        case_id: CaseId,
        repository: &str,
        opened: OpenedDraft<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET ghsa_id = $3, html_url = $4, state = $5, \
             synced_revision = $6, last_error = NULL, last_error_at = NULL, updated_at = $7 \
             WHERE case_id = $1 AND repository = $2",
        )
        .bind(case_id.to_string())
        .bind(repository)
        .bind(opened.ghsa_id)
        .bind(opened.html_url)
        .bind(opened.state)
        .bind(opened.revision)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// GitHub holds this revision's public fields and these collaborators.
    pub async fn github_draft_synced(
        &mut self,
        ghsa_id: &str,
        revision: Option<i64>,
        collaborators: &[String],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET synced_revision = $2, collaborators = $3, \
             last_error = NULL, last_error_at = NULL, updated_at = $4 WHERE ghsa_id = $1",
        )
        .bind(ghsa_id)
        .bind(revision)
        .bind(collaborators.join("\n"))
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// GitHub's state of the draft (`published`, `withdrawn`, `closed`, ...).
    pub async fn github_draft_state(
        &mut self,
        ghsa_id: &str,
        state: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET state = $2, last_error = NULL, last_error_at = NULL, \
             updated_at = $3 WHERE ghsa_id = $1",
        )
        .bind(ghsa_id)
        .bind(state)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A CVE id was asked of GitHub for the draft.
    pub async fn github_cve_requested(
        &mut self,
        ghsa_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET cve_requested_at = $2, last_error = NULL, \
             last_error_at = NULL, updated_at = $2 WHERE ghsa_id = $1",
        )
        .bind(ghsa_id)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// GitHub assigned the draft this CVE id.
    pub async fn github_cve_assigned(
        &mut self,
        ghsa_id: &str,
        cve_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE github_advisories SET cve_id = $2, updated_at = $3 WHERE ghsa_id = $1")
            .bind(ghsa_id)
            .bind(cve_id)
            .bind(ts(now))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The draft's temporary private fork.
    pub async fn github_fork_created(
        &mut self,
        ghsa_id: &str,
        fork: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET private_fork = $2, last_error = NULL, \
             last_error_at = NULL, updated_at = $3 WHERE ghsa_id = $1",
        )
        .bind(ghsa_id)
        .bind(fork)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// A call about the draft failed: the sentence stays on the case until a success.
    pub async fn github_failure(
        &mut self,
        case_id: CaseId,
        repository: &str,
        sentence: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE github_advisories SET last_error = $3, last_error_at = $4 \
             WHERE case_id = $1 AND repository = $2",
        )
        .bind(case_id.to_string())
        .bind(repository)
        .bind(sentence)
        .bind(ts(now))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Records (or clears, with `None`) a person's GitHub login.
    pub async fn set_github_login(
        &mut self,
        person: UserId,
        login: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE people SET github_login = $2 WHERE id = $1")
            .bind(person.to_string())
            .bind(login)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
